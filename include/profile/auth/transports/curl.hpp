// SPDX-License-Identifier: MIT
// profile-auth: a Transport over libcurl (optional; include it yourself and link libcurl).
#ifndef PROFILE_AUTH_TRANSPORTS_CURL_HPP
#define PROFILE_AUTH_TRANSPORTS_CURL_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/request_target.hpp>  // the request checks transports share
#include <profile/auth/detail/wipe_request.hpp>    // append_wiping: the response body
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>  // secure_wipe: header lines and body copies
#include <profile/auth/version.hpp>

#include <curl/curl.h>

#include <chrono>       // timeouts in curl_options
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t when comparing the body limit with curl_off_t
#include <cstring>      // std::strlen of header lines
#include <limits>       // std::numeric_limits<curl_off_t>
#include <memory>       // std::unique_ptr owns the easy handle; std::shared_ptr shares a pool
#include <mutex>        // curl_transport_pool guards its idle handles
#include <optional>     // curl_options::proxy
#include <string>       // options, messages, header lines
#include <string_view>  // parsing header lines and URLs
#include <utility>      // std::move, std::pair
#include <vector>       // curl_transport_pool's idle handles

namespace profile::auth::inline v0::transports {

/// Options of curl_transport. The defaults are safe for talking to an OAuth server.
struct curl_options {
  /// Time allowed for DNS + TCP connect + TLS handshake.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Time allowed for the whole transfer, connect included. Zero means no limit (not advised:
  /// a stalled server would then block the caller, and a token refresh with it, forever).
  std::chrono::milliseconds timeout{30'000};
  /// PEM file of trusted CAs (CURLOPT_CAINFO). Empty: libcurl's built-in default.
  std::string ca_file;
  /// Directory of hashed CA certificates (CURLOPT_CAPATH). Empty: libcurl's built-in default.
  std::string ca_path;
  /// Trusted CAs as PEM text in memory (CURLOPT_CAINFO_BLOB), for systems without a CA store.
  /// Empty: not used.
  std::string ca_pem;
  /// Verify the server's certificate chain. Turning this off lets anyone on the path read
  /// every token and secret you send: only for a throwaway test server, never in production.
  bool verify_peer = true;
  /// Verify that the certificate names the host in the URL. Same warning as verify_peer.
  bool verify_host = true;
  /// Largest response body accepted. A longer body aborts the transfer as soon as it is known
  /// (from Content-Length, or while receiving) with errc::response_too_large.
  std::size_t max_response_bytes = std::size_t{1} << 20;
  /// Largest total size of the final response's header lines; past it: response_too_large.
  std::size_t max_header_bytes = std::size_t{64} << 10;
  /// Sent as User-Agent unless the request carries its own.
  std::string user_agent = "profile-auth/" PROFILE_AUTH_VERSION_STRING;
  /// std::nullopt: libcurl's default (the http_proxy / https_proxy / no_proxy environment
  /// variables). "": never use a proxy, whatever the environment says. Otherwise the proxy URL,
  /// e.g. "http://proxy.internal:3128" (CURLOPT_PROXY).
  std::optional<std::string> proxy;
};

}  // namespace profile::auth::inline v0::transports

namespace profile::auth::inline v0::detail {

/// Runs curl_global_init once per process, thread-safely (a C++ function-local static).
/// libcurl 7.84+ built with CURL_VERSION_THREADSAFE makes curl_global_init itself thread-safe;
/// older ones (and other libraries calling it at the same moment) are not, so a program that
/// also uses libcurl elsewhere should call curl_global_init early in main(), before starting
/// threads; ours is then a reference-count increment. curl_global_cleanup is never called:
/// other code may still use libcurl, and the process exit releases everything anyway.
[[nodiscard]] inline CURLcode curl_global_status() noexcept {
  static const CURLcode status = curl_global_init(CURL_GLOBAL_DEFAULT);
  return status;
}

struct curl_easy_deleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
/// Frees a header list after wiping its lines: libcurl's copies of them, one of which may be
/// `Authorization: Basic …` or `Bearer …`.
inline void curl_slist_wipe_free(curl_slist* l) noexcept {
  for (curl_slist* p = l; p != nullptr; p = p->next)
    if (p->data != nullptr) secure_wipe(p->data, std::strlen(p->data));
  curl_slist_free_all(l);
}
struct curl_slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_wipe_free(l); }
};

