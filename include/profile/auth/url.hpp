// SPDX-License-Identifier: MIT
// profile-auth: the URL subset OAuth needs: absolute URLs, loopback hosts, endpoints, queries.
#ifndef PROFILE_AUTH_URL_HPP
#define PROFILE_AUTH_URL_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <array>             // parsed IPv4/IPv6 address groups
#include <cstddef>           // std::size_t
#include <cstdint>           // std::uint16_t port and address groups
#include <initializer_list>  // range-for over {query, fragment}
#include <optional>          // the port is optional
#include <string>            // owned components
#include <string_view>       // inputs
#include <utility>           // std::pair, std::move
#include <vector>            // query_params

namespace profile::auth::inline v0 {

/// The components of an absolute URL (RFC 3986 §3). Components are NOT percent-decoded.
struct url_parts {
  std::string scheme;                 ///< lower-cased, without ':'
  std::string userinfo;               ///< before '@' in the authority; may hold a password
  std::string host;                   ///< lower-cased; an IPv6 literal without its brackets
  std::optional<std::uint16_t> port;  ///< 1-65535 when written; none means the default
  std::string path;                   ///< may be empty; starts with '/' when there is an authority
  std::string query;                  ///< without the '?'
  std::string fragment;               ///< without the '#'
  bool has_authority = false;         ///< "scheme://…" (true) or "scheme:path" (false)
  bool ipv6_literal = false;          ///< host was written in brackets
  bool has_query = false;             ///< a '?' was present (the query may still be empty)
  bool has_fragment = false;          ///< a '#' was present (the fragment may still be empty)
};

namespace detail {

// Strict dotted quad: four decimal octets 0-255, no leading zeros (inet_aton would read
// "0177" as octal, so such spellings are refused instead of guessed).
inline bool parse_ipv4(std::string_view s, std::array<unsigned char, 4>& out) noexcept {
  std::size_t i = 0;
  for (unsigned part = 0; part < 4; ++part) {
    if (part != 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      v = v * 10 + static_cast<unsigned>(s[i++] - '0');
    const std::size_t len = i - start;
    if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
    out[part] = static_cast<unsigned char>(v);
  }
  return i == s.size();
}

// RFC 4291 §2.2 text form (no brackets, no zone id), with an optional trailing dotted quad.
inline bool parse_ipv6(std::string_view s, std::array<std::uint16_t, 8>& out) noexcept {
  std::array<std::uint16_t, 8> head{}, tail{};  // groups before and after "::"
  unsigned nh = 0, nt = 0;
  bool gap = s.substr(0, 2) == "::";
  for (std::size_t i = gap ? 2 : 0; i < s.size();) {
    auto& g = gap ? tail : head;
    unsigned& n = gap ? nt : nh;
    std::size_t end = s.find(':', i);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view seg = s.substr(i, end - i);
    if (nh + nt == 8) return false;
    if (seg.find('.') != std::string_view::npos) {  // an embedded IPv4 ends the address
      std::array<unsigned char, 4> v4{};
      if (end != s.size() || nh + nt > 6 || !parse_ipv4(seg, v4)) return false;
      g[n++] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
      g[n++] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
      break;
    }
    if (seg.empty() || seg.size() > 4) return false;
    unsigned v = 0;
    for (const char c : seg) {
      const unsigned d = hex_value_table[static_cast<unsigned char>(c)];
      if (d > 15) return false;
      v = (v << 4) | d;
    }
    g[n++] = static_cast<std::uint16_t>(v);
    if (end == s.size()) break;
    i = end + 1;
    if (i == s.size()) return false;  // a single trailing ':'
    if (s[i] == ':') {
      if (gap) return false;  // "::" at most once
      gap = true;
      ++i;
    }
  }
  if (gap ? nh + nt > 7 : nh != 8) return false;  // "::" stands for at least one zero group
  out = {};
  for (unsigned k = 0; k < nh; ++k) out[k] = head[k];
  for (unsigned k = 0; k < nt; ++k) out[8 - nt + k] = tail[k];
  return true;
}

// Byte classes for URL validation (RFC 3986 §2, §3).
inline constexpr unsigned char url_unreserved = 1;  // ALPHA DIGIT - . _ ~
inline constexpr unsigned char url_sub_delim = 2;   // ! $ & ' ( ) * + , ; =
inline constexpr unsigned char url_colon_at = 4;    // : @
inline constexpr unsigned char url_lenient = 8;     // [ ] { } | ^ ` : browsers send them raw
inline constexpr unsigned char url_pchar = url_unreserved | url_sub_delim | url_colon_at;

constexpr std::array<unsigned char, 256> make_url_class_table() noexcept {
  std::array<unsigned char, 256> t{};
  constexpr std::string_view sub_delims = "!$&'()*+,;=";
  constexpr std::string_view lenient = "[]{}|^`";
  for (unsigned c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (unreserved_table[c] != 0) t[c] = url_unreserved;
    if (sub_delims.find(ch) != std::string_view::npos) t[c] = url_sub_delim;
    if (ch == ':' || ch == '@') t[c] = url_colon_at;
    if (lenient.find(ch) != std::string_view::npos) t[c] = url_lenient;
  }
  return t;
}
inline constexpr auto url_class = make_url_class_table();

inline unexpected<error> url_fail(std::string what) {
  return fail(errc::invalid_url, "invalid URL: " + std::move(what));
}

// Empty when every byte of component `s` is in an `allowed` class, one of `extra`, or (when
// `allowed` has url_pct) a %XX escape; otherwise what is wrong. `base` is the offset in the URL.
inline constexpr unsigned char url_pct = 16;
inline std::string bad_url_chars(std::string_view s, std::size_t base, unsigned char allowed,
                                 std::string_view extra, const char* component) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((url_class[c] & allowed) != 0 || extra.find(s[i]) != std::string_view::npos) continue;
    const std::string at = " at position " + std::to_string(base + i);
    if (c == '%' && (allowed & url_pct) != 0) {
      if (i + 2 < s.size() && hex_value_table[static_cast<unsigned char>(s[i + 1])] < 16 &&
          hex_value_table[static_cast<unsigned char>(s[i + 2])] < 16) {
        i += 2;
        continue;
      }
      return "malformed percent escape" + at + " in the " + component +
             " ('%' must be followed by two hex digits)";
    }
    return "byte " + describe_byte(c) + at + " is not allowed in the " + component +
           ((allowed & url_pct) != 0 ? "; percent-encode it" : "");
  }
  return {};
}

inline std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace detail

/// True when `host` names this machine only: "localhost" (ASCII case-insensitive, exactly;
/// "*.localhost" and "localhost." are NOT accepted because not every resolver keeps them off the
/// network), a strict dotted quad in 127.0.0.0/8 (no leading zeros, no short forms like
/// "127.1"), or the IPv6 loopback ::1 in any valid spelling ("::1", "0:0:0:0:0:0:0:1",
/// "[::1]") including the IPv4-mapped form ::ffff:127.x.y.z.
[[nodiscard]] inline bool is_loopback_host(std::string_view host) noexcept {
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);  // only IPv6 goes in brackets
  if (!bracketed && detail::iequals(host, "localhost")) return true;
  std::array<unsigned char, 4> v4{};
  if (!bracketed && detail::parse_ipv4(host, v4)) return v4[0] == 127;
  std::array<std::uint16_t, 8> v6{};
  if (!detail::parse_ipv6(host, v6)) return false;
  for (unsigned k = 0; k < 5; ++k)
    if (v6[k] != 0) return false;
  if (v6[5] == 0 && v6[6] == 0) return v6[7] == 1;  // ::1
  return v6[5] == 0xffff && (v6[6] >> 8) == 127;    // ::ffff:127.0.0.0/104
}

