// SPDX-License-Identifier: MIT
// profile-auth tests: file_store (permissions, atomic writes, CAS, corruption, errors).
#include <profile/auth/stores/file_store.hpp>

#include <doctest/doctest.h>

#include <atomic>       // the lease test's flag
#include <chrono>       // expiry
#include <cstdio>       // std::fopen for writing raw files
#include <cstdlib>      // mkdtemp
#include <cstring>      // std::memcpy of a socket path
#include <future>       // the timeout guard
#include <memory>       // std::shared_ptr: what a guarded thread shares with the test
#include <optional>     // results carried out of a guarded thread
#include <string>       // paths
#include <string_view>  // raw contents
#include <thread>       // the timeout guard
#include <utility>      // std::move
#include <vector>       // directory listings

#include <dirent.h>      // opendir/readdir: what the store left in the directory
#include <fcntl.h>       // open: unjamming a reader stuck on a FIFO
#include <sys/socket.h>  // a socket bound at the session path
#include <sys/stat.h>    // stat, chmod, mkdir, mkfifo, mknod
#include <sys/un.h>      // sockaddr_un
#include <unistd.h>      // rmdir, unlink, symlink
#if defined(__linux__)
#include <sys/sysmacros.h>  // makedev (elsewhere in sys/types.h)
#endif

namespace pa = profile::auth;
using namespace std::chrono_literals;

namespace {

/// A fresh directory under /tmp, removed (with its files) at the end of the test.
struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/profile-auth-store-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path = p;
  }
  ~temp_dir() {
    for (const auto& f : list()) {
      const std::string full = path + "/" + f;
      if (::unlink(full.c_str()) != 0) ::rmdir(full.c_str());
    }
    ::rmdir(path.c_str());
  }
  [[nodiscard]] std::vector<std::string> list() const {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(path.c_str())) {
      while (const dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      ::closedir(d);
    }
    return names;
  }
  [[nodiscard]] std::string file(std::string_view name) const {
    return path + "/" + std::string(name);
  }
};

void write_raw(const std::string& path, std::string_view bytes, mode_t mode = 0600) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  REQUIRE(std::fclose(f) == 0);
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

bool has_temp_file(const temp_dir& d) {
  for (const auto& n : d.list())
    if (n.find(".tmp") != std::string::npos) return true;
  return false;
}

pa::stored_session session(std::string_view rt) {
  pa::stored_session s;
  s.refresh_token = pa::secret(rt);
  s.access_token = pa::secret("access-secret");
  s.access_expires_at = std::chrono::system_clock::time_point(1767225600s);
  s.scope = "read write";
  return s;
}

}  // namespace

TEST_CASE("file_store: missing file is no session; save creates a 0600 file and a 0600 lock") {
  temp_dir d;
  pa::file_store store(d.file("session.json"));
  auto none = store.load();
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());

  const mode_t old_umask = ::umask(0);  // the store must not depend on the umask
  const auto saved = store.save(session("rt-1"));
  ::umask(old_umask);
  REQUIRE(saved.has_value());
  CHECK(mode_of(d.file("session.json")) == 0600);
  CHECK(mode_of(d.file("session.json.lock")) == 0600);
  CHECK_FALSE(has_temp_file(d));

  auto got = store.load();
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == session("rt-1"));
  CHECK(store.path() == d.file("session.json"));
}

TEST_CASE("file_store: the file holds exactly serialize_session's bytes") {
  temp_dir d;
  pa::file_store store(d.file("s"));
  REQUIRE(store.save(session("rt-1")).has_value());
  std::FILE* f = std::fopen(d.file("s").c_str(), "rb");
  REQUIRE(f != nullptr);
  std::string bytes(4096, '\0');
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
  std::fclose(f);
  CHECK(bytes == pa::serialize_session(session("rt-1")).value());
}

TEST_CASE("file_store: compare_and_swap and erase_if") {
  temp_dir d;
  pa::file_store store(d.file("s"));
  CHECK(store.compare_and_swap(pa::secret("rt-0"), session("rt-1")).error().code ==
        pa::errc::store_conflict);
  CHECK_FALSE(store.load()->has_value());
  REQUIRE(store.compare_and_swap(pa::secret(), session("rt-1")).has_value());
  REQUIRE(store.compare_and_swap(pa::secret("rt-1"), session("rt-2")).has_value());
  auto stale = store.compare_and_swap(pa::secret("rt-1"), session("rt-3"));
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == pa::errc::store_conflict);
  CHECK(stale.error().message.find("rt-") == std::string::npos);
  CHECK(store.load()->value().refresh_token.reveal() == "rt-2");

  CHECK(store.erase_if(pa::secret("rt-1")).error().code == pa::errc::store_conflict);
  CHECK(store.load()->has_value());
  REQUIRE(store.erase_if(pa::secret("rt-2")).has_value());
  CHECK_FALSE(store.load()->has_value());
  REQUIRE(store.erase().has_value());  // erasing nothing is fine
  CHECK_FALSE(has_temp_file(d));
}

