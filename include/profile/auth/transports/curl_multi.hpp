// SPDX-License-Identifier: MIT
// profile-auth: an AsyncTransport over libcurl's multi interface, polled from the caller's loop.
#ifndef PROFILE_AUTH_TRANSPORTS_CURL_MULTI_HPP
#define PROFILE_AUTH_TRANSPORTS_CURL_MULTI_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/unique_function.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/transports/curl.hpp>

#include <curl/curl.h>

#include <chrono>   // run_once's timeout
#include <cstddef>  // std::size_t
#include <deque>    // finished transfers whose callbacks have not run yet
#include <memory>   // std::unique_ptr: the state, the multi handle, stable transfer nodes
#include <string>   // messages
#include <utility>  // std::move
#include <vector>   // running transfers, idle handles

namespace profile::auth::inline v0::detail {
struct curl_multi_deleter {
  void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
};
}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::transports {

/// An AsyncTransport over libcurl's multi interface, for a program with a main loop (a game, a
/// GUI, an event loop) that must never block on the network.
///
///     pa::transports::curl_multi_transport http;            // same options as curl_transport
///     pa::async_m2m_client client{&http, cfg};
///     while (running) {                                     // each frame:
///       http.poll();                                        // never blocks
///       …
///     }
///
/// - async_send() sets up an easy handle (the same checks, options, limits and error mapping
///   as curl_transport: both share one implementation) and adds it to the multi handle. It
///   never calls back from inside: even a request refused at once (a bad URL) is reported by
///   the next poll().
/// - poll() performs whatever network work is possible right now without waiting and then calls
///   the callbacks of finished requests, on the calling thread. run_once(timeout) first waits
///   up to `timeout` for activity (curl_multi_poll), for loops that may sleep.
/// - Callbacks may call async_send() (a new request starts on a later poll) and poll(). They
///   must not destroy the transport.
/// - Connections, TLS sessions and DNS answers are shared by all transfers (libcurl's multi
///   connection cache); finished easy handles are kept for reuse (up to `max_idle`).
/// - The request's body and header values are wiped when its transfer ends (they may carry
///   client credentials or a token).
/// - Destruction calls the callback of every request not yet answered with
///   errc::transport_failed ("the transport was destroyed"); a request sent from such a callback
///   gets the same answer at once.
///
/// Not thread-safe: every call (and so every callback) on one thread, the loop's. Movable (a
/// moved-from transport may only be destroyed or assigned to); not copyable.
class curl_multi_transport {
 public:
  /// What async_send takes: called once with the outcome.
  using callback_type = detail::unique_function<void(result<http_response>)>;

  /// Default options (see curl_options).
  curl_multi_transport() : curl_multi_transport(curl_options{}) {}
  /// Given options; keeps at most `max_idle` finished easy handles for reuse.
  explicit curl_multi_transport(curl_options options, std::size_t max_idle = 8)
      : s_(std::make_unique<state>(std::move(options), max_idle)) {}
  ///@{
  /// Movable (the requests in flight move with it; a moved-from transport may only be destroyed
  /// or assigned to).
  curl_multi_transport(curl_multi_transport&&) noexcept = default;
  curl_multi_transport& operator=(curl_multi_transport&& o) noexcept {
    if (this != &o) {
      close();
      s_ = std::move(o.s_);
    }
    return *this;
  }
  ///@}
  curl_multi_transport(const curl_multi_transport&) = delete;
  curl_multi_transport& operator=(const curl_multi_transport&) = delete;
  ~curl_multi_transport() { close(); }

  /// The options it was created with.
  [[nodiscard]] const curl_options& options() const noexcept { return s_->options; }

  /// Starts `request`; `callback(result<http_response>)` is called exactly once, from a later
  /// poll() / run_once() or from the destructor. Errors: as curl_transport::send(), plus
  /// errc::transport_failed when libcurl's multi interface fails or the transport is being
  /// destroyed.
  template <class F>
  void async_send(http_request request, F callback) {
    auto node =
        std::make_unique<transfer_node>(std::move(request), std::move(callback), take_handle());
    start(std::move(node));
  }

  /// Performs the network work possible now without waiting, then calls the callbacks of the
  /// requests that finished. Returns how many callbacks ran.
  std::size_t poll() {
    perform();
    return deliver();
  }

  /// As poll(), but when nothing is finished yet, first waits up to `timeout` for network
  /// activity. Returns at once when nothing is pending.
  std::size_t run_once(std::chrono::milliseconds timeout) {
    if (s_->ready.empty() && !s_->running.empty()) {
      perform();
      if (s_->ready.empty() && !s_->running.empty() && s_->multi) {
        int fds = 0;
        const int ms = timeout.count() < 0 ? 0 : static_cast<int>(timeout.count());
#if LIBCURL_VERSION_NUM >= 0x074200  // curl_multi_poll: 7.66.0
        (void)curl_multi_poll(s_->multi.get(), nullptr, 0, ms, &fds);
#else
        (void)curl_multi_wait(s_->multi.get(), nullptr, 0, ms, &fds);
#endif
        perform();
      }
    }
    return deliver();
  }

  /// Requests sent whose callback has not run yet.
  [[nodiscard]] std::size_t pending() const noexcept {
    return s_ ? s_->running.size() + s_->ready.size() : 0;
  }

 private:
  struct transfer_node {
    transfer_node(http_request r, callback_type cb, curl_transport h)
        : request(std::move(r)), callback(std::move(cb)), easy(std::move(h)) {}
    http_request request;
    callback_type callback;
    curl_transport easy;
    curl_transport::transfer transfer;
    result<http_response> outcome;
  };
  using node_ptr = std::unique_ptr<transfer_node>;

  struct state {
    state(curl_options o, std::size_t m) : options(std::move(o)), max_idle(m) {
      if (detail::curl_global_status() == CURLE_OK) multi.reset(curl_multi_init());
    }
    curl_options options;
    std::size_t max_idle;
    std::unique_ptr<CURLM, detail::curl_multi_deleter> multi;  // destroyed last
    std::vector<curl_transport> idle;
    std::vector<node_ptr> running;  // added to the multi handle
    std::deque<node_ptr> ready;     // finished: callback due
    bool closing = false;
  };

  curl_transport take_handle() {
    if (s_->idle.empty()) return curl_transport(s_->options);
    curl_transport h = std::move(s_->idle.back());
    s_->idle.pop_back();
    return h;
  }

  /// Finished with `n`'s handle (already reset by end()): keep it for reuse, wipe the request.
  void retire(transfer_node& n) {
    if (s_->idle.size() < s_->max_idle) s_->idle.push_back(std::move(n.easy));
    detail::secure_wipe(n.request.body);
    for (const auto& field : n.request.headers)
      // header_list only hands out const iterators; the strings it owns are not const objects.
      detail::secure_wipe(const_cast<std::string&>(field.second));
  }

  /// Ends `n` with `e` (its handle, if any, already reset): the callback runs on delivery.
  void finish_now(node_ptr n, error e) {
    retire(*n);
    n->outcome = unexpected<error>(std::move(e));
    s_->ready.push_back(std::move(n));
  }

  void start(node_ptr n) {
    if (s_->closing) {
      return finish_now(std::move(n), error(errc::transport_failed,
                                            "curl_multi_transport: the transport was destroyed "
                                            "before the request could be sent"));
    }
    if (!s_->multi) {
      return finish_now(std::move(n),
                        error(errc::transport_failed,
                              "curl_multi_transport: curl_multi_init (or curl_global_init) failed: "
                              "libcurl cannot be used in this process"));
    }
    result<CURLcode> setup = n->easy.begin(n->request, n->transfer);
    if (!setup) return finish_now(std::move(n), std::move(setup).error());
    if (*setup != CURLE_OK) {
      n->outcome = n->easy.end(n->request, n->transfer, *setup);
      retire(*n);
      s_->ready.push_back(std::move(n));
      return;
    }
    const CURLMcode added = curl_multi_add_handle(s_->multi.get(), n->easy.easy_.get());
    if (added != CURLM_OK) {
      (void)n->easy.end(n->request, n->transfer, CURLE_FAILED_INIT);  // resets the handle
      return finish_now(std::move(n),
                        error(errc::transport_failed,
                              std::string("curl_multi_transport: could not add the transfer (") +
                                  curl_multi_strerror(added) + ")"));
    }
    s_->running.push_back(std::move(n));
  }

  /// Removes the running transfer on handle `h` and returns its node.
  node_ptr detach(CURL* h) {
    for (auto it = s_->running.begin(); it != s_->running.end(); ++it) {
      if ((*it)->easy.easy_.get() != h) continue;
      node_ptr n = std::move(*it);
      s_->running.erase(it);
      (void)curl_multi_remove_handle(s_->multi.get(), h);
      return n;
    }
    return nullptr;
  }

  void perform() {
    if (!s_ || s_->running.empty()) return;
    int still_running = 0;
    const CURLMcode mc = curl_multi_perform(s_->multi.get(), &still_running);
    if (mc != CURLM_OK) {
      abort_all(std::string("curl_multi_transport: curl_multi_perform failed (") +
                curl_multi_strerror(mc) + ")");
      return;
    }
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(s_->multi.get(), &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* h = m->easy_handle;
      const CURLcode rc = m->data.result;  // read before removing: m dies with the handle
      node_ptr n = detach(h);
      if (!n) continue;
      n->outcome = n->easy.end(n->request, n->transfer, rc);
      retire(*n);
      s_->ready.push_back(std::move(n));
    }
  }

  /// Ends every running transfer with errc::transport_failed and `message`.
  void abort_all(const std::string& message) {
    while (!s_->running.empty()) {
      node_ptr n = detach(s_->running.back()->easy.easy_.get());
      (void)n->easy.end(n->request, n->transfer, CURLE_ABORTED_BY_CALLBACK);  // resets it
      finish_now(std::move(n), error(errc::transport_failed, message));
    }
  }

  std::size_t deliver() {
    std::size_t n = 0;
    while (s_ && !s_->ready.empty()) {
      node_ptr done = std::move(s_->ready.front());
      s_->ready.pop_front();
      done->callback(std::move(done->outcome));
      ++n;
    }
    return n;
  }

  void close() {
    if (!s_) return;
    s_->closing = true;
    abort_all("curl_multi_transport: the transport was destroyed before the answer arrived");
    (void)deliver();  // callbacks sending again get "destroyed" answers, delivered here too
    s_.reset();
  }

  std::unique_ptr<state> s_;
};

}  // namespace profile::auth::inline v0::transports

#endif  // PROFILE_AUTH_TRANSPORTS_CURL_MULTI_HPP
