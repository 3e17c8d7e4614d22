// SPDX-License-Identifier: MIT
// Tests for token_response.hpp, oauth_error.hpp and detail/http_date.hpp.
#include <profile/auth/detail/http_date.hpp>
#include <profile/auth/oauth_error.hpp>
#include <profile/auth/token_response.hpp>

#include <doctest/doctest.h>

#include <chrono>       // lifetimes and wall-clock instants
#include <cstddef>      // std::size_t
#include <cstdint>      // the mutation generator's state
#include <string>       // bodies
#include <string_view>  // secret markers
#include <utility>      // std::pair of extra members
#include <vector>       // collected messages

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kAccess = "AT-0123456789abcdef";
constexpr std::string_view kRefresh = "RT-fedcba9876543210";
constexpr std::string_view kClientSecret = "S3CR3T-client-secret";
const pa::time_point t0 = pa::time_point(1000s);

/// Every message produced in this file, for the final scan.
std::vector<std::string>& collected() {
  static std::vector<std::string> all;
  return all;
}

void check_clean(const pa::error& e) {
  collected().push_back(e.message);
  for (const std::string_view s : {kAccess, kRefresh, kClientSecret}) {
    CHECK(e.message.find(s) == std::string::npos);
    CHECK(e.description.find(s) == std::string::npos);
    CHECK(e.oauth_error.find(s) == std::string::npos);
    CHECK(e.request_id.find(s) == std::string::npos);
  }
  CHECK_FALSE(e.message.empty());
  CHECK(e.message.find("token endpoint") != std::string::npos);
}

pa::http_response resp(int status, std::string body, std::string content_type = "application/json",
                       pa::header_list extra = {}) {
  pa::http_response r;
  r.status = status;
  if (!content_type.empty()) r.headers.add("Content-Type", content_type);
  for (const auto& [n, v] : extra) r.headers.add(n, v);
  r.body = std::move(body);
  return r;
}

pa::token ok(const pa::http_response& r, const pa::token_parse_options& o = {}) {
  auto t = pa::parse_token_response(r, t0, o);
  if (!t) {
    check_clean(t.error());
    FAIL("unexpected error: " << t.error().message);
  }
  return std::move(*t);
}

pa::error err(const pa::http_response& r, const pa::token_parse_options& o = {}) {
  auto t = pa::parse_token_response(r, t0, o);
  REQUIRE_FALSE(t.has_value());
  check_clean(t.error());
  CHECK(t.error().http_status == r.status);
  return t.error();
}

using member_list = std::vector<std::pair<std::string_view, std::string_view>>;

/// token::extra as a vector, for comparisons.
member_list members(const pa::token& t) { return member_list(t.extra.begin(), t.extra.end()); }

std::string with_expires(std::string_view expires_json) {
  return std::string(R"({"access_token":")") + std::string(kAccess) +
         R"(","token_type":"Bearer","expires_in":)" + std::string(expires_json) + "}";
}

}  // namespace

TEST_CASE("the Profile API answer") {
  const auto t = ok(resp(200, with_expires("3600")));
  CHECK(t.access_token.reveal() == kAccess);
  CHECK(t.token_type == "Bearer");
  CHECK(t.expires_in == 3600s);
  CHECK(t.received_at == t0);
  CHECK(t.expires_at == t0 + 3600s);
  CHECK_FALSE(t.has_refresh_token());
  CHECK(t.id_token.empty());
  CHECK(t.scope.empty());
  CHECK(t.extra.empty());
}

TEST_CASE("a standard answer keeps refresh token, id token, scope and unknown members") {
  const std::string body =
      std::string(R"({ "access_token" : ")") + std::string(kAccess) +
      R"(", "token_type":"bearer", "expires_in":300, "refresh_token":")" + std::string(kRefresh) +
      R"(", "id_token":"eyJ.x.y", "scope":"openid profile", "x_num": 1.5e2,)"
      R"( "x_obj": {"a":[1,true,null]}, "x_str":"a\"b", "refresh_expires_in": 86400 })";
  const auto t = ok(resp(200, body, "application/json; charset=utf-8"));
  CHECK(t.access_token.reveal() == kAccess);
  CHECK(t.token_type == "bearer");  // kept as issued
  CHECK(t.refresh_token.reveal() == kRefresh);
  CHECK(t.id_token.reveal() == "eyJ.x.y");
  CHECK(t.scope == "openid profile");
  CHECK(t.expires_at == t0 + 300s);
  REQUIRE(t.extra.size() == 4);
  CHECK(members(t) == member_list{{"x_num", "1.5e2"},
                                  {"x_obj", R"({"a":[1,true,null]})"},
                                  {"x_str", R"("a\"b")"},
                                  {"refresh_expires_in", "86400"}});
  CHECK(t.extra_member("x_str") == R"("a\"b")");
}

