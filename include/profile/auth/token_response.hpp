// SPDX-License-Identifier: MIT
// profile-auth: parsing token endpoint answers (RFC 6749 §5.1/§5.2) with real servers' quirks.
#ifndef PROFILE_AUTH_TOKEN_RESPONSE_HPP
#define PROFILE_AUTH_TOKEN_RESPONSE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_writer.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/url.hpp>

#include <algorithm>    // std::sort, std::adjacent_find: repeated form parameters
#include <chrono>       // lifetimes
#include <cstdint>      // std::uint64_t saturating arithmetic
#include <optional>     // expires_in, wall clock
#include <string>       // owned fields, messages
#include <string_view>  // member names
#include <utility>      // std::move
#include <vector>       // names of form parameters

namespace profile::auth::inline v0 {

/// How token responses are read.
///
/// `expires_in` (RFC 6749 §5.1, "RECOMMENDED") is interpreted as follows; the effective
/// lifetime L gives `token::expires_at = received_at + L`:
///
/// | `expires_in` as sent                      | L                    | `token::expires_in` |
/// |-------------------------------------------|----------------------|---------------------|
/// | missing or `null`                         | assumed_lifetime     | nullopt             |
/// | positive integer N, number or string "N"  | min(N, max_lifetime) | L                   |
/// | fraction / exponent (3599.9, "3.6e3")     | floor, then as above | L                   |
/// | above max_lifetime, or beyond any integer | max_lifetime         | L                   |
/// | 0, or positive below one second (0.5)     | assumed_lifetime     | nullopt             |
/// | negative                                  | assumed_lifetime     | nullopt             |
/// | non-numeric string, bool, array, object   | assumed_lifetime     | nullopt             |
///
/// Zero and negative values are treated as unknown rather than "already expired": honouring
/// them would make a cache fetch a token on every call and hammer the endpoint, while a token
/// that really is dead is caught by the 401-retry of m2m_client::send(). With
/// `strict_expires_in` the last three rows are errc::malformed_response instead.
struct token_parse_options {
  detail::json::limits limits{};                   ///< body size, depth, string length bounds
  std::chrono::seconds assumed_lifetime{3600};     ///< L when expires_in is missing or unusable
  std::chrono::seconds max_lifetime{365 * 86400};  ///< clamp for absurd values (one year)
  bool strict_expires_in = false;                  ///< present-but-unusable expires_in is an error
  /// Wall-clock "now" for `Retry-After: <HTTP-date>` on error answers (see
  /// response_error_options); without it such a date is ignored.
  std::optional<std::chrono::system_clock::time_point> wall_clock_now;
  std::string_view endpoint_name = "token endpoint";  ///< used in messages
};

namespace detail {

/// The reading of an `expires_in` value.
struct lifetime_reading {
  enum kind_t : unsigned char { positive, zero, negative, invalid } kind = invalid;
  std::uint64_t seconds = 0;  ///< floor of the value, saturated at lifetime_saturation
};

/// Far above any sensible lifetime, far below overflow of nanoseconds in a time_point.
inline constexpr std::uint64_t lifetime_saturation = 100ull * 366 * 86400;

/// Reads a decimal number in JSON number syntax (leading zeros tolerated, as strings such as
/// "0300" occur): `-? digits ( . digits )? ( [eE] [+-]? digits )?`. Exact: no floating point.
[[nodiscard]] constexpr lifetime_reading read_lifetime(std::string_view s) noexcept {
  lifetime_reading r;
  if (!s.empty() && s.size() <= 9 && s[0] >= '1' && s[0] <= '9') {  // fast path: "3600"
    std::uint64_t v = 0;
    std::size_t k = 0;
    for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) v = v * 10 + (s[k] - '0');
    if (k == s.size()) {
      r.kind = lifetime_reading::positive;
      r.seconds = v;
      return r;
    }
  }
  std::size_t i = 0;
  const bool neg = i < s.size() && s[i] == '-';
  if (neg) ++i;
  const std::size_t ib = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::size_t ie = i;
  std::size_t fb = i, fe = i;
  if (i < s.size() && s[i] == '.') {
    fb = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    fe = i;
    if (fe == fb) return r;
  }
  if (ie == ib) return r;
  std::int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool eneg = i < s.size() && (s[i] == '-' || s[i] == '+') && s[i++] == '-';
    const std::size_t eb = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (exp < 1000000) exp = exp * 10 + (s[i] - '0');
    if (i == eb) return r;
    if (eneg) exp = -exp;
  }
  if (i != s.size()) return r;
  // Significant digits: integer then fraction digits; value = digits * 10^(exp - fraction).
  const auto digit = [&](std::size_t k) {
    return k < ie - ib ? s[ib + k] : s[fb + (k - (ie - ib))];
  };
  const std::size_t count = (ie - ib) + (fe - fb);
  bool all_zero = true;
  for (std::size_t k = 0; k < count; ++k) all_zero = all_zero && digit(k) == '0';
  if (all_zero) {
    r.kind = lifetime_reading::zero;
    return r;
  }
  if (neg) {
    r.kind = lifetime_reading::negative;
    return r;
  }
  const std::int64_t shift = exp - static_cast<std::int64_t>(fe - fb);
  const std::int64_t whole = static_cast<std::int64_t>(count) + shift;  // digits before point
  std::uint64_t v = 0;
  for (std::int64_t k = 0; k < whole; ++k) {
    const unsigned d = k < static_cast<std::int64_t>(count)
                           ? static_cast<unsigned>(digit(static_cast<std::size_t>(k)) - '0')
                           : 0u;
    v = v * 10 + d;
    if (v >= lifetime_saturation) {
      v = lifetime_saturation;
      break;
    }
  }
  r.seconds = v;
  r.kind = v == 0 ? lifetime_reading::zero : lifetime_reading::positive;
  return r;
}

