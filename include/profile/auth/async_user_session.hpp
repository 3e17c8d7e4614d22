// SPDX-License-Identifier: MIT
// profile-auth: async_user_session, a persisted user session driven by an AsyncTransport.
#ifndef PROFILE_AUTH_ASYNC_USER_SESSION_HPP
#define PROFILE_AUTH_ASYNC_USER_SESSION_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/async_token_driver.hpp>
#include <profile/auth/detail/counted.hpp>
#include <profile/auth/detail/session_source.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_cache.hpp>
#include <profile/auth/token_store.hpp>

#include <chrono>       // steady_clock, the default Clock
#include <cstddef>      // std::size_t
#include <optional>     // last_store_error()
#include <string>       // the Authorization value handed to callbacks
#include <type_traits>  // std::decay_t, std::is_invocable_v in the callback checks
#include <utility>      // std::move, std::forward
#include <vector>       // a logout's revocation requests

namespace profile::auth::inline v0 {

/// user_session for callback-style HTTP stacks (an AsyncTransport). The session logic is
/// user_session's, shared rather than copied: the same token source (refresh grant, rotation
/// saved with compare-and-swap, adoption of what another process stored, invalid_grant
/// handling), the same restore, login, sign-in and logout steps, and async_m2m_client's
/// callback driver (single flight, refresh-ahead without waiting, backoff, one 401 retry).
///
///     pa::async_user_session session{&http, cfg, &store};
///     session.authorization_header([](pa::result<std::string> h) { … });
///     session.complete_login(callback->code, pkce, [](pa::result<void> r) { … });
///
/// Callbacks run as async_m2m_client's do (docs/async.md): before the call returns when no
/// network answer is needed, else when the transport delivers it; exactly once; no lock held;
/// they may call the session again.
///
/// Store calls (load, save, compare-and-swap, erase) stay synchronous: they run inside these
/// calls or inside the transport's callback, on that thread. An in-memory store costs nothing;
/// a file store costs a small local write per refresh or login (docs/async.md).
///
/// The token-changed hook runs as for user_session: after the change, before the callbacks
/// waiting for it, with no lock held, never concurrently with itself.
///
/// Template parameters as user_session's, with T an AsyncTransport (by value, pointer or
/// std::ref). The state lives on the heap, shared with requests in flight: destroying the
/// session cancels nothing (their callbacks still run). Not copyable or movable.
template <class T, class S, class C = std::chrono::steady_clock, class P = default_lock_policy,
          class R = os_random>
class async_user_session {
  static_assert(AsyncTransport<detail::deref_t<T>>,
                "async_user_session<T, S>: T (or what T points or refers to) must model "
                "profile::auth::AsyncTransport: t.async_send(http_request, callback)");
  static_assert(TokenStore<detail::deref_t<S>>,
                "async_user_session<T, S>: S (or what S points or refers to) must model "
                "profile::auth::TokenStore (load, save, compare_and_swap, erase, erase_if)");
  static_assert(Clock<C>, "async_user_session<T, S, C>: C must model profile::auth::Clock");
  static_assert(LockPolicy<P>, "async_user_session<T, S, C, P>: P must model LockPolicy");
  static_assert(RandomSource<R>, "async_user_session<T, S, C, P, R>: R must model RandomSource");

  using source_type = detail::session_source<S, C, P>;
  using driver_type = detail::async_token_driver<T, C, P, R, source_type>;
  using handle = typename driver_type::handle;
  using ticket = typename driver_type::ticket;

  template <class F, class V>
  static constexpr bool callback_for = std::is_invocable_v<std::decay_t<F>&, result<V>>;

 public:
  ///@{
  /// The template arguments.
  using transport_type = T;
  using store_type = S;
  using clock_type = C;
  using lock_policy = P;
  using random_type = R;
  ///@}

  /// Nothing is read, sent or checked yet: the first call does that.
  async_user_session(T transport, user_auth_config config, S store, C clock = C{},
                     user_session_options options = {}, R random = R{})
      : driver_(driver_type::make(
            std::move(transport),
            source_type(std::move(config), std::move(store), options.refresh_scope,
                        options.cache.refresh.expiry_skew, std::move(options.on_token_changed)),
            std::move(clock), options.cache, std::move(random))) {
    driver_->source().bind(&driver_->clock());
  }
  async_user_session(const async_user_session&) = delete;
  async_user_session& operator=(const async_user_session&) = delete;

