// SPDX-License-Identifier: MIT
// profile-auth: opt-in nlohmann/json conversions (tokens, errors, sessions, device codes,
// metadata).
#ifndef PROFILE_AUTH_ADAPTERS_NLOHMANN_JSON_HPP
#define PROFILE_AUTH_ADAPTERS_NLOHMANN_JSON_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_text.hpp>    // is_valid_utf8 for nlohmann strings
#include <profile/auth/detail/json_writer.hpp>  // write_string: secrets straight into wiped text
#include <profile/auth/discovery.hpp>  // authorization_server_metadata and its member tables
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>  // find_control_byte
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/http.hpp>  // http_response: token JSON is read by the library's parser
#include <profile/auth/oauth_error.hpp>  // sanitize_text for user codes
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_response.hpp>
#include <profile/auth/token_store.hpp>
#include <profile/auth/url.hpp>  // check_endpoint for verification URIs

#include <nlohmann/json.hpp>  // the adapted library (this header is opt-in: never in the umbrella)

#include <chrono>            // wall-clock stamps of monotonic time points
#include <cmath>             // std::trunc: integral floating-point numbers
#include <cstddef>           // std::size_t
#include <cstdint>           // std::int64_t, std::uint64_t
#include <initializer_list>  // lists of member names
#include <limits>            // std::numeric_limits
#include <optional>          // optional members
#include <string>            // owned text
#include <string_view>       // member names
#include <type_traits>       // std::is_same_v: from_nlohmann's dispatch
#include <utility>           // std::move, std::pair

namespace profile::auth::inline v0 {

/// One instant read on the library's monotonic clock and on the wall clock. Documents meant to
/// outlive the process store wall-clock Unix seconds; the anchor converts a token's monotonic
/// time points to them and back. Build it from the clock your drivers use.
struct json_time_anchor {
  time_point steady{};                           ///< the library's monotonic "now"
  std::chrono::system_clock::time_point wall{};  ///< the wall clock at the same instant

