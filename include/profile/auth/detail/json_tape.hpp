// SPDX-License-Identifier: MIT
// profile-auth: the JSON tape: flat entries in document order, and how to compare and read them.
#ifndef PROFILE_AUTH_DETAIL_JSON_TAPE_HPP
#define PROFILE_AUTH_DETAIL_JSON_TAPE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits, re-exported
#include <profile/auth/detail/json_text.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // fixed-width tape fields
#include <cstring>      // std::memcmp
#include <string_view>  // raw text of strings and numbers

namespace profile::auth::inline v0::detail::json {

/// The JSON type of a value.
enum class kind : unsigned char { null, boolean, number, string, array, object };

namespace tape {
/// One parsed value (or object key). A document is a vector of these in document order: a
/// container is followed by its children, an object member is its key entry then its value.
struct entry {
  std::uint32_t pos;   ///< byte offset of the value's first byte in the input
  std::uint32_t len;   ///< bytes of raw JSON text (strings include the quotes)
  std::uint32_t skip;  ///< entries in this value's subtree, itself included (parent while open)
  std::uint32_t aux;   ///< array/object: children; string: decoded bytes; boolean: 0/1
  kind type;
  std::uint8_t flags;
};
inline constexpr std::uint8_t escaped = 1;  ///< string: contains a backslash escape
inline constexpr std::uint8_t integer = 2;  ///< number: neither fraction nor exponent
inline constexpr std::uint32_t none = 0xFFFFFFFFu;

[[nodiscard]] inline std::string_view contents(const char* text, const entry& e) noexcept {
  return {text + e.pos + 1, e.len - 2u};  // a string without its quotes, still escaped
}
/// Decoded equality of string entry e and plain bytes s.
[[nodiscard]] inline bool string_equals(const char* text, const entry& e,
                                        std::string_view s) noexcept {
  if (e.aux != s.size()) return false;
  const std::string_view c = contents(text, e);
  if ((e.flags & escaped) == 0) return s.empty() || std::memcmp(c.data(), s.data(), s.size()) == 0;
  text::decoded_cursor cur(c.data(), c.data() + c.size());
  for (char ch : s)
    if (cur.next() != static_cast<unsigned char>(ch)) return false;
  return true;
}
/// Three-way comparison of the decoded bytes of two string entries.
[[nodiscard]] inline int string_compare(const char* text, const entry& a, const entry& b) noexcept {
  const std::string_view ca = contents(text, a), cb = contents(text, b);
  if (((a.flags | b.flags) & escaped) == 0) return ca.compare(cb);
  text::decoded_cursor x(ca.data(), ca.data() + ca.size()), y(cb.data(), cb.data() + cb.size());
  for (;;) {
    const int u = x.next(), v = y.next();
    if (u != v) return u < v ? -1 : 1;
    if (u < 0) return 0;
  }
}
[[nodiscard]] inline bool keys_equal(const char* text, const entry& a, const entry& b) noexcept {
  if (a.aux != b.aux) return false;  // decoded lengths differ
  if (((a.flags | b.flags) & escaped) == 0)
    return std::memcmp(text + a.pos + 1, text + b.pos + 1, a.aux) == 0;
  return string_compare(text, a, b) == 0;
}

/// Where the parts of a validated JSON number are, as offsets into its raw text.
struct number_parts {
  bool negative = false;
  std::size_t ib = 0, ie = 0;  ///< integer digits [ib, ie)
  std::size_t fb = 0, fe = 0;  ///< fraction digits [fb, fe) (empty without '.')
  std::int64_t exponent = 0;   ///< saturated at +-1e9: beyond that only the sign matters

  [[nodiscard]] std::size_t count() const noexcept { return (ie - ib) + (fe - fb); }
  /// The k-th significant digit of integer digits followed by fraction digits.
  [[nodiscard]] char digit(std::string_view r, std::size_t k) const noexcept {
    return k < ie - ib ? r[ib + k] : r[fb + (k - (ie - ib))];
  }
};
[[nodiscard]] inline number_parts split_number(std::string_view r) noexcept {
  number_parts n;
  std::size_t i = 0;
  if (r[0] == '-') n.negative = true, ++i;
  n.ib = i;
  while (i < r.size() && r[i] >= '0' && r[i] <= '9') ++i;
  n.ie = n.fb = n.fe = i;
  if (i < r.size() && r[i] == '.') {
    n.fb = ++i;
    while (i < r.size() && r[i] >= '0' && r[i] <= '9') ++i;
    n.fe = i;
  }
  if (i < r.size()) {  // 'e' or 'E'
    ++i;
    bool neg = false;
    if (r[i] == '+' || r[i] == '-') neg = r[i++] == '-';
    std::int64_t e = 0;
    for (; i < r.size(); ++i)
      if (e < 1000000000) e = e * 10 + (r[i] - '0');
    n.exponent = neg ? -e : e;
  }
  return n;
}

}  // namespace tape

}  // namespace profile::auth::inline v0::detail::json

#endif  // PROFILE_AUTH_DETAIL_JSON_TAPE_HPP
