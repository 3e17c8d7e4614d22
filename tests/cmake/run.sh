#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# profile-auth consumption tests: the ways a user brings the library in, each building and running
# tests/cmake/consumer.cpp: install + find_package, pkg-config, add_subdirectory, FetchContent,
# a Meson subproject, and a Meson wrap (packaging/meson/profile_auth.wrap, fed a source tarball
# made from this tree); find_package and add_subdirectory also build and run
# tests/cmake/compiled_consumer.cpp on profile::auth_compiled (compiled mode). Writes only under
# WORK_DIR.
#   usage: tests/cmake/run.sh [WORK_DIR]      (default: build/consumers; CXX picks the compiler)
#   PROFILE_AUTH_CONSUMER_PREFIX=DIR tests/cmake/run.sh WORK_DIR
#       an install that already exists (the .deb unpacked by scripts/test step package): only the
#       find_package and pkg-config consumers run, against DIR, and nothing is installed
#   PROFILE_AUTH_CONSUMER_CASES="meson_wrap"  run only the cases named (for debugging one)
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${1:-$src/build/consumers}
cxx=${CXX:-g++}
jobs=${PROFILE_AUTH_JOBS:-2}
version=$(python3 "$src/tools/read_version.py") || exit 1
rm -rf "$work" && mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
prefix="$work/prefix"
installed_prefix=${PROFILE_AUTH_CONSUMER_PREFIX:-}
if [[ -n "$installed_prefix" ]]; then
  prefix=$(cd "$installed_prefix" && pwd) || exit 1
fi
configure=(-G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release
           -DPROFILE_AUTH_EXPECTED_VERSION="$version" -DPROFILE_AUTH_SOURCE_DIR="$src")

consumer_cmake() {  # consumer_cmake NAME [extra cmake args]: configure, build, run
  local name=$1
  shift
  cmake -S "$src/tests/cmake/$name" -B "$work/$name" "${configure[@]}" "$@"
  cmake --build "$work/$name" -j "$jobs"
  "$work/$name/consumer"
}

case_find_package() {
  if [[ -z "$installed_prefix" ]]; then
    # Configured for another prefix and installed with --prefix: the package must be relocatable.
    cmake -S "$src" -B "$work/install-build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_INSTALL_PREFIX="$work/not-here" -DPROFILE_AUTH_BUILD_TESTS=OFF \
      -DPROFILE_AUTH_BUILD_EXAMPLES=OFF
    cmake --build "$work/install-build" -j "$jobs"
    cmake --install "$work/install-build" --prefix "$prefix"
  fi
  local f
  for f in include/profile/auth.hpp include/profile/auth/version.hpp \
    share/cmake/profile_auth/profile_authConfig.cmake \
    share/cmake/profile_auth/profile_authConfigVersion.cmake \
    share/cmake/profile_auth/profile_authTargets.cmake share/pkgconfig/profile_auth.pc \
    share/doc/profile_auth/LICENSE; do
    [[ -f "$prefix/$f" ]] || { echo "not installed: $f"; return 1; }
  done
  # Compiled mode: the one architecture-dependent part, under lib/ (lib64/, lib/<multiarch>/).
  for f in libprofile_auth_compiled.a profile_auth_compiledTargets.cmake; do
    [[ -n "$(find "$prefix"/lib* -name "$f" -print -quit 2>/dev/null)" ]] ||
      { echo "not installed: $f under lib/"; return 1; }
  done
  consumer_cmake find_package -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  "$work/find_package/compiled_consumer"
  echo "component compiled: profile::auth_compiled builds, links and runs"
  local component
  for component in curl beast httplib nlohmann_json; do
    if [[ -f "$work/find_package/${component}_consumer" ]]; then
      "$work/find_package/${component}_consumer"
      echo "component $component: profile::auth_$component builds, links and runs"
    fi
  done
}

case_pkg_config() {
  [[ -f "$prefix/share/pkgconfig/profile_auth.pc" ]] || { echo "needs find_package's install"; return 1; }
  export PKG_CONFIG_PATH="$prefix/share/pkgconfig"
  local got
  got=$(pkg-config --modversion profile_auth)
  [[ "$got" == "$version" ]] || { echo "pkg-config says $got, expected $version"; return 1; }
  got=$(pkg-config --variable=includedir profile_auth)
  [[ "$(cd "$got" && pwd)" == "$prefix/include" ]] ||
    { echo "pkg-config's includedir is $got, expected $prefix/include"; return 1; }
  mkdir -p "$work/pkg_config"
  # shellcheck disable=SC2046 # pkg-config's flags are meant to be split
  "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags profile_auth) \
    -DPROFILE_AUTH_EXPECTED_VERSION="\"$version\"" "$src/tests/cmake/consumer.cpp" \
    -o "$work/pkg_config/consumer"
  "$work/pkg_config/consumer"
  # Compiled mode: profile_auth_compiled.pc beside the archive (lib/pkgconfig, lib64/…).
  local pc
  pc=$(find "$prefix"/lib* -name profile_auth_compiled.pc -print -quit 2>/dev/null)
  [[ -n "$pc" ]] || { echo "not installed: profile_auth_compiled.pc under lib/"; return 1; }
  export PKG_CONFIG_PATH="$(dirname "$pc")"
  got=$(pkg-config --modversion profile_auth_compiled)
  [[ "$got" == "$version" ]] || { echo "compiled .pc says $got, expected $version"; return 1; }
  # shellcheck disable=SC2046 # pkg-config's flags are meant to be split
  "$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags profile_auth_compiled) \
    "$src/tests/cmake/compiled_consumer.cpp" $(pkg-config --libs profile_auth_compiled) \
    -o "$work/pkg_config/compiled_consumer"
  "$work/pkg_config/compiled_consumer"
  echo "pkg-config profile_auth_compiled: builds, links and runs"
}

