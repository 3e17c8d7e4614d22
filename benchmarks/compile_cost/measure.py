#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Benchmark 3: what including <profile/auth.hpp> costs at compile time, next to nlohmann/json.
"""Times `CXX -std=c++20 -O0 -c` of the translation units below, best of N, interleaved.

  std_only.cpp      the standard headers an auth client needs anyway (baseline)
  profile_auth.cpp  <profile/auth.hpp> and one M2M call (config, request, parse, header)
  nlohmann.cpp      <nlohmann/json.hpp> and one small parse
  profile_auth_client.cpp  <profile/auth.hpp> and an m2m_client (the cache, the driver and
                    the thread-safe policy instantiated): what a service's TU really compiles

Both profile-auth TUs are measured twice: header-only (the default) and in compiled mode
(-DPROFILE_AUTH_SEPARATE_COMPILATION=1: declarations only), plus the one-time cost of the
compiled-mode library itself (src/profile_auth.cpp).

Reports wall time and CPU time (user+sys of the compiler, from wait4) for each, the increment
of each over std_only, and our increment as a percentage of nlohmann's. Best-of-N because the
machine is shared: the minimum is the run least disturbed by other work.

With g++ it also reports the memory the compiler allocated for its trees (the GGC total of
-ftime-report, one extra compile each). That figure does not depend on the machine's load: it
is the same on every run, so it tells a real change of the headers from noise in the timings.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COMPILED = "-DPROFILE_AUTH_SEPARATE_COMPILATION=1"
# (row label, source, mode, extra flags). Compiled mode is docs/building.md's "Compiled mode":
# the user's TUs see declarations only; src/profile_auth.cpp (the profile::auth_compiled
# library) is compiled once per build, not once per TU.
ROWS = [
    ("std_only.cpp", HERE / "std_only.cpp", "-", []),
    ("profile_auth.cpp", HERE / "profile_auth.cpp", "header-only", []),
    ("nlohmann.cpp", HERE / "nlohmann.cpp", "-", []),
    ("profile_auth_client.cpp", HERE / "profile_auth_client.cpp", "header-only", []),
    ("profile_auth.cpp", HERE / "profile_auth.cpp", "compiled", [COMPILED]),
    ("profile_auth_client.cpp", HERE / "profile_auth_client.cpp", "compiled", [COMPILED]),
    ("src/profile_auth.cpp", ROOT / "src" / "profile_auth.cpp", "the library, once", [COMPILED]),
]


def compile_once(cxx: str, tu: pathlib.Path, extra: list[str]) -> tuple[float, float]:
    cmd = [cxx, "-std=c++20", "-O0", "-c", str(tu), "-o", os.devnull,
           f"-I{ROOT / 'include'}", *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"compile failed: {' '.join(cmd)}")
    return wall, ru.ru_utime + ru.ru_stime


def ggc_megabytes(cxx: str, tu: pathlib.Path, extra: list[str]) -> float | None:
    """GCC's allocated tree memory for one compile (None for a compiler that does not say)."""
    cmd = [cxx, "-std=c++20", "-O0", "-c", str(tu), "-o", os.devnull, "-ftime-report",
           f"-I{ROOT / 'include'}", *extra]
    report = subprocess.run(cmd, capture_output=True, text=True).stderr
    m = re.search(r"^\s*TOTAL\s*:.*?(\d+(?:\.\d+)?)([kMG])\s*$", report, re.M)
    if m is None:
        return None
    return float(m.group(1)) * {"k": 1 / 1024, "M": 1.0, "G": 1024.0}[m.group(2)]


