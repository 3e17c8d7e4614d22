// SPDX-License-Identifier: MIT
// profile-auth: every configuration macro, in one place (documented in docs/configuration.md).
#ifndef PROFILE_AUTH_CONFIG_HPP
#define PROFILE_AUTH_CONFIG_HPP

// Embedded and game builds configure without -D flags: drop a
// <profile_auth_config.hpp> on the include path and it is picked up here.
#if defined(__has_include)
#if __has_include(<profile_auth_config.hpp>)
#include <profile_auth_config.hpp>
#endif
#endif

#include <profile/auth/version.hpp>

#include <cstdio>            // std::fputs: the default contract-violation report
#include <initializer_list>  // the parts of that report
#include <cstdlib>           // std::abort: the default contract-violation action
#include <version>           // __cpp_lib_expected, __cpp_exceptions-independent feature macros

/// PROFILE_AUTH_USE_STD_EXPECTED: 1 makes `result<T>` an alias of `std::expected<T, error>`.
/// Defaults to 1 exactly when the standard library has `std::expected`. Every translation
/// unit of a program must agree; set it in <profile_auth_config.hpp> if in doubt.
#ifndef PROFILE_AUTH_USE_STD_EXPECTED
#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#define PROFILE_AUTH_USE_STD_EXPECTED 1
#else
#define PROFILE_AUTH_USE_STD_EXPECTED 0
#endif
#endif

/// PROFILE_AUTH_NO_OS_RANDOM: 1 removes the default OS random source (bare-metal builds
/// supply their own RandomSource). Defaults to 1 where no known OS API exists.
#ifndef PROFILE_AUTH_NO_OS_RANDOM
#if defined(__linux__) || defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(_WIN32)
#define PROFILE_AUTH_NO_OS_RANDOM 0
#else
#define PROFILE_AUTH_NO_OS_RANDOM 1
#endif
#endif

/// PROFILE_AUTH_NO_THREADS: 1 removes the thread-safe lock policy (for targets without
/// <mutex>/<atomic> support); only `single_threaded` remains and becomes the default.
#ifndef PROFILE_AUTH_NO_THREADS
#if defined(__GLIBCXX__) && !defined(_GLIBCXX_HAS_GTHREADS)
#define PROFILE_AUTH_NO_THREADS 1  // e.g. arm-none-eabi newlib: no std::mutex
#else
#define PROFILE_AUTH_NO_THREADS 0
#endif
#endif

// --- header-only or compiled (docs/building.md, "Compiled mode") -----------------------------

/// PROFILE_AUTH_SEPARATE_COMPILATION: 0 (the default) is header-only: every function is defined
/// inline in the headers. 1 is compiled mode: the headers declare the library's non-template
/// functions and the one translation unit that defines PROFILE_AUTH_SOURCE before including
/// <profile/auth/src.hpp> (the `profile::auth_compiled` library) defines them; every other
/// translation unit parses declarations only, which is what makes it cheap to compile.
/// Templates (the drivers, the cache, result) stay in the headers in both modes.
#ifndef PROFILE_AUTH_SEPARATE_COMPILATION
#define PROFILE_AUTH_SEPARATE_COMPILATION 0
#endif

/// PROFILE_AUTH_DEFINITIONS is 1 where the out-of-line function definitions are compiled: in
/// every translation unit in header-only mode, in the library's source file in compiled mode.
/// Headers guard their definitions (and the includes only those definitions need) with it.
/// PROFILE_AUTH_INLINE prefixes those definitions: `inline` header-only, nothing compiled.
#if !PROFILE_AUTH_SEPARATE_COMPILATION
#define PROFILE_AUTH_DEFINITIONS 1
#define PROFILE_AUTH_INLINE inline
#elif defined(PROFILE_AUTH_SOURCE)
#define PROFILE_AUTH_DEFINITIONS 1
#define PROFILE_AUTH_INLINE
#else
#define PROFILE_AUTH_DEFINITIONS 0
#define PROFILE_AUTH_INLINE
#endif

// --- small firmware builds (docs/building.md, "Small firmware builds") -------------------------
// Each of these trades something for flash. The default (0) changes nothing. Every translation
// unit of a program must agree on them: they change inline functions.

/// PROFILE_AUTH_TERSE_ERRORS: 1 replaces the explanatory `error::message` texts (what went wrong
/// at which offset, and what to do) by short fixed ones. Only `message` changes: `code`,
/// `classify()`, `http_status`, the OAuth fields, `retry_after` and `request_id` are the same.
#ifndef PROFILE_AUTH_TERSE_ERRORS
#define PROFILE_AUTH_TERSE_ERRORS 0
#endif

/// PROFILE_AUTH_JSON_ONLY: 1 reads JSON answers only. Form-encoded and `text/plain` form bodies
/// (GitHub without `Accept: application/json`) are then errc::malformed_response (token
/// answers) or errc::http_error (error answers without a JSON body), like an HTML page.
#ifndef PROFILE_AUTH_JSON_ONLY
#define PROFILE_AUTH_JSON_ONLY 0
#endif

