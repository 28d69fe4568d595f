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


def feasible_plans(model: Model):
    """Every plan (start index per option, -1 = not adopted) and whether it meets every hard row of
    DESIGN 4.4 but the balance and reserves rows; None when some adopted option cannot start."""
    sc = model.scenario
    n = model.n
    per_option = choices(model)
    if any(len(c) == 0 for c in per_option):
        return None
    combos = np.array(list(itertools.product(*per_option)), dtype=int).reshape(-1, len(per_option))
    chosen = combos >= 0
    start = np.where(chosen, combos, 0)
    o_idx = np.arange(len(per_option))[None, :]
    nominal = model.nominal[o_idx, start, :] * chosen[:, :, None]  # (P, O, n)
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
    return combos, ok


def solve(model: Model) -> BruteForce:
    sc = model.scenario
    n = model.n
    found = feasible_plans(model)
    if found is None:
        return BruteForce(False)
    combos, ok = found
    if not ok.any():
        return BruteForce(False, plans=len(combos))
    chosen = combos >= 0
    start = np.where(chosen, combos, 0)
    o_idx = np.arange(combos.shape[1])[None, :]
    savings = (model.counted[o_idx, start, :] * chosen[:, :, None]).sum(axis=1)
    one_off = np.zeros((len(combos), n))
    for t in range(n):
        one_off[:, t] = ((start == t) & chosen) @ model.one_off

    res = settle_reserves(
        model.gap[None] - savings + one_off, sc.reserves.usable_k, sc.reserves.minimum_k, sc.reserves.max_draw_k
    )
    u1 = res.unidentified[:, 0]
    u_total = res.unidentified.sum(axis=1)
    harm = (chosen * model.harm[None, :] * (n - start)).sum(axis=1)
    objective = harm + sc.policy.reserves_penalty * res.draw.sum(axis=1)

    best_u1 = u1[ok].min()
    keep = ok & (u1 <= best_u1 + _tol(best_u1))
    best_total = u_total[keep].min()
    keep &= u_total <= best_total + _tol(best_total)
    return BruteForce(True, float(best_u1), float(best_total), float(objective[keep].min()), len(combos))


# ---- DESIGN 4.6: planning for delivery risk, scored plan by plan on the same draws ------------


def _future_savings(model: Model, late: np.ndarray, share: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """(K, n) savings less one-off costs of `plan` in each future, written out cell by cell."""
    draws, n = late.shape[0], model.n
    out = np.zeros((draws, n))
    for o, s in enumerate(plan.tolist()):
        if s < 0:
            continue
        for k in range(draws):
            begin = s + int(late[k, o])
            for t in range(n):
                j = t - begin
                level = model.levels[o, min(j, n - 1)] if j >= 0 else 0.0
                out[k, t] += level * share[k, o] if level > 0 else level
            out[k, s] -= model.one_off[o]
    return out


def _risk_lp(model: Model, net: np.ndarray, p: float, stage: int, bounds: tuple, harm: float):
    """One plan's stage of DESIGN 4.6 as a linear programme over its own reserves per future."""
    from scipy.optimize import linprog

    sc = model.scenario
    draws, n = net.shape
    cells = draws * n
    # x = [draw (cells), pay (cells), u (cells), w (cells), eta (n)], cell = k * n + t
    size = 4 * cells + n

    def col(kind: int, k: int, t: int) -> int:
        return kind * cells + k * n + t

    eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
    for k in range(draws):
        for t in range(n):
            row = np.zeros(size)
            row[col(0, k, t)], row[col(1, k, t)], row[col(2, k, t)] = 1, -1, 1
            eq_rows.append(row)
            eq_rhs.append(model.gap[t] - net[k, t])
            row = np.zeros(size)
            for s in range(t + 1):
                row[col(0, k, s)], row[col(1, k, s)] = 1, -1
            ub_rows.append(row)
            ub_rhs.append(sc.reserves.usable_k - sc.reserves.minimum_k)
            row = np.zeros(size)  # u - eta - w <= 0
            row[col(2, k, t)], row[col(3, k, t)], row[4 * cells + t] = 1, -1, -1
            ub_rows.append(row)
            ub_rhs.append(0.0)

    def cvar_row(years):
        row = np.zeros(size)
        for t in years:
            row[4 * cells + t] = 1
            for k in range(draws):
                row[col(3, k, t)] = 1 / ((1 - p) * draws)
        return row

    first, every = cvar_row([0]), cvar_row(range(n))
    if len(bounds) > 0:
        ub_rows.append(first)
        ub_rhs.append(bounds[0])
    if len(bounds) > 1:
        ub_rows.append(every)
        ub_rhs.append(bounds[1])
    if stage == 1:
        cost, constant = first, 0.0
    elif stage == 2:
        cost, constant = every, 0.0
    else:
        cost = np.zeros(size)
        for k in range(draws):
            for t in range(n):
                cost[col(0, k, t)] = sc.policy.reserves_penalty / draws
        constant = harm
    limits = [
        (0, sc.reserves.max_cover_k[t % n] if np.isfinite(sc.reserves.max_cover_k[t % n]) else None)
        for t in range(cells)
    ]
    limits += [(0, None)] * (3 * cells) + [(None, None)] * n
    result = linprog(
        cost, A_ub=np.array(ub_rows), b_ub=ub_rhs, A_eq=np.array(eq_rows), b_eq=eq_rhs, bounds=limits, method="highs"
    )
    return None if result.status != 0 else float(result.fun) + constant


@dataclass
class RiskBruteForce:
    stage1: float
    stage2: float
    objective: float
    plans: int


def solve_risk(model: Model, late: np.ndarray, share: np.ndarray, p: float) -> RiskBruteForce:
    """Every plan scored on the same futures, stage by stage, with the tolerances of DESIGN 4.4."""
    combos, ok = feasible_plans(model)
    plans = combos[ok]
    n = model.n
    nets = [_future_savings(model, late, share, plan) for plan in plans]
    harms = [float(sum(model.harm[o] * (n - s) for o, s in enumerate(plan.tolist()) if s >= 0)) for plan in plans]
    first = [_risk_lp(model, net, p, 1, (), 0.0) for net in nets]
    b1 = min(first)
    bound1 = b1 + _tol(b1)
    second = [_risk_lp(model, net, p, 2, (bound1,), 0.0) for net in nets]
    b2 = min(v for v in second if v is not None)
    bound2 = b2 + _tol(b2)
    third = [_risk_lp(model, net, p, 3, (bound1, bound2), harm) for net, harm in zip(nets, harms, strict=True)]
    return RiskBruteForce(b1, b2, min(v for v in third if v is not None), len(plans))


def risk_score(
    model: Model, late: np.ndarray, share: np.ndarray, p: float, plan: dict[str, int], bounds: tuple[float, float]
) -> float | None:
    """Stage 3 of one given plan under the stage bounds (None when it cannot meet them)."""
    index = model.option_index()
    starts = np.full(len(model.option_ids), -1)
    for oid, s in plan.items():
        starts[index[oid]] = s
    net = _future_savings(model, late, share, starts)
    harm = float(sum(model.harm[o] * (model.n - s) for o, s in enumerate(starts.tolist()) if s >= 0))
    return _risk_lp(model, net, p, 3, bounds, harm)
