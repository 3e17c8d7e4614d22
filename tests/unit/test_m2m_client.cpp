// SPDX-License-Identifier: MIT
// Tests for m2m_client (the driver) on a scripted transport and a manual clock.
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view client_secret = "s3cr3t-Value_42";

std::string token_json(std::string_view token, int expires_in = 3600) {
  return R"({"access_token":")" + std::string(token) + R"(","token_type":"Bearer","expires_in":)" +
         std::to_string(expires_in) + "}";
}

pa::header_list challenge(std::string value) {
  pa::header_list h;
  h.add("WWW-Authenticate", std::move(value));
  return h;
}

pa::client_credentials_config profile_config() {
  return pa::profile::m2m_config("my-client", pa::secret(client_secret));
}

template <class P = pa::thread_safe>
using client_t = pa::m2m_client<pt::fake_transport, pt::manual_clock, P, pt::fixed_random>;

/// A client on a scripted transport, a manual clock at 1000 s and zero jitter.
template <class P = pa::thread_safe>
struct fixture {
  explicit fixture(pa::client_credentials_config cfg = profile_config(),
                   pt::fixed_random random = pt::fixed_random(0))
      : client(transport, std::move(cfg), clock, {}, std::move(random)) {}
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  client_t<P> client;
};

std::string header_of(const pa::http_request& r) {
  return std::string(r.headers.find("Authorization").value_or("<none>"));
}

}  // namespace

TEST_CASE("m2m_client: the first call sends one client credentials request, later calls none") {
  fixture<> f;
  f.transport.respond(200, token_json("tok-1"));
  auto h = f.client.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == "Bearer tok-1");
  REQUIRE(f.transport.calls() == 1);
  const pa::http_request req = f.transport.request(0);
  CHECK(req.method == "POST");
  CHECK(req.url == "https://vanguard.profilebehavior.com/api/v4/auth");
  CHECK(req.headers.find("Content-Type") == "application/json");
  CHECK(req.headers.find("Accept") == "application/json");
  CHECK(req.body ==
        R"({"grant_type":"client_credentials","client_id":"my-client","client_secret":")" +
            std::string(client_secret) + R"("})");
  for (int i = 0; i < 5; ++i) CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  f.clock.advance(3269s);
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  CHECK(f.transport.calls() == 1);
  CHECK(f.client.stats().token_requests == 1);
  CHECK(f.client.stats().tokens_issued == 1);
}

TEST_CASE("m2m_client: the no-copy forms, the caller's buffer and the access token") {
  fixture<> f;
  f.transport.respond(200, token_json("tok-1"));
  auto view = f.client.authorization_header_view();
  REQUIRE(view.has_value());
  CHECK(*view == "Bearer tok-1");
  char buf[64];
  auto n = f.client.write_authorization_header(buf);
  REQUIRE(n.has_value());
  CHECK(std::string_view(buf, *n) == "Bearer tok-1");
  char tiny[8];
  auto small = f.client.write_authorization_header(tiny);
  REQUIRE_FALSE(small.has_value());
  CHECK(small.error().code == pa::errc::limit_exceeded);
  auto tok = f.client.access_token();
  REQUIRE(tok.has_value());
  CHECK(tok->reveal() == "tok-1");
  CHECK(f.client.access_token_view().value() == "tok-1");
  CHECK(f.transport.calls() == 1);
}

