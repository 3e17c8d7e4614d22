// SPDX-License-Identifier: MIT
// Tests for url.hpp: parse_url, is_loopback_host, check_endpoint, parse_query, query_string.
#include <profile/auth/url.hpp>

#include <doctest/doctest.h>

#include <string>       // expected values, byte strings for round trips
#include <string_view>  // message checks

namespace pa = profile::auth;

namespace {
bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}
template <class R>
std::string error_of(const R& r, pa::errc code) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  return r.error().message;
}
std::string url_error(std::string_view text) {
  CAPTURE(text);
  return error_of(pa::parse_url(text), pa::errc::invalid_url);
}
}  // namespace

TEST_CASE("parse_url: https endpoint") {
  auto u = pa::parse_url("https://api.profilebehavior.com/v3/auth");
  REQUIRE(u.has_value());
  CHECK(u->scheme == "https");
  CHECK(u->userinfo.empty());
  CHECK(u->host == "api.profilebehavior.com");
  CHECK_FALSE(u->port.has_value());
  CHECK(u->path == "/v3/auth");
  CHECK(u->query.empty());
  CHECK_FALSE(u->has_query);
  CHECK_FALSE(u->has_fragment);
  CHECK(u->has_authority);
  CHECK_FALSE(u->ipv6_literal);
}

TEST_CASE("parse_url: case, port, query and fragment") {
  auto u = pa::parse_url("HTTPS://API.Example.COM:8443/a/B?x=1&y=%20#frag");
  REQUIRE(u.has_value());
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.example.com");
  CHECK(u->port == 8443);
  CHECK(u->path == "/a/B");
  CHECK(u->query == "x=1&y=%20");
  CHECK(u->has_query);
  CHECK(u->fragment == "frag");
  CHECK(u->has_fragment);
  CHECK(pa::to_string(*u) == "https://api.example.com:8443/a/B?x=1&y=%20#frag");

  u = pa::parse_url("https://host?x");
  REQUIRE(u.has_value());
  CHECK(u->path.empty());
  CHECK(u->query == "x");
  u = pa::parse_url("https://host/#");
  REQUIRE(u.has_value());
  CHECK(u->has_fragment);
  CHECK(u->fragment.empty());
  u = pa::parse_url("http://h:65535/?");
  REQUIRE(u.has_value());
  CHECK(u->port == 65535);
  CHECK(u->has_query);
  CHECK(u->query.empty());
  CHECK(pa::to_string(*u) == "http://h:65535/?");
  u = pa::parse_url("https://h/p?a[]=1&b={x}|^`#f[0]");  // tolerated in query and fragment
  REQUIRE(u.has_value());
  CHECK(u->query == "a[]=1&b={x}|^`");
  CHECK(u->fragment == "f[0]");
}

TEST_CASE("parse_url: IPv6 literals lose their brackets in host") {
  auto u = pa::parse_url("http://[::1]:8080/cb");
  REQUIRE(u.has_value());
  CHECK(u->host == "::1");
  CHECK(u->ipv6_literal);
  CHECK(u->port == 8080);
  CHECK(pa::to_string(*u) == "http://[::1]:8080/cb");
  u = pa::parse_url("https://[2001:DB8::192.0.2.1]/");
  REQUIRE(u.has_value());
  CHECK(u->host == "2001:db8::192.0.2.1");
  CHECK_FALSE(u->port.has_value());
}

