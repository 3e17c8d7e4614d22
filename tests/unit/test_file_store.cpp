// SPDX-License-Identifier: MIT
// profile-auth tests: file_store (permissions, atomic writes, CAS, corruption, errors).
#include <profile/auth/stores/file_store.hpp>

#include <doctest/doctest.h>

#include <chrono>       // expiry
#include <cstdio>       // std::fopen for writing raw files
#include <cstdlib>      // mkdtemp
#include <string>       // paths
#include <string_view>  // raw contents
#include <vector>       // directory listings

#include <dirent.h>    // opendir/readdir: what the store left in the directory
#include <sys/stat.h>  // stat, chmod, mkdir
#include <unistd.h>    // rmdir, unlink, symlink

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
