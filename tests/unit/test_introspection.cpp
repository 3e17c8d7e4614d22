// SPDX-License-Identifier: MIT
// Tests for grants/introspection.hpp: RFC 7662 request bytes, answers, errors, the driver.
#include <profile/auth/grants/introspection.hpp>
#include <profile/auth/testing/fake_transport.hpp>

#include <doctest/doctest.h>

#include <chrono>       // valid_at
#include <cstdint>      // INT64_MIN / INT64_MAX
#include <string>       // bodies
#include <string_view>  // secrets
#include <vector>       // audiences

namespace pa = profile::auth;

namespace {

// Every credential these tests put into a request or an answer.
constexpr std::string_view rs_secret = "RS-s3cret-Jk47";
constexpr std::string_view token = "INTRO-tok-Mn62";
constexpr std::string_view rs_bearer = "RS-bearer-Yt15";
constexpr std::string_view all_secrets[] = {rs_secret, token, rs_bearer};

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

pa::introspection_config rs_config() {
  pa::introspection_config c;
  c.introspection_endpoint = "https://auth.example.com/introspect";
  c.client_id = "rs-1";
  c.client_secret = pa::secret(rs_secret);
  return c;
}

pa::http_response answer(int status, std::string body, std::string type = "application/json") {
  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

const std::string full_answer =
    R"({"active":true,"scope":"read write","client_id":"app-42","username":"jdoe",)"
    R"("token_type":"Bearer","exp":1900000000,"iat":1899996400,"nbf":1899996400,)"
    R"("sub":"Z5O3upPC88QrAjx00dis","aud":"https://api.example.com",)"
    R"("iss":"https://auth.example.com/","jti":"abc-123","cnf":{"x5t#S256":"bwcK0"},)"
    R"("extension_field":"twenty-seven"})";

}  // namespace

TEST_CASE("introspection request: HTTP Basic, golden bytes") {
  auto req = pa::introspection_request(rs_config(), pa::secret(token));
  REQUIRE(req.has_value());
  CHECK(req->method == "POST");
  CHECK(req->url == "https://auth.example.com/introspect");
  CHECK(req->headers == pa::header_list{{"Accept", "application/json"},
                                        {"Content-Type", "application/x-www-form-urlencoded"},
                                        {"Authorization", "Basic cnMtMTpSUy1zM2NyZXQtSms0Nw=="}});
  CHECK(req->body == "token=INTRO-tok-Mn62&token_type_hint=access_token");

  req = pa::introspection_request(rs_config(), pa::secret(token), pa::token_type_hint::none);
  REQUIRE(req.has_value());
  CHECK(req->body == "token=INTRO-tok-Mn62");
  req =
      pa::introspection_request(rs_config(), pa::secret(token), pa::token_type_hint::refresh_token);
  REQUIRE(req.has_value());
  CHECK(req->body == "token=INTRO-tok-Mn62&token_type_hint=refresh_token");
  req = pa::introspection_request(rs_config(), pa::secret(token), "urn:x:id token");
  REQUIRE(req.has_value());
  CHECK(req->body == "token=INTRO-tok-Mn62&token_type_hint=urn%3Ax%3Aid+token");
}

TEST_CASE("introspection request: client_secret_post, public client, bearer") {
  auto c = rs_config();
  c.auth = pa::client_auth::client_secret_post;
  auto req = pa::introspection_request(c, pa::secret(token));
  REQUIRE(req.has_value());
  CHECK_FALSE(req->headers.contains("Authorization"));
  CHECK(req->body ==
        "token=INTRO-tok-Mn62&token_type_hint=access_token&client_id=rs-1&client_secret=RS-"
        "s3cret-Jk47");

  c.auth = pa::client_auth::none;
  c.client_secret = pa::secret();
  req = pa::introspection_request(c, pa::secret(token));
  REQUIRE(req.has_value());
  CHECK(req->body == "token=INTRO-tok-Mn62&token_type_hint=access_token&client_id=rs-1");

  pa::introspection_config b;
  b.introspection_endpoint = "https://auth.example.com/introspect";
  b.bearer_token = pa::secret(rs_bearer);
  req = pa::introspection_request(b, pa::secret(token));
  REQUIRE(req.has_value());
  CHECK(req->headers.find("Authorization") == "Bearer " + std::string(rs_bearer));
  CHECK(req->body == "token=INTRO-tok-Mn62&token_type_hint=access_token");
}

TEST_CASE("introspection request: bad settings are refused without quoting credentials") {
  const pa::secret t(token);
  auto c = rs_config();
  c.introspection_endpoint.clear();
  CHECK(error_of(pa::introspection_request(c, t)) == pa::errc::invalid_argument);
  c.introspection_endpoint = "http://auth.example.com/introspect";
  CHECK(error_of(pa::introspection_request(c, t)) == pa::errc::insecure_endpoint);
  c.allow_insecure_http = true;
  CHECK(pa::introspection_request(c, t).has_value());
  c = rs_config();
  c.introspection_endpoint = "http://127.0.0.1:4000/introspect";
  CHECK(pa::introspection_request(c, t).has_value());

  c = rs_config();
  CHECK(error_of(pa::introspection_request(c, pa::secret())) == pa::errc::invalid_argument);
  CHECK(error_of(pa::introspection_request(c, pa::secret(std::string(token) + "\n"))) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::introspection_request(c, t, "bad\r\nhint")) == pa::errc::invalid_argument);
  c.client_id.clear();
  CHECK(error_of(pa::introspection_request(c, t)) == pa::errc::invalid_argument);
  c = rs_config();
  c.client_secret = pa::secret();
  CHECK(error_of(pa::introspection_request(c, t)) == pa::errc::invalid_argument);
  c.client_secret = pa::secret(std::string(rs_secret) + "\n");
  CHECK(error_of(pa::introspection_request(c, t)) == pa::errc::invalid_argument);

