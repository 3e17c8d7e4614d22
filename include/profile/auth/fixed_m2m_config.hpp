// SPDX-License-Identifier: MIT
// profile-auth: fixed_m2m_config, what fixed_m2m_client sends, checked and written into a
// caller's buffer without allocating (docs/firmware.md).
//
// Optional header: <profile/auth.hpp> does not include it; <profile/auth/fixed_m2m_client.hpp>
// does.
#ifndef PROFILE_AUTH_FIXED_M2M_CONFIG_HPP
#define PROFILE_AUTH_FIXED_M2M_CONFIG_HPP

#include <profile/auth/config.hpp>              // compiled mode
#include <profile/auth/detail/backoff.hpp>      // backoff_policy
#include <profile/auth/detail/json_text.hpp>    // is_valid_utf8
#include <profile/auth/detail/json_writer.hpp>  // write_string_to: JSON escaping
#include <profile/auth/detail/url_fault.hpp>    // url_view, url_fault: scan_endpoint's verdict
#include <profile/auth/encoding.hpp>            // pct_encode_raw, b64_encode_raw
#include <profile/auth/error.hpp>               // errc
#include <profile/auth/grants/client_auth.hpp>  // body_format, client_auth, find_control_byte
#include <profile/auth/refresh_policy.hpp>      // refresh_policy
#include <profile/auth/secret.hpp>              // secure_wipe
#include <profile/auth/url.hpp>                 // scan_endpoint

#include <chrono>       // lifetimes
#include <cstddef>      // std::size_t
#include <cstring>      // std::memcpy
#include <span>         // the work buffer
#include <string_view>  // every text

namespace profile::auth::inline v0 {

/// Everything fixed_m2m_client needs, as views: the texts must outlive the client (flash
/// constants, a key store's buffer). Checked once, when the client is constructed.
struct fixed_m2m_config {
  std::string_view token_url;      ///< https, or http to a loopback host (or allow_insecure_http)
  std::string_view client_id;      ///< not empty
  std::string_view client_secret;  ///< not empty unless auth is client_auth::none
  std::string_view scope = {};     ///< space-separated; omitted when empty
  std::string_view audience = {};  ///< one `audience` parameter (Auth0, Okta …); omitted if empty
  std::string_view resource = {};  ///< one RFC 8707 resource indicator; omitted when empty
  body_format format = body_format::json;               ///< the Profile API's JSON body
  client_auth auth = client_auth::client_secret_post;   ///< the secret in the body
  basic_encoding basic = basic_encoding::form_encoded;  ///< with client_secret_basic
  bool allow_insecure_http = false;  ///< permit http:// to a non-loopback host (testing only)
  refresh_policy refresh{};          ///< expiry skew, refresh-ahead window, jitter
  backoff_policy backoff{};          ///< delays after failed token requests
  std::chrono::seconds assumed_lifetime{3600};     ///< when expires_in is missing or unusable
  std::chrono::seconds max_lifetime{365 * 86400};  ///< clamp for absurd expires_in values
};

/// Profile API presets for fixed_m2m_client (next to the ones in <profile/auth/profile.hpp>).
namespace profile {
/// The Profile API's M2M token endpoint (v3, the previous generation), and the current one (v4).
// https://support.profilebehavior.com/api-reference/authentication, older (v3) version: POST
// /v3/auth
inline constexpr std::string_view m2m_token_url = "https://api.profilebehavior.com/v3/auth";
/// The v4 (current) M2M token endpoint.
// https://support.profilebehavior.com/api-reference/authentication (current, v4): POST /api/v4/auth
inline constexpr std::string_view v4_m2m_token_url =
    "https://vanguard.profilebehavior.com/api/v4/auth";

/// `POST {token_url}` with the JSON body {"grant_type":"client_credentials","client_id":…,
/// "client_secret":…}, as profile::m2m_config() sets up for m2m_client.
[[nodiscard]] constexpr ::profile::auth::fixed_m2m_config fixed_m2m_config(
    std::string_view client_id, std::string_view client_secret,
    std::string_view token_url = m2m_token_url) noexcept {
  ::profile::auth::fixed_m2m_config c;
  c.token_url = token_url;
  c.client_id = client_id;
  c.client_secret = client_secret;
  c.format = body_format::json;
  c.auth = client_auth::client_secret_post;
  return c;
}
/// The same for the newer deployment. It also accepts the credentials as HTTP Basic: set
/// `auth = client_auth::client_secret_basic` on the result.
[[nodiscard]] constexpr ::profile::auth::fixed_m2m_config fixed_m2m_config_v4(
    std::string_view client_id, std::string_view client_secret,
    std::string_view token_url = v4_m2m_token_url) noexcept {
  return fixed_m2m_config(client_id, client_secret, token_url);
}
}  // namespace profile

namespace detail {

/// A byte sink over a caller's buffer that never writes past it and counts what it was given:
/// size() is what the output needs, fits() whether it had room. With no buffer it only counts.
class fixed_sink {
 public:
  fixed_sink(char* at, std::size_t capacity) noexcept
      : p_(at), cap_(at == nullptr ? 0 : capacity) {}
  void push_back(char c) noexcept {
    if (n_ < cap_) p_[n_] = c;
    ++n_;
  }
  void append(const char* s, std::size_t n) noexcept {
    if (char* d = room(n); d != nullptr && n != 0) std::memcpy(d, s, n);
  }
  /// Where the next n bytes go, or nullptr when they do not fit (they are counted either way).
  char* room(std::size_t n) noexcept {
    char* d = n_ <= cap_ && n <= cap_ - n_ ? p_ + n_ : nullptr;
    n_ += n;
    return d;
  }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] bool fits() const noexcept { return n_ <= cap_; }

