// SPDX-License-Identifier: MIT
// profile-auth: the token value a token endpoint issues, and the monotonic time it lives on.
#ifndef PROFILE_AUTH_TOKEN_HPP
#define PROFILE_AUTH_TOKEN_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/secret.hpp>

#include <chrono>       // time_point, durations
#include <cstddef>      // std::size_t, std::ptrdiff_t
#include <cstdint>      // std::uint32_t lengths in the member buffer
#include <cstring>      // std::memcpy: lengths are stored unaligned; std::memcmp in ==
#include <iterator>     // iterator tags
#include <memory>       // std::unique_ptr: the member bytes once they outgrow the local buffer
#include <optional>     // expires_at may be unknown; find() may miss
#include <string>       // token_type, scope
#include <string_view>  // names and raw values of unknown members
#include <utility>      // std::pair yielded by extra_members, std::move

namespace profile::auth::inline v0 {

/// The library's monotonic time. Drivers convert their Clock's time_point to it with
/// to_time_point(); pure functions take it as an argument and never read a clock themselves.
using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::nanoseconds>;

/// Converts any std::chrono-style time_point to the library's time_point (same epoch offset:
/// only differences between values of one clock are meaningful).
template <class TP>
[[nodiscard]] constexpr time_point to_time_point(TP t) noexcept {
  return time_point(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()));
}

namespace detail {
struct extra_access;
}

/// The members of a token response that the library does not interpret, in document order:
/// each one is a (name, raw JSON) pair of string_views. The name is decoded (escapes
/// resolved); the raw JSON is the value's exact text as the server sent it (a string keeps its
/// quotes and escapes), ready for any JSON library: ("refresh_expires_in", "86400"),
/// ("session_state", "\"7c2e5f1a\""), ("x", "{\"a\":[1]}").
///
/// ```cpp
/// for (auto [name, raw] : tok.extra) std::printf("%.*s\n", int(name.size()), name.data());
/// if (auto v = tok.extra.find("refresh_expires_in")) ...   // same as tok.extra_member(...)
/// ```
///
/// All members share one buffer, kept inside the object while they fit in local_capacity
/// bytes (8 bytes per member plus names and values: the usual answers' few unknown members
/// need no allocation), else one allocation however many there are. The views stay valid until
/// the extra_members is modified, moved or destroyed. Copying copies the bytes. Iteration is
/// forward-only; find() is linear.
class extra_members {
 public:
  /// What iteration yields: (decoded name, raw JSON text of the value).
  using value_type = std::pair<std::string_view, std::string_view>;

  /// Forward iterator yielding value_type by value.
  class iterator {
   public:
    ///@{
    /// The standard iterator types (a forward iterator yielding values).
    using iterator_concept = std::forward_iterator_tag;  // yields values, not references
    using iterator_category = std::input_iterator_tag;
    using value_type = extra_members::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    ///@}

    ///@{
    /// Iterator operations.
    iterator() noexcept = default;
    value_type operator*() const noexcept {
      const std::uint32_t n = load(p_), r = load(p_ + 4);
      return {std::string_view(p_ + header, n), std::string_view(p_ + header + n, r)};
    }
    iterator& operator++() noexcept {
      p_ += header + static_cast<std::size_t>(load(p_)) + load(p_ + 4);
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(iterator a, iterator b) noexcept { return a.p_ == b.p_; }
    ///@}

   private:
    friend class extra_members;
    explicit iterator(const char* p) noexcept : p_(p) {}
    const char* p_ = nullptr;
  };
  /// Iteration is read-only.
  using const_iterator = iterator;

  /// Bytes of members held without an allocation.
  static constexpr std::size_t local_capacity = 128;

  extra_members() noexcept {}  // local_ is left unset: only bytes already written are read
  /// Copies the bytes of `o`.
  extra_members(const extra_members& o) : extra_members() {
    std::memcpy(extend(o.size_, o.count_), o.data(), o.size_);
  }
  /// Takes o's allocation, or copies its local bytes; o is left empty.
  extra_members(extra_members&& o) noexcept : extra_members() { take(o); }
  /// Replaces the members with a copy of those of `o`.
  extra_members& operator=(const extra_members& o) {
    if (this != &o) {
      clear();
      std::memcpy(extend(o.size_, o.count_), o.data(), o.size_);
    }
    return *this;
  }
  /// Takes the members of `o`; `o` is left empty.
  extra_members& operator=(extra_members&& o) noexcept {
    if (this != &o) take(o);
    return *this;
  }
  ~extra_members() = default;

  ///@{
  /// The members in document order.
  [[nodiscard]] iterator begin() const noexcept { return iterator(data()); }
  [[nodiscard]] iterator end() const noexcept { return iterator(data() + size_); }
  ///@}
  /// Number of members.
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  /// True when there are no members.
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }

