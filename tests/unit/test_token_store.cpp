// SPDX-License-Identifier: MIT
// profile-auth tests: stored_session serialization, the TokenStore concept and memory_store.
#include <profile/auth/stores/memory_store.hpp>
#include <profile/auth/token_store.hpp>

#include <doctest/doctest.h>

#include <chrono>       // expiry time points
#include <optional>     // load() results
#include <string>       // serialized text
#include <string_view>  // corrupt inputs
#include <thread>       // memory_store under concurrent writers
#include <vector>       // threads

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

pa::stored_session sample() {
  pa::stored_session s;
  s.refresh_token = pa::secret("rt-\"quoted\"\\-\xC3\xA9");
  s.access_token = pa::secret("at.eyJhbGciOi.sig");
  s.access_expires_at = std::chrono::system_clock::time_point(1767225600s);
  s.scope = "openid profile";
  s.token_type = "Bearer";
  return s;
}

// Models and non-models of TokenStore.
struct missing_erase_if {
  pa::result<std::optional<pa::stored_session>> load();
  pa::result<void> save(const pa::stored_session&);
  pa::result<void> compare_and_swap(const pa::secret&, const pa::stored_session&);
  pa::result<void> erase();
};
struct wrong_load_type {
  pa::result<pa::stored_session> load();
  pa::result<void> save(const pa::stored_session&);
  pa::result<void> compare_and_swap(const pa::secret&, const pa::stored_session&);
  pa::result<void> erase();
  pa::result<void> erase_if(const pa::secret&);
};
struct cas_takes_string {
  pa::result<std::optional<pa::stored_session>> load();
  pa::result<void> save(const pa::stored_session&);
  pa::result<void> compare_and_swap(std::string&, const pa::stored_session&);
  pa::result<void> erase();
  pa::result<void> erase_if(const pa::secret&);
};
static_assert(pa::TokenStore<pa::memory_store>);
static_assert(!pa::TokenStore<missing_erase_if>);
static_assert(!pa::TokenStore<wrong_load_type>);
static_assert(!pa::TokenStore<cas_takes_string>);
static_assert(!pa::TokenStore<int>);

pa::errc corrupt_code(std::string_view text) {
  auto r = pa::deserialize_session(text);
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace

TEST_CASE("serialize_session writes the documented bytes") {
  auto text = pa::serialize_session(sample());
  REQUIRE(text.has_value());
  CHECK(*text == R"({"format":"profile-auth.session","version":1,"refresh_token":"rt-\"quoted\"\\-)"
                 "\xC3\xA9"
                 R"(","access_token":"at.eyJhbGciOi.sig","access_expires_at":1767225600,)"
                 R"("scope":"openid profile","token_type":"Bearer"})");

  pa::stored_session empty;
  auto e = pa::serialize_session(empty);
  REQUIRE(e.has_value());
  CHECK(*e ==
        R"({"format":"profile-auth.session","version":1,"refresh_token":"","access_token":"",)"
        R"("access_expires_at":null,"scope":"","token_type":"Bearer"})");
}

TEST_CASE("every field round-trips") {
  const pa::stored_session s = sample();
  auto text = pa::serialize_session(s);
  REQUIRE(text.has_value());
  auto back = pa::deserialize_session(*text);
  REQUIRE(back.has_value());
  CHECK(back->refresh_token.reveal() == s.refresh_token.reveal());
  CHECK(back->access_token.reveal() == s.access_token.reveal());
  REQUIRE(back->access_expires_at.has_value());
  CHECK(*back->access_expires_at == *s.access_expires_at);
  CHECK(back->scope == "openid profile");
  CHECK(back->token_type == "Bearer");
  CHECK(*back == s);

  pa::stored_session odd;  // control bytes, NUL, no expiry, another token type
  odd.refresh_token = pa::secret(std::string_view("a\0b\n\x01", 5));
  odd.token_type = "DPoP";
  auto t2 = pa::serialize_session(odd);
  REQUIRE(t2.has_value());
  auto b2 = pa::deserialize_session(*t2);
  REQUIRE(b2.has_value());
  CHECK(b2->refresh_token.size() == 5);
  CHECK(*b2 == odd);
  CHECK_FALSE(b2->access_expires_at.has_value());
}

