// SPDX-License-Identifier: MIT
// profile-auth: error codes, their std::error_category, and the error value every call returns.
#ifndef PROFILE_AUTH_ERROR_HPP
#define PROFILE_AUTH_ERROR_HPP

#include <profile/auth/config.hpp>

#include <array>         // the compile-time classification table
#include <chrono>        // std::chrono::seconds for retry_after
#include <cstddef>       // std::size_t offsets into the OAuth code table
#include <optional>      // std::optional retry_after
#include <string>        // owned message and OAuth fields
#include <string_view>   // to_string(errc)
#include <system_error>  // std::error_code / std::error_category integration
#include <utility>       // std::move

namespace profile::auth::inline v0 {

/// Every way a profile-auth call can fail. Values are stable; new ones are appended.
enum class errc : int {
  // --- bad input from the caller (never sent) ---
  invalid_argument = 1,  ///< a parameter is empty, too long or malformed
  insecure_endpoint,     ///< an endpoint is not https:// and not loopback
  invalid_url,           ///< a URL does not parse
  invalid_header_value,  ///< a token or credential has a byte its header grammar forbids
  // --- decoders ---
  invalid_base64,            ///< base64/base64url input is malformed
  invalid_percent_encoding,  ///< a %XX escape is malformed
  invalid_json,              ///< JSON syntax error (RFC 8259)
  invalid_utf8,              ///< a string is not valid UTF-8 (or holds a lone surrogate)
  limit_exceeded,            ///< a size, depth or length limit was exceeded
  // --- transport ---
  transport_failed,    ///< the HTTP stack could not deliver (DNS, connect, TLS, timeout …)
  response_too_large,  ///< the response body exceeded the transport's limit
  // --- server answers ---
  malformed_response,      ///< a 2xx answer that is not a usable token/metadata response
  unsupported_token_type,  ///< a non-Bearer token type was issued, or (RFC 7009) the server cannot
                           ///< revoke this token type
  http_error,              ///< a non-2xx answer without an OAuth error body (proxy, WAF, 5xx page)
  // --- RFC 6749 §5.2 / §4.1.2.1, RFC 6750, RFC 8628, RFC 8707 error codes ---
  invalid_request,
  invalid_client,
  invalid_grant,
  unauthorized_client,
  unsupported_grant_type,
  invalid_scope,
  invalid_target,
  access_denied,
  unsupported_response_type,
  server_error,
  temporarily_unavailable,
  authorization_pending,
  slow_down,
  expired_token,
  invalid_token,
  insufficient_scope,
  oauth_error,  ///< an OAuth `error` code this library does not know (kept in oauth_error)
  // --- user authorization ---
  state_mismatch,             ///< the callback's state is missing or differs
  issuer_mismatch,            ///< RFC 9207 `iss` or discovered issuer differs from the expected one
  invalid_callback,           ///< the callback lacks a code or repeats a parameter
  reauthentication_required,  ///< the refresh token is dead: the user must log in again
  // --- state, storage, randomness ---
  not_authenticated,  ///< there is no token and none can be fetched (e.g. no session stored)
  store_failed,       ///< the token store could not read or write
  store_corrupt,      ///< the stored session is corrupt or of a foreign format version
  store_conflict,     ///< compare-and-swap on the store lost: another writer won
  random_failed,      ///< the random source failed
  // --- RFC 7591 §3.2.2 dynamic client registration ---
  invalid_redirect_uri,     ///< the server refused a redirect URI of the registration
  invalid_client_metadata,  ///< the server refused other metadata or the software statement
  // --- the API (resource server) ---
  token_rejected,  ///< the API keeps refusing freshly issued tokens (401 invalid_token): their
                   ///< audience, resource or scope does not fit it
  // --- JOSE (RFC 7515, 7517, 7518, 8037): keys and signed tokens, see docs/jose.md ---
  jose_malformed,          ///< a JWS, JWK or JWK set lacks the structure its RFC requires
  jwk_private_key,         ///< a public key or key set holds private key members
  jws_alg_none,            ///< the JWS header says `alg: none` (an unsigned token)
  jws_alg_not_allowed,     ///< the JWS `alg` is not in the caller's allow-list
  jws_key_type_mismatch,   ///< the key's type or curve does not fit the `alg` (alg confusion)
  jws_crit_unsupported,    ///< the JWS header has `crit`: extensions this library cannot honour
  jws_header_key_refused,  ///< the JWS header points at a key (`jku`, `x5u`, `jwk`, `x5c`)
  jws_kid_invalid,         ///< the JWS `kid` has path characters or is too long
  jws_kid_unknown,         ///< no key of the set has the JWS `kid` (or none can be chosen)
  jws_key_not_for_verify,  ///< the key's `use` is not `sig` or its `key_ops` lack `verify`
  jws_key_alg_mismatch,    ///< the key's `alg` differs from the JWS `alg`
  jws_signature_invalid,   ///< the signature does not verify
  jws_unsupported,         ///< the verifier cannot verify this algorithm or key
};

/// What a caller should do about an error.
enum class error_class : unsigned char {
  retryable,         ///< try again later (transport, 408, 429, 5xx, infrastructure 4xx)
  credentials,       ///< the client's credentials are wrong: fix configuration, do not retry
  reauthenticate,    ///< the user must authorize again (dead refresh token)
  misconfiguration,  ///< a request the server will never accept as built: fix the code/config
  user_action,       ///< the user refused or has not finished (access_denied, pending)
  protocol,          ///< the server answered something unusable
  local,             ///< a local failure (bad input, store, randomness)
};

/// Stable snake_case name of an errc, e.g. "invalid_grant".
[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::insecure_endpoint:
      return "insecure_endpoint";
    case errc::invalid_url:
      return "invalid_url";
    case errc::invalid_header_value:
      return "invalid_header_value";
    case errc::invalid_base64:
      return "invalid_base64";
    case errc::invalid_percent_encoding:
      return "invalid_percent_encoding";
    case errc::invalid_json:
      return "invalid_json";
    case errc::invalid_utf8:
      return "invalid_utf8";
    case errc::limit_exceeded:
      return "limit_exceeded";
    case errc::transport_failed:
      return "transport_failed";
    case errc::response_too_large:
      return "response_too_large";
    case errc::malformed_response:
      return "malformed_response";
    case errc::unsupported_token_type:
      return "unsupported_token_type";
    case errc::http_error:
      return "http_error";
    case errc::invalid_request:
      return "invalid_request";
    case errc::invalid_client:
      return "invalid_client";
    case errc::invalid_grant:
      return "invalid_grant";
    case errc::unauthorized_client:
      return "unauthorized_client";
    case errc::unsupported_grant_type:
      return "unsupported_grant_type";
    case errc::invalid_scope:
      return "invalid_scope";
    case errc::invalid_target:
      return "invalid_target";
    case errc::access_denied:
      return "access_denied";
    case errc::unsupported_response_type:
      return "unsupported_response_type";
    case errc::server_error:
      return "server_error";
    case errc::temporarily_unavailable:
      return "temporarily_unavailable";
    case errc::authorization_pending:
      return "authorization_pending";
    case errc::slow_down:
      return "slow_down";
    case errc::expired_token:
      return "expired_token";
    case errc::invalid_token:
      return "invalid_token";
    case errc::insufficient_scope:
      return "insufficient_scope";
    case errc::oauth_error:
      return "oauth_error";
    case errc::state_mismatch:
      return "state_mismatch";
    case errc::issuer_mismatch:
      return "issuer_mismatch";
    case errc::invalid_callback:
      return "invalid_callback";
    case errc::reauthentication_required:
      return "reauthentication_required";
    case errc::not_authenticated:
      return "not_authenticated";
    case errc::store_failed:
      return "store_failed";
    case errc::store_corrupt:
      return "store_corrupt";
    case errc::store_conflict:
      return "store_conflict";
    case errc::random_failed:
      return "random_failed";
    case errc::invalid_redirect_uri:
      return "invalid_redirect_uri";
    case errc::invalid_client_metadata:
      return "invalid_client_metadata";
    case errc::token_rejected:
      return "token_rejected";
    case errc::jose_malformed:
      return "jose_malformed";
    case errc::jwk_private_key:
      return "jwk_private_key";
    case errc::jws_alg_none:
      return "jws_alg_none";
    case errc::jws_alg_not_allowed:
      return "jws_alg_not_allowed";
    case errc::jws_key_type_mismatch:
      return "jws_key_type_mismatch";
    case errc::jws_crit_unsupported:
      return "jws_crit_unsupported";
    case errc::jws_header_key_refused:
      return "jws_header_key_refused";
    case errc::jws_kid_invalid:
      return "jws_kid_invalid";
    case errc::jws_kid_unknown:
      return "jws_kid_unknown";
    case errc::jws_key_not_for_verify:
      return "jws_key_not_for_verify";
    case errc::jws_key_alg_mismatch:
      return "jws_key_alg_mismatch";
    case errc::jws_signature_invalid:
      return "jws_signature_invalid";
    case errc::jws_unsupported:
      return "jws_unsupported";
  }
  return "unknown";
}

