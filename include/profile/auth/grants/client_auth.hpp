// SPDX-License-Identifier: MIT
// profile-auth: client authentication at a token endpoint (HTTP Basic, body, none), every grant.
#ifndef PROFILE_AUTH_GRANTS_CLIENT_AUTH_HPP
#define PROFILE_AUTH_GRANTS_CLIENT_AUTH_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <cstddef>      // std::size_t offsets
#include <string>       // bodies, header values, messages
#include <string_view>  // inputs
#include <vector>       // list parameters (resource, audience)

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json_text.hpp>    // UTF-8 validation of JSON-carried parameters
#include <profile/auth/detail/json_writer.hpp>  // JSON string escaping of body members
#include <profile/auth/encoding.hpp>            // form and base64 encoding of credentials
#endif

namespace profile::auth::inline v0 {

/// How a token-endpoint request body is encoded.
enum class body_format : unsigned char {
  form,  ///< RFC 6749: `application/x-www-form-urlencoded` (every standard OAuth server)
  json,  ///< the Profile API convention: `application/json` with the same member names
};

/// How the client proves its identity (RFC 6749 §2.3.1).
enum class client_auth : unsigned char {
  client_secret_basic,  ///< `Authorization: Basic base64(id ":" secret)`
  client_secret_post,   ///< `client_id` and `client_secret` in the request body
  none,                 ///< `client_id` in the body only (public clients, mTLS-bound clients)
};

/// How id and secret are encoded inside HTTP Basic. Real servers disagree: Keycloak and
/// oidc-provider need `form_encoded`; some (Authlib-based ones, for example) expect `raw`.
/// For ids and secrets made of letters, digits and `-._~` both give the same bytes.
enum class basic_encoding : unsigned char {
  form_encoded,  ///< RFC 6749 §2.3.1: each form-urlencoded before joining (the default)
  raw,           ///< RFC 7617: the UTF-8 bytes as they are; the id may not contain ':'
};

namespace detail {

/// Offset of the first C0 control byte or DEL in `s`, or npos. Such bytes in a credential
/// are almost always a copy-paste or a trailing newline read from a file.
[[nodiscard]] constexpr std::size_t find_control_byte(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return i;
  }
  return std::string_view::npos;
}

/// Checks one text parameter for control bytes (and, for JSON bodies, for malformed UTF-8,
/// which JSON cannot carry). The message names the parameter and offset, never the value.
[[nodiscard]] result<void> check_text_param(std::string_view name, std::string_view v,
                                            body_format fmt);

/// Appends `"name":"value"` to a JSON object under construction (`body` holds "{" and
/// possibly earlier members, without the closing brace).
void append_json_field(std::string& body, std::string_view name, std::string_view value);

/// Appends one parameter in the body's format.
void append_param(std::string& body, body_format fmt, std::string_view name,
                  std::string_view value);

/// Appends `"name":"v"` for one value or `"name":["v1","v2"]` for several (JSON bodies).
void append_json_list(std::string& body, std::string_view name,
                      const std::vector<std::string>& values);

/// Appends a parameter that may take several values (RFC 8707 `resource`, `audience`): in a
/// form body the parameter once per value, in a JSON body append_json_list(). Nothing when
/// `values` is empty.
void append_list_param(std::string& body, body_format fmt, std::string_view name,
                       const std::vector<std::string>& values);

/// Checks the values of a list parameter: none empty (`what_empty` says what to pass
/// instead), each through check_text_param().
[[nodiscard]] result<void> check_list_param(std::string_view name,
                                            const std::vector<std::string>& values, body_format fmt,
                                            std::string_view what_empty);

}  // namespace detail

/// Checks that `client_id` and `client_secret` can be sent with `method` in a `fmt` body.
/// Errors (errc::invalid_argument; the message names the field and offset, never its value):
/// - empty client_id; empty client_secret unless `method` is client_auth::none;
/// - a control byte (CR, LF, NUL, other C0, DEL) in either;
/// - malformed UTF-8 in either when it travels in a JSON body;
/// - a ':' in client_id with client_auth::client_secret_basic and basic_encoding::raw
///   (RFC 7617 §2: the user-id cannot contain a colon).
[[nodiscard]] result<void> validate_client_auth(std::string_view client_id,
                                                const secret& client_secret, client_auth method,
                                                basic_encoding enc, body_format fmt);

