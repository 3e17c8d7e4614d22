// SPDX-License-Identifier: MIT
// Tests for detail/redact.hpp: a server that quotes what it was sent (secret, tokens, code,
// verifier, device code, the whole body and the Authorization header) in its error answer
// never makes the library print a credential, on any path and wherever a cap cuts the text.
#include <profile/auth/detail/redact.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/device_flow.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/grants/refresh_token.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/user_session.hpp>

#include <doctest/doctest.h>

#include <chrono>       // times
#include <cstddef>      // std::size_t
#include <functional>   // the paths of the walk
#include <optional>     // a parse that may succeed
#include <set>          // the errc values the walk reached
#include <string>       // bodies
#include <string_view>  // the secrets
#include <vector>       // answers, secrets

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

// Every credential starts with '~', which nothing else in these answers or in the library's
// own words contains: a text that ends with any start of one (even one byte) at a cut leaked it.
// The client secret holds the bytes that JSON, form and percent encoding each write differently.
constexpr std::string_view client_secret = "~Qk\"9/Sec ret+Cl\\ient";
constexpr std::string_view refresh_token = "~Rf7-refresh/tok+en";
constexpr std::string_view access_token = "~Ac9.access-tok_en";
constexpr std::string_view code = "~Cd4-auth/code+x";
constexpr std::string_view verifier = "~Vf0-verifier-0123456789abcdefghijklmnopqrstu";
constexpr std::string_view device_code = "~Dv5-device/code+Q";
constexpr std::string_view client_id = "app-client";

/// A JSON string's contents for `s` (written here, independently of the library's writer).
std::string json_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

/// Everything a request carried, as a server that echoes it would write it.
std::string echo_of(const pa::http_request& r) {
  std::string s = "you sent " + r.method + " " + r.url + " body=" + r.body;
  for (const auto& [name, value] : r.headers) s += " " + name + ": " + value;
  return s;
}

pa::http_response answer(int status, std::string type, std::string body,
                         std::string request_id = {}) {
  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::move(type));
  if (!request_id.empty()) r.headers.add("X-Request-Id", std::move(request_id));
  r.body = std::move(body);
  return r;
}

/// Hostile answers to `req`: `pad` filler bytes, then the whole request (body and headers)
/// in error_description, `quoted` in error_uri, the request id and an unregistered error code
/// (form-encoded there, which the code grammar allows), at the statuses and in the shapes a
/// token endpoint answers with.
std::vector<pa::http_response> hostile_answers(const pa::http_request& req, std::string_view quoted,
                                               std::size_t pad = 0) {
  const std::string echo = std::string(pad, 'x') + echo_of(req);
  const std::string q = pa::form_urlencode(quoted);
  const std::string uri = "https://as.example/e?sent=" + q;
  const std::string fields = R"(,"error_description":")" + json_escape(echo) +
                             R"(","error_uri":")" + json_escape(uri) + R"("})";
  std::vector<pa::http_response> out;
  for (const int status : {400, 401, 403, 429, 500, 503}) {
    out.push_back(answer(status, "application/json", R"({"error":"invalid_request")" + fields, q));
    out.push_back(answer(status, "application/json", R"({"error":"invalid_grant")" + fields));
    out.push_back(answer(status, "application/json", R"({"error":")" + q + "\"" + fields));
    out.push_back(answer(status, "application/x-www-form-urlencoded",
                         "error=invalid_client&error_description=" + pa::form_urlencode(echo) +
                             "&error_uri=" + pa::form_urlencode(uri)));
    out.push_back(answer(status, "text/plain", echo, q));
    out.push_back(answer(status, "text/html", "<html>" + echo + "</html>", q));
    out.push_back(answer(status, "application/json", "{\"error\":" + echo));  // malformed
    out.push_back(answer(status, "application/x-" + q, echo));                // a quoted media type
  }
  out.push_back(answer(200, "application/json", R"({"error":"slow_down")" + fields));
  out.push_back(answer(200, "application/json", R"({"error":"server_error")" + fields));
  out.push_back(answer(200, "application/json", "{\"error\":" + echo));
  out.push_back(answer(200, "text/html", "<p>" + echo, q));
  out.push_back(answer(200, "application/x-" + q, echo));
  out.push_back(answer(200, "application/json",
                       R"({"access_token":"a","token_type":")" + q + R"("})"));  // not Bearer
  out.push_back(answer(200, "application/json", R"({"token_type":"Bearer"})", q));
  return out;
}

