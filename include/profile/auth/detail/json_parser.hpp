// SPDX-License-Identifier: MIT
// profile-auth: the one-pass, non-recursive, strict JSON parser that fills a tape.
#ifndef PROFILE_AUTH_DETAIL_JSON_PARSER_HPP
#define PROFILE_AUTH_DETAIL_JSON_PARSER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_tape.hpp>
#include <profile/auth/detail/json_text.hpp>
#include <profile/auth/error.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // tape indices
#include <cstring>      // std::memcmp, std::memcpy
#include <memory>       // std::unique_ptr owns the tape and the duplicate-key scratch
#include <string_view>  // input text

// Keeps the rare tape growth out of the scanning loop, whose state then stays in registers.
#if defined(__GNUC__) || defined(__clang__)
#define PROFILE_AUTH_DETAIL_JSON_COLD __attribute__((noinline, cold))
#elif defined(_MSC_VER)
#define PROFILE_AUTH_DETAIL_JSON_COLD __declspec(noinline)
#else
#define PROFILE_AUTH_DETAIL_JSON_COLD
#endif

namespace profile::auth::inline v0::detail::json::tape {

/// Why a parse failed: static text only (never input bytes, which may hold tokens).
struct parse_error {
  errc code = errc::invalid_json;
  std::size_t offset = 0;       ///< byte offset in the input
  const char* what = "";        ///< what was wrong or expected
  const char* limit = nullptr;  ///< for limit_exceeded: the limits member's name
  std::size_t limit_value = 0;  ///< ... and its value
};

/// Objects up to this many members are checked for duplicate keys pairwise (no allocation);
/// larger ones by sorting their keys, O(n log n) key comparisons.
inline constexpr std::uint32_t pairwise_key_check = 16;

/// The byte-level scanners (strings, numbers, whitespace) shared by the tape parser and by
/// json::read_flat_object(), so both accept exactly the same strings and numbers.
class scanner {
 public:
  scanner(std::string_view text, std::size_t max_string) noexcept
      : begin_(text.data()), end_(text.data() + text.size()), max_string_(max_string) {}

