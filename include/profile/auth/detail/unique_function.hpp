// SPDX-License-Identifier: MIT
// profile-auth: unique_function, a move-only type-erased callable (std::move_only_function is
// C++23), and copyable_function, a copyable one without <functional>.
#ifndef PROFILE_AUTH_DETAIL_UNIQUE_FUNCTION_HPP
#define PROFILE_AUTH_DETAIL_UNIQUE_FUNCTION_HPP

#include <profile/auth/config.hpp>

#include <concepts>     // std::same_as in the converting constructor's constraint
#include <cstddef>      // std::nullptr_t
#include <type_traits>  // std::decay_t, std::is_invocable_r_v, std::is_copy_constructible_v
#include <utility>      // std::move, std::forward, std::exchange

namespace profile::auth::inline v0::detail {

template <class Signature>
class unique_function;

/// A callable of signature R(A...) that may own a move-only target (a lambda holding a
/// std::unique_ptr or a secret, say). Unlike std::function it is never copied, so async
/// callbacks need not be copyable. No RTTI, no exceptions of its own: the target lives on the
/// heap behind two function pointers. Calling an empty unique_function is a contract violation.
template <class R, class... A>
class unique_function<R(A...)> {
 public:
  unique_function() noexcept = default;
  unique_function(std::nullptr_t) noexcept {}

  /// Wraps `f` (moved or copied in).
  template <class F>
    requires(!std::same_as<std::decay_t<F>, unique_function> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, A...>)
  unique_function(F&& f)  // implicit, as for std::function
      : target_(new std::decay_t<F>(std::forward<F>(f))),
        call_(&call_target<std::decay_t<F>>),
        destroy_(&destroy_target<std::decay_t<F>>) {}

  unique_function(unique_function&& o) noexcept
      : target_(std::exchange(o.target_, nullptr)),
        call_(std::exchange(o.call_, nullptr)),
        destroy_(std::exchange(o.destroy_, nullptr)) {}
  unique_function& operator=(unique_function&& o) noexcept {
    if (this != &o) {
      reset();
      target_ = std::exchange(o.target_, nullptr);
      call_ = std::exchange(o.call_, nullptr);
      destroy_ = std::exchange(o.destroy_, nullptr);
    }
    return *this;
  }
  unique_function(const unique_function&) = delete;
  unique_function& operator=(const unique_function&) = delete;
  ~unique_function() { reset(); }

  /// Calls the target. Precondition: not empty.
  R operator()(A... args) {
    PROFILE_AUTH_ASSERT(target_ != nullptr);
    return call_(target_, std::forward<A>(args)...);
  }

  [[nodiscard]] explicit operator bool() const noexcept { return target_ != nullptr; }

  /// Destroys the target (and what it captured) now; the function becomes empty.
  void reset() noexcept {
    if (target_ != nullptr) destroy_(target_);
    target_ = nullptr;
    call_ = nullptr;
    destroy_ = nullptr;
  }

 private:
  template <class F>
  static R call_target(void* f, A&&... args) {
    return static_cast<R>((*static_cast<F*>(f))(std::forward<A>(args)...));
  }
  template <class F>
  static void destroy_target(void* f) noexcept {
    delete static_cast<F*>(f);
  }

  void* target_ = nullptr;
  R (*call_)(void*, A&&...) = nullptr;
  void (*destroy_)(void*) noexcept = nullptr;
};

template <class Signature>
class copyable_function;

/// A copyable callable of signature R(A...), as std::function (copying it copies the target),
/// without <functional>, whose C++20 form drags in <unordered_map> and the searchers for every
/// includer. No RTTI, no exceptions of its own. Calling an empty copyable_function is a
/// contract violation.
template <class R, class... A>
class copyable_function<R(A...)> {
 public:
  copyable_function() noexcept = default;
  copyable_function(std::nullptr_t) noexcept {}

  /// Wraps `f` (moved or copied in); `f` must be copy-constructible.
  template <class F>
    requires(!std::same_as<std::decay_t<F>, copyable_function> &&
             std::is_copy_constructible_v<std::decay_t<F>> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, A...>)
  copyable_function(F&& f)  // implicit, as for std::function
      : target_(new std::decay_t<F>(std::forward<F>(f))), ops_(&ops_for<std::decay_t<F>>) {}

  copyable_function(const copyable_function& o)
      : target_(o.target_ != nullptr ? o.ops_->clone(o.target_) : nullptr), ops_(o.ops_) {}
  copyable_function(copyable_function&& o) noexcept
      : target_(std::exchange(o.target_, nullptr)), ops_(std::exchange(o.ops_, nullptr)) {}
  copyable_function& operator=(const copyable_function& o) {
    if (this != &o) *this = copyable_function(o);
    return *this;
  }
  copyable_function& operator=(copyable_function&& o) noexcept {
    if (this != &o) {
      reset();
      target_ = std::exchange(o.target_, nullptr);
      ops_ = std::exchange(o.ops_, nullptr);
    }
    return *this;
  }
  ~copyable_function() { reset(); }

  /// Calls the target. Precondition: not empty.
  R operator()(A... args) const {
    PROFILE_AUTH_ASSERT(target_ != nullptr);
    return ops_->call(target_, std::forward<A>(args)...);
  }

  [[nodiscard]] explicit operator bool() const noexcept { return target_ != nullptr; }

  /// Destroys the target now; the function becomes empty.
  void reset() noexcept {
    if (target_ != nullptr) ops_->destroy(target_);
    target_ = nullptr;
    ops_ = nullptr;
  }

 private:
  struct ops {
    R (*call)(void*, A&&...);
    void* (*clone)(const void*);
    void (*destroy)(void*) noexcept;
  };
  template <class F>
  static R call_target(void* f, A&&... args) {
    return static_cast<R>((*static_cast<F*>(f))(std::forward<A>(args)...));
  }
  template <class F>
  static void* clone_target(const void* f) {
    return new F(*static_cast<const F*>(f));
  }
  template <class F>
  static void destroy_target(void* f) noexcept {
    delete static_cast<F*>(f);
  }
  template <class F>
  static constexpr ops ops_for{&call_target<F>, &clone_target<F>, &destroy_target<F>};

  void* target_ = nullptr;
  const ops* ops_ = nullptr;
};

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_UNIQUE_FUNCTION_HPP
