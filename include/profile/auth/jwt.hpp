// SPDX-License-Identifier: MIT
// profile-auth: reading a JWT access token's claims WITHOUT verifying it (display and hints only).
#ifndef PROFILE_AUTH_JWT_HPP
#define PROFILE_AUTH_JWT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <chrono>       // std::chrono::sys_seconds for NumericDate claims
#include <cstddef>      // std::size_t
#include <optional>     // absent claims
#include <string>       // claim values
#include <string_view>  // the token, claim names
#include <utility>      // std::pair, std::move
#include <vector>       // aud, roles, raw claims

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // the JOSE header and the claims
#include <profile/auth/encoding.hpp>     // base64url_decode of the parts

#include <cstdint>  // std::int64_t
#endif

namespace profile::auth::inline v0 {

/// Claims read from an access token WITHOUT checking its signature, issuer, audience or
/// expiry. Anyone can mint a token with any claims: use these for display and hints (the
/// user's name, a role to pick a UI, an expiry to refresh early), NEVER to grant access. A
/// server that must trust a token verifies it (signature against the issuer's keys, iss,
/// aud, exp) with a JOSE library, or asks the issuer (RFC 7662 introspection).
///
/// An opaque (non-JWT) token is normal: OAuth access tokens are opaque to clients by design,
/// and then `is_jwt` is false and everything else is empty.
struct unverified_claims {
  bool is_jwt = false;  ///< false: the token is opaque (or encrypted): there are no claims
  std::string alg;      ///< JOSE header `alg` (not checked: nothing is verified)
  std::string typ;      ///< JOSE header `typ` (e.g. "at+jwt", RFC 9068), empty when absent
  std::string kid;      ///< JOSE header `kid`, empty when absent
  std::string sub;      ///< `sub`, empty when absent or not a string
  std::string iss;      ///< `iss`, empty when absent or not a string
  std::optional<std::chrono::sys_seconds> exp;  ///< `exp` (wall clock), fractions floored
  std::optional<std::chrono::sys_seconds> iat;  ///< `iat`
  std::optional<std::chrono::sys_seconds> nbf;  ///< `nbf`
  std::vector<std::string> aud;  ///< `aud`: a string gives one entry, an array its strings
  /// `scope` (RFC 9068, space-separated), or else `scp` (Azure AD, Okta); arrays are joined
  /// with single spaces.
  std::string scope;
  /// `role` then `roles`, each a string or an array of strings, in order, without duplicates.
  std::vector<std::string> roles;
  /// Every claim as (name, raw JSON text of the value), in document order: nested claims
  /// (Keycloak's realm_access, custom namespaces) are read from here.
  std::vector<std::pair<std::string, std::string>> claims;

