// SPDX-License-Identifier: MIT
// profile-auth: memory_store, a TokenStore that keeps the session in process memory.
#ifndef PROFILE_AUTH_STORES_MEMORY_STORE_HPP
#define PROFILE_AUTH_STORES_MEMORY_STORE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token_store.hpp>

#include <cstdint>   // std::intptr_t: the lease's handle
#include <memory>    // std::shared_ptr: copies of a store share one session
#include <optional>  // the session slot
#include <utility>   // std::move

#if !PROFILE_AUTH_NO_THREADS
#include <condition_variable>  // waiting for the refresh lease
#include <mutex>               // std::mutex, std::lock_guard: every operation is atomic
#endif

namespace profile::auth::inline v0 {

/// A TokenStore in memory: nothing survives the process. Thread-safe: every operation holds a
/// mutex (none on PROFILE_AUTH_NO_THREADS builds, which are single-threaded by definition).
///
/// A memory_store is a handle: copies share the same session, as two processes opening one
/// file would. That lets a test give one store to two clients and watch them race.
class memory_store {
 public:
  /// An empty store.
  memory_store();
  /// A store that already holds `initial`.
  explicit memory_store(stored_session initial) : memory_store() {
    state_->session = std::move(initial);
  }

  /// The session, or nullopt if none is stored. Never fails.
  [[nodiscard]] result<std::optional<stored_session>> load() const;
  /// Stores `s`, replacing whatever was there. Never fails.
  [[nodiscard]] result<void> save(const stored_session& s);
  /// Stores `s` if the current refresh token equals `expected` (no session counts as empty);
  /// otherwise errc::store_conflict and nothing changes.
  [[nodiscard]] result<void> compare_and_swap(const secret& expected, const stored_session& s);
  /// Removes the session (succeeds when there is none).
  [[nodiscard]] result<void> erase();
  /// Removes the session if its refresh token still equals `expected`; otherwise
  /// errc::store_conflict and nothing changes.
  [[nodiscard]] result<void> erase_if(const secret& expected);
  /// Takes the refresh lease (see TokenStore), waiting while another holder has it; the store
  /// must outlive the lease. Never fails. On PROFILE_AUTH_NO_THREADS builds the lease is empty
  /// (one thread cannot wait for itself).
  [[nodiscard]] result<store_lease> lock_refresh();

 private:
  struct state {
#if !PROFILE_AUTH_NO_THREADS
    std::mutex mutex;
    std::condition_variable lease_free;
    bool leased = false;
#endif
    std::optional<stored_session> session;
  };
  struct guard {
#if !PROFILE_AUTH_NO_THREADS
    explicit guard(state& s) : lock(s.mutex) {}
    std::lock_guard<std::mutex> lock;
#else
    explicit guard(state&) noexcept {}
#endif
  };

  // Caller holds the mutex.
  [[nodiscard]] bool current_is(const secret& expected) const noexcept {
    return state_->session ? state_->session->refresh_token == expected : expected.empty();
  }
  static result<void> conflict();

  std::shared_ptr<state> state_;
};

static_assert(TokenStore<memory_store>);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE memory_store::memory_store() : state_(std::make_shared<state>()) {}

PROFILE_AUTH_INLINE result<std::optional<stored_session>> memory_store::load() const {
  const guard g(*state_);
  return state_->session;
}

PROFILE_AUTH_INLINE result<void> memory_store::save(const stored_session& s) {
  const guard g(*state_);
  state_->session = s;
  return {};
}

PROFILE_AUTH_INLINE result<void> memory_store::compare_and_swap(const secret& expected,
                                                                const stored_session& s) {
  const guard g(*state_);
  if (!current_is(expected)) return conflict();
  state_->session = s;
  return {};
}

PROFILE_AUTH_INLINE result<void> memory_store::erase() {
  const guard g(*state_);
  state_->session.reset();
  return {};
}

PROFILE_AUTH_INLINE result<void> memory_store::erase_if(const secret& expected) {
  const guard g(*state_);
  if (!current_is(expected)) return conflict();
  state_->session.reset();
  return {};
}

PROFILE_AUTH_INLINE result<store_lease> memory_store::lock_refresh() {
#if !PROFILE_AUTH_NO_THREADS
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->lease_free.wait(lock, [&] { return !state_->leased; });
  state_->leased = true;
  return store_lease(
      [](std::intptr_t h) noexcept {
        auto* st = reinterpret_cast<state*>(h);
        {
          const std::lock_guard<std::mutex> g(st->mutex);
          st->leased = false;
        }
        st->lease_free.notify_one();
      },
      reinterpret_cast<std::intptr_t>(state_.get()));
#else
  return store_lease();
#endif
}

PROFILE_AUTH_INLINE result<void> memory_store::conflict() {
  return fail(errc::store_conflict,
              "the stored session changed since it was read (another client rotated or "
              "erased it): load it again");
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_STORES_MEMORY_STORE_HPP
