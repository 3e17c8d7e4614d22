// SPDX-License-Identifier: MIT
// profile-auth: byte helpers shared by the JSON reader and writer (scanning, UTF-8, escapes).
#ifndef PROFILE_AUTH_DETAIL_JSON_TEXT_HPP
#define PROFILE_AUTH_DETAIL_JSON_TEXT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/secret.hpp>  // secure_wipe before a caller's string grows

#include <bit>      // std::countr_zero, std::endian: first special byte of an 8-byte word
#include <cstddef>  // std::size_t, std::ptrdiff_t
#include <cstdint>  // std::uint64_t SWAR words, std::uint32_t code points
#include <cstring>  // std::memcpy: the only well-defined unaligned load
#include <string>   // assign_decoded's destination

// Vector scanning without an intrinsics header (<immintrin.h> alone costs about half a second
// of compile time in every translation unit that includes the library):
// - GCC and Clang on x86 with SSE2 (all of x86-64, clang-cl included) use the compilers' vector
//   extensions and their pmovmskb builtins: 16 bytes per step. On x86-64 (not clang-cl), an
//   AVX2 loop (64 bytes per trip) takes over long strings when the CPU has AVX2 (checked at run
//   time), or always when the build targets AVX2 (-mavx2); a function attribute alone compiles
//   it for AVX2. (An AVX-512BW loop of 128 bytes per trip measured no faster on the benchmark
//   answers, and 512-bit instructions can lower the clock of the whole core for a while.)
// - MSVC on x64 uses the SSE2 intrinsics of <emmintrin.h>, a small header.
// - Everything else (ARM, Cortex-M, ...) uses 8-byte words (SWAR).
#if (defined(__GNUC__) || defined(__clang__)) && defined(__SSE2__)
#define PROFILE_AUTH_DETAIL_JSON_SSE2 1
#define PROFILE_AUTH_DETAIL_JSON_VECTOR_EXT 1
#if defined(__x86_64__) && !defined(_MSC_VER)
#define PROFILE_AUTH_DETAIL_JSON_AVX2 1
#endif
#elif defined(_MSC_VER) && (defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#define PROFILE_AUTH_DETAIL_JSON_SSE2 1
#include <emmintrin.h>  // _mm_cmpeq_epi8, _mm_movemask_epi8 (MSVC has no vector extensions)
#endif

// skip_plain() is inlined into the readers' loops even where the compiler's heuristics would
// not: its result is the address of the next load, and a call and return on that dependency
// chain cost more than the few instructions of the inlined check. Not in -Os builds.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define PROFILE_AUTH_DETAIL_JSON_HOT __attribute__((always_inline))
#else
#define PROFILE_AUTH_DETAIL_JSON_HOT
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
// 16-byte blocks: load16() reads one, special16() flags its bytes that are '"', '\\', < 0x20 or
// >= 0x80, and bits16() gathers the flags into an int (bit i for byte i). The signed compare
// makes every byte >= 0x80 negative, hence "below" 0x20 too. With vector extensions, one
// compare also catches '"': v ^ 2 maps '"' (0x22) to 0x20 and keeps bytes below 0x20 below it,
// while the plain bytes around it (' ' 0x20, '!' 0x21, '#' 0x23) land on 0x22, 0x23 and 0x21,
// so "v ^ 2 < 0x21" is exactly "v < 0x20 or v == '"'" (signed, for bytes >= 0x80 as well).
#ifdef PROFILE_AUTH_DETAIL_JSON_VECTOR_EXT
typedef signed char bytes16 __attribute__((vector_size(16)));
typedef char bytes16_arg __attribute__((vector_size(16)));  // the builtin's parameter type
[[nodiscard]] inline bytes16 load16(const char* at) noexcept {
  bytes16 v;
  std::memcpy(&v, at, sizeof v);  // one unaligned load
  return v;
}
[[nodiscard]] inline bytes16 special16(bytes16 v) noexcept {
  return ((v ^ 2) < 0x21) | (v == '\\');
}
[[nodiscard]] inline unsigned bits16(bytes16 m) noexcept {
  return static_cast<unsigned>(__builtin_ia32_pmovmskb128((bytes16_arg)m));
}
#else
using bytes16 = __m128i;
[[nodiscard]] inline bytes16 load16(const char* at) noexcept {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
}
[[nodiscard]] inline bytes16 special16(bytes16 v) noexcept {
  return _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
}
[[nodiscard]] inline bytes16 operator|(bytes16 a, bytes16 b) noexcept { return _mm_or_si128(a, b); }
[[nodiscard]] inline unsigned bits16(bytes16 m) noexcept {
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}
#endif
/// Bit i set when byte at[i] (i < 16) is '"', '\\', < 0x20 or >= 0x80.
[[nodiscard]] inline unsigned string_special_bits_16(const char* at) noexcept {
  return bits16(special16(load16(at)));
}

