// SPDX-License-Identifier: MIT
// Tests for crypto::openssl_verifier through jose::verify_jws. Keys are made and tokens SIGNED
// here, at test time, with OpenSSL's own API (test code signs; the library only verifies).
#include <profile/auth/crypto/openssl.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/jose/jwk.hpp>
#include <profile/auth/jose/jws.hpp>

#include <doctest/doctest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace pa = profile::auth;
namespace jose = profile::auth::jose;
using profile::auth::crypto::openssl_verifier;

namespace {

std::string b64(const std::string& s) { return pa::base64url_encode(s); }

std::string bn_param(EVP_PKEY* k, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(k, name, &bn) == 1);
  const int len = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(len), '\0');
  if (pad > 0)
    REQUIRE(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad) == pad);
  else
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

// One test key: the OpenSSL private key (to sign) and its public JWK text.
struct test_key {
  EVP_PKEY* pkey = nullptr;
  std::string jwk;  // public members only
  test_key() = default;
  test_key(const test_key&) = delete;
  test_key& operator=(const test_key&) = delete;
  ~test_key() { EVP_PKEY_free(pkey); }
};

void make_rsa(test_key& k, const char* kid) {
  k.pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  REQUIRE(k.pkey != nullptr);
  k.jwk = std::string(R"({"kty":"RSA","kid":")") + kid + R"(","n":")" +
          b64(bn_param(k.pkey, OSSL_PKEY_PARAM_RSA_N)) + R"(","e":")" +
          b64(bn_param(k.pkey, OSSL_PKEY_PARAM_RSA_E)) + "\"}";
}
void make_ec(test_key& k, const char* kid, const char* curve, const char* crv, int len) {
  k.pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  REQUIRE(k.pkey != nullptr);
  k.jwk = std::string(R"({"kty":"EC","kid":")") + kid + R"(","crv":")" + crv + R"(","x":")" +
          b64(bn_param(k.pkey, OSSL_PKEY_PARAM_EC_PUB_X, len)) + R"(","y":")" +
          b64(bn_param(k.pkey, OSSL_PKEY_PARAM_EC_PUB_Y, len)) + "\"}";
}
void make_ed(test_key& k, const char* kid) {
  k.pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  REQUIRE(k.pkey != nullptr);
  std::string pub(32, '\0');
  size_t len = pub.size();
  REQUIRE(EVP_PKEY_get_raw_public_key(k.pkey, reinterpret_cast<unsigned char*>(pub.data()), &len) ==
          1);
  REQUIRE(len == 32);
  k.jwk = std::string(R"({"kty":"OKP","kid":")") + kid + R"(","crv":"Ed25519","x":")" + b64(pub) +
          "\"}";
}

// Signs `input` the way JWS `alg` wants it (ECDSA converted from DER to R||S).
std::string sign(EVP_PKEY* key, const std::string& alg, const std::string& input) {
  const bool ecdsa = alg == "ES256" || alg == "ES384";
  const char* md = alg == "EdDSA" ? nullptr : alg == "ES384" ? "SHA384" : "SHA256";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  REQUIRE(EVP_DigestSignInit_ex(ctx, &pctx, md, nullptr, nullptr, key, nullptr) == 1);
  if (alg == "PS256") {
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1);
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  REQUIRE(EVP_DigestSign(ctx, nullptr, &len, in, input.size()) == 1);
  std::string sig(len, '\0');
  REQUIRE(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                         input.size()) == 1);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (!ecdsa) return sig;
  const int half = alg == "ES384" ? 48 : 32;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  REQUIRE(es != nullptr);
  std::string raw(static_cast<std::size_t>(2 * half), '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_r(es), out, half) == half);
  REQUIRE(BN_bn2binpad(ECDSA_SIG_get0_s(es), out + half, half) == half);
  ECDSA_SIG_free(es);
  return raw;
}

std::string compact(EVP_PKEY* key, const std::string& header, const std::string& payload,
                    const std::string& sign_alg) {
  const std::string input = b64(header) + "." + b64(payload);
  return input + "." + b64(sign(key, sign_alg, input));
}

struct fixture {
  test_key rsa, ec256, ec384, ed;
  jose::jwk_set set;
  fixture() {
    make_rsa(rsa, "rsa");
    make_ec(ec256, "ec256", "P-256", "P-256", 32);
    make_ec(ec384, "ec384", "P-384", "P-384", 48);
    make_ed(ed, "ed");
    const std::string text =
        "{\"keys\":[" + rsa.jwk + "," + ec256.jwk + "," + ec384.jwk + "," + ed.jwk + "]}";
    auto s = jose::parse_jwk_set(text);
    REQUIRE(s);
    set = std::move(*s);
  }
};

