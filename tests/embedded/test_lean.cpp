// SPDX-License-Identifier: MIT
// profile-auth tests: the reduced firmware configuration (docs/building.md, "Small firmware
// builds"). Its own executable: these macros change inline functions, so this TU must never be
// linked with TUs built without them (one program, one configuration).
#define PROFILE_AUTH_TERSE_ERRORS 1
#define PROFILE_AUTH_JSON_ONLY 1
#define PROFILE_AUTH_NO_HTTP_DATE 1

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <profile/auth.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include <chrono>       // Retry-After values, token lifetimes
#include <cstdint>      // generations
#include <optional>     // wall-clock "now"
#include <string>       // bodies
#include <string_view>  // message checks

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;
using pa::errc;
using pa::error_class;

namespace {

constexpr std::string_view client_secret = "s3cr3t-Value_42";
constexpr std::string_view access_token = "tok-123.abc";

static_assert(pa::detail::terse_errors && pa::detail::json_only,
              "this TU tests the reduced configuration");

/// A terse message: present, short, one line, and without the secrets this file uses.
void check_terse(const pa::error& e) {
  CAPTURE(e.message);
  CHECK_FALSE(e.message.empty());
  CHECK(e.message.size() <= 48);
  CHECK(e.message.find('\n') == std::string::npos);
  CHECK(e.message.find(client_secret) == std::string::npos);
  CHECK(e.message.find(access_token) == std::string::npos);
}

pa::http_response answer(int status, std::string body, std::string_view type = "application/json") {
  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::string(type));
  r.body = std::move(body);
  return r;
}

pa::result<pa::token> parse(const pa::http_response& r) {
  return pa::parse_token_response(r, pa::time_point{} + 1h);
}

}  // namespace

TEST_CASE("terse errors: URLs and endpoints keep their errc and class") {
  struct row {
    std::string_view url;
    errc code;
  };
  for (const row r :
       {row{"", errc::invalid_url}, row{"example.com/x", errc::invalid_url},
        row{"https://host:0/", errc::invalid_url}, row{"https://[::g]/", errc::invalid_url},
        row{"https://host/%zz", errc::invalid_url}, row{"ftp://host/x", errc::invalid_url},
        row{"https://id:s3cr3t-Value_42@host/t", errc::invalid_url},
        row{"https://host/t#f", errc::invalid_url},
        row{"http://api.example.com/t", errc::insecure_endpoint}}) {
    CAPTURE(r.url);
    const auto u = pa::check_endpoint(r.url);
    REQUIRE_FALSE(u.has_value());
    CHECK(u.error().code == r.code);
    CHECK(pa::classify(u.error()) == error_class::misconfiguration);
    check_terse(u.error());
    const auto v = pa::detail::check_endpoint_text(r.url, false);
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == r.code);
  }
  CHECK(pa::check_endpoint("http://127.0.0.1:8080/t").has_value());
  CHECK(pa::check_endpoint("http://[::1]/t").has_value());
  CHECK(pa::check_endpoint("http://api.example.com/t", true).has_value());
  const auto u = pa::parse_url("HTTPS://Host.Example:8443/p?q#f");
  REQUIRE(u.has_value());
  CHECK(u->host == "host.example");
  CHECK(u->port == 8443);
  CHECK(u->fragment == "f");
}

TEST_CASE("terse errors: configuration errors name no secret and send nothing") {
  pa::client_credentials_config c = pa::profile::m2m_config("id", pa::secret(client_secret));
  REQUIRE(pa::client_credentials_request(c).has_value());

  c.client_id.clear();
  auto r = pa::client_credentials_request(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::invalid_argument);
  check_terse(r.error());

  c = pa::profile::m2m_config("id", pa::secret(std::string(client_secret) + "\n"));
  r = pa::client_credentials_request(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::invalid_argument);
  CHECK(r.error().message.find("client_secret") != std::string::npos);  // which field
  check_terse(r.error());

  c = pa::profile::m2m_config("id", pa::secret(client_secret));
  c.extra_params = {{"client_id", "x"}};
  r = pa::client_credentials_request(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::invalid_argument);
  check_terse(r.error());

  c = pa::profile::m2m_config("id", pa::secret(client_secret), "http://auth.example.com");
  r = pa::client_credentials_request(c);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::insecure_endpoint);

  const auto h = pa::bearer_header_value(pa::secret("bad token"));
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == errc::invalid_header_value);
  check_terse(h.error());
}

