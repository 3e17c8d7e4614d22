// SPDX-License-Identifier: MIT
// profile-auth: result<T>, the expected-like return type of every fallible call.
#ifndef PROFILE_AUTH_RESULT_HPP
#define PROFILE_AUTH_RESULT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>

#include <new>          // placement new for the value/error union
#include <type_traits>  // invoke_result, remove_cvref
#include <utility>      // std::move, std::forward, in_place

#if PROFILE_AUTH_USE_STD_EXPECTED
#include <expected>  // std::expected, std::unexpected
#endif

namespace profile::auth::inline v0 {

#if PROFILE_AUTH_USE_STD_EXPECTED

template <class T>
using result = std::expected<T, error>;
using std::unexpected;

#else

/// Wraps an error so that it converts to any result<T> (as std::unexpected does).
template <class E>
class unexpected {
 public:
  /// Wraps the error `e`.
  constexpr explicit unexpected(E e) : e_(std::move(e)) {}
  ///@{
  /// The wrapped error.
  [[nodiscard]] constexpr const E& error() const& noexcept { return e_; }
  [[nodiscard]] constexpr E& error() & noexcept { return e_; }
  [[nodiscard]] constexpr E&& error() && noexcept { return std::move(e_); }
  ///@}

 private:
  E e_;
};
/// Deduction guide: `unexpected(e)` wraps e's type.
template <class E>
unexpected(E) -> unexpected<E>;

/// Holds either a T or an error. The subset of std::expected<T, error> that the library uses;
/// when the standard library has std::expected, result<T> is an alias of it instead.
/// Accessing the wrong alternative is a contract violation (PROFILE_AUTH_ASSERT), never UB.
template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported");

 public:
  ///@{
  /// The two alternatives' types, as in std::expected.
  using value_type = T;
  using error_type = ::profile::auth::error;
  ///@}

