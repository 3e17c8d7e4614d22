// SPDX-License-Identifier: MIT
// curl_transport over real loopback HTTP, against servers started by the tests themselves.
#include <profile/auth/concepts.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/transports/curl.hpp>

#include <doctest/doctest.h>
#include <httplib.h>  // the test server (Debian libcpp-httplib-dev: compiled library + header)

#include <arpa/inet.h>   // inet_pton for the raw socket server
#include <netinet/in.h>  // sockaddr_in
#include <sys/socket.h>  // socket, bind, listen, accept
#include <unistd.h>      // close

#include <atomic>       // stop flags, counters shared with server threads
#include <chrono>       // timeouts and elapsed time
#include <cstddef>      // std::size_t
#include <functional>   // std::function for server setup
#include <limits>       // the largest body limit
#include <string>       // bodies and messages
#include <string_view>  // raw responses
#include <thread>       // server threads, concurrent callers
#include <vector>       // threads

namespace pa = profile::auth;
namespace pt = profile::auth::transports;
using namespace std::chrono_literals;

static_assert(pa::Transport<pt::curl_transport>);
static_assert(pa::Transport<pt::curl_transport_pool>);
static_assert(!std::is_copy_constructible_v<pt::curl_transport>);
static_assert(std::is_nothrow_move_constructible_v<pt::curl_transport>);
static_assert(std::is_copy_constructible_v<pt::curl_transport_pool>);

namespace {

/// A cpp-httplib server on 127.0.0.1, on an ephemeral port, in its own thread.
class loopback_server {
 public:
  explicit loopback_server(const std::function<void(httplib::Server&)>& setup) {
    setup(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(2ms);
    REQUIRE(server_.is_running());
  }
  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;
  ~loopback_server() {
    server_.stop();
    thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

/// Serves one fixed byte string to one connection, then closes it: for answers httplib cannot
/// produce (interim responses with fields, folded fields, garbage).
class raw_server {
 public:
  explicit raw_server(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string got;
      char buf[4096];
      while (got.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      received_ = got;
      std::size_t off = 0;
      while (off < reply_.size()) {
        const ssize_t n = ::send(c, reply_.data() + off, reply_.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      ::shutdown(c, SHUT_WR);
      while (::recv(c, buf, sizeof buf, 0) > 0) {
      }
      ::close(c);
    });
  }
  raw_server(const raw_server&) = delete;
  raw_server& operator=(const raw_server&) = delete;
  ~raw_server() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept() if nobody connected
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  /// The request head the server read (waits for the one connection to finish).
  [[nodiscard]] const std::string& received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }
  [[nodiscard]] std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  std::string reply_;
  std::string received_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

/// A loopback port nobody listens on (bound, then released).
int closed_port() {
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

/// Tests never go through a proxy from the environment.
pt::curl_options test_options() {
  pt::curl_options o;
  o.proxy = "";
  o.connect_timeout = 5s;
  o.timeout = 10s;
  return o;
}

pa::http_request get(std::string url) { return {"GET", std::move(url), {}, {}}; }

struct shared_state {
  std::atomic<bool> stop{false};
  std::atomic<int> hits{0};
};

void standard_routes(httplib::Server& s, shared_state& st) {
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

}  // namespace

TEST_CASE("curl_transport: GET returns status, headers and body") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());
  auto r = t.send(get(srv.url("/hello")));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "hello");
  CHECK(r->headers.find("content-type") == "text/plain");
  CHECK(r->headers.find("Content-Length") == "5");
}

TEST_CASE("curl_transport: POST sends method, every header (duplicates kept) and the body") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());
  pa::http_request req{"POST", srv.url("/echo"), {}, "{\"ping\":\"pong\"}"};
  req.headers.add("Content-Type", "application/json");
  req.headers.add("Authorization", "Bearer abc.def");
  req.headers.add("X-Twice", "one");
  req.headers.add("X-Twice", "two");
  auto r = t.send(req);
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "{\"ping\":\"pong\"}");
  CHECK(r->headers.find("X-Seen-Method") == "POST");
  CHECK(r->headers.find("X-Seen-Content-Type") == "application/json");
  CHECK(r->headers.find("X-Seen-Authorization") == "Bearer abc.def");
  CHECK(r->headers.find("X-Seen-Content-Length") == "15");
  const auto twice = r->headers.find_all("X-Seen-X-Twice");
  REQUIRE(twice.size() == 2);
  CHECK(twice[0] == "one");
  CHECK(twice[1] == "two");
  // Nothing libcurl would add on its own beyond Host/Content-Length/User-Agent.
  CHECK_FALSE(r->headers.contains("X-Seen-Accept"));
  CHECK_FALSE(r->headers.contains("X-Seen-Expect"));
  CHECK(r->headers.find("X-Seen-User-Agent") == "profile-auth/" PROFILE_AUTH_VERSION_STRING);
}