namespace detail {
/// PROFILE_AUTH_TERSE_ERRORS as a constant: `if constexpr (detail::terse_errors)` picks the
/// short fixed message and drops the code that builds the long one.
inline constexpr bool terse_errors = PROFILE_AUTH_TERSE_ERRORS != 0;

/// The OAuth `error` codes errc knows, NUL-separated, in the order of oauth_error_errcs: one
/// compact table, so that mapping a server's code does not pull in every errc name.
inline constexpr char oauth_error_names[] =
    "invalid_request\0invalid_client\0invalid_grant\0unauthorized_client\0"
    "unsupported_grant_type\0invalid_scope\0invalid_target\0access_denied\0"
    "unsupported_response_type\0server_error\0temporarily_unavailable\0"
    "authorization_pending\0slow_down\0expired_token\0invalid_token\0insufficient_scope\0"
    "invalid_redirect_uri\0invalid_client_metadata";
inline constexpr errc oauth_error_errcs[] = {
    errc::invalid_request,     errc::invalid_client,          errc::invalid_grant,
    errc::unauthorized_client, errc::unsupported_grant_type,  errc::invalid_scope,
    errc::invalid_target,      errc::access_denied,           errc::unsupported_response_type,
    errc::server_error,        errc::temporarily_unavailable, errc::authorization_pending,
    errc::slow_down,           errc::expired_token,           errc::invalid_token,
    errc::insufficient_scope,  errc::invalid_redirect_uri,    errc::invalid_client_metadata};

/// True when oauth_error_names lists exactly to_string() of oauth_error_errcs.
constexpr bool oauth_error_table_matches() noexcept {
  std::size_t at = 0;
  for (const errc e : oauth_error_errcs) {
    const std::string_view name(oauth_error_names + at);
    if (name != to_string(e)) return false;
    at += name.size() + 1;
  }
  return at == sizeof oauth_error_names;
}
#if PROFILE_AUTH_DEFINITIONS  // checked where the definitions compile: once in compiled mode
static_assert(oauth_error_table_matches(), "oauth_error_names must follow oauth_error_errcs");
#endif
}  // namespace detail

