#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# profile-auth: builds the single header single_include/profile/auth.hpp from include/.
"""Inline every ``#include <profile/auth/...>`` reachable from include/profile/auth.hpp.

The output starts with the text of LICENSE as a comment. Each library header is inlined once,
where it is first needed (see Amalgamator); standard and other third-party includes are kept
exactly as written. The output depends only on the input files, so CI regenerates it and
compares it byte for byte with the committed copy.

    python3 tools/amalgamate.py                    # rewrite single_include/profile/auth.hpp
    python3 tools/amalgamate.py --output FILE      # write elsewhere (e.g. for a freshness check)
    python3 tools/amalgamate.py --check            # exit 1 if the committed copy is stale

Python 3 standard library only.
"""

import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
UMBRELLA = "profile/auth.hpp"
DEFAULT_OUTPUT = pathlib.Path("single_include") / "profile" / "auth.hpp"

LIBRARY_INCLUDE = re.compile(r"^\s*#\s*include\s*<(profile/auth/[^>]+)>")
OPENS_CONDITION = re.compile(r"^\s*#\s*if(n?def)?\b")
CLOSES_CONDITION = re.compile(r"^\s*#\s*endif\b")
ELSE_BRANCH = re.compile(r"^\s*#\s*(else|elif|elifn?def)\b")
GUARD_IFNDEF = re.compile(r"^\s*#\s*ifndef\s+(\w+)")
GUARD_DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s*$")
SPDX = "// SPDX-License-Identifier:"


class AmalgamationError(Exception):
    pass


def read_version(include_dir):
    text = (include_dir / "profile" / "auth" / "version.hpp").read_text(encoding="utf-8")
    parts = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define PROFILE_AUTH_VERSION_%s\s+(\d+)" % part, text, re.MULTILINE)
        if not m:
            raise AmalgamationError("version.hpp does not define PROFILE_AUTH_VERSION_" + part)
        parts.append(m.group(1))
    return ".".join(parts)


def guard_line_index(lines):
    """Index of the include guard's #ifndef, or None: its #if level is not a real condition."""
    directives = [(i, l) for i, l in enumerate(lines) if l.lstrip().startswith("#")]
    if len(directives) >= 2:
        (i, first), (_, second) = directives[0], directives[1]
        a, b = GUARD_IFNDEF.match(first), GUARD_DEFINE.match(second)
        if a and b and a.group(1) == b.group(1):
            return i
    return None


