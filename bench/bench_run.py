"""Time `mtfs-align run` on the bundled example (issue 5 target: at most 60 s on two cores).

    python bench/bench_run.py [--repeats 3]

Runs the whole job into a temporary folder and prints the wall time of each run and the time of
each stage as recorded in manifest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    best = None
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "run"
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "mtfs_align", "run", "--quiet", "--out", str(out)],
                check=False,
                stdout=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - began
            timings = json.loads((out / "manifest.json").read_text())["timings"]
        best = seconds if best is None else min(best, seconds)
        stages = ", ".join(f"{name} {value:.1f}" for name, value in timings.items())
        print(f"run {repeat + 1}: {seconds:.1f} s ({stages})")
    print(f"best of {args.repeats}: {best:.1f} s (target: at most 60 s)")


if __name__ == "__main__":
    main()
