"""The savings-harm frontier of DESIGN 4.5: the optimum re-solved while the gap (or the reserves
available) is scaled, on one built problem, each point's figures from evaluating its plan.

Re-solving is exact and cheaper than optimising each point afresh, for three reasons:
- the problem is built once; only right-hand sides change (`scale_gap`, `scale_reserves`);
- points are solved hardest first (largest gap, least reserves), so that a plan already found
  usually balances the next point: when a plan that obeys every other constraint leaves no
  unidentified savings, stages 1 and 2 are known to be 0 without solving;
- the first year's unidentified savings have a closed form in the scale (see `_FirstYear`), so
  stage 1 is solved at the first (hardest) point and, when year 1 has a gap to close, never again.
Stage 2 is solved where a point cannot balance, and stage 3 at every point, warm-started (HiGHS)
from the plan of the point before.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtfs_align.defaults import FRONTIER_RANGE as DEFAULT_RANGE
from mtfs_align.defaults import LIMITS
from mtfs_align.defaults import POINTS as DEFAULT_POINTS
from mtfs_align.defaults import SEED as DEFAULT_SEED
from mtfs_align.errors import InputError, Problem
from mtfs_align.evaluate import Evaluation, evaluate
from mtfs_align.model import Model, build_model
from mtfs_align.optimise import (
    bound_first_year,
    bound_horizon,
    prepare,
    release_stage_bounds,
    solve_first_year_stage,
    solve_for_risk,
    solve_harm_stage,
    solve_horizon_stage,
)
from mtfs_align.optimise.problem import SavingsProblem, scaled_reserves
from mtfs_align.optimise.risk_plan import build_risk_problem, plan_shortfalls
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.scenario import CONFIDENCE_RANGE

VARY = ("gap", "reserves", "confidence")
BALANCED = 1e-6  # £k: a candidate plan leaving less than this unidentified balances the point
COLUMNS = ["point", "scale", "savings_k", "harm", "unidentified_k", "reserves_draw_k"]

Progress = Callable[[int], None]


@dataclass
class FrontierPoint:
    point: int  # 1-based, in order of scale
    scale: float
    plan: dict[str, int]
    evaluation: Evaluation  # of the plan under the scaled gap or reserves
    status: str  # "optimal" or "time_limit"
    unidentified_first_year: float  # stage-1 optimum (solver; CVaR of year 1 when planning for risk)
    unidentified_total: float  # stage-2 optimum (solver; sum of CVaR when planning for risk)
    balance_stages_skipped: bool
    solves: int
    seconds: float
    cvar_k: np.ndarray | None = None  # planning for risk: in-sample CVaR per year at the point's confidence


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


def scaled_model(model: Model, vary: str, factor: float) -> Model:
    """The model with its gap, or its reserves room and yearly draw limits, scaled by `factor`:
    what each frontier point is evaluated against (DESIGN 4.5). A confidence changes no figure of
    DESIGN 4.3."""
    if vary == "confidence":
        return model
    if vary == "gap":
        return dataclasses.replace(model, gap=model.gap * factor)
    sc = model.scenario
    return dataclasses.replace(model, scenario=dataclasses.replace(sc, reserves=scaled_reserves(sc.reserves, factor)))


def frontier(
    model: Model,
    settings: SolverSettings | None = None,
    vary: str = "gap",
    start: float | None = None,
    stop: float | None = None,
    points: int = DEFAULT_POINTS,
    progress: Progress | None = None,
    seed: int = DEFAULT_SEED,
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
    sp = prepare(model)
    if model.scenario.policy.plan_on == "risk":
        solver = _RiskResolver(sp, settings, vary, seed)
    else:
        solver = _Resolver(sp, settings, vary)
    build_seconds = time.perf_counter() - began
    # Hardest first: a plan found for a harder point is then a candidate that balances the next.
    order = sorted(range(points), key=lambda i: scales[i] if vary == "reserves" else -scales[i])
    found: dict[int, FrontierPoint] = {}
    for i in order:
        found[i] = solver.point(i + 1, scales[i])
        if progress is not None:
            progress(1)
    results = [found[i] for i in range(points)]
    here = model.scenario.policy.confidence if vary == "confidence" else 1.0
    current = next((p for p in results if abs(p.scale - here) < 1e-12), None)
    if current is None:
        current = solver.point(0, here)
    solver.rescale(here)
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


class _FirstYear:
    """u[1]* as a function of the scale, from as few stage-1 solves as possible.

    Only the first year's balance row involves u[1], and the other balance rows can always be met
    (by u[t] or by paying into reserves, which only loosens the reserves rows). So the plans and
    draws open to year 1 do not depend on the scale, and
        u1*(f) = max(0, T(f) - A - D(f)),
    where T(f) is the first year's gap (times f for --vary gap), D(f) = min(max_draw[1], usable -
    minimum) is the most that can be drawn in it (times f for --vary reserves), and A, the most that
    any plan can save net of one-off costs in year 1, is the same at every point. One solve with a
    shortfall gives A exactly; a solve (or a balanced candidate) without one gives A a lower bound.
    """

    def __init__(self, model: Model, vary: str):
        self.vary = vary
        self.gap = float(model.gap[0])
        r = model.scenario.reserves
        self.draw = min(r.max_draw_k[0], r.usable_k - r.minimum_k)
        self.exact: float | None = None
        self.lower: float | None = None

    def _reach(self, f: float) -> float:
        """T(f) - D(f): what savings net of one-off costs must cover for u[1] = 0."""
        target = self.gap * f if self.vary == "gap" else self.gap
        drawn = self.draw * f if self.vary == "reserves" else self.draw
        return target - drawn

    def known(self, f: float) -> float | None:
        if self.exact is not None:
            return max(0.0, self._reach(f) - self.exact)
        if self.lower is not None and self._reach(f) <= self.lower:
            return 0.0
        return None

    def learn(self, f: float, u1: float) -> None:
        if u1 > BALANCED:
            self.exact = self._reach(f) - u1
        else:
            self.lower = max(self.lower if self.lower is not None else -math.inf, self._reach(f))


class _Resolver:
    """Solves frontier points one after another on one built problem."""

    def __init__(self, sp: SavingsProblem, settings: SolverSettings, vary: str):
        self.sp = sp
        self.settings = settings
        self.vary = vary
        self.first_year = _FirstYear(sp.model, vary)
        self.plans: list[dict[str, int]] = []  # every plan found so far, latest last

    def rescale(self, factor: float) -> None:
        if self.vary == "gap":
            self.sp.scale_gap(factor)
        else:
            self.sp.scale_reserves(factor)

    def _balancing_plan(self) -> dict[str, int] | None:
        """The latest plan found that leaves no unidentified savings at this point, if any.

        Every plan found obeys each constraint that the scale does not touch; its reserves are
        settled as DESIGN 4.3 says under the scaled gap or reserves (`SavingsProblem.settle`),
        which is a feasible use of reserves in 4.4. So if one balances every year, stages 1 and 2
        are 0 here."""
        for plan in reversed(self.plans):
            if self.sp.unidentified_after(self.sp.net_savings(plan)).max(initial=0.0) < BALANCED:
                return plan
        return None

    def point(self, number: int, factor: float) -> FrontierPoint:
        sp, settings = self.sp, self.settings
        began = time.perf_counter()
        self.rescale(factor)
        scaled = scaled_model(sp.model, self.vary, factor)
        release_stage_bounds(sp)
        statuses = []
        solves = 0
        candidate = self._balancing_plan()
        skipped = candidate is not None
        if skipped:
            u1 = u_total = 0.0
            bound_first_year(sp, 0.0)
            bound_horizon(sp, 0.0)
            self.first_year.learn(factor, 0.0)
            sp.set_start_values(candidate)
        else:
            if self.plans:
                sp.set_start_values(self.plans[-1])
            u1 = self.first_year.known(factor)
            if u1 is None:
                u1, status = solve_first_year_stage(sp, settings, began, warm=bool(self.plans))
                statuses.append(status)
                solves += 1
                if status == "optimal":  # only a proven optimum says what year 1 can reach
                    self.first_year.learn(factor, u1)
            else:
                bound_first_year(sp, u1)
            u_total, status = solve_horizon_stage(sp, settings, began, warm=bool(self.plans) or solves > 0)
            statuses.append(status)
            solves += 1
        third = solve_harm_stage(sp, settings, began)
        statuses.append(third.status)
        solves += 1
        plan = sp.plan_from_solution()
        self.plans.append(plan)
        return FrontierPoint(
            point=number,
            scale=factor,
            plan=plan,
            evaluation=evaluate(scaled, plan),
            status="time_limit" if "time_limit" in statuses else "optimal",
            unidentified_first_year=u1,
            unidentified_total=u_total,
            balance_stages_skipped=skipped,
            solves=solves,
            seconds=time.perf_counter() - began,
        )


class _RiskResolver:
    """Frontier points planned for delivery risk (DESIGN 4.6) on one built risk model: the gap,
    the reserves (with the cover) or the confidence changed in place, the same K futures."""

    def __init__(self, sp: SavingsProblem, settings: SolverSettings, vary: str, seed: int):
        policy = sp.model.scenario.policy
        self.sp, self.settings, self.vary, self.seed = sp, settings, vary, seed
        self.rp = build_risk_problem(sp, policy.risk_draws, seed, policy.confidence)

    def rescale(self, factor: float) -> None:
        if self.vary == "gap":
            self.rp.scale_gap(factor)
        elif self.vary == "reserves":
            self.rp.scale_reserves(factor)
        else:
            self.rp.set_confidence(factor)

    def point(self, number: int, factor: float) -> FrontierPoint:
        began = time.perf_counter()
        self.rescale(factor)
        scaled = scaled_model(self.sp.model, self.vary, factor)
        confidence = factor if self.vary == "confidence" else self.sp.model.scenario.policy.confidence
        found = solve_for_risk(self.sp, self.settings, self.seed, began, confidence=confidence, rp=self.rp)
        figures = plan_shortfalls(scaled, self.rp.futures, found.plan, confidence)
        return FrontierPoint(
            point=number,
            scale=factor,
            plan=found.plan,
            evaluation=evaluate(scaled, found.plan),
            status=found.status,
            unidentified_first_year=found.unidentified_first_year,
            unidentified_total=found.unidentified_total,
            balance_stages_skipped=False,
            solves=3,
            seconds=time.perf_counter() - began,
            cvar_k=figures["cvar_k"],
        )


def lines(result: FrontierResult) -> list[str]:
    """The frontier in council English for the terminal."""
    from mtfs_align.wording import money, years_phrase

    if result.vary == "confidence":
        return _confidence_lines(result)
    table = result.table
    model = result.current.evaluation.model
    what = "gap" if result.vary == "gap" else "reserves available"
    scales = table["scale"].to_numpy()
    over = years_phrase(model.n)
    out = [
        f"Frontier: the {what} scaled from {scales[0]:g}x to {scales[-1]:g}x, {len(table)} points, each "
        f"re-optimised exactly ({result.solves} solves on one built model).",
        f"  {'Scale':>6}{'Savings':>11}{'Harm':>9}{'Unidentified':>14}{'Reserves drawn':>16}",
    ]
    for _, row in table.iterrows():
        out.append(
            f"  {row['scale']:>5.2f}x{money(row['savings_k']):>11}{row['harm']:>9.2f}"
            f"{money(row['unidentified_k']):>14}{money(row['reserves_draw_k']):>16}"
        )
    out.append(f"  (Savings are summed over {over}; harm is outcome harm over {over}.)")
    pair = _below_one(scales)
    if pair is not None:
        lo, hi = pair
        d_savings = (table["savings_k"].iloc[hi] - table["savings_k"].iloc[lo]) / 1000
        d_harm = table["harm"].iloc[hi] - table["harm"].iloc[lo]
        balanced = table["unidentified_k"].iloc[[lo, hi]].max() < 0.5
        if balanced and abs(d_savings) >= 0.001 and d_harm / d_savings > 0:
            out.append(
                f"Near the scenario as it is ({scales[lo]:g}x to {scales[hi]:g}x the {what}), each extra £1m "
                f"of savings costs {d_harm / d_savings:.2f} of outcome harm."
            )
    short = np.flatnonzero(table["unidentified_k"].to_numpy() >= 0.5)
    if len(short):
        if short[0] > 0 and short[-1] == len(scales) - 1 and len(short) == len(scales) - short[0]:
            where = f"at {scales[short[0]]:g}x the {what} and above"
        elif short[0] == 0 and short[-1] == len(short) - 1 and short[-1] < len(scales) - 1:
            where = f"at {scales[short[-1]]:g}x the {what} and below"
        else:
            where = "at " + ", ".join(f"{scales[i]:g}x" for i in short) + f" the {what}"
        out.append(
            f"The budget cannot balance every year {where}: at worst "
            f"{money(table['unidentified_k'].max())} of savings are still to be found."
        )
    ev = result.current.evaluation
    out.append(
        f"As the scenario stands, the optimised plan saves {money(float(ev.budget['savings_k'].sum()))} "
        f"over {over} with outcome harm {ev.harm:.2f}."
    )
    if result.status != "optimal":
        out.append("The solver stopped at the time limit at one or more points: those may not be optimal.")
    return out


def _below_one(scales: np.ndarray) -> tuple[int, int] | None:
    """Indices of the segment of the frontier that ends at the scenario as it is (scale 1): the
    point at or just above 1 and the one before it."""
    at_or_above = np.flatnonzero(scales >= 1 - 1e-12)
    if len(at_or_above) == 0:
        return len(scales) - 2, len(scales) - 1
    hi = max(int(at_or_above[0]), 1)
    return hi - 1, hi


def _confidence_lines(result: FrontierResult) -> list[str]:
    """The confidence frontier (DESIGN 4.6): what each step of certainty costs in outcome harm."""
    from mtfs_align.wording import money, years_phrase

    table = result.table
    model = result.current.evaluation.model
    over = years_phrase(model.n)
    first, last = model.years[0], model.years[-1]
    out = [
        f"Confidence frontier: the plan re-planned for delivery risk at {len(table)} confidences, from "
        f"{table['scale'].iloc[0]:.0%} to {table['scale'].iloc[-1]:.0%} ({result.solves} solves on one built model, "
        f"{model.scenario.policy.risk_draws:,} simulated futures).",
        f"  {'Confidence':>10}{'Savings':>11}{'Harm':>9}{'Bad year ' + first:>20}{'Bad year ' + last:>20}",
    ]
    for _, row in table.iterrows():
        out.append(
            f"  {row['scale']:>10.0%}{money(row['savings_k']):>11}{row['harm']:>9.2f}"
            f"{money(row[f'cvar_{first}']):>20}{money(row[f'cvar_{last}']):>20}"
        )
    out.append(
        f"  ('Bad year' is the average savings still to be found in the worst share of futures left out "
        f"by the confidence; savings are summed over {over}, at expected delivery.)"
    )
    low, high = table.iloc[0], table.iloc[-1]
    d_harm = high["harm"] - low["harm"]
    if abs(d_harm) >= 0.005:
        out.append(
            f"Planning for {high['scale']:.0%} of futures rather than {low['scale']:.0%} "
            f"{'adds' if d_harm > 0 else 'removes'} {abs(d_harm):.2f} of outcome harm over {over}."
        )
    else:
        out.append(
            f"Planning for {high['scale']:.0%} of futures rather than {low['scale']:.0%} costs no extra outcome harm."
        )
    if result.status != "optimal":
        out.append("The solver stopped at the time limit at one or more points: those may not be optimal.")
    return out
