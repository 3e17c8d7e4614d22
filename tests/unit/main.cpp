// SPDX-License-Identifier: MIT
// profile-auth tests: doctest's main for unit_tests (the build links every tests/unit/*.cpp in).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
