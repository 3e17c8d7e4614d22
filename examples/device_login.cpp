// SPDX-License-Identifier: MIT
// profile-auth example: a console device login (RFC 8628), offline by default.
//
// Without environment variables it runs against the in-process fake Profile API on a manual
// clock: it asks for a user code, prints it with the verification URI, polls politely (the
// interval the server asked for; slow_down raises it), "approves" the login on the fake after a
// couple of polls as a user on a phone would, then calls GET /v3/my-account and prints the role.
// It finishes in well under a second. With PROFILE_API_BASE and PROFILE_CLIENT_ID set (and
// optionally PROFILE_SCOPE) it does the same against a real server over libcurl, sleeping
// between polls, and you approve on your phone or browser. No token is ever printed.
#include <profile/auth/device_flow.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/testing.hpp>
#include <profile/auth/transports/curl.hpp>
#include <profile/auth/user_session.hpp>

#include <chrono>       // the polling interval, the manual clock
#include <cstdio>       // std::printf: the console UI
#include <cstdlib>      // std::getenv, exit codes
#include <functional>   // std::function: the offline "user on the phone"
#include <string>       // URLs
#include <string_view>  // errc names
#include <thread>       // std::this_thread::sleep_for between real polls

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

void print_error(const char* what, const pa::error& e) {
  const std::string_view code = pa::to_string(e.code);
  std::printf("%s failed: %.*s\n  %s\n", what, static_cast<int>(code.size()), code.data(),
              e.message.c_str());
}

/// The whole login, for any transport and clock. `wait(d)` waits `d` (sleeps, or moves the
/// manual clock); `user(n, code)` runs after the n-th pending poll (the offline approver).
template <class T, class C, class Wait>
int device_login(T& transport, const pa::user_auth_config& cfg, C clock, std::string_view base,
                 Wait wait, const std::function<void(int, const std::string&)>& user) {
  pa::device_flow flow{&transport, cfg, clock};
  auto started = flow.start();
  if (!started) {
    print_error("device authorization", started.error());
    return 1;
  }
  std::printf("To sign in, open   %s\n", started->verification_uri.c_str());
  std::printf("and enter the code %s\n", started->user_code.c_str());
  if (!started->verification_uri_complete.empty())
    std::printf("(or open %s)\n", started->verification_uri_complete.c_str());
  std::printf("The code expires in %lld s; polling every %lld s.\n\n",
              static_cast<long long>(started->expires_in.count()),
              static_cast<long long>(started->interval.count()));

  int polls = 0;
  pa::device_flow_step step;
  for (;;) {
    const auto now = pa::to_time_point(clock.now());
    if (flow.next_poll() > now) wait(std::chrono::nanoseconds(flow.next_poll() - now));
    step = flow.poll(pa::to_time_point(clock.now()));
    if (!step.pending()) break;
    if (step.sent) {
      ++polls;
      std::printf("  poll %d: still waiting (next in %lld s)\n", polls,
                  static_cast<long long>(flow.interval().count()));
      if (user) user(polls, started->user_code);
    }
  }
  if (step.state != pa::device_flow_state::authorized || !step.issued) {
    print_error("device login", step.failure.value_or(pa::error{}));
    return 1;
  }
  std::printf("\nSigned in after %d polls.\n", polls + 1);

  pa::memory_store store;
  pa::user_session session{&transport, cfg, &store, clock};
  if (auto r = session.sign_in(std::move(*step.issued)); !r) {
    print_error("sign-in", r.error());
    return 1;
  }
  auto resp = session.send(pa::profile::my_account_request(base));
  if (!resp) {
    print_error("GET /v3/my-account", resp.error());
    return 1;
  }
  auto account = pa::profile::parse_my_account(*resp);
  if (!account) {
    print_error("GET /v3/my-account", account.error());
    return 1;
  }
  std::printf("Hello %s <%s>: your role is '%s'.\n", account->name.c_str(), account->email.c_str(),
              account->role.empty() ? "(none)" : account->role.c_str());
  return 0;
}

int offline() {
  std::printf("Offline: device login against the in-process fake Profile API.\n\n");
  pa::testing::manual_clock clock;
  pa::testing::fake_profile_oauth fake{clock};
  const auto cfg = pa::profile::user_auth_config("test-app", "http://127.0.0.1:8765/callback");
  const auto wait = [&clock](std::chrono::nanoseconds d) { clock.advance(d); };
  const auto user = [&fake](int polls, const std::string& code) {
    if (polls != 2) return;
    std::printf("  (meanwhile, alice types %s on her phone and approves)\n", code.c_str());
    fake.approve_device(code, "alice");
  };
  return device_login(fake, cfg, clock, pa::profile::legacy_v3::base_url, wait, user);
}

int online(const char* base, const char* client_id) {
  std::printf("Device login against %s\n\n", base);
  pa::transports::curl_transport transport;
  auto cfg = pa::profile::user_auth_config(client_id, "http://127.0.0.1/callback", base);
  if (const char* scope = std::getenv("PROFILE_SCOPE")) cfg.scope = scope;
  const auto wait = [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
  return device_login(transport, cfg, std::chrono::steady_clock{}, base, wait, {});
}

}  // namespace

int main() {
  const char* base = std::getenv("PROFILE_API_BASE");
  const char* client_id = std::getenv("PROFILE_CLIENT_ID");
  const int rc = (base != nullptr && client_id != nullptr) ? online(base, client_id) : offline();
  return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
