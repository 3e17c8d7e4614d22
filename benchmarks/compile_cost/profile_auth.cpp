// SPDX-License-Identifier: MIT
// Compile-cost contestant: include <profile/auth.hpp> and make one M2M call, sans I/O: build a
// config and a token request, parse a token response, produce the Authorization value.
#include <profile/auth.hpp>

#include <chrono>  // the arrival time of the response
#include <string>  // the header value

namespace pa = profile::auth;

int main() {
  const pa::client_credentials_config cfg =
      pa::profile::m2m_config("inventory-sync", pa::secret("s3cr3t"));
  const pa::result<pa::http_request> req = pa::client_credentials_request(cfg);
  if (!req) return 1;
  pa::http_response resp;
  resp.status = 200;
  resp.headers.add("Content-Type", "application/json");
  resp.body =
      R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","expires_in":3600})";
  const pa::result<pa::token> tok =
      pa::parse_token_response(resp, pa::to_time_point(std::chrono::steady_clock::now()));
  if (!tok) return 1;
  const pa::result<std::string> header = pa::bearer_header_value(*tok);
  return header && req->body.size() > 0 ? 0 : 1;
}
