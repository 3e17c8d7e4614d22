// SPDX-License-Identifier: MIT
// profile-auth tests: curl_transport frees nothing of its own that still holds a secret. Every
// operator new/delete of this program goes through scan_allocator.hpp, and libcurl's own
// allocations through memory callbacks (curl_global_init_mem) that scan the same way, so the
// test can tell apart:
// - blocks of C++ code (the transport's header lines, response body, error paths): none may
//   hold the marker;
// - the header lines libcurl copied from curl_transport (curl_slist, freed by the transport):
//   none may hold it either;
// - libcurl's internal buffers (its request and receive buffers): counted and reported only.
//   The library cannot wipe them; docs/caching.md says so in its table.
// The server is a plain socket on 127.0.0.1 in its own thread, whose frees are not scanned.
// Its own program (and not in transport_tests): it replaces the global operator new.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <profile/auth/secret.hpp>
#include <profile/auth/transports/curl.hpp>

#include <doctest/doctest.h>

#include "scan_allocator.hpp"
#include "scan_server.hpp"

#include <atomic>       // libcurl's hit counters
#include <cstddef>      // std::size_t
#include <cstring>      // std::memcpy, std::strlen, std::memset
#include <string_view>  // the header line prefix

namespace pa = profile::auth;

namespace {

// ---- libcurl's allocations, scanned like operator new's ----------------------------------------
std::atomic<std::size_t> curl_header_line_hits{0};  // "Authorization: …" lines we gave libcurl
std::atomic<std::size_t> curl_internal_hits{0};     // anything else libcurl allocated

void curl_scan(void* p) {
  if (!scan::armed) return;
  const std::size_t n = scan::block_size(p);
  if (!scan::holds_marker(p, n)) return;
  constexpr std::string_view line = "Authorization:";
  if (n >= line.size() && std::string_view(static_cast<const char*>(p), line.size()) == line)
    curl_header_line_hits.fetch_add(1);
  else
    curl_internal_hits.fetch_add(1);
}
void* curl_malloc(std::size_t n) { return scan::allocate(n, 0, true); }
void curl_free(void* p) {
  if (p == nullptr) return;
  curl_scan(p);
  scan::give_back(p, 0);
}
void* curl_realloc(void* p, std::size_t n) {
  if (p == nullptr) return curl_malloc(n);
  void* q = curl_malloc(n);
  if (q == nullptr) return nullptr;
  const std::size_t old = scan::block_size(p);
  std::memcpy(q, p, old < n ? old : n);
  curl_free(p);  // what a moving realloc gives back, as it is
  return q;
}
char* curl_strdup(const char* s) {
  const std::size_t n = std::strlen(s) + 1;
  void* q = curl_malloc(n);
  if (q != nullptr) std::memcpy(q, s, n);
  return static_cast<char*>(q);
}
void* curl_calloc(std::size_t count, std::size_t size) {
  void* q = curl_malloc(count * size);
  if (q != nullptr) std::memset(q, 0, count * size);
  return q;
}

/// Installs the callbacks before anything else initialises libcurl in this process.
const bool curl_scanned = curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_malloc, curl_free,
                                               curl_realloc, curl_strdup, curl_calloc) == CURLE_OK;

}  // namespace

TEST_CASE("wipe scan curl: curl_transport's own blocks and header lines hold no secret") {
  REQUIRE(curl_scanned);
  const scan::token_reply reply;
  scan::server srv(reply.reply.s);
  for (const bool basic : {true, false}) {
    CAPTURE(basic);
    const std::size_t before_lines = curl_header_line_hits.load();
    const std::size_t before_internal = curl_internal_hits.load();
    const scan::exchange_outcome o =
        scan::exchanges(srv.url(), basic, [] { return pa::transports::curl_transport(); });
    CHECK(o.got_body);
    CHECK_MESSAGE(o.cpp_hits == 0, "blocks of C++ code freed holding a secret: ", o.cpp_hits,
                  " (last one of ", scan::last_hit_size.load(), " bytes)");
    CHECK(curl_header_line_hits.load() - before_lines == 0);
    MESSAGE("libcurl's own buffers freed holding a secret (not under the library's control): ",
            curl_internal_hits.load() - before_internal);
  }
  CHECK(srv.served.load() == 4);
}
