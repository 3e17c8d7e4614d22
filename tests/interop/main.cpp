// SPDX-License-Identifier: MIT
// profile-auth interop suite: doctest's main. Refuses to run without a server to talk to, so a
// missing server is a failure, never a silently empty run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>   // std::fprintf
#include <cstdlib>  // std::getenv

int main(int argc, char** argv) {
  const char* issuer = std::getenv("PROFILE_AUTH_INTEROP_ISSUER");
  const char* rule = std::getenv("PROFILE_AUTH_INTEROP_REFRESH");
  if (issuer == nullptr || *issuer == '\0' || rule == nullptr || *rule == '\0') {
    std::fprintf(stderr,
                 "interop_tests: PROFILE_AUTH_INTEROP_ISSUER and PROFILE_AUTH_INTEROP_REFRESH are "
                 "not set: run tests/interop/run.sh, which starts the server and sets them\n");
    return 2;
  }
  std::printf("interop_tests: issuer %s, refresh tokens: %s\n", issuer, rule);
  doctest::Context context(argc, argv);
  return context.run();
}
