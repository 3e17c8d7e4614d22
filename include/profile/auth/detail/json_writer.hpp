// SPDX-License-Identifier: MIT
// profile-auth: compact JSON writer (internal) with correct string escaping.
#ifndef PROFILE_AUTH_DETAIL_JSON_WRITER_HPP
#define PROFILE_AUTH_DETAIL_JSON_WRITER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_text.hpp>

#include <charconv>     // std::to_chars: locale-free, shortest round-trip numbers
#include <concepts>     // std::integral for the integer overload set
#include <cstddef>      // std::size_t run lengths
#include <cstdint>      // std::int64_t, std::uint64_t
#include <string>       // the output buffer
#include <string_view>  // keys and string values
#include <type_traits>  // std::is_signed_v, std::is_same_v
#include <utility>      // std::move

namespace profile::auth::inline v0::detail::json {

/// True when v is neither NaN nor infinite (JSON has no form for those). Without <cmath>, which
/// would cost every includer compile time for this one test: for finite v, v - v is exactly 0;
/// for NaN and infinities it is NaN, which equals nothing.
[[nodiscard]] inline bool is_finite(double v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_isfinite(v);
#else
  return v - v == 0.0;
#endif
}

/// Appends `s` to `out` as a quoted JSON string. Escapes '"' and '\\' as \" and \\, the control
/// characters U+0008/09/0A/0C/0D as \b \t \n \f \r and the other ones below U+0020 as \u00XX;
/// everything else, including valid UTF-8 and '/', is copied as is. Invalid UTF-8 never reaches
/// the output: each maximal ill-formed subsequence (Unicode §3.9) becomes U+FFFD, so the result
/// is always valid JSON and valid UTF-8. Returns false when something had to be replaced.
///
/// One implementation for every byte sink: `Out` needs `push_back(char)` and
/// `append(const char*, std::size_t)` (std::string, or the caller-sized buffer of
/// fixed_m2m_client).
template <class Out>
bool write_string_to(Out& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  bool clean = true;
  const char* p = s.data();
  const char* const end = p + s.size();
  out.push_back('"');
  for (;;) {
    const char* q = text::skip_plain(p, end);
    out.append(p, static_cast<std::size_t>(q - p));
    if (q == end) break;
    const auto c = static_cast<unsigned char>(*q);
    if (c == '"' || c == '\\') {
      const char esc[2] = {'\\', static_cast<char>(c)};
      out.append(esc, 2);
      ++q;
    } else if (c < 0x20) {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
      std::size_t n = 2;
      switch (c) {
        case '\b':
          esc[1] = 'b';
          break;
        case '\t':
          esc[1] = 't';
          break;
        case '\n':
          esc[1] = 'n';
          break;
        case '\f':
          esc[1] = 'f';
          break;
        case '\r':
          esc[1] = 'r';
          break;
        default:
          n = 6;
      }
      out.append(esc, n);
      ++q;
    } else {  // >= 0x80
      const int n = text::utf8_sequence(q, end);
      if (n > 0) {
        out.append(q, static_cast<std::size_t>(n));
        q += n;
      } else {
        out.append("\xEF\xBF\xBD", 3);  // U+FFFD REPLACEMENT CHARACTER
        q += -n;
        clean = false;
      }
    }
    p = q;
  }
  out.push_back('"');
  return clean;
}

/// write_string_to() for a std::string.
inline bool write_string(std::string& out, std::string_view s) { return write_string_to(out, s); }

/// Builds compact JSON (no whitespace) into a std::string, inserting ',' and ':' itself:
///
///     writer w;
///     w.begin_object().key("grant_type").string("client_credentials").end_object();
///     std::string body = w.take();  // {"grant_type":"client_credentials"}
///
/// Misuse (a key outside an object, a value where a key is due, unbalanced end_*, nesting
/// deeper than 64, a second top-level value) is a contract violation (PROFILE_AUTH_ASSERT).
/// The buffer may hold secrets (client_secret): move it into the request body with take()
/// and wipe it there; the writer keeps no copy after take().
class writer {
 public:
  writer() = default;
  /// Writes into `buffer`'s storage (cleared first), e.g. to reuse capacity.
  explicit writer(std::string buffer) : out_(std::move(buffer)) { out_.clear(); }

  writer& begin_object() { return open('{', true); }
  writer& end_object() { return close('}', true); }
  writer& begin_array() { return open('[', false); }
  writer& end_array() { return close(']', false); }

