// SPDX-License-Identifier: MIT
// profile-auth: locking policies: thread-safe by default, nothing at all for single-threaded loops.
#ifndef PROFILE_AUTH_LOCK_POLICY_HPP
#define PROFILE_AUTH_LOCK_POLICY_HPP

#include <profile/auth/config.hpp>

#include <atomic>  // std::memory_order (also used by the single-threaded stand-in)

#if !PROFILE_AUTH_NO_THREADS
#include <condition_variable>  // thread_safe::condition_variable: waiters of a single flight
#include <mutex>               // thread_safe::mutex
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
}  // namespace detail

/// No locks, no atomics: for a game loop or a microcontroller that calls from one thread only.
struct single_threaded {
  using mutex = detail::null_mutex;
  using condition_variable = detail::null_condition_variable;
  template <class T>
  using atomic = detail::plain_atomic<T>;
  static constexpr bool is_thread_safe = false;
};

#if !PROFILE_AUTH_NO_THREADS
/// The default: safe to call from any number of threads.
struct thread_safe {
  using mutex = std::mutex;
  using condition_variable = std::condition_variable;
  template <class T>
  using atomic = std::atomic<T>;
  static constexpr bool is_thread_safe = true;
};
using default_lock_policy = thread_safe;
#else
using default_lock_policy = single_threaded;
#endif

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_LOCK_POLICY_HPP
