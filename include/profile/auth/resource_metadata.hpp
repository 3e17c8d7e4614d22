// SPDX-License-Identifier: MIT
// profile-auth: protected resource metadata (RFC 9728) and the 401 -> resource -> server chain.
#ifndef PROFILE_AUTH_RESOURCE_METADATA_HPP
#define PROFILE_AUTH_RESOURCE_METADATA_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/well_known.hpp>
#include <profile/auth/discovery.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/url.hpp>
#include <profile/auth/www_authenticate.hpp>

#include <cstdint>      // std::uint16_t default ports
#include <optional>     // the challenge, extra_member()
#include <string>       // members, URLs, messages
#include <string_view>  // inputs
#include <utility>      // std::pair, std::move
#include <vector>       // lists, extra members

namespace profile::auth::inline v0 {

/// A protected resource's metadata document (RFC 9728 §2). Absent strings are empty, absent
/// lists are empty, absent booleans false.
struct protected_resource_metadata {
  std::string resource;  ///< the resource identifier (checked against the expected one)
  std::vector<std::string> authorization_servers;  ///< issuer identifiers, preferred first
  /// The resource's signing keys (JWK Set).
  std::string jwks_uri;
  /// Scopes used in authorization requests for this resource.
  std::vector<std::string> scopes_supported;
  std::vector<std::string> bearer_methods_supported;  ///< "header", "body", "query"
  /// JWS algorithms the resource signs its responses with.
  std::vector<std::string> resource_signing_alg_values_supported;
  std::string resource_name;  ///< human-readable, for display
  /// URL of the resource's documentation for developers.
  std::string resource_documentation;
  /// URL of the resource's policy on data use.
  std::string resource_policy_uri;
  /// URL of the resource's terms of service.
  std::string resource_tos_uri;
  bool tls_client_certificate_bound_access_tokens = false;         ///< RFC 8705
  std::vector<std::string> authorization_details_types_supported;  ///< RFC 9396
  std::vector<std::string> dpop_signing_alg_values_supported;      ///< RFC 9449
  bool dpop_bound_access_tokens_required = false;                  ///< RFC 9449
  /// Every other member (signed_metadata, vendor members …) as (name, raw JSON text), in
  /// document order; a `null` one reads "null".
  std::vector<std::pair<std::string, std::string>> extra;

