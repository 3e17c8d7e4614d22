// SPDX-License-Identifier: MIT
// profile-auth: public JSON Web Keys and key sets (RFC 7517, RFC 7518 §6, RFC 8037), parsed
// strictly. Pure: no I/O, no cryptography (a Verifier turns a jwk into a key it can use).
#ifndef PROFILE_AUTH_JOSE_JWK_HPP
#define PROFILE_AUTH_JOSE_JWK_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/json.hpp>
#include <profile/auth/detail/json_limits.hpp>
#include <profile/auth/encoding.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>

#include <cstddef>      // std::size_t
#include <string>       // decoded key material, names
#include <string_view>  // JSON text, member names
#include <utility>      // std::move
#include <vector>       // key_ops, the keys of a set

/// JOSE (RFC 7515, 7517, 7518, 8037): public keys, compact JWS verification and the Verifier
/// seam (docs/jose.md). Pure: no I/O; cryptography comes from a Verifier.
namespace profile::auth::inline v0::jose {

/// The key types this library reads (`kty`). `oct` (symmetric) keys are never read: a public
/// key set must not hold a shared secret, and no HMAC algorithm can be matched to a public key.
enum class key_type : unsigned char {
  rsa,  ///< `RSA` (RFC 7518 §6.3): n, e
  ec,   ///< `EC` (RFC 7518 §6.2): crv P-256 or P-384, x, y
  okp,  ///< `OKP` (RFC 8037): crv Ed25519, x
};

/// The curves this library reads (`crv`); `none` for RSA.
enum class curve : unsigned char { none, p256, p384, ed25519 };

/// One public JWK. Key material is held decoded (big-endian bytes, as the RFCs define it).
struct jwk {
  key_type kty = key_type::rsa;  ///< `kty`
  curve crv = curve::none;       ///< `crv` (EC, OKP)
  std::string n;    ///< RSA modulus, 256..1024 bytes (2048..8192 bits), no leading zero byte
  std::string e;    ///< RSA public exponent, 1..8 bytes, odd, no leading zero byte
  std::string x;    ///< EC x coordinate (32 or 48 bytes) or the Ed25519 public key (32 bytes)
  std::string y;    ///< EC y coordinate (32 or 48 bytes); empty for OKP
  std::string use;  ///< `use` ("sig", "enc", …); empty when absent
  bool has_key_ops = false;          ///< true when `key_ops` was present (even empty)
  std::vector<std::string> key_ops;  ///< `key_ops` ("verify", …), without duplicates
  std::string alg;                   ///< `alg` the key is meant for; empty when absent
  std::string kid;                   ///< `kid`; empty when absent
  bool has_kid = false;              ///< true when `kid` was present

  /// True when `key_ops` is absent or lists `op`.
  [[nodiscard]] bool allows_op(std::string_view op) const noexcept {
    if (!has_key_ops) return true;
    for (const auto& o : key_ops)
      if (o == op) return true;
    return false;
  }
};

/// A JWK set (RFC 7517 §5): the keys this library reads, in document order.
struct jwk_set {
  std::vector<jwk> keys;    ///< the keys read
  std::size_t skipped = 0;  ///< keys of a type or curve this library does not read (RFC 7517 §5)

