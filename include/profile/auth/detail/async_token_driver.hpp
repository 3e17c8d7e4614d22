// SPDX-License-Identifier: MIT
// profile-auth: the callback-driven driver core (async_m2m_client, async_user_session).
#ifndef PROFILE_AUTH_DETAIL_ASYNC_TOKEN_DRIVER_HPP
#define PROFILE_AUTH_DETAIL_ASYNC_TOKEN_DRIVER_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/bearer_challenge.hpp>
#include <profile/auth/detail/cached_token_driver.hpp>
#include <profile/auth/detail/counted.hpp>
#include <profile/auth/detail/unique_function.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_cache.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t generations, flight ids and random bits
#include <string>       // the Authorization value of send()
#include <string_view>  // views into a grant
#include <type_traits>  // std::decay_t
#include <utility>      // std::move, std::forward
#include <vector>       // the callbacks waiting for a flight

namespace profile::auth::inline v0::detail {

/// A copy of a cached token for callbacks that run after the flight ended (the cache may have
/// replaced and freed the snapshot by then). Reads like a token_snapshot.
class bearer_grant {
 public:
  explicit bearer_grant(const token_snapshot& s)
      : header_(s.authorization()),
        token_offset_(s.authorization().size() - s.access_token().size()),
        generation_(s.generation()) {}
  [[nodiscard]] std::string_view authorization() const noexcept { return header_.reveal(); }
  [[nodiscard]] std::string_view access_token() const noexcept {
    return header_.reveal().substr(token_offset_);
  }
  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }

 private:
  secret header_;
  std::size_t token_offset_;
  std::uint64_t generation_;
};

/// A copyable handle to a callable that may be move-only, run at most once: what the drivers
/// hand to an AsyncTransport, so that a transport storing std::function (which must copy) works
/// with move-only user callbacks. Copies share the callable.
template <class P, class F>
class shared_once {
  struct box : ref_counted<P> {
    explicit box(F f) : fn(std::move(f)) {}
    F fn;
    bool called = false;
  };

 public:
  explicit shared_once(F f) : box_(counted_ptr<box>::adopt(new box(std::move(f)))) {}
  /// Runs the callable the first time; a second call (a transport breaking its contract) does
  /// nothing.
  template <class... A>
  void operator()(A&&... args) {
    if (box_->called) return;
    box_->called = true;
    box_->fn(std::forward<A>(args)...);
  }

 private:
  counted_ptr<box> box_;
};

/// shared_once for `f`, counted with the policy P.
template <class P, class F>
[[nodiscard]] shared_once<P, std::decay_t<F>> make_shared_once(F&& f) {
  return shared_once<P, std::decay_t<F>>(std::forward<F>(f));
}

/// The callback-driven driver core: the same token_cache (single flight, refresh-ahead,
/// backoff), the same TokenSource and the same 401 rule as cached_token_driver, with an
/// AsyncTransport. It lives on the heap, shared by its client and by every request in flight,
/// so a client may be destroyed while requests are out: they finish and call back normally.
///
/// Callbacks: a caller that finds a usable token (refresh-ahead window included) is called back
/// before its call returns, on its own thread; a caller that needs a new token is queued and
/// called when the flight ends, on the thread that delivers the transport's answer. No lock is
/// held while a callback or the transport runs, so callbacks may call the client again.
///
/// Locking: mu_ (the policy's mutex) makes "the cache says wait, queue the callback" and "the
/// flight completes, take the queue" atomic with respect to each other; the cache's own mutex
/// nests inside it. The read path (peek) takes neither.
template <class T, class C, class P, class R, class S>
class async_token_driver : public ref_counted<P> {
  static_assert(TokenSource<S>, "async_token_driver: S must model detail::TokenSource");

 public:
  using cache_type = token_cache<P>;
  using snapshot = typename cache_type::snapshot;
  using decision = typename cache_type::decision;
  using ticket = typename cache_type::ticket;
  using handle = counted_ptr<async_token_driver>;
  using grant_result = result<bearer_grant>;
  using waiter = unique_function<void(const grant_result&)>;