/// Where the callbacks write, for one transfer.
struct curl_receive_state {
  http_response* response = nullptr;
  std::size_t max_body = 0;
  std::size_t max_header = 0;
  std::size_t header_bytes = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
  bool out_of_memory = false;
  /// Fields of the latest header block; moved into the response once the transfer is done.
  std::vector<std::pair<std::string, std::string>> fields;
};

[[nodiscard]] constexpr std::string_view curl_trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

/// True for a URL starting with http:// or https:// (any case); libcurl's protocol filter
/// enforces the same, but checking here gives invalid_url before anything is set up.
[[nodiscard]] constexpr bool curl_is_http_url(std::string_view url) noexcept {
  const auto starts = [url](std::string_view p) {
    return url.size() >= p.size() && iequals(url.substr(0, p.size()), p);
  };
  return starts("http://") || starts("https://");
}

/// "scheme://host[:port]" of `url`, without user info, path, query or fragment: what an error
/// message may show (a query string can carry credentials).
[[nodiscard]] inline std::string curl_url_origin(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(malformed URL)";
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string out(url.substr(0, scheme_end + 3));
  for (char c : rest)  // never echo control bytes into a log line
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? '?' : c;
  return out;
}

/// Appends to the body through append_wiping (no freed copy of a token is left behind).
inline void curl_append(std::string& out, const char* p, std::size_t n, std::size_t max,
                        bool& oom) noexcept {
#if defined(__cpp_exceptions)
  try {
    append_wiping(out, p, n, max);
  } catch (...) {  // an exception must not unwind through libcurl's C frames
    oom = true;
  }
#else
  (void)oom;
  append_wiping(out, p, n, max);
#endif
}

inline std::size_t curl_on_body(char* data, std::size_t size, std::size_t count,
                                void* user) noexcept {
  auto& st = *static_cast<curl_receive_state*>(user);
  const std::size_t n = size * count;
  std::string& body = st.response->body;
  if (n > st.max_body - body.size()) {  // body.size() <= max_body always holds here
    st.body_too_large = true;
    return 0;  // any count other than n aborts the transfer with CURLE_WRITE_ERROR
  }
  curl_append(body, data, n, st.max_body, st.out_of_memory);
  return st.out_of_memory ? 0 : n;
}

inline std::size_t curl_on_header(char* data, std::size_t size, std::size_t count,
                                  void* user) noexcept {
  auto& st = *static_cast<curl_receive_state*>(user);
  const std::size_t n = size * count;
  const std::string_view raw(data, n);
  // Every response (a 100 Continue, a proxy's CONNECT answer, the final one) starts with a
  // status line: only the fields after the last one belong to the answer we return.
  if (raw.size() >= 5 && raw.substr(0, 5) == "HTTP/") {
    st.fields.clear();
    st.header_bytes = 0;
    return n;
  }
  st.header_bytes += n;
  if (st.header_bytes > st.max_header) {
    st.headers_too_large = true;
    return 0;
  }
  const std::string_view line = curl_trim_ows(raw);
  if (line.empty()) return n;  // the blank line that ends a header block
#if defined(__cpp_exceptions)
  try {  // an exception must not unwind through libcurl's C frames
#endif
    if (raw.front() == ' ' || raw.front() == '\t') {
      // obs-fold (RFC 9112 §5.2): a continuation line of the previous field's value.
      if (!st.fields.empty()) (st.fields.back().second += ' ') += line;
      return n;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return n;  // not a field: ignore it
    st.fields.emplace_back(std::string(line.substr(0, colon)),
                           std::string(curl_trim_ows(line.substr(colon + 1))));
#if defined(__cpp_exceptions)
  } catch (...) {
    st.out_of_memory = true;
    return 0;
  }
#endif
  return n;
}

}  // namespace profile::auth::inline v0::detail