TEST_CASE("m2m_client: an expired token is replaced on the next call") {
  fixture<> f;
  f.transport.respond(200, token_json("tok-1")).respond(200, token_json("tok-2"));
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  f.clock.advance(3570s);  // expires_in 3600 - 30 s skew
  CHECK(f.client.authorization_header().value() == "Bearer tok-2");
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("m2m_client: the refresh-ahead point carries the drawn jitter") {
  SUBCASE("maximal draw: 30 s earlier") {
    fixture<> f(profile_config(), pt::fixed_random(~std::uint64_t{0}));
    f.transport.respond(200, token_json("tok-1")).respond(200, token_json("tok-2"));
    CHECK(f.client.authorization_header().value() == "Bearer tok-1");
    f.clock.advance(3240s - 1ns);
    CHECK(f.client.authorization_header().value() == "Bearer tok-1");
    CHECK(f.transport.calls() == 1);
    f.clock.advance(1ns);
    CHECK(f.client.authorization_header().value() == "Bearer tok-2");  // the refresher's own
    CHECK(f.transport.calls() == 2);
    CHECK(f.client.stats().refreshes_ahead == 1);
  }
  SUBCASE("a failing random source gives half the maximum") {
    fixture<> f(profile_config(), pt::fixed_random::failing());
    f.transport.respond(200, token_json("tok-1")).respond(200, token_json("tok-2"));
    CHECK(f.client.authorization_header().value() == "Bearer tok-1");
    f.clock.advance(3255s - 1ns);
    CHECK(f.client.authorization_header().value() == "Bearer tok-1");
    f.clock.advance(1ns);
    CHECK(f.client.authorization_header().value() == "Bearer tok-2");
  }
}

TEST_CASE("m2m_client: a failed refresh keeps the valid token; after expiry, the error") {
  fixture<> f;
  f.transport.respond(200, token_json("tok-1"))
      .respond(503, R"({"error":"temporarily_unavailable"})");
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  f.clock.advance(3300s);  // inside the refresh window
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  CHECK(f.transport.calls() == 2);
  CHECK(f.client.stats().failures == 1);
  f.clock.advance(400ms);  // backing off (500 ms): no request
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  CHECK(f.transport.calls() == 2);

  f.clock.advance(270s);  // 3570.4 s: expired; the backoff is long over, so one more attempt
  f.transport.fail_next(pa::error(pa::errc::transport_failed, "connection refused"));
  auto h = f.client.authorization_header();
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == pa::errc::transport_failed);
  CHECK(f.transport.calls() == 3);
  auto again = f.client.authorization_header();  // during the backoff: at once, nothing sent
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == pa::errc::transport_failed);
  CHECK(f.transport.calls() == 3);
  f.clock.advance(1s);  // second failure in a row: 1 s
  f.transport.respond(200, token_json("tok-2"));
  CHECK(f.client.authorization_header().value() == "Bearer tok-2");
}

TEST_CASE("m2m_client: configuration errors are the first call's error, nothing is sent, sticky") {
  struct bad_config {
    const char* what;
    pa::client_credentials_config cfg;
    pa::errc expected;
  };
  std::vector<bad_config> cases;
  cases.push_back({"empty id", pa::profile::m2m_config("", pa::secret(client_secret)),
                   pa::errc::invalid_argument});
  cases.push_back(
      {"CR/LF in the secret",
       pa::profile::m2m_config("my-client", pa::secret(std::string(client_secret) + "\r\n")),
       pa::errc::invalid_argument});
  cases.push_back(
      {"plain http to a remote host",
       pa::profile::m2m_config("my-client", pa::secret(client_secret), "http://api.example.com"),
       pa::errc::insecure_endpoint});
  for (auto& c : cases) {
    CAPTURE(c.what);
    fixture<> f(std::move(c.cfg));
    for (int i = 0; i < 2; ++i) {
      auto h = f.client.authorization_header();
      REQUIRE_FALSE(h.has_value());
      CHECK(h.error().code == c.expected);
      CHECK(h.error().message.find(client_secret) == std::string::npos);
    }
    auto r = f.client.send(pa::profile::test_request());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == c.expected);
    f.clock.advance(86400s);
    f.client.invalidate();  // re-checked, same verdict
    CHECK(f.client.authorization_header().error().code == c.expected);
    CHECK(f.transport.calls() == 0);
    CHECK(f.client.stats().token_requests == 0);
  }
}

TEST_CASE("m2m_client: invalid_client is never retried until invalidate()") {
  fixture<> f;
  f.transport.respond(401, R"({"error":"invalid_client","error_description":"bad secret"})");
  auto h = f.client.authorization_header();
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == pa::errc::invalid_client);
  CHECK(h.error().http_status == 401);
  f.clock.advance(86400s);
  CHECK(f.client.authorization_header().error().code == pa::errc::invalid_client);
  CHECK(f.transport.calls() == 1);
  f.client.invalidate();
  f.transport.respond(200, token_json("tok-1"));
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("m2m_client: Retry-After from a 429 holds the next attempt back") {
  fixture<> f;
  f.transport.respond(429, "slow down", {{"Retry-After", "7"}});
  auto h = f.client.authorization_header();
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().http_status == 429);
  f.clock.advance(7s - 1ns);
  CHECK_FALSE(f.client.authorization_header().has_value());
  CHECK(f.transport.calls() == 1);
  f.clock.advance(1ns);
  f.transport.respond(200, token_json("tok-1"));
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
}

