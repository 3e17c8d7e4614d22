// SPDX-License-Identifier: MIT
// Where a driver's send() may attach its token (https, the configured origins), and the 401
// storm: an API that rejects every token does not drive the token endpoint at its own rate.
// Every driver: m2m_client, async_m2m_client, user_session, async_user_session.
#include <profile/auth/async_m2m_client.hpp>
#include <profile/auth/async_user_session.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing/fake_async_transport.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/token_cache.hpp>
#include <profile/auth/user_session.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view secret_value = "Dest-s3cret-Value";
constexpr std::string_view api = "https://api.example.com";

std::string token_json(std::string_view access, std::string_view refresh = {}) {
  std::string s =
      R"({"access_token":")" + std::string(access) + R"(","token_type":"Bearer","expires_in":3600)";
  if (!refresh.empty()) s += R"(,"refresh_token":")" + std::string(refresh) + "\"";
  return s + "}";
}

pa::http_request get(std::string url) {
  pa::http_request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

/// A generic M2M configuration: token endpoint on auth.example.com, the API named explicitly.
pa::client_credentials_config m2m_config() {
  pa::client_credentials_config c;
  c.token_endpoint = "https://auth.example.com/oauth/token";
  c.client_id = "svc";
  c.client_secret = pa::secret(secret_value);
  c.api_origins = {std::string(api)};
  return c;
}

/// A generic user configuration with the API named explicitly.
pa::user_auth_config user_config() {
  pa::user_auth_config c;
  c.authorization_endpoint = "https://auth.example.com/authorize";
  c.token_endpoint = "https://auth.example.com/token";
  c.client_id = "app";
  c.redirect_uri = "http://127.0.0.1:8765/cb";
  c.api_origins = {std::string(api)};
  return c;
}

pa::stored_session live_session() {
  pa::stored_session s;
  s.refresh_token = pa::secret("Dest-refresh-0");
  s.access_token = pa::secret("dest-access-0");
  s.access_expires_at = std::chrono::system_clock::now() + 1h;
  return s;
}

/// Destinations every driver must refuse for the configuration above, with what the message
/// must name (the origin) and must not (path, query, user information).
struct refused_case {
  std::string url;
  std::string named;  // empty: no origin to name
};
std::vector<refused_case> refused_urls() {
  return {
      {"http://api.example.com/v1/me", "http://api.example.com"},
      {"ftp://api.example.com/v1/me", ""},
      {"https://other.example.com/v1/me", "https://other.example.com"},
      {"https://api.example.com:8443/v1/me", "https://api.example.com:8443"},
      {"http://api.example.com:443/v1/me", "http://api.example.com:443"},
      {"https://api.example.com.evil.example/v1/me", "https://api.example.com.evil.example"},
      {"https://api.example.com@evil.example/v1/me", "https://evil.example"},
      {"https://u:pw-Zq@api.example.com/v1/me", "https://api.example.com"},
      {"https://evil.example/?next=https://api.example.com", "https://evil.example"},
      {"wss://api.example.com/socket", ""},
      {"/v1/me", ""},
      {"https:///v1/me", ""},
      {"", ""},
  };
}

/// Checks a refusal: errc::invalid_url, nothing private in the message.
void check_refusal(const pa::error& e, const refused_case& c) {
  CHECK(e.code == pa::errc::invalid_url);
  CHECK(pa::classify(e) == pa::error_class::misconfiguration);
  if (!c.named.empty()) CHECK_MESSAGE(e.message.find(c.named) != std::string::npos, e.message);
  for (const std::string_view p : {"/v1/me", "next=", "pw-Zq", "socket"})
    CHECK_MESSAGE(e.message.find(p) == std::string::npos, e.message);
  CHECK(e.message.find(secret_value) == std::string::npos);
}

std::size_t count_to(const std::vector<pa::http_request>& reqs, std::string_view prefix) {
  std::size_t n = 0;
  for (const auto& r : reqs) n += r.url.starts_with(prefix) ? 1 : 0;
  return n;
}

using m2m_t =
    pa::m2m_client<pt::fake_transport, pt::manual_clock, pa::thread_safe, pt::fixed_random>;
using async_m2m_t = pa::async_m2m_client<pt::fake_async_transport, pt::manual_clock,
                                         pa::thread_safe, pt::fixed_random>;
using session_t = pa::user_session<pt::fake_transport, pa::memory_store*, pt::manual_clock,
                                   pa::thread_safe, pt::fixed_random>;
using async_session_t = pa::async_user_session<pt::fake_async_transport, pa::memory_store*,
                                               pt::manual_clock, pa::thread_safe, pt::fixed_random>;

/// The four drivers behind one blocking call: send(req) -> result<http_response>, so that each
/// test runs against every driver. The async ones use a transport that answers inside
/// async_send (on_send), so their callbacks have run when send() returns.
struct driver_under_test {
  std::string name;
  std::vector<pa::http_request> (*requests)(void*);
  pa::result<pa::http_response> (*send)(void*, pa::http_request);
  pa::token_cache_stats (*stats)(void*);
  void* self;
};

pa::http_response answer(int status, std::string body, const char* challenge = nullptr) {
  pa::http_response r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty() && r.body.front() == '{') r.headers.add("Content-Type", "application/json");
  if (challenge != nullptr) r.headers.add("WWW-Authenticate", challenge);
  return r;
}

