// SPDX-License-Identifier: MIT
// profile-auth consumption tests: a tiny program built against an installed or embedded copy.
#include <profile/auth.hpp>

#include <cstdio>        // std::fprintf: report without pulling in a test framework
#include <sstream>       // printing a secret into a string
#include <string>        // the printed text
#include <string_view>   // comparisons
#include <system_error>  // errc as std::error_code

#ifndef PROFILE_AUTH_EXPECTED_VERSION
#error "the consumer build passes the version it expects as PROFILE_AUTH_EXPECTED_VERSION"
#endif

namespace pa = profile::auth;

namespace {
int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}
struct echo_transport {
  pa::result<pa::http_response> send(const pa::http_request& req) {
    return pa::http_response{200, {}, req.body};
  }
};
static_assert(pa::Transport<echo_transport>);
}  // namespace

int main() {
  check(std::string_view(PROFILE_AUTH_VERSION_STRING) == PROFILE_AUTH_EXPECTED_VERSION,
        "PROFILE_AUTH_VERSION_STRING is the version the build system found");

  const pa::secret s("consumer-client-secret");
  std::ostringstream os;
  os << "secret=" << s;
  check(os.str() == "secret=[redacted]", "a secret prints as [redacted]");
  check(os.str().find("consumer") == std::string::npos, "the secret's bytes are not printed");

  const pa::result<int> r = pa::fail(pa::errc::invalid_client, "check client_id");
  check(!r.has_value() && r.error().code == pa::errc::invalid_client, "fail() builds an error");
  const std::error_code ec = pa::errc::invalid_client;
  check(ec == pa::errc::invalid_client && ec.category().name() != nullptr, "errc is an error_code");

  pa::header_list h;
  h.add("Content-Type", "application/json");
  check(h.find("content-type").value_or("") == "application/json", "header lookup ignores case");

  echo_transport t;
  const auto resp = t.send(pa::http_request{"POST", "https://127.0.0.1/", {}, "{}"});
  check(resp.has_value() && resp->body == "{}", "a user transport models Transport");

  if (failures == 0) std::printf("consumer: OK (profile-auth %s)\n", PROFILE_AUTH_VERSION_STRING);
  return failures == 0 ? 0 : 1;
}
