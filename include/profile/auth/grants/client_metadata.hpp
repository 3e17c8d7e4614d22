// SPDX-License-Identifier: MIT
// profile-auth: OAuth client metadata (RFC 7591 §2): the struct, presets, checks, JSON form.
#ifndef PROFILE_AUTH_GRANTS_CLIENT_METADATA_HPP
#define PROFILE_AUTH_GRANTS_CLIENT_METADATA_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/response_reader.hpp>  // find_extra for extra_member()
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>

#include <cstddef>      // std::size_t
#include <optional>     // extra_member()
#include <string>       // fields, messages
#include <string_view>  // member names
#include <utility>      // std::pair, std::move
#include <vector>       // lists of URIs, grant types, extra members

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>         // validate(): extra values must be JSON
#include <profile/auth/detail/json_writer.hpp>  // client_metadata_json()
#include <profile/auth/grants/client_auth.hpp>  // check_text_param
#include <profile/auth/url.hpp>                 // redirect URI and client_uri checks

#include <span>  // member names left out of `extra`
#endif

namespace profile::auth::inline v0 {

/// Client metadata (RFC 7591 §2; `application_type` from OpenID Connect Dynamic Client
/// Registration). Empty strings and empty lists are not sent, so the server applies its
/// defaults (RFC 7591: grant_types ["authorization_code"], response_types ["code"],
/// token_endpoint_auth_method "client_secret_basic"). One exception keeps such defaults from
/// contradicting the request: when grant_types is set and names neither authorization_code nor
/// implicit, empty response_types and redirect_uris are sent as `[]` (a client_credentials-only
/// client has no redirects; oidc-provider rejects it otherwise).
struct client_metadata {
  std::vector<std::string> redirect_uris;   ///< exact URIs the authorization server may redirect to
  std::vector<std::string> grant_types;     ///< e.g. "authorization_code", "refresh_token"
  std::vector<std::string> response_types;  ///< e.g. "code"
  std::string token_endpoint_auth_method;   ///< "none", "client_secret_basic", "client_secret_post"
  std::string client_name;                  ///< shown to users on the consent page
  std::string client_uri;                   ///< the client's home page
  std::string scope;                        ///< space-separated scopes the client may request
  std::string software_id;                  ///< stable id of the software, same for every instance
  /// The version of the software identified by software_id.
  std::string software_version;
  std::string application_type;       ///< "native" or "web" (OpenID Connect; server default web)
  std::vector<std::string> contacts;  ///< e-mail addresses of people responsible for the client
  /// Every other member as (name, raw JSON value) in order, e.g. {"logo_uri", "\"https://…\""},
  /// {"jwks", "{\"keys\":[…]}"}, {"software_statement", "\"eyJ…\""}. Answers put the members
  /// this struct has no field for here too.
  std::vector<std::pair<std::string, std::string>> extra;

