// SPDX-License-Identifier: MIT
// profile-auth: redis_store, a TokenStore in Redis (or Valkey) on hiredis, shared by a fleet.
// Opt-in: include it yourself and link hiredis (Debian: libhiredis-dev); the umbrella header
// never includes it. See docs/fleet.md.
#ifndef PROFILE_AUTH_STORES_REDIS_HPP
#define PROFILE_AUTH_STORES_REDIS_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/random.hpp>  // os_random: the lease's fencing value
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/sha256.hpp>  // the refresh token's hash stored beside the session
#include <profile/auth/token_store.hpp>

#include <hiredis/hiredis.h>  // redisContext, redisCommandArgv, redisReply

#include <array>        // the fencing value's random bytes
#include <cerrno>       // errno after a failed read: a timeout or a reset connection
#include <csignal>      // SIGPIPE: blocked while writing to a connection Redis may have closed
#include <ctime>        // timespec for sigtimedwait
#include <pthread.h>    // pthread_sigmask
#include <chrono>       // timeouts, the lease's wait
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // std::intptr_t: the lease's handle
#include <memory>       // std::unique_ptr: the connection state keeps its address when moved
#include <mutex>        // one command at a time on the connection
#include <optional>     // load() result
#include <span>         // random bytes
#include <string>       // keys, options, messages
#include <string_view>  // command arguments
#include <sys/time.h>   // struct timeval for hiredis' timeouts
#include <thread>       // std::this_thread::sleep_for between lease attempts
#include <utility>      // std::move
#include <vector>       // command argument lists

namespace profile::auth::inline v0 {

/// Where a redis_store connects and how it behaves. See docs/fleet.md.
struct redis_store_options {
  std::string host = "127.0.0.1";  ///< host name or IP address (resolved without a timeout)
  int port = 6379;                 ///< TCP port
  /// A Unix domain socket path; when set, used instead of host and port.
  std::string unix_socket;
  /// ACL user (Redis 6+): `AUTH username password`. Empty: `AUTH password` (the default user).
  std::string username;
  /// Password for AUTH; empty: no AUTH is sent. Never appears in a message.
  secret password;
  /// Database number, selected with SELECT after connecting when not 0.
  int database = 0;
  /// Prepended to the key given to redis_store; the session lives at `key_prefix + key`, its
  /// refresh lease at `key_prefix + key + ":lease"`.
  std::string key_prefix = "profile-auth:session:";
  /// Longest wait for the TCP (or Unix socket) connection to be established.
  std::chrono::milliseconds connect_timeout{2000};
  /// Longest wait for Redis to accept a command or answer it (per read and write).
  std::chrono::milliseconds command_timeout{2000};
  /// How long a refresh lease lives when its holder never releases it (a crashed process).
  /// Must exceed the longest refresh request (the transport's timeouts): a lease that expires
  /// while its holder still refreshes lets another process present the same refresh token.
  std::chrono::milliseconds lease_ttl{30000};
  /// Longest wait in lock_refresh() for another holder's lease; then errc::store_failed.
  std::chrono::milliseconds lease_wait{10000};
};

namespace detail {

/// The Lua script of the session's key (KEYS[1]). ARGV[1] is the operation:
///   load                      → 0 (no key) or {type, session, rt}
///   save  _ json rt           → 1
///   cas   expected json rt    → 1 (written), 0 (conflict), -1 (a foreign value: not ours)
///   erase_if expected         → 1 (erased or nothing to erase), 0 (conflict), -1 (foreign)
/// `rt` and `expected` are the lowercase hex SHA-256 of a refresh token ("" for none), so the
/// script compares hashes and never parses the session's JSON.
inline constexpr const char* redis_session_script = R"lua(
local key = KEYS[1]
local op = ARGV[1]
local t = redis.call('TYPE', key)['ok']
if op == 'load' then
  if t == 'none' then return 0 end
  if t ~= 'hash' then return {t, false, false} end
  local f = redis.call('HMGET', key, 'session', 'rt')
  return {t, f[1], f[2]}
end
if op ~= 'save' then
  local matches
  if t == 'none' then
    matches = ARGV[2] == ''
  elseif t ~= 'hash' then
    return -1
  else
    local f = redis.call('HMGET', key, 'session', 'rt')
    if not f[1] or not f[2] then return -1 end
    matches = f[2] == ARGV[2]
  end
  if not matches then return 0 end
  if op == 'erase_if' then
    redis.call('DEL', key)
    return 1
  end
end
redis.call('DEL', key)
redis.call('HSET', key, 'session', ARGV[3], 'rt', ARGV[4])
return 1
)lua";

/// The Lua script of the lease's key (KEYS[1]). ARGV[1]: acquire (ARGV[2] fencing value,
/// ARGV[3] TTL in ms) → 1 held (also when this value already holds it: a retried acquire), 0
/// taken by another; release (ARGV[2]) → deletes the key only while it still holds ARGV[2].
inline constexpr const char* redis_lease_script = R"lua(
local key = KEYS[1]
if ARGV[1] == 'acquire' then
  if redis.call('SET', key, ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
  if redis.call('GET', key) == ARGV[2] then return 1 end
  return 0
end
if redis.call('GET', key) == ARGV[2] then return redis.call('DEL', key) end
return 0
)lua";

/// Lowercase hex of `n` bytes.
inline std::string redis_hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 0x0f];
  }
  return out;
}

