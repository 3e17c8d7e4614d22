// SPDX-License-Identifier: MIT
// Tests for user_session: restore, rotation with compare-and-swap, adoption, hooks, logout.
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/user_session.hpp>

#include <doctest/doctest.h>

#include "user_auth_secrets.hpp"

#include <atomic>
#include <chrono>
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

using session_t = pa::user_session<pt::fake_transport, pa::memory_store*, pt::manual_clock,
                                   pa::thread_safe, pt::fixed_random>;

struct fixture {
  explicit fixture(pa::user_session_options o = {})
      : session(transport, session_config(), &store, clock, std::move(o), pt::fixed_random(0)) {}
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::memory_store store;
  session_t session;
};

const std::string bearer = "Bearer ";

}  // namespace

TEST_CASE("user_session: CTAD and the concept checks") {
  pt::fake_transport transport;
  pa::memory_store store;
  pa::user_session session{transport, session_config(), store};  // a handle: shares the session
  static_assert(
      std::is_same_v<decltype(session), pa::user_session<pt::fake_transport, pa::memory_store>>);
  pa::user_session by_ref{transport, session_config(), std::ref(store), pt::manual_clock{}};
  static_assert(std::is_same_v<decltype(by_ref)::clock_type, pt::manual_clock>);
  CHECK(ua::error_of(session.authorization_header()) == pa::errc::not_authenticated);
  REQUIRE(store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  CHECK(by_ref.authorization_header().value() == bearer + std::string(ua::access_token));
}

TEST_CASE("user_session: nothing stored -> not_authenticated (sticky, nothing sent)") {
  fixture f;
  auto h = f.session.authorization_header();
  CHECK(ua::error_of(h) == pa::errc::not_authenticated);
  CHECK(h.error().message.find("log in") != std::string::npos);
  CHECK(ua::error_of(f.session.authorization_header()) == pa::errc::not_authenticated);
  CHECK(f.transport.calls() == 0);
}

TEST_CASE("user_session: a stored access token still valid is reused without a request") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  auto h = f.session.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == bearer + std::string(ua::access_token));
  CHECK(f.transport.calls() == 0);
  CHECK(f.session.stats().token_requests == 0);
}

TEST_CASE("user_session: an expired stored access token -> refresh, rotation saved by CAS") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  f.transport.respond(200, token_json("new-access", ua::refresh_token2));
  auto h = f.session.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == "Bearer new-access");
  REQUIRE(f.transport.calls() == 1);
  const pa::http_request r = f.transport.request(0);
  CHECK(r.url == "https://auth.example/token");
  CHECK(body_has(r, "grant_type=refresh_token"));
  CHECK(body_has(r, "refresh_token=" + std::string(ua::refresh_token)));
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
  auto s = f.store.load();
  CHECK((*s)->access_token.reveal() == "new-access");
  CHECK((*s)->scope == "profile");  // kept: the answer had none
  REQUIRE((*s)->access_expires_at.has_value());
  const auto left = *(*s)->access_expires_at - std::chrono::system_clock::now();
  CHECK(left > 3500s);
  CHECK(left <= 3600s);
}

TEST_CASE("user_session: a refresh without a new refresh token keeps the old one") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  f.transport.respond(200, token_json("new-access"));
  REQUIRE(f.session.authorization_header().has_value());
  CHECK(stored_refresh(f.store) == ua::refresh_token);
  // The next refresh (after expiry) still uses it.
  f.clock.advance(3600s);
  f.transport.respond(200, token_json("newer-access"));
  CHECK(f.session.authorization_header().value() == "Bearer newer-access");
  REQUIRE(f.transport.calls() == 2);
  CHECK(body_has(f.transport.request(1), "refresh_token=" + std::string(ua::refresh_token)));
}

TEST_CASE("user_session: invalid_grant first re-reads the store and adopts a rotated session") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  SUBCASE("the adopted session's access token is valid: used without another request") {
    f.transport.on_send([&](const pa::http_request&) -> pa::result<pa::http_response> {
      REQUIRE(f.store.save(stored(ua::refresh_token2, "other-access", 1h)));  // other process
      pa::http_response r;
      r.status = 400;
      r.body = invalid_grant;
      return r;
    });
    CHECK(f.session.authorization_header().value() == "Bearer other-access");
    CHECK(f.transport.calls() == 1);
    CHECK(stored_refresh(f.store) == ua::refresh_token2);
  }
  SUBCASE("expired: one refresh with the adopted refresh token, rotated again by CAS") {
    f.transport.on_send([&](const pa::http_request& req) -> pa::result<pa::http_response> {
      pa::http_response r;
      if (body_has(req, "refresh_token=" + std::string(ua::refresh_token))) {
        REQUIRE(f.store.save(stored(ua::refresh_token2, "other-access", -5s)));
        r.status = 400;
        r.body = invalid_grant;
      } else {
        r.status = 200;
        r.body = token_json("adopted-access", "R3FRESH-third");
      }
      return r;
    });
    CHECK(f.session.authorization_header().value() == "Bearer adopted-access");
    REQUIRE(f.transport.calls() == 2);
    CHECK(body_has(f.transport.request(1), "refresh_token=" + std::string(ua::refresh_token2)));
    CHECK(stored_refresh(f.store) == "R3FRESH-third");
  }
}