 private:
  char* p_;
  std::size_t cap_;
  std::size_t n_ = 0;
};

/// The errc of a configuration fixed_m2m_client cannot use, or errc{}: the checks of
/// client_credentials_config's validate() for the fields fixed_m2m_config has.
inline errc check_fixed_config(const fixed_m2m_config& c) noexcept {
  url_view v;
  url_fault f;
  if (!scan_endpoint(c.token_url, c.allow_insecure_http, v, f))
    return f.what == url_problem::endpoint_insecure ? errc::insecure_endpoint : errc::invalid_url;
  const auto text_ok = [](std::string_view s, bool json) noexcept {
    return find_control_byte(s) == std::string_view::npos &&
           (!json || json::text::is_valid_utf8(s.data(), s.data() + s.size()));
  };
  const bool json = c.format == body_format::json;
  const bool basic = c.auth == client_auth::client_secret_basic;
  const bool creds_ok = !c.client_id.empty() && text_ok(c.client_id, json && !basic) &&
                        (c.auth == client_auth::none ||
                         (!c.client_secret.empty() && text_ok(c.client_secret, json && !basic) &&
                          !(basic && c.basic == basic_encoding::raw &&
                            c.client_id.find(':') != std::string_view::npos)));
  if (!creds_ok || !text_ok(c.scope, json) || !text_ok(c.audience, json) ||
      !text_ok(c.resource, json))
    return errc::invalid_argument;
  return errc{};
}

/// One body parameter in the body's format (detail::append_param's rules, on a fixed_sink).
inline void fixed_param(fixed_sink& out, body_format fmt, std::string_view name,
                        std::string_view value) noexcept {
  if (fmt == body_format::json) {
    out.push_back(',');
    json::write_string_to(out, name);
    out.push_back(':');
    json::write_string_to(out, value);
    return;
  }
  out.push_back('&');
  if (char* d = out.room(pct_encoded_size(name, true))) pct_encode_raw(d, name, true);
  out.push_back('=');
  if (char* d = out.room(pct_encoded_size(value, true))) pct_encode_raw(d, value, true);
}

/// Where write_fixed_request() put the request in the work buffer, and what it needs.
struct fixed_layout {
  std::size_t authorization = 0;  ///< bytes of the Basic value at the start (0: none)
  std::size_t body = 0;           ///< bytes of the body right after it
  std::size_t needed = 0;         ///< bytes the writing needs (Basic's scratch included)
};

/// Writes the token request of `c` (client_credentials_request()'s body, byte for byte, and
/// its Basic value) into `work`: the Basic value first, then the body. Writes nothing past
/// `work`; with an empty `work` it only measures. The caller checks needed <= work.size().
/// Precondition: check_fixed_config(c) found nothing.
inline fixed_layout write_fixed_request(const fixed_m2m_config& c, std::span<char> work) noexcept {
  fixed_layout l;
  fixed_sink out(work.empty() ? nullptr : work.data(), work.size());
  if (c.auth == client_auth::client_secret_basic) {
    // base64(id ":" secret): the joined bytes are staged right after the Basic value, in the
    // room the body takes next, and wiped before the body is written.
    const bool form = c.basic == basic_encoding::form_encoded;
    const std::size_t id = form ? pct_encoded_size(c.client_id, true) : c.client_id.size();
    const std::size_t joined =
        id + 1 + (form ? pct_encoded_size(c.client_secret, true) : c.client_secret.size());
    out.append("Basic ", 6);
    char* const b64 = out.room(b64_encoded_size(joined, true));
    l.authorization = out.size();
    l.needed = l.authorization + joined;
    if (b64 != nullptr && l.needed <= work.size()) {
      char* const tmp = work.data() + l.authorization;
      if (form) {
        pct_encode_raw(tmp, c.client_id, true);
        pct_encode_raw(tmp + id + 1, c.client_secret, true);
      } else {
        std::memcpy(tmp, c.client_id.data(), id);
        std::memcpy(tmp + id + 1, c.client_secret.data(), c.client_secret.size());
      }
      tmp[id] = ':';
      b64_encode_raw(b64, std::string_view(tmp, joined), b64_std_alphabet, true);
      secure_wipe(tmp, joined);
    }
  }
  const bool json = c.format == body_format::json;
  const std::string_view grant =
      json ? R"({"grant_type":"client_credentials")" : "grant_type=client_credentials";
  out.append(grant.data(), grant.size());
  if (c.auth != client_auth::client_secret_basic)
    fixed_param(out, c.format, "client_id", c.client_id);
  if (c.auth == client_auth::client_secret_post)
    fixed_param(out, c.format, "client_secret", c.client_secret);
  if (!c.scope.empty()) fixed_param(out, c.format, "scope", c.scope);
  if (!c.audience.empty()) fixed_param(out, c.format, "audience", c.audience);
  if (!c.resource.empty()) fixed_param(out, c.format, "resource", c.resource);
  if (json) out.push_back('}');
  l.body = out.size() - l.authorization;
  if (out.size() > l.needed) l.needed = out.size();
  return l;
}

}  // namespace detail

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_FIXED_M2M_CONFIG_HPP
