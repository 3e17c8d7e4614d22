// SPDX-License-Identifier: MIT
// profile-auth: a monotonic clock that is cheap to read, for the cached-token hot path.
#ifndef PROFILE_AUTH_COARSE_CLOCK_HPP
#define PROFILE_AUTH_COARSE_CLOCK_HPP

#include <profile/auth/config.hpp>

#include <chrono>  // steady_clock: the epoch and time_point type this clock shares

#if defined(__linux__)
#include <time.h>  // clock_gettime(CLOCK_MONOTONIC_COARSE)
#endif

namespace profile::auth::inline v0 {

/// A Clock (see concepts.hpp) with std::chrono::steady_clock's epoch and time_point type, read
/// at the kernel's tick resolution instead of the hardware counter's.
///
/// Why: every call that hands out a cached token reads the clock once to check the expiry, and
/// on virtual machines a `steady_clock::now()` costs 30–60 ns (the hypervisor's clock source),
/// which is most of the cost of a cached read. On Linux this clock reads
/// `CLOCK_MONOTONIC_COARSE`: a copy of the last tick's timestamp that the vDSO returns in a few
/// nanoseconds, with no counter read at all (measured on the project's KVM guest: 9 ns against
/// 41 ns for steady_clock; see benchmarks/RESULTS.md).
///
/// The price is resolution: the value lags the precise clock by up to one kernel tick (1–4 ms,
/// `clock_getres(CLOCK_MONOTONIC_COARSE)`). Token lifetimes are minutes and the cache keeps an
/// expiry skew of seconds (refresh_policy::expiry_skew), so a few milliseconds do not change a
/// decision in practice; do not use this clock to time anything shorter than a second.
///
/// It is monotonic, and shares steady_clock's epoch on Linux (both count CLOCK_MONOTONIC time),
/// so values of the two can be compared up to the tick lag. Elsewhere (other systems, bare
/// metal) it is steady_clock itself.
///
///     pa::m2m_client<curl_transport, pa::coarse_steady_clock> client{transport, cfg};
struct coarse_steady_clock {
  ///@{
  /// The std::chrono clock types, those of std::chrono::steady_clock.
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr bool is_steady = true;
  ///@}

  /// The current time, read from CLOCK_MONOTONIC_COARSE on Linux (steady_clock::now() elsewhere).
  [[nodiscard]] static time_point now() noexcept {
#if defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE)
    timespec ts{};
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0) {
      const auto since_epoch =
          std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
      return time_point(std::chrono::duration_cast<duration>(since_epoch));
    }
#endif
    return std::chrono::steady_clock::now();  // no coarse source here: the precise clock
  }
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_COARSE_CLOCK_HPP