  c = rs_config();
  c.bearer_token = pa::secret(rs_bearer);  // and a client: ambiguous
  CHECK(error_of(pa::introspection_request(c, t)) == pa::errc::invalid_argument);
  pa::introspection_config b;
  b.introspection_endpoint = "https://auth.example.com/introspect";
  b.bearer_token = pa::secret("RS bearer Yt15");
  const auto r = pa::introspection_request(b, t);
  CHECK(error_of(r) == pa::errc::invalid_header_value);
  CHECK(r.error().message.find("bearer_token has a byte outside RFC 6750 b64token at offset 2") !=
        std::string::npos);
  CHECK(r.error().message.find("token endpoint") == std::string::npos);
}

TEST_CASE("introspection answer: an active token with every member") {
  auto r = pa::parse_introspection_response(answer(200, full_answer));
  REQUIRE(r.has_value());
  CHECK(r->active);
  CHECK(r->scope == "read write");
  CHECK(r->has_scope("read"));
  CHECK(r->has_scope("write"));
  CHECK_FALSE(r->has_scope("rea"));
  CHECK_FALSE(r->has_scope(""));
  CHECK(r->client_id == "app-42");
  CHECK(r->username == "jdoe");
  CHECK(r->token_type == "Bearer");
  CHECK(r->sub == "Z5O3upPC88QrAjx00dis");
  CHECK(r->iss == "https://auth.example.com/");
  CHECK(r->jti == "abc-123");
  CHECK(r->aud == std::vector<std::string>{"https://api.example.com"});
  CHECK(r->has_audience("https://api.example.com"));
  CHECK_FALSE(r->has_audience("https://other.example.com"));
  CHECK(r->exp == 1900000000);
  CHECK(r->iat == 1899996400);
  CHECK(r->nbf == 1899996400);
  REQUIRE(r->extra.size() == 2);
  CHECK(r->extra[0].first == "cnf");
  CHECK(r->extra_member("cnf") == R"({"x5t#S256":"bwcK0"})");
  CHECK(r->extra_member("extension_field") == R"("twenty-seven")");
  CHECK_FALSE(r->extra_member("active").has_value());
}

TEST_CASE("introspection answer: aud as array, fractional dates, nulls, minimal") {
  auto r = pa::parse_introspection_response(
      answer(200, R"({"active":true,"aud":["a","b"],"exp":1900000000.9,"iat":1.5e9,)"
                  R"("scope":null,"sub":null})"));
  REQUIRE(r.has_value());
  CHECK(r->aud == std::vector<std::string>{"a", "b"});
  CHECK(r->exp == 1900000000);  // rounded down
  CHECK(r->iat == 1500000000);
  CHECK(r->scope.empty());
  CHECK(r->sub.empty());
  CHECK(r->extra.empty());

  r = pa::parse_introspection_response(answer(200, R"({"active":true})"));
  REQUIRE(r.has_value());
  CHECK(r->active);
  CHECK_FALSE(r->exp.has_value());
  CHECK(r->aud.empty());
  r = pa::parse_introspection_response(answer(200, R"({"active":true,"aud":[]})"));
  REQUIRE(r.has_value());
  CHECK(r->aud.empty());
}

TEST_CASE("introspection answer: inactive means nothing else is trusted") {
  auto r = pa::parse_introspection_response(
      answer(200, R"({"active":false,"scope":"admin","exp":1900000000,"sub":"x","aud":7})"));
  REQUIRE(r.has_value());
  CHECK_FALSE(r->active);
  CHECK(r->scope.empty());
  CHECK_FALSE(r->exp.has_value());
  CHECK(r->sub.empty());
  CHECK(r->extra.empty());
  CHECK_FALSE(r->valid_at(std::chrono::system_clock::time_point{}));
}

TEST_CASE("introspection answer: valid_at checks exp and nbf with leeway") {
  auto r =
      pa::parse_introspection_response(answer(200, R"({"active":true,"exp":2000,"nbf":1000})"));
  REQUIRE(r.has_value());
  const auto at = [](std::int64_t s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
  };
  CHECK(r->valid_at(at(1000)));
  CHECK(r->valid_at(at(1999)));
  CHECK_FALSE(r->valid_at(at(2000)));
  CHECK_FALSE(r->valid_at(at(999)));
  CHECK(r->valid_at(at(2029), std::chrono::seconds(30)));
  CHECK_FALSE(r->valid_at(at(2030), std::chrono::seconds(30)));
  CHECK(r->valid_at(at(970), std::chrono::seconds(30)));
  CHECK_FALSE(r->valid_at(at(969), std::chrono::seconds(30)));
  CHECK_FALSE(r->valid_at(at(2000), std::chrono::seconds(-30)));  // negative leeway = none
  r->exp = INT64_MIN;  // absurd values set by hand do not overflow
  r->nbf = INT64_MAX;
  CHECK_FALSE(r->valid_at(at(1500), std::chrono::seconds::max()));
  r->exp.reset();
  r->nbf.reset();
  CHECK(r->valid_at(at(0)));
}

TEST_CASE("introspection answer: strict types") {
  const std::string bodies[] = {
      R"({})",
      R"({"active":"true"})",
      R"({"active":1})",
      R"({"active":null})",
      R"({"active":true,"scope":["read"]})",
      R"({"active":true,"client_id":7})",
      R"({"active":true,"username":false})",
      R"({"active":true,"token_type":{}})",
      R"({"active":true,"sub":1})",
      R"({"active":true,"iss":[]})",
      R"({"active":true,"jti":2})",
      R"({"active":true,"aud":7})",
      R"({"active":true,"aud":["a",7]})",
      R"({"active":true,"aud":{"a":"b"}})",
      R"({"active":true,"exp":"1900000000"})",
      R"({"active":true,"iat":true})",
      R"({"active":true,"nbf":1e300})",
      R"({"active":true,"exp":9007199254740993})",
      R"([true])",
      R"("active")",
  };
  for (const auto& body : bodies) {
    CAPTURE(body);
    CHECK(error_of(pa::parse_introspection_response(answer(200, body))) ==
          pa::errc::malformed_response);
  }
  auto r = pa::parse_introspection_response(answer(200, R"({"active":true,"exp":"soon"})"));
  CHECK(error_of(r) == pa::errc::malformed_response);
  CHECK(r.error().message.find("exp") != std::string::npos);
  CHECK(r.error().message.find("soon") == std::string::npos);  // values are never quoted
  CHECK(error_of(pa::parse_introspection_response(answer(200, "{\"active\":tru"))) ==
        pa::errc::invalid_json);
  CHECK(error_of(pa::parse_introspection_response(
            answer(200, "{\"active\":true,\"a\":\"\xC0\"}"))) == pa::errc::invalid_utf8);
  CHECK(error_of(pa::parse_introspection_response(answer(200, ""))) == pa::errc::invalid_json);
}

TEST_CASE("introspection answer: error answers") {
  // 401 without an OAuth body: the resource server's own credentials were refused.
  auto r = pa::parse_introspection_response(answer(401, "", ""));
  CHECK(error_of(r) == pa::errc::invalid_client);
  CHECK(r.error().http_status == 401);
  CHECK(pa::classify(r.error()) == pa::error_class::credentials);
  r = pa::parse_introspection_response(answer(
      401, R"({"error":"invalid_client","error_description":"client authentication failed"})"));
  CHECK(error_of(r) == pa::errc::invalid_client);
  CHECK(r.error().description == "client authentication failed");
  r = pa::parse_introspection_response(
      answer(400, R"({"error":"invalid_request","error_description":"no token"})"));
  CHECK(error_of(r) == pa::errc::invalid_request);
  r = pa::parse_introspection_response(answer(200, R"({"error":"invalid_client"})"));
  CHECK(error_of(r) == pa::errc::invalid_client);
  pa::http_response busy = answer(503, "<html>busy</html>", "text/html");
  busy.headers.add("Retry-After", "120");
  r = pa::parse_introspection_response(busy);
  CHECK(error_of(r) == pa::errc::http_error);
  CHECK(r.error().retry_after == std::chrono::seconds(120));
  CHECK(pa::is_retryable(r.error()));
  CHECK(error_of(pa::parse_introspection_response(answer(403, "forbidden", "text/html"))) ==
        pa::errc::http_error);
}

TEST_CASE("introspection answer: huge inputs are bounded") {
  const std::string huge = R"({"active":true,"scope":")" + std::string(2u << 20, 's') + "\"}";
  CHECK(error_of(pa::parse_introspection_response(answer(200, huge))) == pa::errc::limit_exceeded);
  std::string many = R"({"active":true,"aud":[)";
  for (int i = 0; i < 70000; ++i) many += i == 0 ? "\"a\"" : ",\"a\"";
  many += "]}";
  CHECK(error_of(pa::parse_introspection_response(answer(200, many))) == pa::errc::limit_exceeded);
  pa::introspection_options small;
  small.limits.max_size = 32;
  CHECK(error_of(pa::parse_introspection_response(answer(200, full_answer), small)) ==
        pa::errc::limit_exceeded);
  const std::string deep =
      R"({"active":true,"x":)" + std::string(64, '[') + std::string(64, ']') + "}";
  CHECK(error_of(pa::parse_introspection_response(answer(200, deep))) == pa::errc::limit_exceeded);
}

