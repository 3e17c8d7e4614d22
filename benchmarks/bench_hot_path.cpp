// SPDX-License-Identifier: MIT
// Benchmark 2: a still-valid cached token to an Authorization value, at 1 and 2 threads.
//
// All threads of a run share ONE object. Every contestant does the same work per call: read
// std::chrono::steady_clock, check the expiry, and (except the no-copy form) hand back an owned
// std::string "Bearer <850-char JWT>". Only the synchronisation differs:
//   mutex          std::mutex around the check and the copy
//   shared_mutex   std::shared_mutex, readers take it shared
//   atomic_sp      std::atomic<std::shared_ptr<const entry>>: load (a reference count write on a
//                  shared control block), check, copy
//   unsync         no synchronisation at all: the floor a correct reader can hope to match
//   clock_only     steady_clock::now() alone: what every contestant pays before anything else
//                  (about 40 ns in this KVM guest, several times a bare-metal vDSO read)
//   ours_copy      m2m_client::authorization_header()             -> result<std::string>
//   ours_view      m2m_client::authorization_header_view()        -> result<std::string_view>
//   ours_write     m2m_client::write_authorization_header(buffer) -> result<std::size_t>
//   ours_*_coarse  the same on an m2m_client<..., coarse_steady_clock>: the library's cheap
//                  monotonic clock (CLOCK_MONOTONIC_COARSE, tick resolution) instead of
//                  steady_clock; the references keep steady_clock, so these rows show what the
//                  clock choice buys on top of the synchronisation scheme
// Ours is a thread-safe m2m_client on std::chrono::steady_clock, primed once through a
// transport that answers with the standard fixture (the same 850-character JWT).
//
// Timing is wall-clock (UseRealTime: CPU time would hide a thread sleeping on a futex). With
// N threads Google Benchmark's "Time" column is the threads' average wall time divided by the
// iterations of ALL threads, i.e. a throughput figure; the latency one caller sees is that
// value times N. benchmarks/report.py prints it as "ns per call".

#include <benchmark/benchmark.h>

#include <profile/auth.hpp>

#include "common/fixtures.hpp"

#include <atomic>        // std::atomic<std::shared_ptr> reference
#include <chrono>        // steady_clock: every contestant reads it
#include <cstddef>       // std::size_t
#include <cstdint>       // std::uintptr_t: page offsets
#include <cstdio>        // priming failures
#include <cstdlib>       // std::exit when priming fails
#include <cstring>       // std::memcpy of the reference source
#include <memory>        // std::shared_ptr reference
#include <mutex>         // std::mutex reference
#include <shared_mutex>  // std::shared_mutex reference
#include <string>        // the header copies
#include <string_view>   // the reference source

