// SPDX-License-Identifier: MIT
// profile-auth tests: doctest's main for adapter_tests (every tests/adapter/*.cpp is linked in).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
