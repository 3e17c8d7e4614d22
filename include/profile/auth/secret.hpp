// SPDX-License-Identifier: MIT
// profile-auth: `secret`, an owning byte string that never prints and is wiped when released.
#ifndef PROFILE_AUTH_SECRET_HPP
#define PROFILE_AUTH_SECRET_HPP

#include <profile/auth/config.hpp>

#include <cstddef>      // std::size_t
#include <cstring>      // std::memcpy, std::memset
#include <iosfwd>       // std::basic_ostream declaration for the redacting operator<<
#include <string>       // construction from std::string&& wipes the source
#include <string_view>  // reveal()
#include <utility>      // std::swap

namespace profile::auth::inline v0 {

namespace detail {
/// Overwrites n bytes in a way the optimizer may not remove: memset at full speed, then an
/// empty asm statement that claims to read the memory, so the stores cannot be elided.
inline void secure_wipe(void* p, std::size_t n) noexcept {
  if (p == nullptr || n == 0) return;
#if defined(__GNUC__) || defined(__clang__)
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
#else
  volatile unsigned char* v = static_cast<volatile unsigned char*>(p);
  while (n--) *v++ = 0;
#endif
}
/// Wipes a std::string's whole buffer (capacity, not just size), then clears it.
inline void secure_wipe(std::string& s) noexcept {
  secure_wipe(s.data(), s.capacity());
  s.clear();
}
}  // namespace detail

/// An owned secret: client secret, access or refresh token, PKCE verifier, authorization code.
///
/// - Printing it (`operator<<`) shows "[redacted]"; nothing converts it to a string implicitly.
/// - `reveal()` is the one explicit way to read the bytes.
/// - Its memory is overwritten on destruction, on assignment and when moved from.
class secret {
 public:
  secret() noexcept = default;
  /// Copies the bytes of `s`.
  explicit secret(std::string_view s) : size_(s.size()) {
    if (size_ != 0) {
      data_ = new char[size_];
      std::memcpy(data_, s.data(), size_);
    }
  }
  /// Copies the NUL-terminated string `s`.
  explicit secret(const char* s) : secret(std::string_view(s)) {}
  /// Takes the bytes of `s` and wipes the string's buffer afterwards.
  explicit secret(std::string&& s) : secret(std::string_view(s)) { detail::secure_wipe(s); }

  ///@{
  /// A copy holds its own copy of the bytes; a move leaves `o` empty. Both wipe what they replace.
  secret(const secret& o) : secret(o.reveal()) {}
  secret(secret&& o) noexcept : data_(o.data_), size_(o.size_) {
    o.data_ = nullptr;
    o.size_ = 0;
  }
  secret& operator=(const secret& o) {
    if (this != &o) {
      secret tmp(o);
      swap(tmp);
    }
    return *this;
  }
  secret& operator=(secret&& o) noexcept {
    if (this != &o) {
      release();
      data_ = o.data_;
      size_ = o.size_;
      o.data_ = nullptr;
      o.size_ = 0;
    }
    return *this;
  }
  ///@}
  ~secret() { release(); }

  /// The bytes. The view is valid until this secret is modified or destroyed.
  [[nodiscard]] std::string_view reveal() const noexcept {
    return {data_ == nullptr ? "" : data_, size_};
  }
  /// Number of bytes.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// True when there are no bytes.
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  /// Wipes and empties.
  void clear() noexcept { release(); }
  /// Exchanges the bytes with `o` (no copy, nothing to wipe).
  void swap(secret& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
  }

  /// Constant-time in the length of the longer operand's content (no early exit on a mismatch).
  friend bool operator==(const secret& a, const secret& b) noexcept {
    const std::string_view x = a.reveal(), y = b.reveal();
    unsigned diff = x.size() == y.size() ? 0u : 1u;
    const std::size_t n = x.size() < y.size() ? x.size() : y.size();
    for (std::size_t i = 0; i < n; ++i)
      diff |= static_cast<unsigned>(static_cast<unsigned char>(x[i]) ^
                                    static_cast<unsigned char>(y[i]));
    return diff == 0;
  }

  /// Always prints "[redacted]" (with the length hidden too).
  template <class Ch, class Tr>
  friend std::basic_ostream<Ch, Tr>& operator<<(std::basic_ostream<Ch, Tr>& os, const secret&) {
    const char* r = "[redacted]";
    for (; *r != '\0'; ++r) os.put(os.widen(*r));
    return os;
  }

 private:
  void release() noexcept {
    detail::secure_wipe(data_, size_);
    delete[] data_;
    data_ = nullptr;
    size_ = 0;
  }
  // Owned (new[]); a plain pointer rather than std::unique_ptr<char[]>, which every translation
  // unit would instantiate. A move steals it, so no copy of the bytes is left behind.
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

/// The text printed in place of any secret.
inline constexpr std::string_view redacted = "[redacted]";

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_SECRET_HPP
