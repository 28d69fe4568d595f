"""The savings-harm frontier of DESIGN 4.5: the optimum re-solved while the gap (or the reserves
available, or the confidence planned for) is scaled, each point's figures from evaluating its plan.

Every point is solved on its own, exactly as the scaled scenario would be optimised
(analysis/frontier_points.py): its answer depends on its scale alone, so the points can be solved
one after another or side by side (`workers`, `scheduler`: mtfs_align.parallel) with the same
results, file for file. A process builds the problem once and re-uses it for each point it solves,
changing only right-hand sides; when the greedy balanced plan leaves nothing unidentified at a
point, stages 1 and 2 are known to be 0 there without solving (as in `optimise`).
"""

from __future__ import annotations

import dataclasses
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtfs_align.analysis import frontier_points
from mtfs_align.analysis.frontier_points import FrontierPoint, PointTask, scaled_model, solve_point
from mtfs_align.defaults import FRONTIER_RANGE as DEFAULT_RANGE
from mtfs_align.defaults import LIMITS
from mtfs_align.defaults import POINTS as DEFAULT_POINTS
from mtfs_align.defaults import SEED as DEFAULT_SEED
from mtfs_align.defaults import WORKERS as DEFAULT_WORKERS
from mtfs_align.errors import InputError, Problem
from mtfs_align.model import Model, build_model
from mtfs_align.optimise import prepare
from mtfs_align.optimise.problem import SavingsProblem
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.parallel import run_tasks
from mtfs_align.scenario import CONFIDENCE_RANGE

__all__ = ["FrontierPoint", "FrontierResult", "frontier", "frontier_table", "scaled_model"]

VARY = ("gap", "reserves", "confidence")
COLUMNS = ["point", "scale", "savings_k", "harm", "unidentified_k", "reserves_draw_k"]

Progress = Callable[[int], None]


@dataclass
class FrontierResult:
    vary: str
    points: list[FrontierPoint]  # in order of scale
    table: pd.DataFrame  # frontier.csv
    current: FrontierPoint  # the scenario as it is (scale 1), on the frontier or solved beside it
    solver: str
    mip_gap: float
    build_seconds: float
    solve_seconds: float
    problem: SavingsProblem = field(repr=False)  # the built problem, back at scale 1

    @property
    def solves(self) -> int:
        return sum(p.solves for p in self.points)

    @property
    def skipped_balance_stages(self) -> int:
        return sum(p.balance_stages_skipped for p in self.points)

    @property
    def status(self) -> str:
        return "time_limit" if any(p.status != "optimal" for p in self.points) else "optimal"


def resolve_range(vary: str, start: float | None, stop: float | None) -> tuple[float, float]:
    """--from and --to, each defaulting to DESIGN 4.5's range for what is varied."""
    low, high = DEFAULT_RANGE.get(vary, (0.0, 0.0))
    return (low if start is None else float(start)), (high if stop is None else float(stop))


def check_range(vary: str, start: float, stop: float, points: int) -> None:
    """Bad flag values are bad input (exit 2), each named with how to fix it."""
    problems = range_problems(vary, start, stop, points)
    if problems:
        raise InputError(problems)


def range_problems(vary: str, start: float, stop: float, points: int) -> list[Problem]:
    """What is wrong with --vary, --from, --to and --points (empty when nothing is)."""
    problems = []
    if vary not in VARY:
        problems.append(
            Problem(
                "",
                "",
                "--vary",
                f"'{vary}' is not something the frontier can vary",
                "use --vary gap, --vary reserves or --vary confidence",
            )
        )
    if points < 2:
        problems.append(
            Problem(
                "", "", "--points", f"{points} is too few points for a frontier", "give at least 2, e.g. --points 11"
            )
        )
    elif points > LIMITS["points"][1]:
        most = LIMITS["points"][1]
        problems.append(
            Problem(
                "",
                "",
                "--points",
                f"{points} points is more than a frontier needs",
                f"give at most {most}, e.g. --points 11",
            )
        )
    for flag, value in (("--from", start), ("--to", stop)):
        if not math.isfinite(value) or value < 0:
            problems.append(
                Problem(
                    "",
                    "",
                    flag,
                    f"the scale {value:g} is negative or not a number",
                    "scales are factors such as 0.5 or 1.5 (0 or more)",
                )
            )
    if vary == "confidence":
        low, high = CONFIDENCE_RANGE
        for flag, value in (("--from", start), ("--to", stop)):
            if math.isfinite(value) and not low <= value <= high:
                problems.append(
                    Problem(
                        "",
                        "",
                        flag,
                        f"the confidence {value:g} is outside {low:g} to {high:g}",
                        "give confidences such as --from 0.5 --to 0.95",
                    )
                )
    if math.isfinite(start) and math.isfinite(stop) and start >= stop:
        problems.append(
            Problem(
                "",
                "",
                "--from",
                f"--from {start:g} is not below --to {stop:g}",
                "give the smaller scale first, e.g. --from 0.5 --to 1.5",
            )
        )
    return problems


