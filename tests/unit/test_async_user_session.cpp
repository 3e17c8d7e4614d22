// SPDX-License-Identifier: MIT
// Tests for async_user_session on fake_async_transport: restore, single-flight refresh with
// rotation saved by compare-and-swap, adoption (its follow-up request), invalid_grant, login,
// sign-in and logout waiting for a running refresh, the 401 retry, hooks, threads.
#include <profile/auth/async_user_session.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_async_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include "user_auth_secrets.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
namespace ua = user_auth_test;
using namespace std::chrono_literals;

namespace {

pa::user_auth_config session_config() {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://auth.example/authorize";
  c.token_endpoint = "https://auth.example/token";
  c.revocation_endpoint = "https://auth.example/revoke";
  c.client_id = "app";
  c.redirect_uri = "http://127.0.0.1:8765/cb";
  c.api_origins = {"https://api.example"};  // where send() may take the token
  return c;
}

std::string token_json(std::string_view access, std::string_view refresh = {},
                       int expires_in = 3600) {
  std::string s = R"({"access_token":")" + std::string(access) +
                  R"(","token_type":"Bearer","expires_in":)" + std::to_string(expires_in);
  if (!refresh.empty()) s += R"(,"refresh_token":")" + std::string(refresh) + "\"";
  return s + "}";
}

const std::string invalid_grant = R"({"error":"invalid_grant","error_description":"expired"})";

pa::stored_session stored(std::string_view refresh, std::string_view access,
                          std::chrono::seconds left) {
  pa::stored_session s;
  s.refresh_token = pa::secret(refresh);
  s.access_token = pa::secret(access);
  s.access_expires_at = std::chrono::system_clock::now() + left;
  s.scope = "profile";
  return s;
}

std::string stored_refresh(pa::memory_store& store) {
  auto s = store.load();
  REQUIRE(s.has_value());
  if (!*s) return "<none>";
  return std::string((*s)->refresh_token.reveal());
}

bool body_has(const pa::http_request& r, std::string_view part) {
  return r.body.find(part) != std::string::npos;
}

template <class P = pa::thread_safe>
using session_t = pa::async_user_session<pt::fake_async_transport*, pa::memory_store*,
                                         pt::manual_clock, P, pt::fixed_random>;

template <class P = pa::thread_safe>
struct fixture {
  explicit fixture(pa::user_session_options o = {})
      : session(&transport, session_config(), &store, clock, std::move(o), pt::fixed_random(0)) {}
  pt::fake_async_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::memory_store store;
  session_t<P> session;
};

std::string describe(const pa::result<std::string>& h) {
  return h ? *h : "error " + std::string(pa::to_string(h.error().code));
}

struct header_log {
  std::vector<std::string> got;
  auto callback() {
    return [this](pa::result<std::string> h) {
      if (!h) ua::scan(h.error());
      got.push_back(describe(h));
    };
  }
};

/// Records a result<void> callback's outcome: "ok", "error <code>", or "" while not called.
struct void_log {
  std::vector<std::string> got;
  auto callback() {
    return [this](pa::result<void> r) {
      if (!r) ua::scan(r.error());
      got.push_back(r ? "ok" : "error " + std::string(pa::to_string(r.error().code)));
    };
  }
};

const std::string bearer = "Bearer ";

}  // namespace

TEST_CASE("async_user_session: CTAD; nothing stored -> not_authenticated at once, nothing sent") {
  pt::fake_async_transport transport;
  pa::memory_store store;
  pa::async_user_session session{transport, session_config(), &store};
  static_assert(
      std::is_same_v<decltype(session),
                     pa::async_user_session<pt::fake_async_transport, pa::memory_store*>>);
  header_log log;
  session.authorization_header(log.callback());
  session.authorization_header(log.callback());
  const std::vector<std::string> expected(2, "error not_authenticated");
  CHECK(log.got == expected);
  CHECK(transport.calls() == 0);
}

TEST_CASE("async_user_session: a stored access token still valid is used at once") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  header_log log;
  f.session.authorization_header(log.callback());
  REQUIRE(log.got.size() == 1);
  CHECK(log.got[0] == bearer + std::string(ua::access_token));
  f.session.access_token(
      [&](pa::result<pa::secret> t) { CHECK(t.value().reveal() == ua::access_token); });
  CHECK(f.transport.calls() == 0);
}

TEST_CASE(
    "async_user_session: expired -> one refresh for every caller, rotation saved, hook once") {
  std::vector<std::string> hooks;
  pa::user_session_options o;
  o.on_token_changed = [&](const pa::stored_session& s) {
    hooks.emplace_back(s.access_token.reveal());
  };
  fixture<> f(std::move(o));
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  header_log log;
  for (int i = 0; i < 6; ++i) f.session.authorization_header(log.callback());
  CHECK(log.got.empty());
  REQUIRE(f.transport.calls() == 1);
  const pa::http_request r = f.transport.request(0);
  CHECK(r.url == "https://auth.example/token");
  CHECK(body_has(r, "grant_type=refresh_token"));
  CHECK(body_has(r, "refresh_token=" + std::string(ua::refresh_token)));

  // The hook runs before the callbacks waiting for the new token.
  f.session.on_token_changed([&](const pa::stored_session& s) {
    CHECK(log.got.empty());
    hooks.emplace_back(s.access_token.reveal());
  });
  REQUIRE(f.transport.respond(0, 200, token_json("new-access", ua::refresh_token2)));
  REQUIRE(log.got.size() == 6);
  for (const auto& g : log.got) CHECK(g == "Bearer new-access");
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
  const std::vector<std::string> expected_hooks{"new-access"};
  CHECK(hooks == expected_hooks);
  CHECK(f.session.stats().token_requests == 1);
}