def verdict(ours_w: float, ours_c: float, nl_w: float, nl_c: float) -> str:
    share = max(ours_w / nl_w, ours_c / nl_c)
    return (f"wall {100 * ours_w / nl_w:.1f}%, CPU {100 * ours_c / nl_c:.1f}%  (target <= 20%: "
            f"{'**met**' if share <= 0.2 else '**missed**'})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cxx", default="g++")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--extra", default="", help="extra compiler flags, space-separated")
    args = ap.parse_args()
    extra = args.extra.split()
    if any(f.startswith("-DPROFILE_AUTH_SEPARATE_COMPILATION") for f in extra):
        # The compiled-mode rows are there anyway; in --extra it would mislabel the others.
        extra = [f for f in extra if not f.startswith("-DPROFILE_AUTH_SEPARATE_COMPILATION")]
        print("measure.py: compiled mode has its own rows; ignoring it in --extra", file=sys.stderr)

    version = subprocess.run([args.cxx, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    best = [[float("inf"), float("inf")] for _ in ROWS]
    for _, tu, _, flags in ROWS:  # one warm-up each: page cache, compiler binary
        compile_once(args.cxx, tu, [*flags, *extra])
    for _ in range(args.runs):
        for i, (_, tu, _, flags) in enumerate(ROWS):
            wall, cpu = compile_once(args.cxx, tu, [*flags, *extra])
            best[i][0] = min(best[i][0], wall)
            best[i][1] = min(best[i][1], cpu)

    memory = [ggc_megabytes(args.cxx, tu, [*flags, *extra]) for _, tu, _, flags in ROWS]

    def index(label: str, mode: str) -> int:
        return next(i for i, r in enumerate(ROWS) if r[0] == label and r[2] == mode)

    def row(label: str, mode: str) -> tuple[float, float]:
        return best[index(label, mode)]

    base_w, base_c = row("std_only.cpp", "-")
    nl_w, nl_c = (x - b for x, b in zip(row("nlohmann.cpp", "-"), (base_w, base_c)))
    print(f"compiler: {version}")
    print(f"command: {args.cxx} -std=c++20 -O0 -c <tu> {' '.join(extra)}  "
          f"(best of {args.runs}, interleaved; compiled mode adds {COMPILED})\n")
    has_memory = all(m is not None for m in memory)
    base_m = memory[index("std_only.cpp", "-")]
    print("| translation unit | mode | wall (s) | increment over std-only (s) | CPU user+sys (s) "
          "| CPU increment (s) |" + (" GCC memory (MB) | memory increment (MB) |" if has_memory
                                     else ""))
    print("|---|---|---:|---:|---:|---:|" + ("---:|---:|" if has_memory else ""))
    for (label, _, mode, _), (w, c), m in zip(ROWS, best, memory):
        cells = (f" {m:.0f} | — |" if mode == "the library, once" else
                 f" {m:.0f} | {m - base_m:+.0f} |") if has_memory else ""
        if mode == "the library, once":
            print(f"| `{label}` | {mode} | {w:.3f} | — | {c:.3f} | — |{cells}")
        else:
            print(f"| `{label}` | {mode} | {w:.3f} | {w - base_w:+.3f} | {c:.3f} "
                  f"| {c - base_c:+.3f} |{cells}")
    print()
    nl_m = memory[index("nlohmann.cpp", "-")] - base_m if has_memory else 0.0
    for mode in ("header-only", "compiled"):
        ours_w, ours_c = row("profile_auth.cpp", mode)
        cl_w, cl_c = row("profile_auth_client.cpp", mode)
        print(f"{mode}: our increment as a share of nlohmann's: "
              f"{verdict(ours_w - base_w, ours_c - base_c, nl_w, nl_c)}; with an m2m_client "
              f"instantiated: {verdict(cl_w - base_w, cl_c - base_c, nl_w, nl_c)}")
        if has_memory:
            ours_m = memory[index("profile_auth.cpp", mode)] - base_m
            cl_m = memory[index("profile_auth_client.cpp", mode)] - base_m
            print(f"{mode}, by GCC's memory (the same on every run): "
                  f"{100 * ours_m / nl_m:.1f}%; with an m2m_client: {100 * cl_m / nl_m:.1f}%")
    lib_w, lib_c = row("src/profile_auth.cpp", "the library, once")
    print(f"compiled mode's one-time cost: src/profile_auth.cpp (profile::auth_compiled) takes "
          f"{lib_w:.2f} s wall, {lib_c:.2f} s CPU at -O0, once per build")


if __name__ == "__main__":
    main()
