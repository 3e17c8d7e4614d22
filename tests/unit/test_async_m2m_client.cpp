// SPDX-License-Identifier: MIT
// Tests for async_m2m_client on fake_async_transport (answers delivered by the test) and a manual
// clock: single flight, shared errors, refresh-ahead without waiting, backoff, the 401 retry,
// callbacks exactly once, re-entrancy, and threads completing callbacks (TSan in CI).
#include <profile/auth/async_m2m_client.hpp>
#include <profile/auth/concepts.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_async_transport.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view client_secret = "s3cr3t-Value_42";

std::string token_json(std::string_view token, int expires_in = 3600) {
  return R"({"access_token":")" + std::string(token) + R"(","token_type":"Bearer","expires_in":)" +
         std::to_string(expires_in) + "}";
}

pa::http_response answer(int status, std::string body, pa::header_list headers = {}) {
  return pt::fake_async_transport::response(status, std::move(body), std::move(headers));
}

pa::header_list challenge(std::string value) {
  pa::header_list h;
  h.add("WWW-Authenticate", std::move(value));
  return h;
}

pa::client_credentials_config profile_config() {
  return pa::profile::m2m_config("my-client", pa::secret(client_secret));
}

template <class P = pa::thread_safe>
using client_t =
    pa::async_m2m_client<pt::fake_async_transport*, pt::manual_clock, P, pt::fixed_random>;

/// A client on a test-answered transport, a manual clock at 1000 s and zero jitter.
template <class P = pa::thread_safe>
struct fixture {
  explicit fixture(pa::client_credentials_config cfg = profile_config())
      : client(&transport, std::move(cfg), clock, {}, pt::fixed_random(0)) {}
  pt::fake_async_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  client_t<P> client;
};

std::string describe(const pa::result<std::string>& h) {
  return h ? *h : "error " + std::string(pa::to_string(h.error().code));
}

/// Collects what header callbacks receive; each callback counts its own calls.
struct header_log {
  std::vector<std::string> got;
  std::vector<pa::error> errors;
  auto callback() {
    return [this](pa::result<std::string> h) {
      got.push_back(describe(h));
      if (!h) errors.push_back(h.error());
    };
  }
};

std::string header_of(const pa::http_request& r) {
  return std::string(r.headers.find("Authorization").value_or("<none>"));
}

}  // namespace

static_assert(pa::AsyncTransport<pt::fake_async_transport>);
static_assert(!pa::Transport<pt::fake_async_transport>);
static_assert(std::is_nothrow_move_constructible_v<client_t<>>);
static_assert(!std::is_copy_constructible_v<client_t<>>);

TEST_CASE("async_m2m_client: N callers on a cold cache make one request and share its token") {
  fixture<> f;
  header_log log;
  for (int i = 0; i < 8; ++i) f.client.authorization_header(log.callback());
  CHECK(log.got.empty());  // nothing known yet: every callback waits for the one flight
  REQUIRE(f.transport.calls() == 1);
  CHECK(f.transport.pending() == 1);
  const pa::http_request req = f.transport.request(0);
  CHECK(req.method == "POST");
  CHECK(req.url == "https://vanguard.profilebehavior.com/api/v4/auth");
  CHECK(req.body ==
        R"({"grant_type":"client_credentials","client_id":"my-client","client_secret":")" +
            std::string(client_secret) + R"("})");
  CHECK(f.client.stats().waits == 7);

  REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
  REQUIRE(log.got.size() == 8);
  for (const auto& g : log.got) CHECK(g == "Bearer tok-1");

  // Cached: the callback runs before the call returns, and nothing is sent.
  bool called = false;
  f.client.authorization_header([&](pa::result<std::string> h) {
    called = true;
    CHECK(describe(h) == "Bearer tok-1");
  });
  CHECK(called);
  f.client.access_token([&](pa::result<pa::secret> t) {
    REQUIRE(t.has_value());
    CHECK(t->reveal() == "tok-1");
  });
  CHECK(f.transport.calls() == 1);
  CHECK(f.client.stats().token_requests == 1);
  CHECK(f.client.stats().tokens_issued == 1);
}