TEST_CASE("user_session: invalid_grant without rotation clears the store, sticky until login") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  f.transport.respond(400, invalid_grant);
  CHECK(ua::error_of(f.session.authorization_header()) == pa::errc::reauthentication_required);
  CHECK(stored_refresh(f.store) == "<none>");
  CHECK(ua::error_of(f.session.authorization_header()) == pa::errc::reauthentication_required);
  CHECK(f.transport.calls() == 1);  // sticky: nothing more sent

  // A new login ends it.
  auto pkce = pa::pkce_pair::from_verifier(pa::secret(ua::verifier));
  REQUIRE(pkce.has_value());
  f.transport.respond(200, token_json("login-access", ua::refresh_token2));
  REQUIRE(f.session.complete_login(pa::secret(ua::code), *pkce).has_value());
  const pa::http_request ex = f.transport.request(1);
  CHECK(body_has(ex, "grant_type=authorization_code"));
  CHECK(body_has(ex, "code_verifier=" + std::string(ua::verifier)));
  CHECK(f.session.authorization_header().value() == "Bearer login-access");
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("user_session: a CAS conflict adopts what another process stored") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  SUBCASE("its access token is valid") {
    f.transport.on_send([&](const pa::http_request&) -> pa::result<pa::http_response> {
      REQUIRE(f.store.save(stored(ua::refresh_token2, "other-access", 1h)));
      pa::http_response r;
      r.status = 200;
      r.body = token_json("mine-access", "R3FRESH-mine");
      return r;
    });
    CHECK(f.session.authorization_header().value() == "Bearer other-access");
    CHECK(stored_refresh(f.store) == ua::refresh_token2);  // not overwritten
    CHECK(f.transport.calls() == 1);
  }
  SUBCASE("its access token expired: refreshed once with its refresh token") {
    int n = 0;
    f.transport.on_send([&](const pa::http_request&) -> pa::result<pa::http_response> {
      if (n++ == 0) REQUIRE(f.store.save(stored(ua::refresh_token2, "other-access", -1s)));
      pa::http_response r;
      r.status = 200;
      r.body = n == 1 ? token_json("mine-access", "R3FRESH-mine")
                      : token_json("adopted-access", "R3FRESH-third");
      return r;
    });
    CHECK(f.session.authorization_header().value() == "Bearer adopted-access");
    REQUIRE(f.transport.calls() == 2);
    CHECK(body_has(f.transport.request(1), "refresh_token=" + std::string(ua::refresh_token2)));
    CHECK(stored_refresh(f.store) == "R3FRESH-third");
  }
}

TEST_CASE("user_session: the hook runs once per change, outside every lock") {
  std::vector<std::string> seen;
  session_t* self = nullptr;
  pa::user_session_options o;
  o.on_token_changed = [&](const pa::stored_session& s) {
    seen.emplace_back(s.access_token.reveal());
    // Re-entering the session from the hook must neither deadlock nor recurse.
    auto h = self->authorization_header();
    REQUIRE(h.has_value());
    CHECK(*h == bearer + std::string(s.access_token.reveal()));
  };
  fixture f(std::move(o));
  self = &f.session;
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  f.transport.respond(200, token_json("first", ua::refresh_token2));
  REQUIRE(f.session.authorization_header().has_value());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == "first");
  CHECK(f.session.authorization_header().value() == "Bearer first");  // no change, no call
  CHECK(seen.size() == 1);

  f.clock.advance(3600s);
  f.transport.respond(200, token_json("second"));
  REQUIRE(f.session.authorization_header().has_value());
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] == "second");

  pa::token t;
  t.access_token = pa::secret("signed-in");
  t.received_at = pa::to_time_point(f.clock.now());
  t.expires_at = t.received_at + 600s;
  REQUIRE(f.session.sign_in(std::move(t)).has_value());
  REQUIRE(seen.size() == 3);
  CHECK(seen[2] == "signed-in");
}