/// What the session's hash keeps beside the JSON: the refresh token's SHA-256 in hex, or ""
/// when the session has no refresh token (it then matches an empty `expected`, as a missing
/// session does).
inline std::string redis_refresh_hash(const secret& refresh_token) {
  if (refresh_token.empty()) return {};
  const auto digest = sha256(refresh_token.reveal());
  return redis_hex(digest.data(), digest.size());
}

/// Frees a hiredis reply after wiping every string in it (a loaded session holds tokens).
struct redis_reply_free {
  static void wipe(redisReply* r) noexcept {
    if (r == nullptr) return;
    if (r->str != nullptr) secure_wipe(r->str, r->len);
    for (std::size_t i = 0; r->element != nullptr && i < r->elements; ++i) wipe(r->element[i]);
  }
  void operator()(redisReply* r) const noexcept {
    wipe(r);
    freeReplyObject(r);
  }
};
using redis_reply = std::unique_ptr<redisReply, redis_reply_free>;

/// Redis error codes whose texts never repeat a command's arguments: their full text may go
/// into a message even when the command carried a token or the password.
inline bool redis_error_is_fixed_text(std::string_view code) noexcept {
  for (const std::string_view c :
       {"NOAUTH", "WRONGPASS", "NOPERM", "OOM", "READONLY", "LOADING", "BUSY", "MASTERDOWN",
        "MISCONF", "WRONGTYPE", "CROSSSLOT", "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK", "NOSCRIPT",
        "NOREPLICAS", "EXECABORT"})
    if (code == c) return true;
  return false;
}

/// The part of a Redis error reply that may go into a message: printable ASCII only, at most
/// 200 characters. When the command carried a secret (`carries_secret`), only the error code
/// (its first word, "ERR", "WRONGTYPE", …) unless that code's text never repeats arguments:
/// Redis echoes arguments in some errors, and a token must never reach a message.
inline std::string redis_error_text(std::string_view text, bool carries_secret) {
  std::string clean;
  for (const char ch : text) {
    if (clean.size() >= 200) {
      clean += "...";
      break;
    }
    clean += (ch >= 0x20 && ch < 0x7f) ? ch : ' ';
  }
  const std::string_view code = std::string_view(clean).substr(0, clean.find(' '));
  if (!carries_secret || redis_error_is_fixed_text(code)) return clean;
  return std::string(code) +
         " (the rest of Redis' text is left out: it may repeat the "
         "command's arguments, which hold a token or the password)";
}

