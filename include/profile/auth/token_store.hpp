// SPDX-License-Identifier: MIT
// profile-auth: the TokenStore named requirement, the stored session and its JSON form.
#ifndef PROFILE_AUTH_TOKEN_STORE_HPP
#define PROFILE_AUTH_TOKEN_STORE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>

#include <chrono>       // system_clock wall-clock expiry
#include <concepts>     // std::same_as in the concept
#include <cstddef>      // std::size_t limits
#include <cstdint>      // std::int64_t epoch seconds, std::intptr_t lease handles
#include <optional>     // optional expiry, load() result
#include <string>       // scope, token_type, serialized text
#include <string_view>  // deserializer input
#include <utility>      // std::move, std::exchange

#if PROFILE_AUTH_DEFINITIONS
#include <profile/auth/detail/json.hpp>         // deserialize_session's reader
#include <profile/auth/detail/json_text.hpp>    // UTF-8 checks before serializing
#include <profile/auth/detail/json_writer.hpp>  // serialize_session's writer

#include <initializer_list>  // the fields checked for UTF-8
#endif

namespace profile::auth::inline v0 {

/// What a TokenStore keeps between runs: the tokens of one logged-in user. Serialized by
/// serialize_session (see docs/sessions.md for the format, field by field).
struct stored_session {
  /// The format version serialize_session writes and deserialize_session accepts.
  static constexpr int current_version = 1;
  secret refresh_token;  ///< may be empty (the server issued none)
  secret access_token;   ///< may be empty
  /// When the access token expires, on the wall clock (stored with seconds precision).
  std::optional<std::chrono::system_clock::time_point> access_expires_at;
  /// The granted scopes, space-separated.
  std::string scope;
  /// The access token's type.
  std::string token_type = "Bearer";

  /// Field-by-field equality; the tokens are compared in constant time.
  friend bool operator==(const stored_session&, const stored_session&) = default;
};

namespace detail {
/// The `format` member that marks a profile-auth session document.
inline constexpr std::string_view session_format_name = "profile-auth.session";
/// Largest accepted expiry: 9999-12-31T23:59:59Z, or less where system_clock cannot hold it
/// (a nanosecond system_clock ends in 2262).
inline constexpr std::int64_t session_max_epoch_seconds = [] {
  constexpr std::int64_t year_9999 = 253402300799;
  constexpr auto clock_max = static_cast<std::int64_t>(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count());
  return clock_max < year_9999 ? clock_max : year_9999;
}();
/// Largest accepted serialized session; a real one is a few kilobytes.
inline constexpr std::size_t session_max_size = 1 << 20;

}  // namespace detail

/// The documented JSON form of `s` (compact, members in a fixed order), for example
/// `{"format":"profile-auth.session","version":1,"refresh_token":"…","access_token":"…",
/// "access_expires_at":1767225600,"scope":"read","token_type":"Bearer"}`;
/// `access_expires_at` is Unix seconds (floored) or `null`. The result holds the tokens: wipe it
/// with detail::secure_wipe when done. errc::invalid_argument when a field is not valid UTF-8
/// (it could not be stored losslessly) or the expiry lies before 1970 (or past the year 9999).
[[nodiscard]] result<std::string> serialize_session(const stored_session& s);

/// Parses the JSON form written by serialize_session. Members the reader does not know are
/// ignored. errc::store_corrupt, with a message that names the problem (never the tokens),
/// when the text is not JSON, not an object, lacks `"format":"profile-auth.session"`, has a
/// `version` other than stored_session::current_version, or lacks or mistypes a field.
[[nodiscard]] result<stored_session> deserialize_session(std::string_view text);

// ---------------------------------------------------------------------------------------------
namespace detail {
template <class S>
concept store_loads = requires(S& s) {
  { s.load() } -> std::same_as<result<std::optional<stored_session>>>;
};
template <class S>
concept store_saves = requires(S& s, const stored_session& v) {
  { s.save(v) } -> std::same_as<result<void>>;
};
template <class S>
concept store_compares_and_swaps = requires(S& s, const secret& expected, const stored_session& v) {
  { s.compare_and_swap(expected, v) } -> std::same_as<result<void>>;
};
template <class S>
concept store_erases = requires(S& s, const secret& expected) {
  { s.erase() } -> std::same_as<result<void>>;
  { s.erase_if(expected) } -> std::same_as<result<void>>;
};
}  // namespace detail

/// A held refresh lease of a TokenStore (the optional `s.lock_refresh()`, see TokenStore):
/// while one session holds it, no other session sharing the store starts a refresh. Releases
/// on destruction or when assigned over; movable, not copyable. A default-constructed lease
/// holds nothing.
class store_lease {
 public:
  /// Releases the lease that `handle` identifies.
  using release_fn = void (*)(std::intptr_t handle) noexcept;

