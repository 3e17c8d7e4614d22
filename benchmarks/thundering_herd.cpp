// SPDX-License-Identifier: MIT
// Benchmark 5: 64 threads hit one m2m_client whose token is expired, or inside its refresh-ahead
// window; counts token requests and measures how long each caller waited. Prints Markdown.
//
// The transport sleeps kLatency per request (a token endpoint a few milliseconds away) and
// records which thread sent each request. The clock is steady_clock plus an offset that the
// program moves forward to expire the token, so no caller ever sleeps on a fake clock.
//
// The caller whose thread performed the token request (the transport records it) necessarily
// spends the transport's latency in its call; every other caller "waited" when its call took
// longer than kWaitThreshold (a fifth of that latency), which is only possible by blocking on
// that request. The client's own counter of such waits (token_cache_stats::waits) is printed
// next to it as a cross-check.
//
// Usage: thundering_herd [rounds]   (default 20 rounds per scenario)

#include <profile/auth.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace pa = profile::auth;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int kThreads = 64;
constexpr auto kLatency = 5ms;
constexpr auto kWaitThreshold = kLatency / 5;

// --------------------------------------------------------------------------------------------
/// steady_clock shifted by a process-wide offset (moved forward between rounds, never during).
struct shifted_clock {
  using duration = steady::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = steady::time_point;
  static inline std::atomic<std::int64_t> offset_ns{0};
  time_point now() const noexcept {
    return steady::now() + std::chrono::nanoseconds(offset_ns.load(std::memory_order_relaxed));
  }
  static void advance(std::chrono::nanoseconds d) { offset_ns.fetch_add(d.count()); }
};

/// What the transport saw; shared by every copy of the transport.
struct transport_log {
  std::atomic<int> requests{0};
  std::mutex m;
  std::vector<std::thread::id> senders;  // the threads that performed a token request
  void reset() {
    requests = 0;
    std::lock_guard<std::mutex> l(m);
    senders.clear();
  }
};

/// A token endpoint kLatency away that always issues a one-hour token.
struct slow_transport {
  std::shared_ptr<transport_log> log = std::make_shared<transport_log>();
  pa::result<pa::http_response> send(const pa::http_request&) {
    const int n = ++log->requests;
    {
      std::lock_guard<std::mutex> l(log->m);
      log->senders.push_back(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(kLatency);
    pa::http_response r;
    r.status = 200;
    r.headers.add("Content-Type", "application/json");
    r.body = R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJuIjo)" + std::to_string(n) +
             R"(fQ.c2lnbmF0dXJl","token_type":"Bearer","expires_in":3600})";
    return r;
  }
};

// --------------------------------------------------------------------------------------------
struct round_result {
  int requests = 0;
  int failures = 0;
  int waited_on_others = 0;  // callers >= kWaitThreshold that did not send a request themselves
  std::uint64_t client_waits = 0;  // the client's own count (token_cache_stats::waits)
  double sender_ms = 0;            // the call that performed the request
  double others_max_ms = 0, others_avg_ms = 0;
};

/// One herd: kThreads callers released together on `client`.
template <class Client>
round_result herd(Client& client, transport_log& log) {
  log.reset();
  const std::uint64_t waits_before = client.stats().waits;
  std::latch start(kThreads + 1);
  std::vector<double> ms(kThreads);
  std::vector<std::thread::id> ids(kThreads);
  std::vector<char> ok(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      ids[i] = std::this_thread::get_id();
      start.arrive_and_wait();
      const auto t0 = steady::now();
      const pa::result<std::string> h = client.authorization_header();
      const auto t1 = steady::now();
      ms[i] = std::chrono::duration<double, std::milli>(t1 - t0).count();
      ok[i] = h.has_value() && h->starts_with("Bearer ");
    });
  start.arrive_and_wait();
  for (auto& t : threads) t.join();

  round_result r;
  r.requests = log.requests.load();
  r.client_waits = client.stats().waits - waits_before;
  const double threshold = std::chrono::duration<double, std::milli>(kWaitThreshold).count();
  double sum = 0;
  int others = 0;
  for (int i = 0; i < kThreads; ++i) {
    r.failures += ok[i] ? 0 : 1;
    const bool sender =
        std::find(log.senders.begin(), log.senders.end(), ids[i]) != log.senders.end();
    if (sender) {
      r.sender_ms = std::max(r.sender_ms, ms[i]);
      continue;
    }
    ++others;
    sum += ms[i];
    r.others_max_ms = std::max(r.others_max_ms, ms[i]);
    if (ms[i] >= threshold) ++r.waited_on_others;
  }
  r.others_avg_ms = others > 0 ? sum / others : 0;
  return r;
}

