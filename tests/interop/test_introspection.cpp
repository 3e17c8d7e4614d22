// SPDX-License-Identifier: MIT
// Interop: token introspection (RFC 7662) against oidc-provider: active tokens and what they
// carry, inactive after revocation, unknown tokens, JWT access tokens, a wrong secret.
#include "interop.hpp"

#include <profile/auth/grants/introspection.hpp>

#include <string>  // scopes

namespace {

/// A resource server that introspects with the Basic M2M client's credentials (oidc-provider
/// lets any confidential client introspect; see features.introspection.allowedPolicy).
pa::introspection_config resource_server() {
  pa::introspection_config c;
  c.introspection_endpoint = interop::url("/token/introspection");
  c.client_id = std::string(interop::basic_client_id);
  c.client_secret = pa::secret(interop::basic_client_secret);
  c.auth = pa::client_auth::client_secret_basic;
  return c;
}

/// An opaque access token of the post client for the opaque resource, scope api:read.
template <class T>
pa::token opaque_m2m_token(T& t) {
  pa::client_credentials_config cc = interop::post_config();
  cc.resource = {std::string(interop::opaque_api)};
  cc.scope = "api:read";
  auto req = pa::client_credentials_request(cc);
  REQUIRE(req);
  auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
  REQUIRE_MESSAGE(tok, tok.error().message);
  return std::move(*tok);
}

}  // namespace

TEST_SUITE("interop: introspection") {
  TEST_CASE("an active opaque M2M token, then inactive after its client revoked it") {
    auto t = interop::transport();
    const pa::token tok = opaque_m2m_token(t);

    auto r = pa::introspect(t, resource_server(), tok.access_token);
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(r->active);
    CHECK(r->client_id == interop::post_client_id);
    CHECK(r->has_scope("api:read"));
    CHECK(!r->has_scope("api:write"));
    CHECK(r->has_audience(interop::opaque_api));
    CHECK(r->token_type == "Bearer");
    CHECK(r->iss == interop::issuer());
    REQUIRE(r->exp.has_value());
    REQUIRE(r->iat.has_value());
    CHECK(*r->exp - *r->iat == 600);
    CHECK(r->valid_at(std::chrono::system_clock::now()));

    // The pure functions say the same.
    auto req = pa::introspection_request(resource_server(), tok.access_token);
    REQUIRE(req);
    CHECK(req->headers.find("Authorization").value_or("").rfind("Basic ", 0) == 0);
    auto again = pa::parse_introspection_response(interop::send(t, *req));
    REQUIRE(again);
    CHECK(again->active);

    pa::user_auth_config revoker;
    revoker.revocation_endpoint = interop::url("/token/revocation");
    revoker.client_id = std::string(interop::post_client_id);
    revoker.client_secret = pa::secret(interop::post_client_secret);
    revoker.auth = pa::client_auth::client_secret_post;
    auto rv = pa::revocation_request(revoker, tok.access_token, pa::token_type_hint::access_token);
    REQUIRE(rv);
    REQUIRE(pa::parse_revocation_response(interop::send(t, *rv)));

    auto after = pa::introspect(t, resource_server(), tok.access_token);
    REQUIRE_MESSAGE(after, after.error().message);
    CHECK(!after->active);
    CHECK(after->client_id.empty());  // nothing else is reported for an inactive token
  }

  TEST_CASE("a user's access and refresh tokens, active until logout") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::web_config();
    const pa::token tok = interop::login(t, cfg);

    auto at = pa::introspect(t, resource_server(), tok.access_token);
    REQUIRE_MESSAGE(at, at.error().message);
    CHECK(at->active);
    CHECK(at->sub == interop::user_name);
    CHECK(at->client_id == interop::web_client_id);
    CHECK(at->has_scope("openid"));

    auto rt =
        pa::introspect(t, resource_server(), tok.refresh_token, pa::token_type_hint::refresh_token);
    REQUIRE_MESSAGE(rt, rt.error().message);
    CHECK(rt->active);
    CHECK(rt->sub == interop::user_name);

    auto rv = pa::revocation_request(cfg, tok.refresh_token, pa::token_type_hint::refresh_token);
    REQUIRE(rv);
    REQUIRE(pa::parse_revocation_response(interop::send(t, *rv)));
    for (const pa::secret* s : {&tok.access_token, &tok.refresh_token}) {
      auto gone = pa::introspect(t, resource_server(), *s, pa::token_type_hint::none);
      REQUIRE_MESSAGE(gone, gone.error().message);
      CHECK(!gone->active);
    }
  }

  TEST_CASE("a token the server never issued is inactive, not an error") {
    auto t = interop::transport();
    auto r = pa::introspect(t, resource_server(), pa::secret("never-issued-token"));
    REQUIRE_MESSAGE(r, r.error().message);
    CHECK(!r->active);
    CHECK(!r->valid_at(std::chrono::system_clock::now()));
  }

  TEST_CASE("a JWT access token cannot be introspected (NOTES.md): unsupported_token_type") {
    auto t = interop::transport();
    pa::client_credentials_config cc = interop::basic_config();
    cc.resource = {std::string(interop::jwt_api)};
    auto req = pa::client_credentials_request(cc);
    REQUIRE(req);
    auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
    REQUIRE(tok);
    auto r = pa::introspect(t, resource_server(), tok->access_token);
    REQUIRE(!r);
    CHECK(r.error().http_status == 400);
    CHECK(r.error().oauth_error == "unsupported_token_type");
    CHECK(r.error().code == pa::errc::unsupported_token_type);
  }

  TEST_CASE("a resource server with a wrong secret: invalid_client") {
    auto t = interop::transport();
    pa::introspection_config c = resource_server();
    c.client_secret = pa::secret("wrong-secret");
    auto r = pa::introspect(t, c, pa::secret("whatever"));
    REQUIRE(!r);
    CHECK(r.error().code == pa::errc::invalid_client);
    CHECK(r.error().http_status == 401);
    CHECK(pa::classify(r.error()) == pa::error_class::credentials);
    CHECK(r.error().message.find("wrong-secret") == std::string::npos);
  }
}
