// SPDX-License-Identifier: MIT
// Tests for the strict JSON reader: grammar, escapes, UTF-8, limits, duplicate keys, numbers.
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_flat.hpp>
#include <profile/auth/detail/json_writer.hpp>

#include <doctest/doctest.h>

#include <cmath>        // std::signbit
#include <cstddef>      // std::size_t
#include <cstdint>      // INT64_MIN/MAX, the mutation generator's state
#include <iterator>     // iterator concepts
#include <limits>       // numeric_limits
#include <ranges>       // std::ranges::range
#include <string>       // building inputs
#include <string_view>  // views into inputs
#include <vector>       // table-driven cases

namespace pa = profile::auth;
namespace json = profile::auth::detail::json;
using namespace std::string_view_literals;

static_assert(std::forward_iterator<json::member_iterator>);
static_assert(std::forward_iterator<json::element_iterator>);
static_assert(std::ranges::range<json::range<json::member_iterator>>);
static_assert(std::ranges::range<json::range<json::element_iterator>>);
static_assert(sizeof(json::value) == 2 * sizeof(void*), "a value is a cheap handle");

// The document references its input: parsing a temporary std::string must not compile.
template <class T>
concept parsable = requires(T&& t) { json::parse(static_cast<T&&>(t)); };
static_assert(!parsable<std::string>);
static_assert(!parsable<std::string&&>);
static_assert(parsable<std::string&>);
static_assert(parsable<const std::string&>);
static_assert(parsable<std::string_view>);
static_assert(parsable<const char*>);
static_assert(parsable<const char (&)[3]>);

namespace {

/// Parses text that must be valid; fails the test otherwise.
json::document must_parse(std::string_view text, const json::limits& lim = {}) {
  auto r = json::parse(text, lim);
  if (!r) FAIL_CHECK("unexpected parse failure: " << r.error().message);
  REQUIRE(r.has_value());
  return std::move(*r);
}

/// The error of a parse that must fail.
pa::error must_fail(std::string_view text, const json::limits& lim = {}) {
  auto r = json::parse(text, lim);
  REQUIRE_MESSAGE(!r.has_value(), "accepted invalid JSON");
  return r.error();
}

std::string decoded(json::value v) {
  std::string s;
  REQUIRE(v.copy_string_to(s));
  return s;
}

}  // namespace

TEST_CASE("json: scalars at the top level, with surrounding whitespace") {
  CHECK(must_parse("null").root().is_null());
  CHECK(must_parse("true").root().get_bool() == true);
  CHECK(must_parse("false").root().get_bool() == false);
  CHECK(must_parse("0").root().get_int64() == 0);
  CHECK(must_parse("\"\"").root().is_string());
  const auto d = must_parse(" \t\r\n -12.5e1 \n\t\r ");
  CHECK(d.root().is_number());
  CHECK(d.root().raw() == "-12.5e1");
  CHECK(d.root().offset() == 5);
  CHECK(d.root().get_double() == -125.0);
  CHECK(d.root().get_int64() == -125);
}

TEST_CASE("json: kinds, predicates and size()") {
  const auto d = must_parse(R"([null,true,1,"s",[],{}])");
  const json::kind expect[] = {json::kind::null,   json::kind::boolean, json::kind::number,
                               json::kind::string, json::kind::array,   json::kind::object};
  std::size_t i = 0;
  for (json::value e : d.root().elements()) {
    REQUIRE(i < 6);
    CHECK(e.type() == expect[i]);
    CHECK(e.is_null() == (i == 0));
    CHECK(e.is_bool() == (i == 1));
    CHECK(e.is_number() == (i == 2));
    CHECK(e.is_string() == (i == 3));
    CHECK(e.is_array() == (i == 4));
    CHECK(e.is_object() == (i == 5));
    CHECK(e.size() == 0);  // scalars and empty containers alike
    CHECK_FALSE(e.find("x").has_value());
    ++i;
  }
  CHECK(i == 6);
  CHECK(d.root().size() == 6);
  // Accessors of the wrong kind answer "no" instead of misbehaving.
  const auto s = must_parse(R"("5")");
  CHECK_FALSE(s.root().get_int64().has_value());
  CHECK_FALSE(s.root().get_double().has_value());
  CHECK_FALSE(s.root().get_bool().has_value());
  CHECK(s.root().members().empty());
  CHECK(s.root().elements().empty());
  const auto n = must_parse("5");
  std::string scratch = "untouched";
  CHECK_FALSE(n.root().get_string(scratch).has_value());
  CHECK_FALSE(n.root().copy_string_to(scratch));
  CHECK(scratch == "untouched");
  CHECK(n.root().string_size() == 0);
  CHECK_FALSE(n.root().equals("5"));
}

TEST_CASE("json: objects keep document order; find, members, nested raw text") {
  const std::string text = R"({"b":1, "a" : [1, {"x":null}] ,"c":{"d":"e"},"e":{}})";
  const auto d = must_parse(text);
  const json::value root = d.root();
  REQUIRE(root.is_object());
  CHECK(root.size() == 4);
  CHECK(root.raw() == text);
  std::vector<std::string> keys;
  for (auto m : root.members()) keys.push_back(decoded(m.key));
  CHECK(keys == std::vector<std::string>{"b", "a", "c", "e"});
  CHECK(root.find("a")->raw() == R"([1, {"x":null}])");
  CHECK(root.find("a")->size() == 2);
  CHECK(root.find("c")->find("d")->equals("e"));
  CHECK(root.find("e")->is_object());
  CHECK(root.find("e")->size() == 0);
  CHECK_FALSE(root.find("d").has_value());  // only direct members are found
  CHECK_FALSE(root.find("").has_value());
  CHECK(root.elements().empty());  // an object has members, not elements
  const json::value arr = *root.find("a");
  CHECK(arr.members().empty());
  auto it = arr.elements().begin();
  CHECK((*it).get_int64() == 1);
  ++it;
  CHECK((*it).find("x")->is_null());
  ++it;
  CHECK(it == arr.elements().end());
  // Post-increment and the member key's raw text.
  auto mi = root.members().begin();
  auto prev = mi++;
  CHECK((*prev).key.raw() == "\"b\"");
  CHECK((*mi).key.raw() == "\"a\"");
}

