// SPDX-License-Identifier: MIT
// profile-auth example: your own Transport, here over a made-up platform HTTP API.
//
// A console SDK, a game engine or an RTOS usually comes with its own HTTP module. To use it,
// write a class with `result<http_response> send(const http_request&)`: copy the request in,
// copy the answer out, report the module's own failures as errc::transport_failed. HTTP
// statuses (401, 500 …) are answers, not failures. That is the whole contract (docs/transports.md).
#include <profile/auth/m2m_client.hpp>
#include <profile/auth/profile.hpp>
#include <profile/auth/testing/fake_profile_api.hpp>

#include <cstddef>  // std::size_t in the platform API
#include <cstdio>   // std::printf
#include <memory>   // std::unique_ptr closes the platform handle
#include <string>   // error messages
#include <utility>  // std::move in the stand-in platform

// ---- The platform's HTTP API, as its SDK header would declare it (made up for this example) ----
extern "C" {
struct plat_http;  // one request/response exchange
plat_http* plat_http_open(const char* method, const char* url);
void plat_http_add_header(plat_http* h, const char* name, const char* value);
int plat_http_perform(plat_http* h, const void* body, std::size_t body_len, int timeout_ms);
int plat_http_status(const plat_http* h);
std::size_t plat_http_header_count(const plat_http* h);
const char* plat_http_header(const plat_http* h, std::size_t i, const char** value);
const char* plat_http_body(const plat_http* h, std::size_t* len);
const char* plat_http_last_error(const plat_http* h);
void plat_http_close(plat_http* h);
}

// ---- The Transport: everything a user writes ----------------------------------------------------
namespace pa = profile::auth;

class platform_transport {
 public:
  explicit platform_transport(int timeout_ms = 10'000) : timeout_ms_(timeout_ms) {}

  pa::result<pa::http_response> send(const pa::http_request& req) {
    std::unique_ptr<plat_http, decltype(&plat_http_close)> h(
        plat_http_open(req.method.c_str(), req.url.c_str()), &plat_http_close);
    if (!h) return pa::fail(pa::errc::transport_failed, "platform HTTP: cannot open a request");
    for (const auto& [name, value] : req.headers)
      plat_http_add_header(h.get(), name.c_str(), value.c_str());
    if (plat_http_perform(h.get(), req.body.data(), req.body.size(), timeout_ms_) != 0)
      return pa::fail(pa::errc::transport_failed,
                      std::string("platform HTTP: ") + plat_http_last_error(h.get()));
    pa::http_response resp;
    resp.status = plat_http_status(h.get());
    for (std::size_t i = 0; i < plat_http_header_count(h.get()); ++i) {
      const char* value = nullptr;
      const char* name = plat_http_header(h.get(), i, &value);
      resp.headers.add(name, value);
    }
    std::size_t len = 0;
    const char* body = plat_http_body(h.get(), &len);
    resp.body.assign(body, len);
    return resp;
  }

 private:
  int timeout_ms_;
};
static_assert(pa::Transport<platform_transport>);

// ---- Using it ----------------------------------------------------------------------------------
int main() {
  pa::m2m_client client{platform_transport{},
                        pa::profile::m2m_config("test-client", pa::secret{"test-secret"})};
  auto answer = client.send(pa::profile::test_request());
  if (!answer) {
    std::printf("failed: %s\n", answer.error().message.c_str());
    return 1;
  }
  std::printf("POST /api/v4/test over the platform transport: HTTP %d %s\n", answer->status,
              answer->body.c_str());
  return answer->status == 200 ? 0 : 1;
}

// ---- A stand-in for the platform so that this example links and runs offline: its "network" is
// ---- the in-process fake Profile API. A real program links the platform's SDK instead.
struct plat_http {
  pa::http_request request;
  pa::http_response response;
  std::string error;
};
namespace {
pa::testing::fake_profile_api& network() {
  static pa::testing::fake_profile_api api;  // accepts test-client / test-secret
  return api;
}
}  // namespace
extern "C" {
plat_http* plat_http_open(const char* method, const char* url) {
  return new plat_http{{method, url, {}, {}}, {}, {}};
}
void plat_http_add_header(plat_http* h, const char* name, const char* value) {
  h->request.headers.add(name, value);
}
int plat_http_perform(plat_http* h, const void* body, std::size_t body_len, int /*timeout_ms*/) {
  h->request.body.assign(static_cast<const char*>(body), body_len);
  auto r = network().send(h->request);
  if (!r) {
    h->error = r.error().message;
    return -1;
  }
  h->response = std::move(*r);
  return 0;
}
int plat_http_status(const plat_http* h) { return h->response.status; }
std::size_t plat_http_header_count(const plat_http* h) { return h->response.headers.size(); }
const char* plat_http_header(const plat_http* h, std::size_t i, const char** value) {
  const auto& field = *(h->response.headers.begin() + static_cast<std::ptrdiff_t>(i));
  *value = field.second.c_str();
  return field.first.c_str();
}
const char* plat_http_body(const plat_http* h, std::size_t* len) {
  *len = h->response.body.size();
  return h->response.body.data();
}
const char* plat_http_last_error(const plat_http* h) { return h->error.c_str(); }
void plat_http_close(plat_http* h) { delete h; }
}
