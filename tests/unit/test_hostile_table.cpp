// SPDX-License-Identifier: MIT
// Issue 13 item 11: a table of hostile server answers (status, headers, body) on every path that
// reads one — token (code exchange), refresh, device authorization and polling, revocation,
// introspection, registration, authorization server and protected resource metadata, the
// WWW-Authenticate challenge, discovery, and the m2m_client and user_session drivers — each
// mapped to the exact errc the library answers with. For every row:
// - the outcome is exactly the row's errc (or success, where the library accepts the answer);
//   on the parse-only token paths an accepted token must also go into a header, so an
//   unusable one ends as bearer_header_value()'s errc::invalid_header_value;
// - no credential the request carried (client secret, its Basic credential, code, verifier,
//   refresh and access tokens, device code, initial access token) nor any token the answer
//   carried appears in any text field of the error: every such value starts with '~', which
//   nothing else in this file's answers or in the library's words holds, so one '~' in an
//   error is a leak (a start of one byte at a cut included);
// - for the rows that go through a transport (the drivers, introspect(), register_client(),
//   discover()): no request sent, after the hostile answer or before, has a header value with
//   CR, LF or NUL, an `Authorization: Bearer` value outside RFC 6750 b64token, or a URL other
//   than the configured endpoints (a Location is never followed). The m2m_client and
//   user_session rows call again after the answer (and once more after invalidate()), so the
//   next request the driver sends is the one checked — or nothing is sent at all.
// Failure messages name the row (index and name), never a body or a credential.
#include <profile/auth/device_flow.hpp>
#include <profile/auth/discovery.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/grants/introspection.hpp>
#include <profile/auth/grants/refresh_token.hpp>
#include <profile/auth/grants/registration.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/header.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/resource_metadata.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/user_session.hpp>
#include <profile/auth/www_authenticate.hpp>

#include <doctest/doctest.h>

#include <chrono>       // times
#include <cstddef>      // std::size_t
#include <iterator>     // std::size
#include <optional>     // outcomes
#include <set>          // the paths and errc values the table reached
#include <string>       // bodies
#include <string_view>  // credentials
#include <utility>      // std::move
#include <vector>       // the table, recorded requests

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

// Credentials (each starts with '~'; see the file comment). Only b64token bytes, so that the
// fresh token the fake server issues is usable and the verifier is a valid PKCE verifier.
constexpr std::string_view client_id = "app-client";
constexpr std::string_view k_secret = "~Cs1-client.secret_0123";
constexpr std::string_view k_refresh = "~Rt2-refresh.token_4567";
constexpr std::string_view k_access = "~At3-access.token_89ab";
constexpr std::string_view k_code = "~Cd4-auth.code_cdef";
constexpr std::string_view k_verifier = "~Vf5-verifier-0123456789abcdefghijklmnopqrstuvw";
constexpr std::string_view k_device = "~Dv6-device.code_ghij";
constexpr std::string_view k_initial = "~Ia7-initial.access_klmn";
constexpr std::string_view k_issued_rat = "~Ra8-registration.access_opqr";
constexpr std::string_view k_fresh = "~Fa9-fresh.access_stuv";

const pa::time_point at{std::chrono::seconds(1000)};

/// Where a row's answer goes.
enum class via : unsigned char {
  token,          ///< parse_token_response, code exchange (secret as Basic, code, verifier)
  token_strict,   ///< the same with strict_expires_in
  refresh,        ///< parse_refresh_response (previous refresh and access token, secret)
  device_start,   ///< parse_device_authorization_response (secret)
  device_poll,    ///< parse_device_token_response (secret, device code)
  revocation,     ///< parse_revocation_response (secret, the refresh token revoked)
  introspection,  ///< introspect() through a fake transport (access token, secret as Basic)
  registration,   ///< register_client() through a fake transport (initial access token)
  as_metadata,    ///< parse_authorization_server_metadata for https://as.example
  pr_metadata,    ///< parse_protected_resource_metadata for https://api.example/v1
  challenge,      ///< protected_resource_metadata_request from a 401's WWW-Authenticate
  discover,       ///< discover() through a fake transport (every location answers the row)
  m2m,            ///< m2m_client::send: the row is the token endpoint's first answer
  m2m_api,        ///< m2m_client::send twice: the row is every API answer (outcome: 2nd send)
  session,        ///< user_session refresh: the row is the token endpoint's first answer
  login,          ///< user_session::complete_login: the row is the code exchange's answer
};

constexpr const char* via_names[] = {"token",       "token_strict", "refresh",       "device_start",
                                     "device_poll", "revocation",   "introspection", "registration",
                                     "as_metadata", "pr_metadata",  "challenge",     "discover",
                                     "m2m",         "m2m_api",      "session",       "login"};

static_assert(std::size(via_names) == static_cast<std::size_t>(via::login) + 1);

constexpr long unchecked = -2;  ///< row::retry: Retry-After not checked
constexpr long no_retry = -1;   ///< row::retry: no Retry-After reported

/// One hostile answer. In headers and body, $S $B $R $A $C $V $D $I $X $F stand for the client
/// secret, its Basic credential, the refresh token, the access token, the code, the verifier,
/// the device code, the initial access token, the issued registration access token and a fresh
/// good access token. Headers: "Name: value" lines separated by '\n'.
struct row {
  const char* name;
  via path;
  int status;
  std::string headers;
  std::string body;
  std::optional<pa::errc> want;  ///< nullopt: the answer is accepted
  long retry = unchecked;        ///< expected error::retry_after in seconds
};

constexpr const char* json_type = "Content-Type: application/json";
constexpr const char* form_type = "Content-Type: application/x-www-form-urlencoded";
constexpr const char* html_type = "Content-Type: text/html; charset=utf-8";
constexpr const char* text_type = "Content-Type: text/plain";
constexpr std::optional<pa::errc> ok = std::nullopt;

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

/// The base64 credential of `Authorization: Basic …` for client_id and k_secret.
std::string basic_blob() {
  const std::string v = pa::basic_authorization_value(client_id, pa::secret(k_secret),
                                                      pa::basic_encoding::form_encoded);
  return v.substr(v.find(' ') + 1);
}

std::string expand(std::string s) {
  const std::pair<std::string_view, std::string> subst[] = {
      {"$S", std::string(k_secret)},     {"$B", basic_blob()},
      {"$R", std::string(k_refresh)},    {"$A", std::string(k_access)},
      {"$C", std::string(k_code)},       {"$V", std::string(k_verifier)},
      {"$D", std::string(k_device)},     {"$I", std::string(k_initial)},
      {"$X", std::string(k_issued_rat)}, {"$F", std::string(k_fresh)}};
  for (const auto& [from, to] : subst) s = replace_all(std::move(s), from, to);
  return s;
}

pa::http_response answer_of(const row& r) {
  pa::http_response a;
  a.status = r.status;
  const std::string h = expand(r.headers);
  for (std::size_t begin = 0; begin < h.size();) {
    std::size_t end = h.find('\n', begin);
    if (end == std::string::npos) end = h.size();
    const std::string line = h.substr(begin, end - begin);
    const std::size_t colon = line.find(": ");
    if (colon != std::string::npos) a.headers.add(line.substr(0, colon), line.substr(colon + 2));
    begin = end + 1;
  }
  a.body = expand(r.body);
  return a;
}

// ---- the table ------------------------------------------------------------------------------

std::string deep(std::size_t n, std::string_view inner) {
  return std::string(n, '[') + std::string(inner) + std::string(n, ']');
}
/// A token answer with `access` as the raw JSON value of access_token.
std::string token_with(std::string_view access, std::string_view more = {}) {
  return "{\"access_token\":" + std::string(access) + ",\"token_type\":\"Bearer\"" +
         (more.empty() ? std::string() : "," + std::string(more)) + ",\"expires_in\":3600}";
}
const std::string good_token = token_with("\"$F\"");
/// An OAuth error body with `code` and `description` (raw JSON text inside the quotes).
std::string oauth(std::string_view code, std::string_view description = {}) {
  std::string s = "{\"error\":\"" + std::string(code) + "\"";
  if (!description.empty()) s += ",\"error_description\":\"" + std::string(description) + "\"";
  return s + "}";
}
/// An error_description that places `cred` so that a cap of `cap` bytes ("..." included) keeps
/// exactly `kept` bytes of it.
std::string cut_at(std::size_t cap, std::size_t kept, std::string_view cred) {
  return std::string(cap - 3 - kept, 'x') + std::string(cred) + " was refused";
}
const std::string html_page =
    "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action=\"/login\">"
    "</form></body></html>";
const std::string device_ok_members =
    R"("device_code":"$D","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device")";
std::string device_answer(std::string_view more) {
  return "{" + device_ok_members + "," + std::string(more) + "}";
}
const std::string as_ok_members =
    R"("issuer":"https://as.example","token_endpoint":"https://as.example/token")";