  [[nodiscard]] const parse_error& error() const noexcept { return err_; }

  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
  static const char* skip_ws(const char* p, const char* end) noexcept {
    // Every whitespace byte is <= ' ', so one compare settles the usual no-whitespace case
    // (small enough to be inlined everywhere; the loop is not).
    if (p == end || static_cast<unsigned char>(*p) > ' ') return p;
    return skip_ws_loop(p, end);
  }
  static const char* skip_ws_loop(const char* p, const char* end) noexcept {
    // The first test ends the loop at any byte above ' ' (every non-whitespace byte of
    // well-formed JSON), so the four exact comparisons only run on control bytes.
    while (p != end && static_cast<unsigned char>(*p) <= ' ' &&
           (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
      ++p;
    return p;
  }
  /// The general string scanner, entered at `p`, the first byte after the opening quote
  /// `open` that is not plain ASCII. Returns the position after the closing quote, or nullptr
  /// (error() set). `decoded` receives the decoded length, `flags` tape::escaped if any.
  const char* scan_string(const char* open, const char* p, std::uint32_t& decoded,
                          std::uint8_t& flags) noexcept;
  /// p is at '-' or a digit. Returns the position after the number, or nullptr (error() set);
  /// `flags` receives tape::integer for plain integers.
  const char* scan_number(const char* p, std::uint8_t& flags) noexcept;

 protected:
  bool fail(errc c, const char* at, const char* what) noexcept {
    err_.code = c;
    err_.offset = static_cast<std::size_t>(at - begin_);
    err_.what = what;
    return false;
  }
  bool fail_limit(const char* at, const char* what, const char* name, std::size_t v) noexcept {
    err_.limit = name;
    err_.limit_value = v;
    return fail(errc::limit_exceeded, at, what);
  }

  const char* begin_;
  const char* end_;
  std::size_t max_string_;
  parse_error err_;
};

/// One pass over the input that appends entries to a tape. No recursion: the chain of open
/// containers lives in the tape itself (an open container's `skip` holds its parent's index).
class parser : public scanner {
 public:
  /// `buf` (optional, `buf_cap` entries) is caller memory where the tape starts, so a small
  /// document needs no allocation; it must outlive the tape. A tape that outgrows it moves to
  /// the heap at the size estimated below.
  parser(std::string_view text, const limits& lim, entry* buf = nullptr, std::uint32_t buf_cap = 0)
      : scanner(text, lim.max_string),
        max_depth_(lim.max_depth),
        max_values_(lim.max_values),
        most_(lim.max_values < 0x7FFFFFFEu ? 2 * lim.max_values + 2 : 0xFFFFFFFEu) {
    if (buf != nullptr && buf_cap != 0) {
      data_ = buf;
      cap_ = buf_cap;
    } else {
      cap_ = estimate(0);
      mem_.reset(new entry[cap_]);
      data_ = mem_.get();
    }
  }

  /// Parses the whole input; false with error() set on the first problem.
  bool run();
  /// The finished tape (after a successful run()): in the caller's buffer, or in heap memory
  /// that release() hands over (null when the caller's buffer sufficed).
  [[nodiscard]] const entry* data() const noexcept { return data_; }
  std::unique_ptr<entry[]> release() noexcept { return std::move(mem_); }
  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }

 private:
  [[nodiscard]] std::uint32_t off(const char* p) const noexcept {
    return static_cast<std::uint32_t>(p - begin_);
  }
  // The heap tape's first capacity: one allocation for typical documents (a token response
  // needs ~20 entries; one entry per 48 input bytes covers that with room to spare), and at
  // least twice `at_least`. Never more than the limits allow: max_values values plus as many
  // keys.
  [[nodiscard]] std::uint32_t estimate(std::uint32_t at_least) const noexcept {
    std::size_t want = static_cast<std::size_t>(end_ - begin_) / 48 + 16;
    if (want < 2 * std::size_t{at_least}) want = 2 * std::size_t{at_least};
    return static_cast<std::uint32_t>(want < most_ ? want : most_);
  }
  // Moves the tape to a larger heap block (rare: see estimate()); dense documents grow
  // geometrically. Bounded: every entry consumes at least one input byte, and the input is
  // below 4 GiB.
  PROFILE_AUTH_DETAIL_JSON_COLD entry* grow(std::uint32_t used) {
    std::uint32_t cap = mem_ == nullptr ? estimate(cap_) : 0;
    if (cap <= cap_) cap = cap_ > 0x7FFFFFFFu ? 0xFFFFFFFFu : cap_ * 2;
    std::unique_ptr<entry[]> m(new entry[cap]);
    std::memcpy(static_cast<void*>(m.get()), data_, used * sizeof(entry));
    mem_ = std::move(m);
    data_ = mem_.get();
    cap_ = cap;
    return data_;
  }
  bool unique_keys(const entry* t, std::uint32_t obj);

  std::size_t max_depth_, max_values_;
  std::size_t most_;              // tape entries the limits allow
  std::unique_ptr<entry[]> mem_;  // the tape when it is not in the caller's buffer
  entry* data_ = nullptr;         // the tape: mem_ or the caller's buffer
  std::uint32_t size_ = 0, cap_ = 0;
  std::unique_ptr<std::uint32_t[]> sort_scratch_;  // only for objects above pairwise_key_check
  std::uint32_t sort_cap_ = 0;
};

inline const char* scanner::scan_string(const char* const open, const char* p,
                                        std::uint32_t& decoded, std::uint8_t& flags) noexcept {
  std::size_t shrink = 0;  // raw bytes minus decoded bytes, over all escapes
  for (;; p = text::skip_plain(p, end_)) {
    if (p == end_) return fail(errc::invalid_json, open, "unterminated string"), nullptr;
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') break;
    if (c == '\\') {
      flags = escaped;
      if (end_ - p < 2) return fail(errc::invalid_json, open, "unterminated string"), nullptr;
      switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          p += 2;
          shrink += 1;
          continue;
        case 'u':
          break;
        default:
          return fail(errc::invalid_json, p,
                      "invalid escape (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"),
                 nullptr;
      }
      const long cp = end_ - p >= 6 ? text::hex4(p + 2) : -1;
      if (cp < 0)
        return fail(errc::invalid_json, p, "\\u must be followed by 4 hex digits"), nullptr;
      if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(errc::invalid_utf8, p,
                    "lone low surrogate escape (no high surrogate before it)"),
               nullptr;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end_ - p < 8 || p[6] != '\\' || p[7] != 'u')
          return fail(errc::invalid_utf8, p,
                      "lone high surrogate escape (not followed by a \\u low surrogate)"),
                 nullptr;
        const long lo = end_ - p >= 12 ? text::hex4(p + 8) : -1;
        if (lo < 0)
          return fail(errc::invalid_json, p + 6, "\\u must be followed by 4 hex digits"), nullptr;
        if (lo < 0xDC00 || lo > 0xDFFF)
          return fail(errc::invalid_utf8, p,
                      "lone high surrogate escape (the next escape is not a low surrogate)"),
                 nullptr;
        p += 12;
        shrink += 8;  // 12 bytes of escapes become one 4-byte UTF-8 sequence
      } else {
        p += 6;
        shrink += cp < 0x80 ? 5 : cp < 0x800 ? 4 : 3;
      }
      continue;
    }
    if (c < 0x20)
      return fail(errc::invalid_json, p, "unescaped control character in a string"), nullptr;
    do {  // a non-ASCII stretch: validate it sequence by sequence
      const int n = text::utf8_sequence(p, end_);
      if (n < 0) return fail(errc::invalid_utf8, p, "invalid UTF-8 sequence in a string"), nullptr;
      p += n;
    } while (p != end_ && static_cast<unsigned char>(*p) >= 0x80);
  }
  const std::size_t n = static_cast<std::size_t>(p - open - 1) - shrink;
  if (n > max_string_)
    return fail_limit(open, "a string is too long", "max_string", max_string_), nullptr;
  decoded = static_cast<std::uint32_t>(n);
  return p + 1;
}

