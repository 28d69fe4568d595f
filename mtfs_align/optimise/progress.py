"""How far a solver's search got when it ended, and the report of a search the time limit stopped
(issue 13 item 6): what it proved, the bound, and what limited it, for the terminal and manifest."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Progress:
    """What a HiGHS search proved when it ended: the best plan's value, the bound no plan can beat
    (both with the objective's constant), the branch-and-bound nodes and the simplex iterations."""

    bound: float | None
    nodes: int
    lp_iterations: int
    solver_seconds: float


def stop_report(stage: str, result, seconds: float) -> dict:
    """What a search that ended at the time limit had proved, for the terminal and the manifest:
    the stage it was in ("unidentified savings", the first two, or "harm"), the value of the plan
    it had (a solvers.SolveResult), the bound no plan can beat, their gap, nodes and simplex
    iterations (where the solver says)."""
    progress = result.progress if result is not None else None
    value = None if result is None or result.objective is None else float(result.objective)
    bound = None if progress is None else progress.bound
    gap = None
    if value is not None and bound is not None:
        gap = max(0.0, value - bound) / max(abs(value), 1e-9)
    return {
        "stage": stage,
        "plan_value": None if value is None else round(value, 6),
        "bound": None if bound is None else round(bound, 6),
        "gap": None if gap is None else round(gap, 9),
        "nodes": None if progress is None else progress.nodes,
        "lp_iterations": None if progress is None else progress.lp_iterations,
        "seconds": round(seconds, 3),
    }
