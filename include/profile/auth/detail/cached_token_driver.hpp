// SPDX-License-Identifier: MIT
// profile-auth: the driver core every cached-token client shares (m2m_client, user_session).
#ifndef PROFILE_AUTH_DETAIL_CACHED_TOKEN_DRIVER_HPP
#define PROFILE_AUTH_DETAIL_CACHED_TOKEN_DRIVER_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/detail/bearer_challenge.hpp>
#include <profile/auth/detail/token_destination.hpp>  // where send() may attach the token
#include <profile/auth/detail/wipe_request.hpp>       // wipe_sent_request after each send
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_cache.hpp>

#include <array>        // the 8 random bytes of a draw
#include <concepts>     // std::same_as in the TokenSource requirement
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // std::uint64_t random bits and generations
#include <cstring>      // std::memcpy into the caller's buffer
#include <memory>       // std::addressof for transport_ref
#include <optional>     // source_step::next
#include <span>         // caller buffers, RandomSource::fill
#include <string>       // the copying read path and messages
#include <string_view>  // the no-copy read path
#include <type_traits>  // std::invoke_result_t, std::is_pointer_v
#include <utility>      // std::move, std::declval

#if defined(__GNUC__) || defined(__clang__)
#define PROFILE_AUTH_DETAIL_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define PROFILE_AUTH_DETAIL_NOINLINE __declspec(noinline)
#else
#define PROFILE_AUTH_DETAIL_NOINLINE
#endif

namespace profile::auth::inline v0::detail {

/// A std::reference_wrapper or anything shaped like it (detected without including
/// <functional>): `T::type` and `t.get()` returning `T::type&`.
template <class T>
concept reference_wrapper_like = requires(const T& t) {
  typename T::type;
  { t.get() } -> std::same_as<typename T::type&>;
};

/// How a driver reaches the transport it holds: by value, through a pointer, or through
/// std::ref (for transports that cannot be copied or that the caller keeps using).
template <class T>
[[nodiscard]] constexpr decltype(auto) deref(T& t) noexcept {
  if constexpr (std::is_pointer_v<T>)
    return (*t);
  else if constexpr (reference_wrapper_like<T>)
    return (t.get());
  else
    return (t);
}
template <class T>
using deref_t = std::remove_reference_t<decltype(deref(std::declval<T&>()))>;

/// What a stepped token source makes of an answer: the flight's outcome, or one more request
/// to send before there is one (user_session: adopting a session another process rotated).
struct source_step {
  result<token> outcome;             ///< the flight's result, when `next` is empty
  std::optional<http_request> next;  ///< a follow-up request to send (it carries credentials)
};

/// TokenSource (internal named requirement): how a driver obtains a token. Pure: a source
/// builds requests and reads answers; the driver sends them (with a Transport or an
/// AsyncTransport), so one source serves the blocking and the callback drivers alike.
///
/// | expression           | result                 | meaning                                    |
/// |----------------------|------------------------|--------------------------------------------|
/// | `s.request()`        | `result<http_request>` | the token request; an error here is a      |
/// |                      |                        | configuration error (sticky, nothing sent) |
/// | `s.start()`          | `source_step`          | (stepped sources, instead of request()) a  |
/// |                      |                        | request to send, or the flight's outcome   |
/// |                      |                        | with nothing sent (a token from a store, or|
/// |                      |                        | a configuration error)                     |
/// | `s.accept(resp, at)` | `result<token>`        | the token `resp` (any status) carries, or  |
/// |                      |                        | the error it means; `at` = arrival time    |
/// |                      | or `source_step`       | (stepped sources) the same, or a request   |
/// |                      |                        | to send first                              |
/// | `s.follow_up(r, at)` | `source_step`          | stepped sources only: reads the answer (or |
/// |                      |                        | transport error) `r` to that request       |
///
/// Only the leader of a flight calls these, and flights never overlap: a source needs no lock
/// of its own and may keep state (a rotating refresh token, a store to write to).
template <class S>
concept simple_token_source = requires(S& s, const http_response& r, time_point t) {
  { s.request() } -> std::same_as<result<http_request>>;
  { s.accept(r, t) } -> std::same_as<result<token>>;
};
template <class S>
concept stepped_token_source =
    requires(S& s, const http_response& r, const result<http_response>& f, time_point t) {
      { s.start() } -> std::same_as<source_step>;
      { s.accept(r, t) } -> std::same_as<source_step>;
      { s.follow_up(f, t) } -> std::same_as<source_step>;
    };
template <class S>
concept TokenSource = simple_token_source<S> || stepped_token_source<S>;

/// A step that asks the driver to send `req` first (`outcome` is read only once `next` is
/// empty, so it holds an empty token rather than a made-up error).
[[nodiscard]] inline source_step send_step(http_request req) {
  return source_step{result<token>(token{}), std::move(req)};
}

/// The flight's first step: the request to send (in `next`), or an outcome reached without
/// one (an error here is a configuration error: sticky, nothing sent).
template <class S>
[[nodiscard]] source_step start_source(S& s) {
  if constexpr (stepped_token_source<S>) {
    return s.start();
  } else {
    result<http_request> req = s.request();
    if (!req) return source_step{unexpected<error>(std::move(req).error()), std::nullopt};
    return send_step(std::move(*req));
  }
}

/// The source's reading of the flight's first answer, as a step.
template <class S>
[[nodiscard]] source_step accept_answer(S& s, const http_response& r, time_point at) {
  if constexpr (stepped_token_source<S>)
    return s.accept(r, at);
  else
    return source_step{s.accept(r, at), std::nullopt};
}

/// A transport behind one function pointer. The flight code below takes this instead of the
/// transport's type, so that compiled mode can compile it once for every transport.
class transport_ref {
 public:
  template <class T>
  explicit transport_ref(T& t) noexcept
      : target_(static_cast<void*>(std::addressof(t))),
        send_([](void* target, const http_request& r) -> result<http_response> {
          return static_cast<T*>(target)->send(r);
        }) {}
  [[nodiscard]] result<http_response> send(const http_request& r) const {
    return send_(target_, r);
  }

