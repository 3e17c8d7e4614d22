// SPDX-License-Identifier: MIT
// profile-auth: user_session, a persisted, self-refreshing user session with rotating tokens.
#ifndef PROFILE_AUTH_USER_SESSION_HPP
#define PROFILE_AUTH_USER_SESSION_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/cached_token_driver.hpp>
#include <profile/auth/detail/session_source.hpp>
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_cache.hpp>
#include <profile/auth/token_response.hpp>
#include <profile/auth/token_store.hpp>

#include <array>        // the 8 random bytes of a draw
#include <chrono>       // steady_clock (default Clock), system_clock (stored expiry)
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // std::uint64_t random bits
#include <optional>     // the session the source holds
#include <span>         // write_authorization_header's buffer, RandomSource::fill
#include <string>       // the copying read path
#include <string_view>  // the no-copy read path
#include <utility>      // std::move

namespace profile::auth::inline v0 {

/// A user's session: the tokens of one login, kept valid and persisted in a TokenStore.
///
///     profile::auth::memory_store store;        // or file_store for a CLI / desktop app
///     profile::auth::user_session session{transport, cfg, &store};
///     auto h = session.authorization_header();  // restores from the store, refreshes as needed
///     // first run: errc::not_authenticated → send the user to authorization_url(), then
///     session.complete_login(callback->code, pkce);
///
/// Template parameters (CTAD deduces T, S and C from the constructor):
/// - T, the Transport: by value, or `&t` / `std::ref(t)` to use one in place.
/// - S, the TokenStore: by value, or `&store` / `std::ref(store)` (usual: a store is shared).
/// - C, a monotonic Clock (steady_clock; tests use testing::manual_clock). Stored expiry
///   instants are wall-clock (system_clock) times, converted on load and save.
/// - P, the LockPolicy (thread_safe by default, or single_threaded); R, the RandomSource for the
///   refresh jitter and the backoff (os_random).
///
/// Behaviour (docs/user_session.md): the read path, single flight, refresh-ahead, backoff and
/// the 401 retry are m2m_client's (detail::cached_token_driver). On first use the stored session
/// is loaded: a stored access token still valid by the wall clock is used without a request;
/// otherwise the stored refresh token is used; with nothing stored every call returns
/// errc::not_authenticated until a login. Refreshes rotate the refresh token atomically in the
/// store (compare-and-swap) and adopt what another process sharing the store rotated meanwhile;
/// a dead refresh token (invalid_grant) clears the stored session and gives the sticky
/// errc::reauthentication_required until the next login.
///
/// Token-changed hook: called after every login, sign-in, refresh and adoption, with the new
/// session (refresh token included, for users who keep tokens elsewhere). It runs in the thread
/// of a caller of this session, after the change is complete, while this session holds no lock;
/// hooks never run concurrently with each other and run in the order of the changes. It may
/// call this session (a nested call simply does not deliver hooks itself). It must not throw.
///
/// Not copyable or movable (the cache holds atomics; the source points into the driver).
template <class T, class S, class C = std::chrono::steady_clock, class P = default_lock_policy,
          class R = os_random>
class user_session {
  static_assert(Transport<detail::deref_t<T>>,
                "user_session<T, S>: T (or what T points or refers to) must model "
                "profile::auth::Transport: t.send(const http_request&) -> result<http_response>");
  static_assert(TokenStore<detail::deref_t<S>>,
                "user_session<T, S>: S (or what S points or refers to) must model "
                "profile::auth::TokenStore (load, save, compare_and_swap, erase, erase_if)");
  static_assert(Clock<C>, "user_session<T, S, C>: C must model profile::auth::Clock");
  static_assert(LockPolicy<P>, "user_session<T, S, C, P>: P must model profile::auth::LockPolicy");
  static_assert(RandomSource<R>, "user_session<T, S, C, P, R>: R must model RandomSource");