TEST_CASE("introspect drives one request and never leaks the token") {
  pa::testing::fake_transport t;
  t.respond(200, full_answer);
  auto r = pa::introspect(t, rs_config(), pa::secret(token));
  REQUIRE(r.has_value());
  CHECK(r->active);
  REQUIRE(t.calls() == 1);
  CHECK(t.request(0).body == "token=INTRO-tok-Mn62&token_type_hint=access_token");

  // A server that quotes the token (and the client secret) in its error: both are redacted.
  t.respond(400, R"({"error":"invalid_request","error_description":"token )" + std::string(token) +
                     " from rs-1:" + std::string(rs_secret) + R"( is malformed"})");
  r = pa::introspect(t, rs_config(), pa::secret(token));
  CHECK(error_of(r) == pa::errc::invalid_request);
  CHECK(r.error().description == "token [redacted] from rs-1:[redacted] is malformed");

  t.fail_next(pa::error(pa::errc::transport_failed, "timeout"));
  CHECK(error_of(pa::introspect(t, rs_config(), pa::secret(token))) == pa::errc::transport_failed);
  const auto before = t.calls();
  auto bad = rs_config();
  bad.introspection_endpoint = "http://auth.example.com/introspect";
  CHECK(error_of(pa::introspect(t, bad, pa::secret(token))) == pa::errc::insecure_endpoint);
  CHECK(t.calls() == before);
  t.respond(200, R"({"active":false})");
  r = pa::introspect(t, rs_config(), pa::secret(token), pa::token_type_hint::refresh_token);
  REQUIRE(r.has_value());
  CHECK_FALSE(r->active);
  CHECK(t.request(t.calls() - 1).body == "token=INTRO-tok-Mn62&token_type_hint=refresh_token");
}

