// SPDX-License-Identifier: MIT
// profile-auth example: machine-to-machine tokens, step by step (offline by default).
//
// Run it with scripts/demo. Without environment variables it talks to an in-process fake of the
// Profile API on a manual clock, so every step (first token, cached reuse, refresh ahead of
// expiry, an outage, wrong credentials) happens in a second and without a network. With
// PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET set it gets a real token over
// libcurl and calls POST /api/v4/test with it. Tokens and secrets are never printed.
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing.hpp>
#include <profile/auth/transports/curl.hpp>

#include <chrono>       // durations for the manual clock
#include <cstdio>       // std::printf: the narration
#include <cstdlib>      // std::getenv, exit codes
#include <string>       // messages
#include <string_view>  // names

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

const char* class_name(pa::error_class c) {
  switch (c) {
    case pa::error_class::retryable:
      return "retryable (try again later; the client backs off)";
    case pa::error_class::credentials:
      return "credentials (fix client_id/secret; never retried)";
    case pa::error_class::reauthenticate:
      return "reauthenticate";
    case pa::error_class::misconfiguration:
      return "misconfiguration (fix the configuration)";
    case pa::error_class::user_action:
      return "user action";
    case pa::error_class::protocol:
      return "protocol (the server answered something unusable)";
    case pa::error_class::local:
      return "local";
  }
  return "?";
}

void report(const pa::error& e) {
  std::printf("   error   : %.*s", static_cast<int>(pa::to_string(e.code).size()),
              pa::to_string(e.code).data());
  if (e.http_status != 0) std::printf(", HTTP %d", e.http_status);
  if (e.retry_after)
    std::printf(", Retry-After %lld s", static_cast<long long>(e.retry_after->count()));
  std::printf("\n   class   : %s\n   message : %s\n", class_name(pa::classify(e)),
              e.message.c_str());
}

