// SPDX-License-Identifier: MIT
// profile-auth: authorization server metadata (RFC 8414, OpenID Connect Discovery 1.0).
#ifndef PROFILE_AUTH_DISCOVERY_HPP
#define PROFILE_AUTH_DISCOVERY_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits in discovery_options
#include <profile/auth/detail/well_known.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/url.hpp>

#include <array>        // the member tables, the candidate locations
#include <cstddef>      // std::size_t
#include <optional>     // extra_member()
#include <string>       // members, URLs, messages
#include <string_view>  // names and inputs
#include <utility>      // std::pair, std::move
#include <vector>       // supported-value lists, extra members

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // the JSON reader of answers
#endif

namespace profile::auth::inline v0 {

/// An authorization server's metadata document (RFC 8414 §2; OpenID Connect Discovery 1.0 §3
/// uses the same member names). String members are empty and lists are empty when the server
/// did not send them (an empty list and an absent one mean the same). Where RFC 8414 gives a
/// default for an absent list, the effective_*_supported() functions below apply it.
struct authorization_server_metadata {
  std::string issuer;  ///< equals the issuer it was fetched for (checked by the parser)
  /// RFC 6749 authorization endpoint (user logins).
  std::string authorization_endpoint;
  /// RFC 6749 token endpoint.
  std::string token_endpoint;
  std::string device_authorization_endpoint;          ///< RFC 8628
  std::string revocation_endpoint;                    ///< RFC 7009
  std::string introspection_endpoint;                 ///< RFC 7662
  std::string registration_endpoint;                  ///< RFC 7591
  std::string jwks_uri;                               ///< the server's signing keys (JWK Set)
  std::string userinfo_endpoint;                      ///< OpenID Connect
  std::string end_session_endpoint;                   ///< OpenID Connect RP-initiated logout
  std::string pushed_authorization_request_endpoint;  ///< RFC 9126
  /// Scopes the server offers.
  std::vector<std::string> scopes_supported;
  /// response_type values the server accepts, e.g. "code".
  std::vector<std::string> response_types_supported;
  std::vector<std::string> response_modes_supported;  ///< default: query, fragment
  std::vector<std::string> grant_types_supported;     ///< default: authorization_code, implicit
  std::vector<std::string> token_endpoint_auth_methods_supported;  ///< default: basic
  /// Client authentication methods at the revocation endpoint.
  std::vector<std::string> revocation_endpoint_auth_methods_supported;
  /// Client authentication methods at the introspection endpoint.
  std::vector<std::string> introspection_endpoint_auth_methods_supported;
  std::vector<std::string> code_challenge_methods_supported;    ///< PKCE methods, e.g. S256
  bool authorization_response_iss_parameter_supported = false;  ///< RFC 9207: callbacks carry iss
  bool require_pushed_authorization_requests = false;           ///< RFC 9126 §5
  /// Every other member (OIDC's claims_supported, signed_metadata, vendor members …) as
  /// (name, raw JSON text) in document order; a `null` one reads "null".
  std::vector<std::pair<std::string, std::string>> extra;

