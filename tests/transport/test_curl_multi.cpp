// SPDX-License-Identifier: MIT
// curl_multi_transport over real loopback HTTP: concurrent requests, a slow server that must not
// block poll(), errors mapped as curl_transport maps them, destruction, re-entrancy, and
// async_m2m_client over it making one token request for many concurrent callers.
#include <profile/auth/async_m2m_client.hpp>
#include <profile/auth/concepts.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/transports/curl_multi.hpp>

#include <doctest/doctest.h>

#include "loopback.hpp"

#include <atomic>       // the server's release flag
#include <chrono>       // deadlines
#include <cstddef>      // std::size_t
#include <memory>       // a move-only callback
#include <string>       // bodies and messages
#include <thread>       // sleeping server handlers
#include <type_traits>  // copy/move checks
#include <utility>      // std::move
#include <vector>       // results

namespace pa = profile::auth;
namespace pt = profile::auth::transports;
using namespace std::chrono_literals;
using loopback::get;

static_assert(pa::AsyncTransport<pt::curl_multi_transport>);
static_assert(!pa::Transport<pt::curl_multi_transport>);
static_assert(!std::is_copy_constructible_v<pt::curl_multi_transport>);
static_assert(std::is_nothrow_move_constructible_v<pt::curl_multi_transport>);

namespace {

/// Tests never go through a proxy from the environment.
pt::curl_options test_options() {
  pt::curl_options o;
  o.proxy = "";
  o.connect_timeout = 5s;
  o.timeout = 10s;
  return o;
}

/// Polls until nothing is pending; false when the deadline (a safety net, not a timing
/// expectation) passed first.
bool drain(pt::curl_multi_transport& t, std::chrono::seconds deadline = 30s) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (t.pending() > 0) {
    if (std::chrono::steady_clock::now() > end) return false;
    (void)t.run_once(50ms);
  }
  return true;
}

/// Where a callback writes its result; `calls` counts how often it ran.
struct slot {
  int calls = 0;
  pa::result<pa::http_response> r = pa::unexpected<pa::error>(pa::error{});
  auto callback() {
    return [this](pa::result<pa::http_response> got) {
      ++calls;
      r = std::move(got);
    };
  }
};

}  // namespace

TEST_CASE("curl_multi_transport: several concurrent requests complete on poll()") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::curl_multi_transport t(test_options());
  std::vector<slot> slots(6);
  t.async_send(get(srv.url("/hello")), slots[0].callback());
  t.async_send({"POST", srv.url("/echo"), {{"Content-Type", "application/json"}}, R"({"n":1})"},
               slots[1].callback());
  t.async_send(get(srv.url("/dup")), slots[2].callback());
  t.async_send(get(srv.url("/unauthorized")), slots[3].callback());
  t.async_send({"PUT", srv.url("/echo"), {}, "put-body"}, slots[4].callback());
  t.async_send(get(srv.url("/hello")), slots[5].callback());
  CHECK(t.pending() == 6);
  for (const auto& s : slots) CHECK(s.calls == 0);  // never called back from async_send
  REQUIRE(drain(t));
  for (const auto& s : slots) CHECK(s.calls == 1);
  REQUIRE(slots[0].r.has_value());
  CHECK(slots[0].r->status == 200);
  CHECK(slots[0].r->body == "hello");
  REQUIRE(slots[1].r.has_value());
  CHECK(slots[1].r->body == R"({"n":1})");
  CHECK(slots[1].r->headers.find("X-Seen-Method") == "POST");
  CHECK(slots[1].r->headers.find("X-Seen-Content-Type") == "application/json");
  REQUIRE(slots[2].r.has_value());
  CHECK(slots[2].r->headers.find_all("X-Dup").size() == 2);
  REQUIRE(slots[3].r.has_value());
  CHECK(slots[3].r->status == 401);  // a status is an answer, not an error
  REQUIRE(slots[4].r.has_value());
  CHECK(slots[4].r->headers.find("X-Seen-Method") == "PUT");
  CHECK(slots[4].r->body == "put-body");
  CHECK(slots[5].r.value().body == "hello");
  CHECK(t.pending() == 0);
  CHECK(t.poll() == 0);
}