class Amalgamator:
    """Writes the umbrella with every library header inlined once where it is first needed.

    A header that some header includes unconditionally is "always" part of the program. If its
    first include is under a preprocessor condition (compiled mode: `#if
    PROFILE_AUTH_DEFINITIONS` around the includes only the definitions need), it is inlined
    right before the outermost open condition instead, so it is there in every configuration
    and inlined exactly once. A header that is only ever included under conditions is inlined
    inside its condition, once per distinct stack of conditions; its own include guard keeps a
    second copy harmless.
    """

    def __init__(self, include_dir):
        self.include_dir = include_dir
        self.lines = {}      # name -> the header's lines
        self.always = set()  # headers reachable from the umbrella through unconditional includes
        self.done = set()    # "always" headers already inlined: later includes are dropped
        self.done_under = set()  # (header, condition stack) of conditionally inlined headers
        self.stack = []      # headers being inlined: a cycle is dropped like the guard would
        self.out = []        # the output being written (a hoisted header gets its own for a while)
        self.conds = []      # the open preprocessor conditions around the current line
        self.anchor = None   # index in self.out of the outermost open condition's line

    def read(self, name):
        if name not in self.lines:
            path = self.include_dir / name
            if not path.is_file():
                includer = self.stack[-1] if self.stack else "the command line"
                raise AmalgamationError("<%s> (included from %s) is not under %s"
                                        % (name, includer, self.include_dir))
            self.lines[name] = path.read_text(encoding="utf-8").splitlines()
        return self.lines[name]

    def includes(self, name):
        """Yields (child, conditional) for each library include of `name`, in order."""
        lines = self.read(name)
        guard = guard_line_index(lines)
        depth = 0
        for i, line in enumerate(lines):
            m = LIBRARY_INCLUDE.match(line)
            if m:
                yield m.group(1), depth > 0
            elif OPENS_CONDITION.match(line) and i != guard:
                depth += 1
            elif CLOSES_CONDITION.match(line) and depth > 0:
                depth -= 1

    def find_always(self, umbrella):
        todo = [umbrella]
        self.always.add(umbrella)
        while todo:
            name = todo.pop()
            self.stack.append(name)
            for child, conditional in self.includes(name):
                if not conditional and child not in self.always:
                    self.always.add(child)
                    todo.append(child)
            self.stack.pop()

    def include(self, child):
        if child in self.done or child in self.stack:
            return
        if not self.conds:
            self.emit(child)
            self.done.add(child)
        elif child in self.always:
            # Hoisted in front of the outermost open condition, into a list of its own.
            saved = (self.out, self.conds, self.anchor)
            self.out, self.conds, self.anchor = [], [], None
            self.emit(child)
            self.done.add(child)
            hoisted = self.out
            self.out, self.conds, self.anchor = saved
            self.out[self.anchor:self.anchor] = hoisted
            self.anchor += len(hoisted)
        else:
            key = (child, tuple(self.conds))
            if key not in self.done_under:
                self.done_under.add(key)
                self.emit(child)

    def emit(self, name):
        self.out.append("// ---- begin <%s> ----" % name)
        self.inline(name)
        self.out.append("// ---- end <%s> ----" % name)

    def inline(self, name):
        lines = self.read(name)
        guard = guard_line_index(lines)
        self.stack.append(name)
        depth = 0  # preprocessor conditions open in this file, the include guard not counted
        for i, line in enumerate(lines):
            if i < 2 and line.startswith(SPDX):
                continue  # one licence line at the top of the output is enough
            m = LIBRARY_INCLUDE.match(line)
            if m:
                self.include(m.group(1))
                continue
            if OPENS_CONDITION.match(line) and i != guard:
                depth += 1
                if not self.conds:
                    self.anchor = len(self.out)
                self.conds.append(line.strip())
            elif ELSE_BRANCH.match(line) and depth > 0:
                self.conds[-1] += " | " + line.strip()
            elif CLOSES_CONDITION.match(line) and depth > 0:
                depth -= 1
                self.conds.pop()
                if not self.conds:
                    self.anchor = None
            self.out.append(line)
        self.stack.pop()


def licence_lines(root):
    """LICENSE as a comment block: a copied single header carries its licence with it."""
    path = root / "LICENSE"
    if not path.is_file():
        raise AmalgamationError("%s is missing: the single header embeds it" % path)
    text = path.read_text(encoding="utf-8").strip("\n")
    return [("// " + line).rstrip() for line in text.splitlines()]


def amalgamate(root):
    include_dir = root / "include"
    version = read_version(include_dir)
    out = [
        "// SPDX-License-Identifier: MIT",
        "// profile-auth %s, single header. Generated by tools/amalgamate.py from include/:" % version,
        "// do not edit; change the headers under include/ and run `python3 tools/amalgamate.py`.",
        "//",
    ] + licence_lines(root) + [""]
    amalgamator = Amalgamator(include_dir)
    amalgamator.find_always(UMBRELLA)
    amalgamator.inline(UMBRELLA)
    return "\n".join(out + amalgamator.out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", metavar="PATH",
                        help="where to write (default: single_include/profile/auth.hpp)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the committed single header is stale")
    parser.add_argument("--root", metavar="DIR", default=str(ROOT),
                        help="the source tree (default: this script's repository)")
    args = parser.parse_args(argv)
    root = pathlib.Path(args.root).resolve()
    try:
        text = amalgamate(root)
    except (AmalgamationError, OSError) as e:
        print("amalgamate.py: error: %s" % e, file=sys.stderr)
        return 2
    committed = root / DEFAULT_OUTPUT
    if args.check:
        current = committed.read_bytes() if committed.is_file() else b""
        if current != text.encode("utf-8"):
            print("amalgamate.py: %s is stale: run `python3 tools/amalgamate.py`" % DEFAULT_OUTPUT,
                  file=sys.stderr)
            return 1
        print("amalgamate.py: %s is up to date" % DEFAULT_OUTPUT)
        return 0
    target = pathlib.Path(args.output) if args.output else committed
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("amalgamate.py: wrote %s" % target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
