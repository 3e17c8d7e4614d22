// SPDX-License-Identifier: MIT
// profile-auth: strict RFC 8259 JSON reader (internal): one pass onto a flat tape, no recursion.
#ifndef PROFILE_AUTH_DETAIL_JSON_HPP
#define PROFILE_AUTH_DETAIL_JSON_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_parser.hpp>
#include <profile/auth/detail/json_tape.hpp>
#include <profile/auth/detail/json_text.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>

#include <charconv>      // std::from_chars: locale-free double conversion
#include <cstddef>       // std::size_t
#include <cstdint>       // fixed-width tape fields, std::int64_t
#include <cstring>       // std::memcmp
#include <iterator>      // std::forward_iterator_tag
#include <limits>        // std::numeric_limits
#include <memory>        // std::unique_ptr: the document owns its tape
#include <optional>      // accessor results
#include <span>          // a caller's buffer for small tapes
#include <string>        // scratch buffers, error messages
#include <string_view>   // input text and views into it
#include <system_error>  // std::errc from from_chars
#include <utility>       // std::move

namespace profile::auth::inline v0::detail::json {

class document;
class member_iterator;
class element_iterator;
template <class It>
struct range;
result<document> parse(std::string_view text, const limits& lim = {});
result<document> parse(std::string_view text, const limits& lim, std::span<tape::entry> buffer);

/// A cheap handle to one value of a document (two pointers; copy it freely). Valid while the
/// document and the input text it was parsed from are alive.
class value {
 public:
  [[nodiscard]] kind type() const noexcept { return e_->type; }
  [[nodiscard]] bool is_null() const noexcept { return e_->type == kind::null; }
  [[nodiscard]] bool is_bool() const noexcept { return e_->type == kind::boolean; }
  [[nodiscard]] bool is_number() const noexcept { return e_->type == kind::number; }
  [[nodiscard]] bool is_string() const noexcept { return e_->type == kind::string; }
  [[nodiscard]] bool is_array() const noexcept { return e_->type == kind::array; }
  [[nodiscard]] bool is_object() const noexcept { return e_->type == kind::object; }

  /// The exact JSON text of this value (strings include their quotes and escapes).
  [[nodiscard]] std::string_view raw() const noexcept { return {text_ + e_->pos, e_->len}; }
  /// Byte offset of this value in the input (for error messages that must not quote input).
  [[nodiscard]] std::size_t offset() const noexcept { return e_->pos; }

  /// The boolean, if this is `true` or `false`.
  [[nodiscard]] std::optional<bool> get_bool() const noexcept {
    if (e_->type != kind::boolean) return std::nullopt;
    return e_->aux != 0;
  }

  /// The decoded string. Without escapes this views the input and `scratch` is untouched;
  /// with escapes the string is decoded into `scratch` (replacing its contents) and the view
  /// refers to it. Decoded strings may contain NUL (from \u0000). nullopt if not a string.
  [[nodiscard]] std::optional<std::string_view> get_string(std::string& scratch) const {
    if (e_->type != kind::string) return std::nullopt;
    if ((e_->flags & tape::escaped) == 0) return tape::contents(text_, *e_);
    copy_string_to(scratch);
    return std::string_view(scratch);
  }
  /// Assigns the decoded string to out. false (out untouched) if this is not a string. When
  /// out must grow, its old contents are wiped before the reallocation frees them
  /// (text::assign_decoded): out may hold a token.
  bool copy_string_to(std::string& out) const {
    if (e_->type != kind::string) return false;
    const std::string_view c = tape::contents(text_, *e_);
    const bool escaped = (e_->flags & tape::escaped) != 0;
    text::assign_decoded(out, c.data(), c.data() + c.size(), escaped ? e_->aux : c.size(), escaped);
    return true;
  }
  /// Decoded length in bytes of a string (0 for other kinds): size a buffer for copy_string_to.
  [[nodiscard]] std::size_t string_size() const noexcept {
    return e_->type == kind::string ? e_->aux : 0;
  }
  /// Writes the decoded string to dst (capacity cap; no terminator) and returns the length,
  /// or nullopt (nothing written) if this is not a string or cap is too small. Lets a caller
  /// decode straight into memory it wipes itself (tokens) instead of a std::string.
  std::optional<std::size_t> copy_string_to(char* dst, std::size_t cap) const noexcept {
    if (e_->type != kind::string || cap < e_->aux) return std::nullopt;
    const std::string_view c = tape::contents(text_, *e_);
    if ((e_->flags & tape::escaped) == 0) {
      if (!c.empty()) std::memcpy(dst, c.data(), c.size());
    } else {
      text::decode_string(c.data(), c.data() + c.size(), dst);
    }
    return e_->aux;
  }
  /// True if the string contains backslash escapes (get_string then decodes into scratch).
  [[nodiscard]] bool has_escapes() const noexcept { return (e_->flags & tape::escaped) != 0; }
  /// True if this is a string whose decoded bytes equal s (no allocation).
  [[nodiscard]] bool equals(std::string_view s) const noexcept {
    return e_->type == kind::string && tape::string_equals(text_, *e_, s);
  }

