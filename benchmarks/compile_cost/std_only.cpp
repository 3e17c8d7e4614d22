// SPDX-License-Identifier: MIT
// Compile-cost baseline: the standard headers any auth client needs anyway, and a trivial use.
#include <atomic>       // a refresh flag
#include <chrono>       // expiry
#include <concepts>     // a constrained template
#include <memory>       // shared ownership
#include <mutex>        // a lock
#include <optional>     // maybe a token
#include <string>       // the token
#include <string_view>  // views
#include <vector>       // headers

template <std::integral I>
I twice(I v) {
  return v * 2;
}

int main() {
  std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  std::atomic<int> flag{twice(1)};
  std::vector<std::string> headers{"Accept: application/json"};
  std::optional<std::string> token = std::string("abc");
  const auto expiry = std::chrono::steady_clock::now() + std::chrono::seconds(3600);
  auto p = std::make_shared<std::string>(std::string_view(*token));
  return static_cast<int>(headers.size() + p->size()) + flag.load() +
         (expiry > std::chrono::steady_clock::now() ? 0 : 1);
}
