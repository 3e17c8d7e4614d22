// SPDX-License-Identifier: MIT
// beast_transport over real loopback HTTP, against servers started by the tests themselves.
// Built when the build system found Boost and OpenSSL (it then defines PROFILE_AUTH_TEST_BEAST).
#include <doctest/doctest.h>

#if defined(PROFILE_AUTH_TEST_BEAST)

#include <profile/auth/concepts.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/transports/beast.hpp>

#include "loopback.hpp"

#include <chrono>       // timeouts and elapsed time
#include <cstdio>       // std::fprintf in boost::throw_exception
#include <cstdlib>      // std::abort in boost::throw_exception
#include <limits>       // the largest body limit
#include <string>       // bodies and messages
#include <thread>       // waiting for a server's close
#include <type_traits>  // copy/move traits
#include <vector>       // scripted replies

#if defined(BOOST_NO_EXCEPTIONS)
// Without exceptions, Boost reports the failures it cannot return as values (e.g. out of memory
// creating a TLS context) through these, which every program must define once.
namespace boost {
void throw_exception(const std::exception& e) {
  std::fprintf(stderr, "Boost failure: %s\n", e.what());
  std::abort();
}
void throw_exception(const std::exception& e, const boost::source_location&) {
  std::fprintf(stderr, "Boost failure: %s\n", e.what());
  std::abort();
}
}  // namespace boost
#endif

namespace pa = profile::auth;
namespace pt = profile::auth::transports;
using namespace std::chrono_literals;
using loopback::get;

static_assert(pa::Transport<pt::beast_transport>);
static_assert(std::is_default_constructible_v<pt::beast_transport>);
static_assert(!std::is_copy_constructible_v<pt::beast_transport>);
static_assert(std::is_nothrow_move_constructible_v<pt::beast_transport>);
static_assert(std::is_nothrow_move_assignable_v<pt::beast_transport>);

namespace {

pt::beast_options test_options() {
  pt::beast_options o;
  o.connect_timeout = 5s;
  o.timeout = 10s;
  return o;
}

}  // namespace

TEST_CASE("beast_transport: GET returns status, headers and body") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());
  auto r = t.send(get(srv.url("/hello")));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "hello");
  CHECK(r->headers.find("content-type") == "text/plain");
  CHECK(r->headers.find("Content-Length") == "5");
}

TEST_CASE("beast_transport: POST sends method, every header (duplicates kept) and the body") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());
  pa::http_request req{"POST", srv.url("/echo"), {}, "{\"ping\":\"pong\"}"};
  req.headers.add("Content-Type", "application/json");
  req.headers.add("Authorization", "Bearer abc.def");
  req.headers.add("X-Twice", "one");
  req.headers.add("X-Twice", "two");
  auto r = t.send(req);
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "{\"ping\":\"pong\"}");
  CHECK(r->headers.find("X-Seen-Method") == "POST");
  CHECK(r->headers.find("X-Seen-Content-Type") == "application/json");
  CHECK(r->headers.find("X-Seen-Authorization") == "Bearer abc.def");
  CHECK(r->headers.find("X-Seen-Content-Length") == "15");
  CHECK(r->headers.find("X-Seen-Host") == "127.0.0.1:" + std::to_string(srv.port()));
  const auto twice = r->headers.find_all("X-Seen-X-Twice");
  REQUIRE(twice.size() == 2);
  CHECK(twice[0] == "one");
  CHECK(twice[1] == "two");
  CHECK_FALSE(r->headers.contains("X-Seen-Accept"));
  CHECK(r->headers.find("X-Seen-User-Agent") == "profile-auth/" PROFILE_AUTH_VERSION_STRING);
}

