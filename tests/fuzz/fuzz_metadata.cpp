// SPDX-License-Identifier: MIT
// libFuzzer harness: authorization server (RFC 8414) and protected resource (RFC 9728) metadata.
//
// Input layout: byte 0 holds flags (0x01: allow_insecure_http, 0x02: resource_match::
// same_origin_prefix, 0x04: answer with status 404 instead of 200); the rest is the body.
// Properties checked on every input:
//  1. Nothing crashes or reads out of bounds; every error has a message without control bytes.
//  2. Accepted server metadata names exactly the expected issuer and has a token endpoint (or
//     lists only the implicit grant); every endpoint it keeps passes check_endpoint() under the
//     same opt-in; the one-call configurations built from it never crash.
//  3. Accepted resource metadata names the expected resource (exactly, or on the same origin
//     when covering it is enough).
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_metadata.cpp -o fuzz_metadata
//   ./fuzz_metadata tests/fuzz/corpus/metadata
#include <profile/auth/discovery.hpp>
#include <profile/auth/from_metadata.hpp>
#include <profile/auth/resource_metadata.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <string>       // the body
#include <string_view>  // expected identifiers

namespace pa = profile::auth;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

void check_error(const pa::error& e) {
  require(!e.message.empty());
  for (const char ch : e.message) {
    const auto c = static_cast<unsigned char>(ch);
    require(c >= 0x20 && c != 0x7F);
  }
}

void check_endpoint(const std::string& url, bool insecure) {
  if (!url.empty()) require(pa::check_endpoint(url, insecure).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  pa::http_response resp;
  resp.status = (flags & 4) != 0 ? 404 : 200;
  resp.headers.add("Content-Type", "application/json");
  resp.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);

  pa::resource_discovery_options ro;
  ro.discovery.allow_insecure_http = (flags & 1) != 0;
  ro.match = (flags & 2) != 0 ? pa::resource_match::same_origin_prefix : pa::resource_match::exact;
  const pa::discovery_options& o = ro.discovery;

  constexpr std::string_view issuer = "https://auth.example.com";
  auto m = pa::parse_authorization_server_metadata(resp, issuer, o);
  if (!m) {
    check_error(m.error());
  } else {
    require(resp.status == 200);
    require(m->issuer == issuer);
    const bool implicit_only =
        m->grant_types_supported.size() == 1 && m->grant_types_supported[0] == "implicit";
    require(!m->token_endpoint.empty() || implicit_only);
    for (const auto* url :
         {&m->authorization_endpoint, &m->token_endpoint, &m->device_authorization_endpoint,
          &m->revocation_endpoint, &m->introspection_endpoint, &m->registration_endpoint,
          &m->jwks_uri, &m->userinfo_endpoint, &m->end_session_endpoint,
          &m->pushed_authorization_request_endpoint})
      check_endpoint(*url, o.allow_insecure_http);
    for (const auto& [name, raw] : m->extra) require(!raw.empty());
    auto cc = pa::client_credentials_config_from(*m, "id", pa::secret("s"));
    if (!cc) check_error(cc.error());
    auto ua = pa::user_auth_config_from(*m, "id", "http://127.0.0.1:1/cb");
    if (!ua) check_error(ua.error());
    if (ua) require(ua->token_endpoint == m->token_endpoint);
  }

  constexpr std::string_view resource = "https://api.example.com/v3/items";
  auto r = pa::parse_protected_resource_metadata(resp, resource, ro);
  if (!r) {
    check_error(r.error());
  } else {
    require(!r->resource.empty());
    if (ro.match == pa::resource_match::exact) require(r->resource == resource);
    const auto named = pa::parse_url(r->resource);  // covering it implies the same origin
    require(named.has_value() && named->host == "api.example.com");
    check_endpoint(r->jwks_uri, o.allow_insecure_http);
  }
  return 0;
}
