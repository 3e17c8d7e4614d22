// SPDX-License-Identifier: MIT
// Tests for extra_members' storage (local bytes, then one allocation) and for the fixed-size
// name and token_type comparisons of the token reader.
#include <profile/auth/token.hpp>
#include <profile/auth/token_response.hpp>

#include <doctest/doctest.h>

#include <chrono>       // received_at
#include <cstddef>      // std::size_t
#include <cstdio>       // std::snprintf for \u escapes
#include <string>       // bodies, names
#include <string_view>  // known names
#include <utility>      // std::move
#include <vector>       // members as a list

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

using member_list = std::vector<std::pair<std::string, std::string>>;

member_list list(const pa::extra_members& e) {
  member_list out;
  for (auto [name, raw] : e) out.emplace_back(std::string(name), std::string(raw));
  return out;
}

/// Members named m0, m1, ... whose bytes (8 per member plus name and value) total exactly
/// `bytes` (at least 12); every value is a JSON string of x's.
member_list members_of_size(std::size_t bytes) {
  member_list out;
  while (bytes > 0) {
    std::string name = "m" + std::to_string(out.size());
    const std::size_t fixed = 8 + name.size();
    // 40-byte values while the rest leaves room for another member, then the rest in one
    const std::size_t value = bytes >= fixed + 40 + 64 ? 40 : bytes - fixed;
    out.emplace_back(std::move(name), '"' + std::string(value - 2, 'x') + '"');
    bytes -= fixed + value;
  }
  return out;
}

pa::extra_members filled(const member_list& m) {
  pa::extra_members e;
  for (const auto& [name, raw] : m) e.add(name, raw);
  return e;
}

pa::http_response json(std::string body) {
  pa::http_response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

const pa::time_point t0 = pa::time_point(1000s);

}  // namespace

TEST_CASE("extra_members: the same members before and after outgrowing the local bytes") {
  using pa::extra_members;
  for (const std::size_t bytes :
       {std::size_t{12}, extra_members::local_capacity - 1, extra_members::local_capacity,
        extra_members::local_capacity + 1, 3 * extra_members::local_capacity + 5}) {
    CAPTURE(bytes);
    const member_list m = members_of_size(bytes);
    std::size_t total = 0;
    for (const auto& [name, raw] : m) total += 8 + name.size() + raw.size();
    REQUIRE(total == bytes);
    extra_members e = filled(m);
    CHECK(list(e) == m);
    CHECK(e.size() == m.size());
    CHECK(e.find(m.back().first) == m.back().second);

    // Copies own their bytes, wherever they are kept.
    extra_members copy = e;
    CHECK(copy == e);
    CHECK(list(copy) == m);
    e.add("later", "1");
    CHECK(copy != e);
    CHECK(list(copy) == m);

    // A move takes the members and leaves the source empty and usable.
    extra_members moved = std::move(copy);
    CHECK(list(moved) == m);
    CHECK(copy.empty());                // NOLINT(bugprone-use-after-move): documented state
    CHECK(copy.begin() == copy.end());  // NOLINT(bugprone-use-after-move)
    copy.add("again", "2");
    CHECK(list(copy) == member_list{{"again", "2"}});

    // Assignments in every direction between small and large.
    extra_members small = filled({{"s", "0"}});
    extra_members large = filled(members_of_size(5 * extra_members::local_capacity));
    extra_members a = small;
    a = moved;  // small <- this size, by copy
    CHECK(list(a) == m);
    a = large;  // <- large, by copy
    CHECK(a == large);
    a = small;  // large <- small: the allocation is reused
    CHECK(list(a) == member_list{{"s", "0"}});
    extra_members b = large;
    b = std::move(moved);  // large <- this size, by move
    CHECK(list(b) == m);
    CHECK(moved.empty());  // NOLINT(bugprone-use-after-move)
    extra_members c = small;
    c = std::move(b);  // small <- this size, by move
    CHECK(list(c) == m);
    CHECK(b.empty());  // NOLINT(bugprone-use-after-move)

    // Self-assignment keeps the members (through a reference, as real code would do it).
    extra_members& self = c;
    c = self;
    CHECK(list(c) == m);
    c = std::move(self);
    CHECK(list(c) == m);

    // clear() empties; adding afterwards starts from the beginning.
    c.clear();
    CHECK(c.empty());
    CHECK(c == extra_members{});
    c.add("x", "1");
    CHECK(list(c) == member_list{{"x", "1"}});
  }
}

TEST_CASE("extra_members: equality compares members, not where they are kept") {
  const member_list m = members_of_size(pa::extra_members::local_capacity / 2);
  pa::extra_members grown = filled(members_of_size(4 * pa::extra_members::local_capacity));
  grown.clear();  // keeps its allocation
  for (const auto& [name, raw] : m) grown.add(name, raw);
  CHECK(grown == filled(m));
  CHECK_FALSE(grown != filled(m));
  pa::extra_members fewer = filled(m);
  fewer.add("one", "more");
  CHECK(fewer != filled(m));
  // Same bytes split differently between name and value are different members.
  CHECK(filled({{"ab", "1"}}) != filled({{"a", "b1"}}));
}

