// SPDX-License-Identifier: MIT
// profile-auth: base64/base64url, percent and form encodings, hex, constant-time comparison.
#ifndef PROFILE_AUTH_ENCODING_HPP
#define PROFILE_AUTH_ENCODING_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>

#include <array>        // constexpr lookup tables
#include <cstddef>      // std::size_t
#include <string>       // owned outputs, std::to_string for error messages
#include <string_view>  // every input

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/secret.hpp>  // secure_wipe of decoded bytes

#include <cstdint>  // std::uint32_t / std::uint64_t words
#include <cstring>  // std::memcpy: alignment-free word loads in constant_time_equal
#include <utility>  // std::move
#endif

namespace profile::auth::inline v0 {

namespace detail {

inline constexpr char b64_std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr char b64_url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
inline constexpr char hex_upper[] = "0123456789ABCDEF";
inline constexpr char hex_lower[] = "0123456789abcdef";
inline constexpr unsigned char b64_invalid = 0xFF;

// Byte properties for the encoders, the decoders and the URL checks, in one 256-byte table (a
// firmware image carries one table instead of three). A byte is in at most one of the RFC 3986
// classes (the first four bits); hex digits also have byte_hex.
inline constexpr unsigned char byte_unreserved = 1;  // ALPHA DIGIT - . _ ~
inline constexpr unsigned char byte_sub_delim = 2;   // ! $ & ' ( ) * + , ; =
inline constexpr unsigned char byte_colon_at = 4;    // : @
inline constexpr unsigned char byte_lenient = 8;     // [ ] { } | ^ ` : browsers send them raw
inline constexpr unsigned char byte_hex = 16;        // 0-9 A-F a-f

constexpr std::array<unsigned char, 256> make_byte_class_table() noexcept {
  // Class by class, not byte by byte with searches: every translation unit evaluates this.
  std::array<unsigned char, 256> t{};
  for (unsigned c = '0'; c <= '9'; ++c) t[c] = byte_unreserved | byte_hex;
  for (unsigned c = 'A'; c <= 'Z'; ++c) t[c] = byte_unreserved | (c <= 'F' ? byte_hex : 0);
  for (unsigned c = 'a'; c <= 'z'; ++c) t[c] = byte_unreserved | (c <= 'f' ? byte_hex : 0);
  for (const char c : {'-', '.', '_', '~'}) t[static_cast<unsigned char>(c)] = byte_unreserved;
  for (const char c : {'!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '='})
    t[static_cast<unsigned char>(c)] = byte_sub_delim;
  for (const char c : {':', '@'}) t[static_cast<unsigned char>(c)] = byte_colon_at;
  for (const char c : {'[', ']', '{', '}', '|', '^', '`'})
    t[static_cast<unsigned char>(c)] = byte_lenient;
  return t;
}
inline constexpr auto byte_class = make_byte_class_table();

/// The value of hex digit `c` (0-15), or 0xFF when `c` is not one.
[[nodiscard]] constexpr unsigned hex_value(unsigned char c) noexcept {
  // '0'-'9' are 0x30-0x39; 'A'-'F' and 'a'-'f' end in 1-6 and have bit 6 set: add 9 for them.
  return (byte_class[c] & byte_hex) != 0 ? (c & 0x0Fu) + (c >> 6) * 9u : 0xFFu;
}

[[nodiscard]] constexpr bool is_unreserved(unsigned char c) noexcept {
  return (byte_class[c] & byte_unreserved) != 0;
}

/// "'x'" for a printable byte, "0xNN" otherwise: error messages must stay printable.
std::string describe_byte(unsigned char c);

[[nodiscard]] constexpr std::size_t b64_encoded_size(std::size_t n, bool pad) noexcept {
  return pad ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/// Writes exactly b64_encoded_size(bytes.size(), pad) characters of `alpha` (b64_std_alphabet
/// or b64_url_alphabet) to out. The one base64 encoder: std::string outputs and the fixed
/// buffers of fixed_m2m_client both call it.
void b64_encode_raw(char* out, std::string_view bytes, const char* alpha, bool pad) noexcept;

/// Exactly how many bytes pct_encode_raw() writes for `s`: unreserved bytes stay one byte,
/// ' ' stays one ('+') when `form`, everything else becomes %XX.
[[nodiscard]] constexpr std::size_t pct_encoded_size(std::string_view s, bool form) noexcept {
  std::size_t n = s.size();
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!is_unreserved(c) && !(form && c == ' ')) n += 2;
  }
  return n;
}

/// Writes the percent-encoding of `s` (RFC 3986 unreserved bytes kept, %XX in upper-case hex;
/// `form` turns ' ' into '+') to out, which has room for pct_encoded_size(s, form) bytes.
/// The one percent encoder: std::string outputs and fixed buffers both call it.
void pct_encode_raw(char* out, std::string_view s, bool form) noexcept;

inline constexpr std::size_t no_error = static_cast<std::size_t>(-1);

/// Appends the decoding of s to out. Returns no_error, or the offset of the malformed '%'.
std::size_t pct_decode_append(std::string& out, std::string_view s, bool plus_is_space);

/// The message for a malformed escape at `pos`; names the position, never the data around it.
std::string pct_error_message(bool truncated, std::size_t pos, std::string_view where);

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// base64 (RFC 4648)

/// Appends the RFC 4648 §4 base64 encoding of `bytes` (with '=' padding) to `out`.
void base64_encode_to(std::string& out, std::string_view bytes);
/// RFC 4648 §4 base64 of `bytes`, with '=' padding.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// Appends the RFC 4648 §5 base64url encoding of `bytes`, without padding (as JWT and PKCE use).
void base64url_encode_to(std::string& out, std::string_view bytes);
/// RFC 4648 §5 base64url of `bytes`, without padding.
[[nodiscard]] std::string base64url_encode(std::string_view bytes);

/// Strictly decodes RFC 4648 §4 base64: the length must be a multiple of 4, '=' may only end the
/// input (at most two, exactly as many as needed), unused trailing bits must be zero, no
/// whitespace or other byte outside the alphabet. Fails with errc::invalid_base64; the message
/// names the offending position.
[[nodiscard]] result<std::string> base64_decode(std::string_view text);
/// Strictly decodes RFC 4648 §5 base64url. Accepts unpadded input (JWT, PKCE) and correctly
/// padded input; partial padding, a dangling single character, non-zero unused bits and bytes
/// outside the alphabet ('+' and '/' included) fail with errc::invalid_base64.
[[nodiscard]] result<std::string> base64url_decode(std::string_view text);

// ---------------------------------------------------------------------------------------------
// percent-encoding (RFC 3986 §2.1) and application/x-www-form-urlencoded

/// Appends the RFC 3986 component encoding of `s`: unreserved bytes (ALPHA DIGIT - . _ ~) are
/// kept, every other byte becomes %XX with upper-case hex.
void percent_encode_to(std::string& out, std::string_view s);
/// RFC 3986 component encoding of `s` (see percent_encode_to).
[[nodiscard]] std::string percent_encode(std::string_view s);

/// Appends the application/x-www-form-urlencoded encoding of one name or value: unreserved
/// bytes kept, ' ' becomes '+', everything else %XX (upper case). '~' is kept (RFC 3986
/// unreserved), unlike the WHATWG serializer; every form decoder accepts both. This is also the
/// encoding RFC 6749 §2.3.1 requires for client_id and client_secret before HTTP Basic.
void form_urlencode_to(std::string& out, std::string_view s);
/// application/x-www-form-urlencoded encoding of one name or value (see form_urlencode_to).
[[nodiscard]] std::string form_urlencode(std::string_view s);

/// Appends `name=value`, both form-encoded, to a form body; a '&' separates it from existing
/// content.
void append_form_field(std::string& body, std::string_view name, std::string_view value);

/// Decodes %XX escapes (either hex case). '+' stays '+'. Other bytes are copied unchanged, so
/// the result may hold any byte, NUL and invalid UTF-8 included. A '%' not followed by two hex
/// digits fails with errc::invalid_percent_encoding naming its position.
[[nodiscard]] result<std::string> percent_decode(std::string_view s);
/// Decodes one application/x-www-form-urlencoded name or value: as percent_decode, and '+'
/// becomes ' '. Fails with errc::invalid_percent_encoding.
[[nodiscard]] result<std::string> form_urldecode(std::string_view s);

// ---------------------------------------------------------------------------------------------
// hex and comparison

/// Lower-case hex of `bytes` (two characters per byte).
[[nodiscard]] std::string hex_encode(std::string_view bytes);

/// Compares two byte strings in time that depends only on their length, never on where they
/// differ: use it for state values, MACs and anything an attacker could probe byte by byte.
/// Strings of different length return false at once, so the length itself is not hidden; the
/// values compared here (state, hashes, tokens) have public or fixed lengths.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

// (Built at compile time, and only where b64_decode is compiled.)
// Maps every byte to its 6-bit value or b64_invalid ('=' included: padding is handled apart).
constexpr std::array<unsigned char, 256> make_b64_decode_table(const char* alphabet) noexcept {
  std::array<unsigned char, 256> t{};
  for (auto& v : t) v = b64_invalid;
  for (unsigned i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
  return t;
}
inline constexpr auto b64_std_table = make_b64_decode_table(b64_std_alphabet);
inline constexpr auto b64_url_table = make_b64_decode_table(b64_url_alphabet);

PROFILE_AUTH_INLINE std::string describe_byte(unsigned char c) {
  std::string s;
  if (c > 0x20 && c < 0x7F) {
    s = "'";
    s += static_cast<char>(c);
    s += '\'';
  } else {
    s = "0x";
    s += hex_upper[c >> 4];
    s += hex_upper[c & 15];
  }
  return s;
}

// Writes exactly b64_encoded_size(n, pad) characters to out.
PROFILE_AUTH_INLINE void b64_encode_raw(char* out, std::string_view bytes, const char* alpha,
                                        bool pad) noexcept {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t w =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | std::uint32_t{in[i + 2]};
    out[0] = alpha[w >> 18];
    out[1] = alpha[(w >> 12) & 63];
    out[2] = alpha[(w >> 6) & 63];
    out[3] = alpha[w & 63];
    out += 4;
  }
  const std::size_t rest = n - i;
  if (rest == 0) return;
  const std::uint32_t w =
      (std::uint32_t{in[i]} << 16) | (rest == 2 ? std::uint32_t{in[i + 1]} << 8 : 0U);
  *out++ = alpha[w >> 18];
  *out++ = alpha[(w >> 12) & 63];
  if (rest == 2)
    *out++ = alpha[(w >> 6) & 63];
  else if (pad)
    *out++ = '=';
  if (pad) *out = '=';
}

PROFILE_AUTH_INLINE void b64_encode_append(std::string& out, std::string_view bytes, bool url) {
  const bool pad = !url;
  const std::size_t old = out.size();
  out.resize(old + b64_encoded_size(bytes.size(), pad));
  b64_encode_raw(out.data() + old, bytes, url ? b64_url_alphabet : b64_std_alphabet, pad);
}

PROFILE_AUTH_INLINE unexpected<error> b64_fail(bool url, std::string what) {
  return fail(errc::invalid_base64,
              std::string(url ? "base64url" : "base64") + " input: " + std::move(what));
}

// Strict RFC 4648 decoding. `url` selects the §5 alphabet and makes padding optional.
PROFILE_AUTH_INLINE result<std::string> b64_decode(std::string_view text, bool url) {
  const auto& table = url ? b64_url_table : b64_std_table;
  const std::size_t n = text.size();
  if (!url && n % 4 != 0)
    return b64_fail(url, "length " + std::to_string(n) +
                             " is not a multiple of 4 (truncated, or padding '=' missing)");
  if (url && n % 4 == 1)
    return b64_fail(
        url, "length " + std::to_string(n) + " leaves one dangling character (truncated input)");
  // Padding is at most two '=' and only completes a 4-character group.
  std::size_t data_len = n;
  if (n % 4 == 0 && n > 0 && text[n - 1] == '=') data_len = text[n - 2] == '=' ? n - 2 : n - 1;
  if (url && n % 4 != 0 && text[n - 1] == '=')
    return b64_fail(url, "padding '=' at position " + std::to_string(n - 1) +
                             " is incomplete (padded input must have a length that is a multiple "
                             "of 4)");

  std::string out;
  out.resize(data_len / 4 * 3 + (data_len % 4 == 0 ? 0 : data_len % 4 - 1));
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());

  auto bad_byte = [&](std::size_t pos) {
    detail::secure_wipe(out);  // decoded bytes may be credentials
    const unsigned char c = s[pos];
    std::string what = "byte " + describe_byte(c) + " at position " + std::to_string(pos);
    if (c == '=') {
      what += " is padding before the end of the input (at most two '=' may end it)";
    } else {
      what += " is not in the alphabet";
      if (!url && (c == '-' || c == '_')) what += " (this looks like base64url)";
      if (url && (c == '+' || c == '/')) what += " (this looks like standard base64)";
    }
    return b64_fail(url, std::move(what));
  };

  std::size_t i = 0;
  for (; i + 4 <= data_len; i += 4) {
    const unsigned a = table[s[i]], b = table[s[i + 1]], c = table[s[i + 2]], d = table[s[i + 3]];
    if (((a | b | c | d) & 0x80U) != 0) {  // b64_invalid has the high bit; 6-bit values don't
      for (std::size_t k = i;; ++k)
        if (table[s[k]] == b64_invalid) return bad_byte(k);
    }
    const std::uint32_t w = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<unsigned char>(w >> 16);
    o[1] = static_cast<unsigned char>(w >> 8);
    o[2] = static_cast<unsigned char>(w);
    o += 3;
  }
  const std::size_t rest = data_len - i;  // 0, 2 or 3
  if (rest != 0) {
    for (std::size_t k = i; k < data_len; ++k)
      if (table[s[k]] == b64_invalid) return bad_byte(k);
    const unsigned a = table[s[i]], b = table[s[i + 1]];
    const unsigned c = rest == 3 ? table[s[i + 2]] : 0U;
    // Bits past the last whole byte must be zero, or two texts would decode to the same bytes.
    if ((rest == 2 && (b & 0x0FU) != 0) || (rest == 3 && (c & 0x03U) != 0)) {
      detail::secure_wipe(out);
      return b64_fail(url, "character at position " + std::to_string(data_len - 1) +
                               " has non-zero unused bits (not the canonical encoding)");
    }
    const std::uint32_t w = (a << 18) | (b << 12) | (c << 6);
    o[0] = static_cast<unsigned char>(w >> 16);
    if (rest == 3) o[1] = static_cast<unsigned char>(w >> 8);
  }
  return out;
}

PROFILE_AUTH_INLINE void pct_encode_raw(char* p, std::string_view s, bool form) noexcept {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      *p++ = ch;
    } else if (form && c == ' ') {
      *p++ = '+';
    } else {
      p[0] = '%';
      p[1] = hex_upper[c >> 4];
      p[2] = hex_upper[c & 15];
      p += 3;
    }
  }
}

