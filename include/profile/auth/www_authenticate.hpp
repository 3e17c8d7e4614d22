// SPDX-License-Identifier: MIT
// profile-auth: WWW-Authenticate challenges (RFC 9110 §11) and the Bearer challenge (RFC 6750 §3).
#ifndef PROFILE_AUTH_WWW_AUTHENTICATE_HPP
#define PROFILE_AUTH_WWW_AUTHENTICATE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>  // header_list; is_tchar for schemes, names, tokens
#include <profile/auth/result.hpp>

#include <cstddef>      // std::size_t offsets and limits
#include <optional>     // param() and find_bearer_challenge() results
#include <string>       // owned schemes, names, values, messages
#include <string_view>  // the reader works on views of the field value
#include <utility>      // std::pair, std::move
#include <vector>       // challenges and their parameters

namespace profile::auth::inline v0 {

namespace detail {

/// RFC 9110 §11.2 token68 bytes, before the optional trailing '=' padding.
[[nodiscard]] constexpr bool is_token68_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

/// One syntactic piece of a WWW-Authenticate field value, as challenge_reader yields them.
struct challenge_piece {
  enum kind_t : unsigned char {
    scheme,   ///< a new challenge starts; `name` is its auth-scheme
    token68,  ///< the challenge's token68 (`value`)
    param,    ///< an auth-param `name` = `value`
  } kind = scheme;
  std::string_view name;
  /// token68 text, a token value, or a quoted-string's content with its backslash escapes still
  /// in place (`quoted` set: decode with append_unquoted or compare with unquoted_iequals).
  std::string_view value;
  bool quoted = false;
  std::size_t offset = 0;  ///< where the piece starts in the field value
};

/// An allocation-free reader of one field value: `#challenge` with
/// `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`,
/// `auth-param = token BWS "=" BWS ( token / quoted-string )` (RFC 9110 §11.2, §5.6).
/// Empty list elements and OWS around commas are accepted. Parameters after a comma belong to
/// the latest challenge (there is no other place for them); a token68 challenge takes none.
/// next() stops at the first syntax error, after which failed() is true and error_offset()
/// and error_what() say where and why (the message never quotes the value).
class challenge_reader {
 public:
  explicit constexpr challenge_reader(std::string_view v) noexcept : v_(v) {}

  /// The next piece; false at the end of the value or at a syntax error.
  bool next(challenge_piece& out) noexcept;

  [[nodiscard]] bool failed() const noexcept { return what_ != nullptr; }
  [[nodiscard]] std::size_t error_offset() const noexcept { return err_at_; }
  [[nodiscard]] std::string_view error_what() const noexcept {
    return what_ != nullptr ? std::string_view(what_) : std::string_view();
  }

 private:
  enum class state : unsigned char { element, after_scheme, separator, done };
  enum class current : unsigned char { none, params, token68 };

  void skip_ows(std::size_t& k) const noexcept {
    while (k < v_.size() && (v_[k] == ' ' || v_[k] == '\t')) ++k;
  }
  std::string_view read_token(std::size_t& k) const noexcept {
    const std::size_t s = k;
    while (k < v_.size() && is_tchar(v_[k])) ++k;
    return v_.substr(s, k - s);
  }
  bool finish() noexcept {
    st_ = state::done;
    return false;
  }
  bool fail(std::size_t at, const char* what) noexcept {
    err_at_ = at;
    what_ = what;
    return finish();
  }

  // Right after "scheme 1*SP": a token68 (ending at ',' or the end) or the first auth-param.
  bool after_scheme(challenge_piece& out) noexcept;

  // The value of an auth-param whose '=' ends just before `at`.
  bool read_value(challenge_piece& out, std::string_view name, std::size_t start,
                  std::size_t at) noexcept;

