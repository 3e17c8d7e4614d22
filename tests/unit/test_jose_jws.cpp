// SPDX-License-Identifier: MIT
// Tests for jose::verify_jws and the Verifier seam, with a fake verifier (no cryptography):
// every JOSE refusal has its own errc and happens before the verifier is asked.
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/jose/jwk.hpp>
#include <profile/auth/jose/jws.hpp>
#include <profile/auth/jose/verifier.hpp>
#include <profile/auth/jwt.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace pa = profile::auth;
namespace jose = profile::auth::jose;

namespace {

// The exemplar Verifier: a model of the concept in a few lines. A real one (an HSM, a KMS)
// checks the signature; this one answers what the test sets and records what it was asked.
struct fake_verifier {
  jose::verify_result answer = jose::verify_result::valid;
  int calls = 0;
  jose::jws_algorithm last_alg{};
  std::string last_kid;
  std::string last_input;
  std::size_t last_sig_size = 0;
  jose::verify_result verify(jose::jws_algorithm alg, const jose::jwk& key, std::string_view input,
                             std::span<const std::byte> sig) noexcept {
    ++calls;
    last_alg = alg;
    last_kid = key.kid;
    last_input = std::string(input);
    last_sig_size = sig.size();
    return answer;
  }
};
static_assert(jose::Verifier<fake_verifier>);

// Not models: a verify that may throw, one returning bool, one with other parameter types.
struct throwing_verifier {
  jose::verify_result verify(jose::jws_algorithm, const jose::jwk&, std::string_view,
                             std::span<const std::byte>) {
    return jose::verify_result::valid;
  }
};
struct bool_verifier {
  bool verify(jose::jws_algorithm, const jose::jwk&, std::string_view,
              std::span<const std::byte>) noexcept {
    return true;
  }
};
struct string_sig_verifier {
  jose::verify_result verify(jose::jws_algorithm, const jose::jwk&, std::string_view,
                             std::string_view) noexcept {
    return jose::verify_result::valid;
  }
};
static_assert(!jose::Verifier<throwing_verifier>);
static_assert(!jose::Verifier<bool_verifier>);
static_assert(!jose::Verifier<string_sig_verifier>);
static_assert(!jose::Verifier<int>);

std::string b64(const std::string& s) { return pa::base64url_encode(s); }
std::string fill(std::size_t n, char c) { return std::string(n, c); }

std::string token(const std::string& header_json, std::size_t sig_size,
                  const std::string& payload = R"({"sub":"alice"})") {
  return b64(header_json) + "." + b64(payload) + "." + b64(fill(sig_size, '\x11'));
}

// A set with an RSA key "rsa" (2048 bits), P-256 "ec256", P-384 "ec384", Ed25519 "ed".
jose::jwk_set keys(const std::string& rsa_extra = "") {
  const std::string n = b64(std::string(1, '\xC1') + fill(255, '\x5A'));
  const std::string text =
      R"({"keys":[{"kty":"RSA","kid":"rsa","n":")" + n + R"(","e":"AQAB")" + rsa_extra +
      R"(},{"kty":"EC","crv":"P-256","kid":"ec256","x":")" + b64(fill(32, '\x01')) + R"(","y":")" +
      b64(fill(32, '\x02')) + R"("},{"kty":"EC","crv":"P-384","kid":"ec384","x":")" +
      b64(fill(48, '\x01')) + R"(","y":")" + b64(fill(48, '\x02')) +
      R"("},{"kty":"OKP","crv":"Ed25519","kid":"ed","x":")" + b64(fill(32, '\x07')) + R"("}]})";
  auto set = jose::parse_jwk_set(text);
  REQUIRE(set);
  return *set;
}

pa::errc refusal(const std::string& compact, const jose::jwk_set& set,
                 const jose::verify_options& opts, fake_verifier& v) {
  auto r = jose::verify_jws(compact, set, opts, v);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find(compact) == std::string::npos);  // never quotes the token
  return r.error().code;
}

}  // namespace