// Appends the percent-encoding of s; `form` turns ' ' into '+'.
PROFILE_AUTH_INLINE void pct_encode_append(std::string& out, std::string_view s, bool form) {
  const std::size_t n = pct_encoded_size(s, form);
  const std::size_t old = out.size();
  out.resize(old + n);
  char* p = out.data() + old;
  if (n == s.size() && (!form || s.find(' ') == std::string_view::npos)) {
    // the common case: ids, tokens, scopes without spaces (nothing to encode)
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    return;
  }
  pct_encode_raw(p, s, form);
}

PROFILE_AUTH_INLINE std::size_t pct_decode_append(std::string& out, std::string_view s,
                                                  bool plus_is_space) {
  out.reserve(out.size() + s.size());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j < n && s[j] != '%' && !(plus_is_space && s[j] == '+')) ++j;
    out.append(s.data() + i, j - i);
    if (j == n) break;
    if (s[j] == '+') {
      out += ' ';
      i = j + 1;
      continue;
    }
    if (n - j < 3) return j;  // fewer than two characters follow the '%'
    const unsigned hi = hex_value(static_cast<unsigned char>(s[j + 1]));
    const unsigned lo = hex_value(static_cast<unsigned char>(s[j + 2]));
    if ((hi | lo) > 15) return j;
    out += static_cast<char>((hi << 4) | lo);
    i = j + 3;
  }
  return no_error;
}

