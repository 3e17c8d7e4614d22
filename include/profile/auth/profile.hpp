// SPDX-License-Identifier: MIT
// profile-auth: presets for the Profile API (v4 M2M and account, legacy v3, user authorization).
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
#include <profile/auth/detail/json.hpp>  // the account answer
#include <profile/auth/oauth_error.hpp>  // error answers of the account endpoints
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

PROFILE_AUTH_INLINE http_request profile_json_get(std::string url) {
  http_request r;
  r.method = "GET";
  r.url = std::move(url);
  r.headers.add("Accept", "application/json");
  return r;
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
///
/// Two generations of the API exist. **v4** (host `vanguard.profilebehavior.com`, paths under
/// `/api/v4`) is the current one and the default of every M2M preset here. **v3** (host
/// `api.profilebehavior.com`, paths under `/v3`) is the previous generation, still named by older
/// material; its presets live in `profile::legacy_v3`.
namespace profile::auth::inline v0::profile {

/// The current (v4) Profile API host.
// https://support.profilebehavior.com/api-reference/authentication (current, v4): the M2M and
// test calls go to this host.
inline constexpr std::string_view default_base_url = "https://vanguard.profilebehavior.com";

///@{
/// The v4 M2M token, test and account paths.
// https://support.profilebehavior.com/api-reference/authentication (current, v4): POST /api/v4/auth
inline constexpr std::string_view m2m_token_path = "/api/v4/auth";
// https://support.profilebehavior.com/api-reference/authentication (current, v4): POST /api/v4/test
inline constexpr std::string_view test_path = "/api/v4/test";
// https://support.profilebehavior.com/api-reference/endpoints/get-current-account (v4):
// GET /api/v4/account, answered in the {"code","data","status"} envelope
inline constexpr std::string_view account_path = "/api/v4/account";
///@}

///@{
/// Older names of the v4 constants, kept for source compatibility (same values).
inline constexpr std::string_view v4_base_url = default_base_url;
inline constexpr std::string_view v4_m2m_token_path = m2m_token_path;
inline constexpr std::string_view v4_test_path = test_path;
///@}

/// M2M configuration for the Profile API (v4): `POST {base_url}/api/v4/auth` with the JSON body
/// `{"grant_type":"client_credentials","client_id":…,"client_secret":…}`. Profile also accepts
/// the credentials as HTTP Basic: set `auth = client_auth::client_secret_basic` on the result
/// (the body then carries grant_type only). `api_origins` holds base_url, so m2m_client::send()
/// attaches the token to requests for that origin only. Nothing is checked here:
/// client_credentials_request() validates (https is required unless the host is loopback; set
/// `allow_insecure_http` on the result to opt out for other hosts).
[[nodiscard]] client_credentials_config m2m_config(std::string client_id, secret client_secret,
                                                   std::string_view base_url = default_base_url);

/// The same as m2m_config() (v4); the older name, kept for source compatibility.
[[nodiscard]] client_credentials_config m2m_config_v4(std::string client_id, secret client_secret,
                                                      std::string_view base_url = default_base_url);

/// `POST {base_url}/api/v4/test` with a JSON body (`{"ping":"pong"}` by default), for checking
/// that a token works. The request carries no Authorization header: m2m_client::send() adds it.
[[nodiscard]] http_request test_request(std::string_view json_body = R"({"ping":"pong"})",
                                        std::string_view base_url = default_base_url);

/// The same as test_request() (v4); the older name, kept for source compatibility.
[[nodiscard]] http_request test_request_v4(std::string_view json_body = R"({"ping":"pong"})",
                                           std::string_view base_url = default_base_url);

/// `GET {base_url}/api/v4/account` with `Accept: application/json`, answered in the
/// `{"code":200,"data":{…},"status":"success"}` envelope (read it with parse_account()). It
/// carries no Authorization header: m2m_client::send() or user_session::send() adds the token.
[[nodiscard]] http_request account_request(std::string_view base_url = default_base_url);

/// The previous generation of the Profile API (v3). Older material still names it; new code
/// should use the v4 presets above. Its account answer (`/v3/my-account`) has no documented body;
/// parse_account() reads it when it is a bare account object.
namespace legacy_v3 {
/// The v3 Profile API host.
// https://support.profilebehavior.com/api-reference/authentication, older (v3) version: the
// M2M, test and my-account calls went to this host.
inline constexpr std::string_view base_url = "https://api.profilebehavior.com";
///@{
/// The v3 M2M token, test and account paths.
// https://support.profilebehavior.com/api-reference/authentication, older (v3) version: POST
// /v3/auth
inline constexpr std::string_view m2m_token_path = "/v3/auth";
// https://support.profilebehavior.com/api-reference/authentication, older (v3) version: POST
// /v3/test
inline constexpr std::string_view test_path = "/v3/test";
// https://support.profilebehavior.com/api-reference/authentication, older (v3) version: GET
// /v3/my-account
inline constexpr std::string_view my_account_path = "/v3/my-account";
///@}

/// v3 M2M configuration: `POST {base_url}/v3/auth`, the same JSON body as profile::m2m_config().
[[nodiscard]] client_credentials_config m2m_config(std::string client_id, secret client_secret,
                                                   std::string_view base = base_url);
/// v3 test call: `POST {base_url}/v3/test` with a JSON body; see profile::test_request().
[[nodiscard]] http_request test_request(std::string_view json_body = R"({"ping":"pong"})",
                                        std::string_view base = base_url);
/// v3 account call: `GET {base_url}/v3/my-account` with `Accept: application/json`.
[[nodiscard]] http_request my_account_request(std::string_view base = base_url);
}  // namespace legacy_v3

// --- user authorization (authorization code + PKCE, refresh, revocation, device flow) ---------

///@{
/// The user-authorization paths the presets below use under `base_url`, and the account
/// path my_account_request() uses (the v3 one, legacy_v3::my_account_path).
inline constexpr std::string_view authorization_path = "/oauth/authorize";
inline constexpr std::string_view token_path = "/oauth/token";
inline constexpr std::string_view revocation_path = "/oauth/revoke";
inline constexpr std::string_view device_authorization_path = "/oauth/device";
inline constexpr std::string_view my_account_path = legacy_v3::my_account_path;
///@}

/// Public-client configuration (native app, CLI, game: no secret) for the Profile API:
/// `{base_url}/oauth/authorize`, `/oauth/token`, `/oauth/revoke` and `/oauth/device`, form
/// bodies, `client_id` in the body; `api_origins` holds base_url (user_session::send() attaches
/// the token there only). Every field stays overridable on the result (e.g. `scope`,
/// or an endpoint another deployment puts elsewhere). Nothing is checked here: the request
/// functions validate (https unless loopback; exact redirect URI).
[[nodiscard]] ::profile::auth::user_auth_config user_auth_config(
    std::string client_id, std::string redirect_uri,
    std::string_view base_url = legacy_v3::base_url);

/// Confidential-client configuration (a backend holding `client_secret`): as the public one,
/// authenticating with HTTP Basic (`auth` on the result selects client_secret_post instead).
[[nodiscard]] ::profile::auth::user_auth_config user_auth_config(
    std::string client_id, secret client_secret, std::string redirect_uri,
    std::string_view base_url = legacy_v3::base_url);

/// `GET {base_url}/v3/my-account` with `Accept: application/json`, on the v3 host by default like
/// user_auth_config() (part of that preset family, which issue 15's discovery login replaces).
/// For the real services prefer account_request() (v4) or legacy_v3::my_account_request(). It
/// carries no Authorization header: user_session::send() adds the user's token.
[[nodiscard]] http_request my_account_request(std::string_view base_url = legacy_v3::base_url);

/// An account (user or client) as the Profile API describes it.
struct account {
  std::string id;     ///< a JSON string, or the digits of a JSON integer
  std::string name;   ///< empty when absent
  std::string type;   ///< the account type as the server spells it; empty when absent
  std::string email;  ///< empty when absent
  /// The role as the server spells it. Profile documents `manager` and `user`; older material
  /// says `admin`/`manager`. Roles this library does not know are kept as they are, not errors;
  /// empty when the answer has no `role`. is_manager() tells the managing roles apart.
  std::string role;
  /// The raw JSON text of the account object (the envelope's `data`, or the bare object), for
  /// the members not read above.
  std::string data;
};

/// True for a role that manages the account: `manager` (current material) or `admin` (older
/// material), compared exactly (roles are case-sensitive text). False for `user`, empty or any
/// other role.
[[nodiscard]] constexpr bool is_manager(std::string_view role) noexcept {
  return role == "manager" || role == "admin";
}

/// Parses an account answer: `GET /api/v4/account`'s envelope
/// `{"code":200,"data":{…},"status":"success"}`, or a bare account object (v3, and servers that
/// do not wrap). An object with an `id` member is a bare account; one without `id` that has any
/// of `code`, `data`, `status` is an envelope. The account object needs `id` (string or integer)
/// and may have the string members `name`, `type`, `email`, `role` (null counts as absent); its
/// raw text is kept in account::data.
/// Errors: a non-2xx answer maps through oauth_error_from_response() (401 invalid_token →
/// errc::invalid_token, 403 insufficient_scope → errc::insufficient_scope, an HTML page →
/// errc::http_error); a 2xx that is not JSON gives errc::invalid_json; an envelope whose `status`
/// is not `"success"` gives errc::http_error (http_status is the HTTP status); an envelope whose
/// `code` is not the HTTP status gives errc::malformed_response; a missing or non-object `data`,
/// JSON that is not an object, a missing or non-scalar `id`, or a non-string
/// `name`/`type`/`email`/`role` gives errc::malformed_response.
[[nodiscard]] result<account> parse_account(const http_response& resp);

/// The same as parse_account(); the older name, kept for source compatibility.
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
  return m2m_config(std::move(client_id), std::move(client_secret), base_url);
}

PROFILE_AUTH_INLINE http_request test_request(std::string_view json_body,
                                              std::string_view base_url) {
  return detail::profile_json_post(detail::profile_join_url(base_url, test_path), json_body);
}

PROFILE_AUTH_INLINE http_request test_request_v4(std::string_view json_body,
                                                 std::string_view base_url) {
  return test_request(json_body, base_url);
}

PROFILE_AUTH_INLINE http_request account_request(std::string_view base_url) {
  return detail::profile_json_get(detail::profile_join_url(base_url, account_path));
}

PROFILE_AUTH_INLINE client_credentials_config legacy_v3::m2m_config(std::string client_id,
                                                                    secret client_secret,
                                                                    std::string_view base) {
  return detail::profile_m2m_preset(std::move(client_id), std::move(client_secret), base,
                                    m2m_token_path);
}

PROFILE_AUTH_INLINE http_request legacy_v3::test_request(std::string_view json_body,
                                                         std::string_view base) {
  return detail::profile_json_post(detail::profile_join_url(base, test_path), json_body);
}

PROFILE_AUTH_INLINE http_request legacy_v3::my_account_request(std::string_view base) {
  return detail::profile_json_get(detail::profile_join_url(base, my_account_path));
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
  return detail::profile_json_get(detail::profile_join_url(base_url, legacy_v3::my_account_path));
}

}  // namespace profile::auth::inline v0::profile

