// SPDX-License-Identifier: MIT
// libFuzzer harness: deserialize_session on arbitrary bytes, and its round trip.
//
// Never crashes; errors are store_corrupt with a message; a session that parses serializes
// again (unless a field is not valid UTF-8, which the parser already excludes) and that text
// parses back to an equal session and serializes to the same bytes.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_session.cpp -o fuzz_session
//   ./fuzz_session tests/fuzz/corpus/session
#include <profile/auth/token_store.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <string>       // serialized text
#include <string_view>  // the input as text

namespace pa = profile::auth;

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = pa::deserialize_session(text);
  if (!parsed) {
    require(parsed.error().code == pa::errc::store_corrupt);
    require(!parsed.error().message.empty());
    return 0;
  }
  auto again = pa::serialize_session(*parsed);
  require(again.has_value());
  auto back = pa::deserialize_session(*again);
  require(back.has_value());
  require(*back == *parsed);
  auto third = pa::serialize_session(*back);
  require(third.has_value() && *third == *again);  // the serialized form is canonical
  return 0;
}
