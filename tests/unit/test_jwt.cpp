// SPDX-License-Identifier: MIT
// Tests for jwt.hpp: unverified claims of JWT access tokens, opaque tokens as a normal case.
#include <profile/auth/encoding.hpp>
#include <profile/auth/jwt.hpp>
#include <profile/auth/secret.hpp>

#include <doctest/doctest.h>

#include <chrono>       // sys_seconds
#include <string>       // tokens
#include <string_view>  // JSON parts
#include <vector>       // expected lists

#include "user_auth_secrets.hpp"

namespace pa = profile::auth;
namespace t = user_auth_test;
using t::error_of;

namespace {

constexpr std::string_view kHeader = R"({"alg":"RS256","typ":"at+jwt","kid":"k1"})";

/// header.payload.signature, with t::access_token as the signature (so any leak is caught).
std::string jwt(std::string_view payload, std::string_view header = kHeader) {
  return pa::base64url_encode(header) + "." + pa::base64url_encode(payload) + "." +
         std::string(t::access_token);
}

pa::unverified_claims decode(const std::string& token) {
  auto r = pa::decode_unverified_claims(token);
  if (!r) FAIL("unexpected error: " << r.error().message);
  return *r;
}

std::chrono::sys_seconds at(long long s) {
  return std::chrono::sys_seconds(std::chrono::seconds(s));
}

}  // namespace

TEST_CASE("an RFC 9068 access token: every standard claim and raw access to the rest") {
  const auto c = decode(
      jwt(R"({"iss":"https://auth.example.com","sub":"user-42","aud":"https://api.example.com",)"
          R"("exp":1700003600,"iat":1700000000,"nbf":1699999990,"scope":"openid profile",)"
          R"("role":"admin","client_id":"app","realm_access":{"roles":["a","b"]}})"));
  CHECK(c.is_jwt);
  CHECK(c.alg == "RS256");
  CHECK(c.typ == "at+jwt");
  CHECK(c.kid == "k1");
  CHECK(c.iss == "https://auth.example.com");
  CHECK(c.sub == "user-42");
  CHECK(c.aud == std::vector<std::string>{"https://api.example.com"});
  CHECK(c.exp == at(1700003600));
  CHECK(c.iat == at(1700000000));
  CHECK(c.nbf == at(1699999990));
  CHECK(c.scope == "openid profile");
  CHECK(c.has_scope("profile"));
  CHECK(c.has_scope("openid"));
  CHECK_FALSE(c.has_scope("open"));
  CHECK_FALSE(c.has_scope(""));
  CHECK(c.roles == std::vector<std::string>{"admin"});
  CHECK(c.has_role("admin"));
  CHECK_FALSE(c.has_role("Admin"));
  REQUIRE(c.claims.size() == 10);
  CHECK(c.claims.front().first == "iss");
  CHECK(c.claim("client_id") == "\"app\"");
  CHECK(c.claim("realm_access") == R"({"roles":["a","b"]})");
  CHECK(c.claim("exp") == "1700003600");
  CHECK_FALSE(c.claim("email").has_value());
}

TEST_CASE("aud arrays, roles in both claims, scp and scope arrays") {
  auto c = decode(jwt(R"({"aud":["a","b",3],"role":["manager","admin"],"roles":"admin",)"
                      R"("scp":["read","write"]})"));
  CHECK(c.aud == std::vector<std::string>{"a", "b"});
  CHECK(c.roles == std::vector<std::string>{"manager", "admin"});
  CHECK(c.scope == "read write");
  c = decode(jwt(R"({"roles":["viewer"],"scp":"user.read mail.send"})"));
  CHECK(c.roles == std::vector<std::string>{"viewer"});
  CHECK(c.scope == "user.read mail.send");
  c = decode(jwt(R"({"scope":["a","","b"],"scp":"ignored"})"));
  CHECK(c.scope == "a b");
  c = decode(jwt(R"({"sub":42,"iss":null,"aud":{"x":1},"role":7})"));
  CHECK(c.sub.empty());
  CHECK(c.iss.empty());
  CHECK(c.aud.empty());
  CHECK(c.roles.empty());
  CHECK(c.claim("sub") == "42");
}

