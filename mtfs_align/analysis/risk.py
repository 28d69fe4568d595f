"""Delivery risk of a plan (DESIGN 4.5): a seeded Monte Carlo of which options start late and how
much of each saving is delivered, with reserves settled in every draw exactly as DESIGN 4.3 does.

In each draw every adopted option independently starts one year late with probability `slip`
and, whenever its cumulative level is positive, delivers a share F of it, drawn once per option
and draw from Beta(κd, κ(1 − d)) (d = delivery[rag], κ = delivery_concentration; F = d exactly
when d is 0 or 1). Costs, and one-off costs in the planned start year, are paid in full. So the
mean of the draws is the `expected` saving of DESIGN 4.3. Reserves then cover each draw's shortfall as
DESIGN 4.3 settles them, the draw in a year bounded by `max_cover_k` (the most a s151 officer would
draw in-year once shortfalls are known; `max_draw_k` where not given), never below `minimum_k`.

Beside `risk.csv` the draws give `resilience.csv` (DESIGN 4.6, 5), per year at the scenario's
confidence p (policy.confidence):

- `p_balanced`: the share of draws in which the year balances (unidentified below £500);
- `var_k`: savings still to be found after reserves that p of the draws stay at or below (the lower
  p-quantile of mtfs_align.tail); `cvar_k`: the average of the worst (1 - p) share of the draws
  (Rockafellar-Uryasev, the figure `plan_on: risk` minimises); `expected_unidentified_k`: the mean;
- `p5_reserves_balance_k`: the closing reserves balance that 1 draw in 20 falls below (the 5th
  percentile, the same figure as in risk.csv);
- `p95_cover_used_k`: the reserves drawn in the year that 1 draw in 20 exceeds (95th percentile),
  all of it within `max_cover_k`;
- `shortfall_at_confidence_k`: the extra savings or one-off funding, year by year, that the council
  must still identify for each year to balance in p of the draws: year by year, the lower
  p-quantile of what is left after reserves once the amounts found for the earlier years have been
  added to their funding in every draw (so reserves not drawn in those years stay for later ones).
  The first year's is its `var_k`; a later year's is never above its `var_k`. Below £500 it is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtfs_align.analysis.risk_draws import (  # noqa: F401 (DeliveryProfile ... plan_savings: this module's names too)
    DeliveryProfile,
    delivery_profile,
    draw_delivery,
    draw_savings,
    plan_savings,
)
from mtfs_align.defaults import DRAWS as DEFAULT_DRAWS
from mtfs_align.defaults import LIMITS
from mtfs_align.defaults import SEED as DEFAULT_SEED
from mtfs_align.errors import InputError, Problem
from mtfs_align.evaluate import TOLERANCE_K, clean, order_plan, settle_reserves
from mtfs_align.model import Model
from mtfs_align.progress import Progress
from mtfs_align.tail import cvar, var

RISK_COLUMNS = ["year", "p5_k", "p50_k", "p95_k", "expected_unidentified_k", "p_balanced", "p5_reserves_balance_k"]
RESILIENCE_COLUMNS = [
    "year",
    "p_balanced",
    "var_k",
    "cvar_k",
    "expected_unidentified_k",
    "p5_reserves_balance_k",
    "p95_cover_used_k",
    "shortfall_at_confidence_k",
]


@dataclass
class RiskResult:
    """The draws of one plan's delivery, and the `risk.csv` table built from them."""

    model: Model
    plan: dict[str, int]
    draws: int
    seed: int
    savings: np.ndarray  # (draws, n) savings_k delivered in each draw
    unidentified: np.ndarray  # (draws, n) savings still to be found after reserves
    reserves_balance: np.ndarray  # (draws, n) closing usable reserves
    table: pd.DataFrame  # risk.csv
    p_balanced_all_years: float
    confidence: float = 0.9  # p of resilience.csv (policy.confidence)
    reserves_drawn: np.ndarray | None = None  # (draws, n) reserves drawn in each year of each draw
    resilience: pd.DataFrame | None = None  # resilience.csv

    def manifest_fields(self) -> dict:
        """What `manifest.json` records about the run (DESIGN 5)."""
        return {
            "seed": self.seed,
            "draws": self.draws,
            "p_balanced_all_years": round(self.p_balanced_all_years, 6),
            "confidence": self.confidence,
        }


def setting_problems(draws: int, seed: int) -> list[Problem]:
    """What is wrong with --draws and --seed (numpy seeds must be whole numbers of 0 or more)."""
    problems = []
    if draws < 1:
        problems.append(Problem("", "", "--draws", f"{draws} draws is too few", "give at least 1, e.g. --draws 10000"))
    elif draws > LIMITS["draws"][1]:
        most = LIMITS["draws"][1]
        problems.append(
            Problem(
                "", "", "--draws", f"{draws:,} draws is more than {most:,}", f"give at most {most}, e.g. --draws 10000"
            )
        )
    if seed < 0:
        problems.append(Problem("", "", "--seed", f"the seed {seed} is negative", "give a whole number of 0 or more"))
    return problems


