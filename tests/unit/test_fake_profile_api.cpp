// SPDX-License-Identifier: MIT
// Tests for testing::fake_profile_api, driven with raw http_requests.
#include <profile/auth/concepts.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/token_response.hpp>

#include <doctest/doctest.h>

#include <atomic>  // shared test clock
#include <chrono>  // durations
#include <set>     // distinct tokens
#include <string>  // bodies
#include <thread>  // concurrent callers
#include <vector>  // threads

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

static_assert(pa::Transport<pt::fake_profile_api>);
static_assert(std::is_copy_constructible_v<pt::fake_profile_api>);

namespace {

/// A minimal manual clock (any Clock with advance() works with the fake).
struct step_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<step_clock, duration>;
  std::atomic<std::int64_t> ns{1'000'000'000};
  time_point now() const noexcept { return time_point(duration(ns.load())); }
  void advance(duration d) noexcept { ns += d.count(); }
};
static_assert(pa::Clock<step_clock>);

const std::string base = "https://vanguard.profilebehavior.com";
const std::string legacy = "https://api.profilebehavior.com";

pa::http_request token_request(std::string body, std::string content_type = "application/json") {
  pa::http_request r{"POST", base + "/api/v4/auth", {}, std::move(body)};
  r.headers.add("Accept", "application/json");
  if (!content_type.empty()) r.headers.add("Content-Type", std::move(content_type));
  return r;
}
pa::http_request good_token_request() {
  return token_request(
      R"({"grant_type":"client_credentials","client_id":"test-client","client_secret":"test-secret"})");
}
pa::http_request api_request(std::string_view token, std::string body = R"({"ping":"pong"})") {
  pa::http_request r{"POST", base + "/api/v4/test", {}, std::move(body)};
  r.headers.add("Content-Type", "application/json");
  if (!token.empty()) r.headers.add("Authorization", "Bearer " + std::string(token));
  return r;
}
pa::http_response must(pa::result<pa::http_response> r) {
  REQUIRE(r.has_value());
  return std::move(*r);
}
pa::errc parsed_errc(const pa::http_response& r) {
  auto t = pa::parse_token_response(r, pa::time_point{});
  REQUIRE_FALSE(t.has_value());
  return t.error().code;
}

}  // namespace

TEST_CASE("fake_profile_api issues a one-hour Bearer token for the right credentials") {
  step_clock clock;
  pt::fake_profile_api api(clock);
  const auto r = must(api.send(good_token_request()));
  CHECK(r.status == 200);
  CHECK(r.headers.find("Content-Type") == "application/json");
  CHECK(r.headers.find("Cache-Control") == "no-store");
  CHECK(r.headers.find("X-Request-Id") == "fake-1");
  const std::string tok = api.last_token();
  REQUIRE(tok.size() == 22);  // "tok-1-" + 16 hex digits
  CHECK(tok.rfind("tok-1-", 0) == 0);
  CHECK(r.body == R"({"access_token":")" + tok + R"(","token_type":"Bearer","expires_in":3600})");

  auto parsed = pa::parse_token_response(r, pa::to_time_point(clock.now()));
  REQUIRE(parsed.has_value());
  CHECK(parsed->access_token.reveal() == tok);
  CHECK(parsed->expires_in == std::chrono::seconds(3600));

  CHECK(api.requests() == 1);
  CHECK(api.token_requests() == 1);
  CHECK(api.tokens_issued() == 1);
  CHECK(api.api_calls() == 0);
  REQUIRE(api.last_request().has_value());
  CHECK(api.last_request()->url == base + "/api/v4/auth");

  must(api.send(good_token_request()));
  CHECK(api.last_token() != tok);  // each token is new
  CHECK(api.last_token().rfind("tok-2-", 0) == 0);
}

