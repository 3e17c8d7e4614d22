// SPDX-License-Identifier: MIT
// profile-auth example: a native app's login per RFC 8252 (loopback redirect), offline by default.
//
// The app listens on 127.0.0.1 on an ephemeral port (cpp-httplib), prints the URL to open,
// receives the browser's redirect there, exchanges the code with its PKCE verifier, calls
// GET /v3/my-account, prints the role and persists the session in a file_store. Started again,
// it reuses the stored session without a login.
//
// Offline (no environment variables): the example plays the browser itself against the
// in-process fake Profile API — it "visits" the authorization URL on the fake (bob logs in and
// consents) and follows the 303 to its own loopback listener with a real HTTP GET — and then
// runs a second time in the same process to show the reuse. It finishes unattended. With
// PROFILE_API_BASE and PROFILE_CLIENT_ID set (optionally PROFILE_SCOPE, PROFILE_SESSION_FILE)
// it prints the real URL and waits up to 5 minutes for your browser; run it again to see the
// stored session reused, or pass --logout to end it. No token or code is ever printed.
#include <profile/auth/grants/authorization_code.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/stores/file_store.hpp>
#include <profile/auth/testing.hpp>
#include <profile/auth/transports/curl.hpp>
#include <profile/auth/user_session.hpp>

#include <httplib.h>
#include <unistd.h>  // getpid: a per-run session file offline

#include <chrono>              // the callback timeout
#include <condition_variable>  // the main thread waits for the callback
#include <cstdio>              // std::printf: the console UI
#include <cstdlib>             // std::getenv, exit codes
#include <functional>          // std::function: the "browser"
#include <mutex>               // guards the received callback
#include <optional>            // the received callback
#include <string>              // URLs, paths
#include <string_view>         // arguments
#include <thread>              // the listener's thread

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

void print_error(const char* what, const pa::error& e) {
  const std::string_view code = pa::to_string(e.code);
  std::printf("%s failed: %.*s\n  %s\n", what, static_cast<int>(code.size()), code.data(),
              e.message.c_str());
}

/// The loopback redirect listener (RFC 8252 §7.3): 127.0.0.1, an ephemeral port, one callback.
class loopback_listener {
 public:
  loopback_listener() {
    server_.Get("/callback", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!target_) target_ = req.target;
      }
      ready_.notify_all();
      res.set_content("<html><body>Signed in. You can close this tab.</body></html>", "text/html");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost (and the join would hang): wait for it.
    for (int i = 0; i < 2000 && !server_.is_running(); ++i) std::this_thread::sleep_for(1ms);
  }
  ~loopback_listener() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  loopback_listener(const loopback_listener&) = delete;
  loopback_listener& operator=(const loopback_listener&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string redirect_uri() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/callback";
  }
  /// The callback's request target ("/callback?code=…&state=…"), or nullopt after `timeout`.
  [[nodiscard]] std::optional<std::string> wait(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait_for(lock, timeout, [this] { return target_.has_value(); });
    return target_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::optional<std::string> target_;
};