TEST_CASE("parse_url: custom schemes, scheme:path and userinfo") {
  auto u = pa::parse_url("com.example.app:/callback?code=x");
  REQUIRE(u.has_value());
  CHECK(u->scheme == "com.example.app");
  CHECK_FALSE(u->has_authority);
  CHECK(u->host.empty());
  CHECK(u->path == "/callback");
  CHECK(u->query == "code=x");
  CHECK(pa::to_string(*u) == "com.example.app:/callback?code=x");

  u = pa::parse_url("urn:ietf:wg:oauth:2.0:oob");
  REQUIRE(u.has_value());
  CHECK(u->scheme == "urn");
  CHECK(u->path == "ietf:wg:oauth:2.0:oob");

  u = pa::parse_url("https://Ho_st-1.~x!$&'()*+,;=/");  // every RFC 3986 reg-name byte
  REQUIRE(u.has_value());
  CHECK(u->host == "ho_st-1.~x!$&'()*+,;=");

  u = pa::parse_url("myapp://callback");
  REQUIRE(u.has_value());
  CHECK(u->host == "callback");
  CHECK(u->path.empty());

  u = pa::parse_url("file:///etc/hosts");  // empty host is fine outside http(s)
  REQUIRE(u.has_value());
  CHECK(u->host.empty());
  CHECK(u->path == "/etc/hosts");

  u = pa::parse_url("https://user:p%40ss@host:1/");
  REQUIRE(u.has_value());
  CHECK(u->userinfo == "user:p%40ss");
  CHECK(u->host == "host");
  CHECK(u->port == 1);
  CHECK(pa::to_string(*u) == "https://user:p%40ss@host:1/");
}

TEST_CASE("parse_url: malformed input gives invalid_url and says what is wrong") {
  CHECK(contains(url_error(""), "empty"));
  CHECK(contains(url_error("example.com/path"), "no scheme"));
  CHECK(contains(url_error("/relative/path"), "position 0"));
  CHECK(contains(url_error("1abc://x"), "no scheme"));
  CHECK(contains(url_error("https:"), "'//'"));
  CHECK(contains(url_error("https:host/x"), "'//'"));
  CHECK(contains(url_error("foo:"), "nothing follows"));
  CHECK(contains(url_error("https:///path"), "empty host"));
  CHECK(contains(url_error("http://:80/"), "empty host"));
  CHECK(contains(url_error("https://host:/"), "port"));
  CHECK(contains(url_error("https://host:99999/"), "out of range"));
  CHECK(contains(url_error("https://host:65536/"), "out of range"));
  CHECK(contains(url_error("https://host:0/"), "out of range"));
  CHECK(contains(url_error("https://host:123456789012345678901234567890/"), "out of range"));
  CHECK(contains(url_error("https://host:8a/"), "not a decimal number"));
  CHECK(contains(url_error("https://host:-1/"), "not a decimal number"));
  CHECK(contains(url_error("https://ho st/"), "0x20 at position 10"));
  CHECK(contains(url_error("https://host/a b"), "0x20"));
  CHECK(contains(url_error("https://host/\x01"), "0x01"));
  CHECK(contains(url_error("https://host/\x7F"), "0x7F"));
  CHECK(contains(url_error("https://host/\xC3\xA9"), "0xC3"));
  CHECK(contains(url_error("https://host\t/"), "0x09"));
  CHECK(contains(url_error("https://host/\r\nX: y"), "0x0D"));
  CHECK(contains(url_error("https://host\\@evil.com/"), "'\\'"));
  CHECK(contains(url_error("https://host/<script>"), "'<'"));
  CHECK(contains(url_error("https://a@b@c/"), "more than one '@'"));
  CHECK(contains(url_error("https://[::1/"), "never closed"));
  CHECK(contains(url_error("https://[::g]/"), "not a valid IPv6"));
  CHECK(contains(url_error("https://[]/"), "not a valid IPv6"));
  CHECK(contains(url_error("https://[fe80::1%25eth0]/"), "zone"));
  CHECK(contains(url_error("https://[::1]x/"), "follows the IPv6 host"));
  CHECK(contains(url_error("https://host/%zz"), "percent escape at position 13 in the path"));
  CHECK(contains(url_error("https://host/?a=%4"), "in the query"));
  CHECK(contains(url_error("https://host/#%"), "in the fragment"));
  CHECK(contains(url_error("https://ho%41st/"), "percent-encoded names are not supported"));
  CHECK(contains(url_error("https://host/a[1]"), "'[' at position 14 is not allowed in the path"));
  CHECK(contains(url_error("https://host/a#b#c"), "'#' at position 16"));
  CHECK(contains(url_error("https://us er@host/"), "0x20"));
  CHECK(contains(url_error("http://@host/"), "no user"));
  CHECK(contains(url_error("https://us{er@host/"), "user information"));
}

