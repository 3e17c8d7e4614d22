#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# profile-auth tests: runs one compiler command and checks that it fails (or passes) as expected.
"""check.py --expect fail|pass -- COMPILER [ARGS ...]

Meson's compile-fail tests use this (CMake builds EXCLUDE_FROM_ALL targets instead). A case
that must fail passes only when the compiler reports an error; its first error line is printed
so the log shows which rule rejected it. Python 3 standard library only.
"""

import argparse
import subprocess
import sys


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect", choices=("fail", "pass"), required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no compiler command given")
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failed = proc.returncode != 0
    errors = [l for l in proc.stdout.splitlines() if "error" in l]
    if args.expect == "fail":
        if failed:
            print("rejected as expected: %s" % (errors[0] if errors else "(no error line)"))
            return 0
        print("compiled, but this misuse must be rejected:\n  %s" % " ".join(command))
        return 1
    if not failed:
        print("compiled as expected")
        return 0
    print("failed to compile, but it must:\n  %s\n%s" % (" ".join(command), proc.stdout))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
