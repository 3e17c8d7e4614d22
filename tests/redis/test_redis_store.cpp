// SPDX-License-Identifier: MIT
// redis_store against a real redis-server (tests/redis/run.sh starts one): the TokenStore
// semantics of file_store (compare-and-swap, erase_if, foreign values), the key layout, AUTH and
// ACL users, SELECT, a Unix socket, failures (wrong password, server down, a server that does
// not answer, a restart), messages that never hold a token or the password, and the refresh
// lease (exclusion, expiry after a holder dies, a late release that leaves a new holder alone).
#include "redis_support.hpp"

#include <profile/auth/sha256.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace pa = profile::auth;
using namespace std::chrono_literals;
using redis_test::raw_client;
using redis_test::shared_options;
using redis_test::unique_key;

namespace {

pa::stored_session session(std::string_view refresh, std::string_view access) {
  pa::stored_session s;
  s.refresh_token = pa::secret(refresh);
  s.access_token = pa::secret(access);
  s.access_expires_at =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 1h;
  s.scope = "openid offline_access";
  return s;
}

std::string stored_refresh(const pa::redis_store& store) {
  auto s = store.load();
  REQUIRE_MESSAGE(s.has_value(), s.error().message);
  REQUIRE(s->has_value());
  return std::string((*s)->refresh_token.reveal());
}

std::string hex_sha256(std::string_view text) {
  const auto d = pa::sha256(text);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

}  // namespace

TEST_CASE("redis_store: models TokenStore with a refresh lease") {
  static_assert(pa::TokenStore<pa::redis_store>);
  static_assert(pa::detail::store_leases_refreshes<pa::redis_store>);
  CHECK(pa::redis_store("k").key() == "profile-auth:session:k");
  CHECK(pa::redis_store("k").lease_key() == "profile-auth:session:k:lease");
}

TEST_CASE("redis_store: save, load, erase round trip; nothing stored is nullopt") {
  pa::redis_store store(unique_key("roundtrip"), shared_options());
  auto empty = store.load();
  REQUIRE_MESSAGE(empty.has_value(), empty.error().message);
  CHECK_FALSE(empty->has_value());
  const pa::stored_session s = session("rt-1", "at-1");
  REQUIRE(store.save(s).has_value());
  auto loaded = store.load();
  REQUIRE(loaded.has_value());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == s);
  REQUIRE(store.erase().has_value());
  CHECK_FALSE(store.load().value().has_value());
  CHECK(store.erase().has_value());  // erasing nothing succeeds
}

TEST_CASE("redis_store: the key holds a hash of the session JSON and its refresh token's SHA-256") {
  const auto o = shared_options();
  pa::redis_store store(unique_key("layout"), o);
  const pa::stored_session s = session("rt-layout", "at-layout");
  REQUIRE(store.save(s).has_value());
  raw_client raw(o);
  CHECK(raw.run({"TYPE", store.key()}).str == "hash");
  CHECK(raw.run({"HGET", store.key(), "rt"}).str == hex_sha256("rt-layout"));
  CHECK(raw.run({"HGET", store.key(), "session"}).str == pa::serialize_session(s).value());
  CHECK(raw.run({"HLEN", store.key()}).integer == 2);
  // A session without a refresh token stores an empty hash field.
  REQUIRE(store.save(session("", "at-only")).has_value());
  CHECK(raw.run({"HGET", store.key(), "rt"}).str.empty());
}

