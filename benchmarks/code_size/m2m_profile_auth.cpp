// SPDX-License-Identifier: MIT
// Code-size harness: ours. The Profile preset config -> m2m_client (request, parse, cache) ->
// the Authorization value, on the board's HTTP module, tick counter and TRNG; single_threaded
// lock policy (no <mutex> on the target).
#include "board.hpp"

#include <profile/auth.hpp>

#include <chrono>   // the board clock
#include <cstddef>  // std::byte
#include <span>     // RandomSource::fill, write_authorization_header
#include <string>   // the response body

namespace pa = profile::auth;

namespace {

/// The board's HTTP module as a Transport.
struct board_transport {
  pa::result<pa::http_response> send(const pa::http_request& req) {
    static char answer[2048];
    std::size_t n = 0;
    const std::string_view type = req.headers.find("Content-Type").value_or("");
    const std::string content_type(type);
    const int status = board_http_post(req.url.c_str(), content_type.c_str(), req.body.data(),
                                       req.body.size(), answer, sizeof answer, &n);
    if (status == 0) return pa::fail(pa::errc::transport_failed, "the HTTP module failed");
    pa::http_response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body.assign(answer, n);
    return r;
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

using client_type = pa::m2m_client<board_transport, board_clock, pa::single_threaded, board_random>;

}  // namespace

extern "C" int app_authorization_header(char* out, size_t cap) {
  static client_type client{
      board_transport{},
      pa::profile::m2m_config("inventory-sync", pa::secret("s3cr3t-from-flash"))};
  if (cap == 0) return -1;
  const pa::result<std::size_t> n =
      client.write_authorization_header(std::span<char>(out, cap - 1));
  if (!n) return -1;
  out[*n] = '\0';
  return static_cast<int>(*n);
}
