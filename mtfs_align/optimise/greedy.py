"""A quick plan that balances every year, built greedily from the problem's own rows.

When such a plan meets every row of the problem with nothing unidentified, the first two stages of
DESIGN 4.4 are known without solving: u[1]* = 0 and Σu* = 0 (u cannot be negative). The plan then
also starts the harm stage. When the greedy plan leaves something unidentified or breaks a row, it
proves nothing and the stages are solved as usual, so the optimum never depends on this heuristic:
only the time to reach it does. On the benchmark's 5,000-option council, HiGHS takes about 25 s to
find a balanced plan in stages 1 and 2; this takes under a second (docs/performance.md).

The greedy order is by harm per £ of savings over the horizon (cheapest harm first, earlier
starts first among equals), after
adopted options and any savings a cash limit requires. Each start is added only if every
"at most" row (floors, capacity, protection, one start per option, requires, excludes) still holds.
"""

from __future__ import annotations

import numpy as np
import pulp

from mtfs_align.optimise.problem import SavingsProblem

ROW_TOLERANCE = 1e-6  # £k (a tenth of a penny), on rows whose terms are whole £k figures
_SKIP = ("balance", "reserves")  # handled by settling reserves, as DESIGN 4.3 does


class _Rows:
    """The problem's rows over start variables only, each as `Σ a z <= limit` ("at least" rows
    negated), with a column-wise index to test one start against every row it touches."""

    def __init__(self, sp: SavingsProblem):
        column = {id(v): i for i, v in enumerate(sp.z)}
        self.columns: list[list[tuple[int, float]]] = [[] for _ in sp.z]
        self.members: list[list[tuple[int, float]]] = []
        limits, equal = [], []
        for family, rows in sp.rows.items():
            if family in _SKIP:
                continue
            for row in rows:
                c = row.constraint
                sign = -1.0 if c.sense == pulp.LpConstraintGE else 1.0
                k = len(limits)
                members = []
                for var, a in c.items():
                    i = column.get(id(var))
                    if i is not None and a != 0:
                        members.append((i, sign * a))
                        self.columns[i].append((k, sign * a))
                self.members.append(members)
                limits.append(-sign * c.constant)
                equal.append(c.sense == pulp.LpConstraintEQ)
        self.limit = np.array(limits, dtype=float)
        self.equal = np.array(equal, dtype=bool)
        self.activity = np.zeros(len(limits))

    def fits(self, i: int) -> bool:
        return all(self.activity[k] + a <= self.limit[k] + ROW_TOLERANCE for k, a in self.columns[i] if a > 0)

    def add(self, i: int) -> None:
        for k, a in self.columns[i]:
            self.activity[k] += a

    def broken(self) -> np.ndarray:
        over = self.activity > self.limit + ROW_TOLERANCE
        under = self.equal & (self.activity < self.limit - ROW_TOLERANCE)
        return np.flatnonzero(over | under)


def balanced_plan(sp: SavingsProblem) -> dict[str, int] | None:
    """A plan meeting every row of `sp` with nothing unidentified in any year, or None.

    The plan's start values (and its reserves, settled as DESIGN 4.3) are left set on the
    problem's variables, ready as a warm start."""
    m = sp.model
    z_count = len(sp.z)
    if z_count == 0:
        return None
    net = sp.start_net_savings()
    harm = m.start_harm()[sp.pairs_option, sp.pairs_start]
    positive = np.clip(net, 0.0, None).sum(axis=1)
    ratio = np.where(positive > 0, harm / np.maximum(positive, 1e-12), np.inf)
    # cheapest first; ties (to 12 decimals, past rounding in the ratios) by earlier start, then option
    order = np.lexsort((np.arange(z_count), sp.pairs_start, np.round(ratio, 12))).tolist()
    rank = {i: r for r, i in enumerate(order)}

    rows = _Rows(sp)
    chosen = np.zeros(z_count, dtype=bool)
    total = np.zeros(m.n)

    def take(i: int) -> None:
        nonlocal total
        chosen[i] = True
        rows.add(i)
        total = total + net[i]

    def cheapest(candidates) -> list[int]:
        return sorted(candidates, key=rank.__getitem__)

    for k in np.flatnonzero(rows.equal).tolist():  # adopted options: their cheapest start that fits
        if rows.activity[k] < rows.limit[k] - ROW_TOLERANCE:
            start = next((i for i in cheapest(i for i, _ in rows.members[k]) if rows.fits(i)), None)
            if start is not None:
                take(start)

    def repair() -> None:
        """Rows still broken (an "at least" row, i.e. a cash limit needing savings): add the
        cheapest starts that bring each back within its limit."""
        for k in rows.broken().tolist():
            for i in cheapest(i for i, a in rows.members[k] if a < 0 and not chosen[i]):
                if rows.activity[k] <= rows.limit[k] + ROW_TOLERANCE:
                    break
                if rows.fits(i):
                    take(i)

    repair()
    short = sp.unidentified_after(total)
    for i in order:
        if short.max() <= 0.0 or not np.isfinite(ratio[i]):
            break
        if chosen[i] or not rows.fits(i):
            continue
        after = sp.unidentified_after(total + net[i])
        if after.sum() < short.sum():
            take(i)
            short = after
    repair()

    if len(rows.broken()) or sp.unidentified_after(total).max() > 0.0:
        return None
    plan = {m.option_ids[sp.pairs_option[i]]: int(sp.pairs_start[i]) for i in np.flatnonzero(chosen).tolist()}
    sp.set_start_values(plan)
    return plan if meets_every_row(sp) else None


def meets_every_row(sp: SavingsProblem) -> bool:
    """Every row of the problem (each constraint family and any stage bound), as PuLP holds it,
    holds at the variables' start values, and nothing is unidentified: an independent check of
    the greedy bookkeeping above."""
    if any(u.varValue is None or u.varValue > 0.0 for u in sp.unidentified):
        return False
    every_row = [row.constraint for rows in sp.rows.values() for row in rows] + list(sp.stage_rows.values())
    for row in every_row:
        value = row.value()
        if value is None:
            return False
        slack = ROW_TOLERANCE + 1e-9 * abs(row.constant)  # rounding in sums of large £k figures
        if row.sense == pulp.LpConstraintEQ and abs(value) > slack:
            return False
        if row.sense == pulp.LpConstraintLE and value > slack:
            return False
        if row.sense == pulp.LpConstraintGE and value < -slack:
            return False
    return True
