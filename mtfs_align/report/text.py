"""Plain council English for the terminal: money as £4.2m, years as 2021/22."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from mtfs_align.evaluate import Evaluation


def money(value_k: float, decimals: int = 1) -> str:
    """£ thousands as a council would say it: £4.2m, £345k, -£1.5m.

    Rounded half up, as people round, on the decimal number written (£1,950k is £2.0m, £14.5k is
    £15k), not half to even on the binary float as Python's formatting does (which gives £1.9m)."""
    if value_k is None or (isinstance(value_k, float) and math.isnan(value_k)):
        return "-"
    if math.isinf(value_k):
        return "no limit" if value_k > 0 else "-no limit"
    number = Decimal(repr(float(value_k)))
    size = abs(number)
    thousands = size.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if thousands == 0:
        return "£0"
    sign = "-" if number < 0 else ""
    if thousands >= 1000:  # what would print as £1,000k is £1.0m
        millions = (size / 1000).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{sign}£{millions:,.{decimals}f}m"
    return f"{sign}£{thousands:,.0f}k"


def budget_lines(ev: Evaluation) -> list[str]:
    """The year-by-year table: gap, savings, one-off costs, reserves, unidentified savings."""
    b = ev.budget
    head = (
        f"{'Year':<9}{'Gap':>10}{'Savings':>10}{'One-off':>10}{'Drawn':>10}{'Paid in':>10}"
        f"{'Reserves':>11}{'Unidentified':>14}  Balanced"
    )
    lines = [head, "-" * len(head)]
    for _, row in b.iterrows():
        lines.append(
            f"{row['year']:<9}{money(row['gap_k']):>10}{money(row['savings_k']):>10}{money(row['one_off_k']):>10}"
            f"{money(row['reserves_draw_k']):>10}{money(row['reserves_paid_k']):>10}"
            f"{money(row['reserves_balance_k']):>11}{money(row['unidentified_k']):>14}  {row['balanced']}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'Total':<9}{money(b['gap_change_k'].sum()):>10}{money(b['savings_k'].iloc[-1] if len(b) else 0):>10}"
        f"{money(b['one_off_k'].sum()):>10}{money(b['reserves_draw_k'].sum()):>10}"
        f"{money(b['reserves_paid_k'].sum()):>10}{'':>11}{money(b['unidentified_k'].sum()):>14}"
    )
    lines.append(
        "(Gap and savings are levels against each year's funding; the total row shows the new gap "
        "over the horizon and the savings level reached in the last year.)"
    )
    return lines


def breach_lines(ev: Evaluation) -> list[str]:
    lines = []
    for _, row in ev.breaches.iterrows():
        where = f"{row['year']}: " if row["year"] else ""
        lines.append(f"  - {where}{row['detail']}")
    return lines


def summary_lines(ev: Evaluation) -> list[str]:
    """Headline sentences about a plan."""
    b = ev.budget
    n_unbalanced = int((b["balanced"] == "no").sum())
    lines = [
        f"Plan: {_count(len(ev.plan), 'savings option')}; outcome harm {ev.harm:.3f} "
        f"({', '.join(f'{p} {h:.3f}' for p, h in ev.harm_by_priority.items())}).",
        f"Reserves drawn over the horizon: {money(ev.reserves_draw_k)}; unidentified savings: "
        f"{money(ev.unidentified_k)}.",
    ]
    if n_unbalanced:
        years = ", ".join(b.loc[b["balanced"] == "no", "year"])
        lines.append(f"The budget does not balance in {years}: savings still to be found.")
    else:
        lines.append("The budget balances in every year.")
    return lines


def by_year_lines(ev: Evaluation) -> list[str]:
    """Options adopted, grouped by start year."""
    lines = []
    years = ev.model.years
    for t, year in enumerate(years):
        started = [o for o, s in ev.plan.items() if s == t]
        if started:
            total = float(np.sum(ev.plan_table.loc[ev.plan_table["option"].isin(started), f"{years[-1]}_k"]))
            lines.append(
                f"  {year}: {', '.join(started)} ({_count(len(started), 'option')}, "
                f"{money(total)} a year by {years[-1]})"
            )
    return lines