TEST_CASE("jose jws: a valid token for each default algorithm reaches the verifier") {
  const auto set = keys();
  struct one {
    const char* alg;
    const char* kid;
    std::size_t sig;
    jose::jws_algorithm want;
  };
  for (const one c : {one{"RS256", "rsa", 256, jose::jws_algorithm::rs256},
                      one{"PS256", "rsa", 256, jose::jws_algorithm::ps256},
                      one{"ES256", "ec256", 64, jose::jws_algorithm::es256},
                      one{"ES384", "ec384", 96, jose::jws_algorithm::es384},
                      one{"EdDSA", "ed", 64, jose::jws_algorithm::eddsa}}) {
    CAPTURE(c.alg);
    fake_verifier v;
    const std::string header =
        std::string(R"({"alg":")") + c.alg + R"(","kid":")" + c.kid + R"(","typ":"JWT"})";
    const std::string compact = token(header, c.sig);
    auto r = jose::verify_jws(compact, set, v);
    REQUIRE(r);
    CHECK(r->payload == R"({"sub":"alice"})");
    CHECK(r->header.typ == "JWT");
    CHECK(r->header.kid == c.kid);
    CHECK(v.calls == 1);
    CHECK(v.last_alg == c.want);
    CHECK(v.last_kid == c.kid);
    CHECK(v.last_sig_size == c.sig);
    CHECK(v.last_input == compact.substr(0, compact.rfind('.')));  // header.payload, as sent
  }
}

TEST_CASE("jose jws: the verifier's invalid and unsupported answers are distinct errors") {
  const auto set = keys();
  fake_verifier v;
  v.answer = jose::verify_result::invalid;
  const std::string compact = token(R"({"alg":"ES256","kid":"ec256"})", 64);
  auto r = jose::verify_jws(compact, set, v);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pa::errc::jws_signature_invalid);
  v.answer = jose::verify_result::unsupported;
  auto u = jose::verify_jws(compact, set, v);
  REQUIRE_FALSE(u);
  CHECK(u.error().code == pa::errc::jws_unsupported);
  CHECK(pa::classify(pa::errc::jws_unsupported) == pa::error_class::misconfiguration);
  CHECK(pa::classify(pa::errc::jws_signature_invalid) == pa::error_class::protocol);
}