  [[nodiscard]] static handle make(T transport, S source, C clock, token_cache_options options,
                                   R random) {
    return handle::adopt(new async_token_driver(std::move(transport), std::move(source),
                                                std::move(clock), options, std::move(random)));
  }
  async_token_driver(const async_token_driver&) = delete;
  async_token_driver& operator=(const async_token_driver&) = delete;

  /// Calls `cb(result<V>)` exactly once with `make(token)` (make takes a token_snapshot or a
  /// bearer_grant and returns a V), or with the error; see the class comment for when.
  template <class V, class Make, class Cb>
  void read(Make make, Cb&& cb) {
    const time_point t = now();
    if (const snapshot* s = cache_.peek(t)) [[likely]] {
      cb(result<V>(make(*s)));
      return;
    }
    read_slow<V>(t, std::move(make), std::forward<Cb>(cb));
  }

  /// Sends `req` with the token (after checking it may go to `req.url`: token_destinations);
  /// after a 401 that rejects it (rejects_access_token), drops that token, gets another and
  /// sends once more, unless the API rejected token_rejection_limit tokens in a row
  /// (token_cache::reject). Calls `cb(result<http_response>)` exactly once.
  template <class Cb>
  void send(http_request req, Cb&& cb) {
    if (result<void> ok = destinations_.check(req.url); !ok) {
      cb(result<http_response>(unexpected<error>(std::move(ok).error())));
      return;
    }
    using op_type = send_op<std::decay_t<Cb>>;
    op_type::start(counted_ptr<op_type>::adopt(
        new op_type(handle::share(this), std::move(req), std::forward<Cb>(cb))));
  }

  /// Takes the flight for the caller after dropping the cached token (a login or logout): now,
  /// or when the running flight ends. `then(ticket)` runs at that moment and must end the
  /// flight with finish(); callers meanwhile queue up and get its outcome.
  template <class F>
  void lead(F then) {
    for (;;) {
      cache_.invalidate(now());
      decision d;
      {
        lock_type lock(mu_);
        d = cache_.try_acquire(now());
        if (d.action == cache_action::fetch) {
          open_flight_ = d.flight.id;
        } else if (d.action == cache_action::wait) {
          waiters_.emplace_back([self = handle::share(this), then = std::move(then)](
                                    const grant_result&) mutable { self->lead(std::move(then)); });
          return;
        }
      }
      if (d.action == cache_action::fetch) {
        then(d.flight);
        return;
      }
      // Another thread published or failed between the two calls: drop and try again.
    }
  }

  /// Ends the flight `t` with `outcome` observed at `at`: publishes or records it, delivers the
  /// source's queued notifications (user_session's hook), then calls every queued callback with
  /// the token valid now or the error. A flight already ended is left alone.
  void finish(const ticket& t, result<token> outcome, time_point at, failure_origin origin) {
    const std::uint64_t bits = draw();
    std::vector<waiter> ready;
    grant_result shared = unexpected<error>(error{});
    {
      lock_type lock(mu_);
      if (open_flight_ != t.id) return;
      open_flight_ = 0;
      decision d = cache_.complete(t, std::move(outcome), at, bits, origin);
      ready.swap(waiters_);
      // Copied now: once callbacks run, the cache may free the snapshot (single_threaded).
      if (!ready.empty())
        shared = d.action == cache_action::use ? grant_result(bearer_grant(*d.token))
                                               : grant_result(unexpected<error>(d.failure));
    }
    if constexpr (requires { source_.notifier().deliver(); }) source_.notifier().deliver();
    for (waiter& w : ready) w(shared);
  }

  void invalidate() { cache_.invalidate(now()); }
  [[nodiscard]] time_point now() { return to_time_point(clock_.now()); }
  /// 64 random bits; only for the holder of a flight (the random source is not shared).
  [[nodiscard]] std::uint64_t draw() noexcept { return random_u64(random_); }