  /// The raw JSON of extra member `name`, if present.
  [[nodiscard]] std::optional<std::string_view> extra_member(std::string_view name) const noexcept {
    return detail::find_extra(extra, name);
  }
  /// Equal when every member is.
  friend bool operator==(const client_metadata&, const client_metadata&) = default;
};

/// Metadata for a public native client (RFC 8252: app, CLI, game): no secret
/// (token_endpoint_auth_method "none"), authorization_code with PKCE plus refresh_token,
/// response type "code", application_type "native". `redirect_uris` are loopback http URIs
/// (http://127.0.0.1:port/path, RFC 8252 §7.3), private-use schemes (com.example.app:/cb, §7.1)
/// or claimed https URIs (§7.2).
[[nodiscard]] client_metadata native_client_metadata(std::string client_name,
                                                     std::vector<std::string> redirect_uris);

/// Metadata for a confidential machine-to-machine client: client_credentials only, HTTP Basic
/// client authentication, no redirects (response_types and redirect_uris go out as `[]`).
[[nodiscard]] client_metadata confidential_client_metadata(std::string client_name);

namespace detail {

/// The members client_metadata has a field for.
inline constexpr std::string_view metadata_members[] = {
    "redirect_uris",    "grant_types",      "response_types", "token_endpoint_auth_method",
    "client_name",      "client_uri",       "scope",          "software_id",
    "software_version", "application_type", "contacts"};

/// True when `s` is one of `v`.
[[nodiscard]] bool metadata_list_has(const std::vector<std::string>& v, std::string_view s);

}  // namespace detail

/// Checks client metadata before it is sent.
/// Errors (the message names the member and index, and quotes extra member names only):
/// - errc::invalid_argument: a control byte or malformed UTF-8 in any string; an empty list
///   element; an extra member with an empty name, a name this struct has a field for, a name
///   given twice, or a value that is not exactly one valid JSON value;
/// - errc::invalid_url / errc::insecure_endpoint: a redirect URI that does not parse, has a
///   fragment or user information, or is plain http to a non-loopback host (unless
///   `allow_insecure_http`); a client_uri that is not an http(s) URL.
[[nodiscard]] result<void> validate(const client_metadata& m, bool allow_insecure_http = false);

namespace detail {

/// The metadata as a JSON object (the rules of client_metadata's comment). Precondition:
/// validate() succeeded (extra values are inserted as they are).
[[nodiscard]] std::string client_metadata_json(const client_metadata& m);

}  // namespace detail

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE client_metadata native_client_metadata(std::string client_name,
                                                           std::vector<std::string> redirect_uris) {
  client_metadata m;
  m.client_name = std::move(client_name);
  m.redirect_uris = std::move(redirect_uris);
  m.grant_types = {"authorization_code", "refresh_token"};
  m.response_types = {"code"};
  m.token_endpoint_auth_method = "none";
  m.application_type = "native";
  return m;
}

PROFILE_AUTH_INLINE client_metadata confidential_client_metadata(std::string client_name) {
  client_metadata m;
  m.client_name = std::move(client_name);
  m.grant_types = {"client_credentials"};
  m.token_endpoint_auth_method = "client_secret_basic";
  return m;
}

namespace detail {

PROFILE_AUTH_INLINE bool metadata_list_has(const std::vector<std::string>& v, std::string_view s) {
  for (const auto& item : v)
    if (item == s) return true;
  return false;
}

[[nodiscard]] PROFILE_AUTH_INLINE result<void> check_metadata_list(
    std::string_view name, const std::vector<std::string>& v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = std::string(name) + "[" + std::to_string(i) + "]";
    if (v[i].empty()) return fail(errc::invalid_argument, where + " is empty: remove it or set it");
    if (auto r = check_text_param(where, v[i], body_format::json); !r) return r;
  }
  return {};
}

}  // namespace detail

PROFILE_AUTH_INLINE result<void> validate(const client_metadata& m, bool allow_insecure_http) {
  for (std::size_t i = 0; i < m.redirect_uris.size(); ++i)
    if (auto r = detail::check_redirect_target("redirect_uris[" + std::to_string(i) + "]",
                                               m.redirect_uris[i], allow_insecure_http);
        !r)
      return r;
  for (auto [name, list] :
       {std::pair{"redirect_uris", &m.redirect_uris}, std::pair{"grant_types", &m.grant_types},
        std::pair{"response_types", &m.response_types}, std::pair{"contacts", &m.contacts}})
    if (auto r = detail::check_metadata_list(name, *list); !r) return r;
  for (auto [name, v] :
       {std::pair{"token_endpoint_auth_method", &m.token_endpoint_auth_method},
        std::pair{"client_name", &m.client_name}, std::pair{"client_uri", &m.client_uri},
        std::pair{"scope", &m.scope}, std::pair{"software_id", &m.software_id},
        std::pair{"software_version", &m.software_version},
        std::pair{"application_type", &m.application_type}})
    if (auto r = detail::check_text_param(name, *v, body_format::json); !r) return r;
  if (!m.client_uri.empty())
    if (auto u = parse_url(m.client_uri); !u || (u->scheme != "https" && u->scheme != "http"))
      return fail(errc::invalid_url, "client_uri is not an absolute http(s) URL");
  for (std::size_t i = 0; i < m.extra.size(); ++i) {
    const auto& [name, raw] = m.extra[i];
    if (name.empty())
      return fail(errc::invalid_argument, "an extra metadata member has an empty name");
    if (auto r = detail::check_text_param("an extra member name", name, body_format::json); !r)
      return r;
    if (detail::is_known_member(name, detail::metadata_members))
      return fail(errc::invalid_argument,
                  "extra member '" + name + "' has its own client_metadata field: set that");
    for (std::size_t j = 0; j < i; ++j)
      if (m.extra[j].first == name)
        return fail(errc::invalid_argument, "extra member '" + name + "' is given twice");
    if (auto doc = detail::json::parse(std::string_view(raw)); !doc)
      return fail(errc::invalid_argument, "extra member '" + name +
                                              "' is not one valid JSON value (" +
                                              doc.error().message + "): quote strings");
  }
  return {};
}

