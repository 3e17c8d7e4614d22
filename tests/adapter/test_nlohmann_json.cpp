// SPDX-License-Identifier: MIT
// profile-auth tests: the nlohmann/json adapter, checked against the library's own readers.
#include <profile/auth/adapters/nlohmann_json.hpp>
#include <profile/auth/discovery.hpp>
#include <profile/auth/grants/device_authorization.hpp>
#include <profile/auth/token_response.hpp>
#include <profile/auth/token_store.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>       // time points and stamps
#include <iomanip>      // std::setw: a pretty-printed dump
#include <optional>     // unknown_member
#include <sstream>      // operator<< of a document
#include <string>       // bodies
#include <string_view>  // secrets
#include <type_traits>  // is_constructible
#include <utility>      // std::move

namespace pa = profile::auth;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Each is distinctive, so a leak into any dump or message is found by a plain search.
constexpr std::string_view access_tok = "AcC3SS-nl-tok-Vb20";
constexpr std::string_view refresh_tok = "R3FRESH-nl-tok-Zp41";
constexpr std::string_view id_tok = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJubCJ9.";
constexpr std::string_view device = "D3VICE-nl-code-Lm88";

// 2026-01-01T00:00:00Z on the wall clock, and a monotonic clock that started long before.
const std::chrono::system_clock::time_point wall_2026{1767225600s};
const pa::json_time_anchor anchor{pa::time_point(5000s), wall_2026};

pa::http_response json_response(std::string body) {
  pa::http_response r;
  r.status = 200;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

std::string token_body() {
  return R"({"access_token":")" + std::string(access_tok) + R"(","token_type":"bearer",)" +
         R"("refresh_token":")" + std::string(refresh_tok) + R"(","id_token":")" +
         std::string(id_tok) + R"(","scope":["read","write"],"expires_in":"3600",)" +
         R"("user":{"id":42,"roles":["admin"]},"refresh_expires_in":86400,"note":"caf\u00e9"})";
}

// A token that arrived at monotonic 4990 s, ten seconds before the anchor.
pa::token sample_token() {
  auto t = pa::parse_token_response(json_response(token_body()), pa::time_point(4990s));
  REQUIRE(t.has_value());
  return std::move(*t);
}

void check_same_token(const pa::token& a, const pa::token& b) {
  CHECK(a.access_token == b.access_token);
  CHECK(a.refresh_token == b.refresh_token);
  CHECK(a.id_token == b.id_token);
  CHECK(a.token_type == b.token_type);
  CHECK(a.scope == b.scope);
  CHECK(a.expires_in == b.expires_in);
  json ua = pa::unknown_members(a);
  ua.erase("profile_auth");  // the storage form's stamp, an unknown member to other readers
  CHECK(ua == pa::unknown_members(b));
}

