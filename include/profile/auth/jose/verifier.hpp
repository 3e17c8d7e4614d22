// SPDX-License-Identifier: MIT
// profile-auth: the verifier seam: JWS algorithms and the Verifier concept that checks one
// signature with a public JWK (OpenSSL model: <profile/auth/crypto/openssl.hpp>).
#ifndef PROFILE_AUTH_JOSE_VERIFIER_HPP
#define PROFILE_AUTH_JOSE_VERIFIER_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/jose/jwk.hpp>

#include <concepts>          // std::same_as
#include <cstddef>           // std::byte
#include <initializer_list>  // algorithm_set{…}
#include <optional>          // algorithm_from_string
#include <span>              // the signature bytes
#include <string_view>       // the signing input, algorithm names

namespace profile::auth::inline v0::jose {

/// The JWS `alg` values this library names (RFC 7518 §3.1, RFC 8037 §3.1). Naming one does not
/// make it accepted: verify_jws() accepts only the caller's allow-list, and `none` has no value
/// here at all.
enum class jws_algorithm : unsigned char {
  hs256,  ///< HMAC SHA-256 (never matches a key this library reads: refused as confusion)
  hs384,  ///< HMAC SHA-384 (idem)
  hs512,  ///< HMAC SHA-512 (idem)
  rs256,  ///< RSASSA-PKCS1-v1_5 SHA-256
  rs384,  ///< RSASSA-PKCS1-v1_5 SHA-384
  rs512,  ///< RSASSA-PKCS1-v1_5 SHA-512
  ps256,  ///< RSASSA-PSS SHA-256, MGF1 SHA-256, salt 32 bytes
  ps384,  ///< RSASSA-PSS SHA-384
  ps512,  ///< RSASSA-PSS SHA-512
  es256,  ///< ECDSA P-256 SHA-256, signature R||S of 64 bytes
  es384,  ///< ECDSA P-384 SHA-384, signature R||S of 96 bytes
  es512,  ///< ECDSA P-521 SHA-512 (no P-521 key is read: refused as confusion)
  eddsa,  ///< EdDSA (RFC 8037) with an Ed25519 key, signature of 64 bytes
};

/// The `alg` name of `a` ("RS256", "EdDSA", …).
[[nodiscard]] constexpr std::string_view to_string(jws_algorithm a) noexcept {
  constexpr std::string_view names[] = {"HS256", "HS384", "HS512", "RS256", "RS384",
                                        "RS512", "PS256", "PS384", "PS512", "ES256",
                                        "ES384", "ES512", "EdDSA"};
  const auto i = static_cast<std::size_t>(a);
  return i < sizeof names / sizeof names[0] ? names[i] : std::string_view("unknown");
}

/// The algorithm named `name` (exact, case-sensitive), or nullopt (`none` included).
[[nodiscard]] constexpr std::optional<jws_algorithm> algorithm_from_string(
    std::string_view name) noexcept {
  for (unsigned i = 0; i <= static_cast<unsigned>(jws_algorithm::eddsa); ++i)
    if (to_string(static_cast<jws_algorithm>(i)) == name) return static_cast<jws_algorithm>(i);
  return std::nullopt;
}

/// True when `key`'s type (and curve) is the one `alg` is defined for: RS*/PS* an RSA key,
/// ES256 EC P-256, ES384 EC P-384, EdDSA OKP Ed25519. HS* and ES512 fit no key this library
/// reads. verify_jws() checks this before any cryptography: it is the alg-confusion guard.
[[nodiscard]] constexpr bool key_fits(jws_algorithm alg, const jwk& key) noexcept {
  switch (alg) {
    case jws_algorithm::rs256:
    case jws_algorithm::rs384:
    case jws_algorithm::rs512:
    case jws_algorithm::ps256:
    case jws_algorithm::ps384:
    case jws_algorithm::ps512:
      return key.kty == key_type::rsa;
    case jws_algorithm::es256:
      return key.kty == key_type::ec && key.crv == curve::p256;
    case jws_algorithm::es384:
      return key.kty == key_type::ec && key.crv == curve::p384;
    case jws_algorithm::eddsa:
      return key.kty == key_type::okp && key.crv == curve::ed25519;
    default:
      return false;
  }
}

/// A set of algorithms (the allow-list of verify_options).
class algorithm_set {
 public:
  /// The empty set.
  constexpr algorithm_set() noexcept = default;
  /// The set of `algs`.
  constexpr algorithm_set(std::initializer_list<jws_algorithm> algs) noexcept {
    for (const auto a : algs) add(a);
  }
  /// Adds `a`.
  constexpr algorithm_set& add(jws_algorithm a) noexcept {
    bits_ |= 1U << static_cast<unsigned>(a);
    return *this;
  }
  /// Removes `a`.
  constexpr algorithm_set& remove(jws_algorithm a) noexcept {
    bits_ &= ~(1U << static_cast<unsigned>(a));
    return *this;
  }
  /// True when `a` is in the set.
  [[nodiscard]] constexpr bool contains(jws_algorithm a) const noexcept {
    return (bits_ >> static_cast<unsigned>(a) & 1U) != 0;
  }
  /// The default allow-list: RS256, PS256, ES256, ES384, EdDSA (no HMAC, never `none`).
  [[nodiscard]] static constexpr algorithm_set defaults() noexcept {
    return {jws_algorithm::rs256, jws_algorithm::ps256, jws_algorithm::es256, jws_algorithm::es384,
            jws_algorithm::eddsa};
  }

 private:
  unsigned bits_ = 0;
};

/// What a Verifier answers.
enum class verify_result : unsigned char {
  valid,        ///< the signature is correct for this key, algorithm and input
  invalid,      ///< it is not (or the key could not be used: fail closed)
  unsupported,  ///< this verifier does not implement the algorithm or key type
};

// ---------------------------------------------------------------------------------------------
/// Verifier: checks one JWS signature with a public key. The cryptography of the library comes
/// in through this seam only; verify_jws() has done every JOSE check before it calls it.
///
/// | expression                          | result          | meaning                             |
/// |-------------------------------------|-----------------|-------------------------------------|
/// | `v.verify(alg, key, input, sig)`    | `verify_result` | `alg` a `jws_algorithm`, `key` a    |
/// |                                     |                 | `const jwk&` whose type fits `alg`, |
/// |                                     |                 | `input` the signing input           |
/// |                                     |                 | (`std::string_view`, ASCII),        |
/// |                                     |                 | `sig` the decoded signature         |
/// |                                     |                 | (`std::span<const std::byte>`;      |
/// |                                     |                 | ECDSA as JOSE R‖S); `noexcept`;     |
/// |                                     |                 | `invalid` for any failure to use    |
/// |                                     |                 | the key (fail closed)               |
///
/// Models shipped: crypto::openssl_verifier (<profile/auth/crypto/openssl.hpp>, OpenSSL 3).
/// Exemplar: tests/unit/test_jose_jws.cpp (`fake_verifier`). An HSM, PKCS#11 or KMS verifier is
/// any type with this member (docs/jose.md).
template <class V>
concept Verifier = requires(V& v, jws_algorithm alg, const jwk& key, std::string_view input,
                            std::span<const std::byte> sig) {
  { v.verify(alg, key, input, sig) } noexcept -> std::same_as<verify_result>;
};

}  // namespace profile::auth::inline v0::jose

#endif  // PROFILE_AUTH_JOSE_VERIFIER_HPP
