// SPDX-License-Identifier: MIT
// Positive and negative static_asserts for every seam concept, plus the shipped models.
#include <profile/auth/concepts.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/random.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <span>

namespace pa = profile::auth;

namespace {
struct good_transport {
  pa::result<pa::http_response> send(const pa::http_request&) { return pa::http_response{}; }
};
struct wrong_return_transport {
  pa::http_response send(const pa::http_request&) { return {}; }
};
struct mutating_request_transport {
  pa::result<pa::http_response> send(pa::http_request&) { return pa::http_response{}; }
};
struct no_send {};

struct good_async {
  template <class Cb>
  void async_send(pa::http_request, Cb cb) {
    cb(pa::http_response{});
  }
};
struct async_with_function {
  void async_send(pa::http_request, std::function<void(pa::result<pa::http_response>)> cb) {
    cb(pa::http_response{});
  }
};
struct async_wrong_callback {
  void async_send(pa::http_request, void (*)(int)) {}
};

struct manual_clock_like {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<manual_clock_like, duration>;
  time_point now() const { return time_point{}; }
};
struct clock_without_now {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<clock_without_now, duration>;
};

struct counter_random {
  unsigned char next = 0;
  bool fill(std::span<std::byte> b) {
    for (auto& x : b) x = static_cast<std::byte>(next++);
    return true;
  }
};
struct void_random {
  void fill(std::span<std::byte>) {}
};

struct bad_lock_policy {
  struct mutex {
    void lock() {}
  };
};
}  // namespace

static_assert(pa::Transport<good_transport>);
static_assert(!pa::Transport<wrong_return_transport>);
static_assert(!pa::Transport<mutating_request_transport>);
static_assert(!pa::Transport<no_send>);

static_assert(pa::AsyncTransport<good_async>);
static_assert(pa::AsyncTransport<async_with_function>);
static_assert(!pa::AsyncTransport<async_wrong_callback>);
static_assert(!pa::AsyncTransport<good_transport>);

static_assert(pa::Clock<std::chrono::steady_clock>);
static_assert(pa::Clock<std::chrono::system_clock>);
static_assert(pa::Clock<manual_clock_like>);
static_assert(!pa::Clock<clock_without_now>);
static_assert(!pa::Clock<int>);

static_assert(pa::RandomSource<pa::os_random>);
static_assert(pa::RandomSource<counter_random>);
static_assert(!pa::RandomSource<void_random>);

static_assert(pa::LockPolicy<pa::thread_safe>);
static_assert(pa::LockPolicy<pa::single_threaded>);
static_assert(!pa::LockPolicy<bad_lock_policy>);
static_assert(pa::thread_safe::is_thread_safe && !pa::single_threaded::is_thread_safe);

TEST_CASE("os_random fills buffers and does not repeat itself") {
  pa::os_random r;
  std::array<std::byte, 32> a{}, b{};
  REQUIRE(r.fill(a));
  REQUIRE(r.fill(b));
  CHECK(a != b);  // 2^-256 chance of a false failure
  std::array<std::byte, 32> zero{};
  CHECK(a != zero);
  std::array<std::byte, 0> none{};
  CHECK(r.fill(none));
}

TEST_CASE("single_threaded atomics behave like std::atomic on one thread") {
  pa::single_threaded::atomic<int> a{5};
  CHECK(a.load() == 5);
  CHECK(a.exchange(7) == 5);
  int expected = 6;
  CHECK_FALSE(a.compare_exchange_strong(expected, 9));
  CHECK(expected == 7);
  CHECK(a.compare_exchange_strong(expected, 9));
  CHECK(a.load() == 9);
  CHECK(a.fetch_add(1) == 9);
  CHECK(a.load() == 10);
  pa::single_threaded::mutex m;
  CHECK(m.try_lock());
  m.unlock();
}