TEST_CASE("curl_multi_transport: a slow server does not block poll()") {
  std::atomic<bool> release{false};
  loopback::plain_server srv([&](httplib::Server& s) {
    s.Get("/held", [&](const httplib::Request&, httplib::Response& res) {
      // Answers once the test releases it (or after 10 s, so a blocking poll() fails the test
      // below instead of hanging it).
      for (int i = 0; i < 1000 && !release; ++i) std::this_thread::sleep_for(10ms);
      res.set_content("released", "text/plain");
    });
    s.Get("/quick", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("quick", "text/plain");
    });
  });
  pt::curl_multi_transport t(test_options());
  slot held, quick;
  t.async_send(get(srv.url("/held")), held.callback());
  t.async_send(get(srv.url("/quick")), quick.callback());
  // Frames of a game loop: each poll() returns at once; the quick answer arrives while the
  // held one is still out.
  const auto start = std::chrono::steady_clock::now();
  int frames = 0;
  while (quick.calls == 0 && std::chrono::steady_clock::now() - start < 5s) {
    (void)t.poll();
    ++frames;
    std::this_thread::sleep_for(1ms);
  }
  CHECK(quick.calls == 1);
  CHECK(quick.r.value().body == "quick");
  for (int i = 0; i < 20; ++i) CHECK(t.poll() == 0);
  CHECK(held.calls == 0);
  CHECK(t.pending() == 1);
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // nothing waited for /held
  CHECK(frames > 1);
  release = true;
  REQUIRE(drain(t));
  CHECK(held.calls == 1);
  CHECK(held.r.value().body == "released");
}

TEST_CASE("curl_multi_transport: errors are mapped as curl_transport maps them") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::curl_options o = test_options();
  o.timeout = 300ms;
  o.max_response_bytes = 1u << 20;
  pt::curl_multi_transport t(o);
  slot refused, bad_url, header, slow, big;
  t.async_send({"POST",
                "http://127.0.0.1:" + std::to_string(loopback::closed_port()) + "/v3/auth",
                {{"Authorization", "Bearer S3cr3t-TOKEN"}},
                "client_secret=S3cr3t-BODY"},
               refused.callback());
  t.async_send(get("ftp://127.0.0.1/file"), bad_url.callback());
  t.async_send({"GET", srv.url("/echo"), {{"X-Evil", "a\r\nX-Injected: 1"}}, {}},
               header.callback());
  t.async_send(get(srv.url("/slow")), slow.callback());
  t.async_send(get(srv.url("/big")), big.callback());
  CHECK(bad_url.calls == 0);  // refused at once, but reported by poll(), not inside async_send
  REQUIRE(drain(t));
  st.stop = true;

  REQUIRE_FALSE(refused.r.has_value());
  CHECK(refused.r.error().code == pa::errc::transport_failed);
  CHECK(refused.r.error().message.find("connect failed") != std::string::npos);
  CHECK(refused.r.error().message.find("S3cr3t") == std::string::npos);
  REQUIRE_FALSE(bad_url.r.has_value());
  CHECK(bad_url.r.error().code == pa::errc::invalid_url);
  REQUIRE_FALSE(header.r.has_value());
  CHECK(header.r.error().code == pa::errc::invalid_header_value);
  REQUIRE_FALSE(slow.r.has_value());
  CHECK(slow.r.error().code == pa::errc::transport_failed);
  CHECK(slow.r.error().message.find("timed out") != std::string::npos);
  REQUIRE_FALSE(big.r.has_value());
  CHECK(big.r.error().code == pa::errc::response_too_large);
  CHECK(st.hits.load() == 0);  // the request with CR/LF in a header never left

  // Still usable afterwards; handles are reused.
  slot ok;
  t.async_send(get(srv.url("/hello")), ok.callback());
  REQUIRE(drain(t));
  CHECK(ok.r.value().body == "hello");
}

