// SPDX-License-Identifier: MIT
// profile-auth: byte helpers shared by the JSON reader and writer (scanning, UTF-8, escapes).
#ifndef PROFILE_AUTH_DETAIL_JSON_TEXT_HPP
#define PROFILE_AUTH_DETAIL_JSON_TEXT_HPP

#include <profile/auth/config.hpp>

#include <bit>      // std::countr_zero, std::endian: first special byte of an 8-byte word
#include <cstddef>  // std::size_t, std::ptrdiff_t
#include <cstdint>  // std::uint64_t SWAR words, std::uint32_t code points
#include <cstring>  // std::memcpy: the only well-defined unaligned load

// x86-64 always has SSE2: scan 16 bytes per step there; the SWAR path serves everything else
// (ARM, Cortex-M, ...). With GCC or Clang on x86-64 (not clang-cl), an AVX2 scanner (32 bytes
// per step) takes over long strings when the CPU has AVX2 (checked at run time), or always
// when the build targets AVX2 (-mavx2).
#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define PROFILE_AUTH_DETAIL_JSON_SSE2 1
#include <emmintrin.h>  // _mm_cmpeq_epi8, _mm_movemask_epi8
#endif
#if defined(PROFILE_AUTH_DETAIL_JSON_SSE2) && defined(__x86_64__) && \
    (defined(__GNUC__) || defined(__clang__)) && !defined(_MSC_VER)
#define PROFILE_AUTH_DETAIL_JSON_AVX2 1
#include <immintrin.h>  // _mm256_* (compiled for AVX2 by the target attribute below)
#endif

namespace profile::auth::inline v0::detail::json::text {

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;

/// Loads 8 bytes so that the byte at p[0] is the least significant one on every platform.
[[nodiscard]] inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) {
    // std::countr_zero finds the first flagged byte only if p[0] is the least significant.
    v = ((v & 0x00000000FFFFFFFFULL) << 32) | ((v & 0xFFFFFFFF00000000ULL) >> 32);
    v = ((v & 0x0000FFFF0000FFFFULL) << 16) | ((v & 0xFFFF0000FFFF0000ULL) >> 16);
    v = ((v & 0x00FF00FF00FF00FFULL) << 8) | ((v & 0xFF00FF00FF00FF00ULL) >> 8);
  }
  return v;
}

/// High bit set in exactly the bytes of `v` that are '"', '\\', < 0x20 or >= 0x80. Works on the
/// low 7 bits of each byte, where the additions below cannot carry into the next byte.
[[nodiscard]] constexpr std::uint64_t string_special_mask(std::uint64_t v) noexcept {
  constexpr std::uint64_t low7 = ones * 0x7F;
  const std::uint64_t x = v & low7;
  // High bit of each term set where the byte is NOT '"', NOT '\\', and >= 0x20, respectively.
  const std::uint64_t ok =
      ((x ^ (ones * 0x22)) + low7) & ((x ^ (ones * 0x5C)) + low7) & (x + ones * (0x80 - 0x20));
  return (~ok | v) & highs;
}

/// skip_plain() with 8-byte SWAR words only (the portable path; also used for tails).
[[nodiscard]] inline const char* skip_plain_swar(const char* p, const char* end) noexcept {
  while (end - p >= 16) {  // two words per round trip: fewer taken branches on long tokens
    const std::uint64_t a = string_special_mask(load8(p));
    const std::uint64_t b = string_special_mask(load8(p + 8));
    if ((a | b) != 0)
      return a != 0 ? p + (std::countr_zero(a) >> 3) : p + 8 + (std::countr_zero(b) >> 3);
    p += 16;
  }
  if (end - p >= 8) {
    const std::uint64_t a = string_special_mask(load8(p));
    if (a != 0) return p + (std::countr_zero(a) >> 3);
    p += 8;
  }
  while (p != end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
    ++p;
  }
  return p;
}

#ifdef PROFILE_AUTH_DETAIL_JSON_SSE2
/// High bits of the bytes of v that are '"', '\\', < 0x20 or >= 0x80 (the signed compare makes
/// every byte >= 0x80 negative, hence "below" 0x20 too).
[[nodiscard]] inline __m128i string_special_16(__m128i v) noexcept {
  return _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
}
[[nodiscard]] inline unsigned string_special_bits_16(const char* at) noexcept {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  return static_cast<unsigned>(_mm_movemask_epi8(string_special_16(v)));
}

