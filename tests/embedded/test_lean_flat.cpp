// SPDX-License-Identifier: MIT
// profile-auth tests: PROFILE_AUTH_FLAT_JSON_ONLY on top of the reduced firmware
// configuration. Token and error answers are read by the one-pass flat-object reader only.
#define PROFILE_AUTH_TERSE_ERRORS 1
#define PROFILE_AUTH_JSON_ONLY 1
#define PROFILE_AUTH_NO_HTTP_DATE 1
#define PROFILE_AUTH_FLAT_JSON_ONLY 1

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <profile/auth.hpp>

#include <doctest/doctest.h>

#include <chrono>       // token lifetimes
#include <string>       // bodies
#include <string_view>  // content types

namespace pa = profile::auth;
using namespace std::chrono_literals;
using pa::errc;

namespace {
pa::http_response answer(int status, std::string body, std::string_view type = "application/json") {
  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::string(type));
  r.body = std::move(body);
  return r;
}
pa::result<pa::token> parse(const pa::http_response& r) {
  return pa::parse_token_response(r, pa::time_point{} + 1h);
}
}  // namespace

TEST_CASE("flat JSON only: flat token answers parse exactly as before") {
  const auto t = parse(answer(
      200, R"({"access_token":"tok-123.abc","token_type":"bearer","expires_in":3600,"scope":"a b",)"
           R"("n":1.5,"s":"x\"y"})"));
  REQUIRE(t.has_value());
  CHECK(t->access_token.reveal() == "tok-123.abc");
  CHECK(t->token_type == "bearer");
  CHECK(t->expires_in == 3600s);
  CHECK(t->scope == "a b");
  CHECK(t->extra.size() == 2);
  const auto esc = parse(answer(200, R"({"access_token":"a\/b","expires_in":"60"})"));
  REQUIRE(esc.has_value());
  CHECK(esc->access_token.reveal() == "a/b");
  CHECK(esc->expires_in == 60s);
}

TEST_CASE("flat JSON only: nested, oversized or invalid token answers are malformed") {
  for (const std::string& body :
       {std::string(R"({"access_token":"a","scope":["x","y"]})"),
        std::string(R"({"access_token":"a","o":{"k":1}})"),
        std::string(R"({"access_token":"a","access_token":"b"})"),
        std::string(R"({"access_token":)"), std::string(R"([{"access_token":"a"}])"),
        std::string(R"({"access_token":1})")}) {
    CAPTURE(body);
    const auto x = parse(answer(200, body));
    REQUIRE_FALSE(x.has_value());
    CHECK(x.error().code == errc::malformed_response);
    CHECK(pa::classify(x.error()) == pa::error_class::protocol);
  }
}

TEST_CASE("flat JSON only: flat OAuth error answers keep their errc and fields") {
  const auto e =
      parse(answer(401, R"({"error":"invalid_client","error_description":"no\u0007pe"})"));
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::invalid_client);
  CHECK(e.error().oauth_error == "invalid_client");
  CHECK(e.error().description == "nope");
  const auto g = parse(answer(200, R"({"error":"invalid_scope"})"));
  REQUIRE_FALSE(g.has_value());
  CHECK(g.error().code == errc::invalid_scope);
  // An error body the flat reader does not take is infrastructure (retryable), like HTML.
  const auto n = parse(answer(400, R"({"error":"invalid_grant","details":{"k":1}})"));
  REQUIRE_FALSE(n.has_value());
  CHECK(n.error().code == errc::http_error);
  CHECK(n.error().oauth_error.empty());
  const auto bad = parse(answer(400, R"({"error":5})"));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == errc::http_error);
}
