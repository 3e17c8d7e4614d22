// SPDX-License-Identifier: MIT
// Compile-cost contestant: include <profile/auth.hpp> and use an m2m_client the way a service
// does (instantiates the cache, the driver and the thread-safe lock policy).
#include <profile/auth.hpp>

#include <string>  // the header value

namespace pa = profile::auth;

namespace {
/// Answers every request with a fixed one-hour token.
struct canned_transport {
  pa::result<pa::http_response> send(const pa::http_request&) {
    pa::http_response r;
    r.status = 200;
    r.headers.add("Content-Type", "application/json");
    r.body =
        R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","expires_in":3600})";
    return r;
  }
};
}  // namespace

int main() {
  pa::m2m_client client{canned_transport{},
                        pa::profile::m2m_config("inventory-sync", pa::secret("s3cr3t"))};
  const pa::result<std::string> header = client.authorization_header();
  return header ? 0 : 1;
}
