// SPDX-License-Identifier: MIT
// libFuzzer harness: parse_token_response / oauth_error_from_response on arbitrary answers.
//
// Input layout: byte 0 picks the status, byte 1 the Content-Type, byte 2 option flags; when
// flag 0x01 is set the bytes up to the first '\n' are a Retry-After value; the rest is the body.
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_token_response.cpp -o fuzz_token_response
//   ./fuzz_token_response tests/fuzz/corpus/token_response
#include <profile/auth/detail/http_date.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/token_response.hpp>

#include <chrono>       // lifetimes, wall clock
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <string>       // body
#include <string_view>  // slices of the input

namespace pa = profile::auth;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

/// Printable text as sanitize_text promises: no C0 control byte and no DEL.
bool printable(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

void check_error(const pa::error& e, int status) {
  require(!e.message.empty());
  require(printable(e.message));
  require(printable(e.description) && e.description.size() <= 1024);
  require(printable(e.uri) && e.uri.size() <= 512);
  require(printable(e.request_id) && e.request_id.size() <= 128);
  require(e.http_status == status);
  if (e.retry_after) require(e.retry_after->count() >= 0);
  (void)pa::classify(e);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static constexpr int statuses[] = {200, 201, 204, 400, 401, 403, 404, 408, 429,
                                     500, 502, 503, 302, 100, 0,   -1,  999};
  static constexpr std::string_view types[] = {"application/json",
                                               "application/json; charset=utf-8",
                                               "application/x-www-form-urlencoded",
                                               "text/plain",
                                               "",
                                               "text/html",
                                               "application/problem+json",
                                               "APPLICATION/JSON"};
  const int status = data[0] < 2 * std::size(statuses) ? statuses[data[0] % std::size(statuses)]
                                                       : static_cast<int>(data[0]) * 3;
  const std::string_view type = types[data[1] % std::size(types)];
  const std::uint8_t flags = data[2];
  std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);

  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::string(type));
  if (flags & 0x01) {
    const std::size_t nl = rest.find('\n');
    const std::string_view v = rest.substr(0, nl);
    r.headers.add("Retry-After", std::string(v));
    r.headers.add("X-Request-Id", std::string(v));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    (void)pa::detail::parse_http_date(v);
  }
  r.body.assign(rest);

  pa::token_parse_options o;
  o.strict_expires_in = (flags & 0x02) != 0;
  if (flags & 0x04) o.limits.max_size = 256;
  if (flags & 0x08) o.limits.max_depth = 2;
  if (flags & 0x10)
    o.wall_clock_now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);
  if (flags & 0x20) o.max_lifetime = std::chrono::seconds::max();
  if (flags & 0x40) o.assumed_lifetime = std::chrono::seconds(-5);

  const pa::time_point t0{std::chrono::hours(1)};
  auto t = pa::parse_token_response(r, t0, o);
  if (t) {
    require(status >= 200 && status < 300);
    require(!t->access_token.empty());
    require(pa::detail::iequals(t->token_type, "bearer"));
    require(t->received_at == t0);
    require(t->expires_at >= t0);
    require(t->expires_at - t0 <= std::chrono::hours(24 * 366 * 100));
    if (t->expires_in) require(t->expires_in->count() > 0);
  } else {
    check_error(t.error(), status);
  }
  check_error(pa::oauth_error_from_response(r, "token endpoint", {o.limits, o.wall_clock_now}),
              status);
  return 0;
}
