// SPDX-License-Identifier: MIT
// Tests for profile_login.hpp: zero-configuration user login over a scripted Profile-like
// deployment (resource server on one origin, Stytch-like authorization server on another).
#include <profile/auth/profile_login.hpp>
#include <profile/auth/profile.hpp>  // after it: its names must not clash with the login's
#include <profile/auth/encoding.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/testing/fake_transport.hpp>

#include <doctest/doctest.h>

#include <string>       // documents
#include <string_view>  // expected values
#include <vector>       // requests

namespace pa = profile::auth;
namespace pp = profile::auth::profile;

namespace {

constexpr std::string_view api = "https://vanguard.profilebehavior.com/api/v4/account";
constexpr std::string_view rs_origin = "https://vanguard.profilebehavior.com";
constexpr std::string_view prm_root =
    "https://vanguard.profilebehavior.com/.well-known/oauth-protected-resource";
constexpr std::string_view prm_inserted =
    "https://vanguard.profilebehavior.com/.well-known/oauth-protected-resource/api/v4/account";
constexpr std::string_view as_url = "https://login.example-stytch.test";
constexpr std::string_view as_meta =
    "https://login.example-stytch.test/.well-known/oauth-authorization-server";
constexpr std::string_view reg_url = "https://login.example-stytch.test/v1/oauth2/register";
constexpr std::string_view redirect = "http://127.0.0.1:8765/callback";

/// One knob per bad input of issue 15; the defaults are a polite deployment.
struct deployment {
  std::string challenge =
      R"(Bearer error="invalid_token", resource_metadata=")" + std::string(prm_root) + "\"";
  bool well_known_served = true;  // the metadata also at prm_root
  std::string prm_resource = std::string(rs_origin);
  std::string prm_server = std::string(as_url);
  std::string issuer = std::string(as_url);
  std::string pkce = R"(["S256"])";
  int api_status = 401;             // the API's answer to the probe
  bool registration_served = true;  // registration_endpoint in the AS metadata
  std::string servers;              // authorization_servers as JSON; empty: [prm_server]
  std::string registration = R"({"client_id":"dcr-client-1","token_endpoint_auth_method":"none",)"
                             R"("redirect_uris":["http://127.0.0.1:8765/callback"]})";

  [[nodiscard]] pa::http_response json(int status, std::string body) const {
    pa::http_response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
  }

  [[nodiscard]] pa::result<pa::http_response> answer(const pa::http_request& req) const {
    if (req.url == api) {
      pa::http_response r = json(api_status, R"({"code":401,"status":"error"})");
      if (api_status == 302) r.headers.add("Location", "https://evil.example/login");
      if (!challenge.empty()) r.headers.add("WWW-Authenticate", challenge);
      return r;
    }
    if (req.url == prm_root && well_known_served)
      return json(200, R"({"resource":")" + prm_resource + R"(","authorization_servers":)" +
                           (servers.empty() ? "[\"" + prm_server + "\"]" : servers) +
                           R"(,"scopes_supported":["openid","offline_access"],)"
                           R"("bearer_methods_supported":["header"]})");
    if (req.url == as_meta)
      return json(
          200,
          R"({"issuer":")" + issuer +
              R"(","authorization_endpoint":"https://login.example-stytch.test/v1/oauth2/authorize",)"
              R"("token_endpoint":"https://login.example-stytch.test/v1/oauth2/token",)"
              R"("revocation_endpoint":"https://login.example-stytch.test/v1/oauth2/revoke",)" +
              (registration_served
                   ? R"("registration_endpoint":"https://login.example-stytch.test/v1/oauth2/register",)"
                   : "") +
              R"("jwks_uri":"https://login.example-stytch.test/.well-known/jwks.json",)"
              R"("response_types_supported":["code"],)"
              R"("grant_types_supported":["authorization_code","refresh_token"],)"
              R"("token_endpoint_auth_methods_supported":["none","client_secret_basic"],)"
              R"("code_challenge_methods_supported":)" +
              pkce + "}");
    if (req.url == reg_url && req.method == "POST") return json(201, registration);
    return json(404, R"({"error":"not_found"})");
  }
};