/// Collects members while parsing; the parts common to JSON and form bodies.
struct token_builder {
  token t;
  std::optional<lifetime_reading> lifetime;  ///< nullopt: missing or null
  bool has_type = false;
};

[[nodiscard]] inline unexpected<error> token_failure(const http_response& r,
                                                     const token_parse_options& o, errc code,
                                                     std::string_view problem,
                                                     std::string_view advice) {
  error e;
  add_response_context(e, r, o.wall_clock_now);
  e.code = code;
  e.message = "the ";
  e.message += o.endpoint_name;
  e.message += " answered " + std::to_string(r.status) + " ";
  e.message += problem;
  e.message += ": ";
  e.message += advice;
  append_context(e.message, e);
  return unexpected<error>(std::move(e));
}

/// Finishes a token: type check, lifetime, required access_token.
[[nodiscard]] inline result<token> finish_token(token_builder& b, const http_response& r,
                                                time_point received_at,
                                                const token_parse_options& o) {
  if (b.t.access_token.empty())
    return token_failure(r, o, errc::malformed_response, "without an access_token",
                         "the server's answer is not a token response; check the endpoint URL "
                         "and grant parameters");
  if (!b.has_type || b.t.token_type.empty()) {
    b.t.token_type = "Bearer";  // LinkedIn, VK and others omit it; RFC 6750 is the norm
  } else if (!iequals(b.t.token_type, "bearer")) {
    return token_failure(r, o, errc::unsupported_token_type,
                         "with token_type '" + sanitize_token(b.t.token_type, 32) + "'",
                         "this library sends Bearer tokens only (RFC 6750); configure the "
                         "client on the server to issue Bearer tokens (not DPoP, MAC or N_A)");
  }
  const auto clamp = [](std::chrono::seconds s) {
    const auto hard = std::chrono::seconds(static_cast<std::int64_t>(lifetime_saturation));
    return s < std::chrono::seconds(0) ? std::chrono::seconds(0) : (s > hard ? hard : s);
  };
  std::chrono::seconds life = clamp(o.assumed_lifetime);
  if (b.lifetime && b.lifetime->kind == lifetime_reading::positive) {
    const auto sent = std::chrono::seconds(static_cast<std::int64_t>(b.lifetime->seconds));
    const auto max = clamp(o.max_lifetime);
    life = sent < max ? sent : max;
    b.t.expires_in = life;
  } else if (b.lifetime && o.strict_expires_in) {
    return token_failure(r, o, errc::malformed_response,
                         "with an expires_in that is zero, negative or not a number",
                         "fix the server, or leave token_parse_options::strict_expires_in off "
                         "to use assumed_lifetime instead");
  }
  b.t.received_at = received_at;
  b.t.expires_at = received_at + life;
  return std::move(b.t);
}