def check_settings(draws: int, seed: int) -> None:
    """Bad --draws or --seed is bad input (exit 2), not an internal failure."""
    problems = setting_problems(draws, seed)
    if problems:
        raise InputError(problems)


def simulate(
    model: Model,
    plan: dict[str, int],
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    confidence: float | None = None,
    workers: int | None = None,
    memory_budget: float | None = None,
) -> RiskResult:
    """Monte Carlo of the plan's delivery (DESIGN 4.5) and its resilience at `confidence` (default the
    scenario's policy.confidence; DESIGN 4.6); `progress` is called with the number of draws
    finished after each block. The draws are held in chunks within `memory_budget` bytes and worked
    on `workers` threads (mtfs_align.analysis.risk_draws); the same model, plan, draws and seed give
    identical results whatever the budget and the threads."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, not {draws}")
    sc = model.scenario
    policy = sc.policy
    confidence = policy.confidence if confidence is None else float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"the confidence must be between 0 and 1, not {confidence}")
    plan = order_plan(model, plan)
    profile = delivery_profile(model, plan)
    savings = draw_savings(
        profile,
        policy.slip,
        policy.delivery_concentration,
        draws,
        seed,
        progress=progress,
        workers=workers,
        memory_budget=memory_budget,
    )
    return risk_result(model, plan, draws, seed, profile, savings, confidence)


def risk_result(
    model: Model,
    plan: dict[str, int],
    draws: int,
    seed: int,
    profile: DeliveryProfile,
    savings: np.ndarray,
    confidence: float,
) -> RiskResult:
    """risk.csv, resilience.csv and the rest from each draw's savings (draws, n)."""
    sc = model.scenario
    after_savings = model.gap - savings + profile.one_off
    res = settle_reserves(after_savings, sc.reserves.usable_k, sc.reserves.minimum_k, sc.reserves.max_cover_k)
    unidentified = clean(res.unidentified)
    balanced = unidentified < TOLERANCE_K
    table = pd.DataFrame(
        {
            "year": model.years,
            "p5_k": np.percentile(unidentified, 5, axis=0),
            "p50_k": np.percentile(unidentified, 50, axis=0),
            "p95_k": np.percentile(unidentified, 95, axis=0),
            "expected_unidentified_k": unidentified.mean(axis=0),
            "p_balanced": balanced.mean(axis=0),
            "p5_reserves_balance_k": np.percentile(res.closing, 5, axis=0),
        },
        columns=RISK_COLUMNS,
    )
    resilience = pd.DataFrame(
        {
            "year": model.years,
            "p_balanced": balanced.mean(axis=0),
            "var_k": var(unidentified, confidence, axis=0),
            "cvar_k": clean(cvar(unidentified, confidence, axis=0)),
            "expected_unidentified_k": unidentified.mean(axis=0),
            "p5_reserves_balance_k": np.percentile(res.closing, 5, axis=0),
            "p95_cover_used_k": np.percentile(res.draw, 95, axis=0),
            "shortfall_at_confidence_k": shortfall_at_confidence(model, after_savings, confidence),
        },
        columns=RESILIENCE_COLUMNS,
    )
    return RiskResult(
        model=model,
        plan=plan,
        draws=draws,
        seed=seed,
        savings=savings,
        unidentified=unidentified,
        reserves_balance=res.closing,
        table=table,
        p_balanced_all_years=float(balanced.all(axis=1).mean()),
        confidence=confidence,
        reserves_drawn=res.draw,
        resilience=resilience,
    )


def shortfall_at_confidence(model: Model, after_savings: np.ndarray, confidence: float) -> np.ndarray:
    """Year by year, the extra savings or one-off funding to identify so that the year balances in
    `confidence` of the draws, given what was found for the earlier years (module docstring).

    `after_savings` is each draw's gap after savings and one-off costs (draws, n). In year t the
    amounts y_1..y_{t-1} already found are added to the funding of their years in every draw,
    reserves are settled again (within max_cover_k, never below the minimum), and y_t is the lower
    p-quantile of what year t still leaves to find (0 when that is below £500, the year balancing
    already). With y_t added, the year balances in at least p of the draws."""
    r = model.scenario.reserves
    found = np.zeros(model.n)
    for t in range(model.n):
        left = clean(settle_reserves(after_savings - found, r.usable_k, r.minimum_k, r.max_cover_k).unidentified)
        need = var(left[:, t], confidence)
        found[t] = need if need >= TOLERANCE_K else 0.0
    return found
