// SPDX-License-Identifier: MIT
// profile-auth: a Transport over cpp-httplib's client (optional; include it yourself and link
// cpp-httplib, which needs CPPHTTPLIB_OPENSSL_SUPPORT for https).
#ifndef PROFILE_AUTH_TRANSPORTS_HTTPLIB_HPP
#define PROFILE_AUTH_TRANSPORTS_HTTPLIB_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/request_target.hpp>  // the request checks transports share
#include <profile/auth/detail/wipe_request.hpp>    // secure_wipe, append_wiping
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/version.hpp>

#include <httplib.h>  // also brings getaddrinfo (POSIX <netdb.h> / Winsock) and, with TLS, OpenSSL

#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
#include <openssl/err.h>   // ERR_clear_error, ERR_peek_last_error: the handshake's own reason
#include <openssl/pem.h>   // PEM_read_bio_X509 for ca_pem
#include <openssl/ssl.h>   // SSL_CTX_set_min_proto_version
#include <openssl/x509.h>  // X509_STORE for ca_pem, X509_verify_cert_error_string
#endif

#include <chrono>     // timeouts
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t from cpp-httplib's receiver
#include <exception>  // std::exception, caught when exceptions are on
#include <limits>     // the largest PEM text OpenSSL takes
#include <memory>     // std::unique_ptr owns the client
#include <optional>   // early failures from helpers
#include <string>     // options, messages, bodies
#include <utility>    // std::move