  /// The raw JSON text of the first member named `name`, or nullopt.
  [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const noexcept {
    for (const auto [n, raw] : *this)
      if (n == name) return raw;
    return std::nullopt;
  }

  /// Appends a member. `raw` should be JSON text (a token store or a test may build a token by
  /// hand). Precondition: each of name and raw is shorter than 4 GiB (PROFILE_AUTH_ASSERT).
  void add(std::string_view name, std::string_view raw) {
    PROFILE_AUTH_ASSERT(name.size() < 0xFFFFFFFFu && raw.size() < 0xFFFFFFFFu);
    char* p = put(extend(header + name.size() + raw.size(), 1), name.size(), raw.size());
    if (!name.empty()) std::memcpy(p, name.data(), name.size());
    if (!raw.empty()) std::memcpy(p + name.size(), raw.data(), raw.size());
  }
  /// Removes every member (an allocation is kept for the next ones).
  void clear() noexcept {
    size_ = 0;
    count_ = 0;
  }

  /// The same members with the same bytes, in the same order.
  friend bool operator==(const extra_members& a, const extra_members& b) noexcept {
    return a.count_ == b.count_ && a.size_ == b.size_ &&
           (a.size_ == 0 || std::memcmp(a.data(), b.data(), a.size_) == 0);
  }

 private:
  friend struct detail::extra_access;
  // Layout of each member in the buffer: name length and raw length (4 bytes each, native order,
  // unaligned), then the name's bytes, then the raw text's bytes.
  static constexpr std::size_t header = 8;
  static std::uint32_t load(const char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  const char* data() const noexcept { return heap_ ? heap_.get() : local_; }
  char* data() noexcept { return heap_ ? heap_.get() : local_; }
  /// Makes room for `bytes` more bytes that will hold `members` members, each written with
  /// put() and its bytes (room for all the members a parser adds at once); the caller writes
  /// every byte of it.
  char* extend(std::size_t bytes, std::size_t members) {
    const std::size_t at = size_;
    if (bytes > capacity_ - at) grow(at + bytes);
    size_ = at + bytes;
    count_ += members;
    return data() + at;
  }
  /// Moves the bytes to an allocation of at least `need` bytes (doubling, so that adding
  /// members one at a time stays linear).
  void grow(std::size_t need) {
    const std::size_t cap = need > 2 * capacity_ ? need : 2 * capacity_;
    std::unique_ptr<char[]> p(new char[cap]);
    if (size_ != 0) std::memcpy(p.get(), data(), size_);
    heap_ = std::move(p);
    capacity_ = cap;
  }
  /// Takes o's members (its allocation, or a copy of its local bytes) and empties o.
  void take(extra_members& o) noexcept {
    if (o.heap_) {
      heap_ = std::move(o.heap_);
      capacity_ = o.capacity_;
    } else if (o.size_ != 0) {  // fits any buffer of ours: local_capacity is the smallest
      std::memcpy(data(), o.local_, o.size_);
    }
    size_ = o.size_;
    count_ = o.count_;
    o.capacity_ = local_capacity;
    o.clear();
  }
  /// Writes the header of a member at p; its name goes to the position returned, its raw text
  /// right after the name.
  static char* put(char* p, std::size_t name_size, std::size_t raw_size) noexcept {
    PROFILE_AUTH_ASSERT(name_size < 0xFFFFFFFFu && raw_size < 0xFFFFFFFFu);
    const auto n = static_cast<std::uint32_t>(name_size), r = static_cast<std::uint32_t>(raw_size);
    std::memcpy(p, &n, sizeof n);
    std::memcpy(p + 4, &r, sizeof r);
    return p + header;
  }

  // The allocation each parse of a typical answer would otherwise make costs more time than
  // reading its unknown members (measured: 5 to 8% of parse_token_response on the benchmark
  // answers), hence the local buffer.
  std::unique_ptr<char[]> heap_;  ///< the bytes once they outgrow local_
  std::size_t size_ = 0, capacity_ = local_capacity, count_ = 0;
  char local_[local_capacity];
};

/// An issued token (RFC 6749 §5.1). Secrets stay in `secret`; nothing here prints them.
struct token {
  /// A token with no secrets, type Bearer, no lifetime and no unknown members. Written out
  /// (not defaulted) so that value-initialization, as in a default-constructed result<token>,
  /// runs the members' initializers without zeroing the whole object first: that would zero
  /// extra's local buffer for nothing (measured: 3 to 4% of parse_token_response).
  token() {}

  /// The access token.
  secret access_token;
  /// As issued; parse_token_response only accepts Bearer. (Built from a string_view: the
  /// length is known, so a new token does not count the characters of "Bearer".)
  std::string token_type{std::string_view("Bearer")};
  secret refresh_token;  ///< empty when the server issued none
  secret id_token;       ///< OpenID Connect ID token; empty when none
  std::string scope;     ///< granted scopes, space-separated (arrays are joined)
  std::optional<std::chrono::seconds> expires_in;  ///< as the server sent it, when usable
  time_point received_at{};                        ///< when the response arrived (monotonic)
  time_point expires_at{};  ///< received_at + effective lifetime (see token_parsing)
  /// Members the library does not interpret, as (name, raw JSON text) in document order:
  /// `for (auto [name, raw] : tok.extra)`; see extra_members.
  extra_members extra;

  /// The raw JSON text of an unknown member, if present (tok.extra.find(name)).
  [[nodiscard]] std::optional<std::string_view> extra_member(std::string_view name) const {
    return extra.find(name);
  }
  /// True when the server issued a refresh token.
  [[nodiscard]] bool has_refresh_token() const noexcept { return !refresh_token.empty(); }
};

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_TOKEN_HPP
