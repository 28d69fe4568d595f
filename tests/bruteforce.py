"""An independent, exhaustive solver of DESIGN 4.4 for tiny councils: every plan is enumerated,
its hard constraints checked, and the lexicographic objective applied with the stated tolerances.
Vectorised with numpy so that 4^8 plans take well under a second."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from mtfs_align.evaluate import settle_reserves
from mtfs_align.model import Model


@dataclass
class BruteForce:
    feasible: bool
    u1: float = 0.0
    u_total: float = 0.0
    objective: float = 0.0
    plans: int = 0


def _tol(value: float) -> float:
    return max(0.01, 1e-6 * abs(value))


def choices(model: Model) -> list[list[int]]:
    """Per option, the start indices it may take (-1 = not adopted), from windows and policy."""
    sc = model.scenario
    policy = sc.policy
    screened = set(sc.screened)
    out = []
    for oid in model.option_ids:
        option = sc.options[oid]
        starts = []
        if oid not in policy.reject and oid not in screened:
            starts = list(range(option.earliest, option.latest + 1))
        if oid in policy.adopt and policy.adopt[oid] is not None:
            starts = [s for s in starts if s == policy.adopt[oid]]
        out.append(starts if oid in policy.adopt else [-1] + starts)
    return out


def solve(model: Model) -> BruteForce:
    sc = model.scenario
    n = model.n
    per_option = choices(model)
    if any(len(c) == 0 for c in per_option):
        return BruteForce(False)
    combos = np.array(list(itertools.product(*per_option)), dtype=int).reshape(-1, len(per_option))
    chosen = combos >= 0
    start = np.where(chosen, combos, 0)
    o_idx = np.arange(len(per_option))[None, :]
    counted = model.counted[o_idx, start, :] * chosen[:, :, None]  # (P, O, n)
    nominal = model.nominal[o_idx, start, :] * chosen[:, :, None]
    savings = counted.sum(axis=1)
    one_off = np.zeros((len(combos), n))
    for t in range(n):
        one_off[:, t] = ((start == t) & chosen) @ model.one_off

    ok = np.ones(len(combos), dtype=bool)
    onehot = np.zeros((len(per_option), len(model.activity_ids)))
    onehot[np.arange(len(per_option)), model.option_activity] = 1
    all_by_act = np.einsum("pot,oa->pat", nominal, onehot)
    service_by_act = np.einsum("pot,oa->pat", nominal * model.service[None, :, None], onehot)
    eps = 1e-6
    ok &= (service_by_act <= (model.need - model.floor)[None] + eps).all(axis=(1, 2))
    limited = ~np.isnan(model.cash_limit)
    if limited.any():
        spend = model.need[None] - all_by_act
        ok &= np.where(limited[None], spend <= np.nan_to_num(model.cash_limit)[None] + eps, True).all(axis=(1, 2))
    if sc.policy.capacity is not None:
        for t in range(n):
            used = ((start == t) & chosen) @ model.effort
            ok &= used <= sc.policy.capacity[t] + 1e-9
    index = model.option_index()
    for o, oid in enumerate(model.option_ids):
        option = sc.options[oid]
        for other in option.requires:
            q = index[other]
            ok &= ~chosen[:, o] | (chosen[:, q] & (start[:, q] <= start[:, o]))
        for other in option.excludes:
            q = index[other]
            ok &= ~(chosen[:, o] & chosen[:, q])
    for pid, share in sc.policy.protect.items():
        p = model.priority_ids.index(pid)
        cut = np.einsum("pat,a->pt", service_by_act, model.share_ap[:, p])
        room = (1 - share) * (model.share_ap[:, p] @ model.need)
        ok &= (cut <= room[None] + eps).all(axis=1)
    if not ok.any():
        return BruteForce(False, plans=len(combos))

    res = settle_reserves(model.gap[None] - savings + one_off, sc.reserves.usable_k, sc.reserves.minimum_k,
                          sc.reserves.max_draw_k)
    u1 = res.unidentified[:, 0]
    u_total = res.unidentified.sum(axis=1)
    harm = (chosen * model.harm[None, :] * (n - start)).sum(axis=1)
    objective = harm + sc.policy.reserves_penalty * res.draw.sum(axis=1)

    best_u1 = u1[ok].min()
    keep = ok & (u1 <= best_u1 + _tol(best_u1))
    best_total = u_total[keep].min()
    keep &= u_total <= best_total + _tol(best_total)
    return BruteForce(True, float(best_u1), float(best_total), float(objective[keep].min()), len(combos))
