// SPDX-License-Identifier: MIT
// Tests for grants/registration.hpp: RFC 7591 request bytes, answers, errors, the driver.
#include <profile/auth/grants/registration.hpp>
#include <profile/auth/testing/fake_transport.hpp>

#include <doctest/doctest.h>

#include <chrono>       // system_clock for secret expiry
#include <string>       // bodies
#include <string_view>  // secrets
#include <vector>       // redirect URIs

namespace pa = profile::auth;

namespace {

// Every credential these tests put into a request or an answer.
constexpr std::string_view initial_token = "INIT-acc3ss-Tk91";
constexpr std::string_view issued_secret = "ISSUED-s3cret-Hq27";
constexpr std::string_view reg_token = "REG-acc3ss-Pw58";
constexpr std::string_view all_secrets[] = {initial_token, issued_secret, reg_token};

/// Checks that `e` has a message and names no secret in any text field.
void scan(const pa::error& e) {
  CHECK_FALSE(e.message.empty());
  for (const std::string_view s : all_secrets) {
    CHECK_MESSAGE(e.message.find(s) == std::string::npos, "secret in message: " << e.message);
    CHECK(e.description.find(s) == std::string::npos);
    CHECK(e.uri.find(s) == std::string::npos);
    CHECK(e.oauth_error.find(s) == std::string::npos);
  }
}

template <class T>
pa::errc error_of(const pa::result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  scan(r.error());
  return r.error().code;
}

pa::http_response answer(int status, std::string body,
                         std::string type = "application/json; charset=utf-8") {
  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

const std::string confidential_answer =
    R"({"client_id":"m2m-7","client_secret":")" + std::string(issued_secret) +
    R"(","client_id_issued_at":1700000000,"client_secret_expires_at":0,)"
    R"("registration_access_token":")" +
    std::string(reg_token) +
    R"(","registration_client_uri":"https://auth.example.com/reg/m2m-7",)"
    R"("grant_types":["client_credentials"],"response_types":[],"redirect_uris":[],)"
    R"("token_endpoint_auth_method":"client_secret_basic","client_name":"Nightly export",)"
    R"("scope":"reports:read","id_token_signed_response_alg":"RS256","logo_uri":null})";

const std::string native_answer =
    R"({"client_id":"app-42","client_id_issued_at":1700000000,)"
    R"("redirect_uris":["http://127.0.0.1:8765/callback","com.example.app:/oauth"],)"
    R"("grant_types":["authorization_code","refresh_token"],"response_types":["code"],)"
    R"("token_endpoint_auth_method":"none","application_type":"native","client_name":"Demo"})";

}  // namespace

