// SPDX-License-Identifier: MIT
// profile-auth testing: every test double (clock, transports, randomness, fake Profile API).
#ifndef PROFILE_AUTH_TESTING_HPP
#define PROFILE_AUTH_TESTING_HPP

// Test doubles only: never included by <profile/auth.hpp>. Everything here lives in
// profile::auth::testing and is meant for tests, examples and offline demos.
#include <profile/auth/testing/fake_async_transport.hpp>  // AsyncTransport the test answers
#include <profile/auth/testing/fake_profile_api.hpp>      // in-process Profile API (a Transport)
#include <profile/auth/testing/fake_transport.hpp>        // scripted, recording Transport
#include <profile/auth/testing/fixed_adapter.hpp>         // any Transport as a FixedTransport
#include <profile/auth/testing/fixed_random.hpp>          // deterministic RandomSource
#include <profile/auth/testing/manual_clock.hpp>          // a Clock the test moves by hand

#endif  // PROFILE_AUTH_TESTING_HPP
