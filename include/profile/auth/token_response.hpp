// SPDX-License-Identifier: MIT
// profile-auth: parsing token endpoint answers (RFC 6749 §5.1/§5.2) with real servers' quirks.
#ifndef PROFILE_AUTH_TOKEN_RESPONSE_HPP
#define PROFILE_AUTH_TOKEN_RESPONSE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_limits.hpp>  // json::limits in token_parse_options
#include <profile/auth/detail/redact.hpp>       // credential_list in token_parse_options
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>

#include <chrono>       // lifetimes
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t saturating arithmetic
#include <optional>     // expires_in, wall clock
#include <string_view>  // member names

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>         // the general (tape) reader
#include <profile/auth/detail/json_flat.hpp>    // the one-pass reader of flat answers
#include <profile/auth/detail/json_writer.hpp>  // form values kept as JSON strings in extra
#include <profile/auth/detail/sort_names.hpp>   // repeated form parameters
#include <profile/auth/oauth_error.hpp>         // error answers, response context, body sniffing
#include <profile/auth/url.hpp>                 // form bodies (parse_query)

#include <cstring>  // std::memcpy into the extra-members buffer and for member names' words
#include <string>   // owned fields, messages
#include <utility>  // std::move
#include <vector>   // names of form parameters
#endif

namespace profile::auth::inline v0 {

/// How token responses are read.
///
/// `expires_in` (RFC 6749 §5.1, "RECOMMENDED") is interpreted as follows; the effective
/// lifetime L gives `token::expires_at = received_at + L`:
///
/// | `expires_in` as sent                      | L                    | `token::expires_in` |
/// |-------------------------------------------|----------------------|---------------------|
/// | missing or `null`                         | assumed_lifetime     | nullopt             |
/// | positive integer N, number or string "N"  | min(N, max_lifetime) | L                   |
/// | fraction / exponent (3599.9, "3.6e3")     | floor, then as above | L                   |
/// | above max_lifetime, or beyond any integer | max_lifetime         | L                   |
/// | 0, or positive below one second (0.5)     | assumed_lifetime     | nullopt             |
/// | negative                                  | assumed_lifetime     | nullopt             |
/// | non-numeric string, bool, array, object   | assumed_lifetime     | nullopt             |
///
/// Zero and negative values are treated as unknown rather than "already expired": honouring
/// them would make a cache fetch a token on every call and hammer the endpoint, while a token
/// that really is dead is caught by the 401-retry of m2m_client::send(). With
/// `strict_expires_in` the last three rows are errc::malformed_response instead.
struct token_parse_options {
  detail::json::limits limits{};                   ///< body size, depth, string length bounds
  std::chrono::seconds assumed_lifetime{3600};     ///< L when expires_in is missing or unusable
  std::chrono::seconds max_lifetime{365 * 86400};  ///< clamp for absurd values (one year)
  bool strict_expires_in = false;                  ///< present-but-unusable expires_in is an error
  /// Wall-clock "now" for `Retry-After: <HTTP-date>` on error answers (see
  /// response_error_options); without it such a date is ignored.
  std::optional<std::chrono::system_clock::time_point> wall_clock_now;
  std::string_view endpoint_name = "token endpoint";  ///< used in messages
  /// The credentials the request carried (client secret or Basic credential, code, verifier,
  /// refresh token, device code …; see detail::credential_list, which must outlive the call),
  /// or null. Every error has each of them removed, in every form a server may quote it in,
  /// before the caps cut the server's text and again from every finished field. The drivers
  /// always set it.
  const detail::credential_list* redact = nullptr;
};

namespace detail {

/// The reading of an `expires_in` value.
struct lifetime_reading {
  enum kind_t : unsigned char { positive, zero, negative, invalid } kind = invalid;
  std::uint64_t seconds = 0;  ///< floor of the value, saturated at lifetime_saturation
};

/// Far above any sensible lifetime, far below overflow of nanoseconds in a time_point.
inline constexpr std::uint64_t lifetime_saturation = 100ull * 366 * 86400;

/// Reads a decimal number in JSON number syntax (leading zeros tolerated, as strings such as
/// "0300" occur): `-? digits ( . digits )? ( [eE] [+-]? digits )?`. Exact: no floating point.
[[nodiscard]] constexpr lifetime_reading read_lifetime(std::string_view s) noexcept {
  lifetime_reading r;
  if (!s.empty() && s.size() <= 9 && s[0] >= '1' && s[0] <= '9') {  // fast path: "3600"
    std::uint64_t v = 0;
    std::size_t k = 0;
    for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) v = v * 10 + (s[k] - '0');
    if (k == s.size()) {
      r.kind = lifetime_reading::positive;
      r.seconds = v;
      return r;
    }
  }
  std::size_t i = 0;
  const bool neg = i < s.size() && s[i] == '-';
  if (neg) ++i;
  const std::size_t ib = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const std::size_t ie = i;
  std::size_t fb = i, fe = i;
  if (i < s.size() && s[i] == '.') {
    fb = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    fe = i;
    if (fe == fb) return r;
  }
  if (ie == ib) return r;
  std::int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool eneg = i < s.size() && (s[i] == '-' || s[i] == '+') && s[i++] == '-';
    const std::size_t eb = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
      if (exp < 1000000) exp = exp * 10 + (s[i] - '0');
    if (i == eb) return r;
    if (eneg) exp = -exp;
  }
  if (i != s.size()) return r;
  // Significant digits: integer then fraction digits; value = digits * 10^(exp - fraction).
  const auto digit = [&](std::size_t k) {
    return k < ie - ib ? s[ib + k] : s[fb + (k - (ie - ib))];
  };
  const std::size_t count = (ie - ib) + (fe - fb);
  bool all_zero = true;
  for (std::size_t k = 0; k < count; ++k) all_zero = all_zero && digit(k) == '0';
  if (all_zero) {
    r.kind = lifetime_reading::zero;
    return r;
  }
  if (neg) {
    r.kind = lifetime_reading::negative;
    return r;
  }
  const std::int64_t shift = exp - static_cast<std::int64_t>(fe - fb);
  const std::int64_t whole = static_cast<std::int64_t>(count) + shift;  // digits before point
  std::uint64_t v = 0;
  for (std::int64_t k = 0; k < whole; ++k) {
    const unsigned d = k < static_cast<std::int64_t>(count)
                           ? static_cast<unsigned>(digit(static_cast<std::size_t>(k)) - '0')
                           : 0u;
    v = v * 10 + d;
    if (v >= lifetime_saturation) {
      v = lifetime_saturation;
      break;
    }
  }
  r.seconds = v;
  r.kind = v == 0 ? lifetime_reading::zero : lifetime_reading::positive;
  return r;
}

