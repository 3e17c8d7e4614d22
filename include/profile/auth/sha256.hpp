// SPDX-License-Identifier: MIT
// profile-auth: SHA-256 (FIPS 180-4), incremental and one-shot; used for PKCE S256.
#ifndef PROFILE_AUTH_SHA256_HPP
#define PROFILE_AUTH_SHA256_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/secret.hpp>

#include <array>        // fixed-size state, block buffer and digest
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint32_t words, std::uint64_t length counter
#include <string_view>  // update(std::string_view)

#if PROFILE_AUTH_DEFINITIONS
#include <cstring>  // std::memcpy / std::memset on the block buffer
#endif

namespace profile::auth::inline v0 {

namespace detail {

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64
// primes.
inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 §5.3.3: first 32 bits of the fractional parts of the square roots of the first 8
// primes.
inline constexpr std::array<std::uint32_t, 8> sha256_h0 = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

[[nodiscard]] constexpr std::uint32_t rotr32(std::uint32_t x, unsigned n) noexcept {
  return (x >> n) | (x << (32U - n));
}

}  // namespace detail

/// Incremental SHA-256 (FIPS 180-4). Feed bytes with update() in any split; finish() returns
/// the digest and resets the hasher for reuse. Copying a hasher forks the computation (hash a
/// common prefix once). Buffered message bytes are wiped by finish() and the destructor.
class sha256_hasher {
 public:
  /// Bytes in a digest.
  static constexpr std::size_t digest_size = 32;
  /// Bytes in one block of the compression function.
  static constexpr std::size_t block_size = 64;
  /// A digest.
  using digest_type = std::array<unsigned char, digest_size>;

  /// A hasher in the initial state.
  sha256_hasher() noexcept = default;
  ///@{
  /// A copy continues the same computation independently.
  sha256_hasher(const sha256_hasher&) noexcept = default;
  sha256_hasher& operator=(const sha256_hasher&) noexcept = default;
  ///@}
  ~sha256_hasher() { detail::secure_wipe(buf_.data(), buf_.size()); }

  /// Appends `size` bytes at `data` to the message. `data` may be null when `size` is 0.
  void update(const void* data, std::size_t size) noexcept;
  /// Appends the bytes of `data` to the message.
  void update(std::string_view data) noexcept { update(data.data(), data.size()); }

  /// Pads the message (FIPS 180-4 §5.1.1), returns the 32-byte digest and resets the hasher.
  [[nodiscard]] digest_type finish() noexcept;

  /// Discards everything fed so far (wiping the buffer) and starts a new message.
  void reset() noexcept {
    detail::secure_wipe(buf_.data(), buf_.size());
    state_ = detail::sha256_h0;
    total_ = 0;
    buffered_ = 0;
  }

 private:
  std::array<std::uint32_t, 8> state_ = detail::sha256_h0;
  std::array<unsigned char, block_size> buf_{};
  std::uint64_t total_ = 0;   // message length in bytes (FIPS 180-4 allows < 2^64 bits)
  std::size_t buffered_ = 0;  // bytes in buf_, always < block_size between calls
};

/// SHA-256 digest of `data` (FIPS 180-4), e.g. for the PKCE S256 code challenge (RFC 7636 §4.2).
[[nodiscard]] std::array<unsigned char, 32> sha256(std::string_view data) noexcept;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

PROFILE_AUTH_INLINE std::uint32_t load_be32(const unsigned char* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Processes `blocks` consecutive 64-byte blocks (FIPS 180-4 §6.2.2).
PROFILE_AUTH_INLINE void sha256_compress(std::array<std::uint32_t, 8>& state,
                                         const unsigned char* p, std::size_t blocks) noexcept {
  std::uint32_t w[64];
  for (; blocks != 0; --blocks, p += 64) {
    for (unsigned t = 0; t < 16; ++t) w[t] = load_be32(p + 4 * t);
    for (unsigned t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (unsigned t = 0; t < 64; ++t) {
      const std::uint32_t big_s1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + big_s1 + ch + sha256_k[t] + w[t];
      const std::uint32_t big_s0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = big_s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
  // The schedule is derived from the message, which may be a PKCE verifier.
  secure_wipe(w, sizeof w);
}

}  // namespace detail

PROFILE_AUTH_INLINE void sha256_hasher::update(const void* data, std::size_t size) noexcept {
  if (size == 0) return;
  const auto* p = static_cast<const unsigned char*>(data);
  total_ += size;
  if (buffered_ != 0) {
    const std::size_t take = size < block_size - buffered_ ? size : block_size - buffered_;
    std::memcpy(buf_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    size -= take;
    if (buffered_ < block_size) return;
    detail::sha256_compress(state_, buf_.data(), 1);
    buffered_ = 0;
  }
  // Whole blocks straight from the caller's memory: no copy on the long-message path.
  const std::size_t blocks = size / block_size;
  if (blocks != 0) detail::sha256_compress(state_, p, blocks);
  p += blocks * block_size;
  size -= blocks * block_size;
  if (size != 0) std::memcpy(buf_.data(), p, size);
  buffered_ = size;
}

PROFILE_AUTH_INLINE sha256_hasher::digest_type sha256_hasher::finish() noexcept {
  const std::uint64_t bit_length = total_ * 8U;
  buf_[buffered_++] = 0x80;
  if (buffered_ > block_size - 8) {
    std::memset(buf_.data() + buffered_, 0, block_size - buffered_);
    detail::sha256_compress(state_, buf_.data(), 1);
    buffered_ = 0;
  }
  std::memset(buf_.data() + buffered_, 0, block_size - 8 - buffered_);
  for (unsigned i = 0; i < 8; ++i)
    buf_[block_size - 1 - i] = static_cast<unsigned char>(bit_length >> (8 * i));
  detail::sha256_compress(state_, buf_.data(), 1);

  digest_type out{};
  for (unsigned i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<unsigned char>(state_[i] >> 24);
    out[4 * i + 1] = static_cast<unsigned char>(state_[i] >> 16);
    out[4 * i + 2] = static_cast<unsigned char>(state_[i] >> 8);
    out[4 * i + 3] = static_cast<unsigned char>(state_[i]);
  }
  reset();
  return out;
}

PROFILE_AUTH_INLINE std::array<unsigned char, 32> sha256(std::string_view data) noexcept {
  sha256_hasher h;
  h.update(data);
  return h.finish();
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_SHA256_HPP
