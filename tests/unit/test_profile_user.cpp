// SPDX-License-Identifier: MIT
// Tests for the user-authorization presets of profile.hpp: endpoints, my-account, as exact bytes.
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/profile.hpp>

#include <doctest/doctest.h>

#include <string>  // expected values

namespace pa = profile::auth;

namespace {
pa::http_response json_response(int status, std::string body) {
  pa::http_response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("profile::user_auth_config: public client endpoints under the base URL") {
  const auto c = pa::profile::user_auth_config("app", "http://127.0.0.1:8123/callback");
  CHECK(c.authorization_endpoint == "https://api.profilebehavior.com/oauth/authorize");
  CHECK(c.token_endpoint == "https://api.profilebehavior.com/oauth/token");
  CHECK(c.revocation_endpoint == "https://api.profilebehavior.com/oauth/revoke");
  CHECK(c.device_authorization_endpoint == "https://api.profilebehavior.com/oauth/device");
  CHECK(c.client_id == "app");
  CHECK(c.redirect_uri == "http://127.0.0.1:8123/callback");
  CHECK(c.client_secret.empty());
  CHECK(pa::is_public_client(c));
  CHECK(c.format == pa::body_format::form);
  CHECK_FALSE(c.allow_insecure_http);

  const auto s =
      pa::profile::user_auth_config("app", "https://x.example/cb", "http://127.0.0.1:9000/mock//");
  CHECK(s.authorization_endpoint == "http://127.0.0.1:9000/mock/oauth/authorize");
  CHECK(s.token_endpoint == "http://127.0.0.1:9000/mock/oauth/token");
}

TEST_CASE("profile::user_auth_config: the code exchange as exact bytes (public client)") {
  const auto c = pa::profile::user_auth_config("app", "http://127.0.0.1:8123/callback");
  auto pkce =
      pa::pkce_pair::from_verifier(pa::secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  REQUIRE(pkce.has_value());
  auto req = pa::authorization_code_request(c, pa::secret("c0de"), *pkce);
  REQUIRE(req.has_value());
  CHECK(req->url == "https://api.profilebehavior.com/oauth/token");
  CHECK(req->body ==
        "grant_type=authorization_code&code=c0de&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2F"
        "callback&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=app");
  CHECK_FALSE(req->headers.find("Authorization").has_value());

  auto url = pa::authorization_url(c, *pkce, "st");
  REQUIRE(url.has_value());
  CHECK(*url ==
        "https://api.profilebehavior.com/oauth/authorize?response_type=code&client_id=app&"
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback&state=st&"
        "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
}

TEST_CASE("profile::user_auth_config: confidential client uses HTTP Basic") {
  const auto c = pa::profile::user_auth_config("app", pa::secret("s3"), "https://x.example/cb");
  CHECK_FALSE(pa::is_public_client(c));
  CHECK(c.auth == pa::client_auth::client_secret_basic);
  CHECK(c.token_endpoint == "https://api.profilebehavior.com/oauth/token");
  auto pkce =
      pa::pkce_pair::from_verifier(pa::secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  REQUIRE(pkce.has_value());
  auto req = pa::authorization_code_request(c, pa::secret("c0de"), *pkce);
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Authorization").value_or("") == "Basic YXBwOnMz");
}

TEST_CASE("profile::my_account_request: GET /v3/my-account") {
  const auto r = pa::profile::my_account_request();
  CHECK(r.method == "GET");
  CHECK(r.url == "https://api.profilebehavior.com/v3/my-account");
  CHECK(r.headers == pa::header_list{{"Accept", "application/json"}});
  CHECK(r.body.empty());
  CHECK(pa::profile::my_account_request("http://127.0.0.1:1/").url ==
        "http://127.0.0.1:1/v3/my-account");
}

TEST_CASE("profile::parse_my_account: fields, unknown and missing roles") {
  auto a = pa::profile::parse_my_account(json_response(
      200,
      R"({"id":"u-1","email":"alice@example.com","name":"Alice \u00c5","role":"admin","x":1})"));
  REQUIRE(a.has_value());
  CHECK(a->id == "u-1");
  CHECK(a->email == "alice@example.com");
  CHECK(a->name == "Alice \xc3\x85");
  CHECK(a->role == "admin");

  auto b = pa::profile::parse_my_account(json_response(200, R"({"id":42,"role":"astronaut"})"));
  REQUIRE(b.has_value());
  CHECK(b->id == "42");
  CHECK(b->role == "astronaut");  // unknown roles are kept, not errors
  CHECK(b->email.empty());

  auto c = pa::profile::parse_my_account(json_response(200, R"({"id":"u","role":null})"));
  REQUIRE(c.has_value());
  CHECK(c->role.empty());
}

TEST_CASE("profile::parse_my_account: errors") {
  using pa::errc;
  const auto code = [](int status, std::string body) {
    return pa::profile::parse_my_account(json_response(status, std::move(body))).error().code;
  };
  CHECK(code(200, "{") == errc::invalid_json);
  CHECK(code(200, "[]") == errc::malformed_response);
  CHECK(code(200, R"({"email":"a@b"})") == errc::malformed_response);
  CHECK(code(200, R"({"id":true})") == errc::malformed_response);
  CHECK(code(200, R"({"id":"u","role":["admin"]})") == errc::malformed_response);
  CHECK(code(401, R"({"error":"invalid_token"})") == errc::invalid_token);
  CHECK(code(403, R"({"error":"insufficient_scope"})") == errc::insufficient_scope);
  pa::http_response html;
  html.status = 502;
  html.headers.add("Content-Type", "text/html");
  html.body = "<html>bad gateway</html>";
  auto e = pa::profile::parse_my_account(html);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::http_error);
  CHECK(e.error().message.find("my-account endpoint") != std::string::npos);
}
