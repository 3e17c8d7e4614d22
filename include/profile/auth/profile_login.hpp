// SPDX-License-Identifier: MIT
// profile-auth: zero-configuration user login: from an API URL to a ready user_auth_config
// (RFC 9728 -> RFC 8414 -> RFC 7591 -> PKCE, offline_access and the RFC 8707 resource).
#ifndef PROFILE_AUTH_PROFILE_LOGIN_HPP
#define PROFILE_AUTH_PROFILE_LOGIN_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/well_known.hpp>
#include <profile/auth/discovery.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/from_metadata.hpp>
#include <profile/auth/grants/client_metadata.hpp>
#include <profile/auth/grants/registration.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/jwt.hpp>
#include <profile/auth/resource_metadata.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/url.hpp>
#include <profile/auth/www_authenticate.hpp>

#include <optional>     // the challenge, the registration
#include <string>       // URLs, scopes, messages
#include <string_view>  // inputs
#include <utility>      // std::move
#include <vector>       // the URLs tried

// Profile documents this chain on https://support.profilebehavior.com/api-reference/authentication
// ("OAuth 2.1", "Discovery") and https://support.profilebehavior.com/api-reference/mcp:
// a 401 from any protected endpoint carries `WWW-Authenticate: Bearer resource_metadata="…"`,
// the RFC 9728 metadata is also at /.well-known/oauth-protected-resource on the resource's
// origin, and the RFC 8414 metadata of the authorization server (Stytch Connected Apps) is on
// that server's own domain. See docs/discovery.md, "Zero-configuration login to Profile".

namespace profile::auth::inline v0::profile {

/// How discover_user_login() registers and what it asks for.
struct user_login_options {
  /// A client_id from an earlier run (the registration it returned): no registration is made.
  /// Empty: the client registers itself as a public client (RFC 7591).
  std::string client_id;
  /// With client_id: the secret of a confidential client (empty for a public one).
  secret client_secret;
  /// Space-separated scopes to ask for besides offline_access. Empty: the 401 challenge's
  /// `scope`, when it had one.
  std::string scope;
  /// Ask for `offline_access` (refresh tokens, as Profile's authorization server issues them).
  bool offline_access = true;
  /// Shown on the consent page (RFC 7591 client_name); empty omits it.
  std::string client_name = "profile-auth";
  std::string software_id;       ///< RFC 7591 software_id, empty omits it
  std::string software_version;  ///< RFC 7591 software_version, empty omits it
  /// OpenID Connect application_type of the registration. Empty: "native" when redirect_uri
  /// is not https (a loopback or private-use-scheme URI, RFC 8252: servers that default to
  /// "web" refuse those), else omitted.
  std::string application_type;
  /// RFC 7591 initial access token, for servers that do not allow open registration.
  const secret* initial_access_token = nullptr;
  /// Require the challenge's resource_metadata URL to be on the origin of the resource URL
  /// (Profile's is). False accepts any https URL (RFC 9728 allows it).
  bool metadata_on_resource_origin = true;
  /// How the metadata's `resource` must relate to the URL asked (same_origin_prefix: Profile
  /// names its base URL for /api/v4/account, see
  /// https://support.profilebehavior.com/api-reference/mcp: https://vanguard.profilebehavior.com),
  /// the document limits and the authorization server locations tried.
  resource_discovery_options discovery{resource_match::same_origin_prefix, {}};
  /// Permit plain http to non-loopback hosts at every hop (test servers only).
  bool allow_insecure_http = false;
};

/// What discover_user_login() found.
struct discovered_login {
  /// Ready for authorization_url(), authorization_code_request(), user_session: endpoints from
  /// the authorization server's metadata, client_id, redirect_uri, scope (with offline_access),
  /// and `resource` = {the resource identifier of the protected resource metadata}. Its origin
  /// counts as a user_session::send() destination; api_origins is left empty.
  auth::user_auth_config config;
  /// How parse_authorization_callback() checks `iss` (RFC 9207).
  callback_issuer_check callback_issuer;
  protected_resource_metadata resource;                ///< `resource` checked against the URL
  authorization_server_metadata authorization_server;  ///< `issuer` checked
  std::optional<bearer_challenge> challenge;           ///< the 401's, when it had one
  /// The registration made by this call (persist it; pass its client_id next time), or
  /// nullopt when options.client_id was given.
  std::optional<registered_client> registration;
};

}  // namespace profile::auth::inline v0::profile

