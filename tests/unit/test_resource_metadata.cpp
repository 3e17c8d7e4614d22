// SPDX-License-Identifier: MIT
// Tests for resource_metadata.hpp: RFC 9728 documents and the 401 -> RFC 9728 -> RFC 8414 chain.
#include <profile/auth/resource_metadata.hpp>
#include <profile/auth/from_metadata.hpp>
#include <profile/auth/testing/fake_transport.hpp>

#include <doctest/doctest.h>

#include <string>       // documents
#include <string_view>  // expected values
#include <vector>       // lists

namespace pa = profile::auth;

namespace {

constexpr std::string_view api = "https://api.example.com/v3";
constexpr std::string_view prm_url =
    "https://api.example.com/.well-known/oauth-protected-resource/v3";

pa::http_response json_answer(int status, std::string body) {
  pa::http_response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

std::string prm_document(std::string_view resource,
                         std::string_view servers = R"(["https://auth.example.com"])",
                         std::string_view more = {}) {
  return R"({"resource":")" + std::string(resource) + R"(","authorization_servers":)" +
         std::string(servers) + std::string(more) + "}";
}

std::string as_document(std::string_view issuer) {
  return R"({"issuer":")" + std::string(issuer) + R"(","token_endpoint":")" + std::string(issuer) +
         R"(/token","authorization_endpoint":")" + std::string(issuer) +
         R"(/authorize","code_challenge_methods_supported":["S256"]})";
}

pa::http_response unauthorized(std::string challenge) {
  pa::http_response r;
  r.status = 401;
  if (!challenge.empty()) r.headers.add("WWW-Authenticate", std::move(challenge));
  r.body = R"({"error":"unauthorized"})";
  return r;
}

}  // namespace

TEST_CASE("resource metadata: well-known URL (RFC 9728 §3.1)") {
  struct row {
    std::string_view resource, url;
  };
  const row rows[] = {
      {"https://api.example.com", "https://api.example.com/.well-known/oauth-protected-resource"},
      {"https://api.example.com/", "https://api.example.com/.well-known/oauth-protected-resource"},
      {"https://api.example.com/v3", prm_url},
      {"https://api.example.com/v3/", prm_url},
      {"https://api.example.com:8443/mcp?tenant=7",
       "https://api.example.com:8443/.well-known/oauth-protected-resource/mcp?tenant=7"},
      {"https://api.example.com?x=1",
       "https://api.example.com/.well-known/oauth-protected-resource?x=1"},
      {"http://localhost:9000/api",
       "http://localhost:9000/.well-known/oauth-protected-resource/api"},
  };
  for (const row& r : rows) {
    CAPTURE(r.resource);
    const auto url = pa::protected_resource_metadata_url(r.resource);
    REQUIRE(url.has_value());
    CHECK(*url == r.url);
  }
  const auto code = [](std::string_view res) {
    auto r = pa::protected_resource_metadata_url(res);
    return r ? pa::errc{} : r.error().code;
  };
  CHECK(code("") == pa::errc::invalid_argument);
  CHECK(code("https://api.example.com/#frag") == pa::errc::invalid_url);
  CHECK(code("http://api.example.com") == pa::errc::insecure_endpoint);
  CHECK(code("urn:example:api") == pa::errc::invalid_url);
  const auto req = pa::protected_resource_metadata_request(api);
  REQUIRE(req.has_value());
  CHECK(req->method == "GET");
  CHECK(req->url == prm_url);
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"}});
}

