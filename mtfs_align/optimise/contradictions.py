"""Naming contradictory hard constraints (DESIGN 4.4): cheap checks before solving, and, when the
solver still finds no plan, relaxing constraint families one at a time to name the conflict."""

from __future__ import annotations

import numpy as np
import pulp

from mtfs_align import constraints
from mtfs_align.errors import Problem, display_path
from mtfs_align.model import Model
from mtfs_align.optimise import solvers
from mtfs_align.optimise.problem import RELAXABLE, ConstraintRow, allowed_starts, build_problem
from mtfs_align.wording import money


def _problem(model: Model, message: str, fix: str, field: str = "") -> Problem:
    return Problem(display_path(model.scenario.path), "", field, message, fix)


def precheck(model: Model) -> list[Problem]:
    """Contradictions that can be seen without solving."""
    sc = model.scenario
    years = model.years
    found: list[Problem] = []
    pairs = np.array(allowed_starts(model), dtype=int).reshape(-1, 2)
    best = np.zeros((len(model.activity_ids), model.n))  # most any allowed options can save
    if len(pairs):
        most = np.zeros((len(model.option_ids), model.n))  # best level of each option, each year
        np.maximum.at(most, pairs[:, 0], np.maximum(model.nominal[pairs[:, 0], pairs[:, 1], :], 0))
        np.add.at(best, model.option_activity, most)
    for a, aid in enumerate(model.activity_ids):
        activity = sc.activities[aid]
        for t in range(model.n):
            limit = model.cash_limit[a, t]
            if np.isnan(limit):
                continue
            needed = model.need[a, t] - limit
            if needed > best[a, t] + 1e-6:
                found.append(
                    _problem(
                        model,
                        constraints.CASH_LIMIT.precheck(
                            subject=aid,
                            name=activity.name,
                            need=money(model.need[a, t]),
                            year=years[t],
                            limit=money(limit),
                            most=money(best[a, t]),
                            difference=money(needed),
                        ),
                        constraints.CASH_LIMIT.precheck_fix_for(subject=aid),
                        "cash limit",
                    )
                )
                break
    fixed = {oid: s for oid, s in sc.policy.adopt.items() if s is not None}
    index = model.option_index()
    service_saving = np.zeros((len(model.activity_ids), model.n))
    effort = np.zeros(model.n)
    for oid, s in fixed.items():
        o = index[oid]
        effort[s] += model.effort[o]
        if model.service[o]:
            service_saving[model.option_activity[o]] += model.nominal[o, s, :]
        option = sc.options[oid]
        for other in option.requires:
            q = sc.options[other]
            if q.available and q.earliest > s:
                found.append(
                    _problem(
                        model,
                        constraints.REQUIRES.precheck(
                            subject=oid, start=years[s], other=other, earliest=years[q.earliest]
                        ),
                        constraints.REQUIRES.precheck_fix_for(subject=oid),
                        "policy.adopt",
                    )
                )
    for a, aid in enumerate(model.activity_ids):
        for t in range(model.n):
            room = model.need[a, t] - model.floor[a, t]
            if service_saving[a, t] > room + 1e-6:
                names = [o for o, s in fixed.items() if sc.options[o].activity == aid and model.service[index[o]]]
                found.append(
                    _problem(
                        model,
                        constraints.FLOOR.precheck(
                            s="s" if len(names) > 1 else "",
                            options=", ".join(names),
                            subject=aid,
                            name=sc.activities[aid].name,
                            year=years[t],
                            savings=money(service_saving[a, t]),
                            room=money(room),
                        ),
                        constraints.FLOOR.precheck_fix,
                        "policy.adopt",
                    )
                )
                break
    capacity = sc.policy.capacity
    if capacity is not None:
        for t in range(model.n):
            if effort[t] > capacity[t] + 1e-9:
                found.append(
                    _problem(
                        model,
                        constraints.CAPACITY.precheck(
                            year=years[t], used=f"{effort[t]:g}", available=f"{capacity[t]:g}"
                        ),
                        constraints.CAPACITY.precheck_fix,
                        "policy.capacity",
                    )
                )
    for pid, share in sc.policy.protect.items():
        p = model.priority_ids.index(pid)
        for t in range(model.n):
            used = float(model.share_ap[:, p] @ service_saving[:, t])
            room = (1 - share) * float(model.share_ap[:, p] @ model.need[:, t])
            if used > room + 1e-6:
                found.append(
                    _problem(
                        model,
                        constraints.PROTECT.precheck(
                            subject=pid, used=money(used), year=years[t], share=f"{share:.0%}", room=money(room)
                        ),
                        constraints.PROTECT.precheck_fix_for(subject=pid),
                        "policy.protect",
                    )
                )
                break
    return found