TEST_CASE("fake_profile_api token endpoint: RFC 6749 §5.2 errors") {
  pt::fake_profile_api api;
  struct bad_case {
    const char* name;
    pa::http_request req;
    int status;
    pa::errc code;
  };
  const bad_case cases[] = {
      {"wrong secret",
       token_request(
           R"({"grant_type":"client_credentials","client_id":"test-client","client_secret":"nope"})"),
       401, pa::errc::invalid_client},
      {"unknown client",
       token_request(
           R"({"grant_type":"client_credentials","client_id":"other","client_secret":"test-secret"})"),
       401, pa::errc::invalid_client},
      {"no secret",
       token_request(R"({"grant_type":"client_credentials","client_id":"test-client"})"), 401,
       pa::errc::invalid_client},
      {"form body",
       token_request("grant_type=client_credentials", "application/x-www-form-urlencoded"), 400,
       pa::errc::invalid_request},
      {"no content type", token_request(R"({"grant_type":"client_credentials"})", ""), 400,
       pa::errc::invalid_request},
      {"malformed JSON", token_request(R"({"grant_type":"client_credentials",})"), 400,
       pa::errc::invalid_request},
      {"duplicate member",
       token_request(R"({"grant_type":"client_credentials","grant_type":"client_credentials"})"),
       400, pa::errc::invalid_request},
      {"array body", token_request("[]"), 400, pa::errc::invalid_request},
      {"no grant_type",
       token_request(R"({"client_id":"test-client","client_secret":"test-secret"})"), 400,
       pa::errc::invalid_request},
      {"numeric secret",
       token_request(
           R"({"grant_type":"client_credentials","client_id":"test-client","client_secret":7})"),
       400, pa::errc::invalid_request},
      {"password grant",
       token_request(
           R"({"grant_type":"password","client_id":"test-client","client_secret":"test-secret"})"),
       400, pa::errc::unsupported_grant_type},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto r = must(api.send(c.req));
    CHECK(r.status == c.status);
    CHECK(r.headers.find("Content-Type") == "application/json");
    CHECK(parsed_errc(r) == c.code);
    CHECK(r.body.find("test-secret") == std::string::npos);
  }
  CHECK(api.tokens_issued() == 0);
  CHECK(api.token_requests() == std::size(cases));
}

TEST_CASE("fake_profile_api accepts HTTP Basic client authentication") {
  pt::fake_profile_api::options o;
  o.client_id = "id:with space";
  o.client_secret = pa::secret{"s3+cr%t/="};
  pt::fake_profile_api api(o);
  const auto basic = [](std::string_view id, std::string_view secret) {
    return "Basic " + pa::base64_encode(pa::form_urlencode(id) + ":" + pa::form_urlencode(secret));
  };

  auto req = token_request(R"({"grant_type":"client_credentials"})");
  req.headers.add("Authorization", basic("id:with space", "s3+cr%t/="));
  auto ok = must(api.send(req));
  CHECK(ok.status == 200);
  CHECK(api.tokens_issued() == 1);

  auto wrong = token_request(R"({"grant_type":"client_credentials"})");
  wrong.headers.add("Authorization", basic("id:with space", "s3+cr%t/"));
  auto w = must(api.send(wrong));
  CHECK(w.status == 401);
  CHECK(w.headers.find("WWW-Authenticate") == "Basic realm=\"profile\"");
  CHECK(parsed_errc(w) == pa::errc::invalid_client);

  auto garbage = token_request(R"({"grant_type":"client_credentials"})");
  garbage.headers.add("Authorization", "Basic !!!");
  CHECK(must(api.send(garbage)).status == 401);

  auto twice = token_request(R"({"grant_type":"client_credentials","client_secret":"s3+cr%t/="})");
  twice.headers.add("Authorization", basic("id:with space", "s3+cr%t/="));
  auto t = must(api.send(twice));
  CHECK(t.status == 400);
  CHECK(parsed_errc(t) == pa::errc::invalid_request);
  CHECK(api.tokens_issued() == 1);
}

TEST_CASE("fake_profile_api with raw (RFC 7617) Basic decoding") {
  pt::fake_profile_api::options o;
  o.client_secret = pa::secret{"a+b%20c"};
  o.basic = pa::basic_encoding::raw;
  pt::fake_profile_api api(o);
  auto req = token_request(R"({"grant_type":"client_credentials"})");
  req.headers.add("Authorization", "Basic " + pa::base64_encode("test-client:a+b%20c"));
  CHECK(must(api.send(req)).status == 200);
}

