// SPDX-License-Identifier: MIT
// profile-auth: counted_ptr, an intrusive reference count on the LockPolicy's atomics.
#ifndef PROFILE_AUTH_DETAIL_COUNTED_HPP
#define PROFILE_AUTH_DETAIL_COUNTED_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>

#include <atomic>   // std::memory_order for the policy's atomics
#include <cstddef>  // std::size_t
#include <utility>  // std::exchange

namespace profile::auth::inline v0::detail {

/// Base of an object shared by counted_ptr handles. The count uses the policy's atomics, so a
/// single_threaded object counts with plain integers (std::shared_ptr would use locked
/// instructions whenever the program links threads). A new object starts with one reference,
/// which counted_ptr::adopt() takes over.
template <class P>
class ref_counted {
  static_assert(LockPolicy<P>, "ref_counted<P>: P must model profile::auth::LockPolicy");

  using count_type = typename P::template atomic<std::size_t>;

 public:
  ref_counted() noexcept = default;
  ref_counted(const ref_counted&) = delete;
  ref_counted& operator=(const ref_counted&) = delete;

  void retain() const noexcept {
    if constexpr (requires(count_type& c) {
                    c.fetch_add(std::size_t{1}, std::memory_order_relaxed);
                  }) {
      refs_.fetch_add(std::size_t{1}, std::memory_order_relaxed);
    } else {
      std::size_t n = refs_.load();
      while (!refs_.compare_exchange_strong(n, n + 1)) {
      }
    }
  }
  /// Drops one reference; true when it was the last (the caller then deletes the object).
  [[nodiscard]] bool release() const noexcept {
    if constexpr (requires(count_type& c) {
                    c.fetch_sub(std::size_t{1}, std::memory_order_acq_rel);
                  }) {
      return refs_.fetch_sub(std::size_t{1}, std::memory_order_acq_rel) == 1;
    } else {
      std::size_t n = refs_.load();
      while (!refs_.compare_exchange_strong(n, n - 1)) {
      }
      return n == 1;
    }
  }

 protected:
  ~ref_counted() = default;

 private:
  mutable count_type refs_{1};
};

/// A handle to a ref_counted object of the most derived type T (deleted through T*).
template <class T>
class counted_ptr {
 public:
  counted_ptr() noexcept = default;
  /// Takes over the reference `p` was created with (`new T(...)`).
  [[nodiscard]] static counted_ptr adopt(T* p) noexcept { return counted_ptr(p); }
  /// A new reference to an object already owned elsewhere (e.g. `this`).
  [[nodiscard]] static counted_ptr share(T* p) noexcept {
    if (p != nullptr) p->retain();
    return counted_ptr(p);
  }

  counted_ptr(const counted_ptr& o) noexcept : p_(o.p_) {
    if (p_ != nullptr) p_->retain();
  }
  counted_ptr(counted_ptr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  counted_ptr& operator=(counted_ptr o) noexcept {
    T* old = std::exchange(p_, std::exchange(o.p_, nullptr));
    o.p_ = old;  // released by o's destructor
    return *this;
  }
  ~counted_ptr() {
    if (p_ != nullptr && p_->release()) delete p_;
  }

  [[nodiscard]] T* get() const noexcept { return p_; }
  [[nodiscard]] T* operator->() const noexcept { return p_; }
  [[nodiscard]] T& operator*() const noexcept { return *p_; }
  [[nodiscard]] explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  explicit counted_ptr(T* p) noexcept : p_(p) {}
  T* p_ = nullptr;
};

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_COUNTED_HPP