TEST_CASE("terse errors: OAuth error answers keep every field but the long message") {
  pa::http_response r = answer(
      401, R"({"error":"invalid_client","error_description":"bad\u0007 secret","error_uri":"x"})");
  r.headers.add("Retry-After", "7");
  r.headers.add("X-Request-Id", "req-1");
  const auto t = parse(r);
  REQUIRE_FALSE(t.has_value());
  const pa::error& e = t.error();
  CHECK(e.code == errc::invalid_client);
  CHECK(pa::classify(e) == error_class::credentials);
  CHECK(e.http_status == 401);
  CHECK(e.oauth_error == "invalid_client");
  CHECK(e.description == "bad secret");  // sanitised as always
  CHECK(e.uri == "x");
  CHECK(e.retry_after == 7s);
  CHECK(e.request_id == "req-1");
  check_terse(e);

  struct row {
    int status;
    std::string body;
    errc code;
    error_class cls;
  };
  for (const row& w :
       {row{400, R"({"error":"invalid_grant"})", errc::invalid_grant, error_class::reauthenticate},
        row{400, R"({"error":"brand_new"})", errc::oauth_error, error_class::protocol},
        row{503, "<html>down</html>", errc::http_error, error_class::retryable},
        row{404, "", errc::http_error, error_class::misconfiguration},
        row{200, R"({"error":"invalid_scope"})", errc::invalid_scope,
            error_class::misconfiguration},
        row{200, R"({"token_type":"Bearer"})", errc::malformed_response, error_class::protocol},
        row{200, R"({"access_token":"a","token_type":"mac"})", errc::unsupported_token_type,
            error_class::protocol}}) {
    CAPTURE(w.body);
    const auto x = parse(answer(w.status, w.body, w.body.starts_with("<") ? "text/html" : ""));
    REQUIRE_FALSE(x.has_value());
    CHECK(x.error().code == w.code);
    CHECK(pa::classify(x.error()) == w.cls);
    CHECK(x.error().http_status == w.status);
  }
}

TEST_CASE("JSON only: JSON answers parse, form bodies are refused") {
  const auto t = parse(answer(200, R"({"access_token":"tok-123.abc","expires_in":"60"})"));
  REQUIRE(t.has_value());
  CHECK(t->access_token.reveal() == access_token);
  CHECK(t->token_type == "Bearer");
  CHECK(t->expires_in == 60s);
  // JSON labelled text/plain is still JSON (recognised by its '{').
  CHECK(parse(answer(200, R"({"access_token":"a"})", "text/plain")).has_value());
  // Nested members still go through the general reader.
  CHECK(parse(answer(200, R"({"access_token":"a","scope":["x","y"],"o":{"k":1}})")).has_value());

  for (const std::string_view type : {"application/x-www-form-urlencoded", "text/plain", ""}) {
    CAPTURE(type);
    const auto f = parse(answer(200, "access_token=tok-123.abc&token_type=bearer", type));
    REQUIRE_FALSE(f.has_value());
    CHECK(f.error().code == errc::malformed_response);
    CHECK(f.error().message.find(access_token) == std::string::npos);
  }
  // A form-encoded error body is not an OAuth error body here: infrastructure, as for HTML.
  const auto e = parse(answer(400, "error=invalid_grant", "application/x-www-form-urlencoded"));
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::http_error);
  CHECK(e.error().oauth_error.empty());
}

TEST_CASE("no HTTP-date: a date Retry-After is ignored, delta-seconds still work") {
  const auto now = std::chrono::system_clock::time_point{} + 24h * 365 * 40;
  CHECK(pa::detail::parse_retry_after("120", now) == 120s);
  CHECK(pa::detail::parse_retry_after(" 5 ") == 5s);
  CHECK_FALSE(pa::detail::parse_retry_after("Sun, 06 Nov 2094 08:49:37 GMT", now).has_value());
  CHECK_FALSE(pa::detail::parse_retry_after("-1", now).has_value());

  pa::http_response r = answer(503, R"({"error":"temporarily_unavailable"})");
  r.headers.add("Retry-After", "Sun, 06 Nov 2094 08:49:37 GMT");
  pa::response_error_options o;
  o.wall_clock_now = now;
  const pa::error e = pa::oauth_error_from_response(r, "token endpoint", o);
  CHECK(e.code == errc::temporarily_unavailable);
  CHECK(pa::classify(e) == error_class::retryable);
  CHECK_FALSE(e.retry_after.has_value());
}

