// SPDX-License-Identifier: MIT
// profile-auth: the authorization code grant with PKCE: the URL, the callback, the exchange.
#ifndef PROFILE_AUTH_GRANTS_AUTHORIZATION_CODE_HPP
#define PROFILE_AUTH_GRANTS_AUTHORIZATION_CODE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/url.hpp>

#include <cstddef>           // std::size_t
#include <initializer_list>  // the two resource lists checked in one loop
#include <optional>          // the expected issuer
#include <string>            // URLs, messages
#include <string_view>       // inputs
#include <utility>           // std::pair, std::move
#include <vector>            // resources, extra parameters

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/sort_names.hpp>   // repeated callback parameters
#include <profile/auth/encoding.hpp>            // percent_encode_to for query parameters
#include <profile/auth/grants/client_auth.hpp>  // check_text_param, the token request builder
#include <profile/auth/oauth_error.hpp>         // error redirects: codes, sanitising, advice
#endif

namespace profile::auth::inline v0 {

/// Optional parts of an authorization request (authorization_url()).
struct authorization_url_options {
  std::vector<std::string> resource;  ///< RFC 8707 resource indicators (absolute URIs), repeated
  std::string prompt;                 ///< OIDC `prompt` (none, login, consent, select_account)
  std::string login_hint;             ///< OIDC `login_hint` (e.g. the user's e-mail address)
  std::string nonce;                  ///< OIDC `nonce` (see random_nonce())
  /// Further parameters, appended in order after all others (e.g. {"audience", "…"}). Names the
  /// request already sends are rejected, and so is a name given twice.
  std::vector<std::pair<std::string, std::string>> extra_params;
};

namespace detail {

/// Parameter names authorization_url() writes itself.
inline constexpr std::string_view authz_reserved_params[] = {
    "response_type",         "client_id", "redirect_uri", "scope",      "state", "code_challenge",
    "code_challenge_method", "resource",  "prompt",       "login_hint", "nonce"};

}  // namespace detail

/// Builds the URL to send the user's browser to (RFC 6749 §4.1.1, RFC 7636 §4.3), with the
/// parameters in this order: response_type=code, client_id, redirect_uri (exactly as
/// configured), scope (when set), state, code_challenge, code_challenge_method (S256 unless
/// the pair opted in to plain), then resource (each of the configuration's, then each of the
/// options' not already sent), prompt, login_hint, nonce (when set) and
/// the extra parameters. Every name and value is percent-encoded (RFC 3986 unreserved bytes
/// kept, a space becomes %20). An endpoint that already has a query keeps it and is extended
/// with '&' (RFC 6749 §3.1).
/// Errors:
/// - errc::invalid_argument: empty authorization_endpoint, client_id or state; a control byte
///   in any value; an empty resource or extra parameter name; an extra parameter that repeats
///   a name the request sends, or that the endpoint's own query already carries;
/// - errc::invalid_url / errc::insecure_endpoint: the endpoint or redirect_uri is not an
///   acceptable URL (https, or loopback http; see check_endpoint and user_auth_config).
[[nodiscard]] result<std::string> authorization_url(const user_auth_config& c,
                                                    const pkce_pair& pkce, std::string_view state,
                                                    const authorization_url_options& opts = {});

// ---------------------------------------------------------------------------------------------
// the callback

/// What parse_authorization_callback() does when an expected issuer is given but the
/// callback carries no `iss` (RFC 9207 §2.4).
enum class issuer_policy : unsigned char {
  /// Reject (errc::issuer_mismatch). Right for a server that advertises
  /// `authorization_response_iss_parameter_supported` (or is known to send `iss`).
  required,
  /// Accept a callback without `iss`, but reject one whose `iss` differs. For servers that
  /// do not implement RFC 9207.
  if_present,
};

/// A successful authorization response (RFC 6749 §4.1.2).
struct authorization_callback {
  secret code;        ///< the authorization code: exchange it once, with the same pkce_pair
  std::string state;  ///< equals the expected state (already checked)
  std::string iss;    ///< RFC 9207 issuer, empty when the server sent none
  /// Other parameters the server added (e.g. Keycloak's session_state), decoded, in order.
  query_params extra;
};

namespace detail {

/// Upper bound on a callback's size: far above any real redirect, low enough that a hostile
/// request cannot make the parser spend real time.
inline constexpr std::size_t max_callback_size = 64 * 1024;

/// VSCHAR (RFC 6749 Appendix A): %x20-7E, the grammar of `code` and `state`.
[[nodiscard]] constexpr bool is_vschar_text(std::string_view s) noexcept {
  for (const char ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7E)
      return false;
  return true;
}

}  // namespace detail

/// Parses and checks the redirect the authorization server sent the browser back with
/// (RFC 6749 §4.1.2, RFC 9207). `uri_or_query` is the full redirect URI, the request target a
/// loopback server received ("/callback?code=…"), "?query" or the bare query; a fragment is
/// ignored. Checks, in this order (each failure ends the parse):
/// 1. errc::limit_exceeded: input above 64 KiB. errc::invalid_callback: no query, a malformed
///    %-escape, or any parameter present twice (parameter pollution: which one counts would be
///    a guess).
/// 2. errc::state_mismatch: `state` missing or different from `expected_state` (compared in
///    constant time). Checked BEFORE any `error=`: an error redirect with a wrong state may be
///    forged by another site (login CSRF, or text injected into error_description), so it is
///    never surfaced as the server's verdict; its `error` code is kept in error::oauth_error
///    for diagnosis only.
/// 3. errc::issuer_mismatch: `iss` differs from `expected_issuer` (exact comparison, RFC 9207
///    §2.4), or is absent while an issuer is expected under issuer_policy::required. Checked
///    for error responses too (mix-up attacks forge those as well).
/// 4. An `error` parameter: its errc (access_denied, invalid_request, unauthorized_client,
///    unsupported_response_type, invalid_scope, server_error, temporarily_unavailable; other
///    codes such as OIDC's login_required give errc::oauth_error) with oauth_error,
///    description and uri filled, sanitised (control and bidi characters removed).
/// 5. errc::invalid_callback: `code` missing, empty, or not VSCHAR (RFC 6749 Appendix A).
/// errc::invalid_argument when `expected_state` is empty. Messages never contain the code.
[[nodiscard]] result<authorization_callback> parse_authorization_callback(
    std::string_view uri_or_query, std::string_view expected_state,
    std::optional<std::string_view> expected_issuer = {},
    issuer_policy policy = issuer_policy::required);

// ---------------------------------------------------------------------------------------------
// the code exchange

/// Builds the token request that exchanges `code` (RFC 6749 §4.1.3, RFC 7636 §4.5):
/// `POST token_endpoint`, `Accept: application/json`, body members grant_type=
/// authorization_code, code, redirect_uri (exactly as in the authorization URL), code_verifier,
/// the configuration's RFC 8707 resource indicators (each), then the client's credentials:
/// client_id for a public client, or HTTP Basic (default) or client_id + client_secret in the body
/// for a confidential one. Parse the answer with parse_token_response(). Errors:
/// errc::invalid_argument (empty code, client_id or secret as the method needs, control bytes),
/// errc::invalid_url / errc::insecure_endpoint (token_endpoint or redirect_uri). Nothing is built
/// when a check fails; no message contains a secret.
[[nodiscard]] result<http_request> authorization_code_request(const user_auth_config& c,
                                                              const secret& code,
                                                              const pkce_pair& pkce);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

[[nodiscard]] PROFILE_AUTH_INLINE bool is_authz_reserved(std::string_view name) noexcept {
  for (const std::string_view r : authz_reserved_params)
    if (name == r) return true;
  return false;
}

/// Appends "&name=value" (or "name=value" after '?'/'&'), percent-encoding both (RFC 3986:
/// a space is %20, which every query decoder reads back, unlike '+').
PROFILE_AUTH_INLINE void append_query_param(std::string& url, std::string_view name,
                                            std::string_view value) {
  if (url.back() != '?' && url.back() != '&') url.push_back('&');
  percent_encode_to(url, name);
  url.push_back('=');
  percent_encode_to(url, value);
}

}  // namespace detail