TEST_CASE("curl_transport: the request head on the wire") {
  raw_server srv("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  pt::curl_transport t(test_options());
  pa::http_request req{"POST", srv.url("/v3/auth?x=1"), {}, "{}"};
  req.headers.add("Content-Type", "application/json");
  req.headers.add("X-Empty", "");
  req.headers.add("X-Twice", "one");
  req.headers.add("X-Twice", "two");
  auto r = t.send(req);
  REQUIRE(r.has_value());
  CHECK(r->status == 204);
  const std::string& head = srv.received();
  CHECK(head.rfind("POST /v3/auth?x=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(head.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
  CHECK(head.find("\r\nX-Empty:") != std::string::npos);
  CHECK(head.find("\r\nX-Twice: one\r\nX-Twice: two\r\n") != std::string::npos);
  CHECK(head.find("\r\nContent-Length: 2\r\n") != std::string::npos);
  CHECK(head.find("Accept:") == std::string::npos);
  CHECK(head.find("Expect:") == std::string::npos);
}

TEST_CASE("curl_transport: a request without Content-Type does not get libcurl's form default") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());
  pa::http_request req{"POST", srv.url("/echo"), {{"User-Agent", "mine/1"}}, "raw"};
  auto r = t.send(req);
  REQUIRE(r.has_value());
  CHECK_FALSE(r->headers.contains("X-Seen-Content-Type"));
  CHECK(r->headers.find("X-Seen-User-Agent") == "mine/1");
  CHECK(r->body == "raw");
}

TEST_CASE("curl_transport: other methods and an empty POST") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());
  for (const char* m : {"PUT", "PATCH", "DELETE"}) {
    CAPTURE(m);
    auto r = t.send({m, srv.url("/echo"), {}, std::string(m) == "DELETE" ? "" : "data"});
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->headers.find("X-Seen-Method") == m);
  }
  auto r = t.send({"POST", srv.url("/echo"), {}, ""});
  REQUIRE(r.has_value());
  CHECK(r->headers.find("X-Seen-Content-Length") == "0");
  CHECK(r->body.empty());
  auto head = t.send({"HEAD", srv.url("/hello"), {}, {}});
  REQUIRE(head.has_value());
  CHECK(head->status == 200);
  CHECK(head->body.empty());
}

TEST_CASE("curl_transport: duplicate response headers are kept in order") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());
  auto r = t.send(get(srv.url("/dup")));
  REQUIRE(r.has_value());
  const auto dup = r->headers.find_all("x-dup");
  REQUIRE(dup.size() == 2);
  CHECK(dup[0] == "first");
  CHECK(dup[1] == "second");
  CHECK(r->headers.find_all("Set-Cookie").size() == 2);
}

TEST_CASE("curl_transport: error statuses are values, redirects are not followed") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());

  auto u = t.send(get(srv.url("/unauthorized")));
  REQUIRE(u.has_value());
  CHECK(u->status == 401);
  CHECK(u->headers.find("WWW-Authenticate") == "Bearer error=\"invalid_token\"");
  CHECK(u->body == "{\"error\":\"invalid_token\"}");

  auto f = t.send(get(srv.url("/fail")));
  REQUIRE(f.has_value());
  CHECK(f->status == 500);
  CHECK(f->body == "<html>oops</html>");

  const int before = st.hits.load();
  auto rd = t.send(get(srv.url("/redirect")));
  REQUIRE(rd.has_value());
  CHECK(rd->status == 302);
  CHECK(rd->headers.find("Location") == "/hello");
  CHECK(st.hits.load() == before);  // /hello was never requested
}

