// SPDX-License-Identifier: MIT
// Tests for header.hpp: b64token, field values and Bearer header values.
#include <profile/auth/header.hpp>

#include <doctest/doctest.h>

#include <array>   // output buffers
#include <string>  // expected values

namespace pa = profile::auth;

TEST_CASE("is_b64token follows RFC 6750 section 2.1") {
  CHECK(pa::is_b64token("abc"));
  CHECK(pa::is_b64token("AZaz09-._~+/"));
  CHECK(pa::is_b64token("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"));
  CHECK(pa::is_b64token("abc="));
  CHECK(pa::is_b64token("abc=="));
  CHECK(pa::is_b64token("a==="));
  CHECK_FALSE(pa::is_b64token(""));
  CHECK_FALSE(pa::is_b64token("="));
  CHECK_FALSE(pa::is_b64token("=abc"));
  CHECK_FALSE(pa::is_b64token("ab=c"));  // a token character after padding
  CHECK_FALSE(pa::is_b64token("ab c"));
  CHECK_FALSE(pa::is_b64token("abc\r\nX-Evil: 1"));
  CHECK_FALSE(pa::is_b64token("abc\n"));
  CHECK_FALSE(pa::is_b64token(std::string("ab\0c", 4)));
  CHECK_FALSE(pa::is_b64token("ab\tc"));
  CHECK_FALSE(pa::is_b64token("a|b"));  // e.g. Facebook app tokens: not b64token
  CHECK_FALSE(pa::is_b64token("a,b"));
  CHECK_FALSE(pa::is_b64token("a\"b"));
  CHECK_FALSE(pa::is_b64token("caf\xC3\xA9"));
  static_assert(pa::is_b64token("x"));
  static_assert(!pa::is_b64token("x y"));
}

TEST_CASE("is_b64token accepts exactly the listed characters") {
  int accepted = 0;
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (pa::is_b64token(std::string_view(&ch, 1))) ++accepted;
  }
  CHECK(accepted == 26 + 26 + 10 + 6);
}

TEST_CASE("is_valid_field_value follows RFC 9110 field-value") {
  CHECK(pa::is_valid_field_value(""));
  CHECK(pa::is_valid_field_value("Bearer abc"));
  CHECK(pa::is_valid_field_value("a\tb c"));
  CHECK(pa::is_valid_field_value("caf\xC3\xA9"));  // obs-text
  CHECK(pa::is_valid_field_value("!~"));
  CHECK_FALSE(pa::is_valid_field_value("a\rb"));
  CHECK_FALSE(pa::is_valid_field_value("a\nb"));
  CHECK_FALSE(pa::is_valid_field_value(std::string("a\0b", 3)));
  CHECK_FALSE(pa::is_valid_field_value("a\x7F"));
  CHECK_FALSE(pa::is_valid_field_value("a\x01"));
  CHECK_FALSE(pa::is_valid_field_value(" a"));
  CHECK_FALSE(pa::is_valid_field_value("a "));
  CHECK_FALSE(pa::is_valid_field_value("a\t"));
  CHECK_FALSE(pa::is_valid_field_value(" "));
}

TEST_CASE("bearer_header_value builds the exact value") {
  auto v = pa::bearer_header_value(pa::secret("abc.DEF-123_~+/=="));
  REQUIRE(v.has_value());
  CHECK(*v == "Bearer abc.DEF-123_~+/==");

  pa::token t;
  t.access_token = pa::secret("tok");
  auto w = pa::bearer_header_value(t);
  REQUIRE(w.has_value());
  CHECK(*w == "Bearer tok");
}

TEST_CASE("bearer_header_value rejects bad tokens without echoing them") {
  const std::string bad[] = {"TOPSECRET\r\nX-Injected: yes", "TOPSECRET with space", "TOPSECRET,x",
                             "TOPSECRET\x80", std::string("TOPSECRET\0", 10)};
  for (const auto& b : bad) {
    auto v = pa::bearer_header_value(pa::secret(b));
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == pa::errc::invalid_header_value);
    CHECK(v.error().message.find("TOPSECRET") == std::string::npos);
    CHECK(v.error().message.find("offset 9") != std::string::npos);
  }
  auto p = pa::bearer_header_value(pa::secret("TOPSECRET=x"));  // token byte after padding
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().message.find("offset 10 of 11") != std::string::npos);
  auto e = pa::bearer_header_value(pa::secret(""));
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::invalid_header_value);
  CHECK(e.error().message.find("empty") != std::string::npos);
}

TEST_CASE("write_bearer_header_value writes without allocating") {
  const pa::secret tok("abc123");
  CHECK(pa::bearer_header_size(tok) == 13);

  std::array<char, 13> exact{};
  std::size_t written = 99;
  REQUIRE(pa::write_bearer_header_value(tok, exact, written));
  CHECK(written == 13);
  CHECK(std::string_view(exact.data(), written) == "Bearer abc123");

  std::array<char, 12> small{};
  written = 0;
  CHECK_FALSE(pa::write_bearer_header_value(tok, small, written));
  CHECK(written == 13);  // the size needed

  std::array<char, 64> big{};
  CHECK_FALSE(pa::write_bearer_header_value(pa::secret("a b"), big, written));
  CHECK(written == 0);
  CHECK(big[0] == '\0');  // nothing written
  CHECK_FALSE(pa::write_bearer_header_value(pa::secret(""), big, written));
  CHECK(written == 0);
}
