// SPDX-License-Identifier: MIT
// Tests for www_authenticate.hpp: the RFC 9110 §11 challenge grammar and the Bearer challenge.
#include <profile/auth/www_authenticate.hpp>
#include <profile/auth/detail/bearer_challenge.hpp>

#include <doctest/doctest.h>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint32_t for the generator
#include <string>       // inputs, serialisation
#include <string_view>  // expected values
#include <utility>      // std::pair
#include <vector>       // challenge lists

namespace pa = profile::auth;

namespace {

using params = std::vector<std::pair<std::string, std::string>>;

pa::auth_challenge challenge(std::string scheme, params p = {}, std::string token68 = {}) {
  pa::auth_challenge c;
  c.scheme = std::move(scheme);
  c.params = std::move(p);
  c.token68 = std::move(token68);
  return c;
}

std::vector<pa::auth_challenge> parse_ok(std::string_view v) {
  auto r = pa::parse_www_authenticate(v);
  REQUIRE_MESSAGE(r.has_value(), r.error().message);
  return *r;
}

pa::errc parse_error(std::string_view v) {
  auto r = pa::parse_www_authenticate(v);
  return r ? pa::errc{} : r.error().code;
}

// A serialiser for the round-trip property: every value quoted, '"' and '\' escaped.
std::string serialise(const std::vector<pa::auth_challenge>& cs) {
  std::string out;
  for (const auto& c : cs) {
    if (!out.empty()) out += ", ";
    out += c.scheme;
    if (!c.token68.empty()) {
      out += " " + c.token68;
      continue;
    }
    bool first = true;
    for (const auto& [n, v] : c.params) {
      out += first ? " " : ", ";
      first = false;
      out += n + "=\"";
      for (const char ch : v) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
      }
      out += '"';
    }
  }
  return out;
}

}  // namespace

TEST_CASE("www-authenticate: one Bearer challenge with token and quoted values") {
  const auto cs = parse_ok(
      "Bearer realm=\"example\", error=\"invalid_token\", "
      "error_description=\"The access token expired\", scope=read");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0] == challenge("Bearer", {{"realm", "example"},
                                      {"error", "invalid_token"},
                                      {"error_description", "The access token expired"},
                                      {"scope", "read"}}));
  CHECK(cs[0].is_scheme("bearer"));
  CHECK(cs[0].is_scheme("BEARER"));
  CHECK_FALSE(cs[0].is_scheme("Basic"));
  CHECK(cs[0].param("ERROR") == "invalid_token");
  CHECK(cs[0].param("Scope") == "read");
  CHECK_FALSE(cs[0].param("error_uri").has_value());
}

TEST_CASE("www-authenticate: several challenges in one value (RFC 9110 §11.6.1 example shape)") {
  const auto cs = parse_ok(
      "Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");
  REQUIRE(cs.size() == 2);
  CHECK(cs[0] ==
        challenge("Newauth", {{"realm", "apps"}, {"type", "1"}, {"title", "Login to \"apps\""}}));
  CHECK(cs[1] == challenge("Basic", {{"realm", "simple"}}));
}

TEST_CASE("www-authenticate: token68, bare schemes, and their neighbours") {
  auto cs = parse_ok("Negotiate YIIabc+/x==, Bearer, Basic realm=\"r\"");
  REQUIRE(cs.size() == 3);
  CHECK(cs[0] == challenge("Negotiate", {}, "YIIabc+/x=="));
  CHECK(cs[1] == challenge("Bearer"));
  CHECK(cs[2] == challenge("Basic", {{"realm", "r"}}));

  cs = parse_ok("Negotiate Bearer");  // "Bearer" is Negotiate's token68 here
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].token68 == "Bearer");

  cs = parse_ok("Custom abc=");  // token68 with padding, not a parameter without a value
  REQUIRE(cs.size() == 1);
  CHECK(cs[0] == challenge("Custom", {}, "abc="));

  cs = parse_ok("Custom a=b");  // a parameter, not a token68 followed by junk
  REQUIRE(cs.size() == 1);
  CHECK(cs[0] == challenge("Custom", {{"a", "b"}}));
}

TEST_CASE("www-authenticate: whitespace, BWS around '=', empty list elements") {
  const auto cs = parse_ok(
      " , ,Bearer   realm = \"x\" ,\terror= invalid_token ,, scope =\"a b\",  , Basic\t, ");
  REQUIRE(cs.size() == 2);
  CHECK(cs[0] ==
        challenge("Bearer", {{"realm", "x"}, {"error", "invalid_token"}, {"scope", "a b"}}));
  CHECK(cs[1] == challenge("Basic"));
  CHECK(parse_ok("").empty());
  CHECK(parse_ok("  ,  , ").empty());
}

TEST_CASE("www-authenticate: quoted strings keep what the grammar allows") {
  const auto cs =
      parse_ok("X a=\"\", b=\"tab\there\", c=\"back\\\\slash\", d=\"\\q\", e=\"caf\xC3\xA9\"");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].param("a") == "");
  CHECK(cs[0].param("b") == "tab\there");
  CHECK(cs[0].param("c") == "back\\slash");
  CHECK(cs[0].param("d") == "q");
  CHECK(cs[0].param("e") == "caf\xC3\xA9");  // obs-text passes through
}

