// SPDX-License-Identifier: MIT
// Tests for encoding.hpp: base64/base64url, percent and form encodings, hex, constant_time_equal.
#include <profile/auth/encoding.hpp>

#include <doctest/doctest.h>

#include <cstddef>      // std::size_t
#include <string>       // expected values
#include <string_view>  // message checks

namespace pa = profile::auth;

namespace {
std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}
bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}
// Decodes `text`, expects failure with `code`, returns the message.
template <class R>
std::string error_of(const R& r, pa::errc code) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  return r.error().message;
}
}  // namespace

TEST_CASE("base64: RFC 4648 section 10 vectors") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* b64url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CAPTURE(plain[i]);
    CHECK(pa::base64_encode(plain[i]) == b64[i]);
    CHECK(pa::base64url_encode(plain[i]) == b64url[i]);
    auto d = pa::base64_decode(b64[i]);
    REQUIRE(d.has_value());
    CHECK(*d == plain[i]);
    auto u = pa::base64url_decode(b64url[i]);
    REQUIRE(u.has_value());
    CHECK(*u == plain[i]);
    auto padded = pa::base64url_decode(b64[i]);  // correctly padded base64url is accepted too
    REQUIRE(padded.has_value());
    CHECK(*padded == plain[i]);
  }
}

TEST_CASE("base64url: the bytes that differ from standard base64") {
  CHECK(pa::base64_encode("\xFB\xFF") == "+/8=");
  CHECK(pa::base64url_encode("\xFB\xFF") == "-_8");
  CHECK(pa::base64_encode("\xFB\xEF\xBE") == "++++");
  CHECK(pa::base64url_encode("\xFB\xEF\xBE") == "----");
  CHECK(pa::base64url_encode("\xFF\xFF\xFF") == "____");
  CHECK(pa::base64url_decode("-_8").value() == "\xFB\xFF");
  CHECK(pa::base64_decode("+/8=").value() == "\xFB\xFF");
}

TEST_CASE("base64: all 256 byte values, golden and round trip") {
  const std::string bytes = all_bytes();
  const std::string b64 = pa::base64_encode(bytes);
  const std::string url = pa::base64url_encode(bytes);
  CHECK(b64.substr(0, 24) == "AAECAwQFBgcICQoLDA0ODxAR");
  CHECK(b64.substr(b64.size() - 24) == "8PHy8/T19vf4+fr7/P3+/w==");
  CHECK(url.substr(url.size() - 22) == "8PHy8_T19vf4-fr7_P3-_w");
  CHECK(b64.size() == 344);
  CHECK(url.size() == 342);
  CHECK(pa::base64_decode(b64).value() == bytes);
  CHECK(pa::base64url_decode(url).value() == bytes);
  for (std::size_t n = 0; n <= bytes.size(); ++n) {  // every length and tail shape
    const std::string_view part = std::string_view(bytes).substr(256 - n);
    CHECK(pa::base64_decode(pa::base64_encode(part)).value() == part);
    CHECK(pa::base64url_decode(pa::base64url_encode(part)).value() == part);
  }
}

TEST_CASE("base64 _to variants append") {
  std::string out = "Basic ";
  pa::base64_encode_to(out, "a:b");
  CHECK(out == "Basic YTpi");
  pa::base64url_encode_to(out, "\xFB\xFF");
  CHECK(out == "Basic YTpi-_8");
}

