// SPDX-License-Identifier: MIT
// profile-auth: strict readers for members of JSON answers (registration, introspection), internal.
#ifndef PROFILE_AUTH_DETAIL_RESPONSE_READER_HPP
#define PROFILE_AUTH_DETAIL_RESPONSE_READER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/secret.hpp>

#include <cmath>        // std::floor for fractional NumericDate values
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <optional>     // optional numbers
#include <span>         // the list of known member names
#include <string>       // decoded strings, redaction
#include <string_view>  // member names
#include <utility>      // std::pair for extra members
#include <vector>       // string arrays, extra members

namespace profile::auth::inline v0::detail {

/// What reading one member found. `null` counts as absent: servers write it for "not set".
enum class member_read : unsigned char { absent, ok, wrong_type };

/// A string member, decoded into `out` (untouched unless ok).
inline member_read read_string_member(const json::value& obj, std::string_view name,
                                      std::string& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  return v->copy_string_to(out) ? member_read::ok : member_read::wrong_type;
}

/// An array of strings; `out` is replaced only when every element is a string.
inline member_read read_string_array_member(const json::value& obj, std::string_view name,
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
inline member_read read_string_or_array_member(const json::value& obj, std::string_view name,
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
inline member_read read_int64_member(const json::value& obj, std::string_view name,
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
inline member_read read_numeric_date_member(const json::value& obj, std::string_view name,
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
  out = static_cast<std::int64_t>(std::floor(*d));
  return member_read::ok;
}

/// A boolean member (`true`/`false` only: "true" or 1 are wrong_type).
inline member_read read_bool_member(const json::value& obj, std::string_view name,
                                    std::optional<bool>& out) {
  const auto v = obj.find(name);
  if (!v || v->is_null()) return member_read::absent;
  const auto b = v->get_bool();
  if (!b) return member_read::wrong_type;
  out = *b;
  return member_read::ok;
}

/// True when `name` is one of `known`.
[[nodiscard]] inline bool is_known_member(std::string_view name,
                                          std::span<const std::string_view> known) noexcept {
  for (const std::string_view k : known)
    if (k == name) return true;
  return false;
}

/// Appends every member of `obj` whose (decoded) name is not in `known` to `out` as (name, raw
/// JSON text of the value), in document order. `null` members are kept: only the named ones
/// are read as "absent".
inline void collect_extra_members(const json::value& obj, std::span<const std::string_view> known,
                                  std::vector<std::pair<std::string, std::string>>& out) {
  std::string scratch;
  for (const json::member m : obj.members()) {
    const auto name = m.key.get_string(scratch);
    if (!name || is_known_member(*name, known)) continue;
    out.emplace_back(std::string(*name), std::string(m.value.raw()));
  }
}

/// Replaces every occurrence of `needle` in `text` by "[redacted]".
inline void redact_in(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  std::size_t at = 0;
  while ((at = text.find(needle, at)) != std::string::npos) {
    text.replace(at, needle.size(), redacted);
    at += redacted.size();
  }
}

/// Removes `s` from every text field of `e`. A server that quotes the token it was sent in its
/// error_description must not make the library print that token.
inline void redact_secret(error& e, const secret& s) {
  if (s.size() < 4) return;  // too short to be a real credential; redacting would garble text
  redact_in(e.message, s.reveal());
  redact_in(e.description, s.reveal());
  redact_in(e.uri, s.reveal());
  redact_in(e.oauth_error, s.reveal());
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_RESPONSE_READER_HPP
