// SPDX-License-Identifier: MIT
// libFuzzer harness: the strict JSON reader and the writer on arbitrary bytes.
//
// Properties checked on every input:
//  1. parse() never crashes or reads out of bounds; a failure carries one of its three errc
//     values and a short, printable-ASCII message (it never quotes the input).
//  2. On success, walking the whole tree, re-serialising it with the writer and parsing that
//     again gives an equal tree (same kinds, order, decoded strings and keys, numbers).
//  3. write_string() of the raw input always yields one parseable JSON string, which decodes
//     back to the input whenever the input is valid UTF-8.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_json.cpp -o fuzz_json
//   ./fuzz_json tests/fuzz/corpus/json
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_writer.hpp>

#include <cmath>        // std::signbit
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <cstring>      // std::memcmp
#include <string>       // serialised output, decoded strings
#include <string_view>  // the input

namespace pa = profile::auth;
namespace json = profile::auth::detail::json;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

std::string decoded(json::value v) {
  std::string s;
  require(v.copy_string_to(s));
  require(s.size() == v.string_size());
  std::string scratch;
  const auto view = v.get_string(scratch);
  require(view && *view == s);
  require(v.equals(s));
  return s;
}

void write(json::writer& w, json::value v) {
  switch (v.type()) {
    case json::kind::null:
      w.null();
      break;
    case json::kind::boolean:
      w.boolean(*v.get_bool());
      break;
    case json::kind::number:
      if (const auto i = v.get_int64())
        w.number(*i);
      else if (const auto d = v.get_double())
        w.number(*d);
      else
        w.raw_value(v.raw());  // beyond double range: keep the text
      break;
    case json::kind::string:
      w.string(decoded(v));
      break;
    case json::kind::array:
      w.begin_array();
      for (json::value e : v.elements()) write(w, e);
      w.end_array();
      break;
    case json::kind::object:
      w.begin_object();
      for (auto m : v.members()) {
        w.key(decoded(m.key));
        write(w, m.value);
      }
      w.end_object();
      break;
  }
}

bool same_double(double a, double b) { return a == b && std::signbit(a) == std::signbit(b); }

void same(json::value a, json::value b) {
  require(a.type() == b.type());
  require(a.size() == b.size());
  switch (a.type()) {
    case json::kind::null:
      break;
    case json::kind::boolean:
      require(a.get_bool() == b.get_bool());
      break;
    case json::kind::number:
      if (const auto i = a.get_int64()) {
        require(b.get_int64() == i);
      } else if (const auto d = a.get_double()) {
        const auto e = b.get_double();
        require(e && same_double(*d, *e));
      } else {
        require(a.raw() == b.raw());
      }
      break;
    case json::kind::string:
      require(decoded(a) == decoded(b));
      break;
    case json::kind::array: {
      auto i = b.elements().begin();
      std::size_t n = 0;
      for (json::value e : a.elements()) {
        require(i != b.elements().end());
        same(e, *i);
        ++i;
        ++n;
      }
      require(i == b.elements().end() && n == a.size());
      break;
    }
    case json::kind::object: {
      auto i = b.members().begin();
      std::size_t n = 0;
      for (auto m : a.members()) {
        require(i != b.members().end());
        const std::string k = decoded(m.key);
        require(decoded((*i).key) == k);
        same(m.value, (*i).value);
        // Keys are unique, so find() lands on this very member.
        const auto f = a.find(k);
        require(f && f->raw().data() == m.value.raw().data());
        ++i;
        ++n;
      }
      require(i == b.members().end() && n == a.size());
      break;
    }
  }
}

bool printable_ascii(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // 1 + 2: parse, and on success round-trip through the writer.
  json::limits lim;
  lim.max_depth = 24;  // leaves the writer (64 levels) ample room
  const auto doc = json::parse(text, lim);
  if (!doc) {
    const pa::error& e = doc.error();
    require(e.code == pa::errc::invalid_json || e.code == pa::errc::invalid_utf8 ||
            e.code == pa::errc::limit_exceeded);
    require(!e.message.empty() && e.message.size() < 200 && printable_ascii(e.message));
  } else {
    const json::value root = doc->root();
    // The root's raw text is the input without the surrounding whitespace.
    const std::string_view r = root.raw();
    require(r.data() >= text.data() && r.data() + r.size() <= text.data() + text.size());
    require(text.find_first_not_of(" \t\r\n") == root.offset());
    json::writer w;
    write(w, root);
    require(w.complete());
    const std::string out = w.take();
    json::limits wide = lim;
    wide.max_size = out.size();
    const auto again = json::parse(out, wide);
    require(again.has_value());
    same(root, again->root());
  }

  // 3: any bytes become one valid JSON string.
  std::string quoted;
  const bool clean = json::write_string(quoted, text);
  require(clean == json::text::is_valid_utf8(text.data(), text.data() + text.size()));
  json::limits big;
  big.max_size = quoted.size();
  big.max_string = quoted.size();
  const auto s = json::parse(quoted, big);
  require(s.has_value() && s->root().is_string());
  if (clean) {
    std::string back;
    require(s->root().copy_string_to(back));
    require(back.size() == text.size() &&
            (text.empty() || std::memcmp(back.data(), text.data(), text.size()) == 0));
  }
  return 0;
}
