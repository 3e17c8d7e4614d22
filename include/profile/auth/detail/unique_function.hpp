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

template <class Signature, bool Copyable>
class erased_function;

/// A type-erased callable of signature R(A...) whose target lives on the heap behind one table
/// of function pointers per target type. No RTTI, no exceptions of its own. Calling an empty one
/// is a contract violation. Used through its two names:
/// - unique_function<R(A...)>: move-only, so it may own a move-only target (a lambda holding a
///   std::unique_ptr or a secret, say), as async callbacks do (std::move_only_function is
///   C++23);
/// - copyable_function<R(A...)>: copying it copies the target, as std::function does, without
///   <functional>, whose C++20 form drags in <unordered_map> and the searchers for every
///   includer.
template <class R, class... A, bool Copyable>
class erased_function<R(A...), Copyable> {
 public:
  erased_function() noexcept = default;
  erased_function(std::nullptr_t) noexcept {}

  /// Wraps `f` (moved or copied in); for copyable_function `f` must be copy-constructible.
  template <class F>
    requires(!std::same_as<std::decay_t<F>, erased_function> &&
             (!Copyable || std::is_copy_constructible_v<std::decay_t<F>>) &&
             std::is_invocable_r_v<R, std::decay_t<F>&, A...>)
  erased_function(F&& f)  // implicit, as for std::function
      : target_(new std::decay_t<F>(std::forward<F>(f))), ops_(&ops_for<std::decay_t<F>>) {}

  erased_function(const erased_function& o)
    requires Copyable
      : target_(o.target_ != nullptr ? o.ops_->clone(o.target_) : nullptr), ops_(o.ops_) {}
  erased_function(erased_function&& o) noexcept
      : target_(std::exchange(o.target_, nullptr)), ops_(std::exchange(o.ops_, nullptr)) {}
  erased_function& operator=(const erased_function& o)
    requires Copyable
  {
    if (this != &o) *this = erased_function(o);
    return *this;
  }
  erased_function& operator=(erased_function&& o) noexcept {
    if (this != &o) {
      reset();
      target_ = std::exchange(o.target_, nullptr);
      ops_ = std::exchange(o.ops_, nullptr);
    }
    return *this;
  }
  ~erased_function() { reset(); }

  /// Calls the target. Precondition: not empty.
  R operator()(A... args) const {
    PROFILE_AUTH_ASSERT(target_ != nullptr);
    return ops_->call(target_, std::forward<A>(args)...);
  }

  [[nodiscard]] explicit operator bool() const noexcept { return target_ != nullptr; }

  /// Destroys the target (and what it captured) now; the function becomes empty.
  void reset() noexcept {
    if (target_ != nullptr) ops_->destroy(target_);
    target_ = nullptr;
    ops_ = nullptr;
  }

 private:
  struct ops {
    R (*call)(void*, A&&...);
    void* (*clone)(const void*);  // null for unique_function
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
  static constexpr auto clone_of() noexcept -> void* (*)(const void*) {
    if constexpr (Copyable)
      return &clone_target<F>;
    else
      return nullptr;  // never instantiate a copy of a move-only target
  }
  template <class F>
  static constexpr ops ops_for{&call_target<F>, clone_of<F>(), &destroy_target<F>};

  void* target_ = nullptr;
  const ops* ops_ = nullptr;
};

/// A move-only type-erased callable (see erased_function).
template <class Signature>
using unique_function = erased_function<Signature, false>;

/// A copyable type-erased callable (see erased_function).
template <class Signature>
using copyable_function = erased_function<Signature, true>;

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_UNIQUE_FUNCTION_HPP
