// SPDX-License-Identifier: MIT
// Benchmark 5: 64 threads hit one m2m_client whose token is expired, or inside its refresh-ahead
// window; counts token requests and how many callers waited. Prints Markdown.
//
// The clock is steady_clock plus an offset that the program moves forward between herds, so
// nobody sleeps on a fake clock. The transport records which thread sent each request and:
// - expired token: answers after kLatency (a token endpoint a few milliseconds away);
// - refresh-ahead: holds the request until every OTHER caller of the herd has returned (or
//   kGateTimeout has passed). A caller blocked on the refresh could not return, so "callers
//   that waited" is exact: the other callers that had not returned when the request was
//   answered. Timing plays no part, so preemption on a loaded machine cannot fake a wait.
// The client's own count of callers that blocked on another caller's request
// (token_cache_stats::waits) is printed as a cross-check, and call durations for information.
//
// Usage: thundering_herd [rounds]   (default 20 rounds per scenario)

#include <profile/auth.hpp>

#include <algorithm>           // std::find, std::min/max
#include <atomic>              // the clock offset, request counter
#include <chrono>              // latencies, call durations
#include <condition_variable>  // the transport's gate
#include <cstdint>             // std::int64_t, std::uint64_t
#include <cstdio>              // the Markdown table
#include <cstdlib>             // std::atoi
#include <latch>               // releases the herd together
#include <memory>              // std::shared_ptr to the shared log
#include <mutex>               // guards the log
#include <string>              // bodies, headers
#include <thread>              // the herd
#include <vector>              // per-caller results

namespace {

namespace pa = profile::auth;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr int kThreads = 64;
constexpr auto kLatency = 5ms;
constexpr auto kGateTimeout = 10s;

// --------------------------------------------------------------------------------------------
/// steady_clock shifted by a process-wide offset (moved forward between herds, never during).
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

/// What the transport saw, and the gate of the refresh-ahead scenario; shared by every copy of
/// the transport.
struct transport_log {
  std::atomic<int> requests{0};
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::thread::id> senders;  // the threads that performed a token request
  bool gate = false;                     // hold requests until the other callers returned
  int returned = 0;                      // callers of this herd that have returned
  int returned_in_flight = -1;           // `returned` when the first request was answered

  void reset(bool with_gate) {
    std::lock_guard<std::mutex> l(m);
    requests = 0;
    senders.clear();
    gate = with_gate;
    returned = 0;
    returned_in_flight = -1;
  }
  void caller_returned() {
    std::lock_guard<std::mutex> l(m);
    ++returned;
    cv.notify_all();
  }
};

/// A token endpoint that always issues a one-hour token: after kLatency or, with the gate,
/// once every other caller has returned.
struct slow_transport {
  std::shared_ptr<transport_log> log = std::make_shared<transport_log>();

  pa::result<pa::http_response> send(const pa::http_request&) {
    const int n = ++log->requests;
    {
      std::unique_lock<std::mutex> l(log->m);
      log->senders.push_back(std::this_thread::get_id());
      if (log->gate)
        log->cv.wait_for(l, kGateTimeout, [&] { return log->returned >= kThreads - 1; });
      else
        log->cv.wait_for(l, kLatency, [] { return false; });
      if (log->returned_in_flight < 0) log->returned_in_flight = log->returned;
    }
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
  int waited = 0;                  // other callers not yet returned when the request ended
  std::uint64_t client_waits = 0;  // the client's own count (token_cache_stats::waits)
  double sender_ms = 0;            // the call that performed the request
  double others_max_ms = 0, others_avg_ms = 0;
};

/// One herd: kThreads callers released together on `client`.
template <class Client>
round_result herd(Client& client, transport_log& log, bool gate) {
  log.reset(gate);
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
      log.caller_returned();
      ms[i] = std::chrono::duration<double, std::milli>(t1 - t0).count();
      ok[i] = h.has_value() && h->starts_with("Bearer ");
    });
  start.arrive_and_wait();
  for (auto& t : threads) t.join();