TEST_CASE("fake_profile_api /api/v4/test needs a valid, unexpired, unrevoked bearer") {
  step_clock clock;
  pt::fake_profile_api api(clock);
  must(api.send(good_token_request()));
  const std::string tok = api.last_token();

  auto none = must(api.send(api_request("")));
  CHECK(none.status == 401);
  CHECK(none.headers.find("WWW-Authenticate") == "Bearer realm=\"profile\"");

  auto ok = must(api.send(api_request(tok)));
  CHECK(ok.status == 200);
  CHECK(ok.body == R"({"echo":{"ping":"pong"},"client_id":"test-client"})");
  CHECK(api.api_calls() == 2);

  auto unknown = must(api.send(api_request("tok-9-0000000000000000")));
  CHECK(unknown.status == 401);
  CHECK(unknown.headers.find("WWW-Authenticate")->find("error=\"invalid_token\"") !=
        std::string::npos);

  auto basic = api_request("");
  basic.headers.add("Authorization", "Basic Zm9vOmJhcg==");
  CHECK(must(api.send(basic)).status == 401);

  clock.advance(3599s);
  CHECK(must(api.send(api_request(tok))).status == 200);
  clock.advance(1s);
  auto expired = must(api.send(api_request(tok)));
  CHECK(expired.status == 401);
  CHECK(expired.headers.find("WWW-Authenticate")->find("expired") != std::string::npos);

  must(api.send(good_token_request()));
  const std::string fresh = api.last_token();
  CHECK(must(api.send(api_request(fresh))).status == 200);
  api.revoke_all_tokens();
  auto revoked = must(api.send(api_request(fresh)));
  CHECK(revoked.status == 401);
  CHECK(revoked.headers.find("WWW-Authenticate")->find("error=\"invalid_token\"") !=
        std::string::npos);
}

TEST_CASE("fake_profile_api routing: base URL, paths, methods") {
  pt::fake_profile_api::options o;
  o.base_url = "http://127.0.0.1:8080/";
  o.legacy_base_url = "http://127.0.0.1:8080";  // both generations on one loopback URL
  o.expires_in = 60s;
  pt::fake_profile_api api(o);
  auto tok = must(api.send({"POST",
                            "http://127.0.0.1:8080/api/v4/auth",
                            {{"Content-Type", "application/json; charset=utf-8"}},
                            R"({"grant_type":"client_credentials","client_id":"test-client",)"
                            R"("client_secret":"test-secret"})"}));
  CHECK(tok.status == 200);
  CHECK(tok.body.find(R"("expires_in":60)") != std::string::npos);

  auto other_host = api.send(good_token_request());  // vanguard.profilebehavior.com: not served
  REQUIRE_FALSE(other_host.has_value());
  CHECK(other_host.error().code == pa::errc::transport_failed);

  CHECK(must(api.send({"POST", "http://127.0.0.1:8080/v3/nothing", {}, "{}"})).status == 404);
  auto get = must(api.send({"GET", "http://127.0.0.1:8080/v3/test", {}, {}}));
  CHECK(get.status == 405);
  CHECK(get.headers.find("Allow") == "POST");
  CHECK(must(api.send({"POST", "http://127.0.0.1:8080/v3/test?x=1", {}, "{}"})).status == 401);
  CHECK(api.api_calls() == 2);
  CHECK(must(api.send({"POST", "http://127.0.0.1:8080/api/v4/test", {}, "{}"})).status == 401);
  CHECK(must(api.send({"POST", "http://127.0.0.1:8080/api/v4/account", {}, {}})).status == 405);
  CHECK(must(api.send({"GET", "http://127.0.0.1:8080/api/v4/account", {}, {}})).status == 401);
  CHECK(must(api.send({"GET", "http://127.0.0.1:8080/api/v4/my-account", {}, {}})).status == 404);
  CHECK(api.account_calls() == 2);
}