namespace profile::auth::inline v0::transports {

/// Options of httplib_transport. The defaults are safe for talking to an OAuth server.
struct httplib_options {
  /// Time allowed for TCP connect + TLS handshake.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Longest wait for the next bytes of the answer. cpp-httplib has no whole-exchange timeout:
  /// a server that keeps sending a little more often than this can hold a call longer.
  std::chrono::milliseconds read_timeout{30'000};
  /// Longest wait for the socket to accept more of the request.
  std::chrono::milliseconds write_timeout{30'000};
  /// PEM file of trusted CAs. Without ca_file and ca_path, OpenSSL's default store is used.
  std::string ca_file;
  /// Directory of hashed CA certificates; used only when ca_file is empty.
  std::string ca_path;
  /// Trusted CAs as PEM text in memory (one or more certificates). cpp-httplib 0.11 still loads
  /// ca_file / ca_path, or the default store when both are empty, into the same trust store.
  std::string ca_pem;
  /// Verify the server's certificate chain and that it names the host in the URL (cpp-httplib
  /// checks both under one switch). Turning this off lets anyone on the path read every token
  /// and secret you send: only for a throwaway test server, never in production.
  bool verify_peer = true;
  /// Largest response body accepted. A body announced larger (Content-Length) is refused before
  /// it is read; a longer one is cut off while receiving. Both give errc::response_too_large.
  std::size_t max_response_bytes = std::size_t{1} << 20;
  /// Largest total size of the response's header fields, checked once the header block is in
  /// (while reading, cpp-httplib bounds each line to 8 KiB).
  std::size_t max_header_bytes = std::size_t{64} << 10;
  /// Sent as User-Agent unless the request carries its own. Empty: cpp-httplib sends its own.
  std::string user_agent = "profile-auth/" PROFILE_AUTH_VERSION_STRING;
  /// Keep the connection open and reuse it for the next request to the same scheme, host and
  /// port. false: every request opens a new connection (and says `Connection: close`).
  bool keep_alive = true;
};

}  // namespace profile::auth::inline v0::transports

namespace profile::auth::inline v0::detail {

/// True when `host` resolves: used only after a failed connection, to tell DNS from connect
/// failures (cpp-httplib reports both as Error::Connection).
[[nodiscard]] inline bool httplib_resolves(const std::string& host) noexcept {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return false;
  ::freeaddrinfo(found);
  return true;
}

#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
/// A new X509_STORE holding every certificate of `pem`, or nullptr when it holds none or one
/// does not parse.
[[nodiscard]] inline X509_STORE* httplib_store_from_pem(const std::string& pem) noexcept {
  if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  BIO* bio = ::BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_STORE* store = bio != nullptr ? ::X509_STORE_new() : nullptr;
  int added = 0;
  bool broken = store == nullptr;
  while (!broken) {
    X509* cert = ::PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    broken = ::X509_STORE_add_cert(store, cert) != 1;
    ::X509_free(cert);
    ++added;
  }
  ::ERR_clear_error();  // the end of the text shows up as a PEM "no start line" error
  if (bio != nullptr) ::BIO_free(bio);
  if (broken || added == 0) {
    if (store != nullptr) ::X509_STORE_free(store);
    return nullptr;
  }
  return store;
}
#endif

/// Where the receiver callbacks write, for one exchange.
struct httplib_receive_state {
  std::string body;
  int status = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
};

}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::transports {

/// A blocking Transport over cpp-httplib's client (HTTP/1.1, TLS from OpenSSL).
///
/// - One connection is kept alive per transport object and reused by the next request to the
///   same scheme, host and port; cpp-httplib checks that the kept socket is still alive before
///   reusing it. A request to another origin closes it and opens a new one.
/// - TLS: certificate chain and host name verified by default, SNI sent, TLS 1.2 at least.
/// - Redirects are never followed: a 3xx is returned as the answer. Only http:// and https://
///   URLs are accepted; user information in the URL is refused. No proxy is used.
/// - The request goes out with its method, headers (duplicates kept) and body. cpp-httplib adds
///   Host, Content-Length, `Accept: */*` unless the request has an Accept, and
///   `Content-Type: text/plain` for a body without a Content-Type; it sends the header fields
///   sorted by name (the order of equal names is kept). A Content-Length or Transfer-Encoding
///   in the request is dropped: the body is framed by its real length.
/// - The response carries the status, the header fields sorted by name (duplicates kept in
///   order) and the body. cpp-httplib drops an interim `100 Continue`.
///
/// Not thread-safe: use one httplib_transport per thread. Movable, not copyable.
class httplib_transport {
 public:
  /// Default options (see httplib_options).
  httplib_transport() : httplib_transport(httplib_options{}) {}
  /// Given options. Nothing is opened before the first send().
  explicit httplib_transport(httplib_options options) : options_(std::move(options)) {}
  httplib_transport(const httplib_transport&) = delete;
  httplib_transport& operator=(const httplib_transport&) = delete;
  ///@{
  /// Movable, not copyable.
  httplib_transport(httplib_transport&&) noexcept = default;
  httplib_transport& operator=(httplib_transport&&) noexcept = default;
  ~httplib_transport() = default;
  ///@}

  /// The options it was created with.
  [[nodiscard]] const httplib_options& options() const noexcept { return options_; }

  /// Performs `request` and returns the server's answer, whatever its status.
  /// Errors: errc::transport_failed (DNS, connect, TLS handshake or certificate verification,
  /// timeout, send/receive; the message says which), errc::response_too_large (body or headers
  /// over the limits; http_status set once the status line was read), errc::invalid_url (not an
  /// absolute http/https URL, or with user information; https without OpenSSL support),
  /// errc::invalid_header_value (a header that would break the request),
  /// errc::invalid_argument (a malformed method, unusable CA options). Messages never contain
  /// the request body, header values or the URL's path and query.
  [[nodiscard]] result<http_response> send(const http_request& request) {
#if defined(__cpp_exceptions)
    try {
      return send_checked(request);
    } catch (const std::exception& e) {
      client_.reset();
      return fail(errc::transport_failed,
                  std::string("httplib_transport: cpp-httplib failed: ") + e.what());
    } catch (...) {
      client_.reset();
      return fail(errc::transport_failed, "httplib_transport: cpp-httplib failed");
    }
#else
    return send_checked(request);
#endif
  }

 private:
  /// `request` checked and its URL taken apart (detail::split_request_target), then refused
  /// when it is https and cpp-httplib was built without OpenSSL.
  [[nodiscard]] static result<detail::request_target> parse_target(const http_request& request) {
    auto t = detail::split_request_target("httplib_transport", request);
#if !defined(CPPHTTPLIB_OPENSSL_SUPPORT)
    if (t && t->https)
      return fail(errc::invalid_url,
                  "httplib_transport: https needs cpp-httplib built with OpenSSL (define "
                  "CPPHTTPLIB_OPENSSL_SUPPORT and link OpenSSL)");
#endif
    return t;
  }

  /// A client for `t`'s origin, configured from the options.
  [[nodiscard]] std::optional<error> open_client(const detail::request_target& t) {
    client_.reset();
    client_key_.clear();
    std::unique_ptr<httplib::ClientImpl> c;
    if (t.https) {
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
      auto tls = std::make_unique<httplib::SSLClient>(t.url.host, t.port);
      if (!tls->is_valid())
        return error(errc::transport_failed,
                     "httplib_transport: cannot create a TLS context (out of memory?)");
      ::SSL_CTX_set_min_proto_version(tls->ssl_context(), TLS1_2_VERSION);
      if (!options_.ca_pem.empty()) {
        X509_STORE* store = detail::httplib_store_from_pem(options_.ca_pem);
        if (store == nullptr)
          return error(errc::invalid_argument,
                       "httplib_transport: httplib_options::ca_pem holds no usable PEM "
                       "certificate");
        tls->set_ca_cert_store(store);  // the TLS context takes ownership
      }
      c = std::move(tls);
#endif
    } else {
      c = std::make_unique<httplib::ClientImpl>(t.url.host, t.port);
    }
    c->set_connection_timeout(options_.connect_timeout);
    c->set_read_timeout(options_.read_timeout);
    c->set_write_timeout(options_.write_timeout);
    c->set_keep_alive(options_.keep_alive);
    // cpp-httplib writes a request's head and body separately: without TCP_NODELAY the body
    // waits for the head's ACK (Nagle + delayed ACK, about 40 ms per POST on a kept-alive
    // connection).
    c->set_tcp_nodelay(true);
    c->set_follow_location(false);
    c->set_url_encode(false);  // the path and query go out exactly as the URL has them
    c->set_compress(false);
    c->set_decompress(false);
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
    c->enable_server_certificate_verification(options_.verify_peer);
    if (!options_.ca_file.empty() || !options_.ca_path.empty())
      c->set_ca_cert_path(options_.ca_file, options_.ca_path);
#endif
    client_ = std::move(c);
    client_key_ = t.key;
    return std::nullopt;
  }

  result<http_response> send_checked(const http_request& request) {
    auto t = parse_target(request);
    if (!t) return fail(std::move(t).error());

    detail::httplib_receive_state st;
    httplib::Request req;
    // Our copies of the request (its body and header values may be credentials) and the body
    // received so far (a token) are wiped on every way out. cpp-httplib's own buffers are not:
    // docs/caching.md, "What is wiped, and where".
    struct wipe_on_exit {
      httplib::Request& r;
      detail::httplib_receive_state& s;
      ~wipe_on_exit() {
        detail::secure_wipe(r.body);
        for (auto& field : r.headers) detail::secure_wipe(field.second);
        detail::secure_wipe(s.body);
      }
    } wipe{req, st};
    req.method = request.method;
    req.path = t->target;
    bool has_host = false, has_agent = false;
    for (const auto& [name, value] : request.headers) {
      if (auto bad = detail::request_field_fault("httplib_transport", name, value))
        return fail(std::move(*bad));
      if (detail::iequals(name, "Content-Length") || detail::iequals(name, "Transfer-Encoding"))
        continue;
      has_host |= detail::iequals(name, "Host");
      has_agent |= detail::iequals(name, "User-Agent");
      req.headers.emplace(name, value);
    }
    if (!has_host) req.headers.emplace("Host", t->host_header);
    if (!has_agent && !options_.user_agent.empty()) {
      if (detail::has_line_break(options_.user_agent))
        return fail(errc::invalid_argument,
                    "httplib_transport: httplib_options::user_agent contains CR, LF or NUL");
      req.headers.emplace("User-Agent", options_.user_agent);
    }
    req.body = request.body;

    req.response_handler = [this, &st](const httplib::Response& r) {
      st.status = r.status;
      if (header_bytes(r) > options_.max_header_bytes) {
        st.headers_too_large = true;
        return false;
      }
      // An announced length over the limit is refused before any of the body is read.
      const std::string length = r.get_header_value("Content-Length");
      std::uint64_t announced = 0;
      for (const char c : length) {
        if (c < '0' || c > '9' || announced > (std::uint64_t{1} << 60)) return true;
        announced = announced * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (!length.empty() && announced > options_.max_response_bytes) {
        st.body_too_large = true;
        return false;
      }
      return true;
    };
    req.content_receiver = [this, &st](const char* data, std::size_t n, std::uint64_t,
                                       std::uint64_t) {
      if (n > options_.max_response_bytes - st.body.size()) {
        st.body_too_large = true;
        return false;
      }
      detail::append_wiping(st.body, data, n, options_.max_response_bytes);
      return true;
    };

    if (!client_ || client_key_ != t->key)
      if (auto e = open_client(*t)) return fail(std::move(*e));
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
    ::ERR_clear_error();
#endif
    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    const auto start = std::chrono::steady_clock::now();
    const bool ok = client_->send(req, res, err);
    const auto took = std::chrono::steady_clock::now() - start;

    if (st.body_too_large || st.headers_too_large) {
      client_.reset();  // the rest of the answer is still on the wire
      error e(errc::response_too_large,
              st.headers_too_large
                  ? "httplib_transport: the response headers from " + t->origin +
                        " exceed max_header_bytes (" + std::to_string(options_.max_header_bytes) +
                        " bytes)"
                  : "httplib_transport: the response body from " + t->origin +
                        " exceeds max_response_bytes (" +
                        std::to_string(options_.max_response_bytes) +
                        " bytes); the transfer was aborted. Raise httplib_options::"
                        "max_response_bytes if this endpoint legitimately answers more");
      e.http_status = st.status > 0 ? st.status : 0;
      return fail(std::move(e));
    }
    if (!ok || res.status < 100) {
      error e = describe_failure(err, *t, took);
      client_.reset();
      return fail(std::move(e));
    }
    if (header_bytes(res) > options_.max_header_bytes) {  // answers without a body (HEAD, 204)
      client_.reset();
      error e(errc::response_too_large, "httplib_transport: the response headers from " +
                                            t->origin + " exceed max_header_bytes (" +
                                            std::to_string(options_.max_header_bytes) + " bytes)");
      e.http_status = res.status;
      return fail(std::move(e));
    }
    http_response out;
    out.status = res.status;
    out.headers.reserve(res.headers.size());
    for (const auto& [name, value] : res.headers) out.headers.add(name, value);
    out.body = std::move(st.body);
    return out;
  }

  /// The size of `r`'s header fields as sent ("Name: value" + CRLF each).
  [[nodiscard]] static std::size_t header_bytes(const httplib::Response& r) noexcept {
    std::size_t n = 0;
    for (const auto& [name, value] : r.headers) n += name.size() + value.size() + 4;
    return n;
  }

  [[nodiscard]] error describe_failure(httplib::Error err, const detail::request_target& t,
                                       std::chrono::steady_clock::duration took) const {
    const std::string& origin = t.origin;
    std::string what;
    errc code = errc::transport_failed;
    switch (err) {
      case httplib::Error::Connection:
        what = detail::httplib_resolves(t.url.host)
                   ? "connect failed (refused or unreachable) to " + origin +
                         ": is the server listening on that port, and do firewalls allow it?"
                   : "DNS resolution failed for " + origin +
                         ": check the host name and this machine's resolver";
        break;
      case httplib::Error::ConnectionTimeout:
        what = "timed out connecting to " + origin + " (connect_timeout " +
               std::to_string(options_.connect_timeout.count()) + " ms)";
        break;
      case httplib::Error::Read:
        // cpp-httplib reports a read timeout and a broken connection alike; the clock tells.
        what = took >= options_.read_timeout * 9 / 10
                   ? "timed out waiting for the response from " + origin + " (read_timeout " +
                         std::to_string(options_.read_timeout.count()) +
                         " ms): the server or the network is too slow"
                   : "receiving the response from " + origin +
                         " failed (the connection broke, or the answer is not HTTP/1.x)";
        break;
      case httplib::Error::Write:
        what = "sending the request to " + origin +
               " failed (the connection broke, or "
               "write_timeout " +
               std::to_string(options_.write_timeout.count()) + " ms passed)";
        break;
#if defined(CPPHTTPLIB_OPENSSL_SUPPORT)
      case httplib::Error::SSLConnection: {
        what = "TLS handshake failed with " + origin + ": check that the port speaks HTTPS";
        if (const unsigned long e = ::ERR_peek_last_error(); e != 0) {
          char text[256] = {};
          ::ERR_error_string_n(e, text, sizeof text);
          what += std::string(" (") + text + ")";
        }
        break;
      }
      case httplib::Error::SSLLoadingCerts:
        code = errc::invalid_argument;
        what = "cannot load the trusted CAs (httplib_options::ca_file / ca_path)";
        break;
      case httplib::Error::SSLServerVerification: {
        const long v =
            client_ ? static_cast<const httplib::SSLClient&>(*client_).get_openssl_verify_result()
                    : 0;
        what = v != X509_V_OK
                   ? "TLS certificate verification failed for " + origin + ": " +
                         ::X509_verify_cert_error_string(v) + " (X509 error " + std::to_string(v) +
                         "): check the trusted CAs (httplib_options::ca_file / ca_path / ca_pem)"
                   : "TLS certificate verification failed for " + origin +
                         ": the certificate does not name the host '" + t.url.host +
                         "' (host name mismatch)";
        break;
      }
#endif
      case httplib::Error::Success:
        what = "no HTTP answer from " + origin;
        break;
      default:
        what = "the HTTP exchange with " + origin + " failed";
        break;
    }
    return error(code, "httplib_transport: " + what + " [cpp-httplib error " +
                           std::to_string(static_cast<int>(err)) + ": " + httplib::to_string(err) +
                           "]");
  }

  httplib_options options_;
  std::unique_ptr<httplib::ClientImpl> client_;
  std::string client_key_;  // the origin client_ talks to
};

}  // namespace profile::auth::inline v0::transports

#endif  // PROFILE_AUTH_TRANSPORTS_HTTPLIB_HPP