/// Maps an RFC 6749/6750/7591/8628/8707 `error` code to its errc; unknown codes give
/// errc::oauth_error.
[[nodiscard]] constexpr errc errc_from_oauth_error(std::string_view code) noexcept {
  std::size_t at = 0;
  for (const errc e : detail::oauth_error_errcs) {
    const std::string_view name(detail::oauth_error_names + at);
    if (name == code) return e;
    at += name.size() + 1;
  }
  return errc::oauth_error;
}

/// The std::error_category of errc values (name "profile.auth").
[[nodiscard]] const std::error_category& error_category() noexcept;

/// Lets `std::error_code ec = errc::invalid_grant;` work.
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// The error value carried by every failed result<T>. Never contains a secret.
struct error {
  /// What went wrong, as a portable code.
  errc code = errc::invalid_argument;
  int http_status = 0;      ///< 0 when no HTTP answer was involved
  std::string oauth_error;  ///< RFC 6749 §5.2 `error`, as the server sent it
  std::string description;  ///< `error_description` (server text, control bytes removed)
  std::string uri;          ///< `error_uri`
  std::optional<std::chrono::seconds> retry_after;  ///< from Retry-After, when given
  std::string request_id;  ///< the server's request/correlation id header, when given
  std::string message;     ///< for humans: what went wrong and what to do

  ///@{
  /// An error with code `c` and the human-readable `msg`.
  error() = default;
  error(errc c, std::string msg) : code(c), message(std::move(msg)) {}
  ///@}

  /// The errc as a std::error_code.
  [[nodiscard]] std::error_code error_code() const noexcept { return make_error_code(code); }
};

