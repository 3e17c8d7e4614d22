// SPDX-License-Identifier: MIT
// profile-auth: the OS calls behind os_random, kept in one small header (windows.h hygiene).
#ifndef PROFILE_AUTH_DETAIL_OS_RANDOM_HPP
#define PROFILE_AUTH_DETAIL_OS_RANDOM_HPP

#include <profile/auth/config.hpp>

#include <cstddef>  // std::byte, std::size_t

// The OS headers only where os_fill_random is defined: windows.h stays out of user code.
#if PROFILE_AUTH_DEFINITIONS
#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#define PROFILE_AUTH_DETAIL_UNDEF_LEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#define PROFILE_AUTH_DETAIL_UNDEF_NOMINMAX
#endif
#include <windows.h>  // NTSTATUS, ULONG
#include <bcrypt.h>   // BCryptGenRandom
#if defined(_MSC_VER)
#pragma comment(lib, "bcrypt")
#endif
#ifdef PROFILE_AUTH_DETAIL_UNDEF_LEAN
#undef WIN32_LEAN_AND_MEAN
#undef PROFILE_AUTH_DETAIL_UNDEF_LEAN
#endif
#ifdef PROFILE_AUTH_DETAIL_UNDEF_NOMINMAX
#undef NOMINMAX
#undef PROFILE_AUTH_DETAIL_UNDEF_NOMINMAX
#endif
#elif defined(__linux__)
#include <cerrno>        // EINTR
#include <sys/random.h>  // getrandom
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h>  // arc4random_buf
#else
#error "profile-auth: no OS random source known here; define PROFILE_AUTH_NO_OS_RANDOM=1"
#endif
#endif  // PROFILE_AUTH_DEFINITIONS

namespace profile::auth::inline v0::detail {

/// Fills n bytes at p from the OS CSPRNG; false on failure.
bool os_fill_random(std::byte* p, std::size_t n) noexcept;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE bool os_fill_random(std::byte* p, std::size_t n) noexcept {
#if defined(_WIN32)
  while (n > 0) {
    const ULONG chunk = n > 0x7fffffffu ? 0x7fffffffu : static_cast<ULONG>(n);
    if (BCryptGenRandom(nullptr, reinterpret_cast<PUCHAR>(p), chunk,
                        BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0)
      return false;
    p += chunk;
    n -= chunk;
  }
  return true;
#elif defined(__linux__)
  while (n > 0) {
    const ssize_t got = ::getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
#else
  ::arc4random_buf(p, n);
  return true;
#endif
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_OS_RANDOM_HPP
