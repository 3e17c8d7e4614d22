// SPDX-License-Identifier: MIT
// Compile-cost peer: include <nlohmann/json.hpp> and parse a small token response.
#include <nlohmann/json.hpp>

#include <string>  // the extracted token

int main() {
  const auto j = nlohmann::json::parse(
      R"({"access_token":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","token_type":"Bearer","expires_in":3600})",
      nullptr, false);
  if (!j.is_object()) return 1;
  const std::string token = j.value("access_token", std::string());
  return token.empty() ? 1 : j.value("expires_in", 0) == 3600 ? 0 : 1;
}