/// The server side of every test: the token endpoint (auth.example.com) issues tok-1, tok-2 …
/// (with a rotated refresh token for sessions); the API answers `api_status` (401 with
/// error="invalid_token" when 401) to everything else.
struct server {
  int issued = 0;
  int api_status = 200;
  int reject_next = 0;  ///< API requests answered 401 invalid_token before api_status applies
  pa::result<pa::http_response> operator()(const pa::http_request& req) {
    if (req.url.starts_with("https://auth.example.com/")) {
      ++issued;
      return answer(200, token_json("tok-" + std::to_string(issued),
                                    "Dest-refresh-" + std::to_string(issued)));
    }
    if (reject_next > 0 || api_status == 401) {
      reject_next -= reject_next > 0 ? 1 : 0;
      return answer(401, "", "Bearer error=\"invalid_token\"");
    }
    return answer(api_status, R"({"ok":true})");
  }
};

/// Builds each driver around a shared `server` and a manual clock.
struct drivers {
  explicit drivers(pa::client_credentials_config mc = m2m_config(),
                   pa::user_auth_config uc = user_config(), pa::token_cache_options o = {})
      : m2m(sync_t, mc, clock, o, pt::fixed_random(0)),
        async_m2m(async_t, std::move(mc), clock, o, pt::fixed_random(0)),
        store(live_session()),
        async_store(live_session()),
        session(sync_t2, uc, &store, clock, options(o), pt::fixed_random(0)),
        async_session(async_t2, std::move(uc), &async_store, clock, options(o),
                      pt::fixed_random(0)) {
    const auto handler = [this](const pa::http_request& r) { return srv(r); };
    sync_t.on_send(handler);
    sync_t2.on_send(handler);
    async_t.on_send(handler);
    async_t2.on_send(handler);
  }
  static pa::user_session_options options(const pa::token_cache_options& o) {
    pa::user_session_options s;
    s.cache = o;
    return s;
  }