TEST_CASE("registration request: native public client, golden bytes") {
  const auto m = pa::native_client_metadata(
      "Demo", {"http://127.0.0.1:8765/callback", "com.example.app:/oauth"});
  auto req = pa::registration_request("https://auth.example.com/reg", m);
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.example.com/reg");
  CHECK(req->headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(req->body ==
        R"({"redirect_uris":["http://127.0.0.1:8765/callback","com.example.app:/oauth"],)"
        R"("token_endpoint_auth_method":"none",)"
        R"("grant_types":["authorization_code","refresh_token"],"response_types":["code"],)"
        R"("client_name":"Demo","application_type":"native"})");
}

TEST_CASE("registration request: confidential client sends empty redirect lists explicitly") {
  auto m = pa::confidential_client_metadata("Nightly export");
  m.scope = "reports:read";
  m.contacts = {"ops@example.com"};
  m.software_id = "4NRB1-0XZABZI9E6-5SM3R";
  m.software_version = "2.1";
  m.client_uri = "https://example.com/export";
  m.extra = {{"logo_uri", R"("https://example.com/logo.png")"}, {"jwks", R"({"keys":[]})"}};
  const pa::secret iat(initial_token);
  auto req = pa::registration_request("https://auth.example.com/reg", m, &iat);
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Authorization") == "Bearer " + std::string(initial_token));
  CHECK(req->body == R"({"redirect_uris":[],"token_endpoint_auth_method":"client_secret_basic",)"
                     R"("grant_types":["client_credentials"],"response_types":[],)"
                     R"("client_name":"Nightly export","client_uri":"https://example.com/export",)"
                     R"("scope":"reports:read","contacts":["ops@example.com"],)"
                     R"("software_id":"4NRB1-0XZABZI9E6-5SM3R","software_version":"2.1",)"
                     R"("logo_uri":"https://example.com/logo.png","jwks":{"keys":[]}})");

  // The body parses back to the same metadata.
  auto back =
      pa::parse_registration_response(answer(201, R"({"client_id":"x",)" + req->body.substr(1)));
  REQUIRE(back.has_value());
  CHECK(back->metadata == m);
}

TEST_CASE("registration request: an empty metadata object leaves every default to the server") {
  auto req = pa::registration_request("https://auth.example.com/reg", pa::client_metadata{});
  REQUIRE(req.has_value());
  CHECK(req->body == "{}");
  CHECK_FALSE(req->headers.contains("Authorization"));

  pa::client_metadata m;
  m.grant_types = {"authorization_code"};  // redirect-based: empty lists stay out
  req = pa::registration_request("https://auth.example.com/reg", m);
  REQUIRE(req.has_value());
  CHECK(req->body == R"({"grant_types":["authorization_code"]})");
}

TEST_CASE("registration request: strings are escaped, never broken JSON") {
  pa::client_metadata m;
  m.client_name = "Q\"uote\\ and \xC3\xA9t\xC3\xA9";
  auto req = pa::registration_request("https://auth.example.com/reg", m);
  REQUIRE(req.has_value());
  CHECK(req->body == "{\"client_name\":\"Q\\\"uote\\\\ and \xC3\xA9t\xC3\xA9\"}");
}

TEST_CASE(
    "registration request: endpoint, redirect URIs and the initial access token are checked") {
  const auto m = pa::native_client_metadata("Demo", {"http://127.0.0.1:8765/cb"});
  CHECK(error_of(pa::registration_request("", m)) == pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request("http://auth.example.com/reg", m)) ==
        pa::errc::insecure_endpoint);
  CHECK(error_of(pa::registration_request("not a url", m)) == pa::errc::invalid_url);
  CHECK(pa::registration_request("http://localhost:9000/reg", m).has_value());
  pa::registration_options insecure;
  insecure.allow_insecure_http = true;
  CHECK(pa::registration_request("http://auth.test/reg", m, nullptr, insecure).has_value());

  const std::string ep = "https://auth.example.com/reg";
  auto bad = m;
  bad.redirect_uris = {"http://app.example.com/cb"};
  CHECK(error_of(pa::registration_request(ep, bad)) == pa::errc::insecure_endpoint);
  CHECK(pa::registration_request(ep, bad, nullptr, insecure).has_value());
  bad.redirect_uris = {"https://app.example.com/cb#frag"};
  CHECK(error_of(pa::registration_request(ep, bad)) == pa::errc::invalid_url);
  bad.redirect_uris = {"/relative/cb"};
  CHECK(error_of(pa::registration_request(ep, bad)) == pa::errc::invalid_url);
  bad.redirect_uris = {"https://user@app.example.com/cb"};
  CHECK(error_of(pa::registration_request(ep, bad)) == pa::errc::invalid_url);
  for (const char* uri : {"javascript:alert(1)", "DATA:text/html,x", "file:///tmp/cb"}) {
    bad.redirect_uris = {"com.example.app:/oauth", uri};
    const auto r = pa::registration_request(ep, bad);
    CHECK_MESSAGE(error_of(r) == pa::errc::invalid_url, uri);
    CHECK(r.error().message.find("redirect_uris[1]") != std::string::npos);
  }
  bad.redirect_uris = {"https://app.example.com/cb", ""};
  CHECK(error_of(pa::registration_request(ep, bad)) == pa::errc::invalid_url);

  const pa::secret empty;
  CHECK(error_of(pa::registration_request(ep, m, &empty)) == pa::errc::invalid_header_value);
  const pa::secret spaced("INIT acc3ss-Tk91");
  CHECK(error_of(pa::registration_request(ep, m, &spaced)) == pa::errc::invalid_header_value);
  const pa::secret newline(std::string(initial_token) + "\r\n");
  auto r = pa::registration_request(ep, m, &newline);
  CHECK(error_of(r) == pa::errc::invalid_header_value);
  CHECK(r.error().message.find("initial access token") != std::string::npos);
  CHECK(r.error().message.find("offset 16") != std::string::npos);
  // The message is about the credential the caller passed, not about a token endpoint's answer.
  CHECK(r.error().message.find("token endpoint") == std::string::npos);
  CHECK(pa::registration_request(ep, m, &empty)
            .error()
            .message.find("initial access token is "
                          "empty") != std::string::npos);
}

TEST_CASE("registration request: metadata values are validated") {
  const std::string ep = "https://auth.example.com/reg";
  auto with = [](auto change) {
    pa::client_metadata m;
    change(m);
    return m;
  };
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.client_name = "line\nbreak";
                                          }))) == pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) { m.scope = "bad\xFF utf8"; }))) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) { m.grant_types = {""}; }))) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.contacts = {"a@example.com", "b\x01"};
                                          }))) == pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.client_uri = "javascript:alert(1)";
                                          }))) == pa::errc::invalid_url);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.extra = {{"", "1"}};
                                          }))) == pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.extra = {{"scope", R"("a")"}};
                                          }))) == pa::errc::invalid_argument);
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.extra = {{"logo_uri", "https://x"}};
                                          }))) ==
        pa::errc::invalid_argument);  // not quoted: not JSON
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.extra = {{"jwks", R"({"keys":[]} {})"}};
                                          }))) == pa::errc::invalid_argument);  // two values
  CHECK(error_of(pa::registration_request(ep, with([](auto& m) {
                                            m.extra = {{"a", "1"}, {"a", "2"}};
                                          }))) == pa::errc::invalid_argument);
  auto r = pa::registration_request(ep, with([](auto& m) { m.extra = {{"tos_uri", "[1,"}}; }));
  CHECK(error_of(r) == pa::errc::invalid_argument);
  CHECK(r.error().message.find("tos_uri") != std::string::npos);
}