namespace {

namespace pa = profile::auth;
using steady = std::chrono::steady_clock;

/// "Bearer " + the 850-character access token of the standard fixture.
const std::string& header_value() {
  static const std::string h = [] {
    const std::string body = bench::load_fixture("standard_response.json");
    const auto b = body.find("\"access_token\":\"") + 16;
    return "Bearer " + body.substr(b, body.find('"', b) - b);
  }();
  return h;
}

// ---------------------------------------------------------------------------------------------
// Ours: a thread-safe m2m_client on the real steady clock, primed once.

/// Answers every token request with the standard fixture (a one-hour token).
struct fixture_transport {
  pa::result<pa::http_response> send(const pa::http_request&) {
    pa::http_response r;
    r.status = 200;
    r.headers.add("Content-Type", "application/json");
    r.body = bench::load_fixture("standard_response.json");
    return r;
  }
};

using client_type = pa::m2m_client<fixture_transport>;
using coarse_client_type = pa::m2m_client<fixture_transport, pa::coarse_steady_clock>;

template <class Client>
Client& primed_client() {
  static Client& c = [&]() -> Client& {
    static Client client{fixture_transport{},
                         pa::profile::m2m_config("bench-client", pa::secret("bench-secret"))};
    const pa::result<std::string> h = client.authorization_header();
    if (!h || *h != header_value() || client.stats().token_requests != 1) {
      std::fprintf(stderr, "priming the m2m_client failed\n");
      std::exit(1);
    }
    return client;
  }();
  return c;
}

/// Where every reference copies the header from. How fast a copy runs depends on where its
/// source and destination fall within a 4 KiB page: a store whose address shares the low 12
/// bits of a later load makes that load wait ("4K aliasing"), and in one process the same
/// contestant measured 59 or 90 ns depending on the heap's state. Every contestant's destination
/// comes from the same malloc, so the references copy from bytes at the same page offset as
/// ours: the rows then differ by their synchronisation, not by where their bytes happen to lie.
std::string_view reference_source() {
  static const std::string_view v = [] {
    const std::string_view ours = primed_client<client_type>().authorization_header_view().value();
    alignas(4096) static char pages[2 * 4096];
    char* p = pages + reinterpret_cast<std::uintptr_t>(ours.data()) % 4096;
    std::memcpy(p, ours.data(), ours.size());
    return std::string_view(p, ours.size());
  }();
  return v;
}

struct entry {
  std::string_view header;  // reference_source(): copied into a new std::string per call
  steady::time_point usable_until;
};

entry fresh_entry() { return {reference_source(), steady::now() + std::chrono::hours(1)}; }

// Each reference returns an empty string when the token is no longer usable (never happens
// here; the branch exists so the check cannot be optimised away).
struct mutex_cache {
  std::mutex m;
  entry e = fresh_entry();
  std::string get() {
    const auto now = steady::now();
    std::lock_guard<std::mutex> lock(m);
    if (now >= e.usable_until) return {};
    return std::string(e.header);
  }
};

struct shared_mutex_cache {
  std::shared_mutex m;
  entry e = fresh_entry();
  std::string get() {
    const auto now = steady::now();
    std::shared_lock<std::shared_mutex> lock(m);
    if (now >= e.usable_until) return {};
    return std::string(e.header);
  }
};

struct atomic_sp_cache {
  std::atomic<std::shared_ptr<const entry>> p{std::make_shared<const entry>(fresh_entry())};
  std::string get() {
    const auto now = steady::now();
    const std::shared_ptr<const entry> s = p.load(std::memory_order_acquire);
    if (now >= s->usable_until) return {};
    return std::string(s->header);
  }
};

struct unsync_cache {
  entry e = fresh_entry();
  std::string get() {
    const auto now = steady::now();
    if (now >= e.usable_until) return {};
    return std::string(e.header);
  }
};

// One shared instance of each, alive for the whole program.
template <class C>
C& shared_instance() {
  static C c;
  return c;
}

void bm_clock_only(benchmark::State& state) {
  for (auto _ : state) {
    const auto now = steady::now();
    benchmark::DoNotOptimize(now);
  }
}

void bm_coarse_clock_only(benchmark::State& state) {
  for (auto _ : state) {
    const auto now = pa::coarse_steady_clock::now();
    benchmark::DoNotOptimize(now);
  }
}

template <class C>
void bm_reference(benchmark::State& state) {
  C& c = shared_instance<C>();
  for (auto _ : state) {
    std::string h = c.get();
    benchmark::DoNotOptimize(h);
  }
}

template <class Client>
void bm_ours_copy(benchmark::State& state) {
  Client& c = primed_client<Client>();
  for (auto _ : state) {
    pa::result<std::string> h = c.authorization_header();
    benchmark::DoNotOptimize(h);
  }
}

template <class Client>
void bm_ours_view(benchmark::State& state) {
  Client& c = primed_client<Client>();
  for (auto _ : state) {
    pa::result<std::string_view> h = c.authorization_header_view();
    benchmark::DoNotOptimize(h);
  }
}

template <class Client>
void bm_ours_write(benchmark::State& state) {
  Client& c = primed_client<Client>();
  char buf[1024];
  for (auto _ : state) {
    pa::result<std::size_t> n = c.write_authorization_header(buf);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(buf);
  }
}

/// After the run: neither client may have requested another token.
struct check_no_refetch {
  ~check_no_refetch() {
    const auto a = primed_client<client_type>().stats().token_requests;
    const auto b = primed_client<coarse_client_type>().stats().token_requests;
    if (a != 1 || b != 1)
      std::fprintf(stderr, "WARNING: the clients requested %llu and %llu tokens during the run\n",
                   static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  }
};

}  // namespace

BENCHMARK(bm_clock_only)->Name("hot/clock_only")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_TEMPLATE(bm_reference, mutex_cache)
    ->Name("hot/mutex_copy")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_reference, shared_mutex_cache)
    ->Name("hot/shared_mutex_copy")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_reference, atomic_sp_cache)
    ->Name("hot/atomic_shared_ptr_copy")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_reference, unsync_cache)
    ->Name("hot/unsync_copy")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

BENCHMARK_TEMPLATE(bm_ours_copy, client_type)
    ->Name("hot/ours_copy")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_ours_view, client_type)
    ->Name("hot/ours_view")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_ours_write, client_type)
    ->Name("hot/ours_write")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(bm_coarse_clock_only)
    ->Name("hot/coarse_clock_only")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_ours_copy, coarse_client_type)
    ->Name("hot/ours_copy_coarse")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_ours_view, coarse_client_type)
    ->Name("hot/ours_view_coarse")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_TEMPLATE(bm_ours_write, coarse_client_type)
    ->Name("hot/ours_write_coarse")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

int main(int argc, char** argv) {
  primed_client<client_type>();  // before any timing, and so that the check below runs after the
                                 // benchmarks
  primed_client<coarse_client_type>();
  check_no_refetch check;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
