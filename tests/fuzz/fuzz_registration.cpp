// SPDX-License-Identifier: MIT
// libFuzzer harness: parse_registration_response on arbitrary answers, and the metadata round
// trip (what was parsed, sent again, parses back to the same metadata).
//
// Input layout: byte 0 picks the status, byte 1 option flags; the rest is the body.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_registration.cpp -o fuzz_registration
//   ./fuzz_registration tests/fuzz/corpus/registration
#include <profile/auth/detail/json.hpp>
#include <profile/auth/grants/registration.hpp>
#include <profile/auth/header.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <string>       // body, decoded secrets
#include <string_view>  // slices of the input

namespace pa = profile::auth;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

bool printable(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

/// The decoded string member `name` of a JSON object body, or "" when there is none.
std::string string_member(std::string_view body, std::string_view name) {
  std::string out;
  auto doc = pa::detail::json::parse(body);
  if (!doc) return out;
  if (const auto v = doc->root().find(name)) (void)v->copy_string_to(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr int statuses[] = {201, 200, 202, 204, 400, 401, 403, 500, 503, 302};
  const int status = statuses[data[0] % std::size(statuses)];
  const std::uint8_t flags = data[1];
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);

  pa::http_response r;
  r.status = status;
  if (flags & 0x01) r.headers.add("Content-Type", "application/json");
  r.body.assign(body);
  pa::registration_options o;
  o.allow_insecure_http = (flags & 0x02) != 0;
  if (flags & 0x04) o.limits.max_size = 256;
  if (flags & 0x08) o.limits.max_depth = 2;

  auto c = pa::parse_registration_response(r, o);
  if (!c) {
    const pa::error& e = c.error();
    require(!e.message.empty() && printable(e.message));
    require(e.http_status == status);
    // The issued credentials of a success answer never reach a message, whatever else went
    // wrong. (Error answers quote their sanitised error_description, which may hold anything.
    // A credential is recognised by a '!', which the library's own text never contains, so
    // the fuzzer cannot "find" one by reproducing a fixed phrase.)
    if (status == 200 || status == 201)
      for (const std::string_view name : {"client_secret", "registration_access_token"}) {
        const std::string s = string_member(body, name);
        if (s.find('!') != std::string::npos && string_member(body, "error").empty())
          require(e.message.find(s) == std::string::npos);
      }
    (void)pa::classify(e);
    return 0;
  }
  require(status == 200 || status == 201);
  require(!c->client_id.empty());
  require(pa::detail::find_control_byte(c->client_id) == std::string_view::npos);
  if (c->client_secret) require(!c->client_secret->empty());
  if (c->registration_access_token)
    require(pa::is_b64token(c->registration_access_token->reveal()));
  if (c->client_secret_expires_at) require(*c->client_secret_expires_at >= 0);
  for (const auto& [name, raw] : c->metadata.extra) {
    require(!pa::detail::is_known_member(name, pa::detail::metadata_members));
    require(!pa::detail::is_known_member(name, pa::detail::registration_members));
    require(pa::detail::json::parse(std::string_view(raw)).has_value());
  }
  (void)pa::client_credentials_config_for(*c, "https://auth.example.com/token");
  (void)pa::user_auth_config_for(*c, pa::user_auth_config{});

  // Round trip: metadata the library accepts to send comes back unchanged.
  auto req = pa::registration_request("https://auth.example.com/reg", c->metadata, nullptr, o);
  if (!req) return 0;
  require(req->body.size() >= 2 && req->body.front() == '{' && req->body.back() == '}');
  pa::http_response again;
  again.status = 201;
  again.body =
      R"({"client_id":"x")" + std::string(req->body.size() > 2 ? "," : "") + req->body.substr(1);
  pa::registration_options big = o;
  big.limits = {};
  auto back = pa::parse_registration_response(again, big);
  require(back.has_value());
  require(back->metadata == c->metadata);
  return 0;
}