TEST_CASE("www-authenticate: several header fields, names compared case-insensitively") {
  pa::header_list h{{"Content-Type", "application/json"},
                    {"WWW-Authenticate", "Basic realm=\"a\""},
                    {"www-authenticate", "Bearer error=\"invalid_token\", DPoP algs=\"ES256\""},
                    {"X-Other", "Bearer realm=\"not me\""}};
  auto r = pa::parse_www_authenticate(h);
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0] == challenge("Basic", {{"realm", "a"}}));
  CHECK((*r)[1] == challenge("Bearer", {{"error", "invalid_token"}}));
  CHECK((*r)[2] == challenge("DPoP", {{"algs", "ES256"}}));

  h.add("WWW-Authenticate", "Bearer realm=\"x\" junk");
  r = pa::parse_www_authenticate(h);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::malformed_response);
  CHECK(r.error().message.find("field 3") != std::string::npos);
  CHECK(pa::parse_www_authenticate(pa::header_list{})->empty());
}

TEST_CASE("www-authenticate: malformed values are refused with an offset, never the value") {
  using namespace std::string_literals;
  struct row {
    std::string value;
    std::size_t offset;
  };
  const row rows[] = {
      {"=abc", 0},                         // no scheme
      {"realm=\"x\"", 0},                  // a parameter before any scheme
      {"Bearer realm=\"x", 13},            // unterminated quoted string
      {"Bearer realm=\"x\\", 13},          // unterminated after a backslash
      {"Bearer realm=\"a\x01\"", 15},      // control byte inside quotes
      {"Bearer realm=\"a\\\x7F\"", 16},    // escaped DEL
      {"Bearer realm=\"x\" y", 17},        // junk after a value
      {"Bearer realm=x y", 15},            // two tokens
      {"Bearer \"x\"", 7},                 // neither token68 nor parameter
      {"Bearer\"x\"", 6},                  // no space after the scheme
      {"Bearer a==b", 9},                  // '=' cannot start a value
      {"Negotiate abc, realm=\"x\"", 15},  // a parameter after a token68
      {"Bearer realm=\"x\", =y", 18},      // empty parameter name
      {"Bearer realm=@", 13},              // not a token
      {"Bearer realm=\"x\"\r\n", 16},      // CR LF
      {"Bearer realm=\"x\",\0"s, 17},      // NUL
  };
  for (const row& r : rows) {
    CAPTURE(r.value);
    const auto res = pa::parse_www_authenticate(r.value);
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().code == pa::errc::malformed_response);
    CHECK(res.error().message.find("offset " + std::to_string(r.offset) + ":") !=
          std::string::npos);
    CHECK(res.error().message.find('"') == std::string::npos);  // nothing quoted from the value
  }
  // Valid by the grammar although they look unfinished: token68 forms.
  CHECK(parse_ok("Bearer realm") == std::vector{challenge("Bearer", {}, "realm")});
  CHECK(parse_ok("Bearer realm=") == std::vector{challenge("Bearer", {}, "realm=")});
  CHECK(parse_ok("Bearer realm=,") == std::vector{challenge("Bearer", {}, "realm=")});
  // A value with a credential-looking token68 in it: the message gives the offset only.
  const auto r = pa::parse_www_authenticate("Basic c2VjcmV0LXRva2Vu junk");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("www-authenticate: a repeated parameter in one challenge is refused") {
  CHECK(parse_error("Bearer error=\"a\", error=\"b\"") == pa::errc::malformed_response);
  CHECK(parse_error("Bearer error=\"a\", ERROR=\"b\"") == pa::errc::malformed_response);
  // The same name in two challenges is fine.
  CHECK(parse_ok("Bearer error=\"a\", Bearer error=\"b\"").size() == 2);
}

TEST_CASE("www-authenticate: limits") {
  pa::www_authenticate_limits lim;
  lim.max_challenges = 2;
  lim.max_params = 2;
  lim.max_size = 64;
  CHECK(pa::parse_www_authenticate("A, B", lim).has_value());
  auto r = pa::parse_www_authenticate("A, B, C", lim);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::limit_exceeded);
  CHECK(pa::parse_www_authenticate("A a=1, b=2", lim).has_value());
  CHECK(pa::parse_www_authenticate("A a=1, b=2, c=3", lim).error().code ==
        pa::errc::limit_exceeded);
  CHECK(pa::parse_www_authenticate(std::string(65, ','), lim).error().code ==
        pa::errc::limit_exceeded);
  // Across fields: challenges and bytes add up.
  pa::header_list h{{"WWW-Authenticate", "A"}, {"WWW-Authenticate", "B, C"}};
  CHECK(pa::parse_www_authenticate(h, lim).error().code == pa::errc::limit_exceeded);
  pa::header_list big{{"WWW-Authenticate", std::string(40, ',')},
                      {"WWW-Authenticate", std::string(40, ',')}};
  CHECK(pa::parse_www_authenticate(big, lim).error().code == pa::errc::limit_exceeded);
  // The defaults take real-world headers easily and refuse absurd ones.
  CHECK(pa::parse_www_authenticate(std::string(16 * 1024 + 1, ' ')).error().code ==
        pa::errc::limit_exceeded);
}

