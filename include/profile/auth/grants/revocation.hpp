// SPDX-License-Identifier: MIT
// profile-auth: token revocation (RFC 7009): the request and the reading of its answer.
#ifndef PROFILE_AUTH_GRANTS_REVOCATION_HPP
#define PROFILE_AUTH_GRANTS_REVOCATION_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <string>       // messages
#include <string_view>  // hint names
#include <utility>      // std::move

namespace profile::auth::inline v0 {

/// Which kind of token a revocation request names (RFC 7009 §2.1 `token_type_hint`). A hint
/// only speeds up the server's lookup; a server must search other types when it is wrong.
enum class token_type_hint : unsigned char {
  none,           ///< no hint sent
  refresh_token,  ///< revoking a refresh token also ends the grant's access tokens (§2.1)
  access_token,
};

/// "refresh_token", "access_token", or "" for none.
[[nodiscard]] constexpr std::string_view to_string(token_type_hint h) noexcept {
  switch (h) {
    case token_type_hint::refresh_token:
      return "refresh_token";
    case token_type_hint::access_token:
      return "access_token";
    case token_type_hint::none:
      break;
  }
  return "";
}

/// Builds a revocation request (RFC 7009 §2.1): `POST revocation_endpoint`, a form body with
/// `token` (= `to_revoke`) and `token_type_hint` (unless none), then the client's credentials
/// (client_id for a public client, Basic or body for a confidential one), `Accept:
/// application/json`. Log out by revoking the refresh token first (that ends the grant), then the
/// access token. Errors: errc::invalid_argument when revocation_endpoint is empty (the server
/// offers none: just forget the tokens), `to_revoke` is empty or has control bytes, or the client
/// settings are incomplete; errc::invalid_url / errc::insecure_endpoint for the endpoint.
[[nodiscard]] result<http_request> revocation_request(
    const user_auth_config& c, const secret& to_revoke,
    token_type_hint hint = token_type_hint::refresh_token);

/// Reads the answer to revocation_request() (RFC 7009 §2.2). Any 2xx means done: the token is
/// revoked, or was already invalid (a server answers 200 for unknown tokens too, so nothing
/// can be learnt about a token from this call).
/// Errors:
/// - errc::unsupported_token_type (oauth_error "unsupported_token_type", §2.2.1): the server
///   does not revoke this kind of token (often access tokens, which then simply expire). Safe
///   to treat as done when logging out;
/// - any other answer: as oauth_error_from_response() (the OAuth errc, e.g. invalid_client,
///   or errc::http_error for answers without an OAuth body; a 503 keeps Retry-After, and
///   classify() says retryable).
/// Set opts.redact to the token revoked and the client's credentials: no error then repeats
/// them, even when the server quotes them (see response_error_options::redact).
[[nodiscard]] result<void> parse_revocation_response(const http_response& resp,
                                                     const response_error_options& opts = {});

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<http_request> revocation_request(const user_auth_config& c,
                                                            const secret& to_revoke,
                                                            token_type_hint hint) {
  if (auto r = detail::check_secret_param("the token to revoke", to_revoke, body_format::form); !r)
    return unexpected<error>(std::move(r).error());
  auto u = detail::begin_user_request(c, "revocation_endpoint", c.revocation_endpoint,
                                      body_format::form, {}, 3 * to_revoke.size() + 32);
  if (!u) return unexpected<error>(std::move(u).error());
  detail::add_param(*u, "token", to_revoke.reveal());
  if (hint != token_type_hint::none) detail::add_param(*u, "token_type_hint", to_string(hint));
  return detail::finish_user_request(c, std::move(*u));
}

PROFILE_AUTH_INLINE result<void> parse_revocation_response(const http_response& resp,
                                                           const response_error_options& opts) {
  if (resp.ok()) return {};
  error e = oauth_error_from_response(resp, "revocation endpoint", opts);
  if (e.oauth_error == "unsupported_token_type") {
    e.code = errc::unsupported_token_type;
    e.message = "the revocation endpoint answered " + std::to_string(resp.status) +
                " unsupported_token_type: the server does not revoke this kind of token; it "
                "stays valid until it expires (treat the logout as done, and forget the token)";
    detail::append_context(e.message, e);
    if (opts.redact != nullptr) opts.redact->scrub(e);
  }
  return unexpected<error>(std::move(e));
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_REVOCATION_HPP