  std::string_view v_;
  std::size_t i_ = 0;
  state st_ = state::element;
  current cur_ = current::none;
  const char* what_ = nullptr;
  std::size_t err_at_ = 0;
};

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE bool challenge_reader::next(challenge_piece& out) noexcept {
  const std::size_t n = v_.size();
  for (;;) {
    switch (st_) {
      case state::done:
        return false;
      case state::separator:
        skip_ows(i_);
        if (i_ == n) return finish();
        if (v_[i_] != ',') return fail(i_, "expected ',' before the next element");
        ++i_;
        st_ = state::element;
        continue;
      case state::after_scheme:
        return after_scheme(out);
      case state::element:
        break;
    }
    while (i_ < n && (v_[i_] == ' ' || v_[i_] == '\t' || v_[i_] == ',')) ++i_;
    if (i_ == n) return finish();
    const std::size_t start = i_;
    const std::string_view name = read_token(i_);
    if (name.empty())
      return fail(i_, cur_ == current::none ? "expected an auth-scheme"
                                            : "expected an auth-scheme or a parameter name");
    std::size_t k = i_;
    skip_ows(k);
    if (k < n && v_[k] == '=') {
      if (cur_ == current::none) return fail(start, "a parameter comes before any auth-scheme");
      if (cur_ == current::token68)
        return fail(start, "a parameter follows a challenge that carries a token68");
      return read_value(out, name, start, k + 1);
    }
    if (k < n && v_[k] != ',' && k == i_)
      return fail(i_, "expected a space or ',' after the auth-scheme");
    out = challenge_piece{challenge_piece::scheme, name, {}, false, start};
    cur_ = current::params;
    st_ = (k == n || v_[k] == ',') ? state::separator : state::after_scheme;
    i_ = k;
    return true;
  }
}

PROFILE_AUTH_INLINE bool challenge_reader::after_scheme(challenge_piece& out) noexcept {
  const std::size_t n = v_.size();
  std::size_t j = i_;
  while (j < n && is_token68_char(v_[j])) ++j;
  if (j > i_) {
    std::size_t e = j;
    while (e < n && v_[e] == '=') ++e;
    std::size_t m = e;
    skip_ows(m);
    if (m == n || v_[m] == ',') {
      out = challenge_piece{challenge_piece::token68, {}, v_.substr(i_, e - i_), false, i_};
      cur_ = current::token68;
      st_ = state::separator;
      i_ = e;
      return true;
    }
  }
  const std::size_t start = i_;
  const std::string_view name = read_token(i_);
  if (name.empty()) return fail(i_, "expected a token68 or name=value after the auth-scheme");
  std::size_t k = i_;
  skip_ows(k);
  if (k == n || v_[k] != '=') return fail(k, "expected '=' after the parameter name");
  return read_value(out, name, start, k + 1);
}

PROFILE_AUTH_INLINE bool challenge_reader::read_value(challenge_piece& out, std::string_view name,
                                                      std::size_t start, std::size_t at) noexcept {
  const std::size_t n = v_.size();
  skip_ows(at);
  if (at == n) return fail(at, "a parameter has no value");
  if (v_[at] == '"') {
    std::size_t j = at + 1;
    for (;;) {
      if (j == n) return fail(at, "a quoted string is not closed");
      const auto c = static_cast<unsigned char>(v_[j]);
      if (c == '"') break;
      if (c == '\\') {
        if (++j == n) return fail(at, "a quoted string is not closed");
        const auto e = static_cast<unsigned char>(v_[j]);
        if (e != '\t' && (e < 0x20 || e == 0x7F))
          return fail(j, "a control character is escaped in a quoted string");
      } else if (c != '\t' && (c < 0x20 || c == 0x7F)) {
        return fail(j, "a control character in a quoted string");
      }
      ++j;
    }
    out = challenge_piece{challenge_piece::param, name, v_.substr(at + 1, j - at - 1), true, start};
    i_ = j + 1;
  } else {
    i_ = at;
    const std::string_view value = read_token(i_);
    if (value.empty()) return fail(at, "expected a token or a quoted string as the value");
    out = challenge_piece{challenge_piece::param, name, value, false, start};
  }
  st_ = state::separator;
  return true;
}

#endif  // PROFILE_AUTH_DEFINITIONS

/// ASCII case-insensitive comparison of a piece's decoded value with `want`; no allocation.
[[nodiscard]] constexpr bool unquoted_iequals(const challenge_piece& p,
                                              std::string_view want) noexcept {
  std::size_t k = 0;
  for (std::size_t i = 0; i < p.value.size(); ++i, ++k) {
    if (p.quoted && p.value[i] == '\\') ++i;
    if (k == want.size() || ascii_lower(p.value[i]) != ascii_lower(want[k])) return false;
  }
  return k == want.size();
}

}  // namespace detail

/// One challenge from a WWW-Authenticate field (RFC 9110 §11.3). Scheme and parameter names are
/// kept as the server spelt them and compare ASCII case-insensitively (use is_scheme and
/// param); values are decoded (quotes and backslash escapes removed).
struct auth_challenge {
  std::string scheme;   ///< e.g. "Bearer", "Basic", "DPoP"
  std::string token68;  ///< the token68 form (e.g. Negotiate's blob); empty when params are used
  std::vector<std::pair<std::string, std::string>> params;  ///< in order; names are unique

