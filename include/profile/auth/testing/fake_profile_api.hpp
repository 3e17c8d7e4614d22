// SPDX-License-Identifier: MIT
// profile-auth testing: an in-process fake of the Profile API that is itself a Transport.
#ifndef PROFILE_AUTH_TESTING_FAKE_PROFILE_API_HPP
#define PROFILE_AUTH_TESTING_FAKE_PROFILE_API_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_writer.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/client_auth.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/profile.hpp>  // the default hosts
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>

#include <chrono>       // token lifetimes, slow answers
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t token counter and seed
#include <functional>   // the clock hooks and fault predicates (test code, not a hot path)
#include <memory>       // std::shared_ptr: copies of the fake share one server
#include <mutex>        // the fake is shared by the threads of concurrency tests
#include <optional>     // last_request()
#include <string>       // tokens, bodies
#include <string_view>  // parsing requests
#include <thread>       // std::this_thread::sleep_for for real slow answers
#include <utility>      // std::move
#include <vector>       // tokens and faults

namespace profile::auth::inline v0::testing {

/// The endpoints a fault can be limited to.
enum class fake_endpoint : unsigned char {
  any,      ///< every request
  token,    ///< POST /api/v4/auth (or the legacy /v3/auth)
  api,      ///< POST /api/v4/test (or the legacy /v3/test)
  account,  ///< GET /api/v4/account (or the legacy /v3/my-account)
};

/// One injected misbehaviour of fake_profile_api (see fake_profile_api::inject).
struct fault {
  enum class kind : unsigned char {
    server_error,    ///< 500 with an OAuth `server_error` JSON body
    unavailable,     ///< 503 `temporarily_unavailable`, with Retry-After
    rate_limited,    ///< 429 with Retry-After and a non-OAuth JSON body
    unauthorized,    ///< 401: `invalid_client` on the token endpoint, `invalid_token` elsewhere
    malformed_json,  ///< 200 application/json whose body is cut off mid-document
    proxy_html,      ///< 502 text/html from a "proxy" in front of the API
    slow,            ///< the normal answer, but only after `delay`
    custom,          ///< `response`, exactly
  };
  kind what = kind::server_error;
  std::chrono::seconds retry_after{0};  ///< unavailable / rate_limited: Retry-After (0: none)
  std::chrono::nanoseconds delay{0};    ///< slow: how long the answer takes
  bool real_sleep = false;              ///< slow: sleep for real instead of advancing the clock
  http_response response;               ///< custom: the answer

  [[nodiscard]] static fault server_error() { return fault{}; }
  [[nodiscard]] static fault unavailable(std::chrono::seconds retry_after = std::chrono::seconds{
                                             1}) {
    fault f;
    f.what = kind::unavailable;
    f.retry_after = retry_after;
    return f;
  }
  [[nodiscard]] static fault rate_limited(std::chrono::seconds retry_after = std::chrono::seconds{
                                              1}) {
    fault f;
    f.what = kind::rate_limited;
    f.retry_after = retry_after;
    return f;
  }
  [[nodiscard]] static fault unauthorized() { return of(kind::unauthorized); }
  [[nodiscard]] static fault malformed_json() { return of(kind::malformed_json); }
  [[nodiscard]] static fault proxy_html() { return of(kind::proxy_html); }
  /// Answers normally after `delay`: the fake's clock is advanced by it (when the clock has
  /// `advance(duration)`), or, with `real_sleep`, the calling thread sleeps (the fake stays
  /// usable by other threads meanwhile).
  [[nodiscard]] static fault slow(std::chrono::nanoseconds delay, bool real_sleep = false) {
    fault f;
    f.what = kind::slow;
    f.delay = delay;
    f.real_sleep = real_sleep;
    return f;
  }
  [[nodiscard]] static fault custom(http_response r) {
    fault f;
    f.what = kind::custom;
    f.response = std::move(r);
    return f;
  }

