// SPDX-License-Identifier: MIT
// profile-auth: PKCE (RFC 7636) verifier/challenge pairs, and random state and nonce values.
#ifndef PROFILE_AUTH_PKCE_HPP
#define PROFILE_AUTH_PKCE_HPP

#include <profile/auth/concepts.hpp>
#include <profile/auth/config.hpp>
#include <profile/auth/encoding.hpp>  // is_unreserved (verifier grammar)
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <array>        // the random byte buffers
#include <cstddef>      // std::byte, std::size_t
#include <span>         // RandomSource::fill takes std::span<std::byte>
#include <string>       // the challenge, state and nonce values
#include <string_view>  // verifier input, method names
#include <utility>      // std::move

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/sha256.hpp>  // the S256 challenge
#endif

namespace profile::auth::inline v0 {

/// The PKCE code challenge method (RFC 7636 §4.2).
enum class pkce_method : unsigned char {
  s256,   ///< challenge = BASE64URL(SHA-256(verifier)); the only method OAuth 2.1 recommends
  plain,  ///< challenge = verifier; only for servers that cannot do S256, by explicit opt-in
};

/// "S256" or "plain", as sent in `code_challenge_method`.
[[nodiscard]] constexpr std::string_view to_string(pkce_method m) noexcept {
  return m == pkce_method::plain ? std::string_view("plain") : std::string_view("S256");
}

namespace detail {

/// Random bytes drawn for a PKCE verifier, a state or a nonce: 32 bytes = 256 bits, which
/// base64url spells as 43 characters (the RFC 7636 minimum length, and §7.1's recommendation).
inline constexpr std::size_t random_value_bytes = 32;

/// Offset of the first byte outside RFC 7636 §4.1 `unreserved` (ALPHA / DIGIT / - . _ ~), or
/// npos.
[[nodiscard]] constexpr std::size_t find_non_unreserved(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!is_unreserved(static_cast<unsigned char>(s[i]))) return i;
  return std::string_view::npos;
}

/// The error of a failed draw of a `what`; wipes `buf` (it may hold part of the draw).
[[nodiscard]] unexpected<error> random_draw_failed(std::span<std::byte> buf, std::string_view what);

/// The base64url text of `buf`, which is wiped afterwards.
[[nodiscard]] std::string encode_random_bytes(std::span<std::byte> buf);

/// Fills `buf` from `rng` and returns its base64url text; the raw bytes are wiped either way.
template <RandomSource R, std::size_t N>
[[nodiscard]] result<std::string> random_base64url(R& rng, std::array<std::byte, N>& buf,
                                                   std::string_view what) {
  if (!rng.fill(std::span<std::byte>(buf))) return random_draw_failed(buf, what);
  return encode_random_bytes(buf);
}

}  // namespace detail

/// A PKCE code verifier and its code challenge (RFC 7636).
///
/// The verifier is a `secret`: it is sent only to the token endpoint, in the code exchange.
/// The challenge goes into the authorization URL. Keep the pair (or the verifier, see
/// from_verifier) until the callback arrives; one pair serves exactly one authorization.
class pkce_pair {
 public:
  /// Draws a fresh verifier: 32 bytes from `rng` (256 bits of entropy) spelled as 43 base64url
  /// characters, and computes its challenge with `method` (S256 unless you opt in to plain).
  /// Errors: errc::random_failed when `rng.fill` fails (nothing is returned half-made).
  template <RandomSource R>
  [[nodiscard]] static result<pkce_pair> generate(R& rng, pkce_method method = pkce_method::s256) {
    std::array<std::byte, detail::random_value_bytes> buf{};
    auto text = detail::random_base64url(rng, buf, "PKCE code verifier");
    if (!text) return unexpected<error>(std::move(text).error());
    return from_verifier(secret(std::move(*text)), method);
  }

  /// Rebuilds a pair from a stored verifier (for example after a process restart between the
  /// redirect and the callback) and computes its challenge with `method`.
  /// Errors: errc::invalid_argument when the verifier breaks RFC 7636 §4.1: fewer than 43 or
  /// more than 128 characters, or a character other than ALPHA DIGIT - . _ ~ (the message
  /// gives the length or offset, never the verifier).
  [[nodiscard]] static result<pkce_pair> from_verifier(secret verifier,
                                                       pkce_method method = pkce_method::s256);