TEST_CASE("base64_decode: every malformed class fails with invalid_base64 and a position") {
  using pa::errc;
  CHECK(contains(error_of(pa::base64_decode("Zm9"), errc::invalid_base64), "length 3"));
  CHECK(contains(error_of(pa::base64_decode("Zg="), errc::invalid_base64), "multiple of 4"));
  CHECK(contains(error_of(pa::base64_decode("Zg"), errc::invalid_base64), "length 2"));
  // Padding in the middle, or too much of it.
  auto m = error_of(pa::base64_decode("Zg==Zg=="), errc::invalid_base64);
  CHECK(contains(m, "position 2"));
  CHECK(contains(m, "padding"));
  CHECK(contains(error_of(pa::base64_decode("Z==="), errc::invalid_base64), "position 1"));
  CHECK(contains(error_of(pa::base64_decode("===="), errc::invalid_base64), "position 0"));
  CHECK(contains(error_of(pa::base64_decode("Zm=v"), errc::invalid_base64), "position 2"));
  // Non-zero unused bits: "Zh==" and "Zg==" would otherwise both decode to "f".
  m = error_of(pa::base64_decode("Zh=="), errc::invalid_base64);
  CHECK(contains(m, "position 1"));
  CHECK(contains(m, "unused bits"));
  CHECK(contains(error_of(pa::base64_decode("Zm9="), errc::invalid_base64), "position 2"));
  // Bytes outside the alphabet.
  m = error_of(pa::base64_decode("Zm9*"), errc::invalid_base64);
  CHECK(contains(m, "'*' at position 3"));
  CHECK(contains(error_of(pa::base64_decode("Zm 9"), errc::invalid_base64), "0x20 at position 2"));
  CHECK(contains(error_of(pa::base64_decode("Zm9v\nYmF"), errc::invalid_base64), "0x0A"));
  CHECK(contains(error_of(pa::base64_decode("Zm9vYmF\x80"), errc::invalid_base64), "0x80"));
  CHECK(contains(error_of(pa::base64_decode(std::string_view("Zm\0v", 4)), errc::invalid_base64),
                 "0x00 at position 2"));
  CHECK(contains(error_of(pa::base64_decode("-_8="), errc::invalid_base64), "base64url"));
  CHECK(contains(error_of(pa::base64_decode("AAAAAAAA_AAA"), errc::invalid_base64), "position 8"));
}

TEST_CASE("base64url_decode: malformed classes") {
  using pa::errc;
  CHECK(contains(error_of(pa::base64url_decode("Z"), errc::invalid_base64), "dangling"));
  CHECK(contains(error_of(pa::base64url_decode("Zm9vY"), errc::invalid_base64), "length 5"));
  CHECK(contains(error_of(pa::base64url_decode("Zg="), errc::invalid_base64), "incomplete"));
  CHECK(contains(error_of(pa::base64url_decode("Zg=A"), errc::invalid_base64), "position 2"));
  CHECK(contains(error_of(pa::base64url_decode("Zh"), errc::invalid_base64), "unused bits"));
  CHECK(contains(error_of(pa::base64url_decode("Zm9"), errc::invalid_base64), "unused bits"));
  auto m = error_of(pa::base64url_decode("+/8"), errc::invalid_base64);
  CHECK(contains(m, "'+' at position 0"));
  CHECK(contains(m, "standard base64"));
  CHECK(contains(m, "base64url input"));
  CHECK(contains(error_of(pa::base64url_decode("eyJh.bGc"), errc::invalid_base64),
                 "'.' at position 4"));
}

