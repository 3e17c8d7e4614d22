// SPDX-License-Identifier: MIT
// profile-auth: sorting a list of names, for finding repeated parameters (internal).
#ifndef PROFILE_AUTH_DETAIL_SORT_NAMES_HPP
#define PROFILE_AUTH_DETAIL_SORT_NAMES_HPP

#include <profile/auth/config.hpp>

#include <cstddef>      // std::size_t
#include <string_view>  // the names
#include <utility>      // std::swap
#include <vector>       // the list

namespace profile::auth::inline v0::detail {

/// Sorts `v` in place: a heapsort, O(n log n) whatever the input (a hostile body or callback may
/// carry hundreds of thousands of parameters), without recursion or extra memory, and without
/// making every includer parse <algorithm> for this one use.
inline void sort_names(std::vector<std::string_view>& v) noexcept {
  const auto sift_down = [&v](std::size_t root, std::size_t end) {
    for (;;) {
      std::size_t child = 2 * root + 1;
      if (child >= end) return;
      if (child + 1 < end && v[child] < v[child + 1]) ++child;
      if (!(v[root] < v[child])) return;
      std::swap(v[root], v[child]);
      root = child;
    }
  };
  const std::size_t n = v.size();
  for (std::size_t i = n / 2; i-- > 0;) sift_down(i, n);
  for (std::size_t end = n; end > 1; --end) {
    std::swap(v[0], v[end - 1]);
    sift_down(0, end - 1);
  }
}

}  // namespace profile::auth::inline v0::detail

#endif  // PROFILE_AUTH_DETAIL_SORT_NAMES_HPP