  /// The next member's name; must be inside an object and not directly after another key.
  writer& key(std::string_view k) {
    PROFILE_AUTH_ASSERT(depth_ > 0 && in_object() && !after_key_);
    comma();
    write_string(out_, k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  /// A string value (escaped; invalid UTF-8 replaced, see write_string).
  writer& string(std::string_view s) {
    before_value();
    write_string(out_, s);
    return *this;
  }
  writer& number(std::int64_t v) {
    before_value();
    append_integer(v);
    return *this;
  }
  writer& number(std::uint64_t v) {
    before_value();
    append_integer(v);
    return *this;
  }
  /// Any other integer type (int, long, unsigned …) without ambiguity; bool is excluded.
  template <std::integral I>
    requires(!std::is_same_v<I, bool> && !std::is_same_v<I, std::int64_t> &&
             !std::is_same_v<I, std::uint64_t>)
  writer& number(I v) {
    if constexpr (std::is_signed_v<I>)
      return number(static_cast<std::int64_t>(v));
    else
      return number(static_cast<std::uint64_t>(v));
  }
  /// The shortest text that reads back as the same double ("0.1", "1e+300", "-0"). NaN and
  /// infinities have no JSON form and are written as null.
  writer& number(double v) {
    before_value();
    if (!is_finite(v)) {
      out_.append("null", 4);
      return *this;
    }
    char buf[32];  // the longest shortest form, "-2.2250738585072014e-308", has 24
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
  }
  writer& boolean(bool b) {
    before_value();
    if (b)
      out_.append("true", 4);
    else
      out_.append("false", 5);
    return *this;
  }
  writer& null() {
    before_value();
    out_.append("null", 4);
    return *this;
  }
  /// Inserts pre-serialised JSON as one value. Precondition: `json` is exactly one valid JSON
  /// value (for example value::raw() of a parsed document); it is not checked.
  writer& raw_value(std::string_view json) {
    before_value();
    out_.append(json);
    return *this;
  }

  /// The JSON written so far.
  [[nodiscard]] std::string& str() noexcept { return out_; }
  [[nodiscard]] const std::string& str() const noexcept { return out_; }
  /// Moves the JSON out and resets the writer for a new document.
  [[nodiscard]] std::string take() noexcept {
    std::string r = std::move(out_);
    out_.clear();
    depth_ = 0;
    nonempty_ = is_object_ = 0;
    after_key_ = done_ = false;
    return r;
  }
  /// True when every container opened has been closed and a top-level value was written.
  [[nodiscard]] bool complete() const noexcept { return done_ && depth_ == 0; }

 private:
  static constexpr unsigned max_depth = 64;  // one bit per level in the masks below

  [[nodiscard]] bool in_object() const noexcept { return ((is_object_ >> (depth_ - 1)) & 1) != 0; }
  void comma() {
    const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
    if ((nonempty_ & bit) != 0) out_.push_back(',');
    nonempty_ |= bit;
  }
  void before_value() {
    if (depth_ == 0) {
      PROFILE_AUTH_ASSERT(!done_);  // exactly one top-level value
      done_ = true;
    } else if (in_object()) {
      PROFILE_AUTH_ASSERT(after_key_);  // an object member needs key() first
      after_key_ = false;
    } else {
      comma();
    }
  }
  writer& open(char c, bool object) {
    before_value();
    PROFILE_AUTH_ASSERT(depth_ < max_depth);
    out_.push_back(c);
    const std::uint64_t bit = std::uint64_t{1} << depth_;
    nonempty_ &= ~bit;
    if (object)
      is_object_ |= bit;
    else
      is_object_ &= ~bit;
    ++depth_;
    return *this;
  }
  writer& close(char c, bool object) {
    PROFILE_AUTH_ASSERT(depth_ > 0 && in_object() == object && !after_key_);
    out_.push_back(c);
    --depth_;
    return *this;
  }
  template <class I>
  void append_integer(I v) {
    char buf[24];  // 20 digits and a sign at most
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }

  std::string out_;
  std::uint64_t nonempty_ = 0;   // bit d: the container at depth d has a member/element
  std::uint64_t is_object_ = 0;  // bit d: the container at depth d is an object
  unsigned depth_ = 0;
  bool after_key_ = false;
  bool done_ = false;
};

}  // namespace profile::auth::inline v0::detail::json

#endif  // PROFILE_AUTH_DETAIL_JSON_WRITER_HPP
