// SPDX-License-Identifier: MIT
// profile-auth: user_session's token source (refresh grant, rotation, store adoption) and hooks.
#ifndef PROFILE_AUTH_DETAIL_SESSION_SOURCE_HPP
#define PROFILE_AUTH_DETAIL_SESSION_SOURCE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/cached_token_driver.hpp>
#include <profile/auth/detail/unique_function.hpp>  // copyable_function: the token-changed hook
#include <profile/auth/error.hpp>
#include <profile/auth/grants/refresh_token.hpp>
#include <profile/auth/grants/revocation.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/header.hpp>  // is_b64token: a stored access token must fit a header
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_cache.hpp>
#include <profile/auth/token_response.hpp>
#include <profile/auth/token_store.hpp>

#include <atomic>    // std::memory_order for once_gate's flag
#include <chrono>    // system_clock: stored expiry instants are wall-clock times
#include <cstdint>   // std::uint64_t random bits
#include <memory>    // std::unique_ptr: the notifier holds a mutex and must not move
#include <optional>  // the held session, the last store error
#include <string>    // scope, messages
#include <utility>   // std::move
#include <vector>    // queued hook calls

namespace profile::auth::inline v0 {

/// Called with the new session after every login, sign-in, refresh and adoption (see
/// user_session). Must not throw. Copyable, like std::function (copies copy the target).
using token_changed_hook = detail::copyable_function<void(const stored_session&)>;

/// The knobs of a user_session.
struct user_session_options {
  token_cache_options cache{};          ///< refresh-ahead, skew, backoff (as m2m_client)
  std::string refresh_scope;            ///< scope asked for on refresh; empty keeps the granted one
  token_changed_hook on_token_changed;  ///< see user_session; may also be set later
};

namespace detail {

/// Queues token-changed notifications and delivers them outside every lock, one deliverer at a
/// time, in order (a nested deliver() from inside a hook returns at once).
template <class P>
class session_notifier {
  using lock_type = cache_lock<typename P::mutex>;

 public:
  explicit session_notifier(token_changed_hook h) : hook_(std::move(h)) {}

  void set(token_changed_hook h) {
    lock_type lock(mu_);
    hook_ = std::move(h);
  }
  void queue(const stored_session& s) {
    lock_type lock(mu_);
    if (!hook_) return;
    queue_.push_back(s);
    pending_.store(true);
  }
  void deliver() {
    // seq_cst throughout: a queuer stores pending_ then reads delivering_, the deliverer stores
    // delivering_ then reads pending_; one of them must see the other.
    while (pending_.load()) {
      if (delivering_.exchange(true)) return;  // someone (maybe our caller) is delivering
      for (;;) {
        std::vector<stored_session> batch;
        token_changed_hook h;
        {
          lock_type lock(mu_);
          batch.swap(queue_);
          pending_.store(false);
          h = hook_;
        }
        if (batch.empty()) break;
        for (const stored_session& s : batch)
          if (h) h(s);
      }
      delivering_.store(false);
    }
  }
  void set_store_error(std::optional<error> e) {
    lock_type lock(mu_);
    store_error_ = std::move(e);
  }
  [[nodiscard]] std::optional<error> last_store_error() const {
    lock_type lock(mu_);
    return store_error_;
  }

 private:
  mutable typename P::mutex mu_;
  token_changed_hook hook_;
  std::vector<stored_session> queue_;
  std::optional<error> store_error_;
  typename P::template atomic<bool> pending_{false};
  typename P::template atomic<bool> delivering_{false};
};

/// The refresh token grant as a stepped TokenSource, over a TokenStore shared with other
/// processes. Pure with respect to the network: when adopting another process's session needs
/// one more refresh, it returns that request for the driver to send (user_session sends it
/// with its Transport, async_user_session with its AsyncTransport). Store calls are made here,
/// synchronously. Only the holder of the cache's flight touches its session (the driver's
/// leader, or the session while it holds a flight for a login or logout): no lock of its own.
template <class S, class C, class P>
class session_source {
  using wall_clock = std::chrono::system_clock;

