"""The optimisation model of DESIGN 4.4, built once from a Model: variables and one function per
constraint family, with deterministic names. Right-hand sides and objective coefficients can be
changed in place (frontier points, weight samples) without rebuilding."""

from __future__ import annotations

import dataclasses
import gc
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pulp

from mtfs_align.evaluate import ReservesMovements, plan_arrays, settle_reserves
from mtfs_align.model import Model
from mtfs_align.optimise import solvers
from mtfs_align.optimise.arrays import StartColumns
from mtfs_align.scenario import Reserves as ReservesPolicy

FAMILIES = ("balance", "reserves", "floor", "cash_limit", "one_start", "capacity", "requires", "excludes", "protect")
RELAXABLE = ("floor", "cash_limit", "one_start", "capacity", "requires", "excludes", "protect", "reserves")


@dataclass
class ConstraintRow:
    """One constraint with what a person needs to name it in a message."""

    family: str
    constraint: pulp.LpConstraint
    subject: str  # activity, option, priority or "council"
    year: int | None  # year index, where the row belongs to one year
    rhs: float  # right-hand side as built (before any scaling)


@dataclass
class SavingsProblem:
    model: Model
    problem: pulp.LpProblem
    pairs_option: np.ndarray  # (Z,) option index of each start variable
    pairs_start: np.ndarray  # (Z,) start year index
    z: list[pulp.LpVariable]
    draw: list[pulp.LpVariable]
    pay: list[pulp.LpVariable]
    unidentified: list[pulp.LpVariable]
    rows: dict[str, list[ConstraintRow]] = field(default_factory=dict)
    stage_rows: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    gap_scale: float = 1.0
    reserves_scale: float = 1.0

    def family(self, name: str) -> list[ConstraintRow]:
        return self.rows.get(name, [])

    def plan_from_solution(self) -> dict[str, int]:
        plan = {}
        for var, o, s in zip(self.z, self.pairs_option, self.pairs_start, strict=True):
            value = var.varValue
            if value is not None and value > 0.5:
                plan[self.model.option_ids[o]] = int(s)
        return plan

    def set_start_values(self, plan: dict[str, int]) -> None:
        """A warm start: the given plan's start variables at 1, others at 0, and its draws,
        payments and unidentified savings as DESIGN 4.3 settles them under the current scaling."""
        index = self.model.option_index()
        chosen = {(index[o], s) for o, s in plan.items()}
        for var, o, s in zip(self.z, self.pairs_option, self.pairs_start, strict=True):
            var.setInitialValue(1 if (int(o), int(s)) in chosen else 0)
        settled = self.settle(self.net_savings(plan))
        for variables, values in (
            (self.draw, settled.draw),
            (self.pay, settled.paid),
            (self.unidentified, settled.unidentified),
        ):
            for var, value in zip(variables, values.tolist(), strict=True):
                var.setInitialValue(value)

    def net_savings(self, plan: dict[str, int]) -> np.ndarray:
        """(n,) counted savings less one-off costs of a plan, by year."""
        options, starts = plan_arrays(self.model, plan)
        net = self.model.counted[options, starts, :].sum(axis=0)
        np.add.at(net, starts, -self.model.one_off[options])
        return net

    def start_net_savings(self) -> np.ndarray:
        """(Z, n): counted savings less one-off costs of every start variable, by year (its
        coefficients in the balance rows)."""
        net = self.model.counted[self.pairs_option, self.pairs_start, :].copy()
        net[np.arange(len(self.z)), self.pairs_start] -= self.model.one_off[self.pairs_option]
        return net

    def settle(self, net_savings: np.ndarray) -> ReservesMovements:
        """DESIGN 4.3's reserves for savings less one-off costs `net_savings` (by year), under the
        problem's scaled gap and reserves."""
        r = scaled_reserves(self.model.scenario.reserves, self.reserves_scale)
        return settle_reserves(self.effective_gap() - net_savings, r.usable_k, r.minimum_k, r.max_draw_k)

    def unidentified_after(self, net_savings: np.ndarray) -> np.ndarray:
        return self.settle(net_savings).unidentified

    # ---- changing right-hand sides in place -----------------------------------------------
    def scale_gap(self, factor: float) -> None:
        """Frontier `--vary gap`: every year's gap G[t] times `factor`."""
        self.gap_scale = factor
        for row in self.family("balance"):
            _set_rhs(row.constraint, row.rhs * factor)

    def scale_reserves(self, factor: float) -> None:
        """Frontier `--vary reserves`: usable - minimum and every max_draw_k times `factor`."""
        self.reserves_scale = factor
        for row in self.family("reserves"):
            _set_rhs(row.constraint, row.rhs * factor)
        limits = scaled_reserves(self.model.scenario.reserves, factor).max_draw_k
        for var, limit in zip(self.draw, limits, strict=True):
            var.upBound = None if math.isinf(limit) else limit

    def effective_gap(self) -> np.ndarray:
        return self.model.gap * self.gap_scale