TEST_CASE("curl_transport: bodies over the limit are refused, announced or streamed") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_options o = test_options();
  o.max_response_bytes = 1u << 20;
  pt::curl_transport t(o);
  for (const char* path : {"/big", "/big-chunked"}) {
    CAPTURE(path);
    auto r = t.send(get(srv.url(path)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::response_too_large);
    CHECK(r.error().http_status == 200);
    CHECK(r.error().message.find("max_response_bytes (1048576 bytes)") != std::string::npos);
  }
  // The handle is still usable afterwards.
  auto ok = t.send(get(srv.url("/hello")));
  REQUIRE(ok.has_value());
  CHECK(ok->body == "hello");

  o.max_response_bytes = 3u << 20;
  pt::curl_transport roomy(o);
  auto big = roomy.send(get(srv.url("/big-chunked")));
  REQUIRE(big.has_value());
  CHECK(big->body.size() == (2u << 20));

  o.max_response_bytes = std::numeric_limits<std::size_t>::max();  // beyond curl_off_t
  pt::curl_transport unlimited(o);
  auto whole = unlimited.send(get(srv.url("/big")));
  REQUIRE(whole.has_value());
  CHECK(whole->body.size() == (2u << 20));
}

TEST_CASE("curl_transport: header blocks over max_header_bytes are refused") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_options o = test_options();
  o.max_header_bytes = 16u << 10;
  pt::curl_transport t(o);
  auto r = t.send(get(srv.url("/many-headers")));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::response_too_large);
  CHECK(r.error().message.find("max_header_bytes") != std::string::npos);
  o.max_header_bytes = 64u << 10;
  pt::curl_transport roomy(o);
  auto ok = roomy.send(get(srv.url("/many-headers")));
  REQUIRE(ok.has_value());
  CHECK(ok->headers.find("X-Filler-39") == std::string(1000, 'h'));
}

TEST_CASE("curl_transport: a slow server gives a timeout error") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_options o = test_options();
  o.timeout = 300ms;
  pt::curl_transport t(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = t.send(get(srv.url("/slow")));
  const auto took = std::chrono::steady_clock::now() - start;
  st.stop = true;
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::transport_failed);
  CHECK(pa::is_retryable(r.error()));
  CHECK(r.error().message.find("timed out") != std::string::npos);
  CHECK(r.error().message.find("timeout 300 ms") != std::string::npos);
  CHECK(took < 4s);
}

TEST_CASE("curl_transport: connection refused, DNS and TLS failures say which") {
  pt::curl_transport t(test_options());
  const std::string secret_body = "client_secret=S3cr3t-BODY";
  const std::string secret_header = "Bearer S3cr3t-TOKEN";

  SUBCASE("connection refused") {
    pa::http_request req{"POST",
                         "http://127.0.0.1:" + std::to_string(closed_port()) + "/v3/auth",
                         {{"Authorization", secret_header}},
                         secret_body};
    auto r = t.send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("connect failed") != std::string::npos);
    CHECK(r.error().message.find("[curl error 7:") != std::string::npos);
    CHECK(r.error().message.find("S3cr3t") == std::string::npos);
    CHECK(r.error().message.find("/v3/auth") == std::string::npos);
  }
  SUBCASE("unresolvable host") {
    pa::http_request req{"POST",
                         "http://profile-auth-test.invalid/v3/auth?key=S3cr3t-QUERY",
                         {{"Authorization", secret_header}},
                         secret_body};
    auto r = t.send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("DNS resolution failed for http://profile-auth-test.invalid") !=
          std::string::npos);
    CHECK(r.error().message.find("S3cr3t") == std::string::npos);
  }
  SUBCASE("https to a plain HTTP port") {
    shared_state st;
    loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
    pa::http_request req{
        "POST",
        "https://user:S3cr3t-PASS@127.0.0.1:" + std::to_string(srv.port()) + "/hello",
        {{"Authorization", secret_header}},
        secret_body};
    auto r = t.send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("TLS handshake or certificate verification failed") !=
          std::string::npos);
    CHECK(r.error().message.find("S3cr3t") == std::string::npos);
  }
}