  round_result r;
  r.requests = log.requests.load();
  r.client_waits = client.stats().waits - waits_before;
  if (r.requests > 0) r.waited = (kThreads - r.requests) - log.returned_in_flight;
  double sum = 0;
  int others = 0;
  for (int i = 0; i < kThreads; ++i) {
    r.failures += ok[i] ? 0 : 1;
    if (std::find(log.senders.begin(), log.senders.end(), ids[i]) != log.senders.end()) {
      r.sender_ms = std::max(r.sender_ms, ms[i]);
      continue;
    }
    ++others;
    sum += ms[i];
    r.others_max_ms = std::max(r.others_max_ms, ms[i]);
  }
  r.others_avg_ms = others > 0 ? sum / others : 0;
  return r;
}

/// Over all rounds of one scenario: ranges and worst cases, and the mean of the round means.
struct summary {
  int rounds = 0, min_req = 1 << 30, max_req = 0, failures = 0;
  int min_waited = 1 << 30, max_waited = 0;
  std::uint64_t max_client_waits = 0;
  double sender_ms = 0, others_max_ms = 0, others_avg_ms = 0;

  void add(const round_result& r) {
    ++rounds;
    min_req = std::min(min_req, r.requests);
    max_req = std::max(max_req, r.requests);
    failures += r.failures;
    min_waited = std::min(min_waited, r.waited);
    max_waited = std::max(max_waited, r.waited);
    max_client_waits = std::max(max_client_waits, r.client_waits);
    sender_ms = std::max(sender_ms, r.sender_ms);
    others_max_ms = std::max(others_max_ms, r.others_max_ms);
    others_avg_ms += (r.others_avg_ms - others_avg_ms) / rounds;
  }
};

/// "a" or "a to b".
std::string range_text(long a, long b) {
  return a == b ? std::to_string(a) : std::to_string(a) + " to " + std::to_string(b);
}

void print_row(const char* scenario, const summary& s, const char* required) {
  std::printf("| %s | %s | %s | %llu | %.2f | %.3f | %.3f | %d | %s |\n", scenario,
              range_text(s.min_req, s.max_req).c_str(),
              range_text(s.min_waited, s.max_waited).c_str(),
              static_cast<unsigned long long>(s.max_client_waits), s.sender_ms, s.others_max_ms,
              s.others_avg_ms, s.failures, required);
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
    expired.add(herd(client, *log, /*gate=*/false));
    // Refresh-ahead: the token just fetched is usable for ~3570 s and refreshed ahead from
    // ~3240-3270 s on (lead 300 s plus up to 30 s of jitter); land in between.
    shifted_clock::advance(3600s - policy.expiry_skew - 60s);
    ahead.add(herd(client, *log, /*gate=*/true));
  }

  std::printf(
      "%d threads per herd, %d rounds per scenario. Expired: the token endpoint answers after "
      "%lld ms. Refresh-ahead: it answers once the other %d callers have returned (timeout "
      "%lld s).\n\n",
      kThreads, rounds, static_cast<long long>(kLatency.count()), kThreads - 1,
      static_cast<long long>(kGateTimeout.count()));
  std::printf(
      "| scenario | token requests per herd | other callers that waited for the request | "
      "client's waits counter (max) | requesting caller's call (ms, max) | "
      "other callers: max call (ms) | other callers: mean call (ms) | failed calls | "
      "required |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  print_row("expired token", expired, "exactly 1 request; the other 63 wait for it");
  print_row("inside the refresh-ahead window", ahead,
            "exactly 1 request; 0 callers wait (the requesting caller does its own I/O)");
  const bool pass = expired.min_req == 1 && expired.max_req == 1 && ahead.min_req == 1 &&
                    ahead.max_req == 1 && ahead.max_waited == 0 && ahead.max_client_waits == 0 &&
                    expired.failures == 0 && ahead.failures == 0;
  std::printf("\nresult: %s\n", pass ? "**as required**" : "**NOT as required**");
  return pass ? 0 : 1;
}
