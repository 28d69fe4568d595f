"""Benchmark of planning for delivery risk (DESIGN 4.6, issue 9 item 6): the bundled Westshire
central case planned on risk with K = 500 draws, and a 500-option synthetic council with K = 200,
timed stage by stage (stage 1: least CVaR of the first year; stage 2: least sum of CVaR; stage 3:
least harm), with the model's size, and the machine and its load.

    python bench/bench_risk_plan.py [--case westshire|synthetic|both] [--draws K] [--solver highs]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def _machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def _timed_stages():
    """Wrap the risk problem's stage solves to time each stage (wall and this process's CPU)."""
    from mtfs_align.optimise import risk_plan

    stages = []

    def timed(method):
        def run(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            result = method(*args, **kwargs)
            stages.append((time.perf_counter() - wall, time.process_time() - cpu))
            return result

        return run

    risk_plan.RiskProblem._solve_first_year = timed(risk_plan.RiskProblem._solve_first_year)
    risk_plan.RiskProblem._solve = timed(risk_plan.RiskProblem._solve)
    return stages


def plan(scenario: Path, draws: int, solver: str) -> None:
    from mtfs_align.model import build_model
    from mtfs_align.optimise import prepare, solve_for_risk
    from mtfs_align.optimise.risk_plan import build_risk_problem
    from mtfs_align.optimise.solvers import SolverSettings
    from mtfs_align.scenario import load_scenario

    sc = load_scenario(scenario)
    sc = dataclasses.replace(sc, policy=dataclasses.replace(sc.policy, plan_on="risk", risk_draws=draws))
    model = build_model(sc)
    stages = _timed_stages()
    began, cpu = time.perf_counter(), time.process_time()
    sp = prepare(model)
    rp = build_risk_problem(sp, draws, 20210401, sc.policy.confidence)
    built = time.perf_counter() - began
    found = solve_for_risk(sp, SolverSettings(solver=solver), 20210401, began, rp=rp)
    total, total_cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"{sc.name}: {len(model.option_ids)} options, {len(sp.z)} start variables, {model.n} years, "
        f"K = {draws}, confidence {sc.policy.confidence:g}, solver {solver}"
    )
    print(
        f"  model: {rp.base_rows.shape[0]:,} rows, {rp.base_rows.shape[1]:,} columns, {rp.base_rows.nnz:,} "
        f"non-zeros; built in {built:.2f} s (4.4 problem and the per-draw rows)"
    )
    for name, (seconds, cpu_seconds) in zip(("stage 1", "stage 2", "stage 3"), stages, strict=False):
        print(f"  {name}: {seconds:.2f} s ({cpu_seconds:.2f} s of CPU)")
    print(
        f"  total {total:.2f} s ({total_cpu:.2f} s of CPU); {found.status}; "
        f"CVaR year 1 £{found.risk.stage1_cvar_k:,.1f}k, sum £{found.risk.cvar_sum_k:,.1f}k, "
        f"harm objective {found.objective:.4f}, {len(found.plan)} options"
    )
    print(f"  machine: {_machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["westshire", "synthetic", "both"], default="both")
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--options", type=int, default=500)
    parser.add_argument("--solver", default="highs")
    args = parser.parse_args()
    if args.case in ("westshire", "both"):
        plan(REPO / "scenarios" / "central.yaml", args.draws or 500, args.solver)
    if args.case in ("synthetic", "both"):
        from synthetic import write_council

        with tempfile.TemporaryDirectory() as folder:
            plan(write_council(folder, options=args.options, seed=0), args.draws or 200, args.solver)


if __name__ == "__main__":
    main()