inline const char* scanner::scan_number(const char* p, std::uint8_t& flags) noexcept {
  if (*p == '-') ++p;
  if (p == end_ || !is_digit(*p))
    return fail(errc::invalid_json, p, "expected a digit after '-'"), nullptr;
  if (*p == '0') {
    if (++p != end_ && is_digit(*p))
      return fail(errc::invalid_json, p - 1, "a number must not have leading zeros"), nullptr;
  } else {
    while (++p != end_ && is_digit(*p)) {
    }
  }
  flags = integer;
  if (p != end_ && *p == '.') {
    flags = 0;
    if (++p == end_ || !is_digit(*p))
      return fail(errc::invalid_json, p, "expected a digit after the decimal point"), nullptr;
    while (++p != end_ && is_digit(*p)) {
    }
  }
  if (p != end_ && (*p == 'e' || *p == 'E')) {
    flags = 0;
    if (++p != end_ && (*p == '+' || *p == '-')) ++p;
    if (p == end_ || !is_digit(*p))
      return fail(errc::invalid_json, p, "expected a digit in the exponent"), nullptr;
    while (++p != end_ && is_digit(*p)) {
    }
  }
  return p;
}

inline bool parser::unique_keys(const entry* const t, std::uint32_t obj) {
  const std::uint32_t n = t[obj].aux;
  constexpr const char* dup = "duplicate member name in an object (names must be unique)";
  std::uint32_t k = obj + 1;
  if (n <= pairwise_key_check) {
    std::uint32_t keys[pairwise_key_check];
    // A 64-bit set of (decoded length, first decoded byte) hashes of the keys so far: keys
    // whose hash is new need no byte comparison at all, which is nearly every key in practice.
    std::uint64_t seen = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::string_view c = contents(begin_, t[k]);
      int first = c.empty() ? 0 : static_cast<unsigned char>(c[0]);
      if (first == '\\') first = text::decoded_cursor(c.data(), c.data() + c.size()).next();
      const std::uint64_t bit = std::uint64_t{1}
                                << ((t[k].aux * 7u + static_cast<unsigned>(first)) & 63u);
      if ((seen & bit) != 0) {
        for (std::uint32_t j = 0; j < i; ++j)
          if (keys_equal(begin_, t[keys[j]], t[k]))
            return fail(errc::invalid_json, begin_ + t[k].pos, dup);
      }
      seen |= bit;
      keys[i] = k;
      k = k + 1 + t[k + 1].skip;
    }
    return true;
  }
  // Larger objects: sort the key indices by decoded key, then compare neighbours. Heapsort:
  // O(n log n) key comparisons whatever the input, no recursion, little code.
  if (sort_cap_ < n) {
    sort_scratch_.reset(new std::uint32_t[n]);
    sort_cap_ = n;
  }
  std::uint32_t* const a = sort_scratch_.get();
  for (std::uint32_t i = 0; i < n; ++i, k = k + 1 + t[k + 1].skip) a[i] = k;
  const char* const text = begin_;
  const auto less = [&](std::uint32_t x, std::uint32_t y) {
    const int c = string_compare(text, t[x], t[y]);
    return c < 0 || (c == 0 && x < y);  // ties by position: a strict total order
  };
  const auto sift = [&](std::uint32_t root, std::uint32_t end) {
    for (std::uint32_t child; (child = 2 * root + 1) < end; root = child) {
      if (child + 1 < end && less(a[child], a[child + 1])) ++child;
      if (!less(a[root], a[child])) return;
      const std::uint32_t tmp = a[root];
      a[root] = a[child];
      a[child] = tmp;
    }
  };
  for (std::uint32_t i = n / 2; i-- > 0;) sift(i, n);
  for (std::uint32_t end = n; end-- > 1;) {
    const std::uint32_t tmp = a[0];
    a[0] = a[end];
    a[end] = tmp;
    sift(0, end);
  }
  std::uint32_t found = none;  // the earliest repeated key, so the report is deterministic
  for (std::uint32_t i = 1; i < n; ++i)
    if (a[i] < found && keys_equal(text, t[a[i - 1]], t[a[i]])) found = a[i];
  if (found != none) return fail(errc::invalid_json, begin_ + t[found].pos, dup);
  return true;
}