TEST_CASE("the expiry is stored with seconds precision, floored") {
  pa::stored_session s;
  s.access_expires_at = std::chrono::system_clock::time_point(1000s + 999ms);
  auto text = pa::serialize_session(s);
  REQUIRE(text.has_value());
  CHECK(text->find(R"("access_expires_at":1000,)") != std::string::npos);
  auto back = pa::deserialize_session(*text);
  REQUIRE(back.has_value());
  CHECK(*back->access_expires_at == std::chrono::system_clock::time_point(1000s));
}

TEST_CASE("serialize_session refuses what it cannot store losslessly") {
  pa::stored_session s;
  s.access_token = pa::secret("bad\xFFutf8");
  auto r = pa::serialize_session(s);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::invalid_argument);
  CHECK(r.error().message.find("bad") == std::string::npos);

  pa::stored_session before_epoch;
  before_epoch.access_expires_at = std::chrono::system_clock::time_point(-5s);
  auto r2 = pa::serialize_session(before_epoch);
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == pa::errc::invalid_argument);
}

TEST_CASE("deserialize_session: each corruption class is store_corrupt, naming the problem") {
  const std::string ok_tail =
      R"("refresh_token":"SECRET-RT","access_token":"SECRET-AT","access_expires_at":null,)"
      R"("scope":"","token_type":"Bearer"})";
  const std::string head = R"({"format":"profile-auth.session","version":1,)";
  struct corrupt_case {
    std::string text;
    std::string_view mentions;
  };
  const corrupt_case cases[] = {
      {"", "not a profile-auth session"},
      {"garbage SECRET-RT", "not a profile-auth session"},
      {(head + ok_tail).substr(0, 60), "not a profile-auth session"},  // truncated
      {"[1,2]", "not a JSON object"},
      {R"({"version":1,)" + ok_tail, "\"format\""},
      {R"({"format":"other.app","version":1,)" + ok_tail, "\"format\""},
      {R"({"format":"profile-auth.session",)" + ok_tail, "\"version\""},
      {R"({"format":"profile-auth.session","version":"1",)" + ok_tail, "\"version\""},
      {R"({"format":"profile-auth.session","version":2,)" + ok_tail, "newer profile-auth"},
      {R"({"format":"profile-auth.session","version":0,)" + ok_tail, "version 0"},
      {head + R"("access_token":"SECRET-AT","access_expires_at":null,"scope":"",)"
              R"("token_type":"Bearer"})",
       "\"refresh_token\""},
      {head + R"("refresh_token":7,"access_token":"SECRET-AT","access_expires_at":null,)"
              R"("scope":"","token_type":"Bearer"})",
       "\"refresh_token\" member is not a string"},
      {head + R"("refresh_token":"SECRET-RT","access_token":"SECRET-AT","scope":"",)"
              R"("token_type":"Bearer"})",
       "\"access_expires_at\""},
      {head + R"("refresh_token":"SECRET-RT","access_token":"SECRET-AT",)"
              R"("access_expires_at":1.5,"scope":"","token_type":"Bearer"})",
       "\"access_expires_at\""},
      {head + R"("refresh_token":"SECRET-RT","access_token":"SECRET-AT",)"
              R"("access_expires_at":-1,"scope":"","token_type":"Bearer"})",
       "\"access_expires_at\""},
      {head + R"("refresh_token":"SECRET-RT","access_token":"SECRET-AT",)"
              R"("access_expires_at":null,"token_type":"Bearer"})",
       "\"scope\""},
      {head + R"("refresh_token":"SECRET-RT","access_token":"SECRET-AT",)"
              R"("access_expires_at":null,"scope":"","token_type":null})",
       "\"token_type\""},
      {head + R"("refresh_token":"SECRET-RT","refresh_token":"x","access_token":"SECRET-AT",)"
              R"("access_expires_at":null,"scope":"","token_type":"Bearer"})",
       "not a profile-auth session"},  // duplicate member
  };
  for (const auto& c : cases) {
    CAPTURE(c.mentions);
    auto r = pa::deserialize_session(c.text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::store_corrupt);
    CHECK(r.error().message.find(c.mentions) != std::string::npos);
    CHECK(r.error().message.find("SECRET") == std::string::npos);
  }
  CHECK(corrupt_code(head + ok_tail + "x") == pa::errc::store_corrupt);  // trailing bytes
  // Unknown members are ignored.
  auto extra = pa::deserialize_session(
      R"({"future":{"a":[1]},"format":"profile-auth.session","version":1,)" + ok_tail);
  REQUIRE(extra.has_value());
  CHECK(extra->refresh_token.reveal() == "SECRET-RT");
}

