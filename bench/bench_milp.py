"""`optimise` against a direct HiGHS solve of the same three stages with scipy.optimize.milp (issue 13,
item 1), side by side in one run on the synthetic councils of `synthetic.py`.

A script, not a test. Run from the project folder:

    python bench/bench_milp.py                           # 2,000 and 5,000 options, seed 0, once each
    python bench/bench_milp.py --sizes 2000 --repeat 2   # each pair twice, the order swapped
    python bench/bench_milp.py --json /tmp/milp.json

**optimise** is `mtfs_align.optimise.optimise(model)` with the default settings, timed whole: the
contradiction pre-check, building the problem, the greedy balanced plan, and every solve.

**milp** is the textbook way to solve DESIGN 4.4 with the same solver: the problem as built by
`problem.build_problem` (its rows read here, in this script, from the PuLP problem), and three
`scipy.optimize.milp` calls, HiGHS with its defaults: least first-year unidentified savings (gap 0),
least total (gap 0) with the first result kept to DESIGN 4.4's tolerance, then least harm plus the
reserves penalty with both kept (gap 1e-4). Only the three calls are timed, not the build.

Both plans are evaluated by `mtfs_align.evaluate.evaluate`; the script says whether they agree (u1
and the total within the tolerance, the objectives within the gap). The pairs alternate which goes
first, and the load average is printed before and after each, because the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pulp  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: E402
from synthetic import write_council  # noqa: E402

from mtfs_align.evaluate import evaluate  # noqa: E402
from mtfs_align.model import build_model  # noqa: E402
from mtfs_align.optimise import harm_objective, optimise, prepare, tolerance  # noqa: E402
from mtfs_align.scenario import load_scenario  # noqa: E402


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def read_rows(sp):
    """The problem's variables, rows and bounds as scipy arrays (independent of the package's own
    reader in optimise/arrays.py)."""
    variables = sp.problem.variables()
    column = {v.name: i for i, v in enumerate(variables)}
    rows, cols, data, lower, upper = [], [], [], [], []
    for r, constraint in enumerate(sp.problem.constraints()):
        for var, coefficient in constraint.items():
            rows.append(r)
            cols.append(column[var.name])
            data.append(coefficient)
        rhs = -constraint.constant
        lower.append(-np.inf if constraint.sense == pulp.LpConstraintLE else rhs)
        upper.append(np.inf if constraint.sense == pulp.LpConstraintGE else rhs)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(lower), len(variables)))
    low = np.array([-np.inf if v.lowBound is None else v.lowBound for v in variables], float)
    up = np.array([np.inf if v.upBound is None else v.upBound for v in variables], float)
    integer = np.array([v.cat == pulp.LpInteger for v in variables], dtype=int)
    return variables, column, LinearConstraint(matrix, lower, upper), Bounds(low, up), integer


def direct_milp(model, mip_gap: float = 1e-4) -> dict:
    sp = prepare(model)
    variables, column, rows, bounds, integer = read_rows(sp)
    count = len(variables)
    first = np.zeros(count)
    first[column[sp.unidentified[0].name]] = 1.0
    total = np.zeros(count)
    total[[column[u.name] for u in sp.unidentified]] = 1.0
    harm = np.zeros(count)
    for var, coefficient in harm_objective(sp).items():
        harm[column[var.name]] += coefficient
    constraints, stages = [rows], []
    started = _clock()
    for cost, gap in ((first, 0.0), (total, 0.0), (harm, mip_gap)):
        begun = _clock()
        result = milp(cost, constraints=constraints, integrality=integer, bounds=bounds, options={"mip_rel_gap": gap})
        wall, cpu = _since(begun)
        if result.x is None:
            raise SystemExit(f"milp found no solution: {result.message}")
        stages.append({"wall": wall, "cpu": cpu, "objective": float(result.fun), "gap": result.mip_gap})
        best = max(0.0, float(result.fun))
        constraints = [*constraints, LinearConstraint(cost[None, :], -np.inf, best + tolerance(best))]
    wall, cpu = _since(started)
    x = result.x
    plan = {
        model.option_ids[o]: int(s)
        for var, o, s in zip(sp.z, sp.pairs_option, sp.pairs_start, strict=True)
        if x[column[var.name]] > 0.5
    }
    return {"wall": wall, "cpu": cpu, "stages": stages, "plan": plan}


def ours(model) -> dict:
    started = _clock()
    solution = optimise(model)
    wall, cpu = _since(started)
    return {"wall": wall, "cpu": cpu, "status": solution.status, "gap": solution.reported_gap, "plan": solution.plan}


def _figures(model, run: dict) -> dict:
    ev = evaluate(model, run.pop("plan"))
    return run | {
        "u1": float(ev.budget["unidentified_k"].iloc[0]),
        "u_total": float(ev.unidentified_k),
        "objective": float(ev.objective),
        "adopted": len(ev.plan),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="optimise against a direct scipy milp solve of the three stages.")
    parser.add_argument("--sizes", default="2000,5000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=1, help="pairs per size (the order alternates)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--started-by", action="store_true", help="give HiGHS the plan model in started-by-year variables"
    )
    args = parser.parse_args()
    if args.started_by:
        from mtfs_align.optimise import solvers

        solvers.STARTED_BY = True
    import importlib.metadata

    import scipy

    info = {
        "python": platform.python_version(),
        "scipy": scipy.__version__,
        "highspy": importlib.metadata.version("highspy"),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "started_by": args.started_by,
    }
    print(info, flush=True)
    report = {"machine": info, "runs": []}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        with tempfile.TemporaryDirectory(prefix="mtfs_milp_") as tmp:
            model = build_model(load_scenario(write_council(tmp, options=size, years=args.years, seed=args.seed)))
        for r in range(args.repeat):
            pair = {}
            for name in ("optimise", "milp") if r % 2 == 0 else ("milp", "optimise"):
                load = os.getloadavg()[0]
                run = ours(model) if name == "optimise" else direct_milp(model)
                pair[name] = _figures(model, run) | {"load_before": load, "load_after": os.getloadavg()[0]}
                figures = pair[name]
                print(
                    f"{size:>6,} options {name:8s} {figures['wall']:8.2f} s wall, {figures['cpu']:8.2f} s CPU; "
                    f"u1 {figures['u1']:.3f}, u {figures['u_total']:.3f}, objective {figures['objective']:.6f}; "
                    f"load {figures['load_before']:.1f} -> {figures['load_after']:.1f}",
                    flush=True,
                )
                if name == "milp":
                    stages = ", ".join(f"{s['wall']:.2f} s ({s['cpu']:.2f} CPU)" for s in figures["stages"])
                    print(f"{'':>15}milp stages: {stages}", flush=True)
            a, b = pair["optimise"], pair["milp"]
            same = abs(a["objective"] - b["objective"]) <= 1e-4 * max(abs(a["objective"]), abs(b["objective"]))
            ratio = a["wall"] / b["wall"]
            print(
                f"{size:>6,} options ratio optimise / milp: {ratio:.2f} wall, {a['cpu'] / b['cpu']:.2f} CPU; "
                f"objectives {'agree within the gap' if same else 'DIFFER'} "
                f"({a['objective'] - b['objective']:+.6f})",
                flush=True,
            )
            report["runs"].append({"options": size, "seed": args.seed, **pair, "ratio_wall": ratio})
            if args.json:
                args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