TEST_CASE("redis_store: compare_and_swap writes only over the expected refresh token") {
  pa::redis_store store(unique_key("cas"), shared_options());
  // Nothing stored: a non-empty expected token loses, an empty one wins.
  auto lost = store.compare_and_swap(pa::secret("rt-0"), session("rt-1", "at-1"));
  REQUIRE_FALSE(lost.has_value());
  CHECK(lost.error().code == pa::errc::store_conflict);
  CHECK_FALSE(store.load().value().has_value());
  REQUIRE(store.compare_and_swap(pa::secret(), session("rt-1", "at-1")).has_value());
  CHECK(stored_refresh(store) == "rt-1");
  // A stale expected token loses and writes nothing; the current one wins.
  auto stale = store.compare_and_swap(pa::secret("rt-0"), session("rt-x", "at-x"));
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == pa::errc::store_conflict);
  CHECK(stale.error().message.find("rt-") == std::string::npos);
  CHECK(stored_refresh(store) == "rt-1");
  REQUIRE(store.compare_and_swap(pa::secret("rt-1"), session("rt-2", "at-2")).has_value());
  CHECK(stored_refresh(store) == "rt-2");
  // A stored session without a refresh token matches an empty expected token.
  REQUIRE(store.save(session("", "at-3")).has_value());
  CHECK(store.compare_and_swap(pa::secret("rt-2"), session("rt-4", "at-4")).error().code ==
        pa::errc::store_conflict);
  REQUIRE(store.compare_and_swap(pa::secret(), session("rt-4", "at-4")).has_value());
  CHECK(stored_refresh(store) == "rt-4");
}

TEST_CASE("redis_store: erase_if erases only the expected session") {
  pa::redis_store store(unique_key("erase_if"), shared_options());
  CHECK(store.erase_if(pa::secret()).has_value());  // nothing stored matches empty
  CHECK(store.erase_if(pa::secret("rt-1")).error().code == pa::errc::store_conflict);
  REQUIRE(store.save(session("rt-1", "at-1")).has_value());
  auto wrong = store.erase_if(pa::secret("rt-0"));
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == pa::errc::store_conflict);
  CHECK(stored_refresh(store) == "rt-1");
  REQUIRE(store.erase_if(pa::secret("rt-1")).has_value());
  CHECK_FALSE(store.load().value().has_value());
}

TEST_CASE("redis_store: a foreign value at the key is store_corrupt; save and erase replace it") {
  const auto o = shared_options();
  raw_client raw(o);
  SUBCASE("a string") {
    pa::redis_store store(unique_key("foreign"), o);
    raw.run({"SET", store.key(), "hello"});
    auto l = store.load();
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().code == pa::errc::store_corrupt);
    CHECK(l.error().message.find("string") != std::string::npos);
    CHECK(l.error().message.find(store.key()) != std::string::npos);
    CHECK(store.compare_and_swap(pa::secret(), session("rt-1", "at-1")).error().code ==
          pa::errc::store_corrupt);
    CHECK(store.erase_if(pa::secret()).error().code == pa::errc::store_corrupt);
    CHECK(raw.run({"GET", store.key()}).str == "hello");  // untouched
    REQUIRE(store.save(session("rt-1", "at-1")).has_value());
    CHECK(stored_refresh(store) == "rt-1");
    raw.run({"SET", store.key(), "hello"});
    REQUIRE(store.erase().has_value());
    CHECK_FALSE(store.load().value().has_value());
  }
  SUBCASE("a hash without our fields") {
    pa::redis_store store(unique_key("foreign"), o);
    raw.run({"HSET", store.key(), "other", "x"});
    CHECK(store.load().error().code == pa::errc::store_corrupt);
    CHECK(store.compare_and_swap(pa::secret(), session("rt-1", "at-1")).error().code ==
          pa::errc::store_corrupt);
  }
  SUBCASE("a hash whose session is not JSON") {
    pa::redis_store store(unique_key("foreign"), o);
    raw.run({"HSET", store.key(), "session", "{not json", "rt", ""});
    auto l = store.load();
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().code == pa::errc::store_corrupt);
  }
  SUBCASE("a session whose rt field is not its refresh token's hash") {
    pa::redis_store store(unique_key("foreign"), o);
    const std::string json = pa::serialize_session(session("rt-secret-9", "at-secret-9")).value();
    raw.run({"HSET", store.key(), "session", json, "rt", hex_sha256("something else")});
    auto l = store.load();
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().code == pa::errc::store_corrupt);
    CHECK(l.error().message.find("secret-9") == std::string::npos);
  }
}