  /// `callback(result<std::string>)` with "Bearer <token>", restoring, refreshing or rotating as
  /// needed. Errors: as user_session::authorization_header().
  template <class F>
  void authorization_header(F&& callback) {
    static_assert(callback_for<F, std::string>,
                  "authorization_header(callback): callback(result<std::string>)");
    ensure_restored();
    driver_->template read<std::string>(
        [](const auto& tok) { return std::string(tok.authorization()); },
        std::forward<F>(callback));
  }
  /// `callback(result<secret>)` with the access token alone.
  template <class F>
  void access_token(F&& callback) {
    static_assert(callback_for<F, secret>, "access_token(callback): callback(result<secret>)");
    ensure_restored();
    driver_->template read<secret>([](const auto& tok) { return secret(tok.access_token()); },
                                   std::forward<F>(callback));
  }
  /// Sends `request` with the user's token; after a 401 that rejects it, refreshes once and
  /// sends again (as user_session::send). `callback(result<http_response>)` gets the answer.
  template <class F>
  void send(http_request request, F&& callback) {
    static_assert(callback_for<F, http_response>,
                  "send(request, callback): callback(result<http_response>)");
    ensure_restored();
    driver_->send(std::move(request), std::forward<F>(callback));
  }

  /// Exchanges an authorization code with the PKCE verifier of this login, then (once no
  /// refresh is running) saves the new session in the store, publishes the token, calls the
  /// hook and `callback(result<void>)`. A failed exchange changes nothing. Errors: as
  /// user_session::complete_login().
  template <class F>
  void complete_login(const secret& code, const pkce_pair& pkce, F&& callback) {
    static_assert(callback_for<F, void>, "complete_login(…, callback): callback(result<void>)");
    ensure_restored();
    result<http_request> req = authorization_code_request(config(), code, pkce);
    if (!req) {
      callback(result<void>(unexpected<error>(std::move(req).error())));
      return;
    }
    driver_->transport().async_send(
        std::move(*req),
        detail::make_shared_once<P>(
            [d = driver_, cb = std::decay_t<F>(std::forward<F>(callback)), code = secret(code),
             verifier = pkce.verifier()](result<http_response> resp) mutable {
              detail::credential_list sent;  // a server may quote them back in an error
              sent.add_client_of(d->source().config()).add(code).add(verifier);
              result<token> tok = detail::read_token_answer(resp, d->now(), &sent);
              if (!tok) {
                cb(result<void>(unexpected<error>(std::move(tok).error())));
                return;
              }
              install(std::move(d), std::move(*tok), failure_origin::response, std::move(cb));
            }));
  }
  /// complete_login() with the code of a checked callback (parse_authorization_callback()).
  template <class F>
  void complete_login(const authorization_callback& cb, const pkce_pair& pkce, F&& callback) {
    complete_login(cb.code, pkce, std::forward<F>(callback));
  }

  /// Makes `issued` (e.g. from device_flow) the session's token, as user_session::sign_in();
  /// `callback(result<void>)` once it is saved and published (at once unless a refresh runs).
  template <class F>
  void sign_in(token issued, F&& callback) {
    static_assert(callback_for<F, void>, "sign_in(token, callback): callback(result<void>)");
    ensure_restored();
    if (result<void> ok = detail::check_sign_in(issued, driver_->now()); !ok) {
      callback(std::move(ok));
      return;
    }
    install(driver_, std::move(issued), failure_origin::configuration,
            std::decay_t<F>(std::forward<F>(callback)));
  }

