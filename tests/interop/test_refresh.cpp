// SPDX-License-Identifier: MIT
// Interop: refresh with rotation against oidc-provider, the replayed refresh token refused,
// and user_session over a memory store doing the same, then logging out.
#include "interop.hpp"

#include <profile/auth/stores/memory_store.hpp>

#include <string>  // headers

namespace {

/// The refresh token held in `store` (REQUIREd to be there).
pa::secret stored_refresh_token(const pa::memory_store& store) {
  auto s = store.load();
  REQUIRE(s);
  REQUIRE(s->has_value());
  return (*s)->refresh_token;
}

/// A refresh request with `rt` answered by the server.
template <class T>
pa::http_response refresh_with(T& t, const pa::user_auth_config& cfg, const pa::secret& rt) {
  auto req = pa::refresh_token_request(cfg, rt);
  REQUIRE_MESSAGE(req, req.error().message);
  return interop::send(t, *req);
}

}  // namespace

TEST_SUITE("interop: refresh tokens") {
  TEST_CASE("rotation: a refresh returns a new refresh token; replaying the old one fails") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::native_config();
    const pa::token first = interop::login(t, cfg);
    REQUIRE(first.has_refresh_token());

    auto second = pa::parse_refresh_response(refresh_with(t, cfg, first.refresh_token),
                                             interop::now(), first);
    REQUIRE_MESSAGE(second, second.error().message);
    CHECK(pa::refresh_token_rotated(first, *second));
    CHECK(!(second->access_token == first.access_token));
    CHECK(!second->scope.empty());

    // The old refresh token again: invalid_grant, and a verdict that only a login helps.
    const pa::http_response replay = refresh_with(t, cfg, first.refresh_token);
    auto raw = pa::parse_token_response(replay, interop::now());
    REQUIRE(!raw);
    CHECK(raw.error().code == pa::errc::invalid_grant);
    CHECK(raw.error().http_status == 400);
    CHECK(pa::classify(raw.error()) == pa::error_class::reauthenticate);
    auto mapped = pa::parse_refresh_response(replay, interop::now(), first);
    REQUIRE(!mapped);
    CHECK(mapped.error().code == pa::errc::reauthentication_required);
    CHECK(mapped.error().oauth_error == "invalid_grant");
    CHECK(pa::classify(mapped.error()) == pa::error_class::reauthenticate);

    // NOTES.md: the replay revoked the whole grant, so the newest refresh token died too.
    auto after =
        pa::parse_token_response(refresh_with(t, cfg, second->refresh_token), interop::now());
    REQUIRE(!after);
    CHECK(after.error().code == pa::errc::invalid_grant);
  }

  TEST_CASE("a confidential client (Basic) refreshes with rotation too") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::web_config();
    const pa::token first = interop::login(t, cfg);
    REQUIRE(first.has_refresh_token());
    auto second = pa::parse_refresh_response(refresh_with(t, cfg, first.refresh_token),
                                             interop::now(), first);
    REQUIRE_MESSAGE(second, second.error().message);
    CHECK(pa::refresh_token_rotated(first, *second));
  }

  TEST_CASE("user_session: login, refresh with rotation into the store, replay kills it") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::native_config();
    pa::memory_store store;
    pa::user_session session{interop::transport(), cfg, store};

    auto none = session.authorization_header();
    REQUIRE(!none);
    CHECK(none.error().code == pa::errc::not_authenticated);

    interop::login_attempt a = interop::authorize(cfg, interop::user_choice::approve);
    const std::string iss = interop::issuer();
    auto cb = pa::parse_authorization_callback(a.callback, a.state, std::string_view(iss));
    REQUIRE(cb);
    auto done = session.complete_login(*cb, a.pkce);
    REQUIRE_MESSAGE(done, done.error().message);
    const pa::secret r0 = stored_refresh_token(store);
    CHECK(!r0.empty());

    auto h0 = session.authorization_header();
    REQUIRE_MESSAGE(h0, h0.error().message);
    CHECK(interop::userinfo(t, *h0).status == 200);
    // session.send adds the header itself.
    pa::http_request me{"GET", interop::url("/me"), {{"Accept", "application/json"}}, {}};
    auto sent = session.send(me);
    REQUIRE(sent);
    CHECK(sent->status == 200);

    session.invalidate();  // the next call refreshes
    auto h1 = session.authorization_header();
    REQUIRE_MESSAGE(h1, h1.error().message);
    CHECK(*h1 != *h0);
    const pa::secret r1 = stored_refresh_token(store);
    CHECK(!(r1 == r0));                          // rotated, and the rotation reached the store
    CHECK(session.stats().token_requests == 2);  // the code exchange and one refresh
    CHECK(interop::userinfo(t, *h1).status == 200);

    // Someone replays the replaced refresh token: the server revokes the grant (NOTES.md) ...
    auto replay = pa::parse_token_response(refresh_with(t, cfg, r0), interop::now());
    REQUIRE(!replay);
    CHECK(replay.error().code == pa::errc::invalid_grant);
    // ... so the session's own refresh fails for good, and the dead session leaves the store.
    session.invalidate();
    auto dead = session.authorization_header();
    REQUIRE(!dead);
    CHECK(dead.error().code == pa::errc::reauthentication_required);
    CHECK(pa::classify(dead.error()) == pa::error_class::reauthenticate);
    auto left = store.load();
    REQUIRE(left);
    CHECK(!left->has_value());
  }

  TEST_CASE("user_session: logout revokes the refresh token at the server") {
    auto t = interop::transport();
    const pa::user_auth_config cfg = interop::native_config();
    pa::memory_store store;
    pa::user_session session{interop::transport(), cfg, store};
    interop::login_attempt a = interop::authorize(cfg, interop::user_choice::approve);
    const std::string iss = interop::issuer();
    auto cb = pa::parse_authorization_callback(a.callback, a.state, std::string_view(iss));
    REQUIRE(cb);
    REQUIRE(session.complete_login(*cb, a.pkce));
    const pa::secret rt = stored_refresh_token(store);
    auto h = session.authorization_header();
    REQUIRE(h);

    auto out = session.logout();
    REQUIRE_MESSAGE(out, out.error().message);
    auto after = session.authorization_header();
    REQUIRE(!after);
    CHECK(after.error().code == pa::errc::not_authenticated);
    auto left = store.load();
    REQUIRE(left);
    CHECK(!left->has_value());
    // The server agrees: the refresh token and the access token are both dead.
    auto refused = pa::parse_token_response(refresh_with(t, cfg, rt), interop::now());
    REQUIRE(!refused);
    CHECK(refused.error().code == pa::errc::invalid_grant);
    CHECK(interop::userinfo(t, *h).status == 401);
  }
}