  /// The key whose `kid` equals `kid` (exact, case-sensitive), or nullptr. kids are unique in a
  /// set parse_jwk_set() returned.
  [[nodiscard]] const jwk* find(std::string_view kid) const noexcept {
    for (const auto& k : keys)
      if (k.has_kid && k.kid == kid) return &k;
    return nullptr;
  }
};

namespace detail {

inline unexpected<error> jwk_fail(std::string what) {
  return fail(errc::jose_malformed, "JWK: " + std::move(what));
}

/// Members that only a private (or symmetric) key has: RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037.
inline constexpr std::string_view jwk_private_members[] = {"d",  "p",  "q",   "dp",
                                                           "dq", "qi", "oth", "k"};

/// Decodes the base64url member `name` of `obj` strictly (no padding) into `out`.
/// `required`: absence is an error. Never quotes the value.
inline result<bool> jwk_b64_member(const ::profile::auth::detail::json::value& obj,
                                   std::string_view name, std::string& out, bool required) {
  const auto v = obj.find(name);
  if (!v) {
    if (required) return jwk_fail("the member \"" + std::string(name) + "\" is missing");
    return false;
  }
  std::string text;
  if (!v->copy_string_to(text))
    return jwk_fail("the member \"" + std::string(name) + "\" is not a string");
  if (text.empty() || text.find('=') != std::string::npos)
    return jwk_fail("the member \"" + std::string(name) +
                    "\" is not unpadded base64url (RFC 7515 §2)");
  auto bytes = base64url_decode(text);
  if (!bytes)
    return jwk_fail("the member \"" + std::string(name) + "\" is not base64url (" +
                    bytes.error().message + ")");
  out = std::move(*bytes);
  return true;
}

/// Copies the optional string member `name` into `out`; true when present. Not a string: error.
inline result<bool> jwk_string_member(const ::profile::auth::detail::json::value& obj,
                                      std::string_view name, std::string& out) {
  const auto v = obj.find(name);
  if (!v) return false;
  if (!v->copy_string_to(out))
    return jwk_fail("the member \"" + std::string(name) + "\" is not a string");
  return true;
}

/// Reads one JWK object. `supported` is set false (and a value returned) for a key of a type or
/// curve this library does not read; the caller decides whether that is an error.
inline result<jwk> read_jwk(const ::profile::auth::detail::json::value& obj, bool& supported) {
  supported = true;
  if (!obj.is_object()) return jwk_fail("a key is not a JSON object");
  for (const std::string_view m : jwk_private_members)
    if (obj.find(m))
      return fail(errc::jwk_private_key,
                  "JWK: a public key holds the private member \"" + std::string(m) +
                      "\": refused (the key set is not a public one; its values are not shown)");
  jwk k;
  std::string kty, crv;
  auto r = jwk_string_member(obj, "kty", kty);
  if (!r) return unexpected<error>(std::move(r).error());
  if (!*r) return jwk_fail("the member \"kty\" is missing");
  if (kty == "RSA") {
    k.kty = key_type::rsa;
  } else if (kty == "EC") {
    k.kty = key_type::ec;
  } else if (kty == "OKP") {
    k.kty = key_type::okp;
  } else {
    supported = false;
    return k;
  }
  if (k.kty != key_type::rsa) {
    r = jwk_string_member(obj, "crv", crv);
    if (!r) return unexpected<error>(std::move(r).error());
    if (!*r) return jwk_fail("the member \"crv\" is missing");
    if (k.kty == key_type::ec && crv == "P-256") {
      k.crv = curve::p256;
    } else if (k.kty == key_type::ec && crv == "P-384") {
      k.crv = curve::p384;
    } else if (k.kty == key_type::okp && crv == "Ed25519") {
      k.crv = curve::ed25519;
    } else {
      supported = false;
      return k;
    }
  }
  if (k.kty == key_type::rsa) {
    if (auto b = jwk_b64_member(obj, "n", k.n, true); !b)
      return unexpected<error>(std::move(b).error());
    if (auto b = jwk_b64_member(obj, "e", k.e, true); !b)
      return unexpected<error>(std::move(b).error());
    if (static_cast<unsigned char>(k.n[0]) == 0)
      return jwk_fail("the RSA modulus has a leading zero byte (RFC 7518 §6.3.1.1)");
    if (k.n.size() < 256 || k.n.size() > 1024 ||
        (k.n.size() == 256 && static_cast<unsigned char>(k.n[0]) < 0x80))
      return jwk_fail("the RSA modulus is " + std::to_string(k.n.size()) +
                      " bytes: 2048 to 8192 bits are accepted");
    if (k.e.size() > 8 || static_cast<unsigned char>(k.e[0]) == 0 ||
        (static_cast<unsigned char>(k.e.back()) & 1U) == 0 ||
        (k.e.size() == 1 && static_cast<unsigned char>(k.e[0]) < 3))
      return jwk_fail("the RSA exponent is not an odd number from 3 to 2^64 without leading zeros");
    if (obj.find("x") || obj.find("y") || obj.find("crv"))
      return jwk_fail("an RSA key has EC or OKP members");
  } else {
    const std::size_t len = k.crv == curve::p384 ? 48 : 32;
    if (auto b = jwk_b64_member(obj, "x", k.x, true); !b)
      return unexpected<error>(std::move(b).error());
    if (k.x.size() != len)
      return jwk_fail("the member \"x\" is " + std::to_string(k.x.size()) + " bytes, not " +
                      std::to_string(len));
    if (k.kty == key_type::ec) {
      if (auto b = jwk_b64_member(obj, "y", k.y, true); !b)
        return unexpected<error>(std::move(b).error());
      if (k.y.size() != len)
        return jwk_fail("the member \"y\" is " + std::to_string(k.y.size()) + " bytes, not " +
                        std::to_string(len));
    } else if (obj.find("y")) {
      return jwk_fail("an OKP key has the member \"y\"");
    }
    if (obj.find("n") || obj.find("e")) return jwk_fail("an EC or OKP key has RSA members");
  }
  if (auto s = jwk_string_member(obj, "use", k.use); !s)
    return unexpected<error>(std::move(s).error());
  if (auto s = jwk_string_member(obj, "alg", k.alg); !s)
    return unexpected<error>(std::move(s).error());
  if (auto s = jwk_string_member(obj, "kid", k.kid); !s) {
    return unexpected<error>(std::move(s).error());
  } else {
    k.has_kid = *s;
  }
  if (const auto ops = obj.find("key_ops")) {
    if (!ops->is_array()) return jwk_fail("the member \"key_ops\" is not an array");
    k.has_key_ops = true;
    for (const ::profile::auth::detail::json::value op : ops->elements()) {
      std::string name;
      if (!op.copy_string_to(name)) return jwk_fail("a \"key_ops\" entry is not a string");
      for (const auto& have : k.key_ops)
        if (have == name) return jwk_fail("\"key_ops\" lists an operation twice (RFC 7517 §4.3)");
      k.key_ops.push_back(std::move(name));
    }
  }
  return k;
}

}  // namespace detail

/// Parses one public JWK from JSON text, strictly:
/// - `kty` RSA (n, e: 2048..8192-bit modulus, minimal encodings), EC (crv P-256/P-384, x and y
///   of exactly 32/48 bytes) or OKP (crv Ed25519, x of 32 bytes); key material in base64url
///   WITHOUT padding; `use`, `alg`, `kid` strings; `key_ops` an array of distinct strings.
///   Other members (x5c, x5t, …) are ignored, as RFC 7517 §4 asks.
/// Errors: errc::jwk_private_key when a private member (d, p, q, dp, dq, qi, oth, k) is present
/// (its value is never shown); errc::jose_malformed for a missing or malformed member, or a
/// `kty`/`crv` this library does not read; errc::invalid_json / invalid_utf8 / limit_exceeded
/// from the JSON reader.
[[nodiscard]] inline result<jwk> parse_jwk(std::string_view json_text,
                                           const ::profile::auth::detail::json::limits& lim = {}) {
  auto doc = ::profile::auth::detail::json::parse(json_text, lim);
  if (!doc) return unexpected<error>(std::move(doc).error());
  bool supported = true;
  auto k = detail::read_jwk(doc->root(), supported);
  if (k && !supported)
    return detail::jwk_fail(
        "the key type or curve is not one this library reads (RSA, EC "
        "P-256/P-384, OKP Ed25519)");
  return k;
}

/// Parses a public JWK set (`{"keys":[…]}`, RFC 7517 §5), strictly: every key as parse_jwk()
/// reads it, except that keys of another type or curve (`oct`, P-521, X25519 …) are skipped
/// and counted (RFC 7517 §5 asks to ignore them). Two keys with the same `kid` are refused
/// (errc::jose_malformed): a lookup must never have two answers.
/// Errors: as parse_jwk(), and errc::jwk_private_key for a private member in ANY key, skipped
/// types included (a set that carries a secret is not a public set); errc::jose_malformed when
/// `keys` is missing or not an array; errc::limit_exceeded when `keys` has more than `max_keys`
/// entries (an issuer publishes a handful; the bound keeps a hostile set cheap to refuse).
[[nodiscard]] inline result<jwk_set> parse_jwk_set(
    std::string_view json_text, const ::profile::auth::detail::json::limits& lim = {},
    std::size_t max_keys = 100) {
  auto doc = ::profile::auth::detail::json::parse(json_text, lim);
  if (!doc) return unexpected<error>(std::move(doc).error());
  const auto root = doc->root();
  if (!root.is_object()) return detail::jwk_fail("the key set is not a JSON object");
  const auto keys = root.find("keys");
  if (!keys || !keys->is_array())
    return detail::jwk_fail("the key set has no \"keys\" array (RFC 7517 §5)");
  if (keys->size() > max_keys)
    return fail(errc::limit_exceeded, "JWK: the key set has " + std::to_string(keys->size()) +
                                          " keys, more than max_keys (" + std::to_string(max_keys) +
                                          ")");
  jwk_set set;
  set.keys.reserve(keys->size());
  std::size_t index = 0;
  for (const ::profile::auth::detail::json::value v : keys->elements()) {
    bool supported = true;
    auto k = detail::read_jwk(v, supported);
    if (!k) {
      error e = std::move(k).error();
      e.message += " (key " + std::to_string(index) + " of the set)";
      return unexpected<error>(std::move(e));
    }
    ++index;
    if (!supported) {
      ++set.skipped;
      continue;
    }
    if (k->has_kid && set.find(k->kid))
      return detail::jwk_fail("two keys of the set have the same \"kid\"");
    set.keys.push_back(std::move(*k));
  }
  return set;
}

}  // namespace profile::auth::inline v0::jose

#endif  // PROFILE_AUTH_JOSE_JWK_HPP
