// SPDX-License-Identifier: MIT
// profile-auth: does a 401 answer reject the access token (so one refresh and retry may help)?
#ifndef PROFILE_AUTH_DETAIL_BEARER_CHALLENGE_HPP
#define PROFILE_AUTH_DETAIL_BEARER_CHALLENGE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/http.hpp>

#include <string_view>  // field values

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/www_authenticate.hpp>  // challenge_reader: the one RFC 9110 §11 grammar
#endif

namespace profile::auth::inline v0::detail {

/// True when `r` is a 401 that says the access token itself was not accepted, so a new token
/// may help: a 401 without WWW-Authenticate (or with only empty values), or one with a Bearer
/// challenge carrying no `error` or `error="invalid_token"` (RFC 6750 §3.1). A Bearer challenge
/// with another error (insufficient_scope, invalid_request) or only other schemes' challenges
/// (Basic, DPoP, Negotiate …) is false: a new token would be refused the same way.
[[nodiscard]] bool rejects_access_token(const http_response& r) noexcept;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

/// What the scan of WWW-Authenticate values found.
struct challenge_scan {
  bool any_challenge = false;         ///< at least one auth-scheme was seen
  bool bearer_rejects_token = false;  ///< a Bearer challenge with no error or error=invalid_token
};

/// Scans one WWW-Authenticate field value with challenge_reader and updates `out`. Nothing is
/// allocated. A value that breaks the grammar counts up to the error: the challenges read
/// before it are kept, and a Bearer challenge cut short is judged on the parameters it had.
PROFILE_AUTH_INLINE void scan_www_authenticate(std::string_view v, challenge_scan& out) noexcept {
  challenge_reader rd(v);
  challenge_piece p;
  bool in_bearer = false;       // the challenge being read is Bearer
  bool bearer_error = false;    // … and it carried an error parameter
  bool bearer_invalid = false;  // … whose value is invalid_token (case-insensitive)
  const auto finish = [&] {
    if (in_bearer && (!bearer_error || bearer_invalid)) out.bearer_rejects_token = true;
    in_bearer = bearer_error = bearer_invalid = false;
  };
  while (rd.next(p)) {
    if (p.kind == challenge_piece::scheme) {
      finish();
      out.any_challenge = true;
      in_bearer = iequals(p.name, "Bearer");
    } else if (p.kind == challenge_piece::param && in_bearer && iequals(p.name, "error")) {
      bearer_error = true;
      bearer_invalid = unquoted_iequals(p, "invalid_token");
    }
  }
  finish();
}

PROFILE_AUTH_INLINE bool rejects_access_token(const http_response& r) noexcept {
  if (r.status != 401) return false;
  challenge_scan scan;
  for (const auto& field : r.headers)
    if (iequals(field.first, "WWW-Authenticate")) scan_www_authenticate(field.second, scan);
  return !scan.any_challenge || scan.bearer_rejects_token;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_BEARER_CHALLENGE_HPP