  /// The raw JSON text of an unlisted member, if the server sent it.
  [[nodiscard]] std::optional<std::string_view> extra_member(std::string_view name) const noexcept {
    return detail::find_extra(extra, name);
  }
  /// Equal when every member is.
  friend bool operator==(const protected_resource_metadata&,
                         const protected_resource_metadata&) = default;
};

/// How the `resource` a document names must relate to the resource the client expected.
enum class resource_match : unsigned char {
  /// Byte for byte (RFC 9728 §3.3). Pass the resource identifier you expect, e.g. the API's
  /// base URL as the server names it, or the URL you requested when the API works that way.
  exact,
  /// Same scheme, host and port, and the document's path is a prefix of the expected one at a
  /// '/' boundary (https://api.example.com/v3 covers https://api.example.com/v3/items). For APIs
  /// whose metadata names their base URL while the client knows the URL it called. Proposed as
  /// an update of RFC 9728 §3.3 and used by MCP clients; the origin still has to match.
  same_origin_prefix,
};

/// How resource metadata is fetched and checked.
struct resource_discovery_options {
  /// How the document's `resource` must match the resource asked about.
  resource_match match = resource_match::exact;
  /// Limits and allow_insecure_http for both documents, and the locations tried for the
  /// authorization server.
  discovery_options discovery{};
};

/// The RFC 9728 §3.1 metadata URL of `resource`: "/.well-known/oauth-protected-resource"
/// inserted before its path (https://api.example.com/v3 ->
/// https://api.example.com/.well-known/oauth-protected-resource/v3), a query kept at the end.
/// Errors: errc::invalid_argument (empty, above 2048 bytes), errc::invalid_url (does not parse,
/// user information, fragment), errc::insecure_endpoint (plain http to a non-loopback host
/// unless allowed).
[[nodiscard]] result<std::string> protected_resource_metadata_url(
    std::string_view resource, const resource_discovery_options& opts = {});

/// `GET <protected_resource_metadata_url(resource)>` with `Accept: application/json`.
[[nodiscard]] result<http_request> protected_resource_metadata_request(
    std::string_view resource, const resource_discovery_options& opts = {});

/// The request for the metadata of the resource that answered `unauthorized` (RFC 9728 §5): the
/// URL in its Bearer challenge's `resource_metadata` parameter when there is one (see
/// find_bearer_challenge), else the well-known URL of `resource`. The challenge's URL must be
/// an http(s) URL without user information or fragment, https unless loopback or allowed, at
/// most 2048 bytes; it is fetched as given (the transport follows no redirect).
/// Errors: those of protected_resource_metadata_url(); for the challenge's URL,
/// errc::malformed_response (unusable URL) or errc::insecure_endpoint, naming its host only.
[[nodiscard]] result<http_request> protected_resource_metadata_request(
    const http_response& unauthorized, std::string_view resource,
    const resource_discovery_options& opts = {});

namespace detail {
using prm_t = protected_resource_metadata;
inline constexpr string_member<prm_t> prm_strings[] = {
    {"resource", &prm_t::resource, false},
    {"jwks_uri", &prm_t::jwks_uri, true},
    {"resource_name", &prm_t::resource_name, false},
    {"resource_documentation", &prm_t::resource_documentation, false},
    {"resource_policy_uri", &prm_t::resource_policy_uri, false},
    {"resource_tos_uri", &prm_t::resource_tos_uri, false},
};
inline constexpr array_member<prm_t> prm_arrays[] = {
    {"authorization_servers", &prm_t::authorization_servers},
    {"scopes_supported", &prm_t::scopes_supported},
    {"bearer_methods_supported", &prm_t::bearer_methods_supported},
    {"resource_signing_alg_values_supported", &prm_t::resource_signing_alg_values_supported},
    {"authorization_details_types_supported", &prm_t::authorization_details_types_supported},
    {"dpop_signing_alg_values_supported", &prm_t::dpop_signing_alg_values_supported},
};
inline constexpr bool_member<prm_t> prm_bools[] = {
    {"tls_client_certificate_bound_access_tokens",
     &prm_t::tls_client_certificate_bound_access_tokens},
    {"dpop_bound_access_tokens_required", &prm_t::dpop_bound_access_tokens_required},
};

[[nodiscard]] constexpr std::uint16_t default_port(std::string_view scheme) noexcept {
  return scheme == "https" ? 443 : scheme == "http" ? 80 : 0;
}
}  // namespace detail

/// Reads a protected resource metadata answer (RFC 9728 §3.2) and checks it:
/// - a non-2xx answer: as oauth_error_from_response() (usually errc::http_error);
/// - errc::invalid_json / invalid_utf8 / limit_exceeded: the JSON reader's verdict on the body;
/// - errc::malformed_response: JSON that is not an object; a listed member of the wrong type;
///   no `resource`; a jwks_uri that is not an absolute http(s) URL (insecure_endpoint for plain
///   http to a non-loopback host, unless allowed);
/// - errc::issuer_mismatch: `resource` does not match `expected_resource` under opts.match
///   (RFC 9728 §3.3: such metadata may be an impersonation and must not be used).
/// authorization_servers is not checked here; discover_from_challenge() checks the one it uses.
[[nodiscard]] result<protected_resource_metadata> parse_protected_resource_metadata(
    const http_response& resp, std::string_view expected_resource,
    const resource_discovery_options& opts = {});

/// Fetches and checks the metadata of `resource` from its well-known URL. Errors: those of
/// protected_resource_metadata_url(), the transport, and parse_protected_resource_metadata().
template <Transport T>
[[nodiscard]] result<protected_resource_metadata> discover_protected_resource(
    T& transport, std::string_view resource, const resource_discovery_options& opts = {}) {
  auto req = protected_resource_metadata_request(resource, opts);
  if (!req) return unexpected<error>(std::move(req).error());
  auto resp = transport.send(*req);
  if (!resp) return unexpected<error>(std::move(resp).error());
  return parse_protected_resource_metadata(*resp, resource, opts);
}

/// What discover_from_challenge() found.
struct discovered_resource {
  protected_resource_metadata resource;                ///< `resource` already checked
  authorization_server_metadata authorization_server;  ///< of resource.authorization_servers[0]
  /// The 401's Bearer challenge, when it had one: its `scope` says what to ask for (else
  /// resource.scopes_supported may help), and RFC 8707 wants resource.resource as the
  /// `resource` parameter of token requests.
  std::optional<bearer_challenge> challenge;
};

/// The whole chain from an API's 401 to its authorization server (RFC 9728 §5, RFC 8414):
/// 1. the resource metadata URL from the Bearer challenge's `resource_metadata` (or the
///    well-known URL of `resource` when the answer names none), see
///    protected_resource_metadata_request();
/// 2. the resource metadata, whose `resource` must match `resource` (opts.match);
/// 3. discover() for the first entry of its authorization_servers, whose `issuer` must equal
///    that entry.
/// `resource` is the protected resource's identifier as the client knows it (see
/// resource_match). Errors: those of each step; errc::malformed_response when the resource
/// metadata names no authorization server.
template <Transport T>
[[nodiscard]] result<discovered_resource> discover_from_challenge(
    T& transport, const http_response& unauthorized, std::string_view resource,
    const resource_discovery_options& opts = {}) {
  auto req = protected_resource_metadata_request(unauthorized, resource, opts);
  if (!req) return unexpected<error>(std::move(req).error());
  auto resp = transport.send(*req);
  if (!resp) return unexpected<error>(std::move(resp).error());
  auto prm = parse_protected_resource_metadata(*resp, resource, opts);
  if (!prm) return unexpected<error>(std::move(prm).error());
  if (prm->authorization_servers.empty() || prm->authorization_servers.front().empty())
    return detail::metadata_fail(*resp, "protected resource metadata endpoint",
                                 errc::malformed_response, "without authorization_servers",
                                 "the resource names no authorization server to get a token from; "
                                 "configure the issuer by hand");
  auto as = discover(transport, prm->authorization_servers.front(), opts.discovery);
  if (!as) return unexpected<error>(std::move(as).error());
  discovered_resource d{std::move(*prm), std::move(*as), find_bearer_challenge(unauthorized)};
  return d;
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<std::string> protected_resource_metadata_url(
    std::string_view resource, const resource_discovery_options& opts) {
  if (auto u =
          detail::check_identifier("resource", resource, opts.discovery.allow_insecure_http, true);
      !u)
    return unexpected<error>(std::move(u).error());
  return detail::insert_well_known(resource, "oauth-protected-resource");
}

PROFILE_AUTH_INLINE result<http_request> protected_resource_metadata_request(
    std::string_view resource, const resource_discovery_options& opts) {
  auto url = protected_resource_metadata_url(resource, opts);
  if (!url) return unexpected<error>(std::move(url).error());
  return detail::metadata_get(std::move(*url));
}

PROFILE_AUTH_INLINE result<http_request> protected_resource_metadata_request(
    const http_response& unauthorized, std::string_view resource,
    const resource_discovery_options& opts) {
  const auto b = find_bearer_challenge(unauthorized);
  if (!b || b->resource_metadata.empty())
    return protected_resource_metadata_request(resource, opts);
  if (auto u =
          detail::check_identifier("the resource_metadata URL of the WWW-Authenticate "
                                   "challenge",
                                   b->resource_metadata, opts.discovery.allow_insecure_http, true);
      !u) {
    error e = std::move(u).error();
    if (e.code != errc::insecure_endpoint) e.code = errc::malformed_response;
    e.http_status = unauthorized.status;
    return unexpected<error>(std::move(e));
  }
  return detail::metadata_get(b->resource_metadata);
}

namespace detail {

/// True when both URLs have an authority and the same origin: scheme, host and port (a missing
/// port is the scheme's default).
[[nodiscard]] PROFILE_AUTH_INLINE bool same_origin(const url_parts& a, const url_parts& b) {
  return a.has_authority && b.has_authority && a.scheme == b.scheme && a.host == b.host &&
         a.port.value_or(default_port(a.scheme)) == b.port.value_or(default_port(b.scheme));
}

/// resource_match::same_origin_prefix: `named` covers `expected`.
[[nodiscard]] PROFILE_AUTH_INLINE bool resource_covers(std::string_view named,
                                                       std::string_view expected) {
  const auto a = parse_url(named), b = parse_url(expected);
  if (!a || !b || !same_origin(*a, *b) || !a->userinfo.empty() || a->has_fragment) return false;
  if (a->has_query && (!b->has_query || a->query != b->query)) return false;
  std::string_view pa = a->path, pb = b->path;
  if (!pa.empty() && pa.back() == '/') pa.remove_suffix(1);
  if (pb.substr(0, pa.size()) != pa) return false;
  return pb.size() == pa.size() || pb[pa.size()] == '/';
}

}  // namespace detail

PROFILE_AUTH_INLINE result<protected_resource_metadata> parse_protected_resource_metadata(
    const http_response& resp, std::string_view expected_resource,
    const resource_discovery_options& opts) {
  constexpr std::string_view what = "protected resource metadata endpoint";
  protected_resource_metadata m;
  const detail::member_tables<protected_resource_metadata> tables{
      detail::prm_strings, detail::prm_arrays, detail::prm_bools};
  if (auto r = detail::read_metadata(resp, what, opts.discovery.limits,
                                     opts.discovery.allow_insecure_http, tables, m, m.extra);
      !r)
    return unexpected<error>(std::move(r).error());
  if (m.resource.empty())
    return detail::metadata_fail(resp, what, errc::malformed_response, "without a resource",
                                 "RFC 9728 §2 requires it; check the URL");
  const bool matches = opts.match == resource_match::exact
                           ? m.resource == expected_resource
                           : detail::resource_covers(m.resource, expected_resource);
  if (!matches)
    return detail::metadata_fail(
        resp, what, errc::issuer_mismatch,
        "for resource '" + detail::sanitize_text(m.resource, 200) + "', not '" +
            detail::sanitize_text(expected_resource, 200) + "'",
        opts.match == resource_match::exact
            ? "the metadata must not be used (RFC 9728 §3.3); pass the resource identifier "
              "exactly as the server names it, or use resource_match::same_origin_prefix"
            : "the metadata must not be used (RFC 9728 §3.3): it names another origin or path");
  return m;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_RESOURCE_METADATA_HPP
