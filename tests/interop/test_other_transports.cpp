// SPDX-License-Identifier: MIT
// Interop: the same server over the other shipped transports: a user login with refresh
// rotation over Boost.Beast, and M2M plus introspection over cpp-httplib. Each is built when
// CMake found the transport and its library (PROFILE_AUTH_INTEROP_BEAST / _HTTPLIB); CMake
// says so when one is left out.
#include "interop.hpp"

#if defined(PROFILE_AUTH_INTEROP_BEAST) && __has_include(<profile/auth/transports/beast.hpp>)
#include <profile/auth/transports/beast.hpp>
#define PROFILE_AUTH_INTEROP_HAS_BEAST 1
#endif
#if defined(PROFILE_AUTH_INTEROP_HTTPLIB) && __has_include(<profile/auth/transports/httplib.hpp>)
#include <profile/auth/grants/introspection.hpp>
#include <profile/auth/transports/httplib.hpp>
#define PROFILE_AUTH_INTEROP_HAS_HTTPLIB 1
#endif

#include <profile/auth/stores/memory_store.hpp>

#include <cstdio>   // std::fprintf in boost::throw_exception
#include <cstdlib>  // std::abort in boost::throw_exception
#include <string>   // headers

#if defined(PROFILE_AUTH_INTEROP_HAS_BEAST) && defined(BOOST_NO_EXCEPTIONS)
// A program built without exceptions defines these once: Boost calls them for the few failures
// beast_transport cannot turn into a value (docs/transports.md).
namespace boost {
void throw_exception(const std::exception& e) {
  std::fprintf(stderr, "interop_tests: Boost failed: %s\n", e.what());
  std::abort();
}
void throw_exception(const std::exception& e, const boost::source_location&) {
  std::fprintf(stderr, "interop_tests: Boost failed: %s\n", e.what());
  std::abort();
}
}  // namespace boost
#endif

#ifdef PROFILE_AUTH_INTEROP_HAS_BEAST
TEST_SUITE("interop: Boost.Beast transport") {
  static_assert(pa::Transport<pt::beast_transport>);

  TEST_CASE("a user_session over Beast: code exchange, refresh with rotation, logout") {
    const pa::user_auth_config cfg = interop::native_config();
    pa::memory_store store;
    pa::user_session session{pt::beast_transport{}, cfg, store};
    interop::login_attempt a = interop::authorize(cfg, interop::user_choice::approve);
    const std::string iss = interop::issuer();
    auto cb = pa::parse_authorization_callback(a.callback, a.state, std::string_view(iss));
    REQUIRE(cb);
    auto done = session.complete_login(*cb, a.pkce);
    REQUIRE_MESSAGE(done, done.error().message);
    auto first = store.load();
    REQUIRE(first);
    REQUIRE(first->has_value());
    const pa::secret r0 = (*first)->refresh_token;

    pa::http_request me{"GET", interop::url("/me"), {{"Accept", "application/json"}}, {}};
    auto answer = session.send(me);
    REQUIRE_MESSAGE(answer, answer.error().message);
    CHECK(answer->status == 200);
    CHECK(answer->body.find("\"sub\":\"alice\"") != std::string::npos);

    session.invalidate();
    auto h = session.authorization_header();  // a refresh over Beast
    REQUIRE_MESSAGE(h, h.error().message);
    auto second = store.load();
    REQUIRE(second);
    REQUIRE(second->has_value());
    CHECK(!((*second)->refresh_token == r0));

    auto out = session.logout();  // two revocations over Beast
    REQUIRE_MESSAGE(out, out.error().message);
    auto t = interop::transport();
    CHECK(interop::userinfo(t, *h).status == 401);
  }

  TEST_CASE("Beast delivers the server's error answer: invalid_client with its challenge") {
    pt::beast_transport t;
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.client_secret = pa::secret("wrong-secret");
    auto req = pa::client_credentials_request(cfg);
    REQUIRE(req);
    auto resp = t.send(*req);
    REQUIRE_MESSAGE(resp, resp.error().message);
    CHECK(resp->headers.find("WWW-Authenticate").value_or("").rfind("Basic", 0) == 0);
    auto tok = pa::parse_token_response(*resp, interop::now());
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_client);
    CHECK(pa::classify(tok.error()) == pa::error_class::credentials);
  }
}
#endif

#ifdef PROFILE_AUTH_INTEROP_HAS_HTTPLIB
TEST_SUITE("interop: cpp-httplib transport") {
  static_assert(pa::Transport<pt::httplib_transport>);

  TEST_CASE("m2m_client over cpp-httplib, and its token introspected over cpp-httplib") {
    pa::client_credentials_config cc = interop::post_config();
    cc.resource = {std::string(interop::opaque_api)};
    cc.scope = "api:read api:write";
    pa::m2m_client client{pt::httplib_transport{}, std::move(cc)};
    auto tok = client.access_token();
    REQUIRE_MESSAGE(tok, tok.error().message);
    auto again = client.access_token();
    REQUIRE(again);
    CHECK(*again == *tok);
    CHECK(client.stats().token_requests == 1);

    pt::httplib_transport t;
    pa::introspection_config rs;
    rs.introspection_endpoint = interop::url("/token/introspection");
    rs.client_id = std::string(interop::basic_client_id);
    rs.client_secret = pa::secret(interop::basic_client_secret);
    auto r = pa::introspect(t, rs, *tok);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(r->active);
    CHECK(r->client_id == interop::post_client_id);
    CHECK(r->has_scope("api:write"));
    CHECK(r->has_audience(interop::opaque_api));
  }

  TEST_CASE("cpp-httplib delivers the server's error answer: invalid_target") {
    pt::httplib_transport t;
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.resource = {"https://unknown-api.interop.test/"};
    auto req = pa::client_credentials_request(cfg);
    REQUIRE(req);
    auto resp = t.send(*req);
    REQUIRE_MESSAGE(resp, resp.error().message);
    auto tok = pa::parse_token_response(*resp, interop::now());
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_target);
    CHECK(tok.error().http_status == 400);
  }
}
#endif
