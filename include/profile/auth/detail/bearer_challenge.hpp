// SPDX-License-Identifier: MIT
// profile-auth: does a 401 answer reject the access token (so one refresh and retry may help)?
#ifndef PROFILE_AUTH_DETAIL_BEARER_CHALLENGE_HPP
#define PROFILE_AUTH_DETAIL_BEARER_CHALLENGE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/http.hpp>

#include <cstddef>      // std::size_t
#include <string_view>  // scanning header values without copies

namespace profile::auth::inline v0::detail {

/// RFC 9110 tchar, plus '/' so that a token68 (RFC 9110 §11.2) scans as one run.
[[nodiscard]] constexpr bool is_challenge_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
    case '/':
      return true;
    default:
      return false;
  }
}

/// What the scan of WWW-Authenticate values found.
struct challenge_scan {
  bool any_challenge = false;         ///< at least one auth-scheme was seen
  bool bearer_rejects_token = false;  ///< a Bearer challenge with no error or error=invalid_token
};

/// Scans one WWW-Authenticate field value (RFC 9110 §11.6.1: a comma-separated list of
/// challenges, each `scheme [ token68 / #auth-param ]`) and updates `out`. Tolerant: stray
/// bytes are skipped, an unterminated quoted string ends the value, nothing is allocated.
inline void scan_www_authenticate(std::string_view v, challenge_scan& out) noexcept {
  const std::size_t n = v.size();
  std::size_t i = 0;
  bool in_bearer = false;       // the challenge being read is Bearer
  bool bearer_error = false;    // … and it carried an error parameter
  bool bearer_invalid = false;  // … whose value is invalid_token
  bool fresh_scheme = false;    // right after a scheme: a token68 may follow
  const auto finish = [&] {
    if (in_bearer && (!bearer_error || bearer_invalid)) out.bearer_rejects_token = true;
    in_bearer = bearer_error = bearer_invalid = false;
  };
  const auto skip_ws = [&] {
    while (i < n && (v[i] == ' ' || v[i] == '\t')) ++i;
  };
  while (i < n) {
    bool comma = false;
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) comma |= v[i++] == ',';
    if (i >= n) break;
    if (comma) fresh_scheme = false;
    const std::size_t start = i;
    while (i < n && is_challenge_char(v[i])) ++i;
    const std::string_view word = v.substr(start, i - start);
    if (word.empty()) {  // a stray byte ('"', '=', a control byte): skip it
      ++i;
      continue;
    }
    skip_ws();
    if (i < n && v[i] == '=') {
      std::size_t eq_end = i;
      while (eq_end < n && v[eq_end] == '=') ++eq_end;
      std::size_t j = eq_end;
      while (j < n && (v[j] == ' ' || v[j] == '\t')) ++j;
      if (j >= n || v[j] == ',' || eq_end - i > 1) {  // token68 with '=' padding: no parameter
        i = eq_end;
        fresh_scheme = false;
        continue;
      }
      // An auth-param: name=token or name="quoted string".
      i = j;
      bool value_is_invalid_token = false;
      if (v[i] == '"') {
        ++i;
        // Compare on the fly against "invalid_token", unescaping quoted-pairs.
        constexpr std::string_view want = "invalid_token";
        std::size_t matched = 0;
        bool mismatch = false;
        while (i < n && v[i] != '"') {
          if (v[i] == '\\' && i + 1 < n) ++i;
          if (matched < want.size() && ascii_lower(v[i]) == want[matched])
            ++matched;
          else
            mismatch = true;
          ++i;
        }
        if (i < n) ++i;  // the closing quote
        value_is_invalid_token = !mismatch && matched == want.size();
      } else {
        const std::size_t vs = i;
        while (i < n && is_challenge_char(v[i])) ++i;
        value_is_invalid_token = iequals(v.substr(vs, i - vs), "invalid_token");
      }
      if (in_bearer && iequals(word, "error")) {
        bearer_error = true;
        bearer_invalid = value_is_invalid_token;
      }
      fresh_scheme = false;
      continue;
    }
    if (fresh_scheme && !comma) {  // "Scheme token68" without padding: not a new challenge
      fresh_scheme = false;
      continue;
    }
    // A new challenge.
    finish();
    out.any_challenge = true;
    in_bearer = iequals(word, "Bearer");
    fresh_scheme = true;
  }
  finish();
}

/// True when `r` is a 401 that says the access token itself was not accepted, so a new token
/// may help: a 401 without WWW-Authenticate (or with only empty values), or one with a Bearer
/// challenge carrying no `error` or `error="invalid_token"` (RFC 6750 §3.1). A Bearer challenge
/// with another error (insufficient_scope, invalid_request) or only other schemes' challenges
/// (Basic, DPoP, Negotiate …) is false: a new token would be refused the same way.
[[nodiscard]] inline bool rejects_access_token(const http_response& r) noexcept {
  if (r.status != 401) return false;
  challenge_scan scan;
  for (const auto& field : r.headers)
    if (iequals(field.first, "WWW-Authenticate")) scan_www_authenticate(field.second, scan);
  return !scan.any_challenge || scan.bearer_rejects_token;
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_BEARER_CHALLENGE_HPP
