// SPDX-License-Identifier: MIT
// profile-auth: file_store, a TokenStore in one 0600 file, written atomically under a file lock.
#ifndef PROFILE_AUTH_STORES_FILE_STORE_HPP
#define PROFILE_AUTH_STORES_FILE_STORE_HPP

#include <profile/auth/config.hpp>
#include <profile/auth/error.hpp>
#include <profile/auth/result.hpp>
#include <profile/auth/secret.hpp>
#include <profile/auth/token_store.hpp>

#include <cstddef>      // std::size_t
#include <optional>     // load() result
#include <string>       // paths, file contents, messages
#include <string_view>  // message pieces
#include <cstdint>      // std::intptr_t: the refresh lease's descriptor
#include <utility>      // std::move, std::exchange

#if defined(__unix__) || defined(__APPLE__)
#define PROFILE_AUTH_DETAIL_FILE_STORE_POSIX 1
#else
#define PROFILE_AUTH_DETAIL_FILE_STORE_POSIX 0
#endif

#if PROFILE_AUTH_DETAIL_FILE_STORE_POSIX
#include <cerrno>      // errno after each system call
#include <cstdio>      // std::rename (atomic replacement), std::snprintf (the mode in messages)
#include <cstring>     // strerror_r for error messages
#include <fcntl.h>     // open flags (O_CREAT|O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_CLOEXEC), fcntl
#include <sys/file.h>  // flock: the advisory lock on <path>.lock
#include <sys/stat.h>  // fstat, lstat, fchmod: file type and permission checks, 0600
#include <unistd.h>    // read, write, fsync, close, unlink
#endif