/// The `Authorization` value for client_secret_basic: "Basic " + base64(id ":" secret), where
/// id and secret are form-urlencoded first (basic_encoding::form_encoded, RFC 6749 §2.3.1) or
/// taken as they are (basic_encoding::raw, RFC 7617). Temporaries holding the secret are wiped.
/// Precondition: validate_client_auth() succeeded.
[[nodiscard]] std::string basic_authorization_value(std::string_view client_id,
                                                    const secret& client_secret,
                                                    basic_encoding enc);

/// Adds the client's credentials to a token-endpoint request, the one place every grant
/// (client credentials, authorization code, refresh, device, revocation) does this:
/// - client_secret_basic: sets `Authorization: Basic …` on `req`; `body` is untouched;
/// - client_secret_post: appends `client_id` and `client_secret` to `body`;
/// - none: appends `client_id` to `body`.
/// `body` is a form body (possibly empty) for body_format::form, or an unfinished JSON object
/// ("{" plus earlier members, no closing brace) for body_format::json; it may be `req.body`.
/// Precondition: validate_client_auth() succeeded for the same arguments.
void apply_client_auth(http_request& req, std::string& body, body_format fmt,
                       std::string_view client_id, const secret& client_secret, client_auth method,
                       basic_encoding enc);

/// The `Content-Type` value for a body format.
[[nodiscard]] constexpr std::string_view content_type_of(body_format fmt) noexcept {
  return fmt == body_format::json ? std::string_view("application/json")
                                  : std::string_view("application/x-www-form-urlencoded");
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

/// Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlongs,
/// no surrogates, nothing past U+10FFFF), or npos.
PROFILE_AUTH_INLINE std::size_t find_invalid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const int n = json::text::utf8_sequence(s.data() + i, s.data() + s.size());
    if (n <= 0) return i;
    i += static_cast<std::size_t>(n);
  }
  return std::string_view::npos;
}

PROFILE_AUTH_INLINE result<void> check_text_param(std::string_view name, std::string_view v,
                                                  body_format fmt) {
  if (const auto at = find_control_byte(v); at != std::string_view::npos) {
    if constexpr (terse_errors)
      return fail(errc::invalid_argument, std::string(name).append(": control byte"));
    return fail(errc::invalid_argument,
                std::string(name) + " contains a control character (CR, LF, NUL, ...) at offset " +
                    std::to_string(at) +
                    ": remove it (a trailing newline read from a file or an environment "
                    "variable is the usual cause)");
  }
  if (fmt == body_format::json)
    if (const auto at = find_invalid_utf8(v); at != std::string_view::npos) {
      if constexpr (terse_errors)
        return fail(errc::invalid_argument, std::string(name).append(": not UTF-8"));
      return fail(errc::invalid_argument,
                  std::string(name) + " is not valid UTF-8 (offset " + std::to_string(at) +
                      "), which a JSON request body cannot carry: pass UTF-8 text");
    }
  return {};
}

PROFILE_AUTH_INLINE void append_json_field(std::string& body, std::string_view name,
                                           std::string_view value) {
  if (!body.empty() && body.back() != '{') body.push_back(',');
  json::write_string(body, name);
  body.push_back(':');
  json::write_string(body, value);
}

PROFILE_AUTH_INLINE void append_param(std::string& body, body_format fmt, std::string_view name,
                                      std::string_view value) {
  if (fmt == body_format::json)
    append_json_field(body, name, value);
  else
    append_form_field(body, name, value);
}

PROFILE_AUTH_INLINE void append_json_list(std::string& body, std::string_view name,
                                          const std::vector<std::string>& values) {
  if (values.size() == 1) return append_json_field(body, name, values.front());
  if (!body.empty() && body.back() != '{') body.push_back(',');
  json::write_string(body, name);
  body += ":[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) body.push_back(',');
    json::write_string(body, values[i]);
  }
  body.push_back(']');
}

