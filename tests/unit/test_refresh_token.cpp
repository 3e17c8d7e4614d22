// SPDX-License-Identifier: MIT
// Tests for grants/refresh_token.hpp: golden bytes, rotation, invalid_grant -> reauthentication.
#include <profile/auth/grants/refresh_token.hpp>

#include <doctest/doctest.h>

#include <chrono>       // received_at
#include <string>       // bodies
#include <string_view>  // inputs

#include "user_auth_secrets.hpp"

namespace pa = profile::auth;
namespace t = user_auth_test;
using t::error_of;
using namespace std::chrono_literals;

namespace {

pa::user_auth_config public_config() {
  pa::user_auth_config c;
  c.token_endpoint = "https://auth.example.com/token";
  c.client_id = "app-123";
  return c;
}

pa::token previous_token() {
  pa::token p;
  p.access_token = pa::secret(t::access_token);
  p.refresh_token = pa::secret(t::refresh_token);
  p.scope = "openid offline_access";
  return p;
}

pa::http_response json_response(int status, std::string body) {
  pa::http_response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

const pa::time_point kT0 = pa::time_point(1000s);

}  // namespace

TEST_CASE("refresh request: public client, golden bytes") {
  auto req = pa::refresh_token_request(public_config(), pa::secret(t::refresh_token));
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.example.com/token");
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"},
                                        {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(req->body == "grant_type=refresh_token&refresh_token=R3FRESH-tok-Zp41&client_id=app-123");

  req = pa::refresh_token_request(public_config(), pa::secret(t::refresh_token), "openid email");
  REQUIRE(req.has_value());
  CHECK(req->body ==
        "grant_type=refresh_token&refresh_token=R3FRESH-tok-Zp41&scope=openid+email"
        "&client_id=app-123");
}

TEST_CASE("refresh request: confidential clients and JSON bodies") {
  auto c = public_config();
  c.client_secret = pa::secret(t::client_secret);
  auto req = pa::refresh_token_request(c, pa::secret(t::refresh_token));
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Authorization") == "Basic YXBwLTEyMzpDTDFFTlQtczNjcmV0LVhxOQ==");
  CHECK(req->body == "grant_type=refresh_token&refresh_token=R3FRESH-tok-Zp41");

  c.auth = pa::client_auth::client_secret_post;
  req = pa::refresh_token_request(c, pa::secret(t::refresh_token));
  REQUIRE(req.has_value());
  CHECK_FALSE(req->headers.contains("Authorization"));
  CHECK(req->body ==
        "grant_type=refresh_token&refresh_token=R3FRESH-tok-Zp41&client_id=app-123"
        "&client_secret=CL1ENT-s3cret-Xq9");

  c.format = pa::body_format::json;
  req = pa::refresh_token_request(c, pa::secret(t::refresh_token), "a b");
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Content-Type") == "application/json");
  CHECK(req->body ==
        "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"R3FRESH-tok-Zp41\",\"scope\":\"a "
        "b\",\"client_id\":\"app-123\",\"client_secret\":\"CL1ENT-s3cret-Xq9\"}");
}

TEST_CASE("refresh request: errors") {
  CHECK(error_of(pa::refresh_token_request(public_config(), pa::secret())) ==
        pa::errc::not_authenticated);
  CHECK(error_of(pa::refresh_token_request(public_config(),
                                           pa::secret(std::string(t::refresh_token) + "\n"))) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::refresh_token_request(public_config(), pa::secret(t::refresh_token),
                                           "a\rb")) == pa::errc::invalid_argument);
  auto c = public_config();
  c.token_endpoint = "http://auth.example.com/token";
  CHECK(error_of(pa::refresh_token_request(c, pa::secret(t::refresh_token))) ==
        pa::errc::insecure_endpoint);
  c = public_config();
  c.client_secret = pa::secret(t::client_secret);
  c.format = pa::body_format::json;
  c.auth = pa::client_auth::client_secret_post;
  c.client_id = "bad\xFF";
  CHECK(error_of(pa::refresh_token_request(c, pa::secret(t::refresh_token))) ==
        pa::errc::invalid_argument);
}

TEST_CASE("apply_refresh_rotation: a new refresh token replaces the old, none keeps it") {
  pa::token fresh;
  fresh.access_token = pa::secret("new-access");
  fresh.refresh_token = pa::secret(t::refresh_token2);
  fresh.scope = "openid";
  CHECK(pa::refresh_token_rotated(previous_token(), fresh));
  pa::token merged = pa::apply_refresh_rotation(previous_token(), fresh);
  CHECK(merged.refresh_token.reveal() == t::refresh_token2);
  CHECK(merged.access_token.reveal() == "new-access");
  CHECK(merged.scope == "openid");

  pa::token no_rt;
  no_rt.access_token = pa::secret("new-access");
  CHECK_FALSE(pa::refresh_token_rotated(previous_token(), no_rt));
  merged = pa::apply_refresh_rotation(previous_token(), std::move(no_rt));
  CHECK(merged.refresh_token.reveal() == t::refresh_token);
  CHECK(merged.scope == "openid offline_access");  // omitted scope = as granted

  pa::token same;
  same.access_token = pa::secret("x");
  same.refresh_token = pa::secret(t::refresh_token);
  CHECK_FALSE(pa::refresh_token_rotated(previous_token(), same));
}

TEST_CASE("parse_refresh_response: success applies rotation") {
  auto r = pa::parse_refresh_response(
      json_response(200,
                    "{\"access_token\":\"A2\",\"token_type\":\"Bearer\",\"expires_in\":600,"
                    "\"refresh_token\":\"" +
                        std::string(t::refresh_token2) + "\"}"),
      kT0, previous_token());
  REQUIRE(r.has_value());
  CHECK(r->access_token.reveal() == "A2");
  CHECK(r->refresh_token.reveal() == t::refresh_token2);
  CHECK(r->expires_at == kT0 + 600s);
  CHECK(r->scope == "openid offline_access");

  r = pa::parse_refresh_response(
      json_response(200, "{\"access_token\":\"A3\",\"token_type\":\"bearer\",\"expires_in\":60}"),
      kT0, previous_token());
  REQUIRE(r.has_value());
  CHECK(r->refresh_token.reveal() == t::refresh_token);
}

TEST_CASE("parse_refresh_response: invalid_grant is errc::reauthentication_required") {
  auto r = pa::parse_refresh_response(
      json_response(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token reused\"}"),
      kT0, previous_token());
  CHECK(error_of(r) == pa::errc::reauthentication_required);
  CHECK(r.error().oauth_error == "invalid_grant");
  CHECK(r.error().http_status == 400);
  CHECK(r.error().description == "Token reused");
  CHECK(pa::classify(r.error()) == pa::error_class::reauthenticate);
  CHECK(r.error().message.find("log in again") != std::string::npos);
  CHECK(r.error().message.find("Token reused") != std::string::npos);

  // Other errors keep their own code.
  r = pa::parse_refresh_response(json_response(401, "{\"error\":\"invalid_client\"}"), kT0,
                                 previous_token());
  CHECK(error_of(r) == pa::errc::invalid_client);
  r = pa::parse_refresh_response(json_response(503, ""), kT0, previous_token());
  CHECK(error_of(r) == pa::errc::http_error);
  CHECK(pa::is_retryable(r.error()));
  r = pa::parse_refresh_response(json_response(200, "{\"token_type\":\"Bearer\"}"), kT0,
                                 previous_token());
  CHECK(error_of(r) == pa::errc::malformed_response);
}
