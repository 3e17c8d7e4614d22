// SPDX-License-Identifier: MIT
// Tests for discovery.hpp and from_metadata.hpp: RFC 8414 / OIDC metadata, one-call configs.
#include <profile/auth/discovery.hpp>
#include <profile/auth/from_metadata.hpp>
#include <profile/auth/testing/fake_transport.hpp>

#include <doctest/doctest.h>

#include <string>       // documents
#include <string_view>  // expected values
#include <vector>       // lists

namespace pa = profile::auth;

namespace {

constexpr std::string_view issuer = "https://auth.example.com";

// Shaped like oidc-provider's answer, with an escaped key and vendor members.
const std::string full_document = R"({
  "issuer": "https://auth.example.com",
  "authorization_endpoint": "https://auth.example.com/auth",
  "token_endpoint": "https://auth.example.com/token",
  "device_authorization_endpoint": "https://auth.example.com/device/auth",
  "revocation_endpoint": "https://auth.example.com/token/revocation",
  "introspection_endpoint": "https://auth.example.com/token/introspection",
  "registration_endpoint": "https://auth.example.com/reg",
  "jwks_uri": "https://auth.example.com/jwks",
  "userinfo_endpoint": "https://auth.example.com/me",
  "end_session_endpoint": "https://auth.example.com/session/end",
  "pushed_authorization_request_endpoint": "https://auth.example.com/request",
  "scopes_supported": ["openid", "offline_access", "api:read"],
  "response_types_supported": ["code", "none"],
  "response_modes_supported": ["query", "form_post"],
  "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials",
                            "urn:ietf:params:oauth:grant-type:device_code"],
  "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                            "private_key_jwt", "none"],
  "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
  "introspection_endpoint_auth_methods_supported": ["client_secret_post"],
  "code_challenge_methods_supported": ["S256"],
  "authorization_response_iss_parameter_supported": true,
  "require_pushed_authorization_requests": false,
  "claims_\u0073upported": ["sub", "email"],
  "subject_types_supported": ["public"],
  "x_vendor": {"nested": [1, 2, {"deep": null}]}
})";

pa::http_response json_answer(int status, std::string body) {
  pa::http_response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::string minimal(std::string_view iss, std::string_view more = {}) {
  std::string s = R"({"issuer":")" + std::string(iss) +
                  R"(","token_endpoint":"https://auth.example.com/token")";
  s += more;
  s += "}";
  return s;
}

pa::result<pa::authorization_server_metadata> parse(std::string body,
                                                    const pa::discovery_options& o = {}) {
  return pa::parse_authorization_server_metadata(json_answer(200, std::move(body)), issuer, o);
}

pa::errc error_code_of(const pa::result<pa::authorization_server_metadata>& r) {
  return r ? pa::errc{} : r.error().code;
}

}  // namespace

