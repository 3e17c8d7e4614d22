// SPDX-License-Identifier: MIT
// profile-auth: presets for the Profile API (M2M, user authorization endpoints, /v3/my-account).
#ifndef PROFILE_AUTH_PROFILE_HPP
#define PROFILE_AUTH_PROFILE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <string>       // URLs and ids
#include <string_view>  // base URLs and paths
#include <utility>      // std::move

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // the my-account answer
#include <profile/auth/oauth_error.hpp>  // error answers of the my-account endpoint
#endif

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
// (the helpers of the presets below; their own definitions close the file)
#if PROFILE_AUTH_DEFINITIONS
namespace profile::auth::inline v0::detail {
/// `base` without trailing slashes, followed by `path` (which starts with '/').
PROFILE_AUTH_INLINE std::string profile_join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string out;
  out.reserve(base.size() + path.size());
  out.append(base);
  out.append(path);
  return out;
}

PROFILE_AUTH_INLINE client_credentials_config profile_m2m_preset(std::string client_id,
                                                                 secret client_secret,
                                                                 std::string_view base_url,
                                                                 std::string_view path) {
  client_credentials_config c;
  c.token_endpoint = profile_join_url(base_url, path);
  c.client_id = std::move(client_id);
  c.client_secret = std::move(client_secret);
  c.format = body_format::json;
  c.auth = client_auth::client_secret_post;
  c.api_origins.emplace_back(base_url);  // the token is for the API at base_url
  return c;
}

PROFILE_AUTH_INLINE http_request profile_json_post(std::string url, std::string_view json_body) {
  http_request r;
  r.method = "POST";
  r.url = std::move(url);
  r.headers.add("Accept", "application/json");
  r.headers.add("Content-Type", "application/json");
  r.body.assign(json_body);
  return r;
}
}  // namespace profile::auth::inline v0::detail
#endif  // PROFILE_AUTH_DEFINITIONS

