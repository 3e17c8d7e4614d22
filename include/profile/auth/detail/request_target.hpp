// SPDX-License-Identifier: MIT
// profile-auth: the request checks every shipped transport makes before it opens a connection
// (method, URL, header fields), and the URL taken apart into what a connection needs.
#ifndef PROFILE_AUTH_DETAIL_REQUEST_TARGET_HPP
#define PROFILE_AUTH_DETAIL_REQUEST_TARGET_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/ip_literal.hpp>  // parse_ipv4: an IP-literal host gets no SNI
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>  // http_request; is_http_token, has_line_break
#include <profile/auth/result.hpp>
#include <profile/auth/url.hpp>  // parse_url, url_parts

#include <array>        // the parsed IPv4 address
#include <cstdint>      // std::uint16_t port
#include <optional>     // the field and method checks' verdicts
#include <string>       // origin, key, host header, target, messages
#include <string_view>  // the transport's name, checked names and values
#include <utility>      // std::move

namespace profile::auth::inline v0::detail {

/// One request's URL, checked and taken apart: what a transport needs to pick or open a
/// connection and to write the request line.
struct request_target {
  url_parts url;            ///< the parsed URL (host lower-cased, without IPv6 brackets)
  std::string origin;       ///< scheme://host[:port] as written: what messages may show
  std::string key;          ///< scheme://host:port, the port always present: a connection's key
  std::string host_header;  ///< host[:port], the port only when it is not the scheme's default
  std::string target;       ///< path ("/" when empty) and "?query" when the URL has a '?'
  std::uint16_t port = 0;   ///< the URL's port, or 443 / 80
  bool https = false;       ///< https:// (else http://)
  bool ip_literal = false;  ///< the host is an IPv4 or IPv6 address, not a DNS name
};

/// The error for a method that is not an RFC 9110 token, or std::nullopt when it is one.
/// `who` ("curl_transport", ...) starts the message.
[[nodiscard]] inline std::optional<error> request_method_fault(std::string_view who,
                                                               std::string_view method) {
  if (is_http_token(method)) return std::nullopt;
  return error(errc::invalid_argument,
               std::string(who) + ": the request method is empty or not an HTTP token");
}

/// The error for a request header field a transport must not send: a name that is not an
/// RFC 9110 token, or a value with CR, LF or NUL (it could smuggle in another header). The
/// message names the field but never quotes its value. std::nullopt when the field is fine.
[[nodiscard]] inline std::optional<error> request_field_fault(std::string_view who,
                                                              std::string_view name,
                                                              std::string_view value) {
  if (!is_http_token(name))
    return error(errc::invalid_header_value,
                 std::string(who) + ": a request header name is empty or not an HTTP token");
  if (has_line_break(value)) {
    std::string message(who);
    message += ": the value of request header '";
    message += name;
    message += "' contains CR, LF or NUL; it was not sent";
    return error(errc::invalid_header_value, std::move(message));
  }
  return std::nullopt;
}

/// Checks `request`'s method and URL and takes the URL apart. `who` starts every message.
/// Errors: errc::invalid_argument (the method is not an HTTP token), errc::invalid_url (the URL
/// does not parse, is not http:// or https://, or carries user information, which is never
/// sent and never shown). Messages show at most the scheme, host and port.
[[nodiscard]] inline result<request_target> split_request_target(std::string_view who,
                                                                 const http_request& request) {
  if (auto bad = request_method_fault(who, request.method)) return fail(std::move(*bad));
  auto u = parse_url(request.url);
  if (!u) return fail(errc::invalid_url, std::string(who) + ": " + u.error().message);
  request_target t;
  t.https = u->scheme == "https";
  if (!t.https && u->scheme != "http")
    return fail(errc::invalid_url,
                std::string(who) + ": only http:// and https:// URLs are allowed (got scheme '" +
                    u->scheme + "')");
  const std::string host = u->ipv6_literal ? "[" + u->host + "]" : u->host;
  if (!u->userinfo.empty())
    return fail(errc::invalid_url, std::string(who) + ": the URL for " + u->scheme + "://" + host +
                                       " carries user information ('user:password@'), which "
                                       "is not sent: use an Authorization header instead");
  const std::uint16_t default_port = t.https ? 443 : 80;
  t.port = u->port ? *u->port : default_port;
  const std::string port = std::to_string(t.port);
  t.origin = u->scheme + "://" + host + (u->port ? ":" + port : "");
  t.key = u->scheme + "://" + host + ":" + port;
  t.host_header = host + (t.port != default_port ? ":" + port : "");
  t.target = u->path.empty() ? "/" : u->path;
  if (u->has_query) t.target += "?" + u->query;
  std::array<unsigned char, 4> v4{};
  t.ip_literal = u->ipv6_literal || parse_ipv4(u->host, v4);
  t.url = std::move(*u);
  return t;
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_REQUEST_TARGET_HPP
