"""Time `mtfs-align batch` on 1 and 2 local workers, and predict a national run (issue 13 item 4).

    nice -n -20 python bench/bench_batch.py [--copies 2] [--points 11 --draws 10000 --samples 100]

The batch is the bundled scenarios, each `--copies` times (4 x 2 = 8 scenarios, named central,
central-2, ...), run three ways into temporary folders: serially (`--workers 1`), on two local
processes (`--workers 2`) and on a Dask LocalCluster of two single-threaded worker processes
(`--scheduler`). It prints the wall time of each, the speed-up, whether the three wrote the same
files (manifest times and batch.csv's seconds aside), and `uptime` before and after.

Then it measures the scheduler's overhead per task (trivial tasks on the same LocalCluster) and
simulates a national run: 150 councils' scenarios, with the measured serial seconds per scenario
(cycled in order), each worker taking the next scenario as it finishes one (what Dask does for
independent tasks of unknown length), plus the overhead per task and the fixed cost of starting
workers (the --workers 2 wall time less the simulated time of its own scenarios on 2 workers).
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def files(folder: Path) -> dict[str, bytes]:
    """A batch folder's files, without what varies between runs (times)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("seconds", None)
            manifest.pop("timings", None)
            data = json.dumps(manifest, sort_keys=True).encode()
        elif name == "batch.csv":
            data = b"\n".join(line.rsplit(b",", 1)[0] for line in data.splitlines())
        found[name] = data
    return found


def batch(list_file: Path, out: Path, flags: list[str], extra: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mtfs_align", "batch", "--list", str(list_file), "--out", str(out), "--quiet"]
        + flags
        + extra,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"batch {' '.join(extra)} exited {done.returncode}")
    return seconds


def seconds_per_scenario(out: Path) -> list[float]:
    with open(out / "batch.csv", encoding="utf-8") as handle:
        return [float(row["seconds"]) for row in csv.DictReader(handle)]


def overhead_per_task(address: str, tasks: int = 200) -> float:
    """Seconds the scheduler adds to each task: trivial tasks submitted and gathered."""
    from distributed import Client

    with Client(address) as client:
        client.gather(client.map(abs, range(-10, 0), pure=False))  # warm
        began = time.perf_counter()
        client.gather(client.map(abs, range(-tasks, 0), pure=False))
        return (time.perf_counter() - began) / tasks


def predicted(times: list[float], councils: int, workers: int, overhead: float, start_up: float) -> float:
    """The end of a run of `councils` scenarios (times cycled) on `workers`: each worker takes the
    next scenario when it finishes one; every task costs `overhead` more, every worker `start_up`."""
    free = [start_up] * workers
    heapq.heapify(free)
    for n in range(councils):
        heapq.heappush(free, heapq.heappop(free) + times[n % len(times)] + overhead)
    return max(free)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="each bundled scenario this many times")
    parser.add_argument("--points", default="11")
    parser.add_argument("--draws", default="10000")
    parser.add_argument("--samples", default="100")
    parser.add_argument("--councils", type=int, default=150)
    args = parser.parse_args()
    flags = ["--points", args.points, "--draws", args.draws, "--samples", args.samples]
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}")
    print(f"before: {uptime()}")
    scenarios = sorted((ROOT / "scenarios").glob("*.yaml")) * args.copies
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        list_file = tmp / "councils.txt"
        list_file.write_text("".join(f"{path}\n" for path in scenarios), encoding="utf-8")
        print(f"{len(scenarios)} scenarios, {' '.join(flags)}")
        walls = {}
        walls["serial"] = batch(list_file, tmp / "serial", flags, ["--workers", "1"])
        print(f"serial: {walls['serial']:.1f} s")
        walls["--workers 2"] = batch(list_file, tmp / "workers", flags, ["--workers", "2"])
        print(f"--workers 2: {walls['--workers 2']:.1f} s")
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            address = cluster.scheduler_address
            walls["LocalCluster 2"] = batch(list_file, tmp / "cluster", flags, ["--scheduler", address])
            print(f"LocalCluster, 2 workers: {walls['LocalCluster 2']:.1f} s")
            overhead = overhead_per_task(address)
        print(f"after: {uptime()}")
        same = files(tmp / "serial") == files(tmp / "workers") == files(tmp / "cluster")
        print(f"same files in all three: {'yes' if same else 'NO'}")
        times = seconds_per_scenario(tmp / "serial")
        worker_times = seconds_per_scenario(tmp / "workers")
    print()
    print("| run | wall s | speed-up |")
    print("|---|---:|---:|")
    for name, wall in walls.items():
        print(f"| {name} | {wall:.1f} | {walls['serial'] / wall:.2f} |")
    mean = sum(times) / len(times)
    # the fixed cost of a run on workers (starting the processes, importing the package): the
    # --workers 2 wall time less the simulated time of its scenarios on 2 workers
    start_up = max(0.0, walls["--workers 2"] - predicted(worker_times, len(worker_times), 2, 0.0, 0.0))
    print()
    print(
        f"seconds per scenario (serial): mean {mean:.1f}, min {min(times):.1f}, max {max(times):.1f}; "
        f"scheduler overhead per task {overhead * 1000:.1f} ms; starting workers {start_up:.1f} s"
    )
    print()
    print(f"Predicted wall time for {args.councils} councils (one scenario each), each worker a core of its own:")
    print("| workers | predicted minutes | speed-up | efficiency |")
    print("|---:|---:|---:|---:|")
    one = predicted(times, args.councils, 1, overhead, start_up)
    for workers in (1, 2, 4, 8, 16, 32, 64):
        t = predicted(times, args.councils, workers, overhead, start_up)
        print(f"| {workers} | {t / 60:.1f} | {one / t:.1f} | {one / t / workers:.0%} |")


if __name__ == "__main__":
    main()
