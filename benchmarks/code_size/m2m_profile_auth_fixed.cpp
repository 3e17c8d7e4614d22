// SPDX-License-Identifier: MIT
// Code-size harness: ours, the firmware-shaped path: the Profile preset -> fixed_m2m_client
// (request in a fixed buffer, flat JSON answer, cache, backoff) -> the Authorization value, on
// the board's HTTP module, tick counter and TRNG. No heap, no std::string, errc outcomes
// (docs/firmware.md). The library's default macros: nothing else to configure.
#include "board.hpp"

#include <profile/auth/fixed_m2m_client.hpp>

#include <chrono>   // the board clock
#include <cstddef>  // std::byte, std::size_t
#include <span>     // FixedTransport's answer buffer, RandomSource::fill

namespace pa = profile::auth;

namespace {

/// The board's HTTP module as a FixedTransport. (The board's module takes NUL-terminated
/// strings and one header; the fixed_request views point into constants and the client's
/// work buffer, so the URL and content type are the client's NUL-terminated literals.)
struct board_transport {
  pa::fixed_response send(const pa::fixed_request& req, std::span<char> answer) {
    std::size_t n = 0;
    const int status = board_http_post(req.url.data(), req.content_type.data(), req.body.data(),
                                       req.body.size(), answer.data(), answer.size(), &n);
    return pa::fixed_response{status, n, 0};
  }
};

/// Milliseconds since boot.
struct board_clock {
  using duration = std::chrono::milliseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<board_clock, duration>;
  time_point now() const noexcept { return time_point(duration(board_millis())); }
};

/// The board's TRNG.
struct board_random {
  bool fill(std::span<std::byte> out) { return board_trng_fill(out.data(), out.size()) == 0; }
};

using client_type = pa::fixed_m2m_client<board_transport, board_clock, board_random>;

}  // namespace

extern "C" int app_authorization_header(char* out, size_t cap) {
  static client_type client{board_transport{},
                            pa::profile::fixed_m2m_config("inventory-sync", "s3cr3t-from-flash")};
  if (cap == 0) return -1;
  const pa::fixed_result<std::size_t> n =
      client.write_authorization_header(std::span<char>(out, cap - 1));
  if (!n) return -1;
  out[*n] = '\0';
  return static_cast<int>(*n);
}
