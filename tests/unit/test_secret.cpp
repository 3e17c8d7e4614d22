// SPDX-License-Identifier: MIT
// Tests for secret: redaction, explicit reveal, wiping, constant-time equality.
#include <profile/auth/secret.hpp>

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

namespace pa = profile::auth;

static_assert(!std::is_convertible_v<pa::secret, std::string>);
static_assert(!std::is_convertible_v<pa::secret, std::string_view>);
static_assert(!std::is_convertible_v<std::string, pa::secret>);  // explicit only
static_assert(std::is_nothrow_move_constructible_v<pa::secret>);

TEST_CASE("a secret prints as [redacted] and reveals only on request") {
  pa::secret s{"hunter2-very-secret"};
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "[redacted]");
  CHECK(os.str().find("hunter2") == std::string::npos);
  CHECK(s.reveal() == "hunter2-very-secret");
  CHECK(s.size() == 19);
  CHECK_FALSE(s.empty());
}

TEST_CASE("an empty secret reveals an empty view") {
  pa::secret s;
  CHECK(s.empty());
  CHECK(s.reveal().empty());
  CHECK(s.reveal().data() != nullptr);
}

TEST_CASE("moving leaves the source empty; copies are independent") {
  pa::secret a{"abc"};
  pa::secret b = a;
  CHECK(b.reveal() == "abc");
  pa::secret c = std::move(a);
  CHECK(c.reveal() == "abc");
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
  CHECK(a.reveal().empty());
  b = pa::secret{"xyz"};
  CHECK(b.reveal() == "xyz");
  CHECK(c.reveal() == "abc");
  c.clear();
  CHECK(c.empty());
}

TEST_CASE("construction from an rvalue std::string wipes the string's buffer") {
  std::string src(64, 'k');
  const char* buf = src.data();
  const std::size_t cap = src.capacity();
  pa::secret s{std::move(src)};
  CHECK(s.reveal() == std::string(64, 'k'));
  // The string object still owns its buffer (we only read it, never free it here).
  bool all_zero = true;
  for (std::size_t i = 0; i < cap && i < 64; ++i) all_zero = all_zero && buf[i] == '\0';
  CHECK(src.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(all_zero);
}

TEST_CASE("secure_wipe zeroes the whole range") {
  char buf[16];
  for (char& c : buf) c = 'x';
  pa::detail::secure_wipe(buf, sizeof buf);
  for (char c : buf) CHECK(c == '\0');
}

TEST_CASE("secret equality compares content") {
  CHECK(pa::secret{"abc"} == pa::secret{"abc"});
  CHECK_FALSE(pa::secret{"abc"} == pa::secret{"abd"});
  CHECK_FALSE(pa::secret{"abc"} == pa::secret{"abcd"});
  CHECK(pa::secret{} == pa::secret{""});
}