TEST_CASE("discovery: well-known URLs (RFC 8414 §3.1 path insertion, OIDC appending)") {
  using k = pa::metadata_kind;
  struct row {
    std::string_view issuer;
    k kind;
    std::string_view url;
  };
  const row rows[] = {
      {"https://auth.example.com", k::oauth_authorization_server,
       "https://auth.example.com/.well-known/oauth-authorization-server"},
      {"https://auth.example.com/", k::oauth_authorization_server,
       "https://auth.example.com/.well-known/oauth-authorization-server"},
      {"https://auth.example.com/tenant", k::oauth_authorization_server,
       "https://auth.example.com/.well-known/oauth-authorization-server/tenant"},
      {"https://auth.example.com/tenant/", k::oauth_authorization_server,
       "https://auth.example.com/.well-known/oauth-authorization-server/tenant"},
      {"https://auth.example.com:8443/a/b", k::oauth_authorization_server,
       "https://auth.example.com:8443/.well-known/oauth-authorization-server/a/b"},
      {"https://auth.example.com", k::openid_configuration,
       "https://auth.example.com/.well-known/openid-configuration"},
      {"https://auth.example.com/", k::openid_configuration,
       "https://auth.example.com/.well-known/openid-configuration"},
      {"https://kc.example.com/realms/demo", k::openid_configuration,
       "https://kc.example.com/realms/demo/.well-known/openid-configuration"},
      {"https://kc.example.com/realms/demo", k::openid_configuration_inserted,
       "https://kc.example.com/.well-known/openid-configuration/realms/demo"},
      {"http://127.0.0.1:3000", k::oauth_authorization_server,
       "http://127.0.0.1:3000/.well-known/oauth-authorization-server"},
      {"http://[::1]:3000/x", k::openid_configuration,
       "http://[::1]:3000/x/.well-known/openid-configuration"},
  };
  for (const row& r : rows) {
    CAPTURE(r.issuer);
    const auto url = pa::authorization_server_metadata_url(r.issuer, r.kind);
    REQUIRE(url.has_value());
    CHECK(*url == r.url);
  }
  const auto req = pa::authorization_server_metadata_request("https://auth.example.com/tenant",
                                                             k::oauth_authorization_server);
  REQUIRE(req.has_value());
  CHECK(req->method == "GET");
  CHECK(req->url == "https://auth.example.com/.well-known/oauth-authorization-server/tenant");
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"}});
  CHECK(req->body.empty());
}

TEST_CASE("discovery: issuers that cannot be discovered") {
  const auto code = [](std::string_view iss, pa::discovery_options o = {}) {
    auto r = pa::authorization_server_metadata_url(iss, pa::metadata_kind::openid_configuration, o);
    return r ? pa::errc{} : r.error().code;
  };
  CHECK(code("") == pa::errc::invalid_argument);
  CHECK(code("https://" + std::string(2100, 'a') + ".com") == pa::errc::invalid_argument);
  CHECK(code("auth.example.com") == pa::errc::invalid_url);
  CHECK(code("https://auth.example.com/?tenant=1") == pa::errc::invalid_url);  // RFC 8414 §2
  CHECK(code("https://auth.example.com/#x") == pa::errc::invalid_url);
  CHECK(code("https://user:pw@auth.example.com") == pa::errc::invalid_url);
  CHECK(code("ftp://auth.example.com") == pa::errc::invalid_url);
  CHECK(code("http://auth.example.com") == pa::errc::insecure_endpoint);
  pa::discovery_options insecure;
  insecure.allow_insecure_http = true;
  CHECK(code("http://auth.example.com", insecure) == pa::errc{});
  CHECK(code("http://localhost:8080") == pa::errc{});
}

TEST_CASE("discovery: an issuer refused for its query is named by host, never echoed") {
  // A query is where a credential would hide ("?client_secret=…"): the message must not carry it.
  const auto r = pa::authorization_server_metadata_url(
      "https://auth.example.com/t?k=TOPSECRET", pa::metadata_kind::oauth_authorization_server);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_url);
  CHECK(r.error().message.find("TOPSECRET") == std::string::npos);
  CHECK(r.error().message.find("auth.example.com") != std::string::npos);
  pa::testing::fake_transport t;
  const auto d = pa::discover(t, "https://auth.example.com/?k=TOPSECRET");
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message.find("TOPSECRET") == std::string::npos);
  CHECK(t.calls() == 0);
}

TEST_CASE("discovery: unlisted null members are kept like any other, listed ones are absent") {
  const auto m = parse(minimal(issuer, R"(,"x_null":null,"jwks_uri":null,"x_after":1)"));
  REQUIRE(m.has_value());
  REQUIRE(m->extra.size() == 2);
  CHECK(m->extra_member("x_null") == "null");
  CHECK(m->extra[1].first == "x_after");
  CHECK(m->jwks_uri.empty());
  CHECK_FALSE(m->extra_member("jwks_uri").has_value());
}