TEST_CASE("fake_profile_api serves v4 on vanguard and v3 on the legacy host, not crossed") {
  pt::fake_profile_api api;
  // v4 on vanguard (the default base), v3 on api.profilebehavior.com.
  auto v3_token = token_request(
      R"({"grant_type":"client_credentials","client_id":"test-client","client_secret":"test-secret"})");
  v3_token.url = legacy + "/v3/auth";
  CHECK(must(api.send(v3_token)).status == 200);
  const std::string v3_tok = api.last_token();
  CHECK(must(api.send(good_token_request())).status == 200);
  const std::string v4_tok = api.last_token();
  CHECK(api.tokens_issued() == 2);

  auto v3_call = api_request(v3_tok);
  v3_call.url = legacy + "/v3/test";
  auto r = must(api.send(v3_call));
  CHECK(r.status == 200);
  CHECK(r.body == R"({"echo":{"ping":"pong"},"client_id":"test-client"})");
  CHECK(must(api.send(api_request(v4_tok))).status == 200);

  // A generation's path on the other generation's host is not found.
  for (const std::string& url :
       {base + "/v3/auth", base + "/v3/test", base + "/v3/my-account", legacy + "/api/v4/auth",
        legacy + "/api/v4/test", legacy + "/api/v4/account"}) {
    CAPTURE(url);
    CHECK(must(api.send({"POST", url, {}, "{}"})).status == 404);
  }
  auto elsewhere = api.send({"GET", "https://profilebehavior.com/api/v4/account", {}, {}});
  REQUIRE_FALSE(elsewhere.has_value());
  CHECK(elsewhere.error().code == pa::errc::transport_failed);
}

TEST_CASE("fake_profile_api account endpoints: v4 enveloped, v3 bare, token checked") {
  step_clock clock;
  pt::fake_profile_api::options o;
  o.account_name = "Inventory sync";
  o.account_type = "service";
  o.account_role = "user";
  pt::fake_profile_api api(clock, o);
  must(api.send(good_token_request()));
  const std::string tok = api.last_token();
  const auto get = [&](std::string url, std::string_view token) {
    pa::http_request r{"GET", std::move(url), {{"Accept", "application/json"}}, {}};
    if (!token.empty()) r.headers.add("Authorization", "Bearer " + std::string(token));
    return must(api.send(r));
  };
  auto v4 = get(base + "/api/v4/account", tok);
  CHECK(v4.status == 200);
  CHECK(v4.headers.find("Content-Type") == "application/json");
  CHECK(v4.body == R"({"code":200,"data":{"id":"test-client","name":"Inventory sync",)"
                   R"("type":"service","role":"user"},"status":"success"})");
  auto parsed = pa::profile::parse_account(v4);
  REQUIRE(parsed.has_value());
  CHECK(parsed->id == "test-client");
  CHECK(parsed->type == "service");
  CHECK_FALSE(pa::profile::is_manager(parsed->role));

  auto v3 = get(legacy + "/v3/my-account", tok);
  CHECK(v3.status == 200);
  CHECK(v3.body ==
        R"({"id":"test-client","name":"Inventory sync","type":"service","role":"user"})");
  auto bare = pa::profile::parse_account(v3);
  REQUIRE(bare.has_value());
  CHECK(bare->name == "Inventory sync");

  CHECK(get(base + "/api/v4/account", "").status == 401);
  CHECK(get(base + "/api/v4/account", "tok-9-0000000000000000").status == 401);
  clock.advance(3600s);
  auto expired = get(base + "/api/v4/account", tok);
  CHECK(expired.status == 401);
  auto e = pa::profile::parse_account(expired);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::invalid_token);

  api.inject(pt::fault::server_error(), 1, pt::fake_endpoint::account);
  CHECK(get(base + "/api/v4/account", tok).status == 500);
  CHECK(api.account_calls() == 6);
  CHECK(api.api_calls() == 0);
}

