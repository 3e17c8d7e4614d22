// SPDX-License-Identifier: MIT
// profile-auth: token_cache, the state layer: expiry, refresh-ahead, single flight, backoff.
#ifndef PROFILE_AUTH_TOKEN_CACHE_HPP
#define PROFILE_AUTH_TOKEN_CACHE_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/backoff.hpp>
#include <profile/auth/detail/snapshot.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/refresh_policy.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/token.hpp>

#include <atomic>       // std::memory_order for the policy's atomics
#include <chrono>       // durations in the options
#include <cstddef>      // std::size_t, std::max_align_t
#include <cstdint>      // integer nanoseconds, counters
#include <limits>       // "never" and "long ago" instants
#include <memory>       // std::unique_ptr for a snapshot until it is published
#include <optional>     // the Retry-After floor of retry_instant
#include <string>       // std::to_string in tokens_rejected_error
#include <type_traits>  // std::conditional_t: no retired list for single_threaded
#include <utility>      // std::move
#include <vector>       // retired snapshots

#if !PROFILE_AUTH_NO_THREADS
#include <mutex>  // std::unique_lock: what the policy's condition variable waits with
#endif

namespace profile::auth::inline v0 {

/// The knobs of a token_cache (and of every client built on one).
struct token_cache_options {
  refresh_policy refresh{};  ///< expiry skew, refresh-ahead window, jitter (refresh_policy.hpp)
  backoff_policy backoff{};  ///< delays after failed token requests (detail/backoff.hpp)
  /// A replaced token's memory is freed only once two newer tokens were published after it AND
  /// this long has passed since it was replaced, so that a lock-free reader still copying it
  /// cannot be cut short (docs/caching.md, "Reclamation"). Thread-safe caches only; a
  /// single_threaded cache frees a replaced token at once.
  std::chrono::nanoseconds reclaim_grace = std::chrono::seconds{60};
  /// The drivers' send() drops a token the API answers with a 401 that rejects it and gets a
  /// new one at once. When this many tokens in a row were rejected (no successful answer in
  /// between), the API is refusing freshly issued tokens, which a new one will not fix (a wrong
  /// audience, resource or scope): the next token request then waits the `backoff` delay (one
  /// step longer for each further rejection) and calls that need a token fail meanwhile with
  /// errc::token_rejected, sending nothing. 2 (the default): the first rejection is routine (a
  /// token revoked or rotated early), a token issued right after it and rejected too is not.
  /// 0 counts as 1. See docs/caching.md, "When the API rejects tokens".
  std::uint32_t token_rejection_limit = 2;
};

/// Counters for tests and operations. Written on the slow path only, read with relaxed loads:
/// a snapshot of counters, not a consistent transaction.
struct token_cache_stats {
  std::uint64_t token_requests = 0;   ///< token requests that reached the transport
  std::uint64_t tokens_issued = 0;    ///< flights that ended with a usable new token
  std::uint64_t failures = 0;         ///< flights that ended in an error (configuration included)
  std::uint64_t refreshes_ahead = 0;  ///< flights started while the old token was still valid
  std::uint64_t waits = 0;            ///< callers that waited (blocked, or were queued by
                                      ///< try_acquire()) for another caller's flight
  std::uint64_t invalidations = 0;    ///< tokens dropped by invalidate() / invalidate_if() /
                                      ///< reject()
  std::uint64_t tokens_rejected = 0;  ///< tokens dropped by reject(): the API refused them
};

/// What token_cache::acquire() tells its caller to do.
enum class cache_action : unsigned char {
  use,    ///< use decision::token
  fetch,  ///< you lead a flight: request a token and report it with complete()
  fail,   ///< return decision::failure (sticky error, backoff, or the flight you waited for)
  wait,   ///< try_acquire() only: another caller's flight runs and no token is valid; you are
          ///< told its outcome when it ends (the async drivers queue a callback for it)
};

/// Where a flight's error arose: configuration errors (the request could not even be built)
/// are sticky whatever their class.
enum class failure_origin : unsigned char { response, configuration };

namespace detail {
/// How a cache retries after a failed token request: the one rule token_cache and
/// fixed_m2m_client share (docs/caching.md).
enum class retry_rule : unsigned char {
  backoff,  ///< transient (error_class::retryable): backoff_policy's delay for the failures in
            ///< a row
  slow,     ///< an unusable answer that is not transient: retried, but only after the cap
  sticky,   ///< credentials, misconfiguration, re-authentication, or a request that could not
            ///< even be built: never retried until invalidate()
};

/// The retry_rule of an error of class `c` that arose at `origin`.
[[nodiscard]] constexpr retry_rule retry_rule_of(error_class c, failure_origin origin) noexcept {
  if (origin == failure_origin::configuration || c == error_class::credentials ||
      c == error_class::misconfiguration || c == error_class::reauthenticate)
    return retry_rule::sticky;
  return c == error_class::retryable ? retry_rule::backoff : retry_rule::slow;
}

/// The instant (integer ns) before which a cache asks again after a failure with `rule` at
/// `now`, the `failures`-th in a row: backoff_delay() drawn with `bits` (Retry-After as a
/// floor), the full cap for `slow`, never (INT64_MAX) for `sticky`.
[[nodiscard]] inline std::int64_t retry_instant(const backoff_policy& p, retry_rule rule,
                                                std::uint32_t failures, std::uint64_t bits,
                                                std::optional<std::chrono::seconds> retry_after,
                                                std::int64_t now) noexcept {
  constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
  if (rule == retry_rule::sticky) return never;
  const std::uint32_t n =
      rule == retry_rule::backoff ? failures : std::numeric_limits<std::uint32_t>::max();
  const std::int64_t delay = backoff_delay(p, n, bits, retry_after).count();
  return now > never - delay ? never : now + delay;
}

/// 64 bits for a draw that has no flight of its own (the backoff after the API rejected
/// tokens), derived from the bits of the last flight: splitmix64's finaliser, a bijection, so
/// uniform bits stay uniform.
[[nodiscard]] constexpr std::uint64_t remix_bits(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9u;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

/// errc::token_rejected: `count` tokens in a row were refused; the next token request waits
/// `delay` after the last refusal.
[[nodiscard]] error tokens_rejected_error(std::uint32_t count, std::chrono::nanoseconds delay);

#if PROFILE_AUTH_DEFINITIONS
PROFILE_AUTH_INLINE error tokens_rejected_error(std::uint32_t count,
                                                std::chrono::nanoseconds delay) {
  if constexpr (terse_errors) {
    (void)count;
    (void)delay;
    return error(errc::token_rejected, "the API rejects fresh tokens");
  } else {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(delay).count();
    return error(errc::token_rejected,
                 "the API rejects fresh tokens: it answered 401 invalid_token to " +
                     std::to_string(count) +
                     " tokens in a row, each issued right after the previous one was "
                     "refused, so a new token will not help: check that the token's audience or "
                     "resource names this API, that the scope grants it, and that the API trusts "
                     "this token endpoint; a new token is requested no sooner than " +
                     std::to_string(ms) + " ms after the last refusal");
  }
}
#endif  // PROFILE_AUTH_DEFINITIONS

#if !PROFILE_AUTH_NO_THREADS
template <class M>
using cache_lock = std::unique_lock<M>;
#else
/// The part of std::unique_lock a single-threaded policy's condition variable may use.
template <class M>
class cache_lock {
 public:
  explicit cache_lock(M& m) : m_(m) { m_.lock(); }
  cache_lock(const cache_lock&) = delete;
  cache_lock& operator=(const cache_lock&) = delete;
  ~cache_lock() { m_.unlock(); }
  void lock() { m_.lock(); }
  void unlock() { m_.unlock(); }

 private:
  M& m_;
};
#endif
}  // namespace detail

/// The state layer of every driver (m2m_client, user_session): it holds the current token and
/// decides what each caller does; it performs no I/O, reads no clock and draws no randomness
/// (the instant and random bits come in as arguments). See docs/caching.md.
///
/// Read path: peek(now) is wait-free and writes no shared memory: one acquire load of a
/// pointer to an immutable snapshot and two integer comparisons. Everything else (acquire,
/// complete, invalidate) is the slow path, under the policy's mutex, never across I/O.
///
/// Protocol for a driver:
///
///     if (auto* s = cache.peek(now)) use(*s);            // the hot path
///     auto d = cache.acquire(now);                        // may wait for another flight
///     if (d.action == cache_action::fetch) {
///       auto tok = /* send the token request */;
///       d = cache.complete(d.flight, std::move(tok), received_at, random_bits);
///     }
///     d.action == cache_action::use ? use(*d.token) : report(d.failure);
///
/// Lifetime of a snapshot pointer (from peek, acquire or complete): thread_safe — until two
/// newer tokens have been published after it was replaced and reclaim_grace has passed;
/// single_threaded — until the next acquire(), complete() or invalidate() call.
///
/// A custom LockPolicy's atomic<T> must accept std::memory_order arguments on load, store and
/// exchange, as std::atomic and detail::plain_atomic do.
template <class P = default_lock_policy>
class token_cache {
  static_assert(LockPolicy<P>, "token_cache<P>: P must model profile::auth::LockPolicy");

