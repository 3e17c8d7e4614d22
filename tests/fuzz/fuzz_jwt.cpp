// SPDX-License-Identifier: MIT
// libFuzzer harness for decode_unverified_claims: never crash, opaque stays empty, errors only
// for JWT-shaped tokens, no token bytes in messages.
//
// Input layout: byte 0 picks the mode. Even: the rest is the token as is. Odd: the rest is a
// claims payload, wrapped as base64url({"alg":"none"}) "." base64url(payload) ".sig", so the
// fuzzer reaches the claim reader without having to invent base64 of JSON.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_jwt.cpp -o fuzz_jwt
//   ./fuzz_jwt tests/fuzz/corpus/jwt
#include <profile/auth/detail/json.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/jwt.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t (libFuzzer signature)
#include <string>       // the wrapped token
#include <string_view>  // the input bytes

namespace pa = profile::auth;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

bool no_control_bytes(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool wrap = (data[0] & 1) != 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string token =
      wrap ? pa::base64url_encode(R"({"alg":"none"})") + "." + pa::base64url_encode(in) + ".sig"
           : std::string(in);

  pa::detail::json::limits lim;
  lim.max_depth = 8;
  auto r = pa::decode_unverified_claims(token, lim);
  std::size_t dots = 0;
  for (const char c : token) dots += c == '.' ? 1 : 0;

  if (!r) {
    const pa::error& e = r.error();
    require(dots == 2);  // only a JWT-shaped token can fail
    require(!e.message.empty() && no_control_bytes(e.message));
    // Messages are fixed text plus offsets: no part of the token after its header shows up.
    const std::string_view after_header = std::string_view(token).substr(token.find('.') + 1);
    if (after_header.size() >= 24) require(e.message.find(after_header) == std::string::npos);
    return 0;
  }
  const pa::unverified_claims& c = *r;
  if (!c.is_jwt) {
    require(c.claims.empty() && c.roles.empty() && c.aud.empty() && c.sub.empty() &&
            c.alg.empty() && c.scope.empty() && !c.exp.has_value());
    require(!wrap);  // a wrapped payload always has a JWT header: claims or an error
    return 0;
  }
  require(dots == 2);
  if (wrap) require(c.alg == "none");
  // Each raw claim value is one complete JSON value, and names are unique.
  for (const auto& [name, raw] : c.claims) {
    require(!raw.empty());
    require(pa::detail::json::parse(std::string_view(raw), lim).has_value());
    require(c.claim(name).has_value() && *c.claim(name) == raw);
  }
  for (std::size_t i = 0; i < c.roles.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) require(c.roles[i] != c.roles[j]);
  require(c.sub.empty() || c.claim("sub").has_value());
  return 0;
}