TEST_CASE("beast_transport: the request head on the wire") {
  loopback::raw_server srv("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
  pt::beast_transport t(test_options());
  pa::http_request req{"POST", srv.url("/v3/auth?x=1&y=%20#frag"), {}, "{}"};
  req.headers.add("Content-Type", "application/json");
  req.headers.add("X-Empty", "");
  req.headers.add("X-Twice", "one");
  req.headers.add("Accept", "application/json");
  req.headers.add("X-Twice", "two");
  req.headers.add("Content-Length", "999");  // replaced by the real length
  req.headers.add("User-Agent", "mine/1");
  auto r = t.send(req);
  REQUIRE(r.has_value());
  CHECK(r->status == 204);
  const std::string head = srv.first_received();
  CHECK(head.rfind("POST /v3/auth?x=1&y=%20 HTTP/1.1\r\n", 0) == 0);  // as given
  // In order; Beast sends a repeated name right after the earlier fields of that name.
  CHECK(head.find("\r\nContent-Type: application/json\r\nX-Empty: \r\nX-Twice: one\r\n"
                  "X-Twice: two\r\nAccept: application/json\r\nUser-Agent: mine/1\r\n") !=
        std::string::npos);
  CHECK(head.find("\r\nContent-Length: 2\r\n") != std::string::npos);
  CHECK(head.find("999") == std::string::npos);
  CHECK(head.find("profile-auth/") == std::string::npos);
  CHECK(head.find("Expect:") == std::string::npos);
}

TEST_CASE("beast_transport: other methods, an empty POST and HEAD") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());
  for (const char* m : {"PUT", "PATCH", "DELETE"}) {
    CAPTURE(m);
    auto r = t.send({m, srv.url("/echo"), {}, std::string(m) == "DELETE" ? "" : "data"});
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->headers.find("X-Seen-Method") == m);
  }
  auto r = t.send({"POST", srv.url("/echo"), {}, ""});
  REQUIRE(r.has_value());
  CHECK(r->headers.find("X-Seen-Content-Length") == "0");
  CHECK(r->body.empty());
  auto head = t.send({"HEAD", srv.url("/hello"), {}, {}});
  REQUIRE(head.has_value());
  CHECK(head->status == 200);
  CHECK(head->body.empty());
  CHECK(head->headers.find("Content-Length") == "5");
  auto after = t.send(get(srv.url("/hello")));  // the connection survived the body-less answer
  REQUIRE(after.has_value());
  CHECK(after->body == "hello");
}

TEST_CASE("beast_transport: duplicate response headers are kept in order") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());
  auto r = t.send(get(srv.url("/dup")));
  REQUIRE(r.has_value());
  const auto dup = r->headers.find_all("x-dup");
  REQUIRE(dup.size() == 2);
  CHECK(dup[0] == "first");
  CHECK(dup[1] == "second");
  CHECK(r->headers.find_all("Set-Cookie").size() == 2);
}

TEST_CASE("beast_transport: error statuses are values, redirects are not followed") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());

  auto u = t.send(get(srv.url("/unauthorized")));
  REQUIRE(u.has_value());
  CHECK(u->status == 401);
  CHECK(u->headers.find("WWW-Authenticate") == "Bearer error=\"invalid_token\"");
  CHECK(u->body == "{\"error\":\"invalid_token\"}");

  auto f = t.send(get(srv.url("/fail")));
  REQUIRE(f.has_value());
  CHECK(f->status == 500);
  CHECK(f->body == "<html>oops</html>");

  const int before = st.hits.load();
  auto rd = t.send(get(srv.url("/redirect")));
  REQUIRE(rd.has_value());
  CHECK(rd->status == 302);
  CHECK(rd->headers.find("Location") == "/hello");
  CHECK(st.hits.load() == before);  // /hello was never requested
}

TEST_CASE("beast_transport: bodies and header blocks over the limits are refused") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_options o = test_options();
  o.max_response_bytes = 1u << 20;
  pt::beast_transport t(o);
  for (const char* path : {"/big", "/big-chunked"}) {
    CAPTURE(path);
    auto r = t.send(get(srv.url(path)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::response_too_large);
    CHECK(r.error().http_status == 200);
    CHECK(r.error().message.find("max_response_bytes (1048576 bytes)") != std::string::npos);
  }
  auto ok = t.send(get(srv.url("/hello")));  // still usable afterwards
  REQUIRE(ok.has_value());
  CHECK(ok->body == "hello");

  o.max_response_bytes = std::numeric_limits<std::size_t>::max();
  pt::beast_transport unlimited(o);
  auto whole = unlimited.send(get(srv.url("/big-chunked")));
  REQUIRE(whole.has_value());
  CHECK(whole->body.size() == (2u << 20));

  o.max_header_bytes = 16u << 10;
  pt::beast_transport small_headers(o);
  auto h = small_headers.send(get(srv.url("/many-headers")));
  REQUIRE_FALSE(h.has_value());
  CHECK(h.error().code == pa::errc::response_too_large);
  CHECK(h.error().message.find("max_header_bytes (16384 bytes)") != std::string::npos);
  o.max_header_bytes = 64u << 10;
  pt::beast_transport roomy(o);
  auto many = roomy.send(get(srv.url("/many-headers")));
  REQUIRE(many.has_value());
  CHECK(many->headers.find("X-Filler-39") == std::string(1000, 'h'));
}