TEST_CASE("file_store: two stores on one path see each other's writes") {
  temp_dir d;
  pa::file_store a(d.file("s")), b(d.file("s"));
  REQUIRE(a.save(session("rt-a")).has_value());
  REQUIRE(b.compare_and_swap(pa::secret("rt-a"), session("rt-b")).has_value());
  CHECK(a.compare_and_swap(pa::secret("rt-a"), session("rt-c")).error().code ==
        pa::errc::store_conflict);
  REQUIRE(a.erase().has_value());
  CHECK_FALSE(b.load()->has_value());
}

TEST_CASE("file_store: corrupt, truncated, foreign and future files are store_corrupt") {
  temp_dir d;
  const std::string full = pa::serialize_session(session("SECRET-RT")).value();
  const std::string cases[] = {
      "",
      std::string("\0\1\2 binary", 10),
      full.substr(0, full.size() / 2),
      R"({"format":"someone-else","version":1})",
      R"({"format":"profile-auth.session","version":99,"refresh_token":"SECRET-RT"})",
  };
  for (const auto& c : cases) {
    write_raw(d.file("s"), c);
    pa::file_store store(d.file("s"));
    auto r = store.load();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::store_corrupt);
    CHECK(r.error().message.find(d.file("s")) != std::string::npos);
    CHECK(r.error().message.find("SECRET") == std::string::npos);
    // CAS and erase_if refuse to guess; save and erase recover.
    CHECK(store.compare_and_swap(pa::secret(), session("x")).error().code ==
          pa::errc::store_corrupt);
    CHECK(store.erase_if(pa::secret()).error().code == pa::errc::store_corrupt);
  }
  pa::file_store store(d.file("s"));
  REQUIRE(store.save(session("rt-new")).has_value());
  CHECK(store.load()->value().refresh_token.reveal() == "rt-new");

  std::string huge(pa::detail::session_max_size + 10, ' ');
  write_raw(d.file("big"), huge);
  auto big = pa::file_store(d.file("big")).load();
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == pa::errc::store_corrupt);
}

TEST_CASE("file_store: a file others can read is refused, or tightened when asked") {
  temp_dir d;
  write_raw(d.file("s"), pa::serialize_session(session("rt-1")).value(), 0644);
  pa::file_store strict(d.file("s"));
  auto r = strict.load();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == pa::errc::store_failed);
  CHECK(r.error().message.find("0644") != std::string::npos);
  CHECK(strict.compare_and_swap(pa::secret("rt-1"), session("rt-2")).error().code ==
        pa::errc::store_failed);
  CHECK(mode_of(d.file("s")) == 0644);  // refused, untouched

  pa::file_store_options opt;
  opt.tighten_permissions = true;
  pa::file_store lenient(d.file("s"), opt);
  auto ok = lenient.load();
  REQUIRE(ok.has_value());
  CHECK(ok->value().refresh_token.reveal() == "rt-1");
  CHECK(mode_of(d.file("s")) == 0600);

  // save() replaces the file with a fresh 0600 one either way.
  ::chmod(d.file("s").c_str(), 0640);
  REQUIRE(strict.save(session("rt-3")).has_value());
  CHECK(mode_of(d.file("s")) == 0600);
}