TEST_CASE("find_bearer_challenge: picks the Bearer challenge and its parameters") {
  pa::http_response r;
  r.status = 401;
  r.headers.add("WWW-Authenticate", "Basic realm=\"x\"");
  r.headers.add("WWW-Authenticate",
                "bearer realm=\"api\", error=\"insufficient_scope\", scope=\"read write\", "
                "error_description=\"needs \\\"write\\\"\", error_uri=\"https://e/x\", "
                "resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource\""
                ", max_age=5");
  const auto b = pa::find_bearer_challenge(r);
  REQUIRE(b.has_value());
  CHECK(b->realm == "api");
  CHECK(b->error == "insufficient_scope");
  CHECK(b->scope == "read write");
  CHECK(b->error_description == "needs \"write\"");
  CHECK(b->error_uri == "https://e/x");
  CHECK(b->resource_metadata == "https://api.example.com/.well-known/oauth-protected-resource");
  CHECK(b->challenge.param("max_age") == "5");
  CHECK(b->challenge.scheme == "bearer");
}

TEST_CASE("find_bearer_challenge: absent, first wins, malformed fields skipped whole") {
  pa::header_list h{{"WWW-Authenticate", "Basic realm=\"x\", DPoP algs=\"ES256\""}};
  CHECK_FALSE(pa::find_bearer_challenge(h).has_value());
  CHECK_FALSE(pa::find_bearer_challenge(pa::header_list{}).has_value());

  h = {{"WWW-Authenticate", "Bearer realm=\"first\", Bearer realm=\"second\""}};
  CHECK(pa::find_bearer_challenge(h)->realm == "first");

  // The first field is broken after a Bearer challenge: nothing is taken from it.
  h = {{"WWW-Authenticate", "Bearer resource_metadata=\"https://evil.example/\" \"junk"},
       {"WWW-Authenticate", "Bearer resource_metadata=\"https://api.example.com/m\""}};
  CHECK(pa::find_bearer_challenge(h)->resource_metadata == "https://api.example.com/m");
  h = {{"WWW-Authenticate", "Bearer error=\"a\", error=\"b\""}};  // repeated: refused
  CHECK_FALSE(pa::find_bearer_challenge(h).has_value());
}

TEST_CASE("www-authenticate: parse and serialise round-trip on generated values") {
  // A small deterministic generator of challenge lists with awkward but valid values.
  std::uint32_t seed = 12345;
  const auto next = [&seed](std::uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
  };
  const std::string_view schemes[] = {"Bearer", "Basic", "DPoP", "x-Custom!", "Negotiate"};
  const std::string_view names[] = {"realm", "error", "scope", "a", "resource_metadata"};
  const std::string_view pieces[] = {"", " ", "\\", "\"", ",", "=", "a b", "\t", "\xC3\xA9"};
  for (int round = 0; round < 300; ++round) {
    std::vector<pa::auth_challenge> cs;
    const auto count = next(4);
    for (std::uint32_t k = 0; k < count; ++k) {
      pa::auth_challenge c;
      c.scheme = std::string(schemes[next(5)]);
      if (next(4) == 0) {
        c.token68 = "abc" + std::string(next(3), '=');
      } else {
        const auto np = next(4);
        for (std::uint32_t p = 0; p < np && p < 5; ++p) {
          std::string v;
          for (std::uint32_t q = next(4); q > 0; --q) v += pieces[next(9)];
          c.params.emplace_back(std::string(names[p]), std::move(v));
        }
      }
      cs.push_back(std::move(c));
    }
    const std::string text = serialise(cs);
    CAPTURE(text);
    const auto back = pa::parse_www_authenticate(text);
    REQUIRE(back.has_value());
    CHECK(*back == cs);
  }
}

TEST_CASE("detail::rejects_access_token agrees with the parser on what a Bearer challenge says") {
  // The retry rule reads the same grammar through challenge_reader; spot-check the cases the
  // two must agree on (the full table is in test_m2m_client.cpp).
  const auto retry = [](std::string_view v) {
    pa::http_response r;
    r.status = 401;
    r.headers.add("WWW-Authenticate", std::string(v));
    return pa::detail::rejects_access_token(r);
  };
  CHECK(retry("Bearer realm=\"a, error=insufficient_scope\""));  // the comma is inside quotes
  CHECK_FALSE(retry("Bearer realm=\"x\", error=\"insufficient_scope\""));
  CHECK(retry("Basic realm=\"x\", Bearer error=invalid_token"));
  CHECK_FALSE(retry("Negotiate abc, Basic"));
  // Garbage after a Bearer challenge: the challenge read so far still counts.
  CHECK(retry("Bearer error=\"invalid_token\" \x01"));
  CHECK(retry("\"\""));  // nothing recognisable: treated as no challenge
}