/// PROFILE_AUTH_FLAT_JSON_ONLY: 1 reads token and error answers with the one-pass reader for
/// flat JSON objects only, and drops the general JSON reader from the M2M path: at most 16
/// members, member names of plain ASCII without escapes, scalar values. Any other token answer
/// (a nested value such as Twitch's `scope` array, more members) is errc::malformed_response; any
/// other error answer is errc::http_error (infrastructure, retryable), as for an HTML page.
#ifndef PROFILE_AUTH_FLAT_JSON_ONLY
#define PROFILE_AUTH_FLAT_JSON_ONLY 0
#endif

/// PROFILE_AUTH_NO_HTTP_DATE: 1 drops the HTTP-date parser: a `Retry-After` given as a date is
/// ignored (delta-seconds, what servers send in practice, still works). m2m_client then never
/// reads the wall clock (std::chrono::system_clock): a firmware links no time-of-day code.
#ifndef PROFILE_AUTH_NO_HTTP_DATE
#define PROFILE_AUTH_NO_HTTP_DATE 0
#endif

// --- compiled mode: the library and the program must agree on the macros above -------------
// In compiled mode the definitions were compiled once, with the library's settings; a program
// whose translation units set the firmware macros differently would silently mix two builds.
// So the library defines one variable whose name spells its settings, and every other
// translation unit refers to the variable its own settings name: a mismatch fails to link with
// "undefined reference to profile::auth::v0::detail::library_built_with_terse_errors_1_...".
#if PROFILE_AUTH_SEPARATE_COMPILATION
#define PROFILE_AUTH_SETTINGS_TAG_(t, j, d, f) \
  library_built_with_terse_errors_##t##_json_only_##j##_no_http_date_##d##_flat_json_only_##f
#define PROFILE_AUTH_SETTINGS_TAG(t, j, d, f) PROFILE_AUTH_SETTINGS_TAG_(t, j, d, f)
#if PROFILE_AUTH_TERSE_ERRORS
#define PROFILE_AUTH_TAG_T_ 1
#else
#define PROFILE_AUTH_TAG_T_ 0
#endif
#if PROFILE_AUTH_JSON_ONLY
#define PROFILE_AUTH_TAG_J_ 1
#else
#define PROFILE_AUTH_TAG_J_ 0
#endif
#if PROFILE_AUTH_NO_HTTP_DATE
#define PROFILE_AUTH_TAG_D_ 1
#else
#define PROFILE_AUTH_TAG_D_ 0
#endif
#if PROFILE_AUTH_FLAT_JSON_ONLY
#define PROFILE_AUTH_TAG_F_ 1
#else
#define PROFILE_AUTH_TAG_F_ 0
#endif
#define PROFILE_AUTH_SETTINGS_NAME                                                         \
  PROFILE_AUTH_SETTINGS_TAG(PROFILE_AUTH_TAG_T_, PROFILE_AUTH_TAG_J_, PROFILE_AUTH_TAG_D_, \
                            PROFILE_AUTH_TAG_F_)
namespace profile::auth::inline v0::detail {
#if defined(PROFILE_AUTH_SOURCE)
extern const int PROFILE_AUTH_SETTINGS_NAME;
const int PROFILE_AUTH_SETTINGS_NAME = 1;
#else
extern const int PROFILE_AUTH_SETTINGS_NAME;
#if defined(__GNUC__) || defined(__clang__)
// Kept by `used` even where nothing reads it, so the reference reaches the linker.
[[gnu::used]] inline const int* const settings_check = &PROFILE_AUTH_SETTINGS_NAME;
#endif
#endif
}  // namespace profile::auth::inline v0::detail
#endif  // PROFILE_AUTH_SEPARATE_COMPILATION

/// PROFILE_AUTH_ASSERT_HANDLER(expr, file, line): called on a contract violation (for example
/// `value()` on a result that holds an error). It must not return. The default prints one line
/// to stderr and traps. The check stays on under NDEBUG: a silent UB is worse than a crash.
#ifndef PROFILE_AUTH_ASSERT_HANDLER
#define PROFILE_AUTH_ASSERT_HANDLER(expr, file, line) \
  ::profile::auth::detail::contract_violation(expr, file, line)
#endif

namespace profile::auth::inline v0::detail {
[[noreturn]] inline void contract_violation(const char* expr, const char* file, int line) noexcept {
  // fputs rather than fprintf: on newlib and other small C libraries printf's formatting
  // machinery is several KB of flash that nothing else in a firmware may need.
  char digits[12];
  char* p = digits + sizeof digits;
  *--p = '\0';
  unsigned n = line < 0 ? 0u : static_cast<unsigned>(line);
  do *--p = static_cast<char>('0' + n % 10);
  while ((n /= 10) != 0);
  for (const char* part : {"profile-auth: contract violated: ", expr, " (", file, ":",
                           static_cast<const char*>(p), ")\n"})
    std::fputs(part, stderr);
#if defined(__GNUC__) || defined(__clang__)
  __builtin_trap();
#else
  std::abort();
#endif
}
}  // namespace profile::auth::inline v0::detail

/// PROFILE_AUTH_ASSERT(cond): a contract check that is on in every build mode.
#define PROFILE_AUTH_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : PROFILE_AUTH_ASSERT_HANDLER(#cond, __FILE__, __LINE__))

#endif  // PROFILE_AUTH_CONFIG_HPP
