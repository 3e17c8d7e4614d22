// SPDX-License-Identifier: MIT
// profile-auth: reading a flat JSON object member by member, in one pass and without a tape.
#ifndef PROFILE_AUTH_DETAIL_JSON_FLAT_HPP
#define PROFILE_AUTH_DETAIL_JSON_FLAT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_parser.hpp>
#include <profile/auth/detail/json_tape.hpp>
#include <profile/auth/detail/json_text.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint32_t lengths, std::uint64_t name hashes
#include <cstring>      // std::memcmp for literals
#include <string>       // decoding into a caller's string
#include <string_view>  // views into the input

// Always inlined where the compiler's heuristics might not (see `ws` below); not in -Os builds.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define PROFILE_AUTH_DETAIL_JSON_FLAT_HOT __attribute__((always_inline))
#else
#define PROFILE_AUTH_DETAIL_JSON_FLAT_HOT
#endif

namespace profile::auth::inline v0::detail::json {

/// One member of a flat object, as read_flat_object() reports it: views into the input.
struct flat_member {
  std::string_view name;      ///< the member name (read_flat_object only takes unescaped names)
  std::string_view raw;       ///< the value's exact JSON text (a string with its quotes)
  kind type = kind::null;     ///< null, boolean, number or string; never array or object
  bool escaped = false;       ///< a string that contains backslash escapes
  std::uint32_t decoded = 0;  ///< a string's decoded length in bytes