  store_lease() noexcept = default;
  /// A held lease that `release(handle)` releases.
  store_lease(release_fn release, std::intptr_t handle) noexcept
      : release_(release), handle_(handle) {}
  ///@{
  /// Takes the lease of `o` (releasing the one held before, on assignment); `o` holds nothing
  /// afterwards.
  store_lease(store_lease&& o) noexcept : release_(o.release_), handle_(o.handle_) {
    o.release_ = nullptr;
  }
  store_lease& operator=(store_lease&& o) noexcept {
    if (this != &o) {
      reset();
      release_ = o.release_;
      ///@}
      handle_ = o.handle_;
      o.release_ = nullptr;
    }
    return *this;
  }
  store_lease(const store_lease&) = delete;
  store_lease& operator=(const store_lease&) = delete;
  ~store_lease() { reset(); }

  /// Releases the lease now (nothing when none is held).
  void reset() noexcept {
    if (release_ != nullptr) std::exchange(release_, nullptr)(handle_);
  }
  /// True while a lease is held.
  [[nodiscard]] bool held() const noexcept { return release_ != nullptr; }

 private:
  release_fn release_ = nullptr;
  std::intptr_t handle_ = 0;
};

namespace detail {
/// The optional refresh lease of a TokenStore (see TokenStore).
template <class S>
concept store_leases_refreshes = requires(S& s) {
  { s.lock_refresh() } -> std::same_as<result<store_lease>>;
};
}  // namespace detail

/// TokenStore: where a user's session lives between runs, shared safely by several writers.
///
/// | expression                  | result                                   | meaning          |
/// |-----------------------------|------------------------------------------|------------------|
/// | `s.load()`                  | `result<std::optional<stored_session>>`  | the session;     |
/// |                             |                                          | nullopt if none  |
/// | `s.save(v)`                 | `result<void>`                           | writes `v`       |
/// |                             |                                          | unconditionally  |
/// |                             |                                          | (a fresh login)  |
/// | `s.compare_and_swap(e, v)`  | `result<void>`                           | writes `v` only  |
/// |                             |                                          | if the stored    |
/// |                             |                                          | refresh token    |
/// |                             |                                          | equals `e`       |
/// | `s.erase()`                 | `result<void>`                           | no session after |
/// | `s.erase_if(e)`             | `result<void>`                           | erases only if   |
/// |                             |                                          | the refresh token|
/// |                             |                                          | still equals `e` |
///
/// Optional: `s.lock_refresh()` → `result<store_lease>` takes the store's refresh lease,
/// waiting while another user of the store holds it. A user_session holds it from the moment
/// it re-reads the store before a refresh until the rotated session is stored, so sessions in
/// different processes never present the same refresh token twice (a server with reuse
/// detection would revoke the whole grant). A lease must not outlive a crash of its holder
/// (file_store: a flock, released by the kernel).
///
/// `e` is a `const secret&`, `v` a `const stored_session&`. Comparisons are constant-time; no
/// stored session counts as an empty refresh token, so an empty `e` matches "nothing stored".
/// A lost comparison is `errc::store_conflict` with nothing written; unreadable data is
/// `errc::store_corrupt`; I/O failures are `errc::store_failed`. Never throws. Each operation
/// is atomic with respect to every other user of the same store (threads or processes).
///
/// Models shipped: memory_store, file_store, redis_store (stores/redis.hpp; all three with the
/// refresh lease).
template <class S>
concept TokenStore = detail::store_loads<S> && detail::store_saves<S> &&
                     detail::store_compares_and_swaps<S> && detail::store_erases<S>;

// --- definitions: compiled here header-only, in the library's source file in compiled mode ---
#if PROFILE_AUTH_DEFINITIONS

namespace detail {

/// Decodes the string member `name` of `obj` into `out`; an error message names the member.
PROFILE_AUTH_INLINE result<void> session_string(const json::value& obj, std::string_view name,
                                                std::string& out) {
  const auto v = obj.find(name);
  if (!v)
    return fail(errc::store_corrupt,
                "the stored session lacks the \"" + std::string(name) + "\" member");
  if (!v->copy_string_to(out))
    return fail(errc::store_corrupt,
                "the stored session's \"" + std::string(name) + "\" member is not a string");
  return {};
}

/// Decodes a token member into a secret without leaving a copy in a heap string.
PROFILE_AUTH_INLINE result<void> session_secret(const json::value& obj, std::string_view name,
                                                secret& out) {
  std::string tmp;
  auto r = session_string(obj, name, tmp);
  if (!r) {
    secure_wipe(tmp);
    return r;
  }
  out = secret(std::move(tmp));  // wipes tmp
  return {};
}

}  // namespace detail

PROFILE_AUTH_INLINE result<std::string> serialize_session(const stored_session& s) {
  std::int64_t expires = 0;
  if (s.access_expires_at) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(*s.access_expires_at);
    expires = static_cast<std::int64_t>(secs.time_since_epoch().count());
    if (expires < 0 || expires > detail::session_max_epoch_seconds)
      return fail(errc::invalid_argument,
                  "stored_session::access_expires_at is before 1970 or past year 9999; pass a "
                  "real expiry time or none");
  }
  for (const std::string_view field : {s.refresh_token.reveal(), s.access_token.reveal(),
                                       std::string_view(s.scope), std::string_view(s.token_type)})
    if (!detail::json::text::is_valid_utf8(field.data(), field.data() + field.size()))
      return fail(errc::invalid_argument,
                  "a stored_session field (token, scope or token_type) is not valid UTF-8 and "
                  "cannot be stored losslessly");
  // Reserve the worst case (every byte escaped as \u00XX) so the buffer never reallocates and
  // leaves an unwiped copy of the tokens behind.
  const std::size_t bound =
      6 * (s.refresh_token.size() + s.access_token.size() + s.scope.size() + s.token_type.size()) +
      256;
  std::string buffer;
  buffer.reserve(bound);
  detail::json::writer w(std::move(buffer));
  w.begin_object();
  w.key("format").string(detail::session_format_name);
  w.key("version").number(stored_session::current_version);
  w.key("refresh_token").string(s.refresh_token.reveal());
  w.key("access_token").string(s.access_token.reveal());
  w.key("access_expires_at");
  if (s.access_expires_at)
    w.number(expires);
  else
    w.null();
  w.key("scope").string(s.scope);
  w.key("token_type").string(s.token_type);
  w.end_object();
  std::string out = w.take();
  return out;
}