  using source_type = detail::session_source<S, C, P>;
  using core_type = detail::cached_token_driver<T, C, P, R, source_type>;

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
  user_session(T transport, user_auth_config config, S store, C clock = C{},
               user_session_options options = {}, R random = R{})
      : random_(random),
        core_(std::move(transport),
              source_type(std::move(config), std::move(store), options.refresh_scope,
                          options.cache.refresh.expiry_skew, std::move(options.on_token_changed)),
              std::move(clock), options.cache, std::move(random)) {
    core_.source().bind(&core_.clock());
  }
  user_session(const user_session&) = delete;
  user_session& operator=(const user_session&) = delete;

  /// "Bearer <token>" (a copy), restoring, refreshing or rotating as needed.
  /// Errors: errc::not_authenticated (nothing stored: log in; or logged out),
  /// errc::reauthentication_required (the refresh token is dead: log in again), the store's
  /// errors (errc::store_failed, store_corrupt), and those of the refresh request (transport,
  /// server) — during backoff or after a sticky error, the last one.
  [[nodiscard]] result<std::string> authorization_header() {
    return call([&] { return core_.authorization_header(); });
  }
  /// As authorization_header(), without a copy (lifetime: see m2m_client's same member).
  [[nodiscard]] result<std::string_view> authorization_header_view() {
    return call([&] { return core_.authorization_header_view(); });
  }
  /// Writes "Bearer <token>" into `out`; errc::limit_exceeded when it is too small.
  [[nodiscard]] result<std::size_t> write_authorization_header(std::span<char> out) {
    return call([&] { return core_.write_authorization_header(out); });
  }
  /// The access token alone, as a secret (a copy).
  [[nodiscard]] result<secret> access_token() {
    return call([&] { return core_.access_token(); });
  }
  /// Sends `request` with the user's token; after a 401 that rejects it, refreshes once and
  /// sends again (exactly as m2m_client::send). HTTP statuses are answers, not errors.
  [[nodiscard]] result<http_response> send(http_request request) {
    return call([&] { return core_.send(std::move(request)); });
  }

  /// Exchanges an authorization code (RFC 6749 §4.1.3 with the PKCE verifier of this login),
  /// then saves the new session in the store unconditionally (a login replaces whatever was
  /// there), publishes the token and calls the hook. A failed exchange changes nothing.
  /// Errors: those of authorization_code_request() and parse_token_response() (e.g.
  /// errc::invalid_grant for a used or expired code or a wrong verifier); after a successful
  /// exchange, a store error (errc::store_failed …): the session is then live in memory but
  /// will not survive a restart.
  result<void> complete_login(const secret& code, const pkce_pair& pkce) {
    ensure_restored();
    result<http_request> req = authorization_code_request(config(), code, pkce);
    if (!req) return unexpected<error>(std::move(req).error());
    result<http_response> resp = core_.transport().send(*req);
    const time_point received = now();
    detail::wipe_sent_request(*req);
    detail::credential_list sent;  // a server may quote them back in an error
    sent.add_client_of(config()).add(code).add(pkce.verifier());
    result<token> tok = detail::read_token_answer(resp, received, &sent);
    if (!tok) return unexpected<error>(std::move(tok).error());
    return install(std::move(*tok), failure_origin::response);
  }
  /// complete_login() with the code of a checked callback (parse_authorization_callback()).
  result<void> complete_login(const authorization_callback& callback, const pkce_pair& pkce) {
    return complete_login(callback.code, pkce);
  }

  /// Makes `issued` (obtained elsewhere, e.g. by device_flow) the session's token: saved in the
  /// store unconditionally, published, hook called. Its received_at/expires_at must be on this
  /// session's clock (tokens parsed with received_at = to_time_point(clock.now()) are).
  /// Errors: errc::invalid_argument for an empty or already expired access token (nothing
  /// changes); a store error (the session is live in memory but not persisted).
  result<void> sign_in(token issued) {
    ensure_restored();
    if (result<void> ok = detail::check_sign_in(issued, now()); !ok) return ok;
    return install(std::move(issued), failure_origin::configuration);
  }

