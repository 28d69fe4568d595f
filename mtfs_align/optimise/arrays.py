"""A PuLP problem as arrays, for solvers driven directly (HiGHS through highspy, and the commercial
solvers) rather than through PuLP's own copy of the model.

The PuLP problem stays the one definition of the rows (every family of DESIGN 4.4 is written once,
in problem.py, and named there for messages); this module only reads it. Columns are in the order
PuLP hands them to HiGHS (variables sorted by name) and rows in the problem's order, so HiGHS sees
the same model as before.

Start variables can also be written as "started by year" variables: `y[o,s] = sum_{s' <= s}
z[o,s']`, the usual form of start-time knapsacks (DESIGN 4.4 keeps z; the solver is given y). It is
the same problem and the same linear relaxation, only the branching and the cuts differ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp
from scipy import sparse


@dataclass
class ArrayModel:
    """min c x  subject to  row_lower <= A x <= row_upper, col_lower <= x <= col_upper, and x
    integral where `integer` is set; A in compressed sparse form (scipy.sparse)."""

    cost: np.ndarray
    matrix: object  # scipy.sparse matrix, rows x columns
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray  # bool, per column


@dataclass
class StartColumns:
    """The start variables z of a problem, with each option's starts consecutive and in year order
    (as problem.py builds them), to write the problem in "started by year" variables."""

    variables: list  # the z variables, pulp.LpVariable
    option: np.ndarray  # (Z,) option index of each


@dataclass
class ProblemArrays:
    model: ArrayModel  # what the solver is given (in y when `transform` is set)
    variables: list  # pulp.LpVariable of each column
    offset: float  # the objective's constant
    original: ArrayModel | None = None  # the problem as PuLP holds it (in z; `model` itself when not in y)
    transform: sparse.csr_matrix | None = None  # x = transform @ x' when solved in y (else None)
    rising_rows: int = 0  # rows "y never falls" added at the end (not rows of the problem)
    start_columns: np.ndarray | None = None  # columns of z (then y), each option's in year order
    start_option: np.ndarray | None = None

    def to_original(self, values: np.ndarray) -> np.ndarray:
        """The problem's own variables' values from the solver's (z from y)."""
        return values if self.transform is None else self.transform @ values

    def to_solver(self, values: np.ndarray) -> np.ndarray:
        """The solver's variables from the problem's own (y from z: running sums per option)."""
        if self.transform is None:
            return values
        values = np.array(values, dtype=float)
        z = values[self.start_columns]
        total = np.cumsum(z)
        first = np.ones(len(z), dtype=bool)
        first[1:] = self.start_option[1:] != self.start_option[:-1]
        before = np.maximum.accumulate(np.where(first, np.arange(len(z)), 0))  # each option's first start
        values[self.start_columns] = total - (total - z)[before]
        return values


def from_problem(problem: pulp.LpProblem, starts: StartColumns | None = None) -> ProblemArrays:
    """The problem's objective, rows and bounds as an ArrayModel (minimisation)."""
    variables = problem.variables()
    index = {id(v): i for i, v in enumerate(variables)}
    sign = -1.0 if problem.sense == pulp.LpMaximize else 1.0
    cost = np.zeros(len(variables))
    objective = problem.objective
    offset = 0.0
    if objective is not None:
        for var, coefficient in objective.items():
            cost[index[id(var)]] += sign * coefficient
        offset = sign * float(objective.constant)
    rows, cols, data, lower, upper = [], [], [], [], []
    for r, constraint in enumerate(problem.constraints()):
        items = [(index[id(var)], a) for var, a in constraint.items() if a != 0]
        rows.extend([r] * len(items))
        cols.extend(i for i, _ in items)
        data.extend(a for _, a in items)
        bound = -float(constraint.constant)
        lower.append(-np.inf if constraint.sense == pulp.LpConstraintLE else bound)
        upper.append(np.inf if constraint.sense == pulp.LpConstraintGE else bound)
    shape = (len(lower), len(variables))
    matrix = sparse.csr_matrix((np.array(data, dtype=float), (rows, cols)), shape=shape)
    col_lower = np.array([-np.inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
    col_upper = np.array([np.inf if v.upBound is None else v.upBound for v in variables], dtype=float)
    integer = np.array([v.cat == pulp.LpInteger for v in variables], dtype=bool)
    row_lower, row_upper = np.array(lower, dtype=float), np.array(upper, dtype=float)
    model = ArrayModel(cost, matrix, row_lower, row_upper, col_lower, col_upper, integer)
    arrays = ProblemArrays(model, variables, offset, model)
    if starts is not None and len(starts.variables):
        arrays = _started_by(arrays, [index[id(v)] for v in starts.variables], starts.option)
    return arrays


def _started_by(arrays: ProblemArrays, columns: list[int], option: np.ndarray) -> ProblemArrays:
    """The same problem with each start column z[o,s] replaced by y[o,s] (started by year s):
    x = M x', where M is the identity except z[o,s] = y[o,s] - y[o,s-1]; every row's z part is
    multiplied by M, and rows y[o,s] - y[o,s-1] >= 0 keep z >= 0."""
    m = arrays.model
    count = m.matrix.shape[1]
    cols = np.asarray(columns)
    has_previous = np.zeros(len(cols), dtype=bool)
    has_previous[1:] = option[1:] == option[:-1]
    later = np.flatnonzero(has_previous)
    rows = np.concatenate([np.arange(count), cols[later]])
    entries = np.concatenate([np.arange(count), cols[later - 1]])
    data = np.concatenate([np.ones(count), -np.ones(len(later))])
    transform = sparse.csr_matrix((data, (rows, entries)), shape=(count, count))
    rising = transform[cols[later]]
    matrix = sparse.vstack([m.matrix @ transform, rising], format="csr")
    model = ArrayModel(
        cost=transform.T @ m.cost,
        matrix=matrix,
        row_lower=np.concatenate([m.row_lower, np.zeros(len(later))]),
        row_upper=np.concatenate([m.row_upper, np.full(len(later), np.inf)]),
        col_lower=m.col_lower,
        col_upper=m.col_upper,
        integer=m.integer,
    )
    return ProblemArrays(model, arrays.variables, arrays.offset, m, transform, len(later), cols, np.asarray(option))


def start_values(arrays: ProblemArrays) -> np.ndarray | None:
    """The variables' current values as a starting plan for the solver (integers rounded; a
    continuous variable without a value at 0), or None when any integer variable has none."""
    integer = arrays.original.integer
    values = [v.varValue for v in arrays.variables]
    if any(value is None for value, whole in zip(values, integer.tolist(), strict=True) if whole):
        return None
    values = np.array([0.0 if value is None else value for value in values], dtype=float)
    values[integer] = np.round(values[integer])
    return arrays.to_solver(values)


def write_back(arrays: ProblemArrays, values: np.ndarray) -> None:
    """The solution into the PuLP variables, as PuLP's own solve would leave it."""
    for var, value in zip(arrays.variables, arrays.to_original(values).tolist(), strict=True):
        var.varValue = value
