// SPDX-License-Identifier: MIT
// Tests for header_list, http_request, http_response and the token / line-break checks.
#include <profile/auth/http.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace pa = profile::auth;

TEST_CASE("header lookup ignores ASCII case and returns the first match") {
  pa::header_list h;
  h.add("Content-Type", "application/json");
  h.add("WWW-Authenticate", "Bearer realm=\"a\"");
  h.add("www-authenticate", "Basic realm=\"b\"");
  CHECK(h.find("content-type") == "application/json");
  CHECK(h.find("CONTENT-TYPE") == "application/json");
  CHECK(h.find("Www-Authenticate") == "Bearer realm=\"a\"");
  CHECK_FALSE(h.find("Content-Length").has_value());
  CHECK_FALSE(h.find("Content-Typ").has_value());
  CHECK(h.contains("WWW-AUTHENTICATE"));
}

TEST_CASE("duplicates are kept in order") {
  pa::header_list h{{"Set-Cookie", "a=1"}, {"X", "y"}, {"set-cookie", "b=2"}};
  auto all = h.find_all("SET-COOKIE");
  REQUIRE(all.size() == 2);
  CHECK(all[0] == "a=1");
  CHECK(all[1] == "b=2");
  std::vector<std::string> names;
  for (const auto& [name, value] : h) names.push_back(name);
  CHECK(names == std::vector<std::string>{"Set-Cookie", "X", "set-cookie"});
}

TEST_CASE("set replaces every field of that name, remove deletes them") {
  pa::header_list h{{"Accept", "text/html"}, {"accept", "*/*"}, {"X", "1"}};
  h.set("ACCEPT", "application/json");
  CHECK(h.size() == 2);
  CHECK(h.find("accept") == "application/json");
  CHECK(h.remove("x") == 1);
  CHECK(h.size() == 1);
  CHECK(h.remove("x") == 0);
}

TEST_CASE("http_response::ok is true exactly for 2xx") {
  pa::http_response r;
  for (int s : {200, 201, 204, 299}) {
    r.status = s;
    CHECK(r.ok());
  }
  for (int s : {0, 199, 300, 401, 500}) {
    r.status = s;
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("is_tchar accepts exactly RFC 9110's token bytes") {
  const std::string punct = "!#$%&'*+-.^_`|~";
  int accepted = 0;
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const bool expected = alnum || punct.find(c) != std::string::npos;
    CAPTURE(i);
    CHECK(pa::detail::is_tchar(c) == expected);
    accepted += pa::detail::is_tchar(c) ? 1 : 0;
  }
  CHECK(accepted == 26 + 26 + 10 + 15);
}

TEST_CASE("is_http_token: one or more tchar") {
  static_assert(pa::detail::is_http_token("GET"));
  CHECK(pa::detail::is_http_token("Content-Type"));
  CHECK(pa::detail::is_http_token("x"));
  CHECK(pa::detail::is_http_token("!#$%&'*+-.^_`|~09azAZ"));
  CHECK_FALSE(pa::detail::is_http_token(""));
  CHECK_FALSE(pa::detail::is_http_token("Bad Name"));
  CHECK_FALSE(pa::detail::is_http_token("X:Y"));
  CHECK_FALSE(pa::detail::is_http_token("a\"b"));
  CHECK_FALSE(pa::detail::is_http_token("(a)"));
  CHECK_FALSE(pa::detail::is_http_token("a,b"));
  CHECK_FALSE(pa::detail::is_http_token("GET\r\n"));
  CHECK_FALSE(pa::detail::is_http_token(std::string_view("A\0B", 3)));
  CHECK_FALSE(pa::detail::is_http_token("caf\xc3\xa9"));  // non-ASCII
  CHECK_FALSE(pa::detail::is_http_token("a\x7f"));
}

TEST_CASE("has_line_break: CR, LF and NUL anywhere") {
  static_assert(!pa::detail::has_line_break("a b\tc"));
  CHECK_FALSE(pa::detail::has_line_break(""));
  CHECK_FALSE(pa::detail::has_line_break("text/plain; charset=utf-8"));
  CHECK_FALSE(pa::detail::has_line_break("\x01\x7f\xff"));  // other control bytes are not breaks
  CHECK(pa::detail::has_line_break("a\r"));
  CHECK(pa::detail::has_line_break("\nb"));
  CHECK(pa::detail::has_line_break("a\r\nX-Injected: 1"));
  CHECK(pa::detail::has_line_break(std::string_view("a\0b", 3)));
}
