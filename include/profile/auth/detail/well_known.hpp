// SPDX-License-Identifier: MIT
// profile-auth: what RFC 8414 and RFC 9728 metadata share: well-known URLs, member tables.
#ifndef PROFILE_AUTH_DETAIL_WELL_KNOWN_HPP
#define PROFILE_AUTH_DETAIL_WELL_KNOWN_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/response_reader.hpp>  // extra_member_list
#include <profile/auth/error.hpp>
#include <profile/auth/http.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/url.hpp>  // url_parts

#include <cstddef>      // std::size_t
#include <span>         // the member tables
#include <string>       // URLs, decoded members, messages
#include <string_view>  // member names
#include <vector>       // string arrays

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>  // read_metadata's reader
#include <profile/auth/oauth_error.hpp>  // oauth_error_from_response for non-2xx answers

#include <optional>  // boolean members
#include <utility>   // std::move
#endif

namespace profile::auth::inline v0::detail {

/// Upper bound on an identifier (issuer, resource) or metadata URL this library will use.
inline constexpr std::size_t max_identifier_size = 2048;

/// Checks an issuer or resource identifier: an http(s) URL as check_endpoint() wants it (https
/// unless loopback or `insecure`; no user information, no fragment), at most
/// max_identifier_size bytes, and without a query when `query_allowed` is false (RFC 8414 §2).
/// `what` names it in messages ("issuer", "resource").
[[nodiscard]] result<url_parts> check_identifier(std::string_view what, std::string_view id,
                                                 bool insecure, bool query_allowed);

/// Inserts "/.well-known/<name>" between the authority and the path of a checked http(s) URL,
/// after removing one terminating '/' from the path (RFC 8414 §3.1, RFC 9728 §3.1); a query
/// stays at the end. "https://h/t" -> "https://h/.well-known/<name>/t".
[[nodiscard]] std::string insert_well_known(std::string_view url, std::string_view name);

/// Appends "/.well-known/<name>" to a checked URL without a query, after removing one
/// terminating '/' (OpenID Connect Discovery 1.0 §4).
[[nodiscard]] std::string append_well_known(std::string_view url, std::string_view name);

/// A GET for a metadata document.
[[nodiscard]] http_request metadata_get(std::string url);

/// Fails with `code`: "the <what> answered <status> <problem>: <advice>".
[[nodiscard]] unexpected<error> metadata_fail(const http_response& r, std::string_view what,
                                              errc code, std::string_view problem,
                                              std::string_view advice);

/// Where a metadata member goes, by type. `url` members are checked with check_endpoint().
template <class M>
struct string_member {
  std::string_view name;
  std::string M::*field;
  bool url;
};
template <class M>
struct array_member {
  std::string_view name;
  std::vector<std::string> M::*field;
};
template <class M>
struct bool_member {
  std::string_view name;
  bool M::*field;
};

/// The tables a metadata type is read with.
template <class M>
struct member_tables {
  std::span<const string_member<M>> strings;
  std::span<const array_member<M>> arrays;
  std::span<const bool_member<M>> bools;