TEST_CASE("async_user_session: a CAS conflict adopts the stored session with a follow-up request") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  header_log log;
  f.session.authorization_header(log.callback());
  f.session.authorization_header(log.callback());
  REQUIRE(f.transport.calls() == 1);
  // Another process rotated the session (its access token already expired) meanwhile.
  REQUIRE(f.store.save(stored(ua::refresh_token2, "other-access", -1s)));
  REQUIRE(f.transport.respond(0, 200, token_json("mine-access", "R3FRESH-mine")));
  CHECK(log.got.empty());  // the flight goes on: one refresh with the adopted refresh token
  REQUIRE(f.transport.calls() == 2);
  CHECK(body_has(f.transport.request(1), "refresh_token=" + std::string(ua::refresh_token2)));
  REQUIRE(f.transport.respond(1, 200, token_json("adopted-access", "R3FRESH-third")));
  const std::vector<std::string> expected(2, "Bearer adopted-access");
  CHECK(log.got == expected);
  CHECK(stored_refresh(f.store) == "R3FRESH-third");
}

TEST_CASE("async_user_session: invalid_grant clears the store and is sticky until a login") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  header_log log;
  f.session.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 400, invalid_grant));
  REQUIRE(log.got.size() == 1);
  CHECK(log.got[0] == "error reauthentication_required");
  CHECK(stored_refresh(f.store) == "<none>");
  f.session.authorization_header(log.callback());
  CHECK(log.got.back() == "error reauthentication_required");
  CHECK(f.transport.calls() == 1);

  auto pkce = pa::pkce_pair::from_verifier(pa::secret(ua::verifier));
  REQUIRE(pkce.has_value());
  void_log login;
  f.session.complete_login(pa::secret(ua::code), *pkce, login.callback());
  CHECK(login.got.empty());
  REQUIRE(f.transport.calls() == 2);
  const pa::http_request ex = f.transport.request(1);
  CHECK(body_has(ex, "grant_type=authorization_code"));
  CHECK(body_has(ex, "code_verifier=" + std::string(ua::verifier)));
  REQUIRE(f.transport.respond(1, 200, token_json("login-access", ua::refresh_token2)));
  REQUIRE(login.got.size() == 1);
  CHECK(login.got[0] == "ok");
  f.session.authorization_header(log.callback());
  CHECK(log.got.back() == "Bearer login-access");
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
}

TEST_CASE("async_user_session: a failed code exchange changes nothing") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  auto pkce = pa::pkce_pair::from_verifier(pa::secret(ua::verifier));
  REQUIRE(pkce.has_value());
  void_log login;
  f.session.complete_login(pa::secret(ua::code), *pkce, login.callback());
  REQUIRE(f.transport.respond(0, 400, R"({"error":"invalid_grant"})"));
  REQUIRE(login.got.size() == 1);
  CHECK(login.got[0] == "error invalid_grant");
  header_log log;
  f.session.authorization_header(log.callback());
  CHECK(log.got.back() == bearer + std::string(ua::access_token));
  CHECK(stored_refresh(f.store) == ua::refresh_token);
}

TEST_CASE("async_user_session: a login or sign-in during a refresh waits for it, then wins") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  header_log log;
  f.session.authorization_header(log.callback());  // refresh flight 0 is out
  REQUIRE(f.transport.calls() == 1);

  pa::token t;
  t.access_token = pa::secret("signed-in");
  t.refresh_token = pa::secret("R3FRESH-device");
  t.received_at = pa::to_time_point(f.clock.now());
  t.expires_at = t.received_at + 600s;
  void_log sign;
  f.session.sign_in(t, sign.callback());
  CHECK(sign.got.empty());  // queued behind the refresh
  f.session.authorization_header(log.callback());
  CHECK(log.got.empty());

  REQUIRE(f.transport.respond(0, 200, token_json("refreshed", ua::refresh_token2)));
  REQUIRE(sign.got.size() == 1);
  CHECK(sign.got[0] == "ok");
  // Both header callers were queued behind the refresh and got its token.
  const std::vector<std::string> expected(2, "Bearer refreshed");
  CHECK(log.got == expected);
  f.session.authorization_header(log.callback());
  CHECK(log.got.back() == "Bearer signed-in");
  CHECK(stored_refresh(f.store) == "R3FRESH-device");

  pa::token expired;
  expired.access_token = pa::secret(ua::access_token);
  f.session.sign_in(expired, sign.callback());
  CHECK(sign.got.back() == "error invalid_argument");
}

