"""Planning for delivery risk (DESIGN 4.6): the plan whose savings still to be found are least in
the worst (1 - p) share of K delivery futures, drawn once per option so that every candidate plan
faces the same futures (common random numbers).

The model is the plan's rows of DESIGN 4.4 (floors, cash limits, one start, capacity, requires,
excludes, protection: taken from the built `SavingsProblem`, so each family is defined once) and,
for every draw k and year t, its own reserves: `draw[k,t] <= max_cover_k[t]`, `pay[k,t]`,
`u[k,t] >= 0` in the balance and reserves rows of 4.4. The tail of the shortfall is linear
(Rockafellar and Uryasev, 2000):

    CVaR_p(u_t) = min over eta_t of  eta_t + sum_k w[k,t] / ((1 - p) K),  w[k,t] >= u[k,t] - eta_t, w >= 0.

Worked case (K = 2, p = 0.5): shortfalls u = (0, 10) in the two futures. With eta = 0 the value is
0 + (0 + 10) / (0.5 x 2) = 10; with eta = 10 it is 10 + 0 = 10; with eta = 5 it is 5 + 5 = 10. The
worst half of the futures is the one with 10, so CVaR is 10. With K = 3, p = 2/3 and u = (0, 3, 9),
eta = 3 gives 3 + (0 + 0 + 6) / (1/3 x 3) = 9: the worst third is the future with 9.

Stages, each keeping the earlier results as 4.4 does: 1. least CVaR_p(u_1); 2. least
sum_t CVaR_p(u_t); 3. least harm + reserves_penalty x (1/K) sum_k sum_t draw[k,t]. The per-draw
rows are assembled from arrays (the dense K x years x starts block of savings), never term by term.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pulp
from scipy import sparse

from mtfs_align.errors import ContradictionError
from mtfs_align.model import Model
from mtfs_align.optimise import solvers
from mtfs_align.optimise.contradictions import diagnose
from mtfs_align.optimise.futures import PlanningDraws, draw_futures, plan_shortfalls, savings_in_futures
from mtfs_align.optimise.limits import remaining as _remaining
from mtfs_align.optimise.limits import tolerance
from mtfs_align.optimise.problem import SavingsProblem
from mtfs_align.optimise.shortfall_out import can_substitute, solve_without_shortfall
from mtfs_align.optimise.solvers import ArrayModel, SolverSettings
from mtfs_align.optimise.tail_draws import solve_on_tail

__all__ = [
    "PlanningDraws",
    "RiskProblem",
    "build_risk_problem",
    "draw_futures",
    "plan_shortfalls",
    "savings_in_futures",
]

PLAN_ROW_FAMILIES = ("floor", "cash_limit", "one_start", "capacity", "requires", "excludes", "protect")


@dataclass
class RiskSolution:
    plan: dict[str, int]
    status: str
    stage1_cvar_k: float  # least CVaR of the first year's unidentified savings over the K draws
    cvar_sum_k: float  # least sum over years of CVaR, under stage 1
    objective: float  # stage 3: harm + reserves penalty on the mean draws
    cvar_by_year_k: np.ndarray  # the solution's own CVaR per year (eta_t + tail average)
    gap: float | None
    seconds: float


@dataclass
class RiskProblem:
    """The risk-planning model of DESIGN 4.6, built once; gap, reserves, confidence and harm can be
    changed in place between solves (frontier points, weight samples)."""

    sp: SavingsProblem
    futures: PlanningDraws
    confidence: float
    base_rows: sparse.csr_matrix = field(repr=False)  # every row but the stage bounds
    row_lower: np.ndarray = field(repr=False)
    row_upper: np.ndarray = field(repr=False)
    col_lower: np.ndarray = field(repr=False)
    col_upper: np.ndarray = field(repr=False)
    integer: np.ndarray = field(repr=False)
    balance_rows: np.ndarray = field(repr=False)  # (K, n) row index of each balance row
    reserves_rows: np.ndarray = field(repr=False)  # (K, n)
    draw_cols: np.ndarray = field(repr=False)  # (K, n) column of draw[k,t]
    pay_cols: np.ndarray = field(repr=False)
    u_cols: np.ndarray = field(repr=False)
    w_cols: np.ndarray = field(repr=False)
    eta_cols: np.ndarray = field(repr=False)  # (n,)
    cvar_cols: np.ndarray = field(repr=False)  # (n,) CVaR of each year, tied to eta and w by definition rows
    gap_scale: float = 1.0
    reserves_scale: float = 1.0
    start_harm: np.ndarray | None = field(default=None, repr=False)  # (O, n) override (robustness)
    transform: sparse.csr_matrix | None = field(default=None, repr=False)  # z = T y (`started_by`)
    balance_stages: tuple | None = field(default=None, repr=False)  # the last solve's stages 1 and 2

    @property
    def model(self) -> Model:
        return self.sp.model

    @property
    def tail_rows(self) -> np.ndarray:  # (K, n) row index of each tail row w - u + eta >= 0
        return self.reserves_rows + self.reserves_rows.size

    @property
    def z_count(self) -> int:
        return len(self.sp.z)

    # ---- changes in place --------------------------------------------------------------
    def scale_gap(self, factor: float) -> None:
        self.gap_scale = factor
        gap = self.model.gap * factor
        self.row_lower[self.balance_rows] = gap[None, :]
        self.row_upper[self.balance_rows] = gap[None, :]

    def scale_reserves(self, factor: float) -> None:
        """usable - minimum and every max_cover_k (and max_draw_k) times `factor` (DESIGN 4.5)."""
        self.reserves_scale = factor
        r = self.model.scenario.reserves
        self.row_upper[self.reserves_rows] = factor * (r.usable_k - r.minimum_k)
        cover = np.array([c if math.isinf(c) else c * factor for c in r.max_cover_k])
        self.col_upper[self.draw_cols] = cover[None, :]

    def set_confidence(self, confidence: float) -> None:
        self.confidence = confidence

    # ---- objectives ---------------------------------------------------------------------
    def _tail_cost(self, years: list[int]) -> np.ndarray:
        """sum over `years` of eta_t + sum_k w[k,t] / ((1 - p) K), on the tail variables."""
        cost = np.zeros(len(self.col_lower))
        weight = 1.0 / ((1.0 - self.confidence) * self.futures.count)
        for t in years:
            cost[self.eta_cols[t]] = 1.0
            cost[self.w_cols[:, t]] = weight
        return cost

    def _cvar_cost(self, years: list[int]) -> np.ndarray:
        """The same sum on the years' CVaR columns, which the definition rows tie to the tail: a
        stage bound is then a row of n entries, not of K x n (HiGHS separates cuts on the short row
        about twice as fast; docs/performance.md)."""
        cost = np.zeros(len(self.col_lower))
        cost[self.cvar_cols[years]] = 1.0
        return cost

    def _definition_rows(self) -> sparse.csr_matrix:
        """cvar_t - eta_t - sum_k w[k,t] / ((1 - p) K) = 0, at the current confidence."""
        n, k = self.model.n, self.futures.count
        weight = 1.0 / ((1.0 - self.confidence) * k)
        rows = np.concatenate([np.arange(n), np.arange(n), np.repeat(np.arange(n), k)])
        cols = np.concatenate([self.cvar_cols, self.eta_cols, self.w_cols.T.ravel()])
        data = np.concatenate([np.ones(n), -np.ones(n), np.full(n * k, -weight)])
        return sparse.csr_matrix((data, (rows, cols)), shape=(n, len(self.col_lower)))

    def _harm_cost(self) -> np.ndarray:
        m = self.model
        harm = m.start_harm() if self.start_harm is None else self.start_harm
        cost = np.zeros(len(self.col_lower))
        cost[: self.z_count] = self.transform.T @ harm[self.sp.pairs_option, self.sp.pairs_start]
        penalty = m.scenario.policy.reserves_penalty
        if penalty:
            cost[self.draw_cols.ravel()] = penalty / self.futures.count
        return cost

    def cvar_by_year(self, values: np.ndarray) -> np.ndarray:
        weight = 1.0 / ((1.0 - self.confidence) * self.futures.count)
        return np.array(
            [values[self.eta_cols[t]] + weight * values[self.w_cols[:, t]].sum() for t in range(self.model.n)]
        )

    def plan_from(self, values: np.ndarray) -> dict[str, int]:
        m = self.model
        starts = self.transform @ np.round(values[: self.z_count])
        chosen = np.flatnonzero(starts > 0.5)
        return {m.option_ids[self.sp.pairs_option[i]]: int(self.sp.pairs_start[i]) for i in chosen.tolist()}

    # ---- solving ------------------------------------------------------------------------
    def _array_model(self, cost: np.ndarray, bounds: list[tuple[np.ndarray, float]]) -> ArrayModel:
        n = self.model.n
        rows = sparse.vstack([self.base_rows, self._definition_rows()], format="csr")
        lower = np.concatenate([self.row_lower, np.zeros(n)])
        upper = np.concatenate([self.row_upper, np.zeros(n)])
        if bounds:
            extra = sparse.csr_matrix(np.vstack([b[0] for b in bounds]))
            rows = sparse.vstack([rows, extra], format="csr")
            lower = np.concatenate([lower, np.full(len(bounds), -np.inf)])
            upper = np.concatenate([upper, [b[1] for b in bounds]])
        return ArrayModel(
            cost=cost,
            matrix=rows,  # by rows: the futures are cut out of it by row (optimise/tail_draws.py)
            row_lower=lower,
            row_upper=upper,
            col_lower=self.col_lower,
            col_upper=self.col_upper,
            integer=self.integer,
        )

    def _solve(self, cost, bounds, settings, exact, started, start=None, on_tail=False) -> solvers.ArrayResult:
        """`on_tail`: the stage's objective is the tail itself (stages 1 and 2), so it is solved on
        the futures that can be in a tail (optimise/tail_draws.py). Stage 3's least harm pushes
        the shortfall into whichever futures are left out, which then all return: it is solved
        on every future at once (docs/performance.md)."""
        whole = self._array_model(cost, bounds)
        if on_tail:
            result = solve_on_tail(self, whole, settings, exact, started, start)
        elif can_substitute(self, whole):  # the same model without the u columns: faster to solve
            result = solve_without_shortfall(self, whole, _remaining(settings, started), exact, start)
        else:
            result = solvers.run_arrays(whole, _remaining(settings, started), exact, start)
        if result.status == "infeasible":
            raise ContradictionError(diagnose(self.model, settings))
        return result

    def _solve_first_year(self, settings: SolverSettings, started: float) -> solvers.ArrayResult:
        """Stage 1 on the rows of the first year alone (and the plan's rows): the later years' rows
        can always be met (by u, or by drawing nothing more), so they cannot change the least CVaR
        of the first year, and the model is a quarter of the size. The values returned are those
        of the whole model (later years' draw, pay and tail at their least, u meeting each balance
        row), a feasible start for stage 2."""
        n, k = self.model.n, self.futures.count
        rows_first = np.concatenate(
            [
                np.arange(self.balance_rows.min()),  # the plan's rows
                self.balance_rows[:, 0],
                self.reserves_rows[:, 0],
                self.tail_rows[:, 0],
                np.arange(self.balance_rows.max() + 2 * k * n + 1, self.base_rows.shape[0]),  # y never falls
            ]
        )
        cols = np.concatenate(
            [
                np.arange(self.z_count),
                self.eta_cols[:1],
                self.draw_cols[:, 0],
                self.pay_cols[:, 0],
                self.u_cols[:, 0],
                self.w_cols[:, 0],
            ]
        )
        cost = self._tail_cost([0])
        sub = ArrayModel(
            cost=cost[cols],
            matrix=self.base_rows[rows_first][:, cols].tocsc(),
            row_lower=self.row_lower[rows_first],
            row_upper=self.row_upper[rows_first],
            col_lower=self.col_lower[cols],
            col_upper=self.col_upper[cols],
            integer=self.integer[cols],
        )
        result = solvers.run_arrays(sub, _remaining(settings, started), True)
        if result.status == "infeasible":
            raise ContradictionError(diagnose(self.model, settings))
        values = np.zeros(len(self.col_lower))
        values[cols] = result.values
        values[self.eta_cols[1:]] = 0.0
        # later years: no draw, surplus paid in, shortfall unidentified; tail w = u (eta = 0)
        activity = self.base_rows[self.balance_rows[:, 1:].ravel()] @ values
        gap = self.row_lower[self.balance_rows[:, 1:].ravel()]
        left = gap - activity
        values[self.u_cols[:, 1:].ravel()] = np.maximum(left, 0.0)
        values[self.pay_cols[:, 1:].ravel()] = np.maximum(-left, 0.0)
        values[self.w_cols[:, 1:].ravel()] = values[self.u_cols[:, 1:].ravel()]
        values[self.cvar_cols] = self.cvar_by_year(values)
        return solvers.ArrayResult(result.status, result.objective, values, result.gap, result.seconds)

    def solve(self, settings: SolverSettings) -> RiskSolution:
        """The three stages of DESIGN 4.6 under the current gap, reserves, confidence and harm."""
        started = time.perf_counter()
        first_cost = self._cvar_cost([0])
        first = self._solve_first_year(settings, started)
        stage1 = max(0.0, first.objective)
        bounds = [(first_cost, stage1 + tolerance(stage1))]
        all_cost = self._cvar_cost(list(range(self.model.n)))
        # each stage starts from the plan before, which meets the new stage's rows
        second = self._solve(all_cost, bounds, settings, True, started, start=first.values, on_tail=True)
        stage2 = max(0.0, second.objective)
        bounds.append((all_cost, stage2 + tolerance(stage2)))
        self.balance_stages = (stage1, stage2, bounds, second, [first.status, second.status])
        return self.solve_harm(settings, started)

    def solve_harm(self, settings: SolverSettings, started: float | None = None) -> RiskSolution:
        """Stage 3 alone under the stage-1 and stage-2 results of the last `solve` (weight samples
        change only the harm, which those stages do not depend on)."""
        started = time.perf_counter() if started is None else started
        stage1, stage2, bounds, second, statuses = self.balance_stages
        statuses = list(statuses)
        try:
            third = self._solve(self._harm_cost(), bounds, settings, False, started, start=second.values)
        except solvers.NoPlanInTime:  # any other failure is a failure, not a reason to fall back
            third = None
        if third is None:  # out of time in the harm stage: the stage-2 plan meets every row
            values, objective, gap = second.values, float("nan"), None
            statuses.append("time_limit")
        else:
            values, objective, gap = third.values, third.objective, third.gap
            statuses.append(third.status)
        return RiskSolution(
            plan=self.plan_from(values),
            status="time_limit" if "time_limit" in statuses else "optimal",
            stage1_cvar_k=stage1,
            cvar_sum_k=stage2,
            objective=objective,
            cvar_by_year_k=self.cvar_by_year(values),
            gap=None if "time_limit" in statuses[:2] else gap,
            seconds=time.perf_counter() - started,
        )


def started_by(sp: SavingsProblem) -> sparse.csr_matrix:
    """T with z = T y, where y[o,s] = 1 when option o has started by year s (the sum of its z up to
    s, within its window). The model is solved in y: the same relaxation, but branching on "started
    by year s" splits the plans far more evenly than "starts in year s" (docs/performance.md)."""
    o, s = sp.pairs_option, sp.pairs_start
    count = len(o)
    previous = np.flatnonzero((o[1:] == o[:-1]) & (s[1:] == s[:-1] + 1)) + 1 if count > 1 else np.zeros(0, int)
    rows = np.concatenate([np.arange(count), previous])
    cols = np.concatenate([np.arange(count), previous - 1])
    data = np.concatenate([np.ones(count), -np.ones(len(previous))])
    return sparse.csr_matrix((data, (rows, cols)), shape=(count, count))


def _plan_rows(sp: SavingsProblem) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The rows of DESIGN 4.4 on the plan alone (every family but balance and reserves), read from
    the built problem so that each family is defined in one place."""
    index = {var.name: i for i, var in enumerate(sp.z)}
    data, rows, cols, lower, upper = [], [], [], [], []
    r = 0
    for family in PLAN_ROW_FAMILIES:
        for row in sp.family(family):
            constraint = row.constraint
            for variable, coefficient in constraint.items():
                rows.append(r)
                cols.append(index[variable.name])
                data.append(coefficient)
            rhs = -float(constraint.constant)
            if constraint.sense == pulp.LpConstraintLE:
                lower.append(-np.inf), upper.append(rhs)
            elif constraint.sense == pulp.LpConstraintGE:
                lower.append(rhs), upper.append(np.inf)
            else:
                lower.append(rhs), upper.append(rhs)
            r += 1
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(r, len(sp.z)))
    return matrix, np.array(lower, dtype=float), np.array(upper, dtype=float)


def build_risk_problem(sp: SavingsProblem, draws: int, seed: int, confidence: float) -> RiskProblem:
    """The model of DESIGN 4.6 over `draws` futures from `seed`, on a built 4.4 problem."""
    m = sp.model
    n, z_count = m.n, len(sp.z)
    futures = draw_futures(m, draws, seed)
    k = futures.count
    # columns: z | eta (n) | per future and year: draw, pay, u, w | CVaR of each year (n)
    eta_cols = z_count + np.arange(n)
    block = z_count + n + 4 * (np.arange(k)[:, None] * n + np.arange(n)[None, :])  # (K, n)
    draw_cols, pay_cols, u_cols, w_cols = block, block + 1, block + 2, block + 3
    cvar_cols = z_count + n + 4 * k * n + np.arange(n)
    columns = z_count + n + 4 * k * n + n
    r = m.scenario.reserves
    col_lower = np.zeros(columns)
    col_upper = np.full(columns, np.inf)
    col_lower[eta_cols] = -np.inf
    col_lower[cvar_cols] = -np.inf
    col_upper[:z_count] = 1.0
    cover = np.array(r.max_cover_k, dtype=float)
    col_upper[draw_cols] = cover[None, :]
    integer = np.zeros(columns, dtype=bool)
    integer[:z_count] = True

    plan_matrix, plan_lower, plan_upper = _plan_rows(sp)
    first = plan_matrix.shape[0]
    balance_rows = first + np.arange(k * n).reshape(k, n)
    reserves_rows = balance_rows + k * n
    tail_rows = reserves_rows + k * n

    # balance: sum_z X_k[z,t] z + draw - pay + u = G[t]
    saved = savings_in_futures(m, futures, sp.pairs_option, sp.pairs_start)  # (K, Z, n)
    kk, zz, tt = np.nonzero(saved)
    b_rows = [balance_rows[kk, tt], balance_rows.ravel(), balance_rows.ravel(), balance_rows.ravel()]
    b_cols = [zz, draw_cols.ravel(), pay_cols.ravel(), u_cols.ravel()]
    b_data = [saved[kk, zz, tt], np.ones(k * n), -np.ones(k * n), np.ones(k * n)]
    # reserves: sum_{t' <= t} draw[k,t'] - pay[k,t'] <= usable - minimum
    later = np.array([(s, t) for t in range(n) for s in range(t + 1)])  # (year of row, earlier year)
    s_idx, t_idx = later[:, 0], later[:, 1]
    res_rows = reserves_rows[:, t_idx]  # (K, pairs)
    b_rows += [res_rows.ravel(), res_rows.ravel()]
    b_cols += [draw_cols[:, s_idx].ravel(), pay_cols[:, s_idx].ravel()]
    b_data += [np.ones(res_rows.size), -np.ones(res_rows.size)]
    # tail: w[k,t] - u[k,t] + eta[t] >= 0
    b_rows += [tail_rows.ravel()] * 3
    b_cols += [w_cols.ravel(), u_cols.ravel(), np.broadcast_to(eta_cols[None, :], (k, n)).ravel()]
    b_data += [np.ones(k * n), -np.ones(k * n), np.ones(k * n)]
    total_rows = first + 3 * k * n
    block_matrix = sparse.csr_matrix(
        (np.concatenate(b_data), (np.concatenate(b_rows) - first, np.concatenate(b_cols))), shape=(3 * k * n, columns)
    )
    plan_block = sparse.hstack([plan_matrix, sparse.csr_matrix((first, columns - z_count))], format="csr")
    base = sparse.vstack([plan_block, block_matrix], format="csr")
    assert base.shape[0] == total_rows
    # in "started by" variables: every row's z part times T, and z = T y >= 0 (y never falls)
    transform = started_by(sp)
    base = sparse.hstack([base[:, :z_count] @ transform, base[:, z_count:]], format="csr")
    rising = transform[np.flatnonzero(np.diff(transform.indptr) > 1)]
    base = sparse.vstack(
        [base, sparse.hstack([rising, sparse.csr_matrix((rising.shape[0], columns - z_count))])], format="csr"
    )
    row_lower = np.concatenate(
        [
            plan_lower,
            np.broadcast_to(m.gap[None, :], (k, n)).ravel(),
            np.full(k * n, -np.inf),
            np.zeros(k * n),
            np.zeros(rising.shape[0]),
        ]
    )
    row_upper = np.concatenate(
        [
            plan_upper,
            np.broadcast_to(m.gap[None, :], (k, n)).ravel(),
            np.full(k * n, r.usable_k - r.minimum_k),
            np.full(k * n, np.inf),
            np.full(rising.shape[0], np.inf),
        ]
    )
    return RiskProblem(
        sp=sp,
        futures=futures,
        confidence=confidence,
        base_rows=base,
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=integer,
        balance_rows=balance_rows,
        reserves_rows=reserves_rows,
        draw_cols=draw_cols,
        pay_cols=pay_cols,
        u_cols=u_cols,
        w_cols=w_cols,
        eta_cols=eta_cols,
        cvar_cols=cvar_cols,
        transform=transform,
    )
