// SPDX-License-Identifier: MIT
// profile-auth interop suite: what every test shares — the server's address and clients, a
// transport, and a tiny cookie-keeping "browser" that completes the server's HTML pages.
#ifndef PROFILE_AUTH_TESTS_INTEROP_HPP
#define PROFILE_AUTH_TESTS_INTEROP_HPP

#include <profile/auth.hpp>
#include <profile/auth/transports/curl.hpp>

#include <doctest/doctest.h>

#include <cstddef>      // std::size_t
#include <cstdlib>      // std::getenv
#include <optional>     // form lookups
#include <string>       // URLs, bodies
#include <string_view>  // constants
#include <utility>      // std::move, std::pair
#include <vector>       // cookie jar, form fields

namespace pa = profile::auth;
namespace pt = profile::auth::transports;

namespace interop {

// ---- the server (tests/interop/server.mjs: keep these in step with its `clients`) --------------

/// The issuer URL run.sh exported (main.cpp refuses to start without it).
inline std::string issuer() {
  const char* v = std::getenv("PROFILE_AUTH_INTEROP_ISSUER");
  return v == nullptr ? std::string() : std::string(v);
}
/// issuer() + path, e.g. url("/token").
inline std::string url(std::string_view path) { return issuer() + std::string(path); }

/// The server's refresh-token rule for this run (PROFILE_AUTH_INTEROP_REFRESH).
enum class refresh_rule { always, stock };
inline refresh_rule rule() {
  const char* v = std::getenv("PROFILE_AUTH_INTEROP_REFRESH");
  return v != nullptr && std::string_view(v) == "always" ? refresh_rule::always
                                                         : refresh_rule::stock;
}

inline constexpr std::string_view basic_client_id = "m2m-basic";
inline constexpr std::string_view basic_client_secret = "basic+secret/with%odd:bytes";
inline constexpr std::string_view post_client_id = "m2m-post";
inline constexpr std::string_view post_client_secret = "post+secret/with%odd:bytes";
inline constexpr std::string_view native_client_id = "native-app";
inline constexpr std::string_view native_redirect_uri = "http://127.0.0.1/callback";
inline constexpr std::string_view web_client_id = "web-app";
inline constexpr std::string_view web_client_secret = "web-app-secret";
inline constexpr std::string_view web_redirect_uri = "http://127.0.0.1/web/callback";
inline constexpr std::string_view device_client_id = "device-app";
inline constexpr std::string_view jwt_api = "https://jwt-api.interop.test/";
inline constexpr std::string_view opaque_api = "https://opaque-api.interop.test/";
inline constexpr std::string_view user_name = "alice";
inline constexpr std::string_view user_password = "wonderland";

/// The library's libcurl transport, never through a proxy (a CI machine's http_proxy must not
/// intercept 127.0.0.1).
inline pt::curl_transport transport() {
  pt::curl_options o;
  o.proxy = "";
  o.connect_timeout = std::chrono::seconds(5);
  o.timeout = std::chrono::seconds(20);
  return pt::curl_transport(std::move(o));
}

/// A client credentials configuration for one of the M2M clients (form body, RFC 6749).
inline pa::client_credentials_config cc_config(std::string_view id, std::string_view secret,
                                               pa::client_auth how) {
  pa::client_credentials_config c;
  c.token_endpoint = url("/token");
  c.client_id = std::string(id);
  c.client_secret = pa::secret(secret);
  c.auth = how;
  return c;
}
inline pa::client_credentials_config basic_config() {
  return cc_config(basic_client_id, basic_client_secret, pa::client_auth::client_secret_basic);
}
inline pa::client_credentials_config post_config() {
  return cc_config(post_client_id, post_client_secret, pa::client_auth::client_secret_post);
}

/// The scope a login asks for under this run's refresh-token rule: the stock rule issues a
/// refresh token only for offline_access (NOTES.md), the "always" rule without it.
inline std::string login_scope() {
  return rule() == refresh_rule::always ? "openid" : "openid offline_access";
}
/// Authorization URL options under this run's rule: the stock rule drops offline_access
/// unless the request has prompt=consent (NOTES.md).
inline pa::authorization_url_options login_options() {
  pa::authorization_url_options o;
  if (rule() == refresh_rule::stock) o.prompt = "consent";
  return o;
}

/// The public native app (PKCE, token_endpoint_auth_method none, loopback redirect).
inline pa::user_auth_config native_config() {
  pa::user_auth_config c;
  c.authorization_endpoint = url("/auth");
  c.token_endpoint = url("/token");
  c.revocation_endpoint = url("/token/revocation");
  c.client_id = std::string(native_client_id);
  c.redirect_uri = std::string(native_redirect_uri);
  c.scope = login_scope();
  return c;
}
/// The confidential web app (client_secret_basic).
inline pa::user_auth_config web_config() {
  pa::user_auth_config c = native_config();
  c.client_id = std::string(web_client_id);
  c.client_secret = pa::secret(web_client_secret);
  c.redirect_uri = std::string(web_redirect_uri);
  return c;
}
/// The public device client (RFC 8628). offline_access is kept without prompt=consent by the
/// device endpoint, so one scope fits both rules.
inline pa::user_auth_config device_config() {
  pa::user_auth_config c;
  c.token_endpoint = url("/token");
  c.revocation_endpoint = url("/token/revocation");
  c.device_authorization_endpoint = url("/device/auth");
  c.client_id = std::string(device_client_id);
  c.scope = "openid offline_access";
  return c;
}

/// Sends `req` and REQUIREs an HTTP answer (the tests are about what the server says).
template <class T>
pa::http_response send(T& t, const pa::http_request& req) {
  pa::result<pa::http_response> r = t.send(req);
  if (!r) {
    FAIL("transport failed for " << req.method << ' ' << req.url << ": " << r.error().message);
    return {};
  }
  return std::move(*r);
}

/// The library's monotonic now.
inline pa::time_point now() { return pa::to_time_point(std::chrono::steady_clock::now()); }

// ---- a browser without a browser -------------------------------------------------------------

/// One form of a page: where it posts and the fields it already carries (hidden ones, and
/// prefilled inputs such as the device page's user_code).
struct html_form {
  std::string action;
  pa::query_params fields;

