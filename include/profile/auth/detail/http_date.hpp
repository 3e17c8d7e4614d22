// SPDX-License-Identifier: MIT
// profile-auth: HTTP-date (RFC 9110 §5.6.7) and Retry-After (RFC 9110 §10.2.3) parsing.
#ifndef PROFILE_AUTH_DETAIL_HTTP_DATE_HPP
#define PROFILE_AUTH_DETAIL_HTTP_DATE_HPP

#include <profile/auth/config.hpp>

#include <chrono>       // system_clock time points, seconds
#include <cstdint>      // std::int64_t day and second counts
#include <optional>     // "no valid value"
#include <string_view>  // inputs

namespace profile::auth::inline v0::detail {

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
[[nodiscard]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m,
                                                     unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

[[nodiscard]] constexpr bool is_leap_year(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

[[nodiscard]] constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29u : n[m - 1];
}

/// A tiny cursor over the date text; every reader fails (returns false) without consuming.
struct date_cursor {
  std::string_view s;
  std::size_t i = 0;

  [[nodiscard]] constexpr bool lit(std::string_view l) noexcept {
    if (s.substr(i, l.size()) != l) return false;
    i += l.size();
    return true;
  }
  /// Exactly `n` digits.
  [[nodiscard]] constexpr bool digits(std::size_t n, unsigned& out) noexcept {
    if (s.size() - i < n) return false;
    unsigned v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = s[i + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    i += n;
    out = v;
    return true;
  }
  /// Three-letter month name (case-sensitive, as RFC 9110 defines it) → 1..12.
  [[nodiscard]] constexpr bool month(unsigned& out) noexcept {
    constexpr std::string_view names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (unsigned k = 0; k < 12; ++k)
      if (lit(names[k])) {
        out = k + 1;
        return true;
      }
    return false;
  }
  /// A short ("Sun") or long ("Sunday") day name.
  [[nodiscard]] constexpr bool day_name(bool long_form) noexcept {
    constexpr std::string_view shorts[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    constexpr std::string_view longs[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                          "Friday", "Saturday", "Sunday"};
    for (unsigned k = 0; k < 7; ++k)
      if (lit(long_form ? longs[k] : shorts[k])) return true;
    return false;
  }
  [[nodiscard]] constexpr bool time_of_day(unsigned& h, unsigned& m, unsigned& sec) noexcept {
    return digits(2, h) && lit(":") && digits(2, m) && lit(":") && digits(2, sec);
  }
  [[nodiscard]] constexpr bool at_end() const noexcept { return i == s.size(); }
};

/// Builds the instant, checking ranges (a leap second 60 is accepted and folds forward).
[[nodiscard]] constexpr std::optional<std::chrono::sys_seconds> make_date(std::int64_t y,
                                                                          unsigned mon, unsigned d,
                                                                          unsigned h, unsigned m,
                                                                          unsigned s) noexcept {
  if (mon < 1 || mon > 12 || d < 1 || d > days_in_month(y, mon) || h > 23 || m > 59 || s > 60)
    return std::nullopt;
  const std::int64_t secs = days_from_civil(y, mon, d) * 86400 + h * 3600 + m * 60 + s;
  return std::chrono::sys_seconds(std::chrono::seconds(secs));
}

/// Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 says recipients accept:
///   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"   (the one senders must use)
///   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (two-digit year: 70-99 → 19xx, else 20xx)
///   asctime      "Sun Nov  6 08:49:37 1994"
/// The day name is checked for spelling only, not against the date. Nothing else is accepted
/// (no surrounding whitespace: callers trim).
[[nodiscard]] constexpr std::optional<std::chrono::sys_seconds> parse_http_date(
    std::string_view text) noexcept {
  unsigned d = 0, mon = 0, y = 0, h = 0, m = 0, s = 0;
  {  // IMF-fixdate
    date_cursor c{text};
    if (c.day_name(false) && c.lit(", ") && c.digits(2, d) && c.lit(" ") && c.month(mon) &&
        c.lit(" ") && c.digits(4, y) && c.lit(" ") && c.time_of_day(h, m, s) && c.lit(" GMT") &&
        c.at_end())
      return make_date(y, mon, d, h, m, s);
  }
  {  // RFC 850
    date_cursor c{text};
    if (c.day_name(true) && c.lit(", ") && c.digits(2, d) && c.lit("-") && c.month(mon) &&
        c.lit("-") && c.digits(2, y) && c.lit(" ") && c.time_of_day(h, m, s) && c.lit(" GMT") &&
        c.at_end())
      return make_date(y >= 70 ? 1900 + y : 2000 + y, mon, d, h, m, s);
  }
  {  // asctime: the day of month is two digits or a space and one digit
    date_cursor c{text};
    if (c.day_name(false) && c.lit(" ") && c.month(mon) && c.lit(" ") &&
        (c.digits(2, d) || (c.lit(" ") && c.digits(1, d))) && c.lit(" ") &&
        c.time_of_day(h, m, s) && c.lit(" ") && c.digits(4, y) && c.at_end())
      return make_date(y, mon, d, h, m, s);
  }
  return std::nullopt;
}

/// The largest Retry-After the library reports (about 68 years): bigger values saturate, so
/// arithmetic on the result cannot overflow.
inline constexpr std::chrono::seconds max_retry_after{0x7FFFFFFF};

/// Parses a Retry-After field value (RFC 9110 §10.2.3) into a non-negative delay.
/// - delta-seconds (`1*DIGIT`): the delay, saturated at max_retry_after.
/// - an HTTP-date: the time from `now` to that date (0 when it lies in the past); without
///   `now` (no wall clock available), or with PROFILE_AUTH_NO_HTTP_DATE, a date is ignored and
///   nullopt is returned.
/// Surrounding spaces/tabs are ignored; anything else (negative numbers, fractions, junk)
/// gives nullopt.
[[nodiscard]] constexpr std::optional<std::chrono::seconds> parse_retry_after(
    std::string_view v,
    std::optional<std::chrono::system_clock::time_point> now = std::nullopt) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  if (v.front() >= '0' && v.front() <= '9') {
    std::int64_t n = 0;
    for (const char c : v) {
      if (c < '0' || c > '9') return std::nullopt;
      if (n < max_retry_after.count()) n = n * 10 + (c - '0');
    }
    return std::chrono::seconds(n < max_retry_after.count() ? n : max_retry_after.count());
  }
  if (PROFILE_AUTH_NO_HTTP_DATE || !now) return std::nullopt;  // a date needs both
  const auto date = parse_http_date(v);
  if (!date) return std::nullopt;
  const auto now_s = std::chrono::floor<std::chrono::seconds>(*now);
  if (*date <= now_s) return std::chrono::seconds(0);
  const auto delta = *date - now_s;
  return delta < max_retry_after ? delta : max_retry_after;
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_HTTP_DATE_HPP
