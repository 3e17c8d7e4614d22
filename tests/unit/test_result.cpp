// SPDX-License-Identifier: MIT
// Tests for result<T>, fail() and the contract of value()/error().
#include <profile/auth/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace pa = profile::auth;

namespace {
pa::result<int> half(int x) {
  if (x % 2 != 0) return pa::fail(pa::errc::invalid_argument, "odd number");
  return x / 2;
}
}  // namespace

TEST_CASE("result holds a value or an error") {
  auto ok = half(8);
  REQUIRE(ok.has_value());
  CHECK(static_cast<bool>(ok));
  CHECK(*ok == 4);
  CHECK(ok.value() == 4);
  CHECK(ok.value_or(-1) == 4);

  auto bad = half(3);
  REQUIRE_FALSE(bad.has_value());
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK(bad.error().code == pa::errc::invalid_argument);
  CHECK(bad.error().message == "odd number");
  CHECK(bad.value_or(-1) == -1);
}

TEST_CASE("and_then chains and short-circuits on the first error") {
  auto quarter = [](int x) { return half(x).and_then(half); };
  CHECK(*quarter(8) == 2);
  auto e = quarter(6);  // 6 -> 3 -> error
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "odd number");
  auto e2 = quarter(5);
  REQUIRE_FALSE(e2);
  CHECK(e2.error().code == pa::errc::invalid_argument);
}

TEST_CASE("transform maps the value and passes errors through") {
  auto s = half(10).transform([](int v) { return std::to_string(v) + "!"; });
  REQUIRE(s);
  CHECK(*s == "5!");
  auto e = half(1).transform([](int v) { return std::to_string(v); });
  REQUIRE_FALSE(e);
  CHECK(e.error().code == pa::errc::invalid_argument);
}

TEST_CASE("result<T> copies, moves and reassigns between states") {
  pa::result<std::string> r = std::string("hello");
  pa::result<std::string> copy = r;
  CHECK(*copy == "hello");
  r = pa::fail(pa::errc::invalid_json, "bad");
  CHECK_FALSE(r);
  CHECK(r.error().code == pa::errc::invalid_json);
  r = copy;
  REQUIRE(r);
  CHECK(*r == "hello");
  pa::result<std::string> moved = std::move(r);
  CHECK(*moved == "hello");
  CHECK(moved->size() == 5);
}

TEST_CASE("result supports move-only values") {
  pa::result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  REQUIRE(r);
  CHECK(**r == 7);
  std::unique_ptr<int> p = std::move(r).value();
  CHECK(*p == 7);
}

TEST_CASE("result<void> reports success or an error") {
  pa::result<void> ok;
  CHECK(ok.has_value());
  pa::result<void> bad = pa::fail(pa::errc::store_failed, "disk full");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == pa::errc::store_failed);
  auto chained = ok.and_then([]() -> pa::result<int> { return 3; });
  CHECK(*chained == 3);
  auto chained_bad = bad.and_then([]() -> pa::result<int> { return 3; });
  CHECK_FALSE(chained_bad);
}

TEST_CASE("fail() keeps every field of a populated error") {
  pa::error e(pa::errc::invalid_grant, "refresh token expired");
  e.http_status = 400;
  e.oauth_error = "invalid_grant";
  e.retry_after = std::chrono::seconds(5);
  pa::result<int> r = pa::fail(e);
  REQUIRE_FALSE(r);
  CHECK(r.error().http_status == 400);
  CHECK(r.error().oauth_error == "invalid_grant");
  CHECK(r.error().retry_after == std::chrono::seconds(5));
}