bool leaks(const std::string& text) {
  for (const std::string_view s : {access_tok, refresh_tok, id_tok, device})
    if (text.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

// Secrets never turn into JSON by accident: only the adapter's explicit calls write them.
static_assert(!std::is_constructible_v<json, pa::secret>);
static_assert(std::is_constructible_v<json, pa::token>);

TEST_CASE("nlohmann adapter: a token's display form redacts every secret") {
  const pa::token t = sample_token();
  const json j = t;
  CHECK(j.at("access_token") == "[redacted]");
  CHECK(j.at("refresh_token") == "[redacted]");
  CHECK(j.at("id_token") == "[redacted]");
  CHECK(j.at("token_type") == "bearer");
  CHECK(j.at("scope") == "read write");
  CHECK(j.at("expires_in") == 3600);
  CHECK_FALSE(j.contains("user"));  // unknown members could be sensitive: not displayed
  CHECK_FALSE(leaks(j.dump()));
  std::ostringstream os;
  os << j << json(pa::stored_session{}) << std::setw(2) << j;
  CHECK_FALSE(leaks(os.str()));

  pa::token bare;
  bare.access_token = pa::secret(access_tok);
  const json b = bare;
  CHECK_FALSE(b.contains("refresh_token"));
  CHECK_FALSE(b.contains("id_token"));
  CHECK_FALSE(b.contains("scope"));
  CHECK_FALSE(b.contains("expires_in"));

  // Reading the display form back is refused: it would make "[redacted]" a bearer token.
  const auto r = pa::from_nlohmann<pa::token>(j, anchor);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);
  CHECK(r.error().message.find("to_json_with_secrets") != std::string::npos);
}

TEST_CASE("nlohmann adapter: a token's storage form is a token response the library reads") {
  const pa::token t = sample_token();
  auto j = pa::to_json_with_secrets(t, anchor);
  REQUIRE(j.has_value());
  CHECK(j->at("access_token") == access_tok);
  CHECK(j->at("refresh_token") == refresh_tok);
  CHECK(j->at("scope") == "read write");
  CHECK(j->at("expires_in") == 3600);
  CHECK(j->at("user") == json::parse(R"({"id":42,"roles":["admin"]})"));
  const json& stamp = j->at("profile_auth");
  CHECK(stamp.at("format") == "profile-auth.token");
  CHECK(stamp.at("version") == 1);
  CHECK(stamp.at("received_at") == 1767225600 - 10);
  CHECK(stamp.at("expires_at") == 1767225600 - 10 + 3600);

  // The library's own parser reads the same token out of the text.
  const std::string text = j->dump();
  auto parsed = pa::parse_token_response(json_response(text), pa::time_point(4990s));
  REQUIRE(parsed.has_value());
  check_same_token(*parsed, t);
  CHECK(parsed->extra_member("profile_auth").has_value());  // the stamp is one more member

  // Read back in another process: a monotonic clock with another origin, 100 s later.
  const pa::json_time_anchor later{pa::time_point(70s), wall_2026 + 100s};
  auto back = pa::from_nlohmann<pa::token>(*j, later);
  REQUIRE(back.has_value());
  check_same_token(*back, t);
  CHECK_FALSE(back->extra_member("profile_auth").has_value());
  CHECK(back->received_at == pa::time_point(70s - 110s));
  CHECK(back->expires_at == pa::time_point(70s - 110s + 3600s));

  // The same through an ordered_json document, which keeps the members' order.
  auto ordered = pa::to_json_with_secrets<nlohmann::ordered_json>(t, anchor);
  REQUIRE(ordered.has_value());
  auto from_ordered = pa::from_nlohmann<pa::token>(*ordered, anchor);
  REQUIRE(from_ordered.has_value());
  check_same_token(*from_ordered, t);
  CHECK(from_ordered->expires_at == t.expires_at);
}

TEST_CASE("nlohmann adapter: sub-second anchors and stamps are consistent") {
  pa::token t = sample_token();
  t.received_at = pa::time_point(4990s + 700ms);
  t.expires_at = t.received_at + 3600s;
  const pa::json_time_anchor a{pa::time_point(5000s + 200ms), wall_2026 + 300ms};
  auto j = pa::to_json_with_secrets(t, a);
  REQUIRE(j.has_value());
  // Wall time of receipt: 2026-01-01 + 0.3 s - 9.5 s, floored.
  CHECK(j->at("profile_auth").at("received_at") == 1767225600 - 10);
  auto back = pa::from_nlohmann<pa::token>(*j, a);
  REQUIRE(back.has_value());
  // Floored to whole seconds: never later than the truth, at most a second earlier.
  CHECK(back->expires_at <= t.expires_at);
  CHECK(t.expires_at - back->expires_at < 1s);
}

TEST_CASE("nlohmann adapter: a server's token response is read as received at the anchor") {
  const json plain =
      json::parse(R"({"access_token":"abc","token_type":"Bearer","expires_in":"120",)"
                  R"("scope":"a b","extension":[1,{"x":null}]})");
  auto t = pa::from_nlohmann<pa::token>(plain, anchor);
  REQUIRE(t.has_value());
  CHECK(t->access_token.reveal() == "abc");
  CHECK(t->received_at == anchor.steady);
  CHECK(t->expires_at == anchor.steady + 120s);
  CHECK(t->expires_in == 120s);
  REQUIRE(pa::unknown_member(*t, "extension").has_value());
  CHECK(*pa::unknown_member(*t, "extension") == json::parse(R"([1,{"x":null}])"));
  CHECK_FALSE(pa::unknown_member(*t, "absent").has_value());

  auto no_expiry = pa::from_nlohmann<pa::token>(json{{"access_token", "abc"}}, anchor);
  REQUIRE(no_expiry.has_value());
  CHECK(no_expiry->token_type == "Bearer");
  CHECK_FALSE(no_expiry->expires_in.has_value());
  CHECK(no_expiry->expires_at == anchor.steady + 3600s);  // token_parse_options' assumption

  // A "profile_auth" member that is not our stamp is an ordinary unknown member.
  auto foreign = pa::from_nlohmann<pa::token>(
      json{{"access_token", "abc"}, {"profile_auth", {{"format", "other"}}}}, anchor);
  REQUIRE(foreign.has_value());
  CHECK(foreign->received_at == anchor.steady);
  CHECK(foreign->extra_member("profile_auth").has_value());
}

TEST_CASE("nlohmann adapter: malformed token documents are refused with a clear error") {
  const auto refused = [](const json& j, pa::errc code, std::string_view says) {
    auto r = pa::from_nlohmann<pa::token>(j, anchor);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == code);
    CHECK(r.error().message.find(says) != std::string::npos);
    CHECK_FALSE(leaks(r.error().message));
  };
  const json good = *pa::to_json_with_secrets(sample_token(), anchor);
  refused(json::array({1, 2}), pa::errc::invalid_argument, "not a JSON object");
  refused(json{{"token_type", "Bearer"}}, pa::errc::invalid_argument, "no access_token");
  refused(json{{"access_token", ""}}, pa::errc::invalid_argument, "no access_token");
  refused(json{{"access_token", 42}}, pa::errc::invalid_argument, "\"access_token\" member");
  json j = good;
  j["refresh_token"] = json::array();
  refused(j, pa::errc::invalid_argument, "\"refresh_token\" member that is not a string");
  j = good;
  j["refresh_token"] = "[redacted]";
  refused(j, pa::errc::invalid_argument, "redacted \"refresh_token\"");
  j = good;
  j["token_type"] = "MAC";
  refused(j, pa::errc::unsupported_token_type, "Bearer");
  j = good;
  j["expires_in"] = true;
  refused(j, pa::errc::invalid_argument, "expires_in");
  j = good;
  j["error"] = "invalid_grant";
  refused(j, pa::errc::invalid_argument, "OAuth error");
  j = good;
  j["profile_auth"]["version"] = 2;
  refused(j, pa::errc::invalid_argument, "version");
  j = good;
  j["profile_auth"]["expires_at"] = "soon";
  refused(j, pa::errc::invalid_argument, "\"expires_at\"");
  j = good;
  j["profile_auth"]["received_at"] = -1;
  refused(j, pa::errc::invalid_argument, "\"received_at\"");
  j = good;
  j["profile_auth"]["expires_at"] = 1000;
  refused(j, pa::errc::invalid_argument, "expires before");
  j = good;
  j["note"] = std::string("\xC3\x28");  // nlohmann stores any bytes; dump() would throw
  refused(j, pa::errc::invalid_utf8, "UTF-8");
  j = good;
  j["big"] = std::string(64 * 1024 + 1, 'x');
  refused(j, pa::errc::limit_exceeded, "longer than");
  json deep = 1;
  for (int i = 0; i < 40; ++i) deep = json::array({deep});
  j = good;
  j["deep"] = deep;
  refused(j, pa::errc::limit_exceeded, "nests deeper");
}

