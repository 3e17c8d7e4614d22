// SPDX-License-Identifier: MIT
// profile-auth: wiping the credentials a request carried, once it has been sent, and growing
// a received body without leaving copies behind.
#ifndef PROFILE_AUTH_DETAIL_WIPE_REQUEST_HPP
#define PROFILE_AUTH_DETAIL_WIPE_REQUEST_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/http.hpp>    // http_request, header_list, iequals
#include <profile/auth/secret.hpp>  // secure_wipe

#include <cstddef>      // std::size_t
#include <string>       // the header values wiped in place, bodies grown by append_wiping
#include <string_view>  // the field name

namespace profile::auth::inline v0::detail {

/// Wipes the value of every field called `name` (credentials we put there ourselves).
inline void wipe_header_values(header_list& headers, std::string_view name) noexcept {
  for (const auto& field : headers)
    if (iequals(field.first, name))
      // header_list only hands out const iterators; the strings it owns are not const objects.
      secure_wipe(const_cast<std::string&>(field.second));
}

/// Wipes what a sent request may carry of the client's credentials: the body (a secret, a
/// code, a refresh token, a token to introspect) and the Authorization field (Basic
/// credentials or a bearer token).
inline void wipe_sent_request(http_request& req) noexcept {
  secure_wipe(req.body);
  wipe_header_values(req.headers, "Authorization");
}

/// Appends [p, p + n) to `out`, a response body being received (out.size() + n <= max). A
/// body holds tokens, so it never grows by std::string's own reallocation, which frees the old
/// copy as it is: a larger buffer (doubling, at least 1 KB, at most `max`) takes the bytes so
/// far and the old one is wiped before it is freed. May throw std::bad_alloc, as append would.
inline void append_wiping(std::string& out, const char* p, std::size_t n, std::size_t max) {
  const std::size_t need = out.size() + n;
  if (need > out.capacity()) {
    std::size_t cap = out.capacity() < max / 2 ? out.capacity() * 2 : max;
    if (cap < 1024) cap = 1024 < max ? 1024 : max;
    if (cap < need) cap = need;
    std::string grown;
    grown.reserve(cap);
    grown.append(out);
    secure_wipe(out);
    out.swap(grown);  // `grown` now owns the wiped old buffer and frees it
  }
  out.append(p, n);  // within the capacity: no reallocation
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_WIPE_REQUEST_HPP
