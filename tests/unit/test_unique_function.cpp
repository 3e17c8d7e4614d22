// SPDX-License-Identifier: MIT
// detail::unique_function and detail::copyable_function (the token-changed hook's type).
#include <profile/auth.hpp>

#include <doctest/doctest.h>

#include <functional>  // a std::function handed to the hook, as users may do
#include <memory>      // a move-only capture
#include <type_traits>
#include <utility>

namespace pa = profile::auth;
using pa::detail::copyable_function;
using pa::detail::unique_function;

static_assert(std::is_copy_constructible_v<pa::token_changed_hook>);
static_assert(std::is_copy_constructible_v<pa::user_session_options>);
static_assert(!std::is_copy_constructible_v<unique_function<void()>>);
static_assert(!std::is_constructible_v<copyable_function<void()>, unique_function<void()>>);

TEST_CASE("copyable_function: empty, nullptr, call and result") {
  copyable_function<int(int)> f;
  CHECK_FALSE(f);
  copyable_function<int(int)> g(nullptr);
  CHECK_FALSE(g);
  f = [](int x) { return 2 * x; };
  REQUIRE(f);
  CHECK(f(21) == 42);
  f.reset();
  CHECK_FALSE(f);
}

TEST_CASE("copyable_function: a copy copies the target, as std::function does") {
  copyable_function<int()> a = [n = 0]() mutable { return ++n; };
  CHECK(a() == 1);
  copyable_function<int()> b = a;  // copies the counter's state (1)
  CHECK(a() == 2);
  CHECK(b() == 2);
  CHECK(b() == 3);
  CHECK(a() == 3);
  copyable_function<int()> c;
  c = b;
  CHECK(c() == 4);
  CHECK(b() == 4);
  const copyable_function<int()>& same = c;
  c = same;  // self-assignment keeps the target
  CHECK(c() == 5);
}

TEST_CASE("copyable_function: moves empty the source; the target is destroyed once") {
  auto alive = std::make_shared<int>(7);
  {
    copyable_function<int()> a = [alive] { return *alive; };
    CHECK(alive.use_count() == 2);
    copyable_function<int()> b = a;
    CHECK(alive.use_count() == 3);
    copyable_function<int()> m = std::move(a);
    CHECK_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    CHECK(m() == 7);
    CHECK(alive.use_count() == 3);
    b = std::move(m);
    CHECK(alive.use_count() == 2);
    CHECK(b() == 7);
  }
  CHECK(alive.use_count() == 1);
}

TEST_CASE("token_changed_hook takes lambdas and std::function objects") {
  int calls = 0;
  pa::token_changed_hook h = [&calls](const pa::stored_session& s) {
    calls += s.scope == "read" ? 1 : 100;
  };
  pa::stored_session s;
  s.scope = "read";
  h(s);
  const std::function<void(const pa::stored_session&)> std_fn =
      [&calls](const pa::stored_session&) { calls += 10; };
  pa::token_changed_hook h2 = std_fn;
  h2(s);
  pa::user_session_options o;
  o.on_token_changed = h;
  const pa::user_session_options copy = o;  // options stay copyable
  copy.on_token_changed(s);
  CHECK(calls == 12);
}

TEST_CASE("unique_function: holds a move-only target") {
  auto p = std::make_unique<int>(5);
  unique_function<int()> f = [q = std::move(p)] { return *q; };
  REQUIRE(f);
  CHECK(f() == 5);
  unique_function<int()> g = std::move(f);
  CHECK_FALSE(f);  // NOLINT(bugprone-use-after-move)
  CHECK(g() == 5);
  g = nullptr;
  CHECK_FALSE(g);
}