// The helpers live in the library's detail namespace (a nested profile::detail would hide it
// from profile.hpp's code).
namespace profile::auth::inline v0::detail {

/// The hops of discover_user_login(), as messages name them.
inline constexpr std::string_view login_hop_resource = "hop 1 (the API's 401 challenge)";
inline constexpr std::string_view login_hop_metadata = "hop 2 (protected resource metadata)";
inline constexpr std::string_view login_hop_server = "hop 3 (authorization server metadata)";
inline constexpr std::string_view login_hop_register = "hop 4 (client registration)";
inline constexpr std::string_view login_hop_config = "hop 5 (client configuration)";

/// `e` with "user login discovery, <hop>: " before its message.
[[nodiscard]] unexpected<error> login_fail(std::string_view hop, error e);

/// True when `a` and `b` are http(s) URLs of the same scheme, host and port.
[[nodiscard]] bool same_origin(std::string_view a, std::string_view b);

/// The well-known URLs tried when the API named no metadata URL: the RFC 9728 §3.1 one of the
/// URL asked (when it has a path), then the one on its origin.
[[nodiscard]] std::vector<std::string> login_metadata_candidates(std::string_view resource_url);

/// Hop 5: the configuration from the documents and the client.
[[nodiscard]] result<user_auth_config> login_config(
    const authorization_server_metadata& m, const protected_resource_metadata& prm,
    const std::optional<bearer_challenge>& ch, std::string client_id, secret client_secret,
    std::string_view registered_method, std::string_view redirect_uri,
    const ::profile::auth::profile::user_login_options& opts);

/// The RFC 7591 metadata of a public client for `redirect_uri`.
[[nodiscard]] client_metadata login_client_metadata(
    std::string_view redirect_uri, const ::profile::auth::profile::user_login_options& opts);
}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::profile {

/// Zero-configuration user login: from the URL of an API the user's token is for to a ready
/// configuration (docs/discovery.md, "Zero-configuration login to Profile"):
/// 1. `GET resource_url` without credentials; a 401 with `WWW-Authenticate: Bearer
///    resource_metadata="…"` names the metadata URL (on the resource's origin unless
///    opts.metadata_on_resource_origin is false). Any other answer, or a 401 without that
///    parameter: the RFC 9728 well-known URL of resource_url, then the one on its origin
///    (a 4xx other than 408/429 means "not here").
/// 2. The protected resource metadata; its `resource` must match resource_url
///    (opts.discovery.match, same_origin_prefix by default: RFC 9728 §3.3).
/// 3. Its first authorization server (https, loopback excepted): discover() on that server's
///    own URLs, whose `issuer` must equal it; it must list PKCE S256.
/// 4. Without opts.client_id: RFC 7591 registration as a public client (auth method none,
///    authorization_code + refresh_token, response type code, redirect_uris [redirect_uri],
///    application_type native for a non-https redirect URI).
/// 5. The configuration: PKCE, scope (opts.scope or the challenge's, plus offline_access),
///    resource = {metadata's resource}.
/// Nothing is sent to a URL before it passed its check, no redirect is followed, every
/// document is read under the parsers' size limits, and a failing hop ends the chain.
/// Errors (each message starts "user login discovery, hop N (…)" and names the host):
/// - before hop 1: check_redirect_uri()'s errors for redirect_uri (hop 5's name), nothing sent;
/// - hop 1: errc::invalid_argument / invalid_url / insecure_endpoint for resource_url; the
///   transport's errors; errc::malformed_response for a resource_metadata URL that is unusable
///   or (by default) on another origin; errc::http_error when the API named no metadata URL
///   and no well-known URL had a document (the message lists the URLs tried);
/// - hop 2: errc::issuer_mismatch when the metadata names another resource; the metadata
///   parser's errors; errc::malformed_response without authorization_servers;
/// - hop 3: errc::insecure_endpoint for a plain-http authorization server (errc::invalid_url
///   when it is not a URL); errc::issuer_mismatch when its `issuer` differs; discover()'s
///   other errors; errc::invalid_argument when the metadata does not list S256 or lacks an
///   endpoint the login needs (and user_auth_config_from()'s other checks);
/// - hop 4: errc::invalid_argument when the server has no registration_endpoint (pass a
///   client_id); register_client()'s errors, errc::malformed_response for an answer without
///   client_id among them.
template <Transport T>
[[nodiscard]] result<discovered_login> discover_user_login(T& transport,
                                                           std::string_view resource_url,
                                                           std::string_view redirect_uri,
                                                           const user_login_options& opts = {}) {
  resource_discovery_options ro = opts.discovery;
  ro.discovery.allow_insecure_http = ro.discovery.allow_insecure_http || opts.allow_insecure_http;
  const bool insecure = ro.discovery.allow_insecure_http;

  // The redirect URI is the caller's: checked before anything is sent.
  {
    auth::user_auth_config probe_config;
    probe_config.redirect_uri = std::string(redirect_uri);
    probe_config.allow_insecure_http = insecure;
    if (auto r = auth::detail::check_redirect_uri(probe_config); !r)
      return detail::login_fail(detail::login_hop_config, std::move(r).error());
  }

  // Hop 1: the API's answer to a call without credentials.
  if (auto u = auth::detail::check_identifier("the resource URL", resource_url, insecure, true); !u)
    return detail::login_fail(detail::login_hop_resource, std::move(u).error());
  http_request probe;
  probe.method = "GET";
  probe.url = std::string(resource_url);
  probe.headers.add("Accept", "application/json");
  auto first = transport.send(probe);
  if (!first) return detail::login_fail(detail::login_hop_resource, std::move(first).error());
  std::optional<bearer_challenge> challenge = find_bearer_challenge(*first);
  std::optional<http_response> prm_answer;
  if (challenge && !challenge->resource_metadata.empty()) {
    auto req = protected_resource_metadata_request(*first, resource_url, ro);
    if (!req) return detail::login_fail(detail::login_hop_resource, std::move(req).error());
    if (opts.metadata_on_resource_origin && !detail::same_origin(req->url, resource_url))
      return detail::login_fail(
          detail::login_hop_resource,
          error(errc::malformed_response,
                "the resource_metadata URL of the API's challenge is on another origin than "
                "the API; nothing was sent there (set metadata_on_resource_origin = false to "
                "allow it)"));
    auto resp = transport.send(*req);
    if (!resp) return detail::login_fail(detail::login_hop_metadata, std::move(resp).error());
    prm_answer = std::move(*resp);
  } else {
    std::string tried;
    int last_status = 0;
    for (auto& url : detail::login_metadata_candidates(resource_url)) {
      auto resp = transport.send(auth::detail::metadata_get(url));
      if (!resp) return detail::login_fail(detail::login_hop_metadata, std::move(resp).error());
      if (!auth::detail::try_next_location(resp->status)) {
        prm_answer = std::move(*resp);
        break;
      }
      tried += (tried.empty() ? "" : ", ") + url + " (" + std::to_string(resp->status) + ")";
      last_status = resp->status;
    }
    if (!prm_answer) {
      error e(errc::http_error,
              "the API answered " + std::to_string(first->status) +
                  " without a WWW-Authenticate Bearer challenge naming resource_metadata, and "
                  "no protected resource metadata was found at " +
                  tried + "; check the API URL, or configure the authorization server by hand");
      e.http_status = last_status;
      return detail::login_fail(detail::login_hop_resource, std::move(e));
    }
  }

  // Hop 2: the protected resource metadata names the resource and its authorization server.
  auto prm = parse_protected_resource_metadata(*prm_answer, resource_url, ro);
  if (!prm) return detail::login_fail(detail::login_hop_metadata, std::move(prm).error());
  if (prm->authorization_servers.empty() || prm->authorization_servers.front().empty())
    return detail::login_fail(
        detail::login_hop_metadata,
        error(errc::malformed_response,
              "the protected resource metadata names no authorization server (RFC 9728 "
              "authorization_servers): there is no server to log in at"));

  // Hop 3: the authorization server, checked before anything is sent to it.
  const std::string& issuer = prm->authorization_servers.front();
  if (auto u = auth::detail::check_identifier("the authorization server the resource names", issuer,
                                              insecure, false);
      !u)
    return detail::login_fail(detail::login_hop_server, std::move(u).error());
  auto as = discover(transport, issuer, ro.discovery);
  if (!as) return detail::login_fail(detail::login_hop_server, std::move(as).error());
  if (!supports_pkce_s256(*as))
    return detail::login_fail(
        detail::login_hop_server,
        error(errc::invalid_argument,
              "the authorization server's metadata does not list S256 in "
              "code_challenge_methods_supported: the MCP authorization rules Profile follows "
              "require it, so no registration or login is attempted"));
  // user_auth_config_from()'s checks, before a registration is made for a server that fails them.
  if (auto c = auth::detail::user_auth_from(*as, "unregistered", secret(),
                                            std::string(redirect_uri), insecure);
      !c)
    return detail::login_fail(
        c.error().code == errc::invalid_url || c.error().code == errc::insecure_endpoint
            ? detail::login_hop_config
            : detail::login_hop_server,
        std::move(c).error());

  // Hop 4: a client_id, from the caller or from registration.
  std::optional<registered_client> registration;
  std::string client_id = opts.client_id;
  secret client_secret = opts.client_secret;
  std::string registered_method;
  if (client_id.empty()) {
    if (as->registration_endpoint.empty())
      return detail::login_fail(
          detail::login_hop_register,
          error(errc::invalid_argument,
                "the authorization server offers no registration_endpoint (RFC 7591): register "
                "the application by hand and pass its client_id"));
    registration_options reg;
    reg.allow_insecure_http = insecure;
    auto r = register_client(transport, as->registration_endpoint,
                             detail::login_client_metadata(redirect_uri, opts),
                             opts.initial_access_token, reg);
    if (!r) return detail::login_fail(detail::login_hop_register, std::move(r).error());
    client_id = r->client_id;
    if (r->client_secret) client_secret = *r->client_secret;
    registered_method = r->metadata.token_endpoint_auth_method;
    registration = std::move(*r);
  }

  // Hop 5: the configuration.
  auto config =
      detail::login_config(*as, *prm, challenge, std::move(client_id), std::move(client_secret),
                           registered_method, redirect_uri, opts);
  if (!config) return detail::login_fail(detail::login_hop_config, std::move(config).error());
  discovered_login d{std::move(*config), callback_issuer(*as), std::move(*prm),
                     std::move(*as),     std::move(challenge), std::move(registration)};
  return d;
}

/// What audience_check() found about an access token's `aud` (RFC 9068 §3: a JWT access token
/// for a resource names it in `aud`). Nothing is verified: this is a diagnostic, not access
/// control (see unverified_claims).
enum class audience_status : unsigned char {
  matches,      ///< `aud` contains the resource (exactly, or without a terminating '/')
  mismatch,     ///< `aud` is present and does not contain the resource
  no_audience,  ///< a JWT without `aud`
  opaque,       ///< not a JWT (or not readable as one): nothing to check
};

/// Checks the `aud` of `t`'s access token against `resource` (e.g. discovered_login's
/// config.resource[0]). Reports, does not fail, unless `strict`: then a mismatch or a JWT
/// without `aud` is errc::token_rejected (the message names the resource, never the token).
[[nodiscard]] result<audience_status> audience_check(const token& t, std::string_view resource,
                                                     bool strict = false);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::profile

namespace profile::auth::inline v0::detail {

PROFILE_AUTH_INLINE unexpected<error> login_fail(std::string_view hop, error e) {
  e.message = "user login discovery, " + std::string(hop) + ": " + e.message;
  return unexpected<error>(std::move(e));
}

PROFILE_AUTH_INLINE bool same_origin(std::string_view a, std::string_view b) {
  const auto x = parse_url(a), y = parse_url(b);
  return x && y && auth::detail::same_origin(*x, *y);
}

PROFILE_AUTH_INLINE std::vector<std::string> login_metadata_candidates(
    std::string_view resource_url) {
  std::vector<std::string> out;
  out.push_back(auth::detail::insert_well_known(resource_url, "oauth-protected-resource"));
  const std::size_t authority = resource_url.find("://") + 3;  // checked by the caller
  std::size_t end = resource_url.find_first_of("/?", authority);
  if (end == std::string_view::npos) end = resource_url.size();
  std::string root(resource_url.substr(0, end));
  root += "/.well-known/oauth-protected-resource";
  if (root != out.front()) out.push_back(std::move(root));
  return out;
}

PROFILE_AUTH_INLINE client_metadata login_client_metadata(
    std::string_view redirect_uri, const ::profile::auth::profile::user_login_options& opts) {
  client_metadata m;
  m.redirect_uris.emplace_back(redirect_uri);
  m.grant_types = {"authorization_code", "refresh_token"};
  m.response_types = {"code"};
  m.token_endpoint_auth_method = "none";
  m.client_name = opts.client_name;
  m.software_id = opts.software_id;
  m.software_version = opts.software_version;
  m.application_type = opts.application_type;
  if (m.application_type.empty() && redirect_uri.substr(0, 8) != "https://")
    m.application_type = "native";
  return m;
}

/// Appends each space-separated scope of `add` to `scope` when it is not there yet.
PROFILE_AUTH_INLINE void add_scopes(std::string& scope, std::string_view add) {
  while (!add.empty()) {
    const std::size_t sp = add.find(' ');
    const std::string_view s = add.substr(0, sp);
    add = sp == std::string_view::npos ? std::string_view() : add.substr(sp + 1);
    if (s.empty()) continue;
    bool present = false;
    std::string_view rest = scope;
    while (!rest.empty() && !present) {
      const std::size_t k = rest.find(' ');
      present = rest.substr(0, k) == s;
      rest = k == std::string_view::npos ? std::string_view() : rest.substr(k + 1);
    }
    if (present) continue;
    if (!scope.empty()) scope += ' ';
    scope.append(s);
  }
}

PROFILE_AUTH_INLINE result<user_auth_config> login_config(
    const authorization_server_metadata& m, const protected_resource_metadata& prm,
    const std::optional<bearer_challenge>& ch, std::string client_id, secret client_secret,
    std::string_view registered_method, std::string_view redirect_uri,
    const ::profile::auth::profile::user_login_options& opts) {
  const bool insecure = opts.allow_insecure_http || opts.discovery.discovery.allow_insecure_http;
  const bool confidential = !client_secret.empty();
  auto c = auth::detail::user_auth_from(m, std::move(client_id), std::move(client_secret),
                                        std::string(redirect_uri), insecure);
  if (!c) return c;
  if (confidential && !registered_method.empty()) {
    // The server registered the client with its own method: use that one.
    auto a = client_auth_from_method(registered_method);
    if (!a) return unexpected<error>(std::move(a).error());
    c->auth = *a;
  }
  add_scopes(c->scope, !opts.scope.empty() ? std::string_view(opts.scope)
                       : ch                ? std::string_view(ch->scope)
                                           : std::string_view());
  if (opts.offline_access) add_scopes(c->scope, "offline_access");
  c->resource = {prm.resource};
  if (auto r = auth::detail::check_client(*c, c->format); !r)
    return unexpected<error>(std::move(r).error());
  return c;
}

}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::profile {

PROFILE_AUTH_INLINE result<audience_status> audience_check(const token& t,
                                                           std::string_view resource, bool strict) {
  auto claims = decode_unverified_claims(t.access_token);
  if (!claims || !claims->is_jwt) return audience_status::opaque;
  if (claims->aud.empty()) {
    if (strict)
      return auth::fail(errc::token_rejected,
                        "the access token is a JWT without `aud`: it does not say it is "
                        "for the resource '" +
                            auth::detail::sanitize_text(resource, 200) + "'");
    return audience_status::no_audience;
  }
  std::string_view want = resource;
  if (want.size() > 1 && want.back() == '/') want.remove_suffix(1);
  for (std::string_view a : claims->aud) {
    if (a.size() > 1 && a.back() == '/') a.remove_suffix(1);
    if (a == want) return audience_status::matches;
  }
  if (strict)
    return auth::fail(errc::token_rejected,
                      "the access token's `aud` does not contain the resource '" +
                          auth::detail::sanitize_text(resource, 200) +
                          "': the API will refuse it (RFC 8707 resource not honoured?)");
  return audience_status::mismatch;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::profile

#endif  // PROFILE_AUTH_PROFILE_LOGIN_HPP
