// SPDX-License-Identifier: MIT
// Tests for device_flow: non-blocking polling through every outcome, and the blocking wait().
#include <profile/auth/device_flow.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include "user_auth_secrets.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
namespace ua = user_auth_test;
using namespace std::chrono_literals;

namespace {

pa::user_auth_config device_config() {
  pa::user_auth_config c;
  c.token_endpoint = "https://auth.example/token";
  c.device_authorization_endpoint = "https://auth.example/device/code";
  c.client_id = "tv-app";
  return c;
}

std::string device_json(int expires_in = 600, int interval = 5) {
  return R"({"device_code":")" + std::string(ua::device_code) +
         R"(","user_code":"WDJB-MJHT","verification_uri":"https://auth.example/device",)" +
         R"("expires_in":)" + std::to_string(expires_in) + R"(,"interval":)" +
         std::to_string(interval) + "}";
}

std::string oauth_error(std::string_view code) {
  return R"({"error":")" + std::string(code) + "\"}";
}

struct fixture {
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::device_flow<pt::fake_transport, pt::manual_clock> flow{transport, device_config(), clock};

  pa::time_point now() const { return clock.now(); }
  void start() {
    transport.respond(200, device_json());
    auto d = flow.start();
    REQUIRE(d.has_value());
    CHECK(d->user_code == "WDJB-MJHT");
    CHECK(d->verification_uri == "https://auth.example/device");
  }
};

}  // namespace

TEST_CASE("device_flow: CTAD") {
  pt::fake_transport t;
  pa::device_flow flow{t, device_config()};
  static_assert(std::is_same_v<decltype(flow), pa::device_flow<pt::fake_transport>>);
  auto s = flow.poll();
  CHECK(s.failed());
  REQUIRE(s.failure.has_value());
  CHECK(s.failure->code == pa::errc::invalid_argument);
  CHECK(t.calls() == 0);
}

TEST_CASE("device_flow: pending -> slow_down (interval + 5 s) -> success") {
  fixture f;
  f.start();
  const pa::http_request auth_req = f.transport.request(0);
  CHECK(auth_req.url == "https://auth.example/device/code");
  CHECK(auth_req.body.find("client_id=tv-app") != std::string::npos);

  // Before the first interval has passed nothing is sent.
  auto s = f.flow.poll(f.now());
  CHECK(s.pending());
  CHECK_FALSE(s.sent);
  CHECK(s.next_poll == pa::time_point(1005s));
  CHECK(f.transport.calls() == 1);

  f.clock.advance(5s);
  f.transport.respond(400, oauth_error("authorization_pending"));
  s = f.flow.poll(f.now());
  CHECK(s.pending());
  CHECK(s.sent);
  CHECK(s.next_poll == pa::time_point(1010s));
  REQUIRE(f.transport.calls() == 2);
  const pa::http_request poll_req = f.transport.request(1);
  CHECK(poll_req.url == "https://auth.example/token");
  CHECK(poll_req.body.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code") !=
        std::string::npos);
  CHECK(poll_req.body.find("device_code=" + std::string(ua::device_code)) != std::string::npos);

  f.clock.advance(5s);
  f.transport.respond(400, oauth_error("slow_down"));
  s = f.flow.poll(f.now());
  CHECK(s.pending());
  CHECK(f.flow.interval() == 10s);
  CHECK(s.next_poll == pa::time_point(1020s));

  f.clock.advance(5s);  // too early now: the interval grew
  s = f.flow.poll(f.now());
  CHECK(s.pending());
  CHECK_FALSE(s.sent);
  CHECK(f.transport.calls() == 3);

  f.clock.advance(5s);
  f.transport.respond(200, R"({"access_token":"dev-access","token_type":"Bearer",)"
                           R"("expires_in":3600,"refresh_token":"dev-refresh"})");
  s = f.flow.poll(f.now());
  REQUIRE(s.authorized());
  REQUIRE(s.issued.has_value());
  CHECK(s.issued->access_token.reveal() == "dev-access");
  CHECK(s.issued->refresh_token.reveal() == "dev-refresh");
  CHECK(s.issued->expires_at == pa::time_point(1020s + 3600s));
  CHECK(f.transport.calls() == 4);
  // Final: repeated without a request.
  CHECK(f.flow.poll(f.now() + 100s).authorized());
  CHECK(f.transport.calls() == 4);
  CHECK(f.flow.authorization() == nullptr);
}