namespace profile::auth::inline v0 {

/// How a file_store treats the file it is given.
struct file_store_options {
  /// An existing session file that group or others may access is refused (errc::store_failed)
  /// unless this is true, in which case its mode is tightened to 0600 and it is used.
  bool tighten_permissions = false;
};

#if PROFILE_AUTH_DETAIL_FILE_STORE_POSIX

namespace detail {

/// Owns a file descriptor; closing it also releases a flock held through it.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~unique_fd() { reset(); }
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  /// Closes now and reports close()'s result (0 or -1 with errno), for files just written.
  int close() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd < 0 ? 0 : ::close(fd);
  }
  void reset() noexcept { (void)close(); }
  /// Gives the descriptor up without closing it.
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// strerror_r is the GNU (returns char*) or the XSI (returns int) flavour depending on the libc.
inline const char* strerror_pick(const char* r, const char*) noexcept { return r; }
inline const char* strerror_pick(int r, const char* buf) noexcept {
  return r == 0 ? buf : "unknown error";
}
/// The system's text for errno value `e` (thread-safe).
inline std::string errno_text(int e) {
  char buf[256] = {};
  return std::string(strerror_pick(::strerror_r(e, buf, sizeof buf), buf)) + " (errno " +
         std::to_string(e) + ")";
}
/// errc::store_failed: "could not <what> '<path>': <strerror>".
inline error store_io_error(std::string_view what, const std::string& path, int e) {
  return error(errc::store_failed,
               "could not " + std::string(what) + " '" + path + "': " + errno_text(e));
}
/// The directory holding `path` ("." for a bare file name).
inline std::string parent_directory(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
/// fsyncs a directory so a rename or unlink in it survives a crash.
inline result<void> sync_directory(const std::string& dir) {
  unique_fd d(::open(dir.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY));
  if (!d.valid()) return unexpected(store_io_error("open the directory", dir, errno));
  // Some file systems cannot fsync a directory (EINVAL); nothing more can be done there.
  if (::fsync(d.get()) != 0 && errno != EINVAL)
    return unexpected(store_io_error("fsync the directory", dir, errno));
  return {};
}
/// What a file of mode `m` is, for messages ("a FIFO (named pipe)", ...).
inline const char* file_kind(mode_t m) noexcept {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  return "a file of an unknown type";
}
/// errc::store_failed: the `which` file ("session file", "lock file") at `path` is `kind`.
inline error not_regular_error(std::string_view which, const std::string& path, const char* kind) {
  const std::string_view hint = std::string_view(kind) == "a symbolic link"
                                    ? "point file_store at the file itself"
                                    : "remove it, or point file_store at a regular file";
  return error(errc::store_failed, std::string(which) + " '" + path + "' is " + kind +
                                       ", not a regular file: file_store refuses it without "
                                       "reading it; " +
                                       std::string(hint));
}
/// Opens `path` with `flags` | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC (and `mode` for
/// O_CREAT) and requires a regular file: a FIFO, device, socket, directory or symbolic link is
/// refused (errc::store_failed naming what it is) without ever blocking in open() or read()
/// on it. On success O_NONBLOCK is cleared again. On an open() failure of another kind, errno
/// is left in `open_errno` and an invalid fd is returned (the caller words that error).
inline result<unique_fd> open_regular(const std::string& path, int flags, mode_t mode,
                                      std::string_view which, int& open_errno) {
  open_errno = 0;
  // Not even opened when it is already something else (opening a device can have effects);
  // the fstat below covers a file replaced between this lstat and the open.
  struct stat ls {};
  if (::lstat(path.c_str(), &ls) == 0 && !S_ISREG(ls.st_mode))
    return unexpected(not_regular_error(which, path, file_kind(ls.st_mode)));
  unique_fd fd(::open(path.c_str(), flags | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode));
  if (!fd.valid()) {
    const int e = errno;
    // Replaced since the lstat by a symbolic link (ELOOP; EMLINK on FreeBSD) or a socket
    // (ENXIO), open() fails: name what is there.
    if (e != ENOENT && ::lstat(path.c_str(), &ls) == 0 && !S_ISREG(ls.st_mode))
      return unexpected(not_regular_error(which, path, file_kind(ls.st_mode)));
    open_errno = e;
    return unique_fd();
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return unexpected(store_io_error("stat the " + std::string(which), path, errno));
  if (!S_ISREG(st.st_mode))
    return unexpected(not_regular_error(which, path, file_kind(st.st_mode)));
  // A regular file never blocks, but leave the descriptor as a plain blocking one.
  const int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl == -1 || ::fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK) == -1)
    return unexpected(store_io_error("configure the " + std::string(which), path, errno));
  return fd;
}

/// Opens (creating, 0600) `<path>.lock` and takes a shared or exclusive flock on it. The lock
/// file is never deleted: removing it would let two processes lock different inodes. Anything
/// but a regular file at `<path>.lock` is refused (errc::store_failed) without blocking.
inline result<unique_fd> lock_session_file(const std::string& path, bool exclusive) {
  if (path.empty())
    return fail(errc::invalid_argument, "file_store was given an empty path: name a file");
  const std::string lock_path = path + ".lock";
  int e = 0;
  auto opened = open_regular(lock_path, O_RDWR | O_CREAT, 0600, "lock file", e);
  if (!opened) return opened;
  unique_fd fd = std::move(*opened);
  if (!fd.valid()) {
    if (e == ENOENT || e == ENOTDIR)
      return fail(errc::store_failed, "the directory '" + parent_directory(path) +
                                          "' of session file '" + path +
                                          "' does not exist: create it first (file_store "
                                          "does not create directories)");
    return unexpected(store_io_error("open the lock file", lock_path, e));
  }
  while (::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno != EINTR) return unexpected(store_io_error("lock", lock_path, errno));
  }
  return fd;
}