TEST_CASE("nlohmann adapter: to_json_with_secrets refuses what it cannot write faithfully") {
  pa::token t = sample_token();
  t.scope = "\xFF";
  auto r = pa::to_json_with_secrets(t, anchor);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);

  t = sample_token();
  t.received_at = anchor.steady - 200 * 366 * 24h;  // two centuries before the anchor
  r = pa::to_json_with_secrets(t, anchor);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("json_time_anchor") != std::string::npos);

  auto reserved = pa::parse_token_response(
      json_response(R"({"access_token":"abc","profile_auth":{"format":"other"}})"),
      pa::time_point(4990s));
  REQUIRE(reserved.has_value());
  r = pa::to_json_with_secrets(*reserved, anchor);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("reserves") != std::string::npos);
}

TEST_CASE("nlohmann adapter: error round trip") {
  pa::error e(pa::errc::invalid_grant, "the token endpoint answered 400 invalid_grant: log in");
  e.http_status = 400;
  e.oauth_error = "invalid_grant";
  e.description = "grant request is invalid";
  e.uri = "https://auth.example/errors#grant";
  e.retry_after = 30s;
  e.request_id = "req-77";
  const json j = e;
  CHECK(j.at("code") == "invalid_grant");
  CHECK(j.at("classification") == "reauthenticate");
  CHECK(j.at("http_status") == 400);
  CHECK(j.at("retry_after") == 30);
  auto back = pa::from_nlohmann<pa::error>(j);
  REQUIRE(back.has_value());
  CHECK(back->code == e.code);
  CHECK(back->http_status == e.http_status);
  CHECK(back->oauth_error == e.oauth_error);
  CHECK(back->description == e.description);
  CHECK(back->uri == e.uri);
  CHECK(back->retry_after == e.retry_after);
  CHECK(back->request_id == e.request_id);
  CHECK(back->message == e.message);

  // Every errc the library has (values are contiguous from 1) survives the trip.
  int codes = 0;
  for (int c = 1; pa::to_string(static_cast<pa::errc>(c)) != "unknown"; ++c, ++codes) {
    const json coded = pa::error(static_cast<pa::errc>(c), "m");
    auto r = pa::from_nlohmann<pa::error>(coded);
    REQUIRE(r.has_value());
    CHECK(r->code == static_cast<pa::errc>(c));
  }
  CHECK(codes > static_cast<int>(pa::errc::random_failed) - 1);

  const json minimal = pa::error(pa::errc::random_failed, "no entropy");
  CHECK(minimal.at("retry_after").is_null());
  auto m = pa::from_nlohmann<pa::error>(json{{"code", "random_failed"}});
  REQUIRE(m.has_value());
  CHECK(m->code == pa::errc::random_failed);
  CHECK(m->http_status == 0);
  CHECK_FALSE(m->retry_after.has_value());

  for (const json& bad : {json{{"code", "no_such_code"}}, json{{"message", "x"}}, json{{"code", 3}},
                          json{{"code", "invalid_grant"}, {"http_status", "400"}},
                          json{{"code", "invalid_grant"}, {"http_status", 1000}},
                          json{{"code", "invalid_grant"}, {"retry_after", -1}},
                          json{{"code", "invalid_grant"}, {"description", false}}}) {
    auto r = pa::from_nlohmann<pa::error>(bad);
    CHECK_FALSE(r.has_value());
    if (!r) CHECK(r.error().code == pa::errc::invalid_argument);
  }
}

