// SPDX-License-Identifier: MIT
// compile-fail: a transport whose send returns a bare http_response is not a Transport.
#include <profile/auth/concepts.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>

namespace pa = profile::auth;

namespace {
// Reports failures how? It cannot: that is why Transport demands result<http_response>.
struct throwing_style_transport {
  pa::http_response send(const pa::http_request&) { return {}; }
};
struct good_transport {
  pa::result<pa::http_response> send(const pa::http_request&) { return pa::http_response{}; }
};

template <pa::Transport T>
int use(T& t) {
  return t.send(pa::http_request{}).has_value() ? 0 : 1;
}
}  // namespace

int main() {
#ifdef PROFILE_AUTH_COMPILE_FAIL
  throwing_style_transport t;
#else
  good_transport t;
#endif
  return use(t);
}
