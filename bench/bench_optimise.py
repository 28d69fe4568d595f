"""Benchmark of the optimiser (issue 3, item 6): synthetic councils of 50, 500, 5,000 and 20,000
options x 4 years; model build time (`prepare()`), solve time of each stage with CBC and HiGHS,
and whether the two solvers agree on u1, total unidentified savings and the objective (each
evaluated by `mtfs_align.evaluate.evaluate`, as every reported figure is).

A script, not a test. Run from the project folder:

    python bench/bench_optimise.py                            # 50, 500, 5000, 20000; both solvers
    python bench/bench_optimise.py --sizes 50,500,5000 --repeat 3
    python bench/bench_optimise.py --sizes 20000 --time-limit 600
    python bench/bench_optimise.py --json results.json         # also write every measurement

Each measurement is repeated (`--repeat`, default 2) on a freshly built problem and the lowest
time is reported, because other work on the machine makes timings noisy. The councils come from
`bench/synthetic.py` and are written as a real data folder and scenario in a temporary folder, so
the whole pipeline from `load_scenario` on is exercised.

Timing is instrumented here, not in the package: `solvers.run` is wrapped to time each of the
three stages, and PuLP's own work inside a solve (writing the MPS file and reading CBC's solution;
passing the model to HiGHS and reading it back) is timed by wrapping PuLP's methods, so "solver"
time is what is left: the CBC process or HiGHS's `run()`.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pulp  # noqa: E402
from synthetic import write_council  # noqa: E402

import mtfs_align.optimise as optimiser  # noqa: E402
from mtfs_align.errors import SolverError  # noqa: E402
from mtfs_align.evaluate import evaluate  # noqa: E402
from mtfs_align.model import build_model  # noqa: E402
from mtfs_align.optimise import arrays as problem_arrays  # noqa: E402
from mtfs_align.optimise import contradictions, solve, solvers  # noqa: E402
from mtfs_align.optimise import problem as problem_module
from mtfs_align.optimise.solvers import SolverSettings  # noqa: E402
from mtfs_align.scenario import load_scenario  # noqa: E402

STAGES = ("u1", "u_total", "harm")  # solved stages; "greedy" is the balanced plan that can skip u1 and u_total

# ---- instrumentation ------------------------------------------------------------------------
_clock: dict[str, float] = defaultdict(float)  # seconds spent in wrapped PuLP methods
_stages: list[dict] = []  # one entry per solvers.run call
_cbc_bounds: list[float | None] = []  # CBC's own lower bound of each solve, read from its log
_greedy: list[dict] = []  # one entry per balanced_plan call


def _cpu() -> float:
    """CPU seconds of this process (HiGHS runs in it) and of finished children (the CBC process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(owner, name: str, key: str) -> None:
    """Replace owner.name with a wrapper adding its run time to _clock[key]."""
    original = getattr(owner, name)
    if getattr(original, "_bench", False):
        return

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _clock[key] += time.perf_counter() - started

    wrapper._bench = True
    setattr(owner, name, wrapper)


def _instrument() -> None:
    _timed(pulp.LpProblem, "writeMPS", "write_mps")
    _timed(pulp.COIN_CMD, "readsol_MPS", "read_solution")
    _timed(pulp.COIN_CMD, "writesol", "write_start")
    # HiGHS and the commercial solvers are handed the problem's arrays (optimise/arrays.py)
    _timed(problem_arrays, "from_problem", "pass_model")
    _timed(problem_arrays, "write_back", "read_solution")
    original_gap = solvers._reported_gap
    if not getattr(original_gap, "_bench", False):

        def reported_gap(problem, settings, log_path):
            # CBC prints "Gap: 0.00" (two decimals) when it stops on time, so keep its lower bound too
            if settings.solver == "cbc" and log_path:
                with open(log_path, encoding="utf-8", errors="replace") as handle:
                    found = re.findall(r"Lower bound:\s*([0-9.eE+-]+)", handle.read())
                _cbc_bounds.append(float(found[-1]) if found else None)
            return original_gap(problem, settings, log_path)

        reported_gap._bench = True
        solvers._reported_gap = reported_gap
    original_greedy = optimiser.balanced_plan
    if not getattr(original_greedy, "_bench", False):

        def balanced_plan(sp):
            started = time.perf_counter()
            plan = original_greedy(sp)
            _greedy.append({"seconds": time.perf_counter() - started, "balanced": plan is not None})
            return plan

        balanced_plan._bench = True
        optimiser.balanced_plan = balanced_plan  # solve() looks the name up in its module
    original_run = solvers.run
    if getattr(original_run, "_bench", False):
        return

    def run(problem, settings, exact, warm=False):
        before = dict(_clock)
        cpu = _cpu()
        started = time.perf_counter()
        _cbc_bounds.clear()
        try:
            result = original_run(problem, settings, exact, warm=warm)
        except Exception:
            _stages.append(
                {
                    "seconds": time.perf_counter() - started,
                    "cpu_seconds": _cpu() - cpu,
                    "status": "error",
                    "exact": exact,
                    "objective": None,
                    "gap": None,
                    "reported_gap": None,
                    "pulp": {k: _clock[k] - before.get(k, 0.0) for k in _clock},
                }
            )
            raise
        pulp_side = {k: _clock[k] - before.get(k, 0.0) for k in _clock}
        gap = result.gap
        bound = _cbc_bounds[-1] if _cbc_bounds else None
        if bound is not None and result.objective:
            gap = abs(result.objective - bound) / max(abs(result.objective), 1e-9)
        _stages.append(
            {
                "seconds": result.seconds,
                "cpu_seconds": _cpu() - cpu,
                "status": result.status,
                "exact": exact,
                "objective": result.objective,
                "gap": gap,
                "reported_gap": result.gap,
                "pulp": pulp_side,
            }
        )
        return result

    run._bench = True
    solvers.run = run  # the optimiser calls solvers.run(...) through the module


# ---- one measurement ------------------------------------------------------------------------
def timed_prepare(model) -> tuple[object, dict]:
    """prepare() = the contradiction pre-check + build_problem; time both parts."""
    started = time.perf_counter()
    found = contradictions.precheck(model)
    checked = time.perf_counter()
    if found:
        raise SystemExit(f"synthetic council has contradictions: {found[:3]}")
    sp = problem_module.build_problem(model)
    built = time.perf_counter()
    return sp, {"precheck": checked - started, "build_problem": built - checked, "prepare": built - started}


def measure(model, solver: str, time_limit: float | None, threads: int | None = None) -> dict:
    sp, build = timed_prepare(model)
    _stages.clear()
    _greedy.clear()
    started = time.perf_counter()
    cpu = _cpu()
    settings = SolverSettings(solver=solver, time_limit=time_limit, threads=threads)
    try:
        solution = solve(sp, settings, build_seconds=build["prepare"])
    except SolverError as err:  # e.g. no plan within the time limit: report it, keep going
        solution, failure = None, str(err)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    stages = {}
    exact = [stage for stage in _stages if stage["exact"]]
    named = list(zip(STAGES[:2], exact, strict=False)) + [("harm", stage) for stage in _stages if not stage["exact"]]
    for name, stage in named:
        pulp_side = sum(stage["pulp"].values())
        stages[name] = {
            "seconds": stage["seconds"],
            "cpu_seconds": stage["cpu_seconds"],
            "pulp_seconds": pulp_side,
            "solver_seconds": stage["seconds"] - pulp_side,
            "status": stage["status"],
            "gap": stage["gap"],
            "reported_gap": stage["reported_gap"],
            "pulp": stage["pulp"],
        }
    harm_gap = stages.get("harm", {}).get("gap")
    greedy = _greedy[0] if _greedy else {"seconds": 0.0, "balanced": False}
    if solution is None:
        return {
            "solver": solver,
            **build,
            "solve": seconds,
            "solve_cpu": cpu,
            "stages": stages,
            "greedy": greedy,
            "status": "failed",
            "failure": failure,
            "reported_gap": None,
            "gap": None,
            "u1": None,
            "u_total": None,
            "objective": None,
            "solver_objective": None,
            "harm": None,
            "adopted": 0,
            "plan": {},
            "variables": len(sp.z),
            "rows": len(sp.problem.constraints()),
        }
    ev = evaluate(model, solution.plan)
    first = float(ev.budget["unidentified_k"].iloc[0])
    return {
        "solver": solver,
        **build,
        "solve": seconds,
        "solve_cpu": cpu,
        "stages": stages,
        "greedy": greedy,
        "status": solution.status,
        "reported_gap": solution.reported_gap,
        "gap": harm_gap,
        "u1": first,
        "u_total": float(ev.unidentified_k),
        "objective": float(ev.objective),
        "solver_objective": solution.objective,
        "harm": float(ev.harm),
        "adopted": len(solution.plan),
        "plan": solution.plan,
        "variables": len(sp.z),
        "rows": len(sp.problem.constraints()),
    }


def best_of(runs: list[dict]) -> dict:
    """The run with the lowest total (prepare + solve) time, with each timing at its minimum."""
    succeeded = [r for r in runs if r["status"] != "failed"] or runs
    best = dict(min(succeeded, key=lambda r: r["prepare"] + r["solve"]))
    for key in ("precheck", "build_problem", "prepare", "solve", "solve_cpu"):
        best[key] = min(r[key] for r in runs)
    best["stages"] = {
        name: {
            **best["stages"][name],
            **{
                k: min(r["stages"][name][k] for r in runs if name in r["stages"])
                for k in ("seconds", "cpu_seconds", "pulp_seconds", "solver_seconds")
            },
        }
        for name in best["stages"]
    }
    best["repeats"] = len(runs)
    best["all_solve"] = [round(r["solve"], 3) for r in runs]
    best["all_prepare"] = [round(r["prepare"], 3) for r in runs]
    return best


def agreement(results: dict[str, dict], mip_gap: float) -> dict:
    """Do the solvers agree (u1 and total within the DESIGN 4.4 tolerance, objective within the gap)?"""
    if len(results) < 2 or any(r["objective"] is None for r in results.values()):
        return {}
    a, b = list(results.values())[:2]
    tol = lambda v: max(0.01, 1e-6 * abs(v))  # noqa: E731  DESIGN 4.4
    objective_diff = a["objective"] - b["objective"]
    rel = abs(objective_diff) / max(abs(a["objective"]), abs(b["objective"]), 1e-9)
    return {
        "u1": abs(a["u1"] - b["u1"]) <= tol(max(a["u1"], b["u1"])),
        "u_total": abs(a["u_total"] - b["u_total"]) <= tol(max(a["u_total"], b["u_total"])),
        "objective": rel <= mip_gap + 1e-9,
        "objective_rel_diff": rel,
        "lower": a["solver"] if objective_diff < 0 else b["solver"] if objective_diff > 0 else "same",
        "same_plan": a["plan"] == b["plan"],
    }


def machine() -> dict:
    import importlib.metadata as md
    import os
    import subprocess

    def version(name: str) -> str:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "-"

    try:
        cbc = subprocess.run(
            [pulp.COIN_CMD(path=solvers._cbc_path()).path, "-quit"], capture_output=True, text=True, timeout=20
        ).stdout
        cbc_version = next(
            (line.split(":", 1)[1].strip() for line in cbc.splitlines() if line.startswith("Version")), "?"
        )
    except Exception:  # noqa: BLE001  only for the report
        cbc_version = "?"
    return {
        "python": platform.python_version(),
        "pulp": version("pulp"),
        "highspy": version("highspy"),
        "cbc": cbc_version,
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the optimiser on synthetic councils.")
    parser.add_argument("--sizes", default="50,500,5000,20000", help="option counts, comma-separated")
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solvers", default="cbc,highs")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds for each optimisation (all three stages), as --time-limit of the CLI",
    )
    parser.add_argument("--threads", type=int, default=None, help="solver threads (default: the solver's own)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the lowest is reported")
    parser.add_argument("--json", type=Path, default=None, help="write every measurement here")
    args = parser.parse_args()
    _instrument()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    names = [s for s in args.solvers.split(",") if s]
    info = machine()
    print(
        f"python {info['python']}, pulp {info['pulp']}, highspy {info['highspy']}, cbc {info['cbc']}, "
        f"{info['nproc']} cpus; time limit {args.time_limit or 'none'}; best of {args.repeat}",
        flush=True,
    )
    report = {"machine": info, "args": vars(args) | {"json": str(args.json)}, "sizes": []}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="mtfs_bench_") as tmp:
            started = time.perf_counter()
            path = write_council(tmp, options=size, years=args.years, seed=args.seed)
            written = time.perf_counter()
            scenario = load_scenario(path)
            loaded = time.perf_counter()
            model = build_model(scenario)
            modelled = time.perf_counter()
        entry = {
            "options": size,
            "write": written - started,
            "load_scenario": loaded - written,
            "build_model": modelled - loaded,
            "results": {},
        }
        print(
            f"\n{size} options x {args.years} years: written {entry['write']:.2f} s, load_scenario "
            f"{entry['load_scenario']:.2f} s, build_model {entry['build_model']:.2f} s",
            flush=True,
        )
        for name in names:
            runs = []
            for _ in range(args.repeat):
                runs.append(measure(model, name, args.time_limit, args.threads))
                r = runs[-1]
                stage_text = ", ".join(
                    [f"greedy {r['greedy']['seconds']:.2f}"]
                    + [f"{k} {v['seconds']:.2f}" for k, v in r["stages"].items()]
                )
                gap = "-" if r["gap"] is None else f"{r['gap']:.1e}"
                result = (
                    f"{r['failure']}"
                    if r["status"] == "failed"
                    else f"u1 {r['u1']:.3f}, u {r['u_total']:.3f}, objective {r['objective']:.6f}"
                )
                print(
                    f"  {name:5s} prepare {r['prepare']:.2f} s (precheck {r['precheck']:.2f}, "
                    f"build {r['build_problem']:.2f}); "
                    f"solve {r['solve']:.2f} s, cpu {r['solve_cpu']:.2f} s [{stage_text}] {r['status']}, gap {gap}; "
                    f"{result}",
                    flush=True,
                )
            entry["results"][name] = best_of(runs)
        entry["agreement"] = agreement(entry["results"], 1e-4)
        if entry["agreement"]:
            print(f"  agreement: {entry['agreement']}", flush=True)
        for result in entry["results"].values():
            result.pop("plan", None)
        report["sizes"].append(entry)
        if args.json:
            args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    print()
    print(markdown_table(report))