TEST_CASE("user_session: logout revokes refresh then access, and clears even on failure") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  REQUIRE(f.session.authorization_header().has_value());
  SUBCASE("both revocations fail") {
    f.transport.fail_next(pa::error(pa::errc::transport_failed, "connection refused"));
    f.transport.fail_next(pa::error(pa::errc::transport_failed, "connection refused"));
    CHECK(ua::error_of(f.session.logout()) == pa::errc::transport_failed);
  }
  SUBCASE("the access token revocation fails") {
    f.transport.respond(200, "");
    f.transport.respond(503, "down");
    CHECK(ua::error_of(f.session.logout()) == pa::errc::http_error);
  }
  SUBCASE("success; unsupported_token_type for the access token counts as done") {
    f.transport.respond(200, "");
    f.transport.respond(400, R"({"error":"unsupported_token_type"})");
    CHECK(f.session.logout().has_value());
  }
  REQUIRE(f.transport.calls() == 2);
  const pa::http_request first = f.transport.request(0), second = f.transport.request(1);
  CHECK(first.url == "https://auth.example/revoke");
  CHECK(body_has(first, "token=" + std::string(ua::refresh_token)));
  CHECK(body_has(first, "token_type_hint=refresh_token"));
  CHECK(body_has(second, "token=" + std::string(ua::access_token)));
  CHECK(body_has(second, "token_type_hint=access_token"));
  CHECK(stored_refresh(f.store) == "<none>");
  CHECK(ua::error_of(f.session.authorization_header()) == pa::errc::not_authenticated);
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("user_session: a failed login changes nothing; errors name no secret") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  auto pkce = pa::pkce_pair::from_verifier(pa::secret(ua::verifier));
  REQUIRE(pkce.has_value());
  f.transport.respond(400, R"({"error":"invalid_grant","error_description":"code used"})");
  CHECK(ua::error_of(f.session.complete_login(pa::secret(ua::code), *pkce)) ==
        pa::errc::invalid_grant);
  CHECK(f.session.authorization_header().value() == bearer + std::string(ua::access_token));
  CHECK(stored_refresh(f.store) == ua::refresh_token);
  pa::token expired;
  expired.access_token = pa::secret(ua::access_token);
  CHECK(ua::error_of(f.session.sign_in(expired)) == pa::errc::invalid_argument);
}

TEST_CASE("user_session: 401 invalid_token -> one refresh and a retry") {
  fixture f;
  REQUIRE(f.store.save(stored(ua::refresh_token, ua::access_token, 1h)));
  pa::header_list h;
  h.add("WWW-Authenticate", R"(Bearer error="invalid_token")");
  f.transport.respond(401, "", h);
  f.transport.respond(200, token_json("fresh-access", ua::refresh_token2));
  f.transport.respond(200, R"({"ok":true})");
  pa::http_request req;
  req.method = "GET";
  req.url = "https://api.example/v3/my-account";
  auto r = f.session.send(req);
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  REQUIRE(f.transport.calls() == 3);
  CHECK(f.transport.request(2).headers.find("Authorization").value() == "Bearer fresh-access");
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
}

#if !PROFILE_AUTH_NO_THREADS
TEST_CASE("user_session: 8 threads on an expired session cause one refresh") {
  std::atomic<int> hooks{0};
  pa::user_session_options o;
  o.on_token_changed = [&](const pa::stored_session&) { hooks.fetch_add(1); };
  fixture f(std::move(o));
  REQUIRE(f.store.save(stored(ua::refresh_token, "old-access", -10s)));
  f.transport.respond(200, token_json("shared-access", ua::refresh_token2));
  f.transport.hold();
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto h = f.session.authorization_header();
      got[static_cast<std::size_t>(i)] = h ? *h : h.error().message;
    });
  REQUIRE(f.transport.wait_until_held(1));
  f.transport.release();
  for (auto& t : threads) t.join();
  CHECK(f.transport.calls() == 1);
  for (const auto& g : got) CHECK(g == "Bearer shared-access");
  CHECK(hooks.load() == 1);
  CHECK(stored_refresh(f.store) == ua::refresh_token2);
}
#endif

TEST_CASE("user_session: single_threaded policy (a game loop)") {
  pt::fake_transport transport;
  pa::memory_store store(stored(ua::refresh_token, "old-access", -10s));
  pa::user_session<pt::fake_transport, pa::memory_store, pt::manual_clock, pa::single_threaded,
                   pt::fixed_random>
      session(transport, session_config(), store, pt::manual_clock{pa::time_point(50s)}, {},
              pt::fixed_random(0));
  int hooks = 0;
  session.on_token_changed([&](const pa::stored_session& s) {
    ++hooks;
    CHECK(s.refresh_token.reveal() == ua::refresh_token2);
  });
  transport.respond(200, token_json("st-access", ua::refresh_token2));
  CHECK(session.authorization_header().value() == "Bearer st-access");
  CHECK(session.authorization_header().value() == "Bearer st-access");
  CHECK(hooks == 1);
  CHECK(transport.calls() == 1);
  CHECK(stored_refresh(store) == ua::refresh_token2);
}
