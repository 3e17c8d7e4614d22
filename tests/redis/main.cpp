// SPDX-License-Identifier: MIT
// profile-auth tests: doctest's main for redis_tests (tests/redis/run.sh starts redis-server and
// runs it; every tests/redis/*.cpp links in).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