/// One run of the app. `browser(url, port)` sends the user to `url` (offline: plays the browser).
template <class T, class C>
int run(T& transport, pa::user_auth_config cfg, C clock, const std::string& session_file,
        std::string_view base, std::optional<std::string> issuer,
        const std::function<void(const std::string&)>& browser, bool logout) {
  pa::file_store store(session_file);
  loopback_listener listener;
  if (listener.port() <= 0) {
    std::printf("could not listen on 127.0.0.1\n");
    return 1;
  }
  cfg.redirect_uri = listener.redirect_uri();
  pa::user_session session{&transport, cfg, &store, clock};

  if (logout) {
    auto r = session.logout();
    std::printf("Logged out%s; %s removed.\n", r ? "" : " (revocation failed)",
                session_file.c_str());
    return 0;
  }

  // A stored session is reused as is: no browser, no login.
  if (auto h = session.authorization_header(); h) {
    std::printf("Reusing the session stored in %s: no login needed.\n", session_file.c_str());
  } else if (h.error().code == pa::errc::not_authenticated ||
             h.error().code == pa::errc::reauthentication_required) {
    pa::os_random rng;
    auto pkce = pa::pkce_pair::generate(rng);
    auto state = pa::random_state(rng);
    if (!pkce || !state) {
      print_error("randomness", pkce ? state.error() : pkce.error());
      return 1;
    }
    auto url = pa::authorization_url(cfg, *pkce, *state);
    if (!url) {
      print_error("authorization URL", url.error());
      return 1;
    }
    std::printf(
        "No stored session: sign in.\nListening on %s\nOpen this URL in your browser:\n"
        "  %s\n",
        cfg.redirect_uri.c_str(), url->c_str());
    if (browser) browser(*url);
    const std::optional<std::string> target = listener.wait(5min);
    if (!target) {
      std::printf("No callback within 5 minutes.\n");
      return 1;
    }
    // With an expected issuer, RFC 9207 `iss` is required; without one it is checked if sent.
    const std::string expected_issuer = issuer.value_or(std::string());
    auto cb = !expected_issuer.empty()
                  ? pa::parse_authorization_callback(*target, *state, expected_issuer)
                  : pa::parse_authorization_callback(*target, *state, std::nullopt,
                                                     pa::issuer_policy::if_present);
    if (!cb) {
      print_error("authorization", cb.error());
      return 1;
    }
    std::printf("Callback received on the loopback listener; exchanging the code (PKCE).\n");
    if (auto r = session.complete_login(*cb, *pkce); !r) {
      print_error("code exchange", r.error());
      return 1;
    }
    std::printf("Session saved in %s.\n", session_file.c_str());
  } else {
    print_error("restoring the session", h.error());
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
  std::printf("Offline: RFC 8252 loopback login against the in-process fake Profile API.\n\n");
  pa::testing::manual_clock clock;
  pa::testing::fake_profile_oauth fake{clock};
  const auto cfg = pa::profile::user_auth_config("test-app", "http://127.0.0.1/callback");
  const std::string file =
      "/tmp/profile_auth_oauth_loopback_" + std::to_string(::getpid()) + ".session";
  // The "browser": visits the authorization URL on the fake as bob (who consents), then
  // follows the 303 to the app's loopback listener with a real HTTP GET.
  const auto browser = [&fake](const std::string& url) {
    fake.set_next_user("bob");
    pa::http_request get;
    get.method = "GET";
    get.url = url;
    auto page = fake.send(get);
    if (!page || page->status != 303) {
      std::printf("  (browser) the authorization server did not redirect\n");
      return;
    }
    const std::string location(page->headers.find("Location").value_or(""));
    auto to = pa::parse_url(location);
    if (!to || !to->port) return;
    std::printf("  (browser) bob signs in and consents; redirected to 127.0.0.1:%u\n",
                static_cast<unsigned>(*to->port));
    httplib::Client client("127.0.0.1", *to->port);
    const auto answer = client.Get(to->path + "?" + to->query);
    if (!answer || answer->status != 200) std::printf("  (browser) the loopback GET failed\n");
  };

  std::printf("--- first run ---\n");
  int rc =
      run(fake, cfg, clock, file, pa::profile::legacy_v3::base_url, fake.issuer(), browser, false);
  const std::size_t logins = fake.tokens_issued();
  if (rc == 0) {
    std::printf("\n--- second run (same session file) ---\n");
    clock.advance(10min);
    rc = run(fake, cfg, clock, file, pa::profile::legacy_v3::base_url, fake.issuer(), browser,
             false);
    if (rc == 0 && fake.tokens_issued() != logins) {
      std::printf("unexpected: the second run logged in again\n");
      rc = 1;
    }
  }
  std::printf("\n--- log out ---\n");
  if (run(fake, cfg, clock, file, pa::profile::legacy_v3::base_url, fake.issuer(), browser, true) !=
      0)
    rc = 1;
  std::remove((file + ".lock").c_str());
  return rc;
}

int online(const char* base, const char* client_id, bool logout) {
  std::printf("RFC 8252 loopback login against %s\n\n", base);
  pa::transports::curl_transport transport;
  auto cfg = pa::profile::user_auth_config(client_id, "http://127.0.0.1/callback", base);
  if (const char* scope = std::getenv("PROFILE_SCOPE")) cfg.scope = scope;
  std::string file;
  if (const char* f = std::getenv("PROFILE_SESSION_FILE"))
    file = f;
  else if (const char* home = std::getenv("HOME"))
    file = std::string(home) + "/.profile_auth_session";
  else
    file = ".profile_auth_session";
  return run(transport, cfg, std::chrono::steady_clock{}, file, base, std::nullopt, {}, logout);
}

}  // namespace

int main(int argc, char** argv) {
  const bool logout = argc > 1 && std::string_view(argv[1]) == "--logout";
  const char* base = std::getenv("PROFILE_API_BASE");
  const char* client_id = std::getenv("PROFILE_CLIENT_ID");
  const int rc =
      (base != nullptr && client_id != nullptr) ? online(base, client_id, logout) : offline();
  return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
