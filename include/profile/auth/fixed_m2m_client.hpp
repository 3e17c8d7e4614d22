// SPDX-License-Identifier: MIT
// profile-auth: fixed_m2m_client, a heap-free M2M token client for firmware (docs/firmware.md).
//
// Optional header: <profile/auth.hpp> does not include it. Include it where it is used.
#ifndef PROFILE_AUTH_FIXED_M2M_CLIENT_HPP
#define PROFILE_AUTH_FIXED_M2M_CLIENT_HPP

#include <profile/auth/concepts.hpp>                    // Clock, RandomSource
#include <profile/auth/config.hpp>                      // PROFILE_AUTH_ASSERT
#include <profile/auth/detail/backoff.hpp>              // random_duration
#include <profile/auth/detail/cached_token_driver.hpp>  // deref: transports by pointer or std::ref
#include <profile/auth/detail/fixed_token_reader.hpp>   // read_fixed_answer
#include <profile/auth/error.hpp>                       // errc, classify
#include <profile/auth/fixed_m2m_config.hpp>            // fixed_m2m_config, write_fixed_request
#include <profile/auth/grants/client_auth.hpp>          // content_type_of
#include <profile/auth/header.hpp>                      // is_b64token, bearer_prefix
#include <profile/auth/random.hpp>                      // random_u64, os_random
#include <profile/auth/refresh_policy.hpp>              // schedule_token
#include <profile/auth/secret.hpp>                      // secure_wipe
#include <profile/auth/token.hpp>                       // time_point, to_time_point
#include <profile/auth/token_cache.hpp>     // retry_rule_of, retry_instant: the cache's rule
#include <profile/auth/token_response.hpp>  // effective_lifetime

#include <chrono>       // std::chrono::steady_clock, lifetimes
#include <concepts>     // std::same_as
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t instants, std::uint32_t counters
#include <cstring>      // std::memcpy
#include <limits>       // "long ago"
#include <optional>     // last_error(), the Retry-After floor
#include <span>         // caller buffers
#include <string_view>  // every text
#include <type_traits>  // std::is_trivially_copyable_v
#include <utility>      // std::move

namespace profile::auth::inline v0 {

/// One token request as fixed_m2m_client hands it to its transport: views into the client,
/// valid during the send() call only.
struct fixed_request {
  std::string_view url;            ///< the token endpoint
  std::string_view content_type;   ///< application/json or application/x-www-form-urlencoded
  std::string_view authorization;  ///< "Basic …" for client_secret_basic, else empty (send none)
  std::string_view body;           ///< carries the client secret with client_secret_post
  /// The method: always POST.
  static constexpr std::string_view method = "POST";
  static constexpr std::string_view accept = "application/json";  ///< send it as `Accept`
};

/// What a FixedTransport reports back.
struct fixed_response {
  int status = 0;             ///< HTTP status; 0 = nothing received (DNS, connect, TLS, timeout)
  std::size_t body_size = 0;  ///< the body's full size; > answer.size() means it did not fit
  std::uint32_t retry_after = 0;  ///< Retry-After delta-seconds when the server sent one, else 0
};

/// FixedTransport: sends one fixed_request and writes the answer's body into a buffer.
///
/// | expression            | result           | meaning                                      |
/// |-----------------------|------------------|----------------------------------------------|
/// | `t.send(req, answer)` | `fixed_response` | POSTs `req` (a `const fixed_request&`) with  |
/// |                       |                  | `Accept`, `Content-Type` and, when not empty,|
/// |                       |                  | `Authorization`; writes up to answer.size()  |
/// |                       |                  | bytes of the body into `answer` (a           |
/// |                       |                  | `std::span<char>`) and reports the status    |
/// |                       |                  | (0 when nothing arrived), the body's full    |
/// |                       |                  | size and a Retry-After in delta-seconds (0:  |
/// |                       |                  | none); never throws                          |
///
/// It must not log the body or the Authorization value (they carry the client secret). Models:
/// the board's HTTP module (docs/firmware.md); tests/embedded/cortex_m4_fixed.cpp has one.
template <class T>
concept FixedTransport = requires(T& t, const fixed_request& req, std::span<char> answer) {
  { t.send(req, answer) } -> std::same_as<fixed_response>;
};

/// What went wrong: an errc and the HTTP facts, no text (firmware has no room and no log).
struct fixed_error {
  /// What went wrong.
  errc code{};
  int http_status = 0;            ///< 0 when no HTTP answer was involved
  std::uint32_t retry_after = 0;  ///< seconds, from the answer's Retry-After (0: none)
  /// Equal when every field is.
  friend constexpr bool operator==(const fixed_error&, const fixed_error&) = default;
};

/// How a caller should react to `e` (see classify(errc, int)).
[[nodiscard]] constexpr error_class classify(const fixed_error& e) noexcept {
  return classify(e.code, e.http_status);
}
/// True when trying again later may succeed.
[[nodiscard]] constexpr bool is_retryable(const fixed_error& e) noexcept {
  return classify(e) == error_class::retryable;
}

/// A value or a fixed_error: the part of std::expected a firmware needs. Reading the wrong
/// alternative is a contract violation (PROFILE_AUTH_ASSERT), never undefined behaviour.
template <class T>
class [[nodiscard]] fixed_result {
  static_assert(std::is_trivially_copyable_v<T>, "fixed_result holds small trivial values");

