"""The terminal text of a plan: the budget table, breaches, headline sentences, what binds (the
wording of numbers is mtfs_align.wording)."""

from __future__ import annotations

import numpy as np

from mtfs_align import constraints
from mtfs_align.analysis.risk import RiskResult
from mtfs_align.evaluate import Evaluation
from mtfs_align.report.sentences.phrases import unfunded
from mtfs_align.report.sentences.resilience import S25, section25_sentences
from mtfs_align.wording import chance, count, money, percent, summed_over


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
        "over the horizon and the savings level reached in the last year, and one-off costs, reserves "
        f"and unidentified savings{summed_over(len(b)) or ' for the year'}.)"
    )
    return lines


def breach_lines(ev: Evaluation) -> list[str]:
    lines = []
    for _, row in ev.breaches.iterrows():
        where = f"{row['year']}: " if row["year"] else ""
        lines.append(f"  - {where}{row['detail']}")
    return lines


def _plan_harm(harm: float) -> str:
    """'outcome harm 16.431' for a net harm, 'a net benefit to outcomes of 1.000' below zero."""
    figure = round(harm, 3) + 0.0
    if figure < 0:
        return f"a net benefit to outcomes of {-figure:.3f}"
    return f"outcome harm {figure:.3f}"


def summary_lines(ev: Evaluation) -> list[str]:
    """Headline sentences about a plan."""
    b = ev.budget
    n_unbalanced = int((b["balanced"] == "no").sum())
    summed = summed_over(ev.model.n)
    lines = [
        f"Plan: {count(len(ev.plan), 'savings option')}; {_plan_harm(ev.harm)} "
        f"({', '.join(f'{p} {h:.3f}' for p, h in ev.harm_by_priority.items())}).",
        f"Reserves drawn{',' if summed else ''}{summed}: {money(ev.reserves_draw_k)}; "
        f"{unfunded(b['unidentified_k'].to_numpy(float), ev.model.years)}.",
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
                f"  {year}: {', '.join(started)} ({count(len(started), 'option')}, "
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
                lines.append(
                    constraints.CAPACITY.binds(year=year, used=f"{used[t]:g}", available=f"{sc.policy.capacity[t]:g}")
                )
    acts = ev.activities
    for aid, rows in acts.groupby("activity", sort=False):
        at_floor = rows[(rows["service_spend_k"] - rows["floor_k"]).abs() < 0.5]
        if not at_floor.empty:
            lines.append(constraints.FLOOR.binds(name=rows["name"].iloc[0], subject=aid, year=at_floor["year"].iloc[0]))
        limit = rows[(rows["cash_limit_k"] - rows["spend_k"]).abs() < 0.5]
        if not limit.empty:
            lines.append(
                constraints.CASH_LIMIT.binds(name=rows["name"].iloc[0], subject=aid, year=limit["year"].iloc[0])
            )
    for pid, share in sc.policy.protect.items():
        p = model.priority_ids.index(pid)
        service = ev.activities.pivot(index="activity", columns="year", values="service_spend_k")
        service = service.loc[model.activity_ids, years].to_numpy()
        for t, year in enumerate(years):
            spent = float(model.share_ap[:, p] @ service[:, t])
            floor = share * float(model.share_ap[:, p] @ model.need[:, t])
            if abs(spent - floor) < 0.5:
                lines.append(constraints.PROTECT.binds(subject=pid, share=f"{share:.0%}", year=year))
                break
    budget = ev.budget
    at_minimum = budget[(budget["reserves_balance_k"] - sc.reserves.minimum_k).abs() < 0.5]
    if not at_minimum.empty:
        lines.append(constraints.RESERVES.binds(minimum=money(sc.reserves.minimum_k), year=at_minimum["year"].iloc[0]))
    for t, year in enumerate(years):
        limit = sc.reserves.max_draw_k[t]
        if limit > 0 and abs(budget["reserves_draw_k"].iloc[t] - limit) < 0.5:
            lines.append(constraints.RESERVES_DRAW.binds(limit=money(limit), year=year))
    return lines


def unscored_sentence(option_ids: list[str], adopted: list[str] | None = None) -> str | None:
    """Options with no harms and no benefits (a tracker imported as it comes has none): a harm of
    zero for them is "not scored", never "no harm". With `adopted`, says how many the plan uses."""
    if not option_ids:
        return None
    named = ", ".join(option_ids[:8]) + (f" and {len(option_ids) - 8:,} more" if len(option_ids) > 8 else "")
    text = (
        f"Harm is not scored for {count(len(option_ids), 'option')} ({named}): options.csv gives "
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


def risk_lines(result: RiskResult, best_possible: bool = False) -> list[str]:
    """The risk table in plain council English, money as £4.2m, then the resilience table and the
    Section 25 statement (`best_possible`: the plan is the risk-planned optimum, DESIGN 4.6)."""
    policy = result.model.scenario.policy
    d = policy.delivery
    out = [
        f"Delivery risk of the plan ({count(len(result.plan), 'option')}): {result.draws:,} "
        f"simulated draws (seed {result.seed}).",
        f"Each option starts a year late with a {chance(policy.slip)} chance and delivers on "
        f"average {d['G']:.0%} of a green-rated saving, {d['A']:.0%} of an amber and "
        f"{d['R']:.0%} of a red; costs and one-off costs are paid in full.",
        "",
    ]
    head = f"{'Year':<9}{'Chance it':>11}{'Savings still to be found':>40}{'Reserves at':>14}"
    head2 = f"{'':<9}{'balances':>11}{'average':>10}{'typical':>10}{'good':>10}{'bad':>10}{'year end':>14}"
    head3 = f"{'':<9}{'':>11}{'':>10}{'(P50)':>10}{'(P5)':>10}{'(P95)':>10}{'bad (P5)':>14}"
    out += [head, head2, head3, "-" * len(head2)]
    for _, row in result.table.iterrows():
        out.append(
            f"{row['year']:<9}{chance(row['p_balanced']):>11}"
            f"{money(row['expected_unidentified_k']):>10}{money(row['p50_k']):>10}"
            f"{money(row['p5_k']):>10}{money(row['p95_k']):>10}"
            f"{money(row['p5_reserves_balance_k']):>14}"
        )
    out.append("-" * len(head2))
    out.append(
        f"The chance that every year balances is {chance(result.p_balanced_all_years)}. "
        "'Bad' is a 1-in-20 outcome: savings still to be found are above P95, or reserves "
        "below P5, in 5% of the draws."
    )
    if result.resilience is not None:
        out += [""] + resilience_lines(result, best_possible)
    return out


def resilience_lines(result: RiskResult, best_possible: bool = False) -> list[str]:
    """resilience.csv as a table, then the Section 25 statement (mtfs_align.report.sentences.resilience)."""
    p = result.confidence
    pct, worst = percent(p), percent(1 - p)
    out = [
        f"Resilience at {pct} confidence: 'to find' is what {pct} of draws stay at or below after reserves, "
        f"'bad-year average' the average of the worst {worst}; reserves cover shortfalls within max_cover_k.",
        "",
    ]
    head = (
        f"{'Year':<9}{'Chance it':>11}{'To find':>10}{'Bad-year':>10}{'Reserves':>11}{'Reserves':>11}{'Still to':>11}"
    )
    head2 = f"{'':<9}{'balances':>11}{f'({pct})':>10}{'average':>10}{'drawn, bad':>11}{'at end,':>11}{'identify':>11}"
    head3 = f"{'':<9}{'':>11}{'':>10}{'':>10}{'year (P95)':>11}{'bad (P5)':>11}{'':>11}"
    out += [head, head2, head3, "-" * len(head)]
    for _, row in result.resilience.iterrows():
        out.append(
            f"{row['year']:<9}{chance(row['p_balanced']):>11}{money(row['var_k']):>10}"
            f"{money(row['cvar_k']):>10}{money(row['p95_cover_used_k']):>11}"
            f"{money(row['p5_reserves_balance_k']):>11}{money(row['shortfall_at_confidence_k']):>11}"
        )
    out.append("-" * len(head))
    out.append(f"Robustness of the estimates and adequacy of reserves ({S25}):")
    out += [f"  {line}" for line in section25_sentences(result.resilience, p, best_possible)]
    return out