def scaled_reserves(reserves: ReservesPolicy, factor: float) -> ReservesPolicy:
    """DESIGN 4.5 `--vary reserves`: usable - minimum and every max_draw_k (and max_cover_k, the
    in-year cover of 4.6) times `factor`."""
    if factor == 1.0:
        return reserves
    return dataclasses.replace(
        reserves,
        usable_k=reserves.minimum_k + factor * (reserves.usable_k - reserves.minimum_k),
        max_draw_k=[d if math.isinf(d) else d * factor for d in reserves.max_draw_k],
        max_cover_k=[d if math.isinf(d) else d * factor for d in reserves.max_cover_k],
    )


def _set_rhs(constraint: pulp.LpConstraint, rhs: float) -> None:
    solvers.set_rhs(constraint, rhs)


_SAFE = re.compile(r"[^A-Za-z0-9_]")


def _name(*parts: object) -> str:
    return "_".join(_SAFE.sub("_", str(p)) for p in parts)


def _start_names(model: Model, pairs_option: np.ndarray, pairs_start: np.ndarray) -> list[str]:
    """`_name("z", option, f"t{s + 1}", i)` for every start variable, sanitising each option id once."""
    safe = [_SAFE.sub("_", str(oid)) for oid in model.option_ids]
    pairs = zip(pairs_option.tolist(), pairs_start.tolist(), strict=True)
    return [f"z_{safe[o]}_t{s + 1}_{i}" for i, (o, s) in enumerate(pairs)]


def allowed_starts(model: Model) -> list[tuple[int, int]]:
    """(option, start) pairs the optimiser may choose: windows, adopt, reject and screening."""
    sc = model.scenario
    policy = sc.policy
    excluded = set(policy.reject) | set(sc.screened)
    pairs = []
    for o, oid in enumerate(model.option_ids):
        option = sc.options[oid]
        if oid in excluded or not option.available:
            continue
        fixed = policy.adopt.get(oid, None) if oid in policy.adopt else None
        for s in range(option.earliest, option.latest + 1):
            if fixed is None or s == fixed:
                pairs.append((o, s))
    return pairs