 public:
  /// The locking policy.
  using lock_policy = P;
  /// A cached token with its prepared header (what decision::token points to).
  using snapshot = detail::token_snapshot;

  /// Identifies one flight; acquire() hands it to the leader, who passes it to complete().
  struct ticket {
    /// Distinguishes flights.
    std::uint64_t id = 0;
    /// When the flight started.
    time_point started{};
    bool ahead = false;  ///< a refresh-ahead flight (the old token is still valid)
  };

  /// acquire()'s and complete()'s answer.
  struct decision {
    /// What to do next.
    cache_action action = cache_action::fail;
    const snapshot* token = nullptr;  ///< use: the token; fetch: the still-valid old one or null
    ticket flight{};                  ///< fetch: pass to complete()
    error failure{};                  ///< fail: what to report
  };

  /// An empty cache with `options`.
  explicit token_cache(token_cache_options options = {}) noexcept : opts_(options) {}
  token_cache(const token_cache&) = delete;
  token_cache& operator=(const token_cache&) = delete;
  /// Frees every snapshot. No call may be running and no snapshot pointer may be in use.
  ~token_cache() {
    delete current_.load(std::memory_order_acquire);
    if constexpr (P::is_thread_safe)
      for (const retired_entry& r : retired_) delete r.ptr;
  }

