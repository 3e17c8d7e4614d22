// SPDX-License-Identifier: MIT
// profile-auth: dynamic client registration (RFC 7591): the request, its answer, and a driver.
#ifndef PROFILE_AUTH_GRANTS_REGISTRATION_HPP
#define PROFILE_AUTH_GRANTS_REGISTRATION_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/concepts.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits in registration_options
#include <profile/auth/detail/response_reader.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/grants/client_metadata.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <chrono>       // system_clock: secret expiry, Retry-After dates
#include <cstdint>      // std::int64_t timestamps
#include <optional>     // optional answer members
#include <string>       // metadata fields, messages
#include <string_view>  // member names
#include <utility>      // std::pair, std::move
#include <vector>       // registered redirect URIs and grant types

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // the JSON reader of answers
#include <profile/auth/header.hpp>       // is_b64token for the registration access token
#include <profile/auth/oauth_error.hpp>  // error answers
#include <profile/auth/url.hpp>          // check_endpoint for registration_client_uri
#endif

namespace profile::auth::inline v0 {

/// How registration requests are built and answers read.
struct registration_options {
  /// Permit plain http to a non-loopback host for the registration endpoint, redirect URIs and
  /// the registration_client_uri of the answer (testing only).
  bool allow_insecure_http = false;
  detail::json::limits limits{};  ///< bounds for the answer's JSON
  /// Wall-clock "now" for `Retry-After: <HTTP-date>` on error answers (see
  /// response_error_options).
  std::optional<std::chrono::system_clock::time_point> wall_clock_now;
  /// The credentials the request carried (see response_error_options::redact; the list must
  /// outlive the call), or null: removed from every error of parse_registration_response()
  /// before the caps cut the server's text. register_client() adds the initial access token.
  const detail::credential_list* redact = nullptr;
};

namespace detail {
/// Answer members that are not client metadata (and so never go to client_metadata::extra).
inline constexpr std::string_view registration_members[] = {"client_id",
                                                            "client_secret",
                                                            "client_id_issued_at",
                                                            "client_secret_expires_at",
                                                            "registration_access_token",
                                                            "registration_client_uri"};
}  // namespace detail

/// Builds a registration request (RFC 7591 §3.1): `POST registration_endpoint` with the
/// metadata as a JSON object (members in struct order, then `extra`), `Content-Type` and
/// `Accept: application/json`, and `Authorization: Bearer <initial_access_token>` when the
/// server requires one (pass nullptr for open registration).
/// Errors: those of validate(); errc::invalid_argument / invalid_url / insecure_endpoint for
/// the endpoint (empty, not a URL, plain http to a non-loopback host); errc::invalid_header_value
/// when the initial access token is empty or not an RFC 6750 b64token (never quoted).
[[nodiscard]] result<http_request> registration_request(
    std::string_view registration_endpoint, const client_metadata& m,
    const secret* initial_access_token = nullptr, const registration_options& opts = {});

/// A registered client (RFC 7591 §3.2.1).
struct registered_client {
  /// The identifier the server assigned.
  std::string client_id;
  std::optional<secret> client_secret;              ///< absent for public clients
  std::optional<std::int64_t> client_id_issued_at;  ///< seconds since 1970-01-01 UTC
  /// When client_secret stops working, in seconds since 1970-01-01 UTC; 0 means never. Absent
  /// when the server did not say (treat as never). See client_secret_expired().
  std::optional<std::int64_t> client_secret_expires_at;
  /// RFC 7592: credential and URL for reading, updating or deleting this registration.
  std::optional<secret> registration_access_token;
  std::string registration_client_uri;  ///< empty when not given
  client_metadata metadata;  ///< what the server registered (it may have changed or added values)
};

/// True when the client secret has an expiry (client_secret_expires_at set and not 0) at or
/// before `now`: register again (or use RFC 7592) to get a new one.
[[nodiscard]] bool client_secret_expired(const registered_client& c,
                                         std::chrono::system_clock::time_point now);

namespace detail {

inline constexpr std::string_view registration_endpoint_name = "registration endpoint";

}  // namespace detail

/// Parses the answer to registration_request() (RFC 7591 §3.2). Success is 201 Created (200
/// is accepted too) with a JSON object holding at least `client_id`. `null` members count as
/// absent, and so does an empty `client_secret`.
/// Errors:
/// - 4xx/5xx: as oauth_error_from_response(), where invalid_redirect_uri gives
///   errc::invalid_redirect_uri and invalid_client_metadata, invalid_software_statement and
///   unapproved_software_statement give errc::invalid_client_metadata (all misconfiguration;
///   error::oauth_error keeps the code); a 401/403 without an OAuth body (a missing or wrong
///   initial access token, often) is errc::http_error;
/// - errc::malformed_response: another 2xx status; not a JSON object; client_id missing, empty,
///   not a string or with control bytes; a member of the wrong type (strings, arrays of
///   strings, non-negative integer timestamps); a client_secret with control bytes; a
///   registration_access_token that is not a b64token; a registration_client_uri that is not
///   an absolute http(s) URL;
/// - errc::insecure_endpoint: a plain-http registration_client_uri to a non-loopback host;
/// - errc::invalid_json / invalid_utf8 / limit_exceeded from the JSON reader.
/// Messages name members, never their values.
[[nodiscard]] result<registered_client> parse_registration_response(
    const http_response& resp, const registration_options& opts = {});

/// The client_auth for an RFC 7591 token_endpoint_auth_method ("" means the RFC's default,
/// client_secret_basic).
/// Errors: errc::invalid_argument for methods this library does not implement
/// (private_key_jwt, client_secret_jwt, tls_client_auth …).
[[nodiscard]] result<client_auth> client_auth_from_method(std::string_view method);

/// A user_auth_config for a registered client: a copy of `base` (endpoints, body format,
/// allow_insecure_http … as the server needs them) with client_id, client_secret and auth from
/// the registration. redirect_uri: base's when set (it must be one of the registered URIs,
/// since servers compare exactly), else the first registered one. scope: base's when set, else
/// the registered scope.
/// Errors: errc::invalid_argument when the auth method is unsupported, a confidential method
/// came without a client_secret, or base.redirect_uri was not registered.
[[nodiscard]] result<user_auth_config> user_auth_config_for(const registered_client& c,
                                                            user_auth_config base);

/// A client_credentials_config for a registered confidential client and `token_endpoint`
/// (scope: the registered one; the rest as client_credentials_config's defaults).
/// Errors: errc::invalid_argument when the client has no client_secret, uses an unsupported or
/// `none` auth method, or was registered without the client_credentials grant.
[[nodiscard]] result<client_credentials_config> client_credentials_config_for(
    const registered_client& c, std::string token_endpoint);

/// Registers a client: registration_request(), one transport.send(), then
/// parse_registration_response(). The request's Authorization field (the initial access token)
/// and the answer's body (the issued credentials) are wiped.
/// Errors: those three, with the initial access token removed from every text of the error
/// even if the server quoted it (whole, percent-encoded, or cut off by a length cap: it is
/// removed before the caps cut).
template <Transport T>
[[nodiscard]] result<registered_client> register_client(
    T& transport, std::string_view registration_endpoint, const client_metadata& m,
    const secret* initial_access_token = nullptr, const registration_options& opts = {}) {
  detail::credential_list sent(opts.redact);
  if (initial_access_token != nullptr) sent.add(*initial_access_token);
  const auto scrub = [&](error e) {
    sent.scrub(e);
    return unexpected<error>(std::move(e));
  };
  auto req = registration_request(registration_endpoint, m, initial_access_token, opts);
  if (!req) return scrub(std::move(req).error());
  auto resp = transport.send(*req);
  detail::wipe_sent_request(*req);
  if (!resp) return scrub(std::move(resp).error());
  registration_options o = opts;
  o.redact = &sent;
  auto c = parse_registration_response(*resp, o);
  detail::secure_wipe(resp->body);  // it holds the issued client_secret
  if (!c) return scrub(std::move(c).error());
  return c;
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<http_request> registration_request(
    std::string_view registration_endpoint, const client_metadata& m,
    const secret* initial_access_token, const registration_options& opts) {
  if (auto r = detail::check_configured_endpoint("registration_endpoint", registration_endpoint,
                                                 opts.allow_insecure_http);
      !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = validate(m, opts.allow_insecure_http); !r)
    return unexpected<error>(std::move(r).error());
  http_request req;
  req.method = "POST";
  req.url = std::string(registration_endpoint);
  req.headers.add("Accept", "application/json");
  req.headers.add("Content-Type", "application/json");
  if (initial_access_token != nullptr) {
    auto h = detail::configured_bearer_value("the initial access token", *initial_access_token);
    if (!h) return unexpected<error>(std::move(h).error());
    req.headers.add("Authorization", std::move(*h));
  }
  req.body = detail::client_metadata_json(m);
  return req;
}

PROFILE_AUTH_INLINE bool client_secret_expired(const registered_client& c,
                                               std::chrono::system_clock::time_point now) {
  if (!c.client_secret || !c.client_secret_expires_at || *c.client_secret_expires_at == 0)
    return false;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return since_epoch.count() >= *c.client_secret_expires_at;
}

namespace detail {

[[nodiscard]] PROFILE_AUTH_INLINE unexpected<error> registration_failure(
    const http_response& r, const registration_options& o, errc code, std::string_view problem) {
  return answer_failure(r, registration_endpoint_name, code, problem, o.wall_clock_now, o.redact);
}

/// An error answer, with advice for the RFC 7591 §3.2.2 codes. The two software statement
/// codes become errc::invalid_client_metadata (a software statement is client metadata);
/// oauth_error keeps the server's code.
[[nodiscard]] PROFILE_AUTH_INLINE error registration_error(const http_response& r,
                                                           const registration_options& o) {
  error e = oauth_error_from_response(r, registration_endpoint_name,
                                      {o.limits, o.wall_clock_now, o.redact});
  std::string_view advice;
  if (e.oauth_error == "invalid_redirect_uri") {
    advice =
        "a redirect URI was refused: use absolute URIs without '#', loopback http or a "
        "private-use scheme for native clients, https for web clients";
  } else if (e.oauth_error == "invalid_client_metadata") {
    advice =
        "a metadata value was refused (the server's description names it): fix it, or "
        "leave it out to get the server's default";
  } else if (e.oauth_error == "invalid_software_statement" ||
             e.oauth_error == "unapproved_software_statement") {
    e.code = errc::invalid_client_metadata;
    advice = e.oauth_error == "invalid_software_statement"
                 ? "the software statement is invalid (signature, expiry or claims): get a fresh "
                   "one from its issuer"
                 : "the server does not accept this software statement's issuer: ask the server "
                   "operator to approve it";
  } else {
    return e;
  }
  e.message = "the registration endpoint answered " + std::to_string(r.status) + " " +
              e.oauth_error + ": " + std::string(advice);
  append_context(e.message, e);
  if (o.redact != nullptr) o.redact->scrub(e);
  return e;
}

}  // namespace detail

PROFILE_AUTH_INLINE result<registered_client> parse_registration_response(
    const http_response& resp, const registration_options& opts) {
  if (!resp.ok()) return unexpected<error>(detail::registration_error(resp, opts));
  if (resp.status != 201 && resp.status != 200)
    return detail::registration_failure(
        resp, opts, errc::malformed_response,
        "instead of 201 Created: this is not a client registration answer (RFC 7591 §3.2.1)");
  auto doc = detail::parse_json_object_answer(resp, detail::registration_endpoint_name, opts.limits,
                                              opts.wall_clock_now, opts.redact);
  if (!doc) return unexpected<error>(std::move(doc).error());
  const detail::json::value root = doc->root();
  if (const auto e = root.find("error"); e && !e->is_null())
    return unexpected<error>(detail::registration_error(resp, opts));
  const auto bad_member = [&](std::string_view name, std::string_view what) {
    return detail::registration_failure(resp, opts, errc::malformed_response,
                                        "with " + std::string(name) + " " + std::string(what));
  };
  registered_client c;
  if (detail::read_string_member(root, "client_id", c.client_id) == detail::member_read::wrong_type)
    return bad_member("client_id", "not a JSON string");
  if (c.client_id.empty()) return bad_member("client_id", "missing or empty (RFC 7591 §3.2.1)");
  if (detail::find_control_byte(c.client_id) != std::string_view::npos)
    return bad_member("client_id", "containing control bytes");
  for (auto [name, field] :
       {std::pair{"client_secret", &c.client_secret},
        std::pair{"registration_access_token", &c.registration_access_token}}) {
    std::string s;
    struct wipe_on_exit {  // the decoded value is a credential
      std::string& s;
      ~wipe_on_exit() { detail::secure_wipe(s); }
    } wiper{s};
    if (detail::read_string_member(root, name, s) == detail::member_read::wrong_type)
      return bad_member(name, "not a JSON string");
    if (s.empty()) continue;
    if (field == &c.client_secret && detail::find_control_byte(s) != std::string_view::npos)
      return bad_member(name, "containing control bytes");
    if (name == std::string_view("registration_access_token") && !is_b64token(s))
      return bad_member(name, "that is not a valid bearer token (RFC 6750 b64token)");
    field->emplace(std::string_view(s));
  }
  for (auto [name, field] : {std::pair{"client_id_issued_at", &c.client_id_issued_at},
                             std::pair{"client_secret_expires_at", &c.client_secret_expires_at}})
    if (detail::read_int64_member(root, name, *field) == detail::member_read::wrong_type ||
        (*field && **field < 0))
      return bad_member(name, "that is not a non-negative integer (seconds since 1970)");
  if (detail::read_string_member(root, "registration_client_uri", c.registration_client_uri) ==
      detail::member_read::wrong_type)
    return bad_member("registration_client_uri", "not a JSON string");
  if (!c.registration_client_uri.empty())
    if (auto u = check_endpoint(c.registration_client_uri, opts.allow_insecure_http); !u)
      return detail::registration_failure(
          resp, opts,
          u.error().code == errc::insecure_endpoint ? errc::insecure_endpoint
                                                    : errc::malformed_response,
          "with a registration_client_uri that is not an absolute https URL");
  if (const auto bad = detail::read_client_metadata(root, c.metadata, detail::registration_members);
      !bad.empty())
    return bad_member(bad, "of the wrong JSON type (RFC 7591 §2)");
  return c;
}

PROFILE_AUTH_INLINE result<client_auth> client_auth_from_method(std::string_view method) {
  if (method.empty() || method == "client_secret_basic") return client_auth::client_secret_basic;
  if (method == "client_secret_post") return client_auth::client_secret_post;
  if (method == "none") return client_auth::none;
  return fail(errc::invalid_argument,
              "token_endpoint_auth_method '" + detail::sanitize_token(method, 64) +
                  "' is not supported: register with client_secret_basic, client_secret_post or "
                  "none");
}

PROFILE_AUTH_INLINE result<user_auth_config> user_auth_config_for(const registered_client& c,
                                                                  user_auth_config base) {
  auto auth = client_auth_from_method(c.metadata.token_endpoint_auth_method);
  if (!auth) return unexpected<error>(std::move(auth).error());
  if (*auth != client_auth::none && !c.client_secret)
    return fail(errc::invalid_argument,
                "the registration answer has no client_secret for a confidential client");
  const auto& uris = c.metadata.redirect_uris;
  if (base.redirect_uri.empty() && !uris.empty())
    base.redirect_uri = uris.front();
  else if (!base.redirect_uri.empty() && !uris.empty() &&
           !detail::metadata_list_has(uris, base.redirect_uri))
    return fail(errc::invalid_argument,
                "redirect_uri is not among the registered redirect_uris: the server compares "
                "them byte for byte; use one of them");
  if (base.scope.empty()) base.scope = c.metadata.scope;
  base.client_id = c.client_id;
  base.client_secret = *auth == client_auth::none ? secret() : *c.client_secret;
  if (*auth != client_auth::none) base.auth = *auth;
  return base;
}

PROFILE_AUTH_INLINE result<client_credentials_config> client_credentials_config_for(
    const registered_client& c, std::string token_endpoint) {
  auto auth = client_auth_from_method(c.metadata.token_endpoint_auth_method);
  if (!auth) return unexpected<error>(std::move(auth).error());
  if (*auth == client_auth::none || !c.client_secret)
    return fail(errc::invalid_argument,
                "the client credentials grant needs a confidential client: register with "
                "confidential_client_metadata() (a client_secret and client_secret_basic/post)");
  if (!c.metadata.grant_types.empty() &&
      !detail::metadata_list_has(c.metadata.grant_types, "client_credentials"))
    return fail(errc::invalid_argument,
                "the client is not registered for the client_credentials grant: add it to "
                "grant_types");
  client_credentials_config cfg;
  cfg.token_endpoint = std::move(token_endpoint);
  cfg.client_id = c.client_id;
  cfg.client_secret = *c.client_secret;
  cfg.auth = *auth;
  cfg.scope = c.metadata.scope;
  return cfg;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_REGISTRATION_HPP