TEST_CASE("token::extra: one buffer, (name, raw JSON) pairs in document order") {
  pa::extra_members e;
  CHECK(e.empty());
  CHECK(e.size() == 0);
  CHECK(e.begin() == e.end());
  CHECK_FALSE(e.find("x").has_value());
  e.add("x", "1");
  e.add("", R"("")");  // empty names are members too
  e.add(std::string_view("n\0l", 3), "[1,2]");
  e.add("x", "2");  // add() does not deduplicate; find() returns the first
  CHECK(e.size() == 4);
  std::vector<std::string> seen;
  for (auto [name, raw] : e) seen.push_back(std::string(name) + "=" + std::string(raw));
  CHECK(seen == std::vector<std::string>{"x=1", R"(="")", std::string("n\0l=[1,2]", 9), "x=2"});
  CHECK(e.find("x") == "1");
  CHECK(e.find(std::string_view("n\0l", 3)) == "[1,2]");
  CHECK(e.find("") == R"("")");
  CHECK_FALSE(e.find("n").has_value());

  const pa::extra_members copy = e;  // copies own their bytes
  e.clear();
  CHECK(e.empty());
  CHECK(copy.size() == 4);
  CHECK(copy.find("x") == "1");
  CHECK(copy != e);
  pa::extra_members again;
  for (auto [name, raw] : copy) again.add(name, raw);
  CHECK(again == copy);

  pa::token t;
  t.extra = copy;
  CHECK(t.extra_member("x") == "1");
  static_assert(std::forward_iterator<pa::extra_members::iterator>);
}

TEST_CASE("token::extra from JSON: names decoded, values raw, many members, big documents") {
  // Known names are recognised decoded too; unknown names are stored decoded.
  const auto t = ok(resp(200, R"({"access\u005ftoken":"a","sc\u006fpe":"s","x\u0041":"v\n",)"
                              R"("token_typ":1,"expires_inn":2,"scopes":[],"idtoken":{}})"));
  CHECK(t.access_token.reveal() == "a");
  CHECK(t.scope == "s");
  CHECK(members(t) == member_list{{"xA", R"("v\n")"},
                                  {"token_typ", "1"},
                                  {"expires_inn", "2"},
                                  {"scopes", "[]"},
                                  {"idtoken", "{}"}});
  // More members than fit one batch, and more tape entries than the stack buffer holds.
  std::string body = R"({"access_token":"a")";
  for (int i = 0; i < 300; ++i)
    body += ",\"m" + std::to_string(i) + "\":" + (i % 2 ? "[" + std::to_string(i) + "]" : "true");
  body += "}";
  const auto many = ok(resp(200, body));
  REQUIRE(many.extra.size() == 300);
  int i = 0;
  for (auto [name, raw] : many.extra) {
    CHECK(name == "m" + std::to_string(i));
    CHECK(raw == (i % 2 ? "[" + std::to_string(i) + "]" : "true"));
    ++i;
  }
  CHECK(many.extra_member("m299") == "[299]");
  // A duplicate among them is still found.
  body.back() = ',';
  body += R"("m150":1})";
  CHECK(err(resp(200, body)).code == pa::errc::invalid_json);
  // Deeply nested unknown values stay raw and validated.
  const auto nested = ok(resp(200, R"({"access_token":"a","n":{"b":[{"c":[]},"\u00e9"]}})"));
  CHECK(nested.extra_member("n") == R"({"b":[{"c":[]},"\u00e9"]})");
  CHECK(err(resp(200, R"({"access_token":"a","n":{"b":[{"c":[]},"\ud800"]}})")).code ==
        pa::errc::invalid_utf8);
  CHECK(err(resp(200, R"({"access_token":"a","n":{"b":1,"b":2}})")).code == pa::errc::invalid_json);
}

TEST_CASE("escaped strings are decoded") {
  const auto t = ok(resp(200, R"({"access_token":"a\/b\u0041","scope":"x\ty"})"));
  CHECK(t.access_token.reveal() == "a/bA");
  CHECK(t.scope == "x\ty");
}

