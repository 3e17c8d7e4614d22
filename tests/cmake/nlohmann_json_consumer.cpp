// SPDX-License-Identifier: MIT
// profile-auth consumption tests: the optional profile::auth_nlohmann_json component compiles.
#include <profile/auth/adapters/nlohmann_json.hpp>

#include <nlohmann/json.hpp>

namespace pa = profile::auth;

int main() {
  // An error value to JSON and back through the adapter: the component carries nlohmann_json.
  const pa::error e = pa::fail(pa::errc::invalid_client, "wrong secret").error();
  const nlohmann::json j = e;
  const pa::result<pa::error> back = pa::from_nlohmann<pa::error>(j);
  return back && back->code == pa::errc::invalid_client ? 0 : 1;
}
