// SPDX-License-Identifier: MIT
// Tests for the expiry and refresh-ahead arithmetic of refresh_policy.
#include <profile/auth/refresh_policy.hpp>

#include <doctest/doctest.h>

#include <chrono>

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {
pa::token token_for(std::chrono::seconds lifetime) {
  pa::token t;
  t.received_at = pa::time_point(1000s);
  t.expires_at = t.received_at + lifetime;
  return t;
}
}  // namespace

TEST_CASE("a one-hour token expires 30 s early and refreshes 5 min before that") {
  const auto t = token_for(3600s);
  const pa::refresh_policy p;
  CHECK(pa::usable_until(t, p) == pa::time_point(1000s + 3570s));
  CHECK_FALSE(pa::is_expired(t, pa::time_point(1000s + 3569s), p));
  CHECK(pa::is_expired(t, pa::time_point(1000s + 3570s), p));
  CHECK(pa::refresh_at(t, p) == pa::time_point(1000s + 3270s));
  CHECK_FALSE(pa::needs_refresh(t, pa::time_point(1000s + 3269s), p));
  CHECK(pa::needs_refresh(t, pa::time_point(1000s + 3270s), p));
}

TEST_CASE("short tokens refresh at half their usable life") {
  const auto t = token_for(90s);  // usable 60 s -> lead 30 s
  CHECK(pa::refresh_at(t) == pa::time_point(1000s + 30s));
}

TEST_CASE("jitter moves the refresh point earlier, clamped to the lead") {
  const auto t = token_for(3600s);
  CHECK(pa::refresh_at(t, {}, 20s) == pa::time_point(1000s + 3250s));
  CHECK(pa::refresh_at(t, {}, 10000s) == pa::time_point(1000s + 2970s));  // clamped to 300 s
  CHECK(pa::refresh_at(t, {}, -5s) == pa::refresh_at(t));
}

TEST_CASE("a token already past its skewed expiry needs refresh and is expired") {
  const auto t = token_for(10s);  // shorter than the skew
  CHECK(pa::is_expired(t, t.received_at));
  CHECK(pa::needs_refresh(t, t.received_at));
}