namespace profile::auth::inline v0::transports {

class curl_multi_transport;  // curl_multi.hpp: the same handle setup, over the multi interface

/// A blocking Transport over one libcurl easy handle.
///
/// - The handle is created on the first send() and reused by later ones, so the connection,
///   TLS session and DNS answers are kept alive between token requests and API calls.
/// - Redirects are never followed (a token endpoint that redirects is answered as is: an
///   OAuth client must not resend credentials to wherever a 3xx points). Only http:// and
///   https:// URLs are accepted. No cookies are stored. TLS verification is on by default.
/// - The request goes out as given: method, every header in order (duplicates kept), body.
///   libcurl adds Host, Content-Length and (unless the request has one) User-Agent; it does
///   not add its default Accept, Content-Type or `Expect: 100-continue`.
/// - The response carries the final status, all its header fields in order (duplicates kept;
///   fields of interim 1xx answers are dropped) and the body.
///
/// Not thread-safe: use one curl_transport per thread, or curl_transport_pool to share one
/// object between threads. Movable, not copyable.
class curl_transport {
 public:
  /// Default options (see curl_options).
  curl_transport() : curl_transport(curl_options{}) {}
  /// Given options. Initialises libcurl for the process on first use.
  explicit curl_transport(curl_options options) : options_(std::move(options)) {
    (void)detail::curl_global_status();
  }
  curl_transport(const curl_transport&) = delete;
  curl_transport& operator=(const curl_transport&) = delete;
  ///@{
  /// Movable (the easy handle moves along), not copyable.
  curl_transport(curl_transport&&) noexcept = default;
  curl_transport& operator=(curl_transport&&) noexcept = default;
  ~curl_transport() = default;
  ///@}

  /// The options it was created with.
  [[nodiscard]] const curl_options& options() const noexcept { return options_; }

  /// Performs `request` and returns the server's answer, whatever its status.
  /// Errors: errc::transport_failed (DNS, connect, TLS, timeout, send/receive; the message says
  /// which and carries libcurl's text), errc::response_too_large (body or headers over the
  /// limits; http_status is set when the status line was seen), errc::invalid_url (malformed
  /// or not http/https), errc::invalid_header_value (a header name or value that would break
  /// the request), errc::invalid_argument (an empty or malformed method).
  /// Messages never contain the request body, header values or the URL's path and query.
  [[nodiscard]] result<http_response> send(const http_request& request) {
    transfer t;
    result<CURLcode> setup = begin(request, t);
    if (!setup) return unexpected<error>(std::move(setup).error());
    const CURLcode rc = *setup != CURLE_OK ? *setup : curl_easy_perform(easy_.get());
    return end(request, t, rc);
  }

 private:
  // curl_multi_transport (curl_multi.hpp) drives the same handle setup and error mapping
  // through begin() and end(), with the multi interface performing the transfer in between.
  friend class curl_multi_transport;

  /// What the handle points into while one transfer runs (between begin() and end()): it must
  /// not move meanwhile.
  struct transfer {
    transfer() = default;
    transfer(const transfer&) = delete;
    transfer& operator=(const transfer&) = delete;
    /// A body not handed out (an error after some of it arrived) may hold a token.
    ~transfer() { detail::secure_wipe(response.body); }

    std::unique_ptr<curl_slist, detail::curl_slist_deleter> header_lines;  // wiped when freed
    http_response response;
    detail::curl_receive_state state;
  };

  /// Checks `request` and sets the handle up for it. Returns the setup's CURLcode (CURLE_OK:
  /// ready to perform; otherwise pass it to end()), or an error when the request is refused
  /// before anything was set up. The handle then points into `request`, `t` and this object:
  /// none of them may move until end().
  result<CURLcode> begin(const http_request& request, transfer& t) {
    if (const CURLcode g = detail::curl_global_status(); g != CURLE_OK)
      return fail(errc::transport_failed, "curl_transport: curl_global_init failed (" +
                                              std::string(curl_easy_strerror(g)) +
                                              "): libcurl cannot be used in this process");
    if (auto bad = detail::request_method_fault("curl_transport", request.method))
      return fail(std::move(*bad));
    if (detail::has_line_break(request.url))
      return fail(errc::invalid_url, "curl_transport: the URL contains CR, LF or NUL");
    if (detail::has_line_break(options_.user_agent))  // libcurl would send it as it is
      return fail(errc::invalid_argument,
                  "curl_transport: curl_options::user_agent contains CR, LF or NUL");
    if (!detail::curl_is_http_url(request.url))
      return fail(errc::invalid_url,
                  "curl_transport: only http:// and https:// URLs are allowed (got " +
                      detail::curl_url_origin(request.url) + ")");
    if (!easy_) {
      easy_.reset(curl_easy_init());
      if (!easy_)
        return fail(errc::transport_failed,
                    "curl_transport: curl_easy_init failed (out of memory?)");
    }

    auto built = build_header_lines(request);
    if (!built) return fail(std::move(built).error());
    t.header_lines.reset(*built);

    t.state.response = &t.response;
    t.state.max_body = options_.max_response_bytes;
    t.state.max_header = options_.max_header_bytes;
    error_buffer_[0] = '\0';
    return configure(easy_.get(), request, t.header_lines.get(), t.state);
  }