/// The effective lifetime L of token_parse_options' table: min(N, max) for a positive reading,
/// else `assumed` (pass a default lifetime_reading when expires_in is missing or null); both
/// settings clamped to [0, lifetime_saturation]. Shared by every token reader.
[[nodiscard]] constexpr std::chrono::seconds effective_lifetime(const lifetime_reading& sent,
                                                                std::chrono::seconds assumed,
                                                                std::chrono::seconds max) noexcept {
  const auto clamp = [](std::chrono::seconds s) {
    const auto hard = std::chrono::seconds(static_cast<std::int64_t>(lifetime_saturation));
    return s < std::chrono::seconds(0) ? std::chrono::seconds(0) : (s > hard ? hard : s);
  };
  if (sent.kind != lifetime_reading::positive) return clamp(assumed);
  const auto n = std::chrono::seconds(static_cast<std::int64_t>(sent.seconds));
  return n < clamp(max) ? n : clamp(max);
}

/// Collects members while parsing into a token that lives elsewhere (so the fast path can
/// build it in the result it returns, with nothing to move); the parts common to JSON and
/// form bodies.
struct token_builder {
  explicit token_builder(token& into) noexcept : t(into) {}
  token& t;
  std::optional<lifetime_reading> lifetime;  ///< nullopt: missing or null
  bool has_type = false;
};

/// What read_flat_json_token() found.
enum class flat_token : unsigned char {
  built,          ///< the token's members are in the builder
  carries_error,  ///< a flat answer with a non-empty `error` member
  not_flat        ///< use the general path
};

/// The fast path of parse_json_token for the usual flat answer (see json::read_flat_object):
/// one pass over the body, no tape, the token filled in as the members go by. not_flat when
/// the body is not such an answer or has any problem: the general path then reads it again
/// and reports the problem exactly as it always does, so both paths give the same result.
[[nodiscard]] flat_token read_flat_json_token(const http_response& r, const token_parse_options& o,
                                              token_builder& b);

