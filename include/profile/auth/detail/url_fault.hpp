// SPDX-License-Identifier: MIT
// profile-auth: what the URL scanner reports (views, faults) and the words for each fault.
#ifndef PROFILE_AUTH_DETAIL_URL_FAULT_HPP
#define PROFILE_AUTH_DETAIL_URL_FAULT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <cstddef>      // std::size_t positions
#include <cstdint>      // std::uint16_t port
#include <optional>     // the port is optional
#include <string>       // messages, lower-cased copies
#include <string_view>  // views into the URL

namespace profile::auth::inline v0::detail {

// Byte classes for URL validation (RFC 3986 §2, §3): encoding.hpp's byte_class table.
inline constexpr unsigned char url_unreserved = byte_unreserved;
inline constexpr unsigned char url_sub_delim = byte_sub_delim;
inline constexpr unsigned char url_colon_at = byte_colon_at;
inline constexpr unsigned char url_lenient = byte_lenient;
inline constexpr unsigned char url_pchar = url_unreserved | url_sub_delim | url_colon_at;
inline constexpr unsigned char url_pct = 32;  // not a byte class: "%XX escapes allowed"
static_assert((url_pct & (url_pchar | url_lenient | byte_hex)) == 0);

/// What is wrong with a URL or an endpoint, as found by scan_url / scan_endpoint. The scanners
/// only record it; url_fault_message() turns it into words, so the scanners stay small and
/// allocation-free, and PROFILE_AUTH_TERSE_ERRORS builds drop the wording altogether.
enum class url_problem : unsigned char {
  none,
  empty,                 ///< ""
  bad_byte,              ///< a byte no URL may hold raw, at pos
  scheme_byte,           ///< a byte at pos that cannot be part of the scheme
  no_scheme,             ///< no ':' after the scheme characters, or nothing before it
  two_at,                ///< a second '@' in the authority, at pos
  no_user,               ///< '@' right after "//" (pos = the authority)
  bad_chars,             ///< a byte at pos that `where` does not allow (or a bad %-escape)
  ipv6_unclosed,         ///< '[' at pos never closed
  ipv6_invalid,          ///< the literal at pos (len bytes) is not an IPv6 address
  after_ipv6,            ///< a byte at pos after ']' that is not ':'
  port_empty,            ///< "host:" with nothing after ':'
  port_not_digits,       ///< the port at pos has a non-digit
  port_range,            ///< the port at pos is 0 or above 65535
  web_empty_host,        ///< http(s)://:80/ or https:///path
  web_no_slashes,        ///< http(s) without "//"
  nothing_after_scheme,  ///< "foo:"
  // check_endpoint's rules for a URL that parses:
  endpoint_scheme,    ///< neither http nor https
  endpoint_userinfo,  ///< user information present
  endpoint_fragment,  ///< '#' present
  endpoint_insecure,  ///< plain http to a host that is not loopback (errc::insecure_endpoint)
};

/// The URL components that have byte rules, for url_problem::bad_chars.
enum class url_component : unsigned char { userinfo, host, path, query, fragment };

struct url_fault {
  url_problem what = url_problem::none;
  url_component where = url_component::path;
  std::size_t pos = 0;  ///< offset in the URL text
  std::size_t len = 0;  ///< ipv6_invalid: the literal's length
};

/// A parsed URL as views into its text: nothing owned and nothing lower-cased yet.
struct url_view {
  std::string_view scheme, userinfo, host, path, query, fragment;
  std::optional<std::uint16_t> port;
  bool has_authority = false, ipv6_literal = false, has_query = false, has_fragment = false;
};

/// The byte classes component `c` allows, and whether it allows %XX escapes.
[[nodiscard]] constexpr unsigned char url_allowed(url_component c) noexcept {
  switch (c) {
    case url_component::userinfo:
      return url_unreserved | url_sub_delim | url_pct;
    case url_component::host:
      return url_unreserved | url_sub_delim;
    case url_component::path:
      return url_pchar | url_pct;
    default:
      return url_pchar | url_lenient | url_pct;
  }
}

std::string ascii_lowercase(std::string_view s);

/// The words for a fault of `text` (parsed as far as `u`). Messages name positions, bytes, the
/// scheme and the host; never the port, path, query or user information, which may hold
/// secrets (with a forgotten '@', "https://id:secret/…" puts a secret in the port).
[[nodiscard]] std::string url_fault_message(std::string_view text, const url_view& u,
                                            const url_fault& f);

/// The error value of a fault: errc::insecure_endpoint or errc::invalid_url.
[[nodiscard]] unexpected<error> url_fault_error(std::string_view text, const url_view& u,
                                                const url_fault& f);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

PROFILE_AUTH_INLINE std::string url_fault_message(std::string_view text, const url_view& u,
                                                  const url_fault& f) {
  const auto at = [&] { return " at position " + std::to_string(f.pos); };
  const auto byte = [&] { return describe_byte(static_cast<unsigned char>(text[f.pos])); };
  const std::string scheme = ascii_lowercase(u.scheme);
  std::string m = "invalid URL: ";
  switch (f.what) {
    case url_problem::none:
    case url_problem::empty:
      return m + "the URL is empty";
    case url_problem::bad_byte:
      return m + "byte " + byte() + at() +
             " is not allowed in a URL (spaces, control, non-ASCII bytes and \\ \" < > must be "
             "percent-encoded)";
    case url_problem::scheme_byte:
      return m + "no scheme: byte " + byte() + at() +
             " cannot be part of one (an absolute URL such as https://host/path is required)";
    case url_problem::no_scheme:
      return m + "no scheme (an absolute URL such as https://host/path is required)";
    case url_problem::two_at:
      return m + "more than one '@' in the authority (at position " + std::to_string(f.pos) +
             "); percent-encode '@' in user information";
    case url_problem::no_user:
      return m + "'@'" + at() + " has no user before it";
    case url_problem::bad_chars: {
      constexpr const char* names[] = {"user information",
                                       "host (percent-encoded names are not supported)", "path",
                                       "query", "fragment"};
      const char* component = names[static_cast<unsigned>(f.where)];
      const bool pct = (url_allowed(f.where) & url_pct) != 0;
      if (text[f.pos] == '%' && pct)
        return m + "malformed percent escape" + at() + " in the " + component +
               " ('%' must be followed by two hex digits)";
      return m + "byte " + byte() + at() + " is not allowed in the " + component +
             (pct ? "; percent-encode it" : "");
    }
    case url_problem::ipv6_unclosed:
      return m + "'['" + at() + " opens an IPv6 host that is never closed with ']'";
    case url_problem::ipv6_invalid:
      return m + "host '[" + std::string(text.substr(f.pos, f.len)) +
             "]' is not a valid IPv6 address (zone identifiers and IPvFuture are not supported)";
    case url_problem::after_ipv6:
      return m + "byte " + byte() + at() + " follows the IPv6 host (only ':port' may follow ']')";
    case url_problem::port_empty:
      return m + "the port after ':' is empty (omit the ':')";
    case url_problem::port_not_digits:
      return m + "the port" + at() + " is not a decimal number";
    case url_problem::port_range:
      return m + "the port" + at() + " is out of range (1-65535)";
    case url_problem::web_empty_host:
      return m + scheme + " URL has an empty host (expected " + scheme + "://host/…)";
    case url_problem::web_no_slashes:
      return m + scheme + " URL needs '//' and a host after '" + scheme + ":'";
    case url_problem::nothing_after_scheme:
      return m + "nothing follows '" + scheme + ":' (expected a path or '//host')";
    case url_problem::endpoint_scheme:
      return "endpoint scheme '" + scheme +
             "' is not supported: an endpoint must be an https:// URL";
    case url_problem::endpoint_userinfo:
      return "endpoint URL for host '" + ascii_lowercase(u.host) +
             "' carries user information ('user:password@'): remove it and configure client "
             "authentication instead";
    case url_problem::endpoint_fragment:
      return "endpoint URL for host '" + ascii_lowercase(u.host) +
             "' has a fragment ('#'), which RFC 6749 §3.1 forbids";
    case url_problem::endpoint_insecure:
      break;
  }
  return "endpoint http://" + std::string(u.ipv6_literal ? "[" : "") + ascii_lowercase(u.host) +
         (u.ipv6_literal ? "]" : "") +
         " is not https: use https://, or opt in to plain http explicitly (allowed by default "
         "only for localhost, 127.0.0.0/8 and ::1)";
}

PROFILE_AUTH_INLINE unexpected<error> url_fault_error(std::string_view text, const url_view& u,
                                                      const url_fault& f) {
  const bool insecure = f.what == url_problem::endpoint_insecure;
  const errc code = insecure ? errc::insecure_endpoint : errc::invalid_url;
  if constexpr (terse_errors)
    return fail(code, insecure                                 ? "endpoint is not https"
                      : f.what >= url_problem::endpoint_scheme ? "endpoint URL not allowed"
                                                               : "invalid URL");
  else
    return fail(code, url_fault_message(text, u, f));
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_URL_FAULT_HPP
