// SPDX-License-Identifier: MIT
// profile-auth: turning an error answer (RFC 6749 §5.2 body, or a bare HTTP status) into `error`.
#ifndef PROFILE_AUTH_OAUTH_ERROR_HPP
#define PROFILE_AUTH_OAUTH_ERROR_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits in response_error_options
#include <profile/auth/detail/redact.hpp>       // credential_list in response_error_options
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>

#include <chrono>       // system_clock: the wall-clock "now" an HTTP-date Retry-After needs
#include <cstddef>      // std::size_t
#include <optional>     // optional wall clock, optional fields
#include <string>       // messages and owned fields
#include <string_view>  // inputs

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/http_date.hpp>  // parse_retry_after
#include <profile/auth/detail/json.hpp>       // JSON error bodies
#include <profile/auth/detail/json_flat.hpp>  // ... with PROFILE_AUTH_FLAT_JSON_ONLY
#include <profile/auth/detail/json_text.hpp>  // UTF-8 sequences in sanitize_text
#include <profile/auth/secret.hpp>            // secure_wipe of form values
#include <profile/auth/url.hpp>               // form error bodies (parse_query), iequals
#endif

namespace profile::auth::inline v0 {

/// How error answers are read.
struct response_error_options {
  /// Bounds for parsing an error body (the same defaults as token responses).
  detail::json::limits limits{};
  /// The current wall-clock time, needed only to turn `Retry-After: <HTTP-date>` into a delay.
  /// Pure functions never read a clock: without it a date-valued Retry-After is ignored
  /// (delta-seconds values always work).
  std::optional<std::chrono::system_clock::time_point> wall_clock_now;
  /// The credentials the request carried (see detail::credential_list; it must outlive the
  /// call), or null. Each is removed from the error, in every form a server may quote it in,
  /// before the length caps cut the server's text and again from every finished field.
  const detail::credential_list* redact = nullptr;
};

/// The response headers consulted, in this order, for `error::request_id` (the first one present
/// with a printable value wins). They are what support desks ask for when a request failed.
inline constexpr std::string_view request_id_headers[] = {
    "X-Request-Id",    "X-Correlation-Id",    "Request-Id",  "X-Amzn-RequestId", "X-Amz-Request-Id",
    "X-Ms-Request-Id", "X-GitHub-Request-Id", "X-Amz-Cf-Id", "CF-Ray",           "traceparent"};

namespace detail {

inline constexpr std::size_t max_description = 1024;        ///< bytes kept in error::description
inline constexpr std::size_t max_quoted_description = 200;  ///< bytes quoted in error::message
inline constexpr std::size_t max_request_id = 128;
inline constexpr std::size_t max_error_uri = 512;
inline constexpr std::size_t max_error_code = 128;

/// Server text made safe to print: C0/C1 controls and DEL dropped (CR, LF and TAB become a
/// space so words stay apart), bidirectional overrides dropped, malformed UTF-8 replaced by '?',
/// at most `cap` bytes (never cutting a UTF-8 sequence; "..." marks a cut).
[[nodiscard]] std::string sanitize_text(std::string_view s, std::size_t cap);

/// Printable ASCII only (0x21-0x7E; anything else dropped), at most `cap` bytes.
[[nodiscard]] std::string sanitize_token(std::string_view s, std::size_t cap);

/// How a response body is shaped, judged from Content-Type and the first byte.
enum class body_shape : unsigned char { empty, json, form, other };

[[nodiscard]] std::string_view media_type(const http_response& r) noexcept;

/// PROFILE_AUTH_JSON_ONLY as a constant for `if constexpr`.
inline constexpr bool json_only = PROFILE_AUTH_JSON_ONLY != 0;

// With PROFILE_AUTH_JSON_ONLY sniff_body is inlined into its callers, so that the compiler sees
// it never answers `form` and drops the form-body readers behind that case.
// (Header-only only: in compiled mode the callers are in the library's source file anyway.)
#if PROFILE_AUTH_JSON_ONLY && !PROFILE_AUTH_SEPARATE_COMPILATION && \
    (defined(__GNUC__) || defined(__clang__))
#define PROFILE_AUTH_DETAIL_SNIFF_INLINE __attribute__((always_inline))
#else
#define PROFILE_AUTH_DETAIL_SNIFF_INLINE
#endif

/// JSON when it starts with '{' or is labelled JSON; form when labelled form or text/plain or
/// unlabelled (GitHub answers form bodies unless asked for JSON; some servers label JSON
/// errors text/plain, which the '{' check catches); anything else (HTML pages) is `other`.
/// With PROFILE_AUTH_JSON_ONLY, what would be `form` is `other`.
[[nodiscard]] PROFILE_AUTH_DETAIL_SNIFF_INLINE body_shape
sniff_body(const http_response& r) noexcept;

/// RFC 6749 §5.2 `error` grammar: 1*( %x20-21 / %x23-5B / %x5D-7E ).
[[nodiscard]] constexpr bool is_oauth_error_code(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_error_code) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

/// The three RFC 6749 §5.2 fields as found in a body, still raw (not yet sanitised).
struct oauth_error_fields {
  std::string error, description, uri;
  bool found = false;  ///< `error` present with a valid code
};

/// Reads error/error_description/error_uri from a JSON object or form body. Anything that is
/// not such a body (or has an invalid code) leaves `found` false.
[[nodiscard]] oauth_error_fields read_oauth_error(const http_response& r, const json::limits& lim);

/// Fills the parts of an error that come from any HTTP answer: status, Retry-After (see
/// parse_retry_after) and the request id (first of request_id_headers, sanitised; with
/// `redact`, the credentials removed before the cap).
void add_response_context(error& e, const http_response& r,
                          std::optional<std::chrono::system_clock::time_point> now,
                          const credential_list* redact = nullptr);

/// sanitize_token(s, cap) after removing the credentials of `redact` (when not null), so that
/// the cap cannot leave the start of one: for server text a message quotes (a media type, a
/// token_type).
[[nodiscard]] std::string quote_token(std::string_view s, std::size_t cap,
                                      const credential_list* redact);

/// What to do about an OAuth error code (the tail of error::message).
[[nodiscard]] constexpr std::string_view oauth_advice(errc c) noexcept {
  switch (c) {
    case errc::invalid_client:
      return "check client_id and client_secret, and how they are sent (client_auth, "
             "basic_encoding)";
    case errc::unauthorized_client:
      return "this client may not use this grant type: enable it for the client on the server";
    case errc::invalid_grant:
      return "the grant (credentials, authorization code, refresh token or device code) is "
             "invalid, expired, revoked or already used: authenticate again";
    case errc::invalid_scope:
      return "the requested scope is unknown or not allowed for this client: fix the scope";
    case errc::unsupported_grant_type:
      return "the server does not accept this grant type here: check the token endpoint URL "
             "and the server's configuration";
    case errc::invalid_request:
      return "the server rejected the request as malformed: check the endpoint URL, the body "
             "format (JSON or form) and the parameters";
    case errc::invalid_target:
      return "the requested resource or audience is not accepted: fix resource/audience";
    case errc::access_denied:
      return "the resource owner or the server denied the request";
    case errc::unsupported_response_type:
      return "the server does not support this response type";
    case errc::server_error:
      return "the server failed: retry later";
    case errc::temporarily_unavailable:
      return "the server is overloaded or down: retry later";
    case errc::authorization_pending:
      return "the user has not finished yet: keep polling";
    case errc::slow_down:
      return "polling too fast: increase the interval";
    case errc::expired_token:
      return "the device code expired: start the flow again";
    case errc::invalid_token:
      return "the token is invalid or expired: fetch a new one";
    case errc::insufficient_scope:
      return "the token lacks the scope this call needs";
    case errc::invalid_redirect_uri:
      return "the registration's redirect URIs were refused: check their scheme and host";
    case errc::invalid_client_metadata:
      return "the server refused a client metadata value: see error_description";
    default:
      return "an error code this library does not know: see error_description";
  }
}

/// What to do about a status without an OAuth error body.
[[nodiscard]] constexpr std::string_view status_advice(int s) noexcept {
  if (s < 100 || s > 599) return "not a valid HTTP status: check the transport";
  if (s < 200) return "an interim answer reached the library: check the transport";
  if (s < 300) return "check the endpoint URL";
  if (s < 400)
    return "redirects are not followed: check the endpoint URL (https, host, path, trailing "
           "slash)";
  if (s == 404 || s == 405) return "check the endpoint URL and the HTTP method";
  if (s == 408) return "the request timed out: retry";
  if (s == 429) return "rate limited: retry later";
  if (s >= 500) return "the server or a gateway failed: retry later";
  return "without an OAuth error body it comes from a proxy, gateway or firewall rather than "
         "the authorization server: check the endpoint URL and network path, then retry";
}

/// Appends " (server says: \"…\")", retry-after and request-id notes to a message (nothing with
/// PROFILE_AUTH_TERSE_ERRORS: the error carries them in its fields anyway).
void append_context(std::string& m, const error& e);

}  // namespace detail

/// Turns a non-2xx answer (or a 2xx whose body carries `error`) from `what` (e.g. "token
/// endpoint") into an error value:
/// - an RFC 6749 §5.2 body (JSON object, or form-encoded as GitHub sends; JSON labelled
///   text/plain is recognised by its '{') with a valid `error` code: code =
///   errc_from_oauth_error(error) (unknown codes give errc::oauth_error), with oauth_error,
///   description (sanitised: controls removed, at most 1024 bytes) and uri filled;
/// - otherwise (HTML page, empty body, WAF, 502): errc::http_error; classify() treats it as
///   infrastructure (retryable), never as a verdict on the credentials. A 2xx without an
///   `error` gives errc::malformed_response.
/// Always: http_status; retry_after from `Retry-After` (delta-seconds, or an HTTP-date when
/// opts.wall_clock_now is set); request_id from the first of request_id_headers (printable
/// ASCII, at most 128 bytes). The message says what happened and what to do; it quotes only
/// the sanitised error_description, never the body.
[[nodiscard]] error oauth_error_from_response(const http_response& r,
                                              std::string_view what = "token endpoint",
                                              const response_error_options& opts = {});

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

PROFILE_AUTH_INLINE std::string sanitize_text(std::string_view s, std::size_t cap) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\t' || c == '\n' || c == '\r') {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      } else if (c >= 0x20 && c != 0x7F) {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    const int len = json::text::utf8_sequence(s.data() + i, s.data() + s.size());
    if (len <= 0) {  // one '?' per maximal ill-formed subpart
      out.push_back('?');
      i += static_cast<std::size_t>(-len);
      continue;
    }
    const std::string_view seq = s.substr(i, static_cast<std::size_t>(len));
    const auto b1 = static_cast<unsigned char>(seq[1]);
    const auto b2 = seq.size() > 2 ? static_cast<unsigned char>(seq[2]) : 0;
    const bool c1_control = c == 0xC2 && b1 < 0xA0;                              // U+0080..U+009F
    const bool bidi = c == 0xE2 && ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) ||  // U+202A..E
                                    (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9));   // U+2066..9
    if (!c1_control && !bidi) out.append(seq);
    i += seq.size();
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > cap) {
    std::size_t keep = cap >= 3 ? cap - 3 : 0;
    while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
    out.resize(keep);
    if (cap >= 3) out += "...";
  }
  return out;
}

