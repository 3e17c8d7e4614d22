// SPDX-License-Identifier: MIT
// profile-auth: a Transport over Boost.Beast, Boost.Asio and OpenSSL (optional; include it
// yourself, link OpenSSL and your threads library).
#ifndef PROFILE_AUTH_TRANSPORTS_BEAST_HPP
#define PROFILE_AUTH_TRANSPORTS_BEAST_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/request_target.hpp>  // the request checks transports share
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>  // secure_wipe: the wiping allocator of Beast's buffers
#include <profile/auth/version.hpp>

#include <boost/asio/buffer.hpp>             // the CA PEM handed to the TLS context
#include <boost/asio/connect.hpp>            // async_connect tries every resolved address
#include <boost/asio/io_context.hpp>         // each transport runs its I/O on its own loop
#include <boost/asio/ip/tcp.hpp>             // resolver and socket
#include <boost/asio/ssl.hpp>                // ssl::context, ssl::stream and their errors
#include <boost/beast/core/flat_buffer.hpp>  // the read buffer
#include <boost/beast/http.hpp>              // request serializer, response parser

#include <openssl/ssl.h>     // SNI, SSL_set1_host, minimum protocol version
#include <openssl/x509v3.h>  // X509_VERIFY_PARAM_set1_ip_asc, X509_CHECK_FLAG_*

#include <algorithm>  // std::min
#include <chrono>     // timeouts and deadlines
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint32_t header limit
#include <exception>  // std::exception, caught when exceptions are on
#include <limits>     // the largest header limit Beast takes
#include <memory>     // unique_ptr owns loop, TLS context, connection; shared_ptr a DNS answer
#include <optional>   // the TLS context and the parser are built on demand
#include <string>     // options, messages, header values
#include <utility>    // std::move

namespace profile::auth::inline v0::transports {

/// Options of beast_transport. The defaults are safe for talking to an OAuth server.
struct beast_options {
  /// Time allowed for DNS + TCP connect + TLS handshake. Zero: only `timeout` applies.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Time allowed for the whole exchange, connect included. Zero means no limit (not advised: a
  /// stalled server would then block the caller, and a token refresh with it, forever).
  std::chrono::milliseconds timeout{30'000};
  /// PEM file of trusted CAs. CA sources add up; with none of ca_file, ca_path and ca_pem,
  /// OpenSSL's default store is used (SSL_CTX_set_default_verify_paths).
  std::string ca_file;
  /// Directory of hashed CA certificates (c_rehash layout).
  std::string ca_path;
  /// Trusted CAs as PEM text in memory (one or more certificates).
  std::string ca_pem;
  /// Verify the server's certificate chain. Turning this off lets anyone on the path read every
  /// token and secret you send: only for a throwaway test server, never in production.
  bool verify_peer = true;
  /// Verify that the certificate names the host in the URL (a DNS name, or an IP address
  /// SAN for IP literals). Checked as part of the chain, so it needs verify_peer.
  bool verify_host = true;
  /// Largest response body accepted. A body announced larger (Content-Length) is refused before
  /// it is read; a longer one is cut off while receiving. Both give errc::response_too_large.
  std::size_t max_response_bytes = std::size_t{1} << 20;
  /// Largest status line + header block accepted; past it: errc::response_too_large.
  std::size_t max_header_bytes = std::size_t{64} << 10;
  /// Sent as User-Agent unless the request carries its own. Empty: none is sent.
  std::string user_agent = "profile-auth/" PROFILE_AUTH_VERSION_STRING;
  /// Keep the connection open after an answer that allows it, and reuse it for the next request
  /// to the same scheme, host and port. false: every request opens a new connection.
  bool keep_alive = true;
};

}  // namespace profile::auth::inline v0::transports

namespace profile::auth::inline v0::detail {

/// std::allocator that wipes every block before giving it back. Beast's header fields, bodies
/// and read buffer hold credentials and tokens, and grow by reallocation: with this allocator
/// no copy they free still holds them.
template <class T>
struct beast_wiping_allocator {
  using value_type = T;
  beast_wiping_allocator() noexcept = default;
  template <class U>
  beast_wiping_allocator(const beast_wiping_allocator<U>&) noexcept {}  // NOLINT: rebinding
  [[nodiscard]] T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
};
template <class T, class U>
[[nodiscard]] constexpr bool operator==(const beast_wiping_allocator<T>&,
                                        const beast_wiping_allocator<U>&) noexcept {
  return true;
}

namespace beast_ns {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using sys_error = boost::system::error_code;
using clock = std::chrono::steady_clock;
using tls_stream = boost::asio::ssl::stream<tcp::socket>;
using wiping_fields = http::basic_fields<beast_wiping_allocator<char>>;
using wiping_body =
    http::basic_string_body<char, std::char_traits<char>, beast_wiping_allocator<char>>;
using wiping_buffer = boost::beast::basic_flat_buffer<beast_wiping_allocator<char>>;
}  // namespace beast_ns

/// Empties `b` and wipes all of its storage (the last answer's bytes stay there otherwise).
inline void beast_wipe(beast_ns::wiping_buffer& b) {
  b.consume(b.size());
  const auto all = b.prepare(b.capacity());  // within the capacity: no reallocation
  secure_wipe(all.data(), all.size());
}

/// Runs `ioc` until the operation that sets `done` has completed, or until `deadline`. On the
/// deadline, `cancel()` aborts the operation (it closes the socket or cancels the resolver) and,
/// with `wait_for_abort`, the loop runs on until the aborted handler has run, so that no handler
/// outlives the frame it points into. Returns false when the deadline came first.
/// (Boost 1.74's beast::tcp_stream offers per-operation expiry too, but it uses try/catch and so
/// does not compile with g++ -fno-exceptions.)
template <class Cancel>
bool beast_run(boost::asio::io_context& ioc, const bool& done, beast_ns::clock::time_point deadline,
               Cancel cancel, bool wait_for_abort = true) {
  ioc.restart();
  while (!done && !ioc.stopped()) {
    if (deadline == beast_ns::clock::time_point::max()) {
      ioc.run_one();
    } else if (ioc.run_one_until(deadline) == 0 && beast_ns::clock::now() >= deadline) {
      break;
    }
  }
  if (done) return true;
  cancel();
  if (!wait_for_abort) return false;
  ioc.restart();
  while (!done && ioc.run_one() != 0) {
  }
  return false;
}

/// Everything a beast_transport owns, on the heap so that the transport itself moves cheaply.
/// Declaration order is destruction order reversed: connections go before the loop.
struct beast_state {
  boost::asio::io_context ioc{1};
  std::optional<boost::asio::ssl::context> tls;  // built on the first https request
  std::unique_ptr<beast_ns::tcp::socket> plain;
  std::unique_ptr<beast_ns::tls_stream> secure;
  std::string connection_origin;   // "scheme://host:port" of the open connection, if any
  beast_ns::wiping_buffer buffer;  // wiped after every exchange, and when freed