 private:
  void* target_;
  result<http_response> (*send_)(void*, const http_request&);
};

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
/// Completes an abandoned flight (an exception escaped the transport or the source) so that
/// waiters are released instead of blocking forever.
template <class P>
class flight_guard {
 public:
  using ticket = typename token_cache<P>::ticket;
  flight_guard(token_cache<P>& c, const ticket& t) noexcept : cache_(&c), ticket_(t) {}
  flight_guard(const flight_guard&) = delete;
  flight_guard& operator=(const flight_guard&) = delete;
  ~flight_guard() {
    if (cache_ != nullptr)
      (void)cache_->complete(ticket_,
                             fail(errc::transport_failed,
                                  "the token request was abandoned: the transport or token "
                                  "source threw an exception (they must report errors as values)"),
                             ticket_.started, std::uint64_t{1} << 63);
  }
  void dismiss() noexcept { cache_ = nullptr; }

 private:
  token_cache<P>* cache_;
  ticket ticket_;
};
#else
/// Without exceptions nothing can abandon a flight: every path completes it.
template <class P>
class flight_guard {
 public:
  using ticket = typename token_cache<P>::ticket;
  flight_guard(token_cache<P>&, const ticket&) noexcept {}
  flight_guard(const flight_guard&) = delete;
  flight_guard& operator=(const flight_guard&) = delete;
  void dismiss() noexcept {}
};
#endif

/// What a token request ended with, and when its last answer arrived.
struct exchanged {
  result<token> outcome;
  time_point received;
};

/// Sends the token request (and a stepped source's follow-ups) and reads the outcome.
template <class C, class S>
exchanged exchange_token_request(http_request& req, const transport_ref& transport, C& clock,
                                 S& source) {
  result<http_response> resp = transport.send(req);
  time_point received = to_time_point(clock.now());
  wipe_sent_request(req);  // it carried the client's credentials (body or Basic header)
  source_step step = resp ? accept_answer(source, *resp, received)
                          : source_step{unexpected<error>(std::move(resp).error()), {}};
  if (resp) secure_wipe(resp->body);  // it held the access (and maybe refresh) token
  if constexpr (stepped_token_source<S>) {
    while (step.next) {  // the source asked for one more request first
      http_request next = std::move(*step.next);
      step.next.reset();
      result<http_response> answer = transport.send(next);
      received = to_time_point(clock.now());
      wipe_sent_request(next);
      step = source.follow_up(answer, received);
      if (answer) secure_wipe(answer->body);
    }
  }
  return {std::move(step.outcome), received};
}

/// The leader's part of a flight: build the request, send it, read the answer, report it to
/// the cache, with one complete() call for every outcome. A function of the cache, the source,
/// the clock and the random source, not of the transport's type: compiled mode compiles it
/// once for m2m_client's defaults (m2m_client.hpp), and a service's translation units only
/// call it.
template <class C, class P, class R, class S>
PROFILE_AUTH_DETAIL_NOINLINE typename token_cache<P>::decision run_token_flight(
    token_cache<P>& cache, const typename token_cache<P>::ticket& t, const transport_ref& transport,
    C& clock, R& random, S& source) {
  flight_guard<P> guard(cache, t);
  source_step first = start_source(source);
  const failure_origin origin =
      first.next ? failure_origin::response : failure_origin::configuration;
  exchanged x = first.next ? exchange_token_request(*first.next, transport, clock, source)
                           : exchanged{std::move(first.outcome), to_time_point(clock.now())};
  const std::uint64_t bits = random_u64(random);
  guard.dismiss();
  return cache.complete(t, std::move(x.outcome), x.received, bits, origin);
}

/// The driver core: single flight, refresh-ahead, backoff and the 401 retry, once, for every
/// client. A client is this core plus its TokenSource (m2m_client: client credentials).
///
/// Threads: with a thread-safe policy every member may be called concurrently. The transport is
/// then called concurrently too (send() from several callers while one leads a token flight);
/// it must allow that. The random source and the token source are only used by a flight's
/// leader, one at a time.
template <class T, class C, class P, class R, class S>
class cached_token_driver {
  static_assert(TokenSource<S>, "cached_token_driver: S must model detail::TokenSource");