 private:
  [[nodiscard]] static fault of(kind k) {
    fault f;
    f.what = k;
    return f;
  }
};

/// What fake_profile_api accepts and issues.
struct fake_profile_api_options {
  std::string client_id = "test-client";
  secret client_secret{"test-secret"};
  /// Where the v4 paths (`/api/v4/auth`, `/api/v4/test`, `/api/v4/account`) are served: the
  /// current Profile API host by default. Requests to any other scheme and host than this and
  /// legacy_base_url fail like a DNS error (errc::transport_failed).
  std::string base_url{profile::default_base_url};
  /// Where the legacy v3 paths (`/v3/auth`, `/v3/test`, `/v3/my-account`) are served: the v3
  /// host by default. Set it to base_url to serve both generations on one (e.g. loopback) URL.
  std::string legacy_base_url{profile::legacy_v3::base_url};
  /// The account the account endpoints describe for a client's token: `id` is the client id,
  /// these are the other members.
  std::string account_name = "Fake Profile client";
  std::string account_type = "api_client";
  std::string account_role = "manager";
  std::chrono::seconds expires_in{3600};  ///< lifetime of issued tokens
  /// How the id and secret inside HTTP Basic credentials are decoded (RFC 6749 §2.3.1 by default).
  basic_encoding basic = basic_encoding::form_encoded;
  std::uint64_t token_seed = 0x70726f66696c65;  ///< varies the issued token strings
};

/// An in-process fake of the Profile API, and a Transport: hand it to m2m_client in place of a
/// real transport. No sockets, no threads of its own.
///
/// As https://support.profilebehavior.com/api-reference/authentication documents them, the
/// v4 paths are served on `options::base_url` (https://vanguard.profilebehavior.com by default),
/// the legacy v3 paths on `options::legacy_base_url` (https://api.profilebehavior.com); any other
/// path is 404, a wrong method 405 with `Allow`.
///
/// - `POST {base}/api/v4/auth` (and `{legacy}/v3/auth`): `Content-Type: application/json` with
///   `{"grant_type":"client_credentials","client_id":…,"client_secret":…}`, or the credentials as
///   HTTP Basic with `{"grant_type":"client_credentials"}`. Issues opaque Bearer tokens
///   (`tok-<n>-<16 hex>`) living `expires_in`. Errors follow RFC 6749 §5.2: 400 invalid_request
///   (wrong Content-Type, malformed JSON, missing or non-string members, credentials given
///   twice), 400 unsupported_grant_type, 401 invalid_client (unknown id or wrong secret).
/// - `POST {base}/api/v4/test` (and `{legacy}/v3/test`): needs `Authorization: Bearer <token>` for
/// an
///   issued, unexpired, unrevoked token, else 401 with `WWW-Authenticate: Bearer
///   error="invalid_token"` (or a bare `Bearer realm` challenge when no credentials were sent).
///   Answers `{"echo":<request JSON>,"client_id":"…"}`.
/// - `GET {base}/api/v4/account`: the same token check; answers the token's client in Profile's
///   envelope, `{"code":200,"data":{"id":<client_id>,"name":…,"type":…,"role":…},"status":
///   "success"}`. `GET {legacy}/v3/my-account` answers the bare `data` object.
/// - Every answer carries `X-Request-Id: fake-<n>`; token answers `Cache-Control: no-store`.
///
/// Copies share one server (counters, tokens, faults), so a test can keep a copy to inspect
/// after handing one to a client. Thread-safe. Time comes from the clock given at construction
/// (which must outlive every copy), std::chrono::steady_clock by default.
class fake_profile_api {
 public:
  using options = fake_profile_api_options;

  /// A fake on the real monotonic clock.
  explicit fake_profile_api(options o = {}) : state_(std::make_shared<state>(std::move(o))) {
    state_->now = [] { return to_time_point(std::chrono::steady_clock::now()); };
  }
  /// A fake on `clock` (kept by reference), e.g. a testing::manual_clock shared with the client.
  template <Clock C>
  explicit fake_profile_api(C& clock, options o = {})
      : state_(std::make_shared<state>(std::move(o))) {
    state_->now = [&clock] { return to_time_point(clock.now()); };
    if constexpr (requires(typename C::duration d) { clock.advance(d); })
      state_->advance = [&clock](std::chrono::nanoseconds d) {
        clock.advance(std::chrono::duration_cast<typename C::duration>(d));
      };
  }

