"""The policy check (DESIGN 4.3): every place a plan breaks the scenario's policy, as rows of
breaches.csv."""

from __future__ import annotations

import numpy as np

from mtfs_align import constraints as c
from mtfs_align.evaluate.budget import TOLERANCE_K, round_k
from mtfs_align.model import Model
from mtfs_align.wording import whole_k

BREACH_COLUMNS = ["breach", "year", "subject", "name", "value", "limit", "detail"]


def policy_breach_rows(model: Model, plan: dict[str, int], service_spend: np.ndarray) -> list[list]:
    """Every place the plan breaks the scenario's policy (DESIGN 4.3, policy check)."""
    sc = model.scenario
    policy = sc.policy
    years = model.years
    out: list[list] = []
    screened = set(sc.screened)

    def add(kind, year, subject, value, bound, detail):
        name = (
            sc.options[subject].name
            if subject in sc.options
            else (sc.priorities[subject].name if subject in sc.priorities else "")
        )
        out.append([kind, year, subject, name, value, bound, detail])

    excluded_pairs: set[frozenset] = set()
    for oid, start in plan.items():
        option = sc.options[oid]
        if not option.available:
            add(c.UNAVAILABLE.breach_code, years[start], oid, np.nan, np.nan, c.UNAVAILABLE.breach(subject=oid))
        elif not option.earliest <= start <= option.latest:
            add(
                c.OUTSIDE_WINDOW.breach_code,
                years[start],
                oid,
                np.nan,
                np.nan,
                c.OUTSIDE_WINDOW.breach(
                    subject=oid, start=years[start], earliest=years[option.earliest], latest=years[option.latest]
                ),
            )
        if oid in policy.reject:
            add(c.REJECTED.breach_code, years[start], oid, np.nan, np.nan, c.REJECTED.breach(subject=oid))
        if oid in screened:
            add(
                c.SCREENED_OUT.breach_code,
                years[start],
                oid,
                option.equality_impact,
                policy.max_equality_impact,
                c.SCREENED_OUT.breach(subject=oid, impact=option.equality_impact, maximum=policy.max_equality_impact),
            )
        for other in option.requires:
            if other not in plan:
                add(
                    c.REQUIRES.breach_code,
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    c.REQUIRES.breach(subject=oid, other=other),
                )
            elif plan[other] > start:
                add(
                    c.REQUIRES_LATER.breach_code,
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    c.REQUIRES_LATER.breach(subject=oid, other=other, start=years[plan[other]]),
                )
        for other in option.excludes:
            pair = frozenset((oid, other))
            if other in plan and pair not in excluded_pairs:  # once per pair, however it is listed
                excluded_pairs.add(pair)
                add(
                    c.EXCLUDES.breach_code,
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    c.EXCLUDES.breach(subject=oid, other=other),
                )
    for oid, start in policy.adopt.items():
        if oid not in plan:
            add(c.ADOPTED_MISSING.breach_code, "", oid, np.nan, np.nan, c.ADOPTED_MISSING.breach(subject=oid))
        elif start is not None and plan[oid] != start:
            add(
                c.ADOPTED_WRONG_YEAR.breach_code,
                years[plan[oid]],
                oid,
                years[plan[oid]],
                years[start],
                c.ADOPTED_WRONG_YEAR.breach(subject=oid, adopted=years[start], start=years[plan[oid]]),
            )
    if policy.capacity is not None:
        effort = np.zeros(model.n)
        index = model.option_index()
        for oid, start in plan.items():
            effort[start] += model.effort[index[oid]]
        for t, year in enumerate(years):
            if effort[t] > policy.capacity[t] + 1e-9:
                out.append(
                    [
                        c.CAPACITY.breach_code,
                        year,
                        "capacity",
                        "change capacity",
                        effort[t],
                        policy.capacity[t],
                        c.CAPACITY.breach(used=f"{effort[t]:g}", year=year, available=f"{policy.capacity[t]:g}"),
                    ]
                )
    for pid, share in policy.protect.items():
        p = model.priority_ids.index(pid)
        weights = model.share_ap[:, p]
        for t, year in enumerate(years):
            spent = float(weights @ service_spend[:, t])
            needed = share * float(weights @ model.need[:, t])
            if spent < needed - TOLERANCE_K:
                add(
                    c.PROTECT.breach_code,
                    year,
                    pid,
                    round_k(spent),
                    round_k(needed),
                    c.PROTECT.breach(subject=pid, value=whole_k(spent), share=f"{share:.0%}", limit=whole_k(needed)),
                )
    return out
