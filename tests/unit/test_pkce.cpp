// SPDX-License-Identifier: MIT
// Tests for pkce.hpp: RFC 7636 Appendix B, verifier grammar, state and nonce values.
#include <profile/auth/encoding.hpp>
#include <profile/auth/pkce.hpp>
#include <profile/auth/random.hpp>
#include <profile/auth/sha256.hpp>
#include <profile/auth/testing/fixed_random.hpp>

#include <doctest/doctest.h>

#include <array>        // the RFC's octets
#include <cstddef>      // std::byte
#include <span>         // RandomSource::fill
#include <string>       // verifiers
#include <string_view>  // expected values
#include <utility>      // std::move

#include "user_auth_secrets.hpp"

namespace pa = profile::auth;
using user_auth_test::error_of;

namespace {

/// Emits the 32 octets of RFC 7636 Appendix B, then fails (a second draw would be a bug).
struct rfc7636_octets {
  static constexpr std::array<unsigned char, 32> octets = {
      116, 24,  223, 180, 151, 153, 224, 37,  79, 250, 96, 125, 216, 173, 187, 186,
      22,  212, 37,  77,  105, 214, 191, 240, 91, 88,  5,  88,  83,  132, 141, 121};
  int draws = 0;
  bool fill(std::span<std::byte> out) noexcept {
    if (draws++ != 0 || out.size() != octets.size()) return false;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte{octets[i]};
    return true;
  }
};
static_assert(pa::RandomSource<rfc7636_octets>);

constexpr std::string_view kRfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

bool all_unreserved(std::string_view s) {
  for (const char c : s)
    if (!pa::detail::is_unreserved(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

TEST_CASE("pkce_pair::generate reproduces RFC 7636 Appendix B from its random octets") {
  rfc7636_octets rng;
  auto p = pa::pkce_pair::generate(rng);
  REQUIRE(p.has_value());
  CHECK(rng.draws == 1);
  CHECK(p->verifier().reveal() == user_auth_test::verifier);
  CHECK(p->challenge() == kRfcChallenge);
  CHECK(p->method() == pa::pkce_method::s256);
  CHECK(p->method_name() == "S256");
}

TEST_CASE("pkce_pair::from_verifier computes the S256 challenge of RFC 7636 Appendix B") {
  auto p = pa::pkce_pair::from_verifier(pa::secret(user_auth_test::verifier));
  REQUIRE(p.has_value());
  CHECK(p->challenge() == kRfcChallenge);
  CHECK(p->verifier().reveal() == user_auth_test::verifier);
}

TEST_CASE("generated verifiers: 43 unreserved characters, 256 bits, S256 of themselves") {
  pa::testing::fixed_random zeros(0);
  auto z = pa::pkce_pair::generate(zeros);
  REQUIRE(z.has_value());
  CHECK(z->verifier().reveal() == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  CHECK(z->challenge() == "DwBzhbb51LfusnSGBa_hqYSgo7-j8BTQnip4TOnlzRo");

  pa::os_random os;
  auto a = pa::pkce_pair::generate(os);
  auto b = pa::pkce_pair::generate(os);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->verifier().size() == 43);
  CHECK(all_unreserved(a->verifier().reveal()));
  CHECK_FALSE(a->verifier() == b->verifier());
  const auto digest = pa::sha256(a->verifier().reveal());
  CHECK(a->challenge() ==
        pa::base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), 32)));
}

TEST_CASE("plain is an explicit opt-in and its challenge is the verifier") {
  pa::testing::fixed_random zeros(0);
  auto p = pa::pkce_pair::generate(zeros, pa::pkce_method::plain);
  REQUIRE(p.has_value());
  CHECK(p->method_name() == "plain");
  CHECK(p->challenge() == p->verifier().reveal());
  CHECK(pa::to_string(pa::pkce_method::s256) == "S256");
}

TEST_CASE("a failing random source gives errc::random_failed everywhere") {
  auto rng = pa::testing::fixed_random::failing();
  CHECK(error_of(pa::pkce_pair::generate(rng)) == pa::errc::random_failed);
  CHECK(error_of(pa::random_state(rng)) == pa::errc::random_failed);
  CHECK(error_of(pa::random_nonce(rng)) == pa::errc::random_failed);
}

TEST_CASE("from_verifier enforces RFC 7636 §4.1: 43 to 128 unreserved characters") {
  const std::string ok43(43, 'a');
  const std::string ok128(128, '~');
  CHECK(pa::pkce_pair::from_verifier(pa::secret(ok43)).has_value());
  CHECK(pa::pkce_pair::from_verifier(pa::secret(ok128)).has_value());
  CHECK(pa::pkce_pair::from_verifier(pa::secret("-._~0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"))
            .has_value());

  CHECK(error_of(pa::pkce_pair::from_verifier(pa::secret(std::string(42, 'a')))) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::pkce_pair::from_verifier(pa::secret(std::string(129, 'a')))) ==
        pa::errc::invalid_argument);
  CHECK(error_of(pa::pkce_pair::from_verifier(pa::secret())) == pa::errc::invalid_argument);
  for (const char bad : {'+', '/', '=', ' ', '%', '\n', '\0'}) {
    std::string v(user_auth_test::verifier);
    v[10] = bad;
    auto r = pa::pkce_pair::from_verifier(pa::secret(v));
    CHECK(error_of(r) == pa::errc::invalid_argument);
    CHECK(r.error().message.find("offset 10") != std::string::npos);
  }
  // The message about a bad character must not quote the verifier around it.
  std::string v(user_auth_test::verifier);
  v[20] = '+';
  auto r = pa::pkce_pair::from_verifier(pa::secret(v));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find(user_auth_test::verifier.substr(0, 12)) == std::string::npos);
}

TEST_CASE("random_state and random_nonce: 256 bits as 43 base64url characters") {
  pa::testing::fixed_random fixed(0x0123456789abcdefULL);
  auto s = pa::random_state(fixed);
  REQUIRE(s.has_value());
  CHECK(*s == "782riWdFIwHvzauJZ0UjAe_Nq4lnRSMB782riWdFIwE");
  auto n = pa::random_nonce(fixed);
  REQUIRE(n.has_value());
  CHECK(*n == *s);  // same fixed bytes: the function is just a different name

  pa::os_random os;
  auto a = pa::random_state(os);
  auto b = pa::random_state(os);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->size() == 43);
  CHECK(all_unreserved(*a));
  CHECK(*a != *b);
}

TEST_CASE("a pkce_pair copies and moves with its verifier") {
  auto p = pa::pkce_pair::from_verifier(pa::secret(user_auth_test::verifier));
  REQUIRE(p.has_value());
  pa::pkce_pair copy = *p;
  pa::pkce_pair moved = std::move(copy);
  CHECK(moved.challenge() == kRfcChallenge);
  CHECK(moved.verifier().reveal() == user_auth_test::verifier);
}
