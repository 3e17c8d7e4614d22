// SPDX-License-Identifier: MIT
// profile-auth tests: what the transport scans (test_wipe_scan_*.cpp) share: a string built in
// one allocation and wiped, and an HTTP/1.1 server on a plain socket on 127.0.0.1 that answers
// every request with one canned reply. The server's thread never arms the scan.
#ifndef PROFILE_AUTH_TESTS_STANDALONE_SCAN_SERVER_HPP
#define PROFILE_AUTH_TESTS_STANDALONE_SCAN_SERVER_HPP

#include <profile/auth/http.hpp>    // http_request, http_response
#include <profile/auth/result.hpp>  // what a transport returns
#include <profile/auth/secret.hpp>  // secure_wipe

#include <doctest/doctest.h>

#include "scan_allocator.hpp"

#include <arpa/inet.h>   // inet_pton
#include <netinet/in.h>  // sockaddr_in
#include <sys/socket.h>  // socket, bind, listen, accept, send, recv
#include <unistd.h>      // close

#include <atomic>       // the count of answers
#include <cstddef>      // std::size_t
#include <string>       // the reply, URLs
#include <string_view>  // searching the request head
#include <thread>       // the server

namespace scan {

/// A string built in one allocation and wiped when it dies (the test's own copies must not
/// leave freed secrets behind).
struct text {
  std::string s;
  explicit text(std::size_t capacity) { s.reserve(capacity); }
  text(const text&) = delete;
  text& operator=(const text&) = delete;
  ~text() { profile::auth::detail::secure_wipe(s); }
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
    profile::auth::detail::secure_wipe(buf_, sizeof buf_);
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

/// A 48 KB token answer with the marker in its token, as the whole HTTP reply: a transport
/// receives it in pieces, so its body buffer grows several times.
struct token_reply {
  text body{64 << 10};
  text reply{80 << 10};
  token_reply() {
    body << R"({"access_token":"at-)" << marker;
    while (body.s.size() < (48 << 10))
      body << "0123456789abcdefghijklmnopqrstuvwxyz_-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    body << R"(","token_type":"Bearer","expires_in":3600})";
    reply << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          << std::to_string(body.s.size()) << "\r\n\r\n"
          << body.s;
  }
};

/// What exchanges() saw.
struct exchange_outcome {
  bool got_body = false;     ///< both answers arrived whole, marker included
  std::size_t cpp_hits = 0;  ///< blocks freed by operator delete that held the marker
};

/// Sends, with a fresh Transport made by `make()`, two token requests to `url` (the second on
/// the kept-alive connection): a form body with a client secret, and an Authorization field
/// (`basic`: Basic credentials; else a Bearer token), both with the marker. The scan is armed
/// from before the request is built until after the transport is destroyed; the test's own
/// copies are wiped.
template <class Make>
exchange_outcome exchanges(const std::string& url, bool basic, Make make) {
  exchange_outcome out;
  window w;
  {
    profile::auth::http_request req;
    req.method = "POST";
    req.url = url;
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    {
      text credential(128);
      credential << (basic ? "Basic c3ZjOlNDQU5NQVJLLXNlY3JldA-" : "Bearer at-") << marker
                 << "-0123456789";
      req.headers.add("Authorization", credential.s);
    }
    {
      text form(256);
      form << "grant_type=client_credentials&client_id=svc&client_secret=cs-" << marker
           << "-0123456789";
      req.body = form.s;
    }
    {
      auto transport = make();
      for (int i = 0; i < 2; ++i) {
        profile::auth::result<profile::auth::http_response> resp = transport.send(req);
        out.got_body =
            resp.has_value() && resp->status == 200 && resp->body.find(marker) != std::string::npos;
        if (resp) profile::auth::detail::secure_wipe(resp->body);
        if (!out.got_body) break;
      }
    }
    profile::auth::detail::secure_wipe(req.body);
    for (const auto& field : req.headers)
      profile::auth::detail::secure_wipe(const_cast<std::string&>(field.second));
  }
  out.cpp_hits = w.close();
  return out;
}

}  // namespace scan

#endif  // PROFILE_AUTH_TESTS_STANDALONE_SCAN_SERVER_HPP