TEST_CASE("async_m2m_client: the flight's error reaches every queued caller; backoff holds") {
  fixture<> f;
  header_log log;
  for (int i = 0; i < 5; ++i) f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 500, R"({"error":"server_error","error_description":"db"})"));
  REQUIRE(log.errors.size() == 5);
  for (const auto& e : log.errors) {
    CHECK(e.code == pa::errc::server_error);
    CHECK(e.http_status == 500);
    CHECK(e.description == "db");
  }
  // Backing off (the first failure waits 500 ms to 1 s): the error at once, nothing sent.
  f.client.authorization_header(log.callback());
  REQUIRE(log.got.size() == 6);
  CHECK(log.got.back() == "error server_error");
  CHECK(f.transport.calls() == 1);
  f.clock.advance(1s);
  f.client.authorization_header(log.callback());
  CHECK(log.got.size() == 6);
  REQUIRE(f.transport.calls() == 2);
  REQUIRE(f.transport.respond(1, 200, token_json("tok-2")));
  CHECK(log.got.back() == "Bearer tok-2");
}

TEST_CASE("async_m2m_client: invalid_client is sticky until invalidate()") {
  fixture<> f;
  header_log log;
  f.client.authorization_header(log.callback());
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 401, R"({"error":"invalid_client"})"));
  REQUIRE(log.errors.size() == 2);
  CHECK(log.errors[1].code == pa::errc::invalid_client);
  f.clock.advance(86400s);
  f.client.authorization_header(log.callback());
  CHECK(log.got.back() == "error invalid_client");
  CHECK(f.transport.calls() == 1);
  f.client.invalidate();
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.calls() == 2);
  REQUIRE(f.transport.respond(1, 200, token_json("tok-1")));
  CHECK(log.got.back() == "Bearer tok-1");
}

TEST_CASE("async_m2m_client: Retry-After from a 429 holds the next attempt back") {
  fixture<> f;
  header_log log;
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 429, "slow down", {{"Retry-After", "7"}}));
  REQUIRE(log.errors.size() == 1);
  CHECK(log.errors[0].http_status == 429);
  REQUIRE(log.errors[0].retry_after.has_value());
  CHECK(*log.errors[0].retry_after == 7s);
  f.clock.advance(7s - 1ns);
  f.client.authorization_header(log.callback());
  CHECK(log.errors.size() == 2);
  CHECK(f.transport.calls() == 1);
  f.clock.advance(1ns);
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.calls() == 2);
  REQUIRE(f.transport.respond(1, 200, token_json("tok-1")));
  CHECK(log.got.back() == "Bearer tok-1");
}

TEST_CASE("async_m2m_client: refresh-ahead never makes a caller wait") {
  fixture<> f;
  header_log log;
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
  f.clock.advance(3300s);  // inside the refresh window (300 s before the unusable point)

  // The first caller starts the refresh and still gets tok-1 before its call returns.
  f.client.authorization_header(log.callback());
  REQUIRE(log.got.size() == 2);
  CHECK(log.got[1] == "Bearer tok-1");
  CHECK(f.transport.calls() == 2);
  CHECK(f.transport.pending() == 1);
  // Everyone else too, and no second refresh starts.
  for (int i = 0; i < 4; ++i) f.client.authorization_header(log.callback());
  REQUIRE(log.got.size() == 6);
  for (const auto& g : log.got) CHECK(g == "Bearer tok-1");
  CHECK(f.transport.calls() == 2);

  REQUIRE(f.transport.respond(1, 200, token_json("tok-2")));
  CHECK(log.got.size() == 6);  // nobody was queued
  f.client.authorization_header(log.callback());
  CHECK(log.got.back() == "Bearer tok-2");
  CHECK(f.client.stats().refreshes_ahead == 1);
  CHECK(f.client.stats().waits == 0);
}