/// The long part of skip_plain() with SSE2, 32 bytes per loop trip. Precondition: the 16
/// bytes before p are plain bytes of the same string (the caller checked them), so the last
/// blocks may end at `end` and overlap them.
[[nodiscard]] inline const char* skip_plain_sse2_rest(const char* p, const char* end) noexcept {
  if (end - p >= 32) {
    for (const char* const last = end - 32; p <= last; p += 32) {
      const __m128i a = string_special_16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      const __m128i b =
          string_special_16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
      if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) {
        const auto ma = static_cast<unsigned>(_mm_movemask_epi8(a));
        return ma != 0 ? p + std::countr_zero(ma)
                       : p + 16 + std::countr_zero(static_cast<unsigned>(_mm_movemask_epi8(b)));
      }
    }
  }
  if (p == end) return p;
  // Fewer than 32 bytes left: one or two blocks ending at `end`. They may overlap bytes
  // already passed, which are all plain, so the first flagged byte is at p or after.
  if (end - p > 16) {
    if (const unsigned m = string_special_bits_16(p)) return p + std::countr_zero(m);
  }
  const char* const tail = end - 16;
  const unsigned m = string_special_bits_16(tail);
  return m != 0 ? tail + std::countr_zero(m) : end;
}

/// skip_plain() with SSE2 only: 16 bytes per step.
[[nodiscard]] inline const char* skip_plain_sse2(const char* p, const char* end) noexcept {
  if (end - p < 16) return skip_plain_swar(p, end);
  if (const unsigned m = string_special_bits_16(p)) return p + std::countr_zero(m);
  return skip_plain_sse2_rest(p + 16, end);
}
#endif

#ifdef PROFILE_AUTH_DETAIL_JSON_AVX2
/// string_special_16() on 32 bytes (AVX2).
[[nodiscard]] __attribute__((target("avx2"))) inline __m256i string_special_32(
    const char* at) noexcept {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
  return _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                         _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))),
                         _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v));
}

/// skip_plain_sse2_rest() with AVX2: 64 bytes per loop trip. Same precondition; the caller
/// makes sure the CPU has AVX2 (use_avx2()).
[[nodiscard]] __attribute__((target("avx2"))) inline const char* skip_plain_avx2_rest(
    const char* p, const char* end) noexcept {
  if (end - p < 32) return skip_plain_sse2_rest(p, end);
  for (; end - p >= 64; p += 64) {
    const __m256i a = string_special_32(p), b = string_special_32(p + 32);
    if (_mm256_movemask_epi8(_mm256_or_si256(a, b)) != 0) {
      const auto ma = static_cast<unsigned>(_mm256_movemask_epi8(a));
      return ma != 0 ? p + std::countr_zero(ma)
                     : p + 32 + std::countr_zero(static_cast<unsigned>(_mm256_movemask_epi8(b)));
    }
  }
  if (p == end) return p;
  // Fewer than 64 bytes left: blocks ending at `end`, overlapping plain bytes already passed
  // (at least 32 of them are: the caller's 16 and this function's first 32 or more).
  if (end - p > 32) {
    const auto m = static_cast<unsigned>(_mm256_movemask_epi8(string_special_32(p)));
    if (m != 0) return p + std::countr_zero(m);
  }
  const char* const tail = end - 32;
  const auto m = static_cast<unsigned>(_mm256_movemask_epi8(string_special_32(tail)));
  return m != 0 ? tail + std::countr_zero(m) : end;
}

/// True when skip_plain() may use skip_plain_avx2_rest(): the build targets AVX2, or the CPU
/// (and the OS, which must save the AVX registers) supports it. The runtime check reads a flag
/// the compiler's runtime filled in at program start.
[[nodiscard]] inline bool use_avx2() noexcept {
#ifdef __AVX2__
  return true;
#else
  return __builtin_cpu_supports("avx2");
#endif
}
#endif

#ifdef PROFILE_AUTH_DETAIL_JSON_SSE2
/// The loop of skip_plain() for strings longer than its first 32-byte check (tokens), kept
/// apart so that skip_plain() itself stays small. Same precondition as skip_plain_sse2_rest().
[[nodiscard]] inline const char* skip_plain_long(const char* p, const char* end) noexcept {
#ifdef PROFILE_AUTH_DETAIL_JSON_AVX2
  if (use_avx2()) return skip_plain_avx2_rest(p, end);
#endif
  return skip_plain_sse2_rest(p, end);
}
#endif

/// Advances p over bytes that need no attention inside a JSON string (printable ASCII other
/// than '"' and '\\'); stops at the first special byte or at `end`. The first 32 bytes are
/// checked without a loop, which settles member names and short values with one predictable
/// branch; longer strings (tokens) continue in a loop, with AVX2 when the CPU has it, else
/// SSE2. Other targets use 8-byte words (SWAR).
[[nodiscard]] inline const char* skip_plain(const char* p, const char* end) noexcept {
#ifdef PROFILE_AUTH_DETAIL_JSON_SSE2
  if (end - p >= 32) {
    const unsigned m = string_special_bits_16(p) | (string_special_bits_16(p + 16) << 16);
    if (m != 0) return p + std::countr_zero(m);
    return skip_plain_long(p + 32, end);
  }
  return skip_plain_sse2(p, end);  // near the end of the input
#else
  return skip_plain_swar(p, end);
#endif
}

