// SPDX-License-Identifier: MIT
// profile-auth: header grammars (RFC 6750 b64token, RFC 9110 field values) and Bearer values.
#ifndef PROFILE_AUTH_HEADER_HPP
#define PROFILE_AUTH_HEADER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>

#include <cstddef>      // std::size_t
#include <cstring>      // std::memcpy into the caller's buffer
#include <span>         // caller-provided output buffer
#include <string>       // the allocating header value and messages
#include <string_view>  // inputs

namespace profile::auth::inline v0 {

namespace detail {
/// The offset of the first byte that breaks RFC 6750 `b64token` in `s` (0 for an empty `s`),
/// or std::string_view::npos when `s` is valid.
[[nodiscard]] constexpr std::size_t b64token_error_offset(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  if (i == 0) return 0;  // at least one token character must come before any padding
  for (; i < s.size(); ++i)
    if (s[i] != '=') return i;
  return std::string_view::npos;
}
}  // namespace detail

/// True when `s` matches RFC 6750 §2.1 `b64token`:
/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// An empty string, padding alone, whitespace and every control byte are rejected.
[[nodiscard]] constexpr bool is_b64token(std::string_view s) noexcept {
  return detail::b64token_error_offset(s) == std::string_view::npos;
}

/// True when `s` is an RFC 9110 §5.5 `field-value`: visible ASCII, obs-text (0x80-0xFF), and
/// SP/HTAB only between other characters. CR, LF, NUL, other control bytes and DEL are
/// rejected, and so is leading or trailing whitespace (transports would strip it silently,
/// changing the value). The empty string is valid.
[[nodiscard]] constexpr bool is_valid_field_value(std::string_view s) noexcept {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t') continue;
    if (c < 0x21 || c == 0x7F) return false;
  }
  if (!s.empty()) {
    const char f = s.front(), b = s.back();
    if (f == ' ' || f == '\t' || b == ' ' || b == '\t') return false;
  }
  return true;
}

/// The scheme and separator every Bearer header value starts with.
inline constexpr std::string_view bearer_prefix = "Bearer ";

/// The size of `"Bearer " + access_token` (valid or not).
[[nodiscard]] inline std::size_t bearer_header_size(const secret& access_token) noexcept {
  return bearer_prefix.size() + access_token.size();
}

/// "Bearer <access_token>" (RFC 6750 §2.1).
/// Errors: errc::invalid_header_value when the token is empty or not a b64token; the message
/// gives the offending offset but never the token.
[[nodiscard]] result<std::string> bearer_header_value(const secret& access_token);

/// "Bearer <t.access_token>"; see the overload taking a secret.
[[nodiscard]] inline result<std::string> bearer_header_value(const token& t) {
  return bearer_header_value(t.access_token);
}

/// Non-allocating form: writes "Bearer <access_token>" into `out` (no terminating NUL).
/// Returns true and sets `written` to the size on success. Returns false and writes nothing
/// when the token is not a valid b64token (`written` = 0) or when `out` is too small
/// (`written` = the size needed, see bearer_header_size()).
[[nodiscard]] inline bool write_bearer_header_value(const secret& access_token, std::span<char> out,
                                                    std::size_t& written) noexcept {
  const std::string_view t = access_token.reveal();
  written = 0;
  if (!is_b64token(t)) return false;
  const std::size_t need = bearer_prefix.size() + t.size();
  if (out.size() < need) {
    written = need;
    return false;
  }
  std::memcpy(out.data(), bearer_prefix.data(), bearer_prefix.size());
  std::memcpy(out.data() + bearer_prefix.size(), t.data(), t.size());
  written = need;
  return true;
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {
/// Why an access token cannot be a Bearer credential; never mentions the token's bytes.
PROFILE_AUTH_INLINE std::string bearer_rejection_message(std::string_view t) {
  if constexpr (terse_errors)
    return t.empty() ? "empty access token" : "access token is not a b64token";
  if (t.empty())
    return "the access token is empty: fetch a token before building an Authorization header";
  const std::size_t pos = b64token_error_offset(t);
  return "the access token has a byte outside RFC 6750 b64token at offset " + std::to_string(pos) +
         " of " + std::to_string(t.size()) +
         ": it cannot be sent in an Authorization header; the token endpoint issued an "
         "unusable token (check the server, or a proxy that altered the response)";
}

/// Replaces `out` with "Bearer <t>"; false (and `out` untouched) when `t` is not a b64token.
PROFILE_AUTH_INLINE bool assign_bearer_value(std::string& out, std::string_view t) {
  if (!is_b64token(t)) return false;
  out.reserve(bearer_prefix.size() + t.size());
  out.assign(bearer_prefix);
  out.append(t);
  return true;
}
}  // namespace detail

PROFILE_AUTH_INLINE result<std::string> bearer_header_value(const secret& access_token) {
  const std::string_view t = access_token.reveal();
  std::string out;
  if (!detail::assign_bearer_value(out, t))
    return fail(errc::invalid_header_value, detail::bearer_rejection_message(t));
  return out;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_HEADER_HPP
