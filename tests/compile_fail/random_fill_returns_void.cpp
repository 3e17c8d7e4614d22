// SPDX-License-Identifier: MIT
// compile-fail: a RandomSource whose fill returns void cannot report failure, so it is rejected.
#include <profile/auth/concepts.hpp>

#include <cstddef>  // std::byte
#include <span>     // fill's parameter

namespace pa = profile::auth;

namespace {
struct silent_random {
  void fill(std::span<std::byte> out) {
    for (auto& b : out) b = std::byte{4};
  }
};
struct good_random {
  bool fill(std::span<std::byte> out) {
    for (auto& b : out) b = std::byte{4};
    return true;
  }
};

template <pa::RandomSource R>
int use(R& r) {
  std::byte buf[8]{};
  r.fill(buf);
  return buf[0] == std::byte{4} ? 0 : 1;
}
}  // namespace

int main() {
#ifdef PROFILE_AUTH_COMPILE_FAIL
  silent_random r;
#else
  good_random r;
#endif
  return use(r);
}