/// The forms a credential travels in (as it is, form-encoded, percent-encoded, JSON-escaped).
std::vector<std::string> forms_of(std::string_view s) {
  return {std::string(s), pa::form_urlencode(s), pa::percent_encode(s), json_escape(s)};
}

/// What `e` leaks, or "" when nothing: a credential of `secrets` (in any form) in a text field,
/// a start of one of 4 bytes or more anywhere, or any start of one (1 byte or more) right
/// before a cut ("...") or at the end of a field; or one of `blobs` (Basic credentials) or
/// their secret-derived middle.
std::string leak_in(const pa::error& e, const std::vector<std::string_view>& secrets,
                    const std::vector<std::string>& blobs) {
  const std::pair<const char*, const std::string*> fields[] = {{"message", &e.message},
                                                               {"description", &e.description},
                                                               {"uri", &e.uri},
                                                               {"oauth_error", &e.oauth_error},
                                                               {"request_id", &e.request_id}};
  for (const auto& [name, text] : fields) {
    const std::string where = std::string(name) + ": " + *text;
    std::vector<std::size_t> cuts{text->size()};
    for (std::size_t at = text->find("..."); at != std::string::npos;
         at = text->find("...", at + 1))
      cuts.push_back(at);
    for (const std::string_view s : secrets)
      for (const std::string& f : forms_of(s)) {
        if (text->find(f.substr(0, 4)) != std::string::npos) return where;  // nor longer starts
        for (const std::size_t cut : cuts)
          for (std::size_t n = 1; n < f.size() && n <= cut; ++n)
            if (text->compare(cut - n, n, f, 0, n) == 0) return "a start at a cut in " + where;
      }
    for (const std::string& b : blobs)
      if (text->find(b) != std::string::npos ||
          text->find(b.substr(16, 8)) != std::string::npos)  // bytes of the secret
        return "a Basic credential in " + where;
  }
  return {};
}

void require_clean(const pa::error& e, const std::vector<std::string_view>& secrets,
                   const std::vector<std::string>& blobs = {}) {
  const std::string leak = leak_in(e, secrets, blobs);
  REQUIRE_MESSAGE(leak.empty(), leak);
}

/// The base64 credential of a Basic Authorization value.
std::string basic_blob(const pa::http_request& r) {
  const auto v = r.headers.find("Authorization");
  REQUIRE(v.has_value());
  REQUIRE(v->substr(0, 6) == "Basic ");
  return std::string(v->substr(6));
}

pa::client_credentials_config cc_config(bool basic) {
  pa::client_credentials_config c;
  c.token_endpoint = "https://as.example/token";
  c.client_id = std::string(client_id);
  c.client_secret = pa::secret(client_secret);
  if (basic) {
    c.auth = pa::client_auth::client_secret_basic;
    c.format = pa::body_format::form;
  } else {
    c.auth = pa::client_auth::client_secret_post;
    c.format = pa::body_format::json;  // the Profile API's form
  }
  return c;
}

pa::user_auth_config user_config(pa::client_auth auth, pa::body_format fmt) {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://as.example/authorize";
  c.token_endpoint = "https://as.example/token";
  c.revocation_endpoint = "https://as.example/revoke";
  c.device_authorization_endpoint = "https://as.example/device";
  c.redirect_uri = "https://app.example/cb";
  c.client_id = std::string(client_id);
  c.client_secret = pa::secret(client_secret);
  c.auth = auth;
  c.format = fmt;
  return c;
}

const pa::time_point at{std::chrono::seconds(1000)};

/// One path of the walk: the request it sends, what it must keep out of errors, and its parse
/// (nullopt when the answer was a success).
struct path {
  const char* name;
  pa::http_request request;
  std::vector<std::string_view> secrets;
  std::function<std::optional<pa::error>(const pa::http_response&)> parse;
};

template <class T>
std::optional<pa::error> error_or_none(const pa::result<T>& r) {
  if (r) return std::nullopt;
  return r.error();
}

