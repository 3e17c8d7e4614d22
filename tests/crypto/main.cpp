// SPDX-License-Identifier: MIT
// profile-auth tests: doctest's main for crypto_tests (every tests/crypto/*.cpp is linked in).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
