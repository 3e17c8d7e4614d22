// SPDX-License-Identifier: MIT
// profile-auth: when a token counts as expired, and when to start refreshing it.
#ifndef PROFILE_AUTH_REFRESH_POLICY_HPP
#define PROFILE_AUTH_REFRESH_POLICY_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/token.hpp>

#include <chrono>  // durations

namespace profile::auth::inline v0 {

/// When a cached token is treated as expired and when a refresh starts.
///
/// Timeline of a token received at R with effective expiry E (`token::expires_at`):
///
///     R ........................ A ............. X ...... E
///                                ^ refresh-ahead ^ expired (skewed)
///
/// - X = E - expiry_skew: from X on the token is not used any more. The skew covers transit
///   time and the server's clock: Go's x/oauth2 uses 10 s, AppAuth 60 s, Azure 2 min and
///   Google 5 min; 30 s keeps a one-hour token usable for 99% of its life while surviving a
///   slow network hop.
/// - A = X - lead - jitter, where lead = min(refresh_ahead, (X - R) / 2): from A on, the first
///   caller refreshes while everyone keeps using the still-valid token. The jitter (drawn per
///   token by the cache in [0, max_jitter]) moves A earlier, never later, so that a fleet
///   started together does not refresh in lockstep.
/// - The rule: A >= R + (X - R) / 2 for every lifetime and every draw. A token is used for at
///   least the first half of its usable life before any refresh starts, so a short-lived token
///   (say 60 s) is not fetched again on nearly every call. The jitter is therefore clamped to
///   the lead and to the room left in the second half, (X - R) / 2 - lead. With the defaults a
///   token usable for at least 660 s (2 * (300 s + 30 s)) gets the whole jitter, a shorter one
///   less, and one usable for at most 600 s (2 * refresh_ahead) none: it is refreshed at
///   exactly half its usable life.
struct refresh_policy {
  /// X = E - expiry_skew (see above).
  std::chrono::seconds expiry_skew{30};
  /// The most a refresh starts before X (the lead is at most half of X - R).
  std::chrono::seconds refresh_ahead{300};
  /// The largest random move of A towards R, drawn per token.
  std::chrono::seconds max_jitter{30};
};

/// The point X at which `t` stops being usable.
[[nodiscard]] constexpr time_point usable_until(const token& t,
                                                const refresh_policy& p = {}) noexcept {
  return t.expires_at - p.expiry_skew;
}

/// True from X on (see refresh_policy).
[[nodiscard]] constexpr bool is_expired(const token& t, time_point now,
                                        const refresh_policy& p = {}) noexcept {
  return now >= usable_until(t, p);
}

namespace detail {
/// The refresh-ahead point A of a token received at `received` and usable until `x` (see
/// refresh_policy), from the instants alone: A = x - lead - jitter, with lead clamped to
/// [0, life / 2] and jitter to [0, min(lead, life / 2 - lead)], so that A >= received +
/// life / 2.
[[nodiscard]] constexpr time_point refresh_point(time_point received, time_point x,
                                                 std::chrono::seconds refresh_ahead,
                                                 std::chrono::nanoseconds jitter) noexcept {
  using ns = std::chrono::nanoseconds;
  const auto life = x > received ? x - received : ns{0};
  const ns half = life / 2;
  auto lead = std::chrono::duration_cast<ns>(refresh_ahead);
  if (lead < ns{0}) lead = ns{0};
  if (lead > half) lead = half;
  if (jitter < ns{0}) jitter = ns{0};
  if (jitter > lead) jitter = lead;
  if (jitter > half - lead) jitter = half - lead;  // never into the first half of the life
  return x - lead - jitter;
}

/// The two instants a cache keeps for a token: X (usable_until) and A (refresh_at).
struct token_schedule {
  time_point usable_until;
  time_point refresh_at;
};

/// X and A for a token received at `received` that expires at `expires` (> received), with a
/// refresh-ahead jitter (clamped as refresh_point does: A is never before R + (X - R) / 2). A
/// lifetime shorter than twice the expiry skew would leave the token unusable on arrival (a
/// token of 40 s with a skew of 30 s), so the skew is capped at half the lifetime: such a token
/// is used for its first half and refreshed ahead at half of that, whatever the jitter. What
/// every cache (token_cache, fixed_m2m_client) uses.
[[nodiscard]] constexpr token_schedule schedule_token(time_point received, time_point expires,
                                                      const refresh_policy& p,
                                                      std::chrono::nanoseconds jitter) noexcept {
  const auto life = expires - received;
  const std::chrono::seconds skew =
      p.expiry_skew.count() < 0 ? std::chrono::seconds{0} : p.expiry_skew;
  // usable_until() with the capped skew, applied on the time line (not through the
  // seconds-granular policy field); refresh_point() from there.
  const time_point usable =
      std::chrono::nanoseconds(skew) > life / 2 ? expires - life / 2 : expires - skew;
  return {usable, refresh_point(received, usable, p.refresh_ahead, jitter)};
}
}  // namespace detail

/// The refresh-ahead point A for `t` with a given jitter (clamped to [0, lead] and to
/// (X - R) / 2 - lead).
[[nodiscard]] constexpr time_point refresh_at(const token& t, const refresh_policy& p = {},
                                              std::chrono::nanoseconds jitter = {}) noexcept {
  return detail::refresh_point(t.received_at, usable_until(t, p), p.refresh_ahead, jitter);
}

/// True from the refresh-ahead point A on (including when already expired).
[[nodiscard]] constexpr bool needs_refresh(const token& t, time_point now,
                                           const refresh_policy& p = {},
                                           std::chrono::nanoseconds jitter = {}) noexcept {
  return now >= refresh_at(t, p, jitter);
}

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_REFRESH_POLICY_HPP