TEST_CASE("discovery: parse a full document") {
  const auto m = parse(full_document);
  REQUIRE_MESSAGE(m.has_value(), m.error().message);
  CHECK(m->issuer == issuer);
  CHECK(m->authorization_endpoint == "https://auth.example.com/auth");
  CHECK(m->token_endpoint == "https://auth.example.com/token");
  CHECK(m->device_authorization_endpoint == "https://auth.example.com/device/auth");
  CHECK(m->revocation_endpoint == "https://auth.example.com/token/revocation");
  CHECK(m->introspection_endpoint == "https://auth.example.com/token/introspection");
  CHECK(m->registration_endpoint == "https://auth.example.com/reg");
  CHECK(m->jwks_uri == "https://auth.example.com/jwks");
  CHECK(m->userinfo_endpoint == "https://auth.example.com/me");
  CHECK(m->end_session_endpoint == "https://auth.example.com/session/end");
  CHECK(m->pushed_authorization_request_endpoint == "https://auth.example.com/request");
  CHECK(m->scopes_supported == std::vector<std::string>{"openid", "offline_access", "api:read"});
  CHECK(m->response_types_supported == std::vector<std::string>{"code", "none"});
  CHECK(m->response_modes_supported == std::vector<std::string>{"query", "form_post"});
  CHECK(m->grant_types_supported.size() == 4);
  CHECK(m->token_endpoint_auth_methods_supported.size() == 4);
  CHECK(m->revocation_endpoint_auth_methods_supported ==
        std::vector<std::string>{"client_secret_basic"});
  CHECK(m->introspection_endpoint_auth_methods_supported ==
        std::vector<std::string>{"client_secret_post"});
  CHECK(m->code_challenge_methods_supported == std::vector<std::string>{"S256"});
  CHECK(m->authorization_response_iss_parameter_supported);
  CHECK_FALSE(m->require_pushed_authorization_requests);
  // Unlisted members, in document order, raw; an escaped key is decoded.
  REQUIRE(m->extra.size() == 3);
  CHECK(m->extra[0].first == "claims_supported");
  CHECK(m->extra_member("claims_supported") == R"(["sub", "email"])");
  CHECK(m->extra_member("subject_types_supported") == R"(["public"])");
  CHECK(m->extra_member("x_vendor") == R"({"nested": [1, 2, {"deep": null}]})");
  CHECK_FALSE(m->extra_member("issuer").has_value());
  CHECK(pa::supports_pkce_s256(*m));
  CHECK(pa::supports_grant_type(*m, "client_credentials"));
  CHECK_FALSE(pa::supports_grant_type(*m, "implicit"));
  CHECK(pa::preferred_client_auth(*m).value() == pa::client_auth::client_secret_basic);
}

TEST_CASE("discovery: absent members and RFC 8414 defaults") {
  const auto m = parse(minimal(issuer, R"(,"scopes_supported":null,"jwks_uri":null)"));
  REQUIRE(m.has_value());
  CHECK(m->authorization_endpoint.empty());
  CHECK(m->scopes_supported.empty());
  CHECK(m->jwks_uri.empty());
  CHECK_FALSE(m->authorization_response_iss_parameter_supported);
  CHECK(m->extra.empty());
  CHECK(pa::effective_grant_types_supported(*m) ==
        std::vector<std::string>{"authorization_code", "implicit"});
  CHECK(pa::effective_token_endpoint_auth_methods_supported(*m) ==
        std::vector<std::string>{"client_secret_basic"});
  CHECK(pa::effective_response_modes_supported(*m) ==
        std::vector<std::string>{"query", "fragment"});
  CHECK_FALSE(pa::supports_pkce_s256(*m));  // RFC 8414: absent means no PKCE advertised
  CHECK(pa::supports_grant_type(*m, "authorization_code"));
  CHECK_FALSE(pa::supports_grant_type(*m, "client_credentials"));
  CHECK(pa::preferred_client_auth(*m).value() == pa::client_auth::client_secret_basic);
}