PROFILE_AUTH_INLINE std::string pct_error_message(bool truncated, std::size_t pos,
                                                  std::string_view where) {
  std::string m = "malformed percent escape at position " + std::to_string(pos);
  if (!where.empty()) {
    m += " of ";
    m += where;
  }
  m += truncated ? ": fewer than two characters follow '%'"
                 : ": '%' must be followed by two hex digits";
  m += " (write a literal '%' as %25)";
  return m;
}

PROFILE_AUTH_INLINE result<std::string> pct_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  const std::size_t bad = pct_decode_append(out, s, plus_is_space);
  if (bad != no_error) {
    secure_wipe(out);  // form values are often codes or secrets
    return fail(errc::invalid_percent_encoding, pct_error_message(bad + 2 >= s.size(), bad, {}));
  }
  return out;
}

}  // namespace detail

PROFILE_AUTH_INLINE void base64_encode_to(std::string& out, std::string_view bytes) {
  detail::b64_encode_append(out, bytes, false);
}

PROFILE_AUTH_INLINE std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_encode_to(out, bytes);
  return out;
}

PROFILE_AUTH_INLINE void base64url_encode_to(std::string& out, std::string_view bytes) {
  detail::b64_encode_append(out, bytes, true);
}

PROFILE_AUTH_INLINE std::string base64url_encode(std::string_view bytes) {
  std::string out;
  base64url_encode_to(out, bytes);
  return out;
}