std::string as_answer(std::string_view more) {
  return "{" + as_ok_members + (more.empty() ? "" : "," + std::string(more)) + "}";
}
std::string pr_answer(std::string_view resource, std::string_view more = {}) {
  return "{\"resource\":\"" + std::string(resource) + "\"" +
         (more.empty() ? std::string() : "," + std::string(more)) + "}";
}
std::string reg_answer(std::string_view more) {
  return R"({"client_id":"app-77","client_secret":"$S2",)" + std::string(more) + "}";
}

std::vector<row> hostile_table() {
  const std::string big_desc(60 * 1024, 'd');   // below json::limits::max_string
  const std::string huge_desc(70 * 1024, 'd');  // above it
  const std::string over_1mib(1024 * 1024 + 1, ' ');
  const std::string bom = "\xEF\xBB\xBF";
  std::vector<row> t = {
      // ---- token endpoint: code exchange ----
      {"token: 200 HTML login page", via::token, 200, html_type, html_page,
       pa::errc::malformed_response},
      {"token: 200 unlabelled HTML", via::token, 200, "", html_page, pa::errc::malformed_response},
      {"token: 200 empty JSON body", via::token, 200, json_type, "", pa::errc::malformed_response},
      {"token: 204 no content", via::token, 204, "", "", pa::errc::malformed_response},
      {"token: 200 XML", via::token, 200, "Content-Type: application/xml", "<token>$F</token>",
       pa::errc::malformed_response},
      {"token: 200 with error quoting the code", via::token, 200, json_type,
       oauth("invalid_grant", "code $C was already used"), pa::errc::invalid_grant},
      {"token: 200 with error access_denied", via::token, 200, json_type, oauth("access_denied"),
       pa::errc::access_denied},
      {"token: 200 with error and a token", via::token, 200, json_type,
       R"({"access_token":"$F","error":"invalid_scope"})", pa::errc::invalid_scope},
      {"token: 200 error null is no error", via::token, 200, json_type,
       R"({"error":null,"access_token":"$F","token_type":"Bearer"})", ok},
      {"token: 200 error empty is no error", via::token, 200, json_type,
       R"({"error":"","access_token":"$F"})", ok},
      {"token: 200 error a number", via::token, 200, json_type, R"({"error":5})",
       pa::errc::malformed_response},
      {"token: 200 error with a control byte", via::token, 200, json_type,
       oauth("invalid\\u0001grant"), pa::errc::malformed_response},
      {"token: 400 error with a quote", via::token, 400, json_type, oauth("invalid\\\"grant"),
       pa::errc::http_error},
      {"token: 400 error with a backslash", via::token, 400, json_type, oauth("bad\\\\code"),
       pa::errc::http_error},
      {"token: 400 error with a space (unknown code)", via::token, 400, json_type,
       oauth("invalid grant"), pa::errc::oauth_error},
      {"token: 400 error code quoting the secret", via::token, 400, json_type, oauth("$S"),
       pa::errc::oauth_error},
      {"token: 400 error code non-ASCII", via::token, 400, json_type, oauth("d\u00e9nied"),
       pa::errc::http_error},
      {"token: 400 error code of 200 bytes", via::token, 400, json_type,
       oauth(std::string(200, 'e')), pa::errc::http_error},
      {"token: 400 uppercase INVALID_GRANT", via::token, 400, json_type, oauth("INVALID_GRANT"),
       pa::errc::oauth_error},
      {"token: 401 invalid_client quoting the secret", via::token, 401, json_type,
       oauth("invalid_client", "client_secret $S is wrong"), pa::errc::invalid_client},
      {"token: 401 invalid_client quoting the Basic credential", via::token, 401, json_type,
       oauth("invalid_client", "Authorization: Basic $B rejected"), pa::errc::invalid_client},
      {"token: 400 invalid_grant quoting the verifier", via::token, 400, json_type,
       oauth("invalid_grant", "code_verifier=$V does not match"), pa::errc::invalid_grant},
      {"token: 400 error_uri quoting the code", via::token, 400, json_type,
       R"({"error":"invalid_request","error_uri":"https://as.example/e?code=$C"})",
       pa::errc::invalid_request},
      {"token: 400 request id quoting the secret", via::token, 400,
       std::string(json_type) + "\nX-Request-Id: $S", oauth("invalid_request"),
       pa::errc::invalid_request},
      {"token: 400 60 KB description quoting the code", via::token, 400, json_type,
       oauth("invalid_grant", big_desc + " $C"), pa::errc::invalid_grant},
      {"token: 400 70 KB description (above the string limit)", via::token, 400, json_type,
       oauth("invalid_grant", huge_desc + " $C"), pa::errc::http_error},
      {"token: 400 description cut at 1024 inside the code", via::token, 400, json_type,
       oauth("invalid_grant", cut_at(1024, 1, "$C")), pa::errc::invalid_grant},
      {"token: 400 description cut at 200 (message) inside the verifier", via::token, 400,
       json_type, oauth("invalid_grant", cut_at(200, 2, "$V")), pa::errc::invalid_grant},
      {"token: 400 description with CR LF and ESC", via::token, 400, json_type,
       oauth("invalid_grant", "line1\\r\\nSet-Cookie: x\\u001b[2J"), pa::errc::invalid_grant},
      {"token: 400 deep JSON error", via::token, 400, json_type,
       R"({"error":"invalid_grant","x":)" + deep(40, "1") + "}", pa::errc::http_error},
      {"token: 400 form error body", via::token, 400, form_type,
       "error=invalid_grant&error_description=code+$C+expired", pa::errc::invalid_grant},
      {"token: 400 HTML error page", via::token, 400, html_type, html_page, pa::errc::http_error},
      {"token: 401 WWW-Authenticate Basic, empty body", via::token, 401,
       "WWW-Authenticate: Basic realm=\"as\"", "", pa::errc::http_error},
      {"token: 429 Retry-After 30", via::token, 429, "Retry-After: 30", "", pa::errc::http_error,
       30},
      {"token: 503 Retry-After as an HTTP date (no wall clock)", via::token, 503,
       "Retry-After: Wed, 21 Oct 2015 07:28:00 GMT", "", pa::errc::http_error, no_retry},
      {"token: 503 Retry-After negative", via::token, 503, "Retry-After: -5", "",
       pa::errc::http_error, no_retry},
      {"token: 503 Retry-After fraction", via::token, 503, "Retry-After: 1.5", "",
       pa::errc::http_error, no_retry},
      {"token: 503 Retry-After absurd", via::token, 503, "Retry-After: 99999999999999999999", "",
       pa::errc::http_error, 0x7FFFFFFF},
      {"token: 503 Retry-After junk quoting the secret", via::token, 503, "Retry-After: $S", "",
       pa::errc::http_error, no_retry},
      {"token: 500 server_error quoting the verifier", via::token, 500, json_type,
       oauth("server_error", "$V"), pa::errc::server_error},
      {"token: 302 to another host", via::token, 302, "Location: https://evil.example/token", "",
       pa::errc::http_error},
      {"token: 301 with a token body", via::token, 301,
       "Location: https://evil.example/\n" + std::string(json_type), good_token,
       pa::errc::http_error},
      {"token: 307 redirect", via::token, 307, "Location: http://as.example/token", "",
       pa::errc::http_error},
      {"token: status 100", via::token, 100, "", "", pa::errc::http_error},
      {"token: status 999", via::token, 999, json_type, good_token, pa::errc::http_error},
      {"token: expires_in as a string", via::token, 200, json_type,
       R"({"access_token":"$F","expires_in":"3600"})", ok},
      {"token: expires_in negative", via::token, 200, json_type,
       R"({"access_token":"$F","expires_in":-3600})", ok},
      {"token: expires_in absurd", via::token, 200, json_type,
       R"({"access_token":"$F","expires_in":1e400})", ok},
      {"token: expires_in a fraction", via::token, 200, json_type,
       R"({"access_token":"$F","expires_in":3599.9})", ok},
      {"token: expires_in not a number", via::token, 200, json_type,
       R"({"access_token":"$F","expires_in":"soon"})", ok},
      {"token: expires_in an object", via::token, 200, json_type,
       R"({"access_token":"$F","expires_in":{"s":1}})", ok},
      {"strict: expires_in negative", via::token_strict, 200, json_type,
       R"({"access_token":"$F","expires_in":-3600})", pa::errc::malformed_response},
      {"strict: expires_in zero", via::token_strict, 200, json_type,
       R"({"access_token":"$F","expires_in":0})", pa::errc::malformed_response},
      {"strict: expires_in not a number", via::token_strict, 200, json_type,
       R"({"access_token":"$F","expires_in":"3600s"})", pa::errc::malformed_response},
      {"strict: expires_in a boolean", via::token_strict, 200, json_type,
       R"({"access_token":"$F","expires_in":true})", pa::errc::malformed_response},
      {"strict: expires_in absurd is clamped", via::token_strict, 200, json_type,
       R"({"access_token":"$F","expires_in":"99999999999999999999"})", ok},
      {"token: token_type missing", via::token, 200, json_type, R"({"access_token":"$F"})", ok},
      {"token: token_type lower-case", via::token, 200, json_type,
       R"({"access_token":"$F","token_type":"bearer"})", ok},
      {"token: token_type mac", via::token, 200, json_type,
       R"({"access_token":"$F","token_type":"mac"})", pa::errc::unsupported_token_type},
      {"token: token_type DPoP", via::token, 200, json_type,
       R"({"access_token":"$F","token_type":"DPoP"})", pa::errc::unsupported_token_type},
      {"token: token_type with CR LF", via::token, 200, json_type,
       R"({"access_token":"$F","token_type":"Bearer\r\nX: y"})", pa::errc::unsupported_token_type},
      {"token: token_type a number", via::token, 200, json_type,
       R"({"access_token":"$F","token_type":7})", pa::errc::malformed_response},
      {"token: access_token missing", via::token, 200, json_type,
       R"({"token_type":"Bearer","expires_in":3600})", pa::errc::malformed_response},
      {"token: access_token empty", via::token, 200, json_type, token_with("\"\""),
       pa::errc::malformed_response},
      {"token: access_token null", via::token, 200, json_type, token_with("null"),
       pa::errc::malformed_response},
      {"token: access_token a number", via::token, 200, json_type, token_with("123"),
       pa::errc::malformed_response},
      {"token: access_token an array", via::token, 200, json_type, token_with("[\"$F\"]"),
       pa::errc::malformed_response},
      {"token: access_token with a space", via::token, 200, json_type, token_with("\"$F x\""),
       pa::errc::invalid_header_value},
      {"token: access_token with CR LF (escaped)", via::token, 200, json_type,
       token_with("\"$F\\r\\nX-Evil: 1\""), pa::errc::invalid_header_value},
      {"token: access_token with a raw CR", via::token, 200, json_type, token_with("\"$F\rX\""),
       pa::errc::invalid_json},
      {"token: access_token with a raw NUL", via::token, 200, json_type,
       token_with(std::string("\"$F") + '\0' + "x\""), pa::errc::invalid_json},
      {"token: access_token with an escaped NUL", via::token, 200, json_type,
       token_with("\"$F\\u0000x\""), pa::errc::invalid_header_value},
      {"token: access_token with a quote", via::token, 200, json_type, token_with("\"$F\\\"x\""),
       pa::errc::invalid_header_value},
      {"token: access_token with a tab", via::token, 200, json_type, token_with("\"$F\\tx\""),
       pa::errc::invalid_header_value},
      {"token: access_token with a comma", via::token, 200, json_type, token_with("\"$F,x\""),
       pa::errc::invalid_header_value},
      {"token: access_token non-ASCII", via::token, 200, json_type, token_with("\"$F\xC3\xA9\""),
       pa::errc::invalid_header_value},
      {"token: access_token non-ASCII escaped", via::token, 200, json_type,
       token_with("\"$F\\u00e9\""), pa::errc::invalid_header_value},
      {"token: access_token invalid UTF-8", via::token, 200, json_type, token_with("\"$F\xFF\""),
       pa::errc::invalid_utf8},
      {"token: access_token a lone surrogate", via::token, 200, json_type,
       token_with("\"$F\\ud800\""), pa::errc::invalid_utf8},
      {"token: access_token with a Bearer prefix", via::token, 200, json_type,
       token_with("\"Bearer $F\""), pa::errc::invalid_header_value},
      {"token: access_token padding first", via::token, 200, json_type, token_with("\"==$F\""),
       pa::errc::invalid_header_value},
      {"token: access_token with padding", via::token, 200, json_type, token_with("\"$F==\""), ok},
      {"token: access_token with \\/ escapes", via::token, 200, json_type, token_with("\"$F\\/x\""),
       ok},
      {"token: refresh_token a number", via::token, 200, json_type,
       token_with("\"$F\"", "\"refresh_token\":42"), pa::errc::malformed_response},
      {"token: refresh_token with CR LF (it could never be sent back)", via::token, 200, json_type,
       token_with("\"$F\"", "\"refresh_token\":\"r\\r\\nx\""), pa::errc::malformed_response},
      {"token: id_token an array", via::token, 200, json_type,
       token_with("\"$F\"", "\"id_token\":[]"), pa::errc::malformed_response},
      {"token: scope as an array", via::token, 200, json_type,
       token_with("\"$F\"", "\"scope\":[\"a\",\"b\"]"), ok},
      {"token: scope as a number array", via::token, 200, json_type,
       token_with("\"$F\"", "\"scope\":[1,2]"), ok},
      {"token: duplicated access_token", via::token, 200, json_type,
       R"({"access_token":"$F","access_token":"x y"})", pa::errc::invalid_json},
      {"token: duplicated error", via::token, 400, json_type,
       R"({"error":"invalid_grant","error":"invalid_client"})", pa::errc::http_error},
      {"token: truncated JSON", via::token, 200, json_type, R"({"access_token":"$F)",
       pa::errc::invalid_json},
      {"token: trailing garbage", via::token, 200, json_type, good_token + " x",
       pa::errc::invalid_json},
      {"token: JSON with a comment", via::token, 200, json_type, R"({"access_token":"$F" /* c */})",
       pa::errc::invalid_json},
      {"token: single quotes", via::token, 200, json_type, R"({'access_token':'$F'})",
       pa::errc::invalid_json},
      {"token: NaN", via::token, 200, json_type, R"({"access_token":"$F","expires_in":NaN})",
       pa::errc::invalid_json},
      {"token: byte order mark", via::token, 200, json_type, bom + good_token,
       pa::errc::invalid_json},
      {"token: byte order mark as text/plain", via::token, 200, text_type, bom + good_token,
       pa::errc::malformed_response},
      {"token: invalid UTF-8 in a name", via::token, 200, json_type,
       "{\"access_token\":\"$F\",\"\xC0\xAF\":1}", pa::errc::invalid_utf8},
      {"token: a JSON array", via::token, 200, json_type, "[" + good_token + "]",
       pa::errc::malformed_response},
      {"token: a JSON string", via::token, 200, json_type, "\"$F\"", pa::errc::malformed_response},
      {"token: an empty object", via::token, 200, json_type, "{}", pa::errc::malformed_response},
      {"token: deep JSON", via::token, 200, json_type,
       R"({"access_token":"$F","x":)" + deep(40, "1") + "}", pa::errc::limit_exceeded},
      {"token: body above 1 MiB", via::token, 200, json_type, good_token + over_1mib,
       pa::errc::limit_exceeded},
      {"token: form body above 1 MiB", via::token, 200, form_type,
       "access_token=$F&pad=" + std::string(1024 * 1024, 'p'), pa::errc::limit_exceeded},
      {"token: JSON labelled, form inside", via::token, 200, json_type, "access_token=$F",
       pa::errc::invalid_json},
      {"token: JSON labelled text/plain", via::token, 200, text_type, good_token, ok},
      {"token: form access_token with CR LF", via::token, 200, form_type,
       "access_token=$F%0D%0AX-Evil%3A+1&token_type=bearer", pa::errc::invalid_header_value},
      {"token: form access_token with a space", via::token, 200, form_type,
       "access_token=$F+x&token_type=bearer", pa::errc::invalid_header_value},
      {"token: form repeated access_token", via::token, 200, form_type,
       "access_token=$F&access_token=x", pa::errc::malformed_response},
      {"token: form bad escape", via::token, 200, form_type, "access_token=%zz",
       pa::errc::malformed_response},
      {"token: form 200 error quoting the secret", via::token, 200, form_type,
       "error=invalid_client&error_description=secret+$S", pa::errc::invalid_client},

      // ---- refresh ----
      {"refresh: 400 invalid_grant quoting the refresh token", via::refresh, 400, json_type,
       oauth("invalid_grant", "refresh token $R was revoked"), pa::errc::reauthentication_required},
      {"refresh: 200 with invalid_grant", via::refresh, 200, json_type, oauth("invalid_grant"),
       pa::errc::reauthentication_required},
      {"refresh: invalid_grant cut inside the access token", via::refresh, 400, json_type,
       oauth("invalid_grant", cut_at(200, 3, "$A")), pa::errc::reauthentication_required},
      {"refresh: invalid_grant with a trailing space", via::refresh, 400, json_type,
       oauth("invalid_grant "), pa::errc::oauth_error},
      {"refresh: 401 invalid_client quoting the secret", via::refresh, 401, json_type,
       oauth("invalid_client", "$S"), pa::errc::invalid_client},
      {"refresh: 400 form invalid_grant quoting the token", via::refresh, 400, form_type,
       "error=invalid_grant&error_description=$R", pa::errc::reauthentication_required},
      {"refresh: access_token with a space", via::refresh, 200, json_type,
       token_with("\"$F x\"", "\"refresh_token\":\"$F2\""), pa::errc::invalid_header_value},
      {"refresh: access_token with LF", via::refresh, 200, json_type, token_with("\"\\n\""),
       pa::errc::invalid_header_value},
      {"refresh: refresh_token with CR LF (it could never be sent back)", via::refresh, 200,
       json_type, token_with("\"$F\"", "\"refresh_token\":\"r\\r\\n\""),
       pa::errc::malformed_response},
      {"refresh: refresh_token an object", via::refresh, 200, json_type,
       token_with("\"$F\"", "\"refresh_token\":{}"), pa::errc::malformed_response},
      {"refresh: token_type N_A", via::refresh, 200, json_type,
       R"({"access_token":"$F","token_type":"N_A"})", pa::errc::unsupported_token_type},
      {"refresh: empty 200", via::refresh, 200, "", "", pa::errc::malformed_response},
      {"refresh: 503 HTML", via::refresh, 503, std::string(html_type) + "\nRetry-After: 120",
       html_page, pa::errc::http_error, 120},
      {"refresh: 429 slow_down", via::refresh, 429, json_type, oauth("slow_down"),
       pa::errc::slow_down},
      {"refresh: 302 to a login page", via::refresh, 302, "Location: https://as.example/login",
       html_page, pa::errc::http_error},

      // ---- device authorization ----
      {"device start: 200 HTML", via::device_start, 200, html_type, html_page,
       pa::errc::invalid_json},
      {"device start: 200 empty", via::device_start, 200, json_type, "", pa::errc::invalid_json},
      {"device start: 200 {}", via::device_start, 200, json_type, "{}",
       pa::errc::malformed_response},
      {"device start: a JSON array", via::device_start, 200, json_type, "[]",
       pa::errc::malformed_response},
      {"device start: no user_code", via::device_start, 200, json_type,
       R"({"device_code":"$D","verification_uri":"https://as.example/d","expires_in":600})",
       pa::errc::malformed_response},
      {"device start: device_code a number", via::device_start, 200, json_type,
       R"({"device_code":5,"user_code":"A","verification_uri":"https://as.example/d",)"
       R"("expires_in":600})",
       pa::errc::malformed_response},
      {"device start: device_code with NUL", via::device_start, 200, json_type,
       R"({"device_code":"d\u0000","user_code":"A","verification_uri":"https://as.example/d",)"
       R"("expires_in":600})",
       pa::errc::malformed_response},
      {"device start: verification_uri http", via::device_start, 200, json_type,
       R"({"device_code":"$D","user_code":"A","verification_uri":"http://evil.example/d",)"
       R"("expires_in":600})",
       pa::errc::insecure_endpoint},
      {"device start: verification_uri javascript:", via::device_start, 200, json_type,
       R"js({"device_code":"$D","user_code":"A","verification_uri":"javascript:alert(1)",)js"
       R"("expires_in":600})",
       pa::errc::malformed_response},
      {"device start: verification_uri with user information", via::device_start, 200, json_type,
       R"({"device_code":"$D","user_code":"A",)"
       R"("verification_uri":"https://as.example@evil.example/d","expires_in":600})",
       pa::errc::malformed_response},
      {"device start: verification_uri_complete http", via::device_start, 200, json_type,
       device_answer(R"("verification_uri_complete":"http://evil.example/d?c=1","expires_in":600)"),
       pa::errc::insecure_endpoint},
      {"device start: user_code with ESC", via::device_start, 200, json_type,
       R"({"device_code":"$D","user_code":"\u001b[2JA","verification_uri":"https://as.example/d",)"
       R"("expires_in":600})",
       pa::errc::malformed_response},
      {"device start: user_code with a bidi override", via::device_start, 200, json_type,
       R"({"device_code":"$D","user_code":"AB\u202eCD","verification_uri":"https://as.example/d",)"
       R"("expires_in":600})",
       pa::errc::malformed_response},
      {"device start: user_code of 300 bytes", via::device_start, 200, json_type,
       R"({"device_code":"$D","user_code":")" + std::string(300, 'U') +
           R"(","verification_uri":"https://as.example/d","expires_in":600})",
       pa::errc::malformed_response},
      {"device start: expires_in missing", via::device_start, 200, json_type,
       "{" + device_ok_members + "}", pa::errc::malformed_response},
      {"device start: expires_in negative", via::device_start, 200, json_type,
       device_answer(R"("expires_in":-1)"), pa::errc::malformed_response},
      {"device start: expires_in as a string", via::device_start, 200, json_type,
       device_answer(R"("expires_in":"600")"), ok},
      {"device start: interval junk", via::device_start, 200, json_type,
       device_answer(R"("expires_in":600,"interval":"fast")"), ok},
      {"device start: 200 with error", via::device_start, 200, json_type,
       oauth("unauthorized_client", "$S"), pa::errc::unauthorized_client},
      {"device start: 400 invalid_client quoting the secret", via::device_start, 400, json_type,
       oauth("invalid_client", "secret $S"), pa::errc::invalid_client},
      {"device start: deep JSON", via::device_start, 200, json_type,
       device_answer("\"x\":" + deep(40, "0")), pa::errc::limit_exceeded},
      {"device start: truncated", via::device_start, 200, json_type, "{\"device_code\":\"$D",
       pa::errc::invalid_json},
      {"device start: 503 Retry-After", via::device_start, 503, "Retry-After: 10", "",
       pa::errc::http_error, 10},
      {"device start: request id cut inside the secret", via::device_start, 400,
       std::string(json_type) + "\nX-Request-Id: " + std::string(126, 'r') + "$S",
       oauth("invalid_request"), pa::errc::invalid_request},

      // ---- device polling ----
      {"device poll: authorization_pending quoting the device code", via::device_poll, 400,
       json_type, oauth("authorization_pending", "$D"), pa::errc::authorization_pending},
      {"device poll: 200 with authorization_pending", via::device_poll, 200, json_type,
       oauth("authorization_pending"), pa::errc::authorization_pending},
      {"device poll: slow_down", via::device_poll, 400, json_type, oauth("slow_down"),
       pa::errc::slow_down},
      {"device poll: 429 slow_down Retry-After", via::device_poll, 429,
       std::string(json_type) + "\nRetry-After: 60", oauth("slow_down"), pa::errc::slow_down, 60},
      {"device poll: access_denied", via::device_poll, 400, json_type, oauth("access_denied"),
       pa::errc::access_denied},
      {"device poll: expired_token", via::device_poll, 400, json_type, oauth("expired_token"),
       pa::errc::expired_token},
      {"device poll: invalid_grant quoting the device code", via::device_poll, 400, json_type,
       oauth("invalid_grant", "device_code=$D unknown"), pa::errc::invalid_grant},
      {"device poll: pending with a NUL", via::device_poll, 400, json_type,
       oauth("authorization_pending\\u0000"), pa::errc::http_error},
      {"device poll: access_token with CR LF", via::device_poll, 200, json_type,
       token_with("\"a\\r\\nb\""), pa::errc::invalid_header_value},
      {"device poll: 200 HTML", via::device_poll, 200, html_type, html_page,
       pa::errc::malformed_response},
      {"device poll: 503 HTML", via::device_poll, 503, html_type, html_page, pa::errc::http_error},
      {"device poll: success", via::device_poll, 200, json_type, good_token, ok},

      // ---- revocation ----
      {"revocation: 200 empty", via::revocation, 200, "", "", ok},
      {"revocation: 200 HTML", via::revocation, 200, html_type, html_page, ok},
      {"revocation: 200 with an error body", via::revocation, 200, json_type,
       oauth("invalid_token"), ok},
      {"revocation: unsupported_token_type quoting the token", via::revocation, 400, json_type,
       oauth("unsupported_token_type", "cannot revoke $R"), pa::errc::unsupported_token_type},
      {"revocation: invalid_client quoting the secret", via::revocation, 401, json_type,
       oauth("invalid_client", "$S"), pa::errc::invalid_client},
      {"revocation: invalid_request quoting the form", via::revocation, 400, json_type,
       oauth("invalid_request", "token=$R&client_secret=$S"), pa::errc::invalid_request},
      {"revocation: form error body", via::revocation, 400, form_type,
       "error=invalid_client&error_description=$S", pa::errc::invalid_client},
      {"revocation: error code quoting the token", via::revocation, 400, json_type, oauth("$R"),
       pa::errc::oauth_error},
      {"revocation: 500 with a 60 KB description", via::revocation, 500, json_type,
       oauth("server_error", big_desc + "$R"), pa::errc::server_error},
      {"revocation: 503 Retry-After", via::revocation, 503, "Retry-After: 7", "",
       pa::errc::http_error, 7},
      {"revocation: 400 HTML", via::revocation, 400, html_type, html_page, pa::errc::http_error},
      {"revocation: 302", via::revocation, 302, "Location: https://evil.example/revoke", "",
       pa::errc::http_error},

      // ---- introspection (introspect()) ----
      {"introspection: active as a string", via::introspection, 200, json_type,
       R"({"active":"true"})", pa::errc::malformed_response},
      {"introspection: active as 1", via::introspection, 200, json_type, R"({"active":1})",
       pa::errc::malformed_response},
      {"introspection: active missing", via::introspection, 200, json_type, "{}",
       pa::errc::malformed_response},
      {"introspection: inactive with junk", via::introspection, 200, json_type,
       R"({"active":false,"scope":5})", ok},
      {"introspection: scope a number", via::introspection, 200, json_type,
       R"({"active":true,"scope":5})", pa::errc::malformed_response},
      {"introspection: aud of numbers", via::introspection, 200, json_type,
       R"({"active":true,"aud":[1]})", pa::errc::malformed_response},
      {"introspection: exp a string", via::introspection, 200, json_type,
       R"({"active":true,"exp":"soon"})", pa::errc::malformed_response},
      {"introspection: exp absurd", via::introspection, 200, json_type,
       R"({"active":true,"exp":1e300})", pa::errc::malformed_response},
      {"introspection: 401 empty", via::introspection, 401, "", "", pa::errc::invalid_client},
      {"introspection: 401 invalid_client quoting the Basic credential", via::introspection, 401,
       json_type, oauth("invalid_client", "Basic $B"), pa::errc::invalid_client},
      {"introspection: unsupported_token_type quoting the token", via::introspection, 400,
       json_type, oauth("unsupported_token_type", "$A"), pa::errc::unsupported_token_type},
      {"introspection: 200 with error", via::introspection, 200, json_type,
       oauth("invalid_request", "token $A"), pa::errc::invalid_request},
      {"introspection: 200 HTML", via::introspection, 200, html_type, html_page,
       pa::errc::invalid_json},
      {"introspection: a JSON array", via::introspection, 200, json_type, "[true]",
       pa::errc::malformed_response},
      {"introspection: truncated", via::introspection, 200, json_type, R"({"active":tr)",
       pa::errc::invalid_json},
      {"introspection: deep JSON", via::introspection, 200, json_type,
       R"({"active":true,"x":)" + deep(40, "0") + "}", pa::errc::limit_exceeded},
      {"introspection: 503", via::introspection, 503, "Retry-After: 3", "", pa::errc::http_error,
       3},
      {"introspection: 302", via::introspection, 302, "Location: https://evil.example/i", "",
       pa::errc::http_error},
      // The rows that prove redaction before the caps (a 1-3 byte start of a credential at a
      // cut was left behind when introspect() redacted after them).
      {"introspection: description cut at 1024 inside the token", via::introspection, 400,
       json_type, oauth("invalid_request", cut_at(1024, 1, "$A")), pa::errc::invalid_request},
      {"introspection: description cut at 200 inside the secret", via::introspection, 400,
       json_type, oauth("invalid_request", cut_at(200, 3, "$S")), pa::errc::invalid_request},
      {"introspection: request id cut inside the token", via::introspection, 400,
       std::string(json_type) + "\nX-Request-Id: " + std::string(125, 'r') + "$A",
       oauth("invalid_request"), pa::errc::invalid_request},
      {"introspection: malformed answer, request id cut inside the token", via::introspection, 200,
       std::string(json_type) + "\nX-Request-Id: " + std::string(126, 'r') + "$A",
       R"({"active":"yes"})", pa::errc::malformed_response},

      // ---- registration (register_client()) ----
      {"registration: client_id missing", via::registration, 201, json_type, "{}",
       pa::errc::malformed_response},
      {"registration: client_id a number", via::registration, 201, json_type, R"({"client_id":5})",
       pa::errc::malformed_response},
      {"registration: client_id with NUL", via::registration, 201, json_type,
       R"({"client_id":"a\u0000"})", pa::errc::malformed_response},
      {"registration: registration_access_token with a space", via::registration, 201, json_type,
       reg_answer(R"("registration_access_token":"$X y")"), pa::errc::malformed_response},
      {"registration: registration_access_token with CR LF", via::registration, 201, json_type,
       reg_answer(R"("registration_access_token":"$X\r\n")"), pa::errc::malformed_response},
      {"registration: client_secret with CR", via::registration, 201, json_type,
       R"({"client_id":"app-77","client_secret":"$S2\r"})", pa::errc::malformed_response},
      {"registration: registration_client_uri http", via::registration, 201, json_type,
       reg_answer(R"("registration_client_uri":"http://evil.example/reg/77")"),
       pa::errc::insecure_endpoint},
      {"registration: registration_client_uri not a URL", via::registration, 201, json_type,
       reg_answer(R"("registration_client_uri":"not a url")"), pa::errc::malformed_response},
      {"registration: client_secret_expires_at negative", via::registration, 201, json_type,
       reg_answer(R"("client_secret_expires_at":-1)"), pa::errc::malformed_response},
      {"registration: redirect_uris a number", via::registration, 201, json_type,
       reg_answer(R"("redirect_uris":5)"), pa::errc::malformed_response},
      {"registration: 202 accepted", via::registration, 202, json_type, reg_answer("\"a\":1"),
       pa::errc::malformed_response},
      {"registration: 201 HTML", via::registration, 201, html_type, html_page,
       pa::errc::invalid_json},
      {"registration: 201 with error", via::registration, 201, json_type,
       oauth("invalid_client_metadata", "$I"), pa::errc::invalid_client_metadata},
      {"registration: invalid_redirect_uri", via::registration, 400, json_type,
       oauth("invalid_redirect_uri"), pa::errc::invalid_redirect_uri},
      {"registration: invalid_software_statement", via::registration, 400, json_type,
       oauth("invalid_software_statement"), pa::errc::invalid_client_metadata},
      {"registration: unapproved_software_statement", via::registration, 400, json_type,
       oauth("unapproved_software_statement", "token $I"), pa::errc::invalid_client_metadata},
      {"registration: 401 empty", via::registration, 401, "", "", pa::errc::http_error},
      {"registration: 401 invalid_token quoting the initial token", via::registration, 401,
       json_type, oauth("invalid_token", "$I"), pa::errc::invalid_token},
      {"registration: 302", via::registration, 302, "Location: https://evil.example/reg", "",
       pa::errc::http_error},
      {"registration: accepted with a good registration token", via::registration, 201, json_type,
       reg_answer(R"("registration_access_token":"$X")"), ok},
      // The rows that prove redaction before the caps (see introspection).
      {"registration: description cut at 1024 inside the initial token", via::registration, 400,
       json_type, oauth("invalid_client_metadata", cut_at(1024, 2, "$I")),
       pa::errc::invalid_client_metadata},
      {"registration: description cut at 200 inside the initial token", via::registration, 400,
       json_type, oauth("invalid_redirect_uri", cut_at(200, 1, "$I")),
       pa::errc::invalid_redirect_uri},
      {"registration: request id cut inside the initial token", via::registration, 201,
       std::string(json_type) + "\nX-Request-Id: " + std::string(127, 'r') + "$I", "{}",
       pa::errc::malformed_response},

      // ---- authorization server metadata ----
      {"metadata: another issuer", via::as_metadata, 200, json_type,
       R"({"issuer":"https://evil.example","token_endpoint":"https://evil.example/token"})",
       pa::errc::issuer_mismatch},
      {"metadata: issuer with a trailing slash", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example/","token_endpoint":"https://as.example/token"})",
       pa::errc::issuer_mismatch},
      {"metadata: issuer in upper case", via::as_metadata, 200, json_type,
       R"({"issuer":"HTTPS://AS.EXAMPLE","token_endpoint":"https://as.example/token"})",
       pa::errc::issuer_mismatch},
      {"metadata: no issuer", via::as_metadata, 200, json_type,
       R"({"token_endpoint":"https://as.example/token"})", pa::errc::malformed_response},
      {"metadata: issuer a number", via::as_metadata, 200, json_type, R"({"issuer":5})",
       pa::errc::malformed_response},
      {"metadata: no token_endpoint", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example"})", pa::errc::malformed_response},
      {"metadata: empty token_endpoint", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example","token_endpoint":""})", pa::errc::malformed_response},
      {"metadata: implicit-only without token_endpoint", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example","grant_types_supported":["implicit"]})", ok},
      {"metadata: http token_endpoint", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example","token_endpoint":"http://as.example/token"})",
       pa::errc::insecure_endpoint},
      {"metadata: token_endpoint with user information", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example","token_endpoint":"https://u:p@as.example/token"})",
       pa::errc::malformed_response},
      {"metadata: token_endpoint with a fragment", via::as_metadata, 200, json_type,
       R"({"issuer":"https://as.example","token_endpoint":"https://as.example/t#x"})",
       pa::errc::malformed_response},
      {"metadata: ftp jwks_uri", via::as_metadata, 200, json_type,
       as_answer(R"("jwks_uri":"ftp://as.example/jwks")"), pa::errc::malformed_response},
      {"metadata: http revocation_endpoint", via::as_metadata, 200, json_type,
       as_answer(R"("revocation_endpoint":"http://evil.example/revoke")"),
       pa::errc::insecure_endpoint},
      {"metadata: loopback http endpoint", via::as_metadata, 200, json_type,
       as_answer(R"("revocation_endpoint":"http://127.0.0.1:8080/revoke")"), ok},
      {"metadata: grant_types_supported a string", via::as_metadata, 200, json_type,
       as_answer(R"("grant_types_supported":"client_credentials")"), pa::errc::malformed_response},
      {"metadata: scopes_supported of numbers", via::as_metadata, 200, json_type,
       as_answer(R"("scopes_supported":[1])"), pa::errc::malformed_response},
      {"metadata: a boolean as a string", via::as_metadata, 200, json_type,
       as_answer(R"("require_pushed_authorization_requests":"yes")"), pa::errc::malformed_response},
      {"metadata: duplicated issuer", via::as_metadata, 200, json_type,
       as_answer(R"("issuer":"https://evil.example")"), pa::errc::invalid_json},
      {"metadata: 200 HTML", via::as_metadata, 200, html_type, html_page, pa::errc::invalid_json},
      {"metadata: byte order mark", via::as_metadata, 200, json_type, bom + as_answer(""),
       pa::errc::invalid_json},
      {"metadata: a JSON array", via::as_metadata, 200, json_type, "[]",
       pa::errc::malformed_response},
      {"metadata: above 256 KB", via::as_metadata, 200, json_type,
       as_answer("\"pad\":\"" + std::string(300 * 1024, 'p') + "\""), pa::errc::limit_exceeded},
      {"metadata: 404", via::as_metadata, 404, html_type, html_page, pa::errc::http_error},
      {"metadata: 302", via::as_metadata, 302, "Location: https://evil.example/meta", "",
       pa::errc::http_error},

      // ---- protected resource metadata ----
      {"resource metadata: another resource", via::pr_metadata, 200, json_type,
       pr_answer("https://evil.example/v1"), pa::errc::issuer_mismatch},
      {"resource metadata: a trailing slash", via::pr_metadata, 200, json_type,
       pr_answer("https://api.example/v1/"), pa::errc::issuer_mismatch},
      {"resource metadata: no resource", via::pr_metadata, 200, json_type,
       R"({"authorization_servers":["https://as.example"]})", pa::errc::malformed_response},
      {"resource metadata: http jwks_uri", via::pr_metadata, 200, json_type,
       pr_answer("https://api.example/v1", R"("jwks_uri":"http://evil.example/jwks")"),
       pa::errc::insecure_endpoint},
      {"resource metadata: authorization_servers a string", via::pr_metadata, 200, json_type,
       pr_answer("https://api.example/v1", R"("authorization_servers":"https://as.example")"),
       pa::errc::malformed_response},
      {"resource metadata: a boolean as a string", via::pr_metadata, 200, json_type,
       pr_answer("https://api.example/v1", R"("dpop_bound_access_tokens_required":"true")"),
       pa::errc::malformed_response},
      {"resource metadata: 500", via::pr_metadata, 500, html_type, html_page, pa::errc::http_error},
      {"resource metadata: truncated", via::pr_metadata, 200, json_type,
       R"({"resource":"https://api.example/v1)", pa::errc::invalid_json},
      {"resource metadata: accepted", via::pr_metadata, 200, json_type,
       pr_answer("https://api.example/v1", R"("authorization_servers":["https://as.example"])"),
       ok},

      // ---- the 401's WWW-Authenticate challenge ----
      {"challenge: http resource_metadata", via::challenge, 401,
       R"(WWW-Authenticate: Bearer resource_metadata="http://evil.example/meta")", "",
       pa::errc::insecure_endpoint},
      {"challenge: resource_metadata with user information", via::challenge, 401,
       R"(WWW-Authenticate: Bearer resource_metadata="https://u@evil.example/meta")", "",
       pa::errc::malformed_response},
      {"challenge: resource_metadata javascript:", via::challenge, 401,
       R"js(WWW-Authenticate: Bearer resource_metadata="javascript:alert(1)")js", "",
       pa::errc::malformed_response},
      {"challenge: resource_metadata with a fragment", via::challenge, 401,
       R"(WWW-Authenticate: Bearer resource_metadata="https://api.example/m#x")", "",
       pa::errc::malformed_response},
      {"challenge: resource_metadata of 3000 bytes", via::challenge, 401,
       "WWW-Authenticate: Bearer resource_metadata=\"https://api.example/" +
           std::string(3000, 'm') + "\"",
       "", pa::errc::malformed_response},
      {"challenge: unterminated quote (field skipped)", via::challenge, 401,
       R"(WWW-Authenticate: Bearer resource_metadata="http://evil.example/meta)", "", ok},
      {"challenge: another scheme only", via::challenge, 401,
       R"(WWW-Authenticate: Basic realm="api")", "", ok},
      {"challenge: invalid_token with a usable URL", via::challenge, 401,
       R"(WWW-Authenticate: Bearer error="invalid_token", resource_metadata="https://api.example/m")",
       "", ok},

      // ---- discover() ----
      {"discover: 302 (not followed)", via::discover, 302, "Location: https://evil.example/meta",
       "", pa::errc::http_error},
      {"discover: 404 everywhere", via::discover, 404, html_type, html_page, pa::errc::http_error},
      {"discover: 500", via::discover, 500, "", "", pa::errc::http_error},
      {"discover: 429", via::discover, 429, "Retry-After: 9", "", pa::errc::http_error, 9},
      {"discover: another issuer", via::discover, 200, json_type,
       R"({"issuer":"https://evil.example","token_endpoint":"https://evil.example/t"})",
       pa::errc::issuer_mismatch},
      {"discover: 200 HTML", via::discover, 200, html_type, html_page, pa::errc::invalid_json},

      // ---- m2m_client: the token endpoint's answer ----
      {"m2m: access_token with a space", via::m2m, 200, json_type, token_with("\"$F x\""),
       pa::errc::invalid_header_value},
      {"m2m: access_token with CR LF and a header", via::m2m, 200, json_type,
       token_with("\"$F\\r\\nX-Evil: 1\""), pa::errc::invalid_header_value},
      {"m2m: access_token with a NUL", via::m2m, 200, json_type, token_with("\"$F\\u0000\""),
       pa::errc::invalid_header_value},
      {"m2m: access_token non-ASCII", via::m2m, 200, json_type, token_with("\"\\u00e9$F\""),
       pa::errc::invalid_header_value},
      {"m2m: access_token quoted", via::m2m, 200, json_type, token_with("\"\\\"$F\\\"\""),
       pa::errc::invalid_header_value},
      {"m2m: access_token with a tab", via::m2m, 200, json_type, token_with("\"$F\\t\""),
       pa::errc::invalid_header_value},
      {"m2m: access_token with a Bearer prefix", via::m2m, 200, json_type,
       token_with("\"Bearer $F\""), pa::errc::invalid_header_value},
      {"m2m: form access_token with LF", via::m2m, 200, form_type,
       "access_token=$F%0Ax&token_type=bearer&expires_in=3600", pa::errc::invalid_header_value},
      {"m2m: expires_in zero", via::m2m, 200, json_type,
       R"({"access_token":"$F","expires_in":"0"})", ok},
      {"m2m: expires_in negative", via::m2m, 200, json_type,
       R"({"access_token":"$F","expires_in":-3600})", ok},
      {"m2m: 401 invalid_client quoting the secret", via::m2m, 401, json_type,
       oauth("invalid_client", "$S / Basic $B"), pa::errc::invalid_client},
      {"m2m: 200 with invalid_scope", via::m2m, 200, json_type, oauth("invalid_scope"),
       pa::errc::invalid_scope},
      {"m2m: token_type DPoP", via::m2m, 200, json_type,
       R"({"access_token":"$F","token_type":"DPoP"})", pa::errc::unsupported_token_type},
      {"m2m: 200 HTML", via::m2m, 200, html_type, html_page, pa::errc::malformed_response},
      {"m2m: truncated", via::m2m, 200, json_type, R"({"access_token":"$F)",
       pa::errc::invalid_json},
      {"m2m: 503 Retry-After", via::m2m, 503, "Retry-After: 5", "", pa::errc::http_error, 5},
      {"m2m: 429 slow_down", via::m2m, 429, json_type, oauth("slow_down"), pa::errc::slow_down},
      {"m2m: 302 (not followed)", via::m2m, 302, "Location: https://evil.example/token", "",
       pa::errc::http_error},

      // ---- m2m_client: the API's answers (the outcome of the second send) ----
      {"m2m api: 401 invalid_token every time", via::m2m_api, 401,
       R"(WWW-Authenticate: Bearer error="invalid_token")", "", pa::errc::token_rejected},
      {"m2m api: 401 without a challenge every time", via::m2m_api, 401, "", "",
       pa::errc::token_rejected},
      {"m2m api: 401 insufficient_scope", via::m2m_api, 401,
       R"(WWW-Authenticate: Bearer error="insufficient_scope", scope="admin")", "", ok},
      {"m2m api: 401 of another scheme", via::m2m_api, 401, R"(WWW-Authenticate: Basic realm="x")",
       "", ok},
      {"m2m api: 302 to another host (not followed)", via::m2m_api, 302,
       "Location: https://evil.example/steal", "", ok},
      {"m2m api: 403", via::m2m_api, 403, json_type, R"({"code":403})", ok},

      // ---- user_session: the refresh's answer ----
      {"session: access_token with a space", via::session, 200, json_type, token_with("\"$F x\""),
       pa::errc::invalid_header_value},
      {"session: access_token with CR LF, rotated", via::session, 200, json_type,
       token_with("\"$F\\r\\n\"", "\"refresh_token\":\"$F2\""), pa::errc::invalid_header_value},
      {"session: access_token with a NUL", via::session, 200, json_type, token_with("\"\\u0000\""),
       pa::errc::invalid_header_value},
      {"session: refresh_token with CR LF", via::session, 200, json_type,
       token_with("\"$F\"", "\"refresh_token\":\"r\\r\\nx\""), pa::errc::malformed_response},
      {"session: invalid_grant quoting the refresh token", via::session, 400, json_type,
       oauth("invalid_grant", "$R"), pa::errc::reauthentication_required},
      {"session: invalid_client quoting the secret", via::session, 401, json_type,
       oauth("invalid_client", "client_secret=$S"), pa::errc::invalid_client},
      {"session: token_type mac", via::session, 200, json_type,
       R"({"access_token":"$F","token_type":"mac"})", pa::errc::unsupported_token_type},
      {"session: 200 HTML", via::session, 200, html_type, html_page, pa::errc::malformed_response},
      {"session: 503", via::session, 503, "Retry-After: 4", html_page, pa::errc::http_error, 4},
      {"session: 302 (not followed)", via::session, 302, "Location: https://evil.example/t", "",
       pa::errc::http_error},

      // ---- user_session::complete_login: the code exchange's answer ----
      {"login: access_token with a space", via::login, 200, json_type, token_with("\"$F x\""),
       pa::errc::invalid_header_value},
      {"login: access_token with CR LF", via::login, 200, json_type,
       token_with("\"$F\\r\\n\"", "\"refresh_token\":\"$F2\""), pa::errc::invalid_header_value},
      {"login: invalid_grant quoting the code and verifier", via::login, 400, json_type,
       oauth("invalid_grant", "code=$C code_verifier=$V"), pa::errc::invalid_grant},
      {"login: 200 with access_denied", via::login, 200, json_type, oauth("access_denied"),
       pa::errc::access_denied},
      {"login: 401 quoting the Basic credential", via::login, 401, json_type,
       oauth("invalid_client", "Basic $B"), pa::errc::invalid_client},
      {"login: 200 HTML", via::login, 200, html_type, html_page, pa::errc::malformed_response},
  };
  return t;
}

// ---- checks -----------------------------------------------------------------------------------

/// Which text field of `e` holds a credential ('~', or the Basic credential), or nullptr.
const char* leaking_field(const pa::error& e) {
  const std::string blob = basic_blob();
  const std::pair<const char*, const std::string*> fields[] = {{"message", &e.message},
                                                               {"description", &e.description},
                                                               {"uri", &e.uri},
                                                               {"oauth_error", &e.oauth_error},
                                                               {"request_id", &e.request_id}};
  for (const auto& [name, text] : fields)
    if (text->find('~') != std::string::npos || text->find(blob) != std::string::npos ||
        text->find(blob.substr(12, 12)) != std::string::npos)
      return name;
  return nullptr;
}

/// What is wrong with the requests a transport recorded (index and part, never a value), or "".
std::string bad_request(const std::vector<pa::http_request>& sent) {
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const pa::http_request& q = sent[i];
    const std::string where = "request " + std::to_string(i);
    if (q.url.rfind("https://as.example/", 0) != 0 && q.url.rfind("https://api.example/", 0) != 0)
      return where + ": a URL outside the configured hosts";
    if (q.url.find_first_of(std::string_view("\r\n\0 ", 4)) != std::string::npos)
      return where + ": a URL with CR, LF, NUL or a space";
    for (const auto& [name, value] : q.headers) {
      if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos ||
          name.find_first_of(std::string_view("\r\n\0 :", 5)) != std::string::npos)
        return where + ": header " + name + " with CR, LF or NUL";
      if (pa::detail::iequals(name, "Authorization") && value.rfind("Bearer ", 0) == 0 &&
          !pa::is_b64token(std::string_view(value).substr(7)))
        return where + ": a Bearer value outside b64token";
    }
  }
  return {};
}

pa::user_auth_config user_config(pa::client_auth auth) {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://as.example/authorize";
  c.token_endpoint = "https://as.example/token";
  c.revocation_endpoint = "https://as.example/revoke";
  c.device_authorization_endpoint = "https://as.example/device";
  c.redirect_uri = "https://app.example/cb";
  c.client_id = std::string(client_id);
  c.client_secret = pa::secret(k_secret);
  c.auth = auth;
  c.format = pa::body_format::form;
  return c;
}

/// What one row did.
struct outcome {
  std::optional<pa::error> failure;  ///< nullopt: accepted
  std::vector<pa::http_request> sent;
  std::string extra;  ///< a problem found on the way (named, never quoting a value)
};

template <class T>
std::optional<pa::error> error_of(const pa::result<T>& r) {
  if (r) return std::nullopt;
  return r.error();
}

/// A parsed token must go into a header: the errc of bearer_header_value() when it cannot.
std::optional<pa::error> usable(const pa::result<pa::token>& t) {
  if (!t) return t.error();
  auto h = pa::bearer_header_value(t->access_token);
  if (!h) return h.error();
  return std::nullopt;
}

/// The fake server behind the driver rows: the token endpoint issues k_fresh, the API answers
/// 200, anything else is a transport failure.
pa::result<pa::http_response> fake_server(const pa::http_request& q) {
  pa::http_response a;
  if (q.url == "https://as.example/token") {
    a.status = 200;
    a.headers.add("Content-Type", "application/json");
    a.body = expand(good_token);
    return a;
  }
  if (q.url.rfind("https://api.example/", 0) == 0) {
    a.status = 200;
    a.body = "{}";
    return a;
  }
  return pa::fail(pa::errc::transport_failed, "not a configured host");
}

pa::http_request api_get() {
  pa::http_request q;
  q.method = "GET";
  q.url = "https://api.example/v1/me";
  return q;
}

using session_t = pa::user_session<pt::fake_transport, pa::memory_store*, pt::manual_clock,
                                   pa::thread_safe, pt::fixed_random>;

outcome run(const row& r) {
  const pa::http_response a = answer_of(r);
  outcome out;
  switch (r.path) {
    case via::token:
    case via::token_strict: {
      const pa::user_auth_config c = user_config(pa::client_auth::client_secret_basic);
      const pa::secret code(k_code), verifier(k_verifier);
      pa::detail::credential_list sent;
      sent.add_client_of(c).add(code).add(verifier);
      pa::token_parse_options o;
      o.redact = &sent;
      o.strict_expires_in = r.path == via::token_strict;
      out.failure = usable(pa::parse_token_response(a, at, o));
      break;
    }
    case via::refresh: {
      const pa::user_auth_config c = user_config(pa::client_auth::client_secret_post);
      pa::token previous;
      previous.refresh_token = pa::secret(k_refresh);
      previous.access_token = pa::secret(k_access);
      pa::detail::credential_list sent;
      sent.add_client_of(c);
      pa::token_parse_options o;
      o.redact = &sent;
      out.failure = usable(pa::parse_refresh_response(a, at, previous, o));
      break;
    }
    case via::device_start: {
      const pa::user_auth_config c = user_config(pa::client_auth::client_secret_post);
      pa::detail::credential_list sent;
      sent.add_client_of(c);
      pa::device_authorization_options o;
      o.redact = &sent;
      out.failure = error_of(pa::parse_device_authorization_response(a, at, o));
      break;
    }
    case via::device_poll: {
      const pa::user_auth_config c = user_config(pa::client_auth::client_secret_basic);
      const pa::secret device(k_device);
      pa::detail::credential_list sent;
      sent.add_client_of(c).add(device);
      pa::token_parse_options o;
      o.redact = &sent;
      pa::device_poll_outcome p = pa::parse_device_token_response(a, at, 5s, o);
      if (p.status == pa::device_poll_status::success)
        out.failure = usable(pa::result<pa::token>(std::move(*p.issued)));
      else
        out.failure = std::move(p.failure);
      break;
    }
    case via::revocation: {
      const pa::user_auth_config c = user_config(pa::client_auth::client_secret_post);
      const pa::secret revoked(k_refresh);
      pa::detail::credential_list sent;
      sent.add_client_of(c).add(revoked);
      pa::response_error_options o;
      o.redact = &sent;
      out.failure = error_of(pa::parse_revocation_response(a, o));
      break;
    }
    case via::introspection: {
      pt::fake_transport t;
      t.respond(a);
      pa::introspection_config c;
      c.introspection_endpoint = "https://as.example/introspect";
      c.client_id = std::string(client_id);
      c.client_secret = pa::secret(k_secret);
      out.failure = error_of(pa::introspect(t, c, pa::secret(k_access)));
      out.sent = t.requests();
      break;
    }
    case via::registration: {
      pt::fake_transport t;
      t.respond(a);
      const pa::secret initial(k_initial);
      const auto m = pa::native_client_metadata("Demo", {"http://127.0.0.1:8765/cb"});
      out.failure = error_of(pa::register_client(t, "https://as.example/register", m, &initial));
      out.sent = t.requests();
      break;
    }
    case via::as_metadata:
      out.failure = error_of(pa::parse_authorization_server_metadata(a, "https://as.example"));
      break;
    case via::pr_metadata:
      out.failure = error_of(pa::parse_protected_resource_metadata(a, "https://api.example/v1"));
      break;
    case via::challenge: {
      auto q = pa::protected_resource_metadata_request(a, "https://api.example/v1");
      out.failure = error_of(q);
      if (q) out.sent.push_back(*q);  // what would be fetched: checked as if it were sent
      break;
    }
    case via::discover: {
      pt::fake_transport t;
      t.on_send([a](const pa::http_request&) -> pa::result<pa::http_response> { return a; });
      out.failure = error_of(pa::discover(t, "https://as.example"));
      out.sent = t.requests();
      if (r.status >= 300 && r.status < 400 && out.sent.size() != 1)
        out.extra = "a redirect did not end the search";
      break;
    }
    case via::m2m:
    case via::m2m_api: {
      pt::fake_transport t;
      pt::manual_clock clock{at};
      if (r.path == via::m2m) {
        t.respond(a);
        t.on_send(fake_server);
      } else {
        t.on_send([a](const pa::http_request& q) -> pa::result<pa::http_response> {
          if (q.url.rfind("https://api.example/", 0) == 0) return a;
          return fake_server(q);
        });
      }
      pa::client_credentials_config c;
      c.token_endpoint = "https://as.example/token";
      c.client_id = std::string(client_id);
      c.client_secret = pa::secret(k_secret);
      c.api_origins = {"https://api.example"};
      pa::m2m_client client{t, std::move(c), clock};
      auto first = client.send(api_get());
      if (r.path == via::m2m) {
        out.failure = error_of(first);
      } else {
        out.failure = error_of(client.send(api_get()));
        if (first && first->status != r.status) out.extra = "the first send changed the status";
      }
      // What the driver sends next: after the backoff, and after invalidate().
      clock.advance(2h);
      (void)client.send(api_get());
      client.invalidate();
      auto last = client.send(api_get());
      if (r.path == via::m2m && (!last || last->status != 200))
        out.extra = "no recovery once the server answers well";
      out.sent = t.requests();
      break;
    }
    case via::session:
    case via::login: {
      pt::fake_transport t;
      t.respond(a);
      t.on_send(fake_server);
      pt::manual_clock clock{at};
      pa::memory_store store;
      if (r.path == via::session) {
        pa::stored_session s;
        s.refresh_token = pa::secret(k_refresh);
        s.access_token = pa::secret("expired.access");
        s.access_expires_at = std::chrono::system_clock::now() - 10s;
        REQUIRE(store.save(s));
      }
      const pa::client_auth auth = r.path == via::login ? pa::client_auth::client_secret_basic
                                                        : pa::client_auth::client_secret_post;
      session_t session(t, user_config(auth), &store, clock, {}, pt::fixed_random(0));
      if (r.path == via::login) {
        auto pkce = pa::pkce_pair::from_verifier(pa::secret(k_verifier));
        REQUIRE(pkce.has_value());
        out.failure = error_of(session.complete_login(pa::secret(k_code), *pkce));
        auto stored = store.load();
        if (out.failure && (!stored || stored->has_value()))
          out.extra = "a failed login saved a session";
      } else {
        out.failure = error_of(session.authorization_header());
      }
      // What the session sends next: later, and after invalidate().
      clock.advance(2h);
      (void)session.authorization_header();
      session.invalidate();
      auto last = session.authorization_header();
      out.sent = t.requests();
      // A session whose refreshed access token could not go into a header refreshes again
      // (its refresh token is fine); a failed login leaves it logged out.
      if (r.path == via::session && r.want == pa::errc::invalid_header_value && !last)
        out.extra = "the session did not refresh again";
      if (r.path == via::login && (last || last.error().code != pa::errc::not_authenticated))
        out.extra = "a failed login left a session";
      break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("hostile table: every answer maps to its exact errc, leaks nothing, sends nothing bad") {
  const std::vector<row> table = hostile_table();
  CHECK(table.size() >= 150);
  std::set<via> paths;
  std::set<pa::errc> reached;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const row& r = table[i];
    const std::string label =
        std::string(r.name) + " (" + via_names[static_cast<std::size_t>(r.path)] + ")";
    INFO("row " << i << ": " << label);
    paths.insert(r.path);
    const outcome o = run(r);
    const std::string_view got = o.failure ? pa::to_string(o.failure->code) : "accepted";
    const std::string_view want = r.want ? pa::to_string(*r.want) : "accepted";
    CHECK_MESSAGE(got == want, "got " << std::string(got) << ", want " << std::string(want));
    CHECK(o.extra == "");
    CHECK(bad_request(o.sent) == "");
    if (!o.failure) continue;
    reached.insert(o.failure->code);
    const char* leak = leaking_field(*o.failure);
    CHECK_MESSAGE(leak == nullptr, "a credential in error::" << std::string(leak ? leak : ""));
    // An error read from the answer keeps its status (a token refused for the header, and the
    // API's rejections, are the library's own verdicts).
    if (r.path != via::m2m_api && o.failure->code != pa::errc::invalid_header_value)
      CHECK(o.failure->http_status == r.status);
    if (r.retry == no_retry) CHECK_FALSE(o.failure->retry_after.has_value());
    if (r.retry >= 0) {
      REQUIRE(o.failure->retry_after.has_value());
      CHECK(o.failure->retry_after->count() == r.retry);
    }
  }
  // Every path named in the issue is reached, and so is every errc a hostile answer can cause.
  CHECK(paths.size() == std::size(via_names));
  for (const pa::errc c : {pa::errc::invalid_header_value,
                           pa::errc::invalid_json,
                           pa::errc::invalid_utf8,
                           pa::errc::limit_exceeded,
                           pa::errc::malformed_response,
                           pa::errc::unsupported_token_type,
                           pa::errc::http_error,
                           pa::errc::invalid_request,
                           pa::errc::invalid_client,
                           pa::errc::invalid_grant,
                           pa::errc::unauthorized_client,
                           pa::errc::invalid_scope,
                           pa::errc::access_denied,
                           pa::errc::server_error,
                           pa::errc::authorization_pending,
                           pa::errc::slow_down,
                           pa::errc::expired_token,
                           pa::errc::invalid_token,
                           pa::errc::oauth_error,
                           pa::errc::issuer_mismatch,
                           pa::errc::reauthentication_required,
                           pa::errc::insecure_endpoint,
                           pa::errc::invalid_redirect_uri,
                           pa::errc::invalid_client_metadata,
                           pa::errc::token_rejected}) {
    INFO(pa::to_string(c));
    CHECK(reached.count(c) == 1);
  }
}

TEST_CASE("hostile table: the leak check and the request check can fail") {
  // The checks the table relies on see what they must (no test that cannot fail).
  pa::error e(pa::errc::invalid_grant, "the server says x...");
  CHECK(leaking_field(e) == nullptr);
  e.description = "cut ~R...";
  CHECK(std::string(leaking_field(e)) == "description");
  e.description.clear();
  e.request_id = basic_blob().substr(0, 30);
  CHECK(std::string(leaking_field(e)) == "request_id");
  pa::http_request q = api_get();
  CHECK(bad_request({q}) == "");
  q.headers.add("Authorization", "Bearer a b");
  CHECK(bad_request({q}) != "");
  q.headers = {};
  q.headers.add("X", "a\r\nb");
  CHECK(bad_request({q}) != "");
  q.headers = {};
  q.url = "https://evil.example/";
  CHECK(bad_request({q}) != "");
}