/// Reads a JSON object body.
[[nodiscard]] inline result<token> parse_json_token(const http_response& r, time_point received_at,
                                                    const token_parse_options& o) {
  auto doc = json::parse(r.body, o.limits);
  if (!doc) {
    const error& pe = doc.error();
    return token_failure(r, o, pe.code, "with a body that is not usable JSON (" + pe.message + ")",
                         pe.code == errc::limit_exceeded
                             ? "raise token_parse_options::limits if such answers are expected"
                             : "check the endpoint URL, or a proxy that rewrote the answer");
  }
  const json::value root = doc->root();
  if (!root.is_object())
    return token_failure(r, o, errc::malformed_response, "with JSON that is not an object",
                         "check the endpoint URL");
  token_builder b;
  b.t.extra.reserve(root.size());  // one allocation however many unknown members follow
  bool carries_error = false;      // checked after the loop: a 200 with `error` is an error
  std::string scratch;
  struct wiped_string {  // holds decoded tokens that had escapes
    std::string s;
    ~wiped_string() { secure_wipe(s); }
  } secret_buffer;
  std::string& secret_scratch = secret_buffer.s;
  const auto not_string = [&](std::string_view name) {
    return token_failure(r, o, errc::malformed_response,
                         "with a " + std::string(name) + " that is not a JSON string",
                         "the server's answer is not a valid token response");
  };
  for (const auto m : root.members()) {
    const json::value& k = m.key;
    const json::value& v = m.value;
    if (k.equals("access_token") || k.equals("refresh_token") || k.equals("id_token")) {
      if (v.is_null() && !k.equals("access_token")) continue;
      // Unescaped strings (the usual case) are copied once, straight from the body.
      const auto sv = v.get_string(secret_scratch);
      if (!sv)
        return not_string(k.equals("access_token")    ? "access_token"
                          : k.equals("refresh_token") ? "refresh_token"
                                                      : "id_token");
      secret& dst = k.equals("access_token")    ? b.t.access_token
                    : k.equals("refresh_token") ? b.t.refresh_token
                                                : b.t.id_token;
      dst = secret(*sv);
    } else if (k.equals("token_type")) {
      if (v.is_null()) continue;
      if (!v.copy_string_to(b.t.token_type)) return not_string("token_type");
      b.has_type = true;
    } else if (k.equals("expires_in")) {
      if (v.is_null()) continue;
      if (v.is_number())
        b.lifetime = read_lifetime(v.raw());
      else if (const auto sv = v.get_string(scratch))
        b.lifetime = read_lifetime(*sv);
      else
        b.lifetime = lifetime_reading{};  // bool, array, object: invalid
    } else if (k.equals("scope") && !v.is_number() && !v.is_bool() && !v.is_object()) {
      if (v.is_null()) continue;
      if (v.is_string()) {
        (void)v.copy_string_to(b.t.scope);
        continue;
      }
      std::string joined;  // Twitch sends ["a","b"]: join with single spaces
      bool ok = true;
      for (const json::value el : v.elements()) {
        const auto sv = el.get_string(scratch);
        if (!sv) {
          ok = false;
          break;
        }
        if (sv->empty()) continue;
        if (!joined.empty()) joined.push_back(' ');
        joined.append(*sv);
      }
      if (ok)
        b.t.scope = std::move(joined);
      else
        b.t.extra.emplace_back("scope", std::string(v.raw()));  // keep what we cannot read
    } else {
      if (k.equals("error") && !v.is_null() && !v.equals("")) carries_error = true;
      std::string name;
      (void)k.copy_string_to(name);
      b.t.extra.emplace_back(std::move(name), std::string(v.raw()));
    }
  }
  if (carries_error) {
    response_error_options eo{o.limits, o.wall_clock_now};
    return unexpected<error>(oauth_error_from_response(r, o.endpoint_name, eo));
  }
  return finish_token(b, r, received_at, o);
}

/// The name of a parameter that occurs twice, or "" when all are distinct. O(n log n): a body
/// can hold hundreds of thousands of fields. Only well-known names are quoted; any other is
/// reported as "(unnamed)", since an unknown name could be anything, a token included.
[[nodiscard]] inline std::string_view repeated_name(const query_params& q) {
  std::vector<std::string_view> names;
  names.reserve(q.size());
  for (const auto& f : q) names.emplace_back(f.first);
  std::sort(names.begin(), names.end());
  const auto it = std::adjacent_find(names.begin(), names.end());
  if (it == names.end()) return {};
  for (const std::string_view known :
       {"access_token", "refresh_token", "id_token", "token_type", "expires_in", "scope", "error",
        "error_description", "error_uri"})
    if (*it == known) return known;
  return "(unnamed)";
}