pa::testing::fake_transport serve(const deployment& d) {
  pa::testing::fake_transport t;
  t.on_send([d](const pa::http_request& req) { return d.answer(req); });
  return t;
}

std::vector<std::string> urls(const pa::testing::fake_transport& t) {
  std::vector<std::string> out;
  for (const auto& r : t.requests()) out.push_back(r.method + " " + r.url);
  return out;
}

/// True when no recorded request went to a URL starting with `prefix`.
bool nothing_sent_to(const pa::testing::fake_transport& t, std::string_view prefix) {
  for (const auto& r : t.requests())
    if (std::string_view(r.url).substr(0, prefix.size()) == prefix) return false;
  return true;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string jwt_with(std::string_view payload) {
  return pa::base64url_encode(R"({"alg":"RS256","typ":"at+jwt"})") + "." +
         pa::base64url_encode(payload) + ".c2ln";
}

}  // namespace

TEST_CASE("profile login: 401 -> RFC 9728 -> RFC 8414 -> RFC 7591 -> a ready configuration") {
  const deployment d;
  auto t = serve(d);
  pp::user_login_options o;
  o.client_name = "Profile CLI";
  auto r = pp::discover_user_login(t, api, redirect, o);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));

  const std::vector<std::string> expected = {
      "GET " + std::string(api), "GET " + std::string(prm_root), "GET " + std::string(as_meta),
      "POST " + std::string(reg_url)};
  CHECK(urls(t) == expected);
  // The probe carries no credential.
  CHECK_FALSE(t.request(0).headers.contains("Authorization"));
  // The registration asks for a public client with PKCE-ready grants and the redirect URI.
  const std::string reg_body = t.request(3).body;
  CHECK(reg_body.find(R"("token_endpoint_auth_method":"none")") != std::string::npos);
  CHECK(reg_body.find(R"("grant_types":["authorization_code","refresh_token"])") !=
        std::string::npos);
  CHECK(reg_body.find(R"("response_types":["code"])") != std::string::npos);
  CHECK(reg_body.find(R"("redirect_uris":["http://127.0.0.1:8765/callback"])") !=
        std::string::npos);
  CHECK(reg_body.find(R"("client_name":"Profile CLI")") != std::string::npos);
  CHECK(reg_body.find(R"("application_type":"native")") != std::string::npos);

  const auto& c = r->config;
  CHECK(c.authorization_endpoint == "https://login.example-stytch.test/v1/oauth2/authorize");
  CHECK(c.token_endpoint == "https://login.example-stytch.test/v1/oauth2/token");
  CHECK(c.revocation_endpoint == "https://login.example-stytch.test/v1/oauth2/revoke");
  CHECK(c.device_authorization_endpoint.empty());
  CHECK(c.client_id == "dcr-client-1");
  CHECK(c.client_secret.empty());
  CHECK(c.redirect_uri == redirect);
  CHECK(c.scope == "offline_access");
  REQUIRE(c.resource.size() == 1);
  CHECK(c.resource[0] == rs_origin);
  CHECK(c.api_origins.empty());
  CHECK_FALSE(c.allow_insecure_http);

  CHECK(r->resource.resource == rs_origin);
  CHECK(r->authorization_server.issuer == as_url);
  CHECK(r->callback_issuer.issuer == as_url);
  REQUIRE(r->challenge.has_value());
  CHECK(r->challenge->resource_metadata == prm_root);
  REQUIRE(r->registration.has_value());
  CHECK(r->registration->client_id == "dcr-client-1");
}

