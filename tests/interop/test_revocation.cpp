// SPDX-License-Identifier: MIT
// Interop: token revocation (RFC 7009) against oidc-provider: access tokens, refresh tokens,
// JWT access tokens (which it cannot revoke), unknown tokens, and a client with a wrong secret.
#include "interop.hpp"

#include <string>  // headers

namespace {

/// Revokes `what` as `cfg`'s client and returns the library's reading of the answer.
template <class T>
pa::result<void> revoke(T& t, const pa::user_auth_config& cfg, const pa::secret& what,
                        pa::token_type_hint hint) {
  auto req = pa::revocation_request(cfg, what, hint);
  REQUIRE_MESSAGE(req, req.error().message);
  return pa::parse_revocation_response(interop::send(t, *req));
}

/// A user_auth_config that only revokes, for an M2M client.
pa::user_auth_config m2m_revoker(const pa::client_credentials_config& cc) {
  pa::user_auth_config c;
  c.revocation_endpoint = interop::url("/token/revocation");
  c.client_id = cc.client_id;
  c.client_secret = cc.client_secret;
  c.auth = cc.auth;
  return c;
}

}  // namespace

TEST_SUITE("interop: revocation") {
  TEST_CASE("revoking the access token ends it, and oidc-provider ends the whole grant's tokens") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::native_config();
    const pa::token tok = interop::login(t, cfg);
    auto header = pa::bearer_header_value(tok.access_token);
    REQUIRE(header);
    REQUIRE(interop::userinfo(t, *header).status == 200);

    auto r = revoke(t, cfg, tok.access_token, pa::token_type_hint::access_token);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(interop::userinfo(t, *header).status == 401);

    // RFC 7009 §2.1 leaves it to the server whether the refresh token survives; oidc-provider
    // revokes every token of the grant (its revocation endpoint calls revokeByGrantId for
    // access and refresh tokens alike), so the next refresh needs a new login. Not yet in
    // NOTES.md: measured here.
    auto req = pa::refresh_token_request(cfg, tok.refresh_token);
    REQUIRE(req);
    auto fresh = pa::parse_refresh_response(interop::send(t, *req), interop::now(), tok);
    REQUIRE(!fresh);
    CHECK(fresh.error().code == pa::errc::reauthentication_required);
  }

  TEST_CASE("revoking the refresh token ends the grant and its access tokens") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::web_config();  // a confidential client (Basic)
    const pa::token tok = interop::login(t, cfg);
    auto r = revoke(t, cfg, tok.refresh_token, pa::token_type_hint::refresh_token);
    REQUIRE_MESSAGE(r, r.error().message);

    auto req = pa::refresh_token_request(cfg, tok.refresh_token);
    REQUIRE(req);
    auto refused = pa::parse_refresh_response(interop::send(t, *req), interop::now(), tok);
    REQUIRE(!refused);
    CHECK(refused.error().code == pa::errc::reauthentication_required);
    auto header = pa::bearer_header_value(tok.access_token);
    REQUIRE(header);
    CHECK(interop::userinfo(t, *header).status == 401);
  }

  TEST_CASE("a wrong hint does not matter; an unknown token is 'revoked' too (RFC 7009 §2.2)") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::native_config();
    const pa::token tok = interop::login(t, cfg);
    // The refresh token sent with the access_token hint: the server looks further.
    auto r = revoke(t, cfg, tok.refresh_token, pa::token_type_hint::access_token);
    REQUIRE_MESSAGE(r, r.error().message);
    auto req = pa::refresh_token_request(cfg, tok.refresh_token);
    REQUIRE(req);
    CHECK(!pa::parse_token_response(interop::send(t, *req), interop::now()));

    auto unknown = revoke(t, cfg, pa::secret("no-such-token"), pa::token_type_hint::none);
    CHECK(unknown);
  }

  TEST_CASE("a JWT access token cannot be revoked: unsupported_token_type") {
    // NOTES.md: oidc-provider keeps no record of JWT access tokens, so it refuses to revoke
    // them; they simply expire.
    auto t = interop::transport();
    pa::client_credentials_config cc = interop::basic_config();
    cc.resource = {std::string(interop::jwt_api)};
    auto req = pa::client_credentials_request(cc);
    REQUIRE(req);
    auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
    REQUIRE(tok);
    auto r = revoke(t, m2m_revoker(cc), tok->access_token, pa::token_type_hint::access_token);
    REQUIRE(!r);
    CHECK(r.error().code == pa::errc::unsupported_token_type);
    CHECK(r.error().oauth_error == "unsupported_token_type");
    CHECK(r.error().http_status == 400);
  }

  TEST_CASE("an M2M client revokes its opaque token, with Basic and with post") {
    auto t = interop::transport();
    for (const pa::client_credentials_config& cc :
         {interop::basic_config(), interop::post_config()}) {
      CAPTURE(cc.client_id);
      auto req = pa::client_credentials_request(cc);
      REQUIRE(req);
      auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
      REQUIRE(tok);
      auto r = revoke(t, m2m_revoker(cc), tok->access_token, pa::token_type_hint::access_token);
      CHECK_MESSAGE(r, (r ? std::string() : r.error().message));
    }
  }

  TEST_CASE("revocation with a wrong client secret: invalid_client") {
    auto t = interop::transport();
    pa::client_credentials_config cc = interop::post_config();
    cc.client_secret = pa::secret("wrong-secret");
    auto r = revoke(t, m2m_revoker(cc), pa::secret("whatever"), pa::token_type_hint::none);
    REQUIRE(!r);
    CHECK(r.error().code == pa::errc::invalid_client);
    CHECK(r.error().http_status == 401);
    CHECK(pa::classify(r.error()) == pa::error_class::credentials);
  }
}