TEST_CASE("beast_transport: a slow server gives a timeout error") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_options o = test_options();
  o.timeout = 300ms;
  pt::beast_transport t(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = t.send(get(srv.url("/slow")));
  const auto took = std::chrono::steady_clock::now() - start;
  st.stop = true;
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::transport_failed);
  CHECK(pa::is_retryable(r.error()));
  CHECK(r.error().message.find("timed out waiting for the response") != std::string::npos);
  CHECK(r.error().message.find("timeout 300 ms") != std::string::npos);
  CHECK(took < 4s);
  auto again = t.send(get(srv.url("/hello")));  // a new connection after the aborted one
  REQUIRE(again.has_value());
  CHECK(again->body == "hello");
}

TEST_CASE("beast_transport: connection refused, DNS and TLS failures say which") {
  pt::beast_transport t(test_options());
  const std::string secret_body = "client_secret=S3cr3t-BODY";
  const std::string secret_header = "Bearer S3cr3t-TOKEN";

  SUBCASE("connection refused") {
    pa::http_request req{
        "POST",
        "http://127.0.0.1:" + std::to_string(loopback::closed_port()) + "/v3/auth?key=S3cr3t-QUERY",
        {{"Authorization", secret_header}},
        secret_body};
    auto r = t.send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("connect failed (refused or unreachable)") != std::string::npos);
    CHECK(r.error().message.find("S3cr3t") == std::string::npos);
    CHECK(r.error().message.find("/v3/auth") == std::string::npos);
  }
  SUBCASE("unresolvable host") {
    pa::http_request req{"POST",
                         "http://profile-auth-test.invalid/v3/auth?key=S3cr3t-QUERY",
                         {{"Authorization", secret_header}},
                         secret_body};
    auto r = t.send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("DNS resolution failed for http://profile-auth-test.invalid") !=
          std::string::npos);
    CHECK(r.error().message.find("S3cr3t") == std::string::npos);
  }
  SUBCASE("https to a plain HTTP port") {
    loopback::raw_server srv("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", false);
    pa::http_request req{"POST",
                         "https" + srv.url("/hello").substr(4),
                         {{"Authorization", secret_header}},
                         secret_body};
    auto r = t.send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("TLS handshake failed") != std::string::npos);
    CHECK(r.error().message.find("S3cr3t") == std::string::npos);
  }
}

TEST_CASE("beast_transport: only http and https, and malformed requests are not sent") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());

  for (const char* url : {"ftp://127.0.0.1/file", "file:///etc/passwd", "/relative", ""}) {
    CAPTURE(url);
    auto r = t.send(get(url));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_url);
  }
  auto user = t.send(get("http://id:S3cr3t@127.0.0.1:" + std::to_string(srv.port()) + "/echo"));
  REQUIRE_FALSE(user.has_value());
  CHECK(user.error().code == pa::errc::invalid_url);
  CHECK(user.error().message.find("S3cr3t") == std::string::npos);

  auto crlf = t.send({"GET", srv.url("/echo"), {{"X-Evil", "a\r\nX-Injected: 1"}}, {}});
  REQUIRE_FALSE(crlf.has_value());
  CHECK(crlf.error().code == pa::errc::invalid_header_value);
  CHECK(crlf.error().message.find("X-Evil") != std::string::npos);
  CHECK(crlf.error().message.find("Injected") == std::string::npos);

  auto nul = t.send({"GET", srv.url("/echo"), {{"X-Nul", std::string("a\0b", 3)}}, {}});
  REQUIRE_FALSE(nul.has_value());
  CHECK(nul.error().code == pa::errc::invalid_header_value);

  auto bad_name = t.send({"GET", srv.url("/echo"), {{"Bad Name", "v"}}, {}});
  REQUIRE_FALSE(bad_name.has_value());
  CHECK(bad_name.error().code == pa::errc::invalid_header_value);

  auto bad_method = t.send({"GE T", srv.url("/echo"), {}, {}});
  REQUIRE_FALSE(bad_method.has_value());
  CHECK(bad_method.error().code == pa::errc::invalid_argument);

  auto url_lf = t.send(get(srv.url("/echo\r\nX: y")));
  REQUIRE_FALSE(url_lf.has_value());
  CHECK(url_lf.error().code == pa::errc::invalid_url);

  pt::beast_options o = test_options();
  o.user_agent = "agent\r\nX-Injected: 1";
  pt::beast_transport bad_agent(o);
  auto a = bad_agent.send(get(srv.url("/echo")));
  REQUIRE_FALSE(a.has_value());
  CHECK(a.error().code == pa::errc::invalid_argument);

  CHECK(st.hits.load() == 0);
}