def markdown_table(report: dict) -> str:
    lines = [
        "| options | solver | start vars | rows | prepare s (precheck + build) | greedy s | stage 1 s "
        "| stage 2 s | stage 3 s | solve s | solve CPU s | of which PuLP s | prepare / solve | status | gap "
        "| u1 £k | total u £k | objective |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for entry in report["sizes"]:
        for name, r in entry["results"].items():
            st = r["stages"]
            pulp_side = sum(v["pulp_seconds"] for v in st.values())
            cell = {k: f"{st[k]['seconds']:.2f}" if k in st else "-" for k in STAGES}
            greedy = r.get("greedy", {"seconds": 0.0, "balanced": False})
            cell["greedy"] = f"{greedy['seconds']:.2f} ({'balanced' if greedy['balanced'] else 'no'})"
            lines.append(
                f"| {entry['options']:,} | {name} | {r['variables']:,} | {r['rows']:,} | {r['prepare']:.2f} "
                f"({r['precheck']:.2f} + {r['build_problem']:.2f}) | {cell['greedy']} | {cell['u1']} "
                f"| {cell['u_total']} | {cell['harm']} "
                f"| {r['solve']:.2f} | {r['solve_cpu']:.2f} | {pulp_side:.2f} | {r['prepare'] / r['solve']:.0%} "
                f"| {r['status']} | {'-' if r['gap'] is None else format(r['gap'], '.1e')} "
                + (
                    "| - | - | - |"
                    if r["objective"] is None
                    else f"| {r['u1']:.3f} | {r['u_total']:.3f} | {r['objective']:.4f} |"
                )
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