 public:
  session_source(user_auth_config config, S store, std::string refresh_scope,
                 std::chrono::seconds min_remaining, token_changed_hook hook)
      : config_(std::move(config)),
        store_(std::move(store)),
        scope_(std::move(refresh_scope)),
        min_remaining_(min_remaining),
        notifier_(std::make_unique<session_notifier<P>>(std::move(hook))) {}

  /// The driver's clock (stored expiry instants are converted through it).
  void bind(C* clock) noexcept { clock_ = clock; }

  /// The first step of a refresh flight. Takes the store's refresh lease (when the store has
  /// one, see TokenStore) and re-reads the store: when it holds a session another process
  /// stored (a different refresh token), that session is adopted, and its access token is used
  /// without a request while it is still usable; otherwise the step is a refresh request with
  /// the refresh token the store holds. So only the holder of the current refresh token ever
  /// presents it. The lease is held until the rotated session is stored (accept/follow_up).
  [[nodiscard]] source_step start() { return release_when_done(begin()); }

  [[nodiscard]] source_step accept(const http_response& r, time_point received_at) {
    secret used = session_->refresh_token;
    return release_when_done(settle(parse(r, received_at), used, true));
  }

  /// The answer to the refresh request accept() asked for (adopting a rotated session).
  [[nodiscard]] source_step follow_up(const result<http_response>& r, time_point received_at) {
    secret used = std::move(follow_up_used_);
    follow_up_used_ = secret();
    result<token> parsed = r ? parse(*r, received_at) : result<token>(unexpected<error>(r.error()));
    return release_when_done(settle(std::move(parsed), used, false));
  }

  /// Loads the stored session (first use). Returns its access token when it is still valid by
  /// the wall clock, converted to the driver's clock; otherwise the refresh token will be used.
  std::optional<token> restore(time_point now) {
    auto loaded = store().load();
    if (!loaded || !*loaded) return std::nullopt;  // start() reports it on the first flight
    session_ = std::move(**loaded);
    in_store_ = true;
    return valid_token(*session_, now);
  }

  /// A login: saves `t` unconditionally, holds it, queues the hook. Returns the store's answer.
  result<void> adopt_login(const token& t) {
    session_ = to_session(t);
    result<void> saved = store().save(*session_);
    in_store_ = static_cast<bool>(saved);
    notifier_->set_store_error(saved ? std::nullopt : std::optional<error>(saved.error()));
    notifier_->queue(*session_);
    return saved;
  }

  void forget() noexcept {
    session_.reset();
    in_store_ = false;
  }
  [[nodiscard]] const std::optional<stored_session>& session() const noexcept { return session_; }
  [[nodiscard]] deref_t<S>& store() noexcept { return deref(store_); }
  [[nodiscard]] const user_auth_config& config() const noexcept { return config_; }
  [[nodiscard]] session_notifier<P>& notifier() const noexcept { return *notifier_; }

 private:
  /// start() before the lease rule (a flight that ends here, without a request, releases it).
  source_step begin() {
    lease_.reset();  // a flight abandoned by an exception may have left it held
    if constexpr (store_leases_refreshes<deref_t<S>>) {
      result<store_lease> lease = store().lock_refresh();
      if (!lease) return done(unexpected<error>(std::move(lease).error()));
      lease_ = std::move(*lease);
    }
    auto loaded = store().load();
    if (!loaded) return done(unexpected<error>(std::move(loaded).error()));
    if (*loaded) {
      // Ours unless the store held our session since we last read or wrote it and holds
      // another one now. A session whose last write failed keeps its own (the store's is older).
      const bool theirs =
          !session_ || (in_store_ && !((*loaded)->refresh_token == session_->refresh_token));
      if (theirs)
        if (std::optional<token> t = hold_stored(std::move(**loaded))) return done(std::move(*t));
    } else if (session_ && in_store_) {
      session_.reset();
      return done(erased_meanwhile());
    }
    if (!session_)
      return done(fail(errc::not_authenticated,
                       "no user session is stored: log in first (send the user to "
                       "authorization_url() and call complete_login(), or sign_in() with a "
                       "device flow token)"));
    return refresh_step(false);
  }

