// SPDX-License-Identifier: MIT
// profile-auth testing: fixed_adapter, any Transport as a FixedTransport, so that firmware code
// built on fixed_m2m_client runs on a host against fake_profile_api, a fake_transport or a real
// transport, without the board.
#ifndef PROFILE_AUTH_TESTING_FIXED_ADAPTER_HPP
#define PROFILE_AUTH_TESTING_FIXED_ADAPTER_HPP

#include <profile/auth/concepts.hpp>  // Transport
#include <profile/auth/config.hpp>
#include <profile/auth/detail/cached_token_driver.hpp>  // deref: by value, pointer or std::ref
#include <profile/auth/detail/http_date.hpp>            // parse_retry_after
#include <profile/auth/detail/wipe_request.hpp>         // wipe_sent_request
#include <profile/auth/fixed_m2m_client.hpp>            // fixed_request, fixed_response
#include <profile/auth/http.hpp>                        // http_request, http_response
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>  // secure_wipe of the answer

#include <chrono>   // system_clock: a Retry-After date
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint32_t seconds
#include <cstring>  // std::memcpy into the answer buffer
#include <span>     // the answer buffer
#include <string>   // the request's owned fields
#include <utility>  // std::move

namespace profile::auth::inline v0::testing {

/// A FixedTransport over a Transport `T` (held by value, or a pointer / std::ref to one): each
/// fixed_request becomes an http_request (POST, Accept, Content-Type, Authorization when given,
/// the body), the answer's body is copied into the caller's buffer (as much as fits; its full
/// size is reported), a transport error becomes status 0, and `Retry-After` (delta-seconds or
/// an HTTP-date) becomes seconds. The request (it carries the client secret) and the answer (it
/// carries the token) are wiped once copied. Host-side only: it allocates.
///
///     testing::fake_profile_api api(clock);
///     fixed_m2m_client client{testing::fixed_adapter(&api), profile::fixed_m2m_config(id, secret),
///                             clock};
template <class T>
class fixed_adapter {
  static_assert(Transport<detail::deref_t<T>>,
                "testing::fixed_adapter<T>: T (or what it points or refers to) must model "
                "profile::auth::Transport");

 public:
  /// Wraps `transport`.
  explicit fixed_adapter(T transport) : transport_(std::move(transport)) {}

  /// Sends `r` as an http_request through the wrapped transport. The answer's body is copied
  /// into `answer` when it fits (its size is reported either way); a failed send reports status 0.
  [[nodiscard]] fixed_response send(const fixed_request& r, std::span<char> answer) {
    http_request req;
    req.method = std::string(fixed_request::method);
    req.url = std::string(r.url);
    req.headers.add("Accept", std::string(fixed_request::accept));
    req.headers.add("Content-Type", std::string(r.content_type));
    if (!r.authorization.empty()) req.headers.add("Authorization", std::string(r.authorization));
    req.body = std::string(r.body);
    result<http_response> resp = detail::deref(transport_).send(req);
    detail::wipe_sent_request(req);
    if (!resp) return {};
    fixed_response f{resp->status, resp->body.size(), 0};
    if (resp->body.size() <= answer.size() && !resp->body.empty())
      std::memcpy(answer.data(), resp->body.data(), resp->body.size());
    if (const auto ra = resp->headers.find("Retry-After"))
      if (const auto s = detail::parse_retry_after(*ra, std::chrono::system_clock::now()))
        f.retry_after =
            s->count() > 0xFFFFFFFF ? 0xFFFFFFFFu : static_cast<std::uint32_t>(s->count());
    detail::secure_wipe(resp->body);
    return f;
  }

  /// The wrapped transport.
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return detail::deref(transport_); }

 private:
  T transport_;
};

/// Deduction guide: `fixed_adapter(t)` wraps t's type.
template <class T>
fixed_adapter(T) -> fixed_adapter<T>;

}  // namespace profile::auth::inline v0::testing

#endif  // PROFILE_AUTH_TESTING_FIXED_ADAPTER_HPP