TEST_CASE("fake_profile_api fault injection") {
  step_clock clock;
  pt::fake_profile_api api(clock);

  SUBCASE("each kind, on the token endpoint") {
    api.inject(pt::fault::server_error());
    api.inject(pt::fault::unavailable(7s));
    api.inject(pt::fault::rate_limited(3s));
    api.inject(pt::fault::unauthorized());
    api.inject(pt::fault::malformed_json());
    api.inject(pt::fault::proxy_html());

    auto r500 = must(api.send(good_token_request()));
    CHECK(r500.status == 500);
    CHECK(parsed_errc(r500) == pa::errc::server_error);

    auto r503 = must(api.send(good_token_request()));
    CHECK(r503.status == 503);
    CHECK(r503.headers.find("Retry-After") == "7");
    auto e503 = pa::parse_token_response(r503, pa::time_point{});
    REQUIRE_FALSE(e503.has_value());
    CHECK(e503.error().code == pa::errc::temporarily_unavailable);
    CHECK(e503.error().retry_after == std::chrono::seconds(7));
    CHECK(pa::is_retryable(e503.error()));

    auto r429 = must(api.send(good_token_request()));
    CHECK(r429.status == 429);
    CHECK(r429.headers.find("Retry-After") == "3");
    auto e429 = pa::parse_token_response(r429, pa::time_point{});
    REQUIRE_FALSE(e429.has_value());
    CHECK(e429.error().code == pa::errc::http_error);
    CHECK(pa::is_retryable(e429.error()));

    auto r401 = must(api.send(good_token_request()));
    CHECK(r401.status == 401);
    CHECK(parsed_errc(r401) == pa::errc::invalid_client);

    auto bad_json = must(api.send(good_token_request()));
    CHECK(bad_json.status == 200);
    CHECK(parsed_errc(bad_json) == pa::errc::invalid_json);

    auto r502 = must(api.send(good_token_request()));
    CHECK(r502.status == 502);
    CHECK(r502.headers.find("Content-Type") == "text/html");
    CHECK(parsed_errc(r502) == pa::errc::http_error);

    CHECK(must(api.send(good_token_request())).status == 200);  // all consumed
    CHECK(api.token_requests() == 7);
    CHECK(api.tokens_issued() == 1);
  }
  SUBCASE("counts, endpoints and predicates") {
    api.inject(pt::fault::server_error(), 2, pt::fake_endpoint::api);
    CHECK(must(api.send(good_token_request())).status == 200);  // token endpoint unaffected
    const std::string tok = api.last_token();
    CHECK(must(api.send(api_request(tok))).status == 500);
    CHECK(must(api.send(api_request(tok))).status == 500);
    CHECK(must(api.send(api_request(tok))).status == 200);

    api.inject(pt::fault::unauthorized(), 1, pt::fake_endpoint::api);
    auto r = must(api.send(api_request(tok)));
    CHECK(r.status == 401);
    CHECK(r.headers.find("WWW-Authenticate")->find("error=\"invalid_token\"") != std::string::npos);

    api.inject_when(
        [](const pa::http_request& q) { return q.body.find("boom") != std::string::npos; },
        pt::fault::custom({418, {{"X-Teapot", "yes"}}, "short and stout"}), 2);
    CHECK(must(api.send(api_request(tok))).status == 200);
    auto t1 = must(api.send(api_request(tok, R"({"boom":1})")));
    CHECK(t1.status == 418);
    CHECK(t1.body == "short and stout");
    CHECK(must(api.send(api_request(tok, R"({"boom":2})"))).status == 418);
    CHECK(must(api.send(api_request(tok, R"({"boom":3})"))).status == 200);

    api.inject(pt::fault::server_error(), 5);
    api.clear_faults();
    CHECK(must(api.send(api_request(tok))).status == 200);
  }
  SUBCASE("a slow answer advances the clock, and can expire the token on the way") {
    CHECK(must(api.send(good_token_request())).status == 200);
    const std::string tok = api.last_token();
    const auto before = clock.now();
    api.inject(pt::fault::slow(10s));
    CHECK(must(api.send(api_request(tok))).status == 200);
    CHECK(clock.now() - before == 10s);
    api.inject(pt::fault::slow(3600s));
    CHECK(must(api.send(api_request(tok))).status == 401);
  }
  SUBCASE("a slow answer with a real sleep") {
    api.inject(pt::fault::slow(30ms, true));
    const auto start = std::chrono::steady_clock::now();
    CHECK(must(api.send(good_token_request())).status == 200);
    CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  }
}

TEST_CASE("fake_profile_api copies share one server; set_credentials rotates the secret") {
  pt::fake_profile_api api;
  pt::fake_profile_api copy = api;
  must(copy.send(good_token_request()));
  CHECK(api.tokens_issued() == 1);
  const std::string tok = api.last_token();
  api.set_credentials("test-client", pa::secret{"rotated"});
  CHECK(must(copy.send(good_token_request())).status == 401);
  CHECK(must(copy.send(api_request(tok))).status == 200);  // issued tokens stay valid
}