TEST_CASE("curl_multi_transport: callbacks may send again; move-only callbacks work") {
  loopback::shared_state st;
  loopback::plain_server srv([&](httplib::Server& s) { loopback::standard_routes(s, st); });
  pt::curl_multi_transport t(test_options());
  std::vector<std::string> order;
  auto token = std::make_unique<std::string>("first");
  t.async_send(get(srv.url("/hello")), [&, p = std::move(token)](pa::result<pa::http_response> r) {
    order.push_back(*p + " " + r.value().body);
    t.async_send({"POST", srv.url("/echo"), {}, "second"},
                 [&](pa::result<pa::http_response> again) {
                   order.push_back("second " + again.value().body);
                 });
  });
  REQUIRE(drain(t));
  const std::vector<std::string> expected{"first hello", "second second"};
  CHECK(order == expected);
}

TEST_CASE("curl_multi_transport: destruction answers every pending request") {
  std::atomic<bool> release{false};
  loopback::plain_server srv([&](httplib::Server& s) {
    s.Get("/held", [&](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 1000 && !release; ++i) std::this_thread::sleep_for(10ms);
      res.set_content("late", "text/plain");
    });
  });
  std::vector<std::string> got;
  {
    pt::curl_multi_transport t(test_options());
    for (int i = 0; i < 3; ++i)
      t.async_send(get(srv.url("/held")), [&, i, tp = &t](pa::result<pa::http_response> r) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == pa::errc::transport_failed);
        got.push_back(r.error().message);
        if (i == 0)  // sending from such a callback gets the same kind of answer, at once
          tp->async_send(get(srv.url("/held")), [&](pa::result<pa::http_response> again) {
            REQUIRE_FALSE(again.has_value());
            got.push_back(again.error().message);
          });
      });
    for (int i = 0; i < 5; ++i) (void)t.poll();  // the transfers start
    CHECK(t.pending() == 3);
  }
  release = true;
  REQUIRE(got.size() == 4);
  for (const auto& m : got) CHECK(m.find("destroyed") != std::string::npos);
}

TEST_CASE("end to end: async_m2m_client over curl_multi_transport, one token for many callers") {
  pa::testing::fake_profile_api::options o;
  o.client_id = "e2e-client";
  o.client_secret = pa::secret{"e2e-secret"};
  pa::testing::fake_profile_api api(o);
  loopback::plain_server srv([&](httplib::Server& s) {
    loopback::serve_fake(s, api);
    // One worker per concurrent connection: a kept-alive connection holds its worker.
    s.new_task_queue = [] { return new httplib::ThreadPool(16); };
  });
  const std::string base = srv.url("");
  pt::curl_multi_transport http(test_options());
  pa::async_m2m_client<pt::curl_multi_transport*, std::chrono::steady_clock, pa::single_threaded>
      client{&http, pa::profile::m2m_config("e2e-client", pa::secret{"e2e-secret"}, base)};

  constexpr int callers = 10;
  int ok = 0, headers = 0;
  for (int i = 0; i < callers; ++i) {
    client.send(pa::profile::test_request(R"({"ping":"pong"})", base),
                [&](pa::result<pa::http_response> r) {
                  INFO((r ? std::to_string(r->status) + " " + r->body : r.error().message));
                  CHECK(r.has_value());
                  if (r && r->status == 200 &&
                      r->body == R"({"echo":{"ping":"pong"},"client_id":"e2e-client"})")
                    ++ok;
                });
    client.authorization_header([&](pa::result<std::string> h) {
      if (h && *h == "Bearer " + api.last_token()) ++headers;
    });
  }
  CHECK(ok == 0);  // nothing is answered before the loop polls
  REQUIRE(drain(http));
  CHECK(ok == callers);
  CHECK(headers == callers);
  CHECK(api.tokens_issued() == 1);  // single flight over real sockets
  CHECK(api.api_calls() == static_cast<std::size_t>(callers));
  CHECK(client.stats().waits == 2 * callers - 1);

  // A revoked token: 401 invalid_token over the wire, one new token, one retry.
  api.revoke_all_tokens();
  int retried = 0;
  client.send(pa::profile::test_request(R"({"n":2})", base), [&](pa::result<pa::http_response> r) {
    if (r && r->status == 200) ++retried;
  });
  REQUIRE(drain(http));
  CHECK(retried == 1);
  CHECK(api.tokens_issued() == 2);
}