TEST_CASE("registration answer: a confidential client") {
  auto c = pa::parse_registration_response(answer(201, confidential_answer));
  REQUIRE(c.has_value());
  CHECK(c->client_id == "m2m-7");
  REQUIRE(c->client_secret.has_value());
  CHECK(c->client_secret->reveal() == issued_secret);
  CHECK(c->client_id_issued_at == 1700000000);
  CHECK(c->client_secret_expires_at == 0);
  REQUIRE(c->registration_access_token.has_value());
  CHECK(c->registration_access_token->reveal() == reg_token);
  CHECK(c->registration_client_uri == "https://auth.example.com/reg/m2m-7");
  CHECK(c->metadata.grant_types == std::vector<std::string>{"client_credentials"});
  CHECK(c->metadata.response_types.empty());
  CHECK(c->metadata.token_endpoint_auth_method == "client_secret_basic");
  CHECK(c->metadata.client_name == "Nightly export");
  CHECK(c->metadata.scope == "reports:read");
  REQUIRE(c->metadata.extra.size() == 2);  // unknown members kept in order, null ones too
  CHECK(c->metadata.extra_member("id_token_signed_response_alg") == R"("RS256")");
  CHECK(c->metadata.extra_member("logo_uri") == "null");
  CHECK_FALSE(c->metadata.extra_member("client_secret").has_value());

  // client_secret_expires_at: 0 is never; a date expires.
  const auto at = [](std::int64_t s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
  };
  CHECK_FALSE(pa::client_secret_expired(*c, at(4000000000)));
  c->client_secret_expires_at = 1800000000;
  CHECK_FALSE(pa::client_secret_expired(*c, at(1799999999)));
  CHECK(pa::client_secret_expired(*c, at(1800000000)));
  c->client_secret_expires_at.reset();
  CHECK_FALSE(pa::client_secret_expired(*c, at(4000000000)));
}