  result<token> parse(const http_response& r, time_point received_at) const {
    token previous;
    previous.refresh_token = session_->refresh_token;
    previous.scope = session_->scope;
    token_parse_options o;
    if (!r.ok()) o.wall_clock_now = wall_clock::now();  // for a Retry-After HTTP-date
    credential_list sent;  // the refresh and access tokens parse_refresh_response adds itself
    sent.add_client_of(config_);
    o.redact = &sent;
    return parse_refresh_response(r, received_at, previous, o);
  }

  time_point now() const { return to_time_point(clock_->now()); }

  stored_session to_session(const token& t) const {
    stored_session s;
    s.refresh_token = t.refresh_token;
    s.access_token = t.access_token;
    s.access_expires_at =
        wall_clock::now() + std::chrono::duration_cast<wall_clock::duration>(t.expires_at - now());
    s.scope = t.scope;
    s.token_type = t.token_type;
    return s;
  }

  /// The stored access token as a token on the driver's clock, when it has more than the
  /// expiry skew left by the wall clock and could go into a header (an unusable one, say with
  /// a space or CR/LF in it, is not used: the refresh token replaces it).
  std::optional<token> valid_token(const stored_session& s, time_point now) const {
    if (s.access_token.empty() || !s.access_expires_at) return std::nullopt;
    if (!is_b64token(s.access_token.reveal())) return std::nullopt;
    const auto left = *s.access_expires_at - wall_clock::now();
    if (left <= min_remaining_) return std::nullopt;
    token t;
    t.access_token = s.access_token;
    t.refresh_token = s.refresh_token;
    t.scope = s.scope;
    t.token_type = s.token_type;
    t.received_at = now;
    t.expires_at = now + std::chrono::duration_cast<std::chrono::nanoseconds>(left);
    t.expires_in = std::chrono::duration_cast<std::chrono::seconds>(left);
    return t;
  }

  /// Persists a refresh's outcome with compare-and-swap against the refresh token it used, or
  /// handles its failure. `retry`: whether one more refresh request is still allowed.
  source_step settle(result<token> parsed, const secret& used, bool retry) {
    if (parsed) {
      stored_session next = to_session(*parsed);
      result<void> swapped = store().compare_and_swap(used, next);
      if (!swapped && swapped.error().code == errc::store_conflict) return adopt_stored(retry);
      // A store that cannot write does not end a working session: keep it in memory, report it.
      notifier_->set_store_error(swapped ? std::nullopt : std::optional<error>(swapped.error()));
      in_store_ = static_cast<bool>(swapped);
      session_ = std::move(next);
      notifier_->queue(*session_);
      return done(std::move(parsed));
    }
    if (parsed.error().code == errc::reauthentication_required && retry) {
      // Before declaring the session dead: did another process rotate it meanwhile?
      auto loaded = store().load();
      if (loaded && *loaded && !((*loaded)->refresh_token == used))
        return adopt(std::move(**loaded), retry);
    }
    if (parsed.error().code == errc::reauthentication_required) {
      (void)store().erase_if(used);  // a conflict means someone stored a newer session: keep it
      forget();
    }
    return done(std::move(parsed));
  }

  static source_step done(result<token> outcome) { return source_step{std::move(outcome), {}}; }

  /// Releases the refresh lease once the flight has its outcome (not while a follow-up is out).
  source_step release_when_done(source_step step) {
    if (!step.next) lease_.reset();
    return step;
  }

  static unexpected<error> erased_meanwhile() {
    return fail(errc::not_authenticated,
                "the stored session was erased meanwhile (logged out by another process "
                "sharing the store): log in again");
  }

