// SPDX-License-Identifier: MIT
// profile-auth: the one reader of JSON answers other than token responses (metadata, registration,
// introspection), and how those endpoints handle credentials: redaction, wiping. Internal.
#ifndef PROFILE_AUTH_DETAIL_RESPONSE_READER_HPP
#define PROFILE_AUTH_DETAIL_RESPONSE_READER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/redact.hpp>        // credential_list (the answer readers' redact)
#include <profile/auth/detail/wipe_request.hpp>  // wipe_sent_request for the drivers
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <cstddef>      // std::size_t
#include <optional>     // find_extra's answer
#include <span>         // the list of known member names
#include <string>       // redaction, extra members
#include <string_view>  // member names
#include <utility>      // std::pair for extra members
#include <vector>       // extra members

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // the reader of every answer
#include <profile/auth/header.hpp>       // b64token checks for configured bearer credentials
#include <profile/auth/http.hpp>         // http_response
#include <profile/auth/oauth_error.hpp>  // add_response_context, append_context

#include <chrono>   // system_clock: Retry-After dates in failures
#include <cstdint>  // std::int64_t
#endif

namespace profile::auth::inline v0::detail {

// ---- members without a field of their own ----------------------------------------------------

/// (name, raw JSON text of the value) pairs, in document order.
using extra_member_list = std::vector<std::pair<std::string, std::string>>;

/// True when `name` is one of `known`.
[[nodiscard]] inline bool is_known_member(std::string_view name,
                                          std::span<const std::string_view> known) noexcept {
  for (const std::string_view k : known)
    if (k == name) return true;
  return false;
}

/// The raw JSON of member `name` among `extra`, if present (every extra_member() uses this).
[[nodiscard]] inline std::optional<std::string_view> find_extra(const extra_member_list& extra,
                                                                std::string_view name) noexcept {
  for (const auto& [n, raw] : extra)
    if (n == name) return std::string_view(raw);
  return std::nullopt;
}

// ---- bearer credentials the caller configured -----------------------------------------------

/// "Bearer <credential>" for a bearer credential the caller configured (`what` names it, e.g.
/// "the initial access token"). Errors: errc::invalid_header_value when it is empty or has a
/// byte outside RFC 6750 b64token; the message gives the offset, never the credential.
[[nodiscard]] result<std::string> configured_bearer_value(std::string_view what,
                                                          const secret& credential);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

// ---- the answer as a whole ------------------------------------------------------------------

/// Fails with `code` and the message "the <what> answered <status> <problem>", plus the answer's
/// context (status, Retry-After, request id). `problem` must not quote the body. `redact`: the
/// credentials the request carried (or null), removed before the request id's cap and from
/// every field.
[[nodiscard]] PROFILE_AUTH_INLINE unexpected<error> answer_failure(
    const http_response& r, std::string_view what, errc code, std::string_view problem,
    std::optional<std::chrono::system_clock::time_point> now = std::nullopt,
    const credential_list* redact = nullptr) {
  error e;
  add_response_context(e, r, now, redact);
  e.code = code;
  e.message = "the " + std::string(what) + " answered " + std::to_string(r.status) + " " +
              std::string(problem);
  append_context(e.message, e);
  if (redact != nullptr) redact->scrub(e);
  return unexpected<error>(std::move(e));
}

/// Parses the body of `r` as one JSON object within `lim`. The document views r.body, which
/// must outlive it. Errors (messages never quote the body):
/// - errc::invalid_json / invalid_utf8 / limit_exceeded: the JSON reader's verdict;
/// - errc::malformed_response: valid JSON that is not an object.
/// `redact`: as answer_failure's.
[[nodiscard]] PROFILE_AUTH_INLINE result<json::document> parse_json_object_answer(
    const http_response& r, std::string_view what, const json::limits& lim,
    std::optional<std::chrono::system_clock::time_point> now = std::nullopt,
    const credential_list* redact = nullptr) {
  auto doc = json::parse(std::string_view(r.body), lim);
  if (!doc)
    return answer_failure(r, what, doc.error().code,
                          "with a body that is not usable JSON (" + doc.error().message +
                              "): check the endpoint URL (a login page, a proxy or a wrong path "
                              "may have answered)",
                          now, redact);
  if (!doc->root().is_object())
    return answer_failure(r, what, errc::malformed_response,
                          "with a body that is not a JSON object: check the endpoint URL", now,
                          redact);
  return doc;
}

// ---- members ----------------------------------------------------------------------------------

/// What reading one member found. `null` counts as absent: servers write it for "not set".
enum class member_read : unsigned char { absent, ok, wrong_type };

/// A string member, decoded into `out` (untouched unless ok).
PROFILE_AUTH_INLINE member_read read_string_member(const json::value& obj, std::string_view name,
                                                   std::string& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  return v->copy_string_to(out) ? member_read::ok : member_read::wrong_type;
}

/// An array of strings; `out` is replaced only when every element is a string.
PROFILE_AUTH_INLINE member_read read_string_array_member(const json::value& obj,
                                                         std::string_view name,
                                                         std::vector<std::string>& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  if (!v->is_array()) return member_read::wrong_type;
  std::vector<std::string> items;
  items.reserve(v->size());
  for (const json::value e : v->elements()) {
    if (!e.copy_string_to(items.emplace_back())) return member_read::wrong_type;
  }
  out = std::move(items);
  return member_read::ok;
}

/// A single string or an array of strings (JWT-style `aud`); a string gives one element.
PROFILE_AUTH_INLINE member_read read_string_or_array_member(const json::value& obj,
                                                            std::string_view name,
                                                            std::vector<std::string>& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  if (v->is_string()) {
    std::string s;
    (void)v->copy_string_to(s);
    out.assign(1, std::move(s));
    return member_read::ok;
  }
  return read_string_array_member(obj, name, out);
}

/// An integer member (`42`, `4.2e1`; a fraction or a string is wrong_type).
PROFILE_AUTH_INLINE member_read read_int64_member(const json::value& obj, std::string_view name,
                                                  std::optional<std::int64_t>& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  const auto n = v->get_int64();
  if (!n) return member_read::wrong_type;
  out = *n;
  return member_read::ok;
}

/// A JWT NumericDate (RFC 7519 §2): seconds since the epoch, fractions allowed and rounded
/// down. Beyond +-2^53 (far past any real date, and where doubles lose whole seconds) or not
/// a number: wrong_type.
PROFILE_AUTH_INLINE member_read read_numeric_date_member(const json::value& obj,
                                                         std::string_view name,
                                                         std::optional<std::int64_t>& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  constexpr std::int64_t max_exact = std::int64_t{1} << 53;
  if (const auto n = v->get_int64()) {
    if (*n > max_exact || *n < -max_exact) return member_read::wrong_type;
    out = *n;
    return member_read::ok;
  }
  const auto d = v->get_double();
  if (!d || !(*d < static_cast<double>(max_exact)) || !(*d > -static_cast<double>(max_exact)))
    return member_read::wrong_type;
  // Rounds toward minus infinity (exact: |d| < 2^53), without <cmath>'s std::floor.
  std::int64_t whole = static_cast<std::int64_t>(*d);
  if (static_cast<double>(whole) > *d) --whole;
  out = whole;
  return member_read::ok;
}

/// A boolean member (`true`/`false` only: "true" or 1 are wrong_type).
PROFILE_AUTH_INLINE member_read read_bool_member(const json::value& obj, std::string_view name,
                                                 std::optional<bool>& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  const auto b = v->get_bool();
  if (!b) return member_read::wrong_type;
  out = *b;
  return member_read::ok;
}

/// Appends every member of `obj` whose (decoded) name `is_known` denies to `out` as (name, raw
/// JSON text of the value), in document order. `null` members are kept: only the named ones
/// are read as "absent".
template <class IsKnown>
void collect_extra_members_if(const json::value& obj, const IsKnown& is_known,
                              extra_member_list& out) {
  std::string scratch;
  for (const json::member m : obj.members()) {
    const auto name = m.key.get_string(scratch);
    if (!name || is_known(*name)) continue;
    out.emplace_back(std::string(*name), std::string(m.value.raw()));
  }
}

/// collect_extra_members for the members not listed in `known`.
PROFILE_AUTH_INLINE void collect_extra_members(const json::value& obj,
                                               std::span<const std::string_view> known,
                                               extra_member_list& out) {
  collect_extra_members_if(
      obj, [known](std::string_view n) { return is_known_member(n, known); }, out);
}

// ---- bearer credentials the caller configured -----------------------------------------------

PROFILE_AUTH_INLINE result<std::string> configured_bearer_value(std::string_view what,
                                                                const secret& credential) {
  const std::string_view t = credential.reveal();
  if (t.empty())
    return fail(errc::invalid_header_value,
                std::string(what) + " is empty: set it to the token the server issued");
  if (const std::size_t at = b64token_error_offset(t); at != std::string_view::npos)
    return fail(errc::invalid_header_value,
                std::string(what) + " has a byte outside RFC 6750 b64token at offset " +
                    std::to_string(at) + " of " + std::to_string(t.size()) +
                    ": it cannot be sent as a bearer token; pass it exactly as it was issued "
                    "(no quotes, spaces, 'Bearer ' prefix or trailing newline)");
  std::string out;
  out.reserve(bearer_prefix.size() + t.size());
  out.append(bearer_prefix).append(t);
  return out;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_RESPONSE_READER_HPP
