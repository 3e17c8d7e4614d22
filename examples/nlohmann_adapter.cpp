// SPDX-License-Identifier: MIT
// profile-auth example: tokens, errors and sessions as nlohmann::json (the opt-in adapter).
//
// A program that already speaks nlohmann/json can log what the library hands it, keep a token
// in its own state file, and send errors to a structured log, without writing a converter.
// Two rules show here: `j = token` (and printing it) never reveals a secret, and writing
// secrets is one explicit call, to_json_with_secrets(). Offline: the token answer is canned.
// Build: link profile::auth_nlohmann_json (CMake) or profile_auth_nlohmann_json (Meson).
#include <profile/auth/adapters/nlohmann_json.hpp>
#include <profile/auth/token_response.hpp>

#include <nlohmann/json.hpp>

#include <chrono>  // seconds left
#include <cstdio>  // std::printf
#include <string>  // the stored text

namespace pa = profile::auth;

int main() {
  // What a token endpoint answered (any Transport would have returned this).
  pa::http_response answer;
  answer.status = 200;
  answer.headers.add("Content-Type", "application/json");
  answer.body =
      R"({"access_token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJkZW1vIn0.","token_type":"Bearer",)"
      R"("expires_in":3600,"scope":"read","organization":{"id":"org-42","plan":"pro"}})";
  const auto now = pa::json_time_anchor::now();
  auto tok = pa::parse_token_response(answer, now.steady);
  if (!tok) return 1;

  // 1. Logging: the display form redacts every secret.
  const nlohmann::json shown = *tok;
  std::printf("log line      : %s\n", shown.dump().c_str());

  // 2. Members the library does not interpret, as JSON.
  const nlohmann::json extra = pa::unknown_members(*tok);
  std::printf("organization  : %s\n", extra.at("organization").at("id").get<std::string>().c_str());

  // 3. Keeping the token across restarts: explicit, and time-stamped on the wall clock.
  auto stored = pa::to_json_with_secrets(*tok, now);
  if (!stored) return 1;
  std::printf("stored stamp  : %s\n", stored->at("profile_auth").dump().c_str());
  std::string file_text = stored->dump();  // what the program would write to its state file

  // ... next run: read it back (from_nlohmann never throws; j.get<pa::token>() would).
  auto restored = pa::from_nlohmann<pa::token>(nlohmann::json::parse(file_text));
  pa::detail::secure_wipe(file_text);
  if (!restored) return 1;
  std::printf("restored      : same token: %s, %lld s left\n",
              restored->access_token == tok->access_token ? "yes" : "no",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                         restored->expires_at - now.steady)
                                         .count()));

  // 4. A display form cannot be mistaken for a stored token.
  auto refused = pa::from_nlohmann<pa::token>(shown);
  if (refused) return 1;
  std::printf("display form  : refused (%s)\n", refused.error().message.c_str());

  // 5. Errors as structured log records.
  std::printf("error record  : %s\n", nlohmann::json(refused.error()).dump().c_str());
  return 0;
}
