// SPDX-License-Identifier: MIT
// libFuzzer harness, differential: the one-pass flat reader against the general (tape) reader.
//
// Input layout: byte 0 picks the limits (two bits each for max_string, max_values, max_depth
// and max_size, so that every limit is hit on small inputs), byte 1 the member at which the
// callback answers false (0xFF: never); the rest is the JSON text.
//
// Properties checked on every input:
//  1. json::read_flat_object() says `done` exactly when json::parse() accepts the text with the
//     same limits, the root is an object of at most tape::pairwise_key_check members whose
//     names are plain ASCII without escapes and whose values are scalars, and the callback never
//     answered false. Then the members it reported are the parser's, in order: same name, same
//     raw text (the very bytes of the input), same kind, same escape flag and decoded length,
//     and flat_member::decode() gives the parser's decoded string.
//  2. parse_json_token() (the fast path with its fallback) and parse_json_token_general() (the
//     tape only) agree on the same body: the same token, or the same error (code, message,
//     HTTP status, OAuth fields).
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_json_flat.cpp -o fuzz_json_flat
//   ./fuzz_json_flat tests/fuzz/corpus/json_flat
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_flat.hpp>
#include <profile/auth/token_response.hpp>

#include <chrono>       // received_at
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <string>       // decoded strings, the response body
#include <string_view>  // the input
#include <vector>       // the members the flat reader reported

namespace pa = profile::auth;
namespace json = profile::auth::detail::json;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

json::limits pick_limits(std::uint8_t b) {
  static constexpr std::size_t strings[] = {64 * 1024, 0, 5, 40};
  static constexpr std::size_t values[] = {1 << 16, 1, 3, 17};
  static constexpr std::size_t depths[] = {32, 0, 1, 2};
  static constexpr std::size_t sizes[] = {1 << 20, 8, 64, 300};
  json::limits lim;
  lim.max_string = strings[b & 3];
  lim.max_values = values[(b >> 2) & 3];
  lim.max_depth = depths[(b >> 4) & 3];
  lim.max_size = sizes[(b >> 6) & 3];
  return lim;
}

/// A name the flat reader takes: no escapes, every byte plain ASCII.
bool plain_name(const json::value& k) {
  if (k.has_escapes()) return false;
  const std::string_view raw = k.raw();
  for (std::size_t i = 1; i + 1 < raw.size(); ++i)
    if (static_cast<unsigned char>(raw[i]) >= 0x80) return false;
  return true;
}

void check_flat(std::string_view text, const json::limits& lim, std::size_t stop_at) {
  std::vector<json::flat_member> got;
  std::size_t calls = 0;
  const json::flat_result r = json::read_flat_object(text, lim, [&](const json::flat_member& m) {
    if (calls++ == stop_at) return false;
    got.push_back(m);
    return true;
  });
  const auto doc = json::parse(text, lim);
  bool flat_shape = doc.has_value() && doc->root().is_object() &&
                    doc->root().size() <= json::tape::pairwise_key_check;
  if (flat_shape) {
    for (const json::member m : doc->root().members())
      if (!plain_name(m.key) || m.value.is_array() || m.value.is_object()) flat_shape = false;
  }
  const bool stopped = flat_shape && stop_at < doc->root().size();
  require((r == json::flat_result::done) == (flat_shape && !stopped));
  if (r != json::flat_result::done) return;

  require(got.size() == doc->root().size());
  std::size_t i = 0;
  std::string a, b;
  for (const json::member m : doc->root().members()) {
    const json::flat_member& f = got[i++];
    require(m.key.equals(f.name));
    require(f.raw.data() == m.value.raw().data() && f.raw.size() == m.value.raw().size());
    require(f.type == m.value.type());
    if (f.type == json::kind::string) {
      require(f.escaped == m.value.has_escapes());
      require(f.decoded == m.value.string_size());
      require(m.value.copy_string_to(a));
      require(f.decode(b) == a);
      f.assign_to(b);
      require(b == a);
    }
  }
}

bool same_error(const pa::error& x, const pa::error& y) {
  return x.code == y.code && x.message == y.message && x.http_status == y.http_status &&
         x.oauth_error == y.oauth_error && x.description == y.description && x.uri == y.uri &&
         x.retry_after == y.retry_after;
}

bool same_token(const pa::token& x, const pa::token& y) {
  return x.access_token == y.access_token && x.token_type == y.token_type &&
         x.refresh_token == y.refresh_token && x.id_token == y.id_token && x.scope == y.scope &&
         x.expires_in == y.expires_in && x.received_at == y.received_at &&
         x.expires_at == y.expires_at && x.extra == y.extra;
}

void check_token(std::string_view body, const json::limits& lim, bool strict) {
  pa::http_response resp;
  resp.status = 200;
  resp.headers.add("Content-Type", "application/json");
  resp.body.assign(body);
  pa::token_parse_options o;
  o.limits = lim;
  o.strict_expires_in = strict;
  const pa::time_point at{std::chrono::seconds(1000)};
  const pa::result<pa::token> fast = pa::detail::parse_json_token(resp, at, o);
  const pa::result<pa::token> general = pa::detail::parse_json_token_general(resp, at, o);
  require(fast.has_value() == general.has_value());
  if (fast)
    require(same_token(*fast, *general));
  else
    require(same_error(fast.error(), general.error()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const json::limits lim = pick_limits(data[0]);
  const std::size_t stop_at = data[1] == 0xFF ? static_cast<std::size_t>(-1) : data[1] % 20;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  check_flat(text, lim, stop_at);
  check_token(text, lim, (data[1] & 1) != 0);
  return 0;
}