inline bool parser::run() {
  // The hot state lives in locals: stores into the tape could otherwise alias members.
  const char* const end = end_;
  const std::size_t max_values = max_values_, max_string = max_string_;
  entry* t = data_;
  std::uint32_t size = 0, cap = cap_;
  const char* p = begin_;
  std::uint32_t cur = none;  // innermost open container
  std::size_t depth = 0;
  std::size_t values = 0;
  bool is_key = false;  // the string being scanned is a member name

  auto push = [&](const entry& e) {
    if (size == cap) {
      t = grow(size);
      cap = cap_;
    }
    t[size++] = e;
  };
  // A string at p: the common case (plain ASCII up to the closing quote) here, the rest in
  // scan_string(). Returns the position after the closing quote, or nullptr.
  auto string = [&](const char* s) -> const char* {
    const char* q = text::skip_plain(s + 1, end);
    std::uint32_t n = 0;
    std::uint8_t flags = 0;
    if (q != end && *q == '"' && static_cast<std::size_t>(q - s - 1) <= max_string) {
      n = static_cast<std::uint32_t>(q - s - 1);
      ++q;
    } else if ((q = scan_string(s, q, n, flags)) == nullptr) {
      return nullptr;
    }
    push({off(s), static_cast<std::uint32_t>(q - s), 1, n, kind::string, flags});
    return q;
  };
  // p is at the closing bracket of container `cur`.
  auto close = [&]() -> bool {
    entry& c = t[cur];
    const std::uint32_t parent = c.skip;
    c.skip = size - cur;
    c.len = off(p) + 1 - c.pos;
    ++p;
    --depth;
    if (c.type == kind::object && c.aux > 1 && !unique_keys(t, cur)) return false;
    cur = parent;
    return true;
  };

value:
  p = skip_ws(p, end);
  if (p == end)
    return fail(errc::invalid_json, p,
                cur == none ? "expected a JSON value, found end of input"
                            : "unexpected end of input: expected a value");
  if (++values > max_values) return fail_limit(p, "too many values", "max_values", max_values);
  switch (*p) {
    case '"':
      is_key = false;
      goto scan_str;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
      std::uint8_t flags = 0;
      const char* q = scan_number(p, flags);
      if (q == nullptr) return false;
      push({off(p), static_cast<std::uint32_t>(q - p), 1, 0, kind::number, flags});
      p = q;
      goto after_value;
    }
    case 't':
    case 'f':
    case 'n': {
      const char* word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
      const std::size_t len = *p == 'f' ? 5 : 4;
      if (static_cast<std::size_t>(end - p) < len || std::memcmp(p, word, len) != 0)
        return fail(errc::invalid_json, p, "invalid literal (expected true, false or null)");
      push({off(p), static_cast<std::uint32_t>(len), 1, *p == 't' ? 1u : 0u,
            *p == 'n' ? kind::null : kind::boolean, 0});
      p += len;
      goto after_value;
    }
    case '[':
    case '{': {
      if (++depth > max_depth_)
        return fail_limit(p, "arrays/objects nested too deeply", "max_depth", max_depth_);
      const bool is_array = *p == '[';
      push({off(p), 0, cur, 0, is_array ? kind::array : kind::object, 0});
      cur = size - 1;
      p = skip_ws(p + 1, end);
      if (p != end && *p == (is_array ? ']' : '}')) {
        if (!close()) return false;
        goto after_value;
      }
      if (is_array) goto value;
      goto key;
    }
    default:
      if (p == begin_ && end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        return fail(errc::invalid_json, p, "a UTF-8 byte order mark is not allowed (strip it)");
      return fail(errc::invalid_json, p,
                  "expected a value (object, array, string, number, true, false or null)");
  }

after_value:
  if (cur == none) goto done;
  ++t[cur].aux;
  p = skip_ws(p, end);
  {
    const bool in_array = t[cur].type == kind::array;
    if (p == end)
      return fail(errc::invalid_json, p,
                  in_array ? "unexpected end of input: expected ',' or ']'"
                           : "unexpected end of input: expected ',' or '}'");
    if (*p == ',') {
      ++p;
      if (in_array) goto value;
      goto key;
    }
    if (*p == (in_array ? ']' : '}')) {
      if (!close()) return false;
      goto after_value;
    }
    return fail(errc::invalid_json, p,
                in_array ? "expected ',' or ']' after an array element"
                         : "expected ',' or '}' after an object member");
  }

key:
  p = skip_ws(p, end);
  if (p == end || *p != '"')
    return fail(errc::invalid_json, p, "expected a member name (a string in double quotes)");
  is_key = true;
  // falls through to scan_str

scan_str:  // keys and values share this one call, so the scan loop is inlined once
  if ((p = string(p)) == nullptr) return false;
  if (!is_key) goto after_value;
  p = skip_ws(p, end);
  if (p == end || *p != ':') return fail(errc::invalid_json, p, "expected ':' after a member name");
  ++p;
  goto value;

done:
  size_ = size;
  p = skip_ws(p, end);
  if (p != end)
    return fail(errc::invalid_json, p,
                "unexpected bytes after the JSON value (only one is allowed)");
  return true;
}

}  // namespace profile::auth::inline v0::detail::json::tape

#undef PROFILE_AUTH_DETAIL_JSON_COLD

#endif  // PROFILE_AUTH_DETAIL_JSON_PARSER_HPP