/// Runs every hostile answer through `p` and checks each error; returns the errc values seen.
std::set<pa::errc> walk(const path& p, std::size_t pad = 0) {
  std::set<pa::errc> seen;
  std::vector<std::string> blobs;
  if (p.request.headers.find("Authorization")) blobs.push_back(basic_blob(p.request));
  for (const std::string_view quoted : p.secrets)
    for (const pa::http_response& r : hostile_answers(p.request, quoted, pad)) {
      INFO(std::string(p.name) << ", pad " << pad << ", status " << r.status << ", body "
                               << r.body);
      const std::optional<pa::error> e = p.parse(r);
      if (!e) continue;
      seen.insert(e->code);
      require_clean(*e, p.secrets, blobs);
    }
  return seen;
}

path cc_path(bool basic) {
  pa::client_credentials_config c = cc_config(basic);
  auto req = pa::client_credentials_request(c);
  REQUIRE(req.has_value());
  return {basic ? "client credentials, form + Basic" : "client credentials, JSON + post",
          *req,
          {client_secret},
          [c](const pa::http_response& r) {
            pa::detail::credential_list sent;
            sent.add_client_of(c);
            pa::token_parse_options o;
            o.redact = &sent;
            return error_or_none(pa::parse_token_response(r, at, o));
          }};
}

path refresh_path(pa::client_auth auth, pa::body_format fmt) {
  pa::user_auth_config c = user_config(auth, fmt);
  auto req = pa::refresh_token_request(c, pa::secret(refresh_token));
  REQUIRE(req.has_value());
  return {"refresh",
          *req,
          {client_secret, refresh_token, access_token},
          [c](const pa::http_response& r) {
            pa::token previous;
            previous.refresh_token = pa::secret(refresh_token);
            previous.access_token = pa::secret(access_token);
            pa::detail::credential_list sent;
            sent.add_client_of(c);
            pa::token_parse_options o;
            o.redact = &sent;
            return error_or_none(pa::parse_refresh_response(r, at, previous, o));
          }};
}

path code_path(pa::client_auth auth, pa::body_format fmt) {
  pa::user_auth_config c = user_config(auth, fmt);
  auto pkce = pa::pkce_pair::from_verifier(pa::secret(verifier));
  REQUIRE(pkce.has_value());
  auto req = pa::authorization_code_request(c, pa::secret(code), *pkce);
  REQUIRE(req.has_value());
  return {"code exchange", *req, {client_secret, code, verifier}, [c](const pa::http_response& r) {
            const pa::secret k(code), v(verifier);
            pa::detail::credential_list sent;
            sent.add_client_of(c).add(k).add(v);
            pa::token_parse_options o;
            o.redact = &sent;
            return error_or_none(pa::parse_token_response(r, at, o));
          }};
}

path device_poll_path(pa::client_auth auth, pa::body_format fmt) {
  pa::user_auth_config c = user_config(auth, fmt);
  auto req = pa::device_token_request(c, pa::secret(device_code));
  REQUIRE(req.has_value());
  return {"device poll",
          *req,
          {client_secret, device_code},
          [c](const pa::http_response& r) -> std::optional<pa::error> {
            const pa::secret d(device_code);
            pa::detail::credential_list sent;
            sent.add_client_of(c).add(d);
            pa::token_parse_options o;
            o.redact = &sent;
            pa::device_poll_outcome out = pa::parse_device_token_response(r, at, 5s, o);
            if (out.status == pa::device_poll_status::success) return std::nullopt;
            return out.failure;
          }};
}

path revocation_path(std::string_view token, pa::token_type_hint hint, pa::client_auth auth) {
  pa::user_auth_config c = user_config(auth, pa::body_format::form);
  auto req = pa::revocation_request(c, pa::secret(token), hint);
  REQUIRE(req.has_value());
  return {"revocation", *req, {client_secret, token}, [c, token](const pa::http_response& r) {
            const pa::secret revoked(token);
            pa::detail::credential_list sent;
            sent.add_client_of(c).add(revoked);
            pa::response_error_options o;
            o.redact = &sent;
            return error_or_none(pa::parse_revocation_response(r, o));
          }};
}

