// SPDX-License-Identifier: MIT
// profile-auth benchmarks: loads the token-response fixtures (benchmarks/fixtures/*.json).
#ifndef PROFILE_AUTH_BENCHMARKS_COMMON_FIXTURES_HPP
#define PROFILE_AUTH_BENCHMARKS_COMMON_FIXTURES_HPP

#include <cstddef>  // std::size_t
#include <cstdio>   // std::fopen: no <fstream> needed for two small files
#include <cstdlib>  // std::exit when a fixture is missing
#include <string>   // owned file contents

#ifndef PROFILE_AUTH_BENCH_FIXTURES_DIR
#error "define PROFILE_AUTH_BENCH_FIXTURES_DIR (benchmarks/CMakeLists.txt does)"
#endif

namespace bench {

/// The whole file `benchmarks/fixtures/<name>`, or exits with a message.
inline std::string load_fixture(const char* name) {
  const std::string path = std::string(PROFILE_AUTH_BENCH_FIXTURES_DIR) + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot open fixture %s\n", path.c_str());
    std::exit(2);
  }
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

}  // namespace bench

#endif  // PROFILE_AUTH_BENCHMARKS_COMMON_FIXTURES_HPP