PROFILE_AUTH_INLINE result<stored_session> deserialize_session(std::string_view text) {
  detail::json::limits lim;
  lim.max_size = detail::session_max_size;
  lim.max_depth = 4;  // the session is flat; some nesting is allowed in ignored members
  lim.max_string = detail::session_max_size;
  lim.max_values = 1024;
  auto doc = detail::json::parse(text, lim);
  if (!doc)
    return fail(errc::store_corrupt,
                "the stored session is not a profile-auth session (" + doc.error().message + ")");
  const detail::json::value root = doc->root();
  if (!root.is_object())
    return fail(errc::store_corrupt, "the stored session is not a JSON object");
  const auto format = root.find("format");
  if (!format || !format->equals(detail::session_format_name))
    return fail(errc::store_corrupt,
                "the stored data is not a profile-auth session (its \"format\" member is "
                "missing or is not \"profile-auth.session\")");
  const auto version = root.find("version");
  const auto v = version ? version->get_int64() : std::nullopt;
  if (!v)
    return fail(errc::store_corrupt,
                "the stored session's \"version\" member is missing or not an integer");
  if (*v != stored_session::current_version)
    return fail(errc::store_corrupt,
                "the stored session has format version " + std::to_string(*v) +
                    " but this library reads version " +
                    std::to_string(stored_session::current_version) +
                    (*v > stored_session::current_version
                         ? ": it was written by a newer profile-auth; upgrade, or log in again"
                         : ""));
  stored_session s;
  if (auto r = detail::session_secret(root, "refresh_token", s.refresh_token); !r)
    return unexpected(std::move(r).error());
  if (auto r = detail::session_secret(root, "access_token", s.access_token); !r)
    return unexpected(std::move(r).error());
  const auto exp = root.find("access_expires_at");
  if (!exp)
    return fail(errc::store_corrupt, "the stored session lacks the \"access_expires_at\" member");
  if (!exp->is_null()) {
    const auto secs = exp->get_int64();
    if (!secs || *secs < 0 || *secs > detail::session_max_epoch_seconds)
      return fail(errc::store_corrupt,
                  "the stored session's \"access_expires_at\" is not null or whole Unix "
                  "seconds between 1970 and the system clock's limit");
    s.access_expires_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(*secs)));
  }
  if (auto r = detail::session_string(root, "scope", s.scope); !r)
    return unexpected(std::move(r).error());
  if (auto r = detail::session_string(root, "token_type", s.token_type); !r)
    return unexpected(std::move(r).error());
  return s;
}

#endif  // PROFILE_AUTH_DEFINITIONS

}  // namespace profile::auth::inline v0

#endif  // PROFILE_AUTH_TOKEN_STORE_HPP
