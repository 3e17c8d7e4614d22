// SPDX-License-Identifier: MIT
// Tests for token_cache, the state layer: snapshot, refresh-ahead, backoff, stickiness, reclaim.
#include <profile/auth/token_cache.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

using cache_t = pa::token_cache<pa::thread_safe>;
using action = pa::cache_action;

constexpr std::uint64_t bits_min = 0;
constexpr std::uint64_t bits_mid = std::uint64_t{1} << 63;
constexpr std::uint64_t bits_max = ~std::uint64_t{0};

const pa::time_point t0{1000s};

std::int64_t ns(pa::time_point t) { return t.time_since_epoch().count(); }

pa::token make_token(std::string_view access, pa::time_point received, std::chrono::seconds life) {
  pa::token t;
  t.access_token = pa::secret(access);
  t.received_at = received;
  t.expires_at = received + life;
  t.expires_in = life;
  return t;
}

pa::result<pa::token> ok_token(std::string_view access, pa::time_point received,
                               std::chrono::seconds life = 3600s) {
  return make_token(access, received, life);
}

pa::result<pa::token> err(pa::errc code, int status = 0,
                          std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  pa::error e(code, "test failure " + std::string(pa::to_string(code)));
  e.http_status = status;
  e.retry_after = retry_after;
  return pa::fail(std::move(e));
}

/// Leads one flight at `now` and completes it with `outcome`; returns the leader's decision.
template <class Cache>
typename Cache::decision fly(Cache& c, pa::time_point now, pa::result<pa::token> outcome,
                             std::uint64_t bits = bits_min,
                             pa::failure_origin origin = pa::failure_origin::response) {
  auto d = c.acquire(now);
  REQUIRE(d.action == action::fetch);
  return c.complete(d.flight, std::move(outcome), now, bits, origin);
}

}  // namespace

TEST_CASE("token_cache: an empty cache has nothing to peek and makes the first caller fetch") {
  cache_t c;
  CHECK(c.peek(t0) == nullptr);
  auto d = c.acquire(t0);
  CHECK(d.action == action::fetch);
  CHECK(d.token == nullptr);
  CHECK_FALSE(d.flight.ahead);
  CHECK(d.flight.id == 1);
  auto done = c.complete(d.flight, ok_token("abc", t0), t0, bits_min);
  REQUIRE(done.action == action::use);
  CHECK(done.token->authorization() == "Bearer abc");
}

TEST_CASE("token_cache: the snapshot carries the header, the token, its instants and generation") {
  cache_t c;
  auto d = fly(c, t0, ok_token("tok.A-1", t0));
  const auto* s = c.peek(t0);
  REQUIRE(s != nullptr);
  CHECK(s == d.token);
  CHECK(s->authorization() == "Bearer tok.A-1");
  CHECK(s->access_token() == "tok.A-1");
  CHECK(s->generation() == 1);
  CHECK(s->expires_at_ns() == ns(t0 + 3600s));
  CHECK(s->usable_until_ns() == ns(t0 + 3570s));  // 30 s skew
  CHECK(s->refresh_at_ns() == ns(t0 + 3270s));    // 5 min ahead, zero jitter
  CHECK(c.peek(t0 + 3269s) == s);
  CHECK(c.peek(t0 + 3270s) == nullptr);  // due: the caller goes to acquire()
  CHECK(c.stats().token_requests == 1);
  CHECK(c.stats().tokens_issued == 1);
}

TEST_CASE("token_cache: the snapshot and its header bytes each fill whole 128-byte blocks") {
  // Readers on other cores must not share a 128-byte pair of cache lines with whatever the
  // allocator places next to the snapshot (the header copy a caller just freed, for one).
  cache_t c;
  const std::string token(300, 'x');  // a header of 307 bytes: three blocks, the last part-used
  fly(c, t0, ok_token(token, t0));
  const auto* s = c.peek(t0);
  REQUIRE(s != nullptr);
  const auto at = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p); };
  CHECK(at(s) % pa::detail::shared_block == 0);
  CHECK(sizeof(*s) % pa::detail::shared_block == 0);
  CHECK(at(s->authorization().data()) % pa::detail::shared_block == 0);
  CHECK(s->authorization() == "Bearer " + token);
  CHECK(s->access_token() == token);
}

