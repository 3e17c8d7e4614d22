// SPDX-License-Identifier: MIT
// RFC 8707 resource indicators on every request of a user login (issue 15, item 3): the
// authorization URL, the code exchange, the refresh, the device authorization request and the
// device poll carry user_auth_config::resource, byte for byte; revocation does not.
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/grants/refresh_token.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/user_session.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

pa::user_auth_config config(std::vector<std::string> resource) {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://as.example/authorize";
  c.token_endpoint = "https://as.example/v1/oauth2/token";
  c.revocation_endpoint = "https://as.example/revoke";
  c.device_authorization_endpoint = "https://as.example/device";
  c.client_id = "app";
  c.redirect_uri = "http://127.0.0.1:8765/cb";
  c.scope = "openid offline_access";
  c.resource = std::move(resource);
  return c;
}

const std::string mcp = "https://vanguard.profilebehavior.com/mcp";
const std::string api = "https://vanguard.profilebehavior.com";
const std::string mcp_form = "resource=https%3A%2F%2Fvanguard.profilebehavior.com%2Fmcp";
const std::string api_form = "resource=https%3A%2F%2Fvanguard.profilebehavior.com";

pa::pkce_pair pkce() {
  auto p = pa::pkce_pair::from_verifier(pa::secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  REQUIRE(p.has_value());
  return std::move(*p);
}

}  // namespace

TEST_CASE("resource indicators: code exchange and refresh carry them, in order, exactly") {
  const pa::user_auth_config c = config({mcp, api});
  auto code = pa::authorization_code_request(c, pa::secret("the-code"), pkce());
  REQUIRE(code.has_value());
  CHECK(code->body ==
        "grant_type=authorization_code&code=the-code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%"
        "2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&" +
            mcp_form + "&" + api_form + "&client_id=app");
  auto refresh = pa::refresh_token_request(c, pa::secret("rt-1"));
  REQUIRE(refresh.has_value());
  CHECK(refresh->body == "grant_type=refresh_token&refresh_token=rt-1&" + mcp_form + "&" +
                             api_form + "&client_id=app");
  // Without indicators nothing changes.
  auto plain = pa::refresh_token_request(config({}), pa::secret("rt-1"));
  REQUIRE(plain.has_value());
  CHECK(plain->body == "grant_type=refresh_token&refresh_token=rt-1&client_id=app");
}

TEST_CASE("resource indicators: JSON bodies carry one as a string and several as an array") {
  pa::user_auth_config c = config({mcp});
  c.format = pa::body_format::json;
  auto one = pa::refresh_token_request(c, pa::secret("rt"));
  REQUIRE(one.has_value());
  CHECK(one->body.find(R"("resource":"https://vanguard.profilebehavior.com/mcp")") !=
        std::string::npos);
  c.resource.push_back(api);
  auto two = pa::refresh_token_request(c, pa::secret("rt"));
  REQUIRE(two.has_value());
  CHECK(
      two->body.find(
          R"("resource":["https://vanguard.profilebehavior.com/mcp","https://vanguard.profilebehavior.com"])") !=
      std::string::npos);
}

TEST_CASE("resource indicators: the authorization URL and the device flow carry them too") {
  const pa::user_auth_config c = config({mcp});
  pa::authorization_url_options o;
  o.resource = {mcp, api};  // the configured one is not sent twice
  auto url = pa::authorization_url(c, pkce(), "st", o);
  REQUIRE(url.has_value());
  CHECK(url->find("&resource=https%3A%2F%2Fvanguard.profilebehavior.com%2Fmcp&resource=https%3A%"
                  "2F%2Fvanguard.profilebehavior.com") != std::string::npos);
  std::size_t count = 0;
  for (std::size_t at = url->find("resource="); at != std::string::npos;
       at = url->find("resource=", at + 1))
    ++count;
  CHECK(count == 2);

  auto start = pa::device_authorization_request(c);
  REQUIRE(start.has_value());
  CHECK(start->body == "client_id=app&scope=openid+offline_access&" + mcp_form);
  auto poll = pa::device_token_request(c, pa::secret("dc"));
  REQUIRE(poll.has_value());
  CHECK(poll->body.find("device_code=dc&" + mcp_form + "&client_id=app") != std::string::npos);
}

TEST_CASE("resource indicators: revocation does not carry them; bad ones are refused") {
  const pa::user_auth_config c = config({mcp});
  auto revoke = pa::revocation_request(c, pa::secret("rt"), pa::token_type_hint::refresh_token);
  REQUIRE(revoke.has_value());
  CHECK(revoke->body.find("resource") == std::string::npos);

  for (const std::string& bad : {std::string(), std::string("https://a.example/\r\nx")}) {
    const pa::user_auth_config b = config({bad});
    auto r = pa::refresh_token_request(b, pa::secret("rt"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_argument);
    CHECK(r.error().message.find("resource") != std::string::npos);
    CHECK_FALSE(pa::authorization_url(b, pkce(), "st", {}).has_value());
  }
}

TEST_CASE("resource indicators: a user_session's refresh sends them") {
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::stored_session s;
  s.refresh_token = pa::secret("rt-0");
  s.access_token = pa::secret("old");
  s.access_expires_at = std::chrono::system_clock::now() - 1s;
  pa::memory_store store(s);
  pa::user_session<pt::fake_transport*, pa::memory_store*, pt::manual_clock> session(
      &transport, config({mcp}), &store, clock);
  transport.respond(200, R"({"access_token":"at-1","token_type":"Bearer","expires_in":3600})");
  REQUIRE(session.authorization_header().has_value());
  REQUIRE(transport.calls() == 1);
  CHECK(transport.request(0).body.find(mcp_form) != std::string::npos);
}

TEST_CASE("resource indicators: a user_session may send its token to the resources' origins") {
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::stored_session s;
  s.refresh_token = pa::secret("rt-0");
  s.access_token = pa::secret("at-0");
  s.access_expires_at = std::chrono::system_clock::now() + 1h;
  pa::memory_store store(s);
  pa::user_session<pt::fake_transport*, pa::memory_store*, pt::manual_clock> session(
      &transport, config({mcp}), &store, clock);
  transport.respond(200, "{}");
  auto sent = session.send(pa::http_request{"POST", mcp, {}, "{}"});
  REQUIRE_MESSAGE(sent.has_value(), sent.error().message);
  CHECK(transport.request(0).headers.find("Authorization").value() == "Bearer at-0");
  auto other = session.send(pa::http_request{"GET", "https://other.example/x", {}, {}});
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().code == pa::errc::invalid_url);
  CHECK(transport.calls() == 1);
}