@contextmanager
def _no_garbage_collection():
    """Building creates hundreds of thousands of small objects (terms, expressions, rows) and none
    of them is garbage; pausing the cyclic collector saves its repeated scans of them (about a
    fifth of the build time at 5,000 options)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_problem(model: Model) -> SavingsProblem:
    """The full model of DESIGN 4.4 with no objective yet (the stages set it)."""
    with _no_garbage_collection():
        return _build_problem(model)


def _build_problem(model: Model) -> SavingsProblem:
    n = model.n
    pairs = allowed_starts(model)
    pairs_option = np.array([p[0] for p in pairs], dtype=int)
    pairs_start = np.array([p[1] for p in pairs], dtype=int)
    problem = pulp.LpProblem("mtfs_align", pulp.LpMinimize)
    z = [solvers.new_variable(problem, name, binary=True) for name in _start_names(model, pairs_option, pairs_start)]
    max_draw = model.scenario.reserves.max_draw_k
    draw = [
        solvers.new_variable(problem, f"draw_t{t + 1}", 0, None if math.isinf(max_draw[t]) else max_draw[t])
        for t in range(n)
    ]
    pay = [solvers.new_variable(problem, f"pay_t{t + 1}", 0) for t in range(n)]
    unidentified = [solvers.new_variable(problem, f"unidentified_t{t + 1}", 0) for t in range(n)]
    sp = SavingsProblem(model, problem, pairs_option, pairs_start, z, draw, pay, unidentified)
    problem.start_columns = StartColumns(z, pairs_option)  # read by solvers.run (optimise/arrays.py)
    for family in FAMILIES:
        sp.rows[family] = []
    define_balance_constraints(sp)
    define_reserves_constraints(sp)
    define_floor_constraints(sp)
    define_cash_limit_constraints(sp)
    define_one_start_constraints(sp)
    define_capacity_constraints(sp)
    define_requires_constraints(sp)
    define_excludes_constraints(sp)
    define_protect_constraints(sp)
    return sp


def _add(
    sp: SavingsProblem, family: str, terms: list, sense: int, rhs: float, name: str, subject: str, year: int | None
) -> None:
    expression = pulp.LpAffineExpression(terms)
    constraint = pulp.LpConstraint(e=expression, sense=sense, rhs=rhs, name=name)
    sp.problem.addConstraint(constraint, name=name)
    sp.rows[family].append(ConstraintRow(family, constraint, subject, year, rhs))


def _terms(variables: list, coefficients: np.ndarray, indices: np.ndarray) -> list:
    """(variable, coefficient) pairs of the non-zero coefficients, in the order given."""
    coefficients = np.asarray(coefficients, dtype=float)
    indices = np.asarray(indices)
    keep = coefficients != 0
    return [(variables[i], c) for i, c in zip(indices[keep].tolist(), coefficients[keep].tolist(), strict=True)]


def define_balance_constraints(sp: SavingsProblem) -> None:
    """1. savings - one-off costs + draw - pay + unidentified = G[t], every year."""
    m = sp.model
    net = sp.start_net_savings()
    everything = np.arange(len(sp.z))
    for t in range(m.n):
        terms = _terms(sp.z, net[:, t], everything)
        terms += [(sp.draw[t], 1.0), (sp.pay[t], -1.0), (sp.unidentified[t], 1.0)]
        _add(sp, "balance", terms, pulp.LpConstraintEQ, float(m.gap[t]), f"balance_t{t + 1}", "council", t)


def define_reserves_constraints(sp: SavingsProblem) -> None:
    """2. Cumulative net draws never take the balance below the minimum."""
    sc = sp.model.scenario
    room = sc.reserves.usable_k - sc.reserves.minimum_k
    for t in range(sp.model.n):
        terms = [(sp.draw[u], 1.0) for u in range(t + 1)] + [(sp.pay[u], -1.0) for u in range(t + 1)]
        _add(sp, "reserves", terms, pulp.LpConstraintLE, room, f"reserves_minimum_t{t + 1}", "council", t)


def _by_activity(sp: SavingsProblem, service_only: bool) -> dict[int, np.ndarray]:
    """Start-variable indices (ascending) of each activity's options, activities in ascending order.

    One stable sort, not one scan of every start variable per activity (which grows as
    options x activities)."""
    m = sp.model
    keep = m.service[sp.pairs_option] if service_only else np.ones(len(sp.z), dtype=bool)
    kept = np.flatnonzero(keep)
    if kept.size == 0:
        return {}
    activity = m.option_activity[sp.pairs_option][kept]
    order = np.argsort(activity, kind="stable")
    kept, activity = kept[order], activity[order]
    values, first = np.unique(activity, return_index=True)
    return {int(a): group for a, group in zip(values.tolist(), np.split(kept, first[1:]), strict=True)}


def _start_nominal(sp: SavingsProblem) -> np.ndarray:
    """(Z, n): C[o, t - s] of every start variable in every year (0 before the start)."""
    return sp.model.nominal[sp.pairs_option, sp.pairs_start, :]


def _nominal_at(sp: SavingsProblem, indices: np.ndarray, t: int) -> np.ndarray:
    """C[o, t - s] of the given start variables (0 before the start)."""
    m = sp.model
    return m.nominal[sp.pairs_option[indices], sp.pairs_start[indices], t]


def define_floor_constraints(sp: SavingsProblem) -> None:
    """3. Service savings on an activity never take service spend below floor_share x need."""
    m = sp.model
    nominal = _start_nominal(sp)
    for a, indices in _by_activity(sp, service_only=True).items():
        group = nominal[indices]
        for t in range(m.n):
            coef = group[:, t]
            room = float(m.need[a, t] - m.floor[a, t])
            if coef[coef > 0].sum() <= room:
                continue  # cannot bind
            _add(
                sp,
                "floor",
                _terms(sp.z, coef, indices),
                pulp.LpConstraintLE,
                room,
                f"floor_{_name(m.activity_ids[a])}_t{t + 1}",
                m.activity_ids[a],
                t,
            )


def define_cash_limit_constraints(sp: SavingsProblem) -> None:
    """4. Spend (need less all savings on the activity) within the activity's cash limit."""
    m = sp.model
    limited = ~np.all(np.isnan(m.cash_limit), axis=1)
    if not limited.any():
        return
    groups = _by_activity(sp, service_only=False)
    nominal = _start_nominal(sp)
    for a in np.flatnonzero(limited).tolist():
        aid = m.activity_ids[a]
        indices = groups.get(a, np.array([], dtype=int))
        group = nominal[indices]
        for t in range(m.n):
            limit = m.cash_limit[a, t]
            if np.isnan(limit):
                continue
            needed = float(m.need[a, t] - limit)  # savings needed on this activity
            coef = group[:, t] if len(indices) else np.zeros(0)
            if coef[coef < 0].sum() >= needed:
                continue  # holds whatever is chosen
            _add(
                sp,
                "cash_limit",
                _terms(sp.z, coef, indices),
                pulp.LpConstraintGE,
                needed,
                f"cash_limit_{_name(aid)}_t{t + 1}",
                aid,
                t,
            )


