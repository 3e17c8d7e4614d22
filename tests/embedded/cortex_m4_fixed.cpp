// SPDX-License-Identifier: MIT
// profile-auth portability check: fixed_m2m_client, the heap-free M2M client, compiles for a
// Cortex-M4 (newlib-nano, -fno-exceptions -fno-rtti) with a modem-style transport, the board's
// tick counter and TRNG. Compile-only (scripts/test, step cortex-m4).
#include <profile/auth/fixed_m2m_client.hpp>

#include <chrono>   // the tick clock
#include <cstddef>  // std::byte, std::size_t
#include <cstdint>  // std::uint32_t: register widths
#include <cstring>  // std::memcpy into the answer buffer
#include <span>     // FixedTransport's answer buffer, RandomSource::fill

namespace pa = profile::auth;

namespace {
// Stand in for memory-mapped registers.
volatile std::uint32_t trng_data = 0x9e3779b9u;
volatile std::uint32_t systick_ms = 0;

struct hardware_trng {
  bool fill(std::span<std::byte> out) noexcept {
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::byte>(trng_data >> (8 * (i % 4)));
    return true;
  }
};

struct tick_clock {
  using duration = std::chrono::milliseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<tick_clock, duration>;
  time_point now() const noexcept { return time_point(duration(systick_ms)); }
};

/// A cellular modem's HTTP client: AT commands in real life, a canned answer here.
struct modem_transport {
  pa::fixed_response send(const pa::fixed_request& req, std::span<char> answer) noexcept {
    static constexpr char body[] = R"({"access_token":"m4-token","expires_in":3600})";
    if (req.url.empty() || answer.size() < sizeof body - 1) return {};
    std::memcpy(answer.data(), body, sizeof body - 1);
    return {200, sizeof body - 1, 0};
  }
};
static_assert(pa::FixedTransport<modem_transport>);
static_assert(pa::RandomSource<hardware_trng>);
static_assert(pa::Clock<tick_clock>);

using client_type = pa::fixed_m2m_client<modem_transport, tick_clock, hardware_trng, 512, 1024>;
}  // namespace

// Entry points with external linkage so that -Os keeps the code and the compiler checks it all.
int profile_auth_m4_fixed_header(char* out, std::size_t cap) {
  static client_type client{modem_transport{},
                            pa::profile::fixed_m2m_config("m4-device", "m4-client-secret")};
  const pa::fixed_result<std::size_t> n = client.write_authorization_header(std::span(out, cap));
  if (!n) return -static_cast<int>(n.error().code);
  return static_cast<int>(*n);
}

bool profile_auth_m4_fixed_basic(char* out, std::size_t cap) {
  pa::fixed_m2m_config cfg = pa::profile::fixed_m2m_config_v4("m4-device", "m4-client-secret");
  cfg.auth = pa::client_auth::client_secret_basic;
  cfg.format = pa::body_format::form;
  static client_type client{modem_transport{}, cfg};
  const auto h = client.authorization_header();
  if (!h) return pa::is_retryable(h.error());
  if (h->size() > cap) return false;
  std::memcpy(out, h->data(), h->size());
  client.invalidate();
  return true;
}

#ifdef PROFILE_AUTH_TEST_FIXED_DEFAULT_RANDOM
// Must not compile: bare metal has no default random source, and the client says so.
int profile_auth_m4_fixed_default_random(char* out, std::size_t cap) {
  static pa::fixed_m2m_client<modem_transport, tick_clock> client{
      modem_transport{}, pa::profile::fixed_m2m_config("m4-device", "m4-client-secret")};
  const auto n = client.write_authorization_header(std::span(out, cap));
  return n ? static_cast<int>(*n) : -1;
}
#endif
