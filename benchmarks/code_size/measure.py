#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Benchmark 4: the code size of the M2M path on Cortex-M4 and x86-64, ours against nlohmann/json.
"""Builds six variants of `app_authorization_header()` (see board.hpp) and measures them.

  m2m_baseline.cpp           the same board calls and no auth logic (what every image needs anyway)
  m2m_profile_auth.cpp       ours: m2m_config -> m2m_client (request, parse, cache) -> header
  m2m_profile_auth_lean.cpp  ours, the same program in the reduced firmware configuration
                             (PROFILE_AUTH_TERSE_ERRORS, _JSON_ONLY, _NO_HTTP_DATE; see
                             docs/building.md, "Small firmware builds")
  m2m_profile_auth_flat.cpp  the lean program plus PROFILE_AUTH_FLAT_JSON_ONLY (flat JSON answers
                             only: the general JSON reader drops out)
  m2m_profile_auth_fixed.cpp ours, firmware-shaped: fixed_m2m_client (caller-sized buffers, no heap,
                             errc outcomes; docs/firmware.md), the library's default macros
  m2m_nlohmann.cpp           a minimal nlohmann/json equivalent (body, parse, cache, header)

Two measurements per variant and target:

1. Translation unit: the sum of the `.text*` sections (code) and of `.rodata*` (constants) of
   the object file, compiled with -ffunction-sections. This is the code the variant itself
   instantiates (inline functions, templates), without libc/libstdc++/newlib. It is the
   figure the 12 KB target refers to.
2. Linked image: the firmware (main + board stubs + variant) linked with --gc-sections;
   reported as the growth of flash (text + data, from `size`) over the baseline image. It adds
   what the variant pulls from the C and C++ runtimes (malloc, memcpy, and on Cortex-M4 the
   libstdc++ __throw_* helpers, which are built with exceptions and drag in the unwinder).

Cortex-M4: arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -Os -fno-exceptions -fno-rtti -std=c++20
--specs=nano.specs -ffunction-sections -fdata-sections; linked with --specs=nosys.specs
-Wl,--gc-sections. x86-64: g++ with the same language and section flags (-Os, -fno-exceptions,
-fno-rtti); linked dynamically, so the runtime libraries do not count there.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VARIANTS = ["m2m_baseline", "m2m_profile_auth", "m2m_profile_auth_lean", "m2m_profile_auth_flat",
            "m2m_profile_auth_fixed", "m2m_nlohmann"]
COMMON = ["-Os", "-fno-exceptions", "-fno-rtti", "-std=c++20", "-ffunction-sections",
          "-fdata-sections", "-Wno-psabi"]
TARGETS = {
    "cortex-m4": {
        "cxx": "arm-none-eabi-g++", "cc": "arm-none-eabi-gcc", "size": "arm-none-eabi-size",
        "nm": "arm-none-eabi-nm",
        "arch": ["-mcpu=cortex-m4", "-mthumb", "--specs=nano.specs"],
        "link": ["--specs=nosys.specs", "-Wl,--gc-sections"],
    },
    "x86-64": {
        "cxx": "g++", "cc": "gcc", "size": "size", "nm": "nm",
        "arch": [],
        "link": ["-Wl,--gc-sections"],
    },
}


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{r.stderr}")
    return r.stdout


def sections(size_tool, path):
    """{section name: size} from `size -A`."""
    out = {}
    for line in run([size_tool, "-A", str(path)]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            out[parts[0]] = out.get(parts[0], 0) + int(parts[1])
    return out


def berkeley(size_tool, path):
    """(text, data, bss) from `size` (Berkeley format: text includes read-only data)."""
    line = run([size_tool, str(path)]).splitlines()[1].split()
    return int(line[0]), int(line[1]), int(line[2])


# Where the code of our TU goes, by area (first matching pattern wins; demangled names).
AREAS = [
    ("cache, driver, snapshot, backoff", ["token_cache", "cached_token_driver", "snapshot",
                                          "refresh_at", "refresh_point", "backoff", "m2m_client", "bearer",
                                          "b64token"]),
    ("token response parsing", ["read_flat_json_token", "parse_token_response",
                                "parse_json_token", "parse_form_token",
                                "finish_token", "read_lifetime", "sniff_body", "token_failure",
                                "read_fixed_answer", "fixed_oauth_code", "decode_member_in_place",
                                "parse_query", "media_type", "token_builder"]),
    ("JSON reader (detail::json)", ["detail::json::tape", "detail::json::parse",
                                    "detail::json::value", "detail::json::text",
                                    "read_flat_object", "flat_member", "flat_callback"]),
    ("error answers, Retry-After, messages", ["oauth_error", "read_oauth_error", "retry_after",
                                              "http_date", "make_date", "append_context",
                                              "response_context", "sanitize", "to_string",
                                              "errc", "error::", "classify", "fail("]),
    ("URL parsing and endpoint checks", ["parse_url", "parse_ipv6", "check_endpoint", "url",
                                         "host", "loopback"]),
    ("request building, config checks", ["client_credentials_request", "validate",
                                         "client_auth", "basic_authorization", "check_text_param",
                                         "write_string", "json_field", "form_", "encode",
                                         "fixed_request", "fixed_param", "fixed_sink", "fixed_config",
                                         "v0::profile::"]),
    ("std:: instantiations", ["std::"]),
]


def breakdown(nm_tool, obj):
    """[(area, bytes of code symbols)], largest first, for the object `obj`."""
    sizes = {}
    out = run([nm_tool, "-C", "-S", "--size-sort", str(obj)])
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2] not in "tTwW":
            continue
        size, name = int(parts[1], 16), parts[3]
        area = next((a for a, pats in AREAS if any(p in name for p in pats)), "other")
        sizes[area] = sizes.get(area, 0) + size
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def kb(n):
    return f"{n / 1024:.1f} KB"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=None, help="scratch directory (default: a temp dir)")
    args = ap.parse_args()
    build = pathlib.Path(args.build_dir or tempfile.mkdtemp(prefix="pa-code-size-"))
    build.mkdir(parents=True, exist_ok=True)
    # nlohmann/json is header-only: expose just its directory, not all of /usr/include (the
    # host's C headers must not leak into the bare-metal build).
    inc = build / "inc"
    inc.mkdir(exist_ok=True)
    nl = pathlib.Path("/usr/include/nlohmann")
    link = inc / "nlohmann"
    if nl.is_dir() and not link.exists():
        os.symlink(nl, link)

    results = {}
    for tname, t in TARGETS.items():
        if shutil.which(t["cxx"]) is None:
            print(f"(skipping {tname}: {t['cxx']} not found)", file=sys.stderr)
            continue
        tdir = build / tname
        tdir.mkdir(exist_ok=True)
        stubs = tdir / "board_stubs.o"
        run([t["cc"], *t["arch"], "-Os", "-ffunction-sections", "-fdata-sections", "-c",
             str(HERE / "board_stubs.c"), "-o", str(stubs)])
        for v in VARIANTS:
            obj, elf = tdir / f"{v}.o", tdir / f"{v}.elf"
            run([t["cxx"], *t["arch"], *COMMON, f"-I{ROOT / 'include'}", f"-I{inc}",
                 f"-I{HERE}", "-c", str(HERE / f"{v}.cpp"), "-o", str(obj)])
            run([t["cxx"], *t["arch"], *COMMON, *t["link"], str(stubs), str(obj), "-o",
                 str(elf)])
            s = sections(t["size"], obj)
            text = sum(n for k, n in s.items() if k.startswith(".text"))
            rodata = sum(n for k, n in s.items() if k.startswith(".rodata"))
            btext, bdata, _ = berkeley(t["size"], elf)
            results[(tname, v)] = {"text": text, "rodata": rodata, "flash": btext + bdata,
                                   "areas": breakdown(t["nm"], obj)}
        results[(tname, "version")] = run([t["cxx"], "--version"]).splitlines()[0]

    print("| variant | target | TU code `.text` | TU constants `.rodata` | TU total "
          "(flash) | linked image growth over baseline |")
    print("|---|---|---:|---:|---:|---:|")
    for tname in TARGETS:
        if (tname, "m2m_baseline") not in results:
            continue
        base = results[(tname, "m2m_baseline")]["flash"]
        for v in VARIANTS[1:]:
            r = results[(tname, v)]
            total = r["text"] + r["rodata"]
            print(f"| {v.removeprefix('m2m_')} | {tname} | {r['text']:,} B ({kb(r['text'])}) "
                  f"| {r['rodata']:,} B ({kb(r['rodata'])}) | {total:,} B ({kb(total)}) "
                  f"| {r['flash'] - base:,} B ({kb(r['flash'] - base)}) |")
    print()
    for tname in TARGETS:
        if (tname, "version") in results:
            print(f"- {tname}: {results[(tname, 'version')]}")
    key = ("cortex-m4", "m2m_profile_auth")
    if key in results:
        n = results[("cortex-m4", "m2m_nlohmann")]
        for v, name in (("m2m_profile_auth", "ours"), ("m2m_profile_auth_lean", "ours (lean)"),
                        ("m2m_profile_auth_flat", "ours (lean + flat JSON)"),
                        ("m2m_profile_auth_fixed", "ours (fixed_m2m_client)")):
            o = results[("cortex-m4", v)]
            for label, a, b in (("code (.text)", o["text"], n["text"]),
                                ("code + constants", o["text"] + o["rodata"],
                                 n["text"] + n["rodata"])):
                print(f"- Cortex-M4 TU {label}: {name} {kb(a)}, nlohmann {kb(b)} "
                      f"({name}/nlohmann {a / b:.2f}); target ≤ 12 KB: "
                      f"{'**met**' if a <= 12 * 1024 else '**missed**'}")
        lean = results[("cortex-m4", "m2m_profile_auth_lean")]
        fixed_areas = dict(results[("cortex-m4", "m2m_profile_auth_fixed")]["areas"])
        print("\nWhere our Cortex-M4 code goes (sizes of code symbols in the TU, by area):\n")
        print("| area | default | lean | fixed_m2m_client |")
        print("|---|---:|---:|---:|")
        lean_areas = dict(lean["areas"])
        areas = [a for a, _ in results[key]["areas"]]
        areas += [a for a in fixed_areas if a not in areas]
        for area in areas:
            size = dict(results[key]["areas"]).get(area, 0)
            print(f"| {area} | {size:,} | {lean_areas.get(area, 0):,} | "
                  f"{fixed_areas.get(area, 0):,} |")
    print(f"- build directory: {build}")


if __name__ == "__main__":
    main()