TEST_CASE("resource metadata: the request for a 401 follows its resource_metadata parameter") {
  auto req = pa::protected_resource_metadata_request(
      unauthorized("Bearer resource_metadata=\"https://meta.example.com/prm/v3\", "
                   "error=\"invalid_token\""),
      api);
  REQUIRE(req.has_value());
  CHECK(req->url == "https://meta.example.com/prm/v3");
  CHECK(req->method == "GET");

  // No challenge, no parameter, or a broken header: the well-known URL of the resource.
  for (const char* c : {"", "Bearer realm=\"api\"", "Basic realm=\"x\"",
                        "Bearer resource_metadata=\"https://evil.example/\" \"junk"}) {
    CAPTURE(c);
    req = pa::protected_resource_metadata_request(unauthorized(c), api);
    REQUIRE(req.has_value());
    CHECK(req->url == prm_url);
  }

  // The URL the resource names must itself be safe to fetch.
  const auto code = [](std::string challenge) {
    auto r = pa::protected_resource_metadata_request(unauthorized(std::move(challenge)), api);
    return r ? pa::errc{} : r.error().code;
  };
  CHECK(code("Bearer resource_metadata=\"http://meta.example.com/prm\"") ==
        pa::errc::insecure_endpoint);
  CHECK(code("Bearer resource_metadata=\"/relative\"") == pa::errc::malformed_response);
  CHECK(code("Bearer resource_metadata=\"https://u:p@meta.example.com/\"") ==
        pa::errc::malformed_response);
  CHECK(code("Bearer resource_metadata=\"https://meta.example.com/" + std::string(2100, 'a') +
             "\"") == pa::errc::malformed_response);
  CHECK(code("Bearer resource_metadata=\"http://127.0.0.1:8080/prm\"") == pa::errc{});
  const auto r = pa::protected_resource_metadata_request(
      unauthorized("Bearer resource_metadata=\"http://meta.example.com/prm?k=TOPSECRET\""), api);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().http_status == 401);
  CHECK(r.error().message.find("TOPSECRET") == std::string::npos);
}

TEST_CASE("resource metadata: parse a document") {
  const std::string doc = prm_document(
      api, R"(["https://auth.example.com", "https://backup.example.com"])",
      R"(,"jwks_uri":"https://api.example.com/jwks","scopes_supported":["read","write"],
         "bearer_methods_supported":["header"],"resource_name":"Example API",
         "resource_documentation":"https://docs.example.com",
         "resource_signing_alg_values_supported":["ES256"],
         "tls_client_certificate_bound_access_tokens":false,
         "dpop_bound_access_tokens_required":true,
         "dpop_signing_alg_values_supported":["ES256","RS256"],
         "authorization_details_types_supported":["payment"],
         "resource_policy_uri":"https://example.com/policy",
         "resource_tos_uri":"https://example.com/tos",
         "x_custom":[1,2],"signed_metadata":"eyJ.x.y")");
  const auto m = pa::parse_protected_resource_metadata(json_answer(200, doc), api);
  REQUIRE_MESSAGE(m.has_value(), m.error().message);
  CHECK(m->resource == api);
  CHECK(m->authorization_servers ==
        std::vector<std::string>{"https://auth.example.com", "https://backup.example.com"});
  CHECK(m->jwks_uri == "https://api.example.com/jwks");
  CHECK(m->scopes_supported == std::vector<std::string>{"read", "write"});
  CHECK(m->bearer_methods_supported == std::vector<std::string>{"header"});
  CHECK(m->resource_name == "Example API");
  CHECK(m->resource_documentation == "https://docs.example.com");
  CHECK(m->resource_policy_uri == "https://example.com/policy");
  CHECK(m->resource_tos_uri == "https://example.com/tos");
  CHECK(m->resource_signing_alg_values_supported == std::vector<std::string>{"ES256"});
  CHECK_FALSE(m->tls_client_certificate_bound_access_tokens);
  CHECK(m->dpop_bound_access_tokens_required);
  CHECK(m->dpop_signing_alg_values_supported == std::vector<std::string>{"ES256", "RS256"});
  CHECK(m->authorization_details_types_supported == std::vector<std::string>{"payment"});
  CHECK(m->extra_member("x_custom") == "[1,2]");
  CHECK(m->extra_member("signed_metadata") == "\"eyJ.x.y\"");
  CHECK(m->extra.size() == 2);
}