  /// Ends the transfer begun by begin(): `rc` is what performing it gave (curl_easy_perform,
  /// or the multi interface's CURLMSG_DONE result, or begin()'s failed setup code). Resets the
  /// handle and maps the outcome to the response or an error.
  result<http_response> end(const http_request& request, transfer& t, CURLcode rc) {
    detail::curl_receive_state& state = t.state;
    CURL* h = easy_.get();
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    // Reset now, not before the next call: the handle must not keep pointers to this frame's
    // state, to the header list freed below, or to this object's error buffer once moved.
    // curl_easy_reset keeps live connections, the DNS cache and TLS sessions.
    std::string curl_text =
        error_buffer_[0] != '\0' ? std::string(error_buffer_) : std::string(curl_easy_strerror(rc));
    curl_easy_reset(h);

    if (state.out_of_memory)
      return fail(errc::transport_failed,
                  "curl_transport: out of memory while receiving the response from " +
                      detail::curl_url_origin(request.url));
    if (state.body_too_large || state.headers_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      error e(errc::response_too_large,
              state.headers_too_large
                  ? "curl_transport: the response headers from " +
                        detail::curl_url_origin(request.url) + " exceed max_header_bytes (" +
                        std::to_string(options_.max_header_bytes) + " bytes)"
                  : "curl_transport: the response body from " +
                        detail::curl_url_origin(request.url) + " exceeds max_response_bytes (" +
                        std::to_string(options_.max_response_bytes) +
                        " bytes); the transfer was aborted. Raise curl_options::"
                        "max_response_bytes if this endpoint legitimately answers more");
      e.http_status = static_cast<int>(status);
      return fail(std::move(e));
    }
    if (rc != CURLE_OK) return fail(describe_failure(rc, request.url, curl_text));
    if (status < 100 || status > 999)
      return fail(errc::transport_failed,
                  "curl_transport: no HTTP status from " + detail::curl_url_origin(request.url));
    http_response response = std::move(t.response);
    response.status = static_cast<int>(status);
    response.headers.reserve(state.fields.size());
    for (auto& [name, value] : state.fields)
      response.headers.add(std::move(name), std::move(value));
    return response;
  }

