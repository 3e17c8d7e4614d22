// SPDX-License-Identifier: MIT
// Tests for jose::parse_jwk / parse_jwk_set: strict public JWK and JWK set parsing.
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/jose/jwk.hpp>

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

namespace pa = profile::auth;
namespace jose = profile::auth::jose;

namespace {
std::string b64(const std::string& bytes) { return pa::base64url_encode(bytes); }
std::string bytes_of(std::size_t n, unsigned char first, unsigned char fill = 0x5A) {
  std::string s(n, static_cast<char>(fill));
  if (n > 0) s[0] = static_cast<char>(first);
  return s;
}
std::string rsa_json(const std::string& extra = "", std::size_t n_bytes = 256,
                     unsigned char first = 0xC1) {
  return R"({"kty":"RSA","n":")" + b64(bytes_of(n_bytes, first)) + R"(","e":"AQAB")" + extra + "}";
}
std::string ec_json(const char* crv, std::size_t len, const std::string& extra = "") {
  return std::string(R"({"kty":"EC","crv":")") + crv + R"(","x":")" + b64(bytes_of(len, 1)) +
         R"(","y":")" + b64(bytes_of(len, 2)) + "\"" + extra + "}";
}
std::string ed_json(const std::string& extra = "") {
  return R"({"kty":"OKP","crv":"Ed25519","x":")" + b64(bytes_of(32, 7)) + "\"" + extra + "}";
}
}  // namespace

TEST_CASE("jose jwk: RSA, EC P-256/P-384 and OKP Ed25519 public keys parse with their members") {
  auto rsa = jose::parse_jwk(rsa_json(R"(,"use":"sig","alg":"RS256","kid":"r1")"));
  REQUIRE(rsa);
  CHECK(rsa->kty == jose::key_type::rsa);
  CHECK(rsa->n.size() == 256);
  CHECK(rsa->e == std::string("\x01\x00\x01", 3));
  CHECK(rsa->use == "sig");
  CHECK(rsa->alg == "RS256");
  CHECK(rsa->kid == "r1");
  CHECK(rsa->has_kid);
  CHECK_FALSE(rsa->has_key_ops);
  CHECK(rsa->allows_op("verify"));

  auto p256 = jose::parse_jwk(ec_json("P-256", 32, R"(,"key_ops":["verify"])"));
  REQUIRE(p256);
  CHECK(p256->kty == jose::key_type::ec);
  CHECK(p256->crv == jose::curve::p256);
  CHECK(p256->x.size() == 32);
  CHECK(p256->y.size() == 32);
  CHECK(p256->has_key_ops);
  CHECK(p256->allows_op("verify"));
  CHECK_FALSE(p256->allows_op("sign"));
  CHECK_FALSE(p256->has_kid);

  auto p384 = jose::parse_jwk(ec_json("P-384", 48));
  REQUIRE(p384);
  CHECK(p384->crv == jose::curve::p384);

  auto ed = jose::parse_jwk(ed_json(R"(,"x5t":"ignored","ext":true)"));
  REQUIRE(ed);
  CHECK(ed->kty == jose::key_type::okp);
  CHECK(ed->crv == jose::curve::ed25519);
  CHECK(ed->x.size() == 32);
}

TEST_CASE("jose jwk: private members are refused with jwk_private_key and never echoed") {
  const std::string secret_value = b64("top-secret-private-exponent-bytes");
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
    CAPTURE(member);
    auto r = jose::parse_jwk(rsa_json(std::string(",\"") + member + "\":\"" + secret_value + "\""));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jwk_private_key);
    CHECK(r.error().message.find(secret_value) == std::string::npos);
    CHECK(r.error().message.find("top-secret") == std::string::npos);
  }
  // An EC private key, and a symmetric key inside a set: the whole set is refused.
  auto ec = jose::parse_jwk(ec_json("P-256", 32, ",\"d\":\"" + secret_value + "\""));
  REQUIRE_FALSE(ec);
  CHECK(ec.error().code == pa::errc::jwk_private_key);
  auto set = jose::parse_jwk_set(R"({"keys":[)" + rsa_json() + R"(,{"kty":"oct","k":")" +
                                 secret_value + R"("}]})");
  REQUIRE_FALSE(set);
  CHECK(set.error().code == pa::errc::jwk_private_key);
  CHECK(set.error().message.find(secret_value) == std::string::npos);
}

TEST_CASE("jose jwk: base64url must be unpadded and valid") {
  // 256 bytes encode to 342 characters plus "==" when padded.
  const std::string padded = pa::base64_encode(bytes_of(256, 0xC1));
  std::string url = padded;
  for (auto& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
  auto r = jose::parse_jwk(R"({"kty":"RSA","n":")" + url + R"(","e":"AQAB"})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pa::errc::jose_malformed);
  auto std_alpha =
      jose::parse_jwk(R"({"kty":"OKP","crv":"Ed25519","x":"+/)" + b64(bytes_of(30, 7)) + "\"}");
  REQUIRE_FALSE(std_alpha);
  CHECK(std_alpha.error().code == pa::errc::jose_malformed);
  auto not_string = jose::parse_jwk(R"({"kty":"RSA","n":12,"e":"AQAB"})");
  REQUIRE_FALSE(not_string);
  CHECK(not_string.error().code == pa::errc::jose_malformed);
}

TEST_CASE("jose jwk: RSA modulus 2048..8192 bits, minimal encodings, sane exponent") {
  CHECK(jose::parse_jwk(rsa_json("", 256, 0x80)));     // exactly 2048 bits
  CHECK(jose::parse_jwk(rsa_json("", 1024, 0xFF)));    // 8192 bits
  for (const auto& bad : {rsa_json("", 256, 0x7F),     // 2047 bits
                          rsa_json("", 128, 0xC1),     // 1024 bits
                          rsa_json("", 1025, 0x01),    // > 8192 bits
                          rsa_json("", 257, 0x00)}) {  // leading zero byte
    auto r = jose::parse_jwk(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jose_malformed);
  }
  const std::string n = b64(bytes_of(256, 0xC1));
  for (const std::string& e : {b64(std::string("\x01\x00", 2)), b64(std::string("\x00\x03", 2)),
                               b64(std::string("\x01", 1)), b64(std::string(9, '\x01'))}) {
    auto r = jose::parse_jwk(R"({"kty":"RSA","n":")" + n + R"(","e":")" + e + "\"}");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jose_malformed);
  }
  auto missing = jose::parse_jwk(R"({"kty":"RSA","n":")" + n + "\"}");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == pa::errc::jose_malformed);
}