def define_one_start_constraints(sp: SavingsProblem) -> None:
    """5. At most one start per option; exactly one when adopted."""
    m = sp.model
    adopted = set(m.scenario.policy.adopt)
    order = np.argsort(sp.pairs_option, kind="stable")
    options, first = np.unique(sp.pairs_option[order], return_index=True)
    bounds = first[1:].tolist() + [len(order)] if len(order) else []
    order = order.tolist()
    present = set()
    for o, lo, hi in zip(options.tolist(), first.tolist(), bounds, strict=True):
        oid = m.option_ids[o]
        present.add(oid)
        if oid in adopted:
            terms = [(sp.z[i], 1.0) for i in order[lo:hi]]
            _add(sp, "one_start", terms, pulp.LpConstraintEQ, 1.0, f"adopt_{_name(oid)}", oid, None)
        elif hi - lo > 1:
            terms = [(sp.z[i], 1.0) for i in order[lo:hi]]
            _add(sp, "one_start", terms, pulp.LpConstraintLE, 1.0, f"one_start_{_name(oid)}", oid, None)
    for oid in adopted:
        if oid not in present:  # nothing it may start in: an empty row that cannot be met
            _add(sp, "one_start", [], pulp.LpConstraintEQ, 1.0, f"adopt_{_name(oid)}", oid, None)


def define_capacity_constraints(sp: SavingsProblem) -> None:
    """6. Change-capacity points used by options starting in a year."""
    m = sp.model
    capacity = m.scenario.policy.capacity
    if capacity is None:
        return
    effort = m.effort[sp.pairs_option]
    for t in range(m.n):
        indices = np.flatnonzero(sp.pairs_start == t)
        if effort[indices].sum() <= capacity[t]:
            continue
        _add(
            sp,
            "capacity",
            _terms(sp.z, effort[indices], indices),
            pulp.LpConstraintLE,
            float(capacity[t]),
            f"capacity_t{t + 1}",
            "capacity",
            t,
        )


def _starts_of(sp: SavingsProblem) -> dict[int, list[int]]:
    starts: dict[int, list[int]] = {}
    for i, o in enumerate(sp.pairs_option.tolist()):
        starts.setdefault(o, []).append(i)
    return starts


def define_requires_constraints(sp: SavingsProblem) -> None:
    """7. An option needing another may start no earlier than it."""
    m = sp.model
    index = m.option_index()
    starts = _starts_of(sp)
    for o, oid in enumerate(m.option_ids):
        if o not in starts:
            continue
        for other in m.scenario.options[oid].requires:
            q = index[other]
            own = starts[o]
            for t in sorted({int(sp.pairs_start[i]) for i in own}):
                terms = [(sp.z[i], 1.0) for i in own if sp.pairs_start[i] <= t]
                terms += [(sp.z[i], -1.0) for i in starts.get(q, []) if sp.pairs_start[i] <= t]
                _add(
                    sp,
                    "requires",
                    terms,
                    pulp.LpConstraintLE,
                    0.0,
                    f"requires_{_name(oid)}_{_name(other)}_t{t + 1}",
                    oid,
                    t,
                )


def define_excludes_constraints(sp: SavingsProblem) -> None:
    """8. Options that cannot go together."""
    m = sp.model
    index = m.option_index()
    starts = _starts_of(sp)
    done = set()
    for o, oid in enumerate(m.option_ids):
        for other in m.scenario.options[oid].excludes:
            q = index[other]
            key = (min(o, q), max(o, q))
            if key in done or o not in starts or q not in starts:
                continue
            done.add(key)
            terms = [(sp.z[i], 1.0) for i in starts[o] + starts[q]]
            _add(
                sp,
                "excludes",
                terms,
                pulp.LpConstraintLE,
                1.0,
                f"excludes_{_name(m.option_ids[key[0]])}_{_name(m.option_ids[key[1]])}",
                oid,
                None,
            )


def define_protect_constraints(sp: SavingsProblem) -> None:
    """9. Service spend aligned to a protected priority stays at or above its share of need."""
    m = sp.model
    protect = m.scenario.policy.protect
    if not protect:
        return
    activity = m.option_activity[sp.pairs_option]
    service = m.service[sp.pairs_option]
    for pid, share in protect.items():
        p = m.priority_ids.index(pid)
        weight = m.share_ap[activity, p] * service
        indices = np.flatnonzero(weight > 0)
        for t in range(m.n):
            coef = weight[indices] * _nominal_at(sp, indices, t)
            room = (1 - share) * float(m.share_ap[:, p] @ m.need[:, t])
            if coef[coef > 0].sum() <= room:
                continue
            _add(
                sp,
                "protect",
                _terms(sp.z, coef, indices),
                pulp.LpConstraintLE,
                room,
                f"protect_{_name(pid)}_t{t + 1}",
                pid,
                t,
            )
