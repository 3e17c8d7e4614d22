// SPDX-License-Identifier: MIT
// Tests for detail::split_request_target and the request checks the shipped transports share.
#include <profile/auth/detail/request_target.hpp>

#include <doctest/doctest.h>

#include <string>

namespace pa = profile::auth;
using pa::detail::split_request_target;

namespace {
pa::http_request get(std::string url) { return {"GET", std::move(url), {}, {}}; }
}  // namespace

TEST_CASE("split_request_target: default ports are filled in but not shown") {
  auto s = split_request_target("t", get("https://Auth.Example.com/token"));
  REQUIRE(s.has_value());
  CHECK(s->https);
  CHECK(s->port == 443);
  CHECK(s->origin == "https://auth.example.com");
  CHECK(s->key == "https://auth.example.com:443");
  CHECK(s->host_header == "auth.example.com");
  CHECK(s->target == "/token");
  CHECK(s->url.host == "auth.example.com");
  CHECK_FALSE(s->ip_literal);

  auto p = split_request_target("t", get("http://example.com/a/b"));
  REQUIRE(p.has_value());
  CHECK_FALSE(p->https);
  CHECK(p->port == 80);
  CHECK(p->origin == "http://example.com");
  CHECK(p->key == "http://example.com:80");
  CHECK(p->host_header == "example.com");
}

TEST_CASE("split_request_target: an explicit port is kept in the origin, in Host only if needed") {
  auto d = split_request_target("t", get("https://example.com:443/x"));
  REQUIRE(d.has_value());
  CHECK(d->port == 443);
  CHECK(d->origin == "https://example.com:443");
  CHECK(d->key == "https://example.com:443");
  CHECK(d->host_header == "example.com");  // the default port is never written in Host

  auto o = split_request_target("t", get("http://127.0.0.1:8080/x"));
  REQUIRE(o.has_value());
  CHECK(o->port == 8080);
  CHECK(o->origin == "http://127.0.0.1:8080");
  CHECK(o->key == "http://127.0.0.1:8080");
  CHECK(o->host_header == "127.0.0.1:8080");
  CHECK(o->ip_literal);

  auto h = split_request_target("t", get("https://example.com:80/x"));  // https on port 80
  REQUIRE(h.has_value());
  CHECK(h->host_header == "example.com:80");
}

TEST_CASE("split_request_target: IPv6 literals keep their brackets where a URL would") {
  auto s = split_request_target("t", get("http://[::1]:8080/x"));
  REQUIRE(s.has_value());
  CHECK(s->url.host == "::1");  // what a resolver and a certificate check want
  CHECK(s->ip_literal);
  CHECK(s->origin == "http://[::1]:8080");
  CHECK(s->key == "http://[::1]:8080");
  CHECK(s->host_header == "[::1]:8080");

  auto d = split_request_target("t", get("https://[2001:db8::1]/x"));
  REQUIRE(d.has_value());
  CHECK(d->key == "https://[2001:db8::1]:443");
  CHECK(d->host_header == "[2001:db8::1]");
}

TEST_CASE("split_request_target: the target is the path and the query, '/' for an empty path") {
  auto e = split_request_target("t", get("https://example.com"));
  REQUIRE(e.has_value());
  CHECK(e->target == "/");

  auto q = split_request_target("t", get("https://example.com/p?a=1&b=%20#frag"));
  REQUIRE(q.has_value());
  CHECK(q->target == "/p?a=1&b=%20");  // the fragment is never sent

  auto eq = split_request_target("t", get("https://example.com?x=1"));
  REQUIRE(eq.has_value());
  CHECK(eq->target == "/?x=1");

  auto bare = split_request_target("t", get("https://example.com/p?"));
  REQUIRE(bare.has_value());
  CHECK(bare->target == "/p?");  // an empty query is kept as written
}

