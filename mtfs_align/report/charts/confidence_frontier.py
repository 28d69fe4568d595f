"""Chart (c), confidence version: outcome harm and bad-year shortfall against the confidence planned
for (DESIGN 4.6), from the frontier.csv of `frontier --vary confidence`."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from mtfs_align.report.charts.style import (
    COLOURS,
    MARKERS,
    STYLE,
    legend_beside,
    new_figure,
    pounds_m_axis,
    set_finding,
)
from mtfs_align.report.sentences.frontier import certainty_change


def confidence_frontier_chart(frontier: pd.DataFrame, years: list[str]) -> Figure:
    """Outcome harm, and the savings still to be found in a bad year of the first and last years,
    against the confidence planned for (the confidence frontier of DESIGN 4.6)."""
    data = frontier.sort_values("scale", kind="stable")
    confidence = data["scale"].to_numpy(float) * 100
    harm = data["harm"].to_numpy(float)
    fig = new_figure()
    with matplotlib.rc_context(STYLE):
        left, right = fig.subplots(1, 2)
        left.grid(True, axis="both")
        left.plot(confidence, harm, color=COLOURS[0], marker="o", markersize=7, linewidth=2, gid="harm")
        left.set_xlabel("Confidence planned for (% of futures)")
        left.set_ylabel("Outcome harm (weighted severity-years)")
        left.set_title("Outcome harm")
        right.grid(True, axis="both")
        for i, year in enumerate(dict.fromkeys([years[0], years[-1]])):
            column = f"cvar_{year}"
            if column in data:
                right.plot(
                    confidence,
                    data[column].to_numpy(float) / 1000,
                    color=COLOURS[(i + 1) % len(COLOURS)],
                    marker=MARKERS[i % len(MARKERS)],
                    markersize=7,
                    linewidth=2,
                    label=year,
                    gid=column,
                )
        pounds_m_axis(right, "y", 1)
        right.set_xlabel("Confidence planned for (% of futures)")
        right.set_ylabel("Still to find in a bad year, £m")
        right.set_title("Savings still to be found in a bad year")
        legend_beside(right)
    d_harm = harm[-1] - harm[0]
    set_finding(fig, certainty_change(confidence[-1] / 100, confidence[0] / 100, d_harm))
    return fig