TEST_CASE("json: values stay valid when the document is moved") {
  const std::string text = R"({"k":["v"]})";
  auto r = json::parse(text);
  REQUIRE(r);
  const json::value v = *r->root().find("k");
  json::document moved = std::move(*r);
  CHECK(v.elements().begin() != v.elements().end());
  CHECK((*v.elements().begin()).equals("v"));
  CHECK(moved.root().find("k")->raw() == R"(["v"])");
}

TEST_CASE("json: every escape decodes") {
  struct c {
    std::string_view json;
    std::string want;
  };
  const c cases[] = {
      {R"("\"")", "\""},
      {R"("\\")", "\\"},
      {R"("\/")", "/"},
      {R"("\b")", "\b"},
      {R"("\f")", "\f"},
      {R"("\n")", "\n"},
      {R"("\r")", "\r"},
      {R"("\t")", "\t"},
      {R"("\u0041")", "A"},
      {R"("\u0000")", std::string(1, '\0')},
      {R"("\u007f")", "\x7f"},
      {R"("\u0080")", "\xC2\x80"},
      {R"("\u00e9")", "\xC3\xA9"},
      {R"("\u00E9")", "\xC3\xA9"},
      {R"("\u07FF")", "\xDF\xBF"},
      {R"("\u0800")", "\xE0\xA0\x80"},
      {R"("\u20AC")", "\xE2\x82\xAC"},
      {R"("\uD7FF")", "\xED\x9F\xBF"},
      {R"("\uE000")", "\xEE\x80\x80"},
      {R"("\uFFFF")", "\xEF\xBF\xBF"},
      {R"("\uD800\uDC00")", "\xF0\x90\x80\x80"},  // first supplementary code point
      {R"("\uD83D\uDE00")", "\xF0\x9F\x98\x80"},  // U+1F600
      {R"("\ud83d\ude00")", "\xF0\x9F\x98\x80"},  // lower-case hex
      {R"("\uDBFF\uDFFF")", "\xF4\x8F\xBF\xBF"},  // U+10FFFF, the last one
      {R"("a\nb\u00e9c\\d")",
       "a\nb\xC3\xA9"
       "c\\d"},
      {R"("\"\\\/\b\f\n\r\t")", "\"\\/\b\f\n\r\t"},
  };
  for (const c& k : cases) {
    CAPTURE(k.json);
    const auto d = must_parse(k.json);
    CHECK(d.root().has_escapes());
    CHECK(decoded(d.root()) == k.want);
    CHECK(d.root().string_size() == k.want.size());
    CHECK(d.root().equals(k.want));
    CHECK_FALSE(d.root().equals(k.want + "x"));
    std::string scratch;
    CHECK(*d.root().get_string(scratch) == k.want);
    char buf[64];
    CHECK(d.root().copy_string_to(buf, sizeof buf) == k.want.size());
    CHECK(std::string_view(buf, k.want.size()) == k.want);
    CHECK_FALSE(d.root().copy_string_to(buf, k.want.size() - 1).has_value());
  }
}

TEST_CASE("json: unescaped strings are views into the input; escaped ones use scratch") {
  const std::string text = R"(["plain","esc\u0041ped"])";
  const auto d = must_parse(text);
  auto it = d.root().elements().begin();
  const json::value plain = *it++;
  const json::value esc = *it;
  std::string scratch = "keep";
  const auto p = plain.get_string(scratch);
  REQUIRE(p);
  CHECK(*p == "plain");
  CHECK(p->data() == text.data() + 2);  // no copy
  CHECK(scratch == "keep");             // scratch untouched
  CHECK_FALSE(plain.has_escapes());
  const auto e = esc.get_string(scratch);
  REQUIRE(e);
  CHECK(*e == "escAped");
  CHECK(e->data() == scratch.data());
  CHECK(esc.raw() == R"("esc\u0041ped")");
}

TEST_CASE("json: valid UTF-8 passes, including every boundary sequence") {
  const std::string ok[] = {
      "\x7f",
      "\xC2\x80",
      "\xDF\xBF",
      "\xE0\xA0\x80",
      "\xE0\xBF\xBF",
      "\xE1\x80\x80",
      "\xEC\xBF\xBF",
      "\xED\x80\x80",
      "\xED\x9F\xBF",
      "\xEE\x80\x80",
      "\xEF\xBF\xBF",
      "\xF0\x90\x80\x80",
      "\xF0\xBF\xBF\xBF",
      "\xF1\x80\x80\x80",
      "\xF3\xBF\xBF\xBF",
      "\xF4\x80\x80\x80",
      "\xF4\x8F\xBF\xBF",
      "h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC"};
  for (const std::string& s : ok) {
    CAPTURE(s);
    const std::string text = "\"" + s + "\"";
    const auto d = must_parse(text);
    CHECK(decoded(d.root()) == s);
    CHECK_FALSE(d.root().has_escapes());
    const std::string as_key = "{\"" + s + "\":1}";
    CHECK(must_parse(as_key).root().find(s).has_value());
  }
}

TEST_CASE("json: invalid UTF-8 is errc::invalid_utf8, in values and in keys") {
  const std::string bad[] = {
      "\x80",              // lone continuation byte
      "\xBF",              //
      "\xC0\x80",          // overlong NUL
      "\xC1\xBF",          // overlong
      "\xE0\x80\x80",      // overlong 3-byte
      "\xE0\x9F\xBF",      // overlong 3-byte (U+07FF)
      "\xF0\x80\x80\x80",  // overlong 4-byte
      "\xF0\x8F\xBF\xBF",  // overlong 4-byte (U+FFFF)
      "\xED\xA0\x80",      // U+D800 encoded directly
      "\xED\xBF\xBF",      // U+DFFF encoded directly
      "\xF4\x90\x80\x80",  // U+110000
      "\xF5\x80\x80\x80",  // lead byte above F4
      "\xF8\x88\x80\x80\x80",
      "\xFE",
      "\xFF",
      "\xC3",                // truncated 2-byte (the closing quote follows)
      "\xE2\x82",            // truncated 3-byte
      "\xF0\x9F\x98",        // truncated 4-byte
      "\xC3\x28",            // bad continuation
      "\xE2\x28\xA1",        //
      "\xF0\x9F\x28\x80",    //
      "ok\xC3\xA9then\xFF",  // valid stretch, then a bad byte
  };
  for (const std::string& s : bad) {
    CAPTURE(s);
    const pa::error e = must_fail("\"" + s + "\"");
    CHECK(e.code == pa::errc::invalid_utf8);
    CHECK(e.message.find("invalid UTF-8") != std::string::npos);
    CHECK(must_fail("{\"" + s + "\":1}").code == pa::errc::invalid_utf8);
    CHECK(must_fail("[\"abcdefghijklmnopqrstuvwxyz0123456789" + s + "\"]").code ==
          pa::errc::invalid_utf8);
  }
  // Truncated at the very end of the input (no closing quote to stop at).
  CHECK(must_fail("\"\xC3").code == pa::errc::invalid_utf8);
  CHECK(must_fail("\"\xF0\x9F").code == pa::errc::invalid_utf8);
  // The offset names the first bad byte.
  CHECK(must_fail("\"ab\xFF\"").message.find("at byte 3:") != std::string::npos);
}