path device_start_path(pa::client_auth auth) {
  pa::user_auth_config c = user_config(auth, pa::body_format::form);
  auto req = pa::device_authorization_request(c);
  REQUIRE(req.has_value());
  return {"device start", *req, {client_secret}, [c](const pa::http_response& r) {
            pa::detail::credential_list sent;
            sent.add_client_of(c);
            pa::device_authorization_options o;
            o.redact = &sent;
            return error_or_none(pa::parse_device_authorization_response(r, at, o));
          }};
}

/// Checks that the path's hostile answers reached `code` at least once with every credential
/// redacted, and that the description still says what the server said around it.
void check_path(const path& p) {
  const std::set<pa::errc> seen = walk(p);
  CHECK(seen.count(pa::errc::invalid_request) == 1);
  CHECK(seen.count(pa::errc::http_error) == 1);
  // The server's words around the credential survive.
  const std::optional<pa::error> e = p.parse(hostile_answers(p.request, p.secrets.back())[0]);
  REQUIRE(e.has_value());
  CHECK(e->description.find("you sent POST https://as.example/") == 0);
  CHECK(e->description.find("[redacted]") != std::string::npos);
  CHECK(e->uri == "https://as.example/e?sent=[redacted]");
  CHECK(e->request_id == "[redacted]");
}

}  // namespace

TEST_CASE("echo redaction: client credentials, JSON body with client_secret_post") {
  const path p = cc_path(false);
  CHECK(p.request.body.find(json_escape(client_secret)) != std::string::npos);  // as sent
  check_path(p);
}

TEST_CASE("echo redaction: client credentials, HTTP Basic (the base64 credential too)") {
  const path p = cc_path(true);
  const std::string blob = basic_blob(p.request);
  check_path(p);
  const auto e = p.parse(
      answer(401, "application/json",
             R"({"error":"invalid_client","error_description":"Basic )" + blob + R"( is wrong"})"));
  REQUIRE(e.has_value());
  CHECK(e->description == "Basic [redacted] is wrong");
}

TEST_CASE("echo redaction: client credentials, form body with client_secret_post") {
  pa::client_credentials_config c = cc_config(false);
  c.format = pa::body_format::form;
  auto req = pa::client_credentials_request(c);
  REQUIRE(req.has_value());
  CHECK(req->body.find(pa::form_urlencode(client_secret)) != std::string::npos);
  path p = cc_path(false);
  p.request = *req;
  check_path(p);
}

TEST_CASE("echo redaction: refresh (refresh token from `previous`, client secret from redact)") {
  check_path(refresh_path(pa::client_auth::client_secret_post, pa::body_format::form));
  check_path(refresh_path(pa::client_auth::client_secret_basic, pa::body_format::json));
  // Without opts.redact the refresh and access tokens of `previous` are still removed, and
  // invalid_grant (rebuilt as reauthentication_required) quotes nothing either.
  pa::token previous;
  previous.refresh_token = pa::secret(refresh_token);
  previous.access_token = pa::secret(access_token);
  const std::string body = R"({"error":"invalid_grant","error_description":"refresh token )" +
                           json_escape(refresh_token) + " (for " + json_escape(access_token) +
                           R"() was revoked"})";
  auto r = pa::parse_refresh_response(answer(400, "application/json", body), at, previous);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::reauthentication_required);
  CHECK(r.error().description == "refresh token [redacted] (for [redacted]) was revoked");
  require_clean(r.error(), {refresh_token, access_token});
}

TEST_CASE("echo redaction: authorization code exchange (code and verifier)") {
  check_path(code_path(pa::client_auth::client_secret_post, pa::body_format::form));
  check_path(code_path(pa::client_auth::client_secret_basic, pa::body_format::json));
}

TEST_CASE("echo redaction: revocation of the refresh token and of the access token") {
  check_path(revocation_path(refresh_token, pa::token_type_hint::refresh_token,
                             pa::client_auth::client_secret_post));
  check_path(revocation_path(access_token, pa::token_type_hint::access_token,
                             pa::client_auth::client_secret_basic));
}

TEST_CASE("echo redaction: device authorization start with client_secret_post") {
  check_path(device_start_path(pa::client_auth::client_secret_post));
  check_path(device_start_path(pa::client_auth::client_secret_basic));
}