  std::vector<driver_under_test> all() {
    return {
        {"m2m_client", [](void* p) { return static_cast<drivers*>(p)->sync_t.requests(); },
         [](void* p, pa::http_request r) { return static_cast<drivers*>(p)->m2m.send(r); },
         [](void* p) { return static_cast<drivers*>(p)->m2m.stats(); }, this},
        {"async_m2m_client", [](void* p) { return static_cast<drivers*>(p)->async_t.requests(); },
         [](void* p, pa::http_request r) {
           std::optional<pa::result<pa::http_response>> out;
           static_cast<drivers*>(p)->async_m2m.send(
               std::move(r), [&](pa::result<pa::http_response> a) { out = std::move(a); });
           REQUIRE(out.has_value());
           return std::move(*out);
         },
         [](void* p) { return static_cast<drivers*>(p)->async_m2m.stats(); }, this},
        {"user_session", [](void* p) { return static_cast<drivers*>(p)->sync_t2.requests(); },
         [](void* p, pa::http_request r) { return static_cast<drivers*>(p)->session.send(r); },
         [](void* p) { return static_cast<drivers*>(p)->session.stats(); }, this},
        {"async_user_session",
         [](void* p) { return static_cast<drivers*>(p)->async_t2.requests(); },
         [](void* p, pa::http_request r) {
           std::optional<pa::result<pa::http_response>> out;
           static_cast<drivers*>(p)->async_session.send(
               std::move(r), [&](pa::result<pa::http_response> a) { out = std::move(a); });
           REQUIRE(out.has_value());
           return std::move(*out);
         },
         [](void* p) { return static_cast<drivers*>(p)->async_session.stats(); }, this},
    };
  }

  server srv;
  pt::manual_clock clock{pa::time_point(1000s)};
  pt::fake_transport sync_t, sync_t2;
  pt::fake_async_transport async_t, async_t2;
  m2m_t m2m;
  async_m2m_t async_m2m;
  pa::memory_store store, async_store;
  session_t session;
  async_session_t async_session;
};

}  // namespace

// --- where the token goes ---------------------------------------------------------------------

TEST_CASE("token destination: every driver refuses other schemes, hosts, ports and userinfo") {
  drivers d;
  for (const driver_under_test& drv : d.all()) {
    CAPTURE(drv.name);
    for (const refused_case& c : refused_urls()) {
      CAPTURE(c.url);
      const std::size_t before = drv.requests(drv.self).size();
      auto r = drv.send(drv.self, get(c.url));
      REQUIRE_FALSE(r.has_value());
      check_refusal(r.error(), c);
      CHECK(drv.requests(drv.self).size() == before);  // nothing sent: no token request either
    }
    CHECK(drv.requests(drv.self).empty());
    // The configured origin, spelled differently (case, default port), is allowed.
    auto ok = drv.send(drv.self, get("https://API.Example.com:443/v1/me"));
    REQUIRE_MESSAGE(ok.has_value(), ok.error().message);
    CHECK(ok->status == 200);
    const auto sent = drv.requests(drv.self);
    REQUIRE_FALSE(sent.empty());
    CHECK(sent.back().url == "https://API.Example.com:443/v1/me");
    CHECK(sent.back().headers.find("Authorization").value().starts_with("Bearer "));
    // Refused after a token is cached, too.
    const std::size_t before = sent.size();
    CHECK(drv.send(drv.self, get("https://other.example.com/x")).error().code ==
          pa::errc::invalid_url);
    CHECK(drv.requests(drv.self).size() == before);
  }
}

TEST_CASE("token destination: the refusal message names the origin and the option to set") {
  drivers d;
  auto r = d.m2m.send(get("https://other.example.com/v1/me?q=secret-query"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("https://other.example.com") != std::string::npos);
  CHECK(r.error().message.find("api_origins") != std::string::npos);
  CHECK(r.error().message.find("https://api.example.com") != std::string::npos);  // allowed one
  CHECK(r.error().message.find("secret-query") == std::string::npos);
  CHECK(r.error().message.find("/v1/me") == std::string::npos);
  auto u = d.m2m.send(get("https://api.example.com@evil.example/"));
  REQUIRE_FALSE(u.has_value());
  CHECK(u.error().message.find("user information") != std::string::npos);
  CHECK(u.error().message.find("https://evil.example") != std::string::npos);
  auto h = d.m2m.send(get("http://api.example.com/"));
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().message.find("plain http") != std::string::npos);
  CHECK(d.sync_t.calls() == 0);
}