TEST_CASE("async_m2m_client: a failed refresh keeps serving the valid token") {
  fixture<> f;
  header_log log;
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
  f.clock.advance(3300s);
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(1, 503, R"({"error":"temporarily_unavailable"})"));
  f.client.authorization_header(log.callback());
  CHECK(log.got.back() == "Bearer tok-1");
  CHECK(f.transport.calls() == 2);  // backing off: no request
  CHECK(f.client.stats().failures == 1);

  f.clock.advance(270s);  // past the unusable point: no valid token, one more attempt
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.calls() == 3);
  REQUIRE(f.transport.fail(2, pa::error(pa::errc::transport_failed, "connection refused")));
  CHECK(log.got.back() == "error transport_failed");
}

TEST_CASE("async_m2m_client: configuration errors arrive at once, are sticky, nothing is sent") {
  fixture<> f(pa::profile::m2m_config("", pa::secret(client_secret)));
  header_log log;
  f.client.authorization_header(log.callback());
  f.client.authorization_header(log.callback());
  REQUIRE(log.errors.size() == 2);
  for (const auto& e : log.errors) {
    CHECK(e.code == pa::errc::invalid_argument);
    CHECK(e.message.find(client_secret) == std::string::npos);
  }
  bool sent = false;
  f.client.send(pa::profile::test_request(), [&](pa::result<pa::http_response> r) {
    sent = true;
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_argument);
  });
  CHECK(sent);
  CHECK(f.transport.calls() == 0);
}

TEST_CASE("async_m2m_client::send adds the header, retries once after a 401 that rejects it") {
  fixture<> f;
  std::vector<pa::result<pa::http_response>> answers;
  pa::http_request req = pa::profile::test_request();
  req.headers.add("Authorization", "Basic stale");  // replaced, not duplicated
  f.client.send(std::move(req), [&](pa::result<pa::http_response> r) { answers.push_back(r); });
  REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
  REQUIRE(f.transport.calls() == 2);
  pa::http_request sent = f.transport.request(1);
  CHECK(sent.headers.find_all("Authorization").size() == 1);
  CHECK(header_of(sent) == "Bearer tok-1");
  CHECK(sent.body == R"({"ping":"pong"})");
  REQUIRE(f.transport.respond(1, 401, "", challenge("Bearer error=\"invalid_token\"")));
  CHECK(answers.empty());
  REQUIRE(f.transport.calls() == 3);  // a new token for the retry
  REQUIRE(f.transport.respond(2, 200, token_json("tok-2")));
  REQUIRE(f.transport.calls() == 4);
  CHECK(header_of(f.transport.request(3)) == "Bearer tok-2");
  REQUIRE(f.transport.respond(3, 200, R"({"pong":true})"));
  REQUIRE(answers.size() == 1);
  REQUIRE(answers[0].has_value());
  CHECK(answers[0]->status == 200);
  CHECK(f.client.stats().invalidations == 1);

  SUBCASE("a second 401 is delivered as it is") {
    f.client.send(pa::profile::test_request(),
                  [&](pa::result<pa::http_response> r) { answers.push_back(r); });
    REQUIRE(f.transport.respond(4, 401, "", challenge("Bearer error=\"invalid_token\"")));
    REQUIRE(f.transport.respond(5, 200, token_json("tok-3")));
    REQUIRE(f.transport.respond(6, 401, "denied", challenge("Bearer error=\"invalid_token\"")));
    REQUIRE(answers.size() == 2);
    CHECK(answers[1]->status == 401);
    CHECK(answers[1]->body == "denied");
    CHECK(f.transport.calls() == 7);
  }
  SUBCASE("a 401 a new token cannot fix is delivered at once") {
    f.client.send(pa::profile::test_request(),
                  [&](pa::result<pa::http_response> r) { answers.push_back(r); });
    REQUIRE(f.transport.respond(4, 401, "", challenge("Bearer error=\"insufficient_scope\"")));
    REQUIRE(answers.size() == 2);
    CHECK(answers[1]->status == 401);
    CHECK(f.transport.calls() == 5);
    CHECK(f.client.stats().invalidations == 1);
  }
  SUBCASE("a transport error is delivered as it is") {
    f.client.send(pa::profile::test_request(),
                  [&](pa::result<pa::http_response> r) { answers.push_back(r); });
    REQUIRE(f.transport.fail(4, pa::error(pa::errc::transport_failed, "reset")));
    REQUIRE(answers.size() == 2);
    REQUIRE_FALSE(answers[1].has_value());
    CHECK(answers[1].error().code == pa::errc::transport_failed);
  }
}