TEST_CASE("redis_store: an empty key or a moved-from store is invalid_argument") {
  pa::redis_store store("", shared_options());
  CHECK(store.load().error().code == pa::errc::invalid_argument);
  CHECK(store.save(session("a", "b")).error().code == pa::errc::invalid_argument);
  CHECK(store.lock_refresh().error().code == pa::errc::invalid_argument);
  pa::redis_store a(unique_key("moved"), shared_options());
  pa::redis_store b = std::move(a);
  CHECK(b.save(session("rt", "at")).has_value());
  CHECK(a.load().error().code == pa::errc::invalid_argument);  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("redis_store: a wrong password is store_failed without the password in the message") {
  auto o = shared_options();
  o.password = pa::secret("wrong-password-hunter2");
  pa::redis_store store(unique_key("auth"), o);
  auto l = store.load();
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == pa::errc::store_failed);
  CHECK(l.error().message.find("refused the password") != std::string::npos);
  CHECK(l.error().message.find("hunter2") == std::string::npos);
  // No password at all: Redis answers NOAUTH to the first command.
  o.password = pa::secret();
  pa::redis_store anonymous(unique_key("auth"), o);
  auto n = anonymous.load();
  REQUIRE_FALSE(n.has_value());
  CHECK(n.error().code == pa::errc::store_failed);
  CHECK(n.error().message.find("NOAUTH") != std::string::npos);
}

TEST_CASE("redis_store: an ACL user authenticates with AUTH user password") {
  const auto admin = shared_options();
  raw_client raw(admin);
  const std::string user = "pa-test-" + std::to_string(::getpid());
  // The permissions docs/fleet.md recommends, exactly.
  REQUIRE(raw.run({"ACL", "SETUSER", user, "reset", "on", ">user-pass-77", "~profile-auth:*",
                   "+eval", "+del", "+select", "+type", "+hmget", "+hset", "+set", "+get"})
              .type != REDIS_REPLY_ERROR);
  auto o = admin;
  o.username = user;
  o.password = pa::secret("user-pass-77");
  pa::redis_store store(unique_key("acl"), o);
  REQUIRE_MESSAGE(store.save(session("rt-acl", "at-acl")).has_value(), "ACL user save");
  CHECK(stored_refresh(store) == "rt-acl");
  REQUIRE(store.compare_and_swap(pa::secret("rt-acl"), session("rt-acl-2", "at")).has_value());
  {
    auto lease = store.lock_refresh();
    REQUIRE_MESSAGE(lease.has_value(), lease.error().message);
  }
  REQUIRE(store.erase_if(pa::secret("rt-acl-2")).has_value());
  REQUIRE(store.erase().has_value());
  // The user may not touch keys outside its pattern: NOPERM, named.
  auto other = o;
  other.key_prefix = "elsewhere:";
  pa::redis_store outside(unique_key("acl"), other);
  auto denied = outside.load();
  REQUIRE_FALSE(denied.has_value());
  CHECK(denied.error().code == pa::errc::store_failed);
  CHECK(denied.error().message.find("NOPERM") != std::string::npos);
  // The wrong password for the user.
  o.password = pa::secret("not-it-88");
  pa::redis_store wrong(unique_key("acl"), o);
  auto w = wrong.load();
  REQUIRE_FALSE(w.has_value());
  CHECK(w.error().message.find(user) != std::string::npos);
  CHECK(w.error().message.find("not-it-88") == std::string::npos);
  raw.run({"ACL", "DELUSER", user});
}

TEST_CASE("redis_store: database selects another keyspace; key_prefix is prepended") {
  auto o = shared_options();
  const std::string key = unique_key("db");
  o.database = 1;
  o.key_prefix = "pa-test-prefix:";
  pa::redis_store in_one(key, o);
  CHECK(in_one.key() == "pa-test-prefix:" + key);
  REQUIRE(in_one.save(session("rt-db1", "at-db1")).has_value());
  o.database = 0;
  pa::redis_store in_zero(key, o);
  CHECK_FALSE(in_zero.load().value().has_value());
  CHECK(stored_refresh(in_one) == "rt-db1");
  REQUIRE(in_one.erase().has_value());
}

