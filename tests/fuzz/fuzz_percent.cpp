// SPDX-License-Identifier: MIT
// libFuzzer harness for percent/form encodings, parse_query and constant_time_equal.
#include <profile/auth/encoding.hpp>
#include <profile/auth/url.hpp>

#include <cstddef>           // std::size_t
#include <cstdint>           // std::uint8_t (libFuzzer signature)
#include <initializer_list>  // for (bool plus : {false, true})
#include <string>            // encoded text
#include <string_view>       // the input bytes

namespace pa = profile::auth;

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}
bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
// Every byte unreserved (or '+' for forms), or part of a %XX escape with upper-case hex.
bool canonical(std::string_view s, bool form) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (pa::detail::is_unreserved(c) || (form && c == '+')) continue;
    if (c != '%' || i + 2 >= s.size() || !is_upper_hex(s[i + 1]) || !is_upper_hex(s[i + 2]))
      return false;
    i += 2;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  // Round trips and output shape.
  const std::string pct = pa::percent_encode(in);
  const std::string form = pa::form_urlencode(in);
  require(canonical(pct, false) && canonical(form, true));
  auto p = pa::percent_decode(pct);
  require(p.has_value() && *p == in);
  auto f = pa::form_urldecode(form);
  require(f.has_value() && *f == in);

  // Arbitrary input: decoding never grows the text; success re-encodes to canonical form
  // that decodes back to the same bytes.
  for (const bool plus : {false, true}) {
    auto d = plus ? pa::form_urldecode(in) : pa::percent_decode(in);
    if (d) {
      require(d->size() <= in.size());
      if (in.find('%') == std::string_view::npos &&
          (!plus || in.find('+') == std::string_view::npos))
        require(*d == in);
      const std::string again = plus ? pa::form_urlencode(*d) : pa::percent_encode(*d);
      auto back = plus ? pa::form_urldecode(again) : pa::percent_decode(again);
      require(back.has_value() && *back == *d);
    } else {
      require(d.error().code == pa::errc::invalid_percent_encoding);
      require(in.find('%') != std::string_view::npos);
    }
  }

  // Queries: what parses, rebuilds and parses to the same list.
  if (auto q = pa::parse_query(in)) {
    auto again = pa::parse_query(pa::query_string(*q));
    require(again.has_value() && *again == *q);
  } else {
    require(q.error().code == pa::errc::invalid_percent_encoding);
  }

  // constant_time_equal agrees with ==.
  const std::string_view a = in.substr(0, size / 2);
  const std::string_view b = in.substr(size / 2, size / 2);
  require(pa::constant_time_equal(a, b) == (a == b));
  require(pa::constant_time_equal(in, in));
  return 0;
}