TEST_CASE("jose jws: every refusal has its own errc and none reaches the verifier") {
  const auto set = keys();
  const jose::verify_options opts;
  struct refused {
    std::string compact;
    pa::errc code;
  };
  const refused cases[] = {
      {token(R"({"alg":"none"})", 0) + "AA", pa::errc::jws_alg_none},
      {token(R"({"alg":"none","kid":"rsa"})", 256), pa::errc::jws_alg_none},
      {token(R"({"alg":"RS256","kid":"rsa","crit":["exp"],"exp":1})", 256),
       pa::errc::jws_crit_unsupported},
      {token(R"({"alg":"RS256","kid":"rsa","crit":[]})", 256), pa::errc::jws_crit_unsupported},
      {token(R"({"alg":"RS256","kid":"rsa","jku":"https://evil.example/jwks"})", 256),
       pa::errc::jws_header_key_refused},
      {token(R"({"alg":"RS256","kid":"rsa","x5u":"https://evil.example/cert"})", 256),
       pa::errc::jws_header_key_refused},
      {token(R"({"alg":"EdDSA","jwk":{"kty":"OKP","crv":"Ed25519","x":"AA"}})", 64),
       pa::errc::jws_header_key_refused},
      {token(R"({"alg":"RS256","kid":"rsa","x5c":["MIIB"]})", 256),
       pa::errc::jws_header_key_refused},
      {token(R"({"alg":"HS256","kid":"rsa"})", 32), pa::errc::jws_alg_not_allowed},
      {token(R"({"alg":"RS512","kid":"rsa"})", 256), pa::errc::jws_alg_not_allowed},
      {token(R"({"alg":"rs256","kid":"rsa"})", 256), pa::errc::jws_alg_not_allowed},
      {token(R"({"alg":"NONE","kid":"rsa"})", 256), pa::errc::jws_alg_not_allowed},
      {token(R"({"alg":"RS256","kid":"../../etc/passwd"})", 256), pa::errc::jws_kid_invalid},
      {token(R"({"alg":"RS256","kid":"keys/rsa"})", 256), pa::errc::jws_kid_invalid},
      {token(R"({"alg":"RS256","kid":"keys\\rsa"})", 256), pa::errc::jws_kid_invalid},
      {token(R"({"alg":"RS256","kid":"a\nb"})", 256), pa::errc::jws_kid_invalid},
      {token(R"({"alg":"RS256","kid":")" + fill(257, 'k') + "\"}", 256), pa::errc::jws_kid_invalid},
      {token(R"({"alg":"RS256","kid":"other"})", 256), pa::errc::jws_kid_unknown},
      {token(R"({"alg":"RS256"})", 256), pa::errc::jws_kid_unknown},  // no kid, four keys
      {token(R"({"alg":"ES256","kid":"rsa"})", 64), pa::errc::jws_key_type_mismatch},
      {token(R"({"alg":"RS256","kid":"ec256"})", 256), pa::errc::jws_key_type_mismatch},
      {token(R"({"alg":"ES384","kid":"ec256"})", 96), pa::errc::jws_key_type_mismatch},
      {token(R"({"alg":"ES256","kid":"ec384"})", 64), pa::errc::jws_key_type_mismatch},
      {token(R"({"alg":"EdDSA","kid":"ec256"})", 64), pa::errc::jws_key_type_mismatch},
      {token(R"({"alg":"PS256","kid":"ed"})", 256), pa::errc::jws_key_type_mismatch},
      {token(R"({"alg":"RS256","kid":"rsa"})", 255), pa::errc::jws_signature_invalid},
      {token(R"({"alg":"ES256","kid":"ec256"})", 65), pa::errc::jws_signature_invalid},
      {token(R"({"alg":"ES384","kid":"ec384"})", 64), pa::errc::jws_signature_invalid},
      {token(R"({"alg":"EdDSA","kid":"ed"})", 63), pa::errc::jws_signature_invalid},
      {"a.b", pa::errc::jose_malformed},
      {"a.b.c.d.e", pa::errc::jose_malformed},
      {token(R"({"alg":"RS256","kid":"rsa"})", 256) + "=", pa::errc::jose_malformed},
      {b64(R"({"alg":"RS256","kid":"rsa"})") + "==." + b64("{}") + "." + b64(fill(256, 'x')),
       pa::errc::jose_malformed},
      {token(R"({"kid":"rsa"})", 256), pa::errc::jose_malformed},
      {token(R"({"alg":5,"kid":"rsa"})", 256), pa::errc::jose_malformed},
      {token(R"({"alg":"RS256","kid":7})", 256), pa::errc::jose_malformed},
      {token(R"(["RS256"])", 256), pa::errc::jose_malformed},
      {"e30." + b64("{}") + ".", pa::errc::jose_malformed},
      {b64(R"({"alg":"RS256","kid":"rsa"})") + ".a*b." + b64(fill(256, 'x')),
       pa::errc::jose_malformed},
  };
  std::set<pa::errc> seen;
  for (const auto& c : cases) {
    CAPTURE(c.compact);
    fake_verifier v;
    CHECK(refusal(c.compact, set, opts, v) == c.code);
    CHECK(v.calls == 0);
    seen.insert(c.code);
  }
  CHECK(seen.size() == 9);  // nine distinct errc here, all before any cryptography
}

TEST_CASE("jose jws: alg confusion (HS256 with the RSA key) is refused before any crypto") {
  const auto set = keys();
  // Allowed explicitly by a careless caller, HS256 still fits no public key.
  jose::verify_options opts;
  opts.allowed.add(jose::jws_algorithm::hs256);
  CHECK(opts.allowed.contains(jose::jws_algorithm::hs256));
  fake_verifier v;
  CHECK(refusal(token(R"({"alg":"HS256","kid":"rsa"})", 32), set, opts, v) ==
        pa::errc::jws_key_type_mismatch);
  CHECK(refusal(token(R"({"alg":"HS256","kid":"rsa"})", 256), set, opts, v) ==
        pa::errc::jws_key_type_mismatch);
  CHECK(v.calls == 0);
  // By default it is not even allowed.
  CHECK_FALSE(jose::algorithm_set::defaults().contains(jose::jws_algorithm::hs256));
  CHECK(refusal(token(R"({"alg":"HS256","kid":"rsa"})", 32), set, {}, v) ==
        pa::errc::jws_alg_not_allowed);
}

TEST_CASE("jose jws: the key's use, key_ops and alg must fit") {
  const std::string compact = token(R"({"alg":"RS256","kid":"rsa"})", 256);
  struct one {
    std::string extra;
    pa::errc code;
  };
  for (const one& c : {one{R"(,"use":"enc")", pa::errc::jws_key_not_for_verify},
                       one{R"(,"key_ops":["encrypt"])", pa::errc::jws_key_not_for_verify},
                       one{R"(,"key_ops":[])", pa::errc::jws_key_not_for_verify},
                       one{R"(,"alg":"PS256")", pa::errc::jws_key_alg_mismatch},
                       one{R"(,"alg":"RS384")", pa::errc::jws_key_alg_mismatch}}) {
    CAPTURE(c.extra);
    fake_verifier v;
    CHECK(refusal(compact, keys(c.extra), {}, v) == c.code);
    CHECK(v.calls == 0);
  }
  fake_verifier v;
  auto ok =
      jose::verify_jws(compact, keys(R"(,"use":"sig","key_ops":["verify"],"alg":"RS256")"), v);
  CHECK(ok);
  CHECK(v.calls == 1);
}

TEST_CASE("jose jws: the verifier may be a temporary or const") {
  const auto set = keys();
  const std::string compact = token(R"({"alg":"EdDSA","kid":"ed"})", 64);
  CHECK(jose::verify_jws(compact, set, fake_verifier{}));
  CHECK(jose::verify_jws(compact, set, jose::verify_options{}, fake_verifier{}));
  fake_verifier refusing;
  refusing.answer = jose::verify_result::invalid;
  CHECK_FALSE(jose::verify_jws(compact, set, std::move(refusing)));
}

TEST_CASE("jose jws: without a kid a set of exactly one key is used") {
  auto one = jose::parse_jwk_set(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")" +
                                 b64(fill(32, '\x07')) + R"("}]})");
  REQUIRE(one);
  fake_verifier v;
  CHECK(jose::verify_jws(token(R"({"alg":"EdDSA"})", 64), *one, v));
  CHECK(v.calls == 1);
  // A kid the one key does not have is still unknown.
  CHECK(refusal(token(R"({"alg":"EdDSA","kid":"x"})", 64), *one, {}, v) ==
        pa::errc::jws_kid_unknown);
}

