// SPDX-License-Identifier: MIT
// Tests for profile.hpp: the Profile API presets, as exact request bytes.
#include <profile/auth/profile.hpp>

#include <doctest/doctest.h>

#include <string>       // expected values
#include <string_view>  // secret marker

namespace pa = profile::auth;

namespace {
constexpr std::string_view kSecret = "S3CR3T-client-secret";
}  // namespace

TEST_CASE("m2m_config: POST /v3/auth with the JSON body") {
  const auto cfg = pa::profile::m2m_config("profile-client", pa::secret(kSecret));
  CHECK(cfg.token_endpoint == "https://api.profilebehavior.com/v3/auth");
  CHECK(cfg.format == pa::body_format::json);
  CHECK(cfg.auth == pa::client_auth::client_secret_post);
  CHECK_FALSE(cfg.allow_insecure_http);

  auto req = pa::client_credentials_request(cfg);
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://api.profilebehavior.com/v3/auth");
  CHECK(req->headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(req->body == R"({"grant_type":"client_credentials","client_id":"profile-client",)"
                     R"("client_secret":"S3CR3T-client-secret"})");
}

TEST_CASE("m2m_config: base URL override, trailing slashes, path prefixes") {
  using pa::profile::m2m_config;
  CHECK(m2m_config("c", pa::secret("s"), "https://staging.example.com/").token_endpoint ==
        "https://staging.example.com/v3/auth");
  CHECK(m2m_config("c", pa::secret("s"), "https://staging.example.com//").token_endpoint ==
        "https://staging.example.com/v3/auth");
  CHECK(m2m_config("c", pa::secret("s"), "http://127.0.0.1:8080/mock").token_endpoint ==
        "http://127.0.0.1:8080/mock/v3/auth");
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

TEST_CASE("m2m_config_v4: /api/v4/auth, same JSON body, optional Basic") {
  auto cfg = pa::profile::m2m_config_v4("profile-client", pa::secret(kSecret));
  CHECK(cfg.token_endpoint == "https://vanguard.profilebehavior.com/api/v4/auth");
  auto req = pa::client_credentials_request(cfg);
  REQUIRE(req.has_value());
  CHECK(req->body == R"({"grant_type":"client_credentials","client_id":"profile-client",)"
                     R"("client_secret":"S3CR3T-client-secret"})");

  cfg.auth = pa::client_auth::client_secret_basic;
  req = pa::client_credentials_request(cfg);
  REQUIRE(req.has_value());
  CHECK(
      req->headers ==
      pa::header_list{{"Accept", "application/json"},
                      {"Content-Type", "application/json"},
                      {"Authorization", "Basic cHJvZmlsZS1jbGllbnQ6UzNDUjNULWNsaWVudC1zZWNyZXQ="}});
  CHECK(req->body == R"({"grant_type":"client_credentials"})");

  CHECK(pa::profile::m2m_config_v4("c", pa::secret("s"), "https://v4.staging.example/")
            .token_endpoint == "https://v4.staging.example/api/v4/auth");
}

TEST_CASE("test_request: POST /v3/test with a JSON body") {
  const auto r = pa::profile::test_request();
  CHECK(r.method == "POST");
  CHECK(r.url == "https://api.profilebehavior.com/v3/test");
  CHECK(r.headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(r.body == R"({"ping":"pong"})");
  CHECK_FALSE(r.headers.contains("Authorization"));

  const auto s = pa::profile::test_request(R"({"x":1})", "http://127.0.0.1:9000/");
  CHECK(s.url == "http://127.0.0.1:9000/v3/test");
  CHECK(s.body == R"({"x":1})");

  const auto v4 = pa::profile::test_request_v4();
  CHECK(v4.url == "https://vanguard.profilebehavior.com/api/v4/test");
  CHECK(v4.body == R"({"ping":"pong"})");
  CHECK(pa::profile::test_request_v4("{}", "https://x.example").url ==
        "https://x.example/api/v4/test");
}
