// SPDX-License-Identifier: MIT
// profile-auth: reading a token endpoint's answer in a caller's buffer, for fixed_m2m_client.
#ifndef PROFILE_AUTH_DETAIL_FIXED_TOKEN_READER_HPP
#define PROFILE_AUTH_DETAIL_FIXED_TOKEN_READER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json_flat.hpp>  // read_flat_object: the one-pass flat reader
#include <profile/auth/detail/json_tape.hpp>  // json::limits, json::kind
#include <profile/auth/detail/json_text.hpp>  // decoded_cursor: escapes resolved in place
#include <profile/auth/error.hpp>             // errc, errc_from_oauth_error
#include <profile/auth/http.hpp>              // iequals for token_type
#include <profile/auth/oauth_error.hpp>       // is_oauth_error_code
#include <profile/auth/token_response.hpp>    // lifetime_reading, read_lifetime

#include <cstddef>      // std::size_t
#include <span>         // the answer, decoded in place
#include <string_view>  // member names and values

namespace profile::auth::inline v0::detail {

/// What read_fixed_answer() made of a token endpoint's answer.
struct fixed_answer {
  errc code{};                    ///< errc{} (no error): a token; otherwise what the answer means
  std::string_view access_token;  ///< the token (escapes resolved), when code is errc{}
  lifetime_reading lifetime{};    ///< expires_in as read (`invalid` when missing or null)
};

/// Resolves the escapes of a string member in place and returns its decoded bytes. In place is
/// safe: the decoded form of every prefix is never longer than the prefix, and the cursor has
/// read an escape completely before its bytes are written. Precondition: `m` is a string member
/// of the buffer `read_fixed_answer` was given (writable memory).
inline std::string_view decode_member_in_place(const json::flat_member& m) noexcept {
  const std::string_view c = m.contents();
  if (!m.escaped) return c;
  char* const out = const_cast<char*>(c.data());  // the caller's buffer: see the precondition
  json::text::decoded_cursor cur(c.data(), c.data() + c.size());
  std::size_t n = 0;
  for (int b = cur.next(); b >= 0; b = cur.next()) out[n++] = static_cast<char>(b);
  return {out, n};
}

/// The errc of an OAuth `error` member (RFC 6749 §5.2), or errc{} when `m` is not one (absent,
/// not a string, or not a valid error code).
inline errc fixed_oauth_code(const json::flat_member& m) noexcept {
  if (m.raw.empty() || m.type != json::kind::string) return errc{};
  const std::string_view code = decode_member_in_place(m);
  return is_oauth_error_code(code) ? errc_from_oauth_error(code) : errc{};
}

/// Reads the answer of a token endpoint (status and body, as received) with the rules of
/// parse_token_response for flat JSON answers, without allocating: string members are decoded
/// in place in `body`, which must stay alive while `access_token` is used.
/// - 2xx: a flat JSON object (read_flat_object: at most 16 members, scalar values) with a
///   non-empty string access_token; token_type missing, null, empty or "Bearer" in any case
///   (else errc::unsupported_token_type); expires_in a number or a numeric string (else the
///   assumed lifetime); refresh_token and id_token strings or null when present. A non-empty
///   `error` member makes it an error answer: its OAuth errc, or errc::malformed_response when
///   the code is not a valid one. Anything else is errc::malformed_response. The checks run in
///   parse_token_response's order, so both give the same errc for every flat answer.
/// - any other status: the errc of a flat JSON object's OAuth `error` code, else
///   errc::http_error (a proxy page, a gateway error, an empty body).
/// Status 0 (nothing received) is the caller's to handle: errc::transport_failed.
inline fixed_answer read_fixed_answer(int status, std::span<char> body) noexcept {
  fixed_answer a;
  json::flat_member access, type, expires, error;
  bool bad = false;  // a member of a known name with a type parse_token_response refuses
  const auto on_member = [&](const json::flat_member& m) noexcept {
    if (m.name == "access_token")
      access = m;
    else if (m.name == "token_type")
      type = m;
    else if (m.name == "expires_in")
      expires = m;
    else if (m.name == "error")
      error = m;
    else if (m.name == "refresh_token" || m.name == "id_token")
      bad = bad || (m.type != json::kind::null && m.type != json::kind::string);
    return true;
  };
  const bool flat = json::read_flat_object(std::string_view(body.data(), body.size()),
                                           json::limits{}, on_member) == json::flat_result::done;
  if (status < 200 || status >= 300) {
    const errc c = flat ? fixed_oauth_code(error) : errc{};
    a.code = c != errc{} ? c : errc::http_error;
    return a;
  }
  const bool typed = !type.raw.empty() && type.type != json::kind::null;
  // parse_token_response's order: a member of the wrong type first (access_token present but
  // not a string, token_type not a string, refresh_token or id_token neither string nor null),
  // then a non-empty `error` (of any type), then a missing or empty access_token.
  if (!flat || bad || (!access.raw.empty() && access.type != json::kind::string) ||
      (typed && type.type != json::kind::string)) {
    a.code = errc::malformed_response;
    return a;
  }
  if (!error.raw.empty() && error.type != json::kind::null &&
      !(error.type == json::kind::string && error.decoded == 0)) {
    const errc c = fixed_oauth_code(error);
    a.code = c != errc{} ? c : errc::malformed_response;
    return a;
  }
  if (access.type != json::kind::string || access.decoded == 0) {
    a.code = errc::malformed_response;
    return a;
  }
  if (typed && type.decoded != 0 && !iequals(decode_member_in_place(type), "bearer")) {
    a.code = errc::unsupported_token_type;
    return a;
  }
  if (expires.type == json::kind::number)
    a.lifetime = read_lifetime(expires.raw);
  else if (expires.type == json::kind::string)
    a.lifetime = read_lifetime(decode_member_in_place(expires));
  a.access_token = decode_member_in_place(access);
  return a;
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_FIXED_TOKEN_READER_HPP
