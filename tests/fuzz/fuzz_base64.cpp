// SPDX-License-Identifier: MIT
// libFuzzer harness for base64/base64url: never crash; encode/decode round trips; strictness.
#include <profile/auth/encoding.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t (libFuzzer signature)
#include <string>       // encoded text
#include <string_view>  // the input bytes

namespace pa = profile::auth;

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  // Any bytes survive encode -> decode.
  const std::string b64 = pa::base64_encode(in);
  const std::string url = pa::base64url_encode(in);
  require(b64.size() % 4 == 0 && b64.size() == (size + 2) / 3 * 4);
  require(url.find('=') == std::string::npos && url.find('+') == std::string::npos &&
          url.find('/') == std::string::npos);
  auto d1 = pa::base64_decode(b64);
  require(d1.has_value() && *d1 == in);
  auto d2 = pa::base64url_decode(url);
  require(d2.has_value() && *d2 == in);

  // The input as text: a strict decoder accepts only the canonical encoding of what it returns.
  if (auto d = pa::base64_decode(in)) {
    require(pa::base64_encode(*d) == in);
  } else {
    require(d.error().code == pa::errc::invalid_base64 && !d.error().message.empty());
  }
  if (auto d = pa::base64url_decode(in)) {
    std::string_view unpadded = in;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.remove_suffix(1);
    require(pa::base64url_encode(*d) == unpadded);
    // Padded form is accepted only when complete.
    require(unpadded.size() == in.size() || in.size() % 4 == 0);
  } else {
    require(d.error().code == pa::errc::invalid_base64 && !d.error().message.empty());
  }
  return 0;
}
