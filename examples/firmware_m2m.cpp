// SPDX-License-Identifier: MIT
// profile-auth example: the heap-free firmware client (fixed_m2m_client), run on a host.
//
// The "firmware" part below is what a device runs: a main-loop step that gets a ready
// "Bearer …" value from a fixed_m2m_client and calls the API with it, with no heap and errors as
// codes (docs/firmware.md). The "board" part stands in for the device's HTTP module, tick
// counter and TRNG. Offline (the default) the HTTP module is the in-process fake Profile API
// and the tick counter a manual clock, so a token's whole life (first request, reuse, refresh
// ahead of expiry, an outage with backoff, a refused secret) takes a second. With
// PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET set, the HTTP module is libcurl
// and the clock is real. Tokens and secrets are never printed.
#include <profile/auth/fixed_m2m_client.hpp>
#include <profile/auth/profile.hpp>  // test_request: the API call the device makes
#include <profile/auth/testing.hpp>  // fake_profile_api, manual_clock, fixed_adapter
#include <profile/auth/transports/curl.hpp>

#include <chrono>       // the tick clock
#include <cstdio>       // std::printf: the narration
#include <cstdlib>      // std::getenv
#include <string>       // the online token URL
#include <string_view>  // views the client hands out

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

int failures = 0;  // expectations the offline run checks as it narrates

void expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("   !! unexpected: %s\n", what);
    ++failures;
  }
}

/// What a device would log: the code, the HTTP status and whether to try again. No text.
void report(const pa::fixed_error& e) {
  const std::string_view code = pa::to_string(e.code);
  std::printf("   error   : %.*s", static_cast<int>(code.size()), code.data());
  if (e.http_status != 0) std::printf(", HTTP %d", e.http_status);
  if (e.retry_after != 0) std::printf(", Retry-After %u s", static_cast<unsigned>(e.retry_after));
  std::printf(" (%s)\n", pa::is_retryable(e) ? "retryable: the client backs off"
                                             : "not retried until invalidate()");
}

// ---- the firmware: one main-loop step ---------------------------------------------------------

/// Gets the header value and calls POST /api/v4/test with it through `http` (the board's HTTP
/// module, also used for API calls). Returns the API's status, or 0 when no token was available.
template <class Client, class Http>
int main_loop_step(Client& auth, Http& http, std::string_view base) {
  const pa::fixed_result<std::string_view> h = auth.authorization_header();
  if (!h) {
    report(h.error());
    return 0;
  }
  std::printf("   header  : Authorization: Bearer %.*s (%zu-character token)\n",
              static_cast<int>(pa::redacted.size()), pa::redacted.data(),
              h->size() - pa::bearer_prefix.size());
  pa::http_request call = pa::profile::test_request(R"({"ping":"pong"})", base);
  call.headers.add("Authorization", std::string(*h));
  const pa::result<pa::http_response> r = http.send(call);
  const int status = r ? r->status : 0;
  if (status == 401) auth.invalidate();  // the API refused the token: fetch a new one next time
  std::printf("   API     : POST /api/v4/test -> %d\n", status);
  return status;
}

// ---- offline: the board is simulated ----------------------------------------------------------