inline timeval redis_timeval(std::chrono::milliseconds ms) noexcept {
  timeval tv{};
  const auto count = ms.count() < 1 ? 1 : ms.count();
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(count / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((count % 1000) * 1000);
  return tv;
}

/// Blocks SIGPIPE in this thread while it lives: hiredis writes with write(), and writing to a
/// connection that Redis closed (a restart) would otherwise kill the process. A SIGPIPE raised
/// meanwhile is consumed before the mask is restored, unless one was already pending.
class redis_sigpipe_guard {
 public:
  redis_sigpipe_guard() noexcept {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    was_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
  }
  redis_sigpipe_guard(const redis_sigpipe_guard&) = delete;
  redis_sigpipe_guard& operator=(const redis_sigpipe_guard&) = delete;
  ~redis_sigpipe_guard() {
    if (!blocked_) return;
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
  bool blocked_ = false;
};

/// One connection to Redis and the options it was made with; shared by a redis_store and the
/// leases it hands out (which hold a pointer to it). Every command holds `mu`.
class redis_connection {
 public:
  explicit redis_connection(redis_store_options o) : options_(std::move(o)) {}
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;
  ~redis_connection() { drop(); }

  [[nodiscard]] const redis_store_options& options() const noexcept { return options_; }
  std::mutex& mutex() noexcept { return mu_; }

  /// "host:port" or "unix socket <path>", for messages.
  [[nodiscard]] std::string where() const {
    if (!options_.unix_socket.empty()) return "unix socket '" + options_.unix_socket + "'";
    return options_.host + ":" + std::to_string(options_.port);
  }

  /// Sends one command and returns Redis' answer (an error reply becomes errc::store_failed
  /// naming `op`). Connects first when there is no connection. A connection found broken
  /// (closed or reset by the server, say after a restart) is re-established and the command
  /// sent once more, once per call; a timeout is not retried (the command may have run).
  /// `carries_secret`: an argument holds a token, so Redis' echo of arguments is left out of
  /// messages. Caller holds mutex().
  result<redis_reply> command(std::string_view op, const std::vector<std::string_view>& args,
                              bool carries_secret) {
    for (int attempt = 0;; ++attempt) {
      const bool fresh = ctx_ == nullptr;
      if (fresh) {
        if (auto c = connect(); !c) return unexpected(std::move(c).error());
      }
      sent s = send(args);
      if (s.reply) {
        if (s.reply->type == REDIS_REPLY_ERROR)
          return fail(
              errc::store_failed,
              "redis_store: " + std::string(op) + " on " + where() + " failed: Redis answered " +
                  redis_error_text(std::string_view(s.reply->str, s.reply->len), carries_secret));
        return std::move(s.reply);
      }
      if (s.broken && !fresh && attempt == 0) continue;  // a stale connection: reconnect once
      return unexpected(failure(op, s));
    }
  }

  /// Closes the connection (the next command connects again).
  void drop() noexcept {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
  }

 private:
  /// The outcome of one exchange: a reply, or why there is none (the connection is dropped).
  struct sent {
    redis_reply reply;
    std::string text;        // hiredis' description of the failure
    bool timed_out = false;  // command_timeout passed
    bool broken = false;     // closed or reset: a new connection may work
  };

  /// One command on the current connection (which must exist), without retrying.
  sent send(const std::vector<std::string_view>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const std::string_view a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    sent s;
    const redis_sigpipe_guard no_sigpipe;
    errno = 0;
    const auto started = std::chrono::steady_clock::now();
    s.reply.reset(static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data())));
    const int sys_errno = errno;
    if (s.reply) return s;
    const int err = ctx_->err;
    s.text = ctx_->errstr;
    drop();
    s.timed_out = err == REDIS_ERR_IO &&
                  (sys_errno == EAGAIN || sys_errno == EWOULDBLOCK ||
                   std::chrono::steady_clock::now() - started >= options_.command_timeout * 9 / 10);
    s.broken = err == REDIS_ERR_EOF || (err == REDIS_ERR_IO && !s.timed_out);
    return s;
  }

  error failure(std::string_view op, const sent& s) const {
    if (s.timed_out)
      return error(errc::store_failed, "redis_store: " + std::string(op) + " on " + where() +
                                           " timed out (command_timeout " +
                                           std::to_string(options_.command_timeout.count()) +
                                           " ms)");
    return error(errc::store_failed,
                 "redis_store: " + std::string(op) + " on " + where() + " failed: " + s.text);
  }

  /// Connects, sets the command timeout, authenticates and selects the database.
  result<void> connect() {
    if (options_.connect_timeout.count() <= 0 || options_.command_timeout.count() <= 0)
      return fail(errc::invalid_argument,
                  "redis_store: connect_timeout and command_timeout must be positive");
    if (options_.unix_socket.empty() && (options_.port <= 0 || options_.port > 65535))
      return fail(errc::invalid_argument,
                  "redis_store: port " + std::to_string(options_.port) + " is not a TCP port");
    const timeval ct = redis_timeval(options_.connect_timeout);
    ctx_ = options_.unix_socket.empty()
               ? redisConnectWithTimeout(options_.host.c_str(), options_.port, ct)
               : redisConnectUnixWithTimeout(options_.unix_socket.c_str(), ct);
    if (ctx_ == nullptr)
      return fail(errc::store_failed,
                  "redis_store: could not connect to " + where() + ": out of memory");
    if (ctx_->err != 0) {
      const std::string text = ctx_->errstr;
      drop();
      return fail(errc::store_failed,
                  "redis_store: could not connect to " + where() + " (connect_timeout " +
                      std::to_string(options_.connect_timeout.count()) + " ms): " + text);
    }
    if (redisSetTimeout(ctx_, redis_timeval(options_.command_timeout)) != 0) {
      drop();
      return fail(errc::store_failed,
                  "redis_store: could not set the command timeout on the connection to " + where());
    }
    if (!options_.password.empty()) {
      std::vector<std::string_view> auth{"AUTH"};
      if (!options_.username.empty()) auth.emplace_back(options_.username);
      auth.emplace_back(options_.password.reveal());
      sent s = send(auth);
      if (!s.reply) return unexpected(failure("AUTH", s));
      if (s.reply->type == REDIS_REPLY_ERROR) {
        const std::string text =
            redis_error_text(std::string_view(s.reply->str, s.reply->len), true);
        drop();
        return fail(errc::store_failed,
                    "redis_store: " + where() + " refused the " +
                        (options_.username.empty()
                             ? std::string("password")
                             : "user name '" + options_.username + "' or its password") +
                        " (AUTH answered " + text +
                        "): check redis_store_options::username and password");
      }
    }
    if (options_.database != 0) {
      const std::string db = std::to_string(options_.database);
      sent s = send({"SELECT", db});
      if (!s.reply) return unexpected(failure("SELECT " + db, s));
      if (s.reply->type == REDIS_REPLY_ERROR) {
        const std::string text =
            redis_error_text(std::string_view(s.reply->str, s.reply->len), false);
        drop();
        return fail(errc::store_failed,
                    "redis_store: SELECT " + db + " on " + where() + " failed: " + text);
      }
    }
    return {};
  }

  redis_store_options options_;
  std::mutex mu_;
  redisContext* ctx_ = nullptr;
};

