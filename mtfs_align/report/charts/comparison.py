"""Chart (h): scenarios side by side, from compare.csv."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mtfs_align.report.charts.inputs import distinct
from mtfs_align.report.charts.style import (
    COLOURS,
    GREYS,
    HATCHES,
    RESERVES_COLOUR,
    STYLE,
    figure_legend,
    new_figure,
    pounds_m_axis,
    set_finding,
    wrap,
    year_axis,
)
from mtfs_align.wording import money, summed_over_each


def comparison_chart(compare: pd.DataFrame) -> Figure:
    """Scenarios side by side, from compare.csv.

    Layout of compare.csv (as `mtfs_align.analysis.compare` writes it): one row per scenario and
    year with columns `scenario, year, gap_k, savings_k, reserves_draw_k, unidentified_k, harm`
    and one `harm_<priority>` per priority (blank where a scenario lacks that priority). `harm`
    and `harm_<priority>` are the harm of the options in effect in that year, so a scenario's rows
    add up to its plan's harm over the horizon; the chart shows those sums. Other columns (such
    as `one_off_k`) are ignored.
    """
    data = compare.copy()
    scenarios = distinct(data["scenario"])
    years = distinct(data["year"])
    harm_columns = [c for c in data.columns if c.startswith("harm_")]
    for column in ["gap_k", "savings_k", "reserves_draw_k", "unidentified_k", "harm", *harm_columns]:
        if column in data:
            data[column] = pd.to_numeric(data[column], errors="coerce")

    def summed(scenario: str, column: str) -> float:
        """A scenario's `column` summed over its years (blank counts as 0)."""
        found = data.loc[data["scenario"].astype(str) == scenario, column]
        return float(found.fillna(0.0).sum())

    def cell(scenario: str, year: str, column: str) -> float:
        found = data.loc[(data["scenario"].astype(str) == scenario) & (data["year"].astype(str) == year), column]
        return float(found.iloc[0]) if len(found) else math.nan

    n = max(len(scenarios), 1)
    width = 0.8 / n
    x = np.arange(len(years))
    fig = new_figure()
    with matplotlib.rc_context(STYLE):
        money_ax, harm_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
        for i, scenario in enumerate(scenarios):
            offset = (i - (n - 1) / 2) * width
            savings = np.array([cell(scenario, y, "savings_k") for y in years]) / 1000
            draw = np.array([cell(scenario, y, "reserves_draw_k") for y in years]) / 1000
            unidentified = np.array([cell(scenario, y, "unidentified_k") for y in years]) / 1000
            gap = np.array([cell(scenario, y, "gap_k") for y in years]) / 1000
            style = dict(color=COLOURS[i % len(COLOURS)], hatch=HATCHES[i % len(HATCHES)])
            money_ax.bar(x + offset, savings, width, label=wrap(scenario, 26), **style)
            money_ax.bar(
                x + offset,
                draw,
                width,
                bottom=savings,
                color=RESERVES_COLOUR,
                hatch="**",
                label="Reserves drawn" if i == 0 else f"_reserves {scenario}",
            )
            money_ax.bar(
                x + offset,
                unidentified,
                width,
                bottom=savings + draw,
                color="white",
                hatch="////",
                edgecolor="black",
                linestyle="--",
                label="Unidentified savings" if i == 0 else f"_unidentified {scenario}",
            )
            lines = money_ax.hlines(
                gap,
                x + offset - width / 2,
                x + offset + width / 2,
                colors="black",
                linewidth=2.4,
                label="Budget gap" if i == 0 else "_gap",
            )
            lines.set_gid(f"gap {scenario}")
        year_axis(money_ax, x, years)
        pounds_m_axis(money_ax)
        money_ax.set_title("Savings, reserves and unidentified savings against the gap (black), £m")

        harm = {s: {c[5:]: summed(s, c) for c in harm_columns} for s in scenarios}
        y = np.arange(len(scenarios))[::-1]
        left = np.zeros(len(scenarios))
        for j, column in enumerate(harm_columns):
            values = np.array([harm[s][column[5:]] for s in scenarios])
            values = np.nan_to_num(values)
            harm_ax.barh(
                y,
                values,
                0.6,
                left=left,
                color=GREYS[j % len(GREYS)],
                hatch=HATCHES[(j + 1) % len(HATCHES)],
                label=column[5:],
            )
            left = left + values
        if not harm_columns and "harm" in data:
            values = np.array([summed(s, "harm") for s in scenarios])
            harm_ax.barh(y, values, 0.6, color=COLOURS[0], label="Harm")
            left = values
        for yi, total in zip(y, left, strict=True):
            harm_ax.annotate(
                f"{total:.1f}", (total, yi), textcoords="offset points", xytext=(4, 0), va="center", fontsize=11
            )
        harm_ax.set_yticks(y, [wrap(s, 18) for s in scenarios], fontsize=10)
        harm_ax.grid(True, axis="x")
        harm_ax.grid(False, axis="y")
        harm_ax.set_title(f"Outcome harm by priority{summed_over_each(data.groupby('scenario')['year'].nunique())}")
        figure_legend(fig, (money_ax, harm_ax), below=True, ncols=4, fontsize=10)
        if len(left):
            harm_ax.set_xlim(0, float(np.nanmax(left)) * 1.2 + 0.1)

    finding = "Scenario comparison"
    if scenarios and years:
        last = years[-1]
        need = {s: cell(s, last, "savings_k") + cell(s, last, "unidentified_k") for s in scenarios}
        most, least = max(need, key=need.get), min(need, key=need.get)
        if need[most] - need[least] >= 0.5:
            finding = f"{most} needs {money(need[most] - need[least])} more savings a year by {last} than {least}"
        totals = {s: (summed(s, "harm") if "harm" in data else math.nan) for s in scenarios}
        if all(not math.isnan(v) for v in totals.values()) and len(scenarios) > 1:
            worst = max(totals, key=totals.get)
            finding += f"; {worst} does most harm ({totals[worst]:.1f})"
    set_finding(fig, finding)
    return fig
