// SPDX-License-Identifier: MIT
// profile-auth: the named requirements of every seam a user plugs into.
#ifndef PROFILE_AUTH_CONCEPTS_HPP
#define PROFILE_AUTH_CONCEPTS_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <chrono>       // std::chrono::is_clock_v-like checks on time_point/duration
#include <concepts>     // std::same_as, std::convertible_to, std::invocable
#include <cstddef>      // std::byte
#include <span>         // RandomSource::fill takes std::span<std::byte>
#include <type_traits>  // std::remove_cvref_t

namespace profile::auth::inline v0 {

// ---------------------------------------------------------------------------------------------
/// Transport: sends one HTTP request and returns the answer.
///
/// | expression    | result                  | meaning                                        |
/// |---------------|-------------------------|------------------------------------------------|
/// | `t.send(req)` | `result<http_response>` | performs `req` (a `const http_request&`);     |
/// |               |                         | any HTTP status is a value, not an error;      |
/// |               |                         | its own failures are `errc::transport_failed`  |
/// |               |                         | (or `response_too_large`) with a message;     |
/// |               |                         | a request it cannot even start (bad URL, a    |
/// |               |                         | header with CR/LF) may be refused before      |
/// |               |                         | sending as `invalid_url`,                      |
/// |               |                         | `invalid_header_value` or `invalid_argument`;  |
/// |               |                         | never throws into the library                  |
///
/// Messages must not contain the request body, credentials or the `Authorization` value.
/// Models shipped: transports::curl_transport, transports::curl_transport_pool,
/// testing::fake_transport, testing::fake_profile_api; exemplar: examples/custom_transport.cpp.
template <class T>
concept Transport = requires(T& t, const http_request& req) {
  { t.send(req) } -> std::same_as<result<http_response>>;
};

namespace detail {
/// The callback type AsyncTransport implementations are exercised with.
struct async_callback_archetype {
  void operator()(result<http_response>) const {}
};
}  // namespace detail

/// AsyncTransport: starts one HTTP request and reports its answer to a callback, once.
///
/// | expression               | result | meaning                                          |
/// |--------------------------|--------|--------------------------------------------------|
/// | `t.async_send(req, cb)`  | (any)  | takes `req` by value; later calls `cb` exactly   |
/// |                          |        | once with `result<http_response>`, on whichever  |
/// |                          |        | thread or loop iteration the stack delivers;     |
/// |                          |        | never throws                                     |
///
/// Models shipped: transports::curl_multi_transport (<profile/auth/transports/curl_multi.hpp>),
/// testing::fake_async_transport (tests). Drivers: async_m2m_client, async_user_session.
template <class T>
concept AsyncTransport = requires(T& t, http_request req, detail::async_callback_archetype cb) {
  t.async_send(std::move(req), std::move(cb));
};

// ---------------------------------------------------------------------------------------------
/// Clock: a std::chrono-style clock object. Expiry is computed on it, so it should be monotonic
/// (std::chrono::steady_clock is the default; tests use testing::manual_clock).
///
/// | expression | result                 | meaning                              |
/// |------------|------------------------|--------------------------------------|
/// | `c.now()`  | `C::time_point`        | the current time; never throws       |
/// | `C::duration`, `C::time_point` | types | as in std::chrono                 |
template <class C>
concept Clock = requires(C& c) {
  typename C::duration;
  typename C::time_point;
  { c.now() } -> std::same_as<typename C::time_point>;
} && requires(typename C::time_point t, typename C::duration d) {
  { t + d } -> std::convertible_to<typename C::time_point>;
  { t - t } -> std::convertible_to<typename C::duration>;
  { t < t } -> std::convertible_to<bool>;
};

// ---------------------------------------------------------------------------------------------
/// RandomSource: cryptographically secure random bytes (PKCE verifiers, state, jitter).
///
/// | expression     | result | meaning                                                   |
/// |----------------|--------|-----------------------------------------------------------|
/// | `r.fill(buf)`  | `bool` | fills all of `buf` (`std::span<std::byte>`) and returns   |
/// |                |        | true, or returns false on failure; never throws           |
///
/// Models shipped: os_random (getrandom / arc4random_buf / BCryptGenRandom),
/// testing::fixed_random (deterministic, tests only).
template <class R>
concept RandomSource = requires(R& r, std::span<std::byte> buf) {
  { r.fill(buf) } -> std::same_as<bool>;
};

// ---------------------------------------------------------------------------------------------
/// LockPolicy: how the token cache synchronises.
///
/// | expression                      | meaning                                            |
/// |---------------------------------|----------------------------------------------------|
/// | `P::mutex`                      | lock(), unlock(), try_lock()                       |
/// | `P::condition_variable`         | wait(std::unique_lock<P::mutex>&, pred), notify_all|
/// | `P::template atomic<T>`         | load/store/exchange/compare_exchange_strong        |
/// | `P::is_thread_safe`             | `bool` constant                                    |
///
/// Models shipped: thread_safe (default), single_threaded.
template <class P>
concept LockPolicy = requires(typename P::mutex& m) {
  m.lock();
  m.unlock();
  { m.try_lock() } -> std::convertible_to<bool>;
} && requires(typename P::template atomic<int>& a, int v) {
  { a.load() } -> std::convertible_to<int>;
  a.store(v);
  { a.exchange(v) } -> std::convertible_to<int>;
  { a.compare_exchange_strong(v, v) } -> std::convertible_to<bool>;
} && requires {
  typename P::condition_variable;
  { P::is_thread_safe } -> std::convertible_to<bool>;
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_CONCEPTS_HPP
