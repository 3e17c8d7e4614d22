// SPDX-License-Identifier: MIT
// Tests for testing::fake_profile_oauth, driven by the library's own protocol functions.
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/grants/refresh_token.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_oauth.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/token_response.hpp>

#include <doctest/doctest.h>

#include <chrono>  // the fake's clock
#include <string>  // URLs

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

const std::string kRedirect = "http://127.0.0.1:8765/callback";

struct rig {
  pt::manual_clock clock;
  pt::fake_profile_oauth fake{clock};
  pa::user_auth_config cfg = pa::profile::user_auth_config("test-app", kRedirect);
  pt::fixed_random rng{0x1234, 0x5678};
  pa::pkce_pair pkce = std::move(pa::pkce_pair::generate(rng)).value();

  /// Visits the authorization URL as `user` and returns the 303 answer.
  pa::http_response visit(const std::string& user, const std::string& state = "st-1") {
    pa::authorization_url_options o;
    o.login_hint = user;
    auto url = pa::authorization_url(cfg, pkce, state, o);
    REQUIRE(url.has_value());
    pa::http_request get;
    get.method = "GET";
    get.url = *url;
    auto r = fake.send(get);
    REQUIRE(r.has_value());
    return *r;
  }
  /// Logs `user` in and returns the authorization code.
  pa::secret code_for(const std::string& user) {
    const pa::http_response r = visit(user);
    REQUIRE(r.status == 303);
    auto cb = pa::parse_authorization_callback(r.headers.find("Location").value_or(""), "st-1",
                                               fake.issuer());
    REQUIRE(cb.has_value());
    return std::move(cb->code);
  }
  pa::http_response post(const pa::result<pa::http_request>& req) {
    REQUIRE(req.has_value());
    auto r = fake.send(*req);
    REQUIRE(r.has_value());
    return *r;
  }
  pa::result<pa::token> exchange(const pa::secret& code) {
    return pa::parse_token_response(post(pa::authorization_code_request(cfg, code, pkce)),
                                    clock.now());
  }
  pa::result<pa::token> refresh(const pa::token& t) {
    return pa::parse_token_response(post(pa::refresh_token_request(cfg, t.refresh_token)),
                                    clock.now());
  }
  pa::result<pa::profile::account> me(const pa::token& t) {
    pa::http_request req = pa::profile::my_account_request();
    req.headers.add("Authorization", "Bearer " + std::string(t.access_token.reveal()));
    auto r = fake.send(req);
    REQUIRE(r.has_value());
    return pa::profile::parse_my_account(*r);
  }
};

}  // namespace

TEST_CASE("fake_profile_oauth: login, code exchange and my-account with roles") {
  rig r;
  const pa::http_response visit = r.visit("alice");
  CHECK(visit.status == 303);
  const std::string loc(visit.headers.find("Location").value_or(""));
  CHECK(loc.rfind(kRedirect + "?code=code-", 0) == 0);
  CHECK(loc.find("&state=st-1&iss=https%3A%2F%2Fapi.profilebehavior.com") != std::string::npos);

  auto cb = pa::parse_authorization_callback(loc, "st-1", r.fake.issuer());
  REQUIRE(cb.has_value());
  auto t = r.exchange(cb->code);
  REQUIRE(t.has_value());
  CHECK(t->has_refresh_token());
  CHECK(t->expires_in == std::chrono::seconds(3600));
  auto a = r.me(*t);
  REQUIRE(a.has_value());
  CHECK(a->id == "u-alice");
  CHECK(a->role == "admin");

  auto tb = r.exchange(r.code_for("bob"));
  REQUIRE(tb.has_value());
  CHECK(r.me(*tb)->role == "manager");
  CHECK(r.fake.tokens_issued() == 2);
}

TEST_CASE("fake_profile_oauth: consent refused, unknown users, login page") {
  rig r;
  const pa::http_response denied = r.visit("eve");
  REQUIRE(denied.status == 303);
  auto cb = pa::parse_authorization_callback(denied.headers.find("Location").value_or(""), "st-1",
                                             r.fake.issuer());
  REQUIRE_FALSE(cb.has_value());
  CHECK(cb.error().code == pa::errc::access_denied);
  CHECK(pa::parse_authorization_callback(r.visit("nobody").headers.find("Location").value_or(""),
                                         "st-1", r.fake.issuer())
            .error()
            .code == pa::errc::access_denied);
  // Without login_hint and without set_next_user(): a login page, no redirect.
  auto url = pa::authorization_url(r.cfg, r.pkce, "s");
  REQUIRE(url.has_value());
  pa::http_request get;
  get.method = "GET";
  get.url = *url;
  CHECK(r.fake.send(get)->status == 200);
  r.fake.set_next_user("bob");
  CHECK(r.fake.send(get)->status == 303);
}