  /// Serves `request`. HTTP errors are answers (values); the only error results are
  /// errc::transport_failed for a URL outside base_url (as a DNS failure would be).
  [[nodiscard]] result<http_response> send(const http_request& request) {
    const std::string_view path = route(request.url);  // v3 paths: "legacy:" + path
    std::unique_lock<std::mutex> lock(state_->mutex);
    ++state_->requests;
    state_->last = request;
    if (path.data() == nullptr)
      return fail(errc::transport_failed, "fake_profile_api: no such host (the fake serves " +
                                              state_->base_url + " and " + state_->legacy_base_url +
                                              ")");
    const fake_endpoint ep = endpoint_of(path);
    if (ep == fake_endpoint::token) ++state_->token_requests;
    if (ep == fake_endpoint::api) ++state_->api_calls;
    if (ep == fake_endpoint::account) ++state_->account_calls;
    const std::string request_id = "fake-" + std::to_string(state_->requests);

    if (std::optional<fault> f = take_fault(request, ep)) {
      if (f->what != fault::kind::slow) return answer_fault(*f, ep, request_id);
      lock.unlock();  // other threads keep being served while this answer is "on the wire"
      if (f->real_sleep || !state_->advance)
        std::this_thread::sleep_for(f->delay);
      else
        state_->advance(f->delay);
      lock.lock();
    }
    if (ep == fake_endpoint::any) return json_answer(404, R"({"error":"not_found"})", request_id);
    const std::string_view method = ep == fake_endpoint::account ? "GET" : "POST";
    if (request.method != method) {
      http_response r = json_answer(405, R"({"error":"method_not_allowed"})", request_id);
      r.headers.add("Allow", std::string(method));
      return r;
    }
    if (ep == fake_endpoint::token) return issue_token(request, request_id);
    return serve_api(request, request_id, ep, path.starts_with("legacy:"));
  }