TEST_CASE("curl_transport: only http and https, and malformed requests are not sent") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());

  auto ftp = t.send(get("ftp://127.0.0.1/file"));
  REQUIRE_FALSE(ftp.has_value());
  CHECK(ftp.error().code == pa::errc::invalid_url);

  auto file = t.send(get("file:///etc/passwd"));
  REQUIRE_FALSE(file.has_value());
  CHECK(file.error().code == pa::errc::invalid_url);

  auto crlf = t.send({"GET", srv.url("/echo"), {{"X-Evil", "a\r\nX-Injected: 1"}}, {}});
  REQUIRE_FALSE(crlf.has_value());
  CHECK(crlf.error().code == pa::errc::invalid_header_value);
  CHECK(crlf.error().message.find("X-Evil") != std::string::npos);
  CHECK(crlf.error().message.find("Injected") == std::string::npos);

  auto bad_name = t.send({"GET", srv.url("/echo"), {{"Bad Name", "v"}}, {}});
  REQUIRE_FALSE(bad_name.has_value());
  CHECK(bad_name.error().code == pa::errc::invalid_header_value);

  auto bad_method = t.send({"GE T", srv.url("/echo"), {}, {}});
  REQUIRE_FALSE(bad_method.has_value());
  CHECK(bad_method.error().code == pa::errc::invalid_argument);

  auto url_lf = t.send(get(srv.url("/echo\r\nX: y")));
  REQUIRE_FALSE(url_lf.has_value());
  CHECK(url_lf.error().code == pa::errc::invalid_url);

  pt::curl_options o = test_options();
  o.user_agent = "agent\r\nX-Injected: 1";
  pt::curl_transport bad_agent(o);
  auto a = bad_agent.send(get(srv.url("/echo")));
  REQUIRE_FALSE(a.has_value());
  CHECK(a.error().code == pa::errc::invalid_argument);

  CHECK(st.hits.load() == 0);
}

TEST_CASE("curl_transport: one handle keeps the connection alive; moving keeps it working") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) { standard_routes(s, st); });
  pt::curl_transport t(test_options());
  auto a = t.send(get(srv.url("/port")));
  auto b = t.send(get(srv.url("/port")));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->body == b->body);  // same client port: the connection was reused

  pt::curl_transport moved(std::move(t));
  auto c = moved.send(get(srv.url("/port")));
  REQUIRE(c.has_value());
  CHECK(c->body == a->body);

  pt::curl_transport other(test_options());
  other = std::move(moved);
  auto d = other.send(get(srv.url("/hello")));
  REQUIRE(d.has_value());
  CHECK(d->body == "hello");
}

