// SPDX-License-Identifier: MIT
// Test support shared by the transport tests: cpp-httplib servers (plain and TLS) on loopback,
// a raw socket server for answers httplib cannot produce, the standard routes, a port nobody
// listens on, and the fake Profile API served over real HTTP.
#ifndef PROFILE_AUTH_TESTS_TRANSPORT_LOOPBACK_HPP
#define PROFILE_AUTH_TESTS_TRANSPORT_LOOPBACK_HPP

#include <profile/auth/http.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>

#include <doctest/doctest.h>
#include <httplib.h>  // the test server (Debian libcpp-httplib-dev: compiled library + header)

#include <arpa/inet.h>   // inet_pton
#include <netinet/in.h>  // sockaddr_in
#include <sys/socket.h>  // socket, bind, listen, accept, getsockname
#include <sys/time.h>    // timeval for SO_RCVTIMEO
#include <unistd.h>      // close

#include <atomic>       // stop flags and counters shared with server threads
#include <chrono>       // start-up polling, slow routes
#include <cstddef>      // std::size_t
#include <functional>   // server setup
#include <string>       // URLs, bodies, request heads
#include <string_view>  // paths, hosts
#include <thread>       // server threads
#include <type_traits>  // std::is_base_of_v: the scheme of a server
#include <utility>      // std::move, std::forward
#include <vector>       // raw_server's replies and the heads it read

namespace loopback {

/// A GET request without headers or body.
inline profile::auth::http_request get(std::string url) { return {"GET", std::move(url), {}, {}}; }

/// State shared between a test and standard_routes.
struct shared_state {
  std::atomic<bool> stop{false};  ///< ends /slow early
  std::atomic<int> hits{0};       ///< requests to /echo and /hello
};

/// A cpp-httplib server (httplib::Server, or httplib::SSLServer constructed with `args`, e.g.
/// the certificate and key files) on 127.0.0.1, on an ephemeral port, in its own thread.
template <class Server>
class basic_server {
 public:
  template <class... Args>
  explicit basic_server(const std::function<void(httplib::Server&)>& setup, Args&&... args)
      : server_(std::forward<Args>(args)...) {
    setup(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(server_.is_running());
  }
  basic_server(const basic_server&) = delete;
  basic_server& operator=(const basic_server&) = delete;
  ~basic_server() {
    server_.stop();
    thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }
  /// "http(s)://<host>:<port><path>".
  [[nodiscard]] std::string url(std::string_view path, std::string_view host = "127.0.0.1") const {
    return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port_) +
           std::string(path);
  }

