// SPDX-License-Identifier: MIT
// profile-auth: retry delays (capped exponential backoff with jitter) and random scaling.
#ifndef PROFILE_AUTH_DETAIL_BACKOFF_HPP
#define PROFILE_AUTH_DETAIL_BACKOFF_HPP

#include <profile/auth/config.hpp>

#include <chrono>    // durations
#include <cstdint>   // std::uint64_t random bits
#include <optional>  // the server's Retry-After, when given

namespace profile::auth::inline v0 {

/// How long the token cache waits before it asks the token endpoint again after a failure.
///
/// The n-th failure in a row waits d = min(cap, initial * multiplier^(n-1)), drawn uniformly
/// in [d/2, d] ("equal jitter"), and never less than the server's Retry-After (itself clamped
/// to max_retry_after). Defaults, and why:
/// - initial 1 s: most transient failures (a reset connection, a restarting pod) are gone
///   within a second, and one retry per second per process is no load on a token endpoint;
/// - multiplier 2: the delay reaches the cap after six failures, about a minute into an outage;
/// - cap 60 s: a longer outage is an incident; one attempt a minute per process costs the
///   server nothing and recovers the process within a minute of the fix;
/// - equal rather than full jitter: half the window still spreads a fleet that failed
///   together, and the floor of d/2 keeps an unlucky draw from retrying at once;
/// - max_retry_after 600 s: a Retry-After is honoured, but a mistaken one (a day) must not keep
///   a service without tokens for that long.
struct backoff_policy {
  std::chrono::milliseconds initial{1000};
  unsigned multiplier = 2;
  std::chrono::milliseconds cap{60000};
  std::chrono::seconds max_retry_after{600};
};

namespace detail {

/// The high 64 bits of the 128-bit product a * b (portable: no __int128).
[[nodiscard]] constexpr std::uint64_t mul_high64(std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
  const std::uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  // Cannot overflow: lo_hi <= (2^32-1)^2 and the two other terms are < 2^32 each.
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

/// Maps 64 uniform random bits onto [0, range]: floor(bits * (range + 1) / 2^64). Monotonic in
/// `bits`: 0 gives 0, 2^63 gives about range / 2, ~0 gives range.
[[nodiscard]] constexpr std::uint64_t scale_random(std::uint64_t bits,
                                                   std::uint64_t range) noexcept {
  if (range == ~std::uint64_t{0}) return bits;
  return mul_high64(bits, range + 1);
}

/// A duration in [0, max] chosen by `bits` (see scale_random). Negative `max` gives 0.
[[nodiscard]] constexpr std::chrono::nanoseconds random_duration(
    std::uint64_t bits, std::chrono::nanoseconds max) noexcept {
  if (max.count() <= 0) return std::chrono::nanoseconds{0};
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(scale_random(bits, static_cast<std::uint64_t>(max.count()))));
}

/// The un-jittered delay after `failures` (>= 1) failures in a row: min(cap, initial *
/// multiplier^(failures-1)), saturating instead of overflowing.
[[nodiscard]] std::chrono::nanoseconds backoff_ceiling(const backoff_policy& p,
                                                       std::uint32_t failures) noexcept;

/// The delay before the next attempt after `failures` (>= 1) failures in a row: jittered in
/// [ceiling/2, ceiling] by `bits`, raised to `retry_after` (clamped to p.max_retry_after).
[[nodiscard]] std::chrono::nanoseconds backoff_delay(
    const backoff_policy& p, std::uint32_t failures, std::uint64_t bits,
    std::optional<std::chrono::seconds> retry_after = std::nullopt) noexcept;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE std::chrono::nanoseconds backoff_ceiling(const backoff_policy& p,
                                                             std::uint32_t failures) noexcept {
  using std::chrono::nanoseconds;
  const nanoseconds cap = p.cap.count() > 0 ? nanoseconds(p.cap) : nanoseconds{0};
  nanoseconds d = p.initial.count() > 0 ? nanoseconds(p.initial) : nanoseconds{0};
  if (d >= cap) return cap;
  const std::uint64_t m = p.multiplier;
  if (d.count() == 0 || m <= 1) return d;  // would never grow: no need to loop
  for (std::uint32_t i = 1; i < failures && d < cap; ++i) {
    // d * m on 128 bits, compared with the cap: no 64-bit division (a libgcc call on 32-bit
    // microcontrollers, and this would be its only user).
    const auto du = static_cast<std::uint64_t>(d.count());
    if (mul_high64(du, m) != 0 || du * m > static_cast<std::uint64_t>(cap.count())) return cap;
    d = nanoseconds(static_cast<std::int64_t>(du * m));
  }
  return d < cap ? d : cap;
}

PROFILE_AUTH_INLINE std::chrono::nanoseconds backoff_delay(
    const backoff_policy& p, std::uint32_t failures, std::uint64_t bits,
    std::optional<std::chrono::seconds> retry_after) noexcept {
  const std::chrono::nanoseconds ceiling = backoff_ceiling(p, failures);
  const std::chrono::nanoseconds half = ceiling / 2;
  std::chrono::nanoseconds d = half + random_duration(bits, ceiling - half);
  if (retry_after && retry_after->count() > 0) {
    const std::chrono::seconds floor =
        *retry_after < p.max_retry_after ? *retry_after : p.max_retry_after;
    if (d < floor) d = floor;
  }
  return d;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace detail
}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_DETAIL_BACKOFF_HPP