TEST_CASE("async_m2m_client::send drops only the token the 401 answered, not a newer one") {
  fixture<> f;
  header_log log;
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
  std::vector<pa::result<pa::http_response>> answers;
  f.client.send(pa::profile::test_request(),
                [&](pa::result<pa::http_response> r) { answers.push_back(r); });
  REQUIRE(f.transport.calls() == 2);
  // While that request is out, another caller replaces the token.
  f.client.invalidate();
  f.client.authorization_header(log.callback());
  REQUIRE(f.transport.respond(2, 200, token_json("tok-2")));
  CHECK(log.got.back() == "Bearer tok-2");
  REQUIRE(f.transport.respond(1, 401, "", challenge("Bearer error=\"invalid_token\"")));
  REQUIRE(f.transport.calls() == 4);  // retried with tok-2 at once: no third token request
  CHECK(header_of(f.transport.request(3)) == "Bearer tok-2");
  REQUIRE(f.transport.respond(3, 200, "{}"));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0]->status == 200);
}

TEST_CASE("async_m2m_client: every callback runs exactly once, even over a faulty transport") {
  // A transport that (against its contract) calls back twice, storing std::function.
  struct twice_transport {
    int sends = 0;
    void async_send(pa::http_request req, std::function<void(pa::result<pa::http_response>)> cb) {
      ++sends;
      const bool token = req.url.ends_with("/api/v4/auth");
      pa::http_response r =
          answer(token ? 200 : 401, token ? token_json("tok-" + std::to_string(sends)) : "",
                 token ? pa::header_list{} : challenge("Bearer"));
      auto copy = cb;
      cb(r);
      copy(r);
    }
  };
  static_assert(pa::AsyncTransport<twice_transport>);
  twice_transport t;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::async_m2m_client client{&t, profile_config(), clock};
  int headers = 0, sends = 0;
  auto counted = std::make_unique<int>(0);  // a move-only callback works with std::function too
  client.authorization_header([&, p = std::move(counted)](pa::result<std::string> h) {
    ++headers;
    ++*p;
    CHECK(describe(h) == "Bearer tok-1");
  });
  client.send(pa::profile::test_request(), [&](pa::result<pa::http_response> r) {
    ++sends;
    REQUIRE(r.has_value());
    CHECK(r->status == 401);  // the second 401, as it is
  });
  CHECK(headers == 1);
  CHECK(sends == 1);
  CHECK(t.sends == 4);  // token, API, token, API
  CHECK(client.stats().token_requests == 2);
}

TEST_CASE("async_m2m_client: callbacks may call the client again (re-entrancy)") {
  fixture<> f;
  std::vector<std::string> order;
  // A queued callback that asks again: the token is now cached, so the nested call completes
  // at once, inside the first.
  f.client.authorization_header([&](pa::result<std::string> h) {
    order.push_back("outer " + describe(h));
    f.client.authorization_header(
        [&](pa::result<std::string> inner) { order.push_back("inner " + describe(inner)); });
  });
  // A queued callback that drops the token and asks again: it starts the next flight from
  // inside the delivery of the first; the remaining callbacks still get the first token.
  f.client.authorization_header([&](pa::result<std::string> h) {
    order.push_back("dropper " + describe(h));
    f.client.invalidate();
    f.client.authorization_header(
        [&](pa::result<std::string> next) { order.push_back("next " + describe(next)); });
  });
  f.client.authorization_header(
      [&](pa::result<std::string> h) { order.push_back("last " + describe(h)); });
  REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
  const std::vector<std::string> expected{"outer Bearer tok-1", "inner Bearer tok-1",
                                          "dropper Bearer tok-1", "last Bearer tok-1"};
  CHECK(order == expected);
  REQUIRE(f.transport.calls() == 2);
  REQUIRE(f.transport.respond(1, 200, token_json("tok-2")));
  REQUIRE(order.size() == 5);
  CHECK(order[4] == "next Bearer tok-2");
}