 private:
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
  static constexpr const char* scheme =
      std::is_base_of_v<httplib::SSLServer, Server> ? "https" : "http";
#else
  static constexpr const char* scheme = "http";
#endif
  Server server_;
  int port_ = 0;
  std::thread thread_;
};

using plain_server = basic_server<httplib::Server>;
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
using tls_server = basic_server<httplib::SSLServer>;
#endif

/// Serves fixed byte strings, one per connection in order, then stops accepting: for answers
/// httplib cannot produce (interim responses with fields, folded fields, garbage, a closed
/// kept-alive connection). With `read_head` (the default) it first reads the request head (up
/// to the blank line); otherwise it answers after whatever the client sends first (a TLS
/// ClientHello, say).
class raw_server {
 public:
  explicit raw_server(std::string reply, bool read_head = true)
      : raw_server(std::vector<std::string>{std::move(reply)}, read_head) {}
  explicit raw_server(std::vector<std::string> replies, bool read_head = true)
      : replies_(std::move(replies)), read_head_(read_head) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (const std::string& reply : replies_)
        if (!serve_one(reply)) return;
    });
  }
  raw_server(const raw_server&) = delete;
  raw_server& operator=(const raw_server&) = delete;
  ~raw_server() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept() if nobody connected
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  /// The request heads the server read, one per connection (waits until every reply went out).
  [[nodiscard]] const std::vector<std::string>& received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }
  /// The first request head (waits as received()).
  [[nodiscard]] std::string first_received() {
    const auto& all = received();
    return all.empty() ? std::string() : all.front();
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  bool serve_one(const std::string& reply) {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return false;
    std::string got;
    char buf[4096];
    do {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    } while (read_head_ && got.find("\r\n\r\n") == std::string::npos);
    received_.push_back(got);
    std::size_t off = 0;
    while (off < reply.size()) {
      const ssize_t n = ::send(c, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::shutdown(c, SHUT_WR);
    // Drain until the client closes (closing with unread data would reset the connection
    // before the client read the reply), but not forever: a client keeping the connection
    // alive must not stop the next accept.
    timeval tv{};
    tv.tv_sec = 2;
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (::recv(c, buf, sizeof buf, 0) > 0) {
    }
    ::close(c);
    return true;
  }

  std::vector<std::string> replies_;
  bool read_head_;
  std::vector<std::string> received_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

/// A loopback port nobody listens on (bound, then released).
inline int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// The routes every transport is tested against.
inline void standard_routes(httplib::Server& s, shared_state& st) {
  using namespace std::chrono_literals;
  const auto echo = [&st](const httplib::Request& req, httplib::Response& res) {
    ++st.hits;
    res.set_header("X-Seen-Method", req.method);
    for (const auto& [name, value] : req.headers) res.set_header("X-Seen-" + name, value);
    res.set_content(req.body, "application/octet-stream");
  };
  s.Get("/echo", echo);
  s.Post("/echo", echo);
  s.Put("/echo", echo);
  s.Patch("/echo", echo);
  s.Delete("/echo", echo);
  s.Get("/hello", [&st](const httplib::Request&, httplib::Response& res) {
    ++st.hits;
    res.set_content("hello", "text/plain");
  });
  s.Get("/dup", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Dup", "first");
    res.set_header("Set-Cookie", "a=1");
    res.set_header("X-Dup", "second");
    res.set_header("Set-Cookie", "b=2");
    res.set_content("{}", "application/json");
  });
  s.Get("/unauthorized", [](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    res.set_content("{\"error\":\"invalid_token\"}", "application/json");
  });
  s.Get("/fail", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("<html>oops</html>", "text/html");
  });
  s.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/hello");  // 302
  });
  s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2u << 20, 'x'), "text/plain");  // announced by Content-Length
  });
  s.Get("/big-chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](std::size_t offset, httplib::DataSink& sink) {
      if (offset >= (2u << 20)) {
        sink.done();
        return true;
      }
      const std::string chunk(64u << 10, 'y');
      return sink.write(chunk.data(), chunk.size());
    });
  });
  s.Get("/many-headers", [](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 40; ++i)
      res.set_header("X-Filler-" + std::to_string(i), std::string(1000, 'h'));
    res.set_content("{}", "application/json");
  });
  s.Get("/slow", [&st](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 500 && !st.stop; ++i) std::this_thread::sleep_for(10ms);
    res.set_content("late", "text/plain");
  });
  s.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.remote_port), "text/plain");
  });
}

/// The fake's host for `path`: the legacy v3 host for /v3/ paths, the v4 host for the others.
inline std::string fake_host(std::string_view path) {
  return std::string(path.rfind("/v3/", 0) == 0 ? profile::auth::profile::legacy_v3::base_url
                                                : profile::auth::profile::default_base_url);
}

/// Serves a testing::fake_profile_api over real HTTP: every request is handed to the fake (as if
/// sent to its base URL) and its answer written back.
inline void serve_fake(httplib::Server& s, profile::auth::testing::fake_profile_api api) {
  const auto forward = [api](const httplib::Request& req, httplib::Response& res) mutable {
    profile::auth::http_request r{req.method, fake_host(req.path) + req.path, {}, req.body};
    for (const auto& [name, value] : req.headers) r.headers.add(name, value);
    auto answer = api.send(r);
    if (!answer) {
      res.status = 599;
      return;
    }
    res.status = answer->status;
    std::string type = "text/plain";
    for (const auto& [name, value] : answer->headers) {
      if (profile::auth::detail::iequals(name, "Content-Type"))
        type = value;
      else
        res.set_header(name, value);
    }
    res.set_content(answer->body, type);
  };
  s.Post(R"(/.*)", forward);
  s.Get(R"(/.*)", forward);
}

}  // namespace loopback

#endif  // PROFILE_AUTH_TESTS_TRANSPORT_LOOPBACK_HPP