/// Reads a JSON object body with the general reader (a tape): any shape, exact errors.
[[nodiscard]] result<token> parse_json_token_general(const http_response& r, time_point received_at,
                                                     const token_parse_options& o);

/// Reads a JSON object body: the fast path when it applies, else the general one.
[[nodiscard]] result<token> parse_json_token(const http_response& r, time_point received_at,
                                             const token_parse_options& o);

}  // namespace detail

/// Parses a token endpoint answer (RFC 6749 §5.1 success, §5.2 error), taking `received_at`
/// (when the answer arrived, monotonic) as the start of the token's life.
///
/// Accepted quirks: a JSON object, or a form-encoded/text/plain form body (GitHub); JSON
/// labelled text/plain; `expires_in` as number or numeric string (PayPal), with the meanings
/// in token_parse_options; a missing `token_type` taken as Bearer (LinkedIn, VK); `scope` as a
/// string or an array of strings joined by single spaces (Twitch). Kept: `refresh_token`,
/// `id_token`, `scope`, and every other member in `token::extra` as (name, raw JSON text) in
/// document order (form values become JSON strings; see extra_members). `null` counts as
/// absent.
///
/// Errors:
/// - non-2xx, or a 2xx whose body carries a non-empty `error`: see oauth_error_from_response
///   (the OAuth errc, or errc::http_error for answers without an OAuth body);
/// - errc::unsupported_token_type: an explicit token_type other than Bearer (case-insensitive);
/// - errc::malformed_response: missing or empty access_token; access_token, refresh_token,
///   id_token or token_type not a string; a refresh_token with a control byte (below 0x20, or
///   0x7F); JSON that is not an object; an empty or HTML body;
///   a form body that does not decode or repeats a parameter; with strict_expires_in, an
///   unusable expires_in;
/// - errc::invalid_json / invalid_utf8 / limit_exceeded: the JSON parser's verdict.
/// Every error keeps the HTTP status and request id; no message contains a token or the body.
[[nodiscard]] result<token> parse_token_response(const http_response& resp, time_point received_at,
                                                 const token_parse_options& opts);

