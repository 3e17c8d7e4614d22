// SPDX-License-Identifier: MIT
// Tests for sessions that share one store (issue 13, items 1 and 3): before a refresh a session
// re-reads the store and adopts what another session rotated, so only the holder of the current
// refresh token ever presents it (against a server with reuse detection); the store's refresh
// lease keeps concurrent sessions from refreshing the same token; a login whose access token
// cannot go into a header saves nothing; a stored unusable access token is refreshed.
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/user_session.hpp>

#include <doctest/doctest.h>

#include "../support/rotating_grant.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

/// A token endpoint whose one grant rotates refresh tokens and revokes itself on reuse.
class rotating_server : public test_support::rotating_grant {
 public:
  using rotating_grant::rotating_grant;
  pa::result<pa::http_response> send(const pa::http_request& r) {
    answer a = refresh(r.body);
    pa::http_response resp;
    resp.status = a.status;
    resp.headers.add("Content-Type", "application/json");
    resp.body = std::move(a.body);
    return resp;
  }
};

pa::user_auth_config config() {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://auth.example/authorize";
  c.token_endpoint = "https://auth.example/token";
  c.client_id = "app";
  c.redirect_uri = "http://127.0.0.1:8765/cb";
  return c;
}

pa::stored_session first_session(std::string_view access, std::chrono::seconds left) {
  pa::stored_session s;
  s.refresh_token = pa::secret("rt-0");
  s.access_token = pa::secret(access);
  s.access_expires_at = std::chrono::system_clock::now() + left;
  return s;
}

using shared_session = pa::user_session<rotating_server*, pa::memory_store*, pt::manual_clock,
                                        pa::thread_safe, pt::fixed_random>;

std::string stored_refresh(const pa::memory_store& store) {
  auto s = store.load();
  REQUIRE(s.has_value());
  REQUIRE(s->has_value());
  return std::string((*s)->refresh_token.reveal());
}

}  // namespace

TEST_CASE("session sharing: 1000 interleaved refreshes by two sessions, no reuse, both alive") {
  // Tokens shorter than the 30 s expiry skew: an adopted access token is never reusable, so
  // every flight of either session is a real refresh, alternating between them.
  rotating_server server(20);
  pa::memory_store store(first_session("at-0", -1s));
  pt::manual_clock clock{pa::time_point(1000s)};
  shared_session a(&server, config(), &store, clock, {}, pt::fixed_random(1));
  shared_session b(&server, config(), &store, clock, {}, pt::fixed_random(2));
  for (int i = 0; i < 1000; ++i) {
    shared_session& s = (i % 2 == 0) ? a : b;
    s.invalidate();
    auto h = s.authorization_header();
    REQUIRE_MESSAGE(h.has_value(), "refresh ", i, ": ", h.error().message);
    CHECK(*h == "Bearer at-" + std::to_string(i + 1));
  }
  CHECK(server.reuse_events() == 0);
  CHECK_FALSE(server.revoked());
  CHECK(server.issued() == 1000);
  CHECK(server.requests() == 1000);
  CHECK(stored_refresh(store) == "rt-1000");
  // Both are alive: each refreshes once more with the current token.
  for (shared_session* s : {&a, &b}) {
    s->invalidate();
    CHECK(s->authorization_header().has_value());
  }
  CHECK(server.reuse_events() == 0);
}

TEST_CASE("session sharing: a session adopts the other's rotation and its still-valid token") {
  rotating_server server(3600);
  pa::memory_store store(first_session("at-0", -1s));
  pt::manual_clock clock{pa::time_point(1000s)};
  shared_session a(&server, config(), &store, clock, {}, pt::fixed_random(1));
  shared_session b(&server, config(), &store, clock, {}, pt::fixed_random(2));
  REQUIRE(b.authorization_header().value() == "Bearer at-1");  // b refreshes rt-0 → rt-1
  CHECK(server.issued() == 1);
  // a restored rt-0 from the store before b rotated it? No: a restores lazily, now, and sees
  // rt-1 with a valid access token: no request.
  CHECK(a.authorization_header().value() == "Bearer at-1");
  CHECK(server.requests() == 1);
  // a is told its token is gone (say a 401): it re-reads the store first. The store still
  // holds rt-1 (its own now), so it refreshes with rt-1: the current token, no reuse.
  a.invalidate();
  CHECK(a.authorization_header().value() == "Bearer at-2");
  // b, holding rt-1 in memory, must not present it: it adopts rt-2 and at-2 from the store.
  b.invalidate();
  CHECK(b.authorization_header().value() == "Bearer at-2");
  CHECK(server.requests() == 2);
  CHECK(server.reuse_events() == 0);
  CHECK_FALSE(server.revoked());
}

TEST_CASE("session sharing: two sessions refreshing concurrently on threads never reuse") {
  // The memory_store's refresh lease serialises the re-read → refresh → compare-and-swap of
  // sessions sharing it; without it two flights could both present the same refresh token.
  rotating_server server(20);
  pa::memory_store store(first_session("at-0", -1s));
  pt::manual_clock clock{pa::time_point(1000s)};
  shared_session a(&server, config(), &store, clock, {}, pt::fixed_random(1));
  shared_session b(&server, config(), &store, clock, {}, pt::fixed_random(2));
  std::atomic<int> failures{0};
  auto run = [&failures](shared_session& s) {
    for (int i = 0; i < 300; ++i) {
      s.invalidate();
      if (!s.authorization_header()) failures.fetch_add(1);
    }
  };
  std::thread ta(run, std::ref(a));
  std::thread tb(run, std::ref(b));
  ta.join();
  tb.join();
  CHECK(failures.load() == 0);
  CHECK(server.reuse_events() == 0);
  CHECK_FALSE(server.revoked());
  CHECK(server.issued() == 600);
}