TEST_CASE("memory_store: load, save, erase") {
  pa::memory_store store;
  auto none = store.load();
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
  REQUIRE(store.save(sample()).has_value());
  auto got = store.load();
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == sample());
  REQUIRE(store.erase().has_value());
  CHECK_FALSE(store.load()->has_value());
  CHECK(store.erase().has_value());  // erasing nothing is fine
}

TEST_CASE("memory_store: compare_and_swap and erase_if") {
  pa::memory_store store;
  pa::stored_session first;
  first.refresh_token = pa::secret("rt-1");
  // An empty expectation matches "nothing stored"; a non-empty one does not.
  auto miss = store.compare_and_swap(pa::secret("rt-0"), first);
  REQUIRE_FALSE(miss.has_value());
  CHECK(miss.error().code == pa::errc::store_conflict);
  REQUIRE(store.compare_and_swap(pa::secret(), first).has_value());
  // Now an empty expectation no longer matches.
  CHECK(store.compare_and_swap(pa::secret(), first).error().code == pa::errc::store_conflict);

  pa::stored_session second;
  second.refresh_token = pa::secret("rt-2");
  REQUIRE(store.compare_and_swap(pa::secret("rt-1"), second).has_value());
  auto stale = store.compare_and_swap(pa::secret("rt-1"), first);
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == pa::errc::store_conflict);
  CHECK(store.load()->value().refresh_token.reveal() == "rt-2");

  CHECK(store.erase_if(pa::secret("rt-1")).error().code == pa::errc::store_conflict);
  CHECK(store.load()->has_value());
  REQUIRE(store.erase_if(pa::secret("rt-2")).has_value());
  CHECK_FALSE(store.load()->has_value());
  CHECK(store.erase_if(pa::secret()).has_value());  // nothing stored matches empty
}

TEST_CASE("memory_store: copies share one session") {
  pa::memory_store a(sample());
  pa::memory_store b = a;
  REQUIRE(b.erase().has_value());
  CHECK_FALSE(a.load()->has_value());
}

#if !PROFILE_AUTH_NO_THREADS
TEST_CASE("memory_store: concurrent compare_and_swap loses no update") {
  pa::memory_store store;
  constexpr int threads = 4, rounds = 500;
  std::vector<int> wins(threads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&store, &wins, t] {
      for (int i = 0; i < rounds; ++i) {
        auto cur = store.load();
        if (!cur) return;
        const int gen = *cur ? std::stoi(std::string((*cur)->refresh_token.reveal())) : 0;
        pa::stored_session next;
        next.refresh_token = pa::secret(std::to_string(gen + 1));
        const pa::secret expected = *cur ? (*cur)->refresh_token : pa::secret();
        if (store.compare_and_swap(expected, next)) ++wins[static_cast<std::size_t>(t)];
      }
    });
  for (auto& th : pool) th.join();
  int total = 0;
  for (int w : wins) total += w;
  CHECK(total > 0);
  CHECK(std::stoi(std::string(store.load()->value().refresh_token.reveal())) == total);
}
#endif
