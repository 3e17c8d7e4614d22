// SPDX-License-Identifier: MIT
// profile-auth: token introspection (RFC 7662) for resource servers: request, answer, driver.
#ifndef PROFILE_AUTH_GRANTS_INTROSPECTION_HPP
#define PROFILE_AUTH_GRANTS_INTROSPECTION_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/concepts.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits in introspection_options
#include <profile/auth/detail/response_reader.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <chrono>       // system_clock: exp/nbf checks, Retry-After dates
#include <cstdint>      // std::int64_t NumericDate values
#include <optional>     // optional members
#include <string>       // fields, messages
#include <string_view>  // hints, member names
#include <utility>      // std::pair, std::move
#include <vector>       // aud, extra members

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>              // the JSON reader of answers
#include <profile/auth/encoding.hpp>                 // append_form_field
#include <profile/auth/grants/user_auth_config.hpp>  // endpoint and secret parameter checks
#include <profile/auth/oauth_error.hpp>              // error answers
#endif

namespace profile::auth::inline v0 {

/// Who asks the introspection endpoint, and how it proves it (RFC 7662 §2.1: the endpoint
/// requires authorization). Usually a resource server registered as a confidential client:
/// set client_id and client_secret (HTTP Basic by default, or client_secret_post). Some
/// servers instead accept a bearer token of the resource server's own: set `bearer_token` and
/// leave client_id and client_secret empty.
struct introspection_config {
  std::string introspection_endpoint;  ///< absolute https:// URL (http:// only for loopback)
  /// The client that authenticates to the introspection endpoint.
  std::string client_id;
  secret client_secret;  ///< empty only with client_auth::none
  /// How the client authenticates (HTTP Basic by default).
  client_auth auth = client_auth::client_secret_basic;
  /// How client_id and client_secret are encoded in HTTP Basic.
  basic_encoding basic = basic_encoding::form_encoded;
  secret bearer_token;               ///< sent as `Authorization: Bearer …` instead of a client
  bool allow_insecure_http = false;  ///< permit http:// to a non-loopback host (testing only)
};

/// Builds an introspection request (RFC 7662 §2.1): `POST introspection_endpoint`, a form body
/// with `token`, `token_type_hint` (when not empty) and, for client_secret_post / none, the
/// client's credentials; `Authorization: Basic …` or `Bearer …` otherwise; `Accept:
/// application/json`. The string form of the hint allows extension types (e.g. "id_token").
/// Errors: errc::invalid_argument (endpoint or token empty, control bytes in the token or
/// hint, incomplete client settings, both a client and a bearer_token), errc::invalid_url /
/// errc::insecure_endpoint (endpoint), errc::invalid_header_value (bearer_token not a
/// b64token). Messages never quote a credential.
[[nodiscard]] result<http_request> introspection_request(const introspection_config& c,
                                                         const secret& token,
                                                         std::string_view hint);

/// introspection_request() with a standard hint (default: access_token, what a resource
/// server holds; token_type_hint::none sends no hint).
[[nodiscard]] inline result<http_request> introspection_request(
    const introspection_config& c, const secret& token,
    token_type_hint hint = token_type_hint::access_token) {
  return introspection_request(c, token, to_string(hint));
}

/// What the introspection endpoint said about a token (RFC 7662 §2.2). When `active` is false
/// nothing else is filled in: an inactive token's other claims mean nothing.
struct introspection_result {
  bool active = false;     ///< the token is valid now (not expired, revoked, or unknown)
  std::string scope;       ///< space-separated scopes granted
  std::string client_id;   ///< the client the token was issued to
  std::string username;    ///< human-readable resource owner name
  std::string token_type;  ///< e.g. "Bearer"
  ///@{
  /// The subject, issuer and token identifier claims (RFC 7662 §2.2).
  std::string sub, iss, jti;
  ///@}
  std::vector<std::string> aud;     ///< audiences (a single string arrives as one element)
  std::optional<std::int64_t> exp;  ///< expiry, seconds since 1970-01-01 UTC
  std::optional<std::int64_t> iat;  ///< issued at, same unit
  std::optional<std::int64_t> nbf;  ///< not before, same unit
  /// Every other member as (name, raw JSON value) in document order (e.g. "cnf", "act", or a
  /// server's own claims).
  std::vector<std::pair<std::string, std::string>> extra;