TEST_CASE("m2m_client::send adds the header and returns the answer") {
  fixture<> f;
  f.transport.respond(200, token_json("tok-1")).respond(200, R"({"pong":true})");
  pa::http_request req = pa::profile::test_request();
  req.headers.add("Authorization", "Basic stale");  // replaced, not duplicated
  auto r = f.client.send(std::move(req));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == R"({"pong":true})");
  REQUIRE(f.transport.calls() == 2);
  const pa::http_request sent = f.transport.request(1);
  CHECK(sent.url == "https://vanguard.profilebehavior.com/api/v4/test");
  CHECK(sent.headers.find_all("Authorization").size() == 1);
  CHECK(header_of(sent) == "Bearer tok-1");
  CHECK(sent.body == R"({"ping":"pong"})");

  f.transport.fail_next(pa::error(pa::errc::transport_failed, "reset"));
  auto failed = f.client.send(pa::profile::test_request());
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == pa::errc::transport_failed);
}

TEST_CASE("m2m_client::send retries once after a 401 that rejects the token") {
  const char* const challenges[] = {nullptr, "Bearer error=\"invalid_token\"",
                                    "Bearer realm=\"api\", error=\"invalid_token\", "
                                    "error_description=\"The access token expired\"",
                                    "Bearer realm=\"api\""};
  for (const char* ch : challenges) {
    CAPTURE(ch == nullptr ? "(none)" : ch);
    fixture<> f;
    f.transport.respond(200, token_json("tok-1"))
        .respond(401, "", ch == nullptr ? pa::header_list{} : challenge(ch))
        .respond(200, token_json("tok-2"))
        .respond(200, R"({"pong":true})");
    auto r = f.client.send(pa::profile::test_request());
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    REQUIRE(f.transport.calls() == 4);
    CHECK(header_of(f.transport.request(1)) == "Bearer tok-1");
    CHECK(header_of(f.transport.request(3)) == "Bearer tok-2");
    CHECK(f.client.stats().invalidations == 1);
    CHECK(f.client.stats().token_requests == 2);
  }
}

TEST_CASE("m2m_client::send returns a second 401 as it is") {
  fixture<> f;
  f.transport.respond(200, token_json("tok-1"))
      .respond(401, "", challenge("Bearer error=\"invalid_token\""))
      .respond(200, token_json("tok-2"))
      .respond(401, "denied", challenge("Bearer error=\"invalid_token\""));
  auto r = f.client.send(pa::profile::test_request());
  REQUIRE(r.has_value());
  CHECK(r->status == 401);
  CHECK(r->body == "denied");
  CHECK(f.transport.calls() == 4);
}

TEST_CASE("m2m_client::send does not retry a 401 a new token cannot fix") {
  const char* const challenges[] = {"Bearer error=\"insufficient_scope\", scope=\"admin\"",
                                    "Bearer error=\"invalid_request\"", "Basic realm=\"api\"",
                                    "DPoP error=\"invalid_token\""};
  for (const char* ch : challenges) {
    CAPTURE(ch);
    fixture<> f;
    f.transport.respond(200, token_json("tok-1")).respond(401, "", challenge(ch));
    auto r = f.client.send(pa::profile::test_request());
    REQUIRE(r.has_value());
    CHECK(r->status == 401);
    CHECK(f.transport.calls() == 2);
    CHECK(f.client.stats().invalidations == 0);
    CHECK(f.client.authorization_header().value() == "Bearer tok-1");  // still cached
  }
}

TEST_CASE("m2m_client::send drops only the token the 401 answered, not a newer one") {
  fixture<> f;
  int issued = 0, api_calls = 0;
  f.transport.on_send([&](const pa::http_request& req) -> pa::result<pa::http_response> {
    pa::http_response r;
    r.headers.add("Content-Type", "application/json");
    if (req.url.ends_with("/api/v4/auth")) {
      r.status = 200;
      r.body = token_json("tok-" + std::to_string(++issued));
      return r;
    }
    if (++api_calls == 1) {
      // While this request is "on the wire", another caller replaces the token.
      f.client.invalidate();
      CHECK(f.client.authorization_header().value() == "Bearer tok-2");
      r.status = 401;
      r.headers.add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return r;
    }
    r.status = 200;
    r.body = "{}";
    return r;
  });
  auto r = f.client.send(pa::profile::test_request());
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(issued == 2);  // tok-2 was kept: no third token request
  CHECK(header_of(f.transport.requests().back()) == "Bearer tok-2");
}

