"""`python -m tests.golden [CASE ...]`: record the golden outputs again (all cases, or those named)."""

from __future__ import annotations

import sys

from . import CASES, refresh


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"Unknown case(s): {', '.join(unknown)}. Cases: {', '.join(CASES)}", file=sys.stderr)
        return 2
    for name in names or list(CASES):
        files = refresh(CASES[name])
        print(f"{name}: {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if a != "refresh"]))
