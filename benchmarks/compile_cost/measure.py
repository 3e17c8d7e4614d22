#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Benchmark 3: what including <profile/auth.hpp> costs at compile time, next to nlohmann/json.
"""Times `CXX -std=c++20 -O0 -c` of three translation units, best of N, runs interleaved.

  std_only.cpp      the standard headers an auth client needs anyway (baseline)
  profile_auth.cpp  <profile/auth.hpp> and one M2M call (config, request, parse, header)
  nlohmann.cpp      <nlohmann/json.hpp> and one small parse
  profile_auth_client.cpp  <profile/auth.hpp> and an m2m_client (the cache, the driver and
                    the thread-safe policy instantiated): what a service's TU really compiles

Reports wall time and CPU time (user+sys of the compiler, from wait4) for each, the increment
of each over std_only, and our increment as a percentage of nlohmann's. Best-of-N because the
machine is shared: the minimum is the run least disturbed by other work.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TUS = ["std_only.cpp", "profile_auth.cpp", "nlohmann.cpp", "profile_auth_client.cpp"]


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cxx", default="g++")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--extra", default="", help="extra compiler flags, space-separated")
    args = ap.parse_args()
    extra = args.extra.split()

    version = subprocess.run([args.cxx, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    best = {tu: [float("inf"), float("inf")] for tu in TUS}
    for tu in TUS:  # one warm-up each: page cache, compiler binary
        compile_once(args.cxx, HERE / tu, extra)
    for _ in range(args.runs):
        for tu in TUS:
            wall, cpu = compile_once(args.cxx, HERE / tu, extra)
            best[tu][0] = min(best[tu][0], wall)
            best[tu][1] = min(best[tu][1], cpu)

    base_w, base_c = best["std_only.cpp"]
    print(f"compiler: {version}")
    print(f"command: {args.cxx} -std=c++20 -O0 -c <tu> {' '.join(extra)}  "
          f"(best of {args.runs}, interleaved)\n")
    print("| translation unit | wall (s) | increment over std-only (s) | CPU user+sys (s) "
          "| CPU increment (s) |")
    print("|---|---:|---:|---:|---:|")
    for tu in TUS:
        w, c = best[tu]
        print(f"| `{tu}` | {w:.3f} | {w - base_w:+.3f} | {c:.3f} | {c - base_c:+.3f} |")
    ours_w = best["profile_auth.cpp"][0] - base_w
    nl_w = best["nlohmann.cpp"][0] - base_w
    ours_c = best["profile_auth.cpp"][1] - base_c
    nl_c = best["nlohmann.cpp"][1] - base_c
    cl_w = best["profile_auth_client.cpp"][0] - base_w
    cl_c = best["profile_auth_client.cpp"][1] - base_c
    print(f"\nour increment as a share of nlohmann's: wall {100 * ours_w / nl_w:.1f}%, "
          f"CPU {100 * ours_c / nl_c:.1f}%  (target <= 20%: "
          f"{'**met**' if max(ours_w / nl_w, ours_c / nl_c) <= 0.2 else '**missed**'})")
    print(f"with an m2m_client instantiated: wall {100 * cl_w / nl_w:.1f}%, "
          f"CPU {100 * cl_c / nl_c:.1f}%")


if __name__ == "__main__":
    main()
