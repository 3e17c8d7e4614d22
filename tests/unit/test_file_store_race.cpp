// SPDX-License-Identifier: MIT
// profile-auth tests: two real processes rotate one file_store's refresh token; none is lost.
#include <profile/auth/stores/file_store.hpp>

#include <doctest/doctest.h>

#include <cstdlib>           // mkdtemp, std::strtol
#include <initializer_list>  // leftover file names
#include <string>            // tokens, paths
#include <string_view>       // token parsing

#include <sys/types.h>  // pid_t
#include <sys/wait.h>   // waitpid: collect the children
#include <unistd.h>     // fork, pipe, read, write, _exit

namespace pa = profile::auth;

namespace {

/// Refresh tokens look like "gen-<n>-by-<child>"; the generation is the number of rotations.
long generation_of(std::string_view token) {
  if (token.substr(0, 4) != "gen-") return -1;
  return std::strtol(std::string(token.substr(4)).c_str(), nullptr, 10);
}

struct tally {
  int successes = 0;
  int conflicts = 0;
  int failures = 0;
};

/// The child's loop: load, derive the next token, compare_and_swap. Runs without doctest.
tally rotate(const std::string& path, int child, int rounds) {
  tally t;
  pa::file_store store(path);
  for (int i = 0; i < rounds; ++i) {
    auto cur = store.load();
    if (!cur || !cur->has_value()) {
      ++t.failures;
      continue;
    }
    const pa::secret old = (*cur)->refresh_token;
    const long gen = generation_of(old.reveal());
    if (gen < 0) {
      ++t.failures;
      continue;
    }
    pa::stored_session next = **cur;
    next.refresh_token =
        pa::secret("gen-" + std::to_string(gen + 1) + "-by-" + std::to_string(child));
    auto r = store.compare_and_swap(old, next);
    if (r)
      ++t.successes;
    else if (r.error().code == pa::errc::store_conflict)
      ++t.conflicts;
    else
      ++t.failures;
  }
  return t;
}

bool read_all(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const auto k = ::read(fd, p, n);
    if (k <= 0) return false;
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

}  // namespace

TEST_CASE("file_store: two processes racing compare_and_swap lose no rotation") {
  char tmpl[] = "/tmp/profile-auth-race-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/session.json";
  {
    pa::stored_session s;
    s.refresh_token = pa::secret("gen-0-by-parent");
    s.access_token = pa::secret("at");
    REQUIRE(pa::file_store(path).save(s).has_value());
  }

  constexpr int children = 2, rounds = 150;
  int start[2], results[2];
  REQUIRE(::pipe(start) == 0);
  REQUIRE(::pipe(results) == 0);
  pid_t pids[children] = {};
  for (int c = 0; c < children; ++c) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // child: wait for the starting gun so both race from the first round
      ::close(start[1]);
      ::close(results[0]);
      char go = 0;
      if (::read(start[0], &go, 1) != 1) ::_exit(2);
      const tally t = rotate(path, c, rounds);
      const bool ok = ::write(results[1], &t, sizeof t) == static_cast<ssize_t>(sizeof t);
      ::_exit(ok ? 0 : 3);
    }
    pids[c] = pid;
  }
  ::close(start[0]);
  ::close(results[1]);
  const char go[children] = {1, 1};
  REQUIRE(::write(start[1], go, sizeof go) == static_cast<ssize_t>(sizeof go));
  ::close(start[1]);

  tally total;
  for (int c = 0; c < children; ++c) {
    tally t;
    REQUIRE(read_all(results[0], &t, sizeof t));
    CHECK(t.failures == 0);
    CHECK(t.successes + t.conflicts == rounds);
    total.successes += t.successes;
    total.conflicts += t.conflicts;
  }
  ::close(results[0]);
  for (const pid_t pid : pids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  auto final_session = pa::file_store(path).load();
  REQUIRE(final_session.has_value());
  REQUIRE(final_session->has_value());
  const long final_gen = generation_of((*final_session)->refresh_token.reveal());
  MESSAGE("successes ", total.successes, ", conflicts ", total.conflicts);
  // A conflict of one child is caused by a distinct success of the other (its load..CAS
  // windows are disjoint), so the rounds of either child bound the successes from below.
  CHECK(total.successes >= rounds);
  CHECK(final_gen == total.successes);  // no rotation was lost (nor counted twice)
  CHECK((*final_session)->access_token.reveal() == "at");

  for (const char* leftover : {"/session.json", "/session.json.lock", "/session.json.tmp"})
    ::unlink((dir + leftover).c_str());
  ::rmdir(dir.c_str());
}