TEST_CASE("introspection answer: unsupported_token_type (JWT access tokens on oidc-provider)") {
  auto r = pa::parse_introspection_response(
      answer(400, R"({"error":"unsupported_token_type","error_description":"structured tokens"})"));
  CHECK(error_of(r) == pa::errc::unsupported_token_type);
  CHECK(r.error().oauth_error == "unsupported_token_type");
  CHECK(r.error().message.find("does not introspect") != std::string::npos);
  CHECK(r.error().message.find("structured tokens") != std::string::npos);
}

TEST_CASE("introspect: a long token the server quotes is redacted where a length cap cut it") {
  // error::message quotes at most 200 bytes of error_description and error::description keeps
  // 1024: a token cut by either cap must not leave its first bytes behind.
  const std::string long_token = "eyJ" + std::string(1400, 'Q') + "-tail";
  pa::testing::fake_transport t;
  t.respond(400, R"({"error":"invalid_request","error_description":"token )" + long_token +
                     R"( is malformed","error_uri":"https://auth.example.com/e?t=)" + long_token +
                     R"("})");
  const auto r = pa::introspect(t, rs_config(), pa::secret(long_token));
  REQUIRE_FALSE(r.has_value());
  const pa::error& e = r.error();
  CHECK(e.code == pa::errc::invalid_request);
  for (const std::string* text : {&e.message, &e.description, &e.uri}) {
    CAPTURE(*text);
    CHECK(text->find("eyJQ") == std::string::npos);
    CHECK(text->find("QQQQ") == std::string::npos);
  }
  // Removed before the caps cut (so the whole quote is replaced, and nothing is cut).
  CHECK(e.message.find("(server says: \"token [redacted] is malformed\")") != std::string::npos);
  CHECK(e.description == "token [redacted] is malformed");
  CHECK(e.uri == "https://auth.example.com/e?t=[redacted]");
}

