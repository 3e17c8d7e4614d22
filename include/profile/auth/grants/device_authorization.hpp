// SPDX-License-Identifier: MIT
// profile-auth: the device authorization grant (RFC 8628) for TVs, consoles and CLIs.
#ifndef PROFILE_AUTH_GRANTS_DEVICE_AUTHORIZATION_HPP
#define PROFILE_AUTH_GRANTS_DEVICE_AUTHORIZATION_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits in device_authorization_options
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_response.hpp>

#include <chrono>            // expires_in, interval, wall clock for Retry-After
#include <cstdint>           // std::uint64_t / std::int64_t second counts
#include <initializer_list>  // looping over the two verification URIs
#include <optional>          // optional members, the issued token
#include <string>            // fields, messages
#include <string_view>       // member names
#include <utility>           // std::move

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // the JSON reader of answers
#include <profile/auth/url.hpp>          // check_endpoint for the verification URIs
#endif

namespace profile::auth::inline v0 {

/// The grant_type of device token requests (RFC 8628 §3.4).
inline constexpr std::string_view device_code_grant_type =
    "urn:ietf:params:oauth:grant-type:device_code";

/// Builds the device authorization request (RFC 8628 §3.1): `POST
/// device_authorization_endpoint`, form body with the client's credentials (client_id for a
/// public client, Basic or body for a confidential one) then `scope` (when set),
/// `Accept: application/json`.
/// Errors: errc::invalid_argument (device_authorization_endpoint or client_id empty, control
/// bytes, missing secret), errc::invalid_url / errc::insecure_endpoint for the endpoint.
[[nodiscard]] result<http_request> device_authorization_request(const user_auth_config& c);

/// What the device authorization endpoint answered (RFC 8628 §3.2). Show `user_code` and
/// `verification_uri` (or `verification_uri_complete`, e.g. as a QR code), then poll the token
/// endpoint every `interval` until `expires_at`.
struct device_authorization {
  secret device_code;                     ///< the polling credential: never shown to anyone
  std::string user_code;                  ///< what the user types (printable, checked)
  std::string verification_uri;           ///< where the user types it (https, checked)
  std::string verification_uri_complete;  ///< URI with the code included; empty when not sent
  std::chrono::seconds expires_in{0};     ///< lifetime of both codes
  std::chrono::seconds interval{5};       ///< minimum wait between polls (5 s when not sent)
  time_point received_at{};               ///< when the answer arrived (monotonic)
  time_point expires_at{};                ///< received_at + expires_in: stop polling after it
};

/// How device authorization answers are read.
struct device_authorization_options {
  detail::json::limits limits{};  ///< bounds for the JSON body
  /// Wall-clock "now" for `Retry-After: <HTTP-date>` on error answers (see
  /// response_error_options).
  std::optional<std::chrono::system_clock::time_point> wall_clock_now;
  bool allow_insecure_http = false;  ///< accept an http:// verification URI (testing only)
  /// The client's credentials the request carried (a client_secret_post secret or the Basic
  /// credential; see response_error_options::redact), or null: no error repeats them.
  const detail::credential_list* redact = nullptr;
};

/// Parses the device authorization answer (RFC 8628 §3.2), taking `received_at` (monotonic)
/// as the start of the codes' life. `verification_url` (Google's older name) is accepted for
/// `verification_uri`. `interval` defaults to 5 s when absent, and also when zero, negative or
/// not a number (polling faster is never what a server meant).
/// Errors:
/// - non-2xx: see oauth_error_from_response (e.g. errc::invalid_client, errc::invalid_scope,
///   errc::unauthorized_client when the client may not use this grant);
/// - errc::malformed_response: not a JSON object; device_code, user_code or verification_uri
///   missing, empty or not strings; a user_code with control, bidi-override or malformed UTF-8
///   characters (it is shown to the user); expires_in missing or not a positive number;
/// - errc::insecure_endpoint / errc::malformed_response: a verification URI that is not https
///   (loopback excepted) or not a valid absolute URL;
/// - errc::invalid_json / invalid_utf8 / limit_exceeded from the JSON reader.
[[nodiscard]] result<device_authorization> parse_device_authorization_response(
    const http_response& resp, time_point received_at,
    const device_authorization_options& opts = {});

/// Builds one device token poll (RFC 8628 §3.4): `POST token_endpoint`, body grant_type=
/// urn:ietf:params:oauth:grant-type:device_code, device_code, then the client's credentials.
/// Errors: errc::invalid_argument (empty device code, client settings), errc::invalid_url /
/// errc::insecure_endpoint (token_endpoint).
[[nodiscard]] result<http_request> device_token_request(const user_auth_config& c,
                                                        const secret& device_code);

/// device_token_request() for the code in `d`.
[[nodiscard]] inline result<http_request> device_token_request(const user_auth_config& c,
                                                               const device_authorization& d) {
  return device_token_request(c, d.device_code);
}

/// The outcome of one device token poll (RFC 8628 §3.5).
enum class device_poll_status : unsigned char {
  success,                ///< the user approved: `issued` holds the token
  authorization_pending,  ///< not yet: poll again after `interval`
  slow_down,              ///< polling too fast: poll again after the (increased) `interval`
  access_denied,          ///< the user refused: stop (final)
  expired_token,          ///< the device code expired: start over with a new request (final)
  failed,                 ///< any other error: stop, unless is_retryable(failure) (final)
};

/// One poll's outcome and the interval to use from now on.
struct device_poll_outcome {
  /// What the poll found.
  device_poll_status status = device_poll_status::failed;
  std::chrono::seconds interval{5};  ///< wait at least this long before the next poll
  std::optional<token> issued;       ///< the token, for success only
  error failure;                     ///< the server's answer, for every status but success