TEST_CASE("fake_profile_api is safe to share between threads") {
  pt::fake_profile_api api;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> seen(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&api, &seen, i] {
      for (int j = 0; j < 50; ++j) {
        auto r = api.send(good_token_request());
        if (r && r->status == 200) seen[static_cast<std::size_t>(i)].push_back(r->body);
      }
    });
  for (auto& t : threads) t.join();
  std::set<std::string> distinct;
  for (const auto& v : seen) distinct.insert(v.begin(), v.end());
  CHECK(distinct.size() == 400);
  CHECK(api.tokens_issued() == 400);
  CHECK(api.token_requests() == 400);
}

TEST_CASE("fake_profile_api drives m2m_client on a manual clock") {
  pt::manual_clock clock;
  pt::fake_profile_api api(clock);
  pa::m2m_client client{api, pa::profile::m2m_config("test-client", pa::secret{"test-secret"}),
                        clock};

  auto h = client.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == "Bearer " + api.last_token());
  CHECK(client.authorization_header().value() == *h);  // cached: no second request
  CHECK(api.token_requests() == 1);

  auto r = client.send(pa::profile::test_request());
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == R"({"echo":{"ping":"pong"},"client_id":"test-client"})");

  // Past expiry (the client treats the token as expired 30 s early): a new token.
  clock.advance(3600s);
  auto h2 = client.authorization_header();
  REQUIRE(h2.has_value());
  CHECK(*h2 != *h);
  CHECK(api.token_requests() == 2);

  // Revoked server-side: one 401 invalid_token, one new token, one retry.
  api.revoke_all_tokens();
  auto r2 = client.send(pa::profile::test_request());
  REQUIRE(r2.has_value());
  CHECK(r2->status == 200);
  CHECK(api.token_requests() == 3);
  CHECK(api.api_calls() == 3);

  // An outage while no valid token exists surfaces as the error value, with Retry-After.
  clock.advance(2h);
  api.inject(pt::fault::unavailable(20s), 1, pt::fake_endpoint::token);
  auto e = client.authorization_header();
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::temporarily_unavailable);
  CHECK(e.error().http_status == 503);
  CHECK(e.error().retry_after == std::chrono::seconds(20));
  CHECK(e.error().request_id.rfind("fake-", 0) == 0);
}

TEST_CASE("fake_profile_api drives m2m_client with the v4 presets and the legacy v3 ones") {
  pt::manual_clock clock;
  pt::fake_profile_api api(clock);
  pa::m2m_client v4{api, pa::profile::m2m_config("test-client", pa::secret{"test-secret"}), clock};
  auto me = v4.send(pa::profile::account_request());
  REQUIRE(me.has_value());
  auto account = pa::profile::parse_account(*me);
  REQUIRE(account.has_value());
  CHECK(account->id == "test-client");
  CHECK(pa::profile::is_manager(account->role));
  CHECK(api.last_request()->url == "https://vanguard.profilebehavior.com/api/v4/account");

  namespace v3 = pa::profile::legacy_v3;
  pa::m2m_client old{api, v3::m2m_config("test-client", pa::secret{"test-secret"}), clock};
  auto t = old.send(v3::test_request());
  REQUIRE(t.has_value());
  CHECK(t->status == 200);
  auto mine = old.send(v3::my_account_request());
  REQUIRE(mine.has_value());
  CHECK(pa::profile::parse_account(*mine).value().id == "test-client");
  CHECK(api.last_request()->url == "https://api.profilebehavior.com/v3/my-account");
  CHECK(api.token_requests() == 2);  // one per client: each token is for its own host
}

TEST_CASE("fake_profile_api: wrong secret through m2m_client is invalid_client, secret unseen") {
  pt::manual_clock clock;
  pt::fake_profile_api api(clock);
  pa::m2m_client client{api, pa::profile::m2m_config("test-client", pa::secret{"Wr0ng-Secret"}),
                        clock};
  auto e = client.authorization_header();
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::invalid_client);
  CHECK(pa::classify(e.error()) == pa::error_class::credentials);
  CHECK(e.error().message.find("Wr0ng-Secret") == std::string::npos);
  CHECK(e.error().description.find("Wr0ng-Secret") == std::string::npos);
  CHECK(api.tokens_issued() == 0);
}
