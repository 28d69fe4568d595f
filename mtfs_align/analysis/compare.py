"""Scenarios side by side (DESIGN 4.5, compare): each year's gap, savings, one-off costs, reserves
drawn, savings still to be found and outcome harm by priority, and the options whose start year
differs between the plans. Every figure comes from each scenario's own evaluation (DESIGN 4.3); the
report stage words them (mtfs_align.report.sentences.compare)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtfs_align.evaluate import Evaluation

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
    priorities = ordered_union(ev.model.priority_ids for ev in evs)
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
    order = ordered_union(ev.model.option_ids for ev in evs)
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


def ordered_union(groups) -> list[str]:
    """The items of every group, each once, in the order first met (years, priorities, options)."""
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return list(seen)