TEST_CASE("session sharing: the refresh lease of memory_store excludes a second holder") {
  pa::memory_store store;
  pa::memory_store same = store;  // a handle to the same session and lease
  auto lease = store.lock_refresh();
  REQUIRE(lease.has_value());
  CHECK(lease->held());
  std::atomic<bool> second{false};
  std::thread t([&] {
    auto other = same.lock_refresh();
    second.store(other.has_value() && other->held());
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(second.load());  // still waiting for the first lease
  lease->reset();
  t.join();
  CHECK(second.load());
}

TEST_CASE("session sharing: a login whose access token cannot go into a header saves nothing") {
  for (const std::string_view bad : {"has space", "cr\\rlf", "nl\\nx", "quote\\\"d"}) {
    CAPTURE(bad);
    pt::fake_transport transport;
    pt::manual_clock clock{pa::time_point(1000s)};
    pa::memory_store store;
    int hooks = 0;
    pa::user_session_options o;
    o.on_token_changed = [&hooks](const pa::stored_session&) { ++hooks; };
    pa::user_session<pt::fake_transport*, pa::memory_store*, pt::manual_clock> s(
        &transport, config(), &store, clock, o);
    transport.respond(200, R"({"access_token":")" + std::string(bad) +
                               R"(","token_type":"Bearer","expires_in":3600,)"
                               R"("refresh_token":"rt-good"})");
    auto pkce =
        pa::pkce_pair::from_verifier(pa::secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    REQUIRE(pkce.has_value());
    auto r = s.complete_login(pa::secret("the-code"), *pkce);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_header_value);
    CHECK(r.error().message.find("nothing was saved") != std::string::npos);
    CHECK(r.error().message.find("rt-good") == std::string::npos);
    CHECK_FALSE(store.load().value().has_value());
    CHECK(hooks == 0);
    // The session is still logged out (not stuck on a bad token).
    CHECK(s.authorization_header().error().code == pa::errc::not_authenticated);
  }
}

TEST_CASE("session sharing: sign_in() refuses an access token that cannot go into a header") {
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::memory_store store;
  pa::user_session<pt::fake_transport*, pa::memory_store*, pt::manual_clock> s(&transport, config(),
                                                                               &store, clock);
  pa::token t;
  t.access_token = pa::secret("bad token");
  t.refresh_token = pa::secret("rt");
  t.received_at = clock.now();
  t.expires_at = clock.now() + 1h;
  auto r = s.sign_in(t);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_header_value);
  CHECK_FALSE(store.load().value().has_value());
}

TEST_CASE("session sharing: a stored unusable access token is refreshed, not a sticky error") {
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::memory_store store(first_session("bad token\r\n", 1h));
  pa::user_session<pt::fake_transport*, pa::memory_store*, pt::manual_clock> s(&transport, config(),
                                                                               &store, clock);
  transport.respond(200, R"({"access_token":"at-new","token_type":"Bearer","expires_in":3600,)"
                         R"("refresh_token":"rt-new"})");
  auto h = s.authorization_header();
  REQUIRE_MESSAGE(h.has_value(), h.error().message);
  CHECK(*h == "Bearer at-new");
  CHECK(transport.calls() == 1);
  CHECK(stored_refresh(store) == "rt-new");
}

TEST_CASE("session sharing: a flight that ends without a request releases the refresh lease") {
  // b adopts a's rotation and its still-valid access token (no request): its lease must be
  // released then, or a's next refresh waits forever for it.
  rotating_server server(3600);
  pa::memory_store store(first_session("at-0", -1s));
  pt::manual_clock clock{pa::time_point(1000s)};
  shared_session a(&server, config(), &store, clock, {}, pt::fixed_random(1));
  shared_session b(&server, config(), &store, clock, {}, pt::fixed_random(2));
  REQUIRE(b.authorization_header().has_value());  // b refreshes rt-0 → rt-1
  a.invalidate();
  REQUIRE(a.authorization_header().has_value());  // a refreshes rt-1 → rt-2
  b.invalidate();
  REQUIRE(b.authorization_header().value() == "Bearer at-2");  // adopted, nothing sent
  CHECK(server.requests() == 2);
  // The lease is free: another holder gets it at once.
  std::atomic<bool> got{false};
  std::thread t([&] {
    pa::memory_store same = store;
    auto l = same.lock_refresh();
    got.store(l.has_value() && l->held());
  });
  for (int i = 0; i < 500 && !got.load(); ++i) std::this_thread::sleep_for(10ms);
  const bool free = got.load();
  if (!free) {  // unblock the waiter so the test ends (the lease is b's until its next flight)
    b.invalidate();
    (void)b.authorization_header();
  }
  t.join();
  CHECK(free);
  // And the same for a flight that ends in an error without a request (the store is empty).
  pa::memory_store empty;
  shared_session c(&server, config(), &empty, clock, {}, pt::fixed_random(3));
  CHECK(c.authorization_header().error().code == pa::errc::not_authenticated);
  auto l = empty.lock_refresh();  // would wait forever if c kept it
  CHECK(l.has_value());
}