PROFILE_AUTH_INLINE result<std::string> authorization_url(const user_auth_config& c,
                                                          const pkce_pair& pkce,
                                                          std::string_view state,
                                                          const authorization_url_options& opts) {
  if (auto r = detail::check_configured_endpoint("authorization_endpoint", c.authorization_endpoint,
                                                 c.allow_insecure_http);
      !r)
    return unexpected<error>(std::move(r).error());
  if (auto r = detail::check_redirect_uri(c); !r) return unexpected<error>(std::move(r).error());
  if (c.client_id.empty())
    return fail(errc::invalid_argument, "client_id is empty: set it to the client's id");
  if (state.empty())
    return fail(errc::invalid_argument,
                "state is empty: pass a fresh random_state() and keep it for the callback");
  const std::pair<std::string_view, std::string_view> texts[] = {{"client_id", c.client_id},
                                                                 {"scope", c.scope},
                                                                 {"state", state},
                                                                 {"prompt", opts.prompt},
                                                                 {"login_hint", opts.login_hint},
                                                                 {"nonce", opts.nonce}};
  for (const auto& [name, value] : texts)
    if (auto r = detail::check_text_param(name, value, body_format::form); !r)
      return unexpected<error>(std::move(r).error());
  for (const std::vector<std::string>* list : {&c.resource, &opts.resource})
    if (auto r = detail::check_list_param("resource", *list, body_format::form,
                                          "RFC 8707 resource indicators are absolute URIs");
        !r)
      return unexpected<error>(std::move(r).error());
  const auto configured = [&c](const std::string& res) {
    for (const std::string& mine : c.resource)
      if (mine == res) return true;
    return false;
  };
  // The endpoint's own query counts too: RFC 6749 §3.1 forbids sending a parameter twice.
  auto endpoint = parse_url(c.authorization_endpoint);  // cannot fail: checked above
  auto existing = parse_query(endpoint->query);
  if (!existing) return unexpected<error>(std::move(existing).error());
  for (const auto& [name, value] : *existing)
    if (detail::is_authz_reserved(name))
      return fail(errc::invalid_argument,
                  "authorization_endpoint's query already carries '" + name +
                      "', which the authorization request sets itself: remove it from the URL");
  for (std::size_t i = 0; i < opts.extra_params.size(); ++i) {
    const std::string& name = opts.extra_params[i].first;
    if (name.empty())
      return fail(errc::invalid_argument, "an extra parameter has an empty name: set a name");
    if (detail::is_authz_reserved(name))
      return fail(errc::invalid_argument,
                  "extra parameter '" + name +
                      "' repeats a parameter the request already sends: use the dedicated field");
    for (std::size_t j = 0; j < i; ++j)
      if (opts.extra_params[j].first == name)
        return fail(errc::invalid_argument, "extra parameter '" + name + "' is given twice");
    for (const auto& [other, unused] : *existing)
      if (other == name)
        return fail(errc::invalid_argument,
                    "extra parameter '" + name + "' is already in authorization_endpoint's query");
    if (auto r = detail::check_text_param("an extra parameter name", name, body_format::form); !r)
      return unexpected<error>(std::move(r).error());
    if (auto r = detail::check_text_param("extra parameter '" + name + "'",
                                          opts.extra_params[i].second, body_format::form);
        !r)
      return unexpected<error>(std::move(r).error());
  }

  std::string url = c.authorization_endpoint;
  url.reserve(url.size() + 256 + 3 * (c.redirect_uri.size() + c.scope.size()));
  if (!endpoint->has_query) url.push_back('?');
  detail::append_query_param(url, "response_type", "code");
  detail::append_query_param(url, "client_id", c.client_id);
  detail::append_query_param(url, "redirect_uri", c.redirect_uri);
  if (!c.scope.empty()) detail::append_query_param(url, "scope", c.scope);
  detail::append_query_param(url, "state", state);
  detail::append_query_param(url, "code_challenge", pkce.challenge());
  detail::append_query_param(url, "code_challenge_method", pkce.method_name());
  // The configuration's indicators, then the options' (one given in both is sent once).
  for (const auto& res : c.resource) detail::append_query_param(url, "resource", res);
  for (const auto& res : opts.resource)
    if (!configured(res)) detail::append_query_param(url, "resource", res);
  if (!opts.prompt.empty()) detail::append_query_param(url, "prompt", opts.prompt);
  if (!opts.login_hint.empty()) detail::append_query_param(url, "login_hint", opts.login_hint);
  if (!opts.nonce.empty()) detail::append_query_param(url, "nonce", opts.nonce);
  for (const auto& [name, value] : opts.extra_params) detail::append_query_param(url, name, value);
  return url;
}