TEST_CASE("json: lone and misordered surrogate escapes are errc::invalid_utf8") {
  const std::string_view bad[] = {
      R"("\uD800")",       R"("\uDBFF")",       R"("\uDC00")",       R"("\uDFFF")",
      R"("\uD800x")",      R"("\uD800\n")",     R"("\uD800\u0041")", R"("\uD800\uD800")",
      R"("\uDC00\uD800")", R"("\uD800\uE000")", R"(["\uD83D"])",     R"({"\uDE00":1})",
  };
  for (std::string_view s : bad) {
    CAPTURE(s);
    CHECK(must_fail(s).code == pa::errc::invalid_utf8);
  }
  // A high surrogate cut off by the end of the input.
  CHECK(must_fail(R"("\uD800)").code == pa::errc::invalid_utf8);
  CHECK(must_fail(R"("\uD800\u)").code == pa::errc::invalid_json);  // bad second escape
  CHECK(must_fail(R"("\uD800\uDC0G")").code == pa::errc::invalid_json);
}

TEST_CASE("json: syntax errors are errc::invalid_json with the byte offset") {
  struct c {
    std::string_view text;
    std::size_t offset;
  };
  const c cases[] = {
      {"", 0},
      {"   ", 3},
      {"[", 1},
      {"]", 0},
      {"{", 1},
      {"}", 0},
      {"[1,]", 3},
      {"[,1]", 1},
      {"[1 2]", 3},
      {"[1,2", 4},
      {"{\"a\"}", 4},
      {"{\"a\":}", 5},
      {"{\"a\":1,}", 7},
      {"{\"a\" 1}", 5},
      {"{\"a\":1 \"b\":2}", 7},
      {"{1:2}", 1},
      {"{'a':1}", 1},
      {"{a:1}", 1},
      {"['a']", 1},
      {"[1]]", 3},
      {"{\"a\":1}}", 7},
      {"[[[", 3},
      {"tru", 0},
      {"truex", 4},
      {"nul", 0},
      {"nulll", 4},
      {"True", 0},
      {"NULL", 0},
      {"fals", 0},
      {"NaN", 0},
      {"Infinity", 0},
      {"-Infinity", 1},
      {"undefined", 0},
      {"-", 1},
      {"+1", 0},
      {"--1", 1},
      {"01", 0},
      {"-01", 1},
      {"00", 0},
      {".5", 0},
      {"1.", 2},
      {"1.e5", 2},
      {"1e", 2},
      {"1e+", 3},
      {"1E-", 3},
      {"1e5.0", 3},
      {"0x10", 1},
      {"1 2", 2},
      {"[] x", 3},
      {"{}{}", 2},
      {"\"abc", 0},
      {"\"\\", 0},
      {"\"abc\\\"", 0},
      {"\"\\x\"", 1},
      {"\"\\U0041\"", 1},
      {"\"\\u12\"", 1},
      {"\"\\u12G4\"", 1},
      {"\"\\u\"", 1},
      {"\"a\tb\"", 2},
      {"\"a\nb\"", 2},
      {"/*c*/1", 0},
      {"// c\n1", 0},
      {"\xEF\xBB\xBF{}", 0},  // UTF-8 byte order mark (see below)
      {",", 0},
      {":", 0},
      {"[1,2,]", 5},
      {"\f1", 0},  // form feed is not JSON whitespace
      {"\v1", 0},
      {"1\f", 1},
      {"\xC2\xA0"
       "1",
       0},  // no-break space neither
  };
  for (const c& k : cases) {
    CAPTURE(k.text);
    const pa::error e = must_fail(k.text);
    CHECK(e.code == pa::errc::invalid_json);
    CHECK(e.message.find("invalid JSON at byte " + std::to_string(k.offset) + ":") !=
          std::string::npos);
  }
  CHECK(must_fail("\xEF\xBB\xBF{}").message.find("byte order mark") != std::string::npos);
  CHECK(must_fail("\xEF\xBB").message.find("byte order mark") == std::string::npos);
  // An empty view, even one without storage, is an error and not a crash.
  CHECK(must_fail(std::string_view()).code == pa::errc::invalid_json);
  // NUL bytes are data, not terminators.
  CHECK(must_fail(std::string_view("1\0", 2)).code == pa::errc::invalid_json);
  CHECK(must_fail(std::string_view("\"a\0b\"", 5)).code == pa::errc::invalid_json);
  CHECK(must_fail(std::string_view("\0", 1)).code == pa::errc::invalid_json);
}

TEST_CASE("json: every unescaped control character in a string is rejected; DEL is not") {
  for (int c = 0; c < 0x20; ++c) {
    CAPTURE(c);
    const std::string s = std::string("\"x") + static_cast<char>(c) + "\"";
    const pa::error e = must_fail(s);
    CHECK(e.code == pa::errc::invalid_json);
    CHECK(e.message.find("control character") != std::string::npos);
  }
  CHECK(decoded(must_parse("\"\x7f\"").root()) == "\x7f");
}

TEST_CASE("json: messages give what was expected and never quote the input") {
  const std::string secret = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2ln";
  const std::string inputs[] = {
      "{\"access_token\":\"" + secret + "\",}",
      "{\"access_token\":\"" + secret + "\" " + secret + "}",
      "{\"" + secret + "\":1,\"" + secret + "\":2}",
      "{\"access_token\":\"" + secret + "\xFF\"}",
      "{\"access_token\":" + secret + "}",
      "[\"" + secret + "\"] " + secret,
  };
  for (const std::string& in : inputs) {
    const pa::error e = must_fail(in);
    CHECK(e.message.find(secret) == std::string::npos);
    CHECK(e.message.find("eyJ") == std::string::npos);
    CHECK(e.message.find("at byte ") != std::string::npos);
  }
  json::limits small;
  small.max_string = 8;
  const pa::error e = must_fail("[\"" + secret + "\"]", small);
  CHECK(e.message.find(secret) == std::string::npos);
  CHECK(must_fail("[1 2]").message ==
        "invalid JSON at byte 3: expected ',' or ']' after an "
        "array element");
  CHECK(must_fail("{\"a\" 1}").message ==
        "invalid JSON at byte 5: expected ':' after a member "
        "name");
}

TEST_CASE("json: limit max_size") {
  json::limits lim;
  lim.max_size = 10;
  CHECK(must_parse("[1,2,3,45]", lim).root().size() == 4);  // exactly 10 bytes
  const pa::error e = must_fail("[1,2,3,456]", lim);
  CHECK(e.code == pa::errc::limit_exceeded);
  CHECK(e.message.find("max_size") != std::string::npos);
  CHECK(e.message.find("11 bytes") != std::string::npos);
  lim.max_size = 0;
  CHECK(must_fail("1", lim).code == pa::errc::limit_exceeded);
  // Whitespace counts too: it is the transport's byte count that is bounded.
  lim.max_size = 3;
  CHECK(must_fail("  1 ", lim).code == pa::errc::limit_exceeded);
}

TEST_CASE("json: limit max_depth, at and past the limit, without recursion") {
  auto nested = [](std::size_t n, char open, char close) {
    std::string s(n, open);
    if (open == '{') {
      s.clear();
      for (std::size_t i = 0; i < n; ++i) s += "{\"k\":";
      s += "1";
      for (std::size_t i = 0; i < n; ++i) s += "}";
      return s;
    }
    return s + std::string(n, close);
  };
  const json::limits def;
  REQUIRE(def.max_depth == 32);
  CHECK(must_parse(nested(32, '[', ']')).root().is_array());
  CHECK(must_parse(nested(32, '{', '}')).root().is_object());
  pa::error e = must_fail(nested(33, '[', ']'));
  CHECK(e.code == pa::errc::limit_exceeded);
  CHECK(e.message.find("max_depth") != std::string::npos);
  CHECK(e.message.find("at byte 32:") != std::string::npos);
  CHECK(must_fail(nested(33, '{', '}')).code == pa::errc::limit_exceeded);
  // Mixed nesting counts both kinds.
  std::string mixed;
  for (int i = 0; i < 16; ++i) mixed += "[{\"a\":";
  mixed += "[]";
  for (int i = 0; i < 16; ++i) mixed += "}]";
  CHECK(must_fail(mixed).code == pa::errc::limit_exceeded);
  // Siblings do not add up: depth, not count.
  std::string wide = "[";
  for (int i = 0; i < 100; ++i) wide += std::string(i ? "," : "") + nested(31, '[', ']');
  wide += "]";
  CHECK(must_parse(wide).root().size() == 100);
  // A hostile depth fails fast instead of overflowing a stack.
  json::limits big;
  big.max_depth = 1000000;
  big.max_values = 1 << 22;
  big.max_size = 1 << 22;
  CHECK(must_parse(nested(200000, '[', ']'), big).root().is_array());
  CHECK(must_fail(std::string(1000000, '['), json::limits{}).code == pa::errc::limit_exceeded);
  // max_depth 0: scalars only.
  json::limits flat;
  flat.max_depth = 0;
  CHECK(must_parse("\"s\"", flat).root().is_string());
  CHECK(must_fail("[]", flat).code == pa::errc::limit_exceeded);
  CHECK(must_fail("{}", flat).code == pa::errc::limit_exceeded);
}

TEST_CASE("json: limit max_string counts decoded bytes, for values and keys") {
  json::limits lim;
  lim.max_string = 4;
  CHECK(decoded(must_parse("\"abcd\"", lim).root()) == "abcd");
  CHECK(must_fail("\"abcde\"", lim).code == pa::errc::limit_exceeded);
  CHECK(must_fail("\"abcde\"", lim).message.find("max_string") != std::string::npos);
  // 8 raw bytes, 4 decoded: fits.
  CHECK(decoded(must_parse(R"("\u00e9\u00e9")", lim).root()) == "\xC3\xA9\xC3\xA9");
  // \uD83D\uDE00 is 12 raw bytes and 4 decoded.
  CHECK(decoded(must_parse(R"("\uD83D\uDE00")", lim).root()).size() == 4);
  CHECK(must_fail(R"("\uD83D\uDE00x")", lim).code == pa::errc::limit_exceeded);
  CHECK(must_fail(R"("\n\n\n\n\n")", lim).code == pa::errc::limit_exceeded);
  CHECK(must_parse(R"({"abcd":"abcd"})", lim).root().size() == 1);
  CHECK(must_fail(R"({"abcde":1})", lim).code == pa::errc::limit_exceeded);
  lim.max_string = 0;
  CHECK(must_parse(R"({"":""})", lim).root().size() == 1);
  // The default allows 64 KiB.
  CHECK(must_parse("\"" + std::string(65536, 'a') + "\"").root().string_size() == 65536);
  CHECK(must_fail("\"" + std::string(65537, 'a') + "\"").code == pa::errc::limit_exceeded);
}

TEST_CASE("json: limit max_values counts values, containers included, keys not") {
  json::limits lim;
  lim.max_values = 4;
  CHECK(must_parse("[1,2,3]", lim).root().size() == 3);  // 4 values
  pa::error e = must_fail("[1,2,3,4]", lim);
  CHECK(e.code == pa::errc::limit_exceeded);
  CHECK(e.message.find("max_values") != std::string::npos);
  CHECK(must_parse(R"({"a":1,"b":2,"c":3})", lim).root().size() == 3);
  CHECK(must_parse(R"({"a":1,"b":2,"c":[]})", lim).root().size() == 3);  // 4 values
  CHECK(must_fail(R"({"a":1,"b":2,"c":[0]})", lim).code == pa::errc::limit_exceeded);
  lim.max_values = 0;
  CHECK(must_fail("1", lim).code == pa::errc::limit_exceeded);
}

TEST_CASE("json: many values grow the tape correctly") {
  std::string text = "[";
  for (int i = 0; i < 70000; ++i) text += (i ? ",\"s" : "\"s") + std::to_string(i) + "\"";
  text += "]";
  CHECK(must_fail(text).code == pa::errc::limit_exceeded);  // 70001 values > 65536
  json::limits lim;
  lim.max_values = 100000;
  const auto d = must_parse(text, lim);
  CHECK(d.root().size() == 70000);
  CHECK(d.entry_count() == 70001);
  std::int64_t n = 0;
  for (json::value e : d.root().elements()) {
    if (!e.equals("s" + std::to_string(n))) FAIL_CHECK("element " << n);
    ++n;
  }
  CHECK(n == 70000);
}

TEST_CASE("json: duplicate keys are rejected, compared decoded") {
  const std::string_view dups[] = {
      R"({"a":1,"a":2})",
      R"({"a":1,"b":2,"a":3})",
      R"({"":1,"":2})",
      R"({"a":1,"\u0061":2})",  // escaped spelling of the same key
      R"({"\u00e9":1,"é":2})",  // escaped vs raw UTF-8
      R"({"\/":1,"/":2})",
      R"({"x":{"a":1,"a":2}})",  // nested object
      R"([{"a":1},{"b":1,"b":1}])",
      R"({"access_token":"x","token_type":"Bearer","access_token":"y"})",
  };
  for (std::string_view s : dups) {
    CAPTURE(s);
    const pa::error e = must_fail(s);
    CHECK(e.code == pa::errc::invalid_json);
    CHECK(e.message.find("duplicate") != std::string::npos);
  }
  // The offset points at the repeated key.
  CHECK(must_fail(R"({"a":1,"b":2,"a":3})").message.find("at byte 13:") != std::string::npos);
  const std::string_view fine[] = {
      R"({"a":1,"A":2})",           R"({"ab":1,"ba":2})",
      R"({"a":{"a":{"a":1}}})",  // same key in different objects
      R"([{"a":1},{"a":2}])",       R"({"a":1,"a ":2,"\u0061b":3})",
      R"({"\u00e9":1,"\u00e8":2})",
  };
  for (std::string_view s : fine) {
    CAPTURE(s);
    CHECK(json::parse(s).has_value());
  }
}

TEST_CASE("json: duplicate keys in large objects (sorted check)") {
  auto object = [](int n, const std::string& extra_key) {
    std::string s = "{";
    for (int i = 0; i < n; ++i)
      s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
    if (!extra_key.empty()) s += ",\"" + extra_key + "\":0";
    return s + "}";
  };
  for (int n : {15, 16, 17, 64, 1000}) {
    CAPTURE(n);
    const std::string text = object(n, "");
    const auto d = must_parse(text);
    CHECK(d.root().size() == static_cast<std::size_t>(n));
    CHECK(d.root().find("k" + std::to_string(n - 1))->get_int64() == n - 1);
    CHECK(must_fail(object(n, "k0")).code == pa::errc::invalid_json);
    CHECK(must_fail(object(n, "k" + std::to_string(n / 2))).code == pa::errc::invalid_json);
    CHECK(must_fail(object(n, "\\u006b" + std::to_string(n - 1))).code == pa::errc::invalid_json);
    CHECK(must_parse(object(n, "k" + std::to_string(n))).root().size() ==
          static_cast<std::size_t>(n) + 1);
  }
  // Keys of one length and first byte (the pairwise fast filter cannot help) stay correct.
  std::string s = "{";
  for (int i = 0; i < 15; ++i)
    s += std::string(i ? "," : "") + "\"k" + static_cast<char>('a' + i) + "\":1";
  CHECK(must_parse(s + ",\"kp\":1}").root().size() == 16);
  CHECK(must_parse(s + ",\"\\u006bp\":1}").root().size() == 16);
  CHECK(must_fail(s + ",\"ka\":1}").code == pa::errc::invalid_json);
  CHECK(must_fail(s + ",\"ko\":1}").code == pa::errc::invalid_json);
  CHECK(must_fail(s + ",\"\\u006bo\":1}").code == pa::errc::invalid_json);
  CHECK(must_fail(s + ",\"k\\u006f\":1}").code == pa::errc::invalid_json);
  // Keys whose filter hashes collide (same first byte; lengths 3 and 67) but differ.
  const std::string k1(3, 'x'), k2(67, 'x');
  CHECK(must_parse("{\"" + k1 + "\":1,\"" + k2 + "\":2}").root().size() == 2);
  // The report names the earliest repeat (deterministic), here the second "k3" at its offset.
  const std::string big = object(20, "k3");
  const auto at = big.rfind("\"k3\"");
  CHECK(must_fail(big).message.find("at byte " + std::to_string(at) + ":") != std::string::npos);
}

TEST_CASE("json: find() and equals() compare decoded keys") {
  const auto d = must_parse(R"({"\u0061ccess_token":"t","sc\u006fpe":"s","é":1})");
  CHECK(d.root().find("access_token")->equals("t"));
  CHECK(d.root().find("scope")->equals("s"));
  CHECK(d.root().find("\xC3\xA9")->get_int64() == 1);
  CHECK_FALSE(d.root().find("access_toke").has_value());
  CHECK_FALSE(d.root().find("access_tokenX").has_value());
  for (auto m : d.root().members()) {
    if (m.key.equals("scope")) CHECK(m.value.equals("s"));
  }
}

TEST_CASE("json: get_int64 is exact at the int64 edges and never wraps") {
  struct c {
    std::string_view text;
    std::optional<std::int64_t> want;
  };
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  const c cases[] = {
      {"0", 0},
      {"-0", 0},
      {"7", 7},
      {"3600", 3600},
      {"-42", -42},
      {"9223372036854775807", max},
      {"-9223372036854775808", min},
      {"9223372036854775808", std::nullopt},
      {"-9223372036854775809", std::nullopt},
      {"18446744073709551615", std::nullopt},
      {"18446744073709551616", std::nullopt},
      {"99999999999999999999", std::nullopt},
      {"123456789012345678901234567890", std::nullopt},
      {"1e3", 1000},
      {"1E3", 1000},
      {"1e+3", 1000},
      {"4.20e1", 42},
      {"3600.0", 3600},
      {"3600.000000000000000000000000", 3600},
      {"-1.5e1", -15},
      {"10e-1", 1},
      {"100e-2", 1},
      {"0.0", 0},
      {"-0.0e5", 0},
      {"0e999999999999999", 0},
      {"0.000e-999999999999", 0},
      {"1.5", std::nullopt},
      {"0.1", std::nullopt},
      {"1e-1", std::nullopt},
      {"15e-1", std::nullopt},
      {"1e18", 1000000000000000000},
      {"1e19", std::nullopt},
      {"1e999999999999999999", std::nullopt},
      {"9.223372036854775807e18", max},
      {"9.223372036854775808e18", std::nullopt},
      {"-9.223372036854775808e18", min},
      {"-9223372036854775808.0", min},
      {"92233720368547758070e-1", max},
      {"0.00000000000000000000001e23", 1},
  };
  for (const c& k : cases) {
    CAPTURE(k.text);
    CHECK(must_parse(k.text).root().get_int64() == k.want);
  }
  // A long run of zeros before an exponent that cancels them.
  const std::string ones = "1" + std::string(300, '0') + "e-300";
  CHECK(must_parse(ones).root().get_int64() == 1);
  const std::string frac = "0." + std::string(300, '0') + "5e301";
  CHECK(must_parse(frac).root().get_int64() == 5);
}

TEST_CASE("json: get_double is locale-free and handles the range edges") {
  struct c {
    std::string_view text;
    std::optional<double> want;
  };
  const c cases[] = {
      {"0", 0.0},
      {"0.1", 0.1},
      {"-2.5", -2.5},
      {"1e3", 1000.0},
      {"1.7976931348623157e308", 1.7976931348623157e308},
      {"2.2250738585072014e-308", 2.2250738585072014e-308},
      {"18446744073709551616", 18446744073709551616.0},
      {"123456789012345678901234567890", 1.2345678901234568e29},
      {"1e309", std::nullopt},
      {"-1e400", std::nullopt},
      {"1e999999999999999999999", std::nullopt},
      {"1e-400", 0.0},
  };
  for (const c& k : cases) {
    CAPTURE(k.text);
    CHECK(must_parse(k.text).root().get_double() == k.want);
  }
  const auto neg_zero = must_parse("-0").root().get_double();
  REQUIRE(neg_zero);
  CHECK(std::signbit(*neg_zero));
  const auto neg_tiny = must_parse("-1e-400").root().get_double();
  REQUIRE(neg_tiny);
  CHECK(*neg_tiny == 0.0);
  CHECK(std::signbit(*neg_tiny));
  const auto tiny = must_parse(("0." + std::string(400, '0') + "1")).root().get_double();
  REQUIRE(tiny);
  CHECK(*tiny == 0.0);
  const auto huge = must_parse("1" + std::string(400, '0')).root().get_double();
  CHECK_FALSE(huge.has_value());
}

TEST_CASE("json: a realistic token response") {
  const std::string jwt =
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InJzYS0yMDI1In0."
      "eyJleHAiOjE3NjcyMjU2MDAsImlhdCI6MTc2NzIyMjAwMCwic3ViIjoiOGQxZjNhMmMifQ." +
      std::string(342, 'A');
  const std::string text =
      "{\n  \"access_token\": \"" + jwt +
      "\",\n  \"token_type\": \"Bearer\",\n  \"expires_in\": 3600,\n"
      "  \"refresh_token\": \"OZ0NH-NarUQY77hAW-KoFKjr66c4N1lV\",\n"
      "  \"scope\": \"openid profile email\",\n"
      "  \"not-before-policy\": 0,\n  \"session_state\": \"7c2e5f1a\",\n"
      "  \"authorization_details\": [{\"type\": \"x\", \"locations\": []}]\n}\n";
  const auto d = must_parse(text);
  const json::value r = d.root();
  CHECK(r.size() == 8);
  std::string at, tt, rt, scope;
  CHECK(r.find("access_token")->copy_string_to(at));
  CHECK(at == jwt);
  CHECK(r.find("token_type")->copy_string_to(tt));
  CHECK(tt == "Bearer");
  CHECK(r.find("expires_in")->get_int64() == 3600);
  CHECK(r.find("refresh_token")->copy_string_to(rt));
  CHECK(rt == "OZ0NH-NarUQY77hAW-KoFKjr66c4N1lV");
  CHECK(r.find("scope")->copy_string_to(scope));
  CHECK(scope == "openid profile email");
  CHECK(r.find("authorization_details")->raw() == R"([{"type": "x", "locations": []}])");
  CHECK_FALSE(r.find("id_token").has_value());
}

TEST_CASE("json: the vector and SWAR scanners agree with a byte loop") {
  auto reference = [](const char* p, const char* end) {
    while (p != end) {
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++p;
    }
    return p;
  };
  const unsigned char specials[] = {'"', '\\', 0x00, 0x01, 0x1F, 0x80, 0xC3, 0xFF};
  const unsigned char plain[] = {' ', '!', '#', '[', ']', '~', 0x7F, 'A', '0', 0x21, 0x5B, 0x5D};
  // Up to 300 bytes: several trips of the widest loop (64 bytes) and every tail.
  for (std::size_t len = 0; len <= 300; ++len) {
    for (std::size_t pos = 0; pos <= len; ++pos) {
      for (unsigned char sp : specials) {
        std::string s(len, 'a');
        for (std::size_t i = 0; i < len; ++i) s[i] = static_cast<char>(plain[(i * 7 + len) % 12]);
        if (pos < len) s[pos] = static_cast<char>(sp);
        const char* b = s.data();
        const char* e = b + s.size();
        const char* want = reference(b, e);
        if (json::text::skip_plain(b, e) != want || json::text::skip_plain_swar(b, e) != want)
          FAIL_CHECK("len " << len << " pos " << pos << " byte " << int(sp));
#if defined(__SSE2__) || defined(_M_X64)
        if (json::text::skip_plain_sse2(b, e) != want)
          FAIL_CHECK("sse2: len " << len << " pos " << pos << " byte " << int(sp));
        // The long-string routines start after 16 bytes the caller found plain.
        if (want - b >= 16) {
          if (json::text::skip_plain_sse2_rest(b + 16, e) != want)
            FAIL_CHECK("sse2 rest: len " << len << " pos " << pos << " byte " << int(sp));
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(_MSC_VER)
          if (json::text::use_avx2() && json::text::skip_plain_avx2_rest(b + 16, e) != want)
            FAIL_CHECK("avx2 rest: len " << len << " pos " << pos << " byte " << int(sp));
#endif
        }
#endif
      }
    }
  }
  // Every byte value at every position of the widest block (and around it), on every path:
  // the vector comparisons flag exactly '"', '\\', bytes below 0x20 and bytes from 0x80.
  std::size_t checked = 0;
  for (int v = 0; v < 256; ++v) {
    const bool special = v == '"' || v == '\\' || v < 0x20 || v >= 0x80;
    for (std::size_t pos = 16; pos < 16 + 130; ++pos) {
      std::string s(16 + 140, 'A');
      s[pos] = static_cast<char>(v);
      const char* b = s.data();
      const char* e = b + s.size();
      const char* want = special ? b + pos : e;
      ++checked;
      if (json::text::skip_plain(b, e) != want) FAIL_CHECK("byte " << v << " pos " << pos);
#if defined(__SSE2__) || defined(_M_X64)
      if (json::text::skip_plain_sse2_rest(b + 16, e) != want)
        FAIL_CHECK("sse2 rest: byte " << v << " pos " << pos);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(_MSC_VER)
      if (json::text::use_avx2() && json::text::skip_plain_avx2_rest(b + 16, e) != want)
        FAIL_CHECK("avx2 rest: byte " << v << " pos " << pos);
#endif
#endif
    }
  }
  CHECK(checked == 256 * 130);
  // The SWAR mask is exact for every byte value in every lane.
  for (int v = 0; v < 256; ++v) {
    for (int lane = 0; lane < 8; ++lane) {
      std::uint64_t w = 0x4141414141414141ULL;  // "AAAAAAAA"
      w &= ~(std::uint64_t{0xFF} << (lane * 8));
      w |= std::uint64_t(v) << (lane * 8);
      const bool special = v == '"' || v == '\\' || v < 0x20 || v >= 0x80;
      const std::uint64_t want = special ? std::uint64_t{0x80} << (lane * 8) : 0;
      if (json::text::string_special_mask(w) != want) FAIL_CHECK("byte " << v << " lane " << lane);
    }
  }
}

TEST_CASE("json: utf8_sequence reports lengths and maximal ill-formed subparts") {
  auto seq = [](std::string_view s) {
    return json::text::utf8_sequence(s.data(), s.data() + s.size());
  };
  CHECK(seq("\xC3\xA9") == 2);
  CHECK(seq("\xE2\x82\xAC") == 3);
  CHECK(seq("\xF0\x9F\x98\x80") == 4);
  CHECK(seq("\x80") == -1);
  CHECK(seq("\xC3") == -1);
  CHECK(seq("\xE2\x82") == -2);
  CHECK(seq("\xE2\x82Z") == -2);
  CHECK(seq("\xF0\x9F\x98") == -3);
  CHECK(seq("\xF0\x9F\x98Z") == -3);
  CHECK(seq("\xED\xA0\x80") == -1);
  CHECK(seq("\xF4\x90\x80\x80") == -1);
  CHECK(json::text::is_valid_utf8(nullptr, nullptr));
  const std::string mixed =
      "abcdefgh\xC3\xA9"
      "abcdefghijklmnop\xF0\x9F\x98\x80";
  CHECK(json::text::is_valid_utf8(mixed.data(), mixed.data() + mixed.size()));
  const std::string bad = mixed + "\xC0\x80";
  CHECK_FALSE(json::text::is_valid_utf8(bad.data(), bad.data() + bad.size()));
}

TEST_CASE("json: strings that straddle scan blocks keep their escapes and UTF-8 right") {
  for (std::size_t prefix = 0; prefix < 40; ++prefix) {
    CAPTURE(prefix);
    const std::string pad(prefix, 'p');
    const std::string text = "[\"" + pad + "\\n\xC3\xA9" + pad + "\\u0041\",\"" + pad + "\"]";
    const auto d = must_parse(text);
    auto it = d.root().elements().begin();
    CHECK(decoded(*it) == pad + "\n\xC3\xA9" + pad + "A");
    ++it;
    CHECK(decoded(*it) == pad);
    CHECK(must_fail("[\"" + pad + "\x01\"]").code == pa::errc::invalid_json);
    CHECK(must_fail("[\"" + pad + "\xFF\"]").code == pa::errc::invalid_utf8);
    CHECK(must_fail("[\"" + pad).code == pa::errc::invalid_json);
  }
}

namespace {

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct mutator {
  std::uint64_t state;
  std::uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  /// One to three random edits: replace, insert or delete a byte (bytes JSON cares about
  /// most of the time), or cut the text short.
  std::string mutate(std::string s) {
    static constexpr unsigned char bytes[] = {
        '"',  '\\', '{',  '}',  '[',  ']',  ',',  ':',  ' ',  '\n', '\t', '0', '1',
        '-',  '+',  'e',  'E',  '.',  't',  'f',  'n',  'u',  'a',  'A',  'x', '/',
        0x00, 0x01, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xE2, 0xED, 0xF0, 0xF4, 0xFF};
    const std::size_t edits = 1 + below(3);
    for (std::size_t k = 0; k < edits; ++k) {
      const std::size_t at = below(s.size() + 1);
      const char b = static_cast<char>(bytes[below(sizeof bytes)]);
      switch (below(8)) {
        case 0:
        case 1:
        case 2:
          if (at < s.size()) s[at] = b;
          break;
        case 3:
        case 4:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), b);
          break;
        case 5:
        case 6:
          if (at < s.size()) s.erase(at, 1);
          break;
        default:
          s.resize(at);
      }
    }
    return s;
  }
};

/// Seeds for the flat reader: flat objects of every kind of scalar, and a few that are not.
const std::vector<std::string>& flat_seeds() {
  static const std::vector<std::string> seeds = {
      R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl",)"
      R"("token_type":"Bearer","expires_in":3600,"refresh_token":"r-1","scope":"a b"})",
      R"({ "a" : "x\"y\u00e9\ud83d\ude00" , "b" : -0.5e+3 , "c" : true , "d" : null , "e" : false })",
      "{\"k\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\",\"n\":[1,{\"x\":2}],\"o\":{}}",
      R"({"":"","a":"","aa":0,"b":1e5,"c":12345678901234567890})",
      "{\n\t\"x\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"\r\n}",
      R"({"a\u0041":1,"b":"\/\b\f\n\r\t"})",
      R"({})",
      R"([1,2,3])",
  };
  return seeds;
}

