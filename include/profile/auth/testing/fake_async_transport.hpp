// SPDX-License-Identifier: MIT
// profile-auth testing: fake_async_transport, an AsyncTransport whose answers the test delivers.
#ifndef PROFILE_AUTH_TESTING_FAKE_ASYNC_TRANSPORT_HPP
#define PROFILE_AUTH_TESTING_FAKE_ASYNC_TRANSPORT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <chrono>              // the safety-net timeout of wait_until_pending
#include <condition_variable>  // tests wait for requests sent from other threads
#include <cstddef>             // std::size_t
#include <deque>               // answers given at once
#include <functional>          // std::function: stored callbacks (and a copyability check)
#include <memory>              // std::shared_ptr: copies share one record
#include <mutex>               // shared by the threads of concurrency tests
#include <optional>            // oldest_pending()
#include <string>              // bodies
#include <utility>             // std::move
#include <vector>              // the recorded requests

namespace profile::auth::inline v0::testing {

/// An AsyncTransport for tests. async_send() records the request and keeps its callback; the
/// test then answers any pending request, in any order, with complete() (or respond(), fail()),
/// and the callback runs right there, on the test's thread, with no lock held. Answers queued
/// with answer_immediately(), or given by an on_send() handler, are delivered inside
/// async_send() instead (before it returns), for tests of synchronous completion.
///
/// Callbacks are stored in std::function, which copies: this also checks that the drivers hand
/// a transport copyable callbacks, as a std::function-based user transport needs.
///
/// Copies share one record (the transport is a handle). Thread-safe: requests may be sent and
/// completed from any thread.
class fake_async_transport {
 public:
  /// What async_send takes: called once with the outcome.
  using callback_type = std::function<void(result<http_response>)>;
  /// What on_send takes: gives the answer to a request.
  using handler_type = std::function<result<http_response>(const http_request&)>;

  fake_async_transport() : s_(std::make_shared<state>()) {}

  /// The AsyncTransport operation: records `req`; answers at once when an immediate answer or
  /// a handler is there, else keeps `callback` for complete().
  template <class F>
  void async_send(http_request req, F callback) {
    callback_type cb(std::move(callback));
    std::unique_lock<std::mutex> lock(s_->mutex);
    s_->requests.push_back(req);
    s_->callbacks.emplace_back();
    if (!s_->immediate.empty()) {
      result<http_response> r = std::move(s_->immediate.front());
      s_->immediate.pop_front();
      lock.unlock();
      s_->cv.notify_all();
      cb(std::move(r));
      return;
    }
    if (s_->handler) {
      handler_type h = s_->handler;
      lock.unlock();
      s_->cv.notify_all();
      cb(h(req));
      return;
    }
    s_->callbacks.back() = std::move(cb);
    ++s_->pending;
    lock.unlock();
    s_->cv.notify_all();
  }

  /// Delivers `r` to request number `i` (0-based, in the order sent). Returns false (and does
  /// nothing) when `i` is unknown or was already answered.
  bool complete(std::size_t i, result<http_response> r) {
    callback_type cb;
    {
      std::lock_guard<std::mutex> lock(s_->mutex);
      if (i >= s_->callbacks.size() || !s_->callbacks[i]) return false;
      cb = std::move(s_->callbacks[i]);
      s_->callbacks[i] = nullptr;
      --s_->pending;
    }
    s_->cv.notify_all();
    cb(std::move(r));
    return true;
  }
  /// complete() with an answer of `status`, `body` and `headers` (see response()).
  bool respond(std::size_t i, int status, std::string body, header_list headers = {}) {
    return complete(i, response(status, std::move(body), std::move(headers)));
  }
  /// complete() with a transport failure.
  bool fail(std::size_t i, error e) { return complete(i, unexpected<error>(std::move(e))); }
  /// Answers the oldest pending request; false when none is pending.
  bool complete_oldest(result<http_response> r) {
    const std::optional<std::size_t> i = oldest_pending();
    return i ? complete(*i, std::move(r)) : false;
  }

  /// Queues `r` as the answer async_send() gives at once, inside the call, to one future
  /// request (before any on_send() handler).
  fake_async_transport& answer_immediately(result<http_response> r) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->immediate.push_back(std::move(r));
    return *this;
  }
  /// Answers every later request at once with `h(request)` (unless an immediate answer is
  /// queued); an empty handler switches this off.
  fake_async_transport& on_send(handler_type h) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->handler = std::move(h);
    return *this;
  }

  /// An answer with `status`, `body` and `headers`; Content-Type application/json is added when
  /// the body starts with '{' and the headers name no Content-Type.
  [[nodiscard]] static http_response response(int status, std::string body,
                                              header_list headers = {}) {
    http_response r;
    r.status = status;
    if (!headers.contains("Content-Type") && !body.empty() && body.front() == '{')
      headers.add("Content-Type", "application/json");
    r.headers = std::move(headers);
    r.body = std::move(body);
    return r;
  }

  /// How many requests were sent.
  [[nodiscard]] std::size_t calls() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->requests.size();
  }
  /// How many requests wait for complete().
  [[nodiscard]] std::size_t pending() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->pending;
  }
  /// Whether request `i` waits for complete().
  [[nodiscard]] bool is_pending(std::size_t i) const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return i < s_->callbacks.size() && static_cast<bool>(s_->callbacks[i]);
  }
  /// The lowest number of a pending request, if any.
  [[nodiscard]] std::optional<std::size_t> oldest_pending() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    for (std::size_t i = 0; i < s_->callbacks.size(); ++i)
      if (s_->callbacks[i]) return i;
    return std::nullopt;
  }
  /// A copy of request number `i`; precondition: i < calls().
  [[nodiscard]] http_request request(std::size_t i) const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    PROFILE_AUTH_ASSERT(i < s_->requests.size());
    return s_->requests[i];
  }
  /// Copies of every request sent, in order.
  [[nodiscard]] std::vector<http_request> requests() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->requests;
  }
  /// Waits until at least `n` requests are pending. The timeout is only a safety net that
  /// turns a broken test into a failure instead of a hang; returns false when it hit.
  [[nodiscard]] bool wait_until_pending(std::size_t n,
                                        std::chrono::milliseconds timeout = std::chrono::seconds{
                                            60}) const {
    std::unique_lock<std::mutex> lock(s_->mutex);
    return s_->cv.wait_for(lock, timeout, [&] { return s_->pending >= n; });
  }

 private:
  struct state {
    mutable std::mutex mutex;
    mutable std::condition_variable cv;
    std::vector<http_request> requests;
    std::vector<callback_type> callbacks;  // empty once answered (or answered at once)
    std::size_t pending = 0;
    std::deque<result<http_response>> immediate;
    handler_type handler;
  };
  std::shared_ptr<state> s_;
};

}  // namespace profile::auth::inline v0::testing

#endif  // PROFILE_AUTH_TESTING_FAKE_ASYNC_TRANSPORT_HPP
