// SPDX-License-Identifier: MIT
// profile-auth: the OpenSSL 3 model of the Verifier seam (opt-in; link OpenSSL's libcrypto:
// CMake profile::auth_openssl, Meson profile_auth_openssl). Never included by <profile/auth.hpp>.
#ifndef PROFILE_AUTH_CRYPTO_OPENSSL_HPP
#define PROFILE_AUTH_CRYPTO_OPENSSL_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/jose/jwk.hpp>
#include <profile/auth/jose/verifier.hpp>

#include <cstddef>      // std::byte, std::size_t
#include <cstring>      // std::memcpy
#include <span>         // the signature
#include <string_view>  // the signing input

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#if OPENSSL_VERSION_MAJOR < 3
#error "<profile/auth/crypto/openssl.hpp> needs OpenSSL 3 (Debian: libssl-dev)"
#endif

/// Models of the JOSE seams on cryptographic libraries (opt-in headers, docs/jose.md).
namespace profile::auth::inline v0::crypto {

namespace detail {

/// Owns one OpenSSL object and frees it with `Free`.
template <class T, void (*Free)(T*)>
class ossl_ptr {
 public:
  ossl_ptr() noexcept = default;
  explicit ossl_ptr(T* p) noexcept : p_(p) {}
  ossl_ptr(const ossl_ptr&) = delete;
  ossl_ptr& operator=(const ossl_ptr&) = delete;
  ossl_ptr(ossl_ptr&& o) noexcept : p_(o.release()) {}
  ossl_ptr& operator=(ossl_ptr&&) = delete;
  ~ossl_ptr() {
    if (p_) Free(p_);
  }
  [[nodiscard]] T* get() const noexcept { return p_; }
  T** out() noexcept { return &p_; }
  T* release() noexcept {
    T* p = p_;
    p_ = nullptr;
    return p;
  }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

using pkey_ptr = ossl_ptr<EVP_PKEY, EVP_PKEY_free>;
using pkey_ctx_ptr = ossl_ptr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using md_ctx_ptr = ossl_ptr<EVP_MD_CTX, EVP_MD_CTX_free>;
using bld_ptr = ossl_ptr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using param_ptr = ossl_ptr<OSSL_PARAM, OSSL_PARAM_free>;
using bn_ptr = ossl_ptr<BIGNUM, BN_free>;
using ecdsa_sig_ptr = ossl_ptr<ECDSA_SIG, ECDSA_SIG_free>;

inline const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

/// An EVP_PKEY from `params` for the key type `name` ("RSA", "EC").
inline pkey_ptr pkey_fromdata(const char* name, OSSL_PARAM_BLD* bld) noexcept {
  pkey_ptr key;
  const param_ptr params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return key;
  const pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, name, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), key.out(), EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return pkey_ptr();
  return key;
}

/// The public key of `k` as an EVP_PKEY, or null when OpenSSL refuses it (an EC point off
/// its curve included).
inline pkey_ptr make_public_key(const jose::jwk& k) noexcept {
  switch (k.kty) {
    case jose::key_type::rsa: {
      const bn_ptr n(BN_bin2bn(bytes(k.n), static_cast<int>(k.n.size()), nullptr));
      const bn_ptr e(BN_bin2bn(bytes(k.e), static_cast<int>(k.e.size()), nullptr));
      const bld_ptr bld(OSSL_PARAM_BLD_new());
      if (!n || !e || !bld ||
          OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
          OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return pkey_ptr();
      return pkey_fromdata("RSA", bld.get());
    }
    case jose::key_type::ec: {
      const std::size_t len = k.crv == jose::curve::p384 ? 48 : 32;
      if (k.x.size() != len || k.y.size() != len) return pkey_ptr();
      unsigned char point[1 + 2 * 48];
      point[0] = 0x04;  // SEC 1 uncompressed point: 04 || x || y
      std::memcpy(point + 1, k.x.data(), len);
      std::memcpy(point + 1 + len, k.y.data(), len);
      const bld_ptr bld(OSSL_PARAM_BLD_new());
      const char* group = k.crv == jose::curve::p384 ? "secp384r1" : "prime256v1";
      if (!bld ||
          OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
          OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point,
                                           1 + 2 * len) != 1)
        return pkey_ptr();
      pkey_ptr key = pkey_fromdata("EC", bld.get());
      if (!key) return key;
      // The point must be on the curve and not the point at infinity.
      const pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
      if (!check || EVP_PKEY_public_check(check.get()) != 1) return pkey_ptr();
      return key;
    }
    case jose::key_type::okp:
      if (k.crv != jose::curve::ed25519 || k.x.size() != 32) return pkey_ptr();
      return pkey_ptr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(k.x), 32));
  }
  return pkey_ptr();
}