TEST_CASE("async_m2m_client: a transport answering inside async_send completes the call at once") {
  pt::manual_clock clock{pa::time_point(1000s)};
  pt::fake_profile_api api(clock);
  pt::fake_async_transport transport;
  transport.on_send([api](const pa::http_request& r) mutable { return api.send(r); });
  pa::async_m2m_client client{transport,  // by value: copies share the record
                              pa::profile::m2m_config("test-client", pa::secret("test-secret")),
                              clock};
  static_assert(std::is_same_v<decltype(client),
                               pa::async_m2m_client<pt::fake_async_transport, pt::manual_clock>>);
  int done = 0;
  for (int i = 0; i < 3; ++i)
    client.send(pa::profile::test_request(), [&](pa::result<pa::http_response> r) {
      ++done;
      REQUIRE(r.has_value());
      CHECK(r->status == 200);
    });
  CHECK(done == 3);
  CHECK(api.token_requests() == 1);
  api.revoke_all_tokens();  // 401 invalid_token -> a new token and one retry, all inside send
  client.send(pa::profile::test_request(), [&](pa::result<pa::http_response> r) {
    ++done;
    CHECK(r.value().status == 200);
  });
  CHECK(done == 4);
  CHECK(api.token_requests() == 2);
  CHECK(transport.pending() == 0);
}

TEST_CASE("async_m2m_client: destroying the client does not cancel requests in flight") {
  pt::fake_async_transport transport;
  std::vector<std::string> got;
  {
    client_t<> client(&transport, profile_config(), pt::manual_clock{pa::time_point(5s)}, {},
                      pt::fixed_random(0));
    client.authorization_header([&](pa::result<std::string> h) { got.push_back(describe(h)); });
    client.send(pa::profile::test_request(), [&](pa::result<pa::http_response> r) {
      got.push_back(r ? std::to_string(r->status) : "error");
    });
  }
  REQUIRE(transport.pending() == 1);
  REQUIRE(transport.respond(0, 200, token_json("tok-1")));
  REQUIRE(transport.pending() == 1);  // the API request went out from the finished flight
  REQUIRE(transport.respond(1, 204, ""));
  const std::vector<std::string> expected{"Bearer tok-1", "204"};
  CHECK(got == expected);
}

#if defined(__cpp_exceptions)
TEST_CASE("async_m2m_client: an async_send that throws does not leave callers waiting") {
  struct throwing_transport {
    void async_send(pa::http_request, std::function<void(pa::result<pa::http_response>)>) {
      throw 42;  // a transport breaking its contract
    }
  };
  throwing_transport t;
  pa::async_m2m_client client{&t, profile_config(), pt::manual_clock{}};
  std::vector<std::string> got;
  bool thrown = false;
  try {
    client.authorization_header([&](pa::result<std::string> h) { got.push_back(describe(h)); });
  } catch (int) {
    thrown = true;
  }
  CHECK(thrown);
  REQUIRE(got.size() == 1);  // the flight was closed as failed, and its caller told
  CHECK(got[0] == "error transport_failed");
  CHECK(client.stats().failures == 1);
}
#endif

TEST_CASE("async_m2m_client<single_threaded>: a game loop without atomics or mutexes") {
  using st = pa::single_threaded;
  fixture<st> f;
  header_log log;
  // Every frame asks (a careless loop); the answer arrives on frame 3. Frames 0 to 2 are queued
  // behind the one flight and never wait; from frame 3 on the callback runs inside the call.
  std::vector<int> answered_in_frame;
  for (int frame = 0; frame < 6; ++frame) {
    if (frame == 3) REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
    f.client.authorization_header([&, frame](pa::result<std::string> h) {
      CHECK(describe(h) == "Bearer tok-1");
      answered_in_frame.push_back(frame);
    });
    f.clock.advance(16ms);
  }
  const std::vector<int> expected{0, 1, 2, 3, 4, 5};
  CHECK(answered_in_frame == expected);
  CHECK(f.transport.calls() == 1);
  CHECK(f.client.stats().waits == 2);  // frames 1 and 2 queued behind frame 0's flight
  f.clock.advance(3300s);
  f.client.authorization_header(log.callback());  // refresh ahead: tok-1 at once
  CHECK(log.got.back() == "Bearer tok-1");
  REQUIRE(f.transport.respond(1, 200, token_json("tok-2")));
  f.client.authorization_header(log.callback());
  CHECK(log.got.back() == "Bearer tok-2");
}

