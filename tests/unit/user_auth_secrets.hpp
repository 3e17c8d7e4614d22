// SPDX-License-Identifier: MIT
// Test support for the user-authorization tests: the secrets they use, and a scan of every error.
#ifndef PROFILE_AUTH_TESTS_UNIT_USER_AUTH_SECRETS_HPP
#define PROFILE_AUTH_TESTS_UNIT_USER_AUTH_SECRETS_HPP

#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>

#include <doctest/doctest.h>

#include <cstddef>      // std::size_t
#include <string>       // collected messages
#include <string_view>  // the secrets
#include <vector>       // the collection

namespace user_auth_test {

// Every credential the pkce/authorization_code/refresh/revocation/device/jwt tests put into a
// request or a response. Each is made of unreserved characters only, so its percent- and
// form-encodings equal it and a leak is found whatever encoding it took.
inline constexpr std::string_view client_secret = "CL1ENT-s3cret-Xq9";
inline constexpr std::string_view code = "C0DE-auth-code-7Hk2";
inline constexpr std::string_view verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr std::string_view refresh_token = "R3FRESH-tok-Zp41";
inline constexpr std::string_view refresh_token2 = "R3FRESH-rotated-Qw73";
inline constexpr std::string_view access_token = "AcC3SS-tok-Vb20";
inline constexpr std::string_view device_code = "D3VICE-code-Lm88";
inline constexpr std::string_view all_secrets[] = {
    client_secret, code, verifier, refresh_token, refresh_token2, access_token, device_code};

/// Every error message the user-authorization tests saw (for the final whole-suite scan).
inline std::vector<std::string>& collected() {
  static std::vector<std::string> all;
  return all;
}

/// Checks that `e` names no secret in any text field and has a message; records it.
inline void scan(const profile::auth::error& e) {
  CHECK_FALSE(e.message.empty());
  for (const std::string_view s : all_secrets) {
    CHECK_MESSAGE(e.message.find(s) == std::string::npos, "secret in message: " << e.message);
    CHECK(e.description.find(s) == std::string::npos);
    CHECK(e.uri.find(s) == std::string::npos);
    CHECK(e.oauth_error.find(s) == std::string::npos);
  }
  collected().push_back(e.message + "\n" + e.description + "\n" + e.uri);
}

/// The error of a result that must have failed, scanned; its code.
template <class T>
profile::auth::errc error_of(const profile::auth::result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  scan(r.error());
  return r.error().code;
}

}  // namespace user_auth_test

#endif  // PROFILE_AUTH_TESTS_UNIT_USER_AUTH_SECRETS_HPP
