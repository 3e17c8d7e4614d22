// SPDX-License-Identifier: MIT
// profile-auth: client configurations from an authorization server's metadata, in one call.
#ifndef PROFILE_AUTH_FROM_METADATA_HPP
#define PROFILE_AUTH_FROM_METADATA_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/discovery.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <string>       // ids, URIs, messages
#include <string_view>  // the issuer
#include <utility>      // std::move

namespace profile::auth::inline v0 {

/// A client credentials configuration (RFC 6749 §4.4) for the server described by `m`:
/// its token_endpoint, a form body, and client authentication by preferred_client_auth()
/// (HTTP Basic with form-encoded credentials when accepted, else client_secret_post). Scope,
/// audience and resource are left for the caller; allow_insecure_http stays false.
/// Errors: errc::invalid_argument when `m` has no token_endpoint, the server accepts neither
/// secret-based method, or client_id/client_secret are empty or hold control bytes;
/// errc::unsupported_grant_type when the server lists its grant types without
/// client_credentials.
[[nodiscard]] result<client_credentials_config> client_credentials_config_from(
    const authorization_server_metadata& m, std::string client_id, secret client_secret);

namespace detail {
/// user_auth_config_from() for both client kinds, with allow_insecure_http set as given.
[[nodiscard]] result<user_auth_config> user_auth_from(const authorization_server_metadata& m,
                                                      std::string client_id, secret client_secret,
                                                      std::string redirect_uri,
                                                      bool allow_insecure_http);
}  // namespace detail

/// A public client's user_auth_config (native app, CLI, game: no secret) for the server `m`
/// describes: its authorization, token, revocation and device authorization endpoints (the
/// last two empty when it has none), `client_id` and `redirect_uri` (byte for byte as
/// registered). Scope is left for the caller; allow_insecure_http stays false.
/// Checks, failing with:
/// - errc::invalid_argument: no authorization_endpoint or token_endpoint; PKCE methods listed
///   without S256 (an absent list is accepted, since many servers enforce PKCE without listing
///   it); the server requires pushed authorization requests; an empty client_id or a bad
///   redirect_uri (errc::invalid_url / insecure_endpoint for those, as user_auth_config checks);
/// - errc::unsupported_grant_type / unsupported_response_type: grant types or response types
///   are listed without authorization_code / code.
/// Check the callback's `iss` with callback_issuer(m) (RFC 9207).
[[nodiscard]] result<user_auth_config> user_auth_config_from(const authorization_server_metadata& m,
                                                             std::string client_id,
                                                             std::string redirect_uri);

/// A confidential client's user_auth_config (a backend holding `client_secret`): as the public
/// form, with client authentication chosen by preferred_client_auth() (its errors too).
[[nodiscard]] result<user_auth_config> user_auth_config_from(const authorization_server_metadata& m,
                                                             std::string client_id,
                                                             secret client_secret,
                                                             std::string redirect_uri);

/// How to check the `iss` of authorization callbacks from the server `m` describes (RFC 9207):
/// pass both to parse_authorization_callback().
struct callback_issuer_check {
  std::string issuer;  ///< the expected `iss`
  /// issuer_policy::required when the server advertises
  /// authorization_response_iss_parameter_supported, else issuer_policy::if_present.
  issuer_policy policy = issuer_policy::if_present;
};

/// The RFC 9207 check for callbacks from the server `m` describes.
[[nodiscard]] inline callback_issuer_check callback_issuer(const authorization_server_metadata& m) {
  return {m.issuer, m.authorization_response_iss_parameter_supported ? issuer_policy::required
                                                                     : issuer_policy::if_present};
}

/// discover() then client_credentials_config_from(), in one call. allow_insecure_http is
/// copied from `opts`. Errors: those of both.
template <Transport T>
[[nodiscard]] result<client_credentials_config> discover_client_credentials_config(
    T& transport, std::string_view issuer, std::string client_id, secret client_secret,
    const discovery_options& opts = {}) {
  auto m = discover(transport, issuer, opts);
  if (!m) return unexpected<error>(std::move(m).error());
  auto c = client_credentials_config_from(*m, std::move(client_id), std::move(client_secret));
  if (c) c->allow_insecure_http = opts.allow_insecure_http;
  return c;
}

/// What discover_user_auth_config() found: the configuration, the RFC 9207 callback check,
/// and the whole metadata (scopes_supported, registration_endpoint, …).
struct discovered_user_auth {
  /// The configuration for the authorization code and device flows.
  user_auth_config config;
  /// How parse_authorization_callback checks `iss` (RFC 9207).
  callback_issuer_check callback_issuer;
  /// The server's whole metadata document.
  authorization_server_metadata metadata;
};

/// discover() then user_auth_config_from() for a confidential client, in one call.
/// allow_insecure_http is copied from `opts`. Errors: those of both.
template <Transport T>
[[nodiscard]] result<discovered_user_auth> discover_user_auth_config(
    T& transport, std::string_view issuer, std::string client_id, secret client_secret,
    std::string redirect_uri, const discovery_options& opts = {}) {
  auto m = discover(transport, issuer, opts);
  if (!m) return unexpected<error>(std::move(m).error());
  auto c = detail::user_auth_from(*m, std::move(client_id), std::move(client_secret),
                                  std::move(redirect_uri), opts.allow_insecure_http);
  if (!c) return unexpected<error>(std::move(c).error());
  discovered_user_auth d{std::move(*c), callback_issuer(*m), std::move(*m)};
  return d;
}

/// discover() then user_auth_config_from() for a public client, in one call.
/// allow_insecure_http is copied from `opts`. Errors: those of both.
template <Transport T>
[[nodiscard]] result<discovered_user_auth> discover_user_auth_config(
    T& transport, std::string_view issuer, std::string client_id, std::string redirect_uri,
    const discovery_options& opts = {}) {
  return discover_user_auth_config(transport, issuer, std::move(client_id), secret(),
                                   std::move(redirect_uri), opts);
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

[[nodiscard]] PROFILE_AUTH_INLINE result<void> require_endpoint(std::string_view name,
                                                                std::string_view value,
                                                                std::string_view why) {
  if (!value.empty()) return {};
  return fail(errc::invalid_argument, "the authorization server's metadata has no " +
                                          std::string(name) + ": " + std::string(why));
}

[[nodiscard]] PROFILE_AUTH_INLINE result<void> require_grant(const authorization_server_metadata& m,
                                                             std::string_view grant) {
  // An absent list is not held against the server: many omit it and support more than
  // RFC 8414's default would say.
  if (m.grant_types_supported.empty() || list_has(m.grant_types_supported, grant)) return {};
  return fail(errc::unsupported_grant_type,
              "the authorization server's metadata does not list the " + std::string(grant) +
                  " grant in grant_types_supported: it will refuse this flow");
}

}  // namespace detail

PROFILE_AUTH_INLINE result<client_credentials_config> client_credentials_config_from(
    const authorization_server_metadata& m, std::string client_id, secret client_secret) {
  if (auto r = detail::require_endpoint("token_endpoint", m.token_endpoint,
                                        "the client credentials grant needs one");
      !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = detail::require_grant(m, "client_credentials"); !r)
    return unexpected<error>(std::move(r).error());
  auto auth = preferred_client_auth(m);
  if (!auth) return unexpected<error>(std::move(auth).error());
  client_credentials_config c;
  c.token_endpoint = m.token_endpoint;
  c.client_id = std::move(client_id);
  c.client_secret = std::move(client_secret);
  c.format = body_format::form;
  c.auth = *auth;
  c.basic = basic_encoding::form_encoded;
  if (auto r = validate_client_auth(c.client_id, c.client_secret, c.auth, c.basic, c.format); !r)
    return unexpected<error>(std::move(r).error());
  return c;
}

namespace detail {

PROFILE_AUTH_INLINE result<user_auth_config> user_auth_from(const authorization_server_metadata& m,
                                                            std::string client_id,
                                                            secret client_secret,
                                                            std::string redirect_uri,
                                                            bool allow_insecure_http) {
  if (auto r = require_endpoint("authorization_endpoint", m.authorization_endpoint,
                                "the server offers no authorization code flow");
      !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = require_endpoint("token_endpoint", m.token_endpoint,
                                "codes cannot be exchanged without one");
      !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = require_grant(m, "authorization_code"); !r)
    return unexpected<error>(std::move(r).error());
  if (!m.response_types_supported.empty() && !list_has(m.response_types_supported, "code"))
    return fail(errc::unsupported_response_type,
                "the authorization server's metadata does not list response type 'code': it "
                "offers no authorization code flow");
  if (!m.code_challenge_methods_supported.empty() && !supports_pkce_s256(m))
    return fail(errc::invalid_argument,
                "the authorization server lists PKCE methods without S256: this library always "
                "uses S256 (OAuth 2.1; 'plain' protects nothing), so this server cannot be used");
  if (m.require_pushed_authorization_requests)
    return fail(errc::invalid_argument,
                "the authorization server requires pushed authorization requests (RFC 9126), "
                "which this library does not send yet");
  user_auth_config c;
  c.authorization_endpoint = m.authorization_endpoint;
  c.token_endpoint = m.token_endpoint;
  c.revocation_endpoint = m.revocation_endpoint;
  c.device_authorization_endpoint = m.device_authorization_endpoint;
  c.client_id = std::move(client_id);
  c.client_secret = std::move(client_secret);
  c.redirect_uri = std::move(redirect_uri);
  c.allow_insecure_http = allow_insecure_http;
  if (!c.client_secret.empty()) {
    auto auth = preferred_client_auth(m);
    if (!auth) return unexpected<error>(std::move(auth).error());
    c.auth = *auth;
  }
  if (auto r = check_client(c, c.format); !r) return unexpected<error>(std::move(r).error());
  if (auto r = check_redirect_uri(c); !r) return unexpected<error>(std::move(r).error());
  return c;
}

}  // namespace detail

PROFILE_AUTH_INLINE result<user_auth_config> user_auth_config_from(
    const authorization_server_metadata& m, std::string client_id, std::string redirect_uri) {
  return detail::user_auth_from(m, std::move(client_id), secret(), std::move(redirect_uri), false);
}

PROFILE_AUTH_INLINE result<user_auth_config> user_auth_config_from(
    const authorization_server_metadata& m, std::string client_id, secret client_secret,
    std::string redirect_uri) {
  return detail::user_auth_from(m, std::move(client_id), std::move(client_secret),
                                std::move(redirect_uri), false);
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_FROM_METADATA_HPP
