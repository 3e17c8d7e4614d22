// SPDX-License-Identifier: MIT
// profile-auth testing: fake_transport, a scripted Transport that records and can hold requests.
#ifndef PROFILE_AUTH_TESTING_FAKE_TRANSPORT_HPP
#define PROFILE_AUTH_TESTING_FAKE_TRANSPORT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

#include <chrono>              // the safety-net timeout of wait_until_held
#include <condition_variable>  // held calls wait for release(); tests wait for held calls
#include <cstddef>             // std::size_t
#include <deque>               // the queue of scripted answers
#include <functional>          // the handler (test code, not a hot path)
#include <memory>              // std::shared_ptr: copies share one script and one record
#include <mutex>               // shared by the threads of concurrency tests
#include <string>              // bodies
#include <utility>             // std::move
#include <vector>              // the recorded requests

namespace profile::auth::inline v0::testing {

/// A Transport for tests. Each send() is recorded, then answered by the next scripted answer
/// (respond(), fail_next()), or when none is queued by the handler (on_send()), or else with
/// errc::transport_failed "no scripted answer".
///
/// hold() makes every later send() block after it is recorded, until release(): with
/// wait_until_held(n) a concurrency test can freeze a token request in flight and look at what
/// every other caller does meanwhile.
///
/// Copies share one script and one record (the transport is a handle), so a test can hand a
/// copy to a client and inspect the original. Thread-safe.
class fake_transport {
 public:
  /// What on_send takes: answers each request.
  using handler_type = std::function<result<http_response>(const http_request&)>;

  fake_transport() : s_(std::make_shared<state>()) {}

  /// Queues `r` as the answer to one future send().
  fake_transport& respond(http_response r) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->script.emplace_back(std::move(r));
    return *this;
  }
  /// Queues an answer with `status`, `body` and `headers` (Content-Type application/json is
  /// added when the body starts with '{' and no Content-Type is given).
  fake_transport& respond(int status, std::string body, header_list headers = {}) {
    http_response r;
    r.status = status;
    if (!headers.contains("Content-Type") && !body.empty() && body.front() == '{')
      headers.add("Content-Type", "application/json");
    r.headers = std::move(headers);
    r.body = std::move(body);
    return respond(std::move(r));
  }
  /// Queues a transport failure (e.g. errc::transport_failed) as the result of one send().
  fake_transport& fail_next(error e) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->script.emplace_back(unexpected<error>(std::move(e)));
    return *this;
  }
  /// Answers every send() that finds the script empty.
  fake_transport& on_send(handler_type h) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->handler = std::move(h);
    return *this;
  }

  /// From now on every send() blocks (after being recorded) until release().
  void hold() {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->holding = true;
  }
  /// Lets every held send() go on, and stops holding new ones.
  void release() {
    {
      std::lock_guard<std::mutex> lock(s_->mutex);
      s_->holding = false;
    }
    s_->cv.notify_all();
  }
  /// Waits until at least `n` send() calls are blocked by hold(). The timeout is only a safety
  /// net that turns a broken test into a failure instead of a hang; returns false when it hit.
  [[nodiscard]] bool wait_until_held(std::size_t n,
                                     std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
    std::unique_lock<std::mutex> lock(s_->mutex);
    return s_->cv.wait_for(lock, timeout, [&] { return s_->held >= n; });
  }
  /// How many send() calls are blocked by hold() right now.
  [[nodiscard]] std::size_t held() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->held;
  }

  /// How many times send() was called.
  [[nodiscard]] std::size_t calls() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->requests.size();
  }
  /// Copies of every request sent, in order.
  [[nodiscard]] std::vector<http_request> requests() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->requests;
  }
  /// A copy of request number `i` (0-based); precondition: i < calls().
  [[nodiscard]] http_request request(std::size_t i) const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    PROFILE_AUTH_ASSERT(i < s_->requests.size());
    return s_->requests[i];
  }
  /// Scripted answers not consumed yet.
  [[nodiscard]] std::size_t pending() const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return s_->script.size();
  }

  /// The Transport operation.
  [[nodiscard]] result<http_response> send(const http_request& req) {
    std::unique_lock<std::mutex> lock(s_->mutex);
    s_->requests.push_back(req);
    if (s_->holding) {
      ++s_->held;
      s_->cv.notify_all();  // wake wait_until_held()
      s_->cv.wait(lock, [&] { return !s_->holding; });
      --s_->held;
    }
    if (!s_->script.empty()) {
      result<http_response> r = std::move(s_->script.front());
      s_->script.pop_front();
      return r;
    }
    if (s_->handler) {
      handler_type h = s_->handler;  // called unlocked: it may be slow or call back in
      lock.unlock();
      return h(req);
    }
    return fail(errc::transport_failed,
                "fake_transport: no scripted answer left for " + req.method + " " + req.url);
  }

 private:
  struct state {
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::deque<result<http_response>> script;
    handler_type handler;
    std::vector<http_request> requests;
    bool holding = false;
    std::size_t held = 0;
  };
  std::shared_ptr<state> s_;
};

}  // namespace profile::auth::inline v0::testing

#endif  // PROFILE_AUTH_TESTING_FAKE_TRANSPORT_HPP