/// parse_token_response with default token_parse_options.
[[nodiscard]] inline result<token> parse_token_response(const http_response& resp,
                                                        time_point received_at) {
  return parse_token_response(resp, received_at, token_parse_options{});
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

/// The W-byte word at p (any alignment).
template <class W>
inline W word_at(const char* p) noexcept {
  W w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// Whether the N-1 bytes at p, each ORed with the byte of `fold` at its place, spell `lit`,
/// looking at two W-byte words: the first and the last (they overlap unless the length is
/// twice W). The literal's words fold to constants.
template <class W, std::size_t N>
inline bool same_ends(const char* p, const char (&lit)[N], W fold = 0) noexcept {
  constexpr std::size_t last = N - 1 - sizeof(W);
  return (((word_at<W>(p) | fold) ^ word_at<W>(lit)) |
          ((word_at<W>(p + last) | fold) ^ word_at<W>(lit + last))) == 0;
}

/// Whether the N-1 bytes at p spell `lit`, compared with fixed-size loads rather than a call to
/// memcmp, in words of the widest size that fits. Every load fills its whole variable: a 5-byte
/// memcpy into a zeroed 8-byte word is two stores and an 8-byte load, which the CPU cannot
/// forward from the stores (a stall of a dozen cycles per compare).
template <std::size_t N>
inline bool spells(const char* p, const char (&lit)[N]) noexcept {
  static_assert(N >= 2 && N - 1 <= 16, "names of 1 to 16 bytes");
  if constexpr (N - 1 >= 8)
    return same_ends<std::uint64_t>(p, lit);
  else if constexpr (N - 1 >= 4)
    return same_ends<std::uint32_t>(p, lit);
  else if constexpr (N - 1 >= 2)
    return same_ends<std::uint16_t>(p, lit);
  else
    return *p == *lit;
}

/// Whether s is exactly "Bearer" (case matters), without a call to memcmp.
PROFILE_AUTH_INLINE bool is_bearer(std::string_view s) noexcept {
  return s.size() == 6 && spells(s.data(), "Bearer");
}

/// Whether s names the Bearer scheme in any case (token_type is case-insensitive, RFC 6749
/// §5.1). Each byte ORed with 0x20 is compared with "bearer": exact, because a byte ORed with
/// 0x20 equals a lower-case letter only when it is that letter or its capital. One test covers
/// every spelling, the usual "Bearer" included.
PROFILE_AUTH_INLINE bool names_bearer(std::string_view s) noexcept {
  return s.size() == 6 && same_ends<std::uint32_t>(s.data(), "bearer", 0x20202020u);
}

PROFILE_AUTH_INLINE unexpected<error> token_failure(const http_response& r,
                                                    const token_parse_options& o, errc code,
                                                    std::string_view problem,
                                                    std::string_view advice) {
  error e;
  add_response_context(e, r, o.wall_clock_now, o.redact);
  e.code = code;
  if constexpr (terse_errors) {  // the callers' problem and advice are not even built
    (void)problem;
    (void)advice;
    e.message = code == errc::unsupported_token_type ? "not a Bearer token"
                : code == errc::limit_exceeded       ? "token answer too large"
                                                     : "bad token answer";
    return unexpected<error>(std::move(e));
  }
  e.message = "the ";
  e.message += o.endpoint_name;
  e.message += " answered " + std::to_string(r.status) + " ";
  e.message += problem;
  e.message += ": ";
  e.message += advice;
  append_context(e.message, e);
  return unexpected<error>(std::move(e));
}

/// Completes b.t in place: type check, lifetime, required access_token. nullopt when it is a
/// usable token, else the error.
PROFILE_AUTH_INLINE std::optional<unexpected<error>> complete_token(token_builder& b,
                                                                    const http_response& r,
                                                                    time_point received_at,
                                                                    const token_parse_options& o) {
  if (b.t.access_token.empty())
    return token_failure(r, o, errc::malformed_response, "without an access_token",
                         "the server's answer is not a token response; check the endpoint URL "
                         "and grant parameters");
  if (!b.has_type || b.t.token_type.empty()) {
    // LinkedIn, VK and others omit it; RFC 6750 is the norm (a new token already says so)
    if (!is_bearer(b.t.token_type)) b.t.token_type = "Bearer";
  } else if (!names_bearer(b.t.token_type)) {
    return token_failure(
        r, o, errc::unsupported_token_type,
        terse_errors ? std::string()
                     : "with token_type '" + quote_token(b.t.token_type, 32, o.redact) + "'",
        "this library sends Bearer tokens only (RFC 6750); configure the "
        "client on the server to issue Bearer tokens (not DPoP, MAC or N_A)");
  }
  // RFC 6749 §A.17: a refresh token is VSCHARs. A control byte (CR, LF, NUL …) could never be
  // sent back, so the session would die at its first refresh: refuse it now.
  for (const char c : b.t.refresh_token.reveal())
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return token_failure(r, o, errc::malformed_response,
                           "with a refresh_token that holds a control byte",
                           "the token could never be sent back; check the server (or a proxy "
                           "that altered the answer)");
  const std::chrono::seconds life = effective_lifetime(b.lifetime.value_or(lifetime_reading{}),
                                                       o.assumed_lifetime, o.max_lifetime);
  if (b.lifetime && b.lifetime->kind == lifetime_reading::positive) {
    b.t.expires_in = life;
  } else if (b.lifetime && o.strict_expires_in) {
    return token_failure(r, o, errc::malformed_response,
                         "with an expires_in that is zero, negative or not a number",
                         "fix the server, or leave token_parse_options::strict_expires_in off "
                         "to use assumed_lifetime instead");
  }
  b.t.received_at = received_at;
  b.t.expires_at = received_at + life;
  return std::nullopt;
}

/// complete_token(), then the token moved out.
PROFILE_AUTH_INLINE result<token> finish_token(token_builder& b, const http_response& r,
                                               time_point received_at,
                                               const token_parse_options& o) {
  if (auto e = complete_token(b, r, received_at, o)) return std::move(*e);
  return std::move(b.t);
}

/// Writes into a token's extra_members (its layout stays private to token.hpp).
struct extra_access {
  static constexpr std::size_t header = extra_members::header;
  /// Room for `bytes` more bytes (headers included) holding `members` members.
  static char* extend(extra_members& e, std::size_t bytes, std::size_t members) {
    return e.extend(bytes, members);
  }
  /// Writes the header of a member at p (in the room extend() made) and returns where its
  /// name goes; the raw text follows the name.
  static char* put_header(char* p, std::size_t name_size, std::size_t raw_size) noexcept {
    return extra_members::put(p, name_size, raw_size);
  }
  /// Writes one member at p (in the room extend() made); returns the position after it.
  static char* put(char* p, std::string_view name, std::string_view raw) noexcept {
    char* q = extra_members::put(p, name.size(), raw.size());
    if (!name.empty()) std::memcpy(q, name.data(), name.size());
    if (!raw.empty()) std::memcpy(q + name.size(), raw.data(), raw.size());
    return q + name.size() + raw.size();
  }
};

/// The members of a JSON token response that parse_token_response interprets.
enum class token_member : unsigned char {
  other,
  access_token,
  refresh_token,
  id_token,
  token_type,
  expires_in,
  scope,
  error
};

/// Which member the decoded name `s` is. One switch on the length and first byte, then one
/// fixed-size compare, instead of a chain of string comparisons.
PROFILE_AUTH_INLINE token_member classify_member(std::string_view s) noexcept {
  const char* p = s.data();
  switch (s.size()) {
    case 5:
      return p[0] == 's' && spells(p, "scope")   ? token_member::scope
             : p[0] == 'e' && spells(p, "error") ? token_member::error
                                                 : token_member::other;
    case 8:
      return spells(p, "id_token") ? token_member::id_token : token_member::other;
    case 10:
      return p[0] == 't' && spells(p, "token_type")   ? token_member::token_type
             : p[0] == 'e' && spells(p, "expires_in") ? token_member::expires_in
                                                      : token_member::other;
    case 12:
      return spells(p, "access_token") ? token_member::access_token : token_member::other;
    case 13:
      return spells(p, "refresh_token") ? token_member::refresh_token : token_member::other;
    default:
      return token_member::other;
  }
}
/// classify_member() of a tape key, compared decoded ("access\u005ftoken" counts).
PROFILE_AUTH_INLINE token_member classify_member(const json::value& k) noexcept {
  const std::size_t n = k.string_size();
  if (n < 5 || n > 13) return token_member::other;
  if (!k.has_escapes()) return classify_member(k.raw().substr(1, n));
  char buf[13];
  (void)k.copy_string_to(buf, sizeof buf);
  return classify_member(std::string_view(buf, n));
}

/// Decoded tokens that had escapes pass through here (get()); wiped when done, if used.
class wiped_string {
 public:
  wiped_string() = default;
  wiped_string(const wiped_string&) = delete;
  wiped_string& operator=(const wiped_string&) = delete;
  ~wiped_string() {
    if (used_) secure_wipe(s_);
  }
  std::string& get() noexcept {
    used_ = true;
    return s_;
  }

 private:
  std::string s_;
  bool used_ = false;
};

/// Collects the members kept in token::extra and writes them in one go, so that the buffer is
/// sized once for the usual handful of members.
class extra_collector {
 public:
  explicit extra_collector(extra_members& out) noexcept : out_(out) {}
  void add(json::member_iterator it) {
    if (n_ == batch) flush();
    pending_[n_++] = it;
    const json::member m = *it;
    bytes_ += extra_access::header + m.key.string_size() + m.value.raw().size();
  }
  /// Writes the pending members (call once more at the end).
  void flush() {
    if (n_ == 0) return;
    char* p = extra_access::extend(out_, bytes_, n_);  // grows geometrically batch by batch
    for (std::size_t i = 0; i < n_; ++i) {
      const json::member m = *pending_[i];
      const json::value& k = m.key;
      const std::string_view raw = m.value.raw();
      char* name = extra_access::put_header(p, k.string_size(), raw.size());
      (void)k.copy_string_to(name, k.string_size());
      std::memcpy(name + k.string_size(), raw.data(), raw.size());
      p = name + k.string_size() + raw.size();
    }
    n_ = 0;
    bytes_ = 0;
  }

 private:
  static constexpr std::size_t batch = 4;
  extra_members& out_;
  json::member_iterator pending_[batch];
  std::size_t n_ = 0, bytes_ = 0;
};

/// Tape entries parse_json_token_general keeps on the stack (320 bytes): an answer of up to 7
/// members (the Profile API's has 6) needs no allocation for the tape; larger ones move it to
/// the heap. Small, because microcontroller stacks are (and -Os builds use this path).
inline constexpr std::size_t token_tape_entries = 16;

PROFILE_AUTH_INLINE flat_token read_flat_json_token(const http_response& r,
                                                    const token_parse_options& o,
                                                    token_builder& b) {
  struct kept {  // a member for token::extra; trivial, so the array below is not zeroed
    const char* name;
    std::size_t name_size;
    const char* raw;
    std::size_t raw_size;
  };
  kept extra[json::tape::pairwise_key_check];  // read_flat_object takes no more members
  std::size_t n_extra = 0, extra_bytes = 0;
  bool carries_error = false;
  std::string scratch;
  wiped_string secret_buffer;
  const auto on_member = [&](const json::flat_member& m) -> bool {
    const token_member which = classify_member(m.name);
    switch (which) {
      case token_member::access_token:
      case token_member::refresh_token:
      case token_member::id_token: {
        const bool access = which == token_member::access_token;
        if (m.type == json::kind::null && !access) return true;
        if (m.type != json::kind::string) return false;  // an error: the general path says it
        secret& dst = access                                 ? b.t.access_token
                      : which == token_member::refresh_token ? b.t.refresh_token
                                                             : b.t.id_token;
        dst = secret(m.escaped ? m.decode(secret_buffer.get()) : m.contents());
        return true;
      }
      case token_member::token_type:
        if (m.type == json::kind::null) return true;
        if (m.type != json::kind::string) return false;
        // Usually "Bearer", which the token already holds: then there is nothing to assign.
        if (m.escaped || !is_bearer(m.contents()) || !is_bearer(b.t.token_type))
          m.assign_to(b.t.token_type);
        b.has_type = true;
        return true;
      case token_member::expires_in:
        if (m.type == json::kind::null) return true;
        b.lifetime = m.type == json::kind::number   ? read_lifetime(m.raw)
                     : m.type == json::kind::string ? read_lifetime(m.decode(scratch))
                                                    : lifetime_reading{};  // bool: invalid
        return true;
      case token_member::scope:
        if (m.type == json::kind::null) return true;
        if (m.type == json::kind::string) {
          m.assign_to(b.t.scope);
          return true;
        }
        break;  // a number or bool: kept raw in extra
      case token_member::error:
        if (m.type != json::kind::null && !(m.type == json::kind::string && m.decoded == 0))
          carries_error = true;
        break;
      case token_member::other:
        break;
    }
    extra[n_extra++] = {m.name.data(), m.name.size(), m.raw.data(), m.raw.size()};
    extra_bytes += extra_access::header + m.name.size() + m.raw.size();
    return true;
  };
  if (json::read_flat_object(r.body, o.limits, json::flat_callback(on_member)) !=
      json::flat_result::done)
    return flat_token::not_flat;
  if (carries_error) return flat_token::carries_error;
  if (n_extra != 0) {
    char* p = extra_access::extend(b.t.extra, extra_bytes, n_extra);
    for (std::size_t i = 0; i < n_extra; ++i) {
      const kept& k = extra[i];
      p = extra_access::put(p, {k.name, k.name_size}, {k.raw, k.raw_size});
    }
  }
  return flat_token::built;
}

PROFILE_AUTH_INLINE result<token> parse_json_token_general(const http_response& r,
                                                           time_point received_at,
                                                           const token_parse_options& o) {
  json::tape::entry tape[token_tape_entries];
  auto doc = json::parse(r.body, o.limits, tape);
  if (!doc) {
    const error& pe = doc.error();
    return token_failure(r, o, pe.code, "with a body that is not usable JSON (" + pe.message + ")",
                         pe.code == errc::limit_exceeded
                             ? "raise token_parse_options::limits if such answers are expected"
                             : "check the endpoint URL, or a proxy that rewrote the answer");
  }
  const json::value root = doc->root();
  if (!root.is_object())
    return token_failure(r, o, errc::malformed_response, "with JSON that is not an object",
                         "check the endpoint URL");
  token t;
  token_builder b{t};
  extra_collector extra(b.t.extra);
  bool carries_error = false;  // checked after the loop: a 200 with `error` is an error
  std::string scratch;
  wiped_string secret_buffer;
  const auto not_string = [&](std::string_view name) {
    return token_failure(r, o, errc::malformed_response,
                         "with a " + std::string(name) + " that is not a JSON string",
                         "the server's answer is not a valid token response");
  };
  const auto members = root.members();
  for (auto it = members.begin(); it != members.end(); ++it) {
    const json::member m = *it;
    const json::value& v = m.value;
    switch (const token_member which = classify_member(m.key)) {
      case token_member::access_token:
      case token_member::refresh_token:
      case token_member::id_token: {
        const bool access = which == token_member::access_token;
        if (v.is_null() && !access) continue;
        // Unescaped strings (the usual case) are copied once, straight from the body.
        const auto sv = v.get_string(secret_buffer.get());
        if (!sv)
          return not_string(access                                 ? "access_token"
                            : which == token_member::refresh_token ? "refresh_token"
                                                                   : "id_token");
        secret& dst = access                                 ? b.t.access_token
                      : which == token_member::refresh_token ? b.t.refresh_token
                                                             : b.t.id_token;
        dst = secret(*sv);
        continue;
      }
      case token_member::token_type:
        if (v.is_null()) continue;
        if (!v.copy_string_to(b.t.token_type)) return not_string("token_type");
        b.has_type = true;
        continue;
      case token_member::expires_in:
        if (v.is_null()) continue;
        if (v.is_number())
          b.lifetime = read_lifetime(v.raw());
        else if (const auto sv = v.get_string(scratch))
          b.lifetime = read_lifetime(*sv);
        else
          b.lifetime = lifetime_reading{};  // bool, array, object: invalid
        continue;
      case token_member::scope:
        if (v.is_null()) continue;
        if (v.is_string()) {
          (void)v.copy_string_to(b.t.scope);
          continue;
        }
        if (v.is_array()) {
          std::string joined;  // Twitch sends ["a","b"]: join with single spaces
          bool ok = true;
          for (const json::value el : v.elements()) {
            const auto sv = el.get_string(scratch);
            if (!sv) {
              ok = false;
              break;
            }
            if (sv->empty()) continue;
            if (!joined.empty()) joined.push_back(' ');
            joined.append(*sv);
          }
          if (ok) {
            b.t.scope = std::move(joined);
            continue;
          }
        }
        break;  // a number, bool, object or mixed array: kept raw in extra
      case token_member::error:
        if (!v.is_null() && !v.equals("")) carries_error = true;
        break;
      case token_member::other:
        break;
    }
    extra.add(it);
  }
  if (carries_error) {
    response_error_options eo{o.limits, o.wall_clock_now, o.redact};
    return unexpected<error>(oauth_error_from_response(r, o.endpoint_name, eo));
  }
  extra.flush();
  return finish_token(b, r, received_at, o);
}

PROFILE_AUTH_INLINE result<token> parse_json_token(const http_response& r, time_point received_at,
                                                   const token_parse_options& o) {
#if defined(__OPTIMIZE_SIZE__) && !PROFILE_AUTH_FLAT_JSON_ONLY
  // -Os builds (microcontrollers) keep only the general reader: the same results, about 2 KB
  // less code on a Cortex-M4
  return parse_json_token_general(r, received_at, o);
#else
  // The token is built where it is returned (every path returns `out`, so it is not moved).
  result<token> out;
  token_builder b{*out};
  switch (read_flat_json_token(r, o, b)) {
    case flat_token::built:
      if (auto e = complete_token(b, r, received_at, o)) out = std::move(*e);
      return out;
    case flat_token::carries_error: {
      response_error_options eo{o.limits, o.wall_clock_now, o.redact};
      out = unexpected<error>(oauth_error_from_response(r, o.endpoint_name, eo));
      return out;
    }
    case flat_token::not_flat:
      break;
  }
#if PROFILE_AUTH_FLAT_JSON_ONLY  // the flat reader only: no tape parser in the program
  out = token_failure(r, o, errc::malformed_response, "with JSON that is not a flat object",
                      "PROFILE_AUTH_FLAT_JSON_ONLY reads flat JSON objects only");
#else
  out = parse_json_token_general(r, received_at, o);
#endif
  return out;
#endif
}

/// The name of a parameter that occurs twice, or "" when all are distinct. O(n log n): a body
/// can hold hundreds of thousands of fields. Only well-known names are quoted; any other is
/// reported as "(unnamed)", since an unknown name could be anything, a token included.
PROFILE_AUTH_INLINE std::string_view repeated_name(const query_params& q) {
  std::vector<std::string_view> names;
  names.reserve(q.size());
  for (const auto& f : q) names.emplace_back(f.first);
  sort_names(names);
  std::size_t i = 1;
  while (i < names.size() && names[i] != names[i - 1]) ++i;
  if (i >= names.size()) return {};
  const std::string_view dup = names[i];  // the smallest repeated name
  for (const std::string_view known :
       {"access_token", "refresh_token", "id_token", "token_type", "expires_in", "scope", "error",
        "error_description", "error_uri"})
    if (dup == known) return known;
  return "(unnamed)";
}

/// Reads an application/x-www-form-urlencoded (or text/plain form-shaped) body.
PROFILE_AUTH_INLINE result<token> parse_form_token(const http_response& r, time_point received_at,
                                                   const token_parse_options& o) {
  if (r.body.size() > o.limits.max_size)
    return token_failure(r, o, errc::limit_exceeded,
                         "with a body of " + std::to_string(r.body.size()) +
                             " bytes, above the limit of " + std::to_string(o.limits.max_size),
                         "raise token_parse_options::limits.max_size if this is expected");
  auto q = parse_query(r.body);
  if (!q)
    return token_failure(r, o, errc::malformed_response,
                         "with a form body that does not decode (" + q.error().message + ")",
                         "check the endpoint URL");
  struct wipe_all {  // the decoded values include the tokens
    query_params& p;
    ~wipe_all() {
      for (auto& f : p) secure_wipe(f.second);
    }
  } wiper{*q};
  if (const std::string_view dup = repeated_name(*q); !dup.empty())
    return token_failure(r, o, errc::malformed_response,
                         "with parameter '" + std::string(dup) + "' repeated",
                         "a token response names each parameter once (RFC 6749 §5.1)");
  for (auto& [name, value] : *q)
    if (name == "error" && !value.empty()) {
      response_error_options eo{o.limits, o.wall_clock_now, o.redact};
      return unexpected<error>(oauth_error_from_response(r, o.endpoint_name, eo));
    }
  token t;
  token_builder b{t};
  for (auto& [name, value] : *q) {
    if (name == "access_token")
      b.t.access_token = secret(std::string_view(value));
    else if (name == "refresh_token")
      b.t.refresh_token = secret(std::string_view(value));
    else if (name == "id_token")
      b.t.id_token = secret(std::string_view(value));
    else if (name == "token_type") {
      b.t.token_type = value;
      b.has_type = true;
    } else if (name == "expires_in")
      b.lifetime = read_lifetime(value);
    else if (name == "scope")
      b.t.scope = value;
    else {
      std::string raw;
      json::write_string(raw, value);
      b.t.extra.add(name, raw);
    }
  }
  return finish_token(b, r, received_at, o);
}

}  // namespace detail

namespace detail {

PROFILE_AUTH_INLINE result<token> parse_token_answer(const http_response& resp,
                                                     time_point received_at,
                                                     const token_parse_options& opts) {
  if (!resp.ok()) {
    response_error_options eo{opts.limits, opts.wall_clock_now, opts.redact};
    return unexpected<error>(oauth_error_from_response(resp, opts.endpoint_name, eo));
  }
  switch (detail::sniff_body(resp)) {
    case detail::body_shape::json:
      return detail::parse_json_token(resp, received_at, opts);
    case detail::body_shape::form:
      return detail::parse_form_token(resp, received_at, opts);
    case detail::body_shape::empty:
      return detail::token_failure(resp, opts, errc::malformed_response, "with an empty body",
                                   "expected a token response; check the endpoint URL");
    case detail::body_shape::other:
      break;
  }
  return detail::token_failure(
      resp, opts, errc::malformed_response,
      "with a '" + detail::quote_token(detail::media_type(resp), 64, opts.redact) + "' body",
      "expected a JSON token response; check the endpoint URL (a login page or a proxy "
      "answered instead)");
}

}  // namespace detail

PROFILE_AUTH_INLINE result<token> parse_token_response(const http_response& resp,
                                                       time_point received_at,
                                                       const token_parse_options& opts) {
  result<token> r = detail::parse_token_answer(resp, received_at, opts);
  if (!r && opts.redact != nullptr) opts.redact->scrub(r.error());  // e.g. a quoted media type
  return r;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_TOKEN_RESPONSE_HPP
