// SPDX-License-Identifier: MIT
// profile-auth: compact JWS (RFC 7515) splitting, header decoding and verification against a
// public key set with an algorithm allow-list. Pure: the cryptography is the Verifier's.
#ifndef PROFILE_AUTH_JOSE_JWS_HPP
#define PROFILE_AUTH_JOSE_JWS_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_limits.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/jose/jwk.hpp>
#include <profile/auth/jose/verifier.hpp>
#include <profile/auth/result.hpp>

#include <cstddef>      // std::size_t, std::byte
#include <optional>     // the recognised algorithm
#include <span>         // the signature handed to the verifier
#include <string>       // decoded parts
#include <string_view>  // views into the compact form
#include <type_traits>  // std::remove_reference_t: any Verifier, lvalue or temporary
#include <utility>      // std::move

namespace profile::auth::inline v0::jose {

/// The three parts of a compact JWS, as views into it (still base64url).
struct jws_parts {
  std::string_view header;         ///< BASE64URL(UTF8(JWS Protected Header))
  std::string_view payload;        ///< BASE64URL(JWS Payload)
  std::string_view signature;      ///< BASE64URL(JWS Signature)
  std::string_view signing_input;  ///< header '.' payload: the bytes that were signed
};

/// The protected header members this library looks at (RFC 7515 §4.1).
struct jws_header {
  std::string alg;                         ///< `alg` as written
  std::optional<jws_algorithm> algorithm;  ///< `alg` when it names a known algorithm
  std::string kid;                         ///< `kid`; empty when absent
  bool has_kid = false;                    ///< true when `kid` was present
  std::string typ;                         ///< `typ` (e.g. "JWT", "at+jwt"); empty when absent
  std::string cty;                         ///< `cty`; empty when absent
  bool has_crit = false;                   ///< `crit` present (always refused by verify_jws)
  bool has_jku = false;                    ///< `jku` present (refused)
  bool has_x5u = false;                    ///< `x5u` present (refused)
  bool has_jwk = false;                    ///< an embedded `jwk` present (refused)
  bool has_x5c = false;                    ///< `x5c` present (refused)
};

/// What verify_jws() checks besides the signature.
struct verify_options {
  /// The algorithms accepted; default RS256, PS256, ES256, ES384, EdDSA. `none` is never
  /// accepted, whatever this says.
  algorithm_set allowed = algorithm_set::defaults();
  /// The longest compact JWS accepted, in bytes (errc::limit_exceeded above it).
  std::size_t max_size = 64 * 1024;
  /// The JSON limits for the protected header.
  ::profile::auth::detail::json::limits json_limits{};
};

/// A JWS whose signature verified: its header and its decoded payload. For a JWT, read the
/// claims with decode_unverified_claims() on the same compact text (now verified) or parse
/// `payload`; issuer, audience and times are NOT checked here.
struct verified_jws {
  jws_header header;    ///< the protected header
  std::string payload;  ///< the payload bytes (base64url-decoded)
};

namespace detail {
inline unexpected<error> jws_fail(errc code, std::string what) {
  return fail(code, "JWS: " + std::move(what));
}
/// Strict base64url: no padding, nothing outside the alphabet.
inline result<std::string> jws_b64(std::string_view part, std::string_view name) {
  if (part.find('=') != std::string_view::npos)
    return jws_fail(errc::jose_malformed,
                    "the " + std::string(name) + " has base64 padding (RFC 7515 §2 forbids it)");
  auto bytes = base64url_decode(part);
  if (!bytes)
    return jws_fail(errc::jose_malformed, "the " + std::string(name) + " is not base64url (" +
                                              bytes.error().message + ")");
  return bytes;
}
}  // namespace detail

/// Splits a compact JWS into its three parts. Errors: errc::jose_malformed unless there are
/// exactly three parts with a non-empty header and signature (a JWE's five parts included).
[[nodiscard]] inline result<jws_parts> split_jws(std::string_view compact) {
  const std::size_t d1 = compact.find('.');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
    return detail::jws_fail(errc::jose_malformed, "not three dot-separated parts");
  jws_parts p;
  p.header = compact.substr(0, d1);
  p.payload = compact.substr(d1 + 1, d2 - d1 - 1);
  p.signature = compact.substr(d2 + 1);
  p.signing_input = compact.substr(0, d2);
  if (p.header.empty() || p.signature.empty())
    return detail::jws_fail(errc::jose_malformed, "the header or the signature is empty");
  return p;
}

/// Decodes the base64url protected header and reads its members. Errors: errc::jose_malformed
/// (not base64url without padding, not a JSON object, `alg` missing or not a string, `kid`,
/// `typ` or `cty` not a string); the JSON reader's errc for bad JSON.
[[nodiscard]] inline result<jws_header> decode_jws_header(
    std::string_view header_b64, const ::profile::auth::detail::json::limits& lim = {}) {
  auto text = detail::jws_b64(header_b64, "header");
  if (!text) return unexpected<error>(std::move(text).error());
  auto doc = ::profile::auth::detail::json::parse(std::string_view(*text), lim);
  if (!doc) return unexpected<error>(std::move(doc).error());
  const auto root = doc->root();
  if (!root.is_object())
    return detail::jws_fail(errc::jose_malformed, "the header is not an object");
  jws_header h;
  const auto alg = root.find("alg");
  if (!alg || !alg->copy_string_to(h.alg))
    return detail::jws_fail(errc::jose_malformed, "the header has no string \"alg\"");
  h.algorithm = algorithm_from_string(h.alg);
  if (const auto v = root.find("kid")) {
    if (!v->copy_string_to(h.kid))
      return detail::jws_fail(errc::jose_malformed, "the header's \"kid\" is not a string");
    h.has_kid = true;
  }
  if (const auto v = root.find("typ"); v && !v->copy_string_to(h.typ))
    return detail::jws_fail(errc::jose_malformed, "the header's \"typ\" is not a string");
  if (const auto v = root.find("cty"); v && !v->copy_string_to(h.cty))
    return detail::jws_fail(errc::jose_malformed, "the header's \"cty\" is not a string");
  h.has_crit = root.find("crit").has_value();
  h.has_jku = root.find("jku").has_value();
  h.has_x5u = root.find("x5u").has_value();
  h.has_jwk = root.find("jwk").has_value();
  h.has_x5c = root.find("x5c").has_value();
  return h;
}

/// True when `kid` is safe to use as a lookup key anywhere: at most 256 bytes, no '/', '\\',
/// "..", and no control byte (a kid must never become a path or a log injection).
[[nodiscard]] constexpr bool kid_is_safe(std::string_view kid) noexcept {
  if (kid.size() > 256 || kid.find("..") != std::string_view::npos) return false;
  for (const char c : kid)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  return true;
}

/// Verifies a compact JWS against the public keys of `keys` and returns its header and payload.
/// The checks, in order, each with its own error (messages never quote the token):
/// - (1) size ≤ opts.max_size (errc::limit_exceeded); three parts, base64url without padding, the
///   header a JSON object with a string `alg` (errc::jose_malformed);
/// - (2) `alg: none` → errc::jws_alg_none;
/// - (3) `crit` present → errc::jws_crit_unsupported (no extension is understood);
/// - (4) `jku`, `x5u`, `jwk` or `x5c` present → errc::jws_header_key_refused (keys come from
///   `keys` only; a key a token names itself is never fetched or trusted);
/// - (5) `alg` not in opts.allowed (or unknown) → errc::jws_alg_not_allowed;
/// - (6) `kid` over 256 bytes or with '/', '\\', "..", a control byte → errc::jws_kid_invalid;
/// - (7) no key with that `kid` (or, without a `kid`, a set that does not hold exactly one key)
///   → errc::jws_kid_unknown;
/// - (8) the key's type or curve does not fit `alg` (HS256 against an RSA key, ES384 against a
///   P-256 key …) → errc::jws_key_type_mismatch, before any cryptography;
/// - (9) the key's `use` present and not "sig", or its `key_ops` present without "verify"
///   → errc::jws_key_not_for_verify;
/// - (10) the key's `alg` present and different → errc::jws_key_alg_mismatch;
/// - (11) the signature's length wrong for the algorithm (R‖S 64/96 bytes, Ed25519 64, RSA the
///   modulus length) or the verifier answers invalid → errc::jws_signature_invalid;
///   the verifier answers unsupported → errc::jws_unsupported.
template <class V>
  requires Verifier<std::remove_reference_t<V>>
[[nodiscard]] result<verified_jws> verify_jws(std::string_view compact, const jwk_set& keys,
                                              const verify_options& opts, V&& verifier) {
  if (compact.size() > opts.max_size)
    return detail::jws_fail(errc::limit_exceeded, "the token is " + std::to_string(compact.size()) +
                                                      " bytes, above verify_options::max_size (" +
                                                      std::to_string(opts.max_size) + ")");
  auto parts = split_jws(compact);
  if (!parts) return unexpected<error>(std::move(parts).error());
  auto h = decode_jws_header(parts->header, opts.json_limits);
  if (!h) return unexpected<error>(std::move(h).error());
  if (h->alg == "none")
    return detail::jws_fail(errc::jws_alg_none, "alg \"none\" (an unsigned token) is refused");
  if (h->has_crit)
    return detail::jws_fail(errc::jws_crit_unsupported,
                            "the header has \"crit\": no JWS extension is supported");
  if (h->has_jku || h->has_x5u || h->has_jwk || h->has_x5c)
    return detail::jws_fail(errc::jws_header_key_refused,
                            "the header names its own key (jku, x5u, jwk or x5c): refused, keys "
                            "come from the configured key set only");
  if (!h->algorithm || !opts.allowed.contains(*h->algorithm))
    return detail::jws_fail(errc::jws_alg_not_allowed,
                            h->algorithm ? "alg " + std::string(to_string(*h->algorithm)) +
                                               " is not in verify_options::allowed"
                                         : std::string("the alg is not a known JWS algorithm"));
  const jws_algorithm alg = *h->algorithm;
  const jwk* key = nullptr;
  if (h->has_kid) {
    if (!kid_is_safe(h->kid))
      return detail::jws_fail(errc::jws_kid_invalid,
                              "the kid is longer than 256 bytes or has '/', '\\', \"..\" or a "
                              "control byte");
    key = keys.find(h->kid);
    if (!key)
      return detail::jws_fail(errc::jws_kid_unknown, "no key of the set has the token's kid");
  } else {
    if (keys.keys.size() != 1)
      return detail::jws_fail(errc::jws_kid_unknown, "the token has no kid and the set holds " +
                                                         std::to_string(keys.keys.size()) +
                                                         " keys, not exactly one");
    key = &keys.keys.front();
  }
  if (!key_fits(alg, *key))
    return detail::jws_fail(errc::jws_key_type_mismatch,
                            "alg " + std::string(to_string(alg)) +
                                " does not fit the key's type or curve (algorithm confusion)");
  if ((!key->use.empty() && key->use != "sig") || !key->allows_op("verify"))
    return detail::jws_fail(errc::jws_key_not_for_verify,
                            "the key's use is not \"sig\" or its key_ops lack \"verify\"");
  if (!key->alg.empty() && key->alg != to_string(alg))
    return detail::jws_fail(
        errc::jws_key_alg_mismatch,
        "the key is for alg " + key->alg + ", the token says " + std::string(to_string(alg)));
  auto sig = detail::jws_b64(parts->signature, "signature");
  if (!sig) return unexpected<error>(std::move(sig).error());
  std::size_t want = 0;
  switch (key->kty) {
    case key_type::rsa:
      want = key->n.size();
      break;
    case key_type::ec:
      want = 2 * key->x.size();
      break;
    case key_type::okp:
      want = 64;
      break;
  }
  if (sig->size() != want)
    return detail::jws_fail(errc::jws_signature_invalid,
                            "the signature is " + std::to_string(sig->size()) + " bytes, " +
                                std::string(to_string(alg)) + " with this key makes " +
                                std::to_string(want));
  auto payload = detail::jws_b64(parts->payload, "payload");
  if (!payload) return unexpected<error>(std::move(payload).error());
  const std::span<const std::byte> sig_bytes(reinterpret_cast<const std::byte*>(sig->data()),
                                             sig->size());
  switch (verifier.verify(alg, *key, parts->signing_input, sig_bytes)) {
    case verify_result::valid:
      break;
    case verify_result::unsupported:
      return detail::jws_fail(errc::jws_unsupported,
                              "the verifier does not support alg " + std::string(to_string(alg)));
    case verify_result::invalid:
    default:
      return detail::jws_fail(errc::jws_signature_invalid, "the signature does not verify");
  }
  verified_jws out;
  out.header = std::move(*h);
  out.payload = std::move(*payload);
  return out;
}

/// verify_jws() with the default options.
template <class V>
  requires Verifier<std::remove_reference_t<V>>
[[nodiscard]] result<verified_jws> verify_jws(std::string_view compact, const jwk_set& keys,
                                              V&& verifier) {
  return verify_jws(compact, keys, verify_options{}, verifier);
}

}  // namespace profile::auth::inline v0::jose

#endif  // PROFILE_AUTH_JOSE_JWS_HPP