TEST_CASE(
    "token_cache: the random bits draw a jitter in [0, max_jitter] that moves refresh earlier") {
  const std::pair<std::uint64_t, std::chrono::seconds> cases[] = {
      {bits_min, 3270s}, {bits_mid, 3255s}, {bits_max, 3240s}};
  for (const auto& [bits, expected] : cases) {
    cache_t c;
    fly(c, t0, ok_token("abc", t0), bits);
    CHECK(c.peek(t0)->refresh_at_ns() == ns(t0 + expected));
    CHECK(c.peek(t0)->usable_until_ns() == ns(t0 + 3570s));  // the jitter never moves expiry
  }
  pa::token_cache_options o;
  o.refresh.max_jitter = 0s;
  cache_t no_jitter(o);
  fly(no_jitter, t0, ok_token("abc", t0), bits_max);
  CHECK(no_jitter.peek(t0)->refresh_at_ns() == ns(t0 + 3270s));
}

TEST_CASE(
    "token_cache: in the refresh window one caller refreshes, everyone else keeps the token") {
  cache_t c;
  fly(c, t0, ok_token("old", t0));
  const auto* old = c.peek(t0);
  const pa::time_point due = t0 + 3300s;

  auto leader = c.acquire(due);
  REQUIRE(leader.action == action::fetch);
  CHECK(leader.flight.ahead);
  CHECK(leader.token == old);  // still valid: the leader could use it
  // While the refresh runs, readers stay on the lock-free path and others are not made to wait.
  CHECK(c.peek(due) == old);
  auto other = c.acquire(due);
  CHECK(other.action == action::use);
  CHECK(other.token == old);
  CHECK(c.stats().waits == 0);
  CHECK(c.stats().refreshes_ahead == 1);

  auto done = c.complete(leader.flight, ok_token("new", due), due, bits_min);
  REQUIRE(done.action == action::use);
  CHECK(done.token->authorization() == "Bearer new");
  CHECK(done.token->generation() == 2);
  CHECK(c.peek(due) == done.token);
}

TEST_CASE("token_cache: a failed refresh keeps the valid token until it expires, then the error") {
  cache_t c;
  fly(c, t0, ok_token("old", t0));
  const auto* old = c.peek(t0);
  const pa::time_point due = t0 + 3300s;

  auto done = fly(c, due, err(pa::errc::temporarily_unavailable, 503), bits_min);
  CHECK(done.action == action::use);  // the leader still gets the valid token
  CHECK(done.token == old);
  CHECK(c.stats().failures == 1);
  // Backing off (0.5 s for the first failure): readers keep the old token without a flight.
  CHECK(c.peek(due + 100ms) == old);
  CHECK(c.acquire(due + 100ms).action == action::use);
  // After the backoff, in the window, the next caller tries again (and fails again: 1 s).
  auto again = c.acquire(due + 500ms);
  REQUIRE(again.action == action::fetch);
  CHECK(again.flight.ahead);
  c.complete(again.flight, err(pa::errc::server_error, 500), due + 500ms, bits_min);
  // One more failed attempt just before the end (backoff 2 s) …
  auto last = c.acquire(t0 + 3569s);
  REQUIRE(last.action == action::fetch);
  c.complete(last.flight, err(pa::errc::transport_failed), t0 + 3569s, bits_min);
  // … the token is served until the very end of its usable life …
  CHECK(c.peek(t0 + 3570s - 1ns) == old);
  // … then, still inside the backoff, callers get the last error at once, without a flight.
  CHECK(c.peek(t0 + 3570s) == nullptr);
  auto after = c.acquire(t0 + 3570s);
  CHECK(after.action == action::fail);
  CHECK(after.failure.code == pa::errc::transport_failed);
  CHECK(c.stats().token_requests == 4);
}