  /// steady_clock and system_clock read now (the clocks the drivers use by default).
  [[nodiscard]] static json_time_anchor now() {
    return {to_time_point(std::chrono::steady_clock::now()), std::chrono::system_clock::now()};
  }
  /// `clock.now()` (any Clock, e.g. testing::manual_clock) paired with system_clock::now().
  template <class Clock>
  [[nodiscard]] static json_time_anchor of(Clock& clock) {
    return {to_time_point(clock.now()), std::chrono::system_clock::now()};
  }
};

namespace detail {

/// Any nlohmann::basic_json specialisation (json, ordered_json, …).
template <class J>
concept nlohmann_basic_json = nlohmann::detail::is_basic_json<J>::value;

/// Member that carries profile-auth's own data (format, version, time stamps) in a document.
inline constexpr const char* nl_stamp_member = "profile_auth";
inline constexpr int nl_stamp_version = 1;

[[nodiscard]] inline unexpected<error> nl_fail(errc c, std::string_view what, std::string problem) {
  return fail(c, "the " + std::string(what) + " JSON " + std::move(problem));
}

/// Walks a value: strings and names valid UTF-8, bounded depth, string length and value count,
/// so that dumping it can neither throw nor run away.
template <class J>
result<void> nl_check(const J& v, std::string_view what, std::size_t depth, std::size_t& count) {
  const json::limits lim;
  if (++count > lim.max_values)
    return nl_fail(errc::limit_exceeded, what,
                   "holds more than " + std::to_string(lim.max_values) + " values");
  const auto text_ok = [&](const auto& s) -> result<void> {
    if (s.size() > lim.max_string)
      return nl_fail(errc::limit_exceeded, what,
                     "holds a string longer than " + std::to_string(lim.max_string) + " bytes");
    if (!json::text::is_valid_utf8(s.data(), s.data() + s.size()))
      return nl_fail(errc::invalid_utf8, what, "holds a string that is not valid UTF-8");
    return {};
  };
  if (v.is_string()) return text_ok(v.template get_ref<const typename J::string_t&>());
  if (!v.is_structured()) return {};
  if (depth >= lim.max_depth)
    return nl_fail(errc::limit_exceeded, what,
                   "nests deeper than " + std::to_string(lim.max_depth) + " levels");
  if (v.is_object()) {
    for (auto it = v.cbegin(); it != v.cend(); ++it) {
      if (auto r = text_ok(it.key()); !r) return r;
      if (auto r = nl_check(it.value(), what, depth + 1, count); !r) return r;
    }
  } else {
    for (const auto& e : v)
      if (auto r = nl_check(e, what, depth + 1, count); !r) return r;
  }
  return {};
}

template <class J>
result<void> nl_check_object(const J& v, std::string_view what) {
  if (!v.is_object()) return nl_fail(errc::invalid_argument, what, "is not a JSON object");
  std::size_t count = 0;
  return nl_check(v, what, 0, count);
}

/// The member `name`, or nullptr when absent or null.
template <class J>
const J* nl_member(const J& obj, std::string_view name) {
  const auto it = obj.find(std::string(name));
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

/// A string member (nullopt when absent or null); `what`'s error names the member otherwise.
template <class J>
result<std::optional<std::string_view>> nl_string(const J& obj, std::string_view what,
                                                  std::string_view name) {
  const J* v = nl_member(obj, name);
  if (v == nullptr) return std::optional<std::string_view>();
  if (!v->is_string())
    return nl_fail(errc::invalid_argument, what,
                   "has a \"" + std::string(name) + "\" member that is not a string");
  return std::optional<std::string_view>(v->template get_ref<const typename J::string_t&>());
}

/// A secret member must not be the redaction written by to_json (which is for display only).
template <class J>
result<void> nl_not_redacted(const J& obj, std::string_view what, std::string_view name) {
  const J* v = nl_member(obj, name);
  if (v != nullptr && v->is_string() &&
      v->template get_ref<const typename J::string_t&>() == redacted)
    return nl_fail(errc::invalid_argument, what,
                   "holds a redacted \"" + std::string(name) +
                       "\": it was written by to_json, which never writes secrets; save what "
                       "you mean to read back with to_json_with_secrets");
  return {};
}

/// An integral number (also 3600.0), or nullopt.
template <class J>
std::optional<std::int64_t> nl_int64(const J& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.template get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return {};
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.template get<std::int64_t>();
  if (v.is_number_float()) {
    const double d = v.template get<double>();
    if (d != std::trunc(d) || !(d >= -9.2e18 && d <= 9.2e18)) return {};
    return static_cast<std::int64_t>(d);
  }
  return {};
}

/// `tp` on the wall clock as whole Unix seconds (floored); nullopt outside 1970..9999 or when
/// further than a century from the anchor.
[[nodiscard]] inline std::optional<std::int64_t> nl_to_unix(const json_time_anchor& a,
                                                            time_point tp) {
  using namespace std::chrono;
  const auto diff = tp - a.steady;
  if (diff > seconds(lifetime_saturation) || diff < -seconds(lifetime_saturation)) return {};
  const auto wall = a.wall + duration_cast<system_clock::duration>(diff);
  const auto secs = static_cast<std::int64_t>(floor<seconds>(wall).time_since_epoch().count());
  if (secs < 0 || secs > session_max_epoch_seconds) return {};
  return secs;
}

/// Whole Unix seconds as a monotonic time point, through the anchor (clamped to a century).
[[nodiscard]] inline time_point nl_from_unix(const json_time_anchor& a, std::int64_t secs) {
  using namespace std::chrono;
  const auto anchor_secs = floor<seconds>(a.wall);
  const auto sat = static_cast<std::int64_t>(lifetime_saturation);
  std::int64_t d = secs - static_cast<std::int64_t>(anchor_secs.time_since_epoch().count());
  d = d > sat ? sat : (d < -sat ? -sat : d);
  return a.steady + seconds(d) - duration_cast<nanoseconds>(a.wall - anchor_secs);
}

/// profile-auth's stamp: when the document's subject was received and when it expires.
struct nl_stamp {
  std::int64_t received_at = 0;
  std::int64_t expires_at = 0;
};

template <class J>
J nl_stamp_json(std::string_view format, const nl_stamp& s) {
  J j = J::object();
  j["format"] = std::string(format);
  j["version"] = nl_stamp_version;
  j["received_at"] = s.received_at;
  j["expires_at"] = s.expires_at;
  return j;
}

/// Reads the stamp when `obj` has one of `format`; a "profile_auth" member of another shape is
/// none of ours and stays an ordinary member.
template <class J>
result<std::optional<nl_stamp>> nl_read_stamp(const J& obj, std::string_view what,
                                              std::string_view format) {
  const J* s = nl_member(obj, nl_stamp_member);
  if (s == nullptr || !s->is_object()) return std::optional<nl_stamp>();
  const J* f = nl_member(*s, "format");
  if (f == nullptr || !f->is_string() ||
      f->template get_ref<const typename J::string_t&>() != format)
    return std::optional<nl_stamp>();
  const J* v = nl_member(*s, "version");
  if (v == nullptr || nl_int64(*v) != nl_stamp_version)
    return nl_fail(errc::invalid_argument, what,
                   "has a \"profile_auth\" version this library does not read (it reads " +
                       std::to_string(nl_stamp_version) + "): it was written by another release");
  nl_stamp st;
  for (auto [name, out] :
       {std::pair{"received_at", &st.received_at}, std::pair{"expires_at", &st.expires_at}}) {
    const J* m = nl_member(*s, name);
    const auto n = m ? nl_int64(*m) : std::nullopt;
    if (!n || *n < 0 || *n > session_max_epoch_seconds)
      return nl_fail(errc::invalid_argument, what,
                     "has a \"profile_auth\" stamp whose \"" + std::string(name) +
                         "\" is not whole Unix seconds between 1970 and the year 9999");
    *out = *n;
  }
  if (st.expires_at < st.received_at)
    return nl_fail(errc::invalid_argument, what,
                   "has a \"profile_auth\" stamp that expires before it was received");
  return std::optional<nl_stamp>(st);
}

/// Stamps a monotonic (received_at, expires_at) pair; errc::invalid_argument when out of range.
[[nodiscard]] inline result<nl_stamp> nl_make_stamp(const json_time_anchor& a, time_point received,
                                                    time_point expires, std::string_view what) {
  const auto r = nl_to_unix(a, received);
  const auto e = nl_to_unix(a, expires);
  if (!r || !e)
    return fail(errc::invalid_argument,
                "the " + std::string(what) +
                    "'s time points are not within a century of the json_time_anchor or fall "
                    "outside 1970..9999: build the anchor from the clock that stamped it");
  return nl_stamp{*r, *e};
}

[[nodiscard]] inline bool nl_utf8(std::string_view s) noexcept {
  return json::text::is_valid_utf8(s.data(), s.data() + s.size());
}

/// Appends `"name":value` to a JSON object text being built (value as nlohmann dumps it).
template <class J>
void nl_append_member(std::string& out, std::string_view name, const J& v) {
  if (out.size() > 1) out.push_back(',');
  json::write_string(out, name);
  out.push_back(':');
  if (v.is_string()) {  // through the library's writer: no temporary copy of a secret
    json::write_string(out, v.template get_ref<const typename J::string_t&>());
    return;
  }
  out += v.dump(-1, ' ', false, J::error_handler_t::replace);
}

/// Builds object text from `obj`'s members, skipping `skip`; the members named in `last` (the
/// secrets) are written at the end, after a reservation that keeps them from being reallocated.
template <class J>
std::string nl_object_text(const J& obj, std::initializer_list<std::string_view> last,
                           const J* skip) {
  const auto is_last = [&](std::string_view k) {
    for (const auto n : last)
      if (n == k) return true;
    return false;
  };
  std::string out = "{";
  std::size_t secret_bytes = 0;
  for (auto it = obj.cbegin(); it != obj.cend(); ++it) {
    if (&it.value() == skip) continue;
    if (is_last(it.key())) {
      secret_bytes += it.value().is_string()
                          ? it.value().template get_ref<const typename J::string_t&>().size()
                          : it.value().dump(-1, ' ', false, J::error_handler_t::replace).size();
      continue;
    }
    nl_append_member(out, it.key(), it.value());
  }
  out.reserve(out.size() + 6 * secret_bytes + 32 * last.size() + 2);
  for (const auto n : last)
    if (const auto it = obj.find(std::string(n)); it != obj.end()) nl_append_member(out, n, *it);
  out.push_back('}');
  return out;
}

}  // namespace detail

// ---- token ------------------------------------------------------------------------------------

/// Display form of a token (for logs and diagnostics): `access_token`, `refresh_token` and
/// `id_token` (when present) read "[redacted]"; then `token_type`, `scope` (when not empty) and
/// `expires_in` (when known). Unknown members are left out (see unknown_members()), since the
/// library cannot tell whether they are sensitive. from_json refuses this form.
template <detail::nlohmann_basic_json J>
void to_json(J& j, const token& t) {
  j = J::object();
  if (!t.access_token.empty()) j["access_token"] = std::string(redacted);
  j["token_type"] = t.token_type;
  if (!t.refresh_token.empty()) j["refresh_token"] = std::string(redacted);
  if (!t.id_token.empty()) j["id_token"] = std::string(redacted);
  if (!t.scope.empty()) j["scope"] = t.scope;
  if (t.expires_in) j["expires_in"] = static_cast<std::int64_t>(t.expires_in->count());
}

/// Storage form of a token, secrets included: an RFC 6749 §5.1 token response (`access_token`,
/// `token_type`, `refresh_token`/`id_token` when present, `scope` when not empty, `expires_in`
/// when known, every unknown member verbatim) plus a `"profile_auth"` member
/// `{"format":"profile-auth.token","version":1,"received_at":…,"expires_at":…}` giving when
/// the token arrived and expires as wall-clock Unix seconds (floored), through `anchor`.
/// nlohmann::json does not wipe its memory: keep the document short-lived.
/// errc::invalid_argument: a field that is not valid UTF-8, an unknown member named
/// "profile_auth" or whose raw text is not JSON, time points that do not map to 1970..9999.
template <detail::nlohmann_basic_json J = nlohmann::json>
[[nodiscard]] result<J> to_json_with_secrets(
    const token& t, const json_time_anchor& anchor = json_time_anchor::now()) {
  for (const std::string_view f :
       {t.access_token.reveal(), t.refresh_token.reveal(), t.id_token.reveal(),
        std::string_view(t.token_type), std::string_view(t.scope)})
    if (!detail::nl_utf8(f))
      return fail(errc::invalid_argument,
                  "a token field (a token, token_type or scope) is not valid UTF-8 and cannot be "
                  "written as JSON");
  auto stamp = detail::nl_make_stamp(anchor, t.received_at, t.expires_at, "token");
  if (!stamp) return unexpected<error>(std::move(stamp).error());
  J j = J::object();
  for (auto [name, raw] : t.extra) {
    if (std::string_view(name) == detail::nl_stamp_member)
      return fail(errc::invalid_argument,
                  "the token has an unknown member named \"profile_auth\", which the storage "
                  "form reserves for its own data");
    J v = J::parse(raw, nullptr, false);
    if (v.is_discarded())
      return fail(errc::invalid_argument,
                  "an unknown member of the token holds text that is not JSON (token::extra "
                  "must hold raw JSON values)");
    j[std::string(name)] = std::move(v);
  }
  j["access_token"] = std::string(t.access_token.reveal());
  j["token_type"] = t.token_type;
  if (!t.refresh_token.empty()) j["refresh_token"] = std::string(t.refresh_token.reveal());
  if (!t.id_token.empty()) j["id_token"] = std::string(t.id_token.reveal());
  if (!t.scope.empty()) j["scope"] = t.scope;
  if (t.expires_in) j["expires_in"] = static_cast<std::int64_t>(t.expires_in->count());
  j[detail::nl_stamp_member] = detail::nl_stamp_json<J>("profile-auth.token", *stamp);
  return j;
}

/// The token's unknown members (token::extra) as one JSON object, each raw value parsed. A
/// member whose text is not JSON (only possible in a token assembled by hand) is left out.
template <detail::nlohmann_basic_json J = nlohmann::json>
[[nodiscard]] J unknown_members(const token& t) {
  J j = J::object();
  for (auto [name, raw] : t.extra) {
    J v = J::parse(raw, nullptr, false);
    if (!v.is_discarded()) j[std::string(name)] = std::move(v);
  }
  return j;
}

/// One unknown member of the token, parsed; nullopt when absent (or not JSON).
template <detail::nlohmann_basic_json J = nlohmann::json>
[[nodiscard]] std::optional<J> unknown_member(const token& t, std::string_view name) {
  const auto raw = t.extra_member(name);
  if (!raw) return std::nullopt;
  J v = J::parse(*raw, nullptr, false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

namespace detail {

/// Reads the storage form (or any RFC 6749 §5.1 token response) through parse_token_response,
/// after checks that give clear messages; a stamp then sets received_at and expires_at.
template <class J>
result<token> nl_read_token(const J& j, const json_time_anchor& a) {
  constexpr std::string_view what = "token";
  if (auto r = nl_check_object(j, what); !r) return unexpected<error>(std::move(r).error());
  for (const std::string_view name : {"access_token", "refresh_token", "id_token", "token_type"}) {
    auto s = nl_string(j, what, name);
    if (!s) return unexpected<error>(std::move(s).error());
    if (auto r = nl_not_redacted(j, what, name); !r) return unexpected<error>(std::move(r).error());
    if (name == "access_token" && (!*s || (*s)->empty()))
      return nl_fail(errc::invalid_argument, what, "has no access_token");
    if (name == "token_type" && *s && !(*s)->empty() && !iequals(**s, "bearer"))
      return nl_fail(errc::unsupported_token_type, what,
                     "has a token_type other than Bearer, which this library does not send");
  }
  if (const J* e = nl_member(j, "expires_in"); e && !e->is_number() && !e->is_string())
    return nl_fail(errc::invalid_argument, what, "has an expires_in that is not a number");
  if (const J* e = nl_member(j, "error");
      e && !(e->is_string() && e->template get_ref<const typename J::string_t&>().empty()))
    return nl_fail(errc::invalid_argument, what, "is an OAuth error answer, not a token");
  auto stamp = nl_read_stamp(j, what, "profile-auth.token");
  if (!stamp) return unexpected<error>(std::move(stamp).error());
  const J* skip = *stamp ? nl_member(j, nl_stamp_member) : nullptr;
  http_response resp;
  resp.status = 200;
  resp.headers.add("Content-Type", "application/json");
  resp.body = nl_object_text(j, {"access_token", "refresh_token", "id_token"}, skip);
  auto t = parse_token_response(resp, a.steady);
  secure_wipe(resp.body);
  if (!t) {  // only limits are left to fail here: say it without the "endpoint answered" framing
    error e = std::move(t).error();
    e.http_status = 0;
    e.message = "the token JSON is not a usable token (" + e.message + ")";
    return unexpected<error>(std::move(e));
  }
  if (*stamp) {
    t->received_at = nl_from_unix(a, (*stamp)->received_at);
    t->expires_at = nl_from_unix(a, (*stamp)->expires_at);
  }
  return t;
}

}  // namespace detail

// ---- error ------------------------------------------------------------------------------------

namespace detail {
[[nodiscard]] constexpr std::string_view nl_class_name(error_class c) noexcept {
  switch (c) {
    case error_class::retryable:
      return "retryable";
    case error_class::credentials:
      return "credentials";
    case error_class::reauthenticate:
      return "reauthenticate";
    case error_class::misconfiguration:
      return "misconfiguration";
    case error_class::user_action:
      return "user_action";
    case error_class::protocol:
      return "protocol";
    case error_class::local:
      return "local";
  }
  return "local";
}
}  // namespace detail

/// An error as JSON: `code` (the errc name, e.g. "invalid_grant"), `classification` (what to do,
/// from classify(); ignored when read back), `http_status`, `oauth_error`, `description`, `uri`,
/// `retry_after` (seconds or null), `request_id` and `message`. Errors never hold a secret.
template <detail::nlohmann_basic_json J>
void to_json(J& j, const error& e) {
  j = J::object();
  j["code"] = std::string(to_string(e.code));
  j["classification"] = std::string(detail::nl_class_name(classify(e)));
  j["http_status"] = e.http_status;
  j["oauth_error"] = e.oauth_error;
  j["description"] = e.description;
  j["uri"] = e.uri;
  if (e.retry_after)
    j["retry_after"] = static_cast<std::int64_t>(e.retry_after->count());
  else
    j["retry_after"] = nullptr;
  j["request_id"] = e.request_id;
  j["message"] = e.message;
}

namespace detail {
template <class J>
result<error> nl_read_error(const J& j) {
  constexpr std::string_view what = "error";
  if (auto r = nl_check_object(j, what); !r) return unexpected<error>(std::move(r).error());
  auto code = nl_string(j, what, "code");
  if (!code) return unexpected<error>(std::move(code).error());
  if (!*code) return nl_fail(errc::invalid_argument, what, "has no \"code\"");
  error e;
  bool known = false;
  // errc values are contiguous from 1 and only ever appended; to_string() names each of them.
  for (int c = 1; c < 4096 && !known; ++c) {
    const std::string_view name = to_string(static_cast<errc>(c));
    if (name == "unknown") break;
    if (name == **code) {
      e.code = static_cast<errc>(c);
      known = true;
    }
  }
  if (!known)
    return nl_fail(errc::invalid_argument, what,
                   "has a \"code\" that names no profile-auth error code");
  if (const J* s = nl_member(j, "http_status")) {
    const auto n = nl_int64(*s);
    if (!n || *n < 0 || *n > 999)
      return nl_fail(errc::invalid_argument, what, "has an http_status that is not 0..999");
    e.http_status = static_cast<int>(*n);
  }
  for (auto [name, out] :
       {std::pair{"oauth_error", &e.oauth_error}, std::pair{"description", &e.description},
        std::pair{"uri", &e.uri}, std::pair{"request_id", &e.request_id},
        std::pair{"message", &e.message}}) {
    auto s = nl_string(j, what, name);
    if (!s) return unexpected<error>(std::move(s).error());
    if (*s) out->assign(**s);
  }
  if (const J* s = nl_member(j, "retry_after")) {
    const auto n = nl_int64(*s);
    if (!n || *n < 0 || *n > static_cast<std::int64_t>(lifetime_saturation))
      return nl_fail(errc::invalid_argument, what,
                     "has a retry_after that is not null or whole non-negative seconds");
    e.retry_after = std::chrono::seconds(*n);
  }
  return e;
}
}  // namespace detail

// ---- stored_session ---------------------------------------------------------------------------

/// Display form of a stored session: the members of serialize_session() with the tokens
/// reading "[redacted]" (or "" when empty). from_json refuses it.
template <detail::nlohmann_basic_json J>
void to_json(J& j, const stored_session& s) {
  j = J::object();
  j["format"] = std::string(detail::session_format_name);
  j["version"] = stored_session::current_version;
  j["refresh_token"] = std::string(s.refresh_token.empty() ? "" : redacted);
  j["access_token"] = std::string(s.access_token.empty() ? "" : redacted);
  if (s.access_expires_at)
    j["access_expires_at"] = static_cast<std::int64_t>(
        std::chrono::floor<std::chrono::seconds>(*s.access_expires_at).time_since_epoch().count());
  else
    j["access_expires_at"] = nullptr;
  j["scope"] = s.scope;
  j["token_type"] = s.token_type;
}

/// Storage form of a session: exactly the document serialize_session() writes (file_store's
/// format, docs/sessions.md), tokens included. Its errors: errc::invalid_argument.
template <detail::nlohmann_basic_json J = nlohmann::json>
[[nodiscard]] result<J> to_json_with_secrets(const stored_session& s) {
  auto text = serialize_session(s);
  if (!text) return unexpected<error>(std::move(text).error());
  J j = J::parse(*text, nullptr, false);
  detail::secure_wipe(*text);
  return j;
}

namespace detail {
/// Reads a session through deserialize_session(), so both forms follow one set of rules.
template <class J>
result<stored_session> nl_read_session(const J& j) {
  constexpr std::string_view what = "session";
  if (auto r = nl_check_object(j, what); !r)
    return fail(errc::store_corrupt, std::move(r).error().message);
  for (const std::string_view name : {"refresh_token", "access_token"})
    if (auto r = nl_not_redacted(j, what, name); !r)
      return fail(errc::store_corrupt, std::move(r).error().message);
  // Every member, as file_store would read it; the tokens last, without temporary copies.
  std::string text =
      nl_object_text(j, {"refresh_token", "access_token"}, static_cast<const J*>(nullptr));
  auto s = deserialize_session(text);
  secure_wipe(text);
  return s;
}
}  // namespace detail

// ---- device_authorization ---------------------------------------------------------------------

/// Display form of a device authorization answer: RFC 8628 §3.2 members with `device_code`
/// reading "[redacted]"; `verification_uri_complete` only when present. from_json refuses it.
template <detail::nlohmann_basic_json J>
void to_json(J& j, const device_authorization& d) {
  j = J::object();
  j["device_code"] = std::string(d.device_code.empty() ? "" : redacted);
  j["user_code"] = d.user_code;
  j["verification_uri"] = d.verification_uri;
  if (!d.verification_uri_complete.empty())
    j["verification_uri_complete"] = d.verification_uri_complete;
  j["expires_in"] = static_cast<std::int64_t>(d.expires_in.count());
  j["interval"] = static_cast<std::int64_t>(d.interval.count());
}

/// Storage form of a device authorization answer (to resume polling after a restart): the
/// RFC 8628 §3.2 answer with the device code, plus `"profile_auth":{"format":
/// "profile-auth.device_authorization","version":1,"received_at":…,"expires_at":…}` (wall-clock
/// Unix seconds through `anchor`). errc::invalid_argument: a field that is not valid UTF-8,
/// time points that do not map to 1970..9999.
template <detail::nlohmann_basic_json J = nlohmann::json>
[[nodiscard]] result<J> to_json_with_secrets(
    const device_authorization& d, const json_time_anchor& anchor = json_time_anchor::now()) {
  for (const std::string_view f :
       {d.device_code.reveal(), std::string_view(d.user_code), std::string_view(d.verification_uri),
        std::string_view(d.verification_uri_complete)})
    if (!detail::nl_utf8(f))
      return fail(errc::invalid_argument,
                  "a device authorization field is not valid UTF-8 and cannot be written as JSON");
  auto stamp = detail::nl_make_stamp(anchor, d.received_at, d.expires_at, "device authorization");
  if (!stamp) return unexpected<error>(std::move(stamp).error());
  J j;
  to_json(j, d);
  j["device_code"] = std::string(d.device_code.reveal());
  j[detail::nl_stamp_member] =
      detail::nl_stamp_json<J>("profile-auth.device_authorization", *stamp);
  return j;
}

namespace detail {
/// Reads the storage form (or a plain RFC 8628 §3.2 answer, received at the anchor's instant)
/// with the checks parse_device_authorization_response applies to what users are shown.
template <class J>
result<device_authorization> nl_read_device(const J& j, const json_time_anchor& a) {
  constexpr std::string_view what = "device authorization";
  if (auto r = nl_check_object(j, what); !r) return unexpected<error>(std::move(r).error());
  if (auto r = nl_not_redacted(j, what, "device_code"); !r)
    return unexpected<error>(std::move(r).error());
  device_authorization d;
  std::string_view fields[4];
  const char* names[4] = {"device_code", "user_code", "verification_uri",
                          "verification_uri_complete"};
  for (int i = 0; i < 4; ++i) {
    auto s = nl_string(j, what, names[i]);
    if (!s) return unexpected<error>(std::move(s).error());
    if (i < 3 && (!*s || (*s)->empty()))
      return nl_fail(errc::invalid_argument, what, "has no " + std::string(names[i]));
    if (*s) fields[i] = **s;
  }
  if (find_control_byte(fields[0]) != std::string_view::npos)
    return nl_fail(errc::invalid_argument, what, "has a device_code with control bytes");
  if (fields[1].size() > 256 || sanitize_text(fields[1], 256) != fields[1])
    return nl_fail(errc::invalid_argument, what,
                   "has a user_code with control, bidi-override or invalid characters (or longer "
                   "than 256 bytes), which must not be shown to the user");
  for (int i = 2; i < 4; ++i)
    if (!fields[i].empty())
      if (auto u = check_endpoint(fields[i]); !u)
        return nl_fail(
            u.error().code, what,
            "has a " + std::string(names[i]) + " that is not usable: " + u.error().message);
  std::int64_t secs[2] = {0, 5};
  const char* counts[2] = {"expires_in", "interval"};
  for (int i = 0; i < 2; ++i) {
    const J* m = nl_member(j, counts[i]);
    if (m == nullptr && i == 1) continue;
    const auto n = m ? nl_int64(*m) : std::nullopt;
    if (!n || *n <= 0)
      return nl_fail(errc::invalid_argument, what,
                     "has no " + std::string(counts[i]) + " in whole positive seconds");
    constexpr std::int64_t max_seconds = 366LL * 86400;  // as the response parser clamps
    secs[i] = *n < max_seconds ? *n : max_seconds;
  }
  auto stamp = nl_read_stamp(j, what, "profile-auth.device_authorization");
  if (!stamp) return unexpected<error>(std::move(stamp).error());
  d.device_code = secret(fields[0]);
  d.user_code = std::string(fields[1]);
  d.verification_uri = std::string(fields[2]);
  d.verification_uri_complete = std::string(fields[3]);
  d.expires_in = std::chrono::seconds(secs[0]);
  d.interval = std::chrono::seconds(secs[1]);
  d.received_at = *stamp ? nl_from_unix(a, (*stamp)->received_at) : a.steady;
  d.expires_at = *stamp ? nl_from_unix(a, (*stamp)->expires_at) : a.steady + d.expires_in;
  return d;
}
}  // namespace detail

// ---- authorization_server_metadata ------------------------------------------------------------

/// Authorization server metadata as its RFC 8414 §2 document: every string member that is set,
/// every list that is not empty, the booleans, then the unlisted members (`extra`) verbatim.
/// Metadata holds no secret, so this one form serves display and storage alike.
template <detail::nlohmann_basic_json J>
void to_json(J& j, const authorization_server_metadata& m) {
  j = J::object();
  for (const auto& f : detail::asm_strings)
    if (!(m.*f.field).empty()) j[std::string(f.name)] = m.*f.field;
  for (const auto& f : detail::asm_arrays)
    if (!(m.*f.field).empty()) j[std::string(f.name)] = m.*f.field;
  for (const auto& f : detail::asm_bools) j[std::string(f.name)] = m.*f.field;
  for (auto [name, raw] : m.extra) {
    J v = J::parse(raw, nullptr, false);
    if (!v.is_discarded()) j[std::string(name)] = std::move(v);
  }
}

namespace detail {
/// Reads metadata with parse_authorization_server_metadata(), the document's own issuer taken
/// as the expected one (the issuer check belongs to fetching; see discover()).
template <class J>
result<authorization_server_metadata> nl_read_metadata(const J& j) {
  constexpr std::string_view what = "authorization server metadata";
  if (auto r = nl_check_object(j, what); !r) return unexpected<error>(std::move(r).error());
  auto issuer = nl_string(j, what, "issuer");
  if (!issuer) return unexpected<error>(std::move(issuer).error());
  if (!*issuer || (*issuer)->empty()) return nl_fail(errc::invalid_argument, what, "has no issuer");
  http_response resp;
  resp.status = 200;
  resp.headers.add("Content-Type", "application/json");
  resp.body = j.dump(-1, ' ', false, J::error_handler_t::replace);
  auto m = parse_authorization_server_metadata(resp, **issuer);
  if (!m) {
    error e = std::move(m).error();
    e.http_status = 0;
    e.message = "the authorization server metadata JSON is not usable (" + e.message + ")";
    return unexpected<error>(std::move(e));
  }
  return m;
}

/// The types from_nlohmann and from_json read.
template <class T>
concept nl_readable =
    std::is_same_v<T, token> || std::is_same_v<T, error> || std::is_same_v<T, stored_session> ||
    std::is_same_v<T, device_authorization> || std::is_same_v<T, authorization_server_metadata>;
}  // namespace detail

// ---- reading: result-returning, and the ADL from_json for code that uses exceptions -----------

/// Reads a `T` from JSON without throwing. T is one of token, error, stored_session,
/// device_authorization and authorization_server_metadata. `anchor` maps the wall-clock
/// stamps of tokens and device codes back to the monotonic clock (unused for the others).
/// Errors (messages never quote a value):
/// - errc::invalid_argument: not an object, a member of the wrong type, a missing required
///   member, a "[redacted]" secret (the display form of to_json), an OAuth error answer, a
///   stamp of another version; errc::unsupported_token_type for a token that is not Bearer;
/// - errc::invalid_utf8 / errc::limit_exceeded: a string that is not UTF-8; more than the
///   library's JSON limits (64 KiB strings, depth 32, 65 536 values);
/// - stored_session: errc::store_corrupt with deserialize_session()'s messages;
/// - device_authorization: errc::insecure_endpoint / errc::invalid_url for a verification URI;
/// - authorization_server_metadata: parse_authorization_server_metadata()'s errors (with the
///   document's own issuer as the expected one), http_status 0.
template <class T, detail::nlohmann_basic_json J>
  requires detail::nl_readable<T>
[[nodiscard]] result<T> from_nlohmann(const J& j,
                                      const json_time_anchor& anchor = json_time_anchor::now()) {
  if constexpr (std::is_same_v<T, token>)
    return detail::nl_read_token(j, anchor);
  else if constexpr (std::is_same_v<T, error>)
    return detail::nl_read_error(j);
  else if constexpr (std::is_same_v<T, stored_session>)
    return detail::nl_read_session(j);
  else if constexpr (std::is_same_v<T, device_authorization>)
    return detail::nl_read_device(j, anchor);
  else
    return detail::nl_read_metadata(j);
}

#if (defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)) && \
    !defined(JSON_NOEXCEPTION)

/// What the ADL from_json functions throw: a nlohmann::json::exception (so existing handlers
/// catch it; its id is 0), whose error() is the profile-auth error from_nlohmann would return.
class json_conversion_error : public nlohmann::json::exception {
 public:
  explicit json_conversion_error(::profile::auth::error e)
      : nlohmann::json::exception(
            0, ("[profile.auth." + std::string(to_string(e.code)) + "] " + e.message).c_str()),
        error_(std::move(e)) {}
  [[nodiscard]] const ::profile::auth::error& error() const noexcept { return error_; }

 private:
  ::profile::auth::error error_;
};

namespace detail {
template <class T, class J>
void nl_from_json(const J& j, T& out) {
  auto r = from_nlohmann<T>(j);
  if (!r) throw json_conversion_error(std::move(r).error());
  out = std::move(*r);
}
}  // namespace detail

#else

namespace detail {
template <class T, class J>
void nl_from_json(const J&, T&) {
  static_assert(sizeof(T) == 0,
                "j.get<T>() needs exceptions to report a malformed document; without them, call "
                "profile::auth::from_nlohmann<T>(j), which returns a result<T>");
}
}  // namespace detail

#endif

/// `j.get<T>()` and `T t = j;` for every T that from_nlohmann reads: from_nlohmann<T>(j) with
/// json_time_anchor::now(); throws json_conversion_error on failure. Using it in a build
/// without exceptions is a compile-time error that points at from_nlohmann.
template <detail::nlohmann_basic_json J, class T>
  requires detail::nl_readable<T>
void from_json(const J& j, T& out) {
  detail::nl_from_json(j, out);
}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_ADAPTERS_NLOHMANN_JSON_HPP
