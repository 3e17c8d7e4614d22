#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds (-O2) and runs every profile-auth benchmark side by side with its peers.
#
#   benchmarks/run.sh            all five benchmarks, results in benchmarks/out/
#   QUICK=1 benchmarks/run.sh    one repetition and one hot-path process (a smoke run)
#   CALLGRIND=1 ...              also count instructions of benchmark 1 under callgrind
#   NICE=-10 ...                 run the timed programs at that nice level (root only): on a
#                                shared machine this keeps other jobs from preempting them
#
# Environment: BUILD_DIR (default build/bench/), OUT_DIR (default benchmarks/out/),
# CXX (default g++), HOT_PROCESSES (default 5: benchmark 2 runs in that many processes). Installs the peer packages with apt-get when they are missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${BUILD_DIR:-$root/build/bench}"
out="${OUT_DIR:-$here/out}"
mkdir -p "$out"

# 1. Peers and tools, from the distribution (Debian/Ubuntu package names).
packages=(rapidjson-dev libsimdjson-dev libcpprest-dev nlohmann-json3-dev libbenchmark-dev
          gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib cmake python3)
[[ "${CALLGRIND:-0}" == 1 ]] && packages+=(valgrind)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi

# 2. Build (Release; every benchmark target adds -O2 itself).
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$here" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="${CXX:-g++}" >/dev/null
cmake --build "$build" -j2

# 3. The machine, for the record.
{
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) logical CPUs)"
  echo "- kernel: $(uname -sr)"
  echo "- compiler: $("${CXX:-g++}" --version | head -1)"
  echo "- arm: $(arm-none-eabi-g++ --version | head -1)"
  echo "- peers: $(dpkg-query -W -f '${Package} ${Version}, ' nlohmann-json3-dev rapidjson-dev \
       libsimdjson-dev libcpprest-dev libbenchmark-dev | sed 's/, $//')"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
} | tee "$out/machine.md"

run=()
[[ -n "${NICE:-}" ]] && run=(nice -n "$NICE")

reps=9 hot_reps=5 hot_processes=${HOT_PROCESSES:-5}
[[ "${QUICK:-0}" == 1 ]] && reps=1 hot_reps=1 hot_processes=1
# Repetitions interleaved at random: on a shared machine whose speed drifts, a contestant run
# entirely before or after another would carry the drift into the ratio.
gb=(--benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true
    --benchmark_out_format=json)

# 4. Benchmarks 1 and 2 (Google Benchmark), then the Markdown tables with ratios. The hot path
# runs in several processes: where the allocator and the kernel put its objects holds for a
# whole process and moves a row by up to 20%, so only separate processes sample it.
"${run[@]}" "$build/bench_parse" "${gb[@]}" --benchmark_repetitions=$reps \
  --benchmark_out="$out/parse.json"
rm -f "$out"/hot_path*.json
hot=()
for ((i = 1; i <= hot_processes; ++i)); do
  "${run[@]}" "$build/bench_hot_path" "${gb[@]}" --benchmark_repetitions=$hot_reps \
    --benchmark_out="$out/hot_path.$i.json" >/dev/null
  hot+=("$out/hot_path.$i.json")
done
python3 "$here/report.py" "$out/parse.json" "${hot[@]}" | tee "$out/report.md"

# Optional: instruction counts, noise-free, for benchmark 1.
if [[ "${CALLGRIND:-0}" == 1 ]]; then
  python3 "$here/callgrind_parse.py" "$build/bench_parse" | tee "$out/callgrind.md"
fi

# 5. Benchmark 3: compile cost (best of 9).
"${run[@]}" python3 "$here/compile_cost/measure.py" --cxx "${CXX:-g++}" --runs 9 |
  tee "$out/compile_cost.md"

# 6. Benchmark 4: code size.
python3 "$here/code_size/measure.py" --build-dir "$build/code_size" | tee "$out/code_size.md"

# 7. Benchmark 5: thundering herd.
"${run[@]}" "$build/thundering_herd" | tee "$out/thundering_herd.md"

echo "results in $out"