/// Tokens are shown only as their length.
void show_token(std::string_view header_value) {
  std::printf("   header  : Authorization: Bearer %.*s (%zu-character token)\n",
              static_cast<int>(pa::redacted.size()), pa::redacted.data(), header_value.size() - 7);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

int run_offline() {
  std::printf(
      "profile-auth %s M2M demo, offline: an in-process fake Profile API and a manual "
      "clock.\n(Set PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET to "
      "use a real server.)\n\n",
      PROFILE_AUTH_VERSION_STRING);

  pa::testing::manual_clock clock;
  pa::testing::fake_profile_api::options server;
  server.client_id = "demo-client";
  server.client_secret = pa::secret{"demo-secret-not-real"};
  pa::testing::fake_profile_api api(clock, server);  // copies share one server

  pa::m2m_client client{
      api, pa::profile::m2m_config("demo-client", pa::secret{"demo-secret-not-real"}), clock};

  std::printf(
      "1. First call: nothing is cached, so the client asks POST /api/v4/auth for a token.\n");
  auto h1 = client.authorization_header();
  expect(h1.has_value(), "the first token request succeeds");
  if (!h1) return 1;
  show_token(*h1);
  std::printf("   token requests so far: %zu (the token lives 3600 s)\n\n", api.token_requests());
  expect(api.token_requests() == 1, "one token request");

  std::printf("2. Second call, a moment later: the cached token is still good. Nothing is sent.\n");
  clock.advance(2s);
  auto h2 = client.authorization_header();
  expect(h2 && *h2 == *h1, "the cached token is reused");
  std::printf("   token requests so far: %zu\n\n", api.token_requests());
  expect(api.token_requests() == 1, "still one token request");

  std::printf(
      "3. POST /api/v4/test {\"ping\":\"pong\"}: client.send() adds the Authorization header.\n");
  auto r3 = client.send(pa::profile::test_request());
  expect(r3 && r3->status == 200, "/api/v4/test answers 200");
  if (r3) std::printf("   answer  : %d %s\n\n", r3->status, r3->body.c_str());

  std::printf(
      "   GET /api/v4/account: the answer comes in Profile's {code,data,status} envelope;\n"
      "   profile::parse_account() unwraps and checks it.\n");
  auto me = client.send(pa::profile::account_request());
  auto account = me ? pa::profile::parse_account(*me)
                    : pa::result<pa::profile::account>(pa::unexpected<pa::error>(me.error()));
  expect(account.has_value(), "the account answer parses");
  if (account)
    std::printf("   account : id %s, type %s, role %s (%s)\n\n", account->id.c_str(),
                account->type.c_str(), account->role.c_str(),
                pa::profile::is_manager(account->role) ? "a manager" : "not a manager");

  std::printf(
      "4. 55 minutes later (manual clock): the token is inside the refresh-ahead window\n"
      "   (about 5 minutes before it expires) but still valid.\n");
  clock.advance(55min);
  auto h4 = client.authorization_header();
  expect(h4.has_value(), "a token is served inside the refresh window");
  std::printf(
      "   token requests so far: %zu, refreshes ahead of expiry: %llu; callers never waited\n"
      "   for it, and the old token stayed usable until the new one arrived.\n\n",
      api.token_requests(), static_cast<unsigned long long>(client.stats().refreshes_ahead));
  expect(api.token_requests() == 2 && client.stats().refreshes_ahead == 1, "one refresh ahead");
  expect(client.stats().waits == 0, "nobody waited");

  std::printf(
      "5. The server revokes every token. /api/v4/test answers 401 invalid_token; the client\n"
      "   drops its token, fetches a new one and retries once.\n");
  api.revoke_all_tokens();
  auto r5 = client.send(pa::profile::test_request());
  expect(r5 && r5->status == 200, "the retry with a fresh token succeeds");
  if (r5)
    std::printf("   answer  : %d, token requests so far: %zu\n\n", r5->status,
                api.token_requests());

  std::printf("6. Two hours pass, and the token endpoint is down (503, Retry-After: 30).\n");
  clock.advance(2h);
  api.inject(pa::testing::fault::unavailable(30s), 1, pa::testing::fake_endpoint::token);
  auto h6 = client.authorization_header();
  expect(!h6 && h6.error().code == pa::errc::temporarily_unavailable, "the outage is reported");
  if (!h6) report(h6.error());
  const std::size_t before = api.token_requests();
  auto h6b = client.authorization_header();
  std::printf("   called again at once: %s, and nothing was sent (token requests: %zu)\n",
              h6b ? "a token" : "the same error (backing off)", api.token_requests());
  expect(!h6b && api.token_requests() == before, "no request during the backoff");
  clock.advance(30s);
  auto h6c = client.authorization_header();
  expect(h6c.has_value(), "after Retry-After the client recovers");
  std::printf("   30 s later: %s (token requests: %zu)\n\n",
              h6c ? "a fresh token" : "still failing", api.token_requests());

  std::printf("7. A second client configured with a wrong secret.\n");
  const pa::secret wrong{"wrong-secret-demo"};
  pa::m2m_client bad{api, pa::profile::m2m_config("demo-client", wrong), clock};
  auto h7 = bad.authorization_header();
  expect(!h7 && h7.error().code == pa::errc::invalid_client, "invalid_client is reported");
  if (!h7) {
    report(h7.error());
    expect(h7.error().message.find(wrong.reveal()) == std::string::npos &&
               h7.error().message.find("demo-secret-not-real") == std::string::npos,
           "no secret in the message");
  }

  std::printf("\n%s\n", failures == 0 ? "Done: every step behaved as described."
                                      : "Done, with unexpected results (see above).");
  return failures == 0 ? 0 : 1;
}

int run_online(const std::string& base, const std::string& id, std::string secret_text) {
  std::printf("profile-auth %s M2M demo against %s (libcurl)\n\n", PROFILE_AUTH_VERSION_STRING,
              base.c_str());
  pa::m2m_client client{pa::transports::curl_transport{},
                        pa::profile::m2m_config(id, pa::secret{std::move(secret_text)}, base)};

  std::printf("1. Token request: POST %s/api/v4/auth\n", base.c_str());
  auto h = client.authorization_header();
  if (!h) {
    report(h.error());
    return 1;
  }
  show_token(*h);

  std::printf("2. POST %s/api/v4/test {\"ping\":\"pong\"} with the token\n", base.c_str());
  auto r = client.send(pa::profile::test_request(R"({"ping":"pong"})", base));
  if (!r) {
    report(r.error());
    return 1;
  }
  const std::string_view body = std::string_view(r->body).substr(0, 300);
  std::printf("   answer  : HTTP %d %.*s%s\n", r->status, static_cast<int>(body.size()),
              body.data(), r->body.size() > body.size() ? "..." : "");
  return r->ok() ? 0 : 1;
}

}  // namespace

int main() {
  const std::string base = env("PROFILE_API_BASE");
  const std::string id = env("PROFILE_CLIENT_ID");
  std::string secret_text = env("PROFILE_CLIENT_SECRET");
  const int set = !base.empty() + !id.empty() + !secret_text.empty();
  if (set == 3) return run_online(base, id, std::move(secret_text));
  if (set != 0) {
    std::printf(
        "Set all three of PROFILE_API_BASE, PROFILE_CLIENT_ID and PROFILE_CLIENT_SECRET "
        "to use a real server, or none of them for the offline demo.\n");
    return 2;
  }
  return run_offline();
}
