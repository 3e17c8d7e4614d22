// SPDX-License-Identifier: MIT
// libFuzzer harness: parse_introspection_response on arbitrary answers, and introspection
// requests for arbitrary tokens and hints.
//
// Input layout: byte 0 picks the status, byte 1 the Content-Type, byte 2 option flags; the rest
// is the body (and, split at the first '\n', a token and a hint for the request builder).
// Build: cmake -DPROFILE_AUTH_BUILD_FUZZERS=ON with clang, or by hand:
//   clang++ -std=c++20 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     tests/fuzz/fuzz_introspection.cpp -o fuzz_introspection
//   ./fuzz_introspection tests/fuzz/corpus/introspection
#include <profile/auth/grants/introspection.hpp>

#include <chrono>       // valid_at
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t input
#include <string>       // body
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static constexpr int statuses[] = {200, 201, 204, 400, 401, 403, 404, 429, 500, 503};
  static constexpr std::string_view types[] = {"application/json", "text/plain", "", "text/html",
                                               "application/x-www-form-urlencoded"};
  const int status = statuses[data[0] % std::size(statuses)];
  const std::string_view type = types[data[1] % std::size(types)];
  const std::uint8_t flags = data[2];
  const std::string_view body(reinterpret_cast<const char*>(data + 3), size - 3);

  pa::http_response r;
  r.status = status;
  if (!type.empty()) r.headers.add("Content-Type", std::string(type));
  r.body.assign(body);
  pa::introspection_options o;
  if (flags & 0x01) o.limits.max_size = 128;
  if (flags & 0x02) o.limits.max_depth = 1;
  if (flags & 0x04) o.limits.max_string = 8;

  auto res = pa::parse_introspection_response(r, o);
  if (res) {
    require(status >= 200 && status < 300);
    if (!res->active) {
      require(res->scope.empty() && res->sub.empty() && res->aud.empty() && res->extra.empty());
      require(!res->exp && !res->iat && !res->nbf);
      require(!res->valid_at(std::chrono::system_clock::now()));
    }
    constexpr std::int64_t limit = std::int64_t{1} << 53;
    for (const auto& d : {res->exp, res->iat, res->nbf})
      if (d) require(*d <= limit && *d >= -limit);
    for (const auto& [name, raw] : res->extra) {
      require(!pa::detail::is_known_member(name, pa::detail::introspection_members));
      require(!raw.empty());
    }
    (void)res->has_scope(body.substr(0, 8));
    (void)res->valid_at(std::chrono::system_clock::time_point::max(), std::chrono::seconds::max());
    (void)res->valid_at(std::chrono::system_clock::time_point::min(), std::chrono::seconds::min());
  } else {
    const pa::error& e = res.error();
    require(!e.message.empty() && printable(e.message));
    require(e.http_status == status);
    if (status == 401) require(e.code != pa::errc::http_error);
    (void)pa::classify(e);
  }

  // The request builder on arbitrary bytes: refused, or a form body starting with the token.
  const std::size_t nl = body.find('\n');
  const pa::secret token(body.substr(0, nl));
  const std::string_view hint = nl == std::string_view::npos ? "" : body.substr(nl + 1);
  pa::introspection_config c;
  c.introspection_endpoint = "https://auth.example.com/introspect";
  c.client_id = "rs";
  c.client_secret = pa::secret("s3cret");
  auto req = pa::introspection_request(c, token, hint);
  if (req) {
    require(req->body.rfind("token=", 0) == 0);
    require(req->body.find('\n') == std::string::npos);
  } else {
    require(printable(req.error().message));
    // A token with a '!' (which the library's own text never contains) is never quoted.
    if (token.reveal().find('!') != std::string_view::npos)
      require(req.error().message.find(token.reveal()) == std::string::npos);
  }
  return 0;
}