TEST_CASE("expires_in: every documented meaning") {
  const pa::token_parse_options d;
  struct row {
    const char* json;
    std::chrono::seconds life;
    bool server_value;  // token::expires_in set
  };
  const row rows[] = {
      {"3600", 3600s, true},                                 // number
      {"\"3600\"", 3600s, true},                             // numeric string (PayPal)
      {"\"0300\"", 300s, true},                              // leading zeros in a string
      {"1", 1s, true},                                       // tiny but valid
      {"3599.9", 3599s, true},                               // fraction: floored
      {"\"3599.9\"", 3599s, true},                           //
      {"3.6e3", 3600s, true},                                // exponent
      {"\"36E2\"", 3600s, true},                             //
      {"360000e-2", 3600s, true},                            //
      {"31536000", 31536000s, true},                         // exactly one year
      {"31536001", d.max_lifetime, true},                    // absurd: clamped
      {"315360000", d.max_lifetime, true},                   // ten years
      {"99999999999999999999999999", d.max_lifetime, true},  // beyond int64
      {"1e400", d.max_lifetime, true},                       // beyond double
      {"\"1e999999999999\"", d.max_lifetime, true},          // huge exponent
      {"null", d.assumed_lifetime, false},                   // null = missing
      {"0", d.assumed_lifetime, false},                      // zero: unknown
      {"\"0\"", d.assumed_lifetime, false},                  //
      {"-0", d.assumed_lifetime, false},                     //
      {"0.5", d.assumed_lifetime, false},                    // below one second
      {"1e-9", d.assumed_lifetime, false},                   //
      {"-1", d.assumed_lifetime, false},                     // negative: unknown
      {"-3600", d.assumed_lifetime, false},                  //
      {"\"-5\"", d.assumed_lifetime, false},                 //
      {"\"abc\"", d.assumed_lifetime, false},                // non-numeric
      {"\"\"", d.assumed_lifetime, false},                   //
      {"\" 3600\"", d.assumed_lifetime, false},              // no whitespace tolerated
      {"\"3600s\"", d.assumed_lifetime, false},              //
      {"\"1.\"", d.assumed_lifetime, false},                 //
      {"\"+5\"", d.assumed_lifetime, false},                 //
      {"\"0x10\"", d.assumed_lifetime, false},               //
      {"true", d.assumed_lifetime, false},                   //
      {"[3600]", d.assumed_lifetime, false},                 //
      {"{\"s\":3600}", d.assumed_lifetime, false},           //
  };
  for (const row& r : rows) {
    CAPTURE(r.json);
    const auto t = ok(resp(200, with_expires(r.json)));
    CHECK(t.expires_at == t0 + r.life);
    if (r.server_value)
      CHECK(t.expires_in == r.life);
    else
      CHECK_FALSE(t.expires_in.has_value());
  }
  // Missing altogether.
  const auto m = ok(resp(200, R"({"access_token":"a"})"));
  CHECK_FALSE(m.expires_in.has_value());
  CHECK(m.expires_at == t0 + 3600s);
}

TEST_CASE("expires_in: options change assumed lifetime, clamp and strictness") {
  pa::token_parse_options o;
  o.assumed_lifetime = 600s;
  o.max_lifetime = 7200s;
  CHECK(ok(resp(200, R"({"access_token":"a"})"), o).expires_at == t0 + 600s);
  CHECK(ok(resp(200, with_expires("0")), o).expires_at == t0 + 600s);
  const auto c = ok(resp(200, with_expires("86400")), o);
  CHECK(c.expires_at == t0 + 7200s);
  CHECK(c.expires_in == 7200s);

  o.strict_expires_in = true;
  for (const char* bad : {"0", "-1", "\"abc\"", "true", "0.5"}) {
    CAPTURE(bad);
    const auto e = err(resp(200, with_expires(bad)), o);
    CHECK(e.code == pa::errc::malformed_response);
    CHECK(pa::classify(e) == pa::error_class::protocol);
  }
  CHECK(ok(resp(200, R"({"access_token":"a"})"), o).expires_at == t0 + 600s);  // missing is fine
  CHECK(ok(resp(200, with_expires("1e400")), o).expires_at == t0 + 7200s);     // absurd: clamp

  o.max_lifetime = std::chrono::seconds::max();  // cannot overflow the time_point
  const auto huge = ok(resp(200, with_expires("1e400")), o);
  CHECK(huge.expires_at > t0 + 24h * 365 * 99);
  CHECK(huge.expires_at < t0 + 24h * 366 * 101);
}

TEST_CASE("token_type: missing means Bearer, anything but Bearer is refused") {
  CHECK(ok(resp(200, R"({"access_token":"a"})")).token_type == "Bearer");
  CHECK(ok(resp(200, R"({"access_token":"a","token_type":null})")).token_type == "Bearer");
  CHECK(ok(resp(200, R"({"access_token":"a","token_type":""})")).token_type == "Bearer");
  CHECK(ok(resp(200, R"({"access_token":"a","token_type":"BEARER"})")).token_type == "BEARER");
  for (const char* t : {"DPoP", "mac", "N_A", "Bearer ", "bearer2", "Basic"}) {
    CAPTURE(t);
    const auto e = err(resp(200, std::string(R"({"access_token":"a","token_type":")") + t + "\"}"));
    CHECK(e.code == pa::errc::unsupported_token_type);
    CHECK(pa::classify(e) == pa::error_class::protocol);
  }
  const auto e = err(resp(200, R"({"access_token":"a","token_type":42})"));
  CHECK(e.code == pa::errc::malformed_response);
}

TEST_CASE("token_type: the exact spelling is kept, escaped or not, wherever the member is") {
  // The reader skips rewriting an unescaped "Bearer" it already holds; every other spelling
  // must still reach the token as sent.
  CHECK(ok(resp(200, R"({"access_token":"a","token_type":"Bear\u0065r"})")).token_type == "Bearer");
  CHECK(ok(resp(200, R"({"token_type":"Bearer","access_token":"a","x":1})")).token_type ==
        "Bearer");
  CHECK(ok(resp(200, R"({"access_token":"a","token_type":"bearer","expires_in":60})")).token_type ==
        "bearer");
  CHECK(ok(resp(200, R"({"access_token":"a","token_type":"Bearer","expires_in":60,"scope":"s"})"))
            .token_type == "Bearer");
  const auto e = err(resp(200, R"({"access_token":"a","token_type":"Bear\u0065rs"})"));
  CHECK(e.code == pa::errc::unsupported_token_type);
}