TEST_CASE("jose jwk: EC and OKP coordinates have their exact lengths") {
  for (const auto& bad :
       {ec_json("P-256", 31), ec_json("P-256", 33), ec_json("P-384", 32), ec_json("P-256", 48)}) {
    auto r = jose::parse_jwk(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jose_malformed);
  }
  auto short_ed =
      jose::parse_jwk(R"({"kty":"OKP","crv":"Ed25519","x":")" + b64(bytes_of(31, 7)) + "\"}");
  REQUIRE_FALSE(short_ed);
  CHECK(short_ed.error().code == pa::errc::jose_malformed);
  auto no_y = jose::parse_jwk(R"({"kty":"EC","crv":"P-256","x":")" + b64(bytes_of(32, 1)) + "\"}");
  REQUIRE_FALSE(no_y);
  CHECK(no_y.error().code == pa::errc::jose_malformed);
}

TEST_CASE("jose jwk: unsupported types, bad members and bad JSON are errors for a single key") {
  for (const std::string& bad : std::initializer_list<std::string>{
           R"({"kty":"oct"})", R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA"})", R"({"n":"AQAB"})",
           R"([1])", ed_json(R"(,"use":1)"), ed_json(R"(,"key_ops":"verify")"),
           ed_json(R"(,"key_ops":["verify","verify"])"), ed_json(R"(,"key_ops":[1])"),
           ed_json(R"(,"kid":5)")}) {
    CAPTURE(bad);
    auto r = jose::parse_jwk(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jose_malformed);
  }
  auto json = jose::parse_jwk(R"({"kty":"RSA",)");
  REQUIRE_FALSE(json);
  CHECK(json.error().code == pa::errc::invalid_json);
  auto dup = jose::parse_jwk(R"({"kty":"RSA","kty":"EC"})");  // duplicate member names
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == pa::errc::invalid_json);
}

TEST_CASE(
    "jose jwk set: keys array, lookup by kid, unknown types skipped, duplicate kids refused") {
  const std::string text =
      R"({"keys":[)" + rsa_json(R"(,"kid":"a")") + "," + ec_json("P-256", 32, R"(,"kid":"b")") +
      R"(,{"kty":"EC","crv":"P-521","kid":"c"},{"kty":"OKP","crv":"X25519"},)" +
      ed_json(R"(,"kid":"d")") + "]}";
  auto set = jose::parse_jwk_set(text);
  REQUIRE(set);
  CHECK(set->keys.size() == 3);
  CHECK(set->skipped == 2);
  REQUIRE(set->find("b") != nullptr);
  CHECK(set->find("b")->kty == jose::key_type::ec);
  REQUIRE(set->find("d") != nullptr);
  CHECK(set->find("d")->kty == jose::key_type::okp);
  CHECK(set->find("c") == nullptr);  // skipped
  CHECK(set->find("A") == nullptr);  // case-sensitive
  CHECK(set->find("") == nullptr);

  auto dup = jose::parse_jwk_set(R"({"keys":[)" + rsa_json(R"(,"kid":"a")") + "," +
                                 ed_json(R"(,"kid":"a")") + "]}");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == pa::errc::jose_malformed);

  for (const std::string& bad :
       std::initializer_list<std::string>{R"({})", R"({"keys":{}})", R"([])", R"({"keys":[1]})"}) {
    auto r = jose::parse_jwk_set(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jose_malformed);
  }
  // A malformed key of a known type fails the whole set and names its index.
  auto bad_key =
      jose::parse_jwk_set(R"({"keys":[)" + ed_json() + "," + ec_json("P-256", 31) + "]}");
  REQUIRE_FALSE(bad_key);
  CHECK(bad_key.error().code == pa::errc::jose_malformed);
  CHECK(bad_key.error().message.find("key 1") != std::string::npos);
  auto empty = jose::parse_jwk_set(R"({"keys":[]})");
  REQUIRE(empty);
  CHECK(empty->keys.empty());
}

TEST_CASE("jose jwk: the JSON size limit applies") {
  pa::detail::json::limits lim;
  lim.max_size = 64;
  auto r = jose::parse_jwk_set(R"({"keys":[)" + rsa_json() + "]}", lim);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pa::errc::limit_exceeded);
}

TEST_CASE("jose jwk set: more than max_keys keys is limit_exceeded") {
  auto set_of = [](std::size_t n) {
    std::string text = R"({"keys":[)";
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) text += ',';
      text += ed_json(",\"kid\":\"k" + std::to_string(i) + "\"");
    }
    return text + "]}";
  };
  const std::string hundred = set_of(100);
  auto ok = jose::parse_jwk_set(hundred);
  REQUIRE(ok);
  CHECK(ok->keys.size() == 100);
  const std::string many = set_of(101);
  auto r = jose::parse_jwk_set(many);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pa::errc::limit_exceeded);
  CHECK(jose::parse_jwk_set(many, {}, 101));
}