  /// The hot path: the current token if it is usable at `now` and no refresh needs to start
  /// (before the refresh-ahead point, or a refresh is running, or retries are backing off);
  /// otherwise nullptr, and the caller goes to acquire(). Lock-free, never blocks, writes
  /// nothing.
  [[nodiscard]] const snapshot* peek(time_point now) const noexcept {
    const std::int64_t t = detail::to_ns(now);
    const snapshot* s = current_.load(std::memory_order_acquire);
    if (s == nullptr || t >= s->usable_until_ns()) return nullptr;
    if (t < s->refresh_at_ns()) return s;
    // Inside the refresh window: these hints are written once per flight, so reading them
    // keeps the cache line shared.
    if (flight_hint_.load(std::memory_order_relaxed) ||
        t < retry_hint_.load(std::memory_order_relaxed))
      return s;
    return nullptr;
  }

  /// The slow path. Returns:
  /// - `use` with the token when one is valid at `now` (inside the refresh window too, when a
  ///   refresh runs, backs off or failed for good);
  /// - `fetch` to exactly one caller when a token is needed (none valid) or due (refresh-ahead)
  ///   and no flight runs; that caller must call complete() with the ticket;
  /// - `fail` with the last error when no token is valid and retries are backing off or the
  ///   last error is sticky (credentials, configuration, re-authentication), or with the error
  ///   of the flight this caller waited for.
  /// Blocks (on the policy's condition variable) only when no token is valid and another
  /// caller's flight is running; the waiter then shares that flight's result.
  [[nodiscard]] decision acquire(time_point now) { return acquire_impl(now, true); }

