// SPDX-License-Identifier: MIT
// profile-auth: the umbrella header: every core header (transports/ and adapters/ stay opt-in).
#ifndef PROFILE_AUTH_HPP
#define PROFILE_AUTH_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/version.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/concepts.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/refresh_policy.hpp>

#endif  // PROFILE_AUTH_HPP