namespace detail {

/// The query part of a redirect URI, a request target ("/cb?…"), "?query" or a bare query.
/// A fragment is cut off: the code flow answers in the query (response_mode=query), and a
/// browser never sends the fragment to a server anyway.
[[nodiscard]] PROFILE_AUTH_INLINE std::string_view callback_query(std::string_view in,
                                                                  bool& had_fragment,
                                                                  bool& is_uri) noexcept {
  const std::size_t hash = in.find('#');
  had_fragment = hash != std::string_view::npos;
  in = in.substr(0, hash);
  const std::size_t q = in.find('?');
  if (q != std::string_view::npos) {
    is_uri = q != 0;
    return in.substr(q + 1);
  }
  // No '?': a bare query ("code=…&state=…"), unless it looks like a URI or path without one.
  const std::size_t eq = in.find_first_of("=&");
  const std::size_t delim = in.find_first_of(":/");
  is_uri = delim != std::string_view::npos && (eq == std::string_view::npos || delim < eq);
  return is_uri ? std::string_view() : in;
}

[[nodiscard]] PROFILE_AUTH_INLINE unexpected<error> callback_fail(errc code, std::string what) {
  return fail(code, "the authorization callback " + std::move(what));
}

}  // namespace detail

PROFILE_AUTH_INLINE result<authorization_callback> parse_authorization_callback(
    std::string_view uri_or_query, std::string_view expected_state,
    std::optional<std::string_view> expected_issuer, issuer_policy policy) {
  if (expected_state.empty())
    return fail(errc::invalid_argument,
                "expected_state is empty: pass the state that went into authorization_url()");
  if (uri_or_query.size() > detail::max_callback_size)
    return detail::callback_fail(errc::limit_exceeded,
                                 "is " + std::to_string(uri_or_query.size()) +
                                     " bytes long, above the 64 KiB limit: reject it");
  bool had_fragment = false, is_uri = false;
  const std::string_view query = detail::callback_query(uri_or_query, had_fragment, is_uri);
  auto parsed = parse_query(query);
  if (!parsed)
    return detail::callback_fail(errc::invalid_callback,
                                 "does not decode: " + parsed.error().message);
  struct wipe_all {  // decoded values include the code
    query_params& p;
    ~wipe_all() {
      for (auto& f : p) detail::secure_wipe(f.second);
    }
  } wiper{*parsed};
  const query_params& params = *parsed;
  if (params.empty())
    return detail::callback_fail(
        errc::invalid_callback,
        had_fragment ? "has no query but a fragment: the code flow answers in the query "
                       "(response_mode=fragment and implicit flows are not supported)"
        : is_uri     ? "is a URI without a query: pass the URI the browser was redirected to"
                     : "has no query parameters: pass the whole redirect URI or its query");

  std::vector<std::string_view> names;
  names.reserve(params.size());
  for (const auto& p : params) names.emplace_back(p.first);
  detail::sort_names(names);
  for (std::size_t i = 1; i < names.size(); ++i)
    if (names[i] == names[i - 1])
      return detail::callback_fail(errc::invalid_callback,
                                   "carries parameter '" + detail::sanitize_token(names[i], 64) +
                                       "' more than once: reject it (RFC 6749 §3.1)");

  const std::string *state = nullptr, *iss = nullptr, *err = nullptr, *code = nullptr;
  const std::string *desc = nullptr, *err_uri = nullptr;
  for (const auto& [name, value] : params) {
    if (name == "state")
      state = &value;
    else if (name == "iss")
      iss = &value;
    else if (name == "error")
      err = &value;
    else if (name == "code")
      code = &value;
    else if (name == "error_description")
      desc = &value;
    else if (name == "error_uri")
      err_uri = &value;
  }

  if (state == nullptr || !constant_time_equal(*state, expected_state)) {
    error e(errc::state_mismatch,
            state == nullptr
                ? "the authorization callback has no state: it does not answer this "
                  "application's request (or the server dropped state); start the login again"
                : "the authorization callback's state does not match the state of this login "
                  "attempt: it may be forged (CSRF) or belong to another attempt; start the "
                  "login again");
    if (err != nullptr && detail::is_oauth_error_code(*err)) {
      e.oauth_error = *err;
      e.message += " (it carries error=" + *err + ", ignored because the state is wrong)";
    }
    return unexpected<error>(std::move(e));
  }

  if (expected_issuer) {
    if (iss == nullptr ? policy == issuer_policy::required : *iss != *expected_issuer)
      return detail::callback_fail(
          errc::issuer_mismatch,
          iss == nullptr ? "has no iss parameter although this server is expected to send one "
                           "(RFC 9207): it may come from another server (mix-up attack); use "
                           "issuer_policy::if_present only for servers that do not send iss"
                         : "names issuer '" + detail::sanitize_text(*iss, 200) +
                               "', not the expected one: it may come from another server (mix-up "
                               "attack, RFC 9207); reject it");
  }

  if (err != nullptr) {
    error e;
    const bool valid = detail::is_oauth_error_code(*err);
    e.oauth_error = valid ? *err : detail::sanitize_token(*err, detail::max_error_code);
    e.code = valid ? errc_from_oauth_error(*err) : errc::oauth_error;
    if (desc != nullptr) e.description = detail::sanitize_text(*desc, detail::max_description);
    if (err_uri != nullptr) e.uri = detail::sanitize_token(*err_uri, detail::max_error_uri);
    e.message = "the authorization server redirected back with error=" + e.oauth_error + ": ";
    e.message += e.code == errc::access_denied
                     ? std::string_view("the user (or the server's policy) refused the request")
                     : detail::oauth_advice(e.code);
    detail::append_context(e.message, e);
    return unexpected<error>(std::move(e));
  }

  if (code == nullptr || code->empty())
    return detail::callback_fail(
        errc::invalid_callback,
        std::string(code == nullptr ? "has no code" : "has an empty code") +
            ": it is not an authorization response; check that the redirect URI is the one "
            "registered and that response_type=code was requested");
  if (!detail::is_vschar_text(*code))
    return detail::callback_fail(errc::invalid_callback,
                                 "has a code with a control or non-ASCII byte, which RFC 6749 "
                                 "Appendix A forbids: reject it");

  authorization_callback cb;
  cb.code = secret(std::string_view(*code));
  cb.state = *state;
  if (iss != nullptr) cb.iss = *iss;
  for (const auto& [name, value] : params)
    if (&value != code && &value != state && &value != iss) cb.extra.emplace_back(name, value);
  return cb;
}

PROFILE_AUTH_INLINE result<http_request> authorization_code_request(const user_auth_config& c,
                                                                    const secret& code,
                                                                    const pkce_pair& pkce) {
  if (auto r = detail::check_redirect_uri(c); !r) return unexpected<error>(std::move(r).error());
  if (auto r = detail::check_secret_param("the authorization code", code, c.format); !r)
    return unexpected<error>(std::move(r).error());
  auto u = detail::begin_user_request(
      c, "token_endpoint", c.token_endpoint, c.format, "authorization_code",
      3 * (code.size() + c.redirect_uri.size() + pkce.verifier().size()));
  if (!u) return unexpected<error>(std::move(u).error());
  detail::add_param(*u, "code", code.reveal());
  detail::add_param(*u, "redirect_uri", c.redirect_uri);
  detail::add_param(*u, "code_verifier", pkce.verifier().reveal());
  detail::add_resources(*u, c);
  return detail::finish_user_request(c, std::move(*u));
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_AUTHORIZATION_CODE_HPP