fixture& keys() {
  static fixture f;
  return f;
}

}  // namespace

TEST_CASE("openssl verifier: RS256, PS256, ES256, ES384 and EdDSA verify; a flipped bit does not") {
  auto& f = keys();
  struct one {
    const char* alg;
    const char* kid;
    EVP_PKEY* key;
  };
  const std::string payload = R"({"iss":"https://issuer.example","sub":"alice","exp":4102444800})";
  for (const one c : {one{"RS256", "rsa", f.rsa.pkey}, one{"PS256", "rsa", f.rsa.pkey},
                      one{"ES256", "ec256", f.ec256.pkey}, one{"ES384", "ec384", f.ec384.pkey},
                      one{"EdDSA", "ed", f.ed.pkey}}) {
    CAPTURE(c.alg);
    openssl_verifier v;
    const std::string header =
        std::string(R"({"alg":")") + c.alg + R"(","kid":")" + c.kid + R"(","typ":"JWT"})";
    const std::string jws = compact(c.key, header, payload, c.alg);
    auto ok = jose::verify_jws(jws, f.set, v);
    REQUIRE(ok);
    CHECK(ok->payload == payload);
    CHECK(ERR_peek_error() == 0);

    // One bit of the payload: the JSON changes, the signature no longer fits.
    const std::size_t d1 = jws.find('.');
    const std::size_t d2 = jws.rfind('.');
    std::string bad_payload = jws;
    bad_payload[d1 + 3] = static_cast<char>(bad_payload[d1 + 3] ^ 0x01);
    if (pa::base64url_decode(bad_payload.substr(d1 + 1, d2 - d1 - 1))) {
      auto r = jose::verify_jws(bad_payload, f.set, v);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == pa::errc::jws_signature_invalid);
    }
    // One bit of the signature (decoded, flipped, re-encoded).
    auto sig = pa::base64url_decode(jws.substr(d2 + 1));
    REQUIRE(sig);
    for (const std::size_t at : {std::size_t{0}, sig->size() / 2, sig->size() - 1}) {
      std::string s = *sig;
      s[at] = static_cast<char>(s[at] ^ 0x01);
      auto r = jose::verify_jws(jws.substr(0, d2 + 1) + b64(s), f.set, v);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == pa::errc::jws_signature_invalid);
    }
    // A payload changed by one bit before signing verifies only with its own signature.
    std::string other = payload;
    other[10] = static_cast<char>(other[10] ^ 0x01);
    const std::string forged = jws.substr(0, d1 + 1) + b64(other) + jws.substr(d2);
    auto r = jose::verify_jws(forged, f.set, v);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pa::errc::jws_signature_invalid);
    CHECK(ERR_peek_error() == 0);  // the error queue is left clean
  }
}

TEST_CASE("openssl verifier: a signature by another key of the same type is invalid") {
  auto& f = keys();
  test_key other;
  make_ec(other, "ec256", "P-256", "P-256", 32);
  openssl_verifier v;
  auto r = jose::verify_jws(compact(other.pkey, R"({"alg":"ES256","kid":"ec256"})", "{}", "ES256"),
                            f.set, v);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pa::errc::jws_signature_invalid);
  // PS256 signature presented as RS256 (same key, other padding) does not verify.
  auto pss_as_pkcs1 = compact(f.rsa.pkey, R"({"alg":"RS256","kid":"rsa"})", "{}", "PS256");
  auto r2 = jose::verify_jws(pss_as_pkcs1, f.set, v);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == pa::errc::jws_signature_invalid);
}