TEST_CASE("token_cache: retryable failures back off 1 s doubling to 60 s, equal jitter") {
  SUBCASE("the delay arithmetic") {
    const pa::backoff_policy p;
    const std::chrono::milliseconds lowest[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s};
    const std::chrono::milliseconds highest[] = {1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s, 60s};
    for (std::uint32_t n = 1; n <= 9; ++n) {
      CHECK(pa::detail::backoff_delay(p, n, bits_min) == lowest[n - 1]);
      CHECK(pa::detail::backoff_delay(p, n, bits_max) == highest[n - 1]);
    }
    CHECK(pa::detail::backoff_delay(p, 1, bits_mid) == 750ms);
    CHECK(pa::detail::backoff_delay(p, 4'000'000'000u, bits_max) == 60s);  // no overflow
    pa::backoff_policy flat;
    flat.multiplier = 1;
    CHECK(pa::detail::backoff_delay(flat, 4'000'000'000u, bits_max) == 1s);
  }
  SUBCASE("the cache follows the schedule: error at once during backoff, a flight after it") {
    cache_t c;
    const std::chrono::milliseconds expected[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s};
    pa::time_point now = t0;
    for (const auto delay : expected) {
      auto d = fly(c, now, err(pa::errc::http_error, 502), bits_min);
      CHECK(d.action == action::fail);
      CHECK(d.failure.code == pa::errc::http_error);
      auto early = c.acquire(now + delay - 1ns);
      CHECK(early.action == action::fail);
      CHECK(early.failure.http_status == 502);
      now += delay;
    }
    CHECK(c.stats().token_requests == 8);
    CHECK(c.stats().failures == 8);
    // A success resets the schedule.
    fly(c, now, ok_token("abc", now));
    c.invalidate(now);
    fly(c, now, err(pa::errc::http_error, 503), bits_min);
    CHECK(c.acquire(now + 499ms).action == action::fail);
    CHECK(c.acquire(now + 500ms).action == action::fetch);
  }
}

TEST_CASE("token_cache: Retry-After is a floor on the delay, clamped to max_retry_after") {
  const pa::backoff_policy p;
  CHECK(pa::detail::backoff_delay(p, 1, bits_min, 10s) == 10s);
  CHECK(pa::detail::backoff_delay(p, 7, bits_max, 10s) == 60s);  // a floor, not a replacement
  CHECK(pa::detail::backoff_delay(p, 1, bits_min, 86400s) == 600s);
  CHECK(pa::detail::backoff_delay(p, 1, bits_min, 0s) == 500ms);

  cache_t c;
  fly(c, t0, err(pa::errc::http_error, 429, 20s), bits_min);
  CHECK(c.acquire(t0 + 20s - 1ns).action == action::fail);
  CHECK(c.acquire(t0 + 20s).action == action::fetch);
}

TEST_CASE("token_cache: credential, configuration and re-authentication errors are sticky") {
  const pa::errc sticky[] = {pa::errc::invalid_client,         pa::errc::unauthorized_client,
                             pa::errc::invalid_grant,          pa::errc::invalid_scope,
                             pa::errc::unsupported_grant_type, pa::errc::invalid_request};
  for (const pa::errc code : sticky) {
    CAPTURE(pa::to_string(code));
    cache_t c;
    fly(c, t0, err(code, 400), bits_max);
    for (const auto later : {1s, 3600s, 86400s * 30}) {
      auto d = c.acquire(t0 + later);
      CHECK(d.action == action::fail);
      CHECK(d.failure.code == code);
    }
    CHECK(c.stats().token_requests == 1);
    c.invalidate(t0 + 1s);  // the way out
    CHECK(c.acquire(t0 + 1s).action == action::fetch);
  }
  SUBCASE("a request that could not be built is sticky whatever its class") {
    cache_t c;
    fly(c, t0, err(pa::errc::invalid_argument), bits_min, pa::failure_origin::configuration);
    CHECK(c.acquire(t0 + 86400s).failure.code == pa::errc::invalid_argument);
    CHECK(c.stats().token_requests == 0);  // nothing reached the transport
    CHECK(c.stats().failures == 1);
  }
  SUBCASE("a sticky refresh failure still serves the valid token, without refresh attempts") {
    cache_t c;
    fly(c, t0, ok_token("abc", t0));
    fly(c, t0 + 3300s, err(pa::errc::invalid_client, 401));
    CHECK(c.peek(t0 + 3500s) != nullptr);  // in the window, but no refresh is attempted
    CHECK(c.acquire(t0 + 3569s).action == action::use);
    auto d = c.acquire(t0 + 3570s);
    CHECK(d.action == action::fail);
    CHECK(d.failure.code == pa::errc::invalid_client);
  }
}

TEST_CASE("token_cache: an unusable answer is retried, but only after the backoff cap") {
  cache_t c;
  fly(c, t0, err(pa::errc::malformed_response, 200), bits_min);
  CHECK(c.acquire(t0 + 30s - 1ns).action == action::fail);
  CHECK(c.acquire(t0 + 30s).action == action::fetch);
}

TEST_CASE(
    "token_cache: invalidate forgets token, error and backoff; invalidate_if one generation") {
  cache_t c;
  fly(c, t0, ok_token("one", t0));
  c.invalidate(t0 + 1s);
  CHECK(c.peek(t0 + 1s) == nullptr);
  CHECK(c.stats().invalidations == 1);
  auto d = fly(c, t0 + 1s, ok_token("two", t0 + 1s));
  CHECK(d.token->generation() == 2);

  CHECK_FALSE(c.invalidate_if(1, t0 + 2s));  // a 401 to the old token: the new one stays
  CHECK(c.peek(t0 + 2s) == d.token);
  CHECK(c.invalidate_if(2, t0 + 2s));
  CHECK(c.peek(t0 + 2s) == nullptr);
  CHECK_FALSE(c.invalidate_if(2, t0 + 2s));
  CHECK(c.stats().invalidations == 2);

  fly(c, t0 + 3s, err(pa::errc::server_error, 500), bits_min);
  CHECK(c.acquire(t0 + 3s).action == action::fail);  // backing off
  CHECK_FALSE(c.invalidate_if(2, t0 + 3s));
  CHECK(c.acquire(t0 + 3s).action == action::fail);  // invalidate_if keeps the backoff
  c.invalidate(t0 + 3s);
  CHECK(c.acquire(t0 + 3s).action == action::fetch);  // invalidate does not
}

TEST_CASE("token_cache: a token shorter than twice the skew is used for its first half") {
  cache_t c;
  fly(c, t0, ok_token("short", t0, 40s));
  const auto* s = c.peek(t0);
  REQUIRE(s != nullptr);
  CHECK(s->usable_until_ns() == ns(t0 + 20s));
  CHECK(s->refresh_at_ns() == ns(t0 + 10s));
}

TEST_CASE("token_cache: a token that expires on arrival or has a forbidden byte fails the flight") {
  cache_t c;
  auto d = fly(c, t0, ok_token("abc", t0, 0s), bits_min);
  CHECK(d.action == action::fail);
  CHECK(d.failure.code == pa::errc::malformed_response);
  c.invalidate(t0);
  d = fly(c, t0, ok_token("bad token\r\n", t0), bits_min);
  CHECK(d.action == action::fail);
  CHECK(d.failure.code == pa::errc::invalid_header_value);
  CHECK(d.failure.message.find("bad token") == std::string::npos);
  CHECK(c.peek(t0) == nullptr);
}

TEST_CASE("token_cache: replaced snapshots are freed after two publications and the grace") {
  if constexpr (pa::detail::keep_retired_snapshots) {
    MESSAGE("built with ThreadSanitizer: replaced snapshots are kept until destruction");
    return;
  }
  cache_t c;  // grace 60 s
  const auto publish = [&](const char* name, pa::time_point at) {
    fly(c, at, ok_token(name, at, 2s));  // usable for 1 s: the next publication replaces it
  };
  publish("g1", t0);
  CHECK(c.retained_snapshots() == 0);
  publish("g2", t0 + 1s);
  CHECK(c.retained_snapshots() == 1);  // g1
  publish("g3", t0 + 2s);
  publish("g4", t0 + 3s);
  CHECK(c.retained_snapshots() == 3);  // g1 has two publications after it, but only 2 s ago
  c.invalidate(t0 + 100s);             // frees g1 (99 s), retires g4
  CHECK(c.retained_snapshots() == 3);  // g2, g3, g4
  publish("g5", t0 + 200s);            // frees g2 (two publications since, 198 s)
  CHECK(c.retained_snapshots() == 2);
  publish("g6", t0 + 300s);  // frees g3 and g4, retires g5
  CHECK(c.retained_snapshots() == 1);
  CHECK(c.peek(t0 + 300s)->authorization() == "Bearer g6");
}

TEST_CASE("token_cache<single_threaded> frees a replaced snapshot at once") {
  pa::token_cache<pa::single_threaded> c;
  fly(c, t0, ok_token("one", t0));
  c.invalidate(t0);
  fly(c, t0, ok_token("two", t0));
  fly(c, t0 + 3300s, ok_token("three", t0 + 3300s));
  CHECK(c.retained_snapshots() == 0);
  CHECK(c.peek(t0 + 3300s)->authorization() == "Bearer three");
  CHECK(c.stats().tokens_issued == 3);
}

TEST_CASE("detail::scale_random maps 64 bits onto [0, range] monotonically") {
  CHECK(pa::detail::mul_high64(~0ull, ~0ull) == ~0ull - 1);
  CHECK(pa::detail::mul_high64(1ull << 32, 1ull << 32) == 1);
  CHECK(pa::detail::mul_high64(0x123456789ABCDEF0ull, 0x0FEDCBA987654321ull) ==
        0x0121FA00AD77D742ull);
  CHECK(pa::detail::scale_random(0, 100) == 0);
  CHECK(pa::detail::scale_random(~0ull, 100) == 100);
  CHECK(pa::detail::scale_random(1ull << 63, 100) == 50);
  CHECK(pa::detail::scale_random(12345, ~0ull) == 12345);
  CHECK(pa::detail::random_duration(~0ull, -5s) == 0ns);
}