  /// acquire() that never blocks, for callback-driven drivers: where acquire() would wait for
  /// another caller's flight it returns `wait` instead (counted in stats().waits). The caller
  /// must then learn the outcome from whoever completes that flight (the async drivers queue
  /// its callback, under a lock they also hold around complete()). Works with any LockPolicy,
  /// single_threaded included (whose condition variable cannot wait).
  [[nodiscard]] decision try_acquire(time_point now) { return acquire_impl(now, false); }

  /// Ends the flight `flight` with `outcome`, observed at `now` (the instant the response
  /// arrived; backoff counts from it). `random_bits` are 64 uniform random bits: they draw the
  /// new token's refresh jitter in [0, refresh.max_jitter], or the backoff delay.
  ///
  /// On success the new token replaces the old one for every reader. On failure nothing valid
  /// is discarded; the error is recorded and, by its class: retryable (is_retryable) → retried
  /// after backoff_policy's delay; credentials, misconfiguration, re-authentication, or any
  /// error with failure_origin::configuration → sticky until invalidate(); anything else (the
  /// server answered something unusable) → retried after the backoff cap. A Retry-After is a
  /// floor on the delay. Returns what the leader uses: the token valid at `now` (the new one,
  /// or the old one after a failed refresh-ahead) or the error. Wakes every waiter.
  decision complete(const ticket& flight, result<token> outcome, time_point now,
                    std::uint64_t random_bits, failure_origin origin = failure_origin::response) {
    const std::int64_t t = detail::to_ns(now);
    std::unique_ptr<snapshot> fresh;  // built before locking: allocation stays off the lock
    error err;
    if (outcome) {
      auto made = detail::make_snapshot(*outcome, opts_.refresh, random_bits);
      if (made)
        fresh = std::move(*made);
      else
        err = std::move(made).error();
    } else {
      err = std::move(outcome).error();
    }
    lock_type lock(mu_);
    PROFILE_AUTH_ASSERT(in_flight_ && flight.id == flights_started_);
    spare_bits_ = detail::remix_bits(random_bits);
    in_flight_ = false;
    flights_completed_ = flight.id;
    if (origin == failure_origin::response) bump(token_requests_);
    if (fresh) {
      detail::set_generation(*fresh, ++generation_);
      ++publishes_;
      retire(current_.exchange(fresh.release(), std::memory_order_acq_rel), t);
      consecutive_failures_ = 0;
      last_failed_ = false;
      last_error_ = error{};
      set_retry_not_before(long_ago);
      bump(tokens_issued_);
    } else {
      record_failure(std::move(err), t, random_bits, origin);
    }
    reclaim(t);
    flight_hint_.store(false, std::memory_order_relaxed);
    cv_.notify_all();
    const snapshot* s = current_.load(std::memory_order_relaxed);
    if (s != nullptr && t < s->usable_until_ns()) return use(s);
    return failed();
  }

  /// Forgets the token, the last error and the backoff: the next caller fetches. A flight that
  /// is running finishes normally. The count of failures in a row is kept, so a loop that
  /// invalidates after every error still backs off.
  void invalidate(time_point now) {
    const std::int64_t t = detail::to_ns(now);
    lock_type lock(mu_);
    const snapshot* old = current_.exchange(nullptr, std::memory_order_acq_rel);
    if (old != nullptr) bump(invalidations_);
    retire(old, t);
    last_failed_ = false;
    last_error_ = error{};
    set_retry_not_before(long_ago);
    reclaim(t);
  }

