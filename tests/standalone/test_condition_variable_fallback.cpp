// SPDX-License-Identifier: MIT
// profile-auth tests: thread_safe on a standard library without std::atomic::wait (macOS
// deployment targets before 11, for one), where lock_policy.hpp falls back to
// std::condition_variable. Its own program: the fallback changes thread_safe, so this TU must
// never be linked with TUs that use the atomic wait (one program, one configuration).
#include <atomic>
#include <version>
#undef __cpp_lib_atomic_wait  // what such a library looks like to lock_policy.hpp

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_transport.hpp>
#include <profile/auth/testing/fixed_random.hpp>
#include <profile/auth/testing/manual_clock.hpp>

#include <doctest/doctest.h>

#include <chrono>              // the deadline of eventually()
#include <condition_variable>  // the type thread_safe must fall back to
#include <cstddef>             // std::size_t
#include <string>              // header values
#include <thread>              // the callers
#include <type_traits>         // std::is_same_v
#include <vector>              // the callers' results

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

static_assert(std::is_same_v<pa::thread_safe::condition_variable, std::condition_variable>,
              "without std::atomic::wait, thread_safe waits on std::condition_variable");
static_assert(pa::LockPolicy<pa::thread_safe>);

TEST_CASE("fallback: many callers on a cold cache cause exactly one token request") {
  constexpr std::size_t callers = 8;
  pt::fake_transport transport;
  pt::manual_clock clock{pa::time_point(1000s)};
  pa::m2m_client<pt::fake_transport, pt::manual_clock, pa::thread_safe, pt::fixed_random> client(
      transport, pa::profile::m2m_config("my-client", pa::secret("s3cr3t")), clock, {},
      pt::fixed_random(0));
  transport.hold();
  transport.respond(200, R"({"access_token":"tok-1","token_type":"Bearer","expires_in":3600})");

  std::vector<std::string> got(callers);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < callers; ++i)
    threads.emplace_back([&, i] {
      const pa::result<std::string> h = client.authorization_header();
      got[i] = h ? *h : "error";
    });
  // The leader is blocked in the transport; every other caller must come to wait for it.
  CHECK(transport.wait_until_held(1));
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (client.stats().waits != callers - 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  CHECK(client.stats().waits == callers - 1);
  transport.release();
  for (std::thread& t : threads) t.join();

  for (const std::string& h : got) CHECK(h == "Bearer tok-1");
  CHECK(transport.calls() == 1);
  CHECK(client.stats().token_requests == 1);
}