TEST_CASE("openssl verifier: alg confusion with the RSA key's bytes as an HMAC secret is refused") {
  auto& f = keys();
  // The classic attack: HMAC the token with the PUBLIC key's bytes as the secret.
  const std::string secret = f.rsa.jwk;
  const std::string input = b64(R"({"alg":"HS256","kid":"rsa"})") + "." + b64(R"({"sub":"root"})");
  unsigned char mac[32];
  unsigned int mac_len = 0;
  REQUIRE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
               &mac_len) != nullptr);
  const std::string forged =
      input + "." + b64(std::string(reinterpret_cast<const char*>(mac), mac_len));
  openssl_verifier v;
  auto by_default = jose::verify_jws(forged, f.set, v);
  REQUIRE_FALSE(by_default);
  CHECK(by_default.error().code == pa::errc::jws_alg_not_allowed);
  jose::verify_options careless;
  careless.allowed.add(jose::jws_algorithm::hs256);
  auto allowed = jose::verify_jws(forged, f.set, careless, v);
  REQUIRE_FALSE(allowed);
  CHECK(allowed.error().code == pa::errc::jws_key_type_mismatch);
  // And the verifier itself refuses HS256 even if asked directly.
  const auto& rsa = *f.set.find("rsa");
  const std::span<const std::byte> sig(reinterpret_cast<const std::byte*>(mac), mac_len);
  CHECK(v.verify(jose::jws_algorithm::hs256, rsa, input, sig) == jose::verify_result::unsupported);
  // Algorithms outside its five are unsupported, not invalid.
  for (const auto alg :
       {jose::jws_algorithm::rs384, jose::jws_algorithm::rs512, jose::jws_algorithm::ps384,
        jose::jws_algorithm::ps512, jose::jws_algorithm::es512})
    CHECK(v.verify(alg, rsa, input, sig) == jose::verify_result::unsupported);
  // ES256 asked with the RSA key directly: fail closed.
  CHECK(v.verify(jose::jws_algorithm::es256, rsa, input, sig) == jose::verify_result::invalid);
}

TEST_CASE("openssl verifier: every JOSE refusal with real keys and signatures") {
  auto& f = keys();
  openssl_verifier v;
  const std::string payload = R"({"sub":"alice"})";
  struct one {
    std::string header;
    const char* sign_alg;
    EVP_PKEY* key;
    pa::errc code;
  };
  const one cases[] = {
      {R"({"alg":"none","kid":"rsa"})", "RS256", f.rsa.pkey, pa::errc::jws_alg_none},
      {R"({"alg":"RS256","kid":"rsa","crit":["b64"],"b64":false})", "RS256", f.rsa.pkey,
       pa::errc::jws_crit_unsupported},
      {R"({"alg":"RS256","kid":"rsa","jku":"https://attacker.example/jwks.json"})", "RS256",
       f.rsa.pkey, pa::errc::jws_header_key_refused},
      {R"({"alg":"RS256","kid":"rsa","x5u":"https://attacker.example/c.pem"})", "RS256", f.rsa.pkey,
       pa::errc::jws_header_key_refused},
      {R"({"alg":"ES256","jwk":)" + f.ec256.jwk + "}", "ES256", f.ec256.pkey,
       pa::errc::jws_header_key_refused},
      {R"({"alg":"RS384","kid":"rsa"})", "RS256", f.rsa.pkey, pa::errc::jws_alg_not_allowed},
      {R"({"alg":"RS256","kid":"../rsa"})", "RS256", f.rsa.pkey, pa::errc::jws_kid_invalid},
      {R"({"alg":"RS256","kid":"rsa2"})", "RS256", f.rsa.pkey, pa::errc::jws_kid_unknown},
      {R"({"alg":"ES256","kid":"ec384"})", "ES256", f.ec256.pkey, pa::errc::jws_key_type_mismatch},
      {R"({"alg":"EdDSA","kid":"rsa"})", "EdDSA", f.ed.pkey, pa::errc::jws_key_type_mismatch},
  };
  for (const auto& c : cases) {
    CAPTURE(c.header);
    auto r = jose::verify_jws(compact(c.key, c.header, payload, c.sign_alg), f.set, v);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
  }
  // A key restricted by use / key_ops / alg: a correctly signed token is still refused.
  struct restricted {
    const char* member;
    pa::errc code;
  };
  for (const restricted c : {restricted{R"("use":"enc",)", pa::errc::jws_key_not_for_verify},
                             restricted{R"("key_ops":["sign"],)", pa::errc::jws_key_not_for_verify},
                             restricted{R"("alg":"ES384",)", pa::errc::jws_key_alg_mismatch}}) {
    CAPTURE(c.member);
    const std::string text = R"({"keys":[{)" + std::string(c.member) + f.ec256.jwk.substr(1) + "]}";
    auto set = jose::parse_jwk_set(text);
    REQUIRE(set);
    auto r = jose::verify_jws(
        compact(f.ec256.pkey, R"({"alg":"ES256","kid":"ec256"})", payload, "ES256"), *set, v);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
  }
}

