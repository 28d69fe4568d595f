"""Solving the risk-planning model on the futures that matter, exactly (DESIGN 4.6).

The CVaR of a year looks only at its worst (1 - p) share of the K futures, yet every future brings
its own balance, reserves and tail rows to the model: with K = 500 at p = 0.9, about 80 of the 500
futures are ever in a tail, and the solver spends most of its time separating cuts over the rows
of the other 420 (docs/performance.md). So each stage is solved on a subset S of the futures and
the others are added back only where they matter (row generation over futures):

1. S starts as the futures with the largest shortfalls in each year under the stage's starting
   plan (a few more than each tail holds), then grown by the steps below on the linear relaxation
   (a fraction of a second a solve) before the whole-number solves begin.
2. The model on S alone is a relaxation of the whole: a future left out loses its rows and its
   columns (draw, pay, u, w), which is the same as letting its tail excess w count as 0. Every
   plan of the whole model is a plan of the relaxation with no higher cost, so the relaxation's
   optimum (and its proven bound) is at or below the whole model's.
3. The solution is carried to each future left out: a surplus is paid in; where drawing on
   reserves costs nothing in the stage (stages 1 and 2), reserves are drawn, as early as needed
   and within the year's cover and what is left, just down to the year's eta; whatever is still
   short is unidentified. Each year's VaR, tail excess and CVaR are then recomputed over all K
   futures (the least CVaR for that recourse). If every row of the whole model holds and the cost
   is no more than the relaxation's, the solution is optimal for the whole model (and within the
   same proven gap). Otherwise the futures left out that sit in a year's tail join S, the
   furthest in first, and the stage is solved again from the same starting plan. At worst S
   becomes every future.

The answer is therefore the whole model's optimum over the K draws, checked row by row on the
whole model; only the time taken depends on S. Stage 3 (least harm) is not solved this way: it
pushes the shortfall into whichever futures are left out, and they all come back.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from mtfs_align.errors import SolverError
from mtfs_align.optimise import solvers
from mtfs_align.optimise.limits import remaining as _remaining
from mtfs_align.optimise.solvers import ArrayModel, ArrayResult, SolverSettings
from mtfs_align.tail import cvar, var

SPARE = 1.5  # S starts with this many times the tail's share of futures in each year, plus MARGIN
MARGIN = 5


def first_futures(rp, start: np.ndarray | None) -> np.ndarray:
    """The futures to solve on first (bool, K): in each year the largest shortfalls under the
    starting plan, and every future in a tail there."""
    k = rp.futures.count
    if start is None:
        return np.ones(k, dtype=bool)
    # at least the tail's share in all, or eta_t of the relaxation would have no floor
    return _largest(start[rp.u_cols], _share(rp), positive=False)


def _share(rp) -> int:
    k = rp.futures.count
    return min(k, int(math.ceil(SPARE * (1.0 - rp.confidence) * k)) + MARGIN)


def _largest(score: np.ndarray, take: int, positive: bool = True) -> np.ndarray:
    """(K,) bool: in each year (column of `score`), the `take` futures of largest score (and
    positive, unless `positive` is False)."""
    chosen = np.zeros(score.shape[0], dtype=bool)
    for t in range(score.shape[1]):
        order = np.argsort(-score[:, t], kind="stable")[:take]
        chosen[order[score[order, t] > 0] if positive else order] = True
    return chosen


def _per_future_rows(rp) -> np.ndarray:
    """(K, 3n): the balance, reserves and tail rows of each future."""
    return np.hstack([rp.balance_rows, rp.reserves_rows, rp.tail_rows])


def _per_future_cols(rp) -> np.ndarray:
    """(K, 4n): the draw, pay, u and w columns of each future."""
    return np.hstack([rp.draw_cols, rp.pay_cols, rp.u_cols, rp.w_cols])


def restrict(rp, whole: ArrayModel, kept: np.ndarray) -> tuple[ArrayModel, np.ndarray]:
    """The model on the futures `kept`; also the whole model's index of each column kept."""
    rows = whole.matrix
    left_out = np.flatnonzero(~kept)
    row_mask = np.ones(rows.shape[0], dtype=bool)
    row_mask[_per_future_rows(rp)[left_out].ravel()] = False
    col_mask = np.ones(rows.shape[1], dtype=bool)
    col_mask[_per_future_cols(rp)[left_out].ravel()] = False
    cols = np.flatnonzero(col_mask)
    sub = ArrayModel(
        cost=whole.cost[cols],
        matrix=rows[row_mask][:, cols].tocsc(),
        row_lower=whole.row_lower[row_mask],
        row_upper=whole.row_upper[row_mask],
        col_lower=whole.col_lower[cols],
        col_upper=whole.col_upper[cols],
        integer=whole.integer[cols],
    )
    return sub, cols


