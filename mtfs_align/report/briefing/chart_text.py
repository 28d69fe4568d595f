"""What each chart shows, in words with its numbers: the description that, after the chart's
finding, makes its alternative text (a screen reader's whole view of the chart) and the web page's
`<desc>`. One function per chart, each from the same tables the chart is drawn from."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from mtfs_align.report.charts import tightest_activities
from mtfs_align.report.charts.inputs import distinct, numbers, priority_rows, year_columns
from mtfs_align.report.sentences.phrases import harm_amount
from mtfs_align.report.sentences.robust import core_index_counts
from mtfs_align.wording import chance, money, summed_over

Tables = Mapping[str, pd.DataFrame | None]


def _by_year(years: list[str], values_k, form: Callable[[float], str] = money) -> str:
    return ", ".join(f"{form(v)} in {y}" for y, v in zip(years, values_k, strict=True))


def gap_closure(tables: Tables) -> str:
    budget = tables["budget"]
    years = budget["year"].astype(str).tolist()
    text = (
        "Stacked bars for each year: savings (by priority where known), reserves drawn and savings still "
        "to be found, against a line for the budget gap. "
        f"Gap: {_by_year(years, numbers(budget['gap_k']))}. "
        f"Savings: {_by_year(years, numbers(budget['savings_k']))}. "
        f"Reserves drawn: {_by_year(years, numbers(budget['reserves_draw_k']))}."
    )
    unidentified = numbers(budget["unidentified_k"])
    if (unidentified >= 0.5).any():
        text += f" Still to be found: {_by_year(years, unidentified)}."
    return text


def priority_spend(tables: Tables) -> str:
    rows = priority_rows(tables["alignment"])
    years = distinct(rows["year"])
    last = years[-1]
    parts = []
    for _, r in rows[rows["year"].astype(str) == last].iterrows():
        part = f"{r['id']} {r['name']}: spend {money(r['spend_k'])} of need {money(r['need_k'])}"
        if pd.notna(r.get("share_of_aligned")) and pd.notna(r.get("cabinet_weight")):
            part += f", {r['share_of_aligned']:.0%} of aligned spend against a weight of {r['cabinet_weight']:.0%}"
        parts.append(part)
    return (
        "Two bar charts by priority and year: spend against need, and each priority's share of aligned spend "
        f"against the Cabinet's weight. In {last}: " + "; ".join(parts) + "."
    )


def _summed(tables: Tables) -> str:
    """' summed over the four years' for the horizon of the budget table (' summed over the years'
    when the folder holds no budget table)."""
    budget = tables.get("budget")
    return summed_over(len(distinct(budget["year"]))) if budget is not None else " summed over the years"


def frontier(tables: Tables) -> str:
    data = tables["frontier"].copy()
    for column in ("scale", "savings_k", "harm"):
        data[column] = pd.to_numeric(data[column], errors="coerce")
    data = data.sort_values("scale", kind="stable")
    first, last = data.iloc[0], data.iloc[-1]
    text = (
        f"A line of {len(data)} least-harm plans, outcome harm against savings{_summed(tables)}, the gap scaled "
        f"from ×{first['scale']:g} ({money(first['savings_k'])} of savings, {harm_amount(first['harm'], 1)}) to "
        f"×{last['scale']:g} ({money(last['savings_k'])}, {harm_amount(last['harm'], 1)})."
    )
    here = data[np.isclose(data["scale"].to_numpy(float), 1.0)]
    if len(here):
        text += (
            f" This scenario (×1) saves {money(here['savings_k'].iloc[0])} for {harm_amount(here['harm'].iloc[0], 1)}."
        )
    proposal = tables.get("proposal")
    if proposal is not None and len(proposal):
        marks = [
            f"{r['plan']} {money(r['savings_k'])} for {harm_amount(float(r['harm']), 1)}"
            for _, r in proposal.iterrows()
        ]
        text += " Marked: " + "; ".join(marks) + "."
    return text


def delivery_risk(tables: Tables) -> str:
    risk = tables["risk"]
    years = risk["year"].astype(str).tolist()
    p = numbers(risk["p_balanced"])
    return (
        "A fan of the savings still to be found after reserves in each year (5% to 95% of simulated "
        "futures, median and mean) beside bars of the chance each year balances. "
        f"Chance of balancing: {_by_year(years, p, chance)}. "
        f"1-in-20 amount still to find: {_by_year(years, numbers(risk['p95_k']))}."
    )


def headroom(tables: Tables) -> str:
    rows = tightest_activities(tables["activities"], 5)
    if rows.empty:
        return "No activity has a floor or cash limit."
    parts = [
        f"{r['activity']} {r['name']}: {money(r['headroom_k'])} from its {r['limit']} in {r['year']}"
        for _, r in rows.iterrows()
    ]
    return (
        "A lollipop for each activity's smallest headroom over the years, smallest first. The five nearest: "
        + "; ".join(parts)
        + "."
    )


def core_index(tables: Tables, withdrawn: Sequence[str] = ()) -> str:
    """The withdrawn and the screened out are counted as such, never as exterior (never chosen
    though available)."""
    data = tables["core_index"].copy()
    classes = data["class"].astype(str)
    screened = tables.get("screened")
    counts = core_index_counts(data, withdrawn, [] if screened is None else screened["option"].astype(str))
    text = (
        f"A bar for each option: the share of sampled priority weightings whose least-harm plan adopts it. "
        f"{counts['core']} core, {counts['borderline']} borderline, {counts['exterior']} exterior"
    )
    if counts["withdrawn"]:
        text += f", {len(counts['withdrawn'])} withdrawn by the scenario"
    if counts["screened"]:
        text += f", {len(counts['screened'])} screened out for equality impact"
    text += "."
    borderline = data[classes == "borderline"]
    if len(borderline):
        values = pd.to_numeric(borderline["core_index"], errors="coerce")
        text += (
            " Borderline: " + "; ".join(f"{o} {v:.0%}" for o, v in zip(borderline["option"], values, strict=True)) + "."
        )
    return text


def savings_heatmap(tables: Tables) -> str:
    plan = tables["plan"]
    columns = year_columns(plan)
    last = columns[-1]
    by_activity = plan.assign(level=numbers(plan[last])).groupby("activity", sort=False)["level"].sum()
    top = by_activity.sort_values(ascending=False, kind="stable").head(3)
    parts = [f"{a} {money(v)}" for a, v in top.items()]
    return (
        f"A grid of the nominal savings of each activity in each year, darker for more. "
        f"Largest in {last[:-2]}: " + ", ".join(parts) + "."
    )


def comparison(tables: Tables) -> str:
    compare = tables["compare"]
    scenarios = distinct(compare["scenario"])
    parts = []
    for scenario in scenarios:
        rows = compare[compare["scenario"].astype(str) == scenario]
        savings = numbers(rows["savings_k"])
        harm = float(np.nansum(numbers(rows["harm"]))) if "harm" in rows else float("nan")
        parts.append(f"{scenario}: savings {money(savings[-1])} in the last year, {harm_amount(harm, 1)}")
    return "Side-by-side bars of each scenario's savings, reserves and harm. " + "; ".join(parts) + "."


DESCRIPTIONS: dict[str, Callable[[Tables], str]] = {
    "gap_closure": gap_closure,
    "priority_spend": priority_spend,
    "frontier": frontier,
    "delivery_risk": delivery_risk,
    "headroom": headroom,
    "core_index": core_index,
    "savings_heatmap": savings_heatmap,
    "comparison": comparison,
}


def describe(name: str, tables: Tables, confidence_frontier: bool = False, withdrawn: Sequence[str] = ()) -> str:
    if name == "frontier" and confidence_frontier:
        data = tables["frontier"]
        return (
            "Outcome harm and the savings still to be found in a bad year against the confidence planned for, "
            f"{len(data)} points from {float(data['scale'].min()):.0%} to {float(data['scale'].max()):.0%}."
        )
    if name == "core_index":
        return core_index(tables, withdrawn)
    return DESCRIPTIONS[name](tables)
