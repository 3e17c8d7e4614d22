// SPDX-License-Identifier: MIT
// profile-auth: m2m_client, a cached, self-refreshing client credentials (M2M) token driver.
#ifndef PROFILE_AUTH_M2M_CLIENT_HPP
#define PROFILE_AUTH_M2M_CLIENT_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/cached_token_driver.hpp>
#include <profile/auth/grants/client_credentials.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/lock_policy.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/token_cache.hpp>
#include <profile/auth/token_response.hpp>

#include <chrono>   // std::chrono::steady_clock (default Clock), system_clock for Retry-After dates
#include <cstddef>  // std::size_t
#include <span>     // write_authorization_header's buffer
#include <string>   // the copying read path
#include <string_view>  // the no-copy read path
#include <utility>      // std::move

namespace profile::auth::inline v0 {

namespace detail {
/// The client credentials grant as a TokenSource.
class client_credentials_source {
 public:
  explicit client_credentials_source(client_credentials_config&& config)
      : config_(std::move(config)) {}

  [[nodiscard]] result<http_request> request() { return client_credentials_request(config_); }

  [[nodiscard]] result<token> accept(const http_response& r, time_point received_at) {
    token_parse_options o;
    o.endpoint_name = "token endpoint";
    // A `Retry-After: <HTTP-date>` is relative to the wall clock: read it only for such an
    // answer (delta-seconds, the usual form, needs none). PROFILE_AUTH_NO_HTTP_DATE ignores
    // dates, so that build never reads the wall clock (nor links the C library's time code).
    if constexpr (!PROFILE_AUTH_NO_HTTP_DATE)
      if (!r.ok() && has_date_retry_after(r)) o.wall_clock_now = std::chrono::system_clock::now();
    credential_list sent;  // a server may quote the secret (or Basic credential) it was sent
    sent.add_client_of(config_);
    o.redact = &sent;
    return parse_token_response(r, received_at, o);
  }

  [[nodiscard]] const client_credentials_config& config() const noexcept { return config_; }

 private:
  static bool has_date_retry_after(const http_response& r) noexcept {
    const auto v = r.headers.find("Retry-After");
    if (!v) return false;
    for (const char c : *v)
      if ((c < '0' || c > '9') && c != ' ' && c != '\t') return true;
    return false;
  }

  client_credentials_config config_;
};

// Compiled mode: the library compiles the token flight of m2m_client's defaults (steady_clock,
// os_random; either lock policy) once, the transport being reached through transport_ref; a
// service's translation units only call it. Other parameters are instantiated where used.
#if PROFILE_AUTH_SEPARATE_COMPILATION && !PROFILE_AUTH_NO_OS_RANDOM
#if PROFILE_AUTH_DEFINITIONS
#define PROFILE_AUTH_DETAIL_INSTANTIATION template
#else
#define PROFILE_AUTH_DETAIL_INSTANTIATION extern template
#endif
#define PROFILE_AUTH_DETAIL_M2M_FLIGHT(P)                                               \
  PROFILE_AUTH_DETAIL_INSTANTIATION token_cache<P>::decision                            \
  run_token_flight<std::chrono::steady_clock, P, os_random, client_credentials_source>( \
      token_cache<P>&, const token_cache<P>::ticket&, const transport_ref&,             \
      std::chrono::steady_clock&, os_random&, client_credentials_source&)
PROFILE_AUTH_DETAIL_M2M_FLIGHT(single_threaded);
#if !PROFILE_AUTH_NO_THREADS
PROFILE_AUTH_DETAIL_M2M_FLIGHT(thread_safe);
#endif
#undef PROFILE_AUTH_DETAIL_INSTANTIATION
#undef PROFILE_AUTH_DETAIL_M2M_FLIGHT
#endif
}  // namespace detail

/// A machine-to-machine client: gets a token with the client credentials grant, caches it, and
/// keeps handing out a valid `Authorization: Bearer …` from then on.
///
///     profile::auth::m2m_client client{transport, profile::auth::profile::m2m_config(id, sec)};
///     auto h = client.authorization_header();               // "Bearer eyJ…" or an error
///     auto r = client.send(profile::auth::profile::test_request());
///
/// Template parameters (CTAD deduces T and C from the constructor):
/// - T, the Transport, held by value. For a transport that cannot or should not be copied,
///   pass `&transport` or `std::ref(transport)`: the client then uses it in place (it must
///   outlive the client).
/// - C, a Clock (std::chrono::steady_clock; tests use testing::manual_clock), by value.
/// - P, a LockPolicy: thread_safe (default; every member may be called from any thread) or
///   single_threaded (no atomics, no mutexes; one thread only).
/// - R, a RandomSource for the refresh jitter and the backoff delays (os_random).
///
/// Behaviour (docs/caching.md):
/// - a valid cached token is read without a lock, an allocation (view forms) or any write to
///   shared memory;
/// - any number of callers finding no valid token cause one token request and share its result;
/// - inside the refresh-ahead window the first caller refreshes (in its own thread, on its own
///   time) while everyone else keeps getting the still-valid token;
/// - a failed refresh never discards a valid token; retryable failures back off (1 s doubling
///   to 60 s, jittered, Retry-After as a floor); credential and configuration errors are sticky
///   until invalidate().
///
/// The configuration is checked on the first token request: a bad one (errc::invalid_argument,
/// invalid_url, insecure_endpoint) is the error value of that call and of every later one until
/// invalidate(); nothing is sent.
///
/// Not copyable or movable (the cache holds atomics that other threads read); hold it in a
/// std::unique_ptr or similar if it has to move.
template <class T, class C = std::chrono::steady_clock, class P = default_lock_policy,
          class R = os_random>
class m2m_client {
  static_assert(Transport<detail::deref_t<T>>,
                "m2m_client<T>: T (or what T points or refers to) must model "
                "profile::auth::Transport: t.send(const http_request&) -> result<http_response>");
  static_assert(Clock<C>, "m2m_client<T, C>: C must model profile::auth::Clock");
  static_assert(LockPolicy<P>, "m2m_client<T, C, P>: P must model profile::auth::LockPolicy");
  static_assert(RandomSource<R>,
                "m2m_client<T, C, P, R>: R must model profile::auth::RandomSource");