PROFILE_AUTH_INLINE std::string sanitize_token(std::string_view s, std::size_t cap) {
  std::string out;
  for (const char ch : s) {
    if (out.size() == cap) break;
    if (ch > 0x20 && ch < 0x7F) out.push_back(ch);
  }
  return out;
}

PROFILE_AUTH_INLINE std::string_view media_type(const http_response& r) noexcept {
  std::string_view ct = r.headers.find("Content-Type").value_or(std::string_view{});
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  return ct;
}

PROFILE_AUTH_INLINE body_shape sniff_body(const http_response& r) noexcept {
  std::size_t i = 0;
  const std::string_view b = r.body;
  while (i < b.size() && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) ++i;
  if (i == b.size()) return body_shape::empty;
  if (b[i] == '{') return body_shape::json;
  const std::string_view mt = media_type(r);
  const std::string_view suffix = "+json";
  if (iequals(mt, "application/json") ||
      (mt.size() > suffix.size() && iequals(mt.substr(mt.size() - suffix.size()), suffix)))
    return body_shape::json;
  if (json_only) return body_shape::other;
  if (mt.empty() || iequals(mt, "application/x-www-form-urlencoded") || iequals(mt, "text/plain"))
    return body_shape::form;
  return body_shape::other;
}

PROFILE_AUTH_INLINE oauth_error_fields read_oauth_error(const http_response& r,
                                                        const json::limits& lim) {
  oauth_error_fields f;
  const body_shape shape = sniff_body(r);
#if PROFILE_AUTH_FLAT_JSON_ONLY
  if (shape == body_shape::json) {  // the flat reader only: no tape parser in the program
    bool bad = false;
    const auto on_member = [&](const json::flat_member& m) -> bool {
      std::string* dst = m.name == "error"               ? &f.error
                         : m.name == "error_description" ? &f.description
                         : m.name == "error_uri"         ? &f.uri
                                                         : nullptr;
      if (dst == nullptr) return true;
      if (m.type == json::kind::string)
        m.assign_to(*dst);
      else if (dst == &f.error)
        bad = true;  // null, number, bool: not an OAuth error body
      return true;
    };
    if (json::read_flat_object(r.body, lim, json::flat_callback(on_member)) !=
            json::flat_result::done ||
        bad || !is_oauth_error_code(f.error))
      return oauth_error_fields{};
  } else
#endif
      if (shape == body_shape::json) {
    auto doc = json::parse(r.body, lim);
    if (!doc || !doc->root().is_object()) return f;
    const json::value root = doc->root();
    const auto e = root.find("error");
    if (!e || !e->copy_string_to(f.error) || !is_oauth_error_code(f.error)) return f;
    if (const auto d = root.find("error_description")) (void)d->copy_string_to(f.description);
    if (const auto u = root.find("error_uri")) (void)u->copy_string_to(f.uri);
  } else if (!json_only && shape == body_shape::form) {
    if (r.body.size() > lim.max_size) return f;
    auto q = parse_query(r.body);
    if (!q) return f;
    bool have = false;
    for (auto& [name, value] : *q) {
      if (name == "error" && !have) {
        f.error = value;
        have = true;
      } else if (name == "error_description")
        f.description = value;
      else if (name == "error_uri")
        f.uri = value;
      secure_wipe(value);  // a form body can carry a token next to the error
    }
    if (!have || !is_oauth_error_code(f.error)) return f;
  } else {
    return f;
  }
  f.found = true;
  return f;
}