 public:
  using cache_type = token_cache<P>;
  using snapshot = typename cache_type::snapshot;
  using decision = typename cache_type::decision;
  using ticket = typename cache_type::ticket;

  cached_token_driver(T transport, S source, C clock, token_cache_options options, R random)
      : transport_(std::move(transport)),
        clock_(std::move(clock)),
        random_(std::move(random)),
        source_(std::move(source)),
        cache_(options),
        destinations_(token_destinations_of(source_)) {}

  [[nodiscard]] result<std::string> authorization_header() {
    return read(
        [](const snapshot& s) -> result<std::string> { return std::string(s.authorization()); });
  }
  [[nodiscard]] result<std::string_view> authorization_header_view() {
    return read([](const snapshot& s) -> result<std::string_view> { return s.authorization(); });
  }
  [[nodiscard]] result<std::size_t> write_authorization_header(std::span<char> out) {
    return read([out](const snapshot& s) -> result<std::size_t> {
      const std::string_view h = s.authorization();
      if (out.size() < h.size()) return buffer_too_small(out.size(), h.size());
      std::memcpy(out.data(), h.data(), h.size());
      return h.size();
    });
  }
  [[nodiscard]] result<secret> access_token() {
    return read([](const snapshot& s) -> result<secret> { return secret(s.access_token()); });
  }
  [[nodiscard]] result<std::string_view> access_token_view() {
    return read([](const snapshot& s) -> result<std::string_view> { return s.access_token(); });
  }