TEST_CASE("the M2M client works end to end in the reduced configuration") {
  pt::fake_transport transport;
  pt::manual_clock clock;
  transport.respond(401, R"({"error":"invalid_client"})");
  pa::m2m_client<pt::fake_transport, pt::manual_clock, pa::single_threaded, pt::fixed_random>
      client{transport,
             pa::profile::m2m_config("id", pa::secret(client_secret)),
             clock,
             {},
             pt::fixed_random(7)};

  auto h = client.authorization_header();
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == errc::invalid_client);
  CHECK(pa::classify(h.error()) == error_class::credentials);
  check_terse(h.error());
  CHECK_FALSE(client.authorization_header().has_value());  // sticky: nothing sent again
  CHECK(transport.requests().size() == 1);

  client.invalidate();
  transport.respond(200,
                    R"({"access_token":"tok-123.abc","token_type":"Bearer","expires_in":3600})");
  h = client.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == "Bearer tok-123.abc");
  const auto sent = transport.requests();
  REQUIRE(sent.size() == 2);
  CHECK(
      sent.back().body ==
      R"({"grant_type":"client_credentials","client_id":"id","client_secret":"s3cr3t-Value_42"})");

  char buf[8];
  const auto small = client.write_authorization_header(buf);
  REQUIRE_FALSE(small.has_value());
  CHECK(small.error().code == errc::limit_exceeded);
  check_terse(small.error());
  char fits[32];
  const auto n = client.write_authorization_header(fits);
  REQUIRE(n.has_value());
  CHECK(std::string_view(fits, *n) == "Bearer tok-123.abc");
}

TEST_CASE("no HTTP-date: the M2M client ignores a date Retry-After and backs off normally") {
  pt::fake_transport transport;
  pt::manual_clock clock;
  pa::http_response busy = answer(503, R"({"error":"temporarily_unavailable"})");
  busy.headers.add("Retry-After", "Sun, 06 Nov 2094 08:49:37 GMT");
  transport.respond(busy);
  pa::token_cache_options o;
  o.backoff.initial = 2s;
  pa::m2m_client<pt::fake_transport, pt::manual_clock, pa::single_threaded, pt::fixed_random>
      client{transport, pa::profile::m2m_config("id", pa::secret(client_secret)), clock, o,
             pt::fixed_random(7)};

  const auto h = client.authorization_header();
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == errc::temporarily_unavailable);
  CHECK(pa::classify(h.error()) == error_class::retryable);
  CHECK_FALSE(h.error().retry_after.has_value());  // the date was not read
  check_terse(h.error());
  CHECK_FALSE(client.authorization_header().has_value());  // backing off: nothing sent
  CHECK(transport.requests().size() == 1);

  // The first delay is at most backoff.initial (2 s), not the 2094 date.
  clock.advance(2s);
  transport.respond(200, R"({"access_token":"tok-123.abc","expires_in":3600})");
  const auto again = client.authorization_header();
  REQUIRE(again.has_value());
  CHECK(*again == "Bearer tok-123.abc");
  CHECK(transport.requests().size() == 2);
}

TEST_CASE("single_threaded cache: a replaced token is freed at once, none are retained") {
  pa::token_cache<pa::single_threaded> cache;
  const pa::time_point t0{};
  for (int i = 0; i < 3; ++i) {
    const pa::time_point now = t0 + std::chrono::hours(2 * i);
    auto d = cache.acquire(now);
    REQUIRE(d.action == pa::cache_action::fetch);
    pa::token tok;
    tok.access_token = pa::secret(access_token);
    tok.token_type = "Bearer";
    tok.received_at = now;
    tok.expires_at = now + 1h;
    d = cache.complete(d.flight, std::move(tok), now, 0);
    REQUIRE(d.action == pa::cache_action::use);
    CHECK(d.token->authorization() == "Bearer tok-123.abc");
    CHECK(d.token->generation() == static_cast<std::uint64_t>(i + 1));
    CHECK(cache.retained_snapshots() == 0);
  }
  CHECK(cache.stats().tokens_issued == 3);
}
