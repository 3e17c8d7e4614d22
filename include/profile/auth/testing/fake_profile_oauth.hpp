// SPDX-License-Identifier: MIT
// profile-auth testing: the user-authorization half of the fake Profile API (code, device, revoke).
#ifndef PROFILE_AUTH_TESTING_FAKE_PROFILE_OAUTH_HPP
#define PROFILE_AUTH_TESTING_FAKE_PROFILE_OAUTH_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/detail/json_writer.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/sha256.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/token.hpp>
#include <profile/auth/url.hpp>

#include <chrono>       // code, token and device-code lifetimes
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t counters
#include <functional>   // the clock hook
#include <map>          // users by name
#include <memory>       // std::shared_ptr: copies share one server
#include <mutex>        // shared by the threads of concurrency tests
#include <optional>     // lookups
#include <string>       // codes, tokens
#include <string_view>  // routing
#include <utility>      // std::move
#include <vector>       // grants, codes, redirect URIs

namespace profile::auth::inline v0::testing {

/// A user the fake authorization server knows.
struct fake_user {
  std::string id;
  std::string email;
  std::string name;
  std::string role;      ///< what /v3/my-account reports
  bool consents = true;  ///< false: the consent screen is "refused" (error=access_denied)
};

/// What fake_profile_oauth accepts. The default users are `alice` (admin), `bob` (manager) and
/// `eve`, who refuses consent.
struct fake_profile_oauth_options {
  /// The M2M half (v4 paths on its base_url, v3 on its legacy_base_url); its legacy_base_url
  /// is where the user-authorization paths and /v3/my-account are served.
  fake_profile_api_options m2m;
  std::string client_id = "test-app";
  secret client_secret;  ///< empty: a public client (client_id in the body, no secret)
  /// Redirect URIs registered for the client; compared byte for byte.
  std::vector<std::string> redirect_uris = {"http://127.0.0.1:8765/callback"};
  /// Accept any loopback http redirect URI whatever its port (RFC 8252 §7.3), path exact.
  bool any_loopback_port = true;
  std::chrono::seconds code_lifetime{60};
  std::chrono::seconds access_lifetime{3600};
  std::chrono::seconds device_code_lifetime{600};
  std::chrono::seconds interval{5};  ///< device polling interval
  std::map<std::string, fake_user> users = {
      {"alice", {"u-alice", "alice@example.com", "Alice", "admin", true}},
      {"bob", {"u-bob", "bob@example.com", "Bob", "manager", true}},
      {"eve", {"u-eve", "eve@example.com", "Eve", "viewer", false}},
  };
};

/// The fake Profile API with user authorization: a Transport serving, under the base URL,
/// everything fake_profile_api serves (M2M, delegated to an embedded one) plus:
///
/// - `GET /oauth/authorize?…` simulates login and consent. The user is named by `login_hint`
///   (or, without one, by set_next_user()); with neither it answers 200 text/html (a "login
///   page"). The request must carry response_type=code, the client_id, a registered
///   redirect_uri (exact; else 400 JSON, no redirect), state, and a code_challenge with
///   method S256 (else a redirect with error=invalid_request). Answers 303 with `Location:
///   {redirect_uri}?code=…&state=…&iss={base}`, or `?error=access_denied&…` for a user who
///   refuses (and for an unknown user).
/// - `POST /oauth/token` (form, RFC 6749): authorization_code (single-use, PKCE S256 checked,
///   redirect_uri exact; a replayed code is invalid_grant and revokes every token of its
///   grant), refresh_token (rotated on every use; presenting an old one is invalid_grant and
///   revokes the whole family), and the device_code grant (authorization_pending until
///   approve_device(); slow_down, adding 5 s to the interval, when polled faster than it;
///   access_denied after deny_device(); expired_token after its lifetime on the fake's clock).
/// - `POST /oauth/device` (RFC 8628), `POST /oauth/revoke` (RFC 7009: always 200 for a valid
///   request; a refresh token ends its grant, an access token just itself).
/// - `GET /v3/my-account` with a user's Bearer token: `{"id","email","name","role"}`.
///
/// Requests are parsed strictly: form Content-Type, no repeated parameter, the client's
/// credentials as registered (public: client_id in the body; confidential: Basic or body).
/// Copies share one server. Thread-safe.
class fake_profile_oauth {
 public:
  using options = fake_profile_oauth_options;