/// Reads and parses the session file; nullopt if it does not exist. Caller holds the lock. A
/// FIFO, device, socket, directory or symbolic link at `path` is errc::store_failed, found
/// without blocking (open_regular).
inline result<std::optional<stored_session>> read_session_file(const std::string& path,
                                                               const file_store_options& opt) {
  int e = 0;
  auto opened = open_regular(path, O_RDONLY, 0, "session file", e);
  if (!opened) return unexpected(std::move(opened).error());
  unique_fd fd = std::move(*opened);
  if (!fd.valid()) {
    if (e == ENOENT) return std::optional<stored_session>();
    return unexpected(store_io_error("open the session file", path, e));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return unexpected(store_io_error("stat the session file", path, errno));
  if ((st.st_mode & 077) != 0) {
    if (!opt.tighten_permissions) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return fail(errc::store_failed,
                  "session file '" + path + "' has mode " + mode +
                      ": it holds tokens and must be accessible by its owner only; run "
                      "chmod 600 on it (its tokens may have been exposed: consider logging out)");
    }
    if (::fchmod(fd.get(), 0600) != 0)
      return unexpected(store_io_error("chmod 600 the session file", path, errno));
  }
  const auto max = detail::session_max_size;
  if (static_cast<unsigned long long>(st.st_size) > max)
    return fail(errc::store_corrupt, "session file '" + path + "' is " +
                                         std::to_string(st.st_size) +
                                         " bytes, too large for a session: delete it and log "
                                         "in again");
  std::string text;
  // One byte more than fstat reported, to notice a file that is still growing.
  text.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  while (got < text.size()) {
    const auto n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      secure_wipe(text);
      return unexpected(store_io_error("read the session file", path, e));
    }
    got += static_cast<std::size_t>(n);
  }
  if (got == text.size()) {  // someone writes to the file without the lock or the rename
    secure_wipe(text);
    return fail(errc::store_failed, "session file '" + path +
                                        "' changed while it was read: something writes to it "
                                        "without profile-auth's lock");
  }
  auto parsed = got == 0 ? result<stored_session>(fail(errc::store_corrupt, "the file is empty"))
                         : deserialize_session(std::string_view(text.data(), got));
  secure_wipe(text);
  if (!parsed)
    return fail(errc::store_corrupt, "session file '" + path +
                                         "' is unusable: " + parsed.error().message +
                                         ". Delete it (or save a new login over it)");
  return std::optional<stored_session>(std::move(*parsed));
}

/// Writes `text` to `<path>.tmp` (O_EXCL, 0600), fsyncs it, renames it over `path` and fsyncs
/// the directory. The temporary file is removed on failure. Caller holds the exclusive lock.
inline result<void> write_session_file(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  // Only a crashed writer leaves a temporary file; no live writer uses it while we hold the lock.
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT)
    return unexpected(store_io_error("remove the stale temporary file", tmp, errno));
  unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return unexpected(store_io_error("create the temporary file", tmp, errno));
  const auto failed = [&](std::string_view what, const std::string& p, int e) {
    fd.reset();
    ::unlink(tmp.c_str());
    return unexpected(store_io_error(what, p, e));
  };
  if (::fchmod(fd.get(), 0600) != 0) return failed("chmod 600", tmp, errno);  // despite umask
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return failed("write the temporary file", tmp, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return failed("fsync the temporary file", tmp, errno);
  if (fd.close() != 0) return failed("close the temporary file", tmp, errno);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return failed("rename the temporary file over", path, errno);
  return sync_directory(parent_directory(path));
}

/// Removes the session file (absent is fine). Caller holds the exclusive lock.
inline result<void> remove_session_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return unexpected(store_io_error("remove the session file", path, errno));
  }
  return sync_directory(parent_directory(path));
}

inline result<void> store_conflict_error(const std::string& path) {
  return fail(errc::store_conflict, "session file '" + path +
                                        "' changed since it was read (another process rotated "
                                        "or erased the session): load it again");
}

}  // namespace detail

/// A TokenStore in one file (POSIX only), shared safely by threads and processes.
///
/// - The session is the JSON of serialize_session (docs/sessions.md). The file has mode 0600;
///   an existing file that group or others can access is refused (errc::store_failed) unless
///   file_store_options::tighten_permissions is set. A symbolic link, FIFO, device, socket or
///   directory at the path (or at `<path>.lock`) is refused with errc::store_failed before
///   anything is read from it, and never blocks (O_NONBLOCK | O_NOFOLLOW, then fstat). save()
///   renames a new file over whatever is at the path: a symbolic link is replaced, its target
///   is never written.
/// - Every write goes to `<path>.tmp` (O_CREAT|O_EXCL, 0600), is fsynced, renamed over the
///   file and the directory is fsynced: readers see the old or the new session, never half.
/// - Every operation holds flock() on `<path>.lock` (created 0600, never deleted): shared for
///   load, exclusive for the others, so compare_and_swap is atomic across processes. flock is
///   advisory and may not work across machines on network file systems.
/// - The directory must exist. I/O failures are errc::store_failed (path and system message);
///   an unreadable file is errc::store_corrupt; no message ever contains a token.
class file_store {
 public:
  /// A store for the session file at `path` (nothing is touched until the first operation).
  explicit file_store(std::string path, file_store_options options = {})
      : path_(std::move(path)), options_(options) {}

