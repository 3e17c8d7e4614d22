// SPDX-License-Identifier: MIT
// compile-fail: a secret must not convert to std::string_view implicitly.
#include <profile/auth/secret.hpp>

#include <string_view>  // the conversion target

int main() {
  const profile::auth::secret s("client-secret");
#ifdef PROFILE_AUTH_COMPILE_FAIL
  std::string_view leaked = s;
#else
  std::string_view leaked = s.reveal();
#endif
  return leaked.empty() ? 1 : 0;
}
