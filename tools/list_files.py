#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# profile-auth: prints the files matching glob patterns, so that Meson (which cannot glob) finds tests.
"""List files under BASE matching each PATTERN, one per line, relative to BASE, sorted.

    list_files.py BASE PATTERN [PATTERN ...] [--exclude REGEX]

Patterns use pathlib syntax ("unit/*.cpp", "profile/**/*.hpp"); paths are printed with '/'.
Meson runs this at configure time: after adding a file, run `meson setup --reconfigure`.
Python 3 standard library only.
"""

import argparse
import pathlib
import re
import sys


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("patterns", nargs="+")
    parser.add_argument("--exclude", action="append", default=[], metavar="REGEX",
                        help="drop relative paths matching REGEX (repeatable)")
    args = parser.parse_args(argv)
    base = pathlib.Path(args.base)
    excludes = [re.compile(x) for x in args.exclude]
    found = set()
    for pattern in args.patterns:
        for path in base.glob(pattern):
            if path.is_file():
                rel = path.relative_to(base).as_posix()
                if not any(x.search(rel) for x in excludes):
                    found.add(rel)
    for rel in sorted(found):
        print(rel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