PROFILE_AUTH_INLINE void add_response_context(
    error& e, const http_response& r, std::optional<std::chrono::system_clock::time_point> now,
    const credential_list* redact) {
  e.http_status = r.status;
  if (const auto ra = r.headers.find("Retry-After")) e.retry_after = parse_retry_after(*ra, now);
  for (const std::string_view h : request_id_headers)
    if (const auto v = r.headers.find(h)) {
      e.request_id = quote_token(*v, max_request_id, redact);
      if (!e.request_id.empty()) break;
    }
}

PROFILE_AUTH_INLINE std::string quote_token(std::string_view s, std::size_t cap,
                                            const credential_list* redact) {
  if (redact == nullptr) return sanitize_token(s, cap);
  std::string text(s);
  redact->scrub_text(text);
  return sanitize_token(text, cap);
}

PROFILE_AUTH_INLINE void append_context(std::string& m, const error& e) {
  if constexpr (terse_errors) return;
  if (!e.description.empty()) {
    m += " (server says: \"";
    m += sanitize_text(e.description, max_quoted_description);
    m += "\")";
  }
  if (e.retry_after) m += " [retry after " + std::to_string(e.retry_after->count()) + " s]";
  if (!e.request_id.empty()) m += " [request id " + e.request_id + "]";
}

}  // namespace detail