TEST_CASE("percent_encode: RFC 3986 unreserved kept, everything else %XX upper case") {
  CHECK(pa::percent_encode("") == "");
  CHECK(pa::percent_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(pa::percent_encode("a b") == "a%20b");
  CHECK(pa::percent_encode("a+b&c=d/e?f#g%") == "a%2Bb%26c%3Dd%2Fe%3Ff%23g%25");
  CHECK(pa::percent_encode("\xC3\xA9") == "%C3%A9");
  CHECK(pa::percent_encode(std::string_view("\0\xFF", 2)) == "%00%FF");
  CHECK(pa::percent_encode("https://x/cb?a=1") == "https%3A%2F%2Fx%2Fcb%3Fa%3D1");
  std::string out = "q=";
  pa::percent_encode_to(out, "*!");
  CHECK(out == "q=%2A%21");
  const std::string bytes = all_bytes();
  const std::string enc = pa::percent_encode(bytes);
  CHECK(enc.size() == 66 + 190 * 3);  // 66 unreserved bytes
  CHECK(pa::percent_decode(enc).value() == bytes);
}

TEST_CASE("form_urlencode: space to '+', RFC 6749 2.3.1 client credentials") {
  CHECK(pa::form_urlencode("a b+c") == "a+b%2Bc");
  CHECK(pa::form_urlencode("~*") == "~%2A");
  CHECK(pa::form_urlencode("my client:1") == "my+client%3A1");
  CHECK(pa::form_urlencode("s3cr%t/=") == "s3cr%25t%2F%3D");
  std::string out = "x";
  pa::form_urlencode_to(out, " ");
  CHECK(out == "x+");
  const std::string bytes = all_bytes();
  CHECK(pa::form_urldecode(pa::form_urlencode(bytes)).value() == bytes);
}

TEST_CASE("append_form_field builds a form body") {
  std::string body;
  pa::append_form_field(body, "grant_type", "client_credentials");
  CHECK(body == "grant_type=client_credentials");
  pa::append_form_field(body, "scope", "read write");
  pa::append_form_field(body, "redirect_uri", "https://app/cb?x=1");
  CHECK(
      body ==
      "grant_type=client_credentials&scope=read+write&redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fx%3D1");
  std::string empty_fields;
  pa::append_form_field(empty_fields, "", "");
  CHECK(empty_fields == "=");
}

TEST_CASE("percent_decode and form_urldecode") {
  CHECK(pa::percent_decode("").value() == "");
  CHECK(pa::percent_decode("%41%42c").value() == "ABc");
  CHECK(pa::percent_decode("%4a%4A%c3%A9").value() == "JJ\xC3\xA9");
  CHECK(pa::percent_decode("a+b").value() == "a+b");
  CHECK(pa::percent_decode("%00").value() == std::string(1, '\0'));
  CHECK(pa::percent_decode("100%25").value() == "100%");
  CHECK(pa::form_urldecode("a+b%2B+").value() == "a b+ ");
  CHECK(pa::form_urldecode("%2b").value() == "+");
}

TEST_CASE("percent_decode: malformed escapes name the position, never the data") {
  using pa::errc;
  auto m = error_of(pa::percent_decode("%"), errc::invalid_percent_encoding);
  CHECK(contains(m, "position 0"));
  CHECK(contains(m, "fewer than two"));
  CHECK(
      contains(error_of(pa::percent_decode("ab%4"), errc::invalid_percent_encoding), "position 2"));
  m = error_of(pa::percent_decode("x%zz"), errc::invalid_percent_encoding);
  CHECK(contains(m, "position 1"));
  CHECK(contains(m, "two hex digits"));
  CHECK(
      contains(error_of(pa::percent_decode("%4g"), errc::invalid_percent_encoding), "position 0"));
  CHECK(
      contains(error_of(pa::percent_decode("%%41"), errc::invalid_percent_encoding), "position 0"));
  CHECK(contains(error_of(pa::form_urldecode("a+b%+1"), errc::invalid_percent_encoding),
                 "position 3"));
  m = error_of(pa::form_urldecode("TOPSECRET%G0"), errc::invalid_percent_encoding);
  CHECK_FALSE(contains(m, "TOPSECRET"));
}

TEST_CASE("hex_encode") {
  CHECK(pa::hex_encode("") == "");
  CHECK(pa::hex_encode(std::string_view("\x00\x01\xAB\xFF", 4)) == "0001abff");
}

TEST_CASE("constant_time_equal") {
  CHECK(pa::constant_time_equal("", ""));
  CHECK(pa::constant_time_equal("state-123", "state-123"));
  CHECK_FALSE(pa::constant_time_equal("state-123", "state-12"));
  CHECK_FALSE(pa::constant_time_equal("", "a"));
  const std::string base = "0123456789abcdefghijklmnopqrstuvwxyz";  // word loop + byte tail
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string other = base;
      other[i] = static_cast<char>(other[i] ^ (1 << bit));
      CAPTURE(i);
      CHECK_FALSE(pa::constant_time_equal(base, other));
    }
  }
  CHECK(pa::constant_time_equal(base, std::string(base)));
  CHECK(pa::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  CHECK_FALSE(pa::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}