namespace detail {

PROFILE_AUTH_INLINE void write_metadata_list(json::writer& w, std::string_view name,
                                             const std::vector<std::string>& v, bool send_empty) {
  if (v.empty() && !send_empty) return;
  w.key(name).begin_array();
  for (const auto& s : v) w.string(s);
  w.end_array();
}

PROFILE_AUTH_INLINE void write_metadata_string(json::writer& w, std::string_view name,
                                               std::string_view v) {
  if (!v.empty()) w.key(name).string(v);
}

PROFILE_AUTH_INLINE std::string client_metadata_json(const client_metadata& m) {
  const bool redirects = m.grant_types.empty() || metadata_list_has(m.grant_types, "implicit") ||
                         metadata_list_has(m.grant_types, "authorization_code");
  json::writer w;
  w.begin_object();
  write_metadata_list(w, "redirect_uris", m.redirect_uris, !redirects);
  write_metadata_string(w, "token_endpoint_auth_method", m.token_endpoint_auth_method);
  write_metadata_list(w, "grant_types", m.grant_types, false);
  write_metadata_list(w, "response_types", m.response_types, !redirects);
  write_metadata_string(w, "client_name", m.client_name);
  write_metadata_string(w, "client_uri", m.client_uri);
  write_metadata_string(w, "scope", m.scope);
  write_metadata_list(w, "contacts", m.contacts, false);
  write_metadata_string(w, "software_id", m.software_id);
  write_metadata_string(w, "software_version", m.software_version);
  write_metadata_string(w, "application_type", m.application_type);
  for (const auto& [name, raw] : m.extra) w.key(name).raw_value(raw);
  w.end_object();
  return w.take();
}

/// Reads the metadata members of a JSON object into `m` (`null` = absent); other members go
/// to m.extra, except those named in `not_extra`. Returns the name of a member of the wrong
/// type, or "".
[[nodiscard]] PROFILE_AUTH_INLINE std::string_view read_client_metadata(
    const json::value& root, client_metadata& m, std::span<const std::string_view> not_extra) {
  for (auto [name, list] :
       {std::pair{"redirect_uris", &m.redirect_uris}, std::pair{"grant_types", &m.grant_types},
        std::pair{"response_types", &m.response_types}, std::pair{"contacts", &m.contacts}})
    if (read_string_array_member(root, name, *list) == member_read::wrong_type) return name;
  for (auto [name, v] :
       {std::pair{"token_endpoint_auth_method", &m.token_endpoint_auth_method},
        std::pair{"client_name", &m.client_name}, std::pair{"client_uri", &m.client_uri},
        std::pair{"scope", &m.scope}, std::pair{"software_id", &m.software_id},
        std::pair{"software_version", &m.software_version},
        std::pair{"application_type", &m.application_type}})
    if (read_string_member(root, name, *v) == member_read::wrong_type) return name;
  std::string scratch;
  for (const json::member e : root.members()) {
    const auto name = e.key.get_string(scratch);
    if (!name || is_known_member(*name, metadata_members) || is_known_member(*name, not_extra))
      continue;
    m.extra.emplace_back(std::string(*name), std::string(e.value.raw()));
  }
  return {};
}

}  // namespace detail

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_GRANTS_CLIENT_METADATA_HPP