 public:
  /// A result holding the value `v`.
  constexpr fixed_result(T v) noexcept : value_(v), has_(true) {}  // NOLINT: implicit, as expected
  /// A result holding the error `e`.
  constexpr fixed_result(fixed_error e) noexcept : error_(e) {}  // NOLINT: implicit, as expected

  ///@{
  /// True when a value is held.
  [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_; }
  ///@}
  ///@{
  /// The value; reading it from an error is a contract violation (PROFILE_AUTH_ASSERT).
  [[nodiscard]] constexpr const T& value() const noexcept {
    PROFILE_AUTH_ASSERT(has_);
    return value_;
  }
  [[nodiscard]] constexpr const T& operator*() const noexcept { return value(); }
  [[nodiscard]] constexpr const T* operator->() const noexcept { return &value(); }
  ///@}
  /// The value, or `other` when an error is held.
  [[nodiscard]] constexpr T value_or(T other) const noexcept { return has_ ? value_ : other; }
  /// The error; reading it from a value is a contract violation (PROFILE_AUTH_ASSERT).
  [[nodiscard]] constexpr const fixed_error& error() const noexcept {
    PROFILE_AUTH_ASSERT(!has_);
    return error_;
  }

 private:
  T value_{};
  fixed_error error_{};
  bool has_ = false;
};

namespace detail {
#if !PROFILE_AUTH_NO_OS_RANDOM
using fixed_default_random = os_random;
#else
/// Bare metal has no default random source: fixed_m2m_client's static_assert asks for one.
struct fixed_default_random {};
#endif

}  // namespace detail

/// A machine-to-machine client for firmware: the client credentials grant, the token cached in
/// the client's own buffer, and a ready `Bearer …` value, with no heap at all (no std::string,
/// no std::vector, no operator new, no exceptions, no RTTI) and errors as fixed_error codes.
///
///     static profile::auth::fixed_m2m_client client{
///         my_http{}, profile::auth::profile::fixed_m2m_config(id, secret), board_clock{},
///         board_trng{}};
///     if (auto h = client.authorization_header()) send_api_call(*h);   // "Bearer eyJ…"
///
/// Template parameters:
/// - T, a FixedTransport, held by value (or a pointer / std::ref to one, used in place);
/// - C, a Clock (monotonic; std::chrono::steady_clock by default);
/// - R, a RandomSource for the refresh jitter and backoff delays (the OS's by default; bare
///   metal passes its TRNG);
/// - TokenCapacity: bytes for "Bearer <token>" (a longer token is errc::limit_exceeded);
/// - WorkCapacity: bytes for one exchange: the request (with the secret), then the answer in
///   the rest (a larger answer is errc::response_too_large). Wiped after every exchange.
///
/// The rules are m2m_client's with the single_threaded policy (docs/caching.md, and
/// docs/firmware.md for the differences): a valid token is returned without a request; inside
/// the refresh-ahead window the caller refreshes and, if that fails, still gets the valid token;
/// retryable failures back off (jittered, Retry-After as a floor); credential, configuration and
/// re-authentication errors are sticky until invalidate(). Answers are read with the flat JSON
/// reader only (read_fixed_answer). A configuration check_fixed_config() refuses, or a request
/// that does not fit WorkCapacity (errc::limit_exceeded), makes every call fail with that errc
/// and nothing is ever sent.
///
/// Single-threaded: call it from one thread (the main loop), or hold your own lock around every
/// call. Not copyable or movable (it holds the token); make it static or a member.
template <class T, class C = std::chrono::steady_clock, class R = detail::fixed_default_random,
          std::size_t TokenCapacity = 1024, std::size_t WorkCapacity = 2048>
class fixed_m2m_client {
  static_assert(FixedTransport<detail::deref_t<T>>,
                "fixed_m2m_client<T>: T (or what T points or refers to) must model "
                "profile::auth::FixedTransport: t.send(const fixed_request&, std::span<char>) "
                "-> fixed_response");
  static_assert(Clock<C>, "fixed_m2m_client<T, C>: C must model profile::auth::Clock");
  static_assert(RandomSource<R>,
                "fixed_m2m_client<T, C, R>: R must model profile::auth::RandomSource "
                "(bare-metal builds have no default: pass the board's TRNG)");
  static_assert(TokenCapacity > bearer_prefix.size(),
                "fixed_m2m_client: TokenCapacity must hold \"Bearer \" and a token");
  static_assert(WorkCapacity >= 256, "fixed_m2m_client: WorkCapacity must hold one exchange");