  /// The raw JSON of extra member `name`, if present.
  [[nodiscard]] std::optional<std::string_view> extra_member(std::string_view name) const noexcept {
    return detail::find_extra(extra, name);
  }
  /// True when `s` is one of the space-separated scopes (exact, case-sensitive).
  [[nodiscard]] bool has_scope(std::string_view s) const noexcept {
    if (s.empty()) return false;
    std::string_view rest = scope;
    while (!rest.empty()) {
      const auto sp = rest.find(' ');
      if (rest.substr(0, sp) == s) return true;
      rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    }
    return false;
  }
  /// True when `a` is one of the audiences.
  [[nodiscard]] bool has_audience(std::string_view a) const noexcept {
    for (const auto& x : aud)
      if (x == a) return true;
    return false;
  }
  /// True when the token is active and, at wall-clock time `now`, neither expired (exp) nor
  /// not yet valid (nbf), allowing `leeway` of clock difference either way. A resource server
  /// that caches introspection results checks this before each reuse.
  [[nodiscard]] bool valid_at(std::chrono::system_clock::time_point now,
                              std::chrono::seconds leeway = std::chrono::seconds(0)) const {
    if (!active) return false;
    const std::int64_t t =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // `t` comes from a system_clock (far from the int64 limits) and the leeway is clamped to a
    // year, so `t - l` and `t + l` cannot overflow whatever exp and nbf hold.
    constexpr std::int64_t max_leeway = 366 * 86400;
    const std::int64_t l = leeway.count() < 0            ? 0
                           : leeway.count() > max_leeway ? max_leeway
                                                         : leeway.count();
    if (exp && t - l >= *exp) return false;
    if (nbf && t + l < *nbf) return false;
    return true;
  }
};

/// How introspection answers are read.
struct introspection_options {
  detail::json::limits limits{};  ///< bounds for the JSON body
  /// Wall-clock "now" for `Retry-After: <HTTP-date>` on error answers (see
  /// response_error_options).
  std::optional<std::chrono::system_clock::time_point> wall_clock_now;
  /// The credentials the request carried (see response_error_options::redact; the list must
  /// outlive the call), or null: removed from every error before the caps cut the server's
  /// text. introspect() sets it to the token, the client's credentials and the bearer token.
  const detail::credential_list* redact = nullptr;
};

namespace detail {

inline constexpr std::string_view introspection_members[] = {
    "active", "scope", "client_id", "username", "token_type", "sub",
    "iss",    "jti",   "aud",       "exp",      "iat",        "nbf"};

inline constexpr std::string_view introspection_endpoint_name = "introspection endpoint";

}  // namespace detail

/// Parses the answer to introspection_request() (RFC 7662 §2.2). `active` must be a JSON
/// boolean; with `false` the result says only that. For an active token, string members must
/// be strings, `aud` a string or an array of strings, `exp`/`iat`/`nbf` numbers (fractions
/// rounded down); `null` counts as absent; other members go to `extra`.
/// Errors:
/// - 401 without an OAuth body: errc::invalid_client (the endpoint refused the resource
///   server's own credentials); `unsupported_token_type` (oidc-provider, for JWT access
///   tokens): errc::unsupported_token_type; other non-2xx, or a 2xx carrying `error`: as
///   oauth_error_from_response() (e.g. invalid_client, invalid_request, errc::http_error);
/// - errc::malformed_response: not a JSON object; `active` missing or not a boolean (`"true"`
///   and `1` included); a member of the wrong type (the message names it);
/// - errc::invalid_json / invalid_utf8 / limit_exceeded from the JSON reader.
[[nodiscard]] result<introspection_result> parse_introspection_response(
    const http_response& resp, const introspection_options& opts = {});

/// Introspects `token`: introspection_request(), one transport.send(), then
/// parse_introspection_response(). The request's body (the token, maybe the client secret) and
/// Authorization field (Basic credentials or the bearer token) are wiped after sending.
/// Errors: those three, with the token, the client secret (and the Basic credential) and the
/// bearer token removed from every text of the error even if the server quoted them (whole,
/// percent-encoded, or cut off by a length cap: they are removed before the caps cut).
template <Transport T>
[[nodiscard]] result<introspection_result> introspect(
    T& transport, const introspection_config& c, const secret& token,
    token_type_hint hint = token_type_hint::access_token, const introspection_options& opts = {}) {
  detail::credential_list sent(opts.redact);
  sent.add(token).add(c.bearer_token).add_client(c.client_id, c.client_secret, c.auth, c.basic);
  const auto scrub = [&](error e) {
    sent.scrub(e);
    return unexpected<error>(std::move(e));
  };
  auto req = introspection_request(c, token, hint);
  if (!req) return scrub(std::move(req).error());
  auto resp = transport.send(*req);
  detail::wipe_sent_request(*req);
  if (!resp) return scrub(std::move(resp).error());
  introspection_options o = opts;
  o.redact = &sent;
  auto r = parse_introspection_response(*resp, o);
  if (!r) return scrub(std::move(r).error());
  return r;
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<http_request> introspection_request(const introspection_config& c,
                                                               const secret& token,
                                                               std::string_view hint) {
  if (auto r = detail::check_configured_endpoint("introspection_endpoint", c.introspection_endpoint,
                                                 c.allow_insecure_http);
      !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = detail::check_secret_param("the token to introspect", token, body_format::form); !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = detail::check_text_param("token_type_hint", hint, body_format::form); !r)
    return unexpected<error>(std::move(r).error());
  const bool bearer = !c.bearer_token.empty();
  if (bearer && (!c.client_id.empty() || !c.client_secret.empty()))
    return fail(errc::invalid_argument,
                "introspection_config has both a client (client_id/client_secret) and a "
                "bearer_token: set one of them");
  if (!bearer)
    if (auto r =
            validate_client_auth(c.client_id, c.client_secret, c.auth, c.basic, body_format::form);
        !r)
      return unexpected<error>(std::move(r).error());
  http_request req;
  req.method = "POST";
  req.url = c.introspection_endpoint;
  req.headers.add("Accept", "application/json");
  req.headers.add("Content-Type", std::string(content_type_of(body_format::form)));
  if (bearer) {
    auto h = detail::configured_bearer_value("introspection_config::bearer_token", c.bearer_token);
    if (!h) return unexpected<error>(std::move(h).error());
    req.headers.add("Authorization", std::move(*h));
  }
  // One allocation: no stale copy of the token or secret left behind in a freed buffer.
  req.body.reserve(64 +
                   3 * (token.size() + hint.size() + c.client_id.size() + c.client_secret.size()));
  append_form_field(req.body, "token", token.reveal());
  if (!hint.empty()) append_form_field(req.body, "token_type_hint", hint);
  if (!bearer)
    apply_client_auth(req, req.body, body_format::form, c.client_id, c.client_secret, c.auth,
                      c.basic);
  return req;
}

PROFILE_AUTH_INLINE result<introspection_result> parse_introspection_response(
    const http_response& resp, const introspection_options& opts) {
  constexpr std::string_view what = detail::introspection_endpoint_name;
  const response_error_options eo{opts.limits, opts.wall_clock_now, opts.redact};
  if (!resp.ok()) {
    error e = oauth_error_from_response(resp, what, eo);
    if (resp.status == 401 && e.code == errc::http_error) {
      e.code = errc::invalid_client;
      e.message =
          "the introspection endpoint answered 401: it refused this resource server's "
          "credentials; check client_id and client_secret (or bearer_token) and how they are "
          "sent (client_auth, basic_encoding)";
      detail::append_context(e.message, e);
    } else if (e.oauth_error == "unsupported_token_type") {
      e.code = errc::unsupported_token_type;
      e.message = "the introspection endpoint answered " + std::to_string(resp.status) +
                  " unsupported_token_type: the server does not introspect this kind of token "
                  "(often JWT access tokens, which are validated locally against the server's "
                  "keys instead)";
      detail::append_context(e.message, e);
    }
    if (opts.redact != nullptr) opts.redact->scrub(e);  // the rebuilt message
    return unexpected<error>(std::move(e));
  }
  auto doc =
      detail::parse_json_object_answer(resp, what, opts.limits, opts.wall_clock_now, opts.redact);
  if (!doc) return unexpected<error>(std::move(doc).error());
  const detail::json::value root = doc->root();
  if (const auto e = root.find("error"); e && !e->is_null())
    return unexpected<error>(oauth_error_from_response(resp, what, eo));
  const auto bad_member = [&](std::string_view name, std::string_view problem) {
    return detail::answer_failure(resp, what, errc::malformed_response,
                                  "with " + std::string(name) + " " + std::string(problem),
                                  opts.wall_clock_now, opts.redact);
  };
  std::optional<bool> active;
  if (detail::read_bool_member(root, "active", active) != detail::member_read::ok)
    return bad_member("active", "missing or not a JSON boolean (RFC 7662 §2.2 requires it)");
  introspection_result r;
  if (!*active) return r;
  r.active = true;
  for (auto [name, field] :
       {std::pair{"scope", &r.scope}, std::pair{"client_id", &r.client_id},
        std::pair{"username", &r.username}, std::pair{"token_type", &r.token_type},
        std::pair{"sub", &r.sub}, std::pair{"iss", &r.iss}, std::pair{"jti", &r.jti}})
    if (detail::read_string_member(root, name, *field) == detail::member_read::wrong_type)
      return bad_member(name, "not a JSON string");
  if (detail::read_string_or_array_member(root, "aud", r.aud) == detail::member_read::wrong_type)
    return bad_member("aud", "neither a string nor an array of strings");
  for (auto [name, field] :
       {std::pair{"exp", &r.exp}, std::pair{"iat", &r.iat}, std::pair{"nbf", &r.nbf}})
    if (detail::read_numeric_date_member(root, name, *field) == detail::member_read::wrong_type)
      return bad_member(name, "not a number of seconds since 1970 (RFC 7519 NumericDate)");
  detail::collect_extra_members(root, detail::introspection_members, r.extra);
  return r;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_INTROSPECTION_HPP