PROFILE_AUTH_INLINE void append_list_param(std::string& body, body_format fmt,
                                           std::string_view name,
                                           const std::vector<std::string>& values) {
  if (values.empty()) return;
  if (fmt == body_format::json) return append_json_list(body, name, values);
  for (const std::string& v : values) append_form_field(body, name, v);
}

PROFILE_AUTH_INLINE result<void> check_list_param(std::string_view name,
                                                  const std::vector<std::string>& values,
                                                  body_format fmt, std::string_view what_empty) {
  for (const std::string& v : values) {
    if (v.empty())
      return fail(errc::invalid_argument,
                  terse_errors
                      ? std::string("empty ") + std::string(name)
                      : "a " + std::string(name) + " value is empty: " + std::string(what_empty));
    if (auto r = check_text_param(name, v, fmt); !r) return r;
  }
  return {};
}

}  // namespace detail

PROFILE_AUTH_INLINE result<void> validate_client_auth(std::string_view client_id,
                                                      const secret& client_secret,
                                                      client_auth method, basic_encoding enc,
                                                      body_format fmt) {
  if (client_id.empty())
    return fail(
        errc::invalid_argument,
        detail::terse_errors
            ? "client_id is empty"
            : "client_id is empty: set it to the client id the authorization server issued");
  // Basic carries both base64-encoded, so only the body needs the UTF-8 check.
  const body_format carried = method == client_auth::client_secret_basic ? body_format::form : fmt;
  if (auto r = detail::check_text_param("client_id", client_id, carried); !r) return r;
  if (method == client_auth::none) return {};
  if (client_secret.empty())
    return fail(
        errc::invalid_argument,
        detail::terse_errors
            ? "client_secret is empty"
            : "client_secret is empty: set it, or use client_auth::none for a public client");
  if (auto r = detail::check_text_param("client_secret", client_secret.reveal(), carried); !r)
    return r;
  if (method == client_auth::client_secret_basic && enc == basic_encoding::raw)
    if (const auto at = client_id.find(':'); at != std::string_view::npos) {
      if constexpr (detail::terse_errors) return fail(errc::invalid_argument, "':' in client_id");
      return fail(errc::invalid_argument,
                  "client_id contains ':' (offset " + std::to_string(at) +
                      "), which raw HTTP Basic cannot carry (RFC 7617): use "
                      "basic_encoding::form_encoded or client_auth::client_secret_post");
    }
  return {};
}

PROFILE_AUTH_INLINE std::string basic_authorization_value(std::string_view client_id,
                                                          const secret& client_secret,
                                                          basic_encoding enc) {
  std::string joined;
  joined.reserve(enc == basic_encoding::raw ? client_id.size() + 1 + client_secret.size()
                                            : 3 * (client_id.size() + client_secret.size()) + 1);
  if (enc == basic_encoding::raw) {
    joined.append(client_id);
    joined.push_back(':');
    joined.append(client_secret.reveal());
  } else {
    form_urlencode_to(joined, client_id);
    joined.push_back(':');
    form_urlencode_to(joined, client_secret.reveal());
  }
  std::string out = "Basic ";
  base64_encode_to(out, joined);
  detail::secure_wipe(joined);
  return out;
}

PROFILE_AUTH_INLINE void apply_client_auth(http_request& req, std::string& body, body_format fmt,
                                           std::string_view client_id, const secret& client_secret,
                                           client_auth method, basic_encoding enc) {
  switch (method) {
    case client_auth::client_secret_basic:
      req.headers.set("Authorization", basic_authorization_value(client_id, client_secret, enc));
      return;
    case client_auth::client_secret_post:
      detail::append_param(body, fmt, "client_id", client_id);
      detail::append_param(body, fmt, "client_secret", client_secret.reveal());
      return;
    case client_auth::none:
      detail::append_param(body, fmt, "client_id", client_id);
      return;
  }
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_CLIENT_AUTH_HPP