  /// Drops the current token only if its generation is `generation` (the token a 401 was
  /// answered to); a newer token another caller already fetched is kept. Errors and backoff are
  /// kept. Returns true if it dropped the token.
  bool invalidate_if(std::uint64_t generation, time_point now) {
    const std::int64_t t = detail::to_ns(now);
    lock_type lock(mu_);
    const snapshot* s = current_.load(std::memory_order_relaxed);
    if (s == nullptr || s->generation() != generation) return false;
    current_.store(nullptr, std::memory_order_release);
    bump(invalidations_);
    retire(s, t);
    reclaim(t);
    return true;
  }

  /// The API answered a request sent with the token of generation `generation` with a 401
  /// that rejects it. Drops that token (a newer one is kept, as invalidate_if does) and counts
  /// the rejection: once options().token_rejection_limit tokens in a row were rejected, the
  /// next token request waits backoff_policy's delay (for the rejections beyond the limit, plus
  /// one) and calls that need a token fail meanwhile with errc::token_rejected. A successful
  /// answer (accepted()) ends the row. Returns true when the caller may send once more now
  /// (with a newer token, or after fetching one); false while that backoff holds.
  bool reject(std::uint64_t generation, time_point now) {
    const std::int64_t t = detail::to_ns(now);
    lock_type lock(mu_);
    const snapshot* s = current_.load(std::memory_order_relaxed);
    if (s == nullptr || s->generation() != generation) {
      // Another caller counted this token already, or replaced it.
      if (s != nullptr && t < s->usable_until_ns()) return true;
      return !(rejection_backoff() && t < retry_not_before_);
    }
    current_.store(nullptr, std::memory_order_release);
    bump(invalidations_);
    bump(tokens_rejected_);
    retire(s, t);
    reclaim(t);
    if (rejections_ != std::numeric_limits<std::uint32_t>::max()) ++rejections_;
    rejection_hint_.store(rejections_, std::memory_order_relaxed);
    const std::uint32_t limit = opts_.token_rejection_limit > 0 ? opts_.token_rejection_limit : 1;
    if (rejections_ < limit) return true;
    const std::chrono::nanoseconds delay =
        detail::backoff_delay(opts_.backoff, rejections_ - limit + 1, spare_bits_);
    spare_bits_ = detail::remix_bits(spare_bits_);
    set_retry_not_before(t > never - delay.count() ? never : t + delay.count());
    last_error_ = detail::tokens_rejected_error(rejections_, delay);
    last_failed_ = true;
    return false;
  }

  /// The API answered a request sent with a token with success: the row of rejections (see
  /// reject()) ends, and a backoff it caused is lifted. One relaxed load when there is no row.
  void accepted() {
    if (rejection_hint_.load(std::memory_order_relaxed) == 0) [[likely]]
      return;
    lock_type lock(mu_);
    rejections_ = 0;
    rejection_hint_.store(0, std::memory_order_relaxed);
    if (rejection_backoff()) {
      last_failed_ = false;
      last_error_ = error{};
      set_retry_not_before(long_ago);
    }
  }

  /// Tokens rejected in a row so far (see reject()).
  [[nodiscard]] std::uint32_t rejections_in_a_row() const noexcept {
    return rejection_hint_.load(std::memory_order_relaxed);
  }

  /// The counters (relaxed loads; never blocks).
  [[nodiscard]] token_cache_stats stats() const noexcept {
    token_cache_stats out;
    out.token_requests = token_requests_.load(std::memory_order_relaxed);
    out.tokens_issued = tokens_issued_.load(std::memory_order_relaxed);
    out.failures = failures_.load(std::memory_order_relaxed);
    out.refreshes_ahead = refreshes_ahead_.load(std::memory_order_relaxed);
    out.waits = waits_.load(std::memory_order_relaxed);
    out.invalidations = invalidations_.load(std::memory_order_relaxed);
    out.tokens_rejected = tokens_rejected_.load(std::memory_order_relaxed);
    return out;
  }