def extend(rp, whole: ArrayModel, cols: np.ndarray, values: np.ndarray, kept: np.ndarray):
    """The relaxation's solution on the whole model. Each future left out pays in its surplus and
    has no tail excess; where drawing on reserves costs nothing in the stage (no reserves penalty
    in its objective) it draws, as early as needed and within the year's cover and the reserves
    left, just enough to bring each year's shortfall down to eta_t; otherwise it draws nothing.
    Whatever is still short is unidentified."""
    rows = whole.matrix
    full = np.zeros(rows.shape[1])
    full[cols] = values
    left_out = np.flatnonzero(~kept)
    if not len(left_out):
        return full
    free = not whole.cost[rp.draw_cols].any()
    eta = full[rp.eta_cols]
    moved = np.zeros(len(left_out))  # reserves drawn less paid in so far, in each future
    for t in range(rp.model.n):
        balance = rp.balance_rows[left_out, t]
        short = whole.row_lower[balance] - rows[balance] @ full  # their draw, pay and u are still 0
        room = np.maximum(whole.row_upper[rp.reserves_rows[left_out, t]] - moved, 0.0)
        cover = whole.col_upper[rp.draw_cols[left_out, t]]
        need = np.maximum(short - eta[t], 0.0) if free else np.zeros(len(left_out))
        draw = np.minimum(np.minimum(need, cover), room)
        pay = np.maximum(-short, 0.0)
        full[rp.draw_cols[left_out, t]] = draw
        full[rp.pay_cols[left_out, t]] = pay
        full[rp.u_cols[left_out, t]] = np.maximum(short, 0.0) - draw
        moved += draw - pay
    return full


def settle_tails(rp, values: np.ndarray) -> np.ndarray:
    """eta_t at the VaR of every future's shortfall, w its excess, and each year's CVaR column
    from them: the least CVaR of the year for the recourse chosen (Rockafellar and Uryasev)."""
    values = values.copy()
    u = values[rp.u_cols]
    eta = var(u, rp.confidence, axis=0)
    values[rp.eta_cols] = eta
    values[rp.w_cols] = np.maximum(u - eta[None, :], 0.0)
    values[rp.cvar_cols] = cvar(u, rp.confidence, axis=0)
    return values


def still_needed(rp, values: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """(K,) bool: the futures left out that are in a year's tail at the settled values (shortfall
    above the VaR; at it, when none is above), the furthest in first, a tail's share a year."""
    u = values[rp.u_cols]
    eta = values[rp.eta_cols][None, :]
    slack = solvers.FEASIBILITY * (1.0 + np.abs(eta))
    above = np.where((u > eta + slack) & ~kept[:, None], u - eta, 0.0)
    chosen = _largest(above, _share(rp))
    if chosen.any():
        return chosen
    at = (u >= eta - slack) & (u > 0.0) & ~kept[:, None]
    return at.any(axis=1) if at.any() else ~kept


def grown_on_relaxation(rp, whole: ArrayModel, settings: SolverSettings, kept: np.ndarray) -> np.ndarray:
    """S grown until the linear relaxation (no whole-number starts) needs no more futures: its
    solves take a fraction of a second, and the futures the relaxation's plans push into a tail
    are mostly those the whole-number plans do."""
    kept = kept.copy()
    while not kept.all():
        sub, cols = restrict(rp, whole, kept)
        relaxed = dataclasses.replace(sub, integer=np.zeros(len(cols), dtype=bool))
        result = solvers.run_arrays(relaxed, settings, True)
        if result.status != "optimal":
            return kept  # the whole-number solves will say why
        values, proved = _on_whole(rp, whole, cols, result, kept)
        if proved:
            return kept
        kept |= still_needed(rp, values, kept)
    return kept


def solve_on_tail(
    rp,
    whole: ArrayModel,
    settings: SolverSettings,
    exact: bool,
    started: float,
    start: np.ndarray | None,
) -> ArrayResult:
    """`whole` (the full model, its matrix in compressed sparse row form) solved on as few futures as prove its
    optimum. The values returned are of the whole model and checked row by row there."""
    began = time.perf_counter()
    kept = grown_on_relaxation(rp, whole, _remaining(settings, started), first_futures(rp, start))
    while True:
        sub, cols = restrict(rp, whole, kept)
        result = solvers.run_arrays(sub, _remaining(settings, started), exact, None if start is None else start[cols])
        if result.status == "infeasible":
            return result  # a relaxation with no plan: the whole model has none either
        values, proved = _on_whole(rp, whole, cols, result, kept)
        if proved:
            return ArrayResult(
                result.status, float(whole.cost @ values), values, result.gap, time.perf_counter() - began
            )
        if kept.all():
            raise SolverError(f"The {settings.solver} solver returned a plan that breaks the model's rows.")
        if result.status != "optimal":  # out of time before the futures left out were settled
            raise SolverError(solvers.no_plan_in_time(settings))
        kept |= still_needed(rp, values, kept)


def _on_whole(rp, whole: ArrayModel, cols: np.ndarray, result: ArrayResult, kept: np.ndarray):
    """The relaxation's solution extended to the whole model and its tails settled; whether it
    holds there at no more than the relaxation's cost (then it is the whole model's optimum)."""
    values = settle_tails(rp, extend(rp, whole, cols, result.values, kept))
    bad_rows, bad_bounds = solvers.broken(whole, values)
    cost = float(whole.cost @ values)
    dearer = cost > result.objective + solvers.FEASIBILITY * (1.0 + abs(result.objective))
    return values, not (bad_rows.any() or bad_bounds.any() or dearer)
