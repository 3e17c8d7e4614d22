// SPDX-License-Identifier: MIT
// profile-auth: os_random, the default RandomSource, backed by the operating system.
#ifndef PROFILE_AUTH_RANDOM_HPP
#define PROFILE_AUTH_RANDOM_HPP

#include <profile/auth/config.hpp>

#include <array>    // the 8 bytes behind random_u64
#include <cstddef>  // std::byte, std::size_t
#include <cstdint>  // std::uint64_t
#include <span>     // fill(std::span<std::byte>)

#if !PROFILE_AUTH_NO_OS_RANDOM
#include <profile/auth/detail/os_random.hpp>
#endif

namespace profile::auth::inline v0 {

#if !PROFILE_AUTH_NO_OS_RANDOM
/// The operating system's CSPRNG: getrandom (Linux), arc4random_buf (BSDs, macOS),
/// BCryptGenRandom (Windows). Models RandomSource.
struct os_random {
  /// Fills `out`; false if the OS refused (it practically never does).
  [[nodiscard]] bool fill(std::span<std::byte> out) noexcept {
    return detail::os_fill_random(out.data(), out.size());
  }
};
#else
/// Declared so that a bare-metal build says what to do instead of failing somewhere deep:
/// using it is a compile-time error; supply your own RandomSource (e.g. a TRNG).
struct os_random {
  /// Using it is a compile-time error that says why.
  template <class Span = std::span<std::byte>>
  bool fill(Span) noexcept {
    static_assert(sizeof(Span) == 0,
                  "profile-auth: this platform has no OS random source "
                  "(PROFILE_AUTH_NO_OS_RANDOM is 1). Pass your own RandomSource, e.g. one "
                  "that reads the hardware TRNG.");
    return false;
  }
};
#endif

namespace detail {
/// 64 random bits, little-endian from `r`. If the source fails, the middle of every range:
/// a jitter or delay of half the maximum is still a sane one.
template <class R>
[[nodiscard]] std::uint64_t random_u64(R& r) noexcept {
  std::array<std::byte, 8> b{};
  if (!r.fill(std::span<std::byte>(b))) return std::uint64_t{1} << 63;
  std::uint64_t v = 0;
  for (std::size_t i = b.size(); i-- > 0;) v = (v << 8) | std::to_integer<std::uint64_t>(b[i]);
  return v;
}
}  // namespace detail

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_RANDOM_HPP