TEST_CASE("jose jws: size limit, a safe kid up to 256 bytes, and the allow-list narrows") {
  const auto set = keys();
  fake_verifier v;
  CHECK(jose::verify_options{}.max_size == 64 * 1024);
  jose::verify_options small;
  small.max_size = 100;
  CHECK(refusal(token(R"({"alg":"RS256","kid":"rsa"})", 256), set, small, v) ==
        pa::errc::limit_exceeded);
  CHECK(jose::kid_is_safe(fill(256, 'k')));
  CHECK_FALSE(jose::kid_is_safe(fill(257, 'k')));
  CHECK(jose::kid_is_safe("2024-01.key_A"));
  CHECK_FALSE(jose::kid_is_safe(".."));
  jose::verify_options only_es;
  only_es.allowed = {jose::jws_algorithm::es256};
  CHECK(refusal(token(R"({"alg":"RS256","kid":"rsa"})", 256), set, only_es, v) ==
        pa::errc::jws_alg_not_allowed);
  CHECK(jose::verify_jws(token(R"({"alg":"ES256","kid":"ec256"})", 64), set, only_es, v));
  only_es.allowed.remove(jose::jws_algorithm::es256);
  CHECK(refusal(token(R"({"alg":"ES256","kid":"ec256"})", 64), set, only_es, v) ==
        pa::errc::jws_alg_not_allowed);
}

