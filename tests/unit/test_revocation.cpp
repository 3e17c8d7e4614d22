// SPDX-License-Identifier: MIT
// Tests for grants/revocation.hpp: RFC 7009 request bytes and answers.
#include <profile/auth/grants/revocation.hpp>

#include <doctest/doctest.h>

#include <chrono>       // retry_after
#include <string>       // bodies
#include <string_view>  // inputs

#include "user_auth_secrets.hpp"

namespace pa = profile::auth;
namespace t = user_auth_test;
using t::error_of;

namespace {

pa::user_auth_config public_config() {
  pa::user_auth_config c;
  c.revocation_endpoint = "https://auth.example.com/revoke";
  c.client_id = "app-123";
  return c;
}

pa::http_response answer(int status, std::string body = {}, std::string type = {}) {
  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("revocation request: refresh and access tokens, public client, golden bytes") {
  auto req = pa::revocation_request(public_config(), pa::secret(t::refresh_token));
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.example.com/revoke");
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"},
                                        {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(req->body == "token=R3FRESH-tok-Zp41&token_type_hint=refresh_token&client_id=app-123");

  req = pa::revocation_request(public_config(), pa::secret(t::access_token),
                               pa::token_type_hint::access_token);
  REQUIRE(req.has_value());
  CHECK(req->body == "token=AcC3SS-tok-Vb20&token_type_hint=access_token&client_id=app-123");

  req = pa::revocation_request(public_config(), pa::secret(t::access_token),
                               pa::token_type_hint::none);
  REQUIRE(req.has_value());
  CHECK(req->body == "token=AcC3SS-tok-Vb20&client_id=app-123");
}

TEST_CASE("revocation request: confidential clients authenticate (RFC 7009 §2.1)") {
  auto c = public_config();
  c.client_secret = pa::secret(t::client_secret);
  c.format = pa::body_format::json;  // token endpoint only: revocation stays form
  auto req = pa::revocation_request(c, pa::secret(t::refresh_token));
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Authorization") == "Basic YXBwLTEyMzpDTDFFTlQtczNjcmV0LVhxOQ==");
  CHECK(req->headers.find("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(req->body == "token=R3FRESH-tok-Zp41&token_type_hint=refresh_token");
  c.auth = pa::client_auth::client_secret_post;
  req = pa::revocation_request(c, pa::secret(t::refresh_token));
  REQUIRE(req.has_value());
  CHECK(req->body ==
        "token=R3FRESH-tok-Zp41&token_type_hint=refresh_token&client_id=app-123"
        "&client_secret=CL1ENT-s3cret-Xq9");
}

TEST_CASE("revocation request: errors") {
  auto c = public_config();
  CHECK(error_of(pa::revocation_request(c, pa::secret())) == pa::errc::invalid_argument);
  CHECK(error_of(pa::revocation_request(c, pa::secret(std::string(t::refresh_token) + "\x01"))) ==
        pa::errc::invalid_argument);
  c.revocation_endpoint.clear();
  auto r = pa::revocation_request(c, pa::secret(t::refresh_token));
  CHECK(error_of(r) == pa::errc::invalid_argument);
  CHECK(r.error().message.find("revocation_endpoint") != std::string::npos);
  c.revocation_endpoint = "http://auth.example.com/revoke";
  CHECK(error_of(pa::revocation_request(c, pa::secret(t::refresh_token))) ==
        pa::errc::insecure_endpoint);
  c.revocation_endpoint = "http://127.0.0.1:8080/revoke";
  CHECK(pa::revocation_request(c, pa::secret(t::refresh_token)).has_value());
  CHECK(pa::to_string(pa::token_type_hint::none).empty());
}

TEST_CASE("revocation answers: 2xx is done, whatever the body") {
  CHECK(pa::parse_revocation_response(answer(200)).has_value());
  CHECK(pa::parse_revocation_response(answer(204)).has_value());
  CHECK(pa::parse_revocation_response(answer(200, "{}", "application/json")).has_value());
}

TEST_CASE("revocation answers: unsupported_token_type and other errors") {
  auto r = pa::parse_revocation_response(
      answer(400, "{\"error\":\"unsupported_token_type\"}", "application/json"));
  CHECK(error_of(r) == pa::errc::unsupported_token_type);
  CHECK(r.error().oauth_error == "unsupported_token_type");
  CHECK(r.error().http_status == 400);
  CHECK(r.error().message.find("revocation endpoint") != std::string::npos);

  r = pa::parse_revocation_response(
      answer(401, "{\"error\":\"invalid_client\",\"error_description\":\"bad creds\"}",
             "application/json"));
  CHECK(error_of(r) == pa::errc::invalid_client);
  CHECK(r.error().description == "bad creds");

  auto busy = answer(503, "<html>busy</html>", "text/html");
  busy.headers.add("Retry-After", "30");
  r = pa::parse_revocation_response(busy);
  CHECK(error_of(r) == pa::errc::http_error);
  CHECK(r.error().retry_after == std::chrono::seconds(30));
  CHECK(pa::is_retryable(r.error()));
}

// The per-test scans (user_auth_test::scan) already check each error as it is produced; this
// case produces one error of every kind with every secret in play, then re-scans everything
// the user-authorization tests collected (all of them when doctest runs files in name order,
// where this file comes last of the six).
TEST_CASE("no secret appears in any error the user-authorization tests produced") {
  pa::user_auth_config c = public_config();
  c.token_endpoint = "https://auth.example.com/token";
  c.client_secret = pa::secret(t::client_secret);
  const pa::secret rt(t::refresh_token);
  c.revocation_endpoint = "http://evil.example/revoke";
  (void)error_of(pa::revocation_request(c, rt));
  c.client_id = "bad\nid";
  (void)error_of(pa::revocation_request(c, rt));
  (void)error_of(pa::parse_revocation_response(answer(
      400, "{\"error\":\"invalid_request\",\"error_description\":\"bad\"}", "application/json")));
  CHECK(t::collected().size() >= 3);
  for (const std::string& text : t::collected())
    for (const std::string_view s : t::all_secrets) CHECK(text.find(s) == std::string::npos);
}
