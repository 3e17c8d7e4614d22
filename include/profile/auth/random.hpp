// SPDX-License-Identifier: MIT
// profile-auth: os_random, the default RandomSource, backed by the operating system.
#ifndef PROFILE_AUTH_RANDOM_HPP
#define PROFILE_AUTH_RANDOM_HPP

#include <profile/auth/config.hpp>

#include <cstddef>  // std::byte, std::size_t
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

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_RANDOM_HPP