  /// The number as an int64 when its mathematical value is an integer in range: `42`, `-0`,
  /// `1e3`, `4.20e1` and `3600.0` qualify; `1.5`, `1e-1` and values outside
  /// [INT64_MIN, INT64_MAX] give nullopt, as do non-numbers.
  [[nodiscard]] std::optional<std::int64_t> get_int64() const noexcept;
  /// The number as the nearest double (locale-free). A magnitude beyond the double range gives
  /// nullopt; one too small for a double gives +-0.0. nullopt for non-numbers.
  [[nodiscard]] std::optional<double> get_double() const noexcept;

  /// Elements of an array or members of an object; 0 for other kinds.
  [[nodiscard]] std::size_t size() const noexcept {
    return (e_->type == kind::array || e_->type == kind::object) ? e_->aux : 0;
  }

  /// The value of the member whose decoded key equals `key` (keys are unique, see parse()).
  /// nullopt if absent or if this is not an object. Linear in the number of members.
  [[nodiscard]] std::optional<value> find(std::string_view key) const noexcept {
    if (e_->type != kind::object) return std::nullopt;
    const tape::entry* k = e_ + 1;
    for (std::uint32_t i = 0; i < e_->aux; ++i) {
      if (tape::string_equals(text_, *k, key)) return value(text_, k + 1);
      k = k + 1 + k[1].skip;
    }
    return std::nullopt;
  }

  /// `for (auto m : v.members())` visits an object's members in document order; empty for
  /// anything but an object.
  [[nodiscard]] range<member_iterator> members() const noexcept;
  /// `for (json::value e : v.elements())` visits an array's elements in order; empty for
  /// anything but an array.
  [[nodiscard]] range<element_iterator> elements() const noexcept;

 private:
  friend class document;
  friend class member_iterator;
  friend class element_iterator;
  value(const char* text, const tape::entry* e) noexcept : text_(text), e_(e) {}
  const char* text_;
  const tape::entry* e_;
};

/// One object member, as yielded by members(): `key` is a string value (decode it with
/// key.get_string(scratch), test it with key.equals("name"), or read key.raw()).
struct member {
  json::value key;
  json::value value;
};

/// Forward iterator over object members (key entry, then value entry, then the next key).
class member_iterator {
 public:
  using iterator_concept = std::forward_iterator_tag;  // yields values, not references
  using iterator_category = std::input_iterator_tag;
  using value_type = member;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = member;
  member_iterator() noexcept = default;
  member operator*() const noexcept { return {json::value(t_, k_), json::value(t_, k_ + 1)}; }
  member_iterator& operator++() noexcept {
    k_ = k_ + 1 + k_[1].skip;
    return *this;
  }
  member_iterator operator++(int) noexcept {
    member_iterator r = *this;
    ++*this;
    return r;
  }
  friend bool operator==(member_iterator a, member_iterator b) noexcept { return a.k_ == b.k_; }

 private:
  friend class value;
  member_iterator(const char* t, const tape::entry* k) noexcept : t_(t), k_(k) {}
  const char* t_ = nullptr;
  const tape::entry* k_ = nullptr;
};

/// Forward iterator over array elements in document order.
class element_iterator {
 public:
  using iterator_concept = std::forward_iterator_tag;  // yields values, not references
  using iterator_category = std::input_iterator_tag;
  using value_type = json::value;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = json::value;
  element_iterator() noexcept = default;
  json::value operator*() const noexcept { return json::value(t_, e_); }
  element_iterator& operator++() noexcept {
    e_ += e_->skip;
    return *this;
  }
  element_iterator operator++(int) noexcept {
    element_iterator r = *this;
    ++*this;
    return r;
  }
  friend bool operator==(element_iterator a, element_iterator b) noexcept { return a.e_ == b.e_; }

