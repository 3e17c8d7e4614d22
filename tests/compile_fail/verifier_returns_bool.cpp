// SPDX-License-Identifier: MIT
// compile-fail: a verifier whose verify returns bool is not a Verifier: "unsupported" must be
// told apart from "invalid" (jose::verify_result), so verify_jws refuses it.
#include <profile/auth/jose/jwk.hpp>
#include <profile/auth/jose/jws.hpp>
#include <profile/auth/jose/verifier.hpp>

#include <cstddef>
#include <span>
#include <string_view>

namespace jose = profile::auth::jose;

namespace {
struct bool_verifier {
  bool verify(jose::jws_algorithm, const jose::jwk&, std::string_view,
              std::span<const std::byte>) noexcept {
    return false;
  }
};
struct good_verifier {
  jose::verify_result verify(jose::jws_algorithm, const jose::jwk&, std::string_view,
                             std::span<const std::byte>) noexcept {
    return jose::verify_result::invalid;
  }
};
}  // namespace

int main() {
#ifdef PROFILE_AUTH_COMPILE_FAIL
  bool_verifier v;
#else
  good_verifier v;
#endif
  const jose::jwk_set keys;
  return jose::verify_jws("e30.e30.AA", keys, v).has_value() ? 1 : 0;
}
