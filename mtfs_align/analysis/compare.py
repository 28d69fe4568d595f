"""Scenarios side by side (DESIGN 4.5, compare): each year's gap, savings, one-off costs, reserves
drawn, savings still to be found and outcome harm by priority, and the options whose start year
differs between the plans. Every figure comes from each scenario's own evaluation (DESIGN 4.3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtfs_align.evaluate import Evaluation
from mtfs_align.wording import money

COMPARE_COLUMNS = ["scenario", "year", "gap_k", "savings_k", "one_off_k", "reserves_draw_k", "unidentified_k", "harm"]
_BUDGET_COLUMNS = ["gap_k", "savings_k", "one_off_k", "reserves_draw_k", "unidentified_k"]


@dataclass
class CompareResult:
    """The scenarios in the order given, `compare.csv` and the options that differ."""

    labels: list[str]  # column labels, unique, in the order given
    evaluations: list[Evaluation]
    priorities: list[str]  # every scenario's priorities, in order of first appearance
    table: pd.DataFrame  # compare.csv: one row per scenario and year
    options: pd.DataFrame  # option, name, then each label's start year ("" = not adopted)


def compare(evaluations: list[tuple[str, Evaluation]]) -> CompareResult:
    """Set evaluated plans side by side; each pair is (label, evaluation), e.g. the scenario slug.

    Harm in a year is the harm of the options in effect that year, so a scenario's rows add up to
    its plan's harm. Scenarios may have different priorities: `harm_<p>` columns are the union,
    blank (NaN) for a scenario without that priority."""
    if not evaluations:
        raise ValueError("compare needs at least one evaluated scenario")
    evs = [ev for _, ev in evaluations]
    labels = _unique_labels([str(label) for label, _ in evaluations])
    priorities = _ordered_union(ev.model.priority_ids for ev in evs)
    harm_columns = [f"harm_{p}" for p in priorities]
    rows = []
    for label, ev in zip(labels, evs, strict=True):
        harm = harm_by_priority_year(ev)
        for t, year in enumerate(ev.model.years):
            row = {"scenario": label, "year": year}
            row.update({c: float(ev.budget[c].iloc[t]) for c in _BUDGET_COLUMNS})
            row["harm"] = float(harm[year].sum())
            for p, column in zip(priorities, harm_columns, strict=True):
                row[column] = float(harm.at[p, year]) if p in harm.index else np.nan
            rows.append(row)
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS + harm_columns)
    return CompareResult(
        labels=labels, evaluations=evs, priorities=priorities, table=table, options=_differing_options(labels, evs)
    )


def harm_by_priority_year(ev: Evaluation) -> pd.DataFrame:
    """Harm of the options in effect each year, by priority (priority x year): the outcomes
    table's harm summed within each priority. Over the years it adds up to the plan's harm."""
    outcomes = ev.outcomes
    if outcomes.empty:
        return pd.DataFrame(0.0, index=ev.model.priority_ids, columns=ev.model.years)
    sums = outcomes.groupby(["priority", "year"], sort=False)["harm"].sum().unstack("year")
    sums = sums.reindex(index=ev.model.priority_ids, columns=ev.model.years, fill_value=0.0)
    return sums.fillna(0.0)


def _differing_options(labels: list[str], evs: list[Evaluation]) -> pd.DataFrame:
    """Options not started in the same year (or not adopted) in every plan."""
    names: dict[str, str] = {}
    for ev in evs:
        for oid in ev.model.option_ids:
            names.setdefault(oid, ev.model.scenario.options[oid].name)
    order = _ordered_union(ev.model.option_ids for ev in evs)
    adopted = set().union(*(ev.plan for ev in evs))
    rows = []
    for oid in order:
        if oid not in adopted:
            continue
        starts = [ev.model.years[ev.plan[oid]] if oid in ev.plan else "" for ev in evs]
        if len(set(starts)) > 1:
            row = {"option": oid, "name": names[oid]}
            row.update(zip(labels, starts, strict=True))
            rows.append(row)
    return pd.DataFrame(rows, columns=["option", "name", *labels])


def _unique_labels(labels: list[str]) -> list[str]:
    """Labels become column names: a repeat (or a clash with option/name) gets ' (2)', ' (3)'..."""
    taken = {"option", "name"}
    out = []
    for label in labels:
        candidate, count = label, 1
        while candidate in taken:
            count += 1
            candidate = f"{label} ({count})"
        taken.add(candidate)
        out.append(candidate)
    return out


def _ordered_union(groups) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return list(seen)


# --------------------------------------------------------------------------------------------
# The printed side-by-side summary
# --------------------------------------------------------------------------------------------

_MEASURES = [
    ("gap_k", "Budget gap (before savings)"),
    ("savings_k", "Savings"),
    ("one_off_k", "One-off costs"),
    ("reserves_draw_k", "Reserves drawn"),
    ("unidentified_k", "Savings still to be found"),
]


def lines(result: CompareResult) -> list[str]:
    """A side-by-side summary in plain council English, money as £4.2m."""
    evs, labels = result.evaluations, result.labels
    years = _ordered_union(ev.model.years for ev in evs)
    width = max([12, *(len(label) + 2 for label in labels)])
    head = f"{'':<34}" + "".join(f"{label:>{width}}" for label in labels)
    out = ["Scenarios compared:"]
    for label, ev in zip(labels, evs, strict=True):
        basis = "expected delivery" if ev.model.scenario.policy.plan_on != "nominal" else "their nominal value"
        options = f"{len(ev.plan)} option{'' if len(ev.plan) == 1 else 's'}"
        out.append(f"  {label}: {ev.model.scenario.name} ({options}, savings counted at {basis})")
    out += ["", head, "-" * len(head)]
    table = result.table
    for column, title in _MEASURES:
        out.append(title)
        for year in years:
            cells = []
            for label in labels:
                value = table.loc[(table["scenario"] == label) & (table["year"] == year), column]
                cells.append(money(float(value.iloc[0])) if len(value) else "-")
            out.append(f"  {year:<32}" + "".join(f"{c:>{width}}" for c in cells))
    out.append("Reserves at the end of the horizon")
    out.append(
        f"  {'closing balance':<32}"
        + "".join(f"{money(float(ev.budget['reserves_balance_k'].iloc[-1])):>{width}}" for ev in evs)
    )
    out.append(f"{'Years that balance':<34}" + "".join(f"{_balanced_years(ev):>{width}}" for ev in evs))
    out.append("Outcome harm over the horizon")
    out.append(f"  {'all priorities':<32}" + "".join(f"{ev.harm:>{width}.3f}" for ev in evs))
    for p in result.priorities:
        cells = [f"{ev.harm_by_priority[p]:.3f}" if p in ev.harm_by_priority else "-" for ev in evs]
        out.append(f"  {_priority_name(evs, p):<32}" + "".join(f"{c:>{width}}" for c in cells))
    out.append(f"{'Options adopted':<34}" + "".join(f"{len(ev.plan):>{width}}" for ev in evs))
    out.append("-" * len(head))

    if result.options.empty:
        out.append("Every plan adopts the same options from the same years.")
    else:
        count = len(result.options)
        out.append(
            f"{count} option{'s' if count != 1 else ''} differ between the plans (start year; '-' = not adopted):"
        )
        for _, row in result.options.iterrows():
            name = _shorten(f"{row['option']} {row['name']}", 32)
            cells = [row[label] or "-" for label in labels]
            out.append(f"  {name:<32}" + "".join(f"{c:>{width}}" for c in cells))
    if len(evs) > 1:
        out.append("")
        out.extend(_key_messages(evs))
    return out


def _key_messages(evs: list[Evaluation]) -> list[str]:
    """One sentence per scenario against the first."""
    base = evs[0]
    base_name = base.model.scenario.name
    out = [f"Against {base_name}:"]
    for ev in evs[1:]:
        name = ev.model.scenario.name
        sentence = f"  - {name} "
        if ev.unidentified_k >= 0.5:
            sentence += f"leaves {money(ev.unidentified_k)} of savings still to be found over the horizon"
        else:
            sentence += "balances every year with no savings still to be found"
        sentence += (
            f" ({base_name}: {money(base.unidentified_k)}" if base.unidentified_k >= 0.5 else f" ({base_name}: none"
        )
        sentence += f"), draws {money(ev.reserves_draw_k)} from reserves ({money(base.reserves_draw_k)})"
        sentence += f" and {_harm_phrase(ev.harm, base.harm)}."
        out.append(sentence)
    return out


def _harm_phrase(harm: float, base: float) -> str:
    if abs(harm - base) < 5e-4:
        return f"causes the same outcome harm ({harm:.3f})"
    if base > 1e-9:
        change = (harm - base) / base
        more = "more" if change > 0 else "less"
        return f"causes {abs(change):.0%} {more} outcome harm ({harm:.3f} against {base:.3f})"
    return f"causes outcome harm of {harm:.3f} against {base:.3f}"


def _balanced_years(ev: Evaluation) -> str:
    balanced = int((ev.budget["balanced"] == "yes").sum())
    return f"{balanced} of {len(ev.budget)}"


def _priority_name(evs: list[Evaluation], pid: str) -> str:
    for ev in evs:
        if pid in ev.model.scenario.priorities:
            return _shorten(f"{pid} {ev.model.scenario.priorities[pid].name}", 32)
    return pid


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