  using core_type = detail::cached_token_driver<T, C, P, R, detail::client_credentials_source>;

 public:
  ///@{
  /// The template arguments, and the cache options' type.
  using transport_type = T;
  using clock_type = C;
  using lock_policy = P;
  using random_type = R;
  using options_type = token_cache_options;
  ///@}

  /// Nothing is sent and nothing is checked yet: the first call that needs a token does both.
  m2m_client(T transport, client_credentials_config config, C clock = C{},
             token_cache_options options = {}, R random = R{})
      : core_(std::move(transport), detail::client_credentials_source(std::move(config)),
              std::move(clock), options, std::move(random)) {}
  m2m_client(const m2m_client&) = delete;
  m2m_client& operator=(const m2m_client&) = delete;

  /// "Bearer <token>" (a copy), fetching or refreshing the token when needed.
  /// Errors: those of the token request (configuration, transport, the server's OAuth error,
  /// a malformed answer) or, during backoff / after a sticky error, the last one.
  [[nodiscard]] result<std::string> authorization_header() { return core_.authorization_header(); }

  /// Like authorization_header() without copying: a view of the cached value. Valid until the
  /// token has been replaced twice more and options.reclaim_grace (60 s) has passed since it
  /// was replaced (thread_safe), or until the next call on this client (single_threaded).
  /// Use it for the request being built right now; never store it.
  [[nodiscard]] result<std::string_view> authorization_header_view() {
    return core_.authorization_header_view();
  }

  /// Writes "Bearer <token>" into `out` (no terminating NUL) and returns its size: no copy into
  /// a std::string, no lifetime rule. Errors: as authorization_header(), and
  /// errc::limit_exceeded when `out` is too small (nothing written).
  [[nodiscard]] result<std::size_t> write_authorization_header(std::span<char> out) {
    return core_.write_authorization_header(out);
  }

  /// The access token alone, as a secret (a copy). Errors: as authorization_header().
  [[nodiscard]] result<secret> access_token() { return core_.access_token(); }

  /// The access token alone, without a copy; same lifetime rule as authorization_header_view().
  [[nodiscard]] result<std::string_view> access_token_view() { return core_.access_token_view(); }

  /// Sends `request` with `Authorization: Bearer <token>` (replacing any Authorization field).
  ///
  /// Where the token goes: only to an https URL (plain http only to localhost, 127.0.0.0/8 or
  /// ::1, unless config().allow_insecure_http) whose origin the configuration names: the token
  /// endpoint's, a `resource` or `audience` that is an https URL, or an entry of `api_origins`
  /// (profile::m2m_config() puts its base URL there). Anything else (another host or port,
  /// ftp://, "https://api.example.com@evil.example") is errc::invalid_url and nothing is sent.
  ///
  /// If the answer is a 401 that rejects the token (no WWW-Authenticate, or a Bearer challenge
  /// without error or with error="invalid_token"), drops exactly that token (not a newer one
  /// another thread already fetched), gets a valid one and sends once more; that second answer
  /// is returned as it is, 401 included. When the API has rejected
  /// options().token_rejection_limit tokens in a row (2: the fresh one too), no new token is
  /// requested before a backoff, and calls meanwhile fail with errc::token_rejected without
  /// sending anything; a successful answer ends the row. A 401 with error="insufficient_scope"
  /// or another scheme's challenge is returned at once. HTTP statuses are answers, not errors.
  /// Errors: errc::invalid_url (the destination), errc::token_rejected, the transport's, or the
  /// token errors of authorization_header().
  [[nodiscard]] result<http_response> send(http_request request) {
    return core_.send(std::move(request));
  }

  /// Forgets the cached token, the last error and the backoff: the next call fetches a new
  /// token. This is also how a sticky error (bad credentials, configuration) is retried.
  void invalidate() { core_.invalidate(); }

  /// Counters (relaxed, never blocks): token requests, new tokens, failures, refreshes ahead,
  /// callers that waited, invalidations.
  [[nodiscard]] token_cache_stats stats() const noexcept { return core_.stats(); }

  /// The transport (what T points or refers to, for a pointer or std::ref).
  [[nodiscard]] detail::deref_t<T>& transport() noexcept { return core_.transport(); }
  /// The clock.
  [[nodiscard]] C& clock() noexcept { return core_.clock(); }
  /// The configuration.
  [[nodiscard]] const client_credentials_config& config() const noexcept {
    return core_.source().config();
  }
  /// The cache options.
  [[nodiscard]] const token_cache_options& options() const noexcept {
    return core_.cache().options();
  }

 private:
  core_type core_;
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_M2M_CLIENT_HPP
