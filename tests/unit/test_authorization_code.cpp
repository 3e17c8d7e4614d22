// SPDX-License-Identifier: MIT
// Tests for grants/authorization_code.hpp: golden URLs, the callback's checks, the exchange.
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/pkce.hpp>

#include <doctest/doctest.h>

#include <optional>     // expected issuer
#include <string>       // URLs, bodies
#include <string_view>  // inputs

#include "user_auth_secrets.hpp"

namespace pa = profile::auth;
namespace t = user_auth_test;
using t::error_of;

namespace {

constexpr std::string_view kState = "xyz-STATE-0123";
constexpr std::string_view kIssuer = "https://auth.example.com";

pa::user_auth_config public_config() {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://auth.example.com/authorize";
  c.token_endpoint = "https://auth.example.com/token";
  c.client_id = "app-123";
  c.redirect_uri = "http://127.0.0.1:8765/callback";
  c.scope = "openid profile offline_access";
  return c;
}

pa::pkce_pair rfc_pkce() { return *pa::pkce_pair::from_verifier(pa::secret(t::verifier)); }

std::string url_of(const pa::user_auth_config& c, const pa::authorization_url_options& o = {}) {
  auto r = pa::authorization_url(c, rfc_pkce(), kState, o);
  if (!r) FAIL("unexpected error: " << r.error().message);
  return *r;
}

pa::errc url_error(const pa::user_auth_config& c, const pa::authorization_url_options& o = {},
                   std::string_view state = kState) {
  return error_of(pa::authorization_url(c, rfc_pkce(), state, o));
}

const std::string kCodeParam = "code=" + std::string(t::code);
const std::string kStateParam = "state=" + std::string(kState);

pa::result<pa::authorization_callback> parse(std::string_view in,
                                             std::optional<std::string_view> iss = {},
                                             pa::issuer_policy p = pa::issuer_policy::required) {
  return pa::parse_authorization_callback(in, kState, iss, p);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// authorization_url

TEST_CASE("authorization_url: golden URL with the required parameters") {
  CHECK(url_of(public_config()) ==
        "https://auth.example.com/authorize?response_type=code&client_id=app-123"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
        "&scope=openid%20profile%20offline_access&state=xyz-STATE-0123"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
  auto c = public_config();
  c.scope.clear();
  CHECK(url_of(c).find("scope") == std::string::npos);
}

TEST_CASE("authorization_url: options, resources, extra parameters, all percent-encoded") {
  pa::authorization_url_options o;
  o.resource = {"https://api.example.com/v3", "urn:x:y"};
  o.prompt = "consent";
  o.login_hint = "alice@example.com";
  o.nonce = "n-0S6_WzA2Mj";
  o.extra_params = {
      {"audience", "https://api"}, {"ui_locales", "fr en"}, {"weird", "a&b=c+d/\xC3\xA9#"}};
  CHECK(url_of(public_config(), o) ==
        "https://auth.example.com/authorize?response_type=code&client_id=app-123"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
        "&scope=openid%20profile%20offline_access&state=xyz-STATE-0123"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        "&resource=https%3A%2F%2Fapi.example.com%2Fv3&resource=urn%3Ax%3Ay&prompt=consent"
        "&login_hint=alice%40example.com&nonce=n-0S6_WzA2Mj&audience=https%3A%2F%2Fapi"
        "&ui_locales=fr%20en&weird=a%26b%3Dc%2Bd%2F%C3%A9%23");
}

TEST_CASE("authorization_url: plain PKCE says so") {
  auto p = pa::pkce_pair::from_verifier(pa::secret(t::verifier), pa::pkce_method::plain);
  REQUIRE(p.has_value());
  auto u = pa::authorization_url(public_config(), *p, kState);
  REQUIRE(u.has_value());
  CHECK(u->find("&code_challenge=" + std::string(t::verifier) + "&code_challenge_method=plain") !=
        std::string::npos);
}

TEST_CASE("authorization_url: an endpoint with a query is extended with '&'") {
  auto c = public_config();
  c.scope.clear();
  c.authorization_endpoint = "https://auth.example.com/authorize?tenant=acme";
  CHECK(url_of(c).rfind("https://auth.example.com/authorize?tenant=acme&response_type=code&", 0) ==
        0);
  c.authorization_endpoint = "https://auth.example.com/authorize?";
  CHECK(url_of(c).rfind("https://auth.example.com/authorize?response_type=code&", 0) == 0);
  c.authorization_endpoint = "https://auth.example.com/authorize?p=B2C_1_signin&";
  CHECK(url_of(c).rfind("https://auth.example.com/authorize?p=B2C_1_signin&response_type=", 0) ==
        0);

  c.authorization_endpoint = "https://auth.example.com/authorize?client_id=other";
  CHECK(url_error(c) == pa::errc::invalid_argument);
  c.authorization_endpoint = "https://auth.example.com/authorize?tenant=acme";
  pa::authorization_url_options o;
  o.extra_params = {{"tenant", "other"}};
  CHECK(url_error(c, o) == pa::errc::invalid_argument);
}

TEST_CASE("authorization_url: endpoint and redirect URI security") {
  auto c = public_config();
  c.authorization_endpoint = "http://auth.example.com/authorize";
  CHECK(url_error(c) == pa::errc::insecure_endpoint);
  c.allow_insecure_http = true;
  CHECK(pa::authorization_url(c, rfc_pkce(), kState).has_value());

  c = public_config();
  c.authorization_endpoint = "http://localhost:9000/authorize";  // loopback: allowed
  CHECK(pa::authorization_url(c, rfc_pkce(), kState).has_value());
  c.authorization_endpoint = "";
  CHECK(url_error(c) == pa::errc::invalid_argument);
  c.authorization_endpoint = "https://auth.example.com/authorize#frag";
  CHECK(url_error(c) == pa::errc::invalid_url);
  c.authorization_endpoint = "auth.example.com/authorize";
  CHECK(url_error(c) == pa::errc::invalid_url);

  c = public_config();
  c.redirect_uri = "http://app.example.com/callback";
  CHECK(url_error(c) == pa::errc::insecure_endpoint);
  c.redirect_uri = "https://app.example.com/callback#x";
  CHECK(url_error(c) == pa::errc::invalid_url);
  c.redirect_uri = "";
  CHECK(url_error(c) == pa::errc::invalid_argument);
  c.redirect_uri = "not a uri";
  CHECK(url_error(c) == pa::errc::invalid_url);
  // Schemes that run or embed content are never a redirect target (any case).
  for (const char* uri :
       {"javascript:alert(1)", "JavaScript://x/%0Aalert(1)", "data:text/html,x", "vbscript:msgbox",
        "file:///etc/passwd", "blob:https://a.test/1", "about:blank"}) {
    c.redirect_uri = uri;
    CHECK_MESSAGE(url_error(c) == pa::errc::invalid_url, uri);
  }
  c.redirect_uri = "https://user@app.example.com/cb";
  CHECK(url_error(c) == pa::errc::invalid_url);
  c.redirect_uri = "com.example.app:/oauth2redirect";  // RFC 8252 private-use scheme
  CHECK(url_of(c).find("&redirect_uri=com.example.app%3A%2Foauth2redirect&") != std::string::npos);
  c.redirect_uri = "http://[::1]:4000/cb";
  CHECK(pa::authorization_url(c, rfc_pkce(), kState).has_value());
}

TEST_CASE("authorization_url: bad parameters are refused") {
  auto c = public_config();
  CHECK(url_error(c, {}, "") == pa::errc::invalid_argument);
  CHECK(url_error(c, {}, "a\nb") == pa::errc::invalid_argument);
  c.client_id.clear();
  CHECK(url_error(c) == pa::errc::invalid_argument);
  c = public_config();
  c.scope = "openid\r\nX-Injected: 1";
  CHECK(url_error(c) == pa::errc::invalid_argument);

  pa::authorization_url_options o;
  o.resource = {""};
  CHECK(url_error(public_config(), o) == pa::errc::invalid_argument);
  o = {};
  o.login_hint = std::string("a\0b", 3);
  CHECK(url_error(public_config(), o) == pa::errc::invalid_argument);
  for (const char* reserved : {"state", "code_challenge", "redirect_uri", "response_type",
                               "client_id", "scope", "nonce", "resource"}) {
    o = {};
    o.extra_params = {{reserved, "x"}};
    CHECK(url_error(public_config(), o) == pa::errc::invalid_argument);
  }
  o = {};
  o.extra_params = {{"a", "1"}, {"a", "2"}};
  CHECK(url_error(public_config(), o) == pa::errc::invalid_argument);
  o.extra_params = {{"", "1"}};
  CHECK(url_error(public_config(), o) == pa::errc::invalid_argument);
  o.extra_params = {{"a", "1\x7F"}};
  CHECK(url_error(public_config(), o) == pa::errc::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// parse_authorization_callback

TEST_CASE("callback: accepted spellings of the redirect") {
  const std::string q = kCodeParam + "&" + kStateParam;
  for (const std::string& in :
       {"http://127.0.0.1:8765/callback?" + q, "/callback?" + q, "?" + q, q,
        "com.example.app:/oauth2redirect?" + q, "https://app.example.com/cb?" + q + "#_=_",
        kStateParam + "&" + kCodeParam}) {
    CAPTURE(in);
    auto r = parse(in);
    REQUIRE(r.has_value());
    CHECK(r->code.reveal() == t::code);
    CHECK(r->state == kState);
    CHECK(r->iss.empty());
    CHECK(r->extra.empty());
  }
}

TEST_CASE("callback: values are form-decoded and other parameters kept") {
  auto r = parse("?code=a%2Fb+c&" + kStateParam + "&session_state=s%20s&scope=openid+email");
  REQUIRE(r.has_value());
  CHECK(r->code.reveal() == "a/b c");
  REQUIRE(r->extra.size() == 2);
  CHECK(r->extra[0] == std::pair<std::string, std::string>("session_state", "s s"));
  CHECK(r->extra[1] == std::pair<std::string, std::string>("scope", "openid email"));
}

TEST_CASE("callback: state missing or different is errc::state_mismatch") {
  CHECK(error_of(parse("?" + kCodeParam)) == pa::errc::state_mismatch);
  CHECK(error_of(parse("?" + kCodeParam + "&state=")) == pa::errc::state_mismatch);
  CHECK(error_of(parse("?" + kCodeParam + "&state=xyz-STATE-0124")) == pa::errc::state_mismatch);
  CHECK(error_of(parse("?" + kCodeParam + "&state=xyz-STATE-012")) == pa::errc::state_mismatch);
  CHECK(error_of(parse("?" + kCodeParam + "&state=xyz-STATE-01234")) == pa::errc::state_mismatch);
  CHECK(error_of(parse("?" + kCodeParam + "&STATE=xyz-STATE-0123")) == pa::errc::state_mismatch);
  CHECK(error_of(pa::parse_authorization_callback("?" + kCodeParam + "&state=", "")) ==
        pa::errc::invalid_argument);
}

TEST_CASE("callback: the state is checked before an error is believed") {
  // A forged error redirect (no state, or a wrong one) must not read as the server's verdict.
  auto r = parse("?error=access_denied&error_description=Call+0800+for+help");
  CHECK(error_of(r) == pa::errc::state_mismatch);
  CHECK(r.error().oauth_error == "access_denied");
  CHECK(r.error().description.empty());
  CHECK(r.error().message.find("0800") == std::string::npos);
  r = parse("?error=server_error&state=other");
  CHECK(error_of(r) == pa::errc::state_mismatch);
  CHECK(r.error().oauth_error == "server_error");
}

TEST_CASE("callback: RFC 6749 §4.1.2.1 error codes map to their errc with the description") {
  const std::pair<const char*, pa::errc> cases[] = {
      {"invalid_request", pa::errc::invalid_request},
      {"unauthorized_client", pa::errc::unauthorized_client},
      {"access_denied", pa::errc::access_denied},
      {"unsupported_response_type", pa::errc::unsupported_response_type},
      {"invalid_scope", pa::errc::invalid_scope},
      {"server_error", pa::errc::server_error},
      {"temporarily_unavailable", pa::errc::temporarily_unavailable},
      {"login_required", pa::errc::oauth_error},  // OIDC: kept as text
  };
  for (const auto& entry : cases) {
    const std::string code = entry.first;
    const pa::errc expected = entry.second;
    CAPTURE(code);
    auto r = parse("https://app.example.com/cb?error=" + std::string(code) +
                   "&error_description=The+user+said+no&error_uri=https%3A%2F%2Fdocs%2Fe&" +
                   kStateParam);
    CHECK(error_of(r) == expected);
    CHECK(r.error().oauth_error == code);
    CHECK(r.error().description == "The user said no");
    CHECK(r.error().uri == "https://docs/e");
    CHECK(r.error().http_status == 0);
    CHECK(r.error().message.find(code) != std::string::npos);
  }
  // An error wins over a code sent alongside it.
  CHECK(error_of(parse("?error=access_denied&" + kCodeParam + "&" + kStateParam)) ==
        pa::errc::access_denied);
}

TEST_CASE("callback: server text is sanitised") {
  auto r = parse("?error=access_denied&" + kStateParam +
                 "&error_description=bad%0D%0Aline%E2%80%AEx%1B%5B31m&error_uri=a%20b%0Ac");
  CHECK(error_of(r) == pa::errc::access_denied);
  CHECK(r.error().description == "bad linex[31m");
  CHECK(r.error().uri == "abc");
  r = parse("?error=bad%0Acode%22&" + kStateParam);
  CHECK(error_of(r) == pa::errc::oauth_error);
  CHECK(r.error().oauth_error == "badcode\"");
}

TEST_CASE("callback: a missing, empty or malformed code is errc::invalid_callback") {
  CHECK(error_of(parse("?" + kStateParam)) == pa::errc::invalid_callback);
  CHECK(error_of(parse("?code=&" + kStateParam)) == pa::errc::invalid_callback);
  CHECK(error_of(parse("?code=ab%00cd&" + kStateParam)) == pa::errc::invalid_callback);
  CHECK(error_of(parse("?code=ab%C3%A9&" + kStateParam)) == pa::errc::invalid_callback);
  CHECK(error_of(parse("https://app.example.com/cb")) == pa::errc::invalid_callback);
  CHECK(error_of(parse("https://app.example.com/cb#" + kCodeParam + "&" + kStateParam)) ==
        pa::errc::invalid_callback);
  CHECK(error_of(parse("")) == pa::errc::invalid_callback);
  CHECK(error_of(parse("?" + kCodeParam + "%G1&" + kStateParam)) == pa::errc::invalid_callback);
}

TEST_CASE("callback: any duplicated parameter is errc::invalid_callback") {
  const std::string base = "?" + kCodeParam + "&" + kStateParam;
  for (const std::string& dup :
       {base + "&code=other", base + "&" + kStateParam, base + "&iss=a&iss=a", base + "&x=1&x=2",
        "?state=evil&" + base.substr(1)}) {
    CAPTURE(dup);
    CHECK(error_of(parse(dup)) == pa::errc::invalid_callback);
  }
}

TEST_CASE("callback: RFC 9207 iss checks") {
  const std::string ok = "?" + kCodeParam + "&" + kStateParam;
  const std::string iss_ok = ok + "&iss=https%3A%2F%2Fauth.example.com";
  auto r = parse(iss_ok, kIssuer);
  REQUIRE(r.has_value());
  CHECK(r->iss == kIssuer);
  CHECK(parse(iss_ok).has_value());  // no expectation: returned unchecked
  CHECK(parse(iss_ok)->iss == kIssuer);

  CHECK(error_of(parse(ok + "&iss=https%3A%2F%2Fevil.example.com", kIssuer)) ==
        pa::errc::issuer_mismatch);
  CHECK(error_of(parse(ok + "&iss=https%3A%2F%2Fauth.example.com%2F", kIssuer)) ==
        pa::errc::issuer_mismatch);  // exact comparison: a trailing slash differs
  CHECK(error_of(parse(ok, kIssuer)) == pa::errc::issuer_mismatch);
  CHECK(parse(ok, kIssuer, pa::issuer_policy::if_present).has_value());
  CHECK(error_of(parse(ok + "&iss=x", kIssuer, pa::issuer_policy::if_present)) ==
        pa::errc::issuer_mismatch);
  // Error responses are checked too, before their error is surfaced.
  CHECK(error_of(parse("?error=access_denied&" + kStateParam + "&iss=https%3A%2F%2Fevil",
                       kIssuer)) == pa::errc::issuer_mismatch);
}

TEST_CASE("callback: oversized input is refused before parsing") {
  std::string big = "?" + kCodeParam + "&" + kStateParam + "&pad=";
  big.append(70 * 1024, 'a');
  CHECK(error_of(parse(big)) == pa::errc::limit_exceeded);
}

// ---------------------------------------------------------------------------------------------
// authorization_code_request

TEST_CASE("code exchange: public client, golden bytes") {
  auto req = pa::authorization_code_request(public_config(), pa::secret(t::code), rfc_pkce());
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.example.com/token");
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"},
                                        {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(req->body ==
        "grant_type=authorization_code&code=C0DE-auth-code-7Hk2"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
        "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&client_id=app-123");
}

TEST_CASE("code exchange: confidential client with Basic (default) or client_secret_post") {
  auto c = public_config();
  c.client_secret = pa::secret(t::client_secret);
  auto req = pa::authorization_code_request(c, pa::secret(t::code), rfc_pkce());
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Authorization") == "Basic YXBwLTEyMzpDTDFFTlQtczNjcmV0LVhxOQ==");
  CHECK(req->body ==
        "grant_type=authorization_code&code=C0DE-auth-code-7Hk2"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"
        "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  c.auth = pa::client_auth::client_secret_post;
  req = pa::authorization_code_request(c, pa::secret(t::code), rfc_pkce());
  REQUIRE(req.has_value());
  CHECK_FALSE(req->headers.contains("Authorization"));
  CHECK(req->body.ends_with("&client_id=app-123&client_secret=CL1ENT-s3cret-Xq9"));
  CHECK(pa::effective_client_auth(c) == pa::client_auth::client_secret_post);
  CHECK(pa::effective_client_auth(public_config()) == pa::client_auth::none);
  CHECK(pa::is_public_client(public_config()));
}

TEST_CASE("code exchange: JSON body") {
  auto c = public_config();
  c.format = pa::body_format::json;
  auto req = pa::authorization_code_request(c, pa::secret(t::code), rfc_pkce());
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Content-Type") == "application/json");
  CHECK(req->body ==
        "{\"grant_type\":\"authorization_code\",\"code\":\"C0DE-auth-code-7Hk2\","
        "\"redirect_uri\":\"http://127.0.0.1:8765/callback\","
        "\"code_verifier\":\"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\","
        "\"client_id\":\"app-123\"}");
}

TEST_CASE("code exchange: errors") {
  const auto pkce = rfc_pkce();
  auto c = public_config();
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(), pkce)) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(std::string(t::code) + "\r\n"),
                                                pkce)) == pa::errc::invalid_argument);
  c.token_endpoint = "http://auth.example.com/token";
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(t::code), pkce)) ==
        pa::errc::insecure_endpoint);
  c.token_endpoint.clear();
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(t::code), pkce)) ==
        pa::errc::invalid_argument);
  c = public_config();
  c.redirect_uri = "https://app.example.com/cb#f";
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(t::code), pkce)) ==
        pa::errc::invalid_url);
  c = public_config();
  c.client_id.clear();
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(t::code), pkce)) ==
        pa::errc::invalid_argument);
  c = public_config();
  c.client_secret = pa::secret(std::string(t::client_secret) + "\n");
  CHECK(error_of(pa::authorization_code_request(c, pa::secret(t::code), pkce)) ==
        pa::errc::invalid_argument);
}