namespace detail {
// classify() reads a table built at compile time from the rules below, so that the program
// carries 64 bytes and a lookup rather than a switch over every errc.
inline constexpr unsigned char by_status_infrastructure = 0x80;  ///< errc::http_error's rule
inline constexpr unsigned char by_status_protocol = 0x81;        ///< retryable for 5xx/408/429 only
[[nodiscard]] constexpr unsigned char errc_class_rule(errc c) noexcept {
  const auto k = [](error_class e) { return static_cast<unsigned char>(e); };
  switch (c) {
    case errc::transport_failed:
    case errc::temporarily_unavailable:
    case errc::server_error:
    case errc::slow_down:
      return k(error_class::retryable);
    case errc::http_error:
      return by_status_infrastructure;
    case errc::invalid_client:
    case errc::unauthorized_client:
      return k(error_class::credentials);
    case errc::invalid_grant:
    case errc::reauthentication_required:
    case errc::expired_token:
    case errc::invalid_token:
      return k(error_class::reauthenticate);
    case errc::invalid_request:
    case errc::unsupported_grant_type:
    case errc::invalid_scope:
    case errc::invalid_target:
    case errc::insecure_endpoint:
    case errc::invalid_url:
    case errc::unsupported_response_type:
    case errc::insufficient_scope:
    case errc::invalid_argument:
    case errc::invalid_header_value:
    case errc::invalid_redirect_uri:
    case errc::invalid_client_metadata:
    case errc::token_rejected:
    case errc::jws_unsupported:
      return k(error_class::misconfiguration);
    case errc::access_denied:
    case errc::authorization_pending:
      return k(error_class::user_action);
    case errc::malformed_response:
    case errc::unsupported_token_type:
    case errc::response_too_large:
    case errc::invalid_json:
    case errc::invalid_utf8:
    case errc::oauth_error:
    case errc::state_mismatch:
    case errc::issuer_mismatch:
    case errc::invalid_callback:
    case errc::limit_exceeded:
    case errc::jose_malformed:
    case errc::jwk_private_key:
    case errc::jws_alg_none:
    case errc::jws_alg_not_allowed:
    case errc::jws_key_type_mismatch:
    case errc::jws_crit_unsupported:
    case errc::jws_header_key_refused:
    case errc::jws_kid_invalid:
    case errc::jws_kid_unknown:
    case errc::jws_key_not_for_verify:
    case errc::jws_key_alg_mismatch:
    case errc::jws_signature_invalid:
      return by_status_protocol;
    default:
      return k(error_class::local);
  }
}
inline constexpr std::size_t errc_class_table_size = 64;  // errc values stay below this
static_assert(static_cast<std::size_t>(errc::jws_unsupported) < errc_class_table_size);
constexpr std::array<unsigned char, errc_class_table_size> make_errc_class_table() noexcept {
  std::array<unsigned char, errc_class_table_size> t{};
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = errc_class_rule(static_cast<errc>(i));
  return t;
}
inline constexpr auto errc_class_table = make_errc_class_table();
}  // namespace detail

/// How a caller should react to an error with code `c` after an answer with `http_status`:
/// - retryable: transport_failed, server_error, temporarily_unavailable, slow_down;
///   http_error (an answer without an OAuth body is infrastructure: a proxy, a WAF, a gateway)
///   except for a redirect (endpoints are never followed) or 404/405/410 (a wrong endpoint
///   URL), which are misconfiguration;
/// - credentials: invalid_client, unauthorized_client;
/// - reauthenticate: invalid_grant, reauthentication_required, expired_token, invalid_token;
/// - misconfiguration: invalid_request, unsupported_grant_type, invalid_scope, invalid_target,
///   insecure_endpoint, invalid_url, unsupported_response_type, insufficient_scope,
///   invalid_argument, invalid_header_value, invalid_redirect_uri, invalid_client_metadata,
///   token_rejected, jws_unsupported;
/// - user_action: access_denied, authorization_pending;
/// - protocol (retryable when the status is 5xx, 408 or 429): malformed_response,
///   unsupported_token_type, response_too_large, invalid_json, invalid_utf8, oauth_error,
///   state_mismatch, issuer_mismatch, invalid_callback, limit_exceeded, and the JOSE refusals
///   jose_malformed, jwk_private_key, jws_alg_none, jws_alg_not_allowed, jws_key_type_mismatch,
///   jws_crit_unsupported, jws_header_key_refused, jws_kid_invalid, jws_kid_unknown,
///   jws_key_not_for_verify, jws_key_alg_mismatch, jws_signature_invalid;
/// - local: everything else (store, randomness, decoders, not_authenticated).
[[nodiscard]] constexpr error_class classify(errc c, int http_status = 0) noexcept {
  const auto i = static_cast<std::size_t>(c);
  const unsigned char rule = i < detail::errc_class_table.size()
                                 ? detail::errc_class_table[i]
                                 : static_cast<unsigned char>(error_class::local);
  if (rule == detail::by_status_infrastructure)
    return (http_status >= 300 && http_status < 400) || http_status == 404 || http_status == 405 ||
                   http_status == 410
               ? error_class::misconfiguration
               : error_class::retryable;
  if (rule == detail::by_status_protocol)
    return http_status >= 500 || http_status == 408 || http_status == 429 ? error_class::retryable
                                                                          : error_class::protocol;
  return static_cast<error_class>(rule);
}

/// How a caller should react to `e`.
[[nodiscard]] constexpr error_class classify(const error& e) noexcept {
  return classify(e.code, e.http_status);
}
/// True when trying again later may succeed.
[[nodiscard]] constexpr bool is_retryable(const error& e) noexcept {
  return classify(e) == error_class::retryable;
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {
class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "profile.auth"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<errc>(ev)));
  }
};
}  // namespace detail

PROFILE_AUTH_INLINE const std::error_category& error_category() noexcept {
  static const detail::error_category_impl instance;
  return instance;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

template <>
struct std::is_error_code_enum<profile::auth::errc> : std::true_type {};

#endif  // PROFILE_AUTH_ERROR_HPP