  ///@{
  /// A result holding a value: default-constructed, converted from `v`, or built in place from
  /// `a...`.
  constexpr result()
    requires std::is_default_constructible_v<T>
      : has_(true) {
    ::new (static_cast<void*>(&v_)) T();
  }
  template <class U = T>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, result> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t>)
  constexpr result(U&& v) : has_(true) {  // NOLINT(google-explicit-constructor)
    ::new (static_cast<void*>(&v_)) T(std::forward<U>(v));
  }
  template <class... A>
  constexpr explicit result(std::in_place_t, A&&... a) : has_(true) {
    ::new (static_cast<void*>(&v_)) T(std::forward<A>(a)...);
  }
  ///@}
  ///@{
  /// A result holding the error that `u` wraps.
  template <class G>
  constexpr result(const unexpected<G>& u) : has_(false) {  // NOLINT
    ::new (static_cast<void*>(&e_)) error_type(u.error());
  }
  template <class G>
  constexpr result(unexpected<G>&& u) : has_(false) {  // NOLINT
    ::new (static_cast<void*>(&e_)) error_type(std::move(u).error());
  }
  ///@}
  ///@{
  /// Copies and moves hold what `o` holds.
  result(const result& o) : has_(o.has_) {
    if (has_)
      ::new (static_cast<void*>(&v_)) T(o.v_);
    else
      ::new (static_cast<void*>(&e_)) error_type(o.e_);
  }
  result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(o.has_) {
    if (has_)
      ::new (static_cast<void*>(&v_)) T(std::move(o.v_));
    else
      ::new (static_cast<void*>(&e_)) error_type(std::move(o.e_));
  }
  result& operator=(const result& o) {
    if (this != &o) {
      result tmp(o);
      destroy();
      construct_from(std::move(tmp));
    }
    return *this;
  }
  result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &o) {
      destroy();
      construct_from(std::move(o));
    }
    return *this;
  }
  ///@}
  ~result() { destroy(); }

  ///@{
  /// True when a value is held (false: an error is).
  [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_; }
  ///@}

  ///@{
  /// The value; calling this on an error is a contract violation (PROFILE_AUTH_ASSERT).
  constexpr T& value() & {
    PROFILE_AUTH_ASSERT(has_);
    return v_;
  }
  constexpr const T& value() const& {
    PROFILE_AUTH_ASSERT(has_);
    return v_;
  }
  constexpr T&& value() && {
    PROFILE_AUTH_ASSERT(has_);
    return std::move(v_);
  }
  constexpr T& operator*() & {
    PROFILE_AUTH_ASSERT(has_);
    return v_;
  }
  constexpr const T& operator*() const& {
    PROFILE_AUTH_ASSERT(has_);
    return v_;
  }
  constexpr T&& operator*() && {
    PROFILE_AUTH_ASSERT(has_);
    return std::move(v_);
  }
  constexpr T* operator->() {
    PROFILE_AUTH_ASSERT(has_);
    return &v_;
  }
  constexpr const T* operator->() const {
    PROFILE_AUTH_ASSERT(has_);
    return &v_;
  }
  ///@}

  ///@{
  /// The error; calling this on a value is a contract violation (PROFILE_AUTH_ASSERT).
  constexpr error_type& error() & {
    PROFILE_AUTH_ASSERT(!has_);
    return e_;
  }
  constexpr const error_type& error() const& {
    PROFILE_AUTH_ASSERT(!has_);
    return e_;
  }
  constexpr error_type&& error() && {
    PROFILE_AUTH_ASSERT(!has_);
    return std::move(e_);
  }
  ///@}

  ///@{
  /// The value, or `fallback` converted to T when an error is held.
  template <class U>
  [[nodiscard]] constexpr T value_or(U&& fallback) const& {
    return has_ ? v_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  [[nodiscard]] constexpr T value_or(U&& fallback) && {
    return has_ ? std::move(v_) : static_cast<T>(std::forward<U>(fallback));
  }
  ///@}

  ///@{
  /// `f(T) -> result<U>`; errors pass through unchanged.
  template <class F>
  constexpr auto and_then(F&& f) & {
    return and_then_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto and_then(F&& f) const& {
    return and_then_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto and_then(F&& f) && {
    return and_then_impl(std::move(*this), std::forward<F>(f));
  }
  ///@}

  ///@{
  /// `f(T) -> U` gives `result<U>`; errors pass through unchanged.
  template <class F>
  constexpr auto transform(F&& f) & {
    return transform_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto transform(F&& f) const& {
    return transform_impl(*this, std::forward<F>(f));
  }
  template <class F>
  constexpr auto transform(F&& f) && {
    return transform_impl(std::move(*this), std::forward<F>(f));
  }
  ///@}

 private:
  template <class Self, class F>
  static constexpr auto and_then_impl(Self&& self, F&& f) {
    using R = std::remove_cvref_t<std::invoke_result_t<F, decltype(std::forward<Self>(self).v_)>>;
    if (self.has_) return std::forward<F>(f)(std::forward<Self>(self).v_);
    return R(unexpected<error_type>(std::forward<Self>(self).e_));
  }
  template <class Self, class F>
  static constexpr auto transform_impl(Self&& self, F&& f) {
    using U = std::remove_cvref_t<std::invoke_result_t<F, decltype(std::forward<Self>(self).v_)>>;
    if (self.has_) {
      if constexpr (std::is_void_v<U>) {
        std::forward<F>(f)(std::forward<Self>(self).v_);
        return result<U>();
      } else {
        return result<U>(std::forward<F>(f)(std::forward<Self>(self).v_));
      }
    }
    return result<U>(unexpected<error_type>(std::forward<Self>(self).e_));
  }
  void destroy() noexcept {
    if (has_)
      v_.~T();
    else
      e_.~error_type();
  }
  void construct_from(result&& o) {
    has_ = o.has_;
    if (has_)
      ::new (static_cast<void*>(&v_)) T(std::move(o.v_));
    else
      ::new (static_cast<void*>(&e_)) error_type(std::move(o.e_));
  }

  union {
    T v_;
    error_type e_;
  };
  bool has_;
};

/// result<void>: success, or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  ///@{
  /// The two alternatives' types, as in std::expected.
  using value_type = void;
  using error_type = ::profile::auth::error;
  ///@}

  /// A success.
  constexpr result() noexcept = default;
  ///@{
  /// A result holding the error that `u` wraps.
  template <class G>
  constexpr result(const unexpected<G>& u) : e_(u.error()), has_(false) {}  // NOLINT
  template <class G>
  constexpr result(unexpected<G>&& u) : e_(std::move(u).error()), has_(false) {}  // NOLINT
  ///@}

  ///@{
  /// True on success (false: an error is held).
  [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_; }
  ///@}
  ///@{
  /// Nothing to return; value() on an error is a contract violation (PROFILE_AUTH_ASSERT).
  constexpr void value() const { PROFILE_AUTH_ASSERT(has_); }
  constexpr void operator*() const noexcept {}
  ///@}
  ///@{
  /// The error; calling this on a success is a contract violation (PROFILE_AUTH_ASSERT).
  constexpr error_type& error() & {
    PROFILE_AUTH_ASSERT(!has_);
    return e_;
  }
  constexpr const error_type& error() const& {
    PROFILE_AUTH_ASSERT(!has_);
    return e_;
  }
  constexpr error_type&& error() && {
    PROFILE_AUTH_ASSERT(!has_);
    return std::move(e_);
  }
  ///@}

  /// `f() -> result<U>` runs on success; an error passes through unchanged.
  template <class F>
  constexpr auto and_then(F&& f) const {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    if (has_) return std::forward<F>(f)();
    return R(unexpected<error_type>(e_));
  }
  /// `f() -> U` runs on success and gives `result<U>`; an error passes through unchanged.
  template <class F>
  constexpr auto transform(F&& f) const {
    using U = std::remove_cvref_t<std::invoke_result_t<F>>;
    if (has_) {
      if constexpr (std::is_void_v<U>) {
        std::forward<F>(f)();
        return result<void>();
      } else {
        return result<U>(std::forward<F>(f)());
      }
    }
    return result<U>(unexpected<error_type>(e_));
  }

 private:
  error_type e_;
  bool has_ = true;
};

#endif  // PROFILE_AUTH_USE_STD_EXPECTED

/// Builds the unexpected value for `return fail(errc::invalid_argument, "client_id is empty");`.
[[nodiscard]] inline unexpected<error> fail(errc code, std::string message) {
  return unexpected<error>(error(code, std::move(message)));
}
/// Same, from a fully populated error.
[[nodiscard]] inline unexpected<error> fail(error e) { return unexpected<error>(std::move(e)); }

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_RESULT_HPP