  /// The session file's path.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  /// The stored session, or nullopt if the file does not exist. errc::store_corrupt,
  /// errc::store_failed, errc::invalid_argument (empty path).
  [[nodiscard]] result<std::optional<stored_session>> load() const {
    auto lock = detail::lock_session_file(path_, false);
    if (!lock) return unexpected(std::move(lock).error());
    return detail::read_session_file(path_, options_);
  }
  /// Replaces the file with `s` whatever it held (even a corrupt file). errc::store_failed,
  /// errc::invalid_argument (a field that is not UTF-8, an empty path).
  [[nodiscard]] result<void> save(const stored_session& s) {
    auto lock = detail::lock_session_file(path_, true);
    if (!lock) return unexpected(std::move(lock).error());
    return write(s);
  }
  /// Writes `s` if the stored refresh token equals `expected` (no file counts as an empty
  /// token); otherwise errc::store_conflict and nothing is written. A corrupt file is
  /// errc::store_corrupt (save() overwrites it).
  [[nodiscard]] result<void> compare_and_swap(const secret& expected, const stored_session& s) {
    auto lock = detail::lock_session_file(path_, true);
    if (!lock) return unexpected(std::move(lock).error());
    auto current = detail::read_session_file(path_, options_);
    if (!current) return unexpected(std::move(current).error());
    if (!matches(*current, expected)) return detail::store_conflict_error(path_);
    return write(s);
  }
  /// Removes the session file (no file is fine); the lock file stays.
  [[nodiscard]] result<void> erase() {
    auto lock = detail::lock_session_file(path_, true);
    if (!lock) return unexpected(std::move(lock).error());
    return detail::remove_session_file(path_);
  }
  /// Removes the session file if its refresh token still equals `expected`; otherwise
  /// errc::store_conflict. A corrupt file is errc::store_corrupt (erase() removes it).
  [[nodiscard]] result<void> erase_if(const secret& expected) {
    auto lock = detail::lock_session_file(path_, true);
    if (!lock) return unexpected(std::move(lock).error());
    auto current = detail::read_session_file(path_, options_);
    if (!current) return unexpected(std::move(current).error());
    if (!matches(*current, expected)) return detail::store_conflict_error(path_);
    return detail::remove_session_file(path_);
  }
  /// Takes the refresh lease (see TokenStore): an exclusive flock on `<path>.refresh.lock`
  /// (created 0600, never deleted), waiting while another process or session holds it. The
  /// kernel releases it when the holder dies. errc::store_failed when it cannot be taken.
  [[nodiscard]] result<store_lease> lock_refresh() {
    if (path_.empty())  // checked here: "" + ".refresh" would name a file in the working dir
      return fail(errc::invalid_argument, "file_store was given an empty path: name a file");
    auto lock = detail::lock_session_file(path_ + ".refresh", true);
    if (!lock) return unexpected(std::move(lock).error());
    const int fd = lock->get();
    (void)lock->release();
    return store_lease([](std::intptr_t h) noexcept { (void)::close(static_cast<int>(h)); }, fd);
  }

 private:
  static bool matches(const std::optional<stored_session>& current,
                      const secret& expected) noexcept {
    return current ? current->refresh_token == expected : expected.empty();
  }
  result<void> write(const stored_session& s) {
    auto text = serialize_session(s);
    if (!text) return unexpected(std::move(text).error());
    auto r = detail::write_session_file(path_, *text);
    detail::secure_wipe(*text);
    return r;
  }

  std::string path_;
  file_store_options options_;
};

static_assert(TokenStore<file_store>);

#else  // not POSIX

namespace detail {
template <bool Dependent>
struct file_store_unavailable {
  static_assert(Dependent,
                "profile::auth::file_store needs POSIX (open, flock, rename, fsync) and is not "
                "provided on this platform (Windows): implement the TokenStore concept over "
                "your platform's storage (e.g. DPAPI or the Credential Manager) instead");
  explicit file_store_unavailable(std::string, file_store_options = {}) {}
};
}  // namespace detail
/// Not provided on this platform: using it fails to compile with an explanation.
using file_store = detail::file_store_unavailable<false>;

#endif

}  // namespace profile::auth::inline v0

#undef PROFILE_AUTH_DETAIL_FILE_STORE_POSIX

#endif  // PROFILE_AUTH_STORES_FILE_STORE_HPP
