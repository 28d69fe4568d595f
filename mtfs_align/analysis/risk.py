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

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtfs_align.defaults import DRAWS as DEFAULT_DRAWS
from mtfs_align.defaults import LIMITS
from mtfs_align.defaults import SEED as DEFAULT_SEED
from mtfs_align.delivery import beta_strata, late_cells, random_slices
from mtfs_align.errors import InputError, Problem
from mtfs_align.evaluate import TOLERANCE_K, clean, order_plan, plan_arrays, settle_reserves
from mtfs_align.model import Model
from mtfs_align.progress import Progress
from mtfs_align.tail import cvar, var

CHUNK_ELEMENTS = 1 << 20  # draws x options held at once: bounds memory to a few tens of MB
_SINGLE_THREAD_WORK = 160_000  # multiply-adds per matrix product (see _thin_product)
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
class DeliveryProfile:
    """A plan's options in the shape the delivery model needs.

    Options are sorted by their delivery share d, so options with the same RAG rating form one
    block of columns and share one table of delivered shares.
    """

    option_ids: list[str]
    delivery: np.ndarray  # (k,) d = policy.delivery[rag]
    on_time: np.ndarray  # (k, n) C[o, t - s]: the level if the option starts as planned
    late: np.ndarray  # (k, n) C[o, t - s - 1]: the level if it starts a year late
    one_off: np.ndarray  # (n,) one-off costs by planned start year, paid whatever happens
    gain: np.ndarray = field(init=False, repr=False)  # (k, n) positive on-time levels
    late_gain: np.ndarray = field(init=False, repr=False)  # (k, n) positive late levels
    cost: np.ndarray = field(init=False, repr=False)  # (n,) on-time costs (levels <= 0), summed
    cost_if_late: np.ndarray = field(init=False, repr=False)  # (k, n) change in costs when late
    costly: np.ndarray = field(init=False, repr=False)  # (k,) options whose costs move when late

    def __post_init__(self) -> None:
        self.gain = np.maximum(self.on_time, 0.0)
        self.late_gain = np.maximum(self.late, 0.0)
        on_time_cost = np.minimum(self.on_time, 0.0)
        self.cost = on_time_cost.sum(axis=0)
        self.cost_if_late = np.minimum(self.late, 0.0) - on_time_cost
        self.costly = np.any(self.cost_if_late != 0.0, axis=1)

    @property
    def blocks(self) -> list[tuple[int, int, float]]:
        """(first, end, d) of each run of options with the same delivery share."""
        edges = np.flatnonzero(np.diff(self.delivery)) + 1
        starts = [0, *edges.tolist()]
        ends = [*edges.tolist(), len(self.delivery)]
        return [(lo, hi, float(self.delivery[lo])) for lo, hi in zip(starts, ends, strict=True) if hi > lo]


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


def delivery_profile(model: Model, plan: dict[str, int]) -> DeliveryProfile:
    """The plan's on-time and one-year-late levels, delivery shares and one-off costs."""
    n = model.n
    options, starts = plan_arrays(model, plan)
    rags = [model.scenario.options[o].rag for o in plan]
    delivery = np.array([model.scenario.policy.delivery[r] for r in rags], dtype=float)
    order = np.argsort(delivery, kind="stable")
    options, starts, delivery = options[order], starts[order], delivery[order]

    # level index j = t - s; -1 (and below) is "not started yet"
    j = np.arange(n)[None, :] - starts[:, None]
    padded = np.concatenate([np.zeros((len(options), 1)), model.levels[options]], axis=1)
    on_time = _take_levels(padded, j)
    late = _take_levels(padded, j - 1)
    one_off = np.zeros(n)
    np.add.at(one_off, starts, model.one_off[options])
    ids = list(plan)
    return DeliveryProfile(
        option_ids=[ids[i] for i in order], delivery=delivery, on_time=on_time, late=late, one_off=one_off
    )


def _take_levels(padded: np.ndarray, j: np.ndarray) -> np.ndarray:
    """C[o, j] from levels padded with a leading zero column; j < 0 gives 0 (not started)."""
    rows = np.arange(padded.shape[0])[:, None]
    return padded[rows, np.maximum(j, -1) + 1]


