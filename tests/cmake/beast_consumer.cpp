// SPDX-License-Identifier: MIT
// profile-auth consumption tests: the optional profile::auth_beast component compiles and links.
#include <profile/auth/concepts.hpp>
#include <profile/auth/transports/beast.hpp>

namespace pa = profile::auth;

static_assert(pa::Transport<pa::transports::beast_transport>);

int main() {
  // Constructing the transport links against its HTTP library (and OpenSSL); nothing is sent.
  pa::transports::beast_transport transport;
  static_cast<void>(transport);
  return 0;
}