TEST_CASE("openssl verifier: an EC point off the curve is refused, not trusted") {
  auto& f = keys();
  const jose::jwk good = *f.set.find("ec256");
  jose::jwk bad = good;
  bad.y[31] = static_cast<char>(bad.y[31] ^ 0x01);  // (x, y') is not on P-256
  const std::string input = "e30.e30";
  const std::string sig = sign(f.ec256.pkey, "ES256", input);
  const std::span<const std::byte> s(reinterpret_cast<const std::byte*>(sig.data()), sig.size());
  openssl_verifier v;
  CHECK(v.verify(jose::jws_algorithm::es256, good, input, s) == jose::verify_result::valid);
  CHECK(v.verify(jose::jws_algorithm::es256, bad, input, s) == jose::verify_result::invalid);
  CHECK(ERR_peek_error() == 0);
  // R||S of the wrong length never reaches OpenSSL as valid.
  CHECK(v.verify(jose::jws_algorithm::es256, good, input, s.first(63)) ==
        jose::verify_result::invalid);
}

TEST_CASE("openssl verifier: the RFCs' own test vectors (RFC 7515 A.3 ES256, RFC 8037 A.4 EdDSA)") {
  openssl_verifier v;
  // RFC 8037 Appendix A.4: Ed25519 signature of "Example of Ed25519 signing".
  auto ed = jose::parse_jwk_set(
      R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  REQUIRE(ed);
  const std::string ed_jws =
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-"
      "09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  auto r = jose::verify_jws(ed_jws, *ed, v);
  REQUIRE(r);
  CHECK(r->payload == "Example of Ed25519 signing");
  std::string tampered = ed_jws;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  auto bad = jose::verify_jws(tampered, *ed, v);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == pa::errc::jws_signature_invalid);

  // RFC 7515 Appendix A.3: ES256 (its JWK without "d").
  auto ec = jose::parse_jwk_set(
      R"({"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
      R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})");
  REQUIRE(ec);
  const std::string ec_jws =
      "eyJhbGciOiJFUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  auto r2 = jose::verify_jws(ec_jws, *ec, v);
  REQUIRE(r2);
  CHECK(r2->payload.find("\"iss\":\"joe\"") != std::string::npos);
  // The same vector's key with its private "d" is not a public key.
  auto with_d = jose::parse_jwk_set(
      R"({"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
      R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",)"
      R"("d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]})");
  REQUIRE_FALSE(with_d);
  CHECK(with_d.error().code == pa::errc::jwk_private_key);
  CHECK(with_d.error().message.find("jpsQnnGQmL") == std::string::npos);
}

TEST_CASE("openssl verifier: one verifier shared by threads verifies concurrently") {
  auto& f = keys();
  const std::string es = compact(f.ec256.pkey, R"({"alg":"ES256","kid":"ec256"})", "{}", "ES256");
  const std::string rs = compact(f.rsa.pkey, R"({"alg":"PS256","kid":"rsa"})", "{}", "PS256");
  const std::string ed = compact(f.ed.pkey, R"({"alg":"EdDSA","kid":"ed"})", "{}", "EdDSA");
  std::string bad = es;
  bad[bad.size() - 2] = bad[bad.size() - 2] == 'A' ? 'B' : 'A';
  const openssl_verifier shared;
  std::atomic<int> valid{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        for (const std::string* tok : {&es, &rs, &ed})
          if (jose::verify_jws(*tok, f.set, shared)) ++valid;
        if (!jose::verify_jws(bad, f.set, shared)) ++refused;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(valid.load() == 4 * 25 * 3);
  CHECK(refused.load() == 4 * 25);
}

TEST_CASE("openssl verifier: every one-character change of a signed token is refused") {
  auto& f = keys();
  openssl_verifier v;
  struct one {
    const char* alg;
    const char* kid;
    EVP_PKEY* key;
  };
  for (const one c : {one{"RS256", "rsa", f.rsa.pkey}, one{"ES256", "ec256", f.ec256.pkey},
                      one{"EdDSA", "ed", f.ed.pkey}}) {
    CAPTURE(c.alg);
    const std::string header = std::string(R"({"alg":")") + c.alg + R"(","kid":")" + c.kid + "\"}";
    const std::string jws = compact(c.key, header, R"({"sub":"alice","admin":false})", c.alg);
    REQUIRE(jose::verify_jws(jws, f.set, v));
    int refused = 0;
    for (std::size_t at = 0; at < jws.size(); ++at) {
      std::string changed = jws;
      changed[at] = jws[at] == 'A' ? 'B' : jws[at] == '.' ? 'x' : 'A';
      if (jose::verify_jws(changed, f.set, v)) {
        FAIL_CHECK("a changed token verified at position " << at);
      } else {
        ++refused;
      }
    }
    CHECK(refused == static_cast<int>(jws.size()));
    CHECK(ERR_peek_error() == 0);
  }
}
