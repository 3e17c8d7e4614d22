// SPDX-License-Identifier: MIT
// Two real processes share one user session through redis_store (issue 17, item 5): each is a
// user_session on its own redis_store with the same key, and they force 1,000 refreshes between
// them against one token server (in this process, over loopback HTTP) that rotates refresh
// tokens and revokes the whole grant when a rotated-out one is presented (as oidc-provider and
// Stytch do). Zero reuse events; both sessions alive at the end.
//
// The control case runs the same children on a store that hides lock_refresh(): each child still
// re-reads the store before refreshing, but two children can read the same refresh token at the
// same moment and both present it, so the server sees a reuse and revokes the grant. It shows
// the main case can fail (and that the lease is what makes it pass).
#include "../support/rotating_grant.hpp"
#include "redis_support.hpp"

#include <profile/auth/transports/httplib.hpp>
#include <profile/auth/user_session.hpp>

#include <httplib.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

/// A token endpoint with refresh-token rotation and reuse detection, served over loopback HTTP.
class rotating_token_server {
 public:
  explicit rotating_token_server(int expires_in) : grant_(expires_in) {
    server_.Post("/token",
                 [this](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
  }
  rotating_token_server(const rotating_token_server&) = delete;
  rotating_token_server& operator=(const rotating_token_server&) = delete;
  ~rotating_token_server() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  /// Starts serving (the socket listens from the constructor on: connections made before this
  /// wait in the backlog). Call it after forking, so that the children inherit no threads.
  void start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(2ms);
    REQUIRE(server_.is_running());
  }
  [[nodiscard]] std::string token_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/token";
  }
  std::size_t reuse_events() const { return grant_.reuse_events(); }
  std::size_t issued() const { return grant_.issued(); }
  /// How often the presenting client changed from one request to the next.
  std::size_t switches() const { return grant_.switches(); }
  bool revoked() const { return grant_.revoked(); }

