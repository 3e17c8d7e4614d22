// SPDX-License-Identifier: MIT
// profile-auth consumption tests: a program in compiled mode (docs/building.md, "Compiled mode").
// It sees declarations only and links the definitions from the compiled library: with CMake
// profile::auth_compiled, with Meson profile_auth_compiled_dep, or, in the single-header check
// of scripts/test, a second TU that defines PROFILE_AUTH_SOURCE before including the header.
#include <profile/auth.hpp>

#include <chrono>       // the arrival time of the token response
#include <cstdio>       // std::fprintf: report without pulling in a test framework
#include <string>       // header values
#include <string_view>  // comparisons

#if !PROFILE_AUTH_SEPARATE_COMPILATION
#error "this consumer is built in compiled mode: PROFILE_AUTH_SEPARATE_COMPILATION=1"
#endif
#if PROFILE_AUTH_DEFINITIONS
#error "a compiled-mode user TU must not compile the library's definitions"
#endif

namespace pa = profile::auth;

namespace {
int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "compiled consumer: FAILED: %s\n", what);
    ++failures;
  }
}

constexpr std::string_view token_json =
    R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","expires_in":3600})";

/// Answers every request with a fixed one-hour token, and remembers the last request.
struct canned_transport {
  std::string* last_body;
  pa::result<pa::http_response> send(const pa::http_request& req) {
    *last_body = req.body;
    pa::http_response r;
    r.status = 200;
    r.headers.add("Content-Type", "application/json");
    r.body = std::string(token_json);
    return r;
  }
};
static_assert(pa::Transport<canned_transport>);
}  // namespace

int main() {
  // The pure functions: request, response, header value.
  const pa::client_credentials_config cfg =
      pa::profile::m2m_config("inventory-sync", pa::secret("compiled-consumer-secret"));
  const pa::result<pa::http_request> req = pa::client_credentials_request(cfg);
  check(req.has_value() && req->method == "POST", "client_credentials_request builds a POST");
  check(req.has_value() &&
            req->body.find("\"grant_type\":\"client_credentials\"") != std::string::npos,
        "the Profile preset sends a JSON body");

  pa::http_response resp;
  resp.status = 200;
  resp.headers.add("Content-Type", "application/json");
  resp.body = std::string(token_json);
  const pa::result<pa::token> tok =
      pa::parse_token_response(resp, pa::to_time_point(std::chrono::steady_clock::now()));
  check(tok.has_value(), "parse_token_response reads a token");
  if (tok) {
    const pa::result<std::string> header = pa::bearer_header_value(*tok);
    check(header.has_value() && *header == "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
          "bearer_header_value");
  }

  // An error from the library: its message is built in the compiled library.
  pa::http_response bad;
  bad.status = 401;
  bad.headers.add("Content-Type", "application/json");
  bad.body = R"({"error":"invalid_client"})";
  const pa::result<pa::token> refused = pa::parse_token_response(bad, pa::time_point{});
  check(!refused && refused.error().code == pa::errc::invalid_client &&
            !refused.error().message.empty(),
        "an OAuth error answer becomes errc::invalid_client with a message");

  // The templates (driver, cache, lock policy) are instantiated here, on top of the library.
  std::string last_body;
  pa::m2m_client client{canned_transport{&last_body}, cfg};
  const pa::result<std::string> h = client.authorization_header();
  check(h.has_value() && h->starts_with("Bearer "), "m2m_client fetches and caches a token");
  check(last_body.find("compiled-consumer-secret") != std::string::npos,
        "m2m_client sent the credentials");

  if (failures == 0)
    std::printf("compiled consumer: OK (profile-auth %s, compiled mode)\n",
                PROFILE_AUTH_VERSION_STRING);
  return failures == 0 ? 0 : 1;
}
