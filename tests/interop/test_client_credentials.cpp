// SPDX-License-Identifier: MIT
// Interop: the client credentials grant (RFC 6749 §4.4) against oidc-provider, with both ways
// of sending the secret, m2m_client's cache, JWT (RFC 9068) and opaque access tokens.
#include "interop.hpp"

#include <chrono>  // expiry checks
#include <string>  // headers

TEST_SUITE("interop: client credentials") {
  TEST_CASE("client_secret_basic: a token for the Basic client (credentials form-encoded)") {
    auto t = interop::transport();
    const pa::client_credentials_config cfg = interop::basic_config();
    auto req = pa::client_credentials_request(cfg);
    REQUIRE(req);
    // The secret holds '+', '/', '%' and ':': only form-encoded Basic credentials get through.
    CHECK(req->headers.find("Authorization").has_value());
    CHECK(req->body.find("client_secret") == std::string::npos);
    const pa::time_point before = interop::now();
    auto tok = pa::parse_token_response(interop::send(t, *req), before);
    REQUIRE_MESSAGE(tok, tok.error().message);
    CHECK(!tok->access_token.empty());
    CHECK(tok->token_type == "Bearer");
    REQUIRE(tok->expires_in.has_value());
    CHECK(*tok->expires_in == std::chrono::seconds(600));  // ttl.ClientCredentials in server.mjs
    CHECK(tok->expires_at == before + std::chrono::seconds(600));
    CHECK(!tok->has_refresh_token());  // never for client credentials
    // Without a resource indicator the server issues an opaque token.
    auto claims = pa::decode_unverified_claims(tok->access_token);
    REQUIRE(claims);
    CHECK(!claims->is_jwt);
  }

  TEST_CASE("client_secret_post: a token for the post client") {
    auto t = interop::transport();
    const pa::client_credentials_config cfg = interop::post_config();
    auto req = pa::client_credentials_request(cfg);
    REQUIRE(req);
    CHECK(!req->headers.find("Authorization").has_value());
    auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
    REQUIRE_MESSAGE(tok, tok.error().message);
    CHECK(!tok->access_token.empty());
    CHECK(tok->token_type == "Bearer");
  }

  TEST_CASE("m2m_client caches the token, and fetches a new one after invalidate()") {
    for (const bool basic : {true, false}) {
      CAPTURE(basic);
      pa::m2m_client client{interop::transport(),
                            basic ? interop::basic_config() : interop::post_config()};
      auto h1 = client.authorization_header();
      REQUIRE_MESSAGE(h1, h1.error().message);
      CHECK(h1->rfind("Bearer ", 0) == 0);
      auto h2 = client.authorization_header();
      REQUIRE(h2);
      CHECK(*h2 == *h1);
      CHECK(client.stats().token_requests == 1);  // the second call was served from the cache
      client.invalidate();
      auto h3 = client.authorization_header();
      REQUIRE(h3);
      CHECK(*h3 != *h1);  // the server issued a new token
      CHECK(client.stats().token_requests == 2);
    }
  }

  TEST_CASE("RFC 9068: a resource with JWT access tokens gives an at+jwt for that audience") {
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.resource = {std::string(interop::jwt_api)};
    cfg.scope = "api:read";
    auto req = pa::client_credentials_request(cfg);
    REQUIRE(req);
    auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
    REQUIRE_MESSAGE(tok, tok.error().message);
    CHECK(tok->scope == "api:read");
    auto claims = pa::decode_unverified_claims(tok->access_token);
    REQUIRE_MESSAGE(claims, claims.error().message);
    REQUIRE(claims->is_jwt);
    CHECK(claims->typ == "at+jwt");
    CHECK(claims->alg == "RS256");
    REQUIRE(claims->aud.size() == 1);
    CHECK(claims->aud[0] == interop::jwt_api);
    CHECK(claims->iss == interop::issuer());
    CHECK(claims->sub == interop::basic_client_id);  // RFC 9068 §2.2: the client itself
    CHECK(claims->claim("client_id") == "\"m2m-basic\"");
    CHECK(claims->has_scope("api:read"));
    CHECK(!claims->has_scope("api:write"));
    REQUIRE(claims->exp.has_value());
    REQUIRE(claims->iat.has_value());
    CHECK(*claims->exp - *claims->iat == std::chrono::seconds(600));  // the resource's TTL
  }

  TEST_CASE("a resource with opaque access tokens gives a non-JWT token") {
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::post_config();
    cfg.resource = {std::string(interop::opaque_api)};
    cfg.scope = "api:write";
    auto req = pa::client_credentials_request(cfg);
    REQUIRE(req);
    auto tok = pa::parse_token_response(interop::send(t, *req), interop::now());
    REQUIRE_MESSAGE(tok, tok.error().message);
    CHECK(tok->scope == "api:write");
    auto claims = pa::decode_unverified_claims(tok->access_token);
    REQUIRE(claims);
    CHECK(!claims->is_jwt);
    CHECK(claims->claims.empty());
  }
}