TEST_CASE("nlohmann adapter: stored_session agrees with serialize_session") {
  pa::stored_session s;
  s.refresh_token = pa::secret(refresh_tok);
  s.access_token = pa::secret(access_tok);
  s.access_expires_at = wall_2026 + 3600s;
  s.scope = "openid profile";
  auto j = pa::to_json_with_secrets(s);
  REQUIRE(j.has_value());
  auto text = pa::serialize_session(s);
  REQUIRE(text.has_value());
  CHECK(*j == json::parse(*text));
  auto back = pa::from_nlohmann<pa::stored_session>(*j);
  REQUIRE(back.has_value());
  CHECK(*back == s);
  auto via_library = pa::deserialize_session(j->dump());
  REQUIRE(via_library.has_value());
  CHECK(*via_library == s);

  const json shown = s;
  CHECK_FALSE(leaks(shown.dump()));
  CHECK(shown.at("refresh_token") == "[redacted]");
  CHECK(shown.at("access_expires_at") == 1767225600 + 3600);
  auto r = pa::from_nlohmann<pa::stored_session>(shown);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::store_corrupt);

  pa::stored_session none;  // no tokens, no expiry
  const json empty_shown = none;
  CHECK(empty_shown.at("access_token") == "");
  CHECK(empty_shown.at("access_expires_at").is_null());
  auto none_back = pa::from_nlohmann<pa::stored_session>(*pa::to_json_with_secrets(none));
  REQUIRE(none_back.has_value());
  CHECK(*none_back == none);

  // The library's rules and messages apply, whichever way the document arrives.
  json bad = *j;
  bad["version"] = 9;
  auto newer = pa::from_nlohmann<pa::stored_session>(bad);
  REQUIRE_FALSE(newer.has_value());
  CHECK(newer.error().code == pa::errc::store_corrupt);
  CHECK(newer.error().message == pa::deserialize_session(bad.dump()).error().message);
  bad = *j;
  bad["access_token"] = 5;
  CHECK(pa::from_nlohmann<pa::stored_session>(bad).error().code == pa::errc::store_corrupt);
  bad = *j;
  bad.erase("format");
  CHECK(pa::from_nlohmann<pa::stored_session>(bad).error().code == pa::errc::store_corrupt);
  bad = *j;
  bad["scope"] = std::string("\xC0\xAF");
  CHECK(pa::from_nlohmann<pa::stored_session>(bad).error().code == pa::errc::store_corrupt);
  CHECK(pa::from_nlohmann<pa::stored_session>(json("text")).error().code ==
        pa::errc::store_corrupt);

  pa::stored_session ancient = s;
  ancient.access_expires_at = std::chrono::system_clock::time_point(-5s);
  CHECK(pa::to_json_with_secrets(ancient).error().code == pa::errc::invalid_argument);
}