TEST_CASE("discovery: preferred_client_auth") {
  pa::authorization_server_metadata m;
  m.token_endpoint_auth_methods_supported = {"client_secret_post"};
  CHECK(pa::preferred_client_auth(m).value() == pa::client_auth::client_secret_post);
  m.token_endpoint_auth_methods_supported = {"client_secret_post", "client_secret_basic"};
  CHECK(pa::preferred_client_auth(m).value() == pa::client_auth::client_secret_basic);
  m.token_endpoint_auth_methods_supported = {"private_key_jwt", "tls_client_auth"};
  const auto r = pa::preferred_client_auth(m);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);
  CHECK(r.error().message.find("private_key_jwt, tls_client_auth") != std::string::npos);
}

TEST_CASE("discovery: the issuer must be exactly the one asked for (RFC 8414 §3.3)") {
  for (const std::string_view other :
       {"https://auth.example.com/", "https://AUTH.example.com", "https://auth.example.com:443",
        "https://evil.example.com", "http://auth.example.com", "https://auth.example.com/x"}) {
    CAPTURE(other);
    const auto r = parse(minimal(other));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::issuer_mismatch);
    CHECK(r.error().http_status == 200);
    CHECK(r.error().message.find(std::string(other)) != std::string::npos);
    CHECK(pa::classify(r.error()) == pa::error_class::protocol);
  }
  // Control bytes in the server's issuer never reach the message.
  const auto r = parse(minimal("https://x\\u0007\\n.example"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find('\a') == std::string::npos);
  CHECK(r.error().message.find('\n') == std::string::npos);
}