/// The long part of skip_plain() with SSE2, 32 bytes per loop trip. Precondition: the 16
/// bytes before p are plain bytes of the same string (the caller checked them), so the last
/// blocks may end at `end` and overlap them.
[[nodiscard]] inline const char* skip_plain_sse2_rest(const char* p, const char* end) noexcept {
  if (end - p >= 32) {
    for (const char* const last = end - 32; p <= last; p += 32) {
      const bytes16 a = special16(load16(p)), b = special16(load16(p + 16));
      if (bits16(a | b) != 0) {
        const unsigned ma = bits16(a);
        return ma != 0 ? p + std::countr_zero(ma) : p + 16 + std::countr_zero(bits16(b));
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
// 32-byte blocks, the same three steps; the target attribute compiles them for AVX2.
typedef signed char bytes32 __attribute__((vector_size(32)));
typedef char bytes32_arg __attribute__((vector_size(32)));
/// special16() of the 32 bytes at `at`.
[[nodiscard]] __attribute__((target("avx2"))) inline bytes32 special32(const char* at) noexcept {
  bytes32 v;
  std::memcpy(&v, at, sizeof v);
  return ((v ^ 2) < 0x21) | (v == '\\');
}
[[nodiscard]] __attribute__((target("avx2"))) inline unsigned bits32(bytes32 m) noexcept {
  return static_cast<unsigned>(__builtin_ia32_pmovmskb256((bytes32_arg)m));
}

/// skip_plain_sse2_rest() with AVX2: 64 bytes per loop trip. Same precondition; the caller
/// makes sure the CPU has AVX2 (use_avx2()).
[[nodiscard]] __attribute__((target("avx2"))) inline const char* skip_plain_avx2_rest(
    const char* p, const char* end) noexcept {
  if (end - p < 32) return skip_plain_sse2_rest(p, end);
  for (; end - p >= 64; p += 64) {
    const bytes32 a = special32(p), b = special32(p + 32);
    if (bits32(a | b) != 0) {
      const unsigned ma = bits32(a);
      return ma != 0 ? p + std::countr_zero(ma) : p + 32 + std::countr_zero(bits32(b));
    }
  }
  if (p == end) return p;
  // Fewer than 64 bytes left: blocks ending at `end`, overlapping plain bytes already passed
  // (at least 32 of them are: the caller's 16 and this function's first 32 or more).
  if (end - p > 32) {
    const unsigned m = bits32(special32(p));
    if (m != 0) return p + std::countr_zero(m);
  }
  const char* const tail = end - 32;
  const unsigned m = bits32(special32(tail));
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
/// SSE2. Near the end of the input, a block at p and one ending at `end`, no loop.
/// Other targets use 8-byte words (SWAR).
[[nodiscard]] PROFILE_AUTH_DETAIL_JSON_HOT inline const char* skip_plain(const char* p,
                                                                         const char* end) noexcept {
#ifdef PROFILE_AUTH_DETAIL_JSON_SSE2
  if (end - p >= 32) {
    const unsigned m = string_special_bits_16(p) | (string_special_bits_16(p + 16) << 16);
    if (m != 0) return p + std::countr_zero(m);
    return skip_plain_long(p + 32, end);
  }
  if (const std::ptrdiff_t n = end - p; n >= 16) {
    if (const unsigned m = string_special_bits_16(p)) return p + std::countr_zero(m);
    // The block ending at `end`, overlapping the plain bytes just checked. Written from p, not
    // as end - 16: GCC's -Warray-bounds would otherwise flag that address when it inlines this
    // into a call on a string literal shorter than 16 bytes, where the branch never runs.
    const char* const tail = p + (n - 16);
    const unsigned m = string_special_bits_16(tail);
    return m != 0 ? tail + std::countr_zero(m) : end;
  }
  return skip_plain_swar(p, end);
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

/// Assigns the decoded bytes of an already validated JSON string's contents [p, end) to out:
/// `decoded` bytes, decoded when `escaped`, copied as they are otherwise. The readers decode
/// tokens into one reused scratch string, so a larger string must not make std::string
/// reallocate and free the block that still holds the previous token: when out is too small,
/// its whole buffer is wiped (and emptied) first, and the reallocation frees only zeros.
inline void assign_decoded(std::string& out, const char* p, const char* end, std::size_t decoded,
                           bool escaped) {
  if (decoded > out.capacity()) detail::secure_wipe(out);
  out.resize(decoded);  // never reallocates after the wipe above has emptied a small buffer
  if (escaped)
    decode_string(p, end, out.data());
  else if (decoded != 0)
    std::memcpy(out.data(), p, decoded);
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
#undef PROFILE_AUTH_DETAIL_JSON_VECTOR_EXT
#undef PROFILE_AUTH_DETAIL_JSON_HOT

#endif  // PROFILE_AUTH_DETAIL_JSON_TEXT_HPP