TEST_CASE("redis_store: connects over a Unix socket") {
  const std::string path = "/tmp/pa-redis-" + std::to_string(::getpid()) + ".sock";
  redis_test::own_server server(path);
  auto o = server.options();
  o.unix_socket = path;
  o.port = 0;  // not used with a Unix socket
  pa::redis_store store(unique_key("unix"), o);
  REQUIRE_MESSAGE(store.save(session("rt-unix", "at-unix")).has_value(), "save over the socket");
  CHECK(stored_refresh(store) == "rt-unix");
}

TEST_CASE("redis_store: a server that is down fails fast with store_failed") {
  redis_test::own_server server;
  auto o = server.options();
  o.connect_timeout = 500ms;
  server.stop();
  pa::redis_store store(unique_key("down"), o);
  const auto t0 = std::chrono::steady_clock::now();
  auto l = store.load();
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == pa::errc::store_failed);
  CHECK(l.error().message.find("could not connect to 127.0.0.1:" + std::to_string(server.port())) !=
        std::string::npos);
  CHECK(elapsed_ms(t0) < 500);
  CHECK(store.lock_refresh().error().code == pa::errc::store_failed);
}

TEST_CASE("redis_store: reconnects after redis-server restarts") {
  redis_test::own_server server;
  pa::redis_store store(unique_key("restart"), server.options());
  REQUIRE(store.save(session("rt-before", "at-before")).has_value());  // connection open
  server.stop();
  server.start();  // same port, empty (no persistence)
  // The open connection is dead: the next command reconnects once and succeeds.
  auto l = store.load();
  REQUIRE_MESSAGE(l.has_value(), l.error().message);
  CHECK_FALSE(l->has_value());
  REQUIRE(store.save(session("rt-after", "at-after")).has_value());
  CHECK(stored_refresh(store) == "rt-after");
  // Stopped while idle: the call fails (no hang); after the restart the store works again.
  server.stop();
  CHECK(store.load().error().code == pa::errc::store_failed);
  server.start();
  CHECK(store.load().has_value());
}

namespace {
std::string never_answer(const std::string&) { return {}; }

/// Echoes everything a command carried in an error, as some Redis errors echo arguments.
std::string echo_error(const std::string& received) {
  std::string flat;
  for (const char c : received) flat += (c == '\r' || c == '\n') ? ' ' : c;
  return "-ERR you sent: " + flat + "\r\n";
}
/// An error whose text never echoes arguments: kept whole in messages.
std::string wrongtype_error(const std::string&) {
  return "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
}
}  // namespace

TEST_CASE("redis_store: a server that never answers times out within command_timeout") {
  redis_test::fake_server silent(&never_answer);
  pa::redis_store_options o;
  o.port = silent.port();
  o.command_timeout = 300ms;
  pa::redis_store store(unique_key("silent"), o);
  const auto t0 = std::chrono::steady_clock::now();
  auto l = store.load();
  const auto took = elapsed_ms(t0);
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == pa::errc::store_failed);
  CHECK(l.error().message.find("timed out (command_timeout 300 ms)") != std::string::npos);
  CHECK(took >= 250);
  CHECK(took < 1500);  // not retried: a timeout is not a broken connection
}

TEST_CASE(
    "redis_store: errors that echo arguments never put a token or the password in a message") {
  redis_test::fake_server echo(&echo_error);
  pa::redis_store_options o;
  o.port = echo.port();
  SUBCASE("AUTH") {
    o.password = pa::secret("pass-word-secret-1");
    pa::redis_store store(unique_key("echo"), o);
    auto l = store.load();
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().code == pa::errc::store_failed);
    CHECK(l.error().message.find("ERR") != std::string::npos);
    CHECK(l.error().message.find("secret-1") == std::string::npos);
  }
  SUBCASE("save, compare_and_swap, erase_if") {
    pa::redis_store store(unique_key("echo"), o);
    const pa::stored_session s = session("refresh-secret-2", "access-secret-3");
    for (const auto& r : {store.save(s), store.compare_and_swap(pa::secret("refresh-secret-4"), s),
                          store.erase_if(pa::secret("refresh-secret-4"))}) {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == pa::errc::store_failed);
      CHECK(r.error().message.find("answered ERR") != std::string::npos);
      CHECK(r.error().message.find("secret") == std::string::npos);
      CHECK(r.error().message.find(hex_sha256("refresh-secret-4")) == std::string::npos);
    }
  }
  SUBCASE("load, which carries no secret, shows Redis' whole text") {
    pa::redis_store store("visible-key", o);
    auto l = store.load();
    REQUIRE_FALSE(l.has_value());
    CHECK(l.error().message.find("you sent:") != std::string::npos);
  }
}