  void close() noexcept {
    beast_ns::sys_error ignored;
    if (plain) plain->close(ignored);
    if (secure) secure->next_layer().close(ignored);
    plain.reset();
    secure.reset();
    connection_origin.clear();
    buffer.consume(buffer.size());
  }
  [[nodiscard]] bool is_open() const noexcept {
    return (plain && plain->is_open()) || (secure && secure->next_layer().is_open());
  }
};

}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::transports {

/// A blocking Transport over Boost.Beast (HTTP/1.1) and Boost.Asio, with TLS from OpenSSL.
///
/// - One connection is kept alive per transport object and reused by the next request to the
///   same scheme, host and port (a request to another origin closes it and opens a new one).
///   A reused connection that the server had closed meanwhile is detected on write or on an
///   empty read, and the request is sent once more on a fresh connection.
/// - TLS: certificate chain and host name verified by default, SNI sent for DNS names, TLS 1.2
///   at least. The TLS context is built on the first https request from the CA options.
/// - Redirects are never followed: a 3xx is returned as the answer. Only http:// and https://
///   URLs are accepted; user information in the URL is refused. No proxy is used.
/// - The request goes out as given: method, every header in order, body. Duplicates are kept
///   in order, but Beast sends a repeated name right after the earlier fields of that name.
///   Added: Host (unless present), User-Agent (unless present), Content-Length (computed: any
///   Content-Length or Transfer-Encoding in the request is replaced).
/// - The response carries the final status, its header fields in order (duplicates kept; interim
///   1xx answers are skipped) and the body.
///
/// Not thread-safe: use one beast_transport per thread. Movable, not copyable.
///
/// With -fno-exceptions, Boost needs `boost::throw_exception` defined once in the program (see
/// docs/transports.md); Boost calls it only for failures this transport cannot report otherwise
/// (e.g. out of memory creating the TLS context).
class beast_transport {
 public:
  /// Default options (see beast_options).
  beast_transport() : beast_transport(beast_options{}) {}
  /// Given options. Nothing is allocated or opened before the first send().
  explicit beast_transport(beast_options options) : options_(std::move(options)) {}
  beast_transport(const beast_transport&) = delete;
  beast_transport& operator=(const beast_transport&) = delete;
  ///@{
  /// Movable, not copyable.
  beast_transport(beast_transport&&) noexcept = default;
  beast_transport& operator=(beast_transport&&) noexcept = default;
  ~beast_transport() = default;
  ///@}

  /// The options it was created with.
  [[nodiscard]] const beast_options& options() const noexcept { return options_; }

  /// Performs `request` and returns the server's answer, whatever its status.
  /// Errors: errc::transport_failed (DNS, connect, TLS handshake or certificate verification,
  /// timeout, send/receive; the message says which), errc::response_too_large (body or headers
  /// over the limits; http_status set when the status line was read), errc::invalid_url (not an
  /// absolute http/https URL, or with user information), errc::invalid_header_value (a header
  /// that would break the request), errc::invalid_argument (a malformed method, an unusable CA
  /// option). Messages never contain the request body, header values or the URL's path/query.
  [[nodiscard]] result<http_response> send(const http_request& request) {
#if defined(__cpp_exceptions)
    try {
      return send_checked(request);
    } catch (const std::exception& e) {
      if (state_) state_->close();
      return fail(errc::transport_failed,
                  std::string("beast_transport: Boost.Asio/Beast failed: ") + e.what());
    } catch (...) {
      if (state_) state_->close();
      return fail(errc::transport_failed, "beast_transport: Boost.Asio/Beast failed");
    }
#else
    return send_checked(request);
#endif
  }

 private:
  using clock = detail::beast_ns::clock;
  using sys_error = detail::beast_ns::sys_error;

  struct deadlines {
    clock::time_point connect;
    clock::time_point exchange;
  };

  result<http_response> send_checked(const http_request& request) {
    auto target = detail::split_request_target("beast_transport", request);
    if (!target) return fail(std::move(target).error());
    if (!state_) state_ = std::make_unique<detail::beast_state>();

    namespace http = detail::beast_ns::http;
    // Fields and body through the wiping allocator: they hold credentials.
    http::request<detail::beast_ns::wiping_body, detail::beast_ns::wiping_fields> req;
    if (auto bad = build_request(request, *target, req)) return fail(std::move(*bad));

    const clock::time_point start = clock::now();
    deadlines d{clock::time_point::max(), clock::time_point::max()};
    if (options_.timeout.count() > 0) d.exchange = start + options_.timeout;
    d.connect = d.exchange;
    if (options_.connect_timeout.count() > 0)
      d.connect = std::min(d.exchange, start + options_.connect_timeout);

    auto& st = *state_;
    const bool reuse = st.is_open() && st.connection_origin == target->key;
    if (!reuse) {
      st.close();
      if (auto e = connect(*target, d)) return fail(std::move(*e));
    }
    bool stale = false;
    auto answer = exchange(req, request.method == "HEAD", *target, d, reuse ? &stale : nullptr);
    if (!answer && stale) {  // the server had closed the kept-alive connection: once more, fresh
      st.close();
      if (auto e = connect(*target, d)) return fail(std::move(*e));
      answer = exchange(req, request.method == "HEAD", *target, d, nullptr);
    }
    if (!answer) st.close();
    return answer;
  }

  template <class Request>
  [[nodiscard]] std::optional<error> build_request(const http_request& request,
                                                   const detail::request_target& t,
                                                   Request& req) const {
    namespace http = detail::beast_ns::http;
    using sv = boost::beast::string_view;
    req.version(11);
    req.method_string(sv(request.method.data(), request.method.size()));
    req.target(sv(t.target.data(), t.target.size()));
    bool has_host = false, has_agent = false;
    for (const auto& [name, value] : request.headers) {
      if (auto bad = detail::request_field_fault("beast_transport", name, value)) return bad;
      // The serializer frames the body itself: a caller's framing headers could contradict it.
      if (detail::iequals(name, "Content-Length") || detail::iequals(name, "Transfer-Encoding"))
        continue;
      has_host |= detail::iequals(name, "Host");
      has_agent |= detail::iequals(name, "User-Agent");
      req.insert(sv(name.data(), name.size()), sv(value.data(), value.size()));
    }
    if (!has_host) req.set(http::field::host, sv(t.host_header.data(), t.host_header.size()));
    if (!has_agent && !options_.user_agent.empty()) {
      if (detail::has_line_break(options_.user_agent))
        return error(errc::invalid_argument,
                     "beast_transport: beast_options::user_agent contains CR, LF or NUL");
      req.set(http::field::user_agent, sv(options_.user_agent.data(), options_.user_agent.size()));
    }
    const std::string& m = request.method;
    if (!request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH")
      req.content_length(request.body.size());
    req.body().assign(request.body.data(), request.body.size());
    if (!options_.keep_alive) req.keep_alive(false);
    return std::nullopt;
  }

  /// The TLS context, built once from the options.
  [[nodiscard]] std::optional<error> ensure_tls_context() {
    namespace ssl = boost::asio::ssl;
    auto& st = *state_;
    if (st.tls) return std::nullopt;
    ssl::context ctx(ssl::context::tls_client);
    ::SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    sys_error ec;
    ctx.set_verify_mode(options_.verify_peer ? ssl::verify_peer : ssl::verify_none, ec);
    const auto bad_ca = [&ec](const char* what) {
      return error(errc::invalid_argument,
                   std::string("beast_transport: cannot use beast_options::") + what +
                       " as trusted CAs [" + ec.message() + "]");
    };
    if (!options_.ca_file.empty() && (ctx.load_verify_file(options_.ca_file, ec), ec))
      return bad_ca("ca_file");
    if (!options_.ca_path.empty() && (ctx.add_verify_path(options_.ca_path, ec), ec))
      return bad_ca("ca_path");
    if (!options_.ca_pem.empty() &&
        (ctx.add_certificate_authority(
             boost::asio::buffer(options_.ca_pem.data(), options_.ca_pem.size()), ec),
         ec))
      return bad_ca("ca_pem");
    if (options_.ca_file.empty() && options_.ca_path.empty() && options_.ca_pem.empty() &&
        (ctx.set_default_verify_paths(ec), ec))
      return bad_ca("default store (none of ca_file, ca_path, ca_pem given)");
    st.tls.emplace(std::move(ctx));
    return std::nullopt;
  }

  [[nodiscard]] std::string timeouts_text() const {
    return "connect_timeout " + std::to_string(options_.connect_timeout.count()) + " ms, timeout " +
           std::to_string(options_.timeout.count()) + " ms";
  }

  [[nodiscard]] std::optional<error> connect(const detail::request_target& t, const deadlines& d) {
    namespace asio = boost::asio;
    using detail::beast_ns::tcp;
    auto& st = *state_;
    const auto failed = [](std::string what) {
      return error(errc::transport_failed, "beast_transport: " + std::move(what));
    };
    if (t.https)
      if (auto e = ensure_tls_context()) return e;

    // Asio resolves on a helper thread that cancel() cannot interrupt: on a timeout the lookup
    // is abandoned, and its late answer lands in this shared record instead of a dead frame.
    struct lookup {
      sys_error ec;
      tcp::resolver::results_type endpoints;
      bool done = false;
    };
    const auto found = std::make_shared<lookup>();
    tcp::resolver resolver(st.ioc);
    const std::string port = std::to_string(t.port);
    resolver.async_resolve(t.url.host, port, tcp::resolver::numeric_service,
                           [found](const sys_error& e, tcp::resolver::results_type r) {
                             found->ec = e;
                             found->endpoints = std::move(r);
                             found->done = true;
                           });
    if (!detail::beast_run(
            st.ioc, found->done, d.connect, [&] { resolver.cancel(); }, false))
      return failed("timed out resolving " + t.origin + " (" + timeouts_text() + ")");
    if (found->ec)
      return failed("DNS resolution failed for " + t.origin +
                    ": check the host name and this machine's resolver [" + found->ec.message() +
                    "]");
    const tcp::resolver::results_type endpoints = std::move(found->endpoints);
    sys_error ec;
    bool done = false;

    if (t.https) {
      st.secure = std::make_unique<detail::beast_ns::tls_stream>(st.ioc, *st.tls);
    } else {
      st.plain = std::make_unique<tcp::socket>(st.ioc);
    }
    tcp::socket& socket = st.plain ? *st.plain : st.secure->next_layer();
    const auto close_socket = [&socket] {
      sys_error ignored;
      socket.close(ignored);
    };
    asio::async_connect(socket, endpoints, [&](const sys_error& e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!detail::beast_run(st.ioc, done, d.connect, close_socket))
      return failed("timed out connecting to " + t.origin + " (" + timeouts_text() + ")");
    if (ec)
      return failed("connect failed (refused or unreachable) to " + t.origin +
                    ": is the server listening on that port, and do firewalls allow it? [" +
                    ec.message() + "]");
    socket.set_option(tcp::no_delay(true), ec);  // small requests: do not wait for Nagle

    if (t.https) {
      if (auto e = handshake(t, d)) return e;
    }
    st.connection_origin = t.key;
    return std::nullopt;
  }

  [[nodiscard]] std::optional<error> handshake(const detail::request_target& t,
                                               const deadlines& d) {
    namespace ssl = boost::asio::ssl;
    auto& st = *state_;
    SSL* ssl_handle = st.secure->native_handle();
    // SNI carries DNS names only (RFC 6066 §3); IP literals are checked against IP SANs.
    if (!t.ip_literal && ::SSL_set_tlsext_host_name(ssl_handle, t.url.host.c_str()) != 1)
      return error(errc::transport_failed,
                   "beast_transport: cannot set the TLS server name for " + t.origin);
    if (options_.verify_peer && options_.verify_host) {
      X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl_handle);
      ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int ok = t.ip_literal ? ::X509_VERIFY_PARAM_set1_ip_asc(param, t.url.host.c_str())
                                  : ::X509_VERIFY_PARAM_set1_host(param, t.url.host.c_str(), 0);
      if (ok != 1)
        return error(errc::transport_failed,
                     "beast_transport: cannot set up host name verification for " + t.origin);
    }
    sys_error ec;
    bool done = false;
    st.secure->async_handshake(ssl::stream_base::client, [&](const sys_error& e) {
      ec = e;
      done = true;
    });
    if (!detail::beast_run(st.ioc, done, d.connect, [&] {
          sys_error ignored;
          st.secure->next_layer().close(ignored);
        }))
      return error(errc::transport_failed, "beast_transport: timed out in the TLS handshake with " +
                                               t.origin + " (" + timeouts_text() + ")");
    if (!ec) return std::nullopt;
    const long verify = ::SSL_get_verify_result(ssl_handle);
    if (options_.verify_peer && verify != X509_V_OK)
      return error(errc::transport_failed,
                   "beast_transport: TLS certificate verification failed for " + t.origin + ": " +
                       ::X509_verify_cert_error_string(verify) + " (X509 error " +
                       std::to_string(verify) +
                       "): check that the certificate is valid for the host name and the "
                       "trusted CAs (beast_options::ca_file / ca_path / ca_pem) [" +
                       ec.message() + "]");
    return error(errc::transport_failed, "beast_transport: TLS handshake failed with " + t.origin +
                                             ": check that the port speaks HTTPS [" + ec.message() +
                                             "]");
  }

  /// Writes `req` and reads the final answer. On a reused connection (`stale` given), a failure
  /// before any byte of an answer arrived sets *stale instead of being final.
  template <class Request>
  result<http_response> exchange(Request& req, bool head, const detail::request_target& t,
                                 const deadlines& d, bool* stale) {
    auto& st = *state_;
    if (st.secure) return exchange_on(*st.secure, st.secure->next_layer(), req, head, t, d, stale);
    return exchange_on(*st.plain, *st.plain, req, head, t, d, stale);
  }

  template <class Stream, class Request>
  result<http_response> exchange_on(Stream& stream, detail::beast_ns::tcp::socket& socket,
                                    Request& req, bool head, const detail::request_target& t,
                                    const deadlines& d, bool* stale) {
    namespace http = detail::beast_ns::http;
    namespace asio = boost::asio;
    auto& st = *state_;
    const auto close_socket = [&socket] {
      sys_error ignored;
      socket.close(ignored);
    };
    const auto failed = [&](std::string what, const sys_error& ec) {
      return fail(errc::transport_failed,
                  "beast_transport: " + std::move(what) + " [" + ec.message() + "]");
    };
    const auto timed_out = [&](const char* step) {
      return fail(errc::transport_failed, "beast_transport: timed out " + std::string(step) + " " +
                                              t.origin + " (" + timeouts_text() +
                                              "): the server or the network is too slow");
    };

    sys_error ec;
    bool done = false;
    http::async_write(stream, req, [&](const sys_error& e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!detail::beast_run(st.ioc, done, d.exchange, close_socket))
      return timed_out("sending the request to");
    if (ec) {
      if (stale) *stale = true;
      return failed("sending the request to " + t.origin + " failed (the connection broke)", ec);
    }

    struct wipe_on_exit {  // the raw answer (a token) must not stay in the read buffer
      detail::beast_ns::wiping_buffer& b;
      ~wipe_on_exit() { detail::beast_wipe(b); }
    } wipe_buffer{st.buffer};
    st.buffer.consume(st.buffer.size());
    std::optional<
        http::response_parser<detail::beast_ns::wiping_body, detail::beast_wiping_allocator<char>>>
        parser;
    for (int interim = 0;; ++interim) {
      parser.emplace();
      parser->body_limit(static_cast<std::uint64_t>(options_.max_response_bytes));
      parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
          options_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
      if (head) parser->skip(true);
      // The header first, on its own: Boost 1.74's eager parser can lose the body_limit verdict
      // on a Content-Length when body bytes arrive in the same read as the header.
      done = false;
      http::async_read_header(stream, st.buffer, *parser, [&](const sys_error& e, std::size_t) {
        ec = e;
        done = true;
      });
      if (!detail::beast_run(st.ioc, done, d.exchange, close_socket))
        return timed_out("waiting for the response from");
      if (!ec && !parser->is_done()) {
        const auto announced = parser->content_length();
        if (announced && *announced > options_.max_response_bytes) {
          ec = http::error::body_limit;
          break;
        }
        done = false;
        http::async_read(stream, st.buffer, *parser, [&](const sys_error& e, std::size_t) {
          ec = e;
          done = true;
        });
        if (!detail::beast_run(st.ioc, done, d.exchange, close_socket))
          return timed_out("waiting for the response from");
      }
      if (ec) break;
      const unsigned status = parser->get().result_int();
      if (status < 100 || status >= 200 || status == 101 || interim >= 8) break;
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      const bool body = ec == http::error::body_limit;
      error e(errc::response_too_large,
              body ? "beast_transport: the response body from " + t.origin +
                         " exceeds max_response_bytes (" +
                         std::to_string(options_.max_response_bytes) +
                         " bytes); the transfer was aborted. Raise beast_options::"
                         "max_response_bytes if this endpoint legitimately answers more"
                   : "beast_transport: the response headers from " + t.origin +
                         " exceed max_header_bytes (" + std::to_string(options_.max_header_bytes) +
                         " bytes)");
      if (parser->is_header_done()) e.http_status = static_cast<int>(parser->get().result_int());
      return fail(std::move(e));
    }
    if (ec) {
      const bool nothing = !parser->got_some();
      if (stale && nothing) *stale = true;
      if (nothing && (ec == http::error::end_of_stream || ec == asio::error::eof ||
                      ec == asio::ssl::error::stream_truncated))
        return failed("receiving the response from " + t.origin +
                          " failed: the server closed the connection without answering",
                      ec);
      // Beast's own category, apart from a message cut short, means the bytes are not HTTP/1.x.
      if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message)
        return failed(
            "receiving the response from " + t.origin + " failed: the answer is not HTTP/1.x", ec);
      return failed("receiving the response from " + t.origin + " failed (the connection broke)",
                    ec);
    }

    auto& message = parser->get();
    if (message.body().size() > options_.max_response_bytes) {  // never expected: belt and braces
      error e(errc::response_too_large, "beast_transport: the response body from " + t.origin +
                                            " exceeds max_response_bytes (" +
                                            std::to_string(options_.max_response_bytes) +
                                            " bytes)");
      e.http_status = static_cast<int>(message.result_int());
      return fail(std::move(e));
    }
    http_response out;
    out.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      const auto name = field.name_string();
      const auto value = field.value();
      out.headers.add(std::string(name.data(), name.size()),
                      std::string(value.data(), value.size()));
    }
    out.body.assign(message.body().data(), message.body().size());  // the parser's copy is wiped
    if (!options_.keep_alive || !message.keep_alive() || parser->need_eof()) st.close();
    return out;
  }

  beast_options options_;
  std::unique_ptr<detail::beast_state> state_;
};

}  // namespace profile::auth::inline v0::transports

#endif  // PROFILE_AUTH_TRANSPORTS_BEAST_HPP
