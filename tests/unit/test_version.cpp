// SPDX-License-Identifier: MIT
// profile-auth tests: the version macros agree with each other and with the build system.
#include <profile/auth/version.hpp>

#include <doctest/doctest.h>

#include <string>       // std::to_string to spell the expected string
#include <string_view>  // comparing the string macro

namespace {
std::string dotted(int major, int minor, int patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}
}  // namespace

// PROFILE_AUTH_VERSION packs minor and patch into two decimal digits each.
static_assert(PROFILE_AUTH_VERSION_MINOR >= 0 && PROFILE_AUTH_VERSION_MINOR < 100);
static_assert(PROFILE_AUTH_VERSION_PATCH >= 0 && PROFILE_AUTH_VERSION_PATCH < 100);
static_assert(PROFILE_AUTH_VERSION_MAJOR >= 0);

TEST_CASE("PROFILE_AUTH_VERSION packs major, minor and patch") {
  CHECK(PROFILE_AUTH_VERSION == PROFILE_AUTH_VERSION_MAJOR * 10000 +
                                    PROFILE_AUTH_VERSION_MINOR * 100 + PROFILE_AUTH_VERSION_PATCH);
  CHECK(PROFILE_AUTH_VERSION / 10000 == PROFILE_AUTH_VERSION_MAJOR);
  CHECK(PROFILE_AUTH_VERSION / 100 % 100 == PROFILE_AUTH_VERSION_MINOR);
  CHECK(PROFILE_AUTH_VERSION % 100 == PROFILE_AUTH_VERSION_PATCH);
}

TEST_CASE("PROFILE_AUTH_VERSION_STRING spells the same numbers") {
  CHECK(std::string_view(PROFILE_AUTH_VERSION_STRING) ==
        dotted(PROFILE_AUTH_VERSION_MAJOR, PROFILE_AUTH_VERSION_MINOR, PROFILE_AUTH_VERSION_PATCH));
}

#ifdef PROFILE_AUTH_TEST_BUILD_SYSTEM_VERSION
// CMake and Meson read the version out of version.hpp; this catches a parser that drifted.
TEST_CASE("the build system read the same version as version.hpp") {
  CHECK(std::string_view(PROFILE_AUTH_TEST_BUILD_SYSTEM_VERSION) ==
        std::string_view(PROFILE_AUTH_VERSION_STRING));
}
#endif
