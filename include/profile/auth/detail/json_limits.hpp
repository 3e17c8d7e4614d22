// SPDX-License-Identifier: MIT
// profile-auth: json::limits, the bounds every reader of untrusted JSON takes. On its own so that
// the option structs (token_parse_options, discovery_options, ...) name it without the parser.
#ifndef PROFILE_AUTH_DETAIL_JSON_LIMITS_HPP
#define PROFILE_AUTH_DETAIL_JSON_LIMITS_HPP

#include <cstddef>  // std::size_t

namespace profile::auth::inline v0::detail::json {

/// Bounds on untrusted input. Exceeding one fails with errc::limit_exceeded naming the limit.
struct limits {
  std::size_t max_size = 1 << 20;      ///< bytes of input (capped at 4 GiB - 2 in any case)
  std::size_t max_depth = 32;          ///< nesting of arrays/objects (0: scalars only)
  std::size_t max_string = 64 * 1024;  ///< bytes of one decoded string or key
  std::size_t max_values = 1 << 16;    ///< values in the document, containers included, keys not
};

}  // namespace profile::auth::inline v0::detail::json

#endif  // PROFILE_AUTH_DETAIL_JSON_LIMITS_HPP