TEST_CASE("nlohmann adapter: device authorization round trip") {
  const std::string body =
      R"({"device_code":")" + std::string(device) +
      R"(","user_code":"QXRT-WPLN","verification_uri":"https://auth.example/activate",)"
      R"("verification_uri_complete":"https://auth.example/activate?code=QXRT-WPLN",)"
      R"("expires_in":900,"interval":7})";
  auto d = pa::parse_device_authorization_response(json_response(body), pa::time_point(4990s));
  REQUIRE(d.has_value());

  const json shown = *d;
  CHECK(shown.at("device_code") == "[redacted]");
  CHECK(shown.at("user_code") == "QXRT-WPLN");
  CHECK(shown.at("interval") == 7);
  CHECK_FALSE(leaks(shown.dump()));
  CHECK(pa::from_nlohmann<pa::device_authorization>(shown, anchor).error().code ==
        pa::errc::invalid_argument);

  auto j = pa::to_json_with_secrets(*d, anchor);
  REQUIRE(j.has_value());
  CHECK(j->at("profile_auth").at("expires_at") == 1767225600 - 10 + 900);
  auto reparsed =
      pa::parse_device_authorization_response(json_response(j->dump()), pa::time_point(4990s));
  REQUIRE(reparsed.has_value());
  const pa::json_time_anchor later{pa::time_point(70s), wall_2026 + 100s};
  auto back = pa::from_nlohmann<pa::device_authorization>(*j, later);
  REQUIRE(back.has_value());
  for (const pa::device_authorization* x : {&*reparsed, &*back}) {
    CHECK(x->device_code == d->device_code);
    CHECK(x->user_code == d->user_code);
    CHECK(x->verification_uri == d->verification_uri);
    CHECK(x->verification_uri_complete == d->verification_uri_complete);
    CHECK(x->expires_in == d->expires_in);
    CHECK(x->interval == d->interval);
  }
  CHECK(back->received_at == pa::time_point(70s - 110s));
  CHECK(back->expires_at == pa::time_point(70s - 110s + 900s));

  auto plain = pa::from_nlohmann<pa::device_authorization>(json::parse(body), anchor);
  REQUIRE(plain.has_value());
  CHECK(plain->expires_at == anchor.steady + 900s);

  const auto refused = [&](const char* member, const json& value, pa::errc code) {
    json bad = *j;
    if (value.is_null())
      bad.erase(member);
    else
      bad[member] = value;
    auto r = pa::from_nlohmann<pa::device_authorization>(bad, anchor);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == code);
    CHECK_FALSE(leaks(r.error().message));
  };
  refused("device_code", nullptr, pa::errc::invalid_argument);
  refused("device_code", "a\nb", pa::errc::invalid_argument);
  refused("user_code", "QXRT\x1b[2J", pa::errc::invalid_argument);
  refused("user_code", 1234, pa::errc::invalid_argument);
  refused("verification_uri", "http://auth.example/activate", pa::errc::insecure_endpoint);
  refused("verification_uri", "not a url", pa::errc::invalid_url);
  refused("expires_in", 0, pa::errc::invalid_argument);
  refused("expires_in", nullptr, pa::errc::invalid_argument);
  refused("interval", "5", pa::errc::invalid_argument);

  json no_interval = json::parse(body);
  no_interval.erase("interval");
  auto five = pa::from_nlohmann<pa::device_authorization>(no_interval, anchor);
  REQUIRE(five.has_value());
  CHECK(five->interval == 5s);
}