  /// Logs out as user_session::logout(): once no refresh runs, revokes the refresh token, then
  /// the access token (RFC 7009, when a revocation endpoint is configured), then erases the
  /// stored and cached session whatever the revocations answered, and calls
  /// `callback(result<void>)`. Callers meanwhile are queued and get errc::not_authenticated.
  template <class F>
  void logout(F&& callback) {
    static_assert(callback_for<F, void>, "logout(callback): callback(result<void>)");
    using op_type = logout_op<std::decay_t<F>>;
    ensure_restored();
    driver_->lead(
        [d = driver_, cb = std::decay_t<F>(std::forward<F>(callback))](const ticket& t) mutable {
          std::vector<result<http_request>> requests = detail::logout_requests(d->source());
          op_type::next(detail::counted_ptr<op_type>::adopt(
              new op_type(std::move(d), t, std::move(requests), std::move(cb))));
        });
  }

  /// Sets the token-changed hook (replacing any earlier one).
  template <class F>
  void on_token_changed(F hook) {
    driver_->source().notifier().set(token_changed_hook(std::move(hook)));
  }

  /// Forgets the cached token, a sticky error and the backoff (see user_session::invalidate()).
  void invalidate() {
    ensure_restored();
    driver_->invalidate();
  }

  /// Counters of the session's token cache (requests, refreshes, failures).
  [[nodiscard]] token_cache_stats stats() const noexcept { return driver_->cache().stats(); }
  /// The transport (through the pointer or reference wrapper it was given as).
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return driver_->transport(); }
  /// The clock.
  [[nodiscard]] C& clock() noexcept { return driver_->clock(); }
  /// The configuration.
  [[nodiscard]] const user_auth_config& config() const noexcept {
    return driver_->source().config();
  }
  /// The last failure to write a rotated session to the store (see user_session).
  [[nodiscard]] std::optional<error> last_store_error() const {
    return driver_->source().notifier().last_store_error();
  }

 private:
  void ensure_restored() {
    restore_.run([&] {
      detail::restore_session(driver_->source(), driver_->cache(), driver_->now(), driver_->draw());
    });
  }

  /// A login or sign-in: takes the flight (after a running refresh), saves and publishes.
  template <class F>
  static void install(handle d, token tok, failure_origin origin, F cb) {
    driver_type& driver = *d;
    driver.lead([d = std::move(d), tok = std::move(tok), origin,
                 cb = std::move(cb)](const ticket& t) mutable {
      result<void> saved = d->source().adopt_login(tok);
      d->finish(t, std::move(tok), d->now(), origin);
      cb(std::move(saved));
    });
  }

  /// A logout in progress: it holds the flight while its revocations go out one by one.
  template <class F>
  struct logout_op : detail::ref_counted<P> {
    logout_op(handle d, const ticket& t, std::vector<result<http_request>> r, F c)
        : driver(std::move(d)), flight(t), requests(std::move(r)), cb(std::move(c)) {}
    handle driver;
    ticket flight;
    std::vector<result<http_request>> requests;
    std::size_t index = 0;
    result<void> outcome;
    F cb;

    void record(result<void> r) {
      if (outcome && !r) outcome = std::move(r);
    }
    static void next(detail::counted_ptr<logout_op> self) {
      while (self->index < self->requests.size()) {
        result<http_request>& req = self->requests[self->index++];
        if (!req) {
          self->record(unexpected<error>(std::move(req).error()));
          continue;
        }
        self->driver->transport().async_send(
            std::move(*req),
            detail::make_shared_once<P>([self](result<http_response> resp) mutable {
              const detail::credential_list sent =
                  detail::session_credentials(self->driver->source());
              self->record(detail::read_revocation_answer(resp, &sent));
              next(std::move(self));
            }));
        return;
      }
      driver_type& d = *self->driver;
      result<void> erased = detail::erase_session(d.source());
      d.finish(self->flight, unexpected<error>(detail::logged_out_error()), d.now(),
               failure_origin::configuration);
      self->cb(detail::logout_outcome(std::move(self->outcome), std::move(erased)));
    }
  };

  handle driver_;
  detail::once_gate<P> restore_;
};

///@{
/// Deduction guides: the template arguments follow the constructor's.
template <class T, class S>
async_user_session(T, user_auth_config, S) -> async_user_session<T, S>;
template <class T, class S, class C>
async_user_session(T, user_auth_config, S, C) -> async_user_session<T, S, C>;
template <class T, class S, class C>
async_user_session(T, user_auth_config, S, C, user_session_options) -> async_user_session<T, S, C>;
///@}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_ASYNC_USER_SESSION_HPP