TEST_CASE("echo redaction: device poll quoting the device code") {
  const path p = device_poll_path(pa::client_auth::client_secret_post, pa::body_format::form);
  check_path(p);
  const std::string body = R"({"error":"authorization_pending","error_description":"device_code )" +
                           json_escape(device_code) + R"( pending"})";
  pa::detail::credential_list sent;
  const pa::secret d(device_code);
  sent.add(d);
  pa::token_parse_options o;
  o.redact = &sent;
  const auto out =
      pa::parse_device_token_response(answer(400, "application/json", body), at, 5s, o);
  CHECK(out.status == pa::device_poll_status::authorization_pending);  // the code still counts
  CHECK(out.failure.description == "device_code [redacted] pending");
}

TEST_CASE("echo redaction: every errc of every path, the whole request echoed, every cut") {
  const std::vector<path> paths = {
      cc_path(false),
      cc_path(true),
      refresh_path(pa::client_auth::client_secret_post, pa::body_format::json),
      refresh_path(pa::client_auth::client_secret_basic, pa::body_format::form),
      code_path(pa::client_auth::client_secret_post, pa::body_format::form),
      code_path(pa::client_auth::client_secret_basic, pa::body_format::json),
      device_poll_path(pa::client_auth::client_secret_basic, pa::body_format::form),
      revocation_path(refresh_token, pa::token_type_hint::refresh_token,
                      pa::client_auth::client_secret_post),
      revocation_path(access_token, pa::token_type_hint::access_token,
                      pa::client_auth::client_secret_basic),
      device_start_path(pa::client_auth::client_secret_post)};
  std::set<pa::errc> seen;
  for (const path& p : paths)
    for (const pa::errc c : walk(p)) seen.insert(c);
  // Every errc a token answer can produce was reached, each with every credential removed.
  for (const pa::errc c :
       {pa::errc::invalid_request, pa::errc::invalid_client, pa::errc::invalid_grant,
        pa::errc::reauthentication_required, pa::errc::oauth_error, pa::errc::slow_down,
        pa::errc::server_error, pa::errc::http_error, pa::errc::invalid_json,
        pa::errc::malformed_response, pa::errc::unsupported_token_type}) {
    INFO(pa::to_string(c));
    CHECK(seen.count(c) == 1);
  }
  // The description is cut at 1024 bytes and quoted in the message up to 200: pad the echo so
  // that every credential in it crosses both cuts at every offset.
  const auto echoed = hostile_answers(paths[0].request, client_secret)[0];
  REQUIRE(echoed.body.size() > 300);
  for (const path& p : {paths[0], paths[1], paths[2], paths[4], paths[6], paths[7]})
    for (std::size_t pad = 0; pad <= 1030; ++pad) {
      std::vector<std::string> blobs;
      if (p.request.headers.find("Authorization")) blobs.push_back(basic_blob(p.request));
      const std::string echo = std::string(pad, 'x') + echo_of(p.request);
      const auto r =
          answer(400, "application/json",
                 R"({"error":"invalid_request","error_description":")" + json_escape(echo) + "\"}");
      const std::optional<pa::error> e = p.parse(r);
      REQUIRE(e.has_value());
      INFO(std::string(p.name) << ", pad " << pad);
      require_clean(*e, p.secrets, blobs);
    }
}