TEST_CASE("async_user_session: logout revokes refresh then access, callers meanwhile are queued") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  header_log log;
  f.session.authorization_header(log.callback());
  REQUIRE(log.got.size() == 1);
  void_log out;
  f.session.logout(out.callback());
  REQUIRE(f.transport.calls() == 1);  // one revocation at a time
  CHECK(body_has(f.transport.request(0), "token=" + std::string(ua::refresh_token)));
  CHECK(body_has(f.transport.request(0), "token_type_hint=refresh_token"));
  f.session.authorization_header(log.callback());  // queued behind the logout
  CHECK(log.got.size() == 1);
  SUBCASE("both revocations succeed") {
    REQUIRE(f.transport.respond(0, 200, ""));
    REQUIRE(f.transport.calls() == 2);
    CHECK(body_has(f.transport.request(1), "token=" + std::string(ua::access_token)));
    CHECK(body_has(f.transport.request(1), "token_type_hint=access_token"));
    REQUIRE(f.transport.respond(1, 400, R"({"error":"unsupported_token_type"})"));
    REQUIRE(out.got.size() == 1);
    CHECK(out.got[0] == "ok");
  }
  SUBCASE("the first fails: the second is still sent, the first error reported") {
    REQUIRE(f.transport.fail(0, pa::error(pa::errc::transport_failed, "connection refused")));
    REQUIRE(f.transport.respond(1, 503, "down"));
    REQUIRE(out.got.size() == 1);
    CHECK(out.got[0] == "error transport_failed");
  }
  REQUIRE(log.got.size() == 2);
  CHECK(log.got[1] == "error not_authenticated");
  CHECK(stored_refresh(f.store) == "<none>");
  f.session.authorization_header(log.callback());
  CHECK(log.got.back() == "error not_authenticated");
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("async_user_session: 401 invalid_token -> one refresh and a retry") {
  fixture<> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  pa::http_request req;
  req.method = "GET";
  req.url = "https://api.example/v3/my-account";
  std::vector<int> statuses;
  f.session.send(req,
                 [&](pa::result<pa::http_response> r) { statuses.push_back(r.value().status); });
  REQUIRE(f.transport.calls() == 1);
  CHECK(f.transport.request(0).headers.find("Authorization").value() ==
        bearer + std::string(ua::access_token));
  pa::header_list h;
  h.add("WWW-Authenticate", R"(Bearer error="invalid_token")");
  REQUIRE(f.transport.respond(0, 401, "", h));
  REQUIRE(f.transport.calls() == 2);
  CHECK(body_has(f.transport.request(1), "grant_type=refresh_token"));
  REQUIRE(f.transport.respond(1, 200, token_json("fresh-access", ua::refresh_token2)));
  REQUIRE(f.transport.calls() == 3);
  CHECK(f.transport.request(2).headers.find("Authorization").value() == "Bearer fresh-access");
  REQUIRE(f.transport.respond(2, 200, R"({"ok":true})"));
  const std::vector<int> expected{200};
  CHECK(statuses == expected);
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
}

TEST_CASE("async_user_session<single_threaded>: a game loop refreshing and rotating") {
  fixture<pa::single_threaded> f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  int hooks = 0;
  f.session.on_token_changed([&](const pa::stored_session& s) {
    ++hooks;
    CHECK(s.refresh_token.reveal() == ua::refresh_token2);
  });
  header_log log;
  for (int frame = 0; frame < 4; ++frame) {
    if (frame == 2)
      REQUIRE(f.transport.respond(0, 200, token_json("st-access", ua::refresh_token2)));
    f.session.authorization_header(log.callback());
  }
  const std::vector<std::string> expected(4, "Bearer st-access");
  CHECK(log.got == expected);
  CHECK(hooks == 1);
  CHECK(f.transport.calls() == 1);
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
}

#if !PROFILE_AUTH_NO_THREADS
TEST_CASE("async_user_session: threads on an expired session cause one refresh") {
  std::atomic<int> hooks{0};
  pa::user_session_options o;
  o.on_token_changed = [&](const pa::stored_session&) { hooks.fetch_add(1); };
  fixture<> f(std::move(o));
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  std::vector<std::string> got(8);
  std::atomic<int> calls{0};
  {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < got.size(); ++i)
      threads.emplace_back([&, i] {
        f.session.authorization_header([&, i](pa::result<std::string> h) {
          got[i] = describe(h);
          calls.fetch_add(1);
        });
      });
    std::thread network([&] {
      REQUIRE(f.transport.wait_until_pending(1));
      REQUIRE(f.transport.respond(0, 200, token_json("shared-access", ua::refresh_token2)));
    });
    for (auto& t : threads) t.join();
    network.join();
  }
  CHECK(calls.load() == 8);
  for (const auto& g : got) CHECK(g == "Bearer shared-access");
  CHECK(f.transport.calls() == 1);
  CHECK(hooks.load() == 1);
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
}
#endif
