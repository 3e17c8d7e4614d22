// SPDX-License-Identifier: MIT
// profile-auth interop suite: a "browser" without a browser: cookies, redirects and the
// server's HTML forms over the library's curl transport, and a user who signs in and consents.
#ifndef PROFILE_AUTH_TESTS_INTEROP_BROWSER_HPP
#define PROFILE_AUTH_TESTS_INTEROP_BROWSER_HPP

#include "server.hpp"

#include <doctest/doctest.h>

#include <cstddef>      // std::size_t
#include <optional>     // form lookups
#include <string>       // URLs, bodies
#include <string_view>  // parsing
#include <utility>      // std::move
#include <vector>       // cookie jar (std::erase_if), form fields

namespace interop {

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

}  // namespace interop

#endif  // PROFILE_AUTH_TESTS_INTEROP_BROWSER_HPP
