// SPDX-License-Identifier: MIT
// profile-auth tests: nothing the library frees still holds a secret. Every operator new and
// delete of this program (all forms: sized, aligned, array, nothrow) goes through a replacement
// that poisons each block when it is handed out and, at delete, scans it for marker bytes that
// only the test's secrets contain, before poisoning it again. A test arms the scan on its own
// thread, runs one library path and checks that no block freed meanwhile held a marker.
//
// Its own program: replacing the global operator new would change every other test in the
// shared unit_tests binary. ThreadSanitizer's runtime defines operator new itself and cannot be
// replaced; the build files skip this program there (docs/testing.md).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <profile/auth/device_flow.hpp>
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/testing/manual_clock.hpp>
#include <profile/auth/token_response.hpp>

#include <doctest/doctest.h>

#include <array>        // the header buffer of write_authorization_header
#include <chrono>       // clock values
#include <cstddef>      // std::size_t
#include <deque>        // the scripted answers
#include <string>       // bodies
#include <string_view>  // the marker
#include <utility>      // std::move

#include "scan_allocator.hpp"

namespace pa = profile::auth;
namespace pt = profile::auth::testing;
using namespace std::chrono_literals;

namespace {

/// A string built in one allocation (the test's own copies must not leave freed copies behind
/// either), wiped when it dies.
class text {
 public:
  explicit text(std::size_t capacity) { s_.reserve(capacity); }
  text(const text&) = delete;
  text& operator=(const text&) = delete;
  ~text() { pa::detail::secure_wipe(s_); }
  text& operator<<(std::string_view v) {
    if (s_.size() + v.size() > s_.capacity()) FAIL("text: the capacity is too small");
    s_.append(v);
    return *this;
  }
  /// A token of about `n` bytes as JSON text: `tag`, the marker, then "ab\/cd" (decoded "ab/cd")
  /// repeated, as PHP's json_encode writes slashes.
  text& escaped_token(std::string_view tag, std::size_t n) {
    *this << tag << scan::marker;
    while (n > 6) {
      *this << "ab\\/cd";
      n -= 6;
    }
    return *this;
  }
  [[nodiscard]] const std::string& str() const noexcept { return s_; }
  /// Moves the bytes out (into a response the library wipes), leaving this empty.
  [[nodiscard]] std::string take() noexcept { return std::move(s_); }

 private:
  std::string s_;
};

/// A token answer whose three tokens grow (1, 2 and 4 KB) and carry `\/` escapes: decoded into
/// one reused buffer, each makes it grow. `nested` adds a member that is an object, which
/// sends the answer down the general (tape) reader instead of the one-pass flat reader.
void token_answer(text& t, bool nested) {
  t << R"({"access_token":")";
  t.escaped_token("at-", 1000);
  t << R"(","token_type":"Bearer","expires_in":3600,"refresh_token":")";
  t.escaped_token("rt-", 2000);
  t << R"(","id_token":")";
  t.escaped_token("it-", 4000);
  t << R"(")";
  if (nested) t << R"(,"extra":{"a":1})";
  t << "}";
}

pa::http_response json_response(std::string body) {
  pa::http_response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

/// A Transport that answers from a script and copies nothing it is sent (a copy would be the
/// test's own leak). What remains of the script is wiped with it.
struct script_transport {
  std::deque<std::string> answers;
  std::size_t calls = 0;
  bool saw_secret_in_request = false;

  script_transport() = default;
  script_transport(const script_transport&) = delete;
  script_transport& operator=(const script_transport&) = delete;
  ~script_transport() {
    for (std::string& a : answers) pa::detail::secure_wipe(a);
  }
  pa::result<pa::http_response> send(const pa::http_request& r) {
    ++calls;
    if (r.body.find(scan::marker) != std::string::npos) saw_secret_in_request = true;
    for (const auto& field : r.headers)
      if (field.second.find("Basic ") == 0 || field.second.find(scan::marker) != std::string::npos)
        saw_secret_in_request = true;
    if (answers.empty()) return pa::fail(pa::errc::transport_failed, "script_transport: empty");
    pa::http_response resp = json_response(std::move(answers.front()));
    answers.pop_front();
    return resp;
  }
};

}  // namespace

TEST_CASE("wipe scan: the scanner sees a secret freed unwiped, and not one wiped") {
  std::size_t unwiped = 0, wiped = 0, regrown = 0;
  {
    scan::window w;
    {
      text t(64);
      t << "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" << scan::marker;
      std::string leaked = t.str();  // a plain copy, freed as it is
    }
    unwiped = w.close();
  }
  {
    scan::window w;
    {
      text t(64);
      t << "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" << scan::marker;
    }
    wiped = w.close();
  }
  {
    scan::window w;
    {
      std::string s(40, 'x');
      s.append(scan::marker);
      s.append(200, 'y');  // reallocates: the old block still holds the marker
      pa::detail::secure_wipe(s);
    }
    regrown = w.close();
  }
  CHECK(unwiped == 1);
  CHECK(wiped == 0);
  CHECK(regrown == 1);
}

