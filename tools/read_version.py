#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# profile-auth: prints MAJOR.MINOR.PATCH from include/profile/auth/version.hpp (for Meson).
import pathlib
import re
import sys

VERSION_HPP = pathlib.Path(__file__).resolve().parent.parent / "include/profile/auth/version.hpp"


def main():
    text = VERSION_HPP.read_text(encoding="utf-8")
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define PROFILE_AUTH_VERSION_%s\s+(\d+)" % part, text, re.MULTILINE)
        if not m:
            print("read_version.py: %s lacks PROFILE_AUTH_VERSION_%s" % (VERSION_HPP, part),
                  file=sys.stderr)
            return 1
        parts.append(m.group(1))
    print(".".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