TEST_CASE("parse_url: errors never echo user information or the port text") {
  auto m = url_error("https://client:s3cr3tvalue/token");  // '@' forgotten: secret in "port"
  CHECK(contains(m, "port"));
  CHECK_FALSE(contains(m, "s3cr3tvalue"));
  m = url_error("https://client:s3cr3t{value@host/");
  CHECK_FALSE(contains(m, "s3cr3t"));
}

TEST_CASE("is_loopback_host") {
  const char* yes[] = {"localhost",
                       "LOCALHOST",
                       "LocalHost",
                       "127.0.0.1",
                       "127.0.0.0",
                       "127.255.255.255",
                       "127.1.2.3",
                       "::1",
                       "[::1]",
                       "0:0:0:0:0:0:0:1",
                       "0000:0000:0000:0000:0000:0000:0000:0001",
                       "0::1",
                       "::0:1",
                       "::ffff:127.0.0.1",
                       "[::FFFF:127.9.8.7]",
                       "::ffff:7f00:1"};
  for (const char* h : yes) {
    CAPTURE(h);
    CHECK(pa::is_loopback_host(h));
  }
  const char* no[] = {"",
                      "localhost.com",
                      "foo.localhost",
                      "localhost.",
                      "[localhost]",
                      "128.0.0.1",
                      "126.0.0.1",
                      "127.0.0.256",
                      "127.0.0",
                      "127.0.0.1.1",
                      "127.1",
                      "0177.0.0.1",
                      "127.00.0.1",
                      "127.0.0.01",
                      "127.0.0.1 ",
                      " 127.0.0.1",
                      "127.0.0.1:80",
                      "::2",
                      "::",
                      "::ffff:128.0.0.1",
                      "::ffff:10.0.0.1",
                      "[::1",
                      "::1]",
                      "1::1",
                      "0:0:0:0:0:0:0:0:1",
                      "::0:0:0:0:0:0:0:1",
                      "0:0:0:0:0:0:0:1:",
                      ":0:0:0:0:0:0:0:1",
                      ":::1",
                      "::1::",
                      "0:0:0:0:0:0:1",
                      "00000::1",
                      "::g",
                      "[127.0.0.1]",
                      "[]",
                      "[",
                      "]",
                      "::1.2.3.4.5",
                      "::1:2.3.4",
                      "0.0.0.0",
                      "10.0.0.1",
                      "::127.0.0.1"};
  for (const char* h : no) {
    CAPTURE(h);
    CHECK_FALSE(pa::is_loopback_host(h));
  }
}

TEST_CASE("check_endpoint: https required unless loopback or opted out") {
  auto u = pa::check_endpoint("https://api.profilebehavior.com/v3/auth");
  REQUIRE(u.has_value());
  CHECK(u->host == "api.profilebehavior.com");
  CHECK(pa::check_endpoint("http://localhost:8080/token").has_value());
  CHECK(pa::check_endpoint("http://127.0.0.1/token").has_value());
  CHECK(pa::check_endpoint("http://127.42.0.7:1234/token").has_value());
  CHECK(pa::check_endpoint("http://[::1]:9000/token").has_value());
  CHECK(pa::check_endpoint("http://api.example.com/token", true).has_value());

  auto m = error_of(pa::check_endpoint("http://api.example.com/token?client_secret=s3cr3t"),
                    pa::errc::insecure_endpoint);
  CHECK(contains(m, "http://api.example.com"));
  CHECK(contains(m, "https"));
  CHECK_FALSE(contains(m, "s3cr3t"));
  CHECK_FALSE(contains(m, "/token"));
  CHECK(
      contains(error_of(pa::check_endpoint("http://[2001:db8::1]/t"), pa::errc::insecure_endpoint),
               "http://[2001:db8::1]"));
  error_of(pa::check_endpoint("http://localhost.evil.com/"), pa::errc::insecure_endpoint);
  error_of(pa::check_endpoint("http://127.1/"), pa::errc::insecure_endpoint);
}

