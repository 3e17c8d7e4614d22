// SPDX-License-Identifier: MIT
// profile-auth: the URL subset OAuth needs: absolute URLs, loopback hosts, endpoints, queries.
#ifndef PROFILE_AUTH_URL_HPP
#define PROFILE_AUTH_URL_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/ip_literal.hpp>  // parse_ipv4/parse_ipv6 (transports use them too)
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <array>        // parsed IPv4/IPv6 address groups
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint16_t port and address groups
#include <optional>     // the port is optional
#include <string>       // owned components
#include <string_view>  // inputs
#include <utility>      // std::pair, std::move
#include <vector>       // query_params

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/url_fault.hpp>  // the scanner's faults and their messages
#include <profile/auth/secret.hpp>            // secure_wipe of decoded values
#endif

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

/// True when `host` names this machine only: "localhost" (ASCII case-insensitive, exactly;
/// "*.localhost" and "localhost." are NOT accepted because not every resolver keeps them off the
/// network), a strict dotted quad in 127.0.0.0/8 (no leading zeros, no short forms like
/// "127.1"), or the IPv6 loopback ::1 in any valid spelling ("::1", "0:0:0:0:0:0:0:1",
/// "[::1]") including the IPv4-mapped form ::%ffff:127.x.y.z.
[[nodiscard]] bool is_loopback_host(std::string_view host) noexcept;

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
[[nodiscard]] result<url_parts> parse_url(std::string_view text);

/// Reassembles a URL from its parts (brackets restored around IPv6 hosts). For the output of
/// parse_url this is the input with scheme and host lower-cased.
[[nodiscard]] std::string to_string(const url_parts& u);

/// Parses and vets a server endpoint (token, authorization, revocation … endpoint).
/// Requires http or https with a host, no user information and no fragment (RFC 6749 §3.1);
/// those fail with errc::invalid_url. Plain http fails with errc::insecure_endpoint unless the
/// host is loopback (is_loopback_host) or `allow_insecure` is set. Messages name the scheme and
/// host only: the path and query may carry secrets.
[[nodiscard]] result<url_parts> check_endpoint(std::string_view text, bool allow_insecure = false);

namespace detail {
/// check_endpoint() without building url_parts: nothing is allocated unless it fails. For
/// callers that only need the verdict (request builders validating their configuration).
[[nodiscard]] result<void> check_endpoint_text(std::string_view text, bool allow_insecure);

struct url_view;   // detail/url_fault.hpp: views into a scanned URL
struct url_fault;  // detail/url_fault.hpp: what is wrong with it
/// check_endpoint()'s rules without a message or an allocation: true when `text` is a usable
/// endpoint; otherwise false, with the problem in `f` (fixed_m2m_config's check uses it).
bool scan_endpoint(std::string_view text, bool allow_insecure, url_view& u, url_fault& f) noexcept;

/// Vets a redirect URI a client registers or sends (RFC 6749 §3.1.2, RFC 8252 §7): it parses,
/// has no fragment; an http(s) one carries no user information and is not plain http to a
/// non-loopback host unless `allow_insecure_http`; and its scheme is not one that runs or
/// embeds content instead of reaching an app (javascript, vbscript, data, file, blob, about).
/// Private-use schemes (com.example.app:/cb) pass. `what` names the URI in messages.
/// Errors: errc::invalid_url, errc::insecure_endpoint.
[[nodiscard]] result<void> check_redirect_target(std::string_view what, std::string_view uri,
                                                 bool allow_insecure_http);
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// query strings

/// Decoded (name, value) pairs of a query string, in order, duplicates kept.
using query_params = std::vector<std::pair<std::string, std::string>>;

/// Splits an application/x-www-form-urlencoded string (a URL query, with or without its leading
/// '?', or a form body) on '&' and form-decodes names and values ('+' is a space). Order and
/// duplicates are kept; empty fields ("a=1&&b=2", a trailing '&') are skipped; a field without
/// '=' has an empty value. Fails with errc::invalid_percent_encoding naming the position (never
/// the value, which may be a code or token).
[[nodiscard]] result<query_params> parse_query(std::string_view query);

/// Builds "a=b&c=d" from `params`, form-encoding every name and value (inverse of parse_query).
[[nodiscard]] std::string query_string(const query_params& params);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE bool is_loopback_host(std::string_view host) noexcept {
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

namespace detail {

/// Offset in `s` of the first byte component `c` does not allow (or of a malformed %-escape),
/// or npos.
PROFILE_AUTH_INLINE std::size_t find_bad_url_char(std::string_view s, url_component c) noexcept {
  const unsigned char allowed = url_allowed(c);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((byte_class[b] & allowed) != 0) continue;
    if (b == ':' && c == url_component::userinfo) continue;
    if (b == '/' && c >= url_component::path) continue;
    if (b == '?' && c >= url_component::query) continue;
    if (b == '%' && (allowed & url_pct) != 0 && i + 2 < s.size() &&
        hex_value(static_cast<unsigned char>(s[i + 1])) < 16 &&
        hex_value(static_cast<unsigned char>(s[i + 2])) < 16) {
      i += 2;
      continue;
    }
    return i;
  }
  return std::string_view::npos;
}

/// Checks component `c` (at offset `base` of the URL); records the fault when a byte is bad.
PROFILE_AUTH_INLINE bool url_chars_ok(std::string_view s, std::size_t base, url_component c,
                                      url_fault& f) noexcept {
  const std::size_t bad = find_bad_url_char(s, c);
  if (bad == std::string_view::npos) return true;
  f = {url_problem::bad_chars, c, base + bad, 0};
  return false;
}

/// parse_url's grammar on views, without allocating: true and `u` filled, or false and `f`
/// saying what is wrong (see parse_url for the rules).
PROFILE_AUTH_INLINE bool scan_url(std::string_view text, url_view& u, url_fault& f) noexcept {
  if (text.empty()) {
    f.what = url_problem::empty;
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7F || c == '\\' || c == '"' || c == '<' || c == '>') {
      f = {url_problem::bad_byte, {}, i, 0};
      return false;
    }
  }
  // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  std::size_t i = 0;
  for (; i < text.size() && text[i] != ':'; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(i > 0 && other)) {
      f = {url_problem::scheme_byte, {}, i, 0};
      return false;
    }
  }
  if (i == 0 || i == text.size()) {
    f.what = url_problem::no_scheme;
    return false;
  }
  u.scheme = text.substr(0, i);
  const bool web = iequals(u.scheme, "http") || iequals(u.scheme, "https");
  ++i;  // ':'

