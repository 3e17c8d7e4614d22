// SPDX-License-Identifier: MIT
// Test support for redis_tests: the Redis server tests/redis/run.sh started (its address and
// password come in the environment), redis-server instances of a test's own (to stop, restart or
// configure), raw commands beside the store, and servers that misbehave on purpose.
#ifndef PROFILE_AUTH_TESTS_REDIS_SUPPORT_HPP
#define PROFILE_AUTH_TESTS_REDIS_SUPPORT_HPP

#include <profile/auth/stores/redis.hpp>

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>

#include <arpa/inet.h>   // inet_pton
#include <csignal>       // SIGTERM, SIGKILL
#include <fcntl.h>       // open /dev/null for the own servers' output
#include <cstdlib>       // std::getenv
#include <netinet/in.h>  // sockaddr_in
#include <sys/socket.h>  // socket, bind, listen, accept
#if defined(__linux__)
#include <sys/prctl.h>  // PR_SET_PDEATHSIG: an own server dies with the test process
#endif
#include <sys/wait.h>  // waitpid
#include <unistd.h>    // fork, execv, close, getpid

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace redis_test {

namespace pa = profile::auth;
using namespace std::chrono_literals;

/// An environment variable set by run.sh, or "" when missing.
inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

/// Options for the shared server run.sh started (PROFILE_AUTH_REDIS_HOST/PORT/PASSWORD), with
/// short timeouts.
inline pa::redis_store_options shared_options() {
  const std::string port = env("PROFILE_AUTH_REDIS_PORT");
  REQUIRE_MESSAGE(!port.empty(),
                  "PROFILE_AUTH_REDIS_PORT is not set: run redis_tests through "
                  "tests/redis/run.sh, which starts redis-server");
  pa::redis_store_options o;
  o.host = env("PROFILE_AUTH_REDIS_HOST").empty() ? "127.0.0.1" : env("PROFILE_AUTH_REDIS_HOST");
  o.port = std::stoi(port);
  o.password = pa::secret(env("PROFILE_AUTH_REDIS_PASSWORD"));
  o.connect_timeout = 2s;
  o.command_timeout = 2s;
  return o;
}

/// A key no other test (or earlier run) uses.
inline std::string unique_key(std::string_view what) {
  static std::atomic<int> counter{0};
  return std::string(what) + ":" + std::to_string(::getpid()) + ":" +
         std::to_string(counter.fetch_add(1)) + ":" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

/// A plain hiredis connection to the server of `o`, for writing what the store would not.
class raw_client {
 public:
  explicit raw_client(const pa::redis_store_options& o) {
    ctx_ = redisConnect(o.host.c_str(), o.port);
    REQUIRE(ctx_ != nullptr);
    REQUIRE_MESSAGE(ctx_->err == 0, ctx_->errstr);
    if (!o.password.empty()) {
      auto r = run({"AUTH", std::string(o.password.reveal())});
      REQUIRE(r.type != REDIS_REPLY_ERROR);
    }
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  ~raw_client() { redisFree(ctx_); }

  struct answer {
    int type = 0;
    long long integer = 0;
    std::string str;
  };
  /// Runs a command; the reply's type and its integer or string.
  answer run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
    REQUIRE_MESSAGE(r != nullptr, ctx_->errstr);
    answer a;
    a.type = r->type;
    a.integer = r->integer;
    if (r->str != nullptr) a.str.assign(r->str, r->len);
    freeReplyObject(r);
    return a;
  }

 private:
  redisContext* ctx_ = nullptr;
};

/// A TCP port on 127.0.0.1 nobody listens on right now.
inline int free_port() {
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

/// A redis-server of the test's own (PROFILE_AUTH_REDIS_SERVER names the binary), on a loopback
/// port, with a password, no persistence, optionally also on a Unix socket. Stopped on
/// destruction; stop() and start() again on the same port to simulate a restart.
class own_server {
 public:
  explicit own_server(std::string unix_socket = {})
      : port_(free_port()),
        password_("own-" + unique_key("pw")),
        unix_socket_(std::move(unix_socket)) {
    start();
  }
  own_server(const own_server&) = delete;
  own_server& operator=(const own_server&) = delete;
  ~own_server() { stop(); }

  void start() {
    const std::string bin = env("PROFILE_AUTH_REDIS_SERVER");
    REQUIRE_MESSAGE(!bin.empty(), "PROFILE_AUTH_REDIS_SERVER is not set: run through run.sh");
    std::vector<std::string> args{bin,
                                  "--port",
                                  std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--requirepass",
                                  password_,
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--daemonize",
                                  "no",
                                  "--loglevel",
                                  "warning"};
    if (!unix_socket_.empty()) {
      args.insert(args.end(), {"--unixsocket", unix_socket_, "--unixsocketperm", "700"});
    }
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
#if defined(__linux__)
      // Dies with the test process, even when a failed REQUIRE aborts it before ~own_server.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
      const int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) {
        ::dup2(null, 1);
        ::dup2(null, 2);
      }
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    // Ready when it answers PING.
    for (int i = 0; i < 500; ++i) {
      redisContext* c = redisConnect("127.0.0.1", port_);
      const bool up = c != nullptr && c->err == 0;
      if (c) redisFree(c);
      if (up) return;
      std::this_thread::sleep_for(10ms);
    }
    FAIL("the test's own redis-server did not come up on port " << port_);
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  [[nodiscard]] pa::redis_store_options options() const {
    pa::redis_store_options o;
    o.port = port_;
    o.password = pa::secret(password_);
    o.connect_timeout = 1s;
    o.command_timeout = 1s;
    return o;
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  int port_;
  std::string password_;
  std::string unix_socket_;
  pid_t pid_ = -1;
};

/// A TCP server on 127.0.0.1 that accepts connections and answers each read with `reply(data)`
/// ("" = never answer). For a Redis that hangs, or one that echoes arguments in its errors.
class fake_server {
 public:
  explicit fake_server(std::string (*reply)(const std::string& received)) : reply_(reply) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;
  ~fake_server() {
    stop_.store(true);
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  void serve() {
    std::vector<int> clients;
    while (!stop_.load()) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) break;
      clients.push_back(c);
      timeval tv{0, 100000};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string got;
      char buf[65536];
      while (!stop_.load()) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n == 0) break;
        if (n < 0) {
          if (!got.empty()) {  // the command is complete: answer it
            const std::string answer = reply_(got);
            if (!answer.empty()) (void)!::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
            got.clear();
          }
          continue;
        }
        got.append(buf, static_cast<std::size_t>(n));
      }
    }
    for (const int c : clients) ::close(c);
  }

  std::string (*reply_)(const std::string&);
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace redis_test

#endif  // PROFILE_AUTH_TESTS_REDIS_SUPPORT_HPP