TEST_CASE("beast_transport: one connection is kept alive; moving keeps it working") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::beast_transport t(test_options());
  auto a = t.send(get(srv.url("/port")));
  auto b = t.send(get(srv.url("/port")));
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->body == b->body);  // same client port: the connection was reused

  pt::beast_transport moved(std::move(t));
  auto c = moved.send(get(srv.url("/port")));
  REQUIRE(c.has_value());
  CHECK(c->body == a->body);

  pt::beast_transport other(test_options());
  other = std::move(moved);
  auto d = other.send(get(srv.url("/hello")));
  REQUIRE(d.has_value());
  CHECK(d->body == "hello");

  // Another origin closes the connection; coming back opens a new one.
  loopback::plain_server second([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  auto e = other.send(get(second.url("/port")));
  REQUIRE(e.has_value());
  auto f = other.send(get(srv.url("/port")));
  REQUIRE(f.has_value());
  CHECK(f->body != a->body);

  pt::beast_options o = test_options();
  o.keep_alive = false;
  pt::beast_transport no_reuse(o);
  auto g = no_reuse.send(get(srv.url("/port")));
  auto h = no_reuse.send(get(srv.url("/port")));
  REQUIRE(g.has_value());
  REQUIRE(h.has_value());
  CHECK(g->body != h->body);
}

TEST_CASE("beast_transport: a kept-alive connection the server closed is replaced, once") {
  // First connection: a keep-alive answer, then the server hangs up without saying so.
  loopback::raw_server srv(std::vector<std::string>{
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst",
      "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecond"});
  pt::beast_transport t(test_options());
  auto a = t.send(get(srv.url("/a")));
  REQUIRE(a.has_value());
  CHECK(a->body == "first");
  std::this_thread::sleep_for(50ms);  // let the server's close arrive
  auto b = t.send(get(srv.url("/b")));
  REQUIRE(b.has_value());
  CHECK(b->body == "second");
  CHECK(srv.received().size() == 2);
}

TEST_CASE("beast_transport: interim 1xx answers are skipped") {
  loopback::raw_server srv(
      "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Spaces:   padded  \r\n"
      "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  pt::beast_transport t(test_options());
  auto r = t.send({"POST", srv.url("/v3/auth"), {{"Content-Type", "application/json"}}, "{}"});
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK_FALSE(r->headers.contains("X-Interim"));
  CHECK(r->headers.find("X-Spaces") == "padded");
  CHECK(r->headers.size() == 4);
  CHECK(r->body == "{}");
}

TEST_CASE("beast_transport: a body delimited by the end of the connection") {
  loopback::raw_server srv("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  pt::beast_transport t(test_options());
  auto r = t.send(get(srv.url("/")));
  REQUIRE(r.has_value());
  CHECK(r->body == "until the end");
}

TEST_CASE("beast_transport: a server that closes without answering, or answers garbage") {
  pt::beast_transport t(test_options());
  {
    loopback::raw_server srv("");
    auto r = t.send(get(srv.url("/")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("without answering") != std::string::npos);
  }
  {
    loopback::raw_server srv("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    auto r = t.send(get(srv.url("/")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("not HTTP/1.x") != std::string::npos);
  }
  {
    loopback::raw_server srv("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    auto r = t.send(get(srv.url("/")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::transport_failed);
    CHECK(r.error().message.find("receiving the response") != std::string::npos);
  }
}

TEST_CASE("end to end: m2m_client over beast_transport against a Profile API on loopback") {
  pa::testing::fake_profile_api::options o;
  o.client_id = "e2e-client";
  o.client_secret = pa::secret{"e2e-secret"};
  pa::testing::fake_profile_api api(o);
  loopback::plain_server srv([&](httplib::Server& s) { loopback::serve_fake(s, api); });
  const std::string base = srv.url("");

  pa::m2m_client client{pt::beast_transport(test_options()),
                        pa::profile::m2m_config("e2e-client", pa::secret{"e2e-secret"}, base)};
  auto h = client.authorization_header();
  REQUIRE(h.has_value());
  CHECK(*h == "Bearer " + api.last_token());
  auto r = client.send(pa::profile::test_request(R"({"ping":"pong"})", base));
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == R"({"echo":{"ping":"pong"},"client_id":"e2e-client"})");
  CHECK(api.tokens_issued() == 1);

  api.revoke_all_tokens();  // 401 invalid_token over the wire: one new token, one retry
  auto again = client.send(pa::profile::test_request(R"({"n":2})", base));
  REQUIRE(again.has_value());
  CHECK(again->status == 200);
  CHECK(api.tokens_issued() == 2);

  pa::m2m_client bad{pt::beast_transport(test_options()),
                     pa::profile::m2m_config("e2e-client", pa::secret{"WRONG-s3cret"}, base)};
  auto e = bad.authorization_header();
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::invalid_client);
  CHECK(e.error().message.find("WRONG-s3cret") == std::string::npos);
}

#endif  // PROFILE_AUTH_TEST_BEAST