  void set(std::string_view name, std::string value) {
    for (auto& f : fields)
      if (f.first == name) {
        f.second = std::move(value);
        return;
      }
    fields.emplace_back(std::string(name), std::move(value));
  }
};

namespace detail {

/// Value of attribute `name` inside one tag's text (double-quoted values only: the pages
/// the server renders use them throughout), HTML character references decoded.
inline std::optional<std::string> attribute(std::string_view tag, std::string_view name) {
  const std::string key = " " + std::string(name) + "=\"";
  std::size_t at = tag.find(key);
  if (at == std::string_view::npos) {  // attributes may also follow a newline
    const std::string nl = "\n" + std::string(name) + "=\"";
    at = tag.find(nl);
    if (at == std::string_view::npos) return std::nullopt;
  }
  const std::size_t start = at + key.size();
  const std::size_t end = tag.find('"', start);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view raw = tag.substr(start, end - start);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    const std::size_t semi = raw.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    const std::string_view ref = raw.substr(i + 1, semi - i - 1);
    if (ref == "amp")
      out.push_back('&');
    else if (ref == "quot")
      out.push_back('"');
    else if (ref == "lt")
      out.push_back('<');
    else if (ref == "gt")
      out.push_back('>');
    else if (ref.size() > 1 && ref[0] == '#' && ref[1] != 'x') {
      unsigned code = 0;
      for (char c : ref.substr(1)) code = code * 10 + static_cast<unsigned>(c - '0');
      out.push_back(static_cast<char>(code));  // the pages escape ASCII only
    } else {
      out.append(raw.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace detail

/// The form with id `id` on `page` (the first form when `id` is empty), if any.
inline std::optional<html_form> find_form(std::string_view page, std::string_view id) {
  const std::string marker = id.empty() ? std::string("<form") : "id=\"" + std::string(id) + "\"";
  for (std::size_t pos = page.find("<form"); pos != std::string_view::npos;
       pos = page.find("<form", pos + 1)) {
    const std::size_t tag_end = page.find('>', pos);
    if (tag_end == std::string_view::npos) return std::nullopt;
    const std::string_view tag = page.substr(pos, tag_end - pos);
    if (tag.find(marker) == std::string_view::npos) continue;
    html_form f;
    f.action = detail::attribute(tag, "action").value_or("");
    const std::size_t close = page.find("</form>", tag_end);
    const std::string_view body = page.substr(tag_end, close - tag_end);
    for (std::size_t in = body.find("<input"); in != std::string_view::npos;
         in = body.find("<input", in + 1)) {
      const std::string_view itag = body.substr(in, body.find('>', in) - in);
      const auto name = detail::attribute(itag, "name");
      if (!name) continue;
      f.fields.emplace_back(*name, detail::attribute(itag, "value").value_or(""));
    }
    return f;
  }
  return std::nullopt;
}

/// HTTP with a cookie jar over the library's curl transport, for the server's own pages. One
/// host only (the test server), so cookies are keyed by name and path; a cookie set with
/// Max-Age=0 or an expiry in 1970 (how oidc-provider deletes them) is dropped.
class browser {
 public:
  browser() : t_(transport()) {}

  pa::http_response get(const std::string& target) { return request("GET", target, {}); }
  pa::http_response post(const std::string& target, const pa::query_params& fields) {
    return request("POST", target, pa::query_string(fields));
  }
  pa::http_response submit(const html_form& f) { return post(f.action, f.fields); }

  /// An absolute URL for a Location or form action of the test server.
  static std::string absolute(std::string_view where) {
    if (detail::starts_with(where, "http://") || detail::starts_with(where, "https://"))
      return std::string(where);
    REQUIRE_MESSAGE(detail::starts_with(where, "/"), "unexpected relative URL: " << where);
    return issuer() + std::string(where);
  }

 private:
  struct cookie {
    std::string name, value, path;
  };

  pa::http_response request(const char* method, const std::string& target, std::string body) {
    pa::http_request req;
    req.method = method;
    req.url = absolute(target);
    req.headers.add("Accept", "text/html");
    const std::string path = path_of(req.url);
    std::string jar;
    for (const cookie& c : cookies_)
      if (path_matches(path, c.path)) jar += (jar.empty() ? "" : "; ") + c.name + "=" + c.value;
    if (!jar.empty()) req.headers.add("Cookie", jar);
    if (!body.empty() || std::string_view(method) == "POST") {
      req.headers.add("Content-Type", "application/x-www-form-urlencoded");
      req.body = std::move(body);
    }
    pa::http_response r = send(t_, req);
    for (std::string_view sc : r.headers.find_all("Set-Cookie")) remember(sc, path);
    return r;
  }

  static std::string path_of(std::string_view u) {
    const std::size_t scheme = u.find("://");
    const std::size_t slash = u.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    if (slash == std::string_view::npos) return "/";
    const std::string_view p = u.substr(slash);
    return std::string(p.substr(0, p.find_first_of("?#")));
  }
  // RFC 6265 §5.1.4 path-match.
  static bool path_matches(std::string_view request_path, std::string_view cookie_path) {
    if (!detail::starts_with(request_path, cookie_path)) return false;
    return request_path.size() == cookie_path.size() || cookie_path.back() == '/' ||
           request_path[cookie_path.size()] == '/';
  }

  void remember(std::string_view set_cookie, std::string_view request_path) {
    const std::size_t semi = set_cookie.find(';');
    const std::string_view pair = set_cookie.substr(0, semi);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return;
    cookie c{std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)), ""};
    bool expired = false;
    std::string_view attrs = semi == std::string_view::npos ? "" : set_cookie.substr(semi + 1);
    while (!attrs.empty()) {
      const std::size_t next = attrs.find(';');
      std::string_view a = attrs.substr(0, next);
      attrs = next == std::string_view::npos ? "" : attrs.substr(next + 1);
      while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
      std::string lower(a);
      for (char& ch : lower) ch = pa::detail::ascii_lower(ch);
      if (detail::starts_with(lower, "path=")) c.path = std::string(a.substr(5));
      if (detail::starts_with(lower, "max-age=") && (lower == "max-age=0" || lower[8] == '-'))
        expired = true;
      if (detail::starts_with(lower, "expires=") && lower.find("1970") != std::string::npos)
        expired = true;
    }
    if (c.path.empty()) {  // RFC 6265 §5.1.4 default-path
      const std::size_t last = request_path.rfind('/');
      c.path = last == 0 || last == std::string_view::npos
                   ? std::string("/")
                   : std::string(request_path.substr(0, last));
    }
    std::erase_if(cookies_, [&](const cookie& o) { return o.name == c.name && o.path == c.path; });
    if (!expired) cookies_.push_back(std::move(c));
  }

  pt::curl_transport t_;
  std::vector<cookie> cookies_;
};

/// What the user does on the consent (or device confirmation) page.
enum class user_choice { approve, deny };

/// Where the browser ended: a redirect that left the server (the callback to the client), or a
/// page without a form the user would fill in (e.g. the device flow's success page).
struct browser_end {
  std::string location;  ///< non-empty: the Location that leaves the server
  pa::http_response page;
};

/// Acts as the user from `start` on: follows the server's redirects, signs in as alice, and
/// approves or denies on the consent page (and on the device pages, enters and confirms the
/// code). Stops at a redirect outside the server, at a page that reports an error, or at a
/// page without a known form.
inline browser_end act_as_user(browser& b, const std::string& start, user_choice choice) {
  pa::http_response r = b.get(start);
  const std::string origin = issuer();
  for (int step = 0; step < 24; ++step) {
    if (r.status >= 300 && r.status < 400) {
      const auto loc = r.headers.find("Location");
      REQUIRE_MESSAGE(loc.has_value(), "a " << r.status << " without Location");
      const std::string next = browser::absolute(*loc);
      if (!detail::starts_with(next, origin + "/")) return {next, std::move(r)};
      r = b.get(next);
      continue;
    }
    REQUIRE_MESSAGE(r.status == 200, "the server's page answered " << r.status << ": " << r.body);
    if (r.body.find("class=\"error\"") != std::string::npos) return {"", std::move(r)};
    if (auto f = find_form(r.body, "login")) {
      f->set("login", std::string(user_name));
      f->set("password", std::string(user_password));
      r = b.submit(*f);
    } else if (auto c = find_form(r.body, choice == user_choice::approve ? "consent" : "deny")) {
      r = b.submit(*c);
    } else if (auto d = find_form(r.body, "op.deviceInputForm")) {
      r = b.submit(*d);  // the code is prefilled from verification_uri_complete
    } else if (auto k = find_form(r.body, "op.deviceConfirmForm")) {
      if (choice == user_choice::deny) k->set("abort", "yes");
      r = b.submit(*k);
    } else if (auto a = find_form(r.body, "");
               a && r.body.find("forms[0].submit()") != std::string::npos) {
      r = b.submit(*a);  // a page that submits itself by script (the device code's first step)
    } else {
      return {"", std::move(r)};
    }
  }
  FAIL("the login did not end within 24 steps");
  return {};
}

/// One completed login of the code flow, up to the callback (not yet exchanged).
struct login_attempt {
  pa::pkce_pair pkce;
  std::string state;
  std::string callback;  ///< the redirect URI the server sent the browser to
};

/// Builds the authorization URL for `cfg` and lets the user act on it.
inline login_attempt authorize(const pa::user_auth_config& cfg, user_choice choice,
                               const pa::authorization_url_options& opts = login_options()) {
  pa::os_random rng;
  auto pkce = pa::pkce_pair::generate(rng);
  REQUIRE(pkce);
  auto state = pa::random_state(rng);
  REQUIRE(state);
  auto u = pa::authorization_url(cfg, *pkce, *state, opts);
  REQUIRE_MESSAGE(u, u.error().message);
  browser b;
  browser_end end = act_as_user(b, *u, choice);
  REQUIRE_MESSAGE(!end.location.empty(), "the login ended on a page: " << end.page.body);
  return {std::move(*pkce), std::move(*state), std::move(end.location)};
}

/// A full login of `cfg`'s client with PKCE, exchanged for a token (REQUIREd to succeed).
template <class T>
pa::token login(T& t, const pa::user_auth_config& cfg,
                const pa::authorization_url_options& opts = login_options()) {
  login_attempt a = authorize(cfg, user_choice::approve, opts);
  const std::string iss = issuer();
  auto cb = pa::parse_authorization_callback(a.callback, a.state, std::string_view(iss));
  REQUIRE_MESSAGE(cb, cb.error().message);
  auto req = pa::authorization_code_request(cfg, cb->code, a.pkce);
  REQUIRE_MESSAGE(req, req.error().message);
  auto tok = pa::parse_token_response(send(t, *req), now());
  REQUIRE_MESSAGE(tok, tok.error().message);
  return std::move(*tok);
}

/// GET /me (OIDC userinfo) with `authorization` ("Bearer …"): proves an access token works.
template <class T>
pa::http_response userinfo(T& t, std::string_view authorization) {
  pa::http_request req{"GET", url("/me"), {}, {}};
  req.headers.add("Accept", "application/json");
  req.headers.add("Authorization", std::string(authorization));
  return send(t, req);
}

}  // namespace interop

#endif  // PROFILE_AUTH_TESTS_INTEROP_HPP