TEST_CASE("echo redaction: credential_list forms, prefixes at a cut, short credentials") {
  using pa::detail::credential_list;
  const pa::secret s("ab/c d\"e");
  credential_list l;
  l.add(s);
  std::string t =
      "raw ab/c d\"e form ab%2Fc+d%22e pct ab%2Fc%20d%22e low ab%2fc+d%22e "
      "json ab/c d\\\"e php ab\\/c d\\\"e";
  l.scrub_text(t);
  CHECK(t ==
        "raw [redacted] form [redacted] pct [redacted] low [redacted] json [redacted] php "
        "[redacted]");
  pa::error e;
  e.message = "server says: \"... ab/c d...\"";
  e.description = "cut: ab/c...";
  e.uri = "https://x/?t=ab/c";
  l.scrub(e);
  CHECK(e.message == "server says: \"... [redacted]...\"");
  CHECK(e.description == "cut: [redacted]...");
  CHECK(e.uri == "https://x/?t=[redacted]");
  // Below min_redacted_prefix (4 bytes): server fields holding it are withheld whole; the
  // library's own words in the message are left alone.
  static_assert(pa::detail::min_redacted_prefix == 4);
  const pa::secret tiny("x7");
  credential_list small;
  small.add(tiny);
  pa::error f;
  f.message = "check client_id and client_secret (server says: \"secret x7 is wrong\")";
  f.description = "secret x7 is wrong";
  f.uri = "https://x/e";
  f.oauth_error = "invalid_client";
  f.request_id = "req-x7";
  small.scrub(f);
  CHECK(f.description == "[redacted]");
  CHECK(f.uri == "https://x/e");
  CHECK(f.oauth_error == "invalid_client");  // a registered code is never a quote
  CHECK(f.request_id == "[redacted]");
  CHECK(f.message.find("check client_id and client_secret") == 0);
  std::string raw = "secret x7 is wrong";
  small.scrub_text(raw);
  CHECK(raw == "[redacted]");  // before the cap: the message then quotes "[redacted]"
  // A chained list removes the credentials of the list it extends too.
  credential_list outer(&l);
  CHECK_FALSE(outer.empty());
  std::string u = "ab/c d\"e";
  outer.scrub_text(u);
  CHECK(u == "[redacted]");
  CHECK(credential_list().empty());
}

TEST_CASE("echo redaction: m2m_client end to end, JSON + post and Basic") {
  for (const bool basic : {false, true}) {
    pt::fake_transport transport;
    transport.on_send([](const pa::http_request& req) -> pa::result<pa::http_response> {
      const std::string echo = echo_of(req);
      return answer(401, "application/json",
                    R"({"error":"invalid_client","error_description":")" + json_escape(echo) +
                        R"(","error_uri":"https://as.example/e?s=)" +
                        pa::form_urlencode(client_secret) + "\"}",
                    pa::form_urlencode(client_secret));
    });
    pa::m2m_client client{transport, cc_config(basic), pt::manual_clock{at}};
    auto h = client.authorization_header();
    REQUIRE_FALSE(h.has_value());
    CHECK(h.error().code == pa::errc::invalid_client);
    std::vector<std::string> blobs;
    if (basic) blobs.push_back(basic_blob(transport.request(0)));
    require_clean(h.error(), {client_secret}, blobs);
    CHECK(h.error().description.find("[redacted]") != std::string::npos);
    CHECK(h.error().message.find("[redacted]") != std::string::npos);  // it quoted the echo
  }
}

TEST_CASE("echo redaction: user_session refresh end to end (public client)") {
  pt::fake_transport transport;
  transport.on_send([](const pa::http_request& req) -> pa::result<pa::http_response> {
    return answer(
        400, "application/json",
        R"({"error":"invalid_grant","error_description":")" + json_escape(echo_of(req)) + "\"}",
        pa::form_urlencode(refresh_token));
  });
  pa::memory_store store;
  pa::stored_session s;
  s.refresh_token = pa::secret(refresh_token);
  s.access_token = pa::secret("expired-access");
  s.access_expires_at = std::chrono::system_clock::now() - 10s;
  REQUIRE(store.save(s));
  pa::user_auth_config c = user_config(pa::client_auth::client_secret_post, pa::body_format::form);
  c.client_secret = pa::secret();  // public: the refresh token is the only credential sent
  pa::user_session<pt::fake_transport, pa::memory_store*, pt::manual_clock, pa::thread_safe,
                   pt::fixed_random>
      session(transport, c, &store, pt::manual_clock{at}, pa::user_session_options{},
              pt::fixed_random(0));
  auto h = session.authorization_header();
  REQUIRE_FALSE(h.has_value());
  REQUIRE(transport.calls() >= 1);
  CHECK(transport.request(0).body.find(pa::form_urlencode(refresh_token)) != std::string::npos);
  require_clean(h.error(), {refresh_token});
}

namespace {
/// A token endpoint that answers every request with the whole request quoted back.
void echo_everything(pt::fake_transport& transport, int status = 400) {
  transport.on_send([status](const pa::http_request& req) -> pa::result<pa::http_response> {
    return answer(
        status, "application/json",
        R"({"error":"invalid_grant","error_description":")" + json_escape(echo_of(req)) + "\"}");
  });
}

