// SPDX-License-Identifier: MIT
// Code-size harness: a minimal nlohmann/json-based M2M equivalent (build the JSON body, send,
// parse the answer, cache the token with its expiry, produce the header value).
#include "board.hpp"

#include <nlohmann/json.hpp>

#include <stdint.h>  // uint32_t
#include <string.h>  // memcpy
#include <string>    // the cached token

namespace {
struct cached {
  std::string header;
  uint32_t expires_at_ms = 0;
  bool valid = false;
};
cached cache;

bool fetch() {
  nlohmann::json req;
  req["grant_type"] = "client_credentials";
  req["client_id"] = "inventory-sync";
  req["client_secret"] = "s3cr3t-from-flash";
  const std::string body = req.dump();
  static char answer[2048];
  size_t n = 0;
  const int status = board_http_post("https://api.profilebehavior.com/v3/auth", "application/json",
                                     body.data(), body.size(), answer, sizeof answer, &n);
  const uint32_t received = board_millis();
  if (status != 200) return false;
  const nlohmann::json j = nlohmann::json::parse(answer, answer + n, nullptr, false);
  if (!j.is_object()) return false;
  const auto tok = j.find("access_token");
  const auto exp = j.find("expires_in");
  if (tok == j.end() || !tok->is_string() || exp == j.end() || !exp->is_number_integer())
    return false;
  cache.header = "Bearer " + tok->get<std::string>();
  cache.expires_at_ms = received + static_cast<uint32_t>(exp->get<int64_t>() - 30) * 1000u;
  cache.valid = true;
  return true;
}
}  // namespace

extern "C" int app_authorization_header(char* out, size_t cap) {
  if (!cache.valid || static_cast<int32_t>(board_millis() - cache.expires_at_ms) >= 0) {
    if (!fetch()) return -1;
  }
  if (cache.header.size() + 1 > cap) return -1;
  memcpy(out, cache.header.data(), cache.header.size());
  out[cache.header.size()] = '\0';
  return static_cast<int>(cache.header.size());
}
