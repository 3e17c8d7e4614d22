// SPDX-License-Identifier: MIT
// libFuzzer harness for parse_url, check_endpoint and is_loopback_host.
#include <profile/auth/http.hpp>
#include <profile/auth/url.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t (libFuzzer signature)
#include <string>       // reassembled URLs
#include <string_view>  // the input bytes

namespace pa = profile::auth;

namespace {
void require(bool ok) {
  if (!ok) __builtin_trap();
}
bool same_parts(const pa::url_parts& a, const pa::url_parts& b) {
  return a.scheme == b.scheme && a.userinfo == b.userinfo && a.host == b.host && a.port == b.port &&
         a.path == b.path && a.query == b.query && a.fragment == b.fragment &&
         a.has_authority == b.has_authority && a.ipv6_literal == b.ipv6_literal &&
         a.has_query == b.has_query && a.has_fragment == b.has_fragment;
}
// True when the strict endpoint check's `message` shows the input's `part` (u.*field; long
// enough not to match by chance) other than inside the scheme or host, which endpoint messages
// name on purpose, or as the library's own wording or URL formatting. The fuzzer learns that
// wording from the comparisons here and feeds it back ("user:password", "uthentication" as user
// information), so the text must go away when that part alone is replaced by other bytes.
bool mentions(std::string_view message, const pa::url_parts& u, std::string pa::url_parts::*field) {
  const std::string& part = u.*field;
  if (part.size() < 12 || message.find(part) == std::string_view::npos) return false;
  if (u.scheme.find(part) != std::string::npos || u.host.find(part) != std::string::npos)
    return false;
  pa::url_parts other = u;
  other.*field = std::string(part.size(), part.front() == 'z' ? 'q' : 'z');
  const auto again = pa::check_endpoint(pa::to_string(other));
  return again.has_value() || again.error().message.find(part) == std::string::npos;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  auto u = pa::parse_url(in);
  if (u) {
    // Only the case of scheme and host and the spelling of the port ("080" -> "80") change, so
    // the reassembly equals the input up to those, and parsing it again gives the same parts.
    const std::string text = pa::to_string(*u);
    require(pa::detail::iequals(text, in) ||
            (u->port.has_value() && in.find(":0") != std::string_view::npos));
    auto again = pa::parse_url(text);
    require(again.has_value() && same_parts(*again, *u));
    require(!(u->scheme == "https" || u->scheme == "http") || !u->host.empty());
  } else {
    require(u.error().code == pa::errc::invalid_url && !u.error().message.empty());
  }

  auto strict = pa::check_endpoint(in);
  auto lax = pa::check_endpoint(in, true);
  if (strict) require(lax.has_value() && u.has_value());
  if (lax) require(u.has_value() && !u->has_fragment && u->userinfo.empty());
  if (!strict) {
    const auto& e = strict.error();
    require(e.code == pa::errc::invalid_url || e.code == pa::errc::insecure_endpoint);
    if (e.code == pa::errc::insecure_endpoint) require(lax.has_value());
    // Endpoint messages never carry the query, fragment or user information.
    if (u)
      require(!mentions(e.message, *u, &pa::url_parts::query) &&
              !mentions(e.message, *u, &pa::url_parts::fragment) &&
              !mentions(e.message, *u, &pa::url_parts::userinfo));
  }

  if (pa::is_loopback_host(in)) {
    require(!in.empty() && in.size() <= 2 + 45);  // longest IPv6 text is 45 characters
    require(in.find('/') == std::string_view::npos);
  }
  return 0;
}
