// SPDX-License-Identifier: MIT
// Tests for the JSON writer: exact bytes of escapes and documents, and writer -> reader round
// trips.
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_writer.hpp>

#include <doctest/doctest.h>

#include <cmath>        // NaN, infinity, signbit
#include <cstdint>      // integer edges
#include <limits>       // numeric_limits
#include <string>       // output
#include <string_view>  // inputs

namespace json = profile::auth::detail::json;
using namespace std::string_view_literals;

namespace {
std::string quoted(std::string_view s, bool* clean = nullptr) {
  std::string out;
  const bool c = json::write_string(out, s);
  if (clean != nullptr) *clean = c;
  return out;
}

/// A straightforward reference for valid UTF-8 input.
std::string reference_escape(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

/// Tiny deterministic PRNG (xorshift64*): reproducible property tests without <random>.
struct prng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1DULL;
  }
};
}  // namespace

TEST_CASE("json writer: write_string golden bytes") {
  CHECK(quoted("") == R"("")");
  CHECK(quoted("abc") == R"("abc")");
  CHECK(quoted("\"") == R"("\"")");
  CHECK(quoted("\\") == R"("\\")");
  CHECK(quoted("/") == R"("/")");
  CHECK(quoted("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(quoted("\x01") == R"("\u0001")");
  CHECK(quoted("\x1f") == R"("\u001f")");
  CHECK(quoted("\x0b") == R"("\u000b")");
  CHECK(quoted("\0"sv) == R"("\u0000")");
  CHECK(quoted("\x7f") == "\"\x7f\"");
  CHECK(quoted("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  CHECK(quoted("a\"b\\c\nd") == R"("a\"b\\c\nd")");
  // Appends; never clears what is already there.
  std::string out = "x=";
  json::write_string(out, "y");
  CHECK(out == R"(x="y")");
  // Every control character, exactly.
  for (int c = 0; c < 0x20; ++c) {
    const std::string s(1, static_cast<char>(c));
    CHECK(quoted(s) == reference_escape(s));
  }
}

TEST_CASE("json writer: invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subpart") {
  const std::string fffd = "\xEF\xBF\xBD";
  struct c {
    std::string_view in;
    std::string want;
  };
  const c cases[] = {
      {"\xFF", fffd},
      {"\x80", fffd},
      {"a\xC3", "a" + fffd},  // truncated at the end
      {"\xC3(", fffd + "("},
      {"\xE2\x82", fffd},  // one subpart of two bytes
      {"\xE2\x82Z", fffd + "Z"},
      {"\xF0\x9F\x98", fffd},  // one subpart of three bytes
      {"\xF0\x9F\x98\xF0\x9F\x98\x80", fffd + "\xF0\x9F\x98\x80"},
      {"\xC0\x80", fffd + fffd},             // overlong: C0 never starts a sequence
      {"\xED\xA0\x80", fffd + fffd + fffd},  // encoded surrogate
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},
      {"ok\xFE\"", "ok" + fffd + "\\\""},
  };
  for (const c& k : cases) {
    CAPTURE(k.in);
    bool clean = true;
    CHECK(quoted(k.in, &clean) == "\"" + k.want + "\"");
    CHECK_FALSE(clean);
    // Whatever came in, what goes out parses as one JSON string.
    const std::string q = quoted(k.in);
    CHECK(json::parse(q).has_value());
  }
  bool clean = false;
  (void)quoted("fine \xC3\xA9", &clean);
  CHECK(clean);
}

TEST_CASE("json writer: escaping agrees with a reference at every position and length") {
  const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\t', '/'};
  for (std::size_t len = 0; len <= 70; ++len) {
    for (std::size_t pos = 0; pos <= len; ++pos) {
      for (char sp : specials) {
        std::string s(len, 'q');
        if (pos < len) s[pos] = sp;
        if (quoted(s) != reference_escape(s)) FAIL_CHECK("len " << len << " pos " << pos);
      }
    }
  }
}

TEST_CASE("json writer: documents, exact bytes") {
  json::writer w;
  w.begin_object()
      .key("a")
      .number(1)
      .key("b")
      .begin_array()
      .boolean(true)
      .boolean(false)
      .null()
      .end_array()
      .key("c")
      .begin_object()
      .key("d")
      .string("e")
      .end_object()
      .key("f")
      .number(-1.5)
      .key("g")
      .begin_array()
      .end_array()
      .key("h")
      .begin_object()
      .end_object()
      .key("q\"k")
      .string("v\n")
      .end_object();
  CHECK(w.complete());
  CHECK(w.str() ==
        R"({"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-1.5,"g":[],"h":{},"q\"k":"v\n"})");
  const std::string body = w.take();
  CHECK(body.front() == '{');
  CHECK(w.str().empty());
  CHECK_FALSE(w.complete());
  // take() resets: a new document can follow.
  w.begin_array().begin_array().end_array().begin_object().end_object().end_array();
  CHECK(w.take() == "[[],{}]");
  w.string("alone");
  CHECK(w.take() == R"("alone")");
  w.number(7);
  CHECK(w.complete());
  CHECK(w.take() == "7");
  // The body the Profile API wants.
  json::writer req;
  req.begin_object()
      .key("grant_type")
      .string("client_credentials")
      .key("client_id")
      .string("cl_4Hq8")
      .key("client_secret")
      .string("s3cr\"t")
      .end_object();
  CHECK(req.take() ==
        R"({"grant_type":"client_credentials","client_id":"cl_4Hq8","client_secret":"s3cr\"t"})");
  // Reusing a buffer: its old contents are dropped.
  json::writer reuse(std::string("stale contents"));
  reuse.null();
  CHECK(reuse.str() == "null");
  // raw_value inserts pre-serialised JSON.
  json::writer raw;
  raw.begin_array().raw_value(R"({"x":[1]})").number(2).end_array();
  CHECK(raw.take() == R"([{"x":[1]},2])");
}