#if defined(__cpp_exceptions)
TEST_CASE("m2m_client: a transport that throws does not leave the flight open") {
  fixture<> f;
  f.transport.on_send([](const pa::http_request&) -> pa::result<pa::http_response> {
    throw 42;  // a transport breaking its contract
  });
  bool thrown = false;
  try {
    (void)f.client.authorization_header();
  } catch (int) {
    thrown = true;
  }
  CHECK(thrown);
  auto h = f.client.authorization_header();  // no hang: the flight was closed as failed
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == pa::errc::transport_failed);
  CHECK(f.client.stats().failures == 1);
}
#endif

TEST_CASE("m2m_client: the transport by value (CTAD), through a pointer, or std::ref") {
  struct pinned_transport {
    pinned_transport() = default;
    pinned_transport(const pinned_transport&) = delete;
    int calls = 0;
    pa::result<pa::http_response> send(const pa::http_request&) {
      ++calls;
      pa::http_response r;
      r.status = 200;
      r.headers.add("Content-Type", "application/json");
      r.body = token_json("tok-" + std::to_string(calls));
      return r;
    }
  };
  pt::fake_transport t;
  pa::m2m_client by_value{t, profile_config()};
  static_assert(std::is_same_v<decltype(by_value), pa::m2m_client<pt::fake_transport>>);
  static_assert(std::is_same_v<decltype(by_value)::clock_type, std::chrono::steady_clock>);
  static_assert(std::is_same_v<decltype(by_value)::lock_policy, pa::thread_safe>);
  t.respond(200, token_json("tok-v"));
  CHECK(by_value.authorization_header().value() == "Bearer tok-v");

  pinned_transport pinned;
  pa::m2m_client by_ref{std::ref(pinned), profile_config()};
  static_assert(
      std::is_same_v<decltype(by_ref), pa::m2m_client<std::reference_wrapper<pinned_transport>>>);
  CHECK(by_ref.authorization_header().value() == "Bearer tok-1");
  CHECK(&by_ref.transport() == &pinned);

  pa::m2m_client by_ptr{&pinned, profile_config(), pt::manual_clock{}};
  static_assert(
      std::is_same_v<decltype(by_ptr), pa::m2m_client<pinned_transport*, pt::manual_clock>>);
  CHECK(by_ptr.authorization_header().value() == "Bearer tok-2");
  CHECK(pinned.calls == 2);
}

TEST_CASE("m2m_client<single_threaded>: the same client without atomics or mutexes") {
  using st = pa::single_threaded;
  static_assert(!st::is_thread_safe);
  static_assert(std::is_same_v<st::mutex, pa::detail::null_mutex>);
  static_assert(std::is_same_v<st::atomic<const pa::detail::token_snapshot*>,
                               pa::detail::plain_atomic<const pa::detail::token_snapshot*>>);
  static_assert(std::is_same_v<client_t<st>::lock_policy, st>);

  fixture<st> f;
  f.transport.respond(200, token_json("tok-1"))
      .respond(200, token_json("tok-2"))
      .respond(401, "", challenge("Bearer error=\"invalid_token\""))
      .respond(200, token_json("tok-3"))
      .respond(200, "{}")
      .respond(500, R"({"error":"server_error"})");
  CHECK(f.client.authorization_header().value() == "Bearer tok-1");
  CHECK(f.client.authorization_header_view().value() == "Bearer tok-1");
  f.clock.advance(3300s);
  CHECK(f.client.authorization_header().value() == "Bearer tok-2");  // refreshed ahead
  auto r = f.client.send(pa::profile::test_request());
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(header_of(f.transport.request(4)) == "Bearer tok-3");
  f.clock.advance(3300s);  // refresh ahead fails: tok-3 is still served
  CHECK(f.client.authorization_header().value() == "Bearer tok-3");
  CHECK(f.transport.calls() == 6);
  f.clock.advance(300s);
  f.transport.respond(200, token_json("tok-4"));
  CHECK(f.client.authorization_header().value() == "Bearer tok-4");
  CHECK(f.client.stats().failures == 1);
}