TEST_CASE("jose jws: split and header decoding") {
  auto p = jose::split_jws("aGVhZA.cGF5.c2ln");
  REQUIRE(p);
  CHECK(p->header == "aGVhZA");
  CHECK(p->payload == "cGF5");
  CHECK(p->signature == "c2ln");
  CHECK(p->signing_input == "aGVhZA.cGF5");
  auto h = jose::decode_jws_header(b64(R"({"alg":"ES384","kid":"k","typ":"at+jwt","cty":"x"})"));
  REQUIRE(h);
  CHECK(h->algorithm == jose::jws_algorithm::es384);
  CHECK(h->typ == "at+jwt");
  CHECK(h->cty == "x");
  CHECK_FALSE(h->has_crit);
  auto unknown = jose::decode_jws_header(b64(R"({"alg":"XX1"})"));
  REQUIRE(unknown);
  CHECK_FALSE(unknown->algorithm);
  CHECK(jose::to_string(jose::jws_algorithm::eddsa) == "EdDSA");
  CHECK(jose::algorithm_from_string("PS256") == jose::jws_algorithm::ps256);
  CHECK_FALSE(jose::algorithm_from_string("none"));
}

TEST_CASE("jose errc: every JOSE errc has a distinct name and a classification") {
  std::set<std::string> names;
  for (int i = static_cast<int>(pa::errc::invalid_argument);
       i <= static_cast<int>(pa::errc::jws_unsupported); ++i) {
    const auto name = std::string(pa::to_string(static_cast<pa::errc>(i)));
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
  }
  CHECK(names.size() == static_cast<std::size_t>(pa::errc::jws_unsupported));
  for (int i = static_cast<int>(pa::errc::jose_malformed);
       i < static_cast<int>(pa::errc::jws_unsupported); ++i)
    CHECK(pa::classify(static_cast<pa::errc>(i)) == pa::error_class::protocol);
  CHECK(pa::to_string(pa::errc::jwk_private_key) == "jwk_private_key");
  CHECK(pa::to_string(pa::errc::jws_alg_none) == "jws_alg_none");
}

TEST_CASE("jose jws: a duplicated header member is refused by the JSON reader") {
  // Two "alg" members: a parser that kept the last one could be tricked; ours refuses both.
  fake_verifier v;
  const std::string compact = token(R"({"alg":"none","alg":"RS256","kid":"rsa"})", 256);
  CHECK(refusal(compact, keys(), {}, v) == pa::errc::invalid_json);
  CHECK(refusal(token(R"({"alg":"RS256","kid":"rsa","kid":"ec256"})", 256), keys(), {}, v) ==
        pa::errc::invalid_json);
  CHECK(v.calls == 0);
}

TEST_CASE("jose jws: after verification the JWT claims are read with decode_unverified_claims") {
  fake_verifier v;
  const std::string compact =
      token(R"({"alg":"ES256","kid":"ec256","typ":"JWT"})", 64,
            R"({"iss":"https://issuer.example","sub":"alice","aud":"api","exp":4102444800})");
  auto jws = jose::verify_jws(compact, keys(), v);
  REQUIRE(jws);
  auto claims = pa::decode_unverified_claims(compact);  // the same text, now verified
  REQUIRE(claims);
  CHECK(claims->is_jwt);
  CHECK(claims->sub == "alice");
  CHECK(claims->iss == "https://issuer.example");
  REQUIRE(claims->aud.size() == 1);
  CHECK(claims->aud[0] == "api");
}
