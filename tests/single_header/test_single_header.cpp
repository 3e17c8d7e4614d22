// SPDX-License-Identifier: MIT
// profile-auth tests: the generated single header works alone (include path: single_include/).
#include <profile/auth.hpp>

#if __has_include(<profile/auth/version.hpp>)
#error "include/ is on this test's include path: it must see single_include/ only"
#endif

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <span>         // a RandomSource fills a std::span<std::byte>
#include <sstream>      // printing a secret
#include <string>       // owned values
#include <string_view>  // comparisons

namespace pa = profile::auth;

namespace {
struct loopback_transport {
  pa::result<pa::http_response> send(const pa::http_request& req) {
    pa::http_response r;
    r.status = 200;
    r.body = req.body;
    return r;
  }
};
struct zero_random {
  bool fill(std::span<std::byte> out) {
    for (auto& b : out) b = std::byte{0};
    return true;
  }
};
static_assert(pa::Transport<loopback_transport>);
static_assert(pa::RandomSource<zero_random>);
static_assert(pa::RandomSource<pa::os_random>);
static_assert(pa::LockPolicy<pa::single_threaded>);
}  // namespace

TEST_CASE("single header: version") {
#ifdef PROFILE_AUTH_TEST_BUILD_SYSTEM_VERSION
  CHECK(std::string_view(PROFILE_AUTH_VERSION_STRING) ==
        std::string_view(PROFILE_AUTH_TEST_BUILD_SYSTEM_VERSION));
#endif
  CHECK(PROFILE_AUTH_VERSION == PROFILE_AUTH_VERSION_MAJOR * 10000 +
                                    PROFILE_AUTH_VERSION_MINOR * 100 + PROFILE_AUTH_VERSION_PATCH);
}

TEST_CASE("single header: a secret prints redacted") {
  const pa::secret s("s3cr3t-value");
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "[redacted]");
  CHECK(s.reveal() == "s3cr3t-value");
}

TEST_CASE("single header: errors are values") {
  const pa::result<int> r = pa::fail(pa::errc::invalid_argument, "client_id is empty");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);
  CHECK(pa::to_string(r.error().code) == "invalid_argument");
}

TEST_CASE("single header: header lookup ignores case and keeps order") {
  pa::http_request req{"POST", "https://api.example/v3/auth", {}, "{}"};
  req.headers.add("Accept", "application/json");
  req.headers.add("accept", "text/plain");
  loopback_transport t;
  const auto resp = t.send(req);
  REQUIRE(resp.has_value());
  CHECK(resp->body == "{}");
  REQUIRE(req.headers.find("ACCEPT").has_value());
  CHECK(*req.headers.find("ACCEPT") == "application/json");
  CHECK(req.headers.find_all("Accept").size() == 2);
}