TEST_CASE(
    "introspect: a token the server quotes percent-encoded (from the form body) is redacted") {
  const std::string b64 = "INTRO+tok/Mn62==";
  pa::testing::fake_transport t;
  t.respond(
      400,
      R"({"error":"invalid_request","error_description":"bad body token=INTRO%2Btok%2FMn62%3D%3D&x=1"})");
  const auto r = pa::introspect(t, rs_config(), pa::secret(b64));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().description == "bad body token=[redacted]&x=1");
  CHECK(r.error().message.find("Mn62") == std::string::npos);
}

TEST_CASE("detail::redact_in: whole, cut before \"...\" or at the end, and nothing else") {
  using pa::detail::redact_in;
  std::string s = "a SECRETVALUE b SECRETVALUE";
  redact_in(s, "SECRETVALUE");
  CHECK(s == "a [redacted] b [redacted]");
  s = "quoted: SECRE...";
  redact_in(s, "SECRETVALUE");
  CHECK(s == "quoted: [redacted]...");
  s = "ends with SECR";
  redact_in(s, "SECRETVALUE");
  CHECK(s == "ends with [redacted]");
  s = "too short SEC... and SEC";  // three bytes: below min_redacted_prefix, left alone
  redact_in(s, "SECRETVALUE");
  CHECK(s == "too short SEC... and SEC");
  s = "SECRET... not at a cut: SECRETV in the middle";
  redact_in(s, "SECRETVALUE");
  CHECK(s == "[redacted]... not at a cut: SECRETV in the middle");
  s = "no secret here...";
  redact_in(s, "SECRETVALUE");
  CHECK(s == "no secret here...");
}

TEST_CASE("detail::wipe_sent_request clears the body and every Authorization field") {
  auto req = pa::introspection_request(rs_config(), pa::secret(token));
  REQUIRE(req.has_value());
  req->headers.add("authorization", "Bearer second");
  pa::detail::wipe_sent_request(*req);
  CHECK(req->body.empty());
  for (const auto& field : req->headers) {  // not a structured binding: CAPTURE is a lambda
    const std::string& name = field.first;
    CAPTURE(name);
    if (pa::detail::iequals(name, "Authorization"))
      CHECK(field.second.empty());
    else
      CHECK_FALSE(field.second.empty());
  }
}
