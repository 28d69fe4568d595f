"""The options tables of an evaluation: the adopted options (plan.csv), counted savings by RAG,
directorate and type (savings_summary.csv) and the screened options."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mtfs_align.model import Model


def plan_table(model: Model, plan: dict[str, int], nominal: np.ndarray) -> pd.DataFrame:
    sc = model.scenario
    rows = []
    index = model.option_index()
    for i, (oid, start) in enumerate(plan.items()):
        option = sc.options[oid]
        row = {
            "option": oid,
            "name": option.name,
            "activity": option.activity,
            "start": model.years[start],
            "rag": option.rag,
            "harm": model.harm[index[oid]] * (model.n - start),
        }
        for t, year in enumerate(model.years):
            row[f"{year}_k"] = nominal[i, t]
        rows.append(row)
    year_columns = [f"{y}_k" for y in model.years]
    columns = ["option", "name", "activity", "start", "rag", "harm"] + year_columns
    table = pd.DataFrame(rows, columns=columns)
    # numeric even for an empty plan, so that sums over it are numbers
    table[["harm"] + year_columns] = table[["harm"] + year_columns].astype(float)
    return table


def savings_summary_table(model: Model, plan: dict[str, int], counted: np.ndarray) -> pd.DataFrame:
    """Counted savings by year: all options, then by RAG, directorate and type (numpy, not groupby:
    the evaluator runs once per frontier point and per robustness sample)."""
    sc = model.scenario
    year_columns = [f"{y}_k" for y in model.years]
    options = [sc.options[o] for o in plan]
    keys = {
        "all": ["all options"] * len(options),
        "rag": [o.rag for o in options],
        "directorate": [sc.activities[o.activity].directorate for o in options],
        "type": [o.type for o in options],
    }
    orders = {
        "all": ["all options"],
        "rag": ["G", "A", "R"],
        "directorate": sorted({a.directorate for a in sc.activities.values()}),
        "type": [t for t in _type_order() if t in set(keys["type"])],
    }
    rows = []
    for group, order in orders.items():
        labels = np.array(keys[group], dtype=object)
        for category in order:
            mask = labels == category
            sums = counted[mask].sum(axis=0) if mask.any() else np.zeros(model.n)
            rows.append([group, category, *map(float, sums)])
    summary = pd.DataFrame(rows, columns=["group", "category", *year_columns])
    summary[year_columns] = summary[year_columns].astype(float)
    summary["total_k"] = summary[year_columns].sum(axis=1)
    return summary


def _type_order() -> list[str]:
    from mtfs_align.scenario import OPTION_TYPES

    return list(OPTION_TYPES)


def screened_table(model: Model) -> pd.DataFrame:
    sc = model.scenario
    rows = [
        {
            "option": o,
            "name": sc.options[o].name,
            "activity": sc.options[o].activity,
            "equality_impact": sc.options[o].equality_impact,
            "max_equality_impact": sc.policy.max_equality_impact,
        }
        for o in sc.screened
    ]
    return pd.DataFrame(rows, columns=["option", "name", "activity", "equality_impact", "max_equality_impact"])
