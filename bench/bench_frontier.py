"""Benchmark of the frontier (issue 4, item 1): at 500 options over 4 years, an 11-point frontier
should cost at most 4x one optimisation (build and the three stages).

    python bench/bench_frontier.py                        # 500 options, seed 0, CBC, --vary gap
    python bench/bench_frontier.py --vary reserves --seed 1 --solver highs
    python bench/bench_frontier.py --independent          # also optimise every point afresh
    python bench/bench_frontier.py --proof-floor          # also prove each point from its own optimum

The council is `bench/synthetic.py`'s (the optimiser benchmark's): a hidden reference plan of
about 85% of the options sets the gap, so at scale 1 every year balances only with most options.

It prints, with each figure measured on this machine:
- one optimisation: `optimise(model)` at the scenario as it is (build + stages 1, 2, 3);
- the frontier: `frontier(model, ...)` (one build, then every point), with each point's time,
  number of solves and whether stages 1 and 2 were skipped;
- with `--independent`: `optimise()` of a freshly scaled model at every point, the cost of the
  frontier without re-solving (and a check that both reach the same stage-1 and stage-2 optima and
  objectives within the MIP gap);
- with `--proof-floor`: each point's harm stage solved again, under that point's stage bounds,
  starting from the point's own optimal plan. No starting plan can be better, so this is what the
  harm stages cost when only the proof is left: a floor for any way of finding good plans sooner
  (greedy plans, neighbouring points' plans) with this solver.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_council  # noqa: E402

LIMIT = 4.0  # the bound: frontier time / one optimisation


def main(argv: list[str] | None = None) -> int:
    from mtfs_align.analysis.frontier import DEFAULT_RANGE, frontier, scaled_model
    from mtfs_align.evaluate import evaluate
    from mtfs_align.model import build_model
    from mtfs_align.optimise import optimise
    from mtfs_align.optimise.solvers import SolverSettings
    from mtfs_align.scenario import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0, help="synthetic council's seed")
    parser.add_argument("--solver", default="highs", choices=["cbc", "highs"])
    parser.add_argument("--mip-gap", type=float, default=1e-4)
    parser.add_argument("--vary", default="gap", choices=["gap", "reserves"])
    parser.add_argument("--points", type=int, default=11)
    parser.add_argument("--independent", action="store_true", help="also optimise each point afresh")
    parser.add_argument("--proof-floor", action="store_true", help="also prove each point from its own optimum")
    args = parser.parse_args(argv)
    settings = SolverSettings(solver=args.solver, mip_gap=args.mip_gap)
    start, stop = DEFAULT_RANGE[args.vary]

    with tempfile.TemporaryDirectory() as tmp:
        model = build_model(load_scenario(write_council(Path(tmp), options=args.options, seed=args.seed)))
    print(
        f"synthetic council: {args.options} options x {model.n} years (seed {args.seed}), solver {args.solver}, "
        f"mip gap {args.mip_gap:g}; --vary {args.vary} {start:g} to {stop:g}, {args.points} points"
    )

    began = time.perf_counter()
    solution = optimise(model, settings)
    single = time.perf_counter() - began
    print(f"one optimisation (build + 3 stages): {single:.2f} s")

    began = time.perf_counter()
    result = frontier(model, settings, vary=args.vary, start=start, stop=stop, points=args.points)
    whole = time.perf_counter() - began
    print(
        f"frontier: {whole:.2f} s = {whole / single:.1f} x one optimisation (build {result.build_seconds:.2f} s); "
        f"{result.solves} solves, stages 1-2 skipped at {result.skipped_balance_stages} of {args.points} points"
    )
    print(f"  {'scale':>6} {'seconds':>8} {'solves':>6} {'skipped':>8} {'u1*':>10} {'sum u*':>12} {'objective':>11}")
    for p in result.points:
        print(
            f"  {p.scale:>6.2f} {p.seconds:>8.2f} {p.solves:>6} {'yes' if p.balance_stages_skipped else 'no':>8} "
            f"{p.unidentified_first_year:>10.1f} {p.unidentified_total:>12.1f} {p.evaluation.objective:>11.4f}"
        )
    same = abs(evaluate(model, solution.plan).objective - result.current.evaluation.objective)
    print(f"  at scale 1 the frontier's objective is within {same:.2g} of optimise()'s")

    if args.independent:
        total = 0.0
        print("independent optimise() at every point:")
        for p in result.points:
            scaled = scaled_model(model, args.vary, p.scale)
            began = time.perf_counter()
            alone = optimise(scaled, settings)
            seconds = time.perf_counter() - began
            total += seconds
            objective = evaluate(scaled, alone.plan).objective
            agree = (
                abs(alone.unidentified_first_year - p.unidentified_first_year) <= 0.01
                and abs(alone.unidentified_total - p.unidentified_total) <= max(0.01, 1e-6 * p.unidentified_total)
                and abs(objective - p.evaluation.objective) <= 2 * args.mip_gap * max(1.0, abs(objective))
            )
            verdict = "agrees" if agree else "DIFFERS"
            print(f"  {p.scale:>6.2f} {seconds:>8.2f} s  objective {objective:>11.4f}  {verdict}")
        print(
            f"independent total: {total:.2f} s = {total / single:.1f} x one optimisation; "
            f"the frontier took {whole / total:.2f} of that"
        )

    if args.proof_floor:
        proof_floor(result, settings, single)

    ok = whole <= LIMIT * single
    print(f"{'PASS' if ok else 'FAIL'}: the frontier cost {whole / single:.1f} x one optimisation (bound {LIMIT:g} x)")
    return 0 if ok else 1


def proof_floor(result, settings, single: float) -> None:
    """Re-solve every point's harm stage from that point's optimum (see the module's docstring)."""
    from mtfs_align.optimise import bound_first_year, bound_horizon, release_stage_bounds, solve_harm_stage

    sp = result.problem
    rescale = sp.scale_gap if result.vary == "gap" else sp.scale_reserves
    total = hardest = 0.0
    print("harm stage of every point, started from its own optimal plan (proof only):")
    for p in result.points:
        rescale(p.scale)
        release_stage_bounds(sp)
        bound_first_year(sp, p.unidentified_first_year)
        bound_horizon(sp, p.unidentified_total)
        sp.set_start_values(p.plan)
        budget = p.evaluation.budget
        for column, variables in (
            ("reserves_draw_k", sp.draw),
            ("reserves_paid_k", sp.pay),
            ("unidentified_k", sp.unidentified),
        ):
            for var, value in zip(variables, budget[column].to_numpy(), strict=True):
                var.setInitialValue(float(value))
        began = time.perf_counter()
        third = solve_harm_stage(sp, settings, began)
        seconds = time.perf_counter() - began
        total += seconds
        hardest = max(hardest, seconds)
        print(
            f"  {p.scale:>6.2f} {seconds:>8.2f} s  objective {third.objective:>11.4f} "
            f"(frontier {p.evaluation.objective:.4f})"
        )
    rescale(1.0)
    print(
        f"proof only: {total:.2f} s in all = {total / single:.1f} x one optimisation; the hardest point alone "
        f"{hardest:.2f} s = {hardest / single:.1f} x"
    )


if __name__ == "__main__":
    sys.exit(main())
