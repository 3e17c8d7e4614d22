// SPDX-License-Identifier: MIT
// Tests for grants/device_authorization.hpp: RFC 8628 requests, answers and every poll outcome.
#include <profile/auth/grants/device_authorization.hpp>

#include <doctest/doctest.h>

#include <chrono>       // intervals
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
  c.device_authorization_endpoint = "https://auth.example.com/device";
  c.token_endpoint = "https://auth.example.com/token";
  c.client_id = "tv-app";
  c.scope = "openid offline_access";
  return c;
}

pa::http_response json(int status, std::string body) {
  pa::http_response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

const pa::time_point kT0 = pa::time_point(5000s);

pa::result<pa::device_authorization> parse(std::string body, bool insecure = false) {
  pa::device_authorization_options o;
  o.allow_insecure_http = insecure;
  return pa::parse_device_authorization_response(json(200, std::move(body)), kT0, o);
}

std::string answer_with(std::string_view members) {
  return "{\"device_code\":\"" + std::string(t::device_code) + "\"," + std::string(members) + "}";
}

}  // namespace

TEST_CASE("device authorization request: golden bytes") {
  auto req = pa::device_authorization_request(public_config());
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.example.com/device");
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"},
                                        {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(req->body == "client_id=tv-app&scope=openid+offline_access");

  auto c = public_config();
  c.scope.clear();
  CHECK(pa::device_authorization_request(c)->body == "client_id=tv-app");
  c.client_secret = pa::secret(t::client_secret);
  c.scope = "a";
  req = pa::device_authorization_request(c);
  REQUIRE(req.has_value());
  CHECK(req->body == "scope=a");
  CHECK(req->headers.find("Authorization").has_value());

  c = public_config();
  c.device_authorization_endpoint.clear();
  CHECK(error_of(pa::device_authorization_request(c)) == pa::errc::invalid_argument);
  c.device_authorization_endpoint = "ftp://auth.example.com/device";
  CHECK(error_of(pa::device_authorization_request(c)) == pa::errc::invalid_url);
}

TEST_CASE("device authorization answer: every field") {
  auto d = parse(answer_with(
      "\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"https://example.com/device\","
      "\"verification_uri_complete\":\"https://example.com/device?user_code=WDJB-MJHT\","
      "\"expires_in\":1800,\"interval\":7"));
  REQUIRE(d.has_value());
  CHECK(d->device_code.reveal() == t::device_code);
  CHECK(d->user_code == "WDJB-MJHT");
  CHECK(d->verification_uri == "https://example.com/device");
  CHECK(d->verification_uri_complete == "https://example.com/device?user_code=WDJB-MJHT");
  CHECK(d->expires_in == 1800s);
  CHECK(d->interval == 7s);
  CHECK(d->received_at == kT0);
  CHECK(d->expires_at == kT0 + 1800s);
}

TEST_CASE("device authorization answer: defaults and quirks") {
  // interval absent: 5 s; Google's verification_url; numbers as strings.
  auto d = parse(answer_with(
      "\"user_code\":\"GQVQ-JKEC\",\"verification_url\":\"https://www.google.com/device\","
      "\"expires_in\":\"1800\""));
  REQUIRE(d.has_value());
  CHECK(d->interval == 5s);
  CHECK(d->verification_uri == "https://www.google.com/device");
  CHECK(d->verification_uri_complete.empty());
  CHECK(d->expires_in == 1800s);
  for (const char* iv : {"0", "-3", "\"soon\"", "null", "true"}) {
    CAPTURE(iv);
    d =
        parse(answer_with("\"user_code\":\"A\",\"verification_uri\":\"https://e.com/d\","
                          "\"expires_in\":600,\"interval\":" +
                          std::string(iv)));
    REQUIRE(d.has_value());
    CHECK(d->interval == 5s);
  }
  d =
      parse(answer_with("\"user_code\":\"A\",\"verification_uri\":\"https://e.com/d\","
                        "\"expires_in\":600,\"interval\":\"10\""));
  REQUIRE(d.has_value());
  CHECK(d->interval == 10s);
  d =
      parse(answer_with("\"user_code\":\"A\",\"verification_uri\":\"http://127.0.0.1:9/d\","
                        "\"expires_in\":1e99"));
  REQUIRE(d.has_value());
  CHECK(d->expires_in == std::chrono::seconds(366 * 86400));
}

TEST_CASE("device authorization answer: malformed or dangerous answers") {
  const std::string uri = "\"verification_uri\":\"https://e.com/d\",\"expires_in\":600";
  const std::pair<std::string, pa::errc> cases[] = {
      {"{\"user_code\":\"A\"," + uri + "}", pa::errc::malformed_response},  // no device_code
      {answer_with(uri), pa::errc::malformed_response},                     // no user_code
      {answer_with("\"user_code\":\"\"," + uri), pa::errc::malformed_response},
      {answer_with("\"user_code\":7," + uri), pa::errc::malformed_response},
      {answer_with("\"user_code\":\"A\",\"expires_in\":600"), pa::errc::malformed_response},
      {answer_with("\"user_code\":\"A\",\"verification_uri\":\"https://e.com/d\""),
       pa::errc::malformed_response},  // expires_in is required
      {answer_with("\"user_code\":\"A\",\"verification_uri\":\"https://e.com/d\","
                   "\"expires_in\":0"),
       pa::errc::malformed_response},
      // Shown to the user: no terminal escapes, no bidi overrides.
      {answer_with("\"user_code\":\"AB\\u001b[2JCD\"," + uri), pa::errc::malformed_response},
      {answer_with("\"user_code\":\"AB\\u202eCD\"," + uri), pa::errc::malformed_response},
      {answer_with("\"user_code\":\"A\",\"verification_uri\":\"http://evil.example/d\","
                   "\"expires_in\":600"),
       pa::errc::insecure_endpoint},
      {answer_with("\"user_code\":\"A\",\"verification_uri\":\"javascript:alert(1)\","
                   "\"expires_in\":600"),
       pa::errc::malformed_response},
      {answer_with("\"user_code\":\"A\"," + uri +
                   ",\"verification_uri_complete\":\"https://e.com/d\\nX\""),
       pa::errc::malformed_response},
      {"{\"device_code\":\"D\\u0000X\",\"user_code\":\"A\"," + uri + "}",
       pa::errc::malformed_response},
      {"[1]", pa::errc::malformed_response},
      {"{\"device_code\":", pa::errc::invalid_json},
      {"{\"error\":\"invalid_scope\"}", pa::errc::invalid_scope},  // 200 carrying an error
  };
  for (const auto& entry : cases) {
    const std::string& body = entry.first;
    const pa::errc expected = entry.second;
    CAPTURE(body);
    auto r = parse(body);
    CHECK(error_of(r) == expected);
    CHECK(r.error().http_status == 200);
  }
  CHECK(parse(answer_with("\"user_code\":\"A\",\"verification_uri\":\"http://evil.example/d\","
                          "\"expires_in\":600"),
              true)
            .has_value());
}

TEST_CASE("device authorization answer: error statuses") {
  auto r = pa::parse_device_authorization_response(
      json(400, "{\"error\":\"unauthorized_client\",\"error_description\":\"no device flow\"}"),
      kT0);
  CHECK(error_of(r) == pa::errc::unauthorized_client);
  CHECK(r.error().description == "no device flow");
  CHECK(r.error().message.find("device authorization endpoint") != std::string::npos);
}

TEST_CASE("device token request: golden bytes") {
  auto req = pa::device_token_request(public_config(), pa::secret(t::device_code));
  REQUIRE(req.has_value());
  CHECK(req->url == "https://auth.example.com/token");
  CHECK(req->body ==
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
        "&device_code=D3VICE-code-Lm88&client_id=tv-app");
  pa::device_authorization d;
  d.device_code = pa::secret(t::device_code);
  CHECK(pa::device_token_request(public_config(), d)->body == req->body);
  CHECK(error_of(pa::device_token_request(public_config(), pa::secret())) ==
        pa::errc::invalid_argument);
  auto c = public_config();
  c.token_endpoint = "http://auth.example.com/token";
  CHECK(error_of(pa::device_token_request(c, pa::secret(t::device_code))) ==
        pa::errc::insecure_endpoint);
}

TEST_CASE("device polling: every outcome") {
  const auto poll = [](int status, std::string body, std::chrono::seconds interval) {
    return pa::parse_device_token_response(json(status, std::move(body)), kT0, interval);
  };
  auto o = poll(400, "{\"error\":\"authorization_pending\"}", 5s);
  CHECK(o.status == pa::device_poll_status::authorization_pending);
  CHECK(o.interval == 5s);
  CHECK(o.keep_polling());
  CHECK(o.failure.code == pa::errc::authorization_pending);
  t::scan(o.failure);

  o = poll(400, "{\"error\":\"slow_down\"}", 5s);
  CHECK(o.status == pa::device_poll_status::slow_down);
  CHECK(o.interval == 10s);
  CHECK(o.keep_polling());
  o = poll(400, "{\"error\":\"slow_down\"}", o.interval);
  CHECK(o.interval == 15s);  // "for this and all subsequent requests"
  o = poll(400, "{\"error\":\"authorization_pending\"}", o.interval);
  CHECK(o.interval == 15s);

  o = poll(400, "{\"error\":\"access_denied\"}", 5s);
  CHECK(o.status == pa::device_poll_status::access_denied);
  CHECK_FALSE(o.keep_polling());
  o = poll(400, "{\"error\":\"expired_token\"}", 5s);
  CHECK(o.status == pa::device_poll_status::expired_token);
  CHECK_FALSE(o.keep_polling());
  o = poll(401, "{\"error\":\"invalid_client\"}", 5s);
  CHECK(o.status == pa::device_poll_status::failed);
  CHECK(o.failure.code == pa::errc::invalid_client);
  t::scan(o.failure);

  o = poll(200,
           "{\"access_token\":\"" + std::string(t::access_token) +
               "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" +
               std::string(t::refresh_token) + "\"}",
           5s);
  CHECK(o.status == pa::device_poll_status::success);
  REQUIRE(o.issued.has_value());
  CHECK(o.issued->access_token.reveal() == t::access_token);
  CHECK(o.issued->refresh_token.reveal() == t::refresh_token);
  CHECK(o.issued->expires_at == kT0 + 3600s);
  CHECK_FALSE(o.keep_polling());

  o = pa::classify_device_poll(pa::fail(pa::errc::transport_failed, "connection reset"), 0s);
  CHECK(o.status == pa::device_poll_status::failed);
  CHECK(o.interval == 5s);  // a zero interval is never used
  CHECK(pa::is_retryable(o.failure));
}