def draw_delivery(
    rng: np.random.Generator, profile: DeliveryProfile, slip: float, concentration: float, draws: int
) -> tuple[np.ndarray, np.ndarray]:
    """One chunk of draws: the share each option delivers (draws, k), and which options start late,
    as the flat indices, in increasing order, of the late cells of a draws x k matrix."""
    k = len(profile.delivery)
    late = late_cells(rng, slip, draws * k)
    share = np.empty((draws, k))
    for lo, hi, d in profile.blocks:
        if d <= 0.0 or d >= 1.0:
            share[:, lo:hi] = d
        else:
            share[:, lo:hi] = beta_strata(d, concentration)[random_slices(rng, (draws, hi - lo))]
    return share, late


def plan_savings(
    profile: DeliveryProfile, share: np.ndarray, late: np.ndarray, overwrite_share: bool = False
) -> np.ndarray:
    """Savings in each year of each draw (draws, n), given the share each option delivers of its
    positive levels (draws, k) and the late cells (flat indices in increasing order, e.g.
    np.flatnonzero of a draws x k mask). Costs are paid in full, a year later when late.

    The options on time are one matrix product (late cells zeroed: `share` itself when
    `overwrite_share`); the late cells are then added one by one and summed draw by draw, so a
    late option's saving is computed directly, not as a difference."""
    if len(late):
        late_share = share.reshape(-1)[late]
        if not overwrite_share:
            share = share.copy()
        share.reshape(-1)[late] = 0.0
    savings = _thin_product(share, profile.gain) + profile.cost
    if len(late):
        rows, cols = np.divmod(late, share.shape[1])
        change = late_share[:, None] * np.take(profile.late_gain, cols, axis=0)
        costly = profile.costly[cols]
        if costly.any():
            change[costly] += np.take(profile.cost_if_late, cols[costly], axis=0)
        firsts = np.flatnonzero(np.diff(rows, prepend=-1))  # the first late cell of each draw
        savings[rows[firsts]] += np.add.reduceat(change, firsts, axis=0)
    return savings


def _thin_product(share: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """share @ gain, as a batch of products of a few draws each.

    The product is thin (one column per year) and memory-bound. OpenBLAS wakes its worker threads
    for a product above about 262,144 multiply-adds; on a busy two-core machine waiting for them
    costs several times the product itself, so each product of the batch is kept below that."""
    draws, k = share.shape
    if k == 0:
        return np.zeros((draws, gain.shape[1]))
    rows = max(1, min(draws, _SINGLE_THREAD_WORK // (k * gain.shape[1])))
    whole = draws - draws % rows
    out = np.empty((draws, gain.shape[1]))
    if whole:
        out[:whole] = (share[:whole].reshape(-1, rows, k) @ gain).reshape(whole, -1)
    if whole < draws:
        out[whole:] = share[whole:] @ gain
    return out


def simulate(
    model: Model,
    plan: dict[str, int],
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    confidence: float | None = None,
) -> RiskResult:
    """Monte Carlo of the plan's delivery (DESIGN 4.5) and its resilience at `confidence` (default the
    scenario's policy.confidence; DESIGN 4.6); `progress` is called with the number of draws
    finished after each chunk. The same model, plan, draws and seed give identical results."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, not {draws}")
    sc = model.scenario
    policy = sc.policy
    confidence = policy.confidence if confidence is None else float(confidence)
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"the confidence must be between 0 and 1, not {confidence}")
    plan = order_plan(model, plan)
    profile = delivery_profile(model, plan)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(draws, CHUNK_ELEMENTS // max(len(profile.delivery), 1)))
    savings = np.empty((draws, model.n))
    for first in range(0, draws, chunk):
        size = min(chunk, draws - first)
        share, late = draw_delivery(rng, profile, policy.slip, policy.delivery_concentration, size)
        savings[first : first + size] = plan_savings(profile, share, late, overwrite_share=True)
        if progress is not None:
            progress(size)

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