TEST_CASE("discovery: malformed documents") {
  using e = pa::errc;
  struct row {
    std::string body;
    e code;
    std::string_view in_message;
  };
  const row rows[] = {
      {R"({"token_endpoint":"https://auth.example.com/token"})", e::malformed_response, "issuer"},
      {R"({"issuer":"https://auth.example.com"})", e::malformed_response, "token_endpoint"},
      {minimal(issuer, R"(,"jwks_uri":5)"), e::malformed_response, "'jwks_uri'"},
      {minimal(issuer, R"(,"scopes_supported":"openid")"), e::malformed_response,
       "'scopes_supported'"},
      {minimal(issuer, R"(,"scopes_supported":["openid",7])"), e::malformed_response,
       "'scopes_supported'"},
      {minimal(issuer, R"(,"authorization_response_iss_parameter_supported":"true")"),
       e::malformed_response, "'authorization_response_iss_parameter_supported'"},
      {R"({"issuer":1,"token_endpoint":"https://auth.example.com/token"})", e::malformed_response,
       "'issuer'"},
      {minimal(issuer, R"(,"authorization_endpoint":"/auth")"), e::malformed_response,
       "authorization_endpoint"},
      {minimal(issuer, R"(,"revocation_endpoint":"https://a.example.com/r#frag")"),
       e::malformed_response, "revocation_endpoint"},
      {minimal(issuer, R"(,"userinfo_endpoint":"https://u:p@a.example.com/me")"),
       e::malformed_response, "userinfo_endpoint"},
      {minimal(issuer, R"(,"jwks_uri":"http://keys.example.com/jwks")"), e::insecure_endpoint,
       "jwks_uri"},
      {R"(["issuer"])", e::malformed_response, "not a JSON object"},
      // The JSON reader's verdict passes through, as for every other answer the library reads.
      {R"({"issuer":"https://auth.example.com",})", e::invalid_json, "JSON"},
      {R"({"issuer":"a","issuer":"b"})", e::invalid_json, "duplicate"},
      {R"({"issuer":"a","issuer":"b"})", e::invalid_json, "duplicate"},
      {"{\"issuer\":\"\xC0\"}", e::invalid_utf8, "UTF-8"},
      {"", e::invalid_json, "JSON"},
  };
  for (const row& r : rows) {
    CAPTURE(r.body);
    const auto m = parse(r.body);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == r.code);
    CHECK(m.error().message.find(r.in_message) != std::string::npos);
  }
  // A token_endpoint is optional only for an implicit-only server.
  CHECK(parse(R"({"issuer":"https://auth.example.com","grant_types_supported":["implicit"]})")
            .has_value());
  // Plain http endpoints: loopback always, others only when allowed.
  CHECK(parse(minimal(issuer, R"(,"jwks_uri":"http://127.0.0.1:9/jwks")")).has_value());
  pa::discovery_options insecure;
  insecure.allow_insecure_http = true;
  CHECK(parse(minimal(issuer, R"(,"jwks_uri":"http://keys.example.com/jwks")"), insecure)
            .has_value());
  // Empty strings count as absent.
  CHECK(parse(minimal(issuer, R"(,"revocation_endpoint":"")"))->revocation_endpoint.empty());
}

TEST_CASE("discovery: answers that are not metadata") {
  // 404 page: the status is kept, classified as a wrong URL.
  pa::http_response r = json_answer(404, "");
  r.headers = {{"Content-Type", "text/html"}};
  r.body = "<html>Not Found</html>";
  auto m = pa::parse_authorization_server_metadata(r, issuer);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == pa::errc::http_error);
  CHECK(m.error().http_status == 404);
  CHECK(pa::classify(m.error()) == pa::error_class::misconfiguration);
  // A login page with 200: not JSON, and the message points at the URL.
  r.status = 200;
  m = pa::parse_authorization_server_metadata(r, issuer);
  CHECK(error_code_of(m) == pa::errc::invalid_json);
  CHECK(m.error().message.find("check the endpoint URL") != std::string::npos);
  CHECK(m.error().message.find("html") == std::string::npos);
  // 503 with Retry-After: retryable.
  r = json_answer(503, "");
  r.headers.add("Retry-After", "30");
  m = pa::parse_authorization_server_metadata(r, issuer);
  REQUIRE_FALSE(m.has_value());
  CHECK(pa::is_retryable(m.error()));
  CHECK(m.error().retry_after == std::chrono::seconds(30));
  // Bounded: a document above the limit.
  pa::discovery_options small;
  small.limits.max_size = 64;
  CHECK(error_code_of(parse(full_document, small)) == pa::errc::limit_exceeded);
  small.limits = {};
  small.limits.max_depth = 2;
  CHECK(error_code_of(parse(full_document, small)) == pa::errc::limit_exceeded);
}

TEST_CASE("discover: RFC 8414 first, OIDC after a 404, over a fake transport") {
  pa::testing::fake_transport t;
  t.respond(json_answer(200, full_document));
  auto m = pa::discover(t, issuer);
  REQUIRE(m.has_value());
  CHECK(m->token_endpoint == "https://auth.example.com/token");
  REQUIRE(t.calls() == 1);
  CHECK(t.request(0).url == "https://auth.example.com/.well-known/oauth-authorization-server");
  CHECK(t.request(0).method == "GET");

  pa::testing::fake_transport t2;
  t2.respond(404, "").respond(json_answer(200, full_document));
  m = pa::discover(t2, issuer);
  REQUIRE(m.has_value());
  REQUIRE(t2.calls() == 2);
  CHECK(t2.request(1).url == "https://auth.example.com/.well-known/openid-configuration");
}

TEST_CASE("discover: an issuer with a path tries three locations in order") {
  const std::string tenant = "https://auth.example.com/tenant";
  pa::testing::fake_transport t;
  t.respond(404, "").respond(403, "").respond(json_answer(200, minimal(tenant)));
  const auto m = pa::discover(t, tenant);
  REQUIRE(m.has_value());
  CHECK(m->issuer == tenant);
  REQUIRE(t.calls() == 3);
  CHECK(t.request(0).url ==
        "https://auth.example.com/.well-known/oauth-authorization-server/tenant");
  CHECK(t.request(1).url == "https://auth.example.com/.well-known/openid-configuration/tenant");
  CHECK(t.request(2).url == "https://auth.example.com/tenant/.well-known/openid-configuration");
}

TEST_CASE("discover: when to stop") {
  SUBCASE("nothing anywhere: http_error listing what was tried") {
    pa::testing::fake_transport t;
    t.respond(404, "").respond(404, "");
    const auto m = pa::discover(t, issuer);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == pa::errc::http_error);
    CHECK(m.error().http_status == 404);
    CHECK(m.error().message.find("oauth-authorization-server (404)") != std::string::npos);
    CHECK(m.error().message.find("openid-configuration (404)") != std::string::npos);
    CHECK(pa::classify(m.error()) == pa::error_class::misconfiguration);
  }
  SUBCASE("a 5xx ends the search: retryable") {
    pa::testing::fake_transport t;
    t.respond(502, "<html>bad gateway</html>", {{"Content-Type", "text/html"}});
    const auto m = pa::discover(t, issuer);
    REQUIRE_FALSE(m.has_value());
    CHECK(t.calls() == 1);
    CHECK(m.error().code == pa::errc::http_error);
    CHECK(pa::is_retryable(m.error()));
  }
  SUBCASE("a redirect is not followed") {
    pa::testing::fake_transport t;
    t.respond(301, "", {{"Location", "https://elsewhere.example.com/"}});
    const auto m = pa::discover(t, issuer);
    REQUIRE_FALSE(m.has_value());
    CHECK(t.calls() == 1);
    CHECK(m.error().http_status == 301);
  }
  SUBCASE("a transport failure is returned as it is") {
    pa::testing::fake_transport t;
    t.fail_next(pa::error(pa::errc::transport_failed, "connection refused"));
    const auto m = pa::discover(t, issuer);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == pa::errc::transport_failed);
  }
  SUBCASE("an issuer mismatch at the first location is final") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, minimal("https://evil.example.com")));
    const auto m = pa::discover(t, issuer);
    REQUIRE_FALSE(m.has_value());
    CHECK(m.error().code == pa::errc::issuer_mismatch);
    CHECK(t.calls() == 1);
  }
  SUBCASE("a bad issuer sends nothing") {
    pa::testing::fake_transport t;
    const auto m = pa::discover(t, "http://auth.example.com");
    CHECK(m.error().code == pa::errc::insecure_endpoint);
    CHECK(t.calls() == 0);
  }
  SUBCASE("sources narrow the locations") {
    pa::testing::fake_transport t;
    t.respond(404, "");
    pa::discovery_options o;
    o.sources = pa::discovery_sources::oauth_only;
    CHECK(pa::discover(t, issuer, o).error().code == pa::errc::http_error);
    CHECK(t.calls() == 1);
    pa::testing::fake_transport t2;
    t2.respond(json_answer(200, minimal(issuer)));
    o.sources = pa::discovery_sources::openid_only;
    CHECK(pa::discover(t2, issuer, o).has_value());
    CHECK(t2.request(0).url == "https://auth.example.com/.well-known/openid-configuration");
  }
}

// ---------------------------------------------------------------------------------------------
// from_metadata.hpp

TEST_CASE("client_credentials_config_from: endpoint and client authentication") {
  auto m = parse(full_document).value();
  auto c = pa::client_credentials_config_from(m, "svc", pa::secret("S3cr3t-value"));
  REQUIRE(c.has_value());
  CHECK(c->token_endpoint == "https://auth.example.com/token");
  CHECK(c->client_id == "svc");
  CHECK(c->auth == pa::client_auth::client_secret_basic);
  CHECK(c->format == pa::body_format::form);
  const auto req = pa::client_credentials_request(*c);
  REQUIRE(req.has_value());
  CHECK(req->body == "grant_type=client_credentials");
  CHECK(req->headers.find("Authorization") == "Basic c3ZjOlMzY3IzdC12YWx1ZQ==");

  m.token_endpoint_auth_methods_supported = {"client_secret_post"};
  c = pa::client_credentials_config_from(m, "svc", pa::secret("S3cr3t-value"));
  REQUIRE(c.has_value());
  CHECK(c->auth == pa::client_auth::client_secret_post);

  m.grant_types_supported = {"authorization_code"};
  c = pa::client_credentials_config_from(m, "svc", pa::secret("S3cr3t-value"));
  CHECK(c.error().code == pa::errc::unsupported_grant_type);
  m.grant_types_supported.clear();  // absent: not held against the server
  CHECK(pa::client_credentials_config_from(m, "svc", pa::secret("S3cr3t-value")).has_value());

  CHECK(pa::client_credentials_config_from(m, "", pa::secret("S3cr3t-value")).error().code ==
        pa::errc::invalid_argument);
  c = pa::client_credentials_config_from(m, "svc", pa::secret());
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == pa::errc::invalid_argument);
  m.token_endpoint.clear();
  c = pa::client_credentials_config_from(m, "svc", pa::secret("S3cr3t-value"));
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().message.find("token_endpoint") != std::string::npos);
  CHECK(c.error().message.find("S3cr3t") == std::string::npos);
}

TEST_CASE("user_auth_config_from: public and confidential clients") {
  const auto m = parse(full_document).value();
  auto c = pa::user_auth_config_from(m, "app", "http://127.0.0.1:53682/callback");
  REQUIRE_MESSAGE(c.has_value(), c.error().message);
  CHECK(c->authorization_endpoint == "https://auth.example.com/auth");
  CHECK(c->token_endpoint == "https://auth.example.com/token");
  CHECK(c->revocation_endpoint == "https://auth.example.com/token/revocation");
  CHECK(c->device_authorization_endpoint == "https://auth.example.com/device/auth");
  CHECK(c->client_id == "app");
  CHECK(c->redirect_uri == "http://127.0.0.1:53682/callback");
  CHECK(pa::is_public_client(*c));
  CHECK(c->scope.empty());

  auto m2 = m;
  m2.token_endpoint_auth_methods_supported = {"client_secret_post", "none"};
  c = pa::user_auth_config_from(m2, "web", pa::secret("W3b-secret"), "https://app.example.com/cb");
  REQUIRE(c.has_value());
  CHECK_FALSE(pa::is_public_client(*c));
  CHECK(c->auth == pa::client_auth::client_secret_post);

  const auto chk = pa::callback_issuer(m);
  CHECK(chk.issuer == issuer);
  CHECK(chk.policy == pa::issuer_policy::required);
  m2.authorization_response_iss_parameter_supported = false;
  CHECK(pa::callback_issuer(m2).policy == pa::issuer_policy::if_present);
}

TEST_CASE("user_auth_config_from: servers this library cannot log in with") {
  const auto base = parse(full_document).value();
  const auto code = [](const pa::authorization_server_metadata& m,
                       std::string redirect = "http://127.0.0.1:1/cb") {
    auto r = pa::user_auth_config_from(m, "app", std::move(redirect));
    return r ? pa::errc{} : r.error().code;
  };
  auto m = base;
  m.code_challenge_methods_supported = {"plain"};
  CHECK(code(m) == pa::errc::invalid_argument);
  m.code_challenge_methods_supported.clear();  // not advertised: accepted
  CHECK(code(m) == pa::errc{});
  m = base;
  m.require_pushed_authorization_requests = true;
  CHECK(code(m) == pa::errc::invalid_argument);
  m = base;
  m.authorization_endpoint.clear();
  CHECK(code(m) == pa::errc::invalid_argument);
  m = base;
  m.grant_types_supported = {"client_credentials"};
  CHECK(code(m) == pa::errc::unsupported_grant_type);
  m = base;
  m.response_types_supported = {"id_token"};
  CHECK(code(m) == pa::errc::unsupported_response_type);
  CHECK(code(base, "") == pa::errc::invalid_argument);
  CHECK(code(base, "http://app.example.com/cb") == pa::errc::insecure_endpoint);
  CHECK(code(base, "https://app.example.com/cb#x") == pa::errc::invalid_url);
  m = base;
  m.token_endpoint_auth_methods_supported = {"private_key_jwt"};
  CHECK(code(m) == pa::errc{});  // a public client does not authenticate
  const auto r =
      pa::user_auth_config_from(m, "app", pa::secret("W3b-secret"), "https://a.example/cb");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("W3b-secret") == std::string::npos);
}

TEST_CASE("discover_client_credentials_config / discover_user_auth_config: one call each") {
  pa::testing::fake_transport t;
  t.respond(json_answer(200, full_document));
  auto cc = pa::discover_client_credentials_config(t, issuer, "svc", pa::secret("S3cr3t-value"));
  REQUIRE(cc.has_value());
  CHECK(cc->token_endpoint == "https://auth.example.com/token");
  CHECK_FALSE(cc->allow_insecure_http);

  t.respond(404, "").respond(json_answer(200, full_document));
  auto ua = pa::discover_user_auth_config(t, issuer, "app", "http://127.0.0.1:53682/cb");
  REQUIRE(ua.has_value());
  CHECK(ua->config.authorization_endpoint == "https://auth.example.com/auth");
  CHECK(ua->callback_issuer.issuer == issuer);
  CHECK(ua->callback_issuer.policy == pa::issuer_policy::required);
  CHECK(ua->metadata.registration_endpoint == "https://auth.example.com/reg");
  CHECK(t.calls() == 3);

  // The RFC 9207 check in use: a callback from another issuer is refused.
  const auto cb = pa::parse_authorization_callback(
      "http://127.0.0.1:53682/cb?code=abc&state=s1&iss=https%3A%2F%2Fevil.example.com", "s1",
      ua->callback_issuer.issuer, ua->callback_issuer.policy);
  CHECK(cb.error().code == pa::errc::issuer_mismatch);
  const auto ok = pa::parse_authorization_callback(
      "http://127.0.0.1:53682/cb?code=abc&state=s1&iss=https%3A%2F%2Fauth.example.com", "s1",
      ua->callback_issuer.issuer, ua->callback_issuer.policy);
  CHECK(ok.has_value());

  // A confidential client, against a test server on plain http (opted in).
  const std::string http_issuer = "http://auth.test:8080";
  std::string doc = minimal(http_issuer, R"(,"authorization_endpoint":"http://auth.test:8080/a")");
  doc.replace(doc.find("https://auth.example.com/token"), 30, "http://auth.test:8080/token");
  pa::discovery_options insecure;
  insecure.allow_insecure_http = true;
  t.respond(json_answer(200, doc));
  ua = pa::discover_user_auth_config(t, http_issuer, "web", pa::secret("W3b-secret"),
                                     "https://app.example.com/cb", insecure);
  REQUIRE_MESSAGE(ua.has_value(), ua.error().message);
  CHECK(ua->config.allow_insecure_http);
  CHECK(ua->config.token_endpoint == "http://auth.test:8080/token");
  CHECK(ua->callback_issuer.policy == pa::issuer_policy::if_present);
  t.respond(json_answer(200, doc));
  cc = pa::discover_client_credentials_config(t, http_issuer, "svc", pa::secret("S3cr3t-value"),
                                              insecure);
  REQUIRE(cc.has_value());
  CHECK(cc->allow_insecure_http);
  CHECK(pa::client_credentials_request(*cc).has_value());

  // Without the opt-in, nothing is fetched.
  const auto calls = t.calls();
  CHECK(
      pa::discover_client_credentials_config(t, http_issuer, "svc", pa::secret("x")).error().code ==
      pa::errc::insecure_endpoint);
  CHECK(t.calls() == calls);
}
