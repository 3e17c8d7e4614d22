// SPDX-License-Identifier: MIT
// compile-fail: fixed_m2m_client takes a FixedTransport (views in, the body written into a
// buffer); a general Transport (http_request in, result<http_response> out) is rejected with a
// static_assert that names the requirement.
#include <profile/auth/concepts.hpp>
#include <profile/auth/fixed_m2m_client.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <chrono>   // the clock
#include <cstddef>  // std::byte
#include <span>     // the answer buffer, RandomSource::fill

namespace pa = profile::auth;

namespace {
struct general_transport {  // what m2m_client takes
  pa::result<pa::http_response> send(const pa::http_request&) { return pa::http_response{}; }
};
struct fixed_transport {  // what fixed_m2m_client takes
  pa::fixed_response send(const pa::fixed_request&, std::span<char>) { return {}; }
};
struct zero_random {
  bool fill(std::span<std::byte> out) noexcept {
    for (std::byte& b : out) b = std::byte{0};
    return true;
  }
};
struct zero_clock {
  using duration = std::chrono::milliseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<zero_clock, duration>;
  time_point now() const noexcept { return time_point{}; }
};
}  // namespace

int main() {
#ifdef PROFILE_AUTH_COMPILE_FAIL
  using transport = general_transport;
#else
  using transport = fixed_transport;
#endif
  pa::fixed_m2m_client<transport, zero_clock, zero_random> client{
      transport{}, pa::profile::fixed_m2m_config("id", "secret")};
  return client.token_requests() == 0 ? 0 : 1;
}
