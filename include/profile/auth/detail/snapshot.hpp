// SPDX-License-Identifier: MIT
// profile-auth: the immutable token snapshot the cache publishes to lock-free readers.
#ifndef PROFILE_AUTH_DETAIL_SNAPSHOT_HPP
#define PROFILE_AUTH_DETAIL_SNAPSHOT_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/detail/backoff.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/header.hpp>
#include <profile/auth/refresh_policy.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token.hpp>

#include <chrono>       // durations
#include <cstddef>      // std::size_t
#include <cstdint>      // integer nanoseconds, generations
#include <cstring>      // std::memcpy into the header block
#include <memory>       // std::unique_ptr: the snapshot's owner until it is published
#include <new>          // the aligned operator new and delete of the header block
#include <string_view>  // views into the header bytes

namespace profile::auth::inline v0::detail {

// Under ThreadSanitizer replaced snapshots are kept until the cache is destroyed: TSan sees
// happens-before edges, not the grace period that makes reclamation safe, and would report
// every reclamation as a race. Everything else behaves the same.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool keep_retired_snapshots = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool keep_retired_snapshots = true;
#else
inline constexpr bool keep_retired_snapshots = false;
#endif
#else
inline constexpr bool keep_retired_snapshots = false;
#endif

/// Integer nanoseconds of the library's time_point: what readers compare without any
/// std::chrono arithmetic on the hot path.
[[nodiscard]] constexpr std::int64_t to_ns(time_point t) noexcept {
  return t.time_since_epoch().count();
}

/// The unit of placement for what readers on every core share. Intel cores move cache lines
/// between cores in 128-byte aligned pairs (the L2 spatial prefetcher completes each 64-byte
/// line it fetches with its neighbour), so a heap neighbour that one thread keeps writing, such
/// as a caller's own copy of the header, which the allocator may place right beside it, makes
/// the readers on other cores miss although they share no byte with it. The snapshot and its
/// header bytes therefore each start on a 128-byte boundary and fill whole 128-byte blocks
/// (from the aligned operator new).
inline constexpr std::size_t shared_block = 128;

/// One issued token as readers see it: the ready `Authorization` value and the two instants
/// that decide what a reader does. Never modified after it is published, so any number of
/// threads read it without synchronisation beyond the acquire-load of its pointer. The header
/// bytes (which contain the token) are wiped when the snapshot is destroyed.
class alignas(shared_block) token_snapshot {
 public:
  /// Writes "Bearer <access_token>" into a block of its own. The token must be a b64token
  /// (make_snapshot() checks).
  token_snapshot(std::string_view access_token, std::int64_t usable_until_ns,
                 std::int64_t refresh_at_ns, std::int64_t expires_at_ns);
  token_snapshot(const token_snapshot&) = delete;
  token_snapshot& operator=(const token_snapshot&) = delete;
  /// Wipes the header bytes and frees their block.
  ~token_snapshot();

  /// "Bearer <token>", ready for an Authorization header.
  [[nodiscard]] std::string_view authorization() const noexcept { return {header_, header_size_}; }
  /// The access token alone.
  [[nodiscard]] std::string_view access_token() const noexcept {
    return authorization().substr(bearer_prefix.size());
  }
  /// From this instant (integer ns of time_point) on the token is not used.
  [[nodiscard]] std::int64_t usable_until_ns() const noexcept { return usable_until_ns_; }
  /// From this instant on, the first caller refreshes ahead (jitter included).
  [[nodiscard]] std::int64_t refresh_at_ns() const noexcept { return refresh_at_ns_; }
  /// The server's expiry (received_at + expires_in).
  [[nodiscard]] std::int64_t expires_at_ns() const noexcept { return expires_at_ns_; }
  /// Identifies this token among all the cache ever held (1, 2, …); see invalidate_if().
  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }

 private:
  friend void set_generation(token_snapshot&, std::uint64_t) noexcept;

  /// Bytes allocated for a header of n bytes: whole shared blocks.
  static constexpr std::size_t block_size(std::size_t n) noexcept {
    return (n + shared_block - 1) / shared_block * shared_block;
  }

  std::size_t header_size_;
  char* header_;  // block_size(header_size_) bytes from the aligned operator new
  std::int64_t usable_until_ns_;
  std::int64_t refresh_at_ns_;
  std::int64_t expires_at_ns_;
  std::uint64_t generation_ = 0;  // set once, before publication
};
static_assert(alignof(token_snapshot) == shared_block && sizeof(token_snapshot) == shared_block);

/// Stamps the generation; only before the snapshot is published.
inline void set_generation(token_snapshot& s, std::uint64_t g) noexcept { s.generation_ = g; }

/// Builds the snapshot of `tok` under `policy`, with a refresh-ahead jitter drawn from
/// `random_bits` in [0, policy.max_jitter].
///
/// The instants come from schedule_token() (refresh_policy.hpp), which caps the skew at half a
/// short lifetime.
///
/// Errors: errc::invalid_header_value when the access token is not an RFC 6750 b64token;
/// errc::malformed_response when the token expires at or before its arrival.
[[nodiscard]] result<std::unique_ptr<token_snapshot>> make_snapshot(const token& tok,
                                                                    const refresh_policy& policy,
                                                                    std::uint64_t random_bits);

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

PROFILE_AUTH_INLINE token_snapshot::token_snapshot(std::string_view access_token,
                                                   std::int64_t usable_until_ns,
                                                   std::int64_t refresh_at_ns,
                                                   std::int64_t expires_at_ns)
    : header_size_(bearer_prefix.size() + access_token.size()),
      header_(static_cast<char*>(
          ::operator new(block_size(header_size_), std::align_val_t{shared_block}))),
      usable_until_ns_(usable_until_ns),
      refresh_at_ns_(refresh_at_ns),
      expires_at_ns_(expires_at_ns) {
  std::memcpy(header_, bearer_prefix.data(), bearer_prefix.size());
  std::memcpy(header_ + bearer_prefix.size(), access_token.data(), access_token.size());
}

PROFILE_AUTH_INLINE token_snapshot::~token_snapshot() {
  secure_wipe(header_, header_size_);
  // The unsized form: the sized one is declared only where sized deallocation is on, which
  // clang before 19 leaves off by default.
  ::operator delete(header_, std::align_val_t{shared_block});
}

PROFILE_AUTH_INLINE result<std::unique_ptr<token_snapshot>> make_snapshot(
    const token& tok, const refresh_policy& policy, std::uint64_t random_bits) {
  if (tok.expires_at <= tok.received_at)
    return fail(errc::malformed_response,
                terse_errors
                    ? "token expires on arrival"
                    : "the token endpoint issued a token that expires on arrival (expires_in <= "
                      "0): it cannot be cached; check the server's token lifetime setting");
  const std::string_view t = tok.access_token.reveal();
  if (!is_b64token(t)) return fail(errc::invalid_header_value, bearer_rejection_message(t));
  const token_schedule at = schedule_token(tok.received_at, tok.expires_at, policy,
                                           random_duration(random_bits, policy.max_jitter));
  return std::make_unique<token_snapshot>(t, to_ns(at.usable_until), to_ns(at.refresh_at),
                                          to_ns(tok.expires_at));
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_SNAPSHOT_HPP
