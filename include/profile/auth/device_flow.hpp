// SPDX-License-Identifier: MIT
// profile-auth: device_flow, a non-blocking driver of the device authorization grant (RFC 8628).
#ifndef PROFILE_AUTH_DEVICE_FLOW_HPP
#define PROFILE_AUTH_DEVICE_FLOW_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/cached_token_driver.hpp>
#include <profile/auth/detail/wipe_request.hpp>  // wipe_sent_request after each send
#include <profile/auth/error.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/grants/user_auth_config.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>

#include <chrono>    // steady_clock (default Clock), intervals
#include <optional>  // the answer of start(), the issued token
#include <utility>   // std::move

namespace profile::auth::inline v0 {

/// Where a device login stands after device_flow::poll().
enum class device_flow_state : unsigned char {
  pending,     ///< not finished: poll again at `next_poll`
  authorized,  ///< the user approved: `issued` holds the token (final)
  failed,      ///< final: access_denied, expired_token (by the server or the local clock), …
};

/// One step of a device login.
struct device_flow_step {
  /// Where the login stands.
  device_flow_state state = device_flow_state::failed;
  time_point next_poll{};       ///< pending: do not poll before this instant (driver's clock)
  std::optional<token> issued;  ///< authorized: the token (give it to user_session::sign_in)
  /// failed: why (errc::access_denied, errc::expired_token, the server's or transport's error).
  /// pending after a transient failure (transport, 5xx): that failure, for a status line.
  std::optional<error> failure;
  bool sent = false;  ///< whether this step sent a request

  /// True while the user has not finished (poll again at next_poll).
  [[nodiscard]] bool pending() const noexcept { return state == device_flow_state::pending; }
  /// True when the login succeeded (`issued` holds the token).
  [[nodiscard]] bool authorized() const noexcept { return state == device_flow_state::authorized; }
  /// True when the login ended without a token (`failure` says why).
  [[nodiscard]] bool failed() const noexcept { return state == device_flow_state::failed; }
};

/// Drives the device authorization grant: start() asks for a user code, poll(now) asks the
/// token endpoint whether the user approved — without ever waiting — and wait(sleep) loops on
/// poll() for programs that can block (a CLI).
///
///     profile::auth::device_flow flow{transport, cfg};
///     auto d = flow.start();                  // show d->user_code and d->verification_uri
///     for (;;) {                              // e.g. once per frame of a game loop
///       auto step = flow.poll(clock.now());
///       if (!step.pending()) break;           // authorized (step.issued) or failed
///     }
///
/// Polling is polite by construction: poll() sends nothing before `next_poll` (the interval the
/// server asked for, 5 s by default, after the previous answer; slow_down adds 5 s for good),
/// backs off after transient failures (the interval doubled per failure in a row, up to 16×),
/// and stops for good once the device code has expired by the local clock.
///
/// Template parameters (CTAD deduces both): T, a Transport (by value, or `&t` / `std::ref(t)`);
/// C, a monotonic Clock (steady_clock; tests use testing::manual_clock). `now` arguments are on
/// C. Not thread-safe: one thread (the loop that shows the code) drives it.
template <class T, class C = std::chrono::steady_clock>
class device_flow {
  static_assert(Transport<detail::deref_t<T>>,
                "device_flow<T>: T (or what T points or refers to) must model "
                "profile::auth::Transport: t.send(const http_request&) -> result<http_response>");
  static_assert(Clock<C>, "device_flow<T, C>: C must model profile::auth::Clock");

 public:
  /// A flow that sends through `transport` with `config`, timed by `clock`.
  device_flow(T transport, user_auth_config config, C clock = C{})
      : transport_(std::move(transport)), config_(std::move(config)), clock_(std::move(clock)) {}

  /// Sends the device authorization request and keeps its answer (starting over, if a login
  /// was running). The first poll is due one interval after the answer arrived.
  /// Errors: those of device_authorization_request() (configuration, nothing sent), the
  /// transport's, and those of parse_device_authorization_response().
  [[nodiscard]] result<device_authorization> start() {
    auth_.reset();
    final_.reset();
    result<http_request> req = device_authorization_request(config_);
    if (!req) return unexpected<error>(std::move(req).error());
    result<http_response> resp = detail::deref(transport_).send(*req);
    const time_point received = to_time_point(clock_.now());
    // The body carries client_secret under client_secret_post; the header, Basic credentials.
    detail::wipe_sent_request(*req);
    if (!resp) return unexpected<error>(std::move(resp).error());
    detail::credential_list sent;  // a server may quote the client's secret back
    sent.add_client_of(config_);
    device_authorization_options opts;
    opts.redact = &sent;
    auto d = parse_device_authorization_response(*resp, received, opts);
    detail::secure_wipe(resp->body);
    if (!d) return unexpected<error>(std::move(d).error());
    auth_ = *d;
    interval_ = d->interval;
    transient_failures_ = 0;
    next_poll_ = received + interval_;
    return d;
  }