TEST_CASE("profile login: a stored client_id skips registration; scopes are merged") {
  const deployment d;
  auto t = serve(d);
  pp::user_login_options o;
  o.client_id = "stored-client";
  o.scope = "account:read offline_access tags:manage";
  auto r = pp::discover_user_login(t, api, redirect, o);
  REQUIRE(r.has_value());
  CHECK(t.calls() == 3);
  CHECK(nothing_sent_to(t, reg_url));
  CHECK(r->config.client_id == "stored-client");
  CHECK(r->config.scope == "account:read offline_access tags:manage");
  CHECK_FALSE(r->registration.has_value());

  o.offline_access = false;
  o.scope = "account:read";
  auto t2 = serve(d);
  auto r2 = pp::discover_user_login(t2, api, redirect, o);
  REQUIRE(r2.has_value());
  CHECK(r2->config.scope == "account:read");
}

TEST_CASE("profile login: a 401 without resource_metadata falls back to the well-known URLs") {
  deployment d;
  d.challenge = R"(Bearer realm="profile")";
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  const std::vector<std::string> expected = {
      "GET " + std::string(api), "GET " + std::string(prm_inserted), "GET " + std::string(prm_root),
      "GET " + std::string(as_meta), "POST " + std::string(reg_url)};
  CHECK(urls(t) == expected);
  CHECK(r->config.resource[0] == rs_origin);
}

TEST_CASE("profile login bad input: a 401 without resource_metadata and no metadata anywhere") {
  deployment d;
  d.challenge.clear();
  d.well_known_served = false;
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::http_error);
  CHECK(r.error().http_status == 404);
  CHECK(starts_with(r.error().message, "user login discovery, hop 1 (the API's 401 challenge)"));
  CHECK(r.error().message.find(prm_root) != std::string::npos);
  CHECK(t.calls() == 3);
  CHECK(nothing_sent_to(t, as_url));
}

TEST_CASE("profile login bad input: metadata whose resource differs from the URL asked") {
  for (const char* other : {"https://evil.example", "https://vanguard.profilebehavior.com/api/v3",
                            "http://vanguard.profilebehavior.com"}) {
    CAPTURE(other);
    deployment d;
    d.prm_resource = other;
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::issuer_mismatch);
    CHECK(starts_with(r.error().message,
                      "user login discovery, hop 2 (protected resource metadata)"));
    CHECK(t.calls() == 2);
    CHECK(nothing_sent_to(t, as_url));
  }
  // resource_match::exact: the origin-level identifier does not equal the URL asked.
  const deployment d;
  auto t = serve(d);
  pp::user_login_options o;
  o.discovery.match = pa::resource_match::exact;
  auto r = pp::discover_user_login(t, api, redirect, o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::issuer_mismatch);
  // ... and passes when the caller asks for the identifier itself.
  auto t2 = serve(d);
  CHECK(pp::discover_user_login(t2, rs_origin, redirect, o).has_value());
}

TEST_CASE("profile login bad input: a plain-http authorization server is never contacted") {
  deployment d;
  d.prm_server = "http://login.example-stytch.test";
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::insecure_endpoint);
  CHECK(starts_with(r.error().message,
                    "user login discovery, hop 3 (authorization server metadata)"));
  CHECK(t.calls() == 2);
  CHECK(nothing_sent_to(t, "http://login"));
  CHECK(nothing_sent_to(t, as_url));

  // A loopback authorization server may use http (a local test deployment).
  d.prm_server = "http://127.0.0.1:9000";
  auto t2 = serve(d);
  auto r2 = pp::discover_user_login(t2, api, redirect);
  REQUIRE_FALSE(r2.has_value());  // the fake serves nothing there: a 404, not a refusal
  CHECK(r2.error().code == pa::errc::http_error);
  CHECK(t2.request(2).url == "http://127.0.0.1:9000/.well-known/oauth-authorization-server");
}