/// Parses an absolute URL: `scheme://[userinfo@]host[:port][/path][?query][#fragment]` or
/// `scheme:path[?query][#fragment]` (custom-scheme redirect URIs such as
/// "com.example.app:/callback"). Scheme and host are lower-cased; nothing is percent-decoded.
///
/// Strict by design, failing with errc::invalid_url and a message naming the position:
/// relative references, spaces, control and non-ASCII bytes, '\\', '"', '<', '>', malformed
/// %-escapes, an empty or missing host for http/https, more than one '@', ports that are empty,
/// non-numeric, 0 or above 65535. '[' ']' '{' '}' '|' '^' '`' are tolerated in the query and
/// fragment only (browsers pass them through).
///
/// Not supported (rejected): WHATWG URL quirks (backslashes, tabs/newlines stripped, IDNA,
/// numeric IPv4 short forms normalised), percent-encoded host names, IPv6 zone identifiers,
/// IPvFuture literals. A reg-name host is only checked against RFC 3986 characters, not DNS.
[[nodiscard]] inline result<url_parts> parse_url(std::string_view text) {
  using detail::url_fail;
  if (text.empty()) return url_fail("the URL is empty");
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7F || c == '\\' || c == '"' || c == '<' || c == '>')
      return url_fail("byte " + detail::describe_byte(c) + " at position " + std::to_string(i) +
                      " is not allowed in a URL (spaces, control, non-ASCII bytes and \\ \" < > "
                      "must be percent-encoded)");
  }

  url_parts u;
  // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  std::size_t i = 0;
  for (; i < text.size() && text[i] != ':'; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(i > 0 && other))
      return url_fail("no scheme: byte " + detail::describe_byte(c) + " at position " +
                      std::to_string(i) +
                      " cannot be part of one (an absolute URL such as "
                      "https://host/path is required)");
  }
  if (i == 0 || i == text.size())
    return url_fail("no scheme (an absolute URL such as https://host/path is required)");
  u.scheme = detail::ascii_lowercase(text.substr(0, i));
  const bool web = u.scheme == "http" || u.scheme == "https";
  ++i;  // ':'

  if (text.substr(i, 2) == "//") {
    u.has_authority = true;
    i += 2;
    std::size_t end = text.find_first_of("/?#", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view auth = text.substr(i, end - i);
    std::size_t host_at = i;  // offset of the host in text
    if (const std::size_t at = auth.find('@'); at != std::string_view::npos) {
      if (const std::size_t at2 = auth.find('@', at + 1); at2 != std::string_view::npos)
        return url_fail("more than one '@' in the authority (at position " +
                        std::to_string(i + at2) + "); percent-encode '@' in user information");
      if (at == 0)
        return url_fail("'@' at position " + std::to_string(i) + " has no user before it");
      if (auto why = detail::bad_url_chars(
              auth.substr(0, at), i,
              detail::url_unreserved | detail::url_sub_delim | detail::url_pct, ":",
              "user information");
          !why.empty())
        return url_fail(std::move(why));
      u.userinfo = std::string(auth.substr(0, at));
      auth.remove_prefix(at + 1);
      host_at += at + 1;
    }
    std::size_t colon = std::string_view::npos;  // index of the port's ':' in auth
    if (!auth.empty() && auth.front() == '[') {
      const std::size_t close = auth.find(']');
      if (close == std::string_view::npos)
        return url_fail("'[' at position " + std::to_string(host_at) +
                        " opens an IPv6 host that is never closed with ']'");
      const std::string_view literal = auth.substr(1, close - 1);
      std::array<std::uint16_t, 8> v6{};
      if (!detail::parse_ipv6(literal, v6))
        return url_fail("host '[" + std::string(literal) +
                        "]' is not a valid IPv6 address "
                        "(zone identifiers and IPvFuture are not supported)");
      u.host = detail::ascii_lowercase(literal);
      u.ipv6_literal = true;
      if (close + 1 < auth.size() && auth[close + 1] != ':')
        return url_fail("byte " +
                        detail::describe_byte(static_cast<unsigned char>(auth[close + 1])) +
                        " at position " + std::to_string(host_at + close + 1) +
                        " follows the IPv6 host (only ':port' may follow ']')");
      if (close + 1 < auth.size()) colon = close + 1;
    } else {
      colon = auth.find(':');
      const std::string_view host = auth.substr(0, colon);
      if (auto why =
              detail::bad_url_chars(host, host_at, detail::url_unreserved | detail::url_sub_delim,
                                    "", "host (percent-encoded names are not supported)");
          !why.empty())
        return url_fail(std::move(why));
      u.host = detail::ascii_lowercase(host);
    }
    if (colon != std::string_view::npos) {
      // Never echo the port: with a forgotten '@', "https://id:secret/…" puts a secret there.
      const std::string_view digits = auth.substr(colon + 1);
      const std::string at = " at position " + std::to_string(host_at + colon + 1);
      if (digits.empty()) return url_fail("the port after ':' is empty (omit the ':')");
      unsigned long value = 0;
      for (const char c : digits) {
        if (c < '0' || c > '9') return url_fail("the port" + at + " is not a decimal number");
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535) break;
      }
      if (value == 0 || value > 65535)
        return url_fail("the port" + at + " is out of range (1-65535)");
      u.port = static_cast<std::uint16_t>(value);
    }
    if (web && u.host.empty())
      return url_fail(u.scheme + " URL has an empty host (expected " + u.scheme + "://host/…)");
    i = end;
  } else if (web) {
    return url_fail(u.scheme + " URL needs '//' and a host after '" + u.scheme + ":'");
  }

  std::size_t end = text.find_first_of("?#", i);
  if (end == std::string_view::npos) end = text.size();
  if (!u.has_authority && end == i)
    return url_fail("nothing follows '" + u.scheme + ":' (expected a path or '//host')");
  if (auto why = detail::bad_url_chars(text.substr(i, end - i), i,
                                       detail::url_pchar | detail::url_pct, "/", "path");
      !why.empty())
    return url_fail(std::move(why));
  u.path = std::string(text.substr(i, end - i));
  i = end;
  for (const bool query : {true, false}) {
    if (i == text.size() || text[i] != (query ? '?' : '#')) continue;
    end = query ? text.find('#', i) : text.size();
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(i + 1, end - i - 1);
    if (auto why = detail::bad_url_chars(part, i + 1,
                                         detail::url_pchar | detail::url_lenient | detail::url_pct,
                                         "/?", query ? "query" : "fragment");
        !why.empty())
      return url_fail(std::move(why));
    (query ? u.has_query : u.has_fragment) = true;
    (query ? u.query : u.fragment) = std::string(part);
    i = end;
  }
  return u;
}