  /// A fake on `clock` (kept by reference; must outlive every copy).
  template <Clock C>
  explicit fake_profile_oauth(C& clock, options o = {})
      : m2m_(clock, o.m2m), s_(std::make_shared<state>(std::move(o))) {
    s_->now = [&clock] { return to_time_point(clock.now()); };
  }

  /// Serves `request` (see the class comment); other paths go to the M2M fake.
  [[nodiscard]] result<http_response> send(const http_request& request) {
    const std::string_view path = path_of(request.url);
    if (path != "/oauth/authorize" && path != "/oauth/token" && path != "/oauth/device" &&
        path != "/oauth/revoke" && path != "/v3/my-account")
      return m2m_.send(request);
    std::lock_guard<std::mutex> lock(s_->mutex);
    ++s_->requests;
    if (s_->fail_remaining > 0 && (s_->fail_path.empty() || s_->fail_path == path)) {
      --s_->fail_remaining;
      return s_->fail_response;
    }
    const bool get = path == "/oauth/authorize" || path == "/v3/my-account";
    if (request.method != (get ? "GET" : "POST")) {
      http_response r = json(405, R"({"error":"method_not_allowed"})");
      r.headers.add("Allow", get ? "GET" : "POST");
      return r;
    }
    if (path == "/oauth/authorize") return authorize(request.url);
    if (path == "/v3/my-account") return my_account(request);
    query_params form;
    if (std::optional<http_response> refused = read_form(request, form)) return *refused;
    if (path == "/oauth/token") return token(form);
    if (path == "/oauth/device") return device(form);
    return revoke(form);
  }

  /// The embedded M2M fake (same base URL and clock), for its faults and counters.
  [[nodiscard]] fake_profile_api& m2m() noexcept { return m2m_; }