TEST_CASE("profile login bad input: an authorization server whose issuer differs") {
  deployment d;
  d.issuer = "https://login.example-stytch.test/other";
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::issuer_mismatch);
  CHECK(starts_with(r.error().message,
                    "user login discovery, hop 3 (authorization server metadata)"));
  CHECK(nothing_sent_to(t, reg_url));
  for (const auto& req : t.requests()) CHECK(req.method == "GET");
}

TEST_CASE("profile login bad input: a registration answer without client_id") {
  for (const char* body : {R"({"token_endpoint_auth_method":"none"})", R"({"client_id":""})",
                           R"({"client_id":null})"}) {
    CAPTURE(body);
    deployment d;
    d.registration = body;
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::malformed_response);
    CHECK(starts_with(r.error().message, "user login discovery, hop 4 (client registration)"));
    CHECK(t.calls() == 4);  // nothing after the registration
  }
}

TEST_CASE("profile login bad input: no S256, no registration endpoint, a foreign metadata URL") {
  {
    deployment d;
    d.pkce = R"(["plain"])";
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_argument);
    CHECK(starts_with(r.error().message, "user login discovery, hop 3"));
    CHECK(nothing_sent_to(t, reg_url));
  }
  {
    deployment d;
    d.pkce = "[]";  // absent from the list: the MCP rules say refuse
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_argument);
    CHECK(nothing_sent_to(t, reg_url));
  }
  {
    deployment d;
    d.challenge = R"(Bearer resource_metadata="https://evil.example/.well-known/x")";
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::malformed_response);
    CHECK(starts_with(r.error().message, "user login discovery, hop 1"));
    CHECK(t.calls() == 1);
    CHECK(nothing_sent_to(t, "https://evil.example"));
  }
  {
    deployment d;
    d.challenge = R"(Bearer resource_metadata="http://evil.example/.well-known/x")";
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::insecure_endpoint);
    CHECK(t.calls() == 1);
  }
  {
    const deployment d;
    auto t = serve(d);
    auto r =
        pp::discover_user_login(t, "http://vanguard.profilebehavior.com/api/v4/account", redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::insecure_endpoint);
    CHECK(t.calls() == 0);
  }
}

