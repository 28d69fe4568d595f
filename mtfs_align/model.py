"""Derived quantities of DESIGN 4.1-4.2 as numpy arrays: need, funding, gap, weights, harm,
and every option's saving for every start year and year (the tensors the evaluator and the
optimiser share, so the two can never disagree)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the model is derived from a scenario; the scenario's checks use its arithmetic
    from mtfs_align.scenario import Scenario


@dataclass
class Model:
    scenario: Scenario
    years: list[str]
    activity_ids: list[str]
    need: np.ndarray  # (A, n) N[a,t]
    floor: np.ndarray  # (A, n) floor_share x need
    cash_limit: np.ndarray  # (A, n), NaN where the activity has no cash limit of its own
    option_ids: list[str]
    option_activity: np.ndarray  # (O,) activity index
    service: np.ndarray  # (O,) bool: counts against floors and protection
    levels: np.ndarray  # (O, n) cumulative level C[o,j], j = 0..n-1
    nominal: np.ndarray  # (O, n, n) S[o,t] for start s: [o, s, t]
    counted: np.ndarray  # (O, n, n) X[o,t] for start s: [o, s, t]
    one_off: np.ndarray  # (O,)
    effort: np.ndarray  # (O,)
    funding: np.ndarray  # (n,) F[t]
    pressures: np.ndarray  # (n,)
    need_council: np.ndarray  # (n,) NC[t]
    gap: np.ndarray  # (n,) G[t]
    priority_ids: list[str]
    outcome_ids: list[str]
    priority_weight: np.ndarray  # (P,) W[p], sums to 1
    outcome_weight: np.ndarray  # (K,) w[k]
    outcome_priority: np.ndarray  # (K,) priority index of each outcome
    share_ao: np.ndarray  # (A, K) outcome shares of each activity
    share_ap: np.ndarray  # (A, P) priority shares of each activity
    severity: np.ndarray  # (O, K) harms - benefits, unweighted
    harm: np.ndarray  # (O,) h[o] per year in effect

    @property
    def n(self) -> int:
        return len(self.years)

    def option_index(self) -> dict[str, int]:
        return {oid: i for i, oid in enumerate(self.option_ids)}

    def unscored_options(self) -> list[str]:
        """Options given no harms and no benefits: their harm of zero is not scored, not 'no harm'."""
        return [
            oid
            for oid in self.option_ids
            if not self.scenario.options[oid].harms and not self.scenario.options[oid].benefits
        ]

    def start_harm(self, priority_weight: np.ndarray | None = None) -> np.ndarray:
        """(O, n): harm over the horizon of each option for each start year, h[o] x (n - s); under
        other priority weights W[p] when `priority_weight` is given (robustness), without rebuilding."""
        harm = self.harm if priority_weight is None else self.severity @ outcome_weights(self.scenario, priority_weight)
        remaining = self.n - np.arange(self.n)
        return harm[:, None] * remaining[None, :]


def need(baseline_k: float | np.ndarray, growth_pct: float | np.ndarray, t: int | np.ndarray) -> float | np.ndarray:
    """Spending need of an activity in year index t (0-based): N = baseline_k x (1 + g/100)^t (DESIGN 4.1)."""
    return baseline_k * (1 + growth_pct / 100) ** t


def cumulative_levels(profile_k: tuple[float, ...], n: int) -> list[float]:
    """C[j] for j = 0..n-1: the saving in the (j+1)th year after the start (DESIGN 4.3)."""
    levels, total = [], 0.0
    for j in range(n):
        if j < len(profile_k):
            total += profile_k[j]
        levels.append(total)
    return levels


def outcome_weights(scenario: Scenario, priority_weight: np.ndarray) -> np.ndarray:
    """(K,) w[k] = W[p] x weight[k] / sum of weight[k'] over the outcomes of p (DESIGN 4.2), in the
    order of the plan's outcomes; `priority_weight` in the order of its priorities."""
    k_index = {k: i for i, k in enumerate(scenario.outcomes)}
    small_w = np.zeros(len(k_index))
    for p, priority in enumerate(scenario.priorities.values()):
        total = sum(scenario.outcomes[k].weight for k in priority.outcomes)
        for k in priority.outcomes:
            small_w[k_index[k]] = priority_weight[p] * scenario.outcomes[k].weight / total
    return small_w


def priority_weights(scenario: Scenario, override: dict[str, float] | None = None) -> np.ndarray:
    """W[p]: the scenario's weights (midpoints of ranges) or `override`, normalised to sum 1."""
    ids = list(scenario.priorities)
    if override is not None:
        raw = np.array([float(override[p]) for p in ids])
    else:
        raw = np.array([(scenario.weights[p][0] + scenario.weights[p][1]) / 2 for p in ids])
    total = raw.sum()
    return raw / total if total > 0 else np.full(len(ids), 1 / len(ids))


def build_model(scenario: Scenario, weights: dict[str, float] | None = None) -> Model:
    """Everything derived from a scenario; `weights` replaces the priority weights (robustness)."""
    n = scenario.n_years
    t = np.arange(n)
    activities = list(scenario.activities.values())
    options = list(scenario.options.values())
    activity_ids = [a.id for a in activities]
    a_index = {aid: i for i, aid in enumerate(activity_ids)}

    baseline = np.array([a.baseline_k for a in activities], dtype=float)
    growth = np.array([a.growth_pct for a in activities], dtype=float)
    need_k = need(baseline[:, None], growth[:, None], t[None, :])
    floor_share = np.array([a.floor_share for a in activities], dtype=float)
    floor = floor_share[:, None] * need_k
    envelope = np.array(
        [np.nan if a.envelope_growth_pct is None else a.envelope_growth_pct for a in activities], dtype=float
    )
    # NaN ** 0 is 1 in numpy, so an activity without a cash limit must be masked explicitly
    # (otherwise its first-year "limit" would be its baseline).
    has_limit = ~np.isnan(envelope)
    cash_limit = np.full(need_k.shape, np.nan)
    growth_factor = (1 + envelope[has_limit, None] / 100) ** t[None, :]
    cash_limit[has_limit] = baseline[has_limit, None] * growth_factor

    levels = np.array([cumulative_levels(o.profile_k, n) for o in options], dtype=float).reshape(len(options), n)
    nominal = _by_start(levels, n)
    if scenario.policy.plan_on in ("expected", "risk"):  # DESIGN 4.6: risk plans report expected delivery
        counted = expected_by_start(
            levels, np.array([scenario.policy.delivery[o.rag] for o in options]), scenario.policy.slip, n
        )
    else:
        counted = nominal

    funding = np.sum([np.array(v, dtype=float) for v in scenario.funding_k.values()], axis=0)
    funding = funding * (1 + np.array(scenario.funding_pct) / 100) + np.array(scenario.funding_change_k)
    pressures = np.array(scenario.corporate_pressures_k, dtype=float)
    need_council = need_k.sum(axis=0) + pressures
    gap = need_council - funding

    priority_ids = list(scenario.priorities)
    outcome_ids = list(scenario.outcomes)
    p_index = {p: i for i, p in enumerate(priority_ids)}
    k_index = {k: i for i, k in enumerate(outcome_ids)}
    big_w = priority_weights(scenario, weights)
    outcome_priority = np.array([p_index[scenario.outcomes[k].priority] for k in outcome_ids], dtype=int)
    small_w = outcome_weights(scenario, big_w)

    share_ao = np.zeros((len(activities), len(outcome_ids)))
    for i, a in enumerate(activities):
        for k, share in a.outcomes.items():
            share_ao[i, k_index[k]] = share
    share_ap = np.zeros((len(activities), len(priority_ids)))
    for k, p in enumerate(outcome_priority):
        share_ap[:, p] += share_ao[:, k]

    severity = np.zeros((len(options), len(outcome_ids)))
    for i, o in enumerate(options):
        for k, value in o.harms.items():
            severity[i, k_index[k]] += value
        for k, value in o.benefits.items():
            severity[i, k_index[k]] -= value
    harm = severity @ small_w

    return Model(
        scenario=scenario,
        years=list(scenario.years),
        activity_ids=activity_ids,
        need=need_k,
        floor=floor,
        cash_limit=cash_limit,
        option_ids=[o.id for o in options],
        option_activity=np.array([a_index[o.activity] for o in options], dtype=int),
        service=np.array([o.affects_service for o in options], dtype=bool),
        levels=levels,
        nominal=nominal,
        counted=counted,
        one_off=np.array([o.one_off_k for o in options], dtype=float),
        effort=np.array([o.effort for o in options], dtype=float),
        funding=funding,
        pressures=pressures,
        need_council=need_council,
        gap=gap,
        priority_ids=priority_ids,
        outcome_ids=outcome_ids,
        priority_weight=big_w,
        outcome_weight=small_w,
        outcome_priority=outcome_priority,
        share_ao=share_ao,
        share_ap=share_ap,
        severity=severity,
        harm=harm,
    )


def _by_start(levels: np.ndarray, n: int) -> np.ndarray:
    """[o, s, t] = C[o, t - s] for t >= s, else 0."""
    out = np.zeros((levels.shape[0], n, n))
    for s in range(n):
        out[:, s, s:] = levels[:, : n - s]
    return out


def delivered(levels: np.ndarray, share: np.ndarray) -> np.ndarray:
    """g(c): positive levels scaled by the delivery share, costs (c <= 0) in full."""
    return np.where(levels > 0, share * levels, levels)


def expected_by_start(levels: np.ndarray, delivery: np.ndarray, slip: float, n: int) -> np.ndarray:
    """DESIGN 4.3: X = (1 - slip) g(C[t-s]) + slip g(C[t-s-1]), costs never discounted."""
    g = delivered(levels, delivery[:, None])
    on_time = _by_start(g, n)
    late = np.zeros_like(on_time)
    late[:, :, 1:] = on_time[:, :, :-1]  # C[t-s-1]: one year behind
    return (1 - slip) * on_time + slip * late
