// SPDX-License-Identifier: MIT
// profile-auth tests: doctest's main for transport_tests (every tests/transport/*.cpp links in).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