  /// One non-blocking step at `now` (on the driver's clock):
  /// - before next_poll: pending, nothing sent;
  /// - at or after the device code's expiry: failed with errc::expired_token, nothing sent;
  /// - otherwise one token request: authorized with the token; pending with the next poll time
  ///   (authorization_pending, slow_down with the interval raised by 5 s, or a transient
  ///   failure with a growing delay); or failed (access_denied, expired_token, any other
  ///   error).
  /// After a final step every later poll returns it again without sending. Without start():
  /// failed with errc::invalid_argument.
  [[nodiscard]] device_flow_step poll(time_point now) {
    if (final_) return *final_;
    if (!auth_)
      return failed(
          error(errc::invalid_argument, "device_flow::poll() before start(): call start()"));
    if (now >= auth_->expires_at)
      return finish(failed(error(errc::expired_token,
                                 "the device code expired before the user approved it: call "
                                 "start() for a new code")));
    if (now < next_poll_) return pending(std::nullopt, false);
    result<http_request> req = device_token_request(config_, *auth_);
    if (!req) return finish(failed(std::move(req).error()));
    result<http_response> resp = detail::deref(transport_).send(*req);
    const time_point received = to_time_point(clock_.now());
    detail::wipe_sent_request(*req);
    detail::credential_list sent;  // a server may quote the device code or the secret back
    sent.add_client_of(config_).add(auth_->device_code);
    token_parse_options opts;
    opts.redact = &sent;
    device_poll_outcome o =
        resp ? parse_device_token_response(*resp, received, interval_, opts)
             : classify_device_poll(unexpected<error>(std::move(resp).error()), interval_);
    if (resp) detail::secure_wipe(resp->body);
    interval_ = o.interval;
    if (o.status == device_poll_status::success) {
      device_flow_step s;
      s.state = device_flow_state::authorized;
      s.issued = std::move(o.issued);
      s.sent = true;
      return finish(std::move(s));  // the device code is spent; a repeat sends nothing
    }
    if (o.keep_polling() || (o.status == device_poll_status::failed && is_retryable(o.failure))) {
      const bool transient = !o.keep_polling();
      transient_failures_ = transient ? transient_failures_ + 1 : 0;
      const unsigned shift = transient_failures_ < 4 ? transient_failures_ : 4u;
      next_poll_ = received + interval_ * (1 << shift);
      return pending(transient ? std::optional<error>(std::move(o.failure)) : std::nullopt, true);
    }
    device_flow_step s = failed(std::move(o.failure));
    s.sent = true;
    return finish(std::move(s));
  }
  /// poll() at the clock's current time.
  [[nodiscard]] device_flow_step poll() { return poll(to_time_point(clock_.now())); }

  /// Blocks until the login ends: polls, and between polls calls `sleep(d)` with the
  /// std::chrono::nanoseconds to wait (e.g. std::this_thread::sleep_for, or a function that
  /// also checks for a cancel key). Returns the final step (authorized or failed).
  template <class Sleep>
  [[nodiscard]] device_flow_step wait(Sleep&& sleep) {
    for (;;) {
      const time_point now = to_time_point(clock_.now());
      device_flow_step s = poll(now);
      if (!s.pending()) return s;
      if (s.next_poll > now) sleep(std::chrono::nanoseconds(s.next_poll - now));
    }
  }

  /// The answer of start() while the login runs (null before start() and after it ended).
  [[nodiscard]] const device_authorization* authorization() const noexcept {
    return auth_ ? &*auth_ : nullptr;
  }
  /// The polling interval now in force (slow_down raises it).
  [[nodiscard]] std::chrono::seconds interval() const noexcept { return interval_; }
  /// The earliest instant of the next poll (the driver's clock).
  [[nodiscard]] time_point next_poll() const noexcept { return next_poll_; }
  /// The configuration.
  [[nodiscard]] const user_auth_config& config() const noexcept { return config_; }
  /// The transport (through the pointer or reference wrapper it was given as).
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return detail::deref(transport_); }
  /// The clock.
  [[nodiscard]] C& clock() noexcept { return clock_; }

 private:
  device_flow_step pending(std::optional<error> why, bool sent) const {
    device_flow_step s;
    s.state = device_flow_state::pending;
    s.next_poll = next_poll_;
    s.failure = std::move(why);
    s.sent = sent;
    return s;
  }
  static device_flow_step failed(error e) {
    device_flow_step s;
    s.state = device_flow_state::failed;
    s.failure = std::move(e);
    return s;
  }
  device_flow_step finish(device_flow_step s) {
    auth_.reset();
    final_ = s;
    final_->sent = false;  // a repeat of a final step sends nothing
    return s;
  }

  T transport_;
  user_auth_config config_;
  C clock_;
  std::optional<device_authorization> auth_;
  std::optional<device_flow_step> final_;
  std::chrono::seconds interval_{5};
  time_point next_poll_{};
  unsigned transient_failures_ = 0;
};

///@{
/// Deduction guides: the template arguments follow the constructor's.
template <class T>
device_flow(T, user_auth_config) -> device_flow<T>;
template <class T, class C>
device_flow(T, user_auth_config, C) -> device_flow<T, C>;
///@}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_DEVICE_FLOW_HPP
