// SPDX-License-Identifier: MIT
// profile-auth: the client credentials grant (RFC 6749 §4.4 and the Profile API's JSON form).
#ifndef PROFILE_AUTH_GRANTS_CLIENT_CREDENTIALS_HPP
#define PROFILE_AUTH_GRANTS_CLIENT_CREDENTIALS_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <string>       // config fields, the body
#include <string_view>  // parameter names
#include <utility>      // std::pair for extra parameters
#include <vector>       // audience, resource, extra parameters

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json_writer.hpp>  // JSON string escaping of list members
#include <profile/auth/encoding.hpp>            // form fields
#include <profile/auth/url.hpp>                 // the endpoint check

#include <cstddef>  // std::size_t
#endif

namespace profile::auth::inline v0 {

/// Everything a client credentials token request needs.
///
/// The defaults are RFC 6749's: a form body and HTTP Basic with form-encoded credentials.
/// The Profile API wants `format = body_format::json, auth = client_auth::client_secret_post`;
/// profile::m2m_config() sets that up.
struct client_credentials_config {
  std::string token_endpoint;  ///< absolute https:// URL (http:// only for loopback or opt-in)
  /// The client's identifier.
  std::string client_id;
  secret client_secret;  ///< may be empty only with client_auth::none
  /// The token request's body: form (RFC 6749) or JSON (the Profile API).
  body_format format = body_format::form;
  /// Where the credentials go: HTTP Basic, the body, or nowhere (client_auth::none).
  client_auth auth = client_auth::client_secret_basic;
  /// How client_id and client_secret are encoded in HTTP Basic.
  basic_encoding basic = basic_encoding::form_encoded;
  std::string scope;                  ///< space-separated; omitted when empty
  std::vector<std::string> audience;  ///< `audience` parameter(s) (Auth0, Okta …); in order
  std::vector<std::string> resource;  ///< RFC 8707 resource indicators (absolute URIs); in order
  /// Further parameters, sent after all others in order. Names the request already uses
  /// (grant_type, client_id, client_secret, scope, audience, resource) are rejected.
  std::vector<std::pair<std::string, std::string>> extra_params;
  bool allow_insecure_http = false;  ///< permit http:// to a non-loopback host (testing only)
  /// Where m2m_client::send() may attach the token, besides the origins it allows by default
  /// (the token endpoint's, and those of `resource` and `audience` values that are https URLs):
  /// absolute URLs such as "https://api.example.com", of which only the origin (scheme, host,
  /// port) counts. Every other destination is refused with errc::invalid_url before anything is
  /// sent (docs/caching.md, "Where the token goes"). Not part of the token request.
  std::vector<std::string> api_origins;
};

namespace detail {
inline constexpr std::string_view cc_reserved_params[] = {
    "grant_type", "client_id", "client_secret", "scope", "audience", "resource"};

}  // namespace detail

/// Checks a client credentials configuration without building anything.
/// Errors:
/// - errc::invalid_url / errc::insecure_endpoint: token_endpoint does not parse, is not
///   http(s), carries user information or a fragment, or is plain http to a non-loopback host
///   while allow_insecure_http is false (see check_endpoint);
/// - errc::invalid_argument: what validate_client_auth() rejects (empty id or secret, control
///   bytes, ':' in the id with raw Basic, malformed UTF-8 in a JSON body); control bytes in
///   scope, audience, resource or extra parameters; an empty audience, resource or extra name;
///   an extra parameter that repeats a name the request already uses.
/// Messages name the offending field and offset, never a credential.
[[nodiscard]] result<void> validate(const client_credentials_config& c);

/// Builds the client credentials token request after validate() succeeded:
/// - `POST token_endpoint` with `Accept: application/json` (servers such as GitHub answer in
///   form encoding otherwise), `Content-Type` matching the body;
/// - body members in this order: grant_type, client_id/client_secret (client_secret_post) or
///   client_id (none), scope, audience, resource, extra parameters;
/// - JSON bodies write one audience/resource as a string and several as an array; form bodies
///   repeat the parameter;
/// - client_secret_basic puts the credentials in `Authorization: Basic …` only (never in the
///   body too: servers reject a request that authenticates twice).
/// Errors: those of validate(); nothing is built when it fails.
[[nodiscard]] result<http_request> client_credentials_request(const client_credentials_config& c);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {}  // namespace detail

PROFILE_AUTH_INLINE result<void> validate(const client_credentials_config& c) {
  if (auto r = detail::check_endpoint_text(c.token_endpoint, c.allow_insecure_http); !r) return r;
  if (auto r = validate_client_auth(c.client_id, c.client_secret, c.auth, c.basic, c.format); !r)
    return r;
  if (auto r = detail::check_text_param("scope", c.scope, c.format); !r) return r;
  for (const auto& a : c.audience) {
    if (a.empty())
      return fail(errc::invalid_argument, detail::terse_errors
                                              ? "empty audience"
                                              : "an audience value is empty: remove it or set it");
    if (auto r = detail::check_text_param("audience", a, c.format); !r) return r;
  }
  for (const auto& res : c.resource) {
    if (res.empty())
      return fail(
          errc::invalid_argument,
          detail::terse_errors
              ? "empty resource"
              : "a resource value is empty: RFC 8707 resource indicators are absolute URIs");
    if (auto r = detail::check_text_param("resource", res, c.format); !r) return r;
  }
  for (const auto& [name, value] : c.extra_params) {
    if (name.empty())
      return fail(errc::invalid_argument, detail::terse_errors
                                              ? "empty extra parameter name"
                                              : "an extra parameter has an empty name: set a name");
    for (const std::string_view reserved : detail::cc_reserved_params)
      if (name == reserved) {
        if constexpr (detail::terse_errors)
          return fail(errc::invalid_argument, "extra parameter repeats a request parameter");
        return fail(errc::invalid_argument,
                    "extra parameter '" + name +
                        "' repeats a parameter the request already sends: use the dedicated "
                        "configuration field instead");
      }
    for (const auto& [other, unused] : c.extra_params)
      if (&other != &name && other == name) {
        if constexpr (detail::terse_errors)
          return fail(errc::invalid_argument, "extra parameter given twice");
        return fail(errc::invalid_argument,
                    "extra parameter '" + name +
                        "' is given twice: servers reject repeated parameters (RFC 6749 §3.2)");
      }
    if (auto r = detail::check_text_param("an extra parameter name", name, c.format); !r) return r;
    if constexpr (detail::terse_errors) {
      if (auto r = detail::check_text_param("an extra parameter", value, c.format); !r) return r;
    } else {
      if (auto r = detail::check_text_param("extra parameter '" + name + "'", value, c.format); !r)
        return r;
    }
  }
  return {};
}

PROFILE_AUTH_INLINE result<http_request> client_credentials_request(
    const client_credentials_config& c) {
  if (auto r = validate(c); !r) return unexpected<error>(std::move(r).error());
  http_request req;
  req.method = "POST";
  req.url = c.token_endpoint;
  req.headers.add("Accept", "application/json");
  req.headers.add("Content-Type", std::string(content_type_of(c.format)));

  std::size_t estimate = 64 + 3 * (c.client_id.size() + c.client_secret.size() + c.scope.size());
  for (const auto& a : c.audience) estimate += 16 + 3 * a.size();
  for (const auto& r : c.resource) estimate += 16 + 3 * r.size();
  for (const auto& [n, v] : c.extra_params) estimate += 8 + 3 * (n.size() + v.size());
  std::string body;
  body.reserve(estimate);  // one allocation: no stale copy of the secret left in a freed buffer

  const bool json = c.format == body_format::json;
  if (json) body.push_back('{');
  detail::append_param(body, c.format, "grant_type", "client_credentials");
  apply_client_auth(req, body, c.format, c.client_id, c.client_secret, c.auth, c.basic);
  if (!c.scope.empty()) detail::append_param(body, c.format, "scope", c.scope);
  if (json) {
    if (!c.audience.empty()) detail::append_json_list(body, "audience", c.audience);
    if (!c.resource.empty()) detail::append_json_list(body, "resource", c.resource);
  } else {
    for (const auto& a : c.audience) append_form_field(body, "audience", a);
    for (const auto& r : c.resource) append_form_field(body, "resource", r);
  }
  for (const auto& [n, v] : c.extra_params) detail::append_param(body, c.format, n, v);
  if (json) body.push_back('}');
  req.body = std::move(body);
  return req;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_CLIENT_CREDENTIALS_HPP