TEST_CASE("curl_transport: interim 1xx answers and their fields are dropped") {
  raw_server srv(
      "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Folded: one\r\n  two\r\n"
      "X-Spaces:   padded  \r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  pt::curl_transport t(test_options());
  auto r = t.send({"POST", srv.url("/v3/auth"), {{"Content-Type", "application/json"}}, "{}"});
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK_FALSE(r->headers.contains("X-Interim"));
  CHECK(r->headers.find("X-Folded") == "one two");
  CHECK(r->headers.find("X-Spaces") == "padded");
  CHECK(r->headers.size() == 5);
  CHECK(r->body == "{}");
}

TEST_CASE("curl_transport: a server that closes without answering, or answers garbage") {
  pt::curl_transport t(test_options());
  {
    raw_server srv("");
    auto r = t.send(get(srv.url("/")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("without answering") != std::string::npos);
  }
  {
    raw_server srv("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    auto r = t.send(get(srv.url("/")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
  }
}

TEST_CASE("curl_transport_pool: many threads share one pool") {
  shared_state st;
  loopback_server srv([&](httplib::Server& s) {
    standard_routes(s, st);
    s.new_task_queue = [] { return new httplib::ThreadPool(4); };
  });
  pt::curl_transport_pool pool(test_options(), 4);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, copy = pool]() mutable {  // copies share the pool
      for (int j = 0; j < 10; ++j) {
        auto r = copy.send({"POST", srv.url("/echo"), {}, std::to_string(j)});
        if (r && r->status == 200 && r->body == std::to_string(j)) ++ok;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok.load() == 40);
  CHECK(st.hits.load() == 40);
}

namespace {
/// The fake's host for `path`: the legacy v3 host for /v3/ paths, the v4 host for the others.
std::string fake_host(std::string_view path) {
  return std::string(path.rfind("/v3/", 0) == 0 ? pa::profile::legacy_v3::base_url
                                                : pa::profile::default_base_url);
}

/// Serves a testing::fake_profile_api over real HTTP: every request is handed to the fake (as if
/// sent to its base URL) and its answer written back.
void serve_fake(httplib::Server& s, pa::testing::fake_profile_api api) {
  const auto forward = [api](const httplib::Request& req, httplib::Response& res) mutable {
    pa::http_request r{req.method, fake_host(req.path) + req.path, {}, req.body};
    for (const auto& [name, value] : req.headers) r.headers.add(name, value);
    auto answer = api.send(r);
    if (!answer) {
      res.status = 599;
      return;
    }
    res.status = answer->status;
    std::string type = "text/plain";
    for (const auto& [name, value] : answer->headers) {
      if (pa::detail::iequals(name, "Content-Type"))
        type = value;
      else
        res.set_header(name, value);
    }
    res.set_content(answer->body, type);
  };
  s.Post(R"(/.*)", forward);
  s.Get(R"(/.*)", forward);
}
}  // namespace

TEST_CASE("end to end: m2m_client over curl_transport against a Profile API on loopback") {
  pa::testing::fake_profile_api::options o;
  o.client_id = "e2e-client";
  o.client_secret = pa::secret{"e2e-secret"};
  pa::testing::fake_profile_api api(o);
  loopback_server srv([&](httplib::Server& s) { serve_fake(s, api); });
  const std::string base = srv.url("");

  pa::m2m_client client{pt::curl_transport(test_options()),
                        pa::profile::m2m_config("e2e-client", pa::secret{"e2e-secret"}, base)};
  auto h = client.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == "Bearer " + api.last_token());
  const auto token_req = api.last_request();
  REQUIRE(token_req.has_value());
  CHECK(
      token_req->body ==
      R"({"grant_type":"client_credentials","client_id":"e2e-client","client_secret":"e2e-secret"})");
  CHECK(token_req->headers.find("Content-Type") == "application/json");
  CHECK(token_req->headers.find("Accept") == "application/json");

  auto r = client.send(pa::profile::test_request(R"({"ping":"pong"})", base));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == R"({"echo":{"ping":"pong"},"client_id":"e2e-client"})");
  CHECK(api.last_request()->headers.find("Authorization") == *h);
  CHECK(api.tokens_issued() == 1);

  // A revoked token: 401 invalid_token over the wire, one new token, one retry.
  api.revoke_all_tokens();
  auto again = client.send(pa::profile::test_request(R"({"n":2})", base));
  REQUIRE(again.has_value());
  CHECK(again->status == 200);
  CHECK(api.tokens_issued() == 2);
  CHECK(api.api_calls() == 3);

  // Wrong credentials come back as invalid_client, classified, without the secret.
  pa::m2m_client bad{pt::curl_transport(test_options()),
                     pa::profile::m2m_config("e2e-client", pa::secret{"WRONG-s3cret"}, base)};
  auto e = bad.authorization_header();
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::invalid_client);
  CHECK(e.error().http_status == 401);
  CHECK(pa::classify(e.error()) == pa::error_class::credentials);
  CHECK(e.error().message.find("WRONG-s3cret") == std::string::npos);
}

TEST_CASE("end to end: 8 threads share one m2m_client over curl_transport_pool") {
  pa::testing::fake_profile_api api;
  loopback_server srv([&](httplib::Server& s) {
    serve_fake(s, api);
    s.new_task_queue = [] { return new httplib::ThreadPool(8); };
  });
  const std::string base = srv.url("");
  pa::m2m_client client{pt::curl_transport_pool(test_options()),
                        pa::profile::m2m_config("test-client", pa::secret{"test-secret"}, base)};
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        auto r = client.send(pa::profile::test_request(R"({"ping":"pong"})", base));
        if (r && r->status == 200) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(ok.load() == 40);
  CHECK(api.tokens_issued() == 1);  // single flight across threads and real sockets
  CHECK(api.api_calls() == 40);
}