struct flat_seen {
  std::string name, raw;
  json::kind type;
  bool escaped;
  std::uint32_t decoded;
};

}  // namespace

TEST_CASE("json: read_flat_object accepts exactly what parse accepts, and reports the same") {
  json::limits tight;
  tight.max_string = 8;
  tight.max_values = 4;
  json::limits no_depth;
  no_depth.max_depth = 0;
  json::limits small;
  small.max_size = 40;
  const json::limits limit_sets[] = {json::limits{}, tight, no_depth, small};
  mutator rng{0x9E3779B97F4A7C15ULL};
  std::size_t done = 0, flat_rejected_valid = 0;
  for (int round = 0; round < 30000; ++round) {
    const std::string& seed = flat_seeds()[rng.below(flat_seeds().size())];
    const std::string text = round < 64 ? seed : rng.mutate(seed);
    const json::limits& lim = limit_sets[round % 8 == 0 ? 1 + rng.below(3) : 0];
    std::vector<flat_seen> seen;
    const json::flat_result r = json::read_flat_object(text, lim, [&](const json::flat_member& m) {
      seen.push_back({std::string(m.name), std::string(m.raw), m.type, m.escaped, m.decoded});
      return true;
    });
    const auto d = json::parse(text, lim);
    if (r == json::flat_result::not_flat) {
      if (d) ++flat_rejected_valid;
      continue;
    }
    ++done;
    CAPTURE(text);
    REQUIRE(d.has_value());
    const json::value root = d->root();
    REQUIRE(root.is_object());
    REQUIRE(root.size() == seen.size());
    std::size_t i = 0;
    for (const json::member m : root.members()) {
      const flat_seen& f = seen[i++];
      CHECK(decoded(m.key) == f.name);
      CHECK(m.value.raw() == f.raw);
      CHECK(m.value.type() == f.type);
      if (f.type == json::kind::string) {
        CHECK(m.value.has_escapes() == f.escaped);
        CHECK(m.value.string_size() == f.decoded);
        std::string out;
        json::flat_member fm{f.name, f.raw, f.type, f.escaped, f.decoded};
        fm.assign_to(out);
        CHECK(out == decoded(m.value));
      }
    }
  }
  // Both outcomes occur often enough for the comparison to mean something.
  CHECK(done > 2000);
  CHECK(flat_rejected_valid > 100);  // nested values, escaped names, limits
}

