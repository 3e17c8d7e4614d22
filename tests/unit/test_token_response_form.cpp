// SPDX-License-Identifier: MIT
// Tests for the repeated-parameter check of form-encoded token answers: every order of the
// fields finds the same duplicate (the smallest repeated name), and distinct names pass.
#include <profile/auth/token_response.hpp>

#include <doctest/doctest.h>

#include <chrono>       // the arrival time
#include <cstddef>      // std::size_t
#include <cstdint>      // the shuffle's generator state
#include <string>       // bodies
#include <string_view>  // expected names
#include <utility>      // std::swap
#include <vector>       // the fields before shuffling

namespace pa = profile::auth;

namespace {

pa::http_response form_answer(const std::vector<std::string>& fields) {
  pa::http_response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/x-www-form-urlencoded");
  for (const auto& f : fields) {
    if (!r.body.empty()) r.body += '&';
    r.body += f;
  }
  return r;
}

/// A deterministic Fisher-Yates shuffle (xorshift), so a failure can be replayed.
void shuffle(std::vector<std::string>& v, std::uint64_t seed) {
  std::uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = v.size(); i > 1; --i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    std::swap(v[i - 1], v[static_cast<std::size_t>(s % i)]);
  }
}

pa::result<pa::token> parse(const std::vector<std::string>& fields) {
  return pa::parse_token_response(form_answer(fields), pa::time_point{});
}

}  // namespace

TEST_CASE("form token answers: distinct names pass in every order") {
  std::vector<std::string> fields = {"access_token=abc", "token_type=bearer", "expires_in=60",
                                     "scope=a+b"};
  for (int i = 0; i < 40; ++i) fields.push_back("x" + std::to_string(i) + "=v");
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    CAPTURE(seed);
    shuffle(fields, seed);
    const auto t = parse(fields);
    REQUIRE(t.has_value());
    CHECK(t->access_token.reveal() == "abc");
    CHECK(t->extra.size() == 40);
  }
}

TEST_CASE("form token answers: the smallest repeated name is reported, whatever the order") {
  struct scenario {
    std::vector<std::string> repeated;  // names that occur twice
    std::string_view reported;          // as the message quotes it
  };
  const scenario scenarios[] = {
      {{"scope"}, "'scope' repeated"},
      {{"x7", "scope"}, "'scope' repeated"},      // "scope" < "x7": a known name
      {{"scope", "aa"}, "'(unnamed)' repeated"},  // "aa" < "scope": never quoted
      {{"token_type", "expires_in"}, "'expires_in' repeated"},
      {{"refresh_token", "error_uri", "x3"}, "'error_uri' repeated"},
  };
  for (const auto& sc : scenarios) {
    std::vector<std::string> fields = {"access_token=abc", "token_type=bearer", "expires_in=60"};
    for (int i = 0; i < 20; ++i) fields.push_back("x" + std::to_string(i) + "=v");
    for (const auto& name : sc.repeated) {
      bool present = false;
      for (const auto& f : fields) present = present || f.rfind(name + "=", 0) == 0;
      if (!present) fields.push_back(name + "=first");
      fields.push_back(name + "=second");
    }
    for (std::uint64_t seed = 0; seed < 30; ++seed) {
      CAPTURE(sc.reported);
      CAPTURE(seed);
      shuffle(fields, seed);
      const auto t = parse(fields);
      REQUIRE_FALSE(t.has_value());
      CHECK(t.error().code == pa::errc::malformed_response);
      CHECK(t.error().message.find(sc.reported) != std::string::npos);
    }
  }
}

TEST_CASE("form token answers: a few fields, every duplicate position") {
  // Two to six fields with the duplicate at every pair of positions (heap edges).
  for (std::size_t n = 2; n <= 6; ++n)
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = a + 1; b < n; ++b) {
        std::vector<std::string> fields;
        for (std::size_t i = 0; i < n; ++i)
          fields.push_back(i == a || i == b ? "scope=s" : "n" + std::to_string(i) + "=v");
        fields.insert(fields.begin(), "access_token=abc");
        CAPTURE(n);
        CAPTURE(a);
        CAPTURE(b);
        const auto t = parse(fields);
        REQUIRE_FALSE(t.has_value());
        CHECK(t.error().message.find("'scope' repeated") != std::string::npos);
      }
}