/// Reassembles a URL from its parts (brackets restored around IPv6 hosts). For the output of
/// parse_url this is the input with scheme and host lower-cased.
[[nodiscard]] inline std::string to_string(const url_parts& u) {
  std::string out;
  out.reserve(u.scheme.size() + u.userinfo.size() + u.host.size() + u.path.size() + u.query.size() +
              u.fragment.size() + 16);
  out.append(u.scheme).append(":");
  if (u.has_authority) {
    out += "//";
    if (!u.userinfo.empty()) out.append(u.userinfo).append("@");
    out.append(u.ipv6_literal ? "[" : "").append(u.host).append(u.ipv6_literal ? "]" : "");
    if (u.port) out.append(":").append(std::to_string(*u.port));
  }
  out += u.path;
  if (u.has_query) out.append("?").append(u.query);
  if (u.has_fragment) out.append("#").append(u.fragment);
  return out;
}

/// Parses and vets a server endpoint (token, authorization, revocation … endpoint).
/// Requires http or https with a host, no user information and no fragment (RFC 6749 §3.1);
/// those fail with errc::invalid_url. Plain http fails with errc::insecure_endpoint unless the
/// host is loopback (is_loopback_host) or `allow_insecure` is set. Messages name the scheme and
/// host only: the path and query may carry secrets.
[[nodiscard]] inline result<url_parts> check_endpoint(std::string_view text,
                                                      bool allow_insecure = false) {
  auto u = parse_url(text);
  if (!u) return u;
  if (u->scheme != "https" && u->scheme != "http")
    return fail(errc::invalid_url, "endpoint scheme '" + u->scheme +
                                       "' is not supported: an endpoint must be an https:// URL");
  if (!u->userinfo.empty())
    return fail(errc::invalid_url,
                "endpoint URL for host '" + u->host +
                    "' carries user information ('user:password@'): remove it and configure "
                    "client authentication instead");
  if (u->has_fragment)
    return fail(errc::invalid_url, "endpoint URL for host '" + u->host +
                                       "' has a fragment ('#'), which RFC 6749 §3.1 forbids");
  if (u->scheme == "http" && !allow_insecure && !is_loopback_host(u->host))
    return fail(errc::insecure_endpoint,
                "endpoint http://" + std::string(u->ipv6_literal ? "[" : "") + u->host +
                    (u->ipv6_literal ? "]" : "") +
                    " is not https: use https://, or opt in to plain http explicitly "
                    "(allowed by default only for localhost, 127.0.0.0/8 and ::1)");
  return u;
}

