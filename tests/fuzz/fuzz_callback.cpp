// SPDX-License-Identifier: MIT
// libFuzzer harness for parse_authorization_callback: never crash, never accept a bad callback,
// never let the code reach an error message.
//
// Input layout: byte 0 holds flags (0x01: expect issuer "https://auth.example.com", 0x02: with
// issuer_policy::if_present); the bytes up to the first '\n' are the expected state ("s" when
// empty); the rest is the redirect URI or query.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_callback.cpp -o fuzz_callback
//   ./fuzz_callback tests/fuzz/corpus/callback
#include <profile/auth/grants/authorization_code.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t (libFuzzer signature)
#include <optional>     // expected issuer
#include <string>       // the canary copy of the input
#include <string_view>  // slices of the input

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

/// The input with every raw `code=` value in the query overwritten by 'Q's (its %-escapes kept),
/// so offsets and decoding errors in messages stay put while the code changes.
std::string with_canary_code(std::string_view in) {
  std::string out(in);
  const std::size_t q = out.find('?');
  const std::size_t query_start = q == std::string::npos ? 0 : q + 1;
  for (std::size_t at = query_start; (at = out.find("code=", at)) != std::string::npos; at += 5) {
    if (at != query_start && (at == 0 || out[at - 1] != '&')) continue;  // inside a value
    for (std::size_t i = at + 5; i < out.size() && out[i] != '&' && out[i] != '#'; ++i) {
      if (out[i] == '%') {  // keep escapes, so a malformed one stays malformed where it was
        for (int k = 0; k < 2 && i + 1 < out.size() && out[i + 1] != '&' && out[i + 1] != '#'; ++k)
          ++i;
        continue;
      }
      out[i] = 'Q';
    }
  }
  return out;
}

pa::result<pa::authorization_callback> run(std::string_view cb, std::string_view state,
                                           std::uint8_t flags) {
  const std::optional<std::string_view> issuer =
      (flags & 1) != 0 ? std::optional<std::string_view>("https://auth.example.com") : std::nullopt;
  const auto policy =
      (flags & 2) != 0 ? pa::issuer_policy::if_present : pa::issuer_policy::required;
  return pa::parse_authorization_callback(cb, state, issuer, policy);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t nl = in.find('\n');
  std::string_view state = nl == std::string_view::npos ? std::string_view() : in.substr(0, nl);
  if (state.empty()) state = "s";
  const std::string_view cb = nl == std::string_view::npos ? in : in.substr(nl + 1);

  auto r = run(cb, state, flags);
  if (r) {
    require(r->state == state);
    require(!r->code.empty());
    for (const char ch : r->code.reveal())
      require(static_cast<unsigned char>(ch) >= 0x20 && static_cast<unsigned char>(ch) <= 0x7E);
    if ((flags & 1) != 0) {
      if ((flags & 2) == 0)
        require(r->iss == "https://auth.example.com");
      else
        require(r->iss.empty() || r->iss == "https://auth.example.com");
    }
    for (const auto& [name, value] : r->extra) {
      require(name != "code" && name != "state" && name != "iss");
      for (const auto& [other, unused] : r->extra) require(&other == &name || other != name);
    }
    return 0;
  }
  const pa::error& e = r.error();
  require(!e.message.empty() && no_control_bytes(e.message));
  require(no_control_bytes(e.description) && no_control_bytes(e.uri));
  require(e.code == pa::errc::invalid_callback || e.code == pa::errc::state_mismatch ||
          e.code == pa::errc::issuer_mismatch || e.code == pa::errc::limit_exceeded ||
          pa::errc_from_oauth_error(e.oauth_error) == e.code || e.code == pa::errc::oauth_error);
  // The message never depends on the code: with the code replaced, an error of the same kind
  // reads exactly the same.
  const std::string canary = with_canary_code(cb);
  auto again = run(canary, state, flags);
  if (!again && again.error().code == e.code) require(again.error().message == e.message);
  return 0;
}
