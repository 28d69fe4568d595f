"""Chart (b): spend by priority against need and the Cabinet's weights, from alignment.csv."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from mtfs_align.report.charts.inputs import distinct, priority_rows
from mtfs_align.report.charts.style import STYLE, figure_legend, new_figure, pounds_m_axis, set_finding, set_note


def priority_spend_chart(alignment: pd.DataFrame) -> Figure:
    """Spend on each priority over the years against its need (left) and each priority's share
    of aligned spend against the Cabinet's weight (right), from the `priority` rows of
    alignment.csv."""
    rows = priority_rows(alignment)
    priorities = distinct(rows["id"])
    years = distinct(rows["year"])
    names = {pid: rows.loc[rows["id"].astype(str) == pid, "name"].iloc[0] for pid in priorities}
    n_years = max(len(years), 1)
    width = 0.8 / n_years
    shades = [str(v) for v in np.linspace(0.85, 0.25, n_years)]
    year_hatches = ["", "..", "//", "xx", "\\\\", "++", "oo", "--", "||", "**"]
    x = np.arange(len(priorities))

    def value(pid: str, year: str, column: str) -> float:
        cell = rows.loc[(rows["id"].astype(str) == pid) & (rows["year"].astype(str) == year), column]
        return float(cell.iloc[0]) if len(cell) else math.nan

    fig = new_figure()
    with matplotlib.rc_context(STYLE):
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        for j, year in enumerate(years):
            offset = (j - (n_years - 1) / 2) * width
            spend = np.array([value(p, year, "spend_k") for p in priorities]) / 1000
            need = np.array([value(p, year, "need_k") for p in priorities]) / 1000
            share = np.array([value(p, year, "share_of_aligned") for p in priorities]) * 100
            left.bar(x + offset, spend, width, color=shades[j], hatch=year_hatches[j % 10], label=year)
            lines = left.hlines(
                need,
                x + offset - width / 2,
                x + offset + width / 2,
                colors="black",
                linewidth=2.2,
                label="Need" if j == 0 else "_need",
                zorder=3,
            )
            lines.set_gid(f"need {year}")
            right.bar(x + offset, share, width, color=shades[j], hatch=year_hatches[j % 10], label=year)
        weights = np.array([value(p, years[0], "cabinet_weight") if years else math.nan for p in priorities]) * 100
        cabinet = right.hlines(
            weights,
            x - 0.45,
            x + 0.45,
            colors="black",
            linewidth=2.4,
            linestyles="--",
            label="Cabinet's weight",
            zorder=3,
        )
        cabinet.set_gid("cabinet_weight")
        # Ids under the bars and a key to their names under the chart: a name is never cut short.
        for ax in (left, right):
            ax.set_xticks(x, priorities, fontsize=11)
        pounds_m_axis(left)
        right.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        left.set_title("Spend (bars) against need (black lines), £m")
        right.set_title("Share of aligned spend against the Cabinet's weight")
        figure_legend(fig, (left, right), fontsize=10)
        set_note(fig, "Priorities: " + "; ".join(f"{p} {names[p]}" for p in priorities) + ".")
        right.set_ylim(
            0,
            max(
                float(np.nanmax(weights)) if len(weights) else 0,
                float(np.nanmax([value(p, y, "share_of_aligned") for p in priorities for y in years] or [0])) * 100,
            )
            * 1.35
            + 1,
        )

    finding = "Spend by priority"
    if priorities and years:
        last = years[-1]
        ratios = {
            p: value(p, last, "spend_k") / value(p, last, "need_k") for p in priorities if value(p, last, "need_k") > 0
        }
        if ratios:
            deepest = min(ratios, key=ratios.get)
            share = value(deepest, last, "share_of_aligned")
            weight = value(deepest, last, "cabinet_weight")
            finding = (
                f"{deepest} {names[deepest]} takes the deepest cut: spend is {ratios[deepest]:.0%} of need by {last}"
            )
            if not math.isnan(share) and not math.isnan(weight):
                finding += f" ({share:.0%} of aligned spend against a Cabinet weight of {weight:.0%})"
    set_finding(fig, finding)
    return fig
