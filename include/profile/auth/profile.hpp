// SPDX-License-Identifier: MIT
// profile-auth: presets for the Profile API (M2M token endpoint and the /test endpoint).
#ifndef PROFILE_AUTH_PROFILE_HPP
#define PROFILE_AUTH_PROFILE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/secret.hpp>

#include <string>       // URLs and ids
#include <string_view>  // base URLs and paths
#include <utility>      // std::move

namespace profile::auth::inline v0::detail {
/// `base` without trailing slashes, followed by `path` (which starts with '/').
[[nodiscard]] inline std::string profile_join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string out;
  out.reserve(base.size() + path.size());
  out.append(base);
  out.append(path);
  return out;
}

[[nodiscard]] inline client_credentials_config profile_m2m_preset(std::string client_id,
                                                                  secret client_secret,
                                                                  std::string_view base_url,
                                                                  std::string_view path) {
  client_credentials_config c;
  c.token_endpoint = profile_join_url(base_url, path);
  c.client_id = std::move(client_id);
  c.client_secret = std::move(client_secret);
  c.format = body_format::json;
  c.auth = client_auth::client_secret_post;
  return c;
}

[[nodiscard]] inline http_request profile_json_post(std::string url, std::string_view json_body) {
  http_request r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers.add("Accept", "application/json");
  r.headers.add("Content-Type", "application/json");
  r.body.assign(json_body);
  return r;
}
}  // namespace profile::auth::inline v0::detail

/// Presets for the Profile API. Every function takes a base URL so staging servers, newer
/// deployments and local test servers work the same way; a trailing '/' on it is ignored.
namespace profile::auth::inline v0::profile {

/// The Profile API (v3 paths).
inline constexpr std::string_view default_base_url = "https://api.profilebehavior.com";
/// The newer deployment (v4 paths under /api; same JSON body, also accepts HTTP Basic).
inline constexpr std::string_view v4_base_url = "https://vanguard.profilebehavior.com";

inline constexpr std::string_view m2m_token_path = "/v3/auth";
inline constexpr std::string_view test_path = "/v3/test";
inline constexpr std::string_view v4_m2m_token_path = "/api/v4/auth";
inline constexpr std::string_view v4_test_path = "/api/v4/test";

/// M2M configuration for the Profile API: `POST {base_url}/v3/auth` with the JSON body
/// `{"grant_type":"client_credentials","client_id":…,"client_secret":…}`.
/// Nothing is checked here: client_credentials_request() validates (https is required unless
/// the host is loopback; set `allow_insecure_http` on the result to opt out for other hosts).
[[nodiscard]] inline client_credentials_config m2m_config(
    std::string client_id, secret client_secret, std::string_view base_url = default_base_url) {
  return detail::profile_m2m_preset(std::move(client_id), std::move(client_secret), base_url,
                                    m2m_token_path);
}

/// M2M configuration for the newer deployment: `POST {base_url}/api/v4/auth`, same JSON body.
/// It also accepts the credentials as HTTP Basic: set `auth = client_auth::client_secret_basic`
/// on the result to send them there (the body then carries grant_type only).
[[nodiscard]] inline client_credentials_config m2m_config_v4(
    std::string client_id, secret client_secret, std::string_view base_url = v4_base_url) {
  return detail::profile_m2m_preset(std::move(client_id), std::move(client_secret), base_url,
                                    v4_m2m_token_path);
}

/// `POST {base_url}/v3/test` with a JSON body, for checking that a token works. The request
/// carries no Authorization header: m2m_client::send() adds it.
[[nodiscard]] inline http_request test_request(std::string_view json_body = R"({"ping":"pong"})",
                                               std::string_view base_url = default_base_url) {
  return detail::profile_json_post(detail::profile_join_url(base_url, test_path), json_body);
}

/// `POST {base_url}/api/v4/test` on the newer deployment; see test_request().
[[nodiscard]] inline http_request test_request_v4(std::string_view json_body = R"({"ping":"pong"})",
                                                  std::string_view base_url = v4_base_url) {
  return detail::profile_json_post(detail::profile_join_url(base_url, v4_test_path), json_body);
}

}  // namespace profile::auth::inline v0::profile

#endif  // PROFILE_AUTH_PROFILE_HPP
