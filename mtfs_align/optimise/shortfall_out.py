"""The risk model's harm stage (DESIGN 4.6, stage 3) with each future's unidentified savings
substituted out: the same model, fewer columns, solved faster.

In every future k and year t the balance row fixes the shortfall, u[k,t] = G[t] - a[k,t].x, where
a[k,t].x is the savings delivered plus the draw less the payment in. Putting that into the two rows
u appears in gives the same feasible plans without the K x years u columns:

    u >= 0                    becomes   a[k,t].x <= G[t]              (the balance row)
    w[k,t] - u[k,t] + eta[t] >= 0   becomes   w[k,t] + a[k,t].x + eta[t] >= G[t]   (the tail row)

u has no cost in the harm stage and no upper bound, so the optimum is the same plan and the same
objective; u is put back from the solution. Measured on Westshire at K = 500 (docs/performance.md):
the harm stage's root cut separation takes about a quarter less time on the model without u.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from mtfs_align.errors import SolverError
from mtfs_align.optimise import solvers
from mtfs_align.optimise.arrays import ArrayModel

if TYPE_CHECKING:
    from mtfs_align.optimise.risk_plan import RiskProblem


def can_substitute(rp: RiskProblem, whole: ArrayModel) -> bool:
    """u may be substituted out when it costs nothing, is bounded only below by zero, and is found
    only in its own balance row (coefficient 1) and tail row (coefficient -1)."""
    u = rp.u_cols.ravel()
    if np.any(whole.cost[u] != 0) or np.any(whole.col_lower[u] != 0) or np.any(np.isfinite(whole.col_upper[u])):
        return False
    columns = sparse.csc_matrix(whole.matrix.tocsc()[:, u])
    index = np.arange(len(u))
    expected = sparse.csc_matrix(
        (
            np.concatenate([np.ones(len(u)), -np.ones(len(u))]),
            (np.concatenate([rp.balance_rows.ravel(), rp.tail_rows.ravel()]), np.concatenate([index, index])),
        ),
        shape=columns.shape,
    )
    balance = rp.balance_rows.ravel()
    equal = np.array_equal(whole.row_lower[balance], whole.row_upper[balance])
    return equal and (columns != expected).nnz == 0


def without_shortfall(rp: RiskProblem, whole: ArrayModel) -> tuple[ArrayModel, np.ndarray]:
    """The model with the u columns substituted out, and the columns it keeps (in order)."""
    matrix = whole.matrix.tocsr()
    balance, tail, u = rp.balance_rows.ravel(), rp.tail_rows.ravel(), rp.u_cols.ravel()
    keep = np.setdiff1d(np.arange(matrix.shape[1]), u)
    delivered = matrix[balance][:, keep]  # a[k,t].x
    # each tail row gains its future's a[k,t].x: a 0/1 matrix places the balance rows on the tail rows
    onto_tail = sparse.csr_matrix(
        (np.ones(len(tail)), (tail, np.arange(len(tail)))), shape=(matrix.shape[0], len(tail))
    )
    reduced = matrix[:, keep] + onto_tail @ delivered
    gap = whole.row_lower[balance]
    row_lower, row_upper = whole.row_lower.copy(), whole.row_upper.copy()
    row_lower[balance], row_upper[balance] = -np.inf, gap
    row_lower[tail] = gap
    model = ArrayModel(
        cost=whole.cost[keep],
        matrix=sparse.csr_matrix(reduced),
        row_lower=row_lower,
        row_upper=row_upper,
        col_lower=whole.col_lower[keep],
        col_upper=whole.col_upper[keep],
        integer=whole.integer[keep],
    )
    return model, keep


def solve_without_shortfall(
    rp: RiskProblem, whole: ArrayModel, settings, exact: bool, start: np.ndarray | None = None
) -> solvers.ArrayResult:
    """Solve `whole` on the model without u; the values returned are those of `whole` (u put back,
    every row and bound of `whole` checked), and the objective is `whole`'s."""
    model, keep = without_shortfall(rp, whole)
    result = solvers.run_arrays(model, settings, exact, None if start is None else start[keep])
    if result.status == "infeasible":
        return result
    values = np.zeros(whole.matrix.shape[1])
    values[keep] = result.values
    balance, u = rp.balance_rows.ravel(), rp.u_cols.ravel()
    delivered = whole.matrix.tocsr()[balance] @ values  # u's columns are still zero here
    values[u] = np.maximum(whole.row_lower[balance] - delivered, 0.0)
    rows, bounds = solvers.broken(whole, values)
    if rows.any() or bounds.any():
        raise SolverError(
            f"The {settings.solver} solver's plan breaks {int(rows.sum() + bounds.sum())} of the risk model's "
            "rows or bounds once its unidentified savings are put back."
        )
    return solvers.ArrayResult(result.status, float(whole.cost @ values), values, result.gap, result.seconds)