 public:
  ///@{
  /// The template arguments.
  using transport_type = T;
  using clock_type = C;
  using random_type = R;
  static constexpr std::size_t token_capacity = TokenCapacity;
  static constexpr std::size_t work_capacity = WorkCapacity;
  ///@}

  /// Checks `config` (see the class comment); nothing is sent yet.
  fixed_m2m_client(T transport, const fixed_m2m_config& config, C clock = C{}, R random = R{})
      : transport_(std::move(transport)),
        clock_(std::move(clock)),
        random_(std::move(random)),
        config_(config),
        config_error_(detail::check_fixed_config(config)) {
    if (config_error_ == errc{} && detail::write_fixed_request(config_, {}).needed > WorkCapacity)
      config_error_ = errc::limit_exceeded;
  }
  fixed_m2m_client(const fixed_m2m_client&) = delete;
  fixed_m2m_client& operator=(const fixed_m2m_client&) = delete;
  ~fixed_m2m_client() { detail::secure_wipe(header_, sizeof header_); }

  /// "Bearer <token>" valid now, fetching a token first when needed. The view is valid until
  /// the next call on this client. Errors: the configuration's errc; errc::transport_failed,
  /// errc::response_too_large, the server's OAuth errc (errc::invalid_client …),
  /// errc::http_error, errc::malformed_response, errc::unsupported_token_type,
  /// errc::invalid_header_value (not a b64token), errc::limit_exceeded (longer than
  /// TokenCapacity); during a backoff or after a sticky error, the last one again.
  [[nodiscard]] fixed_result<std::string_view> authorization_header() {
    const std::int64_t t = now_ns();
    if (size_ != 0 && t < refresh_at_) [[likely]]
      return header();
    return slow(t);
  }

  /// The access token alone (a view, same lifetime and errors as authorization_header()).
  [[nodiscard]] fixed_result<std::string_view> access_token() {
    const fixed_result<std::string_view> h = authorization_header();
    if (!h) return h.error();
    return std::string_view(h->data() + bearer_prefix.size(), h->size() - bearer_prefix.size());
  }

  /// Writes "Bearer <token>" into `out` (no terminating NUL) and returns its size. Errors: as
  /// authorization_header(), and errc::limit_exceeded when `out` is too small (nothing written).
  [[nodiscard]] fixed_result<std::size_t> write_authorization_header(std::span<char> out) {
    const fixed_result<std::string_view> h = authorization_header();
    if (!h) return h.error();
    if (out.size() < h->size()) return fixed_error{errc::limit_exceeded};
    std::memcpy(out.data(), h->data(), h->size());
    return h->size();
  }

  /// Forgets (and wipes) the token, the last error and the backoff: the next call fetches.
  /// Call it after the API answered 401 to the token; it also retries a sticky error. (A
  /// configuration error stays: the configuration does not change.)
  void invalidate() noexcept {
    drop();
    last_ = fixed_error{};
    retry_not_before_ = long_ago;
  }

  /// The configuration's errc, or the last token request's error while it stands (until a
  /// token arrives or invalidate()); nullopt otherwise.
  [[nodiscard]] std::optional<fixed_error> last_error() const noexcept {
    if (config_error_ != errc{}) return fixed_error{config_error_};
    if (last_.code != errc{}) return last_;  // a standing failure
    return std::nullopt;
  }
  /// Token requests handed to the transport so far.
  [[nodiscard]] std::uint32_t token_requests() const noexcept { return requests_; }

  /// The transport (through the pointer or reference wrapper it was given as).
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return detail::deref(transport_); }
  /// The clock.
  [[nodiscard]] C& clock() noexcept { return clock_; }
  /// The configuration.
  [[nodiscard]] const fixed_m2m_config& config() const noexcept { return config_; }

 private:
  static constexpr std::int64_t long_ago = std::numeric_limits<std::int64_t>::min();