  /// The user an authorization request without login_hint logs in as (empty: none).
  void set_next_user(std::string name) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->next_user = std::move(name);
  }
  /// Adds or replaces a user.
  void add_user(std::string name, fake_user u) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->opt.users[std::move(name)] = std::move(u);
  }
  /// The user (by name) approves the device request showing `user_code`; false if unknown.
  bool approve_device(std::string_view user_code, std::string_view user) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    device_entry* d = find_device_by_user_code(user_code);
    if (d == nullptr || s_->opt.users.find(std::string(user)) == s_->opt.users.end()) return false;
    d->user = std::string(user);
    d->status = device_entry::approved;
    return true;
  }
  /// The user refuses the device request showing `user_code`; false if unknown.
  bool deny_device(std::string_view user_code) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    device_entry* d = find_device_by_user_code(user_code);
    if (d == nullptr) return false;
    d->status = device_entry::denied;
    return true;
  }
  /// Answers the next `times` requests to `path` (e.g. "/oauth/revoke"; empty: any OAuth path)
  /// with `r`, exactly.
  void fail_next(std::string path, http_response r, unsigned times = 1) {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->fail_path = std::move(path);
    s_->fail_response = std::move(r);
    s_->fail_remaining = times;
  }
  /// Ends every grant (the server forgot all sessions): refreshes give invalid_grant.
  void revoke_all_grants() {
    std::lock_guard<std::mutex> lock(s_->mutex);
    for (grant& g : s_->grants) g.revoked = true;
  }

  /// Requests to the OAuth paths and /v3/my-account (the M2M half counts its own).
  [[nodiscard]] std::size_t requests() const { return read(&state::requests); }
  /// Successful code exchanges, refreshes and device grants.
  [[nodiscard]] std::size_t tokens_issued() const { return read(&state::issued); }
  /// Revocation requests that revoked something.
  [[nodiscard]] std::size_t revocations() const { return read(&state::revocations); }
  /// Successful refreshes.
  [[nodiscard]] std::size_t refreshes() const { return read(&state::refreshes); }
  /// True when the grant holding `refresh_token` (current or old) has been revoked.
  [[nodiscard]] bool family_revoked(std::string_view refresh_token) const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    for (const grant& g : s_->grants)
      for (const std::string& r : g.refresh_tokens)
        if (r == refresh_token) return g.revoked;
    return false;
  }
  /// The issuer this fake puts in `iss` (the base URL without trailing '/').
  [[nodiscard]] std::string issuer() const { return base(); }

 private:
  struct grant {
    std::string user;
    std::vector<std::string> refresh_tokens;  // back() is current; older ones are rotated out
    std::vector<std::pair<std::string, time_point>> access_tokens;
    std::string scope;
    bool revoked = false;
  };
  struct code_entry {
    std::string code, user, redirect_uri, challenge, scope;
    time_point expires_at;
    bool used = false;
    std::size_t grant = static_cast<std::size_t>(-1);
  };
  struct device_entry {
    enum status_t : unsigned char { pending, approved, denied, consumed } status = pending;
    std::string device_code, user_code, user, scope;
    time_point expires_at;
    std::optional<time_point> last_poll;
    std::chrono::seconds interval{5};
  };
  struct state {
    explicit state(options o) : opt(std::move(o)) {}
    std::mutex mutex;
    options opt;
    std::function<time_point()> now;
    std::string next_user;
    std::vector<grant> grants;
    std::vector<code_entry> codes;
    std::vector<device_entry> devices;
    std::string fail_path;
    http_response fail_response;
    unsigned fail_remaining = 0;
    std::uint64_t counter = 0;
    std::size_t requests = 0, issued = 0, revocations = 0, refreshes = 0;
  };

  [[nodiscard]] std::size_t read(std::size_t state::*m) const {
    std::lock_guard<std::mutex> lock(s_->mutex);
    return (*s_).*m;
  }
  [[nodiscard]] std::string base() const {
    std::string b = s_->opt.m2m.legacy_base_url;  // the user half stays on the v3 host
    while (!b.empty() && b.back() == '/') b.pop_back();
    return b;
  }
  [[nodiscard]] std::string_view path_of(std::string_view url) const {
    const std::string& b = s_->opt.m2m.legacy_base_url;  // never changes: read without the lock
    std::string_view base_view = b;
    while (!base_view.empty() && base_view.back() == '/') base_view.remove_suffix(1);
    if (url.size() < base_view.size() ||
        !detail::iequals(url.substr(0, base_view.size()), base_view))
      return {};
    const std::string_view rest = url.substr(base_view.size());
    return rest.substr(0, rest.find_first_of("?#"));
  }
  /// A fresh value `<prefix>-<n>-<16 hex>` (splitmix64 of a counter: unique, reproducible).
  [[nodiscard]] std::string fresh(std::string_view prefix) {
    std::uint64_t x = ++s_->counter ^ s_->opt.m2m.token_seed;
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    std::string out(prefix);
    out += "-" + std::to_string(s_->counter) + "-";
    for (int shift = 60; shift >= 0; shift -= 4) out += "0123456789abcdef"[(x >> shift) & 15];
    return out;
  }

  [[nodiscard]] static http_response json(int status, std::string body) {
    http_response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.headers.add("Cache-Control", "no-store");
    r.body = std::move(body);
    return r;
  }
  [[nodiscard]] static http_response oauth_error(int status, std::string_view code,
                                                 std::string_view why) {
    detail::json::writer w;
    w.begin_object().key("error").string(code).key("error_description").string(why);
    w.end_object();
    return json(status, w.take());
  }
  [[nodiscard]] static const std::string* param(const query_params& q, std::string_view name) {
    for (const auto& [n, v] : q)
      if (n == name) return &v;
    return nullptr;
  }
  [[nodiscard]] static std::string_view repeated(const query_params& q) {
    for (std::size_t i = 0; i < q.size(); ++i)
      for (std::size_t j = i + 1; j < q.size(); ++j)
        if (q[i].first == q[j].first) return q[i].first;
    return {};
  }

  /// Reads the form body into `out` after checking the Content-Type, repeated parameters and
  /// the client's credentials; the refusal to send instead, if any.
  [[nodiscard]] std::optional<http_response> read_form(const http_request& req,
                                                       query_params& out) const {
    const std::string_view type = req.headers.find("Content-Type").value_or("");
    if (!detail::iequals(type.substr(0, type.find(';')), "application/x-www-form-urlencoded"))
      return oauth_error(400, "invalid_request",
                         "Content-Type must be application/x-www-form-urlencoded");
    auto q = parse_query(req.body);
    if (!q) return oauth_error(400, "invalid_request", "bad form body");
    if (!repeated(*q).empty())
      return oauth_error(400, "invalid_request", "a parameter is repeated");
    std::string id, sec;
    const std::optional<std::string_view> authz = req.headers.find("Authorization");
    const bool basic = authz && authz->size() > 6 && detail::iequals(authz->substr(0, 6), "Basic ");
    if (basic) {
      auto raw = base64_decode(authz->substr(6));
      const std::size_t colon = raw ? raw->find(':') : std::string::npos;
      if (colon == std::string::npos) return oauth_error(401, "invalid_client", "bad Basic");
      auto i = form_urldecode(std::string_view(*raw).substr(0, colon));
      auto s = form_urldecode(std::string_view(*raw).substr(colon + 1));
      detail::secure_wipe(*raw);
      if (!i || !s) return oauth_error(401, "invalid_client", "bad Basic");
      id = std::move(*i);
      sec = std::move(*s);
      if (param(*q, "client_secret") != nullptr)
        return oauth_error(400, "invalid_request", "client credentials were sent twice");
    } else {
      if (const std::string* p = param(*q, "client_id")) id = *p;
      if (const std::string* p = param(*q, "client_secret")) sec = *p;
    }
    // Both comparisons always run, so the timing says nothing about which one failed.
    const bool id_ok = constant_time_equal(id, s_->opt.client_id);
    const bool sec_ok = constant_time_equal(sec, s_->opt.client_secret.reveal());
    detail::secure_wipe(sec);
    if (!(id_ok & sec_ok))
      return oauth_error(401, "invalid_client", "client authentication failed");
    out = std::move(*q);
    return std::nullopt;
  }

  [[nodiscard]] bool redirect_registered(std::string_view uri) const {
    for (const std::string& r : s_->opt.redirect_uris) {
      if (r == uri) return true;
      if (!s_->opt.any_loopback_port) continue;
      auto a = parse_url(r), b = parse_url(uri);
      if (a && b && a->scheme == "http" && b->scheme == "http" && is_loopback_host(a->host) &&
          a->host == b->host && a->path == b->path && a->query == b->query)
        return true;
    }
    return false;
  }

  [[nodiscard]] http_response redirect(std::string_view to, const query_params& add) const {
    std::string loc(to);
    loc += loc.find('?') == std::string::npos ? '?' : '&';
    loc += query_string(add);
    http_response r;
    r.status = 303;
    r.headers.add("Location", loc);
    r.headers.add("Cache-Control", "no-store");
    return r;
  }

  [[nodiscard]] http_response authorize(std::string_view url) {
    const std::size_t qpos = url.find('?');
    auto q =
        parse_query(qpos == std::string_view::npos ? std::string_view() : url.substr(qpos + 1));
    if (!q || !repeated(*q).empty())
      return oauth_error(400, "invalid_request", "malformed or repeated query parameters");
    const std::string* client = param(*q, "client_id");
    const std::string* redirect_uri = param(*q, "redirect_uri");
    // RFC 6749 §4.1.2.1: never redirect to an unverified URI; answer the "browser" directly.
    if (client == nullptr || *client != s_->opt.client_id)
      return oauth_error(400, "invalid_request", "unknown client_id");
    if (redirect_uri == nullptr || !redirect_registered(*redirect_uri))
      return oauth_error(400, "invalid_request", "redirect_uri is not registered for the client");
    const std::string* st = param(*q, "state");
    query_params out;
    const auto refuse = [&](std::string_view code, std::string_view why) {
      out.emplace_back("error", std::string(code));
      out.emplace_back("error_description", std::string(why));
      if (st != nullptr) out.emplace_back("state", *st);
      out.emplace_back("iss", base());
      return redirect(*redirect_uri, out);
    };
    const std::string* rt = param(*q, "response_type");
    if (rt == nullptr || *rt != "code")
      return refuse("unsupported_response_type", "only response_type=code");
    const std::string* challenge = param(*q, "code_challenge");
    const std::string* method = param(*q, "code_challenge_method");
    if (challenge == nullptr || challenge->size() != 43 || method == nullptr || *method != "S256")
      return refuse("invalid_request", "PKCE with S256 is required");
    const std::string* hint = param(*q, "login_hint");
    const std::string name = hint != nullptr ? *hint : s_->next_user;
    if (name.empty()) {
      http_response r;
      r.status = 200;
      r.headers.add("Content-Type", "text/html");
      r.body = "<html><body><form>Sign in to Profile</form></body></html>";
      return r;
    }
    const auto user = s_->opt.users.find(name);
    if (user == s_->opt.users.end() || !user->second.consents)
      return refuse("access_denied", "the user refused access");
    code_entry c;
    c.code = fresh("code");
    c.user = name;
    c.redirect_uri = *redirect_uri;
    c.challenge = *challenge;
    if (const std::string* scope = param(*q, "scope")) c.scope = *scope;
    c.expires_at = s_->now() + s_->opt.code_lifetime;
    out.emplace_back("code", c.code);
    if (st != nullptr) out.emplace_back("state", *st);
    out.emplace_back("iss", base());
    s_->codes.push_back(std::move(c));
    return redirect(*redirect_uri, out);
  }

  /// Issues an access token (and a rotated refresh token) for grant `gi`.
  [[nodiscard]] http_response issue(std::size_t gi) {
    grant& g = s_->grants[gi];
    std::string access = fresh("uat"), refresh = fresh("urt");
    g.access_tokens.emplace_back(access, s_->now() + s_->opt.access_lifetime);
    g.refresh_tokens.push_back(refresh);
    ++s_->issued;
    detail::json::writer w;
    w.begin_object().key("access_token").string(access).key("token_type").string("Bearer");
    w.key("expires_in").number(static_cast<std::int64_t>(s_->opt.access_lifetime.count()));
    w.key("refresh_token").string(refresh);
    if (!g.scope.empty()) w.key("scope").string(g.scope);
    w.end_object();
    http_response r = json(200, w.take());
    r.headers.add("Pragma", "no-cache");
    return r;
  }

  [[nodiscard]] http_response token(const query_params& q) {
    const std::string* gt = param(q, "grant_type");
    if (gt == nullptr) return oauth_error(400, "invalid_request", "grant_type is missing");
    if (*gt == "authorization_code") return exchange_code(q);
    if (*gt == "refresh_token") return refresh(q);
    if (*gt == device_code_grant_type) return poll_device(q);
    return oauth_error(400, "unsupported_grant_type", "unsupported grant_type");
  }

  [[nodiscard]] http_response exchange_code(const query_params& q) {
    const std::string* code = param(q, "code");
    const std::string* verifier = param(q, "code_verifier");
    const std::string* redirect_uri = param(q, "redirect_uri");
    if (code == nullptr || verifier == nullptr || redirect_uri == nullptr)
      return oauth_error(400, "invalid_request", "code, code_verifier and redirect_uri required");
    code_entry* c = nullptr;
    for (code_entry& e : s_->codes)
      if (constant_time_equal(e.code, *code)) c = &e;
    if (c == nullptr) return oauth_error(400, "invalid_grant", "unknown authorization code");
    if (c->used) {  // RFC 6749 §4.1.2: a replay ends what the first use obtained
      if (c->grant < s_->grants.size()) s_->grants[c->grant].revoked = true;
      return oauth_error(400, "invalid_grant", "the authorization code was already used");
    }
    c->used = true;
    if (s_->now() >= c->expires_at)
      return oauth_error(400, "invalid_grant", "the authorization code expired");
    if (*redirect_uri != c->redirect_uri)
      return oauth_error(400, "invalid_grant", "redirect_uri differs from the authorization's");
    const auto digest = sha256(*verifier);
    const std::string computed = base64url_encode(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    if (verifier->size() < 43 || verifier->size() > 128 ||
        !constant_time_equal(computed, c->challenge))
      return oauth_error(400, "invalid_grant", "code_verifier does not match the challenge");
    c->grant = s_->grants.size();
    s_->grants.push_back(grant{c->user, {}, {}, c->scope, false});
    return issue(c->grant);
  }

  [[nodiscard]] http_response refresh(const query_params& q) {
    const std::string* rt = param(q, "refresh_token");
    if (rt == nullptr) return oauth_error(400, "invalid_request", "refresh_token is missing");
    for (std::size_t gi = 0; gi < s_->grants.size(); ++gi) {
      grant& g = s_->grants[gi];
      for (std::size_t i = 0; i < g.refresh_tokens.size(); ++i) {
        if (!constant_time_equal(g.refresh_tokens[i], *rt)) continue;
        if (g.revoked) return oauth_error(400, "invalid_grant", "the grant was revoked");
        if (i + 1 != g.refresh_tokens.size()) {  // an old one: stolen or raced; end the family
          g.revoked = true;
          return oauth_error(400, "invalid_grant", "refresh token reuse detected");
        }
        ++s_->refreshes;
        return issue(gi);
      }
    }
    return oauth_error(400, "invalid_grant", "unknown refresh token");
  }

  [[nodiscard]] device_entry* find_device_by_user_code(std::string_view user_code) {
    for (device_entry& d : s_->devices)
      if (d.user_code == user_code) return &d;
    return nullptr;
  }

  [[nodiscard]] http_response device(const query_params& q) {
    device_entry d;
    d.device_code = fresh("dev");
    // 8 letters from a consonant alphabet (RFC 8628 §6.1), shown as XXXX-XXXX.
    const std::string seed = fresh("u");
    static constexpr std::string_view letters = "BCDFGHJKLMNPQRSTVWXZ";
    for (std::size_t i = 0; i < 8; ++i) {
      if (i == 4) d.user_code += '-';
      d.user_code += letters[static_cast<unsigned char>(seed[seed.size() - 1 - i]) % 20];
    }
    if (const std::string* scope = param(q, "scope")) d.scope = *scope;
    d.expires_at = s_->now() + s_->opt.device_code_lifetime;
    d.interval = s_->opt.interval;
    detail::json::writer w;
    w.begin_object().key("device_code").string(d.device_code).key("user_code").string(d.user_code);
    w.key("verification_uri").string(base() + "/device");
    w.key("verification_uri_complete").string(base() + "/device?user_code=" + d.user_code);
    w.key("expires_in").number(static_cast<std::int64_t>(s_->opt.device_code_lifetime.count()));
    w.key("interval").number(static_cast<std::int64_t>(d.interval.count())).end_object();
    s_->devices.push_back(std::move(d));
    return json(200, w.take());
  }

  [[nodiscard]] http_response poll_device(const query_params& q) {
    const std::string* dc = param(q, "device_code");
    if (dc == nullptr) return oauth_error(400, "invalid_request", "device_code is missing");
    device_entry* d = nullptr;
    for (device_entry& e : s_->devices)
      if (constant_time_equal(e.device_code, *dc)) d = &e;
    if (d == nullptr) return oauth_error(400, "invalid_grant", "unknown device code");
    const time_point now = s_->now();
    if (d->status == device_entry::consumed)
      return oauth_error(400, "invalid_grant", "the device code was already used");
    if (now >= d->expires_at) return oauth_error(400, "expired_token", "the device code expired");
    const std::optional<time_point> last = d->last_poll;
    d->last_poll = now;
    if (last && now - *last < d->interval) {  // RFC 8628 §3.5: add 5 seconds
      d->interval += std::chrono::seconds{5};
      return oauth_error(400, "slow_down", "polling too fast");
    }
    if (d->status == device_entry::denied)
      return oauth_error(400, "access_denied", "the user refused access");
    if (d->status == device_entry::pending)
      return oauth_error(400, "authorization_pending", "the user has not finished yet");
    d->status = device_entry::consumed;
    s_->grants.push_back(grant{d->user, {}, {}, d->scope, false});
    return issue(s_->grants.size() - 1);
  }

  [[nodiscard]] http_response revoke(const query_params& q) {
    const std::string* t = param(q, "token");
    if (t == nullptr || t->empty()) return oauth_error(400, "invalid_request", "token is missing");
    for (grant& g : s_->grants) {
      for (const std::string& r : g.refresh_tokens)
        if (constant_time_equal(r, *t) && !g.revoked) {
          g.revoked = true;
          ++s_->revocations;
        }
      for (auto it = g.access_tokens.begin(); it != g.access_tokens.end(); ++it)
        if (constant_time_equal(it->first, *t)) {
          g.access_tokens.erase(it);
          ++s_->revocations;
          break;
        }
    }
    http_response r;  // RFC 7009 §2.2: 200 whether or not the token was known
    r.status = 200;
    r.headers.add("Cache-Control", "no-store");
    return r;
  }

  [[nodiscard]] http_response my_account(const http_request& req) {
    const std::optional<std::string_view> authz = req.headers.find("Authorization");
    const auto reject = [](std::string_view why) {
      http_response r = json(401, R"({"error":"invalid_token"})");
      r.headers.add("WWW-Authenticate",
                    "Bearer realm=\"profile\", error=\"invalid_token\", "
                    "error_description=\"" +
                        std::string(why) + "\"");
      return r;
    };
    if (!authz || authz->size() <= 7 || !detail::iequals(authz->substr(0, 7), "Bearer "))
      return reject("a user's Bearer token is required");
    const std::string_view presented = authz->substr(7);
    for (const grant& g : s_->grants)
      for (const auto& [value, expires] : g.access_tokens) {
        if (!constant_time_equal(value, presented)) continue;
        if (g.revoked) return reject("the grant was revoked");
        if (s_->now() >= expires) return reject("the token expired");
        const auto u = s_->opt.users.find(g.user);
        if (u == s_->opt.users.end()) return reject("the user no longer exists");
        detail::json::writer w;
        w.begin_object().key("id").string(u->second.id).key("email").string(u->second.email);
        w.key("name").string(u->second.name).key("role").string(u->second.role).end_object();
        return json(200, w.take());
      }
    return reject("unknown or revoked token");
  }

  fake_profile_api m2m_;
  std::shared_ptr<state> s_;
};

}  // namespace profile::auth::inline v0::testing

#endif  // PROFILE_AUTH_TESTING_FAKE_PROFILE_OAUTH_HPP
