// SPDX-License-Identifier: MIT
// Interop: two real processes share one file_store session against oidc-provider, which revokes
// the whole grant when a rotated-out refresh token is presented (NOTES.md). They refresh freely
// and concurrently, 1,000 refreshes between them: a single presentation of a replaced refresh
// token would kill the grant and every later refresh of both. Both must be alive at the end.
#include "interop.hpp"

#include <profile/auth/stores/file_store.hpp>

#include <cstdio>    // std::snprintf: the children's reports
#include <cstdlib>   // mkdtemp
#include <string>    // paths
#include <unistd.h>  // fork, pipe, read, write, _exit
#include <sys/wait.h>

namespace {

/// What a child reports through its pipe: refreshes it made, failures it saw.
struct child_report {
  long refreshes = -1;
  long failures = -1;
  long calls = -1;
};

/// The child's loop: force a new token (as after a 401) until it made `target` refreshes of
/// its own, or `max_calls` calls passed. Adopting the other process's rotation is not a
/// refresh (no request): that is the point. Exits without returning into doctest.
[[noreturn]] void run_child(const std::string& path, const pa::user_auth_config& cfg, long target,
                            long max_calls, int out) {
  pa::file_store store(path);
  pa::user_session session{interop::transport(), cfg, &store};
  child_report r{0, 0, 0};
  while (r.calls < max_calls && static_cast<long>(session.stats().token_requests) < target) {
    session.invalidate();
    ++r.calls;
    if (!session.authorization_header()) ++r.failures;
  }
  r.refreshes = static_cast<long>(session.stats().token_requests);
  char line[128];
  const int n = std::snprintf(line, sizeof line, "%ld %ld %ld\n", r.refreshes, r.failures, r.calls);
  if (n > 0) (void)!::write(out, line, static_cast<std::size_t>(n));
  ::_exit(0);
}

child_report read_report(int fd) {
  std::string text;
  char buf[128];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got <= 0) break;
    text.append(buf, static_cast<std::size_t>(got));
  }
  child_report r;
  if (std::sscanf(text.c_str(), "%ld %ld %ld", &r.refreshes, &r.failures, &r.calls) != 3)
    return child_report{};
  return r;
}

}  // namespace

TEST_SUITE("interop: sessions sharing a store") {
  TEST_CASE("two processes, one file_store, 1000 refreshes: no reuse, both alive") {
    char dir[] = "/tmp/profile-auth-shared-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string path = std::string(dir) + "/session.json";
    const pa::user_auth_config cfg = interop::native_config();
    {
      // The login, stored where both processes find it.
      pa::file_store store(path);
      pa::user_session first{interop::transport(), cfg, &store};
      interop::login_attempt a = interop::authorize(cfg, interop::user_choice::approve);
      const std::string iss = interop::issuer();
      auto cb = pa::parse_authorization_callback(a.callback, a.state, std::string_view(iss));
      REQUIRE(cb);
      auto done = first.complete_login(*cb, a.pkce);
      REQUIRE_MESSAGE(done, done.error().message);
      auto loaded = store.load();
      REQUIRE(loaded);
      REQUIRE(loaded->has_value());
      REQUIRE_MESSAGE(!(*loaded)->refresh_token.empty(), "the server issued no refresh token");
    }

    constexpr long each = 500;
    int fds[2][2];
    pid_t pids[2];
    for (int i = 0; i < 2; ++i) {
      REQUIRE(::pipe(fds[i]) == 0);
      pids[i] = ::fork();
      REQUIRE(pids[i] >= 0);
      if (pids[i] == 0) {
        ::close(fds[i][0]);
        run_child(path, cfg, each, 20 * each, fds[i][1]);
      }
      ::close(fds[i][1]);
    }
    child_report reports[2];
    for (int i = 0; i < 2; ++i) {
      reports[i] = read_report(fds[i][0]);
      ::close(fds[i][0]);
      int status = 0;
      REQUIRE(::waitpid(pids[i], &status, 0) == pids[i]);
      CHECK(WIFEXITED(status));
    }
    long total = 0;
    for (const child_report& r : reports) {
      INFO("refreshes " << r.refreshes << ", failures " << r.failures << ", calls " << r.calls);
      CHECK(r.refreshes == each);
      CHECK(r.failures == 0);
      total += r.refreshes;
    }
    CHECK(total == 2 * each);

    // Both sessions' grant is alive: a third process (this one) refreshes the stored session.
    pa::file_store store(path);
    pa::user_session after{interop::transport(), cfg, &store};
    after.invalidate();
    auto h = after.authorization_header();
    REQUIRE_MESSAGE(h, h.error().message);
    auto t = interop::transport();
    CHECK(interop::userinfo(t, *h).status == 200);
    CHECK(after.stats().token_requests == 1);
    std::remove(path.c_str());
    std::remove((path + ".lock").c_str());
    std::remove((path + ".refresh.lock").c_str());
    ::rmdir(dir);
  }
}