TEST_CASE("file_store: I/O failures are store_failed with the path; no temp file remains") {
  temp_dir d;
  SUBCASE("missing directory") {
    pa::file_store store(d.file("nope/s"));
    auto r = store.save(session("rt"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::store_failed);
    CHECK(r.error().message.find("does not exist") != std::string::npos);
    CHECK(r.error().message.find(d.file("nope")) != std::string::npos);
    CHECK(store.load().error().code == pa::errc::store_failed);
  }
  SUBCASE("target is a directory: the rename fails after the temp file was written") {
    REQUIRE(::mkdir(d.file("s").c_str(), 0700) == 0);
    REQUIRE(::mkdir(d.file("s/child").c_str(), 0700) == 0);
    pa::file_store store(d.file("s"));
    auto r = store.save(session("rt"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::store_failed);
    CHECK(r.error().message.find("rename") != std::string::npos);
    CHECK(r.error().message.find(d.file("s")) != std::string::npos);
    CHECK_FALSE(has_temp_file(d));
    CHECK(store.load().error().code == pa::errc::store_failed);  // not a regular file
    ::rmdir(d.file("s/child").c_str());
  }
  SUBCASE("a stale temp file from a crashed writer is replaced") {
    write_raw(d.file("s.tmp"), "half a session");
    pa::file_store store(d.file("s"));
    REQUIRE(store.save(session("rt")).has_value());
    CHECK_FALSE(has_temp_file(d));
  }
  SUBCASE("symbolic links are refused") {
    write_raw(d.file("real"), pa::serialize_session(session("rt")).value());
    REQUIRE(::symlink(d.file("real").c_str(), d.file("s").c_str()) == 0);
    auto r = pa::file_store(d.file("s")).load();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == pa::errc::store_failed);
    CHECK(r.error().message.find("symbolic link") != std::string::npos);
  }
  SUBCASE("invalid session is refused before anything is written") {
    pa::file_store store(d.file("s"));
    pa::stored_session bad;
    bad.scope = "\xFF";
    CHECK(store.save(bad).error().code == pa::errc::invalid_argument);
    CHECK_FALSE(has_temp_file(d));
    CHECK_FALSE(store.load()->has_value());
  }
  SUBCASE("empty path") {
    pa::file_store store("");
    CHECK(store.load().error().code == pa::errc::invalid_argument);
  }
}

// ---- issue 13 item 9: FIFOs, devices, sockets and links at the path never block ----

namespace {

/// Runs `op` on its own thread and reports whether it finished within 5 s. A regression that
/// blocks in open() or read() on the FIFO `fifo` (or waits for a lock held by such a reader) is
/// then unjammed (a writer opens the FIFO and closes it, repeatedly) so that the test fails
/// instead of hanging; if even that does not help within 5 s more, the thread is detached (it
/// owns copies of everything it uses) and the test fails.
template <class F>
bool finishes_promptly(F op, const std::string& fifo = {}) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread worker([op = std::move(op), done]() mutable {
    op();
    done->set_value();
  });
  if (finished.wait_for(5s) == std::future_status::ready) {
    worker.join();
    return true;
  }
  for (int i = 0; i < 50 && finished.wait_for(100ms) != std::future_status::ready; ++i) {
    if (fifo.empty()) continue;
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }
  if (finished.wait_for(0s) == std::future_status::ready)
    worker.join();
  else
    worker.detach();
  return false;
}

/// load() on its own thread (see finishes_promptly); nullopt if it did not return in time.
std::optional<pa::result<std::optional<pa::stored_session>>> guarded_load(
    const std::string& path, const std::string& fifo = {}) {
  auto out = std::make_shared<std::optional<pa::result<std::optional<pa::stored_session>>>>();
  const bool ok =
      finishes_promptly([path, out] { out->emplace(pa::file_store(path).load()); }, fifo);
  if (!ok) return std::nullopt;
  return std::move(*out);
}

/// A write operation on its own thread (see finishes_promptly); nullopt if it did not return.
template <class Op>
std::optional<pa::result<void>> guarded_write(Op op, const std::string& fifo = {}) {
  auto out = std::make_shared<std::optional<pa::result<void>>>();
  const bool ok =
      finishes_promptly([op = std::move(op), out]() mutable { out->emplace(op()); }, fifo);
  if (!ok) return std::nullopt;
  return std::move(*out);
}

// (These tests build without exceptions, where a failed REQUIRE does not end the test: each
// one that guards a dereference is followed by an explicit return.)

void check_refused(const std::optional<pa::result<std::optional<pa::stored_session>>>& r,
                   std::string_view kind) {
  REQUIRE_MESSAGE(r.has_value(), "load() blocked");
  if (!r) return;
  REQUIRE_FALSE(r->has_value());
  if (r->has_value()) return;
  CHECK(r->error().code == pa::errc::store_failed);
  INFO(r->error().message);
  CHECK(r->error().message.find(kind) != std::string::npos);
  CHECK(r->error().message.find("not a regular file") != std::string::npos);
}

/// An AF_UNIX socket bound at `path` (closed at the end of the test; the file stays).
struct bound_socket {
  int fd = -1;
  explicit bound_socket(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~bound_socket() {
    if (fd >= 0) ::close(fd);
  }
  bound_socket(const bound_socket&) = delete;
  bound_socket& operator=(const bound_socket&) = delete;
};

}  // namespace

TEST_CASE("file_store: a FIFO at the session path is refused at once, and save replaces it") {
  temp_dir d;
  const std::string path = d.file("s");
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  check_refused(guarded_load(path, path), "FIFO");
  const auto cas = guarded_write(
      [path] { return pa::file_store(path).compare_and_swap(pa::secret(), session("rt-1")); },
      path);
  REQUIRE_MESSAGE(cas.has_value(), "compare_and_swap() blocked");
  if (!cas) return;
  CHECK_FALSE(cas->has_value());
  if (!cas->has_value()) CHECK(cas->error().code == pa::errc::store_failed);
  const auto erase_if =
      guarded_write([path] { return pa::file_store(path).erase_if(pa::secret()); }, path);
  REQUIRE_MESSAGE(erase_if.has_value(), "erase_if() blocked");
  if (!erase_if) return;
  CHECK_FALSE(erase_if->has_value());
  if (!erase_if->has_value()) CHECK(erase_if->error().code == pa::errc::store_failed);
  // save() never reads the path: it renames a new regular file over the FIFO.
  const auto saved =
      guarded_write([path] { return pa::file_store(path).save(session("rt-2")); }, path);
  REQUIRE_MESSAGE(saved.has_value(), "save() blocked");
  if (!saved) return;
  CHECK(saved->has_value());
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  auto loaded = pa::file_store(path).load();
  REQUIRE(loaded.has_value());
  if (!loaded) return;
  REQUIRE(loaded->has_value());
  if (!loaded->has_value()) return;
  CHECK((*loaded)->refresh_token == pa::secret("rt-2"));
}

TEST_CASE("file_store: a load() of a FIFO does not hold up another store's save()") {
  // Before the fix load() sat in open() holding the shared lock, and every save() waited for
  // the exclusive one. Threads take flock like processes (one open file description each).
  temp_dir d;
  const std::string path = d.file("s");
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  auto load_result =
      std::make_shared<std::optional<pa::result<std::optional<pa::stored_session>>>>();
  auto save_result = std::make_shared<std::optional<pa::result<void>>>();
  const bool both = finishes_promptly(
      [path, load_result, save_result] {
        std::thread loader([&] { load_result->emplace(pa::file_store(path).load()); });
        std::this_thread::sleep_for(50ms);  // let the load take the lock first
        save_result->emplace(pa::file_store(path).save(session("rt")));
        loader.join();
      },
      path);
  REQUIRE_MESSAGE(both, "load() or save() blocked");
  if (!both) return;
  REQUIRE(load_result->has_value());
  REQUIRE(save_result->has_value());
  if (!load_result->has_value() || !save_result->has_value()) return;
  CHECK((*save_result)->has_value());
  // The load ran first and refused the FIFO, or (slow start) ran after the save and read it.
  if ((*load_result)->has_value())
    CHECK((**load_result)->has_value());
  else
    CHECK((*load_result)->error().code == pa::errc::store_failed);
}

TEST_CASE("file_store: symbolic links to a session or to a device are refused; save cuts them") {
  temp_dir d;
  const std::string path = d.file("s");
  write_raw(d.file("real"), pa::serialize_session(session("rt-old")).value());
  SUBCASE("a link to a valid session file") {
    REQUIRE(::symlink(d.file("real").c_str(), path.c_str()) == 0);
    check_refused(guarded_load(path), "symbolic link");
    // save() replaces the link itself with a regular file; the target is never written.
    REQUIRE(pa::file_store(path).save(session("rt-new")).has_value());
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    const auto now = pa::file_store(path).load();
    const auto target = pa::file_store(d.file("real")).load();
    REQUIRE((now && *now && target && *target));
    if (!(now && *now && target && *target)) return;
    CHECK((*now)->refresh_token == pa::secret("rt-new"));
    CHECK((*target)->refresh_token == pa::secret("rt-old"));
  }
  SUBCASE("erase removes the link, not its target") {
    REQUIRE(::symlink(d.file("real").c_str(), path.c_str()) == 0);
    CHECK(pa::file_store(path).erase().has_value());
    struct stat st {};
    CHECK(::lstat(path.c_str(), &st) != 0);
    const auto target = pa::file_store(d.file("real")).load();
    REQUIRE((target && *target));
    if (!(target && *target)) return;
    CHECK((*target)->refresh_token == pa::secret("rt-old"));
  }
  SUBCASE("a link to /dev/null (a character device)") {
    REQUIRE(::symlink("/dev/null", path.c_str()) == 0);
    check_refused(guarded_load(path), "symbolic link");
  }
  SUBCASE("a link to a FIFO") {
    REQUIRE(::mkfifo(d.file("pipe").c_str(), 0600) == 0);
    REQUIRE(::symlink(d.file("pipe").c_str(), path.c_str()) == 0);
    check_refused(guarded_load(path, d.file("pipe")), "symbolic link");
  }
  SUBCASE("a dangling link") {
    REQUIRE(::symlink(d.file("nowhere").c_str(), path.c_str()) == 0);
    check_refused(guarded_load(path), "symbolic link");
  }
}

TEST_CASE("file_store: a socket or a device at the session path is refused") {
  temp_dir d;
  const std::string path = d.file("s");
  SUBCASE("a bound AF_UNIX socket") {
    bound_socket sock(path);
    check_refused(guarded_load(path), "socket");
    REQUIRE(pa::file_store(path).save(session("rt")).has_value());  // replaced by the rename
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
  }
  SUBCASE("a directory") {
    REQUIRE(::mkdir(path.c_str(), 0700) == 0);
    check_refused(guarded_load(path), "directory");
  }
  SUBCASE("a character device (only where mknod is allowed)") {
    if (::mknod(path.c_str(), S_IFCHR | 0600, makedev(1, 3)) != 0) {  // /dev/null's numbers
      MESSAGE("mknod not permitted here: the device case is covered through a symbolic link");
      return;
    }
    check_refused(guarded_load(path), "character device");
  }
}

TEST_CASE("file_store: a FIFO, link or socket at the lock path is refused without blocking") {
  temp_dir d;
  const std::string path = d.file("s");
  const std::string lock = path + ".lock";
  SUBCASE("FIFO") { REQUIRE(::mkfifo(lock.c_str(), 0600) == 0); }
  SUBCASE("symbolic link") {
    write_raw(d.file("elsewhere"), "");
    REQUIRE(::symlink(d.file("elsewhere").c_str(), lock.c_str()) == 0);
  }
  SUBCASE("socket") {
    bound_socket sock(lock);
    auto r = guarded_load(path);
    REQUIRE(r.has_value());
    if (!r) return;
    REQUIRE_FALSE(r->has_value());
    if (r->has_value()) return;
    CHECK(r->error().message.find("lock file") != std::string::npos);
    CHECK(r->error().message.find("socket") != std::string::npos);
    return;
  }
  auto r = guarded_load(path, lock);
  REQUIRE_MESSAGE(r.has_value(), "load() blocked");
  if (!r) return;
  REQUIRE_FALSE(r->has_value());
  if (r->has_value()) return;
  CHECK(r->error().code == pa::errc::store_failed);
  CHECK(r->error().message.find("lock file") != std::string::npos);
  const auto saved =
      guarded_write([path] { return pa::file_store(path).save(session("rt")); }, lock);
  REQUIRE_MESSAGE(saved.has_value(), "save() blocked");
  if (!saved) return;
  REQUIRE_FALSE(saved->has_value());
  if (saved->has_value()) return;
  CHECK(saved->error().code == pa::errc::store_failed);
  struct stat st {};
  CHECK(::lstat(path.c_str(), &st) != 0);  // nothing was written
}

TEST_CASE("file_store: the refresh lease excludes a second holder until it is released") {
  temp_dir d;
  pa::file_store a(d.file("session.json"));
  pa::file_store b(d.file("session.json"));  // as another process would open it
  auto lease = a.lock_refresh();
  REQUIRE(lease.has_value());
  CHECK(lease->held());
  std::atomic<bool> second{false};
  std::thread t([&] {
    auto other = b.lock_refresh();  // a separate open file description: flock excludes it
    second.store(other.has_value() && other->held());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(second.load());
  // The lease does not block the data operations a refresh makes under it.
  CHECK(a.load().has_value());
  CHECK(a.save(session("rt")).has_value());
  lease->reset();
  t.join();
  CHECK(second.load());
  struct stat st {};
  REQUIRE(::stat(d.file("session.json.refresh.lock").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(pa::file_store("").lock_refresh().error().code == pa::errc::invalid_argument);
}