using echo_session = pa::user_session<pt::fake_transport, pa::memory_store*, pt::manual_clock,
                                      pa::thread_safe, pt::fixed_random>;
}  // namespace

TEST_CASE("echo redaction: user_session refresh of a confidential client (secret and token)") {
  pt::fake_transport transport;
  echo_everything(transport);
  pa::memory_store store;
  pa::stored_session s;
  s.refresh_token = pa::secret(refresh_token);
  s.access_token = pa::secret("expired-access");
  s.access_expires_at = std::chrono::system_clock::now() - 10s;
  REQUIRE(store.save(s));
  echo_session session(transport,
                       user_config(pa::client_auth::client_secret_post, pa::body_format::form),
                       &store, pt::manual_clock{at}, {}, pt::fixed_random(0));
  auto h = session.authorization_header();
  REQUIRE_FALSE(h.has_value());
  REQUIRE(transport.calls() >= 1);
  require_clean(h.error(), {refresh_token, client_secret});
}

TEST_CASE("echo redaction: user_session complete_login (code, verifier, client secret)") {
  for (const pa::client_auth auth :
       {pa::client_auth::client_secret_post, pa::client_auth::client_secret_basic}) {
    pt::fake_transport transport;
    echo_everything(transport);
    pa::memory_store store;
    echo_session session(transport, user_config(auth, pa::body_format::form), &store,
                         pt::manual_clock{at}, {}, pt::fixed_random(0));
    auto pkce = pa::pkce_pair::from_verifier(pa::secret(verifier));
    REQUIRE(pkce.has_value());
    auto r = session.complete_login(pa::secret(code), *pkce);
    REQUIRE_FALSE(r.has_value());
    REQUIRE(transport.calls() == 1);
    std::vector<std::string_view> secrets{code, verifier, client_secret};
    const std::string blob = auth == pa::client_auth::client_secret_basic
                                 ? basic_blob(transport.request(0))
                                 : std::string();
    if (!blob.empty()) secrets.push_back(blob);
    require_clean(r.error(), secrets);
  }
}

TEST_CASE("echo redaction: user_session logout (the revoked tokens, the client secret)") {
  pt::fake_transport transport;
  echo_everything(transport, 401);
  pa::memory_store store;
  pa::stored_session s;
  s.refresh_token = pa::secret(refresh_token);
  s.access_token = pa::secret(access_token);
  s.access_expires_at = std::chrono::system_clock::now() + 1h;
  REQUIRE(store.save(s));
  echo_session session(transport,
                       user_config(pa::client_auth::client_secret_post, pa::body_format::form),
                       &store, pt::manual_clock{at}, {}, pt::fixed_random(0));
  auto r = session.logout();
  REQUIRE_FALSE(r.has_value());
  CHECK(transport.calls() == 2);
  require_clean(r.error(), {refresh_token, access_token, client_secret});
}

TEST_CASE("echo redaction: device_flow start and poll (client secret, device code)") {
  pt::fake_transport transport;
  pt::manual_clock clock{at};
  pa::device_flow<pt::fake_transport*, pt::manual_clock> flow(
      &transport, user_config(pa::client_auth::client_secret_post, pa::body_format::form), clock);
  echo_everything(transport, 401);
  auto started = flow.start();
  REQUIRE_FALSE(started.has_value());
  require_clean(started.error(), {client_secret});

  transport.on_send([](const pa::http_request& req) -> pa::result<pa::http_response> {
    if (req.url.find("/device") != std::string::npos)
      return answer(200, "application/json",
                    R"({"device_code":")" + json_escape(device_code) +
                        R"(","user_code":"ABCD-EFGH","verification_uri":"https://as.example/d",)"
                        R"("expires_in":600,"interval":5})");
    return answer(
        400, "application/json",
        R"({"error":"invalid_client","error_description":")" + json_escape(echo_of(req)) + "\"}");
  });
  REQUIRE(flow.start().has_value());
  const pa::device_flow_step step = flow.poll(at + 6s);
  REQUIRE(step.failure.has_value());
  require_clean(*step.failure, {device_code, client_secret});
}
