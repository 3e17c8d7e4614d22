// SPDX-License-Identifier: MIT
// profile-auth testing: fixed_random, a deterministic RandomSource for tests.
#ifndef PROFILE_AUTH_TESTING_FIXED_RANDOM_HPP
#define PROFILE_AUTH_TESTING_FIXED_RANDOM_HPP

#include <profile/auth/config.hpp>

#include <cstddef>           // std::byte, std::size_t
#include <cstdint>           // std::uint64_t values
#include <initializer_list>  // fixed_random{v1, v2, …}
#include <span>              // RandomSource::fill
#include <vector>            // the value sequence

namespace profile::auth::inline v0::testing {

/// A RandomSource that is not random: each fill() takes the next value of a fixed sequence
/// (cycling) and writes its little-endian bytes, repeated as far as the buffer needs. NEVER use
/// it outside tests.
///
/// The library's draws read 8 bytes little-endian, so a value v reaches the token cache as v:
/// 0 gives the smallest jitter or delay, 1 << 63 about the middle of the range, ~0 the largest.
class fixed_random {
 public:
  /// Every fill() writes `value`.
  explicit fixed_random(std::uint64_t value = 0) : values_{value} {}
  /// fill() number i writes values[i % size] (an empty list behaves like {0}).
  fixed_random(std::initializer_list<std::uint64_t> values) : values_(values) {
    if (values_.empty()) values_.push_back(0);
  }
  /// A source whose fill() always fails (returns false), to test that path.
  [[nodiscard]] static fixed_random failing() {
    fixed_random r;
    r.fail_ = true;
    return r;
  }

  /// Writes the next value (see the class comment); false only for failing().
  [[nodiscard]] bool fill(std::span<std::byte> out) noexcept {
    ++calls_;
    if (fail_) return false;
    const std::uint64_t v = values_[next_];
    next_ = (next_ + 1) % values_.size();
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::byte>((v >> (8 * (i % 8))) & 0xFFu);
    return true;
  }
  /// How many times fill() was called (on this copy).
  [[nodiscard]] std::size_t calls() const noexcept { return calls_; }

 private:
  std::vector<std::uint64_t> values_;
  std::size_t next_ = 0;
  std::size_t calls_ = 0;
  bool fail_ = false;
};

}  // namespace profile::auth::inline v0::testing

#endif  // PROFILE_AUTH_TESTING_FIXED_RANDOM_HPP