TEST_CASE("NumericDate: fractions floored, nonsense ignored") {
  auto c = decode(jwt(R"({"exp":1700000000.7,"iat":"1700000000","nbf":1e300})"));
  CHECK(c.exp == at(1700000000));
  CHECK_FALSE(c.iat.has_value());
  CHECK_FALSE(c.nbf.has_value());
  c = decode(jwt(R"({"exp":-1.5})"));
  CHECK(c.exp == at(-2));
}

TEST_CASE("opaque tokens are a normal value, not an error") {
  const std::string not_json_header = pa::base64url_encode("not json") + ".e30.sig";
  const std::string no_alg = jwt("{}", R"({"typ":"JWT"})");
  const std::string array_header = jwt("{}", R"(["alg"])");
  const std::string alg_not_string = jwt("{}", R"({"alg":1})");
  for (const std::string& token :
       {std::string(t::access_token), std::string("2YotnFZFEjr1zCsicMWpAA"), std::string("a.b"),
        std::string("a.b.c.d.e"), std::string(""), std::string("..."), std::string("!!.e30.x"),
        not_json_header, no_alg, array_header, alg_not_string, jwt("{}") + ".extra.parts"}) {
    CAPTURE(token);
    const auto c = decode(token);
    CHECK_FALSE(c.is_jwt);
    CHECK(c.claims.empty());
    CHECK(c.sub.empty());
    CHECK(c.alg.empty());
  }
}

TEST_CASE("unsigned and empty-claims tokens still decode (nothing is verified)") {
  const std::string unsigned_token = pa::base64url_encode(R"({"alg":"none"})") + "." +
                                     pa::base64url_encode(R"({"sub":"mallory","role":"admin"})") +
                                     ".";
  const auto c = decode(unsigned_token);
  CHECK(c.is_jwt);
  CHECK(c.alg == "none");
  CHECK(c.sub == "mallory");
  CHECK(decode(jwt("{}")).is_jwt);
}

TEST_CASE("a JWT header with an unusable payload is an error naming no token byte") {
  const std::string hdr = pa::base64url_encode(kHeader);
  CHECK(error_of(pa::decode_unverified_claims(hdr + ".***." + std::string(t::access_token))) ==
        pa::errc::invalid_base64);
  CHECK(error_of(pa::decode_unverified_claims(jwt("{\"sub\":"))) == pa::errc::invalid_json);
  CHECK(error_of(pa::decode_unverified_claims(jwt("[1,2]"))) == pa::errc::invalid_json);
  CHECK(error_of(pa::decode_unverified_claims(jwt(R"({"sub":"a","sub":"b"})"))) ==
        pa::errc::invalid_json);
  CHECK(error_of(pa::decode_unverified_claims(jwt("{\"sub\":\"\xFF\"}"))) ==
        pa::errc::invalid_utf8);
  pa::detail::json::limits small;
  small.max_size = 16;
  CHECK(error_of(pa::decode_unverified_claims(jwt(R"({"sub":"a-long-subject-value"})"), small)) ==
        pa::errc::limit_exceeded);
  small.max_depth = 1;
  small.max_size = 1 << 20;
  CHECK(error_of(pa::decode_unverified_claims(jwt(R"({"a":{"b":{}}})"), small)) ==
        pa::errc::limit_exceeded);
}

TEST_CASE("decode_unverified_claims reads a token held in a secret") {
  const pa::secret s(jwt(R"({"sub":"user-42"})"));
  auto r = pa::decode_unverified_claims(s);
  REQUIRE(r.has_value());
  CHECK(r->sub == "user-42");
}
