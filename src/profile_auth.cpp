// SPDX-License-Identifier: MIT
// The compiled-mode library (PROFILE_AUTH_SEPARATE_COMPILATION=1): every out-of-line definition
// of profile-auth, compiled once. See docs/building.md, "Compiled mode".
#include <profile/auth/src.hpp>