TEST_CASE("redis_store: an error text that never echoes arguments is kept whole") {
  redis_test::fake_server typed(&wrongtype_error);
  pa::redis_store_options o;
  o.port = typed.port();
  pa::redis_store store(unique_key("typed"), o);
  auto r = store.save(session("rt", "at"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("WRONGTYPE Operation against a key") != std::string::npos);
}

// ---- the refresh lease -----------------------------------------------------------------------

TEST_CASE("redis_store: two holders of the refresh lease exclude each other") {
  const std::string key = unique_key("lease");
  auto o = shared_options();
  o.lease_wait = 200ms;
  pa::redis_store a(key, o);
  pa::redis_store b(key, o);
  auto held = a.lock_refresh();
  REQUIRE_MESSAGE(held.has_value(), held.error().message);
  CHECK(held->held());
  raw_client raw(o);
  CHECK(raw.run({"PTTL", a.lease_key()}).integer > 0);  // a TTL is set
  // b gives up after lease_wait.
  const auto t0 = std::chrono::steady_clock::now();
  auto refused = b.lock_refresh();
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == pa::errc::store_failed);
  CHECK(refused.error().message.find("timed out after 200 ms") != std::string::npos);
  CHECK(elapsed_ms(t0) >= 200);
  // A waiter gets it as soon as the holder releases.
  o.lease_wait = 5s;
  pa::redis_store c(key, o);
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    auto l = c.lock_refresh();
    got.store(l.has_value() && l->held());
  });
  std::this_thread::sleep_for(150ms);
  CHECK_FALSE(got.load());
  held->reset();
  waiter.join();
  CHECK(got.load());
  CHECK(raw.run({"EXISTS", a.lease_key()}).integer == 0);  // the waiter released it on return
}

TEST_CASE("redis_store: a lease holder that dies leaves the lease to expire after lease_ttl") {
  const std::string key = unique_key("lease-dies");
  auto o = shared_options();
  o.lease_ttl = 800ms;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    pa::redis_store store(key, o);
    auto lease = store.lock_refresh();
    const char ok = lease.has_value() ? '1' : '0';
    (void)!::write(ready[1], &ok, 1);
    ::_exit(0);  // dies holding it: no destructor, no release
  }
  ::close(ready[1]);
  char ok = 0;
  REQUIRE(::read(ready[0], &ok, 1) == 1);
  ::close(ready[0]);
  const auto t0 = std::chrono::steady_clock::now();
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(ok == '1');
  o.lease_wait = 5s;
  pa::redis_store survivor(key, o);
  auto l = survivor.lock_refresh();
  const auto took = elapsed_ms(t0);
  REQUIRE_MESSAGE(l.has_value(), l.error().message);
  CHECK(took >= 500);  // it had to wait for the expiry ...
  CHECK(took < 2500);  // ... and no longer than the TTL (plus polling)
}

TEST_CASE("redis_store: a release after the lease expired leaves the next holder's lease alone") {
  const std::string key = unique_key("lease-late");
  auto o = shared_options();
  o.lease_ttl = 200ms;
  o.lease_wait = 100ms;
  pa::redis_store a(key, o);
  pa::redis_store b(key, o);
  pa::redis_store c(key, o);
  auto first = a.lock_refresh();
  REQUIRE(first.has_value());
  std::this_thread::sleep_for(350ms);  // expired
  o.lease_ttl = 5s;
  pa::redis_store b_long(key, o);
  auto second = b_long.lock_refresh();
  REQUIRE_MESSAGE(second.has_value(), second.error().message);
  first->reset();  // a late release: must not delete b's lease
  auto third = c.lock_refresh();
  REQUIRE_FALSE(third.has_value());
  CHECK(third.error().code == pa::errc::store_failed);
  second->reset();
  CHECK(c.lock_refresh().has_value());
}
