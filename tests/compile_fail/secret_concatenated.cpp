// SPDX-License-Identifier: MIT
// compile-fail: "Bearer " + secret must not build a header value behind the library's checks.
#include <profile/auth/secret.hpp>

#include <string>  // operator+ of std::string

int main() {
  const profile::auth::secret token("access-token");
#ifdef PROFILE_AUTH_COMPILE_FAIL
  const std::string header = std::string("Bearer ") + token;
#else
  const std::string header = std::string("Bearer ") + std::string(token.reveal());
#endif
  return header.empty() ? 1 : 0;
}
