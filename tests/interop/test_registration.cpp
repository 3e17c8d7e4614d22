// SPDX-License-Identifier: MIT
// Interop: dynamic client registration (RFC 7591) against oidc-provider (open registration),
// each registration followed by a flow with the new client.
#include "interop.hpp"

#include <profile/auth/grants/registration.hpp>

#include <string>  // URLs
#include <vector>  // redirect URIs

TEST_SUITE("interop: registration") {
  TEST_CASE("register a public native client, then log in with it and refresh") {
    auto t = interop::transport();
    const std::string redirect = "http://127.0.0.1/registered/callback";
    const pa::client_metadata wanted = pa::native_client_metadata("interop native", {redirect});
    auto reg = pa::register_client(t, interop::url("/reg"), wanted);
    REQUIRE_MESSAGE(reg, reg.error().message);
    CHECK(!reg->client_id.empty());
    CHECK(!reg->client_secret.has_value());  // token_endpoint_auth_method none
    CHECK(reg->metadata.token_endpoint_auth_method == "none");
    CHECK(reg->metadata.redirect_uris == std::vector<std::string>{redirect});
    CHECK(reg->client_id_issued_at.has_value());
    CHECK(reg->registration_access_token.has_value());  // RFC 7592 credential
    CHECK(!reg->registration_client_uri.empty());

    pa::user_auth_config base = interop::native_config();  // endpoints and scope
    base.redirect_uri = redirect;
    auto cfg = pa::user_auth_config_for(*reg, std::move(base));
    REQUIRE_MESSAGE(cfg, cfg.error().message);
    const pa::token tok = interop::login(t, *cfg);
    REQUIRE(tok.has_refresh_token());
    auto rreq = pa::refresh_token_request(*cfg, tok.refresh_token);
    REQUIRE(rreq);
    auto fresh = pa::parse_refresh_response(interop::send(t, *rreq), interop::now(), tok);
    REQUIRE_MESSAGE(fresh, fresh.error().message);
    CHECK(pa::refresh_token_rotated(tok, *fresh));
  }

  TEST_CASE("register a confidential client for client credentials, then get a token") {
    auto t = interop::transport();
    pa::client_metadata wanted = pa::confidential_client_metadata("interop service");
    wanted.grant_types = {"client_credentials"};
    wanted.response_types = {};
    wanted.redirect_uris = {};
    auto reg = pa::register_client(t, interop::url("/reg"), wanted);
    REQUIRE_MESSAGE(reg, reg.error().message);
    REQUIRE(reg->client_secret.has_value());
    CHECK(!reg->client_secret->empty());
    REQUIRE(reg->client_secret_expires_at.has_value());
    CHECK(*reg->client_secret_expires_at == 0);  // oidc-provider's secrets do not expire

    auto cc = pa::client_credentials_config_for(*reg, interop::url("/token"));
    REQUIRE_MESSAGE(cc, cc.error().message);
    pa::m2m_client client{interop::transport(), std::move(*cc)};
    auto h = client.authorization_header();
    REQUIRE_MESSAGE(h, h.error().message);
    CHECK(h->rfind("Bearer ", 0) == 0);
  }

  TEST_CASE("registration refuses bad metadata with an RFC 7591 error") {
    auto t = interop::transport();
    // The library checks the form of the metadata; the server judges its meaning: a grant
    // type it does not know is invalid_client_metadata.
    pa::client_metadata bad =
        pa::native_client_metadata("interop bad", {"http://127.0.0.1/bad/callback"});
    bad.grant_types = {"authorization_code", "urn:example:no-such-grant"};
    auto reg = pa::register_client(t, interop::url("/reg"), bad);
    REQUIRE(!reg);
    CHECK(reg.error().http_status == 400);
    CHECK(reg.error().code == pa::errc::invalid_client_metadata);
    CHECK(reg.error().oauth_error == "invalid_client_metadata");
    CHECK(pa::classify(reg.error()) == pa::error_class::misconfiguration);
  }
}
