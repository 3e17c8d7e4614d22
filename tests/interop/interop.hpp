// SPDX-License-Identifier: MIT
// profile-auth interop suite: what every test shares — the server (server.hpp), the browser
// (browser.hpp), and a complete login of the authorization code flow.
#ifndef PROFILE_AUTH_TESTS_INTEROP_HPP
#define PROFILE_AUTH_TESTS_INTEROP_HPP

#include "browser.hpp"
#include "server.hpp"

#include <doctest/doctest.h>

#include <string>       // state, callback
#include <string_view>  // the expected issuer
#include <utility>      // std::move

namespace interop {

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