TEST_CASE("device_flow: access_denied and expired_token are final") {
  fixture f;
  f.start();
  f.clock.advance(5s);
  SUBCASE("access_denied") {
    f.transport.respond(400, oauth_error("access_denied"));
    auto s = f.flow.poll(f.now());
    REQUIRE(s.failed());
    CHECK(ua::error_of(pa::result<void>(pa::unexpected<pa::error>(*s.failure))) ==
          pa::errc::access_denied);
  }
  SUBCASE("expired_token from the server") {
    f.transport.respond(400, oauth_error("expired_token"));
    auto s = f.flow.poll(f.now());
    REQUIRE(s.failed());
    CHECK(s.failure->code == pa::errc::expired_token);
  }
  CHECK(f.flow.poll(f.now() + 60s).failed());
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("device_flow: the device code's own expiry ends it locally, without a request") {
  fixture f;
  f.start();
  f.clock.advance(600s);
  auto s = f.flow.poll(f.now());
  REQUIRE(s.failed());
  CHECK_FALSE(s.sent);
  CHECK(ua::error_of(pa::result<void>(pa::unexpected<pa::error>(*s.failure))) ==
        pa::errc::expired_token);
  CHECK(f.transport.calls() == 1);
}

TEST_CASE("device_flow: a transient failure keeps polling, later") {
  fixture f;
  f.start();
  f.clock.advance(5s);
  f.transport.fail_next(pa::error(pa::errc::transport_failed, "timeout"));
  auto s = f.flow.poll(f.now());
  CHECK(s.pending());
  REQUIRE(s.failure.has_value());
  CHECK(s.failure->code == pa::errc::transport_failed);
  CHECK(s.next_poll == pa::time_point(1015s));  // the interval doubled once
  f.clock.advance(10s);
  f.transport.respond(400, oauth_error("authorization_pending"));
  s = f.flow.poll(f.now());
  CHECK(s.pending());
  CHECK_FALSE(s.failure.has_value());
  CHECK(s.next_poll == pa::time_point(1020s));
}

TEST_CASE("device_flow: wait() sleeps exactly until each next poll") {
  fixture f;
  f.start();
  f.transport.respond(400, oauth_error("authorization_pending"));
  f.transport.respond(400, oauth_error("slow_down"));
  f.transport.respond(200, R"({"access_token":"dev-access","token_type":"Bearer"})");
  std::vector<std::chrono::nanoseconds> sleeps;
  auto s = f.flow.wait([&](std::chrono::nanoseconds d) {
    sleeps.push_back(d);
    f.clock.advance(d);
  });
  REQUIRE(s.authorized());
  CHECK(sleeps == std::vector<std::chrono::nanoseconds>{5s, 5s, 10s});
  CHECK(f.transport.calls() == 4);
}

TEST_CASE("device_flow: every poll after a final step reports sent == false and sends nothing") {
  fixture f;
  f.start();
  f.clock.advance(5s);
  std::size_t calls = 2;  // start() and the poll that ends the login
  SUBCASE("after success") {
    f.transport.respond(200, R"({"access_token":"dev-access","token_type":"Bearer"})");
    const auto s = f.flow.poll(f.now());
    REQUIRE(s.authorized());
    CHECK(s.sent);  // the step that ended the login did send
  }
  SUBCASE("after access_denied") {
    f.transport.respond(400, oauth_error("access_denied"));
    const auto s = f.flow.poll(f.now());
    REQUIRE(s.failed());
    CHECK(s.sent);
  }
  SUBCASE("after a final error that is not retryable") {
    f.transport.respond(400, oauth_error("invalid_client"));
    const auto s = f.flow.poll(f.now());
    REQUIRE(s.failed());
    CHECK(s.sent);
  }
  SUBCASE("after the device code expired locally") {
    f.clock.advance(600s);
    const auto s = f.flow.poll(f.now());
    REQUIRE(s.failed());
    CHECK_FALSE(s.sent);
    calls = 1;
  }
  REQUIRE(f.transport.calls() == calls);
  const bool authorized = f.flow.poll(f.now()).authorized();
  for (int i = 0; i < 3; ++i) {
    f.clock.advance(30s);
    const auto again = f.flow.poll(f.now());
    CHECK_FALSE(again.pending());
    CHECK(again.authorized() == authorized);
    CHECK_FALSE(again.sent);
    const auto at_clock = f.flow.poll();  // the overload that reads the clock
    CHECK_FALSE(at_clock.sent);
  }
  auto waited = f.flow.wait([](std::chrono::nanoseconds) {});
  CHECK_FALSE(waited.sent);
  CHECK(f.transport.calls() == calls);
}
