// SPDX-License-Identifier: MIT
// profile-auth interop suite: the test server's address, clients and user (as server.mjs
// configures them), a transport, and client configurations for each client.
#ifndef PROFILE_AUTH_TESTS_INTEROP_SERVER_HPP
#define PROFILE_AUTH_TESTS_INTEROP_SERVER_HPP

#include <profile/auth.hpp>
#include <profile/auth/transports/curl.hpp>

#include <doctest/doctest.h>

#include <chrono>       // transport timeouts
#include <cstdlib>      // std::getenv
#include <string>       // URLs
#include <string_view>  // constants
#include <utility>      // std::move

namespace pa = profile::auth;
namespace pt = profile::auth::transports;

namespace interop {

// ---- the server (tests/interop/server.mjs: keep these in step with its `clients`) --------------

/// The issuer URL run.sh exported (main.cpp refuses to start without it).
inline std::string issuer() {
  const char* v = std::getenv("PROFILE_AUTH_INTEROP_ISSUER");
  return v == nullptr ? std::string() : std::string(v);
}
/// issuer() + path, e.g. url("/token").
inline std::string url(std::string_view path) { return issuer() + std::string(path); }

/// The server's refresh-token rule for this run (PROFILE_AUTH_INTEROP_REFRESH).
enum class refresh_rule { always, stock };
inline refresh_rule rule() {
  const char* v = std::getenv("PROFILE_AUTH_INTEROP_REFRESH");
  return v != nullptr && std::string_view(v) == "always" ? refresh_rule::always
                                                         : refresh_rule::stock;
}

inline constexpr std::string_view basic_client_id = "m2m-basic";
inline constexpr std::string_view basic_client_secret = "basic+secret/with%odd:bytes";
inline constexpr std::string_view post_client_id = "m2m-post";
inline constexpr std::string_view post_client_secret = "post+secret/with%odd:bytes";
inline constexpr std::string_view native_client_id = "native-app";
inline constexpr std::string_view native_redirect_uri = "http://127.0.0.1/callback";
inline constexpr std::string_view web_client_id = "web-app";
inline constexpr std::string_view web_client_secret = "web-app-secret";
inline constexpr std::string_view web_redirect_uri = "http://127.0.0.1/web/callback";
inline constexpr std::string_view device_client_id = "device-app";
inline constexpr std::string_view jwt_api = "https://jwt-api.interop.test/";
inline constexpr std::string_view opaque_api = "https://opaque-api.interop.test/";
inline constexpr std::string_view user_name = "alice";
inline constexpr std::string_view user_password = "wonderland";

/// The library's libcurl transport, never through a proxy (a CI machine's http_proxy must not
/// intercept 127.0.0.1).
inline pt::curl_transport transport() {
  pt::curl_options o;
  o.proxy = "";
  o.connect_timeout = std::chrono::seconds(5);
  o.timeout = std::chrono::seconds(20);
  return pt::curl_transport(std::move(o));
}

/// A client credentials configuration for one of the M2M clients (form body, RFC 6749).
inline pa::client_credentials_config cc_config(std::string_view id, std::string_view secret,
                                               pa::client_auth how) {
  pa::client_credentials_config c;
  c.token_endpoint = url("/token");
  c.client_id = std::string(id);
  c.client_secret = pa::secret(secret);
  c.auth = how;
  return c;
}
inline pa::client_credentials_config basic_config() {
  return cc_config(basic_client_id, basic_client_secret, pa::client_auth::client_secret_basic);
}
inline pa::client_credentials_config post_config() {
  return cc_config(post_client_id, post_client_secret, pa::client_auth::client_secret_post);
}

/// The scope a login asks for under this run's refresh-token rule: the stock rule issues a
/// refresh token only for offline_access (NOTES.md), the "always" rule without it.
inline std::string login_scope() {
  return rule() == refresh_rule::always ? "openid" : "openid offline_access";
}
/// Authorization URL options under this run's rule: the stock rule drops offline_access
/// unless the request has prompt=consent (NOTES.md).
inline pa::authorization_url_options login_options() {
  pa::authorization_url_options o;
  if (rule() == refresh_rule::stock) o.prompt = "consent";
  return o;
}

/// The public native app (PKCE, token_endpoint_auth_method none, loopback redirect).
inline pa::user_auth_config native_config() {
  pa::user_auth_config c;
  c.authorization_endpoint = url("/auth");
  c.token_endpoint = url("/token");
  c.revocation_endpoint = url("/token/revocation");
  c.client_id = std::string(native_client_id);
  c.redirect_uri = std::string(native_redirect_uri);
  c.scope = login_scope();
  return c;
}
/// The confidential web app (client_secret_basic).
inline pa::user_auth_config web_config() {
  pa::user_auth_config c = native_config();
  c.client_id = std::string(web_client_id);
  c.client_secret = pa::secret(web_client_secret);
  c.redirect_uri = std::string(web_redirect_uri);
  return c;
}
/// The public device client (RFC 8628). offline_access is kept without prompt=consent by the
/// device endpoint, so one scope fits both rules.
inline pa::user_auth_config device_config() {
  pa::user_auth_config c;
  c.token_endpoint = url("/token");
  c.revocation_endpoint = url("/token/revocation");
  c.device_authorization_endpoint = url("/device/auth");
  c.client_id = std::string(device_client_id);
  c.scope = "openid offline_access";
  return c;
}

/// Sends `req` and REQUIREs an HTTP answer (the tests are about what the server says).
template <class T>
pa::http_response send(T& t, const pa::http_request& req) {
  pa::result<pa::http_response> r = t.send(req);
  if (!r) {
    FAIL("transport failed for " << req.method << ' ' << req.url << ": " << r.error().message);
    return {};
  }
  return std::move(*r);
}

/// The library's monotonic now.
inline pa::time_point now() { return pa::to_time_point(std::chrono::steady_clock::now()); }

}  // namespace interop

#endif  // PROFILE_AUTH_TESTS_INTEROP_SERVER_HPP