  /// True when the scheme is `s` (ASCII case-insensitive).
  [[nodiscard]] bool is_scheme(std::string_view s) const noexcept {
    return detail::iequals(scheme, s);
  }
  /// The value of parameter `name` (ASCII case-insensitive), if present.
  [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const noexcept {
    for (const auto& [n, v] : params)
      if (detail::iequals(n, name)) return std::string_view(v);
    return std::nullopt;
  }
  /// Equal when scheme, token68 and parameters are.
  friend bool operator==(const auth_challenge&, const auth_challenge&) = default;
};

/// Bounds for parse_www_authenticate(); exceeding one fails with errc::limit_exceeded.
struct www_authenticate_limits {
  std::size_t max_size = 16 * 1024;  ///< bytes of all WWW-Authenticate values together
  std::size_t max_challenges = 32;   ///< challenges in all values together
  std::size_t max_params = 32;       ///< parameters of one challenge
};

/// Parses one WWW-Authenticate field value into its challenges, in order. An empty value (or
/// one made only of commas and spaces) gives no challenge.
/// Errors: errc::malformed_response when the value breaks the RFC 9110 §11 grammar (the message
/// gives the offset and what was expected, never the value) or repeats a parameter name in one
/// challenge; errc::limit_exceeded past `lim`.
[[nodiscard]] result<std::vector<auth_challenge>> parse_www_authenticate(
    std::string_view value, const www_authenticate_limits& lim = {});

/// Parses every WWW-Authenticate field of `headers` (case-insensitive name, in order) into one
/// list of challenges: several challenges may share a field, and several fields may each carry
/// some (RFC 9110 §11.6.1). Errors as the single-value form; the message numbers the field.
[[nodiscard]] result<std::vector<auth_challenge>> parse_www_authenticate(
    const header_list& headers, const www_authenticate_limits& lim = {});

/// The parameters of a Bearer challenge that clients act on (RFC 6750 §3, RFC 9728 §5.1).
/// Absent parameters are empty strings.
struct bearer_challenge {
  /// The protection space (RFC 7235 §2.2).
  std::string realm;
  std::string scope;              ///< space-separated scopes the resource wants
  std::string error;              ///< e.g. "invalid_token", "insufficient_scope"
  std::string error_description;  ///< server text: sanitise before showing it
  /// A page about the error (server text: do not follow it blindly).
  std::string error_uri;
  std::string resource_metadata;  ///< RFC 9728 protected resource metadata URL (unchecked)
  auth_challenge challenge;       ///< every parameter, for the ones not listed above
};

/// The first Bearer challenge (scheme compared case-insensitively) among the WWW-Authenticate
/// fields of `headers`. A field that does not parse (see parse_www_authenticate) is skipped
/// whole, so a broken challenge of another scheme cannot hide a good Bearer one and no value is
/// taken from a field whose structure is in doubt. nullopt when there is no Bearer challenge.
/// Fields beyond the default www_authenticate_limits are ignored.
[[nodiscard]] std::optional<bearer_challenge> find_bearer_challenge(const header_list& headers);

/// find_bearer_challenge over the headers of `r` (any status).
[[nodiscard]] inline std::optional<bearer_challenge> find_bearer_challenge(const http_response& r) {
  return find_bearer_challenge(r.headers);
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

/// Appends a piece's value to `out`, removing quoted-string backslash escapes.
PROFILE_AUTH_INLINE void append_unquoted(std::string& out, const challenge_piece& p) {
  if (!p.quoted) {
    out.append(p.value);
    return;
  }
  out.reserve(out.size() + p.value.size());
  for (std::size_t i = 0; i < p.value.size(); ++i) {
    if (p.value[i] == '\\') ++i;  // the reader guarantees a byte follows
    out.push_back(p.value[i]);
  }
}

[[nodiscard]] PROFILE_AUTH_INLINE unexpected<error> www_authenticate_fail(errc code,
                                                                          std::size_t field,
                                                                          std::string what) {
  std::string m = "the WWW-Authenticate header";
  if (field != 0) m += " (field " + std::to_string(field) + ")";
  m += " ";
  m += what;
  return fail(code, std::move(m));
}

/// Appends the challenges of one field value to `out` (max_challenges counts all of `out`);
/// `field` (1-based, 0 for a lone value) numbers the field in messages.
[[nodiscard]] PROFILE_AUTH_INLINE result<void> parse_challenges_into(
    std::vector<auth_challenge>& out, std::string_view value, std::size_t field,
    const www_authenticate_limits& lim) {
  challenge_reader rd(value);
  challenge_piece p;
  while (rd.next(p)) {
    if (p.kind == challenge_piece::scheme) {
      if (out.size() == lim.max_challenges)
        return www_authenticate_fail(errc::limit_exceeded, field,
                                     "has more than " + std::to_string(lim.max_challenges) +
                                         " challenges (www_authenticate_limits::max_challenges)");
      out.emplace_back().scheme = std::string(p.name);
      continue;
    }
    auth_challenge& c = out.back();
    if (p.kind == challenge_piece::token68) {
      c.token68 = std::string(p.value);
      continue;
    }
    if (c.params.size() == lim.max_params)
      return www_authenticate_fail(errc::limit_exceeded, field,
                                   "has a challenge with more than " +
                                       std::to_string(lim.max_params) +
                                       " parameters (www_authenticate_limits::max_params)");
    if (c.param(p.name))
      return www_authenticate_fail(
          errc::malformed_response, field,
          "repeats a parameter at offset " + std::to_string(p.offset) +
              " (RFC 9110 §11.2 allows each name once per challenge; which one counts would be a "
              "guess)");
    append_unquoted(c.params.emplace_back(std::string(p.name), std::string()).second, p);
  }
  if (rd.failed())
    return www_authenticate_fail(errc::malformed_response, field,
                                 "is malformed at offset " + std::to_string(rd.error_offset()) +
                                     ": " + std::string(rd.error_what()));
  return {};
}

}  // namespace detail

PROFILE_AUTH_INLINE result<std::vector<auth_challenge>> parse_www_authenticate(
    std::string_view value, const www_authenticate_limits& lim) {
  if (value.size() > lim.max_size)
    return detail::www_authenticate_fail(
        errc::limit_exceeded, 0,
        "is " + std::to_string(value.size()) +
            " bytes long, above www_authenticate_limits::max_size");
  std::vector<auth_challenge> out;
  if (auto r = detail::parse_challenges_into(out, value, 0, lim); !r)
    return unexpected<error>(std::move(r).error());
  return out;
}

PROFILE_AUTH_INLINE result<std::vector<auth_challenge>> parse_www_authenticate(
    const header_list& headers, const www_authenticate_limits& lim) {
  std::vector<auth_challenge> out;
  std::size_t field = 0, total = 0;
  for (const auto& [name, value] : headers) {
    if (!detail::iequals(name, "WWW-Authenticate")) continue;
    ++field;
    total += value.size();
    if (total > lim.max_size)
      return detail::www_authenticate_fail(
          errc::limit_exceeded, field,
          "brings the WWW-Authenticate values above www_authenticate_limits::max_size (" +
              std::to_string(lim.max_size) + " bytes)");
    if (auto r = detail::parse_challenges_into(out, value, field, lim); !r)
      return unexpected<error>(std::move(r).error());
  }
  return out;
}

PROFILE_AUTH_INLINE std::optional<bearer_challenge> find_bearer_challenge(
    const header_list& headers) {
  const www_authenticate_limits lim;
  std::size_t total = 0;
  for (const auto& [name, value] : headers) {
    if (!detail::iequals(name, "WWW-Authenticate")) continue;
    total += value.size();
    if (total > lim.max_size) break;
    std::vector<auth_challenge> cs;
    if (!detail::parse_challenges_into(cs, value, 0, lim)) continue;
    for (auto& c : cs) {
      if (!c.is_scheme("Bearer")) continue;
      bearer_challenge b;
      const auto take = [&c](std::string_view n, std::string& dst) {
        if (const auto v = c.param(n)) dst = std::string(*v);
      };
      take("realm", b.realm);
      take("scope", b.scope);
      take("error", b.error);
      take("error_description", b.error_description);
      take("error_uri", b.error_uri);
      take("resource_metadata", b.resource_metadata);
      b.challenge = std::move(c);
      return b;
    }
  }
  return std::nullopt;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_WWW_AUTHENTICATE_HPP
