// SPDX-License-Identifier: MIT
// Tests for header_list, http_request and http_response.
#include <profile/auth/http.hpp>

#include <doctest/doctest.h>

#include <string>
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
