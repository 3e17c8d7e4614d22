#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Turns Google Benchmark JSON output of bench_parse and bench_hot_path into Markdown tables.
"""Usage: report.py parse.json hot_path.json [hot_path.json ...]

Uses the median aggregate of each benchmark (run with --benchmark_repetitions=N
--benchmark_report_aggregates_only=true). Falls back to the single run when there are no
aggregates (a quick run).

Several hot_path files come from separate processes: each process places the cache, the
snapshot and the callers' strings at different physical addresses, which moves a row by up to
10-20% for the whole life of the process, so repetitions inside one process cannot average it
out. Each row is then the median over the processes of that process's median. A ratio between
two rows is judged on the median of the per-process ratios (the two rows of one process share
its placement and its share of the machine); the per-process ratios and the ratio of the two
row medians are printed next to it.

- bench_parse: single-threaded; CPU time per parse (less disturbed by preemption on a shared
  machine than wall time). Ratios are "peer time / our time": above 1 means ours is faster.
- bench_hot_path: wall time (UseRealTime). Google Benchmark divides by the iterations of all
  threads, so the latency one caller sees is Time x threads; that is what is printed, and the
  targets are judged on it. The CPU columns (the threads' CPU time per call) are printed too:
  on a loaded machine wall time includes waiting for a CPU, CPU time does not (but it also
  hides time spent asleep on a futex).
"""
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif name in runs and runs[name].get("run_type") == "aggregate":
            continue
        runs[name] = b
    return data.get("context", {}), runs


def ns(b, key):
    unit = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    return b[key] * unit


def verdict(ok):
    return "**met**" if ok else "**missed**"


def load_note(context):
    la = context.get("load_avg")
    return f"(load average when the run started: {', '.join(f'{x:.1f}' for x in la)})" if la else ""


def parse_report(path):
    context, runs = load(path)
    table = defaultdict(dict)  # fixture -> contestant -> ns
    for name, b in runs.items():
        _, fixture, who = name.split("/")
        table[fixture][who] = ns(b, "cpu_time")
    order = ["nlohmann", "cpprest", "rapidjson", "simdjson_ondemand", "memchr_floor",
             "ours_json_reader", "ours"]
    fixtures = [f for f in ("standard", "profile") if f in table]
    out = [load_note(context), "", "| contestant | " + " | ".join(
        f"{f} (ns) | {f}: peer / ours" for f in fixtures) + " |",
        "|---|" + "---:|---:|" * len(fixtures)]
    for who in order:
        cells = []
        for f in fixtures:
            t, ours = table[f].get(who), table[f].get("ours")
            cells.append(f"{t:,.0f}" if t else "–")
            cells.append(f"{t / ours:.2f}×" if t and ours else "–")
        out.append(f"| {who} | " + " | ".join(cells) + " |")
    out.append("")
    for f in fixtures:
        t = table[f]
        if "ours" not in t:
            out.append(f"- {f}: ours missing")
            continue
        s, n = t.get("simdjson_ondemand"), t.get("nlohmann")
        if s:
            out.append(f"- {f}: ours vs simdjson On-Demand (with the padded copy): "
                       f"{s / t['ours']:.2f}× (target ≥ 1.00×) {verdict(t['ours'] <= s)}")
        if n:
            out.append(f"- {f}: ours vs nlohmann/json: {n / t['ours']:.1f}× faster "
                       f"(target ≥ 20×) {verdict(n / t['ours'] >= 20)}")
    return "\n".join(out)


def hot_tables(path):
    context, runs = load(path)
    wall = defaultdict(dict)  # contestant -> threads -> wall ns per call, per caller
    cpu = defaultdict(dict)   # contestant -> threads -> CPU ns per call, per caller
    for name, b in runs.items():
        who = name.split("/")[1]
        threads = int(b.get("threads", 1))
        wall[who][threads] = ns(b, "real_time") * threads
        # Google Benchmark sums the threads' CPU time and divides by all iterations.
        cpu[who][threads] = ns(b, "cpu_time")
    return context, wall, cpu


def median_of(tables):
    """Per contestant and thread count, the median over the processes that have the row."""
    out = defaultdict(dict)
    for who in {w for t in tables for w in t}:
        for threads in {n for t in tables for n in t.get(who, {})}:
            values = [t[who][threads] for t in tables if threads in t.get(who, {})]
            out[who][threads] = statistics.median(values)
    return out


def hot_report(paths):
    per_process = [hot_tables(p) for p in paths]
    context = per_process[0][0]
    wall = median_of([w for _, w, _ in per_process])
    cpu = median_of([c for _, _, c in per_process])
    order = ["clock_only", "mutex_copy", "shared_mutex_copy", "atomic_shared_ptr_copy",
             "unsync_copy", "ours_copy", "ours_view", "ours_write", "coarse_clock_only",
             "ours_copy_coarse", "ours_view_coarse", "ours_write_coarse"]
    out = [load_note(context), ""]
    if len(paths) > 1:
        out += [f"Each row: the median over {len(paths)} processes of each process's median.", ""]
    out += ["| contestant | wall, 1 thread (ns/call) | wall, 2 threads (ns/call) | "
           "CPU, 1 thread | CPU, 2 threads | ours_view speed-up, 1 thread | "
           "ours_view speed-up, 2 threads |", "|---|---:|---:|---:|---:|---:|---:|"]
    view = wall.get("ours_view", {})
    for who in order:
        if who not in wall:
            continue
        row = wall[who]
        cells = [f"{row[t]:.1f}" if t in row else "–" for t in (1, 2)]
        cells += [f"{cpu[who][t]:.1f}" if t in cpu[who] else "–" for t in (1, 2)]
        cells += [f"{row[t] / view[t]:.2f}×" if t in row and t in view else "–" for t in (1, 2)]
        out.append(f"| {who} | " + " | ".join(cells) + " |")
    out.append("")
    walls = [w for _, w, _ in per_process]

    def ratio(num, den, t):
        """num/den at t threads: the median of the per-process ratios (each process's two rows
        share its placement and its share of the machine), and the ratio of the row medians."""
        per = [w[num][t] / w[den][t] for w in walls
               if t in w.get(num, {}) and t in w.get(den, {})]
        if not per:
            return None
        return statistics.median(per), wall[num][t] / wall[den][t], per

    def detail(r):
        if len(walls) == 1:
            return ""
        return (f"; per process {', '.join(f'{x:.2f}' for x in r[2])}, "
                f"ratio of the row medians {r[1]:.2f}×")

    for label, key in (("steady_clock", "ours_view"), ("coarse_steady_clock", "ours_view_coarse")):
        for t, target in ((1, 1.7), (2, 5.0)):
            r = ratio("mutex_copy", key, t)
            if r:
                out.append(f"- no-copy ({label}) vs mutex + copy, {t} thread(s): {r[0]:.2f}× "
                           f"faster (target ≥ {target}×) {verdict(r[0] >= target)}{detail(r)}")
    for t in (1, 2):
        r = ratio("ours_copy", "unsync_copy", t)
        if r:
            out.append(f"- copying path vs unsynchronised reference, {t} thread(s): {r[0]:.2f}× "
                       f"(target ≤ 1.15×) {verdict(r[0] <= 1.15)}{detail(r)}")
    return "\n".join(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    print("### Benchmark 1: token-response parsing (median CPU time per parse)\n")
    print(parse_report(sys.argv[1]))
    print("\n### Benchmark 2: cached-token hot path (median wall time per call, per caller)\n")
    print(hot_report(sys.argv[2:]))


if __name__ == "__main__":
    main()
