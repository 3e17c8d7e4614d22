// SPDX-License-Identifier: MIT
// Tests for grants/client_credentials.hpp and grants/client_auth.hpp: golden request bytes.
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/client_credentials.hpp>

#include <doctest/doctest.h>

#include <string>       // expected bodies
#include <string_view>  // secret markers
#include <vector>       // lists of cases

namespace pa = profile::auth;

namespace {

constexpr std::string_view kSecret = "S3CR3T-client-secret";
constexpr std::string_view kOddSecret = "p@ss:w%rd+ \xC3\xBC";  // "p@ss:w%rd+ ü"

/// Every error produced here is scanned for every secret the tests use.
void check_clean(const pa::error& e) {
  for (const std::string_view s : {kSecret, kOddSecret, std::string_view("w%rd")}) {
    CHECK(e.message.find(s) == std::string::npos);
    CHECK(e.description.find(s) == std::string::npos);
  }
  CHECK_FALSE(e.message.empty());
}

pa::client_credentials_config base_config() {
  pa::client_credentials_config c;
  c.token_endpoint = "https://auth.example.com/oauth/token";
  c.client_id = "client";
  c.client_secret = pa::secret("s3cret");
  return c;
}

pa::http_request build(const pa::client_credentials_config& c) {
  auto r = pa::client_credentials_request(c);
  if (!r) {
    check_clean(r.error());
    FAIL("unexpected error: " << r.error().message);
  }
  return *r;
}

pa::errc build_error(const pa::client_credentials_config& c) {
  auto v = pa::validate(c);
  auto r = pa::client_credentials_request(c);
  REQUIRE_FALSE(v.has_value());
  REQUIRE_FALSE(r.has_value());
  CHECK(v.error().code == r.error().code);
  check_clean(v.error());
  check_clean(r.error());
  CHECK(r.error().http_status == 0);  // nothing was sent
  // Bad configuration is never worth retrying: it is misconfiguration, whatever the field.
  CHECK_FALSE(pa::is_retryable(r.error()));
  CHECK(pa::classify(r.error()) == pa::error_class::misconfiguration);
  return r.error().code;
}

}  // namespace

TEST_CASE("form body with HTTP Basic (RFC 6749 defaults)") {
  const auto req = build(base_config());
  CHECK(req.method == "POST");
  CHECK(req.url == "https://auth.example.com/oauth/token");
  CHECK(req.headers == pa::header_list{{"Accept", "application/json"},
                                       {"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Authorization", "Basic Y2xpZW50OnMzY3JldA=="}});
  CHECK(req.body == "grant_type=client_credentials");
}

TEST_CASE("Basic credentials: form-encoded by default, raw on request") {
  auto c = base_config();
  c.client_id = "my:id%+ \xC3\xA9";  // "my:id%+ é"
  c.client_secret = pa::secret(kOddSecret);
  auto req = build(c);
  // base64("my%3Aid%25%2B+%C3%A9:p%40ss%3Aw%25rd%2B+%C3%BC")
  CHECK(req.headers.find("Authorization") ==
        "Basic bXklM0FpZCUyNSUyQislQzMlQTk6cCU0MHNzJTNBdyUyNXJkJTJCKyVDMyVCQw==");
  CHECK(req.body == "grant_type=client_credentials");

  c.basic = pa::basic_encoding::raw;
  CHECK(build_error(c) == pa::errc::invalid_argument);  // ':' in the id (RFC 7617)

  c.client_id = "id%+ \xC3\xA9";
  req = build(c);
  CHECK(req.headers.find("Authorization") == "Basic aWQlKyDDqTpwQHNzOnclcmQrIMO8");

  CHECK(pa::basic_authorization_value("client", pa::secret("s3cret"), pa::basic_encoding::raw) ==
        "Basic Y2xpZW50OnMzY3JldA==");
}