/// A lease handed out by redis_store::lock_refresh: what the release needs.
struct redis_lease_record {
  redis_connection* connection;
  std::string lease_key;
  std::string fencing;
};

}  // namespace detail

/// A TokenStore in Redis (or Valkey), so that the instances of an application on several hosts
/// share one user's session: only the holder of the current refresh token ever presents it.
///
/// - The session lives in a hash at `options.key_prefix + key`: field `session` holds the JSON
///   of serialize_session (docs/sessions.md), field `rt` the lowercase hex SHA-256 of its
///   refresh token. compare_and_swap and erase_if are one Lua script each (EVAL) that compares
///   `rt` with the hash of the expected token: atomic fleet-wide, and Redis never sees the JSON
///   parsed. load, save and erase are plain reads and writes.
/// - lock_refresh() is `SET <key>:lease <random value> NX PX lease_ttl`, retried with a
///   bounded backoff for at most lease_wait; released by a script that deletes the key only
///   while it still holds this holder's value. A holder that dies leaves the lease to expire.
/// - One connection per store, made on first use (connect_timeout, then command_timeout per
///   read and write), with AUTH (and ACL user) and SELECT. A connection that Redis closed is
///   re-established once per call. Thread-safe (a mutex per store). Movable, not copyable; a
///   lease must not outlive its store.
/// - Failures are errc::store_failed naming the operation, the server and Redis' error text
///   (never a token or the password); a value at the key that is not a profile-auth session is
///   errc::store_corrupt. Never throws.
/// - No TLS: Debian 12's hiredis (0.14) has none. Reach a remote Redis through a TLS tunnel
///   or a private network (docs/fleet.md); the stored value holds tokens.
class redis_store {
 public:
  /// A store for the session at `options.key_prefix + key` (nothing is sent until the first
  /// operation).
  explicit redis_store(std::string key, redis_store_options options = {})
      : key_(options.key_prefix + key),
        empty_key_(key.empty()),
        connection_(std::make_unique<detail::redis_connection>(std::move(options))) {}

  /// The full key of the session (prefix included).
  [[nodiscard]] const std::string& key() const noexcept { return key_; }
  /// The key of the refresh lease.
  [[nodiscard]] std::string lease_key() const { return key_ + ":lease"; }
  /// The options it was created with.
  [[nodiscard]] const redis_store_options& options() const noexcept {
    return connection_->options();
  }