TEST_CASE("fake_profile_oauth: redirect URI must be registered and match exactly") {
  rig r;
  r.cfg.redirect_uri = "http://127.0.0.1:8765/other";
  const pa::http_response bad = r.visit("alice");
  CHECK(bad.status == 400);  // never redirected to an unregistered URI
  CHECK_FALSE(bad.headers.find("Location").has_value());

  r.cfg.redirect_uri = "http://127.0.0.1:49152/callback";  // any loopback port (RFC 8252 §7.3)
  const pa::secret code = r.code_for("alice");
  r.cfg.redirect_uri = kRedirect;  // differs from the authorization request's
  auto t = r.exchange(code);
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().code == pa::errc::invalid_grant);
}

TEST_CASE("fake_profile_oauth: PKCE verifier checked, codes single-use, replay revokes") {
  rig r;
  const pa::secret code = r.code_for("alice");
  pa::pkce_pair good = r.pkce;
  pt::fixed_random other{99};
  r.pkce = std::move(pa::pkce_pair::generate(other)).value();
  auto wrong = r.exchange(code);
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == pa::errc::invalid_grant);
  CHECK(wrong.error().message.find(code.reveal()) == std::string::npos);
  r.pkce = good;
  CHECK(r.exchange(code).error().code == pa::errc::invalid_grant);  // burnt by the failure

  const pa::secret code2 = r.code_for("alice");
  auto t = r.exchange(code2);
  REQUIRE(t.has_value());
  CHECK(r.me(*t).has_value());
  CHECK(r.exchange(code2).error().code == pa::errc::invalid_grant);  // replay
  CHECK(r.me(*t).error().code == pa::errc::invalid_token);           // its tokens died
  CHECK(r.refresh(*t).error().code == pa::errc::invalid_grant);

  const pa::secret code3 = r.code_for("alice");
  r.clock.advance(61s);
  CHECK(r.exchange(code3).error().code == pa::errc::invalid_grant);  // expired
}

TEST_CASE("fake_profile_oauth: rotating refresh tokens with reuse detection") {
  rig r;
  auto t1 = r.exchange(r.code_for("bob"));
  REQUIRE(t1.has_value());
  auto t2 = r.refresh(*t1);
  REQUIRE(t2.has_value());
  CHECK(pa::refresh_token_rotated(*t1, *t2));
  CHECK(r.me(*t2)->role == "manager");
  CHECK(r.fake.refreshes() == 1);
  auto reused = r.refresh(*t1);  // the old one again: theft or a race
  REQUIRE_FALSE(reused.has_value());
  CHECK(reused.error().code == pa::errc::invalid_grant);
  CHECK(r.fake.family_revoked(t2->refresh_token.reveal()));
  CHECK(r.refresh(*t2).error().code == pa::errc::invalid_grant);  // the whole family is dead
  CHECK(r.me(*t2).error().code == pa::errc::invalid_token);
}

TEST_CASE("fake_profile_oauth: token endpoint parses strictly") {
  rig r;
  auto req = pa::authorization_code_request(r.cfg, r.code_for("alice"), r.pkce);
  REQUIRE(req.has_value());
  pa::http_request dup = *req;
  dup.body += "&code=x";
  CHECK(pa::parse_token_response(r.post(dup), r.clock.now()).error().code ==
        pa::errc::invalid_request);
  pa::http_request json = *req;
  json.headers = pa::header_list{{"Content-Type", "application/json"}};
  CHECK(r.post(json).status == 400);
  pa::user_auth_config other = r.cfg;
  other.client_id = "intruder";
  CHECK(pa::parse_token_response(
            r.post(pa::authorization_code_request(other, pa::secret("c"), r.pkce)), r.clock.now())
            .error()
            .code == pa::errc::invalid_client);
}