TEST_CASE("token destination: without api_origins only the token endpoint's origin is allowed") {
  pa::client_credentials_config mc = m2m_config();
  mc.api_origins.clear();
  pa::user_auth_config uc = user_config();
  uc.api_origins.clear();
  drivers d(mc, uc);
  for (const driver_under_test& drv : d.all()) {
    CAPTURE(drv.name);
    auto r = drv.send(drv.self, get("https://api.example.com/v1/me"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_url);
    CHECK(r.error().message.find("add \"https://api.example.com\" to the configuration's "
                                 "api_origins") != std::string::npos);
    CHECK(drv.requests(drv.self).empty());
    // The issuer's own origin (e.g. a userinfo endpoint next to the token endpoint) is fine:
    // the server that issued the token already holds it.
    auto own = drv.send(drv.self, get("https://auth.example.com/userinfo"));
    REQUIRE_MESSAGE(own.has_value(), own.error().message);
  }
}

TEST_CASE("token destination: api_origins widens the list; resource and audience URLs count") {
  SUBCASE("api_origins, several entries; only the origin of an entry counts") {
    pa::client_credentials_config mc = m2m_config();
    mc.api_origins = {"https://api.example.com/v1/", "https://files.example.com:8443"};
    drivers d(mc);
    CHECK(d.m2m.send(get("https://api.example.com/v2/other")).has_value());
    CHECK(d.m2m.send(get("https://files.example.com:8443/f")).has_value());
    CHECK(d.m2m.send(get("https://files.example.com/f")).error().code == pa::errc::invalid_url);
  }
  SUBCASE("RFC 8707 resource and audience values that are https URLs") {
    pa::client_credentials_config mc = m2m_config();
    mc.api_origins.clear();
    mc.resource = {"https://res.example.com/api"};
    mc.audience = {"https://aud.example.com/", "urn:my-api", "plain-name"};
    drivers d(mc);
    CHECK(d.m2m.send(get("https://res.example.com/x")).has_value());
    CHECK(d.m2m.send(get("https://aud.example.com/x")).has_value());
    CHECK(d.m2m.send(get("https://api.example.com/x")).error().code == pa::errc::invalid_url);
  }
  SUBCASE("a bad api_origins entry fails every send, naming the entry; nothing is sent") {
    for (const char* bad : {"api.example.com", "ftp://api.example.com", "http://api.example.com",
                            "https://user@api.example.com"}) {
      CAPTURE(bad);
      pa::client_credentials_config mc = m2m_config();
      mc.api_origins = {std::string(api), bad};
      drivers d(mc);
      auto r = d.m2m.send(get("https://api.example.com/x"));
      REQUIRE_FALSE(r.has_value());
      CHECK((r.error().code == pa::errc::invalid_url ||
             r.error().code == pa::errc::insecure_endpoint));
      CHECK(r.error().message.find("api_origins[1]") != std::string::npos);
      CHECK(d.sync_t.calls() == 0);
    }
  }
}

TEST_CASE("token destination: loopback http is allowed, other plain http only when opted in") {
  for (const char* origin :
       {"http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080"}) {
    CAPTURE(origin);
    pa::client_credentials_config mc = m2m_config();
    mc.api_origins = {origin};
    pa::user_auth_config uc = user_config();
    uc.api_origins = {origin};
    drivers d(mc, uc);
    for (const driver_under_test& drv : d.all()) {
      CAPTURE(drv.name);
      auto r = drv.send(drv.self, get(std::string(origin) + "/api/v1"));
      REQUIRE_MESSAGE(r.has_value(), r.error().message);
      CHECK(r->status == 200);
      // Another loopback port is another origin.
      CHECK(drv.send(drv.self, get("http://127.0.0.1:9090/api")).error().code ==
            pa::errc::invalid_url);
    }
  }
  // IPv6 literals compare as addresses.
  pa::client_credentials_config mc = m2m_config();
  mc.api_origins = {"http://[::1]:8080"};
  drivers d(mc);
  CHECK(d.m2m.send(get("http://[0:0:0:0:0:0:0:1]:8080/x")).has_value());
  // Plain http to a remote host: refused even when listed, unless allow_insecure_http.
  mc = m2m_config();
  mc.api_origins = {"http://api.test:8080"};
  mc.allow_insecure_http = true;
  drivers insecure(mc);
  CHECK(insecure.m2m.send(get("http://api.test:8080/x")).has_value());
  CHECK(insecure.m2m.send(get("http://other.test:8080/x")).error().code == pa::errc::invalid_url);
}

TEST_CASE("token destination: Profile presets allow their API base and nothing else") {
  pt::fake_transport t;
  t.on_send([](const pa::http_request& r) -> pa::result<pa::http_response> {
    if (r.url.ends_with("/auth")) return answer(200, token_json("tok-p"));
    return answer(200, R"({"code":200})");
  });
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::m2m_client<pt::fake_transport*, pt::manual_clock> v4(
      &t, pa::profile::m2m_config_v4("id", pa::secret(secret_value)), clock);
  CHECK(v4.config().api_origins ==
        std::vector<std::string>{"https://vanguard.profilebehavior.com"});
  CHECK(v4.send(pa::profile::test_request_v4()).has_value());
  CHECK(v4.send(get("https://vanguard.profilebehavior.com/mcp")).has_value());
  CHECK(v4.send(get("https://api.profilebehavior.com/v3/test")).error().code ==
        pa::errc::invalid_url);
  pa::m2m_client<pt::fake_transport*, pt::manual_clock> v3(
      &t, pa::profile::legacy_v3::m2m_config("id", pa::secret(secret_value)), clock);
  CHECK(v3.send(pa::profile::legacy_v3::test_request()).has_value());
  CHECK(v3.send(pa::profile::test_request_v4()).error().code == pa::errc::invalid_url);
  const auto uc = pa::profile::user_auth_config("app", "http://127.0.0.1:1/cb");
  CHECK(uc.api_origins == std::vector<std::string>{"https://api.profilebehavior.com"});
}

// --- the 401 storm ----------------------------------------------------------------------------

TEST_CASE("401 storm: 50 sends to an API that rejects every token make 2 token requests") {
  drivers d;
  d.srv.api_status = 401;
  for (const driver_under_test& drv : d.all()) {
    CAPTURE(drv.name);
    const bool session = drv.name.find("session") != std::string::npos;
    const auto token_requests = [&] { return count_to(drv.requests(drv.self), "https://auth."); };
    const auto api_requests = [&] { return count_to(drv.requests(drv.self), "https://api."); };
    // m2m: fetch tok-1, rejected, fetch tok-2 (the routine retry), rejected: the API rejects
    // fresh tokens. A session starts from its stored token, so it makes one refresh.
    const std::size_t first_round = session ? 1 : 2;
    std::vector<pa::error> errors;
    for (int i = 0; i < 50; ++i) {
      auto r = drv.send(drv.self, get("https://api.example.com/v1/me"));
      if (i == 0) {
        REQUIRE(r.has_value());  // the call that reached the API returns its answer
        CHECK(r->status == 401);
      } else {
        REQUIRE_FALSE(r.has_value());
        errors.push_back(r.error());
      }
    }
    CHECK(token_requests() == first_round);
    CHECK(api_requests() == 2);
    CHECK(drv.stats(drv.self).tokens_rejected == 2);
    REQUIRE(errors.size() == 49);
    for (const pa::error& e : errors) {
      CHECK(e.code == pa::errc::token_rejected);
      CHECK(pa::classify(e) == pa::error_class::misconfiguration);
      CHECK_FALSE(pa::is_retryable(e));
      CHECK(e.message.find("rejects fresh tokens") != std::string::npos);
      CHECK(e.message.find("audience") != std::string::npos);
      CHECK(e.message.find("tok-") == std::string::npos);
    }

    // The backoff (1 s ceiling for the first step, jitter 0: 500 ms): not a moment sooner.
    d.clock.advance(500ms - 1ns);
    CHECK(drv.send(drv.self, get("https://api.example.com/v1/me")).error().code ==
          pa::errc::token_rejected);
    CHECK(token_requests() == first_round);
    // Once it has passed, one more attempt: one token request, one API request; rejected
    // again, the next step is longer (2 s ceiling: 1 s).
    d.clock.advance(1ns);
    auto again = drv.send(drv.self, get("https://api.example.com/v1/me"));
    REQUIRE(again.has_value());
    CHECK(again->status == 401);
    CHECK(token_requests() == first_round + 1);
    CHECK(api_requests() == 3);
    for (int i = 0; i < 20; ++i)
      CHECK(drv.send(drv.self, get("https://api.example.com/v1/me")).error().code ==
            pa::errc::token_rejected);
    d.clock.advance(1s - 1ns);
    CHECK(drv.send(drv.self, get("https://api.example.com/v1/me")).error().code ==
          pa::errc::token_rejected);
    CHECK(token_requests() == first_round + 1);

    // The API is fixed: the next attempt succeeds and ends the row.
    d.clock.advance(1ns);
    d.srv.api_status = 200;
    auto fixed = drv.send(drv.self, get("https://api.example.com/v1/me"));
    REQUIRE(fixed.has_value());
    CHECK(fixed->status == 200);
    CHECK(token_requests() == first_round + 2);
    // A later single rejection is routine again: refreshed and retried at once.
    d.srv.reject_next = 1;
    auto once = drv.send(drv.self, get("https://api.example.com/v1/me"));
    REQUIRE(once.has_value());
    CHECK(once->status == 200);
    CHECK(drv.send(drv.self, get("https://api.example.com/v1/me")).value().status == 200);
    CHECK(token_requests() == first_round + 3);
    d.srv.api_status = 401;  // for the next driver
    d.clock.advance(1h);     // the shared clock: the next driver starts after every backoff
  }
}

TEST_CASE("401 storm: token_rejection_limit is an option") {
  pa::token_cache_options o;
  o.token_rejection_limit = 4;
  drivers d(m2m_config(), user_config(), o);
  d.srv.api_status = 401;
  for (int i = 0; i < 50; ++i) (void)d.m2m.send(get("https://api.example.com/v1/me"));
  // tok-1..tok-4 rejected (2 per send), then the backoff.
  CHECK(d.srv.issued == 4);
  CHECK(d.m2m.stats().tokens_rejected == 4);
  CHECK(d.m2m.send(get("https://api.example.com/v1/me")).error().code == pa::errc::token_rejected);
}

TEST_CASE("token_cache: reject() counts each token once; accepted() ends the row") {
  pa::token_cache<pa::single_threaded> cache;
  const pa::time_point t0(1000s);
  const auto fetch = [&](std::string_view access) {
    auto d = cache.acquire(t0);
    REQUIRE(d.action == pa::cache_action::fetch);
    pa::token tok;
    tok.access_token = pa::secret(access);
    tok.received_at = t0;
    tok.expires_at = t0 + 1h;
    d = cache.complete(d.flight, std::move(tok), t0, 0);
    REQUIRE(d.action == pa::cache_action::use);
    return d.token->generation();
  };
  const auto g1 = fetch("a1");
  CHECK(cache.reject(g1, t0));  // the first rejection: retry at once
  CHECK(cache.reject(g1, t0));  // the same token again (another caller): not counted twice
  CHECK(cache.rejections_in_a_row() == 1);
  const auto g2 = fetch("a2");
  CHECK_FALSE(cache.reject(g2, t0));  // the fresh one too: back off
  CHECK_FALSE(cache.reject(g2, t0));  // another caller of the same token: also told to stop
  CHECK(cache.rejections_in_a_row() == 2);
  auto d = cache.acquire(t0);
  REQUIRE(d.action == pa::cache_action::fail);
  CHECK(d.failure.code == pa::errc::token_rejected);
  // A success (an older request's answer, say) ends the row and lifts the backoff.
  cache.accepted();
  CHECK(cache.rejections_in_a_row() == 0);
  const auto g3 = fetch("a3");
  CHECK(cache.reject(g3, t0));
  CHECK(cache.stats().tokens_rejected == 3);
}

TEST_CASE("errc::token_rejected: a stable name, misconfiguration") {
  CHECK(pa::to_string(pa::errc::token_rejected) == "token_rejected");
  CHECK(pa::classify(pa::errc::token_rejected, 401) == pa::error_class::misconfiguration);
  CHECK(std::error_code(pa::errc::token_rejected).message() == "token_rejected");
}