  if (text.substr(i, 2) == "//") {
    u.has_authority = true;
    i += 2;
    std::size_t end = text.find_first_of("/?#", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view auth = text.substr(i, end - i);
    std::size_t host_at = i;  // offset of the host in text
    if (const std::size_t at = auth.find('@'); at != std::string_view::npos) {
      if (const std::size_t at2 = auth.find('@', at + 1); at2 != std::string_view::npos) {
        f = {url_problem::two_at, {}, i + at2, 0};
        return false;
      }
      if (at == 0) {
        f = {url_problem::no_user, {}, i, 0};
        return false;
      }
      if (!url_chars_ok(auth.substr(0, at), i, url_component::userinfo, f)) return false;
      u.userinfo = auth.substr(0, at);
      auth.remove_prefix(at + 1);
      host_at += at + 1;
    }
    std::size_t colon = std::string_view::npos;  // index of the port's ':' in auth
    if (!auth.empty() && auth.front() == '[') {
      const std::size_t close = auth.find(']');
      if (close == std::string_view::npos) {
        f = {url_problem::ipv6_unclosed, {}, host_at, 0};
        return false;
      }
      const std::string_view literal = auth.substr(1, close - 1);
      std::array<std::uint16_t, 8> v6{};
      if (!parse_ipv6(literal, v6)) {
        f = {url_problem::ipv6_invalid, {}, host_at + 1, literal.size()};
        return false;
      }
      u.host = literal;
      u.ipv6_literal = true;
      if (close + 1 < auth.size() && auth[close + 1] != ':') {
        f = {url_problem::after_ipv6, {}, host_at + close + 1, 0};
        return false;
      }
      if (close + 1 < auth.size()) colon = close + 1;
    } else {
      colon = auth.find(':');
      u.host = auth.substr(0, colon);
      if (!url_chars_ok(u.host, host_at, url_component::host, f)) return false;
    }
    if (colon != std::string_view::npos) {
      const std::string_view digits = auth.substr(colon + 1);
      const std::size_t port_at = host_at + colon + 1;
      if (digits.empty()) {
        f.what = url_problem::port_empty;
        return false;
      }
      unsigned long value = 0;
      for (const char c : digits) {
        if (c < '0' || c > '9') {
          f = {url_problem::port_not_digits, {}, port_at, 0};
          return false;
        }
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535) break;
      }
      if (value == 0 || value > 65535) {
        f = {url_problem::port_range, {}, port_at, 0};
        return false;
      }
      u.port = static_cast<std::uint16_t>(value);
    }
    if (web && u.host.empty()) {
      f.what = url_problem::web_empty_host;
      return false;
    }
    i = end;
  } else if (web) {
    f.what = url_problem::web_no_slashes;
    return false;
  }