  /// True when one of the tables names `member`.
  [[nodiscard]] bool lists(std::string_view member) const noexcept {
    for (const auto& s : strings)
      if (s.name == member) return true;
    for (const auto& a : arrays)
      if (a.name == member) return true;
    for (const auto& b : bools)
      if (b.name == member) return true;
    return false;
  }
};

/// True when a transport answer with `status` means "no document here, try the next location":
/// a 4xx other than 408 and 429 (servers answer 400, 401, 403 or 405 as well as 404 for paths
/// they do not serve). Redirects, 5xx, 408 and 429 end the search.
[[nodiscard]] constexpr bool try_next_location(int status) noexcept {
  return status >= 400 && status < 500 && status != 408 && status != 429;
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE result<url_parts> check_identifier(std::string_view what, std::string_view id,
                                                       bool insecure, bool query_allowed) {
  if (id.empty())
    return fail(errc::invalid_argument, std::string(what) + " is empty: pass its https:// URL");
  if (id.size() > max_identifier_size)
    return fail(errc::invalid_argument, std::string(what) + " is " + std::to_string(id.size()) +
                                            " bytes long, above the limit of " +
                                            std::to_string(max_identifier_size));
  auto u = check_endpoint(id, insecure);
  if (!u) {
    error e = std::move(u).error();
    e.message = std::string(what) + ": " + e.message;
    return unexpected<error>(std::move(e));
  }
  // Named by host only, as check_endpoint() does: a query is where a secret would hide.
  if (u->has_query && !query_allowed)
    return fail(errc::invalid_url, std::string(what) + " for host '" + u->host +
                                       "' has a query ('?'), which RFC 8414 §2 forbids");
  return u;
}

PROFILE_AUTH_INLINE std::string insert_well_known(std::string_view url, std::string_view name) {
  const std::size_t authority = url.find("://") + 3;  // the URL was checked: "://" is there
  std::size_t path = url.find_first_of("/?", authority);
  if (path == std::string_view::npos) path = url.size();
  std::size_t query = url.find('?', path);
  if (query == std::string_view::npos) query = url.size();
  std::string_view tail = url.substr(path, query - path);
  if (!tail.empty() && tail.back() == '/') tail.remove_suffix(1);
  std::string out;
  out.reserve(url.size() + name.size() + 14);
  out.append(url.substr(0, path)).append("/.well-known/").append(name);
  out.append(tail).append(url.substr(query));
  return out;
}

PROFILE_AUTH_INLINE std::string append_well_known(std::string_view url, std::string_view name) {
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string out(url);
  out.append("/.well-known/").append(name);
  return out;
}

PROFILE_AUTH_INLINE http_request metadata_get(std::string url) {
  http_request req;
  req.method = "GET";
  req.url = std::move(url);
  req.headers.add("Accept", "application/json");
  return req;
}

PROFILE_AUTH_INLINE unexpected<error> metadata_fail(const http_response& r, std::string_view what,
                                                    errc code, std::string_view problem,
                                                    std::string_view advice) {
  return answer_failure(r, what, code, std::string(problem) + ": " + std::string(advice));
}

/// Reads a metadata answer into `out` through the response reader: a non-2xx answer becomes
/// oauth_error_from_response(); the body must be one JSON object within `lim` (the errors of
/// parse_json_object_answer); members named in `t` must have their type (`null` counts as
/// absent, an empty string too); URL members must pass check_endpoint() with `insecure`; every
/// other member lands in `extra` as (name, raw JSON) in document order, `null` ones included.
/// Errors name the member, never quote the body.
template <class M>
[[nodiscard]] result<void> read_metadata(const http_response& r, std::string_view what,
                                         const json::limits& lim, bool insecure,
                                         const member_tables<M>& t, M& out,
                                         extra_member_list& extra) {
  if (!r.ok()) return unexpected<error>(oauth_error_from_response(r, what));
  auto doc = parse_json_object_answer(r, what, lim);
  if (!doc) return unexpected<error>(std::move(doc).error());
  const json::value root = doc->root();
  const auto wrong = [&](std::string_view name, std::string_view type) {
    return metadata_fail(r, what, errc::malformed_response,
                         "with member '" + std::string(name) + "' that is not " + std::string(type),
                         "the server's metadata is invalid; report it to its operator");
  };
  for (const auto& s : t.strings) {
    std::string& dst = out.*(s.field);
    if (read_string_member(root, s.name, dst) == member_read::wrong_type)
      return wrong(s.name, "a string");
    if (!s.url || dst.empty()) continue;
    if (auto u = check_endpoint(dst, insecure); !u) {
      const errc c = u.error().code == errc::insecure_endpoint ? errc::insecure_endpoint
                                                               : errc::malformed_response;
      return metadata_fail(r, what, c, "with an unusable " + std::string(s.name),
                           u.error().message);
    }
  }
  for (const auto& a : t.arrays)
    if (read_string_array_member(root, a.name, out.*(a.field)) == member_read::wrong_type)
      return wrong(a.name, "an array of strings");
  for (const auto& b : t.bools) {
    std::optional<bool> v;
    if (read_bool_member(root, b.name, v) == member_read::wrong_type)
      return wrong(b.name, "true or false");
    if (v) out.*(b.field) = *v;
  }
  collect_extra_members_if(
      root, [&t](std::string_view name) { return t.lists(name); }, extra);
  return {};
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_WELL_KNOWN_HPP
