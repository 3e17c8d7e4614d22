// SPDX-License-Identifier: MIT
// profile-auth: locking policies: thread-safe by default, nothing at all for single-threaded loops.
#ifndef PROFILE_AUTH_LOCK_POLICY_HPP
#define PROFILE_AUTH_LOCK_POLICY_HPP

#include <profile/auth/config.hpp>

#include <atomic>  // std::memory_order; thread_safe's wait (atomic wait, C++20)

#if !PROFILE_AUTH_NO_THREADS
#include <mutex>  // thread_safe::mutex
// std::atomic::wait, when the standard library has it (config.hpp includes <version>): not on
// macOS deployment targets before 11, for one. Elsewhere std::condition_variable does the job.
#if defined(__cpp_lib_atomic_wait)
#define PROFILE_AUTH_DETAIL_ATOMIC_WAIT 1
#include <cstdint>  // the generation counter of flight_signal
#else
#define PROFILE_AUTH_DETAIL_ATOMIC_WAIT 0
#include <condition_variable>  // thread_safe::condition_variable
#endif
#endif

namespace profile::auth::inline v0 {

namespace detail {
/// A mutex that does nothing (single_threaded policy).
struct null_mutex {
  constexpr void lock() noexcept {}
  constexpr void unlock() noexcept {}
  constexpr bool try_lock() noexcept { return true; }
};
/// A condition variable for one thread: waiting on a false predicate would block forever, so it
/// is a contract violation instead.
struct null_condition_variable {
  template <class Lock, class Pred>
  void wait(Lock&, Pred pred) {
    PROFILE_AUTH_ASSERT(pred());
  }
  constexpr void notify_all() noexcept {}
  constexpr void notify_one() noexcept {}
};
/// std::atomic's interface over a plain value, for single-threaded builds: no locked
/// instructions, no fences.
template <class T>
class plain_atomic {
 public:
  constexpr plain_atomic() noexcept = default;
  constexpr explicit plain_atomic(T v) noexcept : v_(v) {}
  plain_atomic(const plain_atomic&) = delete;
  plain_atomic& operator=(const plain_atomic&) = delete;
  constexpr T load(std::memory_order = std::memory_order_seq_cst) const noexcept { return v_; }
  constexpr void store(T v, std::memory_order = std::memory_order_seq_cst) noexcept { v_ = v; }
  constexpr T exchange(T v, std::memory_order = std::memory_order_seq_cst) noexcept {
    T old = v_;
    v_ = v;
    return old;
  }
  constexpr bool compare_exchange_strong(T& expected, T desired,
                                         std::memory_order = std::memory_order_seq_cst,
                                         std::memory_order = std::memory_order_seq_cst) noexcept {
    if (v_ == expected) {
      v_ = desired;
      return true;
    }
    expected = v_;
    return false;
  }
  constexpr T fetch_add(T d, std::memory_order = std::memory_order_seq_cst) noexcept {
    T old = v_;
    v_ = static_cast<T>(v_ + d);
    return old;
  }

 private:
  T v_{};
};

#if !PROFILE_AUTH_NO_THREADS && PROFILE_AUTH_DETAIL_ATOMIC_WAIT
/// thread_safe's condition variable: what the waiters of a single flight block on.
///
/// It keeps std::condition_variable's contract for `wait(lock, pred)` and `notify_all()` (the
/// only calls the drivers make) on a C++20 atomic wait over a generation counter (a futex on
/// Linux, WaitOnAddress on Windows). That spares every translation unit <condition_variable>
/// and what it drags in (<stop_token>, std::thread, the timed waits), about a tenth of what
/// <profile/auth.hpp> costs to compile.
///
/// Why no wake-up is lost: a waiter reads the generation while it still holds the lock and has
/// just seen `pred()` false. A notifier changes the state under the same lock and bumps the
/// generation afterwards, so the bump comes after that read and the waiter's atomic wait sees
/// it. Spurious returns only re-check `pred()`.
class flight_signal {
 public:
  flight_signal() = default;
  flight_signal(const flight_signal&) = delete;
  flight_signal& operator=(const flight_signal&) = delete;

  /// Blocks until `pred()` holds; `lock` (held on entry) is released while blocked.
  template <class Lock, class Pred>
  void wait(Lock& lock, Pred pred) {
    while (!pred()) {
      const std::uint32_t seen = generation_.load(std::memory_order_relaxed);
      lock.unlock();
      generation_.wait(seen, std::memory_order_acquire);
      lock.lock();
    }
  }
  /// Wakes every waiter (each re-checks its predicate under the lock).
  void notify_all() noexcept {
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
  }
  /// Wakes at least one waiter.
  void notify_one() noexcept {
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_one();
  }

 private:
  std::atomic<std::uint32_t> generation_{0};
};
#endif
}  // namespace detail

/// No locks, no atomics: for a game loop or a microcontroller that calls from one thread only.
struct single_threaded {
  /// A mutex that does nothing.
  using mutex = detail::null_mutex;
  /// A condition variable that does nothing.
  using condition_variable = detail::null_condition_variable;
  /// A plain value with the std::atomic operations the library uses.
  template <class T>
  using atomic = detail::plain_atomic<T>;
  /// False: one thread only.
  static constexpr bool is_thread_safe = false;
};

#if !PROFILE_AUTH_NO_THREADS
/// The default: safe to call from any number of threads.
struct thread_safe {
  /// std::mutex.
  using mutex = std::mutex;
/// What a caller waiting for a refresh blocks on (an atomic wait where the standard library has
/// one, else std::condition_variable).
#if PROFILE_AUTH_DETAIL_ATOMIC_WAIT
  using condition_variable = detail::flight_signal;
#else
  using condition_variable = std::condition_variable;
#endif
  /// std::atomic.
  template <class T>
  using atomic = std::atomic<T>;
  /// True: any number of threads.
  static constexpr bool is_thread_safe = true;
};
/// What the drivers use unless told otherwise: thread_safe.
using default_lock_policy = thread_safe;
#else
/// What the drivers use unless told otherwise: single_threaded, where there are no threads.
using default_lock_policy = single_threaded;
#endif

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_LOCK_POLICY_HPP