  /// The code verifier (43-128 unreserved characters). Send it only to the token endpoint.
  [[nodiscard]] const secret& verifier() const noexcept { return verifier_; }
  /// The code challenge for the authorization URL. With pkce_method::plain it equals the
  /// verifier, which is why plain is opt-in only.
  [[nodiscard]] std::string_view challenge() const noexcept { return challenge_; }
  /// The challenge method.
  [[nodiscard]] pkce_method method() const noexcept { return method_; }
  /// The `code_challenge_method` value: "S256" or "plain".
  [[nodiscard]] std::string_view method_name() const noexcept { return to_string(method_); }

  ///@{
  /// Copyable and movable; the destructor wipes.
  pkce_pair(const pkce_pair&) = default;
  pkce_pair(pkce_pair&&) noexcept = default;
  pkce_pair& operator=(const pkce_pair&) = default;
  pkce_pair& operator=(pkce_pair&&) noexcept = default;
  ///@}
  /// The challenge of a plain pair is the verifier: wipe it too.
  ~pkce_pair() { detail::secure_wipe(challenge_); }

 private:
  pkce_pair() = default;
  secret verifier_;
  std::string challenge_;
  pkce_method method_ = pkce_method::s256;
};

/// A fresh `state` value for one authorization request (RFC 6749 §10.12): 32 random bytes
/// (256 bits, beyond the 128 OAuth security BCP asks for) as 43 base64url characters, safe in
/// URLs and cookies unescaped. Keep it with the pkce_pair; parse_authorization_callback()
/// compares it in constant time.
/// Errors: errc::random_failed when `rng.fill` fails.
template <RandomSource R>
[[nodiscard]] result<std::string> random_state(R& rng) {
  std::array<std::byte, detail::random_value_bytes> buf{};
  return detail::random_base64url(rng, buf, "state value");
}

/// A fresh OpenID Connect `nonce` (OIDC Core §3.1.2.1), drawn like random_state(): pass it in
/// authorization_url_options::nonce and compare it with the ID token's `nonce` claim.
/// Errors: errc::random_failed when `rng.fill` fails.
template <RandomSource R>
[[nodiscard]] result<std::string> random_nonce(R& rng) {
  std::array<std::byte, detail::random_value_bytes> buf{};
  return detail::random_base64url(rng, buf, "nonce");
}

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

PROFILE_AUTH_INLINE unexpected<error> random_draw_failed(std::span<std::byte> buf,
                                                         std::string_view what) {
  secure_wipe(buf.data(), buf.size());
  return fail(errc::random_failed,
              std::string("the random source failed while drawing a ") + std::string(what) +
                  ": check the RandomSource (os_random, or your TRNG) and try again");
}

PROFILE_AUTH_INLINE std::string encode_random_bytes(std::span<std::byte> buf) {
  std::string out;
  base64url_encode_to(out, std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
  secure_wipe(buf.data(), buf.size());
  return out;
}

}  // namespace detail

PROFILE_AUTH_INLINE result<pkce_pair> pkce_pair::from_verifier(secret verifier,
                                                               pkce_method method) {
  const std::string_view v = verifier.reveal();
  if (v.size() < 43 || v.size() > 128)
    return fail(errc::invalid_argument,
                "the PKCE code verifier has " + std::to_string(v.size()) +
                    " characters; RFC 7636 §4.1 requires 43 to 128: use pkce_pair::generate()");
  if (const auto at = detail::find_non_unreserved(v); at != std::string_view::npos)
    return fail(errc::invalid_argument,
                "the PKCE code verifier has a character outside A-Z a-z 0-9 - . _ ~ at offset " +
                    std::to_string(at) + " (RFC 7636 §4.1): use pkce_pair::generate()");
  pkce_pair p;
  p.method_ = method;
  if (method == pkce_method::plain) {
    p.challenge_.assign(v);
  } else {
    auto digest = sha256(v);
    base64url_encode_to(p.challenge_, std::string_view(reinterpret_cast<const char*>(digest.data()),
                                                       digest.size()));
    detail::secure_wipe(digest.data(), digest.size());
  }
  p.verifier_ = std::move(verifier);
  return p;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_PKCE_HPP