  /// Logs out: revokes the refresh token, then the access token (RFC 7009, when
  /// config().revocation_endpoint is set), then erases the stored session and the cached token,
  /// whatever the revocations answered. Afterwards every call returns errc::not_authenticated
  /// until the next login. A server that does not revoke access tokens
  /// (errc::unsupported_token_type) counts as success.
  /// Errors: the first failed revocation (its errc, e.g. errc::transport_failed), or the store's
  /// error when erasing failed; the local session is gone in every case.
  result<void> logout() {
    ensure_restored();
    const ticket t = lead();
    result<void> outcome;
    for (result<http_request>& req : detail::logout_requests(core_.source())) {
      result<void> revoked = req ? revoke(*req) : unexpected<error>(std::move(req).error());
      if (outcome && !revoked) outcome = std::move(revoked);
    }
    result<void> erased = detail::erase_session(core_.source());
    (void)core_.cache().complete(t, unexpected<error>(detail::logged_out_error()), now(), draw(),
                                 failure_origin::configuration);
    return detail::logout_outcome(std::move(outcome), std::move(erased));
  }

  /// Sets the token-changed hook (replacing any earlier one); see the class comment.
  template <class F>
  void on_token_changed(F hook) {
    core_.source().notifier().set(token_changed_hook(std::move(hook)));
  }

  /// Forgets the cached token, a sticky error and the backoff: the next call refreshes (and,
  /// when no session is held, reads the store again, picking up another process's login).
  void invalidate() {
    ensure_restored();
    core_.invalidate();
  }

  /// The cache's counters (token_requests counts refresh and code exchange requests).
  [[nodiscard]] token_cache_stats stats() const noexcept { return core_.stats(); }
  /// The transport (through the pointer or reference wrapper it was given as).
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return core_.transport(); }
  /// The clock.
  [[nodiscard]] C& clock() noexcept { return core_.clock(); }
  /// The configuration.
  [[nodiscard]] const user_auth_config& config() const noexcept { return core_.source().config(); }
  /// The last failure to write a rotated session to the store (empty when none): the session
  /// keeps working in memory, but a restart would use the replaced refresh token.
  [[nodiscard]] std::optional<error> last_store_error() const {
    return core_.source().notifier().last_store_error();
  }

 private:
  using ticket = typename core_type::ticket;

  time_point now() { return to_time_point(core_.clock().now()); }

  std::uint64_t draw() noexcept { return detail::random_u64(random_); }

  /// Every public call: restore once, run, then deliver the hooks its flight queued.
  template <class F>
  auto call(F f) {
    ensure_restored();
    auto r = f();
    core_.source().notifier().deliver();
    return r;
  }

  void ensure_restored() {
    restore_.run([&] { detail::restore_session(core_.source(), core_.cache(), now(), draw()); });
  }

  /// Takes the cache's flight (waiting out a running one): while it is held no reader uses an
  /// old token and no refresh touches the source.
  ticket lead() {
    for (;;) {
      core_.cache().invalidate(now());
      typename core_type::decision d = core_.cache().acquire(now());
      if (d.action == cache_action::fetch) return d.flight;
    }
  }

  result<void> install(token tok, failure_origin origin) {
    const ticket t = lead();
    result<void> saved = core_.source().adopt_login(tok);
    (void)core_.cache().complete(t, std::move(tok), now(), draw(), origin);
    core_.source().notifier().deliver();
    return saved;
  }

  result<void> revoke(http_request& req) {
    const result<http_response> resp = core_.transport().send(req);
    detail::wipe_sent_request(req);
    const detail::credential_list sent = detail::session_credentials(core_.source());
    return detail::read_revocation_answer(resp, &sent);
  }

  R random_;  // used under a held flight only, like the driver's own copy
  detail::once_gate<P> restore_;
  core_type core_;
};

///@{
/// Deduction guides: the template arguments follow the constructor's.
template <class T, class S>
user_session(T, user_auth_config, S) -> user_session<T, S>;
template <class T, class S, class C>
user_session(T, user_auth_config, S, C) -> user_session<T, S, C>;
template <class T, class S, class C>
user_session(T, user_auth_config, S, C, user_session_options) -> user_session<T, S, C>;
///@}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_USER_SESSION_HPP