def frontier(
    model: Model,
    settings: SolverSettings | None = None,
    vary: str = "gap",
    start: float | None = None,
    stop: float | None = None,
    points: int = DEFAULT_POINTS,
    progress: Progress | None = None,
    seed: int = DEFAULT_SEED,
    workers: int = DEFAULT_WORKERS,
    scheduler: str | None = None,
) -> FrontierResult:
    """Re-optimise at `points` evenly spaced scales from `start` to `stop` (DESIGN 4.5), or
    re-plan for delivery risk at `points` confidences (DESIGN 4.6; `--vary confidence` always
    plans on risk, and so does every frontier of a scenario with plan_on: risk).

    A contradiction does not depend on the scale, so it shows at the first point and is raised
    (ContradictionError) like the optimiser's."""
    settings = settings or SolverSettings()
    start, stop = resolve_range(vary, start, stop)
    check_range(vary, start, stop, points)
    scales = [float(s) for s in np.linspace(start, stop, points)]

    began = time.perf_counter()
    if vary == "confidence" and model.scenario.policy.plan_on != "risk":
        model = risk_model(model)
    sp = prepare(model)  # a contradiction that shows before solving is raised here, once
    build_seconds = time.perf_counter() - began
    here = model.scenario.policy.confidence if vary == "confidence" else 1.0
    wanted = list(enumerate(scales, start=1))
    if not any(abs(s - here) < 1e-12 for s in scales):
        wanted.append((0, here))  # the scenario as it is, solved beside the frontier
    key = uuid.uuid4().hex
    tasks = [PointTask(key, model, settings, vary, seed, number, scale) for number, scale in wanted]
    frontier_points.share(key, sp)  # points solved in this process re-use this build
    try:
        done = run_tasks(
            solve_point,
            tasks,
            workers=workers,
            scheduler=scheduler,
            on_done=None if progress is None else (lambda index, point: progress(1 if index < points else 0)),
        )
    finally:
        frontier_points.forget(key)
    results = done[:points]
    current = next((p for p in results if abs(p.scale - here) < 1e-12), done[-1])
    # The problem handed back is at the scenario's own scale without stage rows, as built: the same
    # whether or not points were solved on it here.
    sp.scale_gap(1.0)
    sp.scale_reserves(1.0)
    frontier_points.fresh_rows(sp)
    return FrontierResult(
        vary=vary,
        points=results,
        table=frontier_table(model, results),
        current=current,
        solver=settings.solver,
        mip_gap=settings.mip_gap,
        build_seconds=build_seconds,
        solve_seconds=time.perf_counter() - began - build_seconds,
        problem=sp,
    )


def frontier_table(model: Model, points: list[FrontierPoint]) -> pd.DataFrame:
    """frontier.csv: one row per point (DESIGN 5)."""
    rows = []
    for p in points:
        ev = p.evaluation
        row = {
            "point": p.point,
            "scale": p.scale,
            "savings_k": float(ev.budget["savings_k"].sum()),
            "harm": ev.harm,
            "unidentified_k": ev.unidentified_k,
            "reserves_draw_k": ev.reserves_draw_k,
        }
        for pid in model.priority_ids:
            row[f"harm_{pid}"] = ev.harm_by_priority[pid]
        if p.cvar_k is not None:
            for year, value in zip(model.years, p.cvar_k, strict=True):
                row[f"cvar_{year}"] = float(value)
        rows.append(row)
    columns = COLUMNS + [f"harm_{pid}" for pid in model.priority_ids]
    if points and points[0].cvar_k is not None:
        columns += [f"cvar_{year}" for year in model.years]
    return pd.DataFrame(rows, columns=columns)


def risk_model(model: Model) -> Model:
    """The model planned on risk (DESIGN 4.6: savings counted at expected delivery)."""
    sc = model.scenario
    return build_model(dataclasses.replace(sc, policy=dataclasses.replace(sc.policy, plan_on="risk")))


def marginal_harm(table: pd.DataFrame) -> pd.DataFrame:
    """Harm added per extra £1m of savings between neighbouring points (for the summary)."""
    savings = table["savings_k"].to_numpy() / 1000
    harm = table["harm"].to_numpy()
    d_savings = np.diff(savings)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_million = np.where(np.abs(d_savings) > 1e-9, np.diff(harm) / d_savings, np.nan)
    return pd.DataFrame(
        {
            "from_scale": table["scale"].to_numpy()[:-1],
            "to_scale": table["scale"].to_numpy()[1:],
            "harm_per_million": per_million,
        }
    )
