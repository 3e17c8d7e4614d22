// SPDX-License-Identifier: MIT
// Concurrency tests of m2m_client: single flight, refresh-ahead without waiting, shared errors,
// concurrent 401s and readers racing invalidations. Built and run under ThreadSanitizer in CI.
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t callers = 16;

using client_t =
    pa::m2m_client<pt::fake_transport, pt::manual_clock, pa::thread_safe, pt::fixed_random>;

std::string token_json(std::string_view token) {
  return R"({"access_token":")" + std::string(token) +
         R"(","token_type":"Bearer","expires_in":3600})";
}

struct fixture {
  fixture()
      : client(transport, pa::profile::m2m_config("my-client", pa::secret("s3cr3t")), clock, {},
               pt::fixed_random(0)) {}
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  client_t client;
};

/// Polls `done` until it holds; the deadline only turns a broken test into a failure instead of
/// a hang (nothing here depends on timing).
template <class Pred>
bool eventually(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

/// Threads that are always released and joined, even when a check fails half-way.
class thread_group {
 public:
  explicit thread_group(pt::fake_transport& t) : transport_(t) {}
  thread_group(const thread_group&) = delete;
  thread_group& operator=(const thread_group&) = delete;
  ~thread_group() { join(); }
  void spawn(std::function<void()> f) { threads_.emplace_back(std::move(f)); }
  void join() {
    transport_.release();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  pt::fake_transport& transport_;
  std::vector<std::thread> threads_;
};

std::string describe(const pa::result<std::string>& h) {
  return h ? *h : "error " + std::string(pa::to_string(h.error().code));
}

}  // namespace

TEST_CASE("concurrency: many callers on a cold cache cause exactly one token request") {
  fixture f;
  f.transport.hold();
  f.transport.respond(200, token_json("tok-1"));
  std::vector<std::string> got(callers);
  {
    thread_group g(f.transport);
    for (std::size_t i = 0; i < callers; ++i)
      g.spawn([&, i] { got[i] = describe(f.client.authorization_header()); });
    // The leader is blocked in the transport; wait until every other caller waits for it.
    CHECK(f.transport.wait_until_held(1));
    CHECK(eventually([&] { return f.client.stats().waits == callers - 1; }));
    CHECK(f.transport.calls() == 1);
  }
  for (const auto& h : got) CHECK(h == "Bearer tok-1");
  CHECK(f.transport.calls() == 1);
  CHECK(f.client.stats().token_requests == 1);
  CHECK(f.client.stats().waits == callers - 1);
}

TEST_CASE("concurrency: the waiters share the flight's error, and nobody asks again") {
  const std::pair<int, std::string> answers[] = {
      {500, R"({"error":"server_error"})"},   // retryable: backoff
      {401, R"({"error":"invalid_client"})"}  // sticky
  };
  for (const auto& answer : answers) {
    const int status = answer.first;
    CAPTURE(answer.second);
    fixture f;
    f.transport.hold();
    f.transport.respond(status, answer.second);
    std::vector<std::string> got(callers);
    {
      thread_group g(f.transport);
      for (std::size_t i = 0; i < callers; ++i)
        g.spawn([&, i] { got[i] = describe(f.client.authorization_header()); });
      CHECK(f.transport.wait_until_held(1));
      CHECK(eventually([&] { return f.client.stats().waits == callers - 1; }));
    }
    const std::string expected = status == 500 ? "error server_error" : "error invalid_client";
    for (const auto& h : got) CHECK(h == expected);
    CHECK(f.transport.calls() == 1);
    // Later callers get the same error at once (backoff / sticky): still one request.
    CHECK(describe(f.client.authorization_header()) == expected);
    CHECK(f.transport.calls() == 1);
  }
}

TEST_CASE("concurrency: an expired token with many callers causes exactly one request") {
  fixture f;
  f.transport.respond(200, token_json("tok-1"));
  CHECK(describe(f.client.authorization_header()) == "Bearer tok-1");
  f.clock.advance(3570s);  // expired
  f.transport.hold();
  f.transport.respond(200, token_json("tok-2"));
  std::vector<std::string> got(callers);
  {
    thread_group g(f.transport);
    for (std::size_t i = 0; i < callers; ++i)
      g.spawn([&, i] { got[i] = describe(f.client.authorization_header()); });
    CHECK(f.transport.wait_until_held(1));
    CHECK(eventually([&] { return f.client.stats().waits == callers - 1; }));
  }
  for (const auto& h : got) CHECK(h == "Bearer tok-2");
  CHECK(f.transport.calls() == 2);
}

TEST_CASE("concurrency: during a refresh ahead nobody waits: peers get the valid token at once") {
  fixture f;
  f.transport.respond(200, token_json("tok-1"));
  CHECK(describe(f.client.authorization_header()) == "Bearer tok-1");
  f.clock.advance(3300s);  // inside the refresh window, still valid
  f.transport.hold();
  f.transport.respond(200, token_json("tok-2"));

  std::string leader_got;
  std::vector<std::string> peers(callers);
  std::atomic<std::size_t> returned{0};
  bool all_returned = false;
  {
    thread_group g(f.transport);
    g.spawn([&] { leader_got = describe(f.client.authorization_header()); });
    CHECK(f.transport.wait_until_held(1));  // the refresher is stuck in the transport
    for (std::size_t i = 0; i < callers; ++i)
      g.spawn([&, i] {
        peers[i] = describe(f.client.authorization_header());
        returned.fetch_add(1);
      });
    // Every peer returns while the refresh is still blocked: none of them waited for it.
    all_returned = eventually([&] { return returned.load() == callers; });
    CHECK(f.transport.held() == 1);
  }
  CHECK(all_returned);
  for (const auto& h : peers) CHECK(h == "Bearer tok-1");
  CHECK(leader_got == "Bearer tok-2");
  CHECK(f.client.stats().waits == 0);
  CHECK(f.client.stats().refreshes_ahead == 1);
  CHECK(f.transport.calls() == 2);
  CHECK(describe(f.client.authorization_header()) == "Bearer tok-2");
}

TEST_CASE("concurrency: many 401s to one token cause one new token, and every call succeeds") {
  fixture f;
  std::atomic<int> issued{0};
  f.transport.on_send([&](const pa::http_request& req) -> pa::result<pa::http_response> {
    pa::http_response r;
    r.headers.add("Content-Type", "application/json");
    if (req.url.ends_with("/api/v4/auth")) {
      r.status = 200;
      r.body = token_json("tok-" + std::to_string(issued.fetch_add(1) + 1));
    } else if (req.headers.find("Authorization") == "Bearer tok-1") {
      r.status = 401;  // the server revoked tok-1
      r.headers.add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    } else {
      r.status = 200;
      r.body = "{}";
    }
    return r;
  });
  CHECK(describe(f.client.authorization_header()) == "Bearer tok-1");
  std::vector<int> statuses(callers);
  {
    thread_group g(f.transport);
    for (std::size_t i = 0; i < callers; ++i)
      g.spawn([&, i] {
        auto r = f.client.send(pa::profile::test_request());
        statuses[i] = r ? r->status : -1;
      });
  }
  for (int s : statuses) CHECK(s == 200);
  CHECK(issued.load() == 2);
  CHECK(f.client.stats().invalidations == 1);
}

TEST_CASE("concurrency: readers race invalidations and refetches without a torn value") {
  fixture f;
  std::atomic<int> issued{0};
  f.transport.on_send([&](const pa::http_request&) -> pa::result<pa::http_response> {
    pa::http_response r;
    r.status = 200;
    r.headers.add("Content-Type", "application/json");
    r.body = token_json("tok-" + std::to_string(issued.fetch_add(1) + 1));
    return r;
  });
  CHECK(describe(f.client.authorization_header()) == "Bearer tok-1");
  constexpr int rounds = 200;
  constexpr std::size_t readers = 6;
  std::atomic<bool> stop{false};
  std::atomic<long> bad{0}, reads{0};
  const auto well_formed = [](std::string_view h) {
    if (!h.starts_with("Bearer tok-") || h.size() == 11) return false;
    for (char c : h.substr(11))
      if (c < '0' || c > '9') return false;
    return true;
  };
  {
    thread_group g(f.transport);
    for (std::size_t i = 0; i < readers; ++i)
      g.spawn([&, i] {
        char buf[64];
        while (!stop.load(std::memory_order_relaxed)) {
          bool ok = false;
          switch (i % 3) {
            case 0: {
              auto h = f.client.authorization_header();
              ok = h && well_formed(*h);
              break;
            }
            case 1: {
              auto v = f.client.authorization_header_view();
              ok = v && well_formed(*v);
              break;
            }
            default: {
              auto n = f.client.write_authorization_header(buf);
              ok = n && well_formed(std::string_view(buf, *n));
            }
          }
          if (!ok) bad.fetch_add(1);
          reads.fetch_add(1, std::memory_order_relaxed);
        }
      });
    for (int i = 0; i < rounds; ++i) {
      f.client.invalidate();
      auto h = f.client.authorization_header();
      CHECK((h && well_formed(*h)));
    }
    // The rounds can finish before a reader thread is even scheduled: let each read once.
    while (reads.load() < static_cast<long>(readers)) std::this_thread::yield();
    stop.store(true);
  }
  CHECK(bad.load() == 0);
  CHECK(reads.load() > 0);
  // Every invalidation dropped a published token, and each drop caused exactly one flight.
  CHECK(f.client.stats().token_requests == static_cast<std::uint64_t>(rounds + 1));
  CHECK(issued.load() == rounds + 1);
}

TEST_CASE("concurrency: thread_safe's condition variable loses no wake-up over many rounds") {
  // flight_signal (lock_policy.hpp) keeps std::condition_variable's wait(lock, pred) contract on
  // an atomic wait. Rounds alternate between a producer and waiters; a waiter that missed its
  // wake-up would stay blocked, so a round that does not complete within 10 s is a failure (the
  // waiters are then released with more notifications, so that the test ends).
  using policy = pa::thread_safe;
  policy::mutex mu;
  policy::condition_variable cv;
  std::uint64_t published = 0;  // guarded by mu
  constexpr std::uint64_t rounds = 2000;
  constexpr std::uint64_t waiters = 4;
  std::atomic<std::uint64_t> acknowledged{0};
  const auto publish = [&](std::uint64_t round) {
    {
      std::unique_lock<policy::mutex> lock(mu);
      published = round;
    }
    cv.notify_all();
  };

  std::vector<std::thread> threads;
  for (std::uint64_t i = 0; i < waiters; ++i)
    threads.emplace_back([&] {
      for (std::uint64_t round = 1; round <= rounds; ++round) {
        std::unique_lock<policy::mutex> lock(mu);
        cv.wait(lock, [&] { return published >= round; });
        lock.unlock();
        acknowledged.fetch_add(1, std::memory_order_acq_rel);
      }
    });
  bool lost_wakeup = false;
  for (std::uint64_t round = 1; round <= rounds && !lost_wakeup; ++round) {
    publish(round);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (acknowledged.load(std::memory_order_acquire) < round * waiters && !lost_wakeup) {
      lost_wakeup = std::chrono::steady_clock::now() > deadline;
      std::this_thread::yield();
    }
  }
  while (acknowledged.load(std::memory_order_acquire) < rounds * waiters) {
    publish(rounds);  // only after a failure: lets every waiter finish
    std::this_thread::yield();
  }
  for (std::thread& t : threads) t.join();
  CHECK_FALSE(lost_wakeup);
  CHECK(acknowledged.load() == rounds * waiters);
}