TEST_CASE("json writer: numbers") {
  auto num = [](auto v) {
    json::writer w;
    w.number(v);
    return w.take();
  };
  CHECK(num(std::int64_t{0}) == "0");
  CHECK(num(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(num(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(num(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(num(3600) == "3600");  // int
  CHECK(num(-5L) == "-5");     // long
  CHECK(num(7LL) == "7");      // long long
  CHECK(num(42u) == "42");     // unsigned
  CHECK(num(static_cast<short>(-3)) == "-3");
  CHECK(num(0.1) == "0.1");
  CHECK(num(-1.5) == "-1.5");
  CHECK(num(100.0) == "100");
  CHECK(num(1e21) == "1e+21");
  CHECK(num(1e-7) == "1e-07");
  CHECK(num(-0.0) == "-0");
  CHECK(num(5e-324) == "5e-324");
  CHECK(num(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(num(0.30000000000000004) == "0.30000000000000004");
  CHECK(num(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(num(std::numeric_limits<double>::infinity()) == "null");
  CHECK(num(-std::numeric_limits<double>::infinity()) == "null");
  // Everything written parses back to the same double.
  const double samples[] = {0.1,    1.0 / 3, 6.02214076e23, -2.2250738585072014e-308,
                            5e-324, 1e21,    123456789.125, -0.0};
  for (double d : samples) {
    const std::string s = num(d);
    auto doc = json::parse(s);
    REQUIRE(doc);
    const auto back = doc->root().get_double();
    REQUIRE(back);
    CHECK(*back == d);
    CHECK(std::signbit(*back) == std::signbit(d));
  }
}

TEST_CASE("json writer: round trip writer -> reader, including hostile strings") {
  const std::string tricky[] = {
      "",
      "plain",
      std::string("nul\0inside", 10),
      "quote \" backslash \\ slash / controls \b\f\n\r\t\x01\x1f",
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF",
      std::string(1000, 'x') + "\"" + std::string(1000, '\\'),
  };
  json::writer w;
  w.begin_object();
  int i = 0;
  for (const std::string& s : tricky) w.key("k" + std::to_string(i++)).string(s);
  w.key(tricky[3]).begin_array();
  for (const std::string& s : tricky) w.string(s);
  w.end_array();
  w.key("n").begin_array().number(std::numeric_limits<std::int64_t>::min()).number(0.5).end_array();
  w.end_object();
  const std::string text = w.take();
  auto doc = json::parse(text);
  REQUIRE(doc);
  const json::value root = doc->root();
  CHECK(root.size() == 8);  // k0..k5, the array, n
  for (int k = 0; k < 6; ++k) CHECK(root.find("k" + std::to_string(k))->equals(tricky[k]));
  const auto arr = root.find(tricky[3]);
  REQUIRE(arr);
  int j = 0;
  for (json::value e : arr->elements()) CHECK(e.equals(tricky[j++]));
  CHECK(j == 6);
  auto n = root.find("n")->elements().begin();
  CHECK((*n).get_int64() == std::numeric_limits<std::int64_t>::min());
  ++n;
  CHECK((*n).get_double() == 0.5);
}

TEST_CASE("json writer: random bytes always produce a parseable string") {
  prng r{0x9E3779B97F4A7C15ULL};
  std::string scratch;
  for (int iter = 0; iter < 3000; ++iter) {
    const std::size_t len = r.next() % 64;
    std::string s(len, '\0');
    const bool mostly_ascii = (iter & 1) != 0;
    for (char& c : s) {
      const std::uint64_t x = r.next();
      c = static_cast<char>(mostly_ascii ? ((x & 7) == 0 ? (x >> 8) & 0xFF : 0x20 + (x >> 8) % 95)
                                         : (x >> 8) & 0xFF);
    }
    bool clean = false;
    const std::string q = quoted(s, &clean);
    auto doc = json::parse(q);
    if (!doc) {
      FAIL_CHECK("writer output did not parse: " << doc.error().message);
      continue;
    }
    const bool valid = json::text::is_valid_utf8(s.data(), s.data() + s.size());
    CHECK(clean == valid);
    const auto back = doc->root().get_string(scratch);
    REQUIRE(back);
    if (valid) CHECK(*back == s);
  }
}