  /// The step that refreshes the held session (`follow`: as a follow-up, read by follow_up()).
  source_step refresh_step(bool follow) {
    result<http_request> req = refresh_token_request(config_, session_->refresh_token, scope_);
    if (!req) return done(unexpected<error>(std::move(req).error()));
    if (follow) follow_up_used_ = session_->refresh_token;
    return send_step(std::move(*req));
  }

  source_step adopt_stored(bool retry) {
    auto loaded = store().load();
    if (!loaded) return done(unexpected<error>(std::move(loaded).error()));
    if (!*loaded) {
      forget();
      return done(erased_meanwhile());
    }
    return adopt(std::move(**loaded), retry);
  }

  /// Holds a session another process stored; returns its access token (and queues the hook)
  /// when that is still usable.
  std::optional<token> hold_stored(stored_session stored) {
    session_ = std::move(stored);
    in_store_ = true;
    std::optional<token> t = valid_token(*session_, now());
    if (t) notifier_->queue(*session_);
    return t;
  }

  /// Takes over a session another process stored: its access token when still valid, else one
  /// refresh with its refresh token (returned for the driver to send; follow_up() reads it).
  source_step adopt(stored_session stored, bool retry) {
    if (std::optional<token> t = hold_stored(std::move(stored))) return done(std::move(*t));
    if (!retry)
      return done(fail(errc::store_conflict,
                       "another process keeps replacing the stored session while this one "
                       "refreshes it: the next call tries again"));
    return refresh_step(true);
  }

  user_auth_config config_;
  S store_;
  std::string scope_;
  std::chrono::seconds min_remaining_;
  std::unique_ptr<session_notifier<P>> notifier_;
  std::optional<stored_session> session_;
  secret follow_up_used_;  // the refresh token of the follow-up request, while it is out
  bool in_store_ = false;  // the store held session_ when we last read or wrote it
  store_lease lease_;      // the store's refresh lease, held during a refresh
  C* clock_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// The steps of a session that are not token flights (restore, login, sign-in, logout), shared by
// user_session (blocking) and async_user_session (callbacks): each is a pure or store-only step;
// the session sends whatever request it builds with its own kind of transport.

/// Runs a function once, the first time any caller gets here (double-checked on the policy).
template <class P>
class once_gate {
 public:
  template <class F>
  void run(F f) {
    if (done_.load(std::memory_order_acquire)) [[likely]]
      return;
    cache_lock<typename P::mutex> lock(mu_);
    if (done_.load(std::memory_order_relaxed)) return;
    f();
    done_.store(true, std::memory_order_release);
  }