TEST_CASE("a token keeps its unknown members through copies and moves") {
  const auto r = pa::parse_token_response(
      json(R"({"access_token":"a","token_type":"Bearer","refresh_expires_in":86400,)"
           R"("not-before-policy":0,"session_state":"7c2e5f1a-3d4b-4e6f-8a9b-0c1d2e3f4a5b"})"),
      t0);
  REQUIRE(r.has_value());
  const member_list expected{{"refresh_expires_in", "86400"},
                             {"not-before-policy", "0"},
                             {"session_state", R"("7c2e5f1a-3d4b-4e6f-8a9b-0c1d2e3f4a5b")"}};
  CHECK(list(r->extra) == expected);
  pa::token copy = *r;
  CHECK(list(copy.extra) == expected);
  pa::token moved = std::move(copy);
  CHECK(list(moved.extra) == expected);
  CHECK(moved.extra_member("not-before-policy") == "0");
  std::vector<pa::token> many(3, moved);  // copies into a vector, then its reallocation
  many.push_back(std::move(moved));
  for (const pa::token& t : many) CHECK(list(t.extra) == expected);
}

TEST_CASE("token_type is compared case-insensitively, byte by byte") {
  // Every ASCII byte at every position of "bearer" (sent as \u escapes, so that any byte can be
  // written): accepted exactly when it is that letter in either case.
  const std::string_view bearer = "bearer";
  for (std::size_t i = 0; i < bearer.size(); ++i) {
    for (int c = 0; c < 0x80; ++c) {
      std::string body = R"({"access_token":"a","token_type":")";
      for (std::size_t k = 0; k < bearer.size(); ++k) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", k == i ? c : bearer[k]);
        body += esc;
      }
      body += "\"}";
      const bool letter = c == bearer[i] || c == bearer[i] - 0x20;
      CAPTURE(i);
      CAPTURE(c);
      const auto t = pa::parse_token_response(json(body), t0);
      REQUIRE(t.has_value() == letter);
      if (!letter) CHECK(t.error().code == pa::errc::unsupported_token_type);
    }
  }
  // Unescaped spellings take the same decision, and the token keeps the spelling as sent.
  for (const char* ok : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    const auto t = pa::parse_token_response(
        json(std::string(R"({"access_token":"a","token_type":")") + ok + "\"}"), t0);
    REQUIRE(t.has_value());
    CHECK(t->token_type == ok);
  }
  for (const char* bad : {"Bearer ", " Bearer", "Beare", "Bearers", "Be@rer", "bearEq"}) {
    CAPTURE(bad);
    const auto t = pa::parse_token_response(
        json(std::string(R"({"access_token":"a","token_type":")") + bad + "\"}"), t0);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == pa::errc::unsupported_token_type);
  }
}

TEST_CASE("a member whose name differs from a known one in any byte is kept as unknown") {
  // The reader compares names in fixed-size words (first and last word, overlapping): a
  // difference in any byte, in the middle or at either end, must make the name unknown.
  for (const std::string_view known : {"scope", "error", "id_token", "token_type", "expires_in",
                                       "access_token", "refresh_token"}) {
    for (std::size_t i = 0; i < known.size(); ++i) {
      for (const char c : {'X', '_', '0'}) {
        if (known[i] == c) continue;
        std::string name(known);
        name[i] = c;
        CAPTURE(name);
        const auto t =
            pa::parse_token_response(json(R"({"access_token":"a",")" + name + R"(":"v"})"), t0);
        REQUIRE(t.has_value());
        CHECK(list(t->extra) == member_list{{name, R"("v")"}});
        CHECK(t->scope.empty());
        CHECK(t->token_type == "Bearer");
      }
    }
  }
}

TEST_CASE("numbers starting with 0 read by the one-pass reader as by the general one") {
  // A lone 0 is read inline; a leading zero goes to the full number scanner, which refuses it.
  for (const char* n : {"0", "0.5", "0e1", "0E+2", "-0", "10", "3600"}) {
    CAPTURE(n);
    const auto t =
        pa::parse_token_response(json(std::string(R"({"access_token":"a","n":)") + n + "}"), t0);
    REQUIRE(t.has_value());
    CHECK(list(t->extra) == member_list{{"n", n}});
  }
  for (const char* n : {"01", "00", "0x1", "0.", "0e", "-"}) {
    CAPTURE(n);
    const auto t =
        pa::parse_token_response(json(std::string(R"({"access_token":"a","n":)") + n + "}"), t0);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == pa::errc::invalid_json);
  }
  // The same at the end of the input and before whitespace.
  const auto last = pa::parse_token_response(json(R"({"access_token":"a","n":0 })"), t0);
  REQUIRE(last.has_value());
  CHECK(last->extra_member("n") == "0");
}