TEST_CASE("json: read_flat_object stops when asked and leaves big objects to parse") {
  int calls = 0;
  CHECK(json::read_flat_object(R"({"a":1,"b":2})", {}, [&](const json::flat_member&) {
          return ++calls < 1;
        }) == json::flat_result::not_flat);
  CHECK(calls == 1);
  std::string big = "{";
  for (int i = 0; i < 17; ++i) big += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  big += "}";
  CHECK(json::parse(big).has_value());
  const auto all = [](const json::flat_member&) { return true; };
  CHECK(json::read_flat_object(big, {}, all) == json::flat_result::not_flat);
  big.erase(big.rfind(','));
  big += "}";
  CHECK(json::read_flat_object(big, {}, all) == json::flat_result::done);
  CHECK(json::read_flat_object(R"({"a":1,"a":2})", {}, all) == json::flat_result::not_flat);
  CHECK(json::read_flat_object(R"({"a":1} x)", {}, all) == json::flat_result::not_flat);
  CHECK(json::read_flat_object(" {} ", {}, all) == json::flat_result::done);
}

TEST_CASE("json: read_flat_object's integer and whitespace shortcuts agree with parse") {
  // Plain integers are read inline and everything else by scan_number(); whitespace runs stop
  // at the first byte above ' '. Each case: done exactly when parse() accepts, same raw value.
  const char* const cases[] = {
      R"({"a":3600})",
      R"({"a":3600.5})",
      R"({"a":36e2})",
      R"({"a":36E+2})",
      R"({"a":0})",
      R"({"a":01})",
      R"({"a":-1})",
      R"({"a":-})",
      R"({"a":1.})",
      R"({"a":1a})",
      R"({"a":12 })",
      "{\"a\":12\n}",
      R"({"a":9,"b":8})",
      "{\"a\":1",
      "{\"a\":123",
      " {\"a\" : 1 ,\t\"b\":\r\n2 } ",
      "{\"a\":1}\v",
      "{\"a\":\f1}",
      "{\"a\":1\x01}",
      R"({"a":1e})",
      R"({"a":1e+})",
      R"({"a":-0.0e-0})",
      R"({"a":12345678901234567890123})",
  };
  for (const char* c : cases) {
    CAPTURE(c);
    std::vector<std::string> raws;
    const json::flat_result r = json::read_flat_object(c, {}, [&](const json::flat_member& m) {
      raws.emplace_back(m.raw);
      return true;
    });
    const auto d = json::parse(c);
    CHECK((r == json::flat_result::done) == d.has_value());
    if (r != json::flat_result::done || !d) continue;
    std::size_t i = 0;
    for (const json::member m : d->root().members()) CHECK(m.value.raw() == raws.at(i++));
    CHECK(i == raws.size());
  }
}

TEST_CASE("json: a small document's tape stays in the caller's buffer; a big one moves out") {
  json::tape::entry buf[8];
  const std::string small = R"({"a":[1,2],"b":"x"})";
  const auto s = json::parse(small, {}, buf);
  REQUIRE(s.has_value());
  CHECK_FALSE(s->owns_tape());
  CHECK(s->entry_count() == 7);
  CHECK(s->root().find("b")->equals("x"));
  std::string big = "[";
  for (int i = 0; i < 100; ++i) big += (i ? ",[" : "[") + std::to_string(i) + "]";
  big += "]";
  const auto b = json::parse(big, {}, buf);
  REQUIRE(b.has_value());
  CHECK(b->owns_tape());
  CHECK(b->entry_count() == 201);
  int sum = 0;
  for (const json::value v : b->root().elements())
    sum += static_cast<int>(*(*v.elements().begin()).get_int64());
  CHECK(sum == 4950);
  CHECK_FALSE(json::parse("[1,", {}, buf).has_value());
}