 private:
  typename P::template atomic<bool> done_{false};
  typename P::mutex mu_;
};

/// First use of a session: loads the stored session into `src`; a stored access token still
/// valid is published in `cache` as if it had just been fetched (no request). Must run before
/// any flight (every entry point of a session comes through its once_gate first).
template <class Src, class Cache>
void restore_session(Src& src, Cache& cache, time_point now, std::uint64_t random_bits) {
  std::optional<token> valid = src.restore(now);
  if (!valid) return;
  auto d = cache.try_acquire(now);
  if (d.action == cache_action::fetch)
    (void)cache.complete(d.flight, std::move(*valid), now, random_bits,
                         failure_origin::configuration);  // no request was sent
}

/// Reads the token endpoint's answer to a code exchange (or any grant without a cached
/// predecessor); wipes the body, which held the tokens. `sent`: the credentials the request
/// carried (code, verifier, client secret), removed from any error (a server may quote them).
[[nodiscard]] result<token> read_token_answer(result<http_response>& resp, time_point received_at,
                                              const credential_list* sent = nullptr);

/// sign_in()'s check of a token obtained elsewhere.
[[nodiscard]] result<void> check_sign_in(const token& issued, time_point now);

/// The revocation requests of a logout, in order (refresh token first: revoking it ends the
/// grant on most servers), or none when the session holds nothing or no revocation endpoint
/// is configured. An entry is an error when its request cannot be built.
template <class Src>
[[nodiscard]] std::vector<result<http_request>> logout_requests(const Src& src) {
  std::vector<result<http_request>> out;
  if (!src.session() || src.config().revocation_endpoint.empty()) return out;
  const stored_session& s = *src.session();
  if (!s.refresh_token.empty())
    out.push_back(
        revocation_request(src.config(), s.refresh_token, token_type_hint::refresh_token));
  if (!s.access_token.empty())
    out.push_back(revocation_request(src.config(), s.access_token, token_type_hint::access_token));
  return out;
}

/// Reads a revocation answer; a server that cannot revoke this token type counts as done.
/// `sent`: the credentials the request carried, removed from any error.
[[nodiscard]] result<void> read_revocation_answer(const result<http_response>& resp,
                                                  const credential_list* sent = nullptr);

/// The credentials a session's requests carry (the client's, the session's tokens), for
/// read_revocation_answer. Holds views: `src` must not change while the list is used.
template <class Src>
[[nodiscard]] credential_list session_credentials(const Src& src) {
  credential_list l;
  l.add_client_of(src.config());
  if (src.session()) l.add(src.session()->refresh_token).add(src.session()->access_token);
  return l;
}

/// The end of a logout (the caller holds the flight): erases the stored and the held session.
template <class Src>
result<void> erase_session(Src& src) {
  result<void> erased = src.store().erase();
  src.forget();
  return erased;
}

/// What a logged-out session answers until the next login (sticky).
[[nodiscard]] error logged_out_error();

/// A logout's result: the first failed revocation, else the store's error when erasing failed.
[[nodiscard]] result<void> logout_outcome(result<void> revoked, result<void> erased);

}  // namespace detail

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

PROFILE_AUTH_INLINE result<token> read_token_answer(result<http_response>& resp,
                                                    time_point received_at,
                                                    const credential_list* sent) {
  if (!resp) return unexpected<error>(resp.error());
  token_parse_options o;
  o.redact = sent;
  result<token> tok = parse_token_response(*resp, received_at, o);
  secure_wipe(resp->body);
  // A token that cannot go into a header would make every later call fail: refuse the login
  // now, before anything is saved or published.
  if (tok && !is_b64token(tok->access_token.reveal()))
    return fail(errc::invalid_header_value,
                bearer_rejection_message(tok->access_token.reveal()) +
                    (terse_errors ? "" : "; the login was not completed and nothing was saved"));
  return tok;
}

PROFILE_AUTH_INLINE result<void> check_sign_in(const token& issued, time_point now) {
  if (issued.access_token.empty() || issued.expires_at <= now)
    return fail(errc::invalid_argument,
                "sign_in() needs an access token that has not expired (on this session's "
                "clock): pass the token as the token endpoint issued it");
  if (!is_b64token(issued.access_token.reveal()))
    return fail(errc::invalid_header_value, bearer_rejection_message(issued.access_token.reveal()) +
                                                (terse_errors ? "" : "; nothing was saved"));
  return {};
}

PROFILE_AUTH_INLINE result<void> read_revocation_answer(const result<http_response>& resp,
                                                        const credential_list* sent) {
  if (!resp) return unexpected<error>(resp.error());
  response_error_options o;
  o.redact = sent;
  result<void> r = parse_revocation_response(*resp, o);
  if (!r && r.error().code == errc::unsupported_token_type) return {};
  return r;
}

PROFILE_AUTH_INLINE error logged_out_error() {
  return error(errc::not_authenticated, "the user logged out: log in again to continue");
}

PROFILE_AUTH_INLINE result<void> logout_outcome(result<void> revoked, result<void> erased) {
  if (revoked && !erased) return erased;
  return revoked;
}

}  // namespace detail

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_DETAIL_SESSION_SOURCE_HPP