  /// A string's bytes between the quotes, escapes still in place.
  [[nodiscard]] std::string_view contents() const noexcept { return raw.substr(1, raw.size() - 2); }
  /// A string's decoded bytes: a view of the input when there are no escapes, else decoded
  /// into `scratch` (replacing its contents) and a view of it.
  [[nodiscard]] std::string_view decode(std::string& scratch) const {
    if (!escaped) return contents();
    assign_to(scratch);
    return scratch;
  }
  /// Assigns a string's decoded bytes to out. When out must grow, its old contents are wiped
  /// before the reallocation frees them (text::assign_decoded): out may hold a token.
  void assign_to(std::string& out) const {
    const std::string_view c = contents();
    text::assign_decoded(out, c.data(), c.data() + c.size(), escaped ? decoded : c.size(), escaped);
  }
};

/// What read_flat_object() found.
enum class flat_result : unsigned char {
  done,     ///< the whole input is a flat object, valid; every member was reported
  not_flat  ///< anything else, valid or not: read it with json::parse() instead
};

/// Reads `text` as one JSON object in a single pass, without building a tape, and calls
/// `on_member(const flat_member&) -> bool` for each member in document order.
///
/// It handles the shape of nearly every token endpoint answer: an object with at most
/// tape::pairwise_key_check members, names of plain printable ASCII without escapes, and
/// scalar values (strings with any escapes and UTF-8, numbers, true, false, null). Such an
/// input gets `done` exactly when json::parse(text, lim) would accept it: strings and numbers
/// go through the same scanner, names are checked for duplicates, and every limit is applied.
/// Anything else gives `not_flat`: nested values, escaped or non-ASCII names, more members,
/// a false from on_member, and every invalid input, so that the caller falls back to
/// json::parse(), which decides with its exact error message. Members reported before a
/// `not_flat` mean nothing: the caller discards what it built from them.
template <class OnMember>
[[nodiscard]] flat_result read_flat_object(std::string_view text, const limits& lim,
                                           OnMember&& on_member) {
  constexpr flat_result no = flat_result::not_flat;
  if (text.size() > lim.max_size || text.size() > 0xFFFFFFFEu || lim.max_depth == 0) return no;
  tape::scanner sc(text, lim.max_string);
  const char* const end = text.data() + text.size();
  // Whitespace between tokens: none (compact JSON) or one space (the ", " and ": " of
  // Python's json module and others) settled inline at every use, longer runs by the loop.
  // Forced inline: the result is the address of the next load, and the compiler otherwise
  // leaves a call at some uses, on that dependency chain.
  const auto ws = [end](const char* at) PROFILE_AUTH_DETAIL_JSON_FLAT_HOT {
    if (at != end && *at == ' ') ++at;
    return at == end || static_cast<unsigned char>(*at) > ' '
               ? at
               : tape::scanner::skip_ws_loop(at, end);
  };
  const char* p = ws(text.data());
  if (p == end || *p != '{') return no;
  p = ws(p + 1);
  // Names so far, for the duplicate check, and a 64-bit set of (length, first byte) hashes:
  // a name whose hash is new needs no comparison, which is nearly every name. (Pointers and
  // lengths apart: copying a string_view just built on the stack as one 16-byte block stalls
  // store forwarding.)
  const char* name_at[tape::pairwise_key_check];
  std::size_t name_size[tape::pairwise_key_check];
  std::uint32_t count = 0;
  std::uint64_t seen = 0;
  if (p != end && *p == '}') {
    ++p;
  } else {
    for (;;) {
      if (p == end || *p != '"' || count == tape::pairwise_key_check) return no;
      const char* q = text::skip_plain(p + 1, end);
      if (q == end || *q != '"') return no;  // an escape, non-ASCII, a control byte, or the end
      const char* const name = p + 1;
      const auto size = static_cast<std::size_t>(q - name);
      if (size > lim.max_string) return no;
      const std::size_t first = size == 0 ? 0 : static_cast<unsigned char>(*name);
      const std::uint64_t bit = std::uint64_t{1} << ((size * 7u + first) & 63u);
      if ((seen & bit) != 0)
        for (std::uint32_t i = 0; i < count; ++i)
          if (name_size[i] == size && std::memcmp(name_at[i], name, size) == 0) return no;
      seen |= bit;
      name_at[count] = name;
      name_size[count] = size;
      ++count;

      flat_member m;
      p = ws(q + 1);
      if (p == end || *p != ':') return no;
      p = ws(p + 1);
      if (p == end) return no;
      const char* const v = p;
      switch (*p) {
        case '"': {
          const char* s = text::skip_plain(p + 1, end);
          std::uint32_t n = 0;
          std::uint8_t flags = 0;
          if (s != end && *s == '"' && static_cast<std::size_t>(s - p - 1) <= lim.max_string) {
            n = static_cast<std::uint32_t>(s - p - 1);
            ++s;
          } else if ((s = sc.scan_string(p, s, n, flags)) == nullptr) {
            return no;
          }
          m.type = kind::string;
          m.escaped = (flags & tape::escaped) != 0;
          m.decoded = n;
          p = s;
          break;
        }
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
          m.type = kind::number;
          if (*p != '-') {
            // A plain integer such as expires_in's 3600, or a lone 0 (Keycloak's
            // not-before-policy), is read here; anything else (a sign, a fraction, an exponent,
            // a leading zero) by scan_number() from the start, so both accept the same.
            const char* s = p + 1;
            if (*p != '0')
              while (s != end && tape::scanner::is_digit(*s)) ++s;
            if (s == end || (*s != '.' && *s != 'e' && *s != 'E' && !tape::scanner::is_digit(*s))) {
              p = s;
              break;
            }
          }
          std::uint8_t flags = 0;
          if ((p = sc.scan_number(p, flags)) == nullptr) return no;
          break;
        }
        case 't':
        case 'f':
        case 'n': {
          const char* word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
          const std::size_t len = *p == 'f' ? 5 : 4;
          if (static_cast<std::size_t>(end - p) < len || std::memcmp(p, word, len) != 0) return no;
          m.type = *p == 'n' ? kind::null : kind::boolean;
          p += len;
          break;
        }
        default:
          return no;  // an array or object, or not a value at all
      }
      m.name = std::string_view(name, size);
      m.raw = std::string_view(v, static_cast<std::size_t>(p - v));
      if (!on_member(static_cast<const flat_member&>(m))) return no;
      p = ws(p);
      if (p == end) return no;
      if (*p == ',') {
        p = ws(p + 1);
        continue;
      }
      if (*p != '}') return no;
      ++p;
      break;
    }
  }
  if (std::size_t{count} + 1 > lim.max_values) return no;  // the object and its values
  return ws(p) == end ? flat_result::done : no;
}

/// A type-erased member callback for read_flat_object: every caller shares one instantiation
/// (the token reader and the error reader, in flash-sized builds).
struct flat_callback {
  template <class F>
  explicit flat_callback(const F& f) noexcept
      : ctx(&f), fn([](const void* c, const flat_member& m) -> bool {
          return (*static_cast<const F*>(c))(m);
        }) {}
  bool operator()(const flat_member& m) const { return fn(ctx, m); }

  const void* ctx;
  bool (*fn)(const void*, const flat_member&);
};
}  // namespace profile::auth::inline v0::detail::json

#undef PROFILE_AUTH_DETAIL_JSON_FLAT_HOT

#endif  // PROFILE_AUTH_DETAIL_JSON_FLAT_HPP
