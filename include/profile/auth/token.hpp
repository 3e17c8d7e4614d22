// SPDX-License-Identifier: MIT
// profile-auth: the token value a token endpoint issues, and the monotonic time it lives on.
#ifndef PROFILE_AUTH_TOKEN_HPP
#define PROFILE_AUTH_TOKEN_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/secret.hpp>

#include <chrono>       // time_point, durations
#include <optional>     // expires_at may be unknown
#include <string>       // token_type, scope, raw unknown members
#include <string_view>  // lookups in extra
#include <utility>      // std::pair
#include <vector>       // unknown members, in order

namespace profile::auth::inline v0 {

/// The library's monotonic time. Drivers convert their Clock's time_point to it with
/// to_time_point(); pure functions take it as an argument and never read a clock themselves.
using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::nanoseconds>;

/// Converts any std::chrono-style time_point to the library's time_point (same epoch offset:
/// only differences between values of one clock are meaningful).
template <class TP>
[[nodiscard]] constexpr time_point to_time_point(TP t) noexcept {
  return time_point(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()));
}

/// An issued token (RFC 6749 §5.1). Secrets stay in `secret`; nothing here prints them.
struct token {
  secret access_token;
  std::string token_type = "Bearer";  ///< as issued; parse_token_response only accepts Bearer
  secret refresh_token;               ///< empty when the server issued none
  secret id_token;                    ///< OpenID Connect ID token; empty when none
  std::string scope;                  ///< granted scopes, space-separated (arrays are joined)
  std::optional<std::chrono::seconds> expires_in;  ///< as the server sent it, when usable
  time_point received_at{};                        ///< when the response arrived (monotonic)
  time_point expires_at{};  ///< received_at + effective lifetime (see token_parsing)
  /// Members the library does not interpret: name and raw JSON text of the value, in order.
  std::vector<std::pair<std::string, std::string>> extra;

  /// The raw JSON text of an unknown member, if present.
  [[nodiscard]] std::optional<std::string_view> extra_member(std::string_view name) const {
    for (const auto& m : extra)
      if (m.first == name) return std::string_view(m.second);
    return std::nullopt;
  }
  [[nodiscard]] bool has_refresh_token() const noexcept { return !refresh_token.empty(); }
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_TOKEN_HPP