TEST_CASE("wipe scan: parsing a token answer with \\/ escapes frees nothing that held a token") {
  for (const bool nested : {false, true}) {
    CAPTURE(nested);
    std::size_t n = 0;
    bool parsed = false;
    {
      scan::window w;
      {
        text body(16 << 10);
        token_answer(body, nested);
        pa::http_response resp = json_response(body.take());
        {
          pa::result<pa::token> t = pa::parse_token_response(resp, pa::time_point(1000s));
          parsed = t.has_value() && t->refresh_token.size() > 1000 && t->id_token.size() > 3000 &&
                   t->access_token.reveal().find("ab/cd") != std::string_view::npos;
        }
        pa::detail::secure_wipe(resp.body);
      }
      n = w.close();
    }
    CHECK(parsed);
    CHECK_MESSAGE(n == 0, "freed blocks holding a token: ", n, " (last one of ",
                  scan::last_hit_size.load(), " bytes)");
  }
}

TEST_CASE("wipe scan: device_flow start and poll with client_secret_post leave no secret behind") {
  std::size_t n = 0;
  bool ok = false, secret_sent = false;
  {
    scan::window w;
    {
      script_transport transport;
      {
        text device(1 << 10);
        device << R"({"device_code":"dc-)" << scan::marker
               << R"(-device-code-of-some-length-0123456789","user_code":"WDJB-MJHT",)"
               << R"("verification_uri":"https://auth.example/device","expires_in":600,)"
               << R"("interval":5})";
        transport.answers.push_back(device.take());
        text tokens(16 << 10);
        token_answer(tokens, false);
        transport.answers.push_back(tokens.take());
      }
      pa::user_auth_config c;
      c.token_endpoint = "https://auth.example/token";
      c.device_authorization_endpoint = "https://auth.example/device/code";
      c.client_id = "tv-app";
      {
        text s(64);
        s << "client-secret-" << scan::marker << "-0123456789abcdef";
        c.client_secret = pa::secret(std::string_view(s.str()));
      }
      c.auth = pa::client_auth::client_secret_post;
      pt::manual_clock clock{pa::time_point(1000s)};
      pa::device_flow flow{&transport, std::move(c), clock};
      const bool started = flow.start().has_value();
      flow.clock().advance(5s);
      const pa::device_flow_step s = flow.poll();
      ok = started && s.authorized() && transport.calls == 2;
      secret_sent = transport.saw_secret_in_request;
    }
    n = w.close();
  }
  CHECK(ok);
  CHECK(secret_sent);  // the secret went out in the body: there was something to wipe
  CHECK_MESSAGE(n == 0, "freed blocks holding a secret: ", n, " (last one of ",
                scan::last_hit_size.load(), " bytes)");
}

TEST_CASE("wipe scan: m2m_client fetch, header copy and send leave no secret behind") {
  for (const bool basic : {false, true}) {
    CAPTURE(basic);
    std::size_t n = 0;
    bool ok = false, secret_sent = false;
    {
      scan::window w;
      {
        script_transport transport;
        {
          text tokens(16 << 10);
          token_answer(tokens, false);
          transport.answers.push_back(tokens.take());
          transport.answers.emplace_back(R"({"ok":true})");
        }
        pa::client_credentials_config c = [] {
          text s(64);
          s << "client-secret-" << scan::marker << "-0123456789abcdef";
          return pa::profile::m2m_config_v4("svc", pa::secret(std::string_view(s.str())));
        }();
        if (basic) c.auth = pa::client_auth::client_secret_basic;
        pt::manual_clock clock{pa::time_point(1000s)};
        pa::m2m_client client(&transport, std::move(c), clock);
        std::array<char, 2048> header{};
        const pa::result<std::size_t> written = client.write_authorization_header(header);
        pa::detail::secure_wipe(header.data(), header.size());
        pa::result<std::string> copy = client.authorization_header();
        const bool copied = copy.has_value() && copy->find(scan::marker) != std::string::npos;
        if (copy) pa::detail::secure_wipe(*copy);
        const pa::result<pa::http_response> api = client.send(pa::profile::test_request_v4());
        ok = written.has_value() && copied && api.has_value() && api->status == 200 &&
             transport.calls == 2;
        secret_sent = transport.saw_secret_in_request;
      }
      n = w.close();
    }
    CHECK(ok);
    CHECK(secret_sent);
    CHECK_MESSAGE(n == 0, "freed blocks holding a secret: ", n, " (last one of ",
                  scan::last_hit_size.load(), " bytes)");
  }
}