 private:
  friend class value;
  element_iterator(const char* t, const tape::entry* e) noexcept : t_(t), e_(e) {}
  const char* t_ = nullptr;
  const tape::entry* e_ = nullptr;
};

/// A begin/end pair for range-for.
template <class It>
struct range {
  It first, last;
  [[nodiscard]] It begin() const noexcept { return first; }
  [[nodiscard]] It end() const noexcept { return last; }
  [[nodiscard]] bool empty() const noexcept { return first == last; }
};

inline range<member_iterator> value::members() const noexcept {
  const tape::entry* end = e_ + e_->skip;
  return {member_iterator(text_, e_->type == kind::object ? e_ + 1 : end),
          member_iterator(text_, end)};
}
inline range<element_iterator> value::elements() const noexcept {
  const tape::entry* end = e_ + e_->skip;
  return {element_iterator(text_, e_->type == kind::array ? e_ + 1 : end),
          element_iterator(text_, end)};
}

/// A parsed document: owns the tape, references (does not copy) the input text, which the
/// caller keeps alive and unchanged while the document or any value from it is used.
class document {
 public:
  /// The top-level value.
  [[nodiscard]] value root() const noexcept { return value(text_, tape_); }
  /// Tape entries used (values plus object keys); for diagnostics and tests.
  [[nodiscard]] std::size_t entry_count() const noexcept { return size_; }
  /// True when the tape lives in heap memory the document owns (not in a caller's buffer).
  [[nodiscard]] bool owns_tape() const noexcept { return owned_ != nullptr; }

