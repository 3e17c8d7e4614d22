// SPDX-License-Identifier: MIT
// profile-auth: where a driver's send() may attach its access token (https, and its audience).
#ifndef PROFILE_AUTH_DETAIL_TOKEN_DESTINATION_HPP
#define PROFILE_AUTH_DETAIL_TOKEN_DESTINATION_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/result.hpp>

#include <array>        // IPv6 hosts as eight groups
#include <cstdint>      // std::uint16_t ports and groups
#include <optional>     // a bad api_origins entry
#include <string>       // hosts, messages
#include <string_view>  // URLs
#include <vector>       // the allowed origins

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/ip_literal.hpp>  // parse_ipv6: IPv6 hosts compare as addresses
#include <profile/auth/detail/url_fault.hpp>   // url_view, url_fault, url_fault_error
#include <profile/auth/url.hpp>                // scan_url, is_loopback_host

#include <cstddef>  // std::size_t
#endif

namespace profile::auth::inline v0::detail {

/// The origin (RFC 6454 §4) of an http or https URL, normalised for comparison: the scheme, the
/// host (ASCII case-insensitive; an IPv6 literal as its address, so "[::1]" and
/// "[0:0:0:0:0:0:0:1]" are one host) and the port (the scheme's default when none is written,
/// so "https://h" and "https://h:443" are one origin).
struct web_origin {
  bool https = true;
  bool ipv6 = false;
  std::string host;                   ///< lower-cased, without brackets
  std::array<std::uint16_t, 8> v6{};  ///< the address, when ipv6
  std::uint16_t port = 443;
};

/// Where a driver's send() may attach its access token: only over https (plain http only to a
/// loopback host, or to any host when the configuration sets allow_insecure_http) and only to
/// an origin the configuration names as the token's audience. Built once per driver; check()
/// allocates nothing when the destination is allowed.
class token_destinations {
 public:
  /// Allows nothing: every check() fails.
  token_destinations() = default;
  /// `implied`: URLs the configuration implies as the token's audience (the token endpoint,
  /// resource indicators …); values that are not http(s) URLs without user information are
  /// skipped (an audience may be a plain name). `api_origins`: the configuration's explicit
  /// list, each an endpoint-style URL (check_endpoint's rules); a bad entry makes every
  /// check() fail with its error, named by its index.
  token_destinations(const std::vector<std::string_view>& implied,
                     const std::vector<std::string>& api_origins, bool allow_insecure_http);

  /// Succeeds when the token may be attached to a request for `url`. Fails, before anything is
  /// sent, with errc::invalid_url when `url` does not parse, is not http(s), carries user
  /// information ("https://api.example.com@evil.example" goes to evil.example), is plain http
  /// to a host that is not loopback (without allow_insecure_http), or names an origin the
  /// configuration does not; or with the error of a bad api_origins entry. Messages name the
  /// scheme, host and port only, never the path, query or user information.
  [[nodiscard]] result<void> check(std::string_view url) const;

  /// The allowed origins, deduplicated, in the order they were configured.
  [[nodiscard]] const std::vector<web_origin>& allowed() const noexcept { return allowed_; }

 private:
  void add(web_origin o);