TEST_CASE("fake_profile_oauth: device flow through pending, slow_down, success") {
  rig r;
  auto start = pa::parse_device_authorization_response(
      r.post(pa::device_authorization_request(r.cfg)), r.clock.now());
  REQUIRE(start.has_value());
  CHECK(start->user_code.size() == 9);
  CHECK(start->verification_uri == "https://api.profilebehavior.com/device");
  CHECK(start->interval == 5s);
  const auto poll = [&] {
    return pa::parse_device_token_response(r.post(pa::device_token_request(r.cfg, *start)),
                                           r.clock.now(), start->interval);
  };
  CHECK(poll().status == pa::device_poll_status::authorization_pending);
  r.clock.advance(2s);
  const auto fast = poll();
  CHECK(fast.status == pa::device_poll_status::slow_down);
  CHECK(fast.interval == 10s);
  r.clock.advance(10s);
  CHECK(poll().status == pa::device_poll_status::authorization_pending);
  CHECK_FALSE(r.fake.approve_device("NOPE-NOPE", "alice"));
  CHECK(r.fake.approve_device(start->user_code, "alice"));
  r.clock.advance(5s);  // the server wants 10 s: slow_down again, and 15 s from now on
  CHECK(poll().status == pa::device_poll_status::slow_down);
  r.clock.advance(15s);
  const auto done = poll();
  REQUIRE(done.status == pa::device_poll_status::success);
  CHECK(r.me(*done.issued)->role == "admin");
  r.clock.advance(20s);
  CHECK(poll().failure.code == pa::errc::invalid_grant);  // the device code is spent
}

TEST_CASE("fake_profile_oauth: device flow denied and expired") {
  rig r;
  auto a = pa::parse_device_authorization_response(r.post(pa::device_authorization_request(r.cfg)),
                                                   r.clock.now());
  auto b = pa::parse_device_authorization_response(r.post(pa::device_authorization_request(r.cfg)),
                                                   r.clock.now());
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->user_code != b->user_code);
  CHECK(r.fake.deny_device(a->user_code));
  const auto poll = [&](const pa::device_authorization& d) {
    return pa::parse_device_token_response(r.post(pa::device_token_request(r.cfg, d)),
                                           r.clock.now(), d.interval);
  };
  CHECK(poll(*a).status == pa::device_poll_status::access_denied);
  r.clock.advance(601s);
  CHECK(poll(*b).status == pa::device_poll_status::expired_token);
}

TEST_CASE("fake_profile_oauth: revocation (RFC 7009)") {
  rig r;
  auto t = r.exchange(r.code_for("alice"));
  REQUIRE(t.has_value());
  CHECK(
      pa::parse_revocation_response(
          r.post(pa::revocation_request(r.cfg, t->access_token, pa::token_type_hint::access_token)))
          .has_value());
  CHECK(r.me(*t).error().code == pa::errc::invalid_token);
  auto t2 = r.refresh(*t);  // the grant survives an access token's revocation
  REQUIRE(t2.has_value());
  CHECK(pa::parse_revocation_response(r.post(pa::revocation_request(r.cfg, t2->refresh_token)))
            .has_value());
  CHECK(r.refresh(*t2).error().code == pa::errc::invalid_grant);
  CHECK(r.me(*t2).error().code == pa::errc::invalid_token);
  CHECK(r.fake.revocations() == 2);
  // Unknown tokens are fine (200); an injected failure is reported.
  CHECK(r.post(pa::revocation_request(r.cfg, pa::secret("never-issued"))).status == 200);
  pa::http_response down;
  down.status = 503;
  down.headers.add("Content-Type", "application/json");
  down.body = R"({"error":"temporarily_unavailable"})";
  r.fake.fail_next("/oauth/revoke", down);
  CHECK(pa::parse_revocation_response(r.post(pa::revocation_request(r.cfg, pa::secret("x"))))
            .error()
            .code == pa::errc::temporarily_unavailable);
}

TEST_CASE("fake_profile_oauth: my-account refuses bad tokens; M2M still served") {
  rig r;
  auto t = r.exchange(r.code_for("alice"));
  REQUIRE(t.has_value());
  r.clock.advance(3601s);
  CHECK(r.me(*t).error().code == pa::errc::invalid_token);
  pa::http_request bare = pa::profile::my_account_request();
  auto resp = r.fake.send(bare);
  REQUIRE(resp.has_value());
  CHECK(resp->status == 401);
  CHECK(resp->headers.find("WWW-Authenticate").has_value());

  auto m2m = pa::client_credentials_request(
      pa::profile::m2m_config("test-client", pa::secret("test-secret")));
  REQUIRE(m2m.has_value());
  auto tok = pa::parse_token_response(r.post(m2m), r.clock.now());
  REQUIRE(tok.has_value());
  CHECK(r.fake.m2m().tokens_issued() == 1);
}
