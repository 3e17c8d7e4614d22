// SPDX-License-Identifier: MIT
// compile-fail: not even an explicit std::string(secret): reveal() is the one way to the bytes.
#include <profile/auth/secret.hpp>

#include <string>  // the conversion target

int main() {
  const profile::auth::secret s("client-secret");
#ifdef PROFILE_AUTH_COMPILE_FAIL
  const auto leaked = std::string(s);
#else
  const auto leaked = std::string(s.reveal());
#endif
  return leaked.empty() ? 1 : 0;
}