  std::vector<web_origin> allowed_;
  std::optional<error> bad_config_;
  bool allow_insecure_http_ = false;
};

/// m2m_client's destinations: the origins of token_endpoint, of every `resource` and
/// `audience` value that is an http(s) URL, and of every api_origins entry.
[[nodiscard]] token_destinations token_destinations_for(const client_credentials_config& c);

/// user_session's destinations: the origins of token_endpoint, of every `resource` value that
/// is an http(s) URL (RFC 8707: the APIs the token is for), and of every api_origins entry.
[[nodiscard]] token_destinations token_destinations_for(const user_auth_config& c);

/// The destinations of a TokenSource's configuration; none (every send() refused) for a source
/// without one.
template <class S>
[[nodiscard]] token_destinations token_destinations_of(const S& source) {
  if constexpr (requires { token_destinations_for(source.config()); })
    return token_destinations_for(source.config());
  else
    return token_destinations{};
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

/// The origin of a scanned http(s) URL.
PROFILE_AUTH_INLINE web_origin web_origin_of(const url_view& u) {
  web_origin o;
  o.https = iequals(u.scheme, "https");
  o.ipv6 = u.ipv6_literal;
  o.host = ascii_lowercase(u.host);
  if (o.ipv6) (void)parse_ipv6(u.host, o.v6);  // scan_url accepted it
  o.port = u.port ? *u.port : static_cast<std::uint16_t>(o.https ? 443 : 80);
  return o;
}

/// True when the scanned URL `u` has the origin `o` (nothing allocated).
PROFILE_AUTH_INLINE bool same_origin(const web_origin& o, const url_view& u) noexcept {
  const bool https = iequals(u.scheme, "https");
  const std::uint16_t port = u.port ? *u.port : static_cast<std::uint16_t>(https ? 443 : 80);
  if (o.https != https || o.port != port || o.ipv6 != u.ipv6_literal) return false;
  if (!o.ipv6) return iequals(o.host, u.host);
  std::array<std::uint16_t, 8> v6{};
  return parse_ipv6(u.host, v6) && v6 == o.v6;
}

/// "https://host", "http://[::1]:8080": the origin as a URL prefix, for messages.
PROFILE_AUTH_INLINE std::string origin_text(const web_origin& o) {
  std::string s = o.https ? "https://" : "http://";
  s += o.ipv6 ? "[" + o.host + "]" : o.host;
  if (o.port != (o.https ? 443 : 80)) s += ":" + std::to_string(o.port);
  return s;
}

PROFILE_AUTH_INLINE void token_destinations::add(web_origin o) {
  for (const web_origin& a : allowed_)
    if (a.https == o.https && a.port == o.port && a.ipv6 == o.ipv6 &&
        (o.ipv6 ? a.v6 == o.v6 : a.host == o.host))
      return;
  allowed_.push_back(std::move(o));
}

PROFILE_AUTH_INLINE token_destinations::token_destinations(
    const std::vector<std::string_view>& implied, const std::vector<std::string>& api_origins,
    bool allow_insecure_http)
    : allow_insecure_http_(allow_insecure_http) {
  for (const std::string_view text : implied) {
    url_view u;
    url_fault f;
    const bool web =
        scan_url(text, u, f) && (iequals(u.scheme, "https") || iequals(u.scheme, "http"));
    if (web && u.has_authority && u.userinfo.empty()) add(web_origin_of(u));
  }
  for (std::size_t i = 0; i < api_origins.size(); ++i) {
    url_view u;
    url_fault f;
    if (scan_endpoint(api_origins[i], allow_insecure_http, u, f)) {
      add(web_origin_of(u));
      continue;
    }
    error e = url_fault_error(api_origins[i], u, f).error();
    if constexpr (!terse_errors)
      e.message = "api_origins[" + std::to_string(i) + "]: " + e.message +
                  " (an entry is the base URL of an API the token is for, such as "
                  "https://api.example.com)";
    bad_config_ = std::move(e);
    return;
  }
}

PROFILE_AUTH_INLINE result<void> token_destinations::check(std::string_view url) const {
  if (bad_config_) return unexpected<error>(*bad_config_);
  url_view u;
  url_fault f;
  if (!scan_url(url, u, f)) {
    error e = url_fault_error(url, u, f).error();
    e.code = errc::invalid_url;
    if constexpr (!terse_errors)
      e.message = "send(): the request URL is not usable (" + e.message + "); nothing was sent";
    return unexpected<error>(std::move(e));
  }
  const bool https = iequals(u.scheme, "https");
  const bool http = iequals(u.scheme, "http");
  if (https || http) {
    // The common case first, without allocating: an allowed https origin.
    if (u.userinfo.empty() && (https || allow_insecure_http_ || is_loopback_host(u.host)))
      for (const web_origin& a : allowed_)
        if (same_origin(a, u)) return {};
  }
  if constexpr (terse_errors) {
    return fail(errc::invalid_url, "token destination not allowed");
  } else {
    if (!https && !http)
      return fail(errc::invalid_url,
                  "send(): the request URL's scheme is '" + ascii_lowercase(u.scheme) +
                      "': the access token is only sent over https (plain http only to "
                      "localhost, 127.0.0.0/8 and ::1); nothing was sent");
    if (!u.has_authority || u.host.empty())
      return fail(errc::invalid_url, "send(): the request URL has no host; nothing was sent");
    const std::string origin = origin_text(web_origin_of(u));
    if (!u.userinfo.empty())
      return fail(errc::invalid_url,
                  "send(): the request URL carries user information ('…@') before its host, "
                  "so it goes to " +
                      origin +
                      ": the access token is never sent with such a URL; remove the user "
                      "information; nothing was sent");
    if (http && !allow_insecure_http_ && !is_loopback_host(u.host))
      return fail(errc::invalid_url,
                  "send(): " + origin +
                      " is plain http: the access token only goes over https (plain http only "
                      "to localhost, 127.0.0.0/8 and ::1, or with allow_insecure_http set in "
                      "the configuration); nothing was sent");
    std::string list;
    for (std::size_t i = 0; i < allowed_.size() && i < 4; ++i)
      list += (i == 0 ? "" : ", ") + origin_text(allowed_[i]);
    if (allowed_.size() > 4) list += ", …";
    return fail(errc::invalid_url,
                "send(): the access token is not meant for " + origin +
                    (list.empty() ? std::string(" (the configuration names no origin for it)")
                                  : " (it goes only to " + list + ")") +
                    ": to send it there, add \"" + origin +
                    "\" to the configuration's api_origins; nothing was sent");
  }
}

PROFILE_AUTH_INLINE token_destinations token_destinations_for(const client_credentials_config& c) {
  std::vector<std::string_view> implied;
  implied.reserve(1 + c.resource.size() + c.audience.size());
  implied.emplace_back(c.token_endpoint);
  for (const std::string& r : c.resource) implied.emplace_back(r);
  for (const std::string& a : c.audience) implied.emplace_back(a);
  return token_destinations(implied, c.api_origins, c.allow_insecure_http);
}

PROFILE_AUTH_INLINE token_destinations token_destinations_for(const user_auth_config& c) {
  std::vector<std::string_view> implied;
  implied.reserve(1 + c.resource.size());
  implied.emplace_back(c.token_endpoint);
  for (const std::string& r : c.resource) implied.emplace_back(r);
  return token_destinations(implied, c.api_origins, c.allow_insecure_http);
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_TOKEN_DESTINATION_HPP
