#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Extracts every ```cpp block of README.md into its own .cpp file so the test script compiles them.
"""Usage: readme_snippets.py OUTDIR  -> writes OUTDIR/readme_<n>.cpp, prints the file names."""
import pathlib
import re
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(__file__).resolve().parent.parent
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    text = (root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```cpp\n(.*?)```", text, re.S)
    if not blocks:
        print("readme_snippets.py: README.md has no ```cpp block", file=sys.stderr)
        return 1
    for i, block in enumerate(blocks):
        path = out / f"readme_{i}.cpp"
        path.write_text(f"// extracted from README.md, block {i}\n{block}", encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