TEST_CASE("split_request_target: user information is refused and never shown") {
  auto s = split_request_target("beast_transport", get("https://id:S3cr3t@example.com/token"));
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == pa::errc::invalid_url);
  CHECK(s.error().message ==
        "beast_transport: the URL for https://example.com carries user information "
        "('user:password@'), which is not sent: use an Authorization header instead");
  CHECK(s.error().message.find("S3cr3t") == std::string::npos);

  auto v6 = split_request_target("x", get("http://u@[::1]/"));
  REQUIRE_FALSE(v6.has_value());
  CHECK(v6.error().message.find("http://[::1] carries") != std::string::npos);
}

TEST_CASE("split_request_target: only http and https, and the URL must parse") {
  auto ftp = split_request_target("httplib_transport", get("ftp://127.0.0.1/file"));
  REQUIRE_FALSE(ftp.has_value());
  CHECK(ftp.error().code == pa::errc::invalid_url);
  CHECK(ftp.error().message ==
        "httplib_transport: only http:// and https:// URLs are allowed (got scheme 'ftp')");

  for (const char* url : {"/relative", "", "http://", "https://exa mple.com/", "http://h:0/"}) {
    CAPTURE(url);
    auto r = split_request_target("who", get(url));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_url);
    CHECK(r.error().message.rfind("who: ", 0) == 0);  // parse_url's message, prefixed
  }
}

TEST_CASE("split_request_target: the method must be an HTTP token") {
  for (const char* m : {"", "GE T", "GET\r\n", "P(ST"}) {
    CAPTURE(m);
    auto r = split_request_target("curl_transport", {m, "https://example.com/", {}, {}});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::invalid_argument);
    CHECK(r.error().message == "curl_transport: the request method is empty or not an HTTP token");
  }
  // The method is checked before the URL.
  auto both = split_request_target("t", {"", "ftp://x/", {}, {}});
  REQUIRE_FALSE(both.has_value());
  CHECK(both.error().code == pa::errc::invalid_argument);
  for (const char* m : {"GET", "POST", "PATCH", "M-SEARCH", "x~y"}) {
    CAPTURE(m);
    CHECK(split_request_target("t", {m, "https://example.com/", {}, {}}).has_value());
  }
}

TEST_CASE("request_field_fault: names must be tokens, values free of CR, LF and NUL") {
  CHECK_FALSE(pa::detail::request_field_fault("t", "Accept", "application/json").has_value());
  CHECK_FALSE(pa::detail::request_field_fault("t", "X-Empty", "").has_value());
  CHECK_FALSE(pa::detail::request_field_fault("t", "X-Tab", "a\tb ").has_value());

  auto name = pa::detail::request_field_fault("beast_transport", "Bad Name", "v");
  REQUIRE(name.has_value());
  CHECK(name->code == pa::errc::invalid_header_value);
  CHECK(name->message == "beast_transport: a request header name is empty or not an HTTP token");
  CHECK(pa::detail::request_field_fault("t", "", "v").has_value());
  CHECK(pa::detail::request_field_fault("t", "X:Y", "v").has_value());

  for (const std::string& v : {std::string("a\r\nX-Injected: 1"), std::string("a\nb"),
                               std::string("a\rb"), std::string("a\0b", 3)}) {
    auto bad = pa::detail::request_field_fault("curl_transport", "X-Evil", v);
    REQUIRE(bad.has_value());
    CHECK(bad->code == pa::errc::invalid_header_value);
    CHECK(bad->message ==
          "curl_transport: the value of request header 'X-Evil' contains CR, LF or NUL; it was "
          "not sent");
  }
}

TEST_CASE("request_method_fault: empty or non-token methods only") {
  CHECK_FALSE(pa::detail::request_method_fault("t", "DELETE").has_value());
  auto bad = pa::detail::request_method_fault("t", "GET /");
  REQUIRE(bad.has_value());
  CHECK(bad->code == pa::errc::invalid_argument);
  CHECK(bad->message == "t: the request method is empty or not an HTTP token");
}
