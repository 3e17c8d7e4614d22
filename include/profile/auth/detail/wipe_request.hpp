// SPDX-License-Identifier: MIT
// profile-auth: wiping the credentials a request carried, once it has been sent.
#ifndef PROFILE_AUTH_DETAIL_WIPE_REQUEST_HPP
#define PROFILE_AUTH_DETAIL_WIPE_REQUEST_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/http.hpp>    // http_request, header_list, iequals
#include <profile/auth/secret.hpp>  // secure_wipe

#include <string>       // the header values wiped in place
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

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_WIPE_REQUEST_HPP