/// Over all rounds of one scenario: worst cases, and the mean of the per-round means.
struct summary {
  int rounds = 0, min_req = 1 << 30, max_req = 0, failures = 0, max_waited_on_others = 0;
  std::uint64_t max_client_waits = 0;
  double sender_ms = 0, others_max_ms = 0, others_avg_ms = 0;
  void add(const round_result& r) {
    ++rounds;
    min_req = std::min(min_req, r.requests);
    max_req = std::max(max_req, r.requests);
    failures += r.failures;
    max_waited_on_others = std::max(max_waited_on_others, r.waited_on_others);
    max_client_waits = std::max(max_client_waits, r.client_waits);
    sender_ms = std::max(sender_ms, r.sender_ms);
    others_max_ms = std::max(others_max_ms, r.others_max_ms);
    others_avg_ms += (r.others_avg_ms - others_avg_ms) / rounds;
  }
};

void print_row(const char* scenario, const summary& s, const char* expect) {
  char req[32];
  if (s.min_req == s.max_req)
    std::snprintf(req, sizeof req, "%d", s.min_req);
  else
    std::snprintf(req, sizeof req, "%d to %d", s.min_req, s.max_req);
  std::printf("| %s | %s | %d | %llu | %.2f | %.3f | %.3f | %d | %s |\n", scenario, req,
              s.max_waited_on_others, static_cast<unsigned long long>(s.max_client_waits),
              s.sender_ms, s.others_max_ms, s.others_avg_ms, s.failures, expect);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  slow_transport transport;
  std::shared_ptr<transport_log> log = transport.log;
  pa::client_credentials_config cfg =
      pa::profile::m2m_config("bench-client", pa::secret("bench-secret"), "http://127.0.0.1:1");
  pa::m2m_client client{transport, cfg, shifted_clock{}};

  // Prime once: a one-hour token.
  if (!client.authorization_header()) {
    std::fprintf(stderr, "priming the client failed\n");
    return 1;
  }
  const pa::refresh_policy policy{};  // the client's defaults: skew 30 s, refresh-ahead 300 s

  summary expired, ahead;
  for (int i = 0; i < rounds; ++i) {
    // Expired: jump past usable_until (expires_in - skew) of the current token.
    shifted_clock::advance(3600s);
    expired.add(herd(client, *log));
    // Refresh-ahead: the token just fetched is valid for ~3570 s and refreshed ahead from
    // ~3240-3270 s on (lead 300 s plus up to 30 s of jitter); land in between.
    shifted_clock::advance(3600s - policy.expiry_skew - 60s);
    ahead.add(herd(client, *log));
  }

  std::printf(
      "%d threads per herd, token endpoint latency %lld ms, %d rounds per scenario; "
      "a caller waited when its call took >= %.1f ms (worst round shown)\n\n",
      kThreads, static_cast<long long>(kLatency.count()), rounds,
      std::chrono::duration<double, std::milli>(kWaitThreshold).count());
  std::printf(
      "| scenario | token requests per herd | other callers that waited | "
      "client's waits counter | requesting caller's call (ms, max) | "
      "other callers: max call (ms) | other callers: mean call (ms) | failed calls | "
      "required |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  print_row("expired token", expired, "exactly 1 request; the other 63 wait for it");
  print_row("inside the refresh-ahead window", ahead,
            "exactly 1 request; 0 callers wait (the requesting caller does its own I/O)");
  const bool pass = expired.min_req == 1 && expired.max_req == 1 && ahead.min_req == 1 &&
                    ahead.max_req == 1 && ahead.max_waited_on_others == 0 &&
                    ahead.max_client_waits == 0 && expired.failures == 0 && ahead.failures == 0;
  std::printf("\nresult: %s\n", pass ? "**as required**" : "**NOT as required**");
  return pass ? 0 : 1;
}
