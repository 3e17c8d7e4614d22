// SPDX-License-Identifier: MIT
// profile-auth: the configuration every user-authorization request shares, and its checks.
#ifndef PROFILE_AUTH_GRANTS_USER_AUTH_CONFIG_HPP
#define PROFILE_AUTH_GRANTS_USER_AUTH_CONFIG_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <cstddef>      // std::size_t
#include <string>       // config fields, messages
#include <string_view>  // parameter names
#include <utility>      // std::move
#include <vector>       // resource, api_origins

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/url.hpp>  // check_endpoint, parse_url for the configured URLs
#endif

namespace profile::auth::inline v0 {

/// One OAuth client acting for users: the authorization code flow with PKCE, refresh,
/// revocation and the device flow all read this (the DESIGN card's `oauth_cfg`).
///
/// A **public client** (native app, CLI, game, SPA: anything that cannot keep a secret) leaves
/// `client_secret` empty and sends `client_id` in each token request body. A **confidential
/// client** (a backend) sets `client_secret` and authenticates with `auth` (HTTP Basic by
/// default, or client_secret_post).
struct user_auth_config {
  std::string authorization_endpoint;         ///< where the browser goes (https, loopback excepted)
  std::string token_endpoint;                 ///< code exchange, refresh, device polling
  std::string revocation_endpoint;            ///< RFC 7009; empty when the server has none
  std::string device_authorization_endpoint;  ///< RFC 8628; empty when not used
  /// The client's identifier (registered, or from client registration).
  std::string client_id;
  secret client_secret;  ///< empty: public client (client_id in the body, no secret anywhere)
  client_auth auth = client_auth::client_secret_basic;  ///< how a confidential client proves it
  basic_encoding basic = basic_encoding::form_encoded;  ///< id/secret encoding inside Basic
  /// Body of token endpoint requests (code, refresh, device token). Standard servers want form;
  /// revocation and device authorization requests are always form (RFC 7009, RFC 8628).
  body_format format = body_format::form;
  /// The redirect URI registered for the client, byte for byte (OAuth 2.1 compares exactly):
  /// https, a loopback http URI (RFC 8252 §7.3) or a private-use scheme (RFC 8252 §7.1).
  std::string redirect_uri;
  std::string scope;  ///< space-separated; omitted when empty
  /// RFC 8707 resource indicators (absolute URIs of the APIs the token is for, e.g. Profile's
  /// MCP endpoint from https://support.profilebehavior.com/api-reference/mcp:
  /// "https://vanguard.profilebehavior.com/mcp"), in order. Sent in the authorization request
  /// (authorization_url, before any authorization_url_options::resource), in the device
  /// authorization request and in every token request: code exchange, refresh and device
  /// polling (the MCP authorization rules require them in both). Not in revocation.
  std::vector<std::string> resource;
  bool allow_insecure_http = false;  ///< permit http:// to a non-loopback host (testing only)
  /// Where user_session::send() may attach the user's token, besides the token endpoint's
  /// origin: the API's base URLs, such as "https://api.example.com" (only the origin counts).
  /// Every other destination is refused with errc::invalid_url before anything is sent
  /// (docs/user_session.md, "Where the token goes"). Not part of any request.
  std::vector<std::string> api_origins;
};

/// The client authentication actually used: client_auth::none for a public client (empty
/// client_secret), otherwise `c.auth`.
[[nodiscard]] inline client_auth effective_client_auth(const user_auth_config& c) noexcept {
  return c.client_secret.empty() ? client_auth::none : c.auth;
}

/// True when the client has no secret (RFC 6749 §2.1 public client).
[[nodiscard]] inline bool is_public_client(const user_auth_config& c) noexcept {
  return c.client_secret.empty();
}

namespace detail {

/// Checks one configured endpoint: non-empty (naming the field that is missing), then
/// check_endpoint().
[[nodiscard]] result<void> check_configured_endpoint(std::string_view field, std::string_view url,
                                                     bool insecure);

/// Checks the redirect URI: absolute, no fragment (RFC 6749 §3.1.2), no control bytes, and
/// not plain http to a non-loopback host unless allowed. Messages name scheme and host only.
[[nodiscard]] result<void> check_redirect_uri(const user_auth_config& c);

/// Checks client_id and the credentials used for token endpoint requests.
[[nodiscard]] result<void> check_client(const user_auth_config& c, body_format fmt);

/// A token request (form or JSON body, unfinished) after its endpoint and the client were
/// checked. finish_user_request() adds the client's credentials and closes the body.
struct user_request {
  http_request req;
  body_format fmt = body_format::form;
};

/// Checks `endpoint` (named `field`), the client and the scope; then starts a POST with
/// `Accept: application/json`, the Content-Type of `fmt` and `grant_type` (when not empty) as
/// the first body member. `reserve` sizes the body once, so no reallocation leaves a stale
/// copy of a secret in freed memory.
[[nodiscard]] result<user_request> begin_user_request(const user_auth_config& c,
                                                      std::string_view field,
                                                      std::string_view endpoint, body_format fmt,
                                                      std::string_view grant_type,
                                                      std::size_t reserve);

/// Appends one parameter to the request's body.
inline void add_param(user_request& u, std::string_view name, std::string_view value) {
  append_param(u.req.body, u.fmt, name, value);
}

/// Appends the configuration's RFC 8707 `resource` indicators (checked by begin_user_request).
inline void add_resources(user_request& u, const user_auth_config& c) {
  append_list_param(u.req.body, u.fmt, "resource", c.resource);
}

/// Adds the client's credentials (client_id in the body for public clients, Basic or body for
/// confidential ones) and closes a JSON body.
[[nodiscard]] http_request finish_user_request(const user_auth_config& c, user_request&& u);

/// Checks a secret parameter (code, refresh token, device code, token to revoke) that goes
/// into a request body: non-empty and free of control bytes. Names it, never shows it.
[[nodiscard]] result<void> check_secret_param(std::string_view name, const secret& s,
                                              body_format fmt);

}  // namespace detail

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

PROFILE_AUTH_INLINE result<void> check_configured_endpoint(std::string_view field,
                                                           std::string_view url, bool insecure) {
  if (url.empty())
    return fail(errc::invalid_argument,
                std::string(field) +
                    " is empty: set it from the server's documentation or its "
                    "discovery document");
  if (auto u = check_endpoint(url, insecure); !u) {
    error e = std::move(u).error();
    e.message = std::string(field) + ": " + e.message;
    return unexpected<error>(std::move(e));
  }
  return {};
}

PROFILE_AUTH_INLINE result<void> check_redirect_uri(const user_auth_config& c) {
  if (c.redirect_uri.empty())
    return fail(errc::invalid_argument,
                "redirect_uri is empty: set it to the redirect URI registered for the client");
  return check_redirect_target("redirect_uri", c.redirect_uri, c.allow_insecure_http);
}

PROFILE_AUTH_INLINE result<void> check_client(const user_auth_config& c, body_format fmt) {
  return validate_client_auth(c.client_id, c.client_secret, effective_client_auth(c), c.basic, fmt);
}

PROFILE_AUTH_INLINE result<user_request> begin_user_request(
    const user_auth_config& c, std::string_view field, std::string_view endpoint, body_format fmt,
    std::string_view grant_type, std::size_t reserve) {
  if (auto r = check_configured_endpoint(field, endpoint, c.allow_insecure_http); !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = check_client(c, fmt); !r) return unexpected<error>(std::move(r).error());
  if (auto r = check_text_param("scope", c.scope, fmt); !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = check_list_param("resource", c.resource, fmt,
                                "RFC 8707 resource indicators are absolute URIs");
      !r)
    return unexpected<error>(std::move(r).error());
  user_request u;
  u.fmt = fmt;
  u.req.method = "POST";
  u.req.url = std::string(endpoint);
  u.req.headers.add("Accept", "application/json");
  u.req.headers.add("Content-Type", std::string(content_type_of(fmt)));
  u.req.body.reserve(reserve + 160 + 3 * (c.client_id.size() + c.client_secret.size()));
  if (fmt == body_format::json) u.req.body.push_back('{');
  if (!grant_type.empty()) append_param(u.req.body, fmt, "grant_type", grant_type);
  return u;
}

PROFILE_AUTH_INLINE http_request finish_user_request(const user_auth_config& c, user_request&& u) {
  apply_client_auth(u.req, u.req.body, u.fmt, c.client_id, c.client_secret,
                    effective_client_auth(c), c.basic);
  if (u.fmt == body_format::json) u.req.body.push_back('}');
  return std::move(u.req);
}

PROFILE_AUTH_INLINE result<void> check_secret_param(std::string_view name, const secret& s,
                                                    body_format fmt) {
  if (s.empty()) return fail(errc::invalid_argument, std::string(name) + " is empty");
  return check_text_param(name, s.reveal(), fmt);
}

}  // namespace detail

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_USER_AUTH_CONFIG_HPP