def binding_lines(ev: Evaluation) -> list[str]:
    """Which constraints bind on the plan, in council English (DESIGN 4.4 summary)."""
    sc = ev.model.scenario
    model = ev.model
    years = model.years
    lines = []
    if sc.policy.capacity is not None:
        used = np.zeros(model.n)
        index = model.option_index()
        for oid, start in ev.plan.items():
            used[start] += model.effort[index[oid]]
        for t, year in enumerate(years):
            if used[t] >= sc.policy.capacity[t] - 1e-9 and sc.policy.capacity[t] > 0:
                lines.append(f"Change capacity is full in {year} ({used[t]:g} of {sc.policy.capacity[t]:g} points).")
    acts = ev.activities
    for aid, rows in acts.groupby("activity", sort=False):
        at_floor = rows[(rows["service_spend_k"] - rows["floor_k"]).abs() < 0.5]
        if not at_floor.empty:
            lines.append(f"{rows['name'].iloc[0]} ({aid}) is at its floor from {at_floor['year'].iloc[0]}.")
        limit = rows[(rows["cash_limit_k"] - rows["spend_k"]).abs() < 0.5]
        if not limit.empty:
            lines.append(f"{rows['name'].iloc[0]} ({aid}) is at its cash limit from {limit['year'].iloc[0]}.")
    for pid, share in sc.policy.protect.items():
        p = model.priority_ids.index(pid)
        service = ev.activities.pivot(index="activity", columns="year", values="service_spend_k")
        service = service.loc[model.activity_ids, years].to_numpy()
        for t, year in enumerate(years):
            spent = float(model.share_ap[:, p] @ service[:, t])
            floor = share * float(model.share_ap[:, p] @ model.need[:, t])
            if abs(spent - floor) < 0.5:
                lines.append(f"Protection of {pid} at {share:.0%} binds in {year}.")
                break
    budget = ev.budget
    at_minimum = budget[(budget["reserves_balance_k"] - sc.reserves.minimum_k).abs() < 0.5]
    if not at_minimum.empty:
        lines.append(f"Reserves reach their minimum ({money(sc.reserves.minimum_k)}) in {at_minimum['year'].iloc[0]}.")
    for t, year in enumerate(years):
        limit = sc.reserves.max_draw_k[t]
        if limit > 0 and abs(budget["reserves_draw_k"].iloc[t] - limit) < 0.5:
            lines.append(f"The full {money(limit)} reserves draw allowed is used in {year}.")
    return lines


def _count(number: int, noun: str) -> str:
    """`1 option`, `2 options`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def unscored_sentence(option_ids: list[str], adopted: list[str] | None = None) -> str | None:
    """Options with no harms and no benefits (a tracker imported as it comes has none): a harm of
    zero for them is "not scored", never "no harm". With `adopted`, says how many the plan uses."""
    if not option_ids:
        return None
    named = ", ".join(option_ids[:8]) + (f" and {len(option_ids) - 8:,} more" if len(option_ids) > 8 else "")
    text = (
        f"Harm is not scored for {_count(len(option_ids), 'option')} ({named}): options.csv gives "
        f"{'it' if len(option_ids) == 1 else 'them'} no harms or benefits"
    )
    them = "it" if len(option_ids) == 1 else "them"
    if adopted is None:
        return text + f", so the optimiser treats {them} as doing no harm. Score {them} before relying on a plan."
    used = [oid for oid in option_ids if oid in set(adopted)]
    if not used:
        return text + "; the plan adopts none of them."
    return (
        text + f". The plan adopts {len(used):,} of them, so its outcome harm leaves "
        f"{'it' if len(used) == 1 else 'them'} out: a zero there is not 'no harm'."
    )
