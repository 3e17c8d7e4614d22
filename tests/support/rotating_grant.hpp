// SPDX-License-Identifier: MIT
// Test support: one grant of a token endpoint with refresh-token rotation and reuse detection,
// as oidc-provider and Stytch have it: every refresh issues a new refresh token, and presenting
// a rotated-out one revokes the whole grant. Transport-free: the in-process fake
// (tests/unit/test_session_sharing.cpp) and the loopback HTTP server of the Redis suite
// (tests/redis/test_redis_sharing.cpp) both answer with it.
#ifndef PROFILE_AUTH_TESTS_SUPPORT_ROTATING_GRANT_HPP
#define PROFILE_AUTH_TESTS_SUPPORT_ROTATING_GRANT_HPP

#include <cstddef>      // std::size_t
#include <mutex>        // every answer is one step
#include <string>       // tokens and bodies
#include <string_view>  // form bodies

namespace test_support {

/// The value of `name` in a form body (tests' tokens need no decoding), or "" when absent.
inline std::string form_value(std::string_view body, std::string_view name) {
  std::size_t at = 0;
  while (at <= body.size()) {
    const std::size_t end = body.find('&', at);
    const std::string_view part =
        body.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return {};
}

/// The grant: starts with refresh token "rt-0"; access tokens are "at-<n>", refresh tokens
/// "rt-<n>" for the n-th issue. Thread-safe.
class rotating_grant {
 public:
  struct answer {
    int status;
    std::string body;  ///< JSON
  };

  explicit rotating_grant(int expires_in) : expires_in_(expires_in) {}

  /// Answers a refresh request's form body. `client`: who presented it (counts switches).
  answer refresh(std::string_view form_body) {
    const std::lock_guard<std::mutex> lock(mu_);
    ++requests_;
    const std::string client = form_value(form_body, "client_id");
    if (client != last_client_) ++switches_;
    last_client_ = client;
    if (revoked_ || form_value(form_body, "refresh_token") != current_) {
      if (!revoked_) ++reuse_events_;
      revoked_ = true;
      return {400, R"({"error":"invalid_grant","error_description":"refresh token reuse"})"};
    }
    ++issued_;
    current_ = "rt-" + std::to_string(issued_);
    return {200, R"({"access_token":"at-)" + std::to_string(issued_) +
                     R"(","token_type":"Bearer","expires_in":)" + std::to_string(expires_in_) +
                     R"(,"refresh_token":")" + current_ + "\"}"};
  }

  std::size_t reuse_events() const { return read(reuse_events_); }
  std::size_t issued() const { return read(issued_); }
  std::size_t requests() const { return read(requests_); }
  /// How often the presenting client changed from one request to the next.
  std::size_t switches() const { return read(switches_); }
  bool revoked() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return revoked_;
  }

 private:
  std::size_t read(const std::size_t& v) const {
    const std::lock_guard<std::mutex> lock(mu_);
    return v;
  }

  mutable std::mutex mu_;
  int expires_in_;
  std::string current_ = "rt-0";
  std::string last_client_;
  std::size_t issued_ = 0;
  std::size_t requests_ = 0;
  std::size_t reuse_events_ = 0;
  std::size_t switches_ = 0;
  bool revoked_ = false;
};

}  // namespace test_support

#endif  // PROFILE_AUTH_TESTS_SUPPORT_ROTATING_GRANT_HPP