PROFILE_AUTH_INLINE error oauth_error_from_response(const http_response& r, std::string_view what,
                                                    const response_error_options& opts) {
  error e;
  detail::add_response_context(e, r, opts.wall_clock_now, opts.redact);
  detail::oauth_error_fields f = detail::read_oauth_error(r, opts.limits);
  if (opts.redact != nullptr) {  // before the caps below could cut a credential
    opts.redact->scrub_text(f.description);
    opts.redact->scrub_text(f.uri);
    if (f.found && errc_from_oauth_error(f.error) == errc::oauth_error)
      opts.redact->scrub_text(f.error);  // an unregistered code may be a quote; keeps its errc
  }
  if constexpr (detail::terse_errors) {
    if (f.found) {
      e.code = errc_from_oauth_error(f.error);
      e.oauth_error = std::move(f.error);
      e.description = detail::sanitize_text(f.description, detail::max_description);
      e.uri = detail::sanitize_token(f.uri, detail::max_error_uri);
    } else {
      e.code = r.ok() ? errc::malformed_response : errc::http_error;
    }
    e.message = f.found ? "OAuth error answer" : r.ok() ? "unusable answer" : "HTTP error answer";
    if (opts.redact != nullptr) opts.redact->scrub(e);
    return e;
  }
  std::string& m = e.message;
  m = "the ";
  m += what;
  m += " answered ";
  m += std::to_string(r.status);
  if (f.found) {
    e.code = errc_from_oauth_error(f.error);
    e.oauth_error = std::move(f.error);
    e.description = detail::sanitize_text(f.description, detail::max_description);
    e.uri = detail::sanitize_token(f.uri, detail::max_error_uri);
    m += r.ok() ? " with error " : " ";
    m += e.oauth_error;
    m += ": ";
    m += detail::oauth_advice(e.code);
  } else if (r.ok()) {
    e.code = errc::malformed_response;
    m += " without an access token or a valid OAuth error: the server's answer is unusable; "
         "check the endpoint URL";
  } else {
    e.code = errc::http_error;
    const std::string_view mt = detail::media_type(r);
    m += " without an OAuth error body (";
    if (r.body.empty()) {
      m += "empty body";
    } else {
      m += mt.empty() ? std::string("unlabelled") : detail::quote_token(mt, 64, opts.redact);
      m += " body of " + std::to_string(r.body.size()) + " bytes";
    }
    m += "): ";
    m += detail::status_advice(r.status);
  }
  detail::append_context(m, e);
  if (opts.redact != nullptr) opts.redact->scrub(e);  // what sanitising joined, cut-off starts
  return e;
}

#endif  // PROFILE_AUTH_DEFINITIONS

#undef PROFILE_AUTH_DETAIL_SNIFF_INLINE

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_OAUTH_ERROR_HPP