  [[nodiscard]] deref_t<T>& transport() noexcept { return deref(transport_); }
  [[nodiscard]] C& clock() noexcept { return clock_; }
  [[nodiscard]] S& source() noexcept { return source_; }
  [[nodiscard]] const S& source() const noexcept { return source_; }
  [[nodiscard]] cache_type& cache() noexcept { return cache_; }
  [[nodiscard]] const cache_type& cache() const noexcept { return cache_; }

 private:
  using lock_type = cache_lock<typename P::mutex>;
  friend class counted_ptr<async_token_driver>;  // deletes it

  async_token_driver(T transport, S source, C clock, token_cache_options options, R random)
      : transport_(std::move(transport)),
        clock_(std::move(clock)),
        random_(std::move(random)),
        source_(std::move(source)),
        cache_(options),
        destinations_(token_destinations_of(source_)) {}
  ~async_token_driver() = default;

  template <class V, class Make, class Cb>
  static waiter waiter_for(Make make, Cb cb) {
    return waiter([make = std::move(make), cb = std::move(cb)](const grant_result& g) mutable {
      if (g)
        cb(result<V>(make(*g)));
      else
        cb(result<V>(unexpected<error>(g.error())));
    });
  }

  template <class V, class Make, class Cb>
  void read_slow(time_point t, Make make, Cb&& cb) {
    decision d;
    {
      lock_type lock(mu_);
      d = cache_.try_acquire(t);
      const bool queue =
          d.action == cache_action::wait || (d.action == cache_action::fetch && d.token == nullptr);
      if (queue)
        waiters_.emplace_back(
            waiter_for<V>(std::move(make), std::decay_t<Cb>(std::forward<Cb>(cb))));
      if (d.action == cache_action::fetch) open_flight_ = d.flight.id;
    }
    switch (d.action) {
      case cache_action::use:
        cb(result<V>(make(*d.token)));
        return;
      case cache_action::fail:
        cb(result<V>(unexpected<error>(std::move(d.failure))));
        return;
      case cache_action::wait:
        return;  // queued: the running flight's end calls it
      case cache_action::fetch:
        break;
    }
    if (d.token == nullptr) {  // queued above: the flight's end calls it
      run_flight(d.flight);
      return;
    }
    // Refresh ahead: this caller keeps the still-valid token and does not wait for the flight.
    // Copied before the flight starts, which may end at once and free the old snapshot.
    result<V> v(make(*d.token));
    run_flight(d.flight);
    cb(std::move(v));
  }

  /// The leader's part: build the token request and hand it to the transport.
  void run_flight(const ticket& t) {
    source_step first = start_source(source_);
    if (!first.next) {  // an outcome without a request: a configuration error or a stored token
      finish(t, std::move(first.outcome), now(), failure_origin::configuration);
      return;
    }
    send_for_flight(t, std::move(*first.next), true);
  }

  /// Closes a flight whose request never reached the transport because async_send threw (a
  /// transport breaking its contract), so queued callers are not left waiting forever. Inert in
  /// -fno-exceptions builds.
  class flight_guard {
   public:
    flight_guard(async_token_driver& d, const ticket& t) noexcept : d_(&d), t_(t) {}
    flight_guard(const flight_guard&) = delete;
    flight_guard& operator=(const flight_guard&) = delete;
    ~flight_guard() {
      if (d_ != nullptr)
        d_->finish(t_,
                   fail(errc::transport_failed,
                        "the token request was abandoned: the transport's async_send threw an "
                        "exception (it must report errors through the callback)"),
                   t_.started, failure_origin::response);
    }
    void dismiss() noexcept { d_ = nullptr; }

   private:
    async_token_driver* d_;
    ticket t_;
  };