  result<curl_slist*> build_header_lines(const http_request& request) const {
    curl_slist* list = nullptr;
    auto append = [&list](const char* line) {
      curl_slist* next = curl_slist_append(list, line);
      if (next == nullptr) return false;
      list = next;
      return true;
    };
    auto give_up = [&list](errc code, std::string message) {
      detail::curl_slist_wipe_free(list);
      return fail(code, std::move(message));
    };
    // Each line is composed here, copied by libcurl, and wiped: a value may be a credential.
    struct wiped_line {
      std::string s;
      ~wiped_line() { detail::secure_wipe(s); }
    } composed;
    std::string& line = composed.s;
    // A request's own User-Agent replaces CURLOPT_USERAGENT without help.
    bool has_content_type = false, has_accept = false, has_expect = false;
    for (const auto& [name, value] : request.headers) {
      if (auto bad = detail::request_field_fault("curl_transport", name, value))
        return give_up(bad->code, std::move(bad->message));
      has_content_type |= detail::iequals(name, "Content-Type");
      has_accept |= detail::iequals(name, "Accept");
      has_expect |= detail::iequals(name, "Expect");
      // "Name;" is libcurl's spelling of a field with an empty value: "Name:" (or "Name: " and
      // other blank values) would remove the field instead.
      const bool blank = value.find_first_not_of(" \t") == std::string::npos;
      if (line.capacity() < name.size() + 2 + value.size()) {
        detail::secure_wipe(line);
        line.reserve(name.size() + 2 + value.size());
      }
      line.assign(name);
      if (blank)
        line += ';';
      else
        (line += ": ") += value;
      const bool appended = append(line.c_str());
      detail::secure_wipe(line.data(), line.size());
      if (!appended)
        return give_up(errc::transport_failed, "curl_transport: out of memory building headers");
    }
    // "Name:" removes a header libcurl would add on its own.
    if (!has_content_type && !append("Content-Type:"))
      return give_up(errc::transport_failed, "curl_transport: out of memory building headers");
    if (!has_accept && !append("Accept:"))
      return give_up(errc::transport_failed, "curl_transport: out of memory building headers");
    // The 100-continue round trip only adds latency to small token requests.
    if (!has_expect && !append("Expect:"))
      return give_up(errc::transport_failed, "curl_transport: out of memory building headers");
    return list;
  }

  CURLcode configure(CURL* h, const http_request& request, curl_slist* headers,
                     detail::curl_receive_state& state) {
    CURLcode rc = CURLE_OK;
    auto set = [&rc](CURLcode r) {
      if (rc == CURLE_OK) rc = r;
    };
    set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_));
    set(curl_easy_setopt(h, CURLOPT_URL, request.url.c_str()));
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0 replaced the bitmask option by a string one
    set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
#else
    set(curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                         static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS)));
#endif
    set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));  // no SIGALRM for timeouts in threads
    set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(options_.connect_timeout.count())));
    set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count())));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_host ? 2L : 0L));
    if (!options_.ca_file.empty())
      set(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str()));
    if (!options_.ca_path.empty())
      set(curl_easy_setopt(h, CURLOPT_CAPATH, options_.ca_path.c_str()));
#if LIBCURL_VERSION_NUM >= 0x074D00  // CURLOPT_CAINFO_BLOB: 7.77.0
    curl_blob blob{};
    if (!options_.ca_pem.empty()) {
      blob.data = const_cast<char*>(options_.ca_pem.data());
      blob.len = options_.ca_pem.size();
      blob.flags = CURL_BLOB_COPY;
      set(curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob));
    }
#else
    if (!options_.ca_pem.empty()) set(CURLE_NOT_BUILT_IN);