TEST_CASE("scope: string, JSON array (Twitch), or kept raw when unreadable") {
  CHECK(ok(resp(200, R"({"access_token":"a","scope":["chat:read","user:edit"]})")).scope ==
        "chat:read user:edit");
  CHECK(ok(resp(200, R"({"access_token":"a","scope":[]})")).scope.empty());
  CHECK(ok(resp(200, R"({"access_token":"a","scope":["a","","b"]})")).scope == "a b");
  CHECK(ok(resp(200, R"({"access_token":"a","scope":null})")).extra.empty());
  const auto t = ok(resp(200, R"({"access_token":"a","scope":["a",1]})"));
  CHECK(t.scope.empty());
  CHECK(t.extra_member("scope") == R"(["a",1])");
  CHECK(ok(resp(200, R"({"access_token":"a","scope":7})")).extra_member("scope") == "7");
}

TEST_CASE("form-encoded and text/plain bodies (GitHub)") {
  const std::string form = "access_token=" + std::string(kAccess) +
                           "&scope=repo%2Cgist&token_type=bearer&expires_in=28800"
                           "&refresh_token=" +
                           std::string(kRefresh) + "&refresh_token_expires_in=15811200&x=a+b%22";
  for (const char* ct : {"application/x-www-form-urlencoded", "text/plain", "",
                         "application/x-www-form-urlencoded; charset=utf-8", "TEXT/PLAIN"}) {
    CAPTURE(ct);
    const auto t = ok(resp(200, form, ct));
    CHECK(t.access_token.reveal() == kAccess);
    CHECK(t.refresh_token.reveal() == kRefresh);
    CHECK(t.token_type == "bearer");
    CHECK(t.scope == "repo,gist");  // kept as sent
    CHECK(t.expires_at == t0 + 28800s);
    REQUIRE(t.extra.size() == 2);
    CHECK(members(t) ==
          member_list{{"refresh_token_expires_in", "\"15811200\""}, {"x", R"("a b\"")"}});
  }
  // JSON labelled text/plain, or unlabelled.
  CHECK(ok(resp(200, with_expires("60"), "text/plain")).expires_at == t0 + 60s);
  CHECK(ok(resp(200, " \n" + with_expires("60"), "")).expires_at == t0 + 60s);

  CHECK(err(resp(200, "access_token=a&access_token=b", "text/plain")).code ==
        pa::errc::malformed_response);
  const auto dup = err(resp(200, "access_token=a&TOKENLIKE=1&TOKENLIKE=2", "text/plain"));
  CHECK(dup.message.find("'(unnamed)' repeated") != std::string::npos);
  CHECK(dup.message.find("TOKENLIKE") == std::string::npos);
  std::string many;  // 100k fields: the duplicate check must not be quadratic
  for (int i = 0; i < 100000; ++i) many += "f" + std::to_string(i) + "=&";
  CHECK(ok(resp(200, many + "access_token=a", "text/plain")).extra.size() == 100000);
  CHECK(err(resp(200, many + "f7=x", "text/plain")).code == pa::errc::malformed_response);
  CHECK(err(resp(200, "access_token=a%zz", "application/x-www-form-urlencoded")).code ==
        pa::errc::malformed_response);
  CHECK(err(resp(200, "token=a", "application/x-www-form-urlencoded")).code ==
        pa::errc::malformed_response);
  CHECK(err(resp(200, "access_token=a&token_type=mac", "text/plain")).code ==
        pa::errc::unsupported_token_type);
}

TEST_CASE("a 200 that carries error is an error") {
  auto e = err(resp(200, R"({"error":"invalid_grant","error_description":"code reused"})"));
  CHECK(e.code == pa::errc::invalid_grant);
  CHECK(e.oauth_error == "invalid_grant");
  CHECK(e.description == "code reused");
  CHECK(pa::classify(e) == pa::error_class::reauthenticate);
  CHECK(e.message.find("answered 200 with error invalid_grant") != std::string::npos);

  e = err(resp(200,
               "error=bad_verification_code&error_description=The+code+is+wrong"
               "&error_uri=https%3A%2F%2Fdocs.github.com%2Fx",
               "application/x-www-form-urlencoded"));
  CHECK(e.code == pa::errc::oauth_error);
  CHECK(e.oauth_error == "bad_verification_code");
  CHECK(e.description == "The code is wrong");
  CHECK(e.uri == "https://docs.github.com/x");

  // With an access token too: still an error.
  CHECK(err(resp(200, R"({"access_token":"a","error":"invalid_client"})")).code ==
        pa::errc::invalid_client);
  // An error that is not a valid OAuth code: unusable answer.
  CHECK(err(resp(200, R"({"error":{"code":1}})")).code == pa::errc::malformed_response);
  CHECK(err(resp(200, R"({"error":"bad\"code"})")).code == pa::errc::malformed_response);
  // null or "" error members are ignored.
  CHECK(ok(resp(200, R"({"access_token":"a","error":null})")).access_token.reveal() == "a");
  CHECK(ok(resp(200, R"({"access_token":"a","error":""})")).access_token.reveal() == "a");
}

TEST_CASE("malformed 2xx answers map to specific errc values") {
  struct row {
    const char* body;
    const char* content_type;
    pa::errc code;
  };
  const row rows[] = {
      {R"({"token_type":"Bearer","expires_in":3600})", "application/json",
       pa::errc::malformed_response},  // no access_token
      {R"({"access_token":""})", "application/json", pa::errc::malformed_response},
      {R"({"access_token":null})", "application/json", pa::errc::malformed_response},
      {R"({"access_token":123})", "application/json", pa::errc::malformed_response},
      {R"({"access_token":["a"]})", "application/json", pa::errc::malformed_response},
      {R"({"access_token":"a","refresh_token":5})", "application/json",
       pa::errc::malformed_response},
      {R"({"access_token":"a","id_token":{}})", "application/json", pa::errc::malformed_response},
      {R"(["access_token"])", "application/json", pa::errc::malformed_response},
      {R"("access_token")", "application/json", pa::errc::malformed_response},
      {"", "application/json", pa::errc::malformed_response},
      {"  \r\n", "application/json", pa::errc::malformed_response},
      {"<html><body>Login</body></html>", "text/html", pa::errc::malformed_response},
      {R"({"access_token":"a",})", "application/json", pa::errc::invalid_json},
      {R"({"access_token":"a")", "application/json", pa::errc::invalid_json},
      {R"({"access_token":"a","access_token":"b"})", "application/json", pa::errc::invalid_json},
      {"access_token=a", "application/json", pa::errc::invalid_json},
      {"{\"access_token\":\"a\xFF\"}", "application/json", pa::errc::invalid_utf8},
  };
  for (const row& r : rows) {
    CAPTURE(r.body);
    const auto e = err(resp(200, r.body, r.content_type));
    CHECK(e.code == r.code);
    CHECK(pa::classify(e) == pa::error_class::protocol);
  }
  // 201/204 are 2xx too.
  CHECK(ok(resp(201, R"({"access_token":"a"})")).access_token.reveal() == "a");
  CHECK(err(resp(204, "", "")).code == pa::errc::malformed_response);
}

TEST_CASE("limits bound the parse") {
  pa::token_parse_options o;
  o.limits.max_size = 64;
  const std::string big = R"({"access_token":")" + std::string(100, 'a') + "\"}";
  CHECK(err(resp(200, big), o).code == pa::errc::limit_exceeded);
  CHECK(err(resp(200, "access_token=" + std::string(100, 'a'), "text/plain"), o).code ==
        pa::errc::limit_exceeded);
  std::string deep = R"({"access_token":"a","x":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  const auto e = err(resp(200, deep));
  CHECK(e.code == pa::errc::limit_exceeded);
  CHECK_FALSE(pa::is_retryable(e));
  CHECK(e.message.find("raise token_parse_options::limits") != std::string::npos);
}

TEST_CASE("error answers: RFC 6749 section 5.2 codes and their classes") {
  struct row {
    int status;
    const char* error;
    pa::errc code;
    pa::error_class cls;
  };
  const row rows[] = {
      {400, "invalid_request", pa::errc::invalid_request, pa::error_class::misconfiguration},
      {401, "invalid_client", pa::errc::invalid_client, pa::error_class::credentials},
      {400, "invalid_client", pa::errc::invalid_client, pa::error_class::credentials},
      {400, "invalid_grant", pa::errc::invalid_grant, pa::error_class::reauthenticate},
      {400, "unauthorized_client", pa::errc::unauthorized_client, pa::error_class::credentials},
      {400, "unsupported_grant_type", pa::errc::unsupported_grant_type,
       pa::error_class::misconfiguration},
      {400, "invalid_scope", pa::errc::invalid_scope, pa::error_class::misconfiguration},
      {400, "invalid_target", pa::errc::invalid_target, pa::error_class::misconfiguration},
      {500, "server_error", pa::errc::server_error, pa::error_class::retryable},
      {503, "temporarily_unavailable", pa::errc::temporarily_unavailable,
       pa::error_class::retryable},
      {400, "some_vendor_error", pa::errc::oauth_error, pa::error_class::protocol},
      {503, "some_vendor_error", pa::errc::oauth_error, pa::error_class::retryable},
  };
  for (const row& r : rows) {
    CAPTURE(r.error);
    CAPTURE(r.status);
    const auto e = err(resp(r.status, std::string(R"({"error":")") + r.error +
                                          R"(","error_description":"details here",)"
                                          R"("error_uri":"https://docs.example/e"})"));
    CHECK(e.code == r.code);
    CHECK(pa::classify(e) == r.cls);
    CHECK(e.oauth_error == r.error);
    CHECK(e.description == "details here");
    CHECK(e.uri == "https://docs.example/e");
    CHECK(e.message.find("details here") != std::string::npos);
    CHECK(pa::oauth_error_from_response(
              resp(r.status, std::string(R"({"error":")") + r.error + "\"}"))
              .code == r.code);
  }
  const auto e = err(resp(401, R"({"error":"invalid_client"})"));
  CHECK(e.message ==
        "the token endpoint answered 401 invalid_client: check client_id and client_secret, and "
        "how they are sent (client_auth, basic_encoding)");
  // JSON errors labelled text/plain, and form-encoded errors.
  CHECK(err(resp(400, R"({"error":"invalid_grant"})", "text/plain")).code ==
        pa::errc::invalid_grant);
  CHECK(err(resp(400, "error=invalid_scope", "application/x-www-form-urlencoded")).code ==
        pa::errc::invalid_scope);
}

TEST_CASE("error answers without an OAuth body are infrastructure (errc::http_error)") {
  struct row {
    int status;
    const char* body;
    const char* content_type;
  };
  const row rows[] = {
      {502, "", ""},
      {502, "<html><h1>502 Bad Gateway</h1></html>", "text/html"},
      {503, "Service Unavailable", "text/plain"},
      {401, "<html>Unauthorized</html>", "text/html"},
      {403, R"({"message":"Forbidden by WAF"})", "application/json"},
      {403, R"({"error":{"code":403,"message":"denied"}})", "application/json"},
      {400,
       R"({"error":"bad code"})"
       "garbage",
       "application/json"},
      {404, "Not Found", "text/plain"},
      {408, "", ""},
      {429, "slow down", "text/plain"},
      {302, "", ""},
      {500, "{not json", "application/json"},
      {0, "", ""},
  };
  for (const row& r : rows) {
    CAPTURE(r.status);
    CAPTURE(r.body);
    const auto e = err(resp(r.status, r.body, r.content_type));
    CHECK(e.code == pa::errc::http_error);
    CHECK(e.oauth_error.empty());
    // Infrastructure is retried, except a redirect or a missing resource: those say the
    // endpoint URL itself is wrong, which no retry fixes.
    const bool wrong_endpoint = r.status == 302 || r.status == 404;
    CHECK(pa::classify(e) ==
          (wrong_endpoint ? pa::error_class::misconfiguration : pa::error_class::retryable));
    CHECK(e.message.find("without an OAuth error body") != std::string::npos);
    if (r.body[0] != '\0') CHECK(e.message.find(r.body) == std::string::npos);  // never the body
  }
  CHECK(err(resp(302, "", "")).message.find("redirects are not followed") != std::string::npos);
  CHECK(err(resp(502, "", "")).message.find("empty body") != std::string::npos);
  CHECK(err(resp(401, "<html>x</html>", "text/html")).message.find("text/html body of 14 bytes") !=
        std::string::npos);
}

TEST_CASE("Retry-After: delta-seconds and HTTP-date") {
  auto e = err(resp(429, "", "", {{"Retry-After", "30"}}));
  CHECK(e.retry_after == 30s);
  CHECK(e.message.find("retry after 30 s") != std::string::npos);
  e = err(resp(503, R"({"error":"temporarily_unavailable"})", "application/json",
               {{"retry-after", " 120 "}}));
  CHECK(e.retry_after == 120s);
  CHECK(e.code == pa::errc::temporarily_unavailable);
  CHECK_FALSE(err(resp(503, "", "", {{"Retry-After", "-5"}})).retry_after.has_value());
  CHECK_FALSE(err(resp(503, "", "", {{"Retry-After", "1.5"}})).retry_after.has_value());
  CHECK(err(resp(503, "", "", {{"Retry-After", "99999999999999999999"}})).retry_after ==
        pa::detail::max_retry_after);

  const pa::http_response dated =
      resp(503, "", "", {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}});
  CHECK_FALSE(err(dated).retry_after.has_value());  // no wall clock: ignored
  pa::token_parse_options o;
  o.wall_clock_now = std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + 8h + 48min + 37s;
  CHECK(err(dated, o).retry_after == 60s);
  o.wall_clock_now = *o.wall_clock_now + 1h;
  CHECK(err(dated, o).retry_after == 0s);  // in the past
}

TEST_CASE("parse_http_date accepts the three RFC 9110 forms") {
  using pa::detail::parse_http_date;
  const auto expect = std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + 8h + 49min + 37s;
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == expect);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expect);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == expect);
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == std::chrono::sys_seconds(0s));
  CHECK(parse_http_date("Tuesday, 29-Feb-00 12:00:00 GMT") ==
        std::chrono::sys_days(std::chrono::year(2000) / 2 / 29) + 12h);
  CHECK(parse_http_date("Wed, 29 Feb 2023 00:00:00 GMT") == std::nullopt);  // not a leap year
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC") == std::nullopt);
  CHECK(parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT") == std::nullopt);
  CHECK(parse_http_date("Sun, 06 nov 1994 08:49:37 GMT") == std::nullopt);
  CHECK(parse_http_date("Sun, 06 Nov 1994 24:00:00 GMT") == std::nullopt);
  CHECK(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT") == std::nullopt);
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT ") == std::nullopt);
  CHECK(parse_http_date("") == std::nullopt);
  static_assert(pa::detail::parse_http_date("Thu, 01 Jan 1970 00:01:00 GMT") ==
                std::chrono::sys_seconds(60s));
}

TEST_CASE("request ids are taken from a documented header list and sanitised") {
  auto e = err(resp(500, "", "", {{"X-Correlation-Id", "corr-2"}, {"x-request-id", "req-1"}}));
  CHECK(e.request_id == "req-1");  // X-Request-Id comes first in request_id_headers
  CHECK(e.message.find("[request id req-1]") != std::string::npos);
  e = err(resp(500, "", "", {{"X-Amzn-RequestId", "abc\r\n\x01 def\xC3\xA9"}}));
  CHECK(e.request_id == "abcdef");
  e = err(resp(500, "", "", {{"X-Request-Id", std::string(500, 'r')}}));
  CHECK(e.request_id.size() == 128);
  e = err(resp(500, "", "", {{"X-Request-Id", "\x01\x02"}, {"CF-Ray", "8a1b-LHR"}}));
  CHECK(e.request_id == "8a1b-LHR");
  CHECK(err(resp(500, "", "")).request_id.empty());
  // Also on malformed 2xx answers.
  CHECK(err(resp(200, "{}", "application/json", {{"Request-Id", "r9"}})).request_id == "r9");
}

TEST_CASE("server text is sanitised and capped") {
  const std::string nasty =
      "bad\r\nX-Injected: 1\x1B[31m\t\xE2\x80\xAEreversed\xC2\x85 caf\xC3\xA9 \xFF\xFE end";
  auto e = err(resp(400, std::string(R"({"error":"invalid_request","error_description":)") + "\"" +
                             "bad\\r\\nX-Injected: 1\\u001B[31m\\t\\u202Ereversed\\u0085" +
                             " caf\xC3\xA9 end\"}"));
  CHECK(e.description == "bad X-Injected: 1[31m reversed caf\xC3\xA9 end");
  CHECK(e.message.find('\n') == std::string::npos);
  CHECK(pa::detail::sanitize_text(nasty, 1000) ==
        "bad X-Injected: 1[31m reversed caf\xC3\xA9 ?? end");

  const std::string long_desc(5000, 'd');
  e = err(resp(400, R"({"error":"invalid_request","error_description":")" + long_desc + "\"}"));
  CHECK(e.description.size() == 1024);
  CHECK(e.description.substr(1021) == "...");
  CHECK(e.message.size() < 600);
  // A cut never splits a UTF-8 sequence.
  CHECK(pa::detail::sanitize_text("a\xC3\xA9xyz", 5) == "a...");
  CHECK(pa::detail::sanitize_text("ab\xC3\xA9\xC3\xA9", 5) == "ab...");
  CHECK(pa::detail::sanitize_text("ab\xC3\xA9\xC3\xA9", 6) == "ab\xC3\xA9\xC3\xA9");
  CHECK(pa::detail::sanitize_text("abc\xC3\xA9", 5) == "abc\xC3\xA9");

  e = err(resp(400, R"({"error":"invalid_request","error_uri":"https://x.example/a b\n"})"));
  CHECK(e.uri == "https://x.example/ab");
}

TEST_CASE("oauth_error_from_response names the endpoint it is told") {
  const auto e = pa::oauth_error_from_response(resp(400, R"({"error":"invalid_token"})"),
                                               "revocation endpoint");
  CHECK(e.code == pa::errc::invalid_token);
  CHECK(e.message.rfind("the revocation endpoint answered 400 invalid_token", 0) == 0);
  const auto m = pa::oauth_error_from_response(resp(200, "{}"));
  CHECK(m.code == pa::errc::malformed_response);
}

TEST_CASE("no error message contains a secret, a token or a refresh token") {
  // Bad answers that carry the secrets in every place a careless library would echo.
  const std::string leaky_json = std::string(R"({"access_token":")") + std::string(kAccess) +
                                 R"(","refresh_token":")" + std::string(kRefresh) +
                                 R"(","token_type":"mac","client_secret":")" +
                                 std::string(kClientSecret) + "\"}";
  const std::string leaky_form = "access_token=" + std::string(kAccess) +
                                 "&refresh_token=" + std::string(kRefresh) +
                                 "&access_token=" + std::string(kClientSecret);
  const pa::http_response answers[] = {
      resp(200, leaky_json),
      resp(200, leaky_json.substr(0, leaky_json.size() - 1)),  // truncated JSON
      resp(200, leaky_json + "x"),
      resp(200, leaky_form, "text/plain"),
      resp(200, leaky_form + "%z", "text/plain"),
      resp(401, leaky_json),
      resp(401, leaky_form, "text/html"),
      resp(500, leaky_json, "text/plain"),
      resp(400, std::string(R"({"error":"invalid_grant","x":")") + std::string(kRefresh) + "\"}"),
      resp(200,
           std::string(R"({"access_token":")") + std::string(kAccess) + R"(","expires_in":"abc"})"),
      resp(200, std::string(R"({"access_token":")") + std::string(kAccess) + "\xFF\"}"),
      resp(200, std::string(R"({"access_token":")") + std::string(kAccess) +
                    R"(","access_token":")" + std::string(kRefresh) + "\"}"),
  };
  pa::token_parse_options strict;
  strict.strict_expires_in = true;
  for (const auto& a : answers) {
    auto t = pa::parse_token_response(a, t0, strict);
    REQUIRE_FALSE(t.has_value());
    check_clean(t.error());
    check_clean(pa::oauth_error_from_response(a));
  }
  // Every message collected in this file, from every test case run so far.
  REQUIRE(collected().size() >= 2 * std::size(answers));
  for (const auto& m : collected())
    for (const std::string_view s : {kAccess, kRefresh, kClientSecret})
      CHECK(m.find(s) == std::string::npos);
}

namespace {

/// Same token, field by field.
void same_token(const pa::token& a, const pa::token& b) {
  CHECK(a.access_token == b.access_token);
  CHECK(a.refresh_token == b.refresh_token);
  CHECK(a.id_token == b.id_token);
  CHECK(a.token_type == b.token_type);
  CHECK(a.scope == b.scope);
  CHECK(a.expires_in == b.expires_in);
  CHECK(a.received_at == b.received_at);
  CHECK(a.expires_at == b.expires_at);
  CHECK(a.extra == b.extra);
}

}  // namespace

TEST_CASE("the one-pass reader and the general reader give the same token or the same error") {
  // parse_json_token reads flat answers in one pass and leaves everything else (and
  // every problem) to the general reader; whichever runs, the outcome must be the same.
  const std::string seeds[] = {
      std::string(R"({"access_token":")") + std::string(kAccess) +
          R"(","token_type":"Bearer","expires_in":3600,"refresh_token":")" + std::string(kRefresh) +
          R"(","scope":"openid email","id_token":"eyJ.x.y","x":1,"not-before-policy":0})",
      R"({ "access_token" : "a\u0041\/" , "expires_in" : "3600" , "token_type" : null ,)"
      R"( "scope" : 7 , "error" : "" , "s" : "caf\u00e9" })",
      R"({"access_token":"a","token_type":"mac","expires_in":-1})",
      R"({"access_token":"a","scope":["x","y"],"expires_in":true,"n":{"a":[1]}})",
      R"({"error":"invalid_grant","error_description":"bad"})",
      R"({"access_token":"a","refresh_token":null,"id_token":null,"expires_in":1.5e3})",
  };
  pa::token_parse_options strict;
  strict.strict_expires_in = true;
  strict.limits.max_string = 12;
  strict.limits.max_values = 6;
  std::uint64_t state = 0xD1B54A32D192ED03ULL;
  const auto next = [&] {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
  };
  static constexpr char bytes[] =
      "\"\\{}[],: 0-e.tnux\x01\x80\xC3\xFF"
      "abc123";
  std::size_t tokens = 0, errors = 0, one_pass = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string body = seeds[next() % std::size(seeds)];
    if (round >= 16) {
      for (int k = next() % 4 == 0 ? 2 : 1; k > 0; --k) {
        const std::size_t at = next() % (body.size() + 1);
        const char b = bytes[next() % (sizeof bytes - 1)];
        switch (next() % 4) {
          case 0:
            if (at < body.size()) body[at] = b;
            break;
          case 1:
            body.insert(body.begin() + static_cast<std::ptrdiff_t>(at), b);
            break;
          case 2:
            if (at < body.size()) body.erase(at, 1);
            break;
          default:
            body.resize(at);
        }
      }
    }
    const pa::token_parse_options& o = round % 5 == 0 ? strict : pa::token_parse_options{};
    CAPTURE(body);
    const pa::http_response r = resp(200, body);
    const auto fast = pa::detail::parse_json_token(r, t0, o);
    const auto general = pa::detail::parse_json_token_general(r, t0, o);
    pa::token scratch_token;
    pa::detail::token_builder b{scratch_token};
    if (pa::detail::read_flat_json_token(r, o, b) != pa::detail::flat_token::not_flat) ++one_pass;
    REQUIRE(fast.has_value() == general.has_value());
    if (fast) {
      ++tokens;
      same_token(*fast, *general);
    } else {
      ++errors;
      CHECK(fast.error().code == general.error().code);
      CHECK(fast.error().message == general.error().message);
    }
  }
  CHECK(tokens > 2000);
  CHECK(errors > 2000);
  CHECK(one_pass > 4000);  // the one-pass reader decided many of them
}
