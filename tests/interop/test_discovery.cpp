// SPDX-License-Identifier: MIT
// Interop: discovery (RFC 8414 / OpenID Connect Discovery) against oidc-provider, followed by
// flows configured from what it found.
#include "interop.hpp"

#include <profile/auth/discovery.hpp>
#include <profile/auth/from_metadata.hpp>

#include <string>  // URLs

namespace {

/// The server's metadata, REQUIREd to be found.
template <class T>
pa::authorization_server_metadata metadata(T& t) {
  auto m = pa::discover(t, interop::issuer());
  REQUIRE_MESSAGE(m, m.error().message);
  return std::move(*m);
}

bool lists(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& e : v)
    if (e == s) return true;
  return false;
}

}  // namespace

TEST_SUITE("interop: discovery") {
  TEST_CASE("discovery finds every endpoint server.mjs configures, and the issuer matches") {
    auto t = interop::transport();
    const pa::authorization_server_metadata m = metadata(t);
    CHECK(m.issuer == interop::issuer());
    CHECK(m.authorization_endpoint == interop::url("/auth"));
    CHECK(m.token_endpoint == interop::url("/token"));
    CHECK(m.revocation_endpoint == interop::url("/token/revocation"));
    CHECK(m.introspection_endpoint == interop::url("/token/introspection"));
    CHECK(m.registration_endpoint == interop::url("/reg"));
    CHECK(m.device_authorization_endpoint == interop::url("/device/auth"));
    CHECK(m.userinfo_endpoint == interop::url("/me"));
    CHECK(m.jwks_uri == interop::url("/jwks"));
    CHECK(m.authorization_response_iss_parameter_supported);  // RFC 9207
    CHECK(pa::supports_pkce_s256(m));
    CHECK(m.code_challenge_methods_supported == std::vector<std::string>{"S256"});
    CHECK(pa::supports_grant_type(m, "client_credentials"));
    CHECK(pa::supports_grant_type(m, "urn:ietf:params:oauth:grant-type:device_code"));
    CHECK(lists(m.token_endpoint_auth_methods_supported, "client_secret_basic"));
    CHECK(lists(m.token_endpoint_auth_methods_supported, "none"));
    CHECK(lists(m.scopes_supported, "offline_access"));
  }

  TEST_CASE("the RFC 8414 and the OpenID Connect locations serve the same document") {
    auto t = interop::transport();
    pa::discovery_options oauth;
    oauth.sources = pa::discovery_sources::oauth_only;
    pa::discovery_options openid;
    openid.sources = pa::discovery_sources::openid_only;
    auto a = pa::discover(t, interop::issuer(), oauth);
    REQUIRE_MESSAGE(a, a.error().message);
    auto b = pa::discover(t, interop::issuer(), openid);
    REQUIRE_MESSAGE(b, b.error().message);
    CHECK(*a == *b);
    // A location the server does not serve: 404, and nothing else is tried.
    auto u = pa::authorization_server_metadata_url(interop::issuer() + "/tenant",
                                                   pa::metadata_kind::oauth_authorization_server);
    REQUIRE(u);
    auto none = pa::discover(t, interop::issuer() + "/tenant", oauth);
    REQUIRE(!none);
    CHECK(none.error().code == pa::errc::http_error);
    CHECK(none.error().http_status == 404);
  }

  TEST_CASE("metadata checked against another issuer is refused (RFC 8414 §3.3)") {
    auto t = interop::transport();
    auto req = pa::authorization_server_metadata_request(interop::issuer(),
                                                         pa::metadata_kind::openid_configuration);
    REQUIRE(req);
    const pa::http_response resp = interop::send(t, *req);
    REQUIRE(resp.status == 200);
    auto ok = pa::parse_authorization_server_metadata(resp, interop::issuer());
    REQUIRE_MESSAGE(ok, ok.error().message);
    auto wrong = pa::parse_authorization_server_metadata(resp, "http://127.0.0.1:1");
    REQUIRE(!wrong);
    CHECK(wrong.error().code == pa::errc::issuer_mismatch);
    // An issuer written with a trailing slash is another issuer, byte for byte.
    auto slash = pa::parse_authorization_server_metadata(resp, interop::issuer() + "/");
    REQUIRE(!slash);
    CHECK(slash.error().code == pa::errc::issuer_mismatch);
  }

  TEST_CASE("an M2M client configured from discovery in one call") {
    auto t = interop::transport();
    const pa::authorization_server_metadata m = metadata(t);
    auto cfg = pa::client_credentials_config_from(m, std::string(interop::basic_client_id),
                                                  pa::secret(interop::basic_client_secret));
    REQUIRE_MESSAGE(cfg, cfg.error().message);
    CHECK(cfg->auth == pa::client_auth::client_secret_basic);  // listed first by preference
    pa::m2m_client client{interop::transport(), std::move(*cfg)};
    auto h = client.authorization_header();
    REQUIRE_MESSAGE(h, h.error().message);
    CHECK(h->rfind("Bearer ", 0) == 0);
  }

  TEST_CASE("a user login configured from discovery, iss checked as the metadata says") {
    auto t = interop::transport();
    const pa::authorization_server_metadata m = metadata(t);
    auto cfg = pa::user_auth_config_from(m, std::string(interop::native_client_id),
                                         std::string(interop::native_redirect_uri));
    REQUIRE_MESSAGE(cfg, cfg.error().message);
    cfg->scope = interop::login_scope();
    const pa::callback_issuer_check check = pa::callback_issuer(m);
    CHECK(check.issuer == interop::issuer());
    CHECK(check.policy == pa::issuer_policy::required);

    interop::login_attempt a = interop::authorize(*cfg, interop::user_choice::approve);
    auto cb = pa::parse_authorization_callback(a.callback, a.state, std::string_view(check.issuer),
                                               check.policy);
    REQUIRE_MESSAGE(cb, cb.error().message);
    auto req = pa::authorization_code_request(*cfg, cb->code, a.pkce);
    REQUIRE(req);
    auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
    REQUIRE_MESSAGE(tok, tok.error().message);
    CHECK(tok->has_refresh_token());
  }
}