  std::size_t end = text.find_first_of("?#", i);
  if (end == std::string_view::npos) end = text.size();
  if (!u.has_authority && end == i) {
    f.what = url_problem::nothing_after_scheme;
    return false;
  }
  u.path = text.substr(i, end - i);
  if (!url_chars_ok(u.path, i, url_component::path, f)) return false;
  i = end;
  if (i < text.size() && text[i] == '?') {
    end = text.find('#', i);
    if (end == std::string_view::npos) end = text.size();
    u.query = text.substr(i + 1, end - i - 1);
    if (!url_chars_ok(u.query, i + 1, url_component::query, f)) return false;
    u.has_query = true;
    i = end;
  }
  if (i < text.size()) {  // only '#' can be left
    u.fragment = text.substr(i + 1);
    if (!url_chars_ok(u.fragment, i + 1, url_component::fragment, f)) return false;
    u.has_fragment = true;
  }
  return true;
}

/// check_endpoint's rules on top of scan_url (see check_endpoint).
PROFILE_AUTH_INLINE bool scan_endpoint(std::string_view text, bool allow_insecure, url_view& u,
                                       url_fault& f) noexcept {
  if (!scan_url(text, u, f)) return false;
  const bool http = iequals(u.scheme, "http");
  if (!http && !iequals(u.scheme, "https"))
    f.what = url_problem::endpoint_scheme;
  else if (!u.userinfo.empty())
    f.what = url_problem::endpoint_userinfo;
  else if (u.has_fragment)
    f.what = url_problem::endpoint_fragment;
  else if (http && !allow_insecure && !is_loopback_host(u.host))
    f.what = url_problem::endpoint_insecure;
  return f.what == url_problem::none;
}

/// The owned, normalised url_parts of a scanned URL.
PROFILE_AUTH_INLINE url_parts to_url_parts(const url_view& v) {
  url_parts u;
  u.scheme = ascii_lowercase(v.scheme);
  u.userinfo = std::string(v.userinfo);
  u.host = ascii_lowercase(v.host);
  u.port = v.port;
  u.path = std::string(v.path);
  u.query = std::string(v.query);
  u.fragment = std::string(v.fragment);
  u.has_authority = v.has_authority;
  u.ipv6_literal = v.ipv6_literal;
  u.has_query = v.has_query;
  u.has_fragment = v.has_fragment;
  return u;
}

}  // namespace detail

PROFILE_AUTH_INLINE result<url_parts> parse_url(std::string_view text) {
  detail::url_view v;
  detail::url_fault f;
  if (!detail::scan_url(text, v, f)) return detail::url_fault_error(text, v, f);
  return detail::to_url_parts(v);
}

PROFILE_AUTH_INLINE std::string to_string(const url_parts& u) {
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

PROFILE_AUTH_INLINE result<url_parts> check_endpoint(std::string_view text, bool allow_insecure) {
  detail::url_view v;
  detail::url_fault f;
  if (!detail::scan_endpoint(text, allow_insecure, v, f))
    return detail::url_fault_error(text, v, f);
  return detail::to_url_parts(v);
}

namespace detail {

PROFILE_AUTH_INLINE result<void> check_endpoint_text(std::string_view text, bool allow_insecure) {
  url_view v;
  url_fault f;
  if (!scan_endpoint(text, allow_insecure, v, f)) return url_fault_error(text, v, f);
  return {};
}

PROFILE_AUTH_INLINE result<void> check_redirect_target(std::string_view what, std::string_view uri,
                                                       bool allow_insecure_http) {
  const auto named = [what](std::string_view rest) {
    return std::string(what) + std::string(rest);
  };
  auto u = parse_url(uri);
  if (!u) return fail(errc::invalid_url, named(": ") + u.error().message);
  if (u->has_fragment)
    return fail(errc::invalid_url, named(" has a fragment ('#'), which RFC 6749 §3.1.2 forbids: "
                                         "remove it"));
  for (const std::string_view s : {"javascript", "vbscript", "data", "file", "blob", "about"})
    if (iequals(u->scheme, s))
      return fail(errc::invalid_url,
                  named(" uses the '") + std::string(s) +
                      ":' scheme, which runs or embeds content instead of reaching an app: use "
                      "https, a loopback address or a private-use scheme");
  const bool http = iequals(u->scheme, "http");
  if ((http || iequals(u->scheme, "https")) && !u->userinfo.empty())
    return fail(errc::invalid_url, named(" carries user information ('user@'): remove it"));
  if (http && !allow_insecure_http && !is_loopback_host(u->host))
    return fail(errc::insecure_endpoint,
                named(" is plain http to '") + u->host +
                    "': use https, a loopback address (http://127.0.0.1:port/…, RFC 8252 §7.3) "
                    "or a private-use scheme (com.example.app:/callback)");
  return {};
}
}  // namespace detail

PROFILE_AUTH_INLINE result<query_params> parse_query(std::string_view query) {
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

PROFILE_AUTH_INLINE std::string query_string(const query_params& params) {
  std::size_t size = 0;
  for (const auto& [n, v] : params) size += n.size() + v.size() + 2;
  std::string out;
  out.reserve(size);
  for (const auto& [n, v] : params) append_form_field(out, n, v);
  return out;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_URL_HPP