TEST_CASE("check_endpoint: invalid endpoints") {
  using pa::errc;
  CHECK(contains(error_of(pa::check_endpoint("https://host/token#frag"), errc::invalid_url),
                 "fragment"));
  CHECK(
      contains(error_of(pa::check_endpoint("https://host/token#"), errc::invalid_url), "fragment"));
  CHECK(contains(error_of(pa::check_endpoint("ftp://host/x"), errc::invalid_url), "'ftp'"));
  CHECK(contains(error_of(pa::check_endpoint("com.example.app:/cb"), errc::invalid_url),
                 "'com.example.app'"));
  auto m = error_of(pa::check_endpoint("https://user:hunter2@host/"), errc::invalid_url);
  CHECK(contains(m, "user information"));
  CHECK_FALSE(contains(m, "hunter2"));
  CHECK(contains(error_of(pa::check_endpoint("not a url"), errc::invalid_url), "0x20"));
  error_of(pa::check_endpoint(""), errc::invalid_url);
}

TEST_CASE("parse_query") {
  auto q = pa::parse_query("");
  REQUIRE(q.has_value());
  CHECK(q->empty());
  CHECK(pa::parse_query("?").value().empty());
  CHECK(pa::parse_query("&&").value().empty());

  q = pa::parse_query("?code=Spl%2Bx&state=abc+def&state=2&flag&=v&a=b=c&&e=&");
  REQUIRE(q.has_value());
  const pa::query_params expected = {
      {"code", "Spl+x"}, {"state", "abc def"}, {"state", "2"}, {"flag", ""},
      {"", "v"},         {"a", "b=c"},         {"e", ""}};
  CHECK(*q == expected);
  CHECK(pa::parse_query("k%20ey+1=v%2Bx").value() == pa::query_params{{"k ey 1", "v+x"}});
}

TEST_CASE("parse_query: malformed escapes") {
  using pa::errc;
  auto m = error_of(pa::parse_query("a=%zz"), errc::invalid_percent_encoding);
  CHECK(contains(m, "position 2 of the query"));
  CHECK(contains(m, "two hex digits"));
  m = error_of(pa::parse_query("?a=1&b=%4"), errc::invalid_percent_encoding);
  CHECK(contains(m, "position 7"));  // counted in the text as given, '?' included
  CHECK(contains(m, "fewer than two"));
  CHECK(contains(error_of(pa::parse_query("a=%4&b=1"), errc::invalid_percent_encoding),
                 "fewer than two"));
  CHECK(contains(error_of(pa::parse_query("x=1&n%m=1"), errc::invalid_percent_encoding),
                 "position 5"));
  m = error_of(pa::parse_query("code=SECRETCODE%G1"), errc::invalid_percent_encoding);
  CHECK_FALSE(contains(m, "SECRETCODE"));
}

TEST_CASE("query_string builds a form-encoded query and round-trips through parse_query") {
  const pa::query_params p = {{"a b", "c&d"}, {"e", "f=g"}, {"empty", ""}, {"~x", "\xC3\xA9"}};
  CHECK(pa::query_string(p) == "a+b=c%26d&e=f%3Dg&empty=&~x=%C3%A9");
  CHECK(pa::parse_query(pa::query_string(p)).value() == p);
  CHECK(pa::query_string({}) == "");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  const pa::query_params all = {{bytes, bytes}, {"x", bytes}};
  CHECK(pa::parse_query(pa::query_string(all)).value() == all);
}
