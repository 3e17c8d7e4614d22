// SPDX-License-Identifier: MIT
// Interop: oidc-provider's error answers mapped to the right errc and classification. (The
// invalid_grant, authorization_pending and access_denied answers are checked with their flows.)
#include "interop.hpp"

#include <string>  // bodies

namespace {

/// Sends a client credentials request built from `cfg` and parses the answer.
template <class T>
pa::result<pa::token> ask(T& t, const pa::client_credentials_config& cfg,
                          pa::http_response* raw = nullptr) {
  auto req = pa::client_credentials_request(cfg);
  REQUIRE_MESSAGE(req, req.error().message);
  pa::http_response resp = interop::send(t, *req);
  auto tok = pa::parse_token_response(resp, interop::now());
  if (raw != nullptr) *raw = std::move(resp);
  return tok;
}

}  // namespace

TEST_SUITE("interop: error answers") {
  TEST_CASE("invalid_client: a wrong secret with Basic (401 with a Basic challenge)") {
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.client_secret = pa::secret("wrong-secret");
    pa::http_response raw;
    auto tok = ask(t, cfg, &raw);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_client);
    CHECK(tok.error().http_status == 401);
    CHECK(pa::classify(tok.error()) == pa::error_class::credentials);
    CHECK(!pa::is_retryable(tok.error()));
    CHECK(tok.error().message.find("wrong-secret") == std::string::npos);  // never the secret
    // NOTES.md: the challenge comes only when the request used Basic.
    const auto challenge = raw.headers.find("WWW-Authenticate");
    REQUIRE(challenge.has_value());
    CHECK(challenge->rfind("Basic", 0) == 0);
  }

  TEST_CASE("invalid_client: a wrong secret in the body (401 without a challenge)") {
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::post_config();
    cfg.client_secret = pa::secret("wrong-secret");
    pa::http_response raw;
    auto tok = ask(t, cfg, &raw);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_client);
    CHECK(tok.error().http_status == 401);
    CHECK(pa::classify(tok.error()) == pa::error_class::credentials);
    CHECK(!raw.headers.find("WWW-Authenticate").has_value());
  }

  TEST_CASE("Basic credentials that are not form-encoded are refused (NOTES.md)") {
    // The secret holds '%', '+', '/' and ':'. RFC 6749 §2.3.1 wants them form-encoded inside
    // Basic (the library's default); sent raw, oidc-provider chokes on the bare '%'.
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.basic = pa::basic_encoding::raw;
    auto tok = ask(t, cfg);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_request);
    CHECK(tok.error().http_status == 400);
  }

  TEST_CASE("invalid_client: an unknown client id") {
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::post_config();
    cfg.client_id = "nobody";
    auto tok = ask(t, cfg);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_client);
    CHECK(pa::classify(tok.error()) == pa::error_class::credentials);
  }

  TEST_CASE("m2m_client: bad credentials are sticky, not retried") {
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.client_secret = pa::secret("wrong-secret");
    pa::m2m_client client{interop::transport(), std::move(cfg)};
    auto h = client.authorization_header();
    REQUIRE(!h);
    CHECK(h.error().code == pa::errc::invalid_client);
    auto again = client.authorization_header();
    REQUIRE(!again);
    CHECK(again.error().code == pa::errc::invalid_client);
    CHECK(client.stats().token_requests == 1);  // the verdict was kept, nothing resent
  }

  TEST_CASE("unsupported_grant_type: a grant type the server does not know") {
    auto t = interop::transport();
    pa::http_request req{"POST", interop::url("/token"), {}, {}};
    req.headers.add("Accept", "application/json");
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    req.body = "grant_type=urn%3Aexample%3Aunknown-grant&client_id=m2m-post&client_secret=" +
               pa::form_urlencode(interop::post_client_secret);
    auto tok = pa::parse_token_response(interop::send(t, req), interop::now());
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::unsupported_grant_type);
    CHECK(tok.error().http_status == 400);
    CHECK(pa::classify(tok.error()) == pa::error_class::misconfiguration);
  }

  TEST_CASE("a grant type the client is not registered for") {
    // NOTES.md: oidc-provider answers invalid_request here, not RFC 6749's
    // unauthorized_client; the library maps what the server says.
    auto t = interop::transport();
    pa::client_credentials_config cfg;
    cfg.token_endpoint = interop::url("/token");
    cfg.client_id = std::string(interop::web_client_id);
    cfg.client_secret = pa::secret(interop::web_client_secret);
    auto tok = ask(t, cfg);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_request);
    CHECK(tok.error().http_status == 400);
    CHECK(pa::classify(tok.error()) == pa::error_class::misconfiguration);
  }

  TEST_CASE("invalid_target: a resource the server does not know (RFC 8707)") {
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::basic_config();
    cfg.resource = {"https://unknown-api.interop.test/"};
    auto tok = ask(t, cfg);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_target);
    CHECK(tok.error().http_status == 400);
    CHECK(pa::classify(tok.error()) == pa::error_class::misconfiguration);
  }

  TEST_CASE("a JSON body (the Profile API's convention) is refused: invalid_request") {
    // NOTES.md: oidc-provider's token endpoint reads form bodies only.
    auto t = interop::transport();
    pa::client_credentials_config cfg = interop::post_config();
    cfg.format = pa::body_format::json;
    auto tok = ask(t, cfg);
    REQUIRE(!tok);
    CHECK(tok.error().code == pa::errc::invalid_request);
    CHECK(tok.error().http_status == 400);
    CHECK(pa::classify(tok.error()) == pa::error_class::misconfiguration);
  }

  TEST_CASE("a non-JSON error page: http_error, never a verdict on the credentials") {
    auto t = interop::transport();
    SUBCASE("a wrong endpoint path: 404 page, misconfiguration") {
      pa::client_credentials_config cfg = interop::basic_config();
      cfg.token_endpoint = interop::url("/no-such-token-endpoint");
      pa::http_response raw;
      auto tok = ask(t, cfg, &raw);
      REQUIRE(!tok);
      CHECK(raw.status == 404);
      CHECK(tok.error().code == pa::errc::http_error);
      CHECK(tok.error().http_status == 404);
      CHECK(tok.error().oauth_error.empty());
      CHECK(pa::classify(tok.error()) == pa::error_class::misconfiguration);
    }
    SUBCASE("a request that prefers HTML gets the error as an HTML page") {
      // NOTES.md: with Accept: text/html oidc-provider renders its errors as a page. Without
      // an OAuth body the library cannot tell it from a proxy's page: http_error, retryable.
      pa::client_credentials_config cfg = interop::basic_config();
      cfg.client_secret = pa::secret("wrong-secret");
      auto req = pa::client_credentials_request(cfg);
      REQUIRE(req);
      req->headers.set("Accept", "text/html");
      const pa::http_response raw = interop::send(t, *req);
      CHECK(raw.status == 401);
      CHECK(raw.headers.find("Content-Type").value_or("").find("text/html") == 0);
      auto tok = pa::parse_token_response(raw, interop::now());
      REQUIRE(!tok);
      CHECK(tok.error().code == pa::errc::http_error);
      CHECK(tok.error().http_status == 401);
      CHECK(pa::classify(tok.error()) == pa::error_class::retryable);
    }
  }
}