case_add_subdirectory() {
  consumer_cmake add_subdirectory
  "$work/add_subdirectory/compiled_consumer"
}
case_fetch_content() { consumer_cmake fetch_content; }

case_meson_subproject() {
  local dir="$work/meson_subproject"
  mkdir -p "$dir/subprojects"
  cp "$src/tests/meson_subproject/meson.build" "$src/tests/meson_subproject/meson_options.txt" \
    "$src/tests/cmake/consumer.cpp" "$dir/"
  ln -s "$src" "$dir/subprojects/profile_auth"
  CXX="$cxx" meson setup "$dir/build" "$dir" --force-fallback-for=profile_auth \
    -Dexpected_version="$version"
  meson compile -C "$dir/build" -j "$jobs"
  meson test -C "$dir/build" --print-errorlogs
}

case_meson_wrap() {
  # The wrap users copy into their subprojects/ (packaging/meson/profile_auth.wrap), fed a source
  # tarball of this tree laid out as a release's (docs/releasing.md) through Meson's package
  # cache, so nothing is downloaded; its hash is the tarball's.
  local dir="$work/meson_wrap" wrap="$src/packaging/meson/profile_auth.wrap"
  local top="profile-auth-$version" tarball="profile-auth-$version.tar.gz"
  mkdir -p "$dir/subprojects/packagecache" "$dir/tarball/$top"
  grep -q "^directory = $top\$" "$wrap" ||
    { echo "$wrap: directory is not $top (bump it with the version)"; return 1; }
  grep -q "^source_filename = $tarball\$" "$wrap" ||
    { echo "$wrap: source_filename is not $tarball (bump it with the version)"; return 1; }
  grep -q "^profile_auth = profile_auth_dep\$" "$wrap" ||
    { echo "$wrap: no [provide] profile_auth = profile_auth_dep"; return 1; }
  (cd "$src" && cp -R LICENSE meson.build meson_options.txt include src tools "$dir/tarball/$top/")
  tar -C "$dir/tarball" -czf "$dir/subprojects/packagecache/$tarball" "$top"
  local hash
  hash=$(sha256sum "$dir/subprojects/packagecache/$tarball" | cut -d' ' -f1)
  sed "s/^source_hash = .*/source_hash = $hash/" "$wrap" >"$dir/subprojects/profile_auth.wrap"
  cp "$src/tests/meson_subproject/meson.build" "$src/tests/meson_subproject/meson_options.txt" \
    "$src/tests/cmake/consumer.cpp" "$dir/"
  CXX="$cxx" meson setup "$dir/build" "$dir" --wrap-mode=nodownload \
    --force-fallback-for=profile_auth -Dexpected_version="$version"
  [[ -f "$dir/subprojects/$top/meson.build" ]] ||
    { echo "meson did not unpack the wrap's tarball into subprojects/$top"; return 1; }
  meson compile -C "$dir/build" -j "$jobs"
  meson test -C "$dir/build" --print-errorlogs
}

cases=(find_package pkg_config add_subdirectory fetch_content meson_subproject meson_wrap)
if [[ -n "$installed_prefix" ]]; then cases=(find_package pkg_config); fi
# PROFILE_AUTH_CONSUMER_CASES="meson_wrap pkg_config": only these (pkg_config needs find_package's
# install, or PROFILE_AUTH_CONSUMER_PREFIX).
if [[ -n "${PROFILE_AUTH_CONSUMER_CASES:-}" ]]; then read -r -a cases <<<"$PROFILE_AUTH_CONSUMER_CASES"; fi
passed=0
failed=0
for c in "${cases[@]}"; do
  log="$work/$c.log"
  # Not inside `if`: errexit is ignored there, and each case must stop at its first failure.
  (set -e; "case_$c") >"$log" 2>&1
  if [[ $? -eq 0 ]]; then
    echo "consumer $c: ok ($(grep -m1 '^consumer: OK' "$log" || grep -m1 ' consumer *OK' "$log" || true))"
    passed=$((passed + 1))
  else
    echo "consumer $c: FAILED (log: $log); last lines:"
    tail -n 40 "$log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "consumers: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