#if !PROFILE_AUTH_NO_THREADS
TEST_CASE("async_m2m_client<thread_safe>: threads asking while another thread completes") {
  constexpr int callers = 8;
  fixture<> f;
  std::atomic<int> ok{0}, calls{0};
  std::vector<std::string> got(callers);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < callers; ++i)
      threads.emplace_back([&, i] {
        f.client.authorization_header([&, i](pa::result<std::string> h) {
          calls.fetch_add(1);
          got[static_cast<std::size_t>(i)] = describe(h);
          if (h) ok.fetch_add(1);
        });
      });
    // A "network thread" answers the one token request while callers may still be arriving.
    std::thread network([&] {
      REQUIRE(f.transport.wait_until_pending(1));
      REQUIRE(f.transport.respond(0, 200, token_json("tok-1")));
    });
    for (auto& t : threads) t.join();
    network.join();
  }
  CHECK(calls.load() == callers);
  CHECK(ok.load() == callers);
  for (const auto& g : got) CHECK(g == "Bearer tok-1");
  CHECK(f.transport.calls() == 1);

  // Concurrent sends whose answers arrive on several threads, each a 401 for the same token:
  // one token request for all the retries.
  std::atomic<int> answered{0};
  for (int i = 0; i < callers; ++i)
    f.client.send(pa::profile::test_request(), [&](pa::result<pa::http_response> r) {
      if (r && r->status == 200) answered.fetch_add(1);
    });
  REQUIRE(f.transport.calls() == 1 + callers);
  {
    std::vector<std::thread> network;
    for (int i = 0; i < callers; ++i)
      network.emplace_back([&, i] {
        REQUIRE(f.transport.respond(static_cast<std::size_t>(1 + i), 401, "",
                                    challenge("Bearer error=\"invalid_token\"")));
      });
    for (auto& t : network) t.join();
  }
  // Exactly one new token request; every retry waits for it.
  std::size_t token_request = 0;
  const auto all = f.transport.requests();
  int token_requests = 0;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].url.ends_with("/api/v4/auth")) {
      ++token_requests;
      token_request = i;
    }
  CHECK(token_requests == 2);
  REQUIRE(f.transport.respond(token_request, 200, token_json("tok-2")));
  REQUIRE(f.transport.pending() == static_cast<std::size_t>(callers));
  {
    std::vector<std::thread> network;
    for (int i = 0; i < 2; ++i)
      network.emplace_back([&] {
        while (f.transport.complete_oldest(answer(200, "{}"))) {
        }
      });
    for (auto& t : network) t.join();
  }
  CHECK(answered.load() == callers);
  for (std::size_t i = all.size(); i < f.transport.calls(); ++i)
    CHECK(header_of(f.transport.request(i)) == "Bearer tok-2");
}
#endif

TEST_CASE("async_m2m_client: no error message contains the secret or a token") {
  const std::string answers[] = {
      R"({"error":"invalid_client"})",
      R"({"access_token":"tok-SECRET-1","token_type":"mac","expires_in":60})",
      R"({"access_token":"tok SECRET-2","token_type":"Bearer"})",
      "<html>tok-SECRET-3</html>",
  };
  for (const auto& body : answers) {
    fixture<> f;
    header_log log;
    f.client.authorization_header(log.callback());
    REQUIRE(
        f.transport.respond(0, body.find("invalid_client") != std::string::npos ? 401 : 200, body));
    REQUIRE(log.errors.size() == 1);
    const pa::error& e = log.errors[0];
    CAPTURE(e.message);
    CHECK_FALSE(e.message.empty());
    CHECK(e.message.find(client_secret) == std::string::npos);
    CHECK(e.message.find("SECRET") == std::string::npos);
    CHECK(e.description.find("SECRET") == std::string::npos);
  }
}
