// SPDX-License-Identifier: MIT
// Tests for the allocation-free endpoint check (detail::check_endpoint_text) that request
// builders use: it must agree with check_endpoint() on every verdict and message.
#include <profile/auth/oauth_error.hpp>  // detail::json_only
#include <profile/auth/url.hpp>

#include <doctest/doctest.h>

#include <string>       // std::string::npos
#include <string_view>  // the URLs

namespace pa = profile::auth;

TEST_CASE("check_endpoint_text agrees with check_endpoint") {
  for (const std::string_view url : {"https://api.profilebehavior.com/v3/auth",
                                     "HTTPS://Host.Example:8443/t?x=1",
                                     "http://localhost:8080/token",
                                     "http://127.0.0.1/t",
                                     "http://[::1]:9/t",
                                     "http://[::FFFF:127.0.0.1]/t",
                                     "http://LOCALHOST/t",
                                     "https://[2001:DB8::1]/t",
                                     "",
                                     "example.com/token",
                                     "1abc://x",
                                     "https:",
                                     "https:host/x",
                                     "foo:",
                                     "https:///path",
                                     "http://:80/",
                                     "https://host:/",
                                     "https://host:99999/",
                                     "https://host:0/",
                                     "https://host:8a/",
                                     "https://ho st/",
                                     "https://host/\x7F",
                                     "https://host\\@evil.com/",
                                     "https://a@b@c/",
                                     "https://[::1/",
                                     "https://[::g]/",
                                     "https://[::1]x/",
                                     "https://host/%zz",
                                     "https://host/?a=%4",
                                     "https://host/#%",
                                     "https://ho%41st/",
                                     "https://host/a[1]",
                                     "https://host/a#b#c",
                                     "https://us er@host/",
                                     "http://@host/",
                                     "https://us{er@host/",
                                     "https://id:secret@host/t",
                                     "https://host/t#frag",
                                     "https://host/t#",
                                     "ftp://host/x",
                                     "com.example.app:/cb",
                                     "http://api.example.com/t",
                                     "http://[2001:db8::1]/t",
                                     "http://127.1/t",
                                     "http://localhost./t"}) {
    for (const bool insecure : {false, true}) {
      CAPTURE(url);
      CAPTURE(insecure);
      const auto full = pa::check_endpoint(url, insecure);
      const auto quick = pa::detail::check_endpoint_text(url, insecure);
      REQUIRE(full.has_value() == quick.has_value());
      if (full) continue;
      CHECK(full.error().code == quick.error().code);
      CHECK(full.error().message == quick.error().message);
    }
  }
}

TEST_CASE("endpoint messages name scheme and host in lower case, never path or credentials") {
  const auto e = pa::detail::check_endpoint_text("HTTP://API.Example.COM/t?secret=1", false);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == pa::errc::insecure_endpoint);
  CHECK(e.error().message.find("http://api.example.com ") != std::string::npos);
  CHECK(e.error().message.find("secret") == std::string::npos);
  const auto u = pa::detail::check_endpoint_text("https://id:hunter2@Host/t", false);
  REQUIRE_FALSE(u.has_value());
  CHECK(u.error().code == pa::errc::invalid_url);
  CHECK(u.error().message.find("'host'") != std::string::npos);
  CHECK(u.error().message.find("hunter2") == std::string::npos);
  const auto s = pa::detail::check_endpoint_text("FTP://host/x", false);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().message.find("'ftp'") != std::string::npos);
}

TEST_CASE("the default build reads every body shape and keeps the long messages") {
  static_assert(!pa::detail::terse_errors && !pa::detail::json_only);
  const auto u = pa::parse_url("https://host:0/");
  REQUIRE_FALSE(u.has_value());
  CHECK(u.error().message == "invalid URL: the port at position 13 is out of range (1-65535)");
}