/// Reads an application/x-www-form-urlencoded (or text/plain form-shaped) body.
[[nodiscard]] inline result<token> parse_form_token(const http_response& r, time_point received_at,
                                                    const token_parse_options& o) {
  if (r.body.size() > o.limits.max_size)
    return token_failure(r, o, errc::limit_exceeded,
                         "with a body of " + std::to_string(r.body.size()) +
                             " bytes, above the limit of " + std::to_string(o.limits.max_size),
                         "raise token_parse_options::limits.max_size if this is expected");
  auto q = parse_query(r.body);
  if (!q)
    return token_failure(r, o, errc::malformed_response,
                         "with a form body that does not decode (" + q.error().message + ")",
                         "check the endpoint URL");
  struct wipe_all {  // the decoded values include the tokens
    query_params& p;
    ~wipe_all() {
      for (auto& f : p) secure_wipe(f.second);
    }
  } wiper{*q};
  if (const std::string_view dup = repeated_name(*q); !dup.empty())
    return token_failure(r, o, errc::malformed_response,
                         "with parameter '" + std::string(dup) + "' repeated",
                         "a token response names each parameter once (RFC 6749 §5.1)");
  for (auto& [name, value] : *q)
    if (name == "error" && !value.empty()) {
      response_error_options eo{o.limits, o.wall_clock_now};
      return unexpected<error>(oauth_error_from_response(r, o.endpoint_name, eo));
    }
  token_builder b;
  for (auto& [name, value] : *q) {
    if (name == "access_token")
      b.t.access_token = secret(std::string_view(value));
    else if (name == "refresh_token")
      b.t.refresh_token = secret(std::string_view(value));
    else if (name == "id_token")
      b.t.id_token = secret(std::string_view(value));
    else if (name == "token_type") {
      b.t.token_type = value;
      b.has_type = true;
    } else if (name == "expires_in")
      b.lifetime = read_lifetime(value);
    else if (name == "scope")
      b.t.scope = value;
    else {
      std::string raw;
      json::write_string(raw, value);
      b.t.extra.emplace_back(name, std::move(raw));
    }
  }
  return finish_token(b, r, received_at, o);
}

}  // namespace detail

/// Parses a token endpoint answer (RFC 6749 §5.1 success, §5.2 error), taking `received_at`
/// (when the answer arrived, monotonic) as the start of the token's life.
///
/// Accepted quirks: a JSON object, or a form-encoded/text/plain form body (GitHub); JSON
/// labelled text/plain; `expires_in` as number or numeric string (PayPal), with the meanings
/// in token_parse_options; a missing `token_type` taken as Bearer (LinkedIn, VK); `scope` as a
/// string or an array of strings joined by single spaces (Twitch). Kept: `refresh_token`,
/// `id_token`, `scope`, and every other member in `token::extra` as (name, raw JSON text) in
/// document order (form values become JSON strings). `null` counts as absent.
///
/// Errors:
/// - non-2xx, or a 2xx whose body carries a non-empty `error`: see oauth_error_from_response
///   (the OAuth errc, or errc::http_error for answers without an OAuth body);
/// - errc::unsupported_token_type: an explicit token_type other than Bearer (case-insensitive);
/// - errc::malformed_response: missing or empty access_token; access_token, refresh_token,
///   id_token or token_type not a string; JSON that is not an object; an empty or HTML body;
///   a form body that does not decode or repeats a parameter; with strict_expires_in, an
///   unusable expires_in;
/// - errc::invalid_json / invalid_utf8 / limit_exceeded: the JSON parser's verdict.
/// Every error keeps the HTTP status and request id; no message contains a token or the body.
[[nodiscard]] inline result<token> parse_token_response(const http_response& resp,
                                                        time_point received_at,
                                                        const token_parse_options& opts) {
  if (!resp.ok()) {
    response_error_options eo{opts.limits, opts.wall_clock_now};
    return unexpected<error>(oauth_error_from_response(resp, opts.endpoint_name, eo));
  }
  switch (detail::sniff_body(resp)) {
    case detail::body_shape::json:
      return detail::parse_json_token(resp, received_at, opts);
    case detail::body_shape::form:
      return detail::parse_form_token(resp, received_at, opts);
    case detail::body_shape::empty:
      return detail::token_failure(resp, opts, errc::malformed_response, "with an empty body",
                                   "expected a token response; check the endpoint URL");
    case detail::body_shape::other:
      break;
  }
  return detail::token_failure(
      resp, opts, errc::malformed_response,
      "with a '" + detail::sanitize_token(detail::media_type(resp), 64) + "' body",
      "expected a JSON token response; check the endpoint URL (a login page or a proxy "
      "answered instead)");
}

/// parse_token_response with default token_parse_options.
[[nodiscard]] inline result<token> parse_token_response(const http_response& resp,
                                                        time_point received_at) {
  return parse_token_response(resp, received_at, token_parse_options{});
}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_TOKEN_RESPONSE_HPP
