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

// primitives
#include <profile/auth/encoding.hpp>
#include <profile/auth/sha256.hpp>
#include <profile/auth/url.hpp>
#include <profile/auth/header.hpp>

// protocol
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/token_response.hpp>

// state and drivers
#include <profile/auth/token_cache.hpp>
#include <profile/auth/m2m_client.hpp>

// Profile API presets
#include <profile/auth/profile.hpp>

#endif  // PROFILE_AUTH_HPP