#endif
    if (options_.proxy) set(curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy->c_str()));
    set(curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L));
    if (!options_.user_agent.empty())
      set(curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str()));
    // Content-Length is announced before the body arrives: refuse too large bodies at once.
    constexpr auto off_max = static_cast<std::uint64_t>(std::numeric_limits<curl_off_t>::max());
    if (static_cast<std::uint64_t>(options_.max_response_bytes) <= off_max)
      set(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                           static_cast<curl_off_t>(options_.max_response_bytes)));

    const std::string& m = request.method;
    if (m == "HEAD") {
      set(curl_easy_setopt(h, CURLOPT_NOBODY, 1L));
    } else if (!request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH") {
      set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                           static_cast<curl_off_t>(request.body.size())));
      set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data()));
      if (m != "POST") set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str()));
    } else if (m == "GET") {
      set(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L));
    } else {
      set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str()));
    }
    set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers));

    set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &detail::curl_on_body));
    set(curl_easy_setopt(h, CURLOPT_WRITEDATA, static_cast<void*>(&state)));
    set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &detail::curl_on_header));
    set(curl_easy_setopt(h, CURLOPT_HEADERDATA, static_cast<void*>(&state)));
    return rc;
  }

  error describe_failure(CURLcode rc, const std::string& url, const std::string& curl_text) const {
    const std::string origin = detail::curl_url_origin(url);
    std::string what;
    errc code = errc::transport_failed;
    switch (rc) {
      case CURLE_COULDNT_RESOLVE_HOST:
        what = "DNS resolution failed for " + origin +
               ": check the host name and this machine's resolver";
        break;
      case CURLE_COULDNT_RESOLVE_PROXY:
        what = "DNS resolution failed for the proxy used to reach " + origin +
               ": check curl_options::proxy and the http(s)_proxy environment variables";
        break;
      case CURLE_COULDNT_CONNECT:
        what = "connect failed (refused or unreachable) to " + origin +
               ": is the server listening on that port, and do firewalls or proxies allow it?";
        break;
      case CURLE_OPERATION_TIMEDOUT:
        what = "timed out talking to " + origin + " (connect_timeout " +
               std::to_string(options_.connect_timeout.count()) + " ms, timeout " +
               std::to_string(options_.timeout.count()) +
               " ms): the server or the network is too slow; retry later";
        break;
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_SHUTDOWN_FAILED:
      case CURLE_USE_SSL_FAILED:
        what = "TLS handshake or certificate verification failed with " + origin +
               ": check that the port speaks HTTPS, that the certificate is valid for the host "
               "name, and the trusted CAs (curl_options::ca_file / ca_path / ca_pem)";
        break;
      case CURLE_SEND_ERROR:
        what = "sending the request to " + origin + " failed (the connection broke)";
        break;
      case CURLE_RECV_ERROR:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        what = "receiving the response from " + origin + " failed (the connection broke)";
        break;
      case CURLE_GOT_NOTHING:
        what = "receiving the response from " + origin +
               " failed: the server closed the connection without answering";
        break;
      case CURLE_WEIRD_SERVER_REPLY:
        what = "receiving the response from " + origin + " failed: the answer is not HTTP";
        break;
      case CURLE_UNSUPPORTED_PROTOCOL:  // also "Received HTTP/0.9 when not allowed"
        what = "talking to " + origin + " failed: the answer is not HTTP/1.x or HTTP/2";
        break;
      case CURLE_URL_MALFORMAT:
        code = errc::invalid_url;
        what = "the URL is malformed (" + origin + ")";
        break;
      case CURLE_NOT_BUILT_IN:
      case CURLE_UNKNOWN_OPTION:
        what = "this libcurl lacks a feature the options ask for (e.g. ca_pem needs 7.77+)";
        break;
      case CURLE_OUT_OF_MEMORY:
        what = "out of memory talking to " + origin;
        break;
      default:
        what = "the HTTP transfer to " + origin + " failed";
        break;
    }
    return error(code, "curl_transport: " + what + " [curl error " +
                           std::to_string(static_cast<int>(rc)) + ": " + curl_text + "]");
  }

  curl_options options_;
  std::unique_ptr<CURL, detail::curl_easy_deleter> easy_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

/// A thread-safe Transport: any number of threads may call send() at once. Each call borrows
/// an idle curl_transport (or makes a new one), so transfers run in parallel and connections
/// are still reused. Copies share the same pool, so one pool can serve several clients.
class curl_transport_pool {
 public:
  /// Default options; keeps at most `max_idle` handles (and their connections) between calls.
  curl_transport_pool() : curl_transport_pool(curl_options{}) {}
  /// Given options; keeps at most `max_idle` handles (and their connections) between calls.
  explicit curl_transport_pool(curl_options options, std::size_t max_idle = 8)
      : state_(std::make_shared<state>(std::move(options), max_idle)) {}

  /// As curl_transport::send.
  [[nodiscard]] result<http_response> send(const http_request& request) {
    std::unique_lock<std::mutex> lock(state_->mutex);
    curl_transport t = [&] {
      if (state_->idle.empty()) return curl_transport(state_->options);
      curl_transport back = std::move(state_->idle.back());
      state_->idle.pop_back();
      return back;
    }();
    lock.unlock();
    result<http_response> r = t.send(request);
    lock.lock();
    if (state_->idle.size() < state_->max_idle) state_->idle.push_back(std::move(t));
    return r;
  }

 private:
  struct state {
    state(curl_options o, std::size_t m) : options(std::move(o)), max_idle(m) {}
    std::mutex mutex;
    curl_options options;
    std::size_t max_idle;
    std::vector<curl_transport> idle;
  };
  std::shared_ptr<state> state_;
};

}  // namespace profile::auth::inline v0::transports

#endif  // PROFILE_AUTH_TRANSPORTS_CURL_HPP