namespace profile::auth::inline v0::detail {
/// profile::parse_account(), naming the endpoint `what` ("account endpoint", "my-account endpoint")
/// in its messages.
PROFILE_AUTH_INLINE result<profile::account> profile_parse_account(const http_response& resp,
                                                                   const std::string& what) {
  if (!resp.ok()) return unexpected<error>(oauth_error_from_response(resp, what));
  auto doc = detail::json::parse(resp.body);
  if (!doc) {
    error e = std::move(doc).error();
    e.message = "the " + what + " answered with invalid JSON: " + e.message;
    return unexpected<error>(std::move(e));
  }
  auto obj = doc->root();
  if (!obj.is_object())
    return fail(errc::malformed_response,
                "the " + what + " answered JSON that is not an object: check the URL");
  const auto code = obj.find("code");
  const auto status = obj.find("status");
  const auto data = obj.find("data");
  if (!obj.find("id") && (code || status || data)) {  // the {"code","data","status"} envelope
    std::string status_text;
    if (status && (!status->copy_string_to(status_text) || status_text != "success")) {
      error e(errc::http_error, "the " + what +
                                    "'s envelope does not report success (\"status\" is not "
                                    "\"success\"): the request failed on the server");
      e.http_status = resp.status;
      return unexpected<error>(std::move(e));
    }
    if (code) {
      const auto n = code->get_int64();
      if (!n || *n != resp.status)
        return fail(errc::malformed_response,
                    "the " + what + "'s envelope \"code\" disagrees with the HTTP status " +
                        std::to_string(resp.status));
    }
    if (!data || !data->is_object())
      return fail(errc::malformed_response, "the " + what + "'s envelope has no \"data\" object");
    obj = *data;
  }
  profile::account a;
  const auto id = obj.find("id");
  if (id && !id->copy_string_to(a.id) && id->get_int64()) a.id = id->raw();
  if (a.id.empty())
    return fail(errc::malformed_response,
                "the account answer has no usable \"id\" (string or integer): check the URL");
  struct field {
    std::string_view name;
    std::string* out;
  };
  for (const field f : {field{"name", &a.name}, field{"type", &a.type}, field{"email", &a.email},
                        field{"role", &a.role}}) {
    const auto v = obj.find(f.name);
    if (!v || v->is_null()) continue;
    if (!v->copy_string_to(*f.out))
      return fail(errc::malformed_response,
                  "the account answer's \"" + std::string(f.name) + "\" is not a string");
  }
  a.data.assign(obj.raw());
  return a;
}
}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::profile {

PROFILE_AUTH_INLINE result<account> parse_account(const http_response& resp) {
  return detail::profile_parse_account(resp, "account endpoint");
}

PROFILE_AUTH_INLINE result<account> parse_my_account(const http_response& resp) {
  return detail::profile_parse_account(resp, "my-account endpoint");
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::profile

#endif  // PROFILE_AUTH_PROFILE_HPP
