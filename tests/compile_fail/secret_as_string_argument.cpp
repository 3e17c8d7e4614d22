// SPDX-License-Identifier: MIT
// compile-fail: a secret cannot be passed where a std::string parameter is expected (a log call).
#include <profile/auth/secret.hpp>

#include <cstddef>  // std::size_t
#include <string>   // the parameter type

namespace {
std::size_t log_line(const std::string& text) { return text.size(); }
}  // namespace

int main() {
  const profile::auth::secret s("client-secret");
#ifdef PROFILE_AUTH_COMPILE_FAIL
  return log_line(s) == 0 ? 1 : 0;
#else
  return log_line(std::string(s.reveal())) == 0 ? 1 : 0;
#endif
}