/// Presets for the Profile API. Every function takes a base URL so staging servers, newer
/// deployments and local test servers work the same way; a trailing '/' on it is ignored.
namespace profile::auth::inline v0::profile {

/// The Profile API (v3 paths).
inline constexpr std::string_view default_base_url = "https://api.profilebehavior.com";
/// The newer deployment (v4 paths under /api; same JSON body, also accepts HTTP Basic).
inline constexpr std::string_view v4_base_url = "https://vanguard.profilebehavior.com";

///@{
/// The M2M token and test paths of the v3 API and of the v4 deployment.
inline constexpr std::string_view m2m_token_path = "/v3/auth";
inline constexpr std::string_view test_path = "/v3/test";
inline constexpr std::string_view v4_m2m_token_path = "/api/v4/auth";
inline constexpr std::string_view v4_test_path = "/api/v4/test";
///@}

/// M2M configuration for the Profile API: `POST {base_url}/v3/auth` with the JSON body
/// `{"grant_type":"client_credentials","client_id":…,"client_secret":…}`; `api_origins` holds
/// base_url, so m2m_client::send() attaches the token to requests for that origin only.
/// Nothing is checked here: client_credentials_request() validates (https is required unless
/// the host is loopback; set `allow_insecure_http` on the result to opt out for other hosts).
[[nodiscard]] client_credentials_config m2m_config(std::string client_id, secret client_secret,
                                                   std::string_view base_url = default_base_url);

/// M2M configuration for the newer deployment: `POST {base_url}/api/v4/auth`, same JSON body.
/// It also accepts the credentials as HTTP Basic: set `auth = client_auth::client_secret_basic`
/// on the result to send them there (the body then carries grant_type only).
[[nodiscard]] client_credentials_config m2m_config_v4(std::string client_id, secret client_secret,
                                                      std::string_view base_url = v4_base_url);

/// `POST {base_url}/v3/test` with a JSON body, for checking that a token works. The request
/// carries no Authorization header: m2m_client::send() adds it.
[[nodiscard]] http_request test_request(std::string_view json_body = R"({"ping":"pong"})",
                                        std::string_view base_url = default_base_url);

/// `POST {base_url}/api/v4/test` on the newer deployment; see test_request().
[[nodiscard]] http_request test_request_v4(std::string_view json_body = R"({"ping":"pong"})",
                                           std::string_view base_url = v4_base_url);

// --- user authorization (authorization code + PKCE, refresh, revocation, device flow) ---------

///@{
/// The user-authorization paths the presets below use under `base_url`, and the account
/// endpoint's path.
inline constexpr std::string_view authorization_path = "/oauth/authorize";
inline constexpr std::string_view token_path = "/oauth/token";
inline constexpr std::string_view revocation_path = "/oauth/revoke";
inline constexpr std::string_view device_authorization_path = "/oauth/device";
inline constexpr std::string_view my_account_path = "/v3/my-account";
///@}

/// Public-client configuration (native app, CLI, game: no secret) for the Profile API:
/// `{base_url}/oauth/authorize`, `/oauth/token`, `/oauth/revoke` and `/oauth/device`, form
/// bodies, `client_id` in the body; `api_origins` holds base_url (user_session::send() attaches
/// the token there only). Every field stays overridable on the result (e.g. `scope`,
/// or an endpoint another deployment puts elsewhere). Nothing is checked here: the request
/// functions validate (https unless loopback; exact redirect URI).
[[nodiscard]] ::profile::auth::user_auth_config user_auth_config(
    std::string client_id, std::string redirect_uri, std::string_view base_url = default_base_url);

/// Confidential-client configuration (a backend holding `client_secret`): as the public one,
/// authenticating with HTTP Basic (`auth` on the result selects client_secret_post instead).
[[nodiscard]] ::profile::auth::user_auth_config user_auth_config(
    std::string client_id, secret client_secret, std::string redirect_uri,
    std::string_view base_url = default_base_url);

/// `GET {base_url}/v3/my-account` with `Accept: application/json`. It carries no Authorization
/// header: user_session::send() adds the user's token.
[[nodiscard]] http_request my_account_request(std::string_view base_url = default_base_url);

/// The signed-in user, as `/v3/my-account` describes them.
struct account {
  std::string id;     ///< a JSON string, or the digits of a JSON integer
  std::string email;  ///< empty when absent
  std::string name;   ///< empty when absent
  /// The role as the server spells it (`admin`, `manager`, …). Roles this library does not
  /// know are kept as they are, not errors; empty when the answer has no `role`.
  std::string role;
};

/// Parses a `/v3/my-account` answer: a JSON object with `id` (string or integer, required) and
/// optional string members `email`, `name`, `role` (others are ignored).
/// Errors: a non-2xx answer maps through oauth_error_from_response() (401 invalid_token →
/// errc::invalid_token, 403 insufficient_scope → errc::insufficient_scope, an HTML page →
/// errc::http_error); a 2xx that is not JSON gives errc::invalid_json; a missing or non-scalar
/// `id`, or a non-string `email`/`name`/`role`, gives errc::malformed_response.
[[nodiscard]] result<account> parse_my_account(const http_response& resp);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE client_credentials_config m2m_config(std::string client_id,
                                                         secret client_secret,
                                                         std::string_view base_url) {
  return detail::profile_m2m_preset(std::move(client_id), std::move(client_secret), base_url,
                                    m2m_token_path);
}

PROFILE_AUTH_INLINE client_credentials_config m2m_config_v4(std::string client_id,
                                                            secret client_secret,
                                                            std::string_view base_url) {
  return detail::profile_m2m_preset(std::move(client_id), std::move(client_secret), base_url,
                                    v4_m2m_token_path);
}

PROFILE_AUTH_INLINE http_request test_request(std::string_view json_body,
                                              std::string_view base_url) {
  return detail::profile_json_post(detail::profile_join_url(base_url, test_path), json_body);
}

PROFILE_AUTH_INLINE http_request test_request_v4(std::string_view json_body,
                                                 std::string_view base_url) {
  return detail::profile_json_post(detail::profile_join_url(base_url, v4_test_path), json_body);
}

PROFILE_AUTH_INLINE ::profile::auth::user_auth_config user_auth_config(std::string client_id,
                                                                       std::string redirect_uri,
                                                                       std::string_view base_url) {
  ::profile::auth::user_auth_config c;
  c.authorization_endpoint = detail::profile_join_url(base_url, authorization_path);
  c.token_endpoint = detail::profile_join_url(base_url, token_path);
  c.revocation_endpoint = detail::profile_join_url(base_url, revocation_path);
  c.device_authorization_endpoint = detail::profile_join_url(base_url, device_authorization_path);
  c.client_id = std::move(client_id);
  c.redirect_uri = std::move(redirect_uri);
  c.format = body_format::form;
  c.api_origins.emplace_back(base_url);  // the token is for the API at base_url
  return c;
}

PROFILE_AUTH_INLINE ::profile::auth::user_auth_config user_auth_config(std::string client_id,
                                                                       secret client_secret,
                                                                       std::string redirect_uri,
                                                                       std::string_view base_url) {
  ::profile::auth::user_auth_config c =
      user_auth_config(std::move(client_id), std::move(redirect_uri), base_url);
  c.client_secret = std::move(client_secret);
  c.auth = client_auth::client_secret_basic;
  return c;
}

PROFILE_AUTH_INLINE http_request my_account_request(std::string_view base_url) {
  http_request r;
  r.method = "GET";
  r.url = detail::profile_join_url(base_url, my_account_path);
  r.headers.add("Accept", "application/json");
  return r;
}

PROFILE_AUTH_INLINE result<account> parse_my_account(const http_response& resp) {
  if (!resp.ok()) return unexpected<error>(oauth_error_from_response(resp, "my-account endpoint"));
  auto doc = detail::json::parse(resp.body);
  if (!doc) {
    error e = std::move(doc).error();
    e.message = "the my-account endpoint answered with invalid JSON: " + e.message;
    return unexpected<error>(std::move(e));
  }
  const auto root = doc->root();
  if (!root.is_object())
    return fail(errc::malformed_response,
                "the my-account endpoint answered JSON that is not an object: check the URL");
  account a;
  const auto id = root.find("id");
  if (id && !id->copy_string_to(a.id) && id->get_int64()) a.id = id->raw();
  if (a.id.empty())
    return fail(errc::malformed_response,
                "the my-account answer has no usable \"id\" (string or integer): check the URL");
  struct field {
    std::string_view name;
    std::string* out;
  };
  for (const field f : {field{"email", &a.email}, field{"name", &a.name}, field{"role", &a.role}}) {
    const auto v = root.find(f.name);
    if (!v || v->is_null()) continue;
    if (!v->copy_string_to(*f.out))
      return fail(errc::malformed_response,
                  "the my-account answer's \"" + std::string(f.name) + "\" is not a string");
  }
  return a;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::profile

#endif  // PROFILE_AUTH_PROFILE_HPP