// ---------------------------------------------------------------------------------------------
// query strings

/// Decoded (name, value) pairs of a query string, in order, duplicates kept.
using query_params = std::vector<std::pair<std::string, std::string>>;

/// Splits an application/x-www-form-urlencoded string (a URL query, with or without its leading
/// '?', or a form body) on '&' and form-decodes names and values ('+' is a space). Order and
/// duplicates are kept; empty fields ("a=1&&b=2", a trailing '&') are skipped; a field without
/// '=' has an empty value. Fails with errc::invalid_percent_encoding naming the position (never
/// the value, which may be a code or token).
[[nodiscard]] inline result<query_params> parse_query(std::string_view query) {
  std::size_t base = 0;
  if (!query.empty() && query.front() == '?') {
    query.remove_prefix(1);
    base = 1;
  }
  query_params out;
  std::size_t fields = 1;
  for (const char c : query) fields += c == '&' ? 1 : 0;
  out.reserve(fields);
  for (std::size_t pos = 0, amp = 0; pos < query.size(); pos = amp + 1) {
    amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view field = query.substr(pos, amp - pos);
    if (field.empty()) continue;
    const std::size_t eq = field.find('=') < field.size() ? field.find('=') : field.size();
    auto& [name, value] = out.emplace_back();
    std::string_view part = field.substr(0, eq);
    std::size_t part_at = pos;
    std::size_t bad = detail::pct_decode_append(name, part, true);
    if (bad == detail::no_error && eq < field.size()) {
      part = field.substr(eq + 1);
      part_at = pos + eq + 1;
      bad = detail::pct_decode_append(value, part, true);
    }
    if (bad != detail::no_error) {
      for (auto& decoded : out) detail::secure_wipe(decoded.second);  // values may be codes
      return fail(
          errc::invalid_percent_encoding,
          detail::pct_error_message(bad + 2 >= part.size(), base + part_at + bad, "the query"));
    }
  }
  return out;
}

/// Builds "a=b&c=d" from `params`, form-encoding every name and value (inverse of parse_query).
[[nodiscard]] inline std::string query_string(const query_params& params) {
  std::size_t size = 0;
  for (const auto& [n, v] : params) size += n.size() + v.size() + 2;
  std::string out;
  out.reserve(size);
  for (const auto& [n, v] : params) append_form_field(out, n, v);
  return out;
}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_URL_HPP
