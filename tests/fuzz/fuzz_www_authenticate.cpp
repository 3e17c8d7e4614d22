// SPDX-License-Identifier: MIT
// libFuzzer harness: the WWW-Authenticate parser, find_bearer_challenge and the 401 retry rule.
//
// Properties checked on every input (each '\n' starts another WWW-Authenticate field):
//  1. Nothing crashes or reads out of bounds. A failure is errc::malformed_response or
//     errc::limit_exceeded with a non-empty message without control bytes or '"' (the message
//     gives offsets, never the value).
//  2. On success every challenge has a token scheme, a token68 or parameters (never both),
//     and parameter names unique ignoring case; serialising the challenges with every value
//     quoted and parsing that again gives the same challenges.
//  3. The field-list parse agrees with the per-field parses, find_bearer_challenge() returns
//     the first Bearer challenge of the first field that parses, and rejects_access_token()
//     (the allocation-free reader) agrees with the parsed challenges whenever every field parses.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_www_authenticate.cpp -o fuzz_www_authenticate
//   ./fuzz_www_authenticate tests/fuzz/corpus/www_authenticate
#include <profile/auth/detail/bearer_challenge.hpp>
#include <profile/auth/www_authenticate.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <optional>     // the expected Bearer challenge
#include <string>       // serialised challenges
#include <string_view>  // the input
#include <vector>       // challenge lists

namespace pa = profile::auth;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void check_error(const pa::error& e) {
  require(e.code == pa::errc::malformed_response || e.code == pa::errc::limit_exceeded);
  require(!e.message.empty());
  for (const char ch : e.message) {
    const auto c = static_cast<unsigned char>(ch);
    require(c >= 0x20 && c != 0x7F && c != '"');
  }
}

std::string serialise(const std::vector<pa::auth_challenge>& cs) {
  std::string out;
  for (const auto& c : cs) {
    if (!out.empty()) out += ", ";
    out += c.scheme;
    if (!c.token68.empty()) {
      out += " " + c.token68;
      continue;
    }
    for (std::size_t i = 0; i < c.params.size(); ++i) {
      out += i == 0 ? " " : ", ";
      out += c.params[i].first + "=\"";
      for (const char ch : c.params[i].second) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
      }
      out += '"';
    }
  }
  return out;
}

void check_challenges(const std::vector<pa::auth_challenge>& cs) {
  for (const auto& c : cs) {
    require(!c.scheme.empty());
    for (const char ch : c.scheme) require(pa::detail::is_tchar(ch));
    require(c.token68.empty() || c.params.empty());
    for (std::size_t i = 0; i < c.params.size(); ++i) {
      require(!c.params[i].first.empty());
      for (std::size_t j = 0; j < i; ++j)
        require(!pa::detail::iequals(c.params[i].first, c.params[j].first));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;  // far below www_authenticate_limits: the properties stay exact
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  pa::http_response resp;
  resp.status = 401;
  for (std::size_t pos = 0;;) {
    const std::size_t nl = in.find('\n', pos);
    resp.headers.add("WWW-Authenticate", std::string(in.substr(pos, nl - pos)));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }

  // 1 and 2, field by field.
  std::vector<pa::auth_challenge> all;
  bool all_parse = true;
  std::optional<pa::auth_challenge> first_bearer;
  for (const auto& [name, value] : resp.headers) {
    auto r = pa::parse_www_authenticate(value);
    if (!r) {
      check_error(r.error());
      all_parse = false;
      continue;
    }
    check_challenges(*r);
    const std::string text = serialise(*r);
    auto again = pa::parse_www_authenticate(text);
    require(again.has_value() && *again == *r);
    for (const auto& c : *r) {
      if (!first_bearer && c.is_scheme("Bearer")) first_bearer = c;
      all.push_back(c);
    }
  }

  // 3. The list form and the Bearer lookup agree with the per-field results.
  auto list = pa::parse_www_authenticate(resp.headers);
  if (list) {
    require(all_parse && *list == all);
  } else {
    check_error(list.error());
  }
  const auto b = pa::find_bearer_challenge(resp);
  require(b.has_value() == first_bearer.has_value());
  if (b) {
    require(b->challenge == *first_bearer);
    require(b->error == first_bearer->param("error").value_or(""));
    require(b->resource_metadata == first_bearer->param("resource_metadata").value_or(""));
  }
  if (all_parse && list) {
    bool any_bearer_rejects = false;
    for (const auto& c : all) {
      if (!c.is_scheme("Bearer")) continue;
      const auto e = c.param("error");
      any_bearer_rejects |= !e || pa::detail::iequals(*e, "invalid_token");
    }
    require(pa::detail::rejects_access_token(resp) == (all.empty() || any_bearer_rejects));
  } else {
    (void)pa::detail::rejects_access_token(resp);
  }
  return 0;
}
