// SPDX-License-Identifier: MIT
// profile-auth: the definitions of compiled mode (PROFILE_AUTH_SEPARATE_COMPILATION=1).
//
// Include this from exactly one source file of a program that builds profile-auth in compiled
// mode (the `profile::auth_compiled` CMake target and the Meson `profile_auth_compiled_dep` do
// it for you with src/profile_auth.cpp). It must come before any other profile-auth header in
// that file. Every other translation unit includes the usual headers and sees declarations only.
#ifndef PROFILE_AUTH_SRC_HPP
#define PROFILE_AUTH_SRC_HPP

#if defined(PROFILE_AUTH_CONFIG_HPP) && !defined(PROFILE_AUTH_SOURCE)
#error "<profile/auth/src.hpp> must be the first profile-auth header of its source file"
#endif
#ifndef PROFILE_AUTH_SOURCE
#define PROFILE_AUTH_SOURCE 1
#endif

#include <profile/auth/config.hpp>

#if !PROFILE_AUTH_SEPARATE_COMPILATION
#error "<profile/auth/src.hpp> is for compiled mode: define PROFILE_AUTH_SEPARATE_COMPILATION=1"
#endif

#include <profile/auth.hpp>

#endif  // PROFILE_AUTH_SRC_HPP