/// Verifies with EVP_DigestVerify; `md` null for EdDSA, `pss` for RSASSA-PSS (salt = hash size).
inline bool digest_verify(EVP_PKEY* key, const char* md, bool pss, std::string_view input,
                          const unsigned char* sig, std::size_t sig_len) noexcept {
  const md_ctx_ptr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), &pctx, md, nullptr, nullptr, key, nullptr) != 1)
    return false;
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, nullptr) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1))
    return false;
  return EVP_DigestVerify(ctx.get(), sig, sig_len, bytes(input), input.size()) == 1;
}

/// JOSE R||S (RFC 7518 §3.4) to the DER ECDSA-Sig-Value OpenSSL verifies, then verifies.
inline bool ecdsa_verify(EVP_PKEY* key, const char* md, std::size_t half, std::string_view input,
                         const unsigned char* sig, std::size_t sig_len) noexcept {
  if (sig_len != 2 * half) return false;
  bn_ptr r(BN_bin2bn(sig, static_cast<int>(half), nullptr));
  bn_ptr s(BN_bin2bn(sig + half, static_cast<int>(half), nullptr));
  const ecdsa_sig_ptr es(ECDSA_SIG_new());
  if (!r || !s || !es || ECDSA_SIG_set0(es.get(), r.get(), s.get()) != 1) return false;
  (void)r.release();  // owned by es now
  (void)s.release();
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(es.get(), &der);
  if (der_len <= 0) return false;
  const bool ok = digest_verify(key, md, false, input, der, static_cast<std::size_t>(der_len));
  OPENSSL_free(der);
  return ok;
}

}  // namespace detail

/// A Verifier on OpenSSL 3's EVP API: RS256 (PKCS#1 v1.5, SHA-256), PS256 (PSS, SHA-256, MGF1
/// SHA-256, salt 32 bytes), ES256 / ES384 (JOSE R‖S converted to DER), EdDSA (Ed25519).
/// Other algorithms answer verify_result::unsupported. A key OpenSSL refuses (an EC point off
/// its curve), a key whose type does not fit the algorithm and any OpenSSL failure answer
/// verify_result::invalid; the thread's OpenSSL error queue is cleared after a failure, so a
/// TLS stack on the same thread does not see stale errors. Stateless and thread-safe; the key
/// is built from the JWK on every call (no cache).
class openssl_verifier {
 public:
  /// Checks `sig` over `input` with `key` for `alg` (see jose::Verifier).
  [[nodiscard]] jose::verify_result verify(jose::jws_algorithm alg, const jose::jwk& key,
                                           std::string_view input,
                                           std::span<const std::byte> sig) const noexcept {
    using jose::jws_algorithm;
    if (alg != jws_algorithm::rs256 && alg != jws_algorithm::ps256 && alg != jws_algorithm::es256 &&
        alg != jws_algorithm::es384 && alg != jws_algorithm::eddsa)
      return jose::verify_result::unsupported;
    if (!jose::key_fits(alg, key)) return jose::verify_result::invalid;
    const auto* s = reinterpret_cast<const unsigned char*>(sig.data());
    bool ok = false;
    const detail::pkey_ptr pkey = detail::make_public_key(key);
    if (pkey) {
      switch (alg) {
        case jws_algorithm::rs256:
          ok = detail::digest_verify(pkey.get(), "SHA256", false, input, s, sig.size());
          break;
        case jws_algorithm::ps256:
          ok = detail::digest_verify(pkey.get(), "SHA256", true, input, s, sig.size());
          break;
        case jws_algorithm::es256:
          ok = detail::ecdsa_verify(pkey.get(), "SHA256", 32, input, s, sig.size());
          break;
        case jws_algorithm::es384:
          ok = detail::ecdsa_verify(pkey.get(), "SHA384", 48, input, s, sig.size());
          break;
        case jws_algorithm::eddsa:
          ok = detail::digest_verify(pkey.get(), nullptr, false, input, s, sig.size());
          break;
        default:
          break;
      }
    }
    if (!ok) {
      ERR_clear_error();
      return jose::verify_result::invalid;
    }
    return jose::verify_result::valid;
  }
};

static_assert(jose::Verifier<openssl_verifier>);
static_assert(jose::Verifier<const openssl_verifier>);

}  // namespace profile::auth::inline v0::crypto

#endif  // PROFILE_AUTH_CRYPTO_OPENSSL_HPP
