"""The policy check (DESIGN 4.3): every place a plan breaks the scenario's policy, as rows of
breaches.csv."""

from __future__ import annotations

import numpy as np

from mtfs_align.evaluate.budget import TOLERANCE_K, round_k
from mtfs_align.model import Model

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
            add("outside_window", years[start], oid, np.nan, np.nan, f"{oid} cannot start within the horizon")
        elif not option.earliest <= start <= option.latest:
            add(
                "outside_window",
                years[start],
                oid,
                np.nan,
                np.nan,
                f"{oid} starts in {years[start]} but may only start from {years[option.earliest]} "
                f"to {years[option.latest]}",
            )
        if oid in policy.reject:
            add("rejected", years[start], oid, np.nan, np.nan, f"{oid} has been rejected (policy.reject)")
        if oid in screened:
            add(
                "screened_out",
                years[start],
                oid,
                option.equality_impact,
                policy.max_equality_impact,
                f"{oid} has a {option.equality_impact} equality impact, above the scenario's maximum "
                f"({policy.max_equality_impact})",
            )
        for other in option.requires:
            if other not in plan:
                add(
                    "missing_requirement",
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    f"{oid} requires {other}, which is not in the plan",
                )
            elif plan[other] > start:
                add(
                    "missing_requirement",
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    f"{oid} requires {other}, which starts later ({years[plan[other]]})",
                )
        for other in option.excludes:
            pair = frozenset((oid, other))
            if other in plan and pair not in excluded_pairs:  # once per pair, however it is listed
                excluded_pairs.add(pair)
                add(
                    "excluded_pair",
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    f"{oid} cannot go with {other}, which is also in the plan",
                )
    for oid, start in policy.adopt.items():
        if oid not in plan:
            add("adopted_missing", "", oid, np.nan, np.nan, f"{oid} has been adopted but is not in the plan")
        elif start is not None and plan[oid] != start:
            add(
                "adopted_wrong_year",
                years[plan[oid]],
                oid,
                years[plan[oid]],
                years[start],
                f"{oid} has been adopted from {years[start]} but the plan starts it in {years[plan[oid]]}",
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
                        "capacity",
                        year,
                        "capacity",
                        "change capacity",
                        effort[t],
                        policy.capacity[t],
                        f"the plan needs {effort[t]:g} change-capacity points in {year}, "
                        f"above the {policy.capacity[t]:g} available",
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
                    "protection",
                    year,
                    pid,
                    round_k(spent),
                    round_k(needed),
                    f"service spend aligned to {pid} is £{spent:,.0f}k, below {share:.0%} of its need "
                    f"(£{needed:,.0f}k)",
                )
    return out