PROFILE_AUTH_INLINE result<std::string> base64_decode(std::string_view text) {
  return detail::b64_decode(text, false);
}

PROFILE_AUTH_INLINE result<std::string> base64url_decode(std::string_view text) {
  return detail::b64_decode(text, true);
}

PROFILE_AUTH_INLINE void percent_encode_to(std::string& out, std::string_view s) {
  detail::pct_encode_append(out, s, false);
}

PROFILE_AUTH_INLINE std::string percent_encode(std::string_view s) {
  std::string out;
  percent_encode_to(out, s);
  return out;
}

PROFILE_AUTH_INLINE void form_urlencode_to(std::string& out, std::string_view s) {
  detail::pct_encode_append(out, s, true);
}

PROFILE_AUTH_INLINE std::string form_urlencode(std::string_view s) {
  std::string out;
  form_urlencode_to(out, s);
  return out;
}

PROFILE_AUTH_INLINE void append_form_field(std::string& body, std::string_view name,
                                           std::string_view value) {
  if (!body.empty()) body += '&';
  form_urlencode_to(body, name);
  body += '=';
  form_urlencode_to(body, value);
}

PROFILE_AUTH_INLINE result<std::string> percent_decode(std::string_view s) {
  return detail::pct_decode(s, false);
}

PROFILE_AUTH_INLINE result<std::string> form_urldecode(std::string_view s) {
  return detail::pct_decode(s, true);
}

PROFILE_AUTH_INLINE std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  char* p = out.data();
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    *p++ = detail::hex_lower[c >> 4];
    *p++ = detail::hex_lower[c & 15];
  }
  return out;
}

PROFILE_AUTH_INLINE bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const std::size_t n = a.size();
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    acc |= x ^ y;
  }
  for (; i < n; ++i) acc |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
#if defined(__GNUC__) || defined(__clang__)
  // The exact accumulated value escapes to an opaque asm statement, so the optimizer cannot
  // stop the loop at the first difference.
  __asm__("" : "+r"(acc));
  return acc == 0;
#else
  volatile std::uint64_t sink = acc;
  return sink == 0;
#endif
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_ENCODING_HPP
