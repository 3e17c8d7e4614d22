// SPDX-License-Identifier: MIT
// profile-auth consumption tests: the optional profile::auth_curl component compiles and links.
#include <profile/auth/concepts.hpp>
#include <profile/auth/transports/curl.hpp>

namespace pa = profile::auth;

static_assert(pa::Transport<pa::transports::curl_transport>);

int main() {
  // Constructing the transport links against libcurl; nothing is sent.
  pa::transports::curl_transport transport;
  static_cast<void>(transport);
  return 0;
}