  /// The raw JSON text of an unlisted member (e.g. "[\"public\"]"), if the server sent it.
  [[nodiscard]] std::optional<std::string_view> extra_member(std::string_view name) const noexcept {
    return detail::find_extra(extra, name);
  }
  /// Equal when every member is.
  friend bool operator==(const authorization_server_metadata&,
                         const authorization_server_metadata&) = default;
};

/// Where a metadata document is looked for.
enum class metadata_kind : unsigned char {
  /// RFC 8414 §3.1: "/.well-known/oauth-authorization-server" inserted before the issuer's
  /// path: https://h/tenant -> https://h/.well-known/oauth-authorization-server/tenant.
  oauth_authorization_server,
  /// OpenID Connect Discovery 1.0 §4: issuer + "/.well-known/openid-configuration"
  /// (https://h/tenant/.well-known/openid-configuration).
  openid_configuration,
  /// RFC 8414 §5's form of the OIDC location for issuers with a path:
  /// https://h/.well-known/openid-configuration/tenant.
  openid_configuration_inserted,
};

/// Which locations discover() tries.
enum class discovery_sources : unsigned char {
  oauth_then_openid,  ///< RFC 8414 first, then OpenID Connect (the default)
  oauth_only,
  openid_only,
};

/// How metadata is fetched and checked.
struct discovery_options {
  /// Which well-known documents are tried, in which order.
  discovery_sources sources = discovery_sources::oauth_then_openid;
  detail::json::limits limits{.max_size = 256 * 1024};  ///< bounds on the metadata document
  /// Permit http:// issuers and endpoints on non-loopback hosts (test servers only).
  bool allow_insecure_http = false;
};

/// The URL of `issuer`'s metadata document of `kind` (see metadata_kind; one terminating '/' of
/// the issuer is dropped first, as both specifications say).
/// Errors: errc::invalid_argument for an empty or over-long (2048 bytes) issuer;
/// errc::invalid_url when it does not parse, has user information, a fragment or a query
/// (RFC 8414 §2); errc::insecure_endpoint for plain http to a non-loopback host (unless allowed).
[[nodiscard]] result<std::string> authorization_server_metadata_url(
    std::string_view issuer, metadata_kind kind, const discovery_options& opts = {});

/// `GET <authorization_server_metadata_url(issuer, kind)>` with `Accept: application/json`.
/// Errors: those of authorization_server_metadata_url().
[[nodiscard]] result<http_request> authorization_server_metadata_request(
    std::string_view issuer, metadata_kind kind, const discovery_options& opts = {});

namespace detail {
using asm_t = authorization_server_metadata;
inline constexpr string_member<asm_t> asm_strings[] = {
    {"issuer", &asm_t::issuer, false},
    {"authorization_endpoint", &asm_t::authorization_endpoint, true},
    {"token_endpoint", &asm_t::token_endpoint, true},
    {"device_authorization_endpoint", &asm_t::device_authorization_endpoint, true},
    {"revocation_endpoint", &asm_t::revocation_endpoint, true},
    {"introspection_endpoint", &asm_t::introspection_endpoint, true},
    {"registration_endpoint", &asm_t::registration_endpoint, true},
    {"jwks_uri", &asm_t::jwks_uri, true},
    {"userinfo_endpoint", &asm_t::userinfo_endpoint, true},
    {"end_session_endpoint", &asm_t::end_session_endpoint, true},
    {"pushed_authorization_request_endpoint", &asm_t::pushed_authorization_request_endpoint, true},
};
inline constexpr array_member<asm_t> asm_arrays[] = {
    {"scopes_supported", &asm_t::scopes_supported},
    {"response_types_supported", &asm_t::response_types_supported},
    {"response_modes_supported", &asm_t::response_modes_supported},
    {"grant_types_supported", &asm_t::grant_types_supported},
    {"token_endpoint_auth_methods_supported", &asm_t::token_endpoint_auth_methods_supported},
    {"revocation_endpoint_auth_methods_supported",
     &asm_t::revocation_endpoint_auth_methods_supported},
    {"introspection_endpoint_auth_methods_supported",
     &asm_t::introspection_endpoint_auth_methods_supported},
    {"code_challenge_methods_supported", &asm_t::code_challenge_methods_supported},
};
inline constexpr bool_member<asm_t> asm_bools[] = {
    {"authorization_response_iss_parameter_supported",
     &asm_t::authorization_response_iss_parameter_supported},
    {"require_pushed_authorization_requests", &asm_t::require_pushed_authorization_requests},
};

/// True when `v` is one of `list`.
[[nodiscard]] bool list_has(const std::vector<std::string>& list, std::string_view v);
}  // namespace detail

/// Reads an authorization server metadata answer and checks it against the issuer it was
/// fetched for:
/// - a non-2xx answer: as oauth_error_from_response() (usually errc::http_error);
/// - errc::invalid_json / invalid_utf8 / limit_exceeded: the JSON reader's verdict on the body
///   (opts.limits), as for every other answer the library reads;
/// - errc::malformed_response: JSON that is not an object; a listed member of the wrong type
///   (strings, arrays of strings, booleans; `null` and "" count as absent); no `issuer`; no
///   `token_endpoint` (only a server offering nothing but the implicit grant may omit it, and
///   this library cannot use such a server); an endpoint that is not an absolute http(s) URL
///   without user information or fragment;
/// - errc::insecure_endpoint: an endpoint (or jwks_uri) on plain http to a non-loopback host,
///   unless opts.allow_insecure_http;
/// - errc::issuer_mismatch: `issuer` differs from `expected_issuer` (exact byte comparison,
///   RFC 8414 §3.3: a mismatch may be an attack by a server impersonating another; the
///   metadata must not be used).
/// RFC 8414 requires response_types_supported; it is not enforced (M2M-only servers omit it).
[[nodiscard]] result<authorization_server_metadata> parse_authorization_server_metadata(
    const http_response& resp, std::string_view expected_issuer,
    const discovery_options& opts = {});

/// grant_types_supported, or RFC 8414's default {"authorization_code", "implicit"} when absent.
[[nodiscard]] std::vector<std::string> effective_grant_types_supported(
    const authorization_server_metadata& m);

/// token_endpoint_auth_methods_supported, or RFC 8414's default {"client_secret_basic"}.
[[nodiscard]] std::vector<std::string> effective_token_endpoint_auth_methods_supported(
    const authorization_server_metadata& m);

/// response_modes_supported, or the default {"query", "fragment"} (RFC 8414 §2).
[[nodiscard]] std::vector<std::string> effective_response_modes_supported(
    const authorization_server_metadata& m);

/// True when the server lists PKCE method S256. RFC 8414 reads an absent list as "no PKCE",
/// but many servers that enforce PKCE do not advertise it.
[[nodiscard]] bool supports_pkce_s256(const authorization_server_metadata& m);

/// True when `grant_type` is among effective_grant_types_supported(m).
[[nodiscard]] bool supports_grant_type(const authorization_server_metadata& m,
                                       std::string_view grant_type);

/// How a client holding a secret should authenticate at the token endpoint: client_secret_basic
/// when the server accepts it (also when it lists no method, RFC 8414's default), else
/// client_secret_post.
/// Errors: errc::invalid_argument when the server accepts neither (only private_key_jwt,
/// tls_client_auth …, which need keys this library does not manage); the message lists what
/// the server accepts.
[[nodiscard]] result<client_auth> preferred_client_auth(const authorization_server_metadata& m);

namespace detail {
/// The locations discover() tries for `issuer`, in order; `count` of them are used.
struct metadata_candidates {
  std::array<metadata_kind, 3> kinds{};
  std::size_t count = 0;
};
[[nodiscard]] metadata_candidates discovery_candidates(std::string_view issuer,
                                                       discovery_sources s);
}  // namespace detail

/// Fetches and checks `issuer`'s metadata: tries, in order, the RFC 8414 location, then (for an
/// issuer with a path) the RFC 8414 §5 OIDC location, then the OpenID Connect Discovery one
/// (opts.sources narrows this). An answer that is a 4xx other than 408/429 means "not here" and
/// the next location is tried; any other answer ends the search and is read with
/// parse_authorization_server_metadata(). Redirects are never followed.
/// Errors: those of authorization_server_metadata_url() and parse_authorization_server_metadata();
/// the transport's own errors; errc::http_error (with the last status) when every location
/// answered "not here" (the message lists the URLs tried).
template <Transport T>
[[nodiscard]] result<authorization_server_metadata> discover(T& transport, std::string_view issuer,
                                                             const discovery_options& opts = {}) {
  const auto candidates = detail::discovery_candidates(issuer, opts.sources);
  std::string tried;
  http_response last;
  for (std::size_t k = 0; k < candidates.count; ++k) {
    auto req = authorization_server_metadata_request(issuer, candidates.kinds[k], opts);
    if (!req) return unexpected<error>(std::move(req).error());
    auto resp = transport.send(*req);
    if (!resp) return unexpected<error>(std::move(resp).error());
    if (!detail::try_next_location(resp->status))
      return parse_authorization_server_metadata(*resp, issuer, opts);
    tried += (tried.empty() ? "" : ", ") + req->url + " (" + std::to_string(resp->status) + ")";
    last = std::move(*resp);
  }
  error e = oauth_error_from_response(last, "authorization server metadata endpoint");
  e.code = errc::http_error;
  e.message = "no authorization server metadata found for issuer '" + std::string(issuer) +
              "': tried " + tried +
              "; check the issuer URL (exactly as the server names itself), or configure the "
              "endpoints by hand";
  return unexpected<error>(std::move(e));
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<std::string> authorization_server_metadata_url(
    std::string_view issuer, metadata_kind kind, const discovery_options& opts) {
  if (auto u = detail::check_identifier("issuer", issuer, opts.allow_insecure_http, false); !u)
    return unexpected<error>(std::move(u).error());
  switch (kind) {
    case metadata_kind::openid_configuration:
      return detail::append_well_known(issuer, "openid-configuration");
    case metadata_kind::openid_configuration_inserted:
      return detail::insert_well_known(issuer, "openid-configuration");
    case metadata_kind::oauth_authorization_server:
      break;
  }
  return detail::insert_well_known(issuer, "oauth-authorization-server");
}

PROFILE_AUTH_INLINE result<http_request> authorization_server_metadata_request(
    std::string_view issuer, metadata_kind kind, const discovery_options& opts) {
  auto url = authorization_server_metadata_url(issuer, kind, opts);
  if (!url) return unexpected<error>(std::move(url).error());
  return detail::metadata_get(std::move(*url));
}

namespace detail {

PROFILE_AUTH_INLINE bool list_has(const std::vector<std::string>& list, std::string_view v) {
  for (const auto& item : list)
    if (item == v) return true;
  return false;
}

}  // namespace detail

PROFILE_AUTH_INLINE result<authorization_server_metadata> parse_authorization_server_metadata(
    const http_response& resp, std::string_view expected_issuer, const discovery_options& opts) {
  constexpr std::string_view what = "authorization server metadata endpoint";
  authorization_server_metadata m;
  const detail::member_tables<authorization_server_metadata> tables{
      detail::asm_strings, detail::asm_arrays, detail::asm_bools};
  if (auto r = detail::read_metadata(resp, what, opts.limits, opts.allow_insecure_http, tables, m,
                                     m.extra);
      !r)
    return unexpected<error>(std::move(r).error());
  if (m.issuer.empty())
    return detail::metadata_fail(resp, what, errc::malformed_response, "without an issuer",
                                 "RFC 8414 §2 requires it; check the URL");
  if (m.issuer != expected_issuer)
    return detail::metadata_fail(
        resp, what, errc::issuer_mismatch,
        "for issuer '" + detail::sanitize_text(m.issuer, 200) + "', not '" +
            detail::sanitize_text(expected_issuer, 200) + "'",
        "the metadata must not be used (RFC 8414 §3.3); configure the issuer exactly as the "
        "server names itself (scheme, host, port, path, trailing slash)");
  const bool implicit_only =
      m.grant_types_supported.size() == 1 && m.grant_types_supported.front() == "implicit";
  if (m.token_endpoint.empty() && !implicit_only)
    return detail::metadata_fail(resp, what, errc::malformed_response, "without a token_endpoint",
                                 "RFC 8414 §2 requires it; the server's metadata is incomplete");
  return m;
}

PROFILE_AUTH_INLINE std::vector<std::string> effective_grant_types_supported(
    const authorization_server_metadata& m) {
  if (!m.grant_types_supported.empty()) return m.grant_types_supported;
  return {"authorization_code", "implicit"};
}

PROFILE_AUTH_INLINE std::vector<std::string> effective_token_endpoint_auth_methods_supported(
    const authorization_server_metadata& m) {
  if (!m.token_endpoint_auth_methods_supported.empty())
    return m.token_endpoint_auth_methods_supported;
  return {"client_secret_basic"};
}

PROFILE_AUTH_INLINE std::vector<std::string> effective_response_modes_supported(
    const authorization_server_metadata& m) {
  if (!m.response_modes_supported.empty()) return m.response_modes_supported;
  return {"query", "fragment"};
}

PROFILE_AUTH_INLINE bool supports_pkce_s256(const authorization_server_metadata& m) {
  return detail::list_has(m.code_challenge_methods_supported, "S256");
}

PROFILE_AUTH_INLINE bool supports_grant_type(const authorization_server_metadata& m,
                                             std::string_view grant_type) {
  return detail::list_has(effective_grant_types_supported(m), grant_type);
}

PROFILE_AUTH_INLINE result<client_auth> preferred_client_auth(
    const authorization_server_metadata& m) {
  const auto methods = effective_token_endpoint_auth_methods_supported(m);
  if (detail::list_has(methods, "client_secret_basic")) return client_auth::client_secret_basic;
  if (detail::list_has(methods, "client_secret_post")) return client_auth::client_secret_post;
  std::string listed;
  for (const auto& s : methods) listed += (listed.empty() ? "" : ", ") + s;
  return fail(errc::invalid_argument,
              "the authorization server accepts neither client_secret_basic nor "
              "client_secret_post at its token endpoint (it lists: " +
                  detail::sanitize_text(listed, 200) + "): a client secret cannot be used with it");
}

namespace detail {

PROFILE_AUTH_INLINE metadata_candidates discovery_candidates(std::string_view issuer,
                                                             discovery_sources s) {
  metadata_candidates c;
  // A path other than "/" makes the inserted and appended OIDC locations differ.
  const std::size_t authority = issuer.find("://");
  const std::size_t slash =
      authority == std::string_view::npos ? issuer.npos : issuer.find('/', authority + 3);
  const bool has_path = slash != issuer.npos && slash + 1 < issuer.size();
  if (s != discovery_sources::openid_only)
    c.kinds[c.count++] = metadata_kind::oauth_authorization_server;
  if (s != discovery_sources::oauth_only) {
    if (has_path) c.kinds[c.count++] = metadata_kind::openid_configuration_inserted;
    c.kinds[c.count++] = metadata_kind::openid_configuration;
  }
  return c;
}

}  // namespace detail

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_DISCOVERY_HPP