  /// The raw JSON text of claim `name` (e.g. "\"alice\"", "42", "{\"roles\":[…]}"), if present.
  [[nodiscard]] std::optional<std::string_view> claim(std::string_view name) const noexcept {
    for (const auto& c : claims)
      if (c.first == name) return std::string_view(c.second);
    return std::nullopt;
  }
  /// True when `role` is one of `roles` (exact, case-sensitive).
  [[nodiscard]] bool has_role(std::string_view role) const noexcept {
    for (const auto& r : roles)
      if (r == role) return true;
    return false;
  }
  /// True when `s` is one of the space-separated entries of `scope`.
  [[nodiscard]] bool has_scope(std::string_view s) const noexcept {
    std::string_view rest = scope;
    while (!rest.empty() && !s.empty()) {
      const std::size_t sp = rest.find(' ');
      if (rest.substr(0, sp) == s) return true;
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
    return false;
  }
};

/// Reads the header and claims of a JWS-compact JWT access token (RFC 7519, RFC 9068)
/// WITHOUT VERIFYING ANYTHING (see unverified_claims). A token is taken for a JWT when it has
/// exactly three dot-separated parts and the first decodes (base64url) to a JSON object with
/// a string `alg`; anything else (opaque tokens, JWE with five parts) gives `is_jwt == false`
/// as a normal value, never an error.
/// Errors, only for a token whose header is a JWT header but whose payload is unusable:
/// errc::invalid_base64 (payload not base64url), errc::invalid_json / invalid_utf8 (not a
/// JSON object), errc::limit_exceeded (above `lim`). Messages never contain the token.
[[nodiscard]] result<unverified_claims> decode_unverified_claims(
    std::string_view access_token, const detail::json::limits& lim = {});

/// decode_unverified_claims() for a token held in a `secret` (the claims are not secret; the
/// token stays where it is).
[[nodiscard]] inline result<unverified_claims> decode_unverified_claims(
    const secret& access_token, const detail::json::limits& lim = {}) {
  return decode_unverified_claims(access_token.reveal(), lim);
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

/// A NumericDate (RFC 7519 §2): an integer, or a finite number within ±10^15 s, floored.
PROFILE_AUTH_INLINE std::optional<std::chrono::sys_seconds> numeric_date(const json::value& v) {
  if (const auto i = v.get_int64()) return std::chrono::sys_seconds(std::chrono::seconds(*i));
  const auto d = v.get_double();
  // The range test also refuses NaN and infinities (every comparison with NaN is false).
  if (!d || !(*d >= -1e15 && *d <= 1e15)) return std::nullopt;
  // Floor without <cmath>: the conversion truncates toward zero (exact below 2^53).
  auto whole = static_cast<std::int64_t>(*d);
  if (static_cast<double>(whole) > *d) --whole;
  return std::chrono::sys_seconds(std::chrono::seconds(whole));
}

/// Appends a string, or each string of an array (other kinds skipped), to `out`, skipping
/// values already there when `unique`.
PROFILE_AUTH_INLINE void collect_strings(const json::value& v, std::vector<std::string>& out,
                                         bool unique) {
  const auto add = [&](const json::value& s) {
    std::string text;
    if (!s.copy_string_to(text)) return;
    if (unique)
      for (const auto& have : out)
        if (have == text) return;
    out.push_back(std::move(text));
  };
  if (v.is_array()) {
    for (const json::value e : v.elements()) add(e);
  } else {
    add(v);
  }
}

/// A space-separated string from a string or an array of strings.
PROFILE_AUTH_INLINE std::string joined_strings(const json::value& v) {
  std::vector<std::string> parts;
  collect_strings(v, parts, false);
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += p;
  }
  return out;
}

PROFILE_AUTH_INLINE unexpected<error> jwt_fail(errc code, std::string_view what) {
  return fail(code, "the access token has a JWT header but " + std::string(what) +
                        ": its claims cannot be read (the token itself may still be valid for "
                        "the server; treat it as opaque)");
}

}  // namespace detail

PROFILE_AUTH_INLINE result<unverified_claims> decode_unverified_claims(
    std::string_view access_token, const detail::json::limits& lim) {
  unverified_claims out;
  const std::size_t dot1 = access_token.find('.');
  if (dot1 == std::string_view::npos) return out;
  const std::size_t dot2 = access_token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || access_token.find('.', dot2 + 1) != std::string_view::npos)
    return out;
  // base64url grows 3 bytes to 4: anything longer would exceed the JSON size limit anyway.
  if (access_token.size() / 4 * 3 > lim.max_size)
    return fail(errc::limit_exceeded,
                "the access token is " + std::to_string(access_token.size()) +
                    " bytes, above the JSON size limit for its claims: raise the limit");

  auto header = base64url_decode(access_token.substr(0, dot1));
  if (!header) return out;
  auto hdoc = detail::json::parse(std::string_view(*header), lim);
  if (!hdoc || !hdoc->root().is_object()) return out;
  const auto alg = hdoc->root().find("alg");
  if (!alg || !alg->is_string()) return out;

  auto payload = base64url_decode(access_token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return detail::jwt_fail(errc::invalid_base64, "its payload is not base64url");
  auto pdoc = detail::json::parse(std::string_view(*payload), lim);
  if (!pdoc)
    return detail::jwt_fail(pdoc.error().code,
                            "its payload is not valid JSON (" + pdoc.error().message + ")");
  const detail::json::value root = pdoc->root();
  if (!root.is_object())
    return detail::jwt_fail(errc::invalid_json, "its payload is not a JSON object");

  out.is_jwt = true;
  (void)alg->copy_string_to(out.alg);
  if (const auto v = hdoc->root().find("typ")) (void)v->copy_string_to(out.typ);
  if (const auto v = hdoc->root().find("kid")) (void)v->copy_string_to(out.kid);

  out.claims.reserve(root.size());
  std::optional<detail::json::value> scp, role, roles;
  for (const auto m : root.members()) {
    std::string name;
    (void)m.key.copy_string_to(name);
    const detail::json::value& v = m.value;
    if (name == "sub") {
      (void)v.copy_string_to(out.sub);
    } else if (name == "iss") {
      (void)v.copy_string_to(out.iss);
    } else if (name == "exp") {
      out.exp = detail::numeric_date(v);
    } else if (name == "iat") {
      out.iat = detail::numeric_date(v);
    } else if (name == "nbf") {
      out.nbf = detail::numeric_date(v);
    } else if (name == "aud") {
      detail::collect_strings(v, out.aud, false);
    } else if (name == "scope") {
      out.scope = detail::joined_strings(v);
    } else if (name == "scp") {
      scp = v;
    } else if (name == "role") {
      role = v;
    } else if (name == "roles") {
      roles = v;
    }
    out.claims.emplace_back(std::move(name), std::string(v.raw()));
  }
  if (out.scope.empty() && scp) out.scope = detail::joined_strings(*scp);
  if (role) detail::collect_strings(*role, out.roles, true);
  if (roles) detail::collect_strings(*roles, out.roles, true);
  return out;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_JWT_HPP
