// SPDX-License-Identifier: MIT
// compile-fail control: compiled WITH PROFILE_AUTH_COMPILE_FAIL and must still build, proving that
// the harness can pass and that the other cases fail because of their misuse, not the setup.
#include <profile/auth.hpp>

#include <cstddef>  // std::byte
#include <span>     // RandomSource::fill
#include <string>   // the explicit way to a secret's bytes

namespace pa = profile::auth;

namespace {
struct good_transport {
  pa::result<pa::http_response> send(const pa::http_request&) { return pa::http_response{}; }
};
struct good_random {
  bool fill(std::span<std::byte> out) {
    for (auto& b : out) b = std::byte{1};
    return true;
  }
};
template <pa::Transport T>
bool use(T& t) {
  return t.send(pa::http_request{}).has_value();
}
}  // namespace

int main() {
#ifndef PROFILE_AUTH_COMPILE_FAIL
#error "the control must be built exactly like the misuse cases"
#endif
  const pa::secret s("client-secret");
  const std::string revealed(s.reveal());  // explicit: allowed
  good_transport t;
  good_random r;
  std::byte b[4]{};
  return (use(t) && r.fill(b) && revealed.size() == s.size()) ? 0 : 1;
}
