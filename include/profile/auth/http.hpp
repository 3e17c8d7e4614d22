// SPDX-License-Identifier: MIT
// profile-auth: the HTTP vocabulary every transport author touches.
#ifndef PROFILE_AUTH_HTTP_HPP
#define PROFILE_AUTH_HTTP_HPP

#include <profile/auth/config.hpp>

#include <cstddef>           // std::size_t
#include <initializer_list>  // header_list{{"Accept", "application/json"}}
#include <optional>          // find() result
#include <string>            // owned names, values, bodies
#include <string_view>       // lookups
#include <utility>           // std::pair, std::move
#include <vector>            // ordered header storage

namespace profile::auth::inline v0 {

namespace detail {
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// ASCII case-insensitive equality (header names, auth schemes, hosts).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

/// RFC 9110 §5.6.2 tchar: a byte of a token (method, header field name, auth-scheme, ...).
[[nodiscard]] constexpr bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
         c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' ||
         c == '~';
}

/// RFC 9110 §5.6.2 token (`1*tchar`): what a request method and a header field name must be.
[[nodiscard]] constexpr bool is_http_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

/// True when `s` holds CR, LF or NUL: in a header value (or a URL) such a byte would end the
/// line early and let the rest smuggle in another header. Transports refuse these values;
/// is_valid_field_value (header.hpp) is the stricter check for values this library builds.
[[nodiscard]] constexpr bool has_line_break(std::string_view s) noexcept {
  for (const char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}
}  // namespace detail

/// Ordered (name, value) header fields. Duplicates are kept in order; lookups ignore ASCII case.
class header_list {
 public:
  /// One field: (name, value).
  using value_type = std::pair<std::string, std::string>;
  /// Iterates over the fields in order.
  using const_iterator = std::vector<value_type>::const_iterator;

  ///@{
  /// An empty list, or the fields of `init` in order.
  header_list() = default;
  header_list(std::initializer_list<value_type> init) : fields_(init) {}
  ///@}

  /// Appends a field (an existing field of the same name is kept).
  void add(std::string name, std::string value);
  /// Replaces every field called `name` by one field with `value`.
  void set(std::string_view name, std::string value);
  /// Removes every field called `name`; returns how many were removed.
  std::size_t remove(std::string_view name);
  /// The first field called `name`, if any.
  [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const noexcept {
    for (const auto& f : fields_)
      if (detail::iequals(f.first, name)) return std::string_view(f.second);
    return std::nullopt;
  }
  /// Every value of fields called `name`, in order.
  [[nodiscard]] std::vector<std::string_view> find_all(std::string_view name) const;
  /// True when a field called `name` exists.
  [[nodiscard]] bool contains(std::string_view name) const noexcept {
    return find(name).has_value();
  }
  ///@{
  /// Container access to the fields, in order.
  [[nodiscard]] const_iterator begin() const noexcept { return fields_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return fields_.end(); }
  [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
  [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  void reserve(std::size_t n) { fields_.reserve(n); }
  ///@}

  /// Equal when both hold the same fields in the same order (names compared exactly).
  friend bool operator==(const header_list&, const header_list&) = default;

 private:
  std::vector<value_type> fields_;
};

/// One HTTP request as the protocol layer builds it. `url` is absolute.
struct http_request {
  /// The method in upper case, e.g. "POST".
  std::string method;
  /// The absolute URL.
  std::string url;
  /// The header fields.
  header_list headers;
  /// The body; empty for none.
  std::string body;
};

/// One HTTP response as a transport delivers it (after the transport's own size limit).
struct http_response {
  /// The HTTP status code.
  int status = 0;
  /// The header fields.
  header_list headers;
  /// The body.
  std::string body;

  /// True for a 2xx status.
  [[nodiscard]] bool ok() const noexcept { return status >= 200 && status < 300; }
};

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE void header_list::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

PROFILE_AUTH_INLINE void header_list::set(std::string_view name, std::string value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

PROFILE_AUTH_INLINE std::size_t header_list::remove(std::string_view name) {
  const std::size_t before = fields_.size();
  std::erase_if(fields_, [&](const value_type& f) { return detail::iequals(f.first, name); });
  return before - fields_.size();
}

PROFILE_AUTH_INLINE std::vector<std::string_view> header_list::find_all(
    std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_)
    if (detail::iequals(f.first, name)) out.emplace_back(f.second);
  return out;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_HTTP_HPP