TEST_CASE("registration answer: a public native client, 200 accepted too") {
  for (int status : {201, 200}) {
    auto c = pa::parse_registration_response(answer(status, native_answer));
    REQUIRE(c.has_value());
    CHECK(c->client_id == "app-42");
    CHECK_FALSE(c->client_secret.has_value());
    CHECK_FALSE(c->client_secret_expires_at.has_value());
    CHECK_FALSE(c->registration_access_token.has_value());
    CHECK(c->registration_client_uri.empty());
    CHECK(c->metadata == pa::native_client_metadata(
                             "Demo", {"http://127.0.0.1:8765/callback", "com.example.app:/oauth"}));
  }
  // An empty or null client_secret means none.
  auto c = pa::parse_registration_response(
      answer(201, R"({"client_id":"a","client_secret":"","registration_access_token":null})"));
  REQUIRE(c.has_value());
  CHECK_FALSE(c->client_secret.has_value());
  CHECK_FALSE(c->registration_access_token.has_value());
}

TEST_CASE("registration answer: RFC 7591 §3.2.2 errors map to misconfiguration") {
  struct row {
    std::string_view code;
    pa::errc expected;
  };
  for (const row r : {row{"invalid_redirect_uri", pa::errc::invalid_redirect_uri},
                      row{"invalid_client_metadata", pa::errc::invalid_client_metadata},
                      row{"invalid_software_statement", pa::errc::invalid_client_metadata},
                      row{"unapproved_software_statement", pa::errc::invalid_client_metadata}}) {
    CAPTURE(r.code);
    auto c = pa::parse_registration_response(
        answer(400, R"({"error":")" + std::string(r.code) +
                        R"(","error_description":"redirect_uris must contain members"})"));
    CHECK(error_of(c) == r.expected);
    CHECK(c.error().oauth_error == r.code);
    CHECK(c.error().http_status == 400);
    CHECK(c.error().description == "redirect_uris must contain members");
    CHECK(pa::classify(c.error()) == pa::error_class::misconfiguration);
    CHECK(c.error().message.find(r.code) != std::string::npos);
    CHECK(c.error().message.find("does not know") == std::string::npos);
    CHECK(c.error().message.find("redirect_uris must contain members") != std::string::npos);
  }
  // Other OAuth errors and non-OAuth answers keep the general mapping.
  CHECK(error_of(pa::parse_registration_response(
            answer(400, R"({"error":"invalid_request","error_description":"only JSON"})"))) ==
        pa::errc::invalid_request);
  auto c = pa::parse_registration_response(answer(401, "", ""));
  CHECK(error_of(c) == pa::errc::http_error);
  CHECK(c.error().http_status == 401);
  CHECK(error_of(pa::parse_registration_response(answer(503, "<html>down</html>", "text/html"))) ==
        pa::errc::http_error);
  // A 2xx carrying an error.
  CHECK(error_of(pa::parse_registration_response(answer(
            201, R"({"error":"invalid_client_metadata"})"))) == pa::errc::invalid_client_metadata);
}

