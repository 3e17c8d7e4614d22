#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Benchmark 1, noise-free: instructions per parse of each contestant, counted by callgrind.
"""Usage: callgrind_parse.py path/to/bench_parse [iterations]

Runs `bench_parse --count <contestant> <fixture> <n>` under
`valgrind --tool=callgrind --toggle-collect=*count_loop*`, so only the n parses are counted,
and prints instructions per parse. Instruction counts ignore cache misses, branch
mispredictions and SIMD width, so they complement the timings rather than replace them.
Under valgrind simdjson's runtime dispatch sees valgrind's CPU (no AVX-512) and picks its
AVX2 kernel.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

CONTESTANTS = ["nlohmann", "cpprest", "rapidjson", "simdjson_ondemand", "memchr_floor",
               "ours_json_reader", "ours"]
FIXTURES = ["standard", "profile"]


def instructions(binary, who, fixture, n, outdir):
    out = pathlib.Path(outdir) / f"cg.{who}.{fixture}"
    subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=*count_loop*",
                    f"--callgrind-out-file={out}", binary, "--count", who, fixture, str(n)],
                   check=True, capture_output=True)
    m = re.search(r"^(?:summary|totals):\s+(\d+)", out.read_text(), re.M)
    return int(m.group(1)) / n


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as d:
        res = {(w, f): instructions(binary, w, f, n, d) for w in CONTESTANTS for f in FIXTURES}
    print(f"Instructions per parse (callgrind, {n} parses each):\n")
    print("| contestant | standard | peer / ours | profile | peer / ours |")
    print("|---|---:|---:|---:|---:|")
    for w in CONTESTANTS:
        cells = []
        for f in FIXTURES:
            cells += [f"{res[(w, f)]:,.0f}", f"{res[(w, f)] / res[('ours', f)]:.2f}×"]
        print(f"| {w} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