TEST_CASE("form body with client_secret_post") {
  auto c = base_config();
  c.auth = pa::client_auth::client_secret_post;
  c.client_id = "my:id%+ \xC3\xA9";
  c.client_secret = pa::secret(kOddSecret);
  const auto req = build(c);
  CHECK(req.headers == pa::header_list{{"Accept", "application/json"},
                                       {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(req.body ==
        "grant_type=client_credentials&client_id=my%3Aid%25%2B+%C3%A9"
        "&client_secret=p%40ss%3Aw%25rd%2B+%C3%BC");
}

TEST_CASE("JSON body with client_secret_post (the Profile API convention)") {
  auto c = base_config();
  c.format = pa::body_format::json;
  c.auth = pa::client_auth::client_secret_post;
  c.client_id = "id \"q\" \\ \xC3\xA9";
  c.client_secret = pa::secret(kSecret);
  const auto req = build(c);
  CHECK(req.headers ==
        pa::header_list{{"Accept", "application/json"}, {"Content-Type", "application/json"}});
  CHECK(req.body ==
        "{\"grant_type\":\"client_credentials\",\"client_id\":\"id \\\"q\\\" \\\\ \xC3\xA9\","
        "\"client_secret\":\"S3CR3T-client-secret\"}");
}

TEST_CASE("JSON body with HTTP Basic keeps credentials out of the body") {
  auto c = base_config();
  c.format = pa::body_format::json;
  c.scope = "read write";
  const auto req = build(c);
  CHECK(req.headers == pa::header_list{{"Accept", "application/json"},
                                       {"Content-Type", "application/json"},
                                       {"Authorization", "Basic Y2xpZW50OnMzY3JldA=="}});
  CHECK(req.body == R"({"grant_type":"client_credentials","scope":"read write"})");
}

TEST_CASE("client_auth::none sends the id only") {
  auto c = base_config();
  c.auth = pa::client_auth::none;
  c.client_secret = pa::secret("");
  CHECK(build(c).body == "grant_type=client_credentials&client_id=client");
  c.format = pa::body_format::json;
  CHECK(build(c).body == R"({"grant_type":"client_credentials","client_id":"client"})");
}

TEST_CASE("scope, audience, resources and extra parameters, form and JSON") {
  auto c = base_config();
  c.auth = pa::client_auth::client_secret_post;
  c.scope = "read:all write";
  c.audience = {"https://api.example.com"};
  c.resource = {"https://a.example/x?y=1", "https://b.example/"};
  c.extra_params = {{"tenant", "acme corp"}, {"x&y", "1=2"}};
  CHECK(build(c).body ==
        "grant_type=client_credentials&client_id=client&client_secret=s3cret"
        "&scope=read%3Aall+write&audience=https%3A%2F%2Fapi.example.com"
        "&resource=https%3A%2F%2Fa.example%2Fx%3Fy%3D1&resource=https%3A%2F%2Fb.example%2F"
        "&tenant=acme+corp&x%26y=1%3D2");

  c.format = pa::body_format::json;
  CHECK(build(c).body ==
        R"({"grant_type":"client_credentials","client_id":"client","client_secret":"s3cret",)"
        R"("scope":"read:all write","audience":"https://api.example.com",)"
        R"("resource":["https://a.example/x?y=1","https://b.example/"],)"
        R"("tenant":"acme corp","x&y":"1=2"})");

  c.audience.push_back("urn:two");
  c.resource.pop_back();
  const auto body = build(c).body;
  CHECK(body.find(R"("audience":["https://api.example.com","urn:two"])") != std::string::npos);
  CHECK(body.find(R"("resource":"https://a.example/x?y=1")") != std::string::npos);

  c.format = pa::body_format::form;
  c.auth = pa::client_auth::client_secret_basic;
  CHECK(build(c).body ==
        "grant_type=client_credentials&scope=read%3Aall+write"
        "&audience=https%3A%2F%2Fapi.example.com&audience=urn%3Atwo"
        "&resource=https%3A%2F%2Fa.example%2Fx%3Fy%3D1&tenant=acme+corp&x%26y=1%3D2");
}

TEST_CASE("bad configuration is refused with a specific errc and nothing is built") {
  auto c = base_config();

  c.client_id.clear();
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c = base_config();
  c.client_secret = pa::secret("");
  CHECK(build_error(c) == pa::errc::invalid_argument);

  for (const char* bad : {"S3CR3T-client-secret\n", "S3CR3T-client-secret\r\n",
                          "S3CR3T\r\nX-Injected: 1", "\x7FS3CR3T-client-secret"}) {
    c = base_config();
    c.client_secret = pa::secret(bad);
    CHECK(build_error(c) == pa::errc::invalid_argument);
    c.auth = pa::client_auth::client_secret_post;
    CHECK(build_error(c) == pa::errc::invalid_argument);
  }
  c = base_config();
  c.client_secret = pa::secret(std::string("S3CR3T-client-secret\0", 21));
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c = base_config();
  c.client_id = "client\n";
  CHECK(build_error(c) == pa::errc::invalid_argument);

  // Invalid UTF-8 cannot travel in JSON, but a form body (or Basic) carries any byte.
  c = base_config();
  c.client_secret = pa::secret("S3CR3T-client-secret\xFF");
  CHECK(pa::validate(c).has_value());
  c.format = pa::body_format::json;
  CHECK(pa::validate(c).has_value());  // Basic: the secret is base64-encoded
  c.auth = pa::client_auth::client_secret_post;
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c.client_secret = pa::secret(kSecret);
  c.client_id = "\xC0\xAF";  // overlong '/'
  CHECK(build_error(c) == pa::errc::invalid_argument);

  c = base_config();
  c.scope = "read\nwrite";
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c = base_config();
  c.audience = {""};
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c = base_config();
  c.resource = {""};
  CHECK(build_error(c) == pa::errc::invalid_argument);
  for (const char* reserved :
       {"grant_type", "client_id", "client_secret", "scope", "audience", "resource"}) {
    c = base_config();
    c.extra_params = {{reserved, "x"}};
    CHECK(build_error(c) == pa::errc::invalid_argument);
  }
  c = base_config();
  c.extra_params = {{"a", "1"}, {"a", "2"}};
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c.extra_params = {{"", "1"}};
  CHECK(build_error(c) == pa::errc::invalid_argument);
  c.extra_params = {{"a", "1\r\n"}};
  CHECK(build_error(c) == pa::errc::invalid_argument);
}

TEST_CASE("endpoints must be https unless loopback or explicitly allowed") {
  auto c = base_config();
  c.token_endpoint = "http://auth.example.com/token";
  CHECK(build_error(c) == pa::errc::insecure_endpoint);
  {
    auto v = pa::validate(c);
    REQUIRE_FALSE(v.has_value());
    CHECK(pa::classify(v.error()) == pa::error_class::misconfiguration);
  }
  c.allow_insecure_http = true;
  CHECK(build(c).url == "http://auth.example.com/token");

  for (const char* loop :
       {"http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9/token"}) {
    c = base_config();
    c.token_endpoint = loop;
    CHECK(pa::validate(c).has_value());
  }
  for (const char* bad :
       {"", "auth.example.com/token", "ftp://auth.example.com/token",
        "https://user:pw@auth.example.com/token", "https://auth.example.com/token#frag"}) {
    c = base_config();
    c.token_endpoint = bad;
    CHECK(build_error(c) == pa::errc::invalid_url);
  }
}

TEST_CASE("apply_client_auth serves other grants' bodies") {
  pa::http_request req;
  std::string body = "grant_type=refresh_token&refresh_token=r";
  pa::apply_client_auth(req, body, pa::body_format::form, "c", pa::secret("s"),
                        pa::client_auth::client_secret_post, pa::basic_encoding::form_encoded);
  CHECK(body == "grant_type=refresh_token&refresh_token=r&client_id=c&client_secret=s");
  CHECK(req.headers.empty());

  std::string json = "{";
  pa::apply_client_auth(req, json, pa::body_format::json, "c", pa::secret("s"),
                        pa::client_auth::none, pa::basic_encoding::form_encoded);
  CHECK(json == R"({"client_id":"c")");

  std::string untouched = "x=1";
  pa::apply_client_auth(req, untouched, pa::body_format::form, "c", pa::secret("s"),
                        pa::client_auth::client_secret_basic, pa::basic_encoding::raw);
  CHECK(untouched == "x=1");
  CHECK(req.headers.find("Authorization") == "Basic Yzpz");

  CHECK(pa::content_type_of(pa::body_format::json) == "application/json");
  CHECK(pa::content_type_of(pa::body_format::form) == "application/x-www-form-urlencoded");
}

TEST_CASE("validate_client_auth checks per method") {
  using pa::basic_encoding;
  using pa::body_format;
  using pa::client_auth;
  const pa::secret none_secret;
  CHECK(pa::validate_client_auth("a:b", none_secret, client_auth::none, basic_encoding::raw,
                                 body_format::form)
            .has_value());
  CHECK(pa::validate_client_auth("a:b", pa::secret("s"), client_auth::client_secret_post,
                                 basic_encoding::raw, body_format::form)
            .has_value());
  auto r = pa::validate_client_auth("a:b", pa::secret("s"), client_auth::client_secret_basic,
                                    basic_encoding::raw, body_format::form);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);
  CHECK(r.error().message.find("offset 1") != std::string::npos);
}
