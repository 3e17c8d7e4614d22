// SPDX-License-Identifier: MIT
// Interop: the device authorization grant (RFC 8628) against oidc-provider: pending, then the
// user enters and confirms the code on the server's pages, then the token; and a refusal.
#include "interop.hpp"

#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <chrono>  // the polling interval
#include <string>  // URLs

using namespace std::chrono_literals;

TEST_SUITE("interop: device flow") {
  TEST_CASE("device grant functions: authorization_pending first, then a token") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::device_config();
    auto start = pa::device_authorization_request(cfg);
    REQUIRE(start);
    auto d = pa::parse_device_authorization_response(interop::send(t, *start), interop::now());
    REQUIRE_MESSAGE(d, d.error().message);
    CHECK(d->verification_uri == interop::url("/device"));
    CHECK(d->verification_uri_complete.rfind(interop::url("/device?user_code="), 0) == 0);
    CHECK(!d->user_code.empty());
    CHECK(d->interval == 5s);      // NOTES.md: no interval is sent, RFC 8628's default applies
    CHECK(d->expires_in == 600s);  // ttl.DeviceCode in server.mjs

    auto poll = pa::device_token_request(cfg, *d);
    REQUIRE(poll);
    pa::device_poll_outcome o =
        pa::parse_device_token_response(interop::send(t, *poll), interop::now(), d->interval);
    CHECK(o.status == pa::device_poll_status::authorization_pending);
    CHECK(o.keep_polling());
    CHECK(o.failure.code == pa::errc::authorization_pending);
    CHECK(o.failure.http_status == 400);
    CHECK(pa::classify(o.failure) == pa::error_class::user_action);

    interop::browser b;
    const interop::browser_end end =
        interop::act_as_user(b, d->verification_uri_complete, interop::user_choice::approve);
    REQUIRE(end.location.empty());
    CHECK(end.page.body.find("id=\"device-success\"") != std::string::npos);

    o = pa::parse_device_token_response(interop::send(t, *poll), interop::now(), d->interval);
    REQUIRE_MESSAGE(o.status == pa::device_poll_status::success, o.failure.message);
    REQUIRE(o.issued.has_value());
    CHECK(!o.issued->access_token.empty());
    CHECK(o.issued->has_refresh_token());  // offline_access survives at the device endpoint
    auto header = pa::bearer_header_value(o.issued->access_token);
    REQUIRE(header);
    CHECK(interop::userinfo(t, *header).status == 200);

    // The device code is spent.
    o = pa::parse_device_token_response(interop::send(t, *poll), interop::now(), d->interval);
    CHECK(o.status == pa::device_poll_status::failed);
    CHECK(o.failure.code == pa::errc::invalid_grant);
  }

  TEST_CASE("device_flow driver on a manual clock: pending, approved, then a user_session") {
    pa::testing::manual_clock clock;
    pa::device_flow flow{interop::transport(), interop::device_config(), clock};
    auto d = flow.start();
    REQUIRE_MESSAGE(d, d.error().message);

    pa::device_flow_step s = flow.poll();
    CHECK(s.pending());
    CHECK(!s.sent);  // the interval has not passed: nothing sent
    clock.advance(5s);
    s = flow.poll();
    CHECK(s.pending());
    CHECK(s.sent);  // asked, and the server said authorization_pending
    CHECK(!s.failure.has_value());

    interop::browser b;
    const interop::browser_end end =
        interop::act_as_user(b, d->verification_uri_complete, interop::user_choice::approve);
    CHECK(end.page.body.find("id=\"device-success\"") != std::string::npos);

    clock.advance(5s);
    s = flow.poll();
    REQUIRE_MESSAGE(s.authorized(), (s.failure ? s.failure->message : std::string("pending")));
    REQUIRE(s.issued.has_value());

    // The token becomes a persisted session that refreshes itself.
    pa::memory_store store;
    pa::user_session session{interop::transport(), interop::device_config(), store, clock};
    REQUIRE(session.sign_in(std::move(*s.issued)));
    auto h0 = session.authorization_header();
    REQUIRE(h0);
    auto t = interop::transport();
    CHECK(interop::userinfo(t, *h0).status == 200);
    session.invalidate();
    auto h1 = session.authorization_header();  // a refresh with the device client
    REQUIRE_MESSAGE(h1, h1.error().message);
    CHECK(*h1 != *h0);
    CHECK(interop::userinfo(t, *h1).status == 200);
  }

  TEST_CASE("the user aborts on the confirmation page: access_denied ends the polling") {
    pa::testing::manual_clock clock;
    pa::device_flow flow{interop::transport(), interop::device_config(), clock};
    auto d = flow.start();
    REQUIRE(d);
    interop::browser b;
    const interop::browser_end end =
        interop::act_as_user(b, d->verification_uri_complete, interop::user_choice::deny);
    CHECK(end.page.body.find("id=\"device-error\">AbortedError<") != std::string::npos);
    clock.advance(5s);
    const pa::device_flow_step s = flow.poll();
    REQUIRE(s.failed());
    REQUIRE(s.failure.has_value());
    CHECK(s.failure->code == pa::errc::access_denied);
    CHECK(pa::classify(*s.failure) == pa::error_class::user_action);
  }
}