def describe(model: Model, row: ConstraintRow) -> str:
    """One row of the optimiser in the words of its constraint family (mtfs_align.constraints)."""
    sc = model.scenario
    year = f" in {model.years[row.year]}" if row.year is not None else ""
    family = constraints.BY_ROW_FAMILY[row.family]
    subject = row.subject or ""
    words: dict[str, str] = {"subject": subject, "year": year, "name": "", "others": "", "share": ""}
    if row.family in ("floor", "cash_limit"):
        words["name"] = sc.activities[subject].name
    elif row.family == "one_start":
        words["name"] = sc.options[subject].name
    elif row.family == "requires":
        words["others"] = ", ".join(sc.options[subject].requires)
    elif row.family == "excludes":
        words["others"] = ", ".join(sc.options[subject].excludes)
    elif row.family == "protect":
        words["share"] = f"{sc.policy.protect[subject]:.0%}"
    return family.row(**words)


def _elastic(model: Model, families: tuple[str, ...], settings: solvers.SolverSettings):
    """Rebuild, let every row of `families` be broken at a cost, and minimise the breaking."""
    sp = build_problem(model)
    slacks: list[tuple[ConstraintRow, list[pulp.LpVariable]]] = []
    for family in families:
        for i, row in enumerate(sp.family(family)):
            c = row.constraint
            added = []
            if c.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ):
                v = solvers.new_variable(sp.problem, f"relax_down_{family}_{i}", 0)
                solvers.add_term(c, v, -1.0)
                added.append(v)
            if c.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ):
                v = solvers.new_variable(sp.problem, f"relax_up_{family}_{i}", 0)
                solvers.add_term(c, v, 1.0)
                added.append(v)
            slacks.append((row, added))
    sp.problem.setObjective(pulp.lpSum(v for _, vs in slacks for v in vs))
    try:
        result = solvers.run(sp.problem, settings, exact=True)
    except solvers.NoPlanInTime:  # the contradiction is proved; only naming its rows ran out of time
        return None
    if result.status == "infeasible":
        return None
    return [row for row, vs in slacks if sum((v.varValue or 0) for v in vs) > 1e-6]


def diagnose(model: Model, settings: solvers.SolverSettings) -> list[Problem]:
    """Name the constraint family, and its rows, whose relaxation would allow a plan."""
    present = [f for f in RELAXABLE if build_problem(model).family(f)]
    found: list[Problem] = []
    for family in present:
        rows = _elastic(model, (family,), settings)
        if rows:
            found.append(_conflict(model, family, rows))
    if not found:
        rows = _elastic(model, tuple(present), settings) or []
        by_family: dict[str, list[ConstraintRow]] = {}
        for row in rows:
            by_family.setdefault(row.family, []).append(row)
        found = [_conflict(model, family, group) for family, group in by_family.items()]
    if not found:
        found = [
            _problem(
                model,
                "the savings options cannot meet the scenario's constraints together, and no "
                "single constraint family could be named",
                "loosen floors, cash limits, capacity, protection or the adopted options and run again",
            )
        ]
    return found


def _conflict(model: Model, family: str, rows: list[ConstraintRow]) -> Problem:
    names = "; ".join(describe(model, row) for row in rows[:8])
    more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    return _problem(
        model,
        f"no plan can meet {names}{more} together with the rest of the scenario's constraints",
        constraints.BY_ROW_FAMILY[family].fix,
        family,
    )