  /// Replaced snapshots not freed yet (see token_cache_options::reclaim_grace).
  [[nodiscard]] std::size_t retained_snapshots() const {
    if constexpr (!P::is_thread_safe) {
      return 0;  // freed at once
    } else {
      lock_type lock(mu_);
      return retired_.size();
    }
  }

  /// The options it was created with.
  [[nodiscard]] const token_cache_options& options() const noexcept { return opts_; }

 private:
  using lock_type = detail::cache_lock<typename P::mutex>;
  template <class T>
  using atomic = typename P::template atomic<T>;

  struct retired_entry {
    const snapshot* ptr;
    std::int64_t retired_at;
    std::uint64_t publishes_then;
  };
  struct no_retired {};  // single_threaded: replaced snapshots are freed at once, none wait
  using retired_list =
      std::conditional_t<P::is_thread_safe, std::vector<retired_entry>, no_retired>;

  static constexpr std::int64_t long_ago = std::numeric_limits<std::int64_t>::min();
  static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();
  // Read-mostly state on its own cache line (thread_safe): readers must not share a line with
  // the mutex, whose lock word slow-path callers write.
  static constexpr std::size_t line = P::is_thread_safe ? 64 : alignof(std::max_align_t);

  decision acquire_impl(time_point now, bool block) {
    const std::int64_t t = detail::to_ns(now);
    lock_type lock(mu_);
    bool waited = false;
    for (;;) {
      const snapshot* s = current_.load(std::memory_order_relaxed);  // writers hold mu_ too
      if (s != nullptr && t < s->usable_until_ns()) {
        if (t < s->refresh_at_ns() || in_flight_ || t < retry_not_before_) return use(s);
        return start_flight(now, s);
      }
      if (waited && last_failed_) return failed();
      if (in_flight_) {
        bump(waits_);
        if (!block) {
          decision d;
          d.action = cache_action::wait;
          return d;
        }
        const std::uint64_t target = flights_started_;
        cv_.wait(lock, [&] { return flights_completed_ >= target; });
        waited = true;
        continue;
      }
      if (t < retry_not_before_) return failed();
      return start_flight(now, nullptr);
    }
  }
  static decision use(const snapshot* s) noexcept {
    decision d;
    d.action = cache_action::use;
    d.token = s;
    return d;
  }
  bool rejection_backoff() const noexcept {  // under mu_
    return last_failed_ && last_error_.code == errc::token_rejected;
  }
  decision failed() const {
    decision d;
    d.action = cache_action::fail;
    d.failure = last_failed_
                    ? last_error_
                    : error(errc::not_authenticated,
                            detail::terse_errors ? "no token"
                                                 : "no valid token is cached and none could be "
                                                   "fetched now");
    return d;
  }
  decision start_flight(time_point now, const snapshot* still_valid) {
    in_flight_ = true;
    ++flights_started_;
    flight_hint_.store(true, std::memory_order_relaxed);
    if (still_valid != nullptr) bump(refreshes_ahead_);
    decision d;
    d.action = cache_action::fetch;
    d.token = still_valid;
    d.flight = ticket{flights_started_, now, still_valid != nullptr};
    return d;
  }
  template <class C>
  static void bump(C& counter) noexcept {  // under mu_: no read-modify-write needed
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void set_retry_not_before(std::int64_t t) noexcept {
    retry_not_before_ = t;
    retry_hint_.store(t, std::memory_order_relaxed);
  }
  void record_failure(error&& e, std::int64_t now, std::uint64_t bits, failure_origin origin) {
    bump(failures_);
    if (consecutive_failures_ != std::numeric_limits<std::uint32_t>::max()) ++consecutive_failures_;
    // Unusable answers that are not transient wait the full cap: retried, but slowly.
    set_retry_not_before(detail::retry_instant(opts_.backoff,
                                               detail::retry_rule_of(classify(e), origin),
                                               consecutive_failures_, bits, e.retry_after, now));
    last_error_ = std::move(e);
    last_failed_ = true;
  }
  // Reclamation without reader-side writes. A reader holds a snapshot pointer only from its
  // acquire-load to the end of its copy: bounded work (two comparisons, one copy of a few KB).
  // Readers publish nothing (no reference count, no hazard slot, no epoch), so no scheme can
  // prove that none is still inside that window; we rely on time and progress instead: a
  // replaced snapshot is freed only after two newer tokens were published (two complete token
  // requests by other callers) AND reclaim_grace (60 s) has passed since it was replaced. A
  // reader would have to be stopped mid-copy for all of that. Memory stays bounded: retained
  // snapshots <= 2 + replacements within the last reclaim_grace (2 in normal operation).
  // With one thread (single_threaded) nobody else can be reading: freed at once.
  // See docs/caching.md, "Reclamation".
  void retire(const snapshot* s, std::int64_t now) {
    if (s == nullptr) return;
    if constexpr (!P::is_thread_safe) {
      delete s;  // one thread: nobody else can be reading it
    } else {
      retired_.push_back(retired_entry{s, now, publishes_});
    }
  }
  void reclaim(std::int64_t now) {
    if constexpr (P::is_thread_safe && !detail::keep_retired_snapshots) {
      const std::int64_t grace = opts_.reclaim_grace.count() > 0 ? opts_.reclaim_grace.count() : 0;
      std::size_t kept = 0;
      for (const retired_entry& r : retired_) {
        const bool old_enough = publishes_ - r.publishes_then >= 2 && now - r.retired_at >= grace;
        if (old_enough)
          delete r.ptr;
        else
          retired_[kept++] = r;
      }
      retired_.resize(kept);
    } else {
      (void)now;  // nothing waits (single_threaded), or everything is kept (TSan)
    }
  }

  // --- read by peek() without the lock; written under mu_ ------------------------------------
  alignas(line) atomic<const snapshot*> current_{nullptr};
  atomic<bool> flight_hint_{false};            // a flight is running
  atomic<std::int64_t> retry_hint_{long_ago};  // copy of retry_not_before_
  atomic<std::uint32_t> rejection_hint_{0};    // copy of rejections_
  // --- slow path: everything below is guarded by mu_ (the counters are only written there) --
  alignas(line) mutable typename P::mutex mu_;
  typename P::condition_variable cv_;
  token_cache_options opts_;
  bool in_flight_ = false;
  bool last_failed_ = false;
  std::uint32_t consecutive_failures_ = 0;
  std::uint32_t rejections_ = 0;  // tokens the API rejected in a row (reject(), accepted())
  std::uint64_t spare_bits_ = 0;  // random bits for reject()'s backoff (remix_bits)
  std::int64_t retry_not_before_ = long_ago;  // `never` while a sticky error stands
  std::uint64_t flights_started_ = 0;
  std::uint64_t flights_completed_ = 0;
  std::uint64_t generation_ = 0;
  std::uint64_t publishes_ = 0;
  error last_error_;
  [[no_unique_address]] retired_list retired_;
  atomic<std::uint64_t> token_requests_{0}, tokens_issued_{0}, failures_{0}, refreshes_ahead_{0},
      waits_{0}, invalidations_{0}, tokens_rejected_{0};
};

// Compiled mode: the library's source file compiles the cache once for both shipped policies;
// every other translation unit only refers to those instantiations (it still inlines peek()).
// A custom LockPolicy is instantiated where it is used, as in header-only mode.
#if PROFILE_AUTH_SEPARATE_COMPILATION
#if PROFILE_AUTH_DEFINITIONS
template class token_cache<single_threaded>;
#if !PROFILE_AUTH_NO_THREADS
template class token_cache<thread_safe>;
#endif
#else
extern template class token_cache<single_threaded>;
#if !PROFILE_AUTH_NO_THREADS
extern template class token_cache<thread_safe>;
#endif
#endif
#endif

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_TOKEN_CACHE_HPP
