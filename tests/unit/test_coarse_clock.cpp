// SPDX-License-Identifier: MIT
#include <profile/auth/coarse_clock.hpp>
#include <profile/auth/concepts.hpp>

#include <doctest/doctest.h>

#include <chrono>  // steady_clock to compare with

namespace pa = profile::auth;

static_assert(pa::Clock<pa::coarse_steady_clock>);
static_assert(pa::coarse_steady_clock::is_steady);
// The time_point type is steady_clock's, so tokens stamped by either clock are comparable.
static_assert(
    std::is_same_v<pa::coarse_steady_clock::time_point, std::chrono::steady_clock::time_point>);

TEST_CASE("coarse_steady_clock: follows steady_clock within a tick and never goes back") {
  using namespace std::chrono_literals;
  auto prev = pa::coarse_steady_clock::now();
  for (int i = 0; i < 10'000; ++i) {
    const auto before = std::chrono::steady_clock::now();
    const auto coarse = pa::coarse_steady_clock::now();
    const auto after = std::chrono::steady_clock::now();
    REQUIRE(coarse >= prev);  // monotonic
    // At most one kernel tick (<= 10 ms even at HZ=100) behind, never ahead of a later read.
    CHECK(coarse <= after);
    CHECK(before - coarse < 50ms);
    prev = coarse;
  }
}

TEST_CASE("coarse_steady_clock: advances with time") {
  using namespace std::chrono_literals;
  const auto start = pa::coarse_steady_clock::now();
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (pa::coarse_steady_clock::now() == start && std::chrono::steady_clock::now() < deadline) {
  }
  CHECK(pa::coarse_steady_clock::now() > start);
}