 private:
  friend result<document> parse(std::string_view text, const limits& lim,
                                std::span<tape::entry> buffer);
  document(const char* text, std::unique_ptr<tape::entry[]> owned, const tape::entry* t,
           std::size_t n) noexcept
      : owned_(std::move(owned)), tape_(t), size_(n), text_(text) {}
  std::unique_ptr<tape::entry[]> owned_;  // null when the tape is in the caller's buffer
  const tape::entry* tape_;
  std::size_t size_;
  const char* text_;
};

inline std::optional<std::int64_t> value::get_int64() const noexcept {
  if (e_->type != kind::number) return std::nullopt;
  const std::string_view r = raw();
  const bool neg = r[0] == '-';
  std::uint64_t mag = 0;
  if ((e_->flags & tape::integer) != 0) {  // the common case: plain digits, no leading zeros
    if (r.size() - neg > 19) return std::nullopt;  // >= 10^19 > INT64_MAX
    for (std::size_t i = neg; i < r.size(); ++i) mag = mag * 10 + static_cast<unsigned>(r[i] - '0');
  } else {
    // value = digits * 10^(exponent - fraction digits); exact, without floating point.
    const tape::number_parts n = tape::split_number(r);
    const std::size_t nd = n.count();
    std::size_t first = 0;
    while (first < nd && n.digit(r, first) == '0') ++first;
    if (first == nd) return 0;  // all digits zero: zero whatever the exponent
    std::size_t last = nd - 1;
    while (n.digit(r, last) == '0') --last;
    const std::int64_t scale = n.exponent - static_cast<std::int64_t>(n.fe - n.fb) +
                               static_cast<std::int64_t>(nd - 1 - last);
    const auto sig = static_cast<std::int64_t>(last - first + 1);
    if (scale < 0 || sig + scale > 19) return std::nullopt;  // fractional, or >= 10^19
    for (std::size_t k = first; k <= last; ++k)
      mag = mag * 10 + static_cast<unsigned>(n.digit(r, k) - '0');
    for (std::int64_t k = 0; k < scale; ++k) mag *= 10;  // stays < 10^19 < 2^64
  }
  constexpr auto max_pos = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (neg) {
    if (mag > max_pos + 1) return std::nullopt;
    return mag == max_pos + 1 ? std::numeric_limits<std::int64_t>::min()
                              : -static_cast<std::int64_t>(mag);
  }
  if (mag > max_pos) return std::nullopt;
  return static_cast<std::int64_t>(mag);
}

inline std::optional<double> value::get_double() const noexcept {
  if (e_->type != kind::number) return std::nullopt;
  const std::string_view r = raw();
  double d = 0;
  const auto res = std::from_chars(r.data(), r.data() + r.size(), d);
  if (res.ec == std::errc()) return d;
  // Out of range (zero never is): the decimal exponent of the first significant digit says
  // whether the magnitude was too large (nullopt) or too small (a signed zero).
  const tape::number_parts n = tape::split_number(r);
  std::size_t first = 0;
  while (first + 1 < n.count() && n.digit(r, first) == '0') ++first;
  const std::int64_t mag =
      static_cast<std::int64_t>(n.ie - n.ib) - 1 - static_cast<std::int64_t>(first) + n.exponent;
  if (mag >= 0) return std::nullopt;
  return n.negative ? -0.0 : 0.0;
}

/// Parses `text` as exactly one JSON value (RFC 8259, strict; see docs/json.md): optional
/// whitespace (space, tab, LF, CR) around it, nothing else. The document references `text`,
/// which must outlive it. Rejects, with errc and a message giving the byte offset (never input):
/// - errc::invalid_json: any syntax error, trailing bytes, a UTF-8 BOM, an unescaped control
///   character, a bad escape, a number outside the grammar, a duplicate member name in an object;
/// - errc::invalid_utf8: malformed UTF-8 (overlong, surrogate, > U+10FFFF, truncated) or a lone
///   surrogate \u escape;
/// - errc::limit_exceeded: a member of `lim` was exceeded (the message names it).
///
/// The overload taking `buffer` starts the tape there, so a document whose tape fits (values
/// plus object keys, see entry_count()) costs no allocation; a larger one moves its tape to the
/// heap as it grows. The buffer must outlive the document.
inline result<document> parse(std::string_view text, const limits& lim,
                              std::span<tape::entry> buffer) {
  constexpr std::size_t hard_max = 0xFFFFFFFEu;  // tape offsets are 32-bit
  const std::size_t max_size = lim.max_size < hard_max ? lim.max_size : hard_max;
  if (text.size() > max_size)
    return fail(errc::limit_exceeded, "JSON input of " + std::to_string(text.size()) +
                                          " bytes is larger than limits::max_size (" +
                                          std::to_string(max_size) + ")");
  const std::uint32_t cap =
      buffer.size() < 0xFFFFFFFFu ? static_cast<std::uint32_t>(buffer.size()) : 0xFFFFFFFFu;
  tape::parser p(text, lim, buffer.data(), cap);
  if (!p.run()) {
    const tape::parse_error& e = p.error();
    std::string msg = e.code == errc::limit_exceeded ? "JSON limit exceeded at byte "
                      : e.code == errc::invalid_utf8 ? "invalid UTF-8 in JSON at byte "
                                                     : "invalid JSON at byte ";
    msg += std::to_string(e.offset);
    msg += ": ";
    msg += e.what;
    if (e.code == errc::limit_exceeded) {
      msg += " (limits::";
      msg += e.limit;
      msg += " = ";
      msg += std::to_string(e.limit_value);
      msg += ')';
    }
    return fail(e.code, std::move(msg));
  }
  const tape::entry* t = p.data();
  return document(text.data(), p.release(), t, p.size());
}
inline result<document> parse(std::string_view text, const limits& lim) {
  return parse(text, lim, {});
}

/// Parsing a temporary std::string would leave the document pointing at freed memory: keep the
/// text in a variable that outlives the document (or pass an explicit std::string_view).
result<document> parse(std::string&& text, const limits& lim = {}) = delete;
result<document> parse(std::string&& text, const limits& lim, std::span<tape::entry>) = delete;
/// A NUL-terminated string (e.g. a literal); its bytes must outlive the document.
inline result<document> parse(const char* text, const limits& lim = {}) {
  return parse(std::string_view(text), lim);
}
inline result<document> parse(const char* text, const limits& lim, std::span<tape::entry> buffer) {
  return parse(std::string_view(text), lim, buffer);
}

}  // namespace profile::auth::inline v0::detail::json

#endif  // PROFILE_AUTH_DETAIL_JSON_HPP