TEST_CASE("profile login: the discovered configuration drives the code flow with resource") {
  const deployment d;
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE(r.has_value());
  auto pkce =
      pa::pkce_pair::from_verifier(pa::secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
  REQUIRE(pkce.has_value());
  auto url = pa::authorization_url(r->config, *pkce, "state-123");
  REQUIRE(url.has_value());
  CHECK(starts_with(*url, "https://login.example-stytch.test/v1/oauth2/authorize?"));
  CHECK(url->find("client_id=dcr-client-1") != std::string::npos);
  CHECK(url->find("code_challenge_method=S256") != std::string::npos);
  CHECK(url->find("scope=offline_access") != std::string::npos);
  CHECK(url->find("resource=https%3A%2F%2Fvanguard.profilebehavior.com") != std::string::npos);

  auto req = pa::authorization_code_request(r->config, pa::secret("the-code"), *pkce);
  REQUIRE(req.has_value());
  CHECK(req->url == "https://login.example-stytch.test/v1/oauth2/token");
  CHECK(req->body.find("resource=https%3A%2F%2Fvanguard.profilebehavior.com") != std::string::npos);
  CHECK(req->body.find("client_id=dcr-client-1") != std::string::npos);
  CHECK(req->body.find("code_verifier=") != std::string::npos);
}

TEST_CASE("profile login: audience_check reports, and refuses only when strict") {
  pa::token tok;
  tok.access_token = pa::secret(jwt_with(R"({"aud":["https://vanguard.profilebehavior.com/"]})"));
  auto ok = pp::audience_check(tok, rs_origin);
  REQUIRE(ok.has_value());
  CHECK(*ok == pp::audience_status::matches);

  tok.access_token = pa::secret(jwt_with(R"({"aud":"https://other.example"})"));
  auto bad = pp::audience_check(tok, rs_origin);
  REQUIRE(bad.has_value());
  CHECK(*bad == pp::audience_status::mismatch);
  auto strict = pp::audience_check(tok, rs_origin, true);
  REQUIRE_FALSE(strict.has_value());
  CHECK(strict.error().code == pa::errc::token_rejected);
  CHECK(strict.error().message.find(tok.access_token.reveal()) == std::string::npos);

  tok.access_token = pa::secret(jwt_with(R"({"sub":"u1"})"));
  CHECK(*pp::audience_check(tok, rs_origin) == pp::audience_status::no_audience);
  CHECK_FALSE(pp::audience_check(tok, rs_origin, true).has_value());

  tok.access_token = pa::secret("opaque-token-value");
  CHECK(*pp::audience_check(tok, rs_origin, true) == pp::audience_status::opaque);
}

TEST_CASE("profile login bad input: no authorization server, no registration endpoint") {
  for (const char* servers : {"[]", R"([""])"}) {
    CAPTURE(servers);
    deployment d;
    d.servers = servers;
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, redirect);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::malformed_response);
    CHECK(starts_with(r.error().message, "user login discovery, hop 2"));
    CHECK(t.calls() == 2);
  }
  deployment d;
  d.registration_served = false;
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);
  CHECK(starts_with(r.error().message, "user login discovery, hop 4 (client registration)"));
  CHECK(t.calls() == 3);
  // With a client_id the same server is fine.
  pp::user_login_options o;
  o.client_id = "stored-client";
  auto t2 = serve(d);
  CHECK(pp::discover_user_login(t2, api, redirect, o).has_value());
}

TEST_CASE("profile login: the challenge's scope is asked for when the caller names none") {
  deployment d;
  d.challenge = R"(Bearer resource_metadata=")" + std::string(prm_root) +
                R"(", scope="account:read tags:manage")";
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE(r.has_value());
  CHECK(r->config.scope == "account:read tags:manage offline_access");
  pp::user_login_options o;
  o.scope = "account:read";
  auto t2 = serve(d);
  auto r2 = pp::discover_user_login(t2, api, redirect, o);
  REQUIRE(r2.has_value());
  CHECK(r2->config.scope == "account:read offline_access");
}

TEST_CASE("profile login: an https redirect URI registers without application_type") {
  const deployment d;
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, "https://app.example.com/callback");
  REQUIRE(r.has_value());
  REQUIRE(t.calls() == 4);
  CHECK(t.request(3).body.find("application_type") == std::string::npos);
  pp::user_login_options o;
  o.application_type = "web";
  auto t2 = serve(d);
  REQUIRE(pp::discover_user_login(t2, api, redirect, o).has_value());
  CHECK(t2.request(3).body.find(R"("application_type":"web")") != std::string::npos);
}

TEST_CASE("profile login bad input: a bad redirect URI fails before anything is sent") {
  const deployment d;
  for (const char* bad : {"https://app.example.com/cb#fragment", "http://app.example.com/cb", ""}) {
    CAPTURE(bad);
    auto t = serve(d);
    auto r = pp::discover_user_login(t, api, bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(starts_with(r.error().message, "user login discovery, hop 5 (client configuration)"));
    CHECK(t.calls() == 0);
  }
}

TEST_CASE("profile login: a redirecting API is not followed; a transport failure names hop 1") {
  deployment d;
  d.api_status = 302;
  d.challenge.clear();
  auto t = serve(d);
  auto r = pp::discover_user_login(t, api, redirect);
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  CHECK(nothing_sent_to(t, "https://evil.example"));
  CHECK(t.request(1).url == prm_inserted);

  pa::testing::fake_transport t2;
  t2.fail_next(pa::error(pa::errc::transport_failed, "connect refused"));
  auto r2 = pp::discover_user_login(t2, api, redirect);
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == pa::errc::transport_failed);
  CHECK(starts_with(r2.error().message, "user login discovery, hop 1 (the API's 401 challenge)"));
  CHECK(t2.calls() == 1);
}
