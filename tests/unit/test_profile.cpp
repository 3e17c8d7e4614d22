// SPDX-License-Identifier: MIT
// Tests for profile.hpp: the Profile API presets (v4 and legacy v3) as exact request bytes, and
// the account parser.
#include <profile/auth/profile.hpp>

#include <doctest/doctest.h>

#include <string>       // expected values
#include <string_view>  // secret marker
#include <utility>      // std::move

namespace pa = profile::auth;

namespace {
constexpr std::string_view kSecret = "S3CR3T-client-secret";
}  // namespace

TEST_CASE("m2m_config: POST /api/v4/auth on vanguard with the JSON body (v4 is the default)") {
  CHECK(pa::profile::default_base_url == "https://vanguard.profilebehavior.com");
  const auto cfg = pa::profile::m2m_config("profile-client", pa::secret(kSecret));
  CHECK(cfg.token_endpoint == "https://vanguard.profilebehavior.com/api/v4/auth");
  CHECK(cfg.format == pa::body_format::json);
  CHECK(cfg.auth == pa::client_auth::client_secret_post);
  CHECK_FALSE(cfg.allow_insecure_http);
  REQUIRE(cfg.api_origins.size() == 1);
  CHECK(cfg.api_origins[0] == "https://vanguard.profilebehavior.com");

  auto req = pa::client_credentials_request(cfg);
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://vanguard.profilebehavior.com/api/v4/auth");
  CHECK(req->headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(req->body == R"({"grant_type":"client_credentials","client_id":"profile-client",)"
                     R"("client_secret":"S3CR3T-client-secret"})");
}

TEST_CASE("m2m_config: base URL override, trailing slashes, path prefixes") {
  using pa::profile::m2m_config;
  CHECK(m2m_config("c", pa::secret("s"), "https://staging.example.com/").token_endpoint ==
        "https://staging.example.com/api/v4/auth");
  CHECK(m2m_config("c", pa::secret("s"), "https://staging.example.com//").token_endpoint ==
        "https://staging.example.com/api/v4/auth");
  CHECK(m2m_config("c", pa::secret("s"), "http://127.0.0.1:8080/mock").token_endpoint ==
        "http://127.0.0.1:8080/mock/api/v4/auth");
}

TEST_CASE("m2m_config: https required unless loopback or opted out") {
  auto cfg = pa::profile::m2m_config("c", pa::secret(kSecret), "http://staging.example.com");
  auto req = pa::client_credentials_request(cfg);
  REQUIRE_FALSE(req.has_value());
  CHECK(req.error().code == pa::errc::insecure_endpoint);
  CHECK(pa::classify(req.error()) == pa::error_class::misconfiguration);
  CHECK(req.error().message.find(kSecret) == std::string::npos);
  cfg.allow_insecure_http = true;
  CHECK(pa::client_credentials_request(cfg).has_value());

  CHECK(pa::client_credentials_request(
            pa::profile::m2m_config("c", pa::secret("s"), "http://localhost:8080"))
            .has_value());
  CHECK(pa::client_credentials_request(
            pa::profile::m2m_config("c", pa::secret("s"), "http://127.0.0.1"))
            .has_value());
}

TEST_CASE("m2m_config: bad credentials never reach a request") {
  auto req = pa::client_credentials_request(pa::profile::m2m_config("", pa::secret(kSecret)));
  REQUIRE_FALSE(req.has_value());
  CHECK(req.error().code == pa::errc::invalid_argument);
  req = pa::client_credentials_request(
      pa::profile::m2m_config("c", pa::secret(std::string(kSecret) + "\n")));
  REQUIRE_FALSE(req.has_value());
  CHECK(req.error().code == pa::errc::invalid_argument);
  CHECK(req.error().message.find(kSecret) == std::string::npos);
}

TEST_CASE("m2m_config: HTTP Basic is available by setting auth") {
  auto cfg = pa::profile::m2m_config("profile-client", pa::secret(kSecret));
  cfg.auth = pa::client_auth::client_secret_basic;
  auto req = pa::client_credentials_request(cfg);
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://vanguard.profilebehavior.com/api/v4/auth");
  CHECK(
      req->headers ==
      pa::header_list{{"Accept", "application/json"},
                      {"Content-Type", "application/json"},
                      {"Authorization", "Basic cHJvZmlsZS1jbGllbnQ6UzNDUjNULWNsaWVudC1zZWNyZXQ="}});
  CHECK(req->body == R"({"grant_type":"client_credentials"})");
}

TEST_CASE("m2m_config_v4 and test_request_v4: older names of the v4 presets") {
  const auto a = pa::profile::m2m_config_v4("c", pa::secret("s"));
  CHECK(a.token_endpoint == "https://vanguard.profilebehavior.com/api/v4/auth");
  CHECK(pa::profile::m2m_config_v4("c", pa::secret("s"), "https://v4.staging.example/")
            .token_endpoint == "https://v4.staging.example/api/v4/auth");
  CHECK(pa::profile::v4_base_url == pa::profile::default_base_url);
  CHECK(pa::profile::v4_m2m_token_path == "/api/v4/auth");
  CHECK(pa::profile::v4_test_path == "/api/v4/test");
  CHECK(pa::profile::m2m_token_path == "/api/v4/auth");
  CHECK(pa::profile::test_path == "/api/v4/test");
  CHECK(pa::profile::account_path == "/api/v4/account");
  CHECK(pa::profile::test_request_v4().url == pa::profile::test_request().url);
  CHECK(pa::profile::test_request_v4("{}", "https://x.example").url ==
        "https://x.example/api/v4/test");
}

TEST_CASE("test_request: POST /api/v4/test with {\"ping\":\"pong\"}") {
  const auto r = pa::profile::test_request();
  CHECK(r.method == "POST");
  CHECK(r.url == "https://vanguard.profilebehavior.com/api/v4/test");
  CHECK(r.headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(r.body == R"({"ping":"pong"})");
  CHECK_FALSE(r.headers.contains("Authorization"));

  const auto s = pa::profile::test_request(R"({"x":1})", "http://127.0.0.1:9000/");
  CHECK(s.url == "http://127.0.0.1:9000/api/v4/test");
  CHECK(s.body == R"({"x":1})");
}

TEST_CASE("account_request: GET /api/v4/account, Accept JSON, no token") {
  const auto r = pa::profile::account_request();
  CHECK(r.method == "GET");
  CHECK(r.url == "https://vanguard.profilebehavior.com/api/v4/account");
  CHECK(r.headers == pa::header_list{{"Accept", "application/json"}});
  CHECK(r.body.empty());
  CHECK(pa::profile::account_request("http://127.0.0.1:1//").url ==
        "http://127.0.0.1:1/api/v4/account");
}

TEST_CASE("legacy_v3: the previous generation's exact request bytes") {
  namespace v3 = pa::profile::legacy_v3;
  CHECK(v3::base_url == "https://api.profilebehavior.com");
  const auto cfg = v3::m2m_config("profile-client", pa::secret(kSecret));
  CHECK(cfg.token_endpoint == "https://api.profilebehavior.com/v3/auth");
  CHECK(cfg.format == pa::body_format::json);
  CHECK(cfg.auth == pa::client_auth::client_secret_post);
  REQUIRE(cfg.api_origins.size() == 1);
  CHECK(cfg.api_origins[0] == "https://api.profilebehavior.com");
  auto req = pa::client_credentials_request(cfg);
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://api.profilebehavior.com/v3/auth");
  CHECK(req->headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(req->body == R"({"grant_type":"client_credentials","client_id":"profile-client",)"
                     R"("client_secret":"S3CR3T-client-secret"})");
  CHECK(v3::m2m_config("c", pa::secret("s"), "http://127.0.0.1:8080/").token_endpoint ==
        "http://127.0.0.1:8080/v3/auth");

  const auto t = v3::test_request();
  CHECK(t.method == "POST");
  CHECK(t.url == "https://api.profilebehavior.com/v3/test");
  CHECK(t.headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(t.body == R"({"ping":"pong"})");
  CHECK(v3::test_request("{}", "http://127.0.0.1:9/").url == "http://127.0.0.1:9/v3/test");

  const auto m = v3::my_account_request();
  CHECK(m.method == "GET");
  CHECK(m.url == "https://api.profilebehavior.com/v3/my-account");
  CHECK(m.headers == pa::header_list{{"Accept", "application/json"}});
}

namespace {
pa::http_response json_answer(int status, std::string body) {
  pa::http_response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("parse_account: the {code,data,status} envelope") {
  auto a = pa::profile::parse_account(json_answer(
      200, R"({"code":200,"data":{"id":"u-1","name":"Ada","type":"person","role":"manager",)"
           R"("email":"ada@example.com","team":{"id":7}},"status":"success"})"));
  REQUIRE(a.has_value());
  CHECK(a->id == "u-1");
  CHECK(a->name == "Ada");
  CHECK(a->type == "person");
  CHECK(a->role == "manager");
  CHECK(a->email == "ada@example.com");
  CHECK(a->data == R"({"id":"u-1","name":"Ada","type":"person","role":"manager",)"
                   R"("email":"ada@example.com","team":{"id":7}})");

  // Members in another order, an integer id, no optional members.
  auto b = pa::profile::parse_account(
      json_answer(200, R"({"status":"success","data":{"id":42},"code":200})"));
  REQUIRE(b.has_value());
  CHECK(b->id == "42");
  CHECK(b->name.empty());
  CHECK(b->type.empty());
  CHECK(b->role.empty());
  CHECK(b->data == R"({"id":42})");
}

TEST_CASE("parse_account: a bare object (v3, servers that do not wrap)") {
  auto a = pa::profile::parse_account(
      json_answer(200, R"({"id":"u-2","name":"Bo","role":"user","status":"active"})"));
  REQUIRE(a.has_value());  // an object with "id" is the account, even with a "status" member
  CHECK(a->id == "u-2");
  CHECK(a->name == "Bo");
  CHECK(a->role == "user");
  CHECK(a->data == R"({"id":"u-2","name":"Bo","role":"user","status":"active"})");
  auto b = pa::profile::parse_my_account(json_answer(200, R"({"id":"u","role":null})"));
  REQUIRE(b.has_value());
  CHECK(b->role.empty());
}

TEST_CASE("parse_account: envelope and account errors are distinct") {
  const auto err = [](int status, std::string body) {
    auto r = pa::profile::parse_account(json_answer(status, std::move(body)));
    REQUIRE_FALSE(r.has_value());
    return r.error();
  };
  // status other than "success": the server reports a failure inside a 2xx.
  auto e = err(200, R"({"code":200,"data":{"id":"u"},"status":"error"})");
  CHECK(e.code == pa::errc::http_error);
  CHECK(e.http_status == 200);
  CHECK(e.message.find("status") != std::string::npos);
  CHECK(err(200, R"({"code":200,"data":{"id":"u"},"status":7})").code == pa::errc::http_error);
  CHECK(err(200, R"({"code":500,"status":"fail","message":"x"})").code == pa::errc::http_error);
  // code disagreeing with the HTTP status.
  e = err(200, R"({"code":201,"data":{"id":"u"},"status":"success"})");
  CHECK(e.code == pa::errc::malformed_response);
  CHECK(e.message.find("\"code\" disagrees") != std::string::npos);
  CHECK(err(201, R"({"code":200,"data":{"id":"u"},"status":"success"})").code ==
        pa::errc::malformed_response);
  CHECK(err(200, R"({"code":"200","data":{"id":"u"},"status":"success"})").code ==
        pa::errc::malformed_response);
  // missing or non-object data.
  e = err(200, R"({"code":200,"status":"success"})");
  CHECK(e.code == pa::errc::malformed_response);
  CHECK(e.message.find("no \"data\" object") != std::string::npos);
  for (const char* data : {"null", "[]", R"("u")", "1"}) {
    CAPTURE(data);
    e = err(200, std::string(R"({"code":200,"data":)") + data + R"(,"status":"success"})");
    CHECK(e.code == pa::errc::malformed_response);
    CHECK(e.message.find("no \"data\" object") != std::string::npos);
  }
  // the account inside.
  e = err(200, R"({"code":200,"data":{"name":"x"},"status":"success"})");
  CHECK(e.code == pa::errc::malformed_response);
  CHECK(e.message.find("\"id\"") != std::string::npos);
  e = err(200, R"({"code":200,"data":{"id":"u","type":3},"status":"success"})");
  CHECK(e.code == pa::errc::malformed_response);
  CHECK(e.message.find("\"type\"") != std::string::npos);
  CHECK(err(200, "[1]").code == pa::errc::malformed_response);
  CHECK(err(200, "{").code == pa::errc::invalid_json);
  // HTTP errors before any envelope reading.
  pa::http_response unauthorized = json_answer(401, R"({"error":"invalid_token"})");
  unauthorized.headers.add("WWW-Authenticate", R"(Bearer error="invalid_token")");
  auto u = pa::profile::parse_account(unauthorized);
  REQUIRE_FALSE(u.has_value());
  CHECK(u.error().code == pa::errc::invalid_token);
}

TEST_CASE("is_manager: manager (current material) and admin (older material)") {
  CHECK(pa::profile::is_manager("manager"));
  CHECK(pa::profile::is_manager("admin"));
  CHECK_FALSE(pa::profile::is_manager("user"));
  CHECK_FALSE(pa::profile::is_manager(""));
  CHECK_FALSE(pa::profile::is_manager("Manager"));
  CHECK_FALSE(pa::profile::is_manager("managers"));
  static_assert(pa::profile::is_manager("admin"));
}