 private:
  void answer(const httplib::Request& req, httplib::Response& res) {
    test_support::rotating_grant::answer a = grant_.refresh(req.body);
    res.status = a.status;
    res.set_content(a.body, "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  test_support::rotating_grant grant_;
};

/// redis_store without its refresh lease: the control case.
class leaseless_store {
 public:
  explicit leaseless_store(pa::redis_store s) : s_(std::move(s)) {}
  pa::result<std::optional<pa::stored_session>> load() { return s_.load(); }
  pa::result<void> save(const pa::stored_session& v) { return s_.save(v); }
  pa::result<void> compare_and_swap(const pa::secret& e, const pa::stored_session& v) {
    return s_.compare_and_swap(e, v);
  }
  pa::result<void> erase() { return s_.erase(); }
  pa::result<void> erase_if(const pa::secret& e) { return s_.erase_if(e); }

 private:
  pa::redis_store s_;
};
static_assert(pa::TokenStore<leaseless_store>);
static_assert(!pa::detail::store_leases_refreshes<leaseless_store>);

pa::user_auth_config config(const std::string& token_url, int child) {
  pa::user_auth_config c;
  c.authorization_endpoint = "http://127.0.0.1:1/authorize";
  c.token_endpoint = token_url;
  c.client_id = "app-" + std::to_string(child);  // the server tells the children apart
  c.redirect_uri = "http://127.0.0.1:8765/cb";
  return c;
}

struct report {
  long refreshes = -1;
  long failures = -1;
  std::string first_failure;
  long final_ok = -1;  // the refresh after both children finished: 1 = it worked
};

/// A child: forces `calls` refreshes (as after a 401), reports, waits for the parent's go, makes
/// one more, reports again, and exits without returning into doctest.
template <class Store>
[[noreturn]] void run_child(Store store, const std::string& token_url, int child, long calls,
                            int out, int go) {
  // A new connection per request: on a kept-alive one cpp-httplib writes the request head and
  // body separately, and Nagle's algorithm then waits for the server's delayed ACK (~40 ms).
  pa::transports::httplib_options http;
  http.keep_alive = false;
  pa::user_session session{pa::transports::httplib_transport(http), config(token_url, child),
                           std::move(store)};
  long failures = 0;
  std::string first_failure;
  unsigned pause = static_cast<unsigned>(::getpid());
  for (long i = 0; i < calls; ++i) {
    session.invalidate();
    auto h = session.authorization_header();
    if (!h && failures++ == 0) first_failure = h.error().message;
    // A pause of 0-2 ms between calls, as between a server's requests: the lease has no queue,
    // and a process that refreshed back to back would hold the other off until it is done
    // (correct, but then the two would hardly interleave).
    pause = pause * 1103515245u + 12345u;
    std::this_thread::sleep_for(std::chrono::microseconds((pause >> 8) % 2000));
  }
  for (char& ch : first_failure)
    if (ch == '\n') ch = ' ';
  char line[128];
  int n = std::snprintf(line, sizeof line, "%ld %ld ",
                        static_cast<long>(session.stats().token_requests), failures);
  const std::string first =
      std::string(line, n > 0 ? static_cast<std::size_t>(n) : 0) + first_failure + "\n";
  (void)!::write(out, first.data(), first.size());
  char c = 0;
  (void)!::read(go, &c, 1);
  session.invalidate();
  n = std::snprintf(line, sizeof line, "%d\n", session.authorization_header() ? 1 : 0);
  if (n > 0) (void)!::write(out, line, static_cast<std::size_t>(n));
  ::_exit(0);
}

std::string read_line(int fd) {
  std::string text;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') text += c;
  return text;
}

/// Runs two children on stores made by `make` (same key), 2 × `each` refreshes, against a fresh
/// token server; fills the children's reports.
template <class Make>
void run_two(Make make, long each, rotating_token_server& server, report (&reports)[2]) {
  int out[2][2];
  int go[2][2];
  pid_t pids[2];
  for (int i = 0; i < 2; ++i) {
    REQUIRE(::pipe(out[i]) == 0);
    REQUIRE(::pipe(go[i]) == 0);
    pids[i] = ::fork();
    REQUIRE(pids[i] >= 0);
    if (pids[i] == 0) {
      ::close(out[i][0]);
      ::close(go[i][1]);
      run_child(make(), server.token_url(), i, each, out[i][1], go[i][0]);
    }
    ::close(out[i][1]);
    ::close(go[i][0]);
  }
  server.start();
  for (int i = 0; i < 2; ++i) {
    const std::string line = read_line(out[i][0]);
    int used = 0;
    CHECK(std::sscanf(line.c_str(), "%ld %ld %n", &reports[i].refreshes, &reports[i].failures,
                      &used) == 2);
    reports[i].first_failure = line.substr(static_cast<std::size_t>(used));
  }
  // Both finished their loops: now each refreshes once more, one after the other.
  for (int i = 0; i < 2; ++i) {
    (void)!::write(go[i][1], "g", 1);
    CHECK(std::sscanf(read_line(out[i][0]).c_str(), "%ld", &reports[i].final_ok) == 1);
  }
  for (int i = 0; i < 2; ++i) {
    ::close(out[i][0]);
    ::close(go[i][1]);
    int status = 0;
    REQUIRE(::waitpid(pids[i], &status, 0) == pids[i]);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

/// The first session, stored where both children find it; its access token has expired.
void store_first_session(pa::redis_store& store) {
  pa::stored_session s;
  s.refresh_token = pa::secret("rt-0");
  s.access_token = pa::secret("at-0");
  s.access_expires_at = std::chrono::system_clock::now() - 1s;
  REQUIRE(store.save(s).has_value());
}

}  // namespace

TEST_CASE(
    "redis sharing: two processes, one redis_store key, 1000 refreshes: no reuse, both alive") {
  // Tokens shorter than the 30 s expiry skew: an adopted access token is never reusable, so
  // every call of either child is a real refresh, presented with the token the other may have
  // just rotated.
  rotating_token_server server(20);
  const std::string key = redis_test::unique_key("sharing");
  const auto options = redis_test::shared_options();
  pa::redis_store setup(key, options);
  store_first_session(setup);
  constexpr long each = 500;
  report reports[2];
  run_two([&] { return pa::redis_store(key, options); }, each, server, reports);
  for (const report& r : reports) {
    INFO("refreshes " << r.refreshes << ", failures " << r.failures
                      << " (first: " << r.first_failure << ")");
    CHECK(r.refreshes == each);
    CHECK(r.failures == 0);
    CHECK(r.final_ok == 1);  // alive at the end
  }
  CHECK(server.reuse_events() == 0);
  CHECK_FALSE(server.revoked());
  CHECK(server.issued() == 2 * each + 2);
  MESSAGE("the presenting process changed " << server.switches() << " times");
  CHECK(server.switches() >= 20);  // they really interleaved
  auto stored = setup.load();
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  CHECK((*stored)->refresh_token.reveal() == "rt-" + std::to_string(2 * each + 2));
  REQUIRE(setup.erase().has_value());
}

TEST_CASE("redis sharing: control: without the refresh lease the same run reuses a token") {
  rotating_token_server server(20);
  const std::string key = redis_test::unique_key("sharing-control");
  const auto options = redis_test::shared_options();
  pa::redis_store setup(key, options);
  store_first_session(setup);
  report reports[2];
  run_two([&] { return leaseless_store(pa::redis_store(key, options)); }, 500, server, reports);
  // Two children read the same refresh token and both present it: the grant is revoked.
  CHECK(server.reuse_events() >= 1);
  CHECK(server.revoked());
  CHECK(reports[0].failures + reports[1].failures > 0);
  (void)setup.erase();
}
