// SPDX-License-Identifier: MIT
// profile-auth: async_m2m_client, the M2M client driven by an AsyncTransport and callbacks.
#ifndef PROFILE_AUTH_ASYNC_M2M_CLIENT_HPP
#define PROFILE_AUTH_ASYNC_M2M_CLIENT_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/async_token_driver.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token_cache.hpp>

#include <chrono>       // std::chrono::steady_clock, the default Clock
#include <string>       // the Authorization value handed to callbacks
#include <type_traits>  // std::is_invocable_v, std::decay_t in the callback checks
#include <utility>      // std::move, std::forward

namespace profile::auth::inline v0 {

/// m2m_client for callback-style HTTP stacks (an AsyncTransport): a game engine's HTTP module,
/// an event loop, or transports::curl_multi_transport. Same cache, same single flight, same
/// refresh-ahead, backoff and 401 rule as m2m_client (the state layer and the protocol
/// functions are shared, not copied); only the waiting is different: nobody blocks.
///
///     pa::transports::curl_multi_transport http;
///     pa::async_m2m_client client{&http, pa::profile::m2m_config(id, secret)};
///     client.authorization_header([](pa::result<std::string> h) { /* "Bearer …" or error */ });
///     for (;;) { http.poll(); /* … the rest of the frame … */ }
///
/// When callbacks run (see docs/async.md):
/// - a usable token is cached (inside the refresh-ahead window too): the callback runs before
///   the call returns, on the caller's thread, with no lock held;
/// - a refresh ahead is due: the first caller starts it and still gets the valid token at once;
///   nobody waits for it;
/// - no usable token: the first caller starts the one token request, every caller until it
///   ends is queued, and all are called when the transport delivers the answer (on the thread
///   and in the loop iteration that delivers it), with the same token or the same error;
/// - backing off, or after a sticky error: the error at once.
/// Every callback runs exactly once. Callbacks may call the client again (re-entrancy is safe);
/// they must not throw.
///
/// Template parameters (CTAD deduces T and C):
/// - T, the AsyncTransport, by value, or `&transport` / `std::ref(transport)` to use one in
///   place (it must outlive the client and every request in flight).
/// - C, a Clock; P, a LockPolicy: thread_safe (default: members may be called from any thread,
///   and the transport may call back on any thread; it must then accept concurrent async_send
///   calls) or single_threaded (no atomics, no mutexes: one thread, e.g. a game loop);
///   R, a RandomSource.
///
/// Lifetime: the client's state lives on the heap, shared with the requests in flight. Destroying
/// the client cancels nothing: requests still in the transport complete and their callbacks run
/// then (do not use the destroyed client from them). Movable; not copyable.
template <class T, class C = std::chrono::steady_clock, class P = default_lock_policy,
          class R = os_random>
class async_m2m_client {
  static_assert(AsyncTransport<detail::deref_t<T>>,
                "async_m2m_client<T>: T (or what T points or refers to) must model "
                "profile::auth::AsyncTransport: t.async_send(http_request, callback)");
  static_assert(Clock<C>, "async_m2m_client<T, C>: C must model profile::auth::Clock");
  static_assert(LockPolicy<P>, "async_m2m_client<T, C, P>: P must model profile::auth::LockPolicy");
  static_assert(RandomSource<R>,
                "async_m2m_client<T, C, P, R>: R must model profile::auth::RandomSource");

  using driver_type = detail::async_token_driver<T, C, P, R, detail::client_credentials_source>;

 public:
  ///@{
  /// The template arguments, and the cache options' type.
  using transport_type = T;
  using clock_type = C;
  using lock_policy = P;
  using random_type = R;
  using options_type = token_cache_options;
  ///@}

  /// Nothing is sent and nothing is checked yet: the first call that needs a token does both.
  async_m2m_client(T transport, client_credentials_config config, C clock = C{},
                   token_cache_options options = {}, R random = R{})
      : driver_(driver_type::make(std::move(transport),
                                  detail::client_credentials_source(std::move(config)),
                                  std::move(clock), options, std::move(random))) {}
  ///@{
  /// Movable, not copyable.
  async_m2m_client(async_m2m_client&&) noexcept = default;
  async_m2m_client& operator=(async_m2m_client&&) noexcept = default;
  async_m2m_client(const async_m2m_client&) = delete;
  async_m2m_client& operator=(const async_m2m_client&) = delete;
  ~async_m2m_client() = default;
  ///@}

  /// Calls `callback(result<std::string>)` once with "Bearer <token>" (fetching or refreshing as
  /// needed) or the error: those of m2m_client::authorization_header().
  template <class F>
  void authorization_header(F&& callback) {
    static_assert(std::is_invocable_v<std::decay_t<F>&, result<std::string>>,
                  "authorization_header(callback): callback must be callable with "
                  "profile::auth::result<std::string>");
    driver_->template read<std::string>(
        [](const auto& tok) { return std::string(tok.authorization()); },
        std::forward<F>(callback));
  }

  /// Calls `callback(result<secret>)` once with the access token alone, or the error.
  template <class F>
  void access_token(F&& callback) {
    static_assert(std::is_invocable_v<std::decay_t<F>&, result<secret>>,
                  "access_token(callback): callback must be callable with "
                  "profile::auth::result<profile::auth::secret>");
    driver_->template read<secret>([](const auto& tok) { return secret(tok.access_token()); },
                                   std::forward<F>(callback));
  }

  /// Sends `request` with `Authorization: Bearer <token>` and calls
  /// `callback(result<http_response>)` once with the answer. A 401 that rejects the token is
  /// handled as m2m_client::send() does: that token is dropped, a valid one obtained (one token
  /// request, shared with concurrent callers) and the request sent once more; the second answer
  /// is delivered as it is. The token goes only where m2m_client::send() lets it (else
  /// errc::invalid_url at once, nothing sent), and an API that keeps rejecting fresh tokens gets
  /// errc::token_rejected as there. HTTP statuses are answers, not errors. Errors: those, the
  /// transport's, or the token errors of authorization_header().
  template <class F>
  void send(http_request request, F&& callback) {
    static_assert(std::is_invocable_v<std::decay_t<F>&, result<http_response>>,
                  "send(request, callback): callback must be callable with "
                  "profile::auth::result<profile::auth::http_response>");
    driver_->send(std::move(request), std::forward<F>(callback));
  }

  /// Forgets the cached token, the last error and the backoff (a request in flight finishes
  /// normally): the next call fetches a new token. Also how a sticky error is retried.
  void invalidate() { driver_->invalidate(); }

  /// Counters (relaxed, never blocks); `waits` counts callers queued for another's flight.
  [[nodiscard]] token_cache_stats stats() const noexcept { return driver_->cache().stats(); }

  /// The transport (what T points or refers to, for a pointer or std::ref).
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return driver_->transport(); }
  /// The clock.
  [[nodiscard]] C& clock() noexcept { return driver_->clock(); }
  /// The configuration.
  [[nodiscard]] const client_credentials_config& config() const noexcept {
    return driver_->source().config();
  }
  /// The cache options.
  [[nodiscard]] const token_cache_options& options() const noexcept {
    return driver_->cache().options();
  }

 private:
  typename driver_type::handle driver_;
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_ASYNC_M2M_CLIENT_HPP
