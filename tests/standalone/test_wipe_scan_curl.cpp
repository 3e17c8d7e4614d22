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

#include <arpa/inet.h>   // inet_pton
#include <netinet/in.h>  // sockaddr_in
#include <sys/socket.h>  // socket, bind, listen, accept, send, recv
#include <unistd.h>      // close

#include <atomic>       // libcurl's hit counters
#include <cstddef>      // std::size_t
#include <cstring>      // std::memcpy, std::strlen, std::memset
#include <string>       // bodies and URLs
#include <string_view>  // searching the request head
#include <thread>       // the server

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

/// A string built in one allocation and wiped when it dies (the test's own copies must not
/// leave freed secrets behind).
struct text {
  std::string s;
  explicit text(std::size_t capacity) { s.reserve(capacity); }
  text(const text&) = delete;
  text& operator=(const text&) = delete;
  ~text() { pa::detail::secure_wipe(s); }
  text& operator<<(std::string_view v) {
    if (s.size() + v.size() > s.capacity()) FAIL("text: the capacity is too small");
    s.append(v);
    return *this;
  }
};

/// Answers every connection with `reply` (in 4 KB writes), after reading the request head and
/// body into a fixed buffer that it wipes. Unscanned: its thread never arms the scan.
class server {
 public:
  explicit server(const std::string& reply) : reply_(reply) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
    pa::detail::secure_wipe(buf_, sizeof buf_);
  }
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/token";
  }
  std::atomic<int> served{0};

 private:
  void run() {
    for (;;) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      for (;;) {  // keep-alive: one request after the other on this connection
        std::size_t have = 0, need = 0;
        for (;;) {
          const ssize_t r = ::recv(c, buf_ + have, sizeof buf_ - have, 0);
          if (r <= 0) break;
          have += static_cast<std::size_t>(r);
          const std::string_view got(buf_, have);
          const std::size_t end = got.find("\r\n\r\n");
          if (end == std::string_view::npos) continue;
          std::size_t length = 0;
          const std::size_t cl = got.find("Content-Length: ");
          if (cl != std::string_view::npos && cl < end)
            length = std::stoul(std::string(got.substr(cl + 16, 12)));
          need = end + 4 + length;
          if (have >= need) break;
        }
        if (need == 0 || have < need) break;
        for (std::size_t at = 0; at < reply_.size(); at += 4096) {
          const std::size_t n = reply_.size() - at < 4096 ? reply_.size() - at : 4096;
          if (::send(c, reply_.data() + at, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n)) break;
        }
        served.fetch_add(1);
      }
      ::close(c);
    }
  }
  const std::string& reply_;
  int fd_ = -1;
  int port_ = 0;
  char buf_[1 << 16] = {};
  std::thread thread_;
};

}  // namespace

TEST_CASE("wipe scan curl: curl_transport's own blocks and header lines hold no secret") {
  REQUIRE(curl_scanned);
  // A 48 KB token answer: libcurl hands it over in pieces, so the body grows several times.
  text body(64 << 10);
  body << R"({"access_token":"at-)" << scan::marker;
  while (body.s.size() < (48 << 10))
    body << "0123456789abcdefghijklmnopqrstuvwxyz_-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  body << R"(","token_type":"Bearer","expires_in":3600})";
  text reply(80 << 10);
  reply << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        << std::to_string(body.s.size()) << "\r\n\r\n"
        << body.s;
  server srv(reply.s);
  const std::string url = srv.url();

  for (const bool basic : {true, false}) {
    CAPTURE(basic);
    const std::size_t before_lines = curl_header_line_hits.load();
    const std::size_t before_internal = curl_internal_hits.load();
    std::size_t cpp_hits = 0;
    bool got_body = false;
    {
      scan::window w;
      {
        pa::http_request req;
        req.method = "POST";
        req.url = url;
        req.headers.add("Content-Type", "application/x-www-form-urlencoded");
        {
          text credential(128);
          credential << (basic ? "Basic c3ZjOlNDQU5NQVJLLXNlY3JldA-" : "Bearer at-") << scan::marker
                     << "-0123456789";
          req.headers.add("Authorization", credential.s);
        }
        {
          text form(256);
          form << "grant_type=client_credentials&client_id=svc&client_secret=cs-" << scan::marker
               << "-0123456789";
          req.body = form.s;
        }
        pa::transports::curl_transport transport;
        for (int i = 0; i < 2; ++i) {  // the second one over the kept-alive connection
          pa::result<pa::http_response> resp = transport.send(req);
          got_body = resp.has_value() && resp->status == 200 &&
                     resp->body.find(scan::marker) != std::string::npos;
          if (resp) pa::detail::secure_wipe(resp->body);
          if (!got_body) break;
        }
        pa::detail::secure_wipe(req.body);
        for (const auto& field : req.headers)
          pa::detail::secure_wipe(const_cast<std::string&>(field.second));
      }
      cpp_hits = w.close();
    }
    CHECK(got_body);
    CHECK_MESSAGE(cpp_hits == 0, "blocks of C++ code freed holding a secret: ", cpp_hits,
                  " (last one of ", scan::last_hit_size.load(), " bytes)");
    CHECK(curl_header_line_hits.load() - before_lines == 0);
    MESSAGE("libcurl's own buffers freed holding a secret (not under the library's control): ",
            curl_internal_hits.load() - before_internal);
  }
  CHECK(srv.served.load() == 4);
}