TEST_CASE("nlohmann adapter: authorization server metadata round trip") {
  const std::string body =
      R"({"issuer":"https://auth.example/tenant",)"
      R"("authorization_endpoint":"https://auth.example/tenant/authorize",)"
      R"("token_endpoint":"https://auth.example/tenant/token",)"
      R"("device_authorization_endpoint":"https://auth.example/tenant/device",)"
      R"("jwks_uri":"https://auth.example/tenant/jwks",)"
      R"("scopes_supported":["openid","offline_access"],)"
      R"("grant_types_supported":["authorization_code","refresh_token"],)"
      R"("code_challenge_methods_supported":["S256"],)"
      R"("authorization_response_iss_parameter_supported":true,)"
      R"("claims_supported":["sub","email"],"vendor_flag":{"on":true}})";
  auto m =
      pa::parse_authorization_server_metadata(json_response(body), "https://auth.example/tenant");
  REQUIRE(m.has_value());
  const json j = *m;
  CHECK(j.at("issuer") == "https://auth.example/tenant");
  CHECK(j.at("code_challenge_methods_supported") == json::array({"S256"}));
  CHECK(j.at("authorization_response_iss_parameter_supported") == true);
  CHECK(j.at("vendor_flag") == json::parse(R"({"on":true})"));
  CHECK_FALSE(j.contains("revocation_endpoint"));

  auto back = pa::from_nlohmann<pa::authorization_server_metadata>(j);
  REQUIRE(back.has_value());
  CHECK(back->issuer == m->issuer);
  CHECK(back->token_endpoint == m->token_endpoint);
  CHECK(back->scopes_supported == m->scopes_supported);
  CHECK(back->authorization_response_iss_parameter_supported);
  CHECK(back->extra_member("vendor_flag").has_value());
  // The library's parser reads the adapter's text to the same metadata (extra in name order).
  auto reparsed = pa::parse_authorization_server_metadata(json_response(j.dump()), m->issuer);
  REQUIRE(reparsed.has_value());
  CHECK(*reparsed == *back);

  const auto refused = [&](const char* member, const json& value, pa::errc code) {
    json bad = j;
    if (value.is_null())
      bad.erase(member);
    else
      bad[member] = value;
    auto r = pa::from_nlohmann<pa::authorization_server_metadata>(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == code);
    CHECK(r.error().http_status == 0);
  };
  refused("issuer", nullptr, pa::errc::invalid_argument);
  refused("issuer", 7, pa::errc::invalid_argument);
  refused("token_endpoint", "http://auth.example/token", pa::errc::insecure_endpoint);
  refused("scopes_supported", "openid", pa::errc::malformed_response);
  refused("authorization_response_iss_parameter_supported", "yes", pa::errc::malformed_response);
}

#if defined(__cpp_exceptions) && !defined(JSON_NOEXCEPTION)
TEST_CASE("nlohmann adapter: get<T>() throws a json::exception carrying the error") {
  const pa::token t = sample_token();
  const json shown = t;
  bool caught = false;
  try {
    (void)shown.get<pa::token>();
  } catch (const pa::json_conversion_error& e) {
    caught = true;
    CHECK(e.error().code == pa::errc::invalid_argument);
    CHECK(std::string(e.what()).find("[profile.auth.invalid_argument]") == 0);
  }
  CHECK(caught);
  CHECK_THROWS_AS((void)json::array().get<pa::error>(), nlohmann::json::exception);

  const json stored = *pa::to_json_with_secrets(t);
  const auto back = stored.get<pa::token>();
  CHECK(back.access_token == t.access_token);
  pa::error e = json{{"code", "slow_down"}};
  CHECK(e.code == pa::errc::slow_down);
  const auto s = json(*pa::to_json_with_secrets(pa::stored_session{})).get<pa::stored_session>();
  CHECK(s.access_token.empty());
}
#endif
