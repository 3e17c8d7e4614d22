// SPDX-License-Identifier: MIT
// profile-auth portability check: the umbrella header compiles for a Cortex-M4 (newlib-nano,
// -fno-exceptions -fno-rtti), with a user-supplied TRNG and no threads. Compile-only.
#include <profile/auth.hpp>

#include <chrono>   // token lifetimes
#include <cstddef>  // std::byte, std::size_t
#include <cstdint>  // std::uint32_t: the TRNG register's width
#include <span>     // RandomSource::fill

namespace pa = profile::auth;

namespace {
// Stands in for a memory-mapped TRNG data register.
volatile std::uint32_t trng_data = 0x9e3779b9u;

struct hardware_trng {
  bool fill(std::span<std::byte> out) noexcept {
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::byte>(trng_data >> (8 * (i % 4)));
    return true;
  }
};
static_assert(pa::RandomSource<hardware_trng>);
static_assert(pa::LockPolicy<pa::single_threaded>);
static_assert(!pa::default_lock_policy::is_thread_safe,
              "without gthreads the default lock policy must be single_threaded");

struct uart_transport {
  pa::result<pa::http_response> send(const pa::http_request& req) {
    if (req.url.empty()) return pa::fail(pa::errc::transport_failed, "no modem");
    return pa::http_response{200, {}, "{}"};
  }
};
static_assert(pa::Transport<uart_transport>);
}  // namespace

// Entry points with external linkage so that -Os keeps the code and the compiler checks it all.
bool profile_auth_m4_check(pa::time_point now) {
  hardware_trng rng;
  std::byte nonce[16]{};
  if (!rng.fill(nonce)) return false;

  const pa::secret client_secret("m4-client-secret");
  pa::http_request req{"POST", "https://api.profilebehavior.com/v3/auth", {}, "{}"};
  req.headers.add("Content-Type", "application/json");
  uart_transport t;
  const pa::result<pa::http_response> resp = t.send(req);
  if (!resp || !resp->ok()) return false;

  pa::token tok;
  tok.access_token = pa::secret("m4-token");
  tok.received_at = now;
  tok.expires_at = now + std::chrono::seconds(3600);
  return !pa::needs_refresh(tok, now) && !client_secret.empty();
}

#ifdef PROFILE_AUTH_TEST_USE_OS_RANDOM
// Must not compile: bare metal has no OS random source, and the library says so when used.
bool profile_auth_m4_os_random(std::span<std::byte> out) { return pa::os_random{}.fill(out); }
#endif