TEST_CASE("registration answer: malformed answers never leak the issued secrets") {
  const std::string s(issued_secret), t(reg_token);
  const std::string bodies[] = {
      "",
      "[]",
      "not json",
      R"({"client_secret":")" + s + R"("})",                 // no client_id
      R"({"client_id":"","client_secret":")" + s + R"("})",  // empty client_id
      R"({"client_id":42})",                                 // wrong type
      R"({"client_id":"a\u0000b"})",                         // control byte
      R"({"client_id":"a","client_secret":42})",
      R"({"client_id":"a","client_secret":"x\ny)" + s + R"("})",
      R"({"client_id":"a","client_secret":")" + s + R"(","client_secret_expires_at":"0"})",
      R"({"client_id":"a","client_secret":")" + s + R"(","client_secret_expires_at":-1})",
      R"({"client_id":"a","client_id_issued_at":1.5})",
      R"({"client_id":"a","registration_access_token":"sp ace)" + t + R"("})",
      R"({"client_id":"a","registration_access_token":[")" + t + R"("]})",
      R"({"client_id":"a","registration_client_uri":"/relative"})",
      R"({"client_id":"a","registration_client_uri":17})",
      R"({"client_id":"a","redirect_uris":"https://one.example/cb"})",
      R"({"client_id":"a","grant_types":["client_credentials",7]})",
      R"({"client_id":"a","client_name":{"en":"x"}})",
      R"({"client_id":"a","client_id":"b"})",                // duplicate member
      R"({"client_id":"a","client_secret":")" + s + R"(")",  // truncated
  };
  for (const auto& body : bodies) {
    CAPTURE(body);
    const auto code = error_of(pa::parse_registration_response(answer(201, body)));
    CHECK((code == pa::errc::malformed_response || code == pa::errc::invalid_json));
  }
  CHECK(error_of(pa::parse_registration_response(answer(204, ""))) == pa::errc::malformed_response);
  CHECK(error_of(pa::parse_registration_response(answer(202, native_answer))) ==
        pa::errc::malformed_response);
  auto c = pa::parse_registration_response(
      answer(201, R"({"client_id":"a","registration_client_uri":"http://auth.example.com/r"})"));
  CHECK(error_of(c) == pa::errc::insecure_endpoint);
  pa::registration_options insecure;
  insecure.allow_insecure_http = true;
  CHECK(pa::parse_registration_response(
            answer(201, R"({"client_id":"a","registration_client_uri":"http://auth.test/r"})"),
            insecure)
            .has_value());
}

TEST_CASE("registration answer: huge and deep inputs are bounded") {
  std::string huge = R"({"client_id":"a","client_name":")" + std::string(2u << 20, 'x') + "\"}";
  CHECK(error_of(pa::parse_registration_response(answer(201, huge))) == pa::errc::limit_exceeded);
  std::string deep =
      R"({"client_id":"a","jwks":)" + std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(error_of(pa::parse_registration_response(answer(201, deep))) == pa::errc::limit_exceeded);
  pa::registration_options small;
  small.limits.max_size = 64;
  CHECK(error_of(pa::parse_registration_response(answer(201, confidential_answer), small)) ==
        pa::errc::limit_exceeded);
  std::string many = R"({"client_id":"a","redirect_uris":[)";
  for (int i = 0; i < 70000; ++i) many += i == 0 ? "\"x\"" : ",\"x\"";
  many += "]}";
  CHECK(error_of(pa::parse_registration_response(answer(201, many))) == pa::errc::limit_exceeded);
}

TEST_CASE("registered client to configurations") {
  auto conf = pa::parse_registration_response(answer(201, confidential_answer));
  REQUIRE(conf.has_value());
  auto cc = pa::client_credentials_config_for(*conf, "https://auth.example.com/token");
  REQUIRE(cc.has_value());
  CHECK(cc->token_endpoint == "https://auth.example.com/token");
  CHECK(cc->client_id == "m2m-7");
  CHECK(cc->client_secret.reveal() == issued_secret);
  CHECK(cc->auth == pa::client_auth::client_secret_basic);
  CHECK(cc->scope == "reports:read");
  CHECK(pa::client_credentials_request(*cc).has_value());

  conf->metadata.token_endpoint_auth_method = "client_secret_post";
  cc = pa::client_credentials_config_for(*conf, "https://auth.example.com/token");
  REQUIRE(cc.has_value());
  CHECK(cc->auth == pa::client_auth::client_secret_post);
  conf->metadata.token_endpoint_auth_method = "private_key_jwt";
  CHECK(error_of(pa::client_credentials_config_for(*conf, "https://a.example/t")) ==
        pa::errc::invalid_argument);
  conf->metadata.token_endpoint_auth_method = "";  // RFC 7591 default: client_secret_basic
  cc = pa::client_credentials_config_for(*conf, "https://auth.example.com/token");
  REQUIRE(cc.has_value());
  CHECK(cc->auth == pa::client_auth::client_secret_basic);
  conf->metadata.grant_types = {"authorization_code"};
  CHECK(error_of(pa::client_credentials_config_for(*conf, "https://a.example/t")) ==
        pa::errc::invalid_argument);

  auto native = pa::parse_registration_response(answer(201, native_answer));
  REQUIRE(native.has_value());
  CHECK(error_of(pa::client_credentials_config_for(*native, "https://a.example/t")) ==
        pa::errc::invalid_argument);
  pa::user_auth_config base;
  base.authorization_endpoint = "https://auth.example.com/authorize";
  base.token_endpoint = "https://auth.example.com/token";
  auto u = pa::user_auth_config_for(*native, base);
  REQUIRE(u.has_value());
  CHECK(u->client_id == "app-42");
  CHECK(u->client_secret.empty());
  CHECK(pa::is_public_client(*u));
  CHECK(u->redirect_uri == "http://127.0.0.1:8765/callback");
  CHECK(u->token_endpoint == base.token_endpoint);
  base.redirect_uri = "com.example.app:/oauth";
  u = pa::user_auth_config_for(*native, base);
  REQUIRE(u.has_value());
  CHECK(u->redirect_uri == "com.example.app:/oauth");
  base.redirect_uri = "com.example.app:/other";
  CHECK(error_of(pa::user_auth_config_for(*native, base)) == pa::errc::invalid_argument);

  // A confidential web client keeps its secret and method.
  conf = pa::parse_registration_response(answer(201, confidential_answer));
  REQUIRE(conf.has_value());
  conf->metadata.token_endpoint_auth_method = "client_secret_post";
  base.redirect_uri.clear();
  u = pa::user_auth_config_for(*conf, base);
  REQUIRE(u.has_value());
  CHECK(u->client_secret.reveal() == issued_secret);
  CHECK(u->auth == pa::client_auth::client_secret_post);
  CHECK(u->scope == "reports:read");
  conf->client_secret.reset();
  CHECK(error_of(pa::user_auth_config_for(*conf, base)) == pa::errc::invalid_argument);
}

TEST_CASE("register_client drives one request over a transport") {
  pa::testing::fake_transport t;
  t.respond(201, native_answer);
  const auto m = pa::native_client_metadata(
      "Demo", {"http://127.0.0.1:8765/callback", "com.example.app:/oauth"});
  auto c = pa::register_client(t, "https://auth.example.com/reg", m);
  REQUIRE(c.has_value());
  CHECK(c->client_id == "app-42");
  REQUIRE(t.calls() == 1);
  CHECK(t.request(0).body == pa::registration_request("https://auth.example.com/reg", m)->body);

  // A server quoting the initial access token in its error: the driver redacts it.
  const pa::secret iat(initial_token);
  t.respond(401, R"({"error":"invalid_token","error_description":"token )" +
                     std::string(initial_token) + R"( is unknown"})");
  c = pa::register_client(t, "https://auth.example.com/reg", m, &iat);
  CHECK(error_of(c) == pa::errc::invalid_token);
  CHECK(c.error().description.find("[redacted]") != std::string::npos);
  CHECK(t.request(1).headers.find("Authorization") == "Bearer " + std::string(initial_token));

  // Transport failures pass through; nothing is sent for an invalid request.
  t.fail_next(pa::error(pa::errc::transport_failed, "connection refused"));
  CHECK(error_of(pa::register_client(t, "https://auth.example.com/reg", m)) ==
        pa::errc::transport_failed);
  const auto before = t.calls();
  CHECK(error_of(pa::register_client(t, "http://auth.example.com/reg", m)) ==
        pa::errc::insecure_endpoint);
  CHECK(t.calls() == before);
}

TEST_CASE("register_client: an initial access token quoted long and cut by a cap is redacted") {
  const std::string long_iat = "IAT-" + std::string(600, 'z');
  const pa::secret iat(long_iat);
  pa::testing::fake_transport t;
  t.respond(401, R"({"error":"invalid_token","error_description":"token )" + long_iat +
                     R"( is unknown"})");
  const auto m = pa::native_client_metadata("Demo", {"http://127.0.0.1:8765/cb"});
  const auto c = pa::register_client(t, "https://auth.example.com/reg", m, &iat);
  CHECK(error_of(c) == pa::errc::invalid_token);
  CHECK(c.error().message.find("zzzz") == std::string::npos);
  CHECK(c.error().message.find("IAT-") == std::string::npos);
  CHECK(c.error().description.find("zzzz") == std::string::npos);
  CHECK(c.error().description == "token [redacted] is unknown");
}
