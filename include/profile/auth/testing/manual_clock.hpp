// SPDX-License-Identifier: MIT
// profile-auth testing: manual_clock, a Clock that moves only when the test moves it.
#ifndef PROFILE_AUTH_TESTING_MANUAL_CLOCK_HPP
#define PROFILE_AUTH_TESTING_MANUAL_CLOCK_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/token.hpp>

#include <atomic>   // the instant is read by many threads while the test moves it
#include <chrono>   // durations
#include <cstdint>  // integer nanoseconds
#include <memory>   // std::shared_ptr: copies share one instant

namespace profile::auth::inline v0::testing {

/// A Clock for tests: now() returns what the test last set, so expiry, refresh-ahead and
/// backoff are tested without sleeping.
///
/// Copies share one instant (the clock is a handle), so a test can hand a copy to a client
/// (which takes its clock by value) and keep moving time with the original. now() is safe to
/// call from any thread while the test calls set() or advance(). Starts at time_point{}.
/// Monotonic as long as the test only moves it forward.
class manual_clock {
 public:
  ///@{
  /// The std::chrono clock types (nanosecond ticks, the library's time_point).
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = ::profile::auth::time_point;
  static constexpr bool is_steady = true;
  ///@}

  manual_clock() : now_(std::make_shared<std::atomic<std::int64_t>>(0)) {}
  /// A clock that starts at `start`.
  explicit manual_clock(time_point start)
      : now_(std::make_shared<std::atomic<std::int64_t>>(start.time_since_epoch().count())) {}

  /// The current instant.
  [[nodiscard]] time_point now() const noexcept {
    return time_point(duration(now_->load(std::memory_order_acquire)));
  }
  /// Moves to `t` (backwards too, if a test wants a misbehaving clock).
  void set(time_point t) noexcept {
    now_->store(t.time_since_epoch().count(), std::memory_order_release);
  }
  /// Moves forward by `d`.
  void advance(duration d) noexcept { now_->fetch_add(d.count(), std::memory_order_acq_rel); }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> now_;
};

}  // namespace profile::auth::inline v0::testing

#endif  // PROFILE_AUTH_TESTING_MANUAL_CLOCK_HPP
