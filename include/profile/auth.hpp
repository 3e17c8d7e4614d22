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
#include <profile/auth/coarse_clock.hpp>
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
#include <profile/auth/pkce.hpp>
#include <profile/auth/jwt.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/refresh_token.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/grants/client_metadata.hpp>
#include <profile/auth/grants/registration.hpp>
#include <profile/auth/grants/introspection.hpp>
#include <profile/auth/www_authenticate.hpp>
#include <profile/auth/discovery.hpp>
#include <profile/auth/from_metadata.hpp>
#include <profile/auth/resource_metadata.hpp>

// state and drivers
#include <profile/auth/token_cache.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/async_m2m_client.hpp>
#include <profile/auth/token_store.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/user_session.hpp>
#include <profile/auth/async_user_session.hpp>
#include <profile/auth/device_flow.hpp>

// Profile API presets
#include <profile/auth/profile.hpp>
#include <profile/auth/profile_login.hpp>

#endif  // PROFILE_AUTH_HPP