  /// Makes the next `times` requests to `where` misbehave as `f` (queued faults apply in the
  /// order they were injected; each request consumes at most one).
  void inject(fault f, unsigned times = 1, fake_endpoint where = fake_endpoint::any) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->faults.push_back({std::move(f), times, where, {}});
  }
  /// Makes up to `times` requests for which `when(request)` is true misbehave as `f`. `when`
  /// runs under the fake's lock: it must not call the fake.
  void inject_when(std::function<bool(const http_request&)> when, fault f,
                   unsigned times = static_cast<unsigned>(-1)) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->faults.push_back({std::move(f), times, fake_endpoint::any, std::move(when)});
  }
  /// Drops every fault not yet consumed.
  void clear_faults() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->faults.clear();
  }
  /// Forgets every issued token: the next API call with one gets 401 invalid_token.
  void revoke_all_tokens() {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->tokens.clear();
  }
  /// Replaces the accepted credentials (a secret rotation); tokens already issued stay valid.
  void set_credentials(std::string client_id, secret client_secret) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->opt.client_id = std::move(client_id);
    state_->opt.client_secret = std::move(client_secret);
  }

  /// Requests of any kind seen (faulted ones included).
  [[nodiscard]] std::size_t requests() const { return read(&state::requests); }
  /// Requests to the token endpoint (faulted and refused ones included).
  [[nodiscard]] std::size_t token_requests() const { return read(&state::token_requests); }
  /// Tokens issued (successful token requests).
  [[nodiscard]] std::size_t tokens_issued() const { return read(&state::tokens_issued); }
  /// Requests to the test endpoint (faulted and refused ones included).
  [[nodiscard]] std::size_t api_calls() const { return read(&state::api_calls); }
  /// Requests to the account endpoint (faulted and refused ones included).
  [[nodiscard]] std::size_t account_calls() const { return read(&state::account_calls); }
  /// The last request seen, as sent (it may hold the client secret: keep it in tests).
  [[nodiscard]] std::optional<http_request> last_request() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->last;
  }
  /// The most recently issued access token (empty before the first), to compare in tests.
  [[nodiscard]] std::string last_token() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->last_token;
  }

 private:
  struct issued {
    std::string value;
    std::string client_id;
    time_point expires_at;
  };
  struct queued_fault {
    fault f;
    unsigned remaining;
    fake_endpoint where;
    std::function<bool(const http_request&)> when;
  };
  struct state {
    explicit state(options o)
        : base_url(o.base_url), legacy_base_url(o.legacy_base_url), opt(std::move(o)) {}
    std::mutex mutex;
    const std::string base_url;         // read without the lock: never changes
    const std::string legacy_base_url;  // read without the lock: never changes
    options opt;
    std::function<time_point()> now;
    std::function<void(std::chrono::nanoseconds)> advance;
    std::vector<issued> tokens;
    std::vector<queued_fault> faults;
    std::optional<http_request> last;
    std::string last_token;  // survives revoke_all_tokens()
    std::size_t requests = 0, token_requests = 0, tokens_issued = 0, api_calls = 0,
                account_calls = 0;
  };

  [[nodiscard]] std::size_t read(std::size_t state::*member) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return (*state_).*member;
  }

  /// The path of `url` under `base`, or a null view when `url` does not lie under it.
  [[nodiscard]] static std::string_view path_under(std::string_view url, std::string_view base) {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    if (url.size() < base.size() || !detail::iequals(url.substr(0, base.size()), base)) return {};
    std::string_view path = url.substr(base.size());
    if (!path.empty() && path.front() != '/' && path.front() != '?') return {};
    return path.substr(0, path.find_first_of("?#"));
  }
  /// The served endpoint `url` names: a v4 path under base_url, or "legacy:" followed by a v3
  /// path under legacy_base_url; "" for any other path on either host; a null view for another
  /// host.
  [[nodiscard]] std::string_view route(std::string_view url) const {
    static constexpr std::string_view v4[] = {"/api/v4/auth", "/api/v4/test", "/api/v4/account"};
    static constexpr std::string_view v3[] = {"legacy:/v3/auth", "legacy:/v3/test",
                                              "legacy:/v3/my-account"};
    const std::string_view on_base = path_under(url, state_->base_url);
    const std::string_view on_legacy = path_under(url, state_->legacy_base_url);
    for (const std::string_view p : v4)
      if (on_base.data() != nullptr && on_base == p) return p;
    for (const std::string_view p : v3)
      if (on_legacy.data() != nullptr && on_legacy == p.substr(7)) return p;
    if (on_base.data() != nullptr || on_legacy.data() != nullptr) return "";
    return {};
  }
  [[nodiscard]] static fake_endpoint endpoint_of(std::string_view path) {
    if (path.starts_with("legacy:")) path.remove_prefix(7);
    if (path == "/v3/auth" || path == "/api/v4/auth") return fake_endpoint::token;
    if (path == "/v3/test" || path == "/api/v4/test") return fake_endpoint::api;
    if (path == "/v3/my-account" || path == "/api/v4/account") return fake_endpoint::account;
    return fake_endpoint::any;  // not found
  }

  [[nodiscard]] std::optional<fault> take_fault(const http_request& req, fake_endpoint ep) {
    for (auto it = state_->faults.begin(); it != state_->faults.end(); ++it) {
      if (it->where != fake_endpoint::any && it->where != ep) continue;
      if (it->when && !it->when(req)) continue;
      fault f = it->f;
      if (--it->remaining == 0) state_->faults.erase(it);
      return f;
    }
    return std::nullopt;
  }

  [[nodiscard]] static http_response json_answer(int status, std::string body,
                                                 const std::string& request_id) {
    http_response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.headers.add("X-Request-Id", request_id);
    r.body = std::move(body);
    return r;
  }
  [[nodiscard]] static http_response oauth_error(int status, std::string_view code,
                                                 std::string_view description,
                                                 const std::string& request_id) {
    detail::json::writer w;
    w.begin_object().key("error").string(code).key("error_description").string(description);
    w.end_object();
    http_response r = json_answer(status, w.take(), request_id);
    r.headers.add("Cache-Control", "no-store");
    return r;
  }
  [[nodiscard]] static http_response invalid_token(std::string_view why,
                                                   const std::string& request_id) {
    http_response r = json_answer(401, R"({"error":"invalid_token"})", request_id);
    r.headers.add("WWW-Authenticate",
                  "Bearer realm=\"profile\", error=\"invalid_token\", "
                  "error_description=\"" +
                      std::string(why) + "\"");
    return r;
  }

  [[nodiscard]] static http_response answer_fault(const fault& f, fake_endpoint ep,
                                                  const std::string& id) {
    const auto retry_after = [&f](http_response& r) {
      if (f.retry_after.count() > 0)
        r.headers.add("Retry-After", std::to_string(f.retry_after.count()));
    };
    switch (f.what) {
      case fault::kind::server_error:
        return oauth_error(500, "server_error", "injected failure", id);
      case fault::kind::unavailable: {
        http_response r = oauth_error(503, "temporarily_unavailable", "injected outage", id);
        retry_after(r);
        return r;
      }
      case fault::kind::rate_limited: {
        http_response r = json_answer(429, R"({"message":"rate limit exceeded"})", id);
        retry_after(r);
        return r;
      }
      case fault::kind::unauthorized:
        if (ep == fake_endpoint::token)
          return oauth_error(401, "invalid_client", "injected: client authentication failed", id);
        return invalid_token("injected", id);
      case fault::kind::malformed_json:
        return json_answer(200, R"({"access_token":"tok-0-broken","token_type":"Bearer","expi)",
                           id);
      case fault::kind::proxy_html: {
        http_response r;
        r.status = 502;
        r.headers.add("Content-Type", "text/html");
        r.body =
            "<html><body><h1>502 Bad Gateway</h1><p>The upstream server did not answer."
            "</p></body></html>";
        return r;
      }
      case fault::kind::slow:  // handled by send()
      case fault::kind::custom:
        break;
    }
    return f.response;
  }

  [[nodiscard]] http_response issue_token(const http_request& req, const std::string& id) {
    options& o = state_->opt;
    const std::string_view type = req.headers.find("Content-Type").value_or("");
    if (!detail::iequals(type.substr(0, type.find(';')), "application/json"))
      return oauth_error(400, "invalid_request", "Content-Type must be application/json", id);
    auto doc = detail::json::parse(req.body);
    if (!doc || !doc->root().is_object())
      return oauth_error(400, "invalid_request", "the body is not a JSON object", id);
    const auto root = doc->root();
    std::string s1, s2, s3;
    const auto member = [&root](std::string_view name, std::string& scratch)
        -> std::optional<std::optional<std::string_view>> {  // nullopt: present, not a string
      const auto v = root.find(name);
      if (!v) return std::optional<std::string_view>();
      if (!v->is_string()) return std::nullopt;
      return std::optional<std::string_view>(v->get_string(scratch));
    };
    const auto grant = member("grant_type", s1);
    const auto body_id = member("client_id", s2);
    const auto body_secret = member("client_secret", s3);
    if (!grant || !body_id || !body_secret)
      return oauth_error(400, "invalid_request",
                         "grant_type, client_id and client_secret must "
                         "be strings",
                         id);
    if (!*grant) return oauth_error(400, "invalid_request", "grant_type is missing", id);
    if (**grant != "client_credentials")
      return oauth_error(400, "unsupported_grant_type", "only client_credentials is supported", id);

    std::string basic_id, basic_secret;
    const std::optional<std::string_view> authz = req.headers.find("Authorization");
    const bool basic = authz && authz->size() > 6 && detail::iequals(authz->substr(0, 6), "Basic ");
    if (basic) {
      if (*body_secret)
        return oauth_error(400, "invalid_request", "client credentials were sent twice", id);
      if (!decode_basic(authz->substr(6), basic_id, basic_secret)) {
        http_response r = oauth_error(401, "invalid_client", "malformed Basic credentials", id);
        r.headers.add("WWW-Authenticate", "Basic realm=\"profile\"");
        return r;
      }
    }
    const std::string_view got_id = basic ? std::string_view(basic_id) : body_id->value_or("");
    const std::string_view got_secret =
        basic ? std::string_view(basic_secret) : body_secret->value_or("");
    // Both comparisons always run, so the timing says nothing about which one failed.
    const bool id_ok = constant_time_equal(got_id, o.client_id);
    const bool secret_ok = constant_time_equal(got_secret, o.client_secret.reveal());
    detail::secure_wipe(basic_secret);
    if (!(id_ok & secret_ok) || got_id.empty()) {
      http_response r = oauth_error(401, "invalid_client", "client authentication failed", id);
      if (basic) r.headers.add("WWW-Authenticate", "Basic realm=\"profile\"");
      return r;
    }

    const std::uint64_t n = ++state_->tokens_issued;
    std::uint64_t x = n ^ o.token_seed;  // splitmix64: looks random, is reproducible
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    std::string token = "tok-" + std::to_string(n) + "-";
    for (int shift = 60; shift >= 0; shift -= 4) token += "0123456789abcdef"[(x >> shift) & 15];
    state_->tokens.push_back({token, std::string(got_id), state_->now() + o.expires_in});
    state_->last_token = token;

    detail::json::writer w;
    w.begin_object().key("access_token").string(token).key("token_type").string("Bearer");
    w.key("expires_in").number(static_cast<std::int64_t>(o.expires_in.count())).end_object();
    http_response r = json_answer(200, w.take(), id);
    r.headers.add("Cache-Control", "no-store");
    r.headers.add("Pragma", "no-cache");
    return r;
  }

  [[nodiscard]] bool decode_basic(std::string_view b64, std::string& id, std::string& sec) const {
    auto raw = base64_decode(b64);
    if (!raw) return false;
    const std::size_t colon = raw->find(':');
    if (colon == std::string::npos) return false;
    bool ok = true;
    if (state_->opt.basic == basic_encoding::form_encoded) {
      auto i = form_urldecode(std::string_view(*raw).substr(0, colon));
      auto s = form_urldecode(std::string_view(*raw).substr(colon + 1));
      ok = i.has_value() && s.has_value();
      if (ok) {
        id = std::move(*i);
        sec = std::move(*s);
      }
    } else {
      id = raw->substr(0, colon);
      sec = raw->substr(colon + 1);
    }
    detail::secure_wipe(*raw);
    return ok;
  }

  [[nodiscard]] http_response serve_api(const http_request& req, const std::string& id,
                                        fake_endpoint ep, bool legacy) {
    const std::optional<std::string_view> authz = req.headers.find("Authorization");
    if (!authz) {
      http_response r = json_answer(401, R"({"error":"unauthorized"})", id);
      r.headers.add("WWW-Authenticate", "Bearer realm=\"profile\"");
      return r;
    }
    if (authz->size() <= 7 || !detail::iequals(authz->substr(0, 7), "Bearer "))
      return invalid_token("the Authorization header is not a Bearer token", id);
    const std::string_view presented = authz->substr(7);
    const issued* match = nullptr;
    for (const issued& t : state_->tokens)
      if (constant_time_equal(t.value, presented)) match = &t;
    if (match == nullptr) return invalid_token("unknown or revoked token", id);
    if (state_->now() >= match->expires_at) return invalid_token("the token expired", id);
    if (ep == fake_endpoint::account) {
      const options& o = state_->opt;
      detail::json::writer data;
      data.begin_object().key("id").string(match->client_id).key("name").string(o.account_name);
      data.key("type").string(o.account_type).key("role").string(o.account_role).end_object();
      if (legacy) return json_answer(200, data.take(), id);
      return json_answer(200, R"({"code":200,"data":)" + data.take() + R"(,"status":"success"})",
                         id);
    }
    std::string body = R"({"echo":)";
    if (req.body.empty())
      body += "null";
    else if (detail::json::parse(req.body))
      body += req.body;
    else
      return json_answer(400, R"({"error":"invalid_request"})", id);
    body += R"(,"client_id":)";
    detail::json::write_string(body, match->client_id);
    body += '}';
    return json_answer(200, std::move(body), id);
  }

  std::shared_ptr<state> state_;
};

}  // namespace profile::auth::inline v0::testing

// The user-authorization half (fake_profile_oauth) builds on this class.
#include <profile/auth/testing/fake_profile_oauth.hpp>

#endif  // PROFILE_AUTH_TESTING_FAKE_PROFILE_API_HPP