  /// What the transport calls back with the answer to a token (or follow-up) request.
  struct flight_handler {
    handle self;
    ticket flight;
    bool first;
    void operator()(result<http_response> resp) { self->on_flight_answer(flight, first, resp); }
  };

  void send_for_flight(const ticket& t, http_request req, bool first) {
    flight_guard guard(*this, t);
    deref(transport_)
        .async_send(std::move(req),
                    make_shared_once<P>(flight_handler{handle::share(this), t, first}));
    guard.dismiss();
  }

  [[nodiscard]] bool flight_open(const ticket& t) {
    lock_type lock(mu_);
    return open_flight_ == t.id;
  }

  void on_flight_answer(const ticket& t, bool first, result<http_response>& resp) {
    if (!flight_open(t)) return;  // answered twice, or closed meanwhile
    const time_point received = now();
    source_step step = read_answer(first, resp, received);
    if (resp) secure_wipe(resp->body);  // it held the access (and maybe refresh) token
    if (step.next) {
      http_request next = std::move(*step.next);
      send_for_flight(t, std::move(next), false);
      return;
    }
    finish(t, std::move(step.outcome), received, failure_origin::response);
  }

  /// The source's reading of an answer: the first one (a transport error is the outcome as
  /// it is), or the answer to a follow-up request a stepped source asked for.
  source_step read_answer(bool first, const result<http_response>& resp, time_point received) {
    if constexpr (stepped_token_source<S>) {
      if (!first) return source_.follow_up(resp, received);
    } else {
      (void)first;  // only stepped sources ask for follow-ups
    }
    if (!resp) return source_step{unexpected<error>(resp.error()), {}};
    return accept_answer(source_, *resp, received);
  }

  /// One send(): the request (kept without credentials for the one retry), the user's callback
  /// and the generation of the token it went out with.
  template <class Cb>
  struct send_op : ref_counted<P> {
    send_op(handle d, http_request r, Cb c)
        : driver(std::move(d)), request(std::move(r)), cb(std::move(c)) {}
    handle driver;
    http_request request;
    Cb cb;
    std::uint64_t generation = 0;
    bool retried = false;

    struct authorized {
      std::string header;
      std::uint64_t generation;
    };

    static void start(counted_ptr<send_op> self) {
      async_token_driver& d = *self->driver;
      d.template read<authorized>(
          [](const auto& tok) {
            return authorized{std::string(tok.authorization()), tok.generation()};
          },
          [self](result<authorized> a) mutable {
            if (!a) {
              self->cb(result<http_response>(unexpected<error>(std::move(a).error())));
              return;
            }
            self->generation = a->generation;
            http_request out = self->request;  // a copy: the original stays for a retry
            out.headers.set("Authorization", std::move(a->header));
            deref(self->driver->transport_)
                .async_send(std::move(out), make_shared_once<P>(answer_handler{self}));
          });
    }

    struct answer_handler {
      counted_ptr<send_op> self;
      void operator()(result<http_response> r) { send_op::on_answer(self, std::move(r)); }
    };

    static void on_answer(const counted_ptr<send_op>& self, result<http_response> r) {
      async_token_driver& d = *self->driver;
      if (!r) {
        self->cb(std::move(r));
        return;
      }
      if (!rejects_access_token(*r)) {
        if (r->status >= 200 && r->status < 400) d.cache_.accepted();
        self->cb(std::move(r));
        return;
      }
      if (!d.cache_.reject(self->generation, d.now()) || self->retried) {
        self->cb(std::move(r));
        return;
      }
      self->retried = true;
      start(self);
    }
  };

  T transport_;
  C clock_;
  R random_;
  S source_;
  cache_type cache_;
  token_destinations destinations_;  // where send() may attach the token
  typename P::mutex mu_;
  std::vector<waiter> waiters_;    // guarded by mu_
  std::uint64_t open_flight_ = 0;  // guarded by mu_: the flight this driver has not ended yet
};

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_ASYNC_TOKEN_DRIVER_HPP