  /// The stored session, or nullopt when the key does not exist. errc::store_corrupt when the
  /// key holds something else, errc::store_failed, errc::invalid_argument (an empty key).
  [[nodiscard]] result<std::optional<stored_session>> load() const {
    if (auto c = check(); !c) return unexpected(std::move(c).error());
    const std::lock_guard<std::mutex> lock(connection_->mutex());
    auto r = connection_->command("load", {"EVAL", detail::redis_session_script, "1", key_, "load"},
                                  false);
    if (!r) return unexpected(std::move(r).error());
    const redisReply* reply = r->get();
    if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 0)
      return std::optional<stored_session>();
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3)
      return fail(errc::store_failed, "redis_store: load of '" + key_ + "' on " +
                                          connection_->where() +
                                          " got an answer of an unexpected shape");
    const redisReply* type = reply->element[0];
    const redisReply* json = reply->element[1];
    const redisReply* rt = reply->element[2];
    const std::string_view type_name =
        type->type == REDIS_REPLY_STRING || type->type == REDIS_REPLY_STATUS
            ? std::string_view(type->str, type->len)
            : std::string_view("unknown");
    if (type_name != "hash")
      return corrupt("holds a Redis " + std::string(type_name) + ", not a hash");
    if (json->type != REDIS_REPLY_STRING || rt->type != REDIS_REPLY_STRING)
      return corrupt("is a hash without the 'session' and 'rt' fields");
    auto parsed = deserialize_session(std::string_view(json->str, json->len));
    if (!parsed) return corrupt("is unusable: " + parsed.error().message);
    if (detail::redis_refresh_hash(parsed->refresh_token) != std::string_view(rt->str, rt->len))
      return corrupt(
          "has an 'rt' field that is not the hash of its refresh token (written by something "
          "other than profile-auth)");
    return std::optional<stored_session>(std::move(*parsed));
  }

  /// Writes `s` whatever the key held (even a foreign value). errc::store_failed,
  /// errc::invalid_argument (a field that is not UTF-8, an empty key).
  [[nodiscard]] result<void> save(const stored_session& s) { return write("save", nullptr, s); }

  /// Writes `s` if the stored refresh token equals `expected` (no key counts as an empty
  /// token); otherwise errc::store_conflict and nothing is written. A foreign value at the key
  /// is errc::store_corrupt (save() overwrites it).
  [[nodiscard]] result<void> compare_and_swap(const secret& expected, const stored_session& s) {
    return write("cas", &expected, s);
  }

  /// Deletes the key (no key is fine).
  [[nodiscard]] result<void> erase() {
    if (auto c = check(); !c) return c;
    const std::lock_guard<std::mutex> lock(connection_->mutex());
    auto r = connection_->command("erase", {"DEL", key_}, false);
    if (!r) return unexpected(std::move(r).error());
    return {};
  }

  /// Deletes the key if its refresh token still equals `expected`; otherwise
  /// errc::store_conflict. A foreign value is errc::store_corrupt (erase() removes it).
  [[nodiscard]] result<void> erase_if(const secret& expected) {
    if (auto c = check(); !c) return c;
    const std::string hash = detail::redis_refresh_hash(expected);
    const std::lock_guard<std::mutex> lock(connection_->mutex());
    auto r = connection_->command(
        "erase_if", {"EVAL", detail::redis_session_script, "1", key_, "erase_if", hash}, true);
    if (!r) return unexpected(std::move(r).error());
    return outcome("erase_if", r->get());
  }

  /// Takes the refresh lease (see TokenStore): `SET <key>:lease <random value> NX PX
  /// lease_ttl`, polling with a backoff (2 ms doubling to 100 ms) while another holder has it,
  /// for at most lease_wait: then errc::store_failed ("timed out waiting for the refresh
  /// lease"), and the caller does not refresh. Released when the lease is reset or destroyed
  /// (only while it still holds this value: an expired lease taken over by another process is
  /// left alone); a holder that dies leaves it to expire after lease_ttl.
  [[nodiscard]] result<store_lease> lock_refresh() {
    if (auto c = check(); !c) return unexpected(std::move(c).error());
    const auto& o = connection_->options();
    if (o.lease_ttl.count() <= 0)
      return fail(errc::invalid_argument, "redis_store: lease_ttl must be positive");
    std::array<std::byte, 16> random{};
    if (!os_random{}.fill(std::span<std::byte>(random)))
      return fail(errc::store_failed,
                  "redis_store: the operating system gave no random bytes for the lease");
    auto record = std::make_unique<detail::redis_lease_record>(detail::redis_lease_record{
        connection_.get(), lease_key(),
        detail::redis_hex(reinterpret_cast<const unsigned char*>(random.data()), random.size())});
    const std::string ttl = std::to_string(o.lease_ttl.count());
    const auto deadline = std::chrono::steady_clock::now() + o.lease_wait;
    auto pause = std::chrono::milliseconds(2);
    for (;;) {
      {
        const std::lock_guard<std::mutex> lock(connection_->mutex());
        auto r = connection_->command("lock_refresh",
                                      {"EVAL", detail::redis_lease_script, "1", record->lease_key,
                                       "acquire", record->fencing, ttl},
                                      false);
        if (!r) return unexpected(std::move(r).error());
        if ((*r)->type != REDIS_REPLY_INTEGER)
          return fail(errc::store_failed, "redis_store: lock_refresh on " + connection_->where() +
                                              " got an answer of an unexpected shape");
        if ((*r)->integer == 1)
          return store_lease(&release, reinterpret_cast<std::intptr_t>(record.release()));
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline)
        return fail(errc::store_failed,
                    "redis_store: timed out after " + std::to_string(o.lease_wait.count()) +
                        " ms (lease_wait) waiting for the refresh lease '" + record->lease_key +
                        "' on " + connection_->where() +
                        ": another process is refreshing this session (or died doing so: its "
                        "lease expires within lease_ttl); try again later");
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      std::this_thread::sleep_for(left < pause ? left : pause);
      pause =
          pause * 2 > std::chrono::milliseconds(100) ? std::chrono::milliseconds(100) : pause * 2;
    }
  }

 private:
  result<void> check() const {
    if (!connection_)
      return fail(errc::invalid_argument, "redis_store: used after it was moved from");
    if (empty_key_)
      return fail(errc::invalid_argument, "redis_store was given an empty key: name the session");
    return {};
  }

  unexpected<error> corrupt(const std::string& what) const {
    return fail(errc::store_corrupt, "redis_store: the value at key '" + key_ + "' on " +
                                         connection_->where() + " " + what +
                                         ". Delete it (or save a new login over it)");
  }

  /// Maps the script's 1 / 0 / -1 to success / store_conflict / store_corrupt.
  result<void> outcome(std::string_view op, const redisReply* reply) const {
    if (reply->type != REDIS_REPLY_INTEGER)
      return fail(errc::store_failed, "redis_store: " + std::string(op) + " on " +
                                          connection_->where() +
                                          " got an answer of an unexpected shape");
    if (reply->integer == 1) return {};
    if (reply->integer == 0)
      return fail(errc::store_conflict,
                  "redis_store: the session at key '" + key_ +
                      "' changed since it was read (another process rotated or erased it): "
                      "load it again");
    return corrupt("is not a profile-auth session (a foreign value)");
  }

  result<void> write(std::string_view op, const secret* expected, const stored_session& s) {
    if (auto c = check(); !c) return c;
    auto text = serialize_session(s);
    if (!text) return unexpected(std::move(text).error());
    const std::string expected_hash = expected ? detail::redis_refresh_hash(*expected) : "";
    const std::string rt = detail::redis_refresh_hash(s.refresh_token);
    result<void> out;
    {
      const std::lock_guard<std::mutex> lock(connection_->mutex());
      auto r = connection_->command(
          op, {"EVAL", detail::redis_session_script, "1", key_, op, expected_hash, *text, rt},
          true);
      out = r ? outcome(op, r->get()) : result<void>(unexpected(std::move(r).error()));
    }
    detail::secure_wipe(*text);
    return out;
  }

  static void release(std::intptr_t handle) noexcept {
    std::unique_ptr<detail::redis_lease_record> record(
        reinterpret_cast<detail::redis_lease_record*>(handle));
    // Best effort: when this fails the lease expires after lease_ttl.
    const std::lock_guard<std::mutex> lock(record->connection->mutex());
    (void)record->connection->command(
        "release the refresh lease",
        {"EVAL", detail::redis_lease_script, "1", record->lease_key, "release", record->fencing},
        false);
  }

  std::string key_;
  bool empty_key_;
  std::unique_ptr<detail::redis_connection> connection_;
};

static_assert(TokenStore<redis_store>);
static_assert(detail::store_leases_refreshes<redis_store>);

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_STORES_REDIS_HPP
