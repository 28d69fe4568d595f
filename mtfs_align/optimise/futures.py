"""The K delivery futures that risk planning faces (DESIGN 4.6): drawn once per option from the run's
seed (common random numbers), what each option saves in each future, and a plan's shortfalls in
them with reserves settled as DESIGN 4.5 does."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mtfs_align.delivery import beta_strata, late_cells, random_slices
from mtfs_align.evaluate import TOLERANCE_K, plan_arrays, settle_reserves
from mtfs_align.model import Model
from mtfs_align.tail import cvar, var

PLANNING_STREAM = 46  # the spawn key of the planning draws: a stream apart from the Monte Carlo's


@dataclass
class PlanningDraws:
    """K futures of every option's delivery (DESIGN 4.6): late starts and delivered shares."""

    late: np.ndarray  # (K, O) bool: the option starts a year late in that future
    share: np.ndarray  # (K, O) share of each positive level delivered
    seed: int

    @property
    def count(self) -> int:
        return self.late.shape[0]


def planning_rng(seed: int) -> np.random.Generator:
    """The planning draws' own stream of the run's seed (the out-of-sample Monte Carlo of DESIGN
    4.5 uses `default_rng(seed)` itself, so the two never share draws)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PLANNING_STREAM,)))


def draw_futures(model: Model, draws: int, seed: int) -> PlanningDraws:
    """K draws of the delivery model of DESIGN 4.5 for every option, adopted or not."""
    policy = model.scenario.policy
    rng = planning_rng(seed)
    options = len(model.option_ids)
    late = np.zeros(draws * options, dtype=bool)
    late[late_cells(rng, policy.slip, draws * options)] = True
    late = late.reshape(draws, options)
    delivery = np.array([policy.delivery[model.scenario.options[o].rag] for o in model.option_ids], dtype=float)
    share = np.empty((draws, options))
    for d in sorted(set(delivery.tolist())):
        columns = np.flatnonzero(delivery == d)
        if d <= 0.0 or d >= 1.0:
            share[:, columns] = d
        else:
            share[:, columns] = beta_strata(d, policy.delivery_concentration)[random_slices(rng, (draws, len(columns)))]
    return PlanningDraws(late=late, share=share, seed=seed)


def savings_in_futures(model: Model, futures: PlanningDraws, options: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """(K, Z, n): what option `options[i]` started in `starts[i]` saves in each year of each future,
    less its one-off cost in its (planned) start year: levels a year later when late, positive
    levels times the delivered share, costs in full."""
    n = model.n
    padded = np.concatenate([np.zeros((model.levels.shape[0], 1)), model.levels], axis=1)
    years = np.arange(n)
    shift = futures.late[:, options].astype(int)  # (K, Z)
    j = years[None, None, :] - starts[None, :, None] - shift[:, :, None]  # (K, Z, n)
    level = padded[options[None, :, None], np.maximum(j, -1) + 1]
    share = futures.share[:, options][:, :, None]
    saved = np.where(level > 0, level * share, level)
    saved[:, np.arange(len(options)), starts] -= model.one_off[options][None, :]
    return saved


def plan_shortfalls(
    model: Model, futures: PlanningDraws, plan: dict[str, int], confidence: float
) -> dict[str, np.ndarray]:
    """The plan in each future with reserves settled as DESIGN 4.5 does (drawn as early as needed,
    within max_cover_k): unidentified savings (K, n), and per year their CVaR and VaR at
    `confidence` and the chance the year balances."""
    options, starts = plan_arrays(model, plan)
    saved = (
        savings_in_futures(model, futures, options, starts).sum(axis=1)
        if len(options)
        else np.zeros((futures.count, model.n))
    )
    r = model.scenario.reserves
    settled = settle_reserves(model.gap - saved, r.usable_k, r.minimum_k, r.max_cover_k)
    u = np.where(np.abs(settled.unidentified) < 1e-9, 0.0, settled.unidentified)
    return {
        "unidentified": u,
        "cvar_k": np.array([cvar(u[:, t], confidence) for t in range(model.n)]),
        "var_k": np.array([var(u[:, t], confidence) for t in range(model.n)]),
        "p_balanced": (u < TOLERANCE_K).mean(axis=0),
        "p_balanced_all_years": float((u < TOLERANCE_K).all(axis=1).mean()),
    }
