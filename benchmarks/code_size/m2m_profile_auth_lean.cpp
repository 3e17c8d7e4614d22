// SPDX-License-Identifier: MIT
// Code-size harness: ours in the reduced firmware configuration (docs/building.md, "Small
// firmware builds"): the same program as m2m_profile_auth.cpp, with short error messages, JSON
// answers only and no HTTP-date Retry-After. A firmware sets these in <profile_auth_config.hpp>.
#define PROFILE_AUTH_TERSE_ERRORS 1
#define PROFILE_AUTH_JSON_ONLY 1
#define PROFILE_AUTH_NO_HTTP_DATE 1

#include "m2m_profile_auth.cpp"  // NOLINT(bugprone-suspicious-include): the same program