/// Checks the UTF-8 sequence starting at p (p < end, *p >= 0x80). Returns its length (2..4) when
/// it is well formed (no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF), else
/// -k where k >= 1 is the length of the maximal ill-formed subpart (Unicode §3.9), so that a
/// replacing writer emits one U+FFFD per subpart.
[[nodiscard]] inline int utf8_sequence(const char* p, const char* end) noexcept {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  const std::ptrdiff_t avail = end - p;
  const unsigned c = u[0];
  unsigned lo = 0x80, hi = 0xBF;
  int n;
  if (c < 0xC2) return -1;  // continuation byte, or C0/C1 (always overlong)
  if (c < 0xE0) {
    n = 2;
  } else if (c < 0xF0) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;  // overlong 3-byte forms
    else if (c == 0xED)
      hi = 0x9F;  // U+D800..U+DFFF encoded directly
  } else if (c < 0xF5) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;  // overlong 4-byte forms
    else if (c == 0xF4)
      hi = 0x8F;  // above U+10FFFF
  } else {
    return -1;
  }
  if (avail < 2 || u[1] < lo || u[1] > hi) return -1;
  for (int i = 2; i < n; ++i)
    if (avail <= i || (u[i] & 0xC0) != 0x80) return -i;
  return n;
}

/// True when all of `s` is well-formed UTF-8.
[[nodiscard]] inline bool is_valid_utf8(const char* p, const char* end) noexcept {
  while (p != end) {
    if (end - p >= 8 && (load8(p) & highs) == 0) {
      p += 8;
      continue;
    }
    if (static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      continue;
    }
    const int n = utf8_sequence(p, end);
    if (n < 0) return false;
    p += n;
  }
  return true;
}

/// Value of four hex digits at p, or -1 when one is not a hex digit. p must have 4 bytes.
[[nodiscard]] constexpr long hex4(const char* p) noexcept {
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return -1;
    v = v * 16 + d;
  }
  return v;
}

/// Writes the UTF-8 encoding of code point cp (a scalar value) to out; returns its length.
inline int encode_utf8(std::uint32_t cp, char* out) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

/// Decodes one escape sequence of an already validated JSON string: p points at the backslash
/// and is advanced past the sequence (both halves of a surrogate pair); the decoded bytes go to
/// out (room for 4). Returns how many bytes were written.
inline int decode_escape(const char*& p, char* out) noexcept {
  const char c = p[1];
  p += 2;
  switch (c) {
    case 'b':
      *out = '\b';
      return 1;
    case 'f':
      *out = '\f';
      return 1;
    case 'n':
      *out = '\n';
      return 1;
    case 'r':
      *out = '\r';
      return 1;
    case 't':
      *out = '\t';
      return 1;
    case 'u':
      break;
    default:
      *out = c;
      return 1;  // '"', '\\', '/'
  }
  auto cp = static_cast<std::uint32_t>(hex4(p));
  p += 4;
  if (cp >= 0xD800 && cp <= 0xDBFF) {  // validation guaranteed the low half follows
    const auto low = static_cast<std::uint32_t>(hex4(p + 2));
    p += 6;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  return encode_utf8(cp, out);
}

/// Decodes the contents (between the quotes) of an already validated JSON string into out,
/// which has room for the decoded length. Returns one past the last byte written.
inline char* decode_string(const char* p, const char* end, char* out) noexcept {
  while (p != end) {
    const void* bs = std::memchr(p, '\\', static_cast<std::size_t>(end - p));
    const char* stop = bs == nullptr ? end : static_cast<const char*>(bs);
    const auto run = static_cast<std::size_t>(stop - p);
    if (run != 0) std::memcpy(out, p, run);
    out += run;
    p = stop;
    if (p != end) out += decode_escape(p, out);
  }
  return out;
}

/// Yields the decoded bytes of an already validated JSON string one at a time, without a
/// buffer; used to compare keys that contain escapes.
class decoded_cursor {
 public:
  decoded_cursor(const char* p, const char* end) noexcept : p_(p), end_(end) {}
  /// The next decoded byte (0..255), or -1 at the end.
  int next() noexcept {
    if (i_ < n_) return static_cast<unsigned char>(buf_[i_++]);
    if (p_ == end_) return -1;
    if (*p_ != '\\') return static_cast<unsigned char>(*p_++);
    n_ = decode_escape(p_, buf_);
    i_ = 1;
    return static_cast<unsigned char>(buf_[0]);
  }

 private:
  const char* p_;
  const char* end_;
  char buf_[4] = {};
  int n_ = 0, i_ = 0;
};

}  // namespace profile::auth::inline v0::detail::json::text

#undef PROFILE_AUTH_DETAIL_JSON_SSE2
#undef PROFILE_AUTH_DETAIL_JSON_AVX2

#endif  // PROFILE_AUTH_DETAIL_JSON_TEXT_HPP