  /// True for authorization_pending and slow_down: poll again after `interval`.
  [[nodiscard]] bool keep_polling() const noexcept {
    return status == device_poll_status::authorization_pending ||
           status == device_poll_status::slow_down;
  }
};

/// Sorts the result of one poll into its outcome. `interval` is the current polling interval
/// (values below 1 s count as 5 s). slow_down adds 5 s to it, for this and every later poll
/// (RFC 8628 §3.5); every other outcome keeps it. A transport failure or a 5xx gives `failed`
/// with a retryable error: a driver may then back off and poll again (§3.5 suggests
/// exponential backoff) while the device code has not expired.
[[nodiscard]] device_poll_outcome classify_device_poll(result<token> r,
                                                       std::chrono::seconds interval);

/// parse_token_response() on one poll's answer, then classify_device_poll().
[[nodiscard]] device_poll_outcome parse_device_token_response(const http_response& resp,
                                                              time_point received_at,
                                                              std::chrono::seconds interval,
                                                              const token_parse_options& opts = {});

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<http_request> device_authorization_request(const user_auth_config& c) {
  auto u = detail::begin_user_request(c, "device_authorization_endpoint",
                                      c.device_authorization_endpoint, body_format::form, {},
                                      3 * c.scope.size());
  if (!u) return unexpected<error>(std::move(u).error());
  // Credentials first: the body then has no member before client_id, as in RFC 8628 §3.1.
  http_request req = detail::finish_user_request(c, std::move(*u));
  if (!c.scope.empty()) append_form_field(req.body, "scope", c.scope);
  detail::append_list_param(req.body, body_format::form, "resource", c.resource);
  return req;
}

namespace detail {

[[nodiscard]] PROFILE_AUTH_INLINE unexpected<error> device_failure(
    const http_response& r, const device_authorization_options& o, errc code, std::string problem) {
  error e;
  add_response_context(e, r, o.wall_clock_now, o.redact);
  e.code = code;
  e.message = "the device authorization endpoint answered " + std::to_string(r.status) + " " +
              std::move(problem);
  append_context(e.message, e);
  if (o.redact != nullptr) o.redact->scrub(e);  // a request id that quotes a credential
  return unexpected<error>(std::move(e));
}

/// Checks a URI the user will be shown: an absolute https URL (http only for loopback or when
/// allowed) without user information, so a hostile answer cannot put a phishing page or
/// terminal control bytes in front of the user.
[[nodiscard]] PROFILE_AUTH_INLINE bool acceptable_verification_uri(std::string_view s,
                                                                   bool insecure) {
  auto u = check_endpoint(s, insecure);
  return u.has_value();
}

/// A string member as text, or nullopt when absent or null; `ok` turns false for other kinds.
[[nodiscard]] PROFILE_AUTH_INLINE std::optional<std::string> device_string(const json::value& root,
                                                                           std::string_view name,
                                                                           bool& ok) {
  const auto v = root.find(name);
  if (!v || v->is_null()) return std::nullopt;
  std::string s;
  if (!v->copy_string_to(s)) ok = false;
  return s;
}

/// Reads an expires_in / interval member (number or numeric string), as token responses do.
[[nodiscard]] PROFILE_AUTH_INLINE std::optional<lifetime_reading> device_seconds(
    const json::value& root, std::string_view name) {
  const auto v = root.find(name);
  if (!v || v->is_null()) return std::nullopt;
  std::string scratch;
  if (v->is_number()) return read_lifetime(v->raw());
  if (const auto s = v->get_string(scratch)) return read_lifetime(*s);
  return lifetime_reading{};
}

}  // namespace detail

PROFILE_AUTH_INLINE result<device_authorization> parse_device_authorization_response(
    const http_response& resp, time_point received_at, const device_authorization_options& opts) {
  if (!resp.ok()) {
    response_error_options eo{opts.limits, opts.wall_clock_now, opts.redact};
    return unexpected<error>(oauth_error_from_response(resp, "device authorization endpoint", eo));
  }
  auto doc = detail::json::parse(resp.body, opts.limits);
  if (!doc)
    return detail::device_failure(resp, opts, doc.error().code,
                                  "with a body that is not usable JSON (" + doc.error().message +
                                      "): check the endpoint URL");
  const detail::json::value root = doc->root();
  if (!root.is_object())
    return detail::device_failure(resp, opts, errc::malformed_response,
                                  "with a body that is not a JSON object: check the endpoint URL");
  if (const auto e = root.find("error"); e && !e->is_null()) {
    response_error_options eo{opts.limits, opts.wall_clock_now, opts.redact};
    return unexpected<error>(oauth_error_from_response(resp, "device authorization endpoint", eo));
  }
  bool strings_ok = true;
  std::optional<std::string> device_code = detail::device_string(root, "device_code", strings_ok);
  struct wipe_on_exit {  // the decoded device code is a credential
    std::optional<std::string>& s;
    ~wipe_on_exit() {
      if (s) detail::secure_wipe(*s);
    }
  } wiper{device_code};
  auto user_code = detail::device_string(root, "user_code", strings_ok);
  auto uri = detail::device_string(root, "verification_uri", strings_ok);
  if (!uri) uri = detail::device_string(root, "verification_url", strings_ok);
  auto uri_complete = detail::device_string(root, "verification_uri_complete", strings_ok);
  if (!uri_complete)
    uri_complete = detail::device_string(root, "verification_url_complete", strings_ok);
  if (!strings_ok)
    return detail::device_failure(resp, opts, errc::malformed_response,
                                  "with a code or verification URI that is not a JSON string: "
                                  "the server's answer is not a device authorization response");
  const char* missing = !device_code || device_code->empty() ? "device_code"
                        : !user_code || user_code->empty()   ? "user_code"
                        : !uri || uri->empty()               ? "verification_uri"
                                                             : nullptr;
  if (missing != nullptr)
    return detail::device_failure(
        resp, opts, errc::malformed_response,
        "without a " + std::string(missing) + ": check the endpoint URL (RFC 8628 §3.2)");
  if (detail::find_control_byte(*device_code) != std::string_view::npos)
    return detail::device_failure(resp, opts, errc::malformed_response,
                                  "with a device_code containing control bytes");
  if (user_code->size() > 256 || detail::sanitize_text(*user_code, 256) != *user_code)
    return detail::device_failure(
        resp, opts, errc::malformed_response,
        "with a user_code containing control, bidi-override or invalid UTF-8 characters (or "
        "longer than 256 bytes), which must not be shown to the user");
  for (const std::string* s : {&*uri, uri_complete ? &*uri_complete : nullptr}) {
    if (s == nullptr || detail::acceptable_verification_uri(*s, opts.allow_insecure_http)) continue;
    const bool parses = check_endpoint(*s, true).has_value();
    return detail::device_failure(
        resp, opts, parses ? errc::insecure_endpoint : errc::malformed_response,
        parses ? "with a verification URI that is plain http: the user would enter the code on an "
                 "unencrypted page; fix the server (or set allow_insecure_http for a test server)"
               : "with a verification URI that is not a valid absolute https URL");
  }
  const auto expires = detail::device_seconds(root, "expires_in");
  if (!expires || expires->kind != detail::lifetime_reading::positive)
    return detail::device_failure(resp, opts, errc::malformed_response,
                                  "without a positive expires_in, which RFC 8628 §3.2 requires");
  device_authorization d;
  d.device_code = secret(std::string_view(*device_code));
  d.user_code = std::move(*user_code);
  d.verification_uri = std::move(*uri);
  if (uri_complete) d.verification_uri_complete = std::move(*uri_complete);
  constexpr std::uint64_t max_seconds = 366ull * 86400;  // codes live minutes; clamp absurdity
  d.expires_in = std::chrono::seconds(
      static_cast<std::int64_t>(expires->seconds < max_seconds ? expires->seconds : max_seconds));
  if (const auto iv = detail::device_seconds(root, "interval");
      iv && iv->kind == detail::lifetime_reading::positive)
    d.interval = std::chrono::seconds(
        static_cast<std::int64_t>(iv->seconds < max_seconds ? iv->seconds : max_seconds));
  d.received_at = received_at;
  d.expires_at = received_at + d.expires_in;
  return d;
}

PROFILE_AUTH_INLINE result<http_request> device_token_request(const user_auth_config& c,
                                                              const secret& device_code) {
  if (auto r = detail::check_secret_param("the device code", device_code, c.format); !r)
    return unexpected<error>(std::move(r).error());
  auto u = detail::begin_user_request(c, "token_endpoint", c.token_endpoint, c.format,
                                      device_code_grant_type, 3 * device_code.size());
  if (!u) return unexpected<error>(std::move(u).error());
  detail::add_param(*u, "device_code", device_code.reveal());
  detail::add_resources(*u, c);
  return detail::finish_user_request(c, std::move(*u));
}

PROFILE_AUTH_INLINE device_poll_outcome classify_device_poll(result<token> r,
                                                             std::chrono::seconds interval) {
  device_poll_outcome o;
  o.interval = interval < std::chrono::seconds(1) ? std::chrono::seconds(5) : interval;
  if (r) {
    o.status = device_poll_status::success;
    o.issued.emplace(std::move(*r));
    return o;
  }
  o.failure = std::move(r).error();
  switch (o.failure.code) {
    case errc::authorization_pending:
      o.status = device_poll_status::authorization_pending;
      break;
    case errc::slow_down:
      o.status = device_poll_status::slow_down;
      o.interval += std::chrono::seconds(5);
      break;
    case errc::access_denied:
      o.status = device_poll_status::access_denied;
      break;
    case errc::expired_token:
      o.status = device_poll_status::expired_token;
      break;
    default:
      o.status = device_poll_status::failed;
      break;
  }
  return o;
}

PROFILE_AUTH_INLINE device_poll_outcome
parse_device_token_response(const http_response& resp, time_point received_at,
                            std::chrono::seconds interval, const token_parse_options& opts) {
  return classify_device_poll(parse_token_response(resp, received_at, opts), interval);
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_DEVICE_AUTHORIZATION_HPP
