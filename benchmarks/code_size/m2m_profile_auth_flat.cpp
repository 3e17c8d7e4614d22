// SPDX-License-Identifier: MIT
// Code-size harness: the lean configuration plus PROFILE_AUTH_FLAT_JSON_ONLY (docs/building.md,
// "Small firmware builds"): token and error answers are read by the one-pass reader for flat
// objects only, so the general JSON reader drops out of the image.
#define PROFILE_AUTH_FLAT_JSON_ONLY 1

#include "m2m_profile_auth_lean.cpp"  // NOLINT(bugprone-suspicious-include): the same program