int run_offline() {
  std::printf(
      "profile-auth %s firmware demo, offline: fixed_m2m_client on a simulated board (the fake\n"
      "Profile API as its HTTP module, a manual clock as its tick counter).\n"
      "(Set PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET to use a real "
      "server.)\n\n",
      PROFILE_AUTH_VERSION_STRING);

  pa::testing::manual_clock ticks;
  pa::testing::fake_profile_api::options server;
  server.client_id = "device-0042";
  server.client_secret = pa::secret{"device-secret-not-real"};
  pa::testing::fake_profile_api api(ticks, server);
  const std::string_view base = pa::profile::default_base_url;

  // On a device: static storage, the board's HTTP module, tick counter and TRNG. 512 bytes hold
  // "Bearer <token>", 1024 one exchange (the request with the secret, then the answer).
  static pa::fixed_m2m_client<pa::testing::fixed_adapter<pa::testing::fake_profile_api*>,
                              pa::testing::manual_clock, pa::os_random, 512, 1024>
      auth{pa::testing::fixed_adapter(&api),
           pa::profile::fixed_m2m_config_v4("device-0042", "device-secret-not-real"), ticks};

  std::printf("1. Boot: no token yet, so the client asks POST /api/v4/auth for one.\n");
  expect(main_loop_step(auth, api, base) == 200, "the first step calls the API with a token");
  std::printf("   token requests: %zu\n\n", api.token_requests());
  expect(api.token_requests() == 1, "one token request");

  std::printf("2. Next loop iterations: the cached token is reused, nothing is sent.\n");
  for (int i = 0; i < 3; ++i) {
    ticks.advance(10s);
    expect(auth.authorization_header().has_value(), "a cached token");
  }
  std::printf("   token requests: %zu after three more steps\n\n", api.token_requests());
  expect(api.token_requests() == 1, "still one token request");

  std::printf(
      "3. 55 minutes later the token is inside the refresh-ahead window: this step\n"
      "   refreshes it (the device is single-threaded: the caller does the work).\n");
  ticks.advance(55min);
  expect(main_loop_step(auth, api, base) == 200, "the refreshed token works");
  std::printf("   token requests: %zu\n\n", api.token_requests());
  expect(api.token_requests() == 2, "one refresh");

  std::printf("4. Two hours later the token endpoint is down (503, Retry-After: 30).\n");
  ticks.advance(2h);
  api.inject(pa::testing::fault::unavailable(30s), 1, pa::testing::fake_endpoint::token);
  expect(main_loop_step(auth, api, base) == 0, "no token during the outage");
  const std::size_t before = api.token_requests();
  expect(!auth.authorization_header() && api.token_requests() == before,
         "no request while backing off");
  std::printf("   the next step at once: nothing sent (token requests: %zu)\n", before);
  ticks.advance(30s);
  expect(main_loop_step(auth, api, base) == 200, "recovered after Retry-After");
  std::printf("\n");

  std::printf(
      "5. The server revokes every token: the API answers 401, the step calls\n"
      "   invalidate(), and the next step fetches a new token.\n");
  api.revoke_all_tokens();
  expect(main_loop_step(auth, api, base) == 401, "the revoked token is refused");
  expect(main_loop_step(auth, api, base) == 200, "a new token works");
  std::printf("\n");

  std::printf("6. A second device provisioned with a wrong secret.\n");
  static pa::fixed_m2m_client<pa::testing::fixed_adapter<pa::testing::fake_profile_api*>,
                              pa::testing::manual_clock, pa::os_random, 512, 1024>
      wrong{pa::testing::fixed_adapter(&api),
            pa::profile::fixed_m2m_config_v4("device-0042", "wrong-secret"), ticks};
  const auto w = wrong.authorization_header();
  expect(!w && w.error().code == pa::errc::invalid_client, "invalid_client is reported");
  if (!w) report(w.error());
  const std::size_t after = api.token_requests();
  ticks.advance(1h);
  expect(!wrong.authorization_header() && api.token_requests() == after,
         "a refused secret is never retried by itself");
  std::printf("   an hour later: still refused, and nothing was sent again\n");

  std::printf("\n%s\n", failures == 0 ? "Done: every step behaved as described."
                                      : "Done, with unexpected results (see above).");
  return failures == 0 ? 0 : 1;
}

// ---- online: libcurl as the HTTP module -------------------------------------------------------

int run_online(const std::string& base, const std::string& id, const std::string& secret_text) {
  std::printf("profile-auth %s firmware demo against %s (libcurl)\n\n", PROFILE_AUTH_VERSION_STRING,
              base.c_str());
  pa::transports::curl_transport http;
  const std::string token_url = base + std::string(pa::profile::m2m_token_path);
  // The config holds views: token_url, id and secret_text outlive the client.
  pa::fixed_m2m_client auth{pa::testing::fixed_adapter(&http),
                            pa::profile::fixed_m2m_config(id, secret_text, token_url)};
  std::printf("1. Token request: POST %s, then POST %s/api/v4/test with it\n", token_url.c_str(),
              base.c_str());
  const int status = main_loop_step(auth, http, base);
  return status >= 200 && status < 300 ? 0 : 1;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

}  // namespace

int main() {
  const std::string base = env("PROFILE_API_BASE");
  const std::string id = env("PROFILE_CLIENT_ID");
  const std::string secret_text = env("PROFILE_CLIENT_SECRET");
  if (base.empty() || id.empty() || secret_text.empty()) return run_offline();
  return run_online(base, id, secret_text);
}