  std::int64_t now_ns() { return to_time_point(clock_.now()).time_since_epoch().count(); }
  std::string_view header() const noexcept { return {header_, size_}; }
  void drop() noexcept {
    detail::secure_wipe(header_, size_);
    size_ = 0;
  }

  fixed_result<std::string_view> slow(std::int64_t t) {
    if (config_error_ != errc{}) return fixed_error{config_error_};
    if (size_ != 0 && t >= usable_until_) drop();  // expired: of no use, and a secret
    if (t < retry_not_before_) {                   // backing off, or a sticky error stands
      if (size_ != 0) return header();
      return last_;
    }
    const std::int64_t at = exchange();
    if (size_ != 0 && at < usable_until_) return header();
    drop();
    return last_;
  }

  /// One token request: writes it, sends it, reads the answer, wipes the work buffer, and
  /// records the outcome. Returns the answer's arrival instant.
  std::int64_t exchange() {
    ++requests_;
    const detail::fixed_layout l = detail::write_fixed_request(config_, work_);
    const fixed_request req{config_.token_url, content_type_of(config_.format),
                            std::string_view(work_, l.authorization),
                            std::string_view(work_ + l.authorization, l.body)};
    const std::size_t used = l.authorization + l.body;
    const std::span<char> answer(work_ + used, WorkCapacity - used);
    const fixed_response resp = detail::deref(transport_).send(req, answer);
    const std::int64_t at = now_ns();
    const std::uint64_t bits = detail::random_u64(random_);
    fixed_error e{errc{}, resp.status, resp.retry_after};
    if (resp.status == 0) {
      e = fixed_error{errc::transport_failed};
    } else if (resp.body_size > answer.size()) {
      e.code = errc::response_too_large;
    } else {
      const detail::fixed_answer a =
          detail::read_fixed_answer(resp.status, answer.first(resp.body_size));
      e.code = a.code != errc{} ? a.code : store(a, at, bits);
    }
    detail::secure_wipe(work_, sizeof work_);  // the request's secret, the answer's token
    if (e.code == errc{}) {
      consecutive_ = 0;
      last_ = fixed_error{};
      retry_not_before_ = long_ago;
    } else {
      if (consecutive_ != std::numeric_limits<std::uint32_t>::max()) ++consecutive_;
      const std::optional<std::chrono::seconds> ra =
          e.retry_after != 0 ? std::optional<std::chrono::seconds>(e.retry_after) : std::nullopt;
      retry_not_before_ = detail::retry_instant(
          config_.backoff, detail::retry_rule_of(classify(e), failure_origin::response),
          consecutive_, bits, ra, at);
      last_ = e;
    }
    return at;
  }

  /// Replaces the cached token with the one in `a` (received at `at`), or leaves everything as
  /// it was and returns why it cannot be used.
  errc store(const detail::fixed_answer& a, std::int64_t at, std::uint64_t bits) noexcept {
    const std::string_view tok = a.access_token;
    if (!is_b64token(tok)) return errc::invalid_header_value;
    if (tok.size() > TokenCapacity - bearer_prefix.size()) return errc::limit_exceeded;
    const std::chrono::seconds life =
        detail::effective_lifetime(a.lifetime, config_.assumed_lifetime, config_.max_lifetime);
    if (life.count() <= 0) return errc::malformed_response;  // expires on arrival
    const time_point received{std::chrono::nanoseconds(at)};
    const detail::token_schedule s =
        detail::schedule_token(received, received + life, config_.refresh,
                               detail::random_duration(bits, config_.refresh.max_jitter));
    drop();
    std::memcpy(header_, bearer_prefix.data(), bearer_prefix.size());
    std::memcpy(header_ + bearer_prefix.size(), tok.data(), tok.size());
    size_ = bearer_prefix.size() + tok.size();
    usable_until_ = s.usable_until.time_since_epoch().count();
    refresh_at_ = s.refresh_at.time_since_epoch().count();
    return errc{};
  }

  T transport_;
  C clock_;
  R random_;
  fixed_m2m_config config_;
  errc config_error_;
  std::uint32_t requests_ = 0;
  std::uint32_t consecutive_ = 0;  // failed token requests in a row (kept by invalidate())
  fixed_error last_{};             // the standing failure (code errc{}: none)
  std::size_t size_ = 0;           // bytes of "Bearer <token>" in header_ (0: no token)
  std::int64_t usable_until_ = 0, refresh_at_ = 0, retry_not_before_ = long_ago;
  char header_[TokenCapacity];
  char work_[WorkCapacity];
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_FIXED_M2M_CLIENT_HPP