  /// Checks that the token may go to `req.url` (token_destinations), adds `Authorization`,
  /// sends, and after a 401 that rejects the token (see rejects_access_token) drops that token,
  /// gets another and sends once more, unless the API rejected token_rejection_limit tokens in a
  /// row (token_cache::reject). The second answer is returned as it is.
  [[nodiscard]] result<http_response> send(http_request req) {
    if (result<void> ok = destinations_.check(req.url); !ok)
      return unexpected<error>(std::move(ok).error());
    std::uint64_t used = 0;
    if (result<void> a = authorize(req, used); !a) return unexpected<error>(std::move(a).error());
    result<http_response> resp = deref(transport_).send(req);
    wipe_header_values(req.headers, "Authorization");
    if (!resp || !answered(*resp, used)) return resp;
    if (result<void> a = authorize(req, used); !a) return unexpected<error>(std::move(a).error());
    resp = deref(transport_).send(req);
    wipe_header_values(req.headers, "Authorization");
    if (resp) (void)answered(*resp, used);
    return resp;
  }

  void invalidate() { cache_.invalidate(now()); }
  [[nodiscard]] token_cache_stats stats() const noexcept { return cache_.stats(); }

  [[nodiscard]] deref_t<T>& transport() noexcept { return deref(transport_); }
  [[nodiscard]] C& clock() noexcept { return clock_; }
  [[nodiscard]] S& source() noexcept { return source_; }
  [[nodiscard]] const S& source() const noexcept { return source_; }
  [[nodiscard]] cache_type& cache() noexcept { return cache_; }
  [[nodiscard]] const cache_type& cache() const noexcept { return cache_; }

 private:
  time_point now() { return to_time_point(clock_.now()); }

  static unexpected<error> buffer_too_small(std::size_t have, std::size_t need) {
    if constexpr (terse_errors) {
      (void)have;
      (void)need;
      return fail(errc::limit_exceeded, "buffer too small");
    } else {
      return fail(errc::limit_exceeded, "the buffer holds " + std::to_string(have) +
                                            " bytes but the Authorization value needs " +
                                            std::to_string(need) + ": pass a larger one");
    }
  }

  template <class F>
  std::invoke_result_t<F&, const snapshot&> read(F f) {
    const time_point t = now();
    if (const snapshot* s = cache_.peek(t)) [[likely]]
      return f(*s);
    return read_slow(t, f);
  }
  template <class F>
  PROFILE_AUTH_DETAIL_NOINLINE std::invoke_result_t<F&, const snapshot&> read_slow(time_point t,
                                                                                   F& f) {
    decision d = cache_.acquire(t);
    if (d.action == cache_action::fetch) d = run_flight(d.flight);
    if (d.action == cache_action::use) return f(*d.token);
    return unexpected<error>(std::move(d.failure));
  }

  /// The leader's part of a flight, through run_token_flight (below the class).
  decision run_flight(const ticket& t) {
    return run_token_flight(cache_, t, transport_ref(deref(transport_)), clock_, random_, source_);
  }

  /// Tells the cache what the API made of the token of generation `generation`; true when the
  /// answer rejected it and the request may be sent once more with another token.
  bool answered(const http_response& r, std::uint64_t generation) {
    if (!rejects_access_token(r)) {
      if (r.status >= 200 && r.status < 400) cache_.accepted();
      return false;
    }
    return cache_.reject(generation, now());
  }

  result<void> authorize(http_request& req, std::uint64_t& generation) {
    return read([&](const snapshot& s) -> result<void> {
      generation = s.generation();
      req.headers.set("Authorization", std::string(s.authorization()));
      return {};
    });
  }

  T transport_;
  C clock_;
  R random_;
  S source_;
  cache_type cache_;
  token_destinations destinations_;  // where send() may attach the token
};

}  // namespace profile::auth::inline v0::detail

#undef PROFILE_AUTH_DETAIL_NOINLINE

#endif  // PROFILE_AUTH_DETAIL_CACHED_TOKEN_DRIVER_HPP
