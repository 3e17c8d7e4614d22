// SPDX-License-Identifier: MIT
// compile-fail: a secret must not convert to std::string implicitly.
#include <profile/auth/secret.hpp>

#include <string>  // the conversion target

int main() {
  const profile::auth::secret s("client-secret");
#ifdef PROFILE_AUTH_COMPILE_FAIL
  std::string leaked = s;
#else
  std::string leaked(s.reveal());
#endif
  return leaked.empty() ? 1 : 0;
}
