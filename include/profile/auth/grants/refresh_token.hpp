// SPDX-License-Identifier: MIT
// profile-auth: the refresh token grant (RFC 6749 §6) with OAuth 2.1 refresh token rotation.
#ifndef PROFILE_AUTH_GRANTS_REFRESH_TOKEN_HPP
#define PROFILE_AUTH_GRANTS_REFRESH_TOKEN_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/redact.hpp>  // the refresh's credentials, kept out of errors
#include <profile/auth/error.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_response.hpp>

#include <string>       // messages
#include <string_view>  // scope
#include <utility>      // std::move

namespace profile::auth::inline v0 {

/// Builds a refresh request (RFC 6749 §6): `POST token_endpoint`, `Accept: application/json`,
/// body grant_type=refresh_token, refresh_token, scope (only when `scope` is not empty: asking
/// for less than was granted; empty keeps the granted scope), the configuration's RFC 8707
/// resource indicators (each), then the client's credentials
/// (client_id for a public client, Basic or body for a confidential one).
/// Errors: errc::not_authenticated when `refresh_token` is empty (there is nothing to refresh
/// with: the user must log in); errc::invalid_argument for control bytes, an empty client_id
/// or a missing secret; errc::invalid_url / errc::insecure_endpoint for token_endpoint.
/// No message contains the refresh token or the client secret.
[[nodiscard]] result<http_request> refresh_token_request(const user_auth_config& c,
                                                         const secret& refresh_token,
                                                         std::string_view scope = {});

/// Combines the token a refresh returned with the one it replaces (RFC 6749 §6, and OAuth
/// 2.1's rotation of public clients' refresh tokens): a refresh token in `fresh` replaces the
/// previous one (rotation: the old one is dead from now on); when the server sent none, the
/// previous refresh token stays valid and is kept. A missing scope means "as granted before"
/// (RFC 6749 §5.1) and keeps the previous scope. Everything else comes from `fresh`. Pure:
/// storing the result (atomically, with compare-and-swap against the previous refresh token)
/// is the caller's job.
[[nodiscard]] token apply_refresh_rotation(const token& previous, token fresh);

/// True when `fresh` carries a refresh token different from `previous`'s (the server rotated
/// it): the previous one must not be used again, by this process or any other sharing a store.
[[nodiscard]] inline bool refresh_token_rotated(const token& previous, const token& fresh) {
  return !fresh.refresh_token.empty() && !(fresh.refresh_token == previous.refresh_token);
}

/// Parses the answer to refresh_token_request() and applies rotation (apply_refresh_rotation
/// against `previous`). No error contains previous.refresh_token or previous.access_token
/// (nor the credentials of opts.redact, where the caller names the client secret): a server
/// that quotes them back has them replaced by "[redacted]".
/// Errors: those of parse_token_response(), except that `invalid_grant` becomes
/// errc::reauthentication_required: the refresh token is expired, revoked or was already used
/// (a rotated token replayed), and only a new login helps. error::oauth_error stays
/// "invalid_grant", with the status and the server's description; the caller should clear the
/// stored session (after checking that no other process rotated it meanwhile).
[[nodiscard]] result<token> parse_refresh_response(const http_response& resp,
                                                   time_point received_at, const token& previous,
                                                   const token_parse_options& opts = {});

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<http_request> refresh_token_request(const user_auth_config& c,
                                                               const secret& refresh_token,
                                                               std::string_view scope) {
  if (refresh_token.empty())
    return fail(errc::not_authenticated,
                "there is no refresh token to refresh with: the user must log in again");
  if (auto r = detail::check_secret_param("the refresh token", refresh_token, c.format); !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = detail::check_text_param("scope", scope, c.format); !r)
    return unexpected<error>(std::move(r).error());
  auto u = detail::begin_user_request(c, "token_endpoint", c.token_endpoint, c.format,
                                      "refresh_token", 3 * (refresh_token.size() + scope.size()));
  if (!u) return unexpected<error>(std::move(u).error());
  detail::add_param(*u, "refresh_token", refresh_token.reveal());
  if (!scope.empty()) detail::add_param(*u, "scope", scope);
  detail::add_resources(*u, c);
  return detail::finish_user_request(c, std::move(*u));
}

PROFILE_AUTH_INLINE token apply_refresh_rotation(const token& previous, token fresh) {
  if (fresh.refresh_token.empty()) fresh.refresh_token = previous.refresh_token;
  if (fresh.scope.empty()) fresh.scope = previous.scope;
  return fresh;
}

PROFILE_AUTH_INLINE result<token> parse_refresh_response(const http_response& resp,
                                                         time_point received_at,
                                                         const token& previous,
                                                         const token_parse_options& opts) {
  // The request carried the refresh token; the access token may be quoted from elsewhere.
  detail::credential_list sent(opts.redact);
  sent.add(previous.refresh_token).add(previous.access_token);
  token_parse_options o = opts;
  o.redact = &sent;
  auto t = parse_token_response(resp, received_at, o);
  if (!t) {
    error e = std::move(t).error();
    if (e.code == errc::invalid_grant) {
      e.code = errc::reauthentication_required;
      e.message = "the " + std::string(opts.endpoint_name) + " answered " +
                  std::to_string(e.http_status) +
                  " invalid_grant to a refresh: the refresh token is expired, revoked or was "
                  "already used (rotation); the user must log in again";
      detail::append_context(e.message, e);
      sent.scrub(e);
    }
    return unexpected<error>(std::move(e));
  }
  return apply_refresh_rotation(previous, std::move(*t));
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_REFRESH_TOKEN_HPP