TEST_CASE("m2m_client: no error message contains the secret or a token") {
  std::vector<std::string> messages;
  const auto collect = [&](const auto& r) {
    if (!r.has_value()) messages.push_back(r.error().message + r.error().description);
  };
  {  // bad configurations
    fixture<> f(
        pa::profile::m2m_config("my-client", pa::secret(std::string(client_secret) + "\n")));
    collect(f.client.authorization_header());
    fixture<> g(pa::profile::m2m_config("my\r\nclient", pa::secret(client_secret)));
    collect(g.client.authorization_header());
  }
  const std::string answers[] = {
      R"({"error":"invalid_client"})",
      R"({"access_token":"tok-SECRET-1","token_type":"mac","expires_in":60})",
      R"({"access_token":"tok SECRET-2","token_type":"Bearer"})",
      R"({"access_token":"tok-SECRET-3","token_type":"Bearer",)",
      "<html>tok-SECRET-4</html>",
  };
  for (const auto& body : answers) {
    fixture<> f;
    f.transport.respond(
        body.front() == '{' && body.find("invalid_client") != std::string::npos ? 401 : 200, body);
    collect(f.client.authorization_header());
  }
  {  // a buffer too small
    fixture<> f;
    f.transport.respond(200, token_json("tok-SECRET-5"));
    char tiny[4];
    collect(f.client.write_authorization_header(tiny));
  }
  REQUIRE(messages.size() == 8);
  for (const auto& m : messages) {
    CAPTURE(m);
    CHECK_FALSE(m.empty());
    CHECK(m.find(client_secret) == std::string::npos);
    CHECK(m.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("m2m_client against the fake Profile API: token, call, revocation, retry") {
  pt::manual_clock clock{pa::time_point(1000s)};
  pt::fake_profile_api api(clock);
  pa::m2m_client client{api, pa::profile::m2m_config("test-client", pa::secret("test-secret")),
                        clock};
  auto r = client.send(pa::profile::test_request());
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(client.send(pa::profile::test_request()).value().status == 200);
  CHECK(api.token_requests() == 1);
  api.revoke_all_tokens();  // the server forgets the token: 401 invalid_token, refresh, retry
  CHECK(client.send(pa::profile::test_request()).value().status == 200);
  CHECK(api.token_requests() == 2);
  clock.advance(3570s);
  CHECK(client.send(pa::profile::test_request()).value().status == 200);
  CHECK(api.token_requests() == 3);
  CHECK(client.stats().token_requests == 3);
}

TEST_CASE("detail::rejects_access_token reads WWW-Authenticate minimally and robustly") {
  struct row {
    int status;
    std::vector<const char*> values;
    bool retry;
  };
  const row rows[] = {
      {401, {}, true},
      {401, {""}, true},
      {401, {"Bearer"}, true},
      {401, {"Bearer realm=\"example\""}, true},
      {401, {"Bearer error=\"invalid_token\""}, true},
      {401, {"bearer ERROR=INVALID_TOKEN"}, true},
      {401, {"Bearer realm=\"a, b\", error=\"invalid_token\", error_description=\"x=y\""}, true},
      {401, {"Bearer error=\"insufficient_scope\", scope=\"admin\""}, false},
      {401, {"Bearer error=\"invalid_request\""}, false},
      {401, {"Bearer error=\"invalid_token\\\"x\""}, false},
      {401, {"Basic realm=\"x\""}, false},
      {401, {"DPoP error=\"invalid_token\", algs=\"ES256\""}, false},
      {401, {"Basic realm=\"x\", Bearer error=\"invalid_token\""}, true},
      {401, {"Basic realm=\"x\"", "Bearer error=\"invalid_token\""}, true},
      {401, {"Negotiate abc==, Bearer"}, true},
      {401, {"Negotiate YIIabc"}, false},
      {401, {"Negotiate Bearer"}, false},  // "Bearer" is Negotiate's token68 here
      {401, {"Bearer error=\"insufficient_scope\", Bearer error=\"invalid_token\""}, true},
      {403, {"Bearer error=\"invalid_token\""}, false},
      {200, {}, false},
  };
  for (const row& r : rows) {
    pa::http_response resp;
    resp.status = r.status;
    std::string shown;
    for (const char* v : r.values) {
      resp.headers.add("WWW-Authenticate", v);
      shown += std::string("[") + v + "]";
    }
    CAPTURE(shown);
    CAPTURE(r.status);
    CHECK(pa::detail::rejects_access_token(resp) == r.retry);
  }
}