TEST_CASE("resource metadata: malformed documents and a wrong resource") {
  const auto code = [](std::string body, std::string_view expected = api) {
    auto r = pa::parse_protected_resource_metadata(json_answer(200, std::move(body)), expected);
    return r ? pa::errc{} : r.error().code;
  };
  CHECK(code(R"({"authorization_servers":["https://auth.example.com"]})") ==
        pa::errc::malformed_response);
  CHECK(code(R"({"resource":7})") == pa::errc::malformed_response);
  CHECK(code(prm_document(api, R"("https://auth.example.com")")) == pa::errc::malformed_response);
  CHECK(code(prm_document(api, "[1]")) == pa::errc::malformed_response);
  CHECK(code(prm_document(api, "[]", R"(,"jwks_uri":"http://keys.example.com/")")) ==
        pa::errc::insecure_endpoint);
  CHECK(code(prm_document(api, "[]", R"(,"dpop_bound_access_tokens_required":1)")) ==
        pa::errc::malformed_response);
  CHECK(code("[]") == pa::errc::malformed_response);
  CHECK(code("{") == pa::errc::invalid_json);  // the JSON reader's verdict passes through
  // RFC 9728 §3.3: the resource must be the one asked about.
  CHECK(code(prm_document("https://api.example.com/v3/")) == pa::errc::issuer_mismatch);
  CHECK(code(prm_document("https://api.example.com")) == pa::errc::issuer_mismatch);
  CHECK(code(prm_document("https://evil.example.com/v3")) == pa::errc::issuer_mismatch);
  CHECK(code(prm_document(api)) == pa::errc{});
  // Non-2xx answers keep their status.
  auto r = pa::parse_protected_resource_metadata(json_answer(404, ""), api);
  CHECK(r.error().code == pa::errc::http_error);
  CHECK(r.error().http_status == 404);
}

TEST_CASE("resource metadata: resource_match::same_origin_prefix") {
  pa::resource_discovery_options prefix;
  prefix.match = pa::resource_match::same_origin_prefix;
  struct row {
    std::string_view named, expected;
    bool ok;
  };
  const row rows[] = {
      {"https://api.example.com", "https://api.example.com/v3/items", true},
      {"https://api.example.com/", "https://api.example.com/v3/items", true},
      {"https://api.example.com/v3", "https://api.example.com/v3/items", true},
      {"https://api.example.com/v3/", "https://api.example.com/v3/items", true},
      {"https://api.example.com/v3", "https://api.example.com/v3", true},
      {"https://API.example.com:443/v3", "https://api.example.com/v3/x", true},
      {"https://api.example.com/v3", "https://api.example.com/v3x", false},
      {"https://api.example.com/v3/items", "https://api.example.com/v3", false},
      {"https://api.example.com:8443/v3", "https://api.example.com/v3", false},
      {"http://api.example.com/v3", "https://api.example.com/v3", false},
      {"https://api.example.com.evil.com", "https://api.example.com/v3", false},
      {"https://other.example.com", "https://api.example.com/v3", false},
      {"https://api.example.com/v3?t=1", "https://api.example.com/v3?t=1", true},
      {"https://api.example.com/v3?t=1", "https://api.example.com/v3?t=2", false},
      {"https://api.example.com/v3", "https://api.example.com/v3?t=2", true},
      {"https://api.example.com/v3#f", "https://api.example.com/v3", false},
      {"not a url", "https://api.example.com/v3", false},
  };
  for (const row& r : rows) {
    CAPTURE(r.named);
    CAPTURE(r.expected);
    const auto m = pa::parse_protected_resource_metadata(json_answer(200, prm_document(r.named)),
                                                         r.expected, prefix);
    CHECK(m.has_value() == r.ok);
    if (!r.ok) CHECK(m.error().code == pa::errc::issuer_mismatch);
  }
}

TEST_CASE("discover_from_challenge: 401 -> RFC 9728 -> RFC 8414, over a fake transport") {
  pa::testing::fake_transport t;
  t.respond(json_answer(200, prm_document(api, R"(["https://auth.example.com/tenant"])",
                                          R"(,"scopes_supported":["read"])")))
      .respond(json_answer(200, as_document("https://auth.example.com/tenant")));
  const auto d =
      pa::discover_from_challenge(t,
                                  unauthorized("Bearer error=\"invalid_token\", scope=\"read\", "
                                               "resource_metadata=\"" +
                                               std::string(prm_url) + "\""),
                                  api);
  REQUIRE_MESSAGE(d.has_value(), d.error().message);
  REQUIRE(t.calls() == 2);
  CHECK(t.request(0).url == prm_url);
  CHECK(t.request(1).url ==
        "https://auth.example.com/.well-known/oauth-authorization-server/tenant");
  CHECK(d->resource.resource == api);
  CHECK(d->resource.scopes_supported == std::vector<std::string>{"read"});
  CHECK(d->authorization_server.issuer == "https://auth.example.com/tenant");
  CHECK(d->authorization_server.token_endpoint == "https://auth.example.com/tenant/token");
  REQUIRE(d->challenge.has_value());
  CHECK(d->challenge->scope == "read");

  // What the chain leads to: a client that can log in at the right server.
  const auto cfg =
      pa::user_auth_config_from(d->authorization_server, "app", "http://127.0.0.1:4000/cb");
  REQUIRE(cfg.has_value());
  CHECK(cfg->authorization_endpoint == "https://auth.example.com/tenant/authorize");
}

TEST_CASE("discover_from_challenge: fallbacks and failures") {
  SUBCASE("no challenge: the well-known URL; the server's OIDC location after a 404") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document(api)))
        .respond(404, "")
        .respond(json_answer(200, as_document("https://auth.example.com")));
    const auto d = pa::discover_from_challenge(t, unauthorized(""), api);
    REQUIRE_MESSAGE(d.has_value(), d.error().message);
    CHECK(t.request(0).url == prm_url);
    CHECK(t.request(2).url == "https://auth.example.com/.well-known/openid-configuration");
    CHECK_FALSE(d->challenge.has_value());
  }
  SUBCASE("the resource metadata names another resource: nothing more is fetched") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document("https://evil.example.com/v3")));
    const auto d = pa::discover_from_challenge(t, unauthorized("Bearer"), api);
    CHECK(d.error().code == pa::errc::issuer_mismatch);
    CHECK(t.calls() == 1);
  }
  SUBCASE("no authorization server") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document(api, "[]")));
    const auto d = pa::discover_from_challenge(t, unauthorized("Bearer"), api);
    CHECK(d.error().code == pa::errc::malformed_response);
    CHECK(d.error().message.find("authorization_servers") != std::string::npos);
  }
  SUBCASE("the authorization server's issuer differs from the one the resource names") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document(api)))
        .respond(json_answer(200, as_document("https://evil.example.com")));
    const auto d = pa::discover_from_challenge(t, unauthorized("Bearer"), api);
    CHECK(d.error().code == pa::errc::issuer_mismatch);
  }
  SUBCASE("an insecure authorization server is refused before it is contacted") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document(api, R"(["http://auth.example.com"])")));
    const auto d = pa::discover_from_challenge(t, unauthorized("Bearer"), api);
    CHECK(d.error().code == pa::errc::insecure_endpoint);
    CHECK(t.calls() == 1);
  }
  SUBCASE("the resource metadata is missing") {
    pa::testing::fake_transport t;
    t.respond(404, "");
    const auto d = pa::discover_from_challenge(t, unauthorized("Bearer"), api);
    CHECK(d.error().code == pa::errc::http_error);
    CHECK(d.error().http_status == 404);
  }
  SUBCASE("prefix matching for an API that names its base URL") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document("https://api.example.com")))
        .respond(json_answer(200, as_document("https://auth.example.com")));
    pa::resource_discovery_options o;
    o.match = pa::resource_match::same_origin_prefix;
    const auto d = pa::discover_from_challenge(
        t,
        unauthorized("Bearer resource_metadata="
                     "\"https://api.example.com/.well-known/oauth-protected-resource\""),
        "https://api.example.com/v3/test", o);
    REQUIRE_MESSAGE(d.has_value(), d.error().message);
    CHECK(d->resource.resource == "https://api.example.com");
  }
  SUBCASE("discover_protected_resource without a 401") {
    pa::testing::fake_transport t;
    t.respond(json_answer(200, prm_document(api)));
    const auto m = pa::discover_protected_resource(t, api);
    REQUIRE(m.has_value());
    CHECK(t.request(0).url == prm_url);
  }
}
