"""Chart (d): delivery risk, the spread of savings still to be found and the chance each year
balances, from risk.csv."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from mtfs_align.report.charts.inputs import numbers
from mtfs_align.report.charts.style import (
    COLOURS,
    STYLE,
    figure_legend,
    new_figure,
    pounds_m_axis,
    set_finding,
    year_axis,
)
from mtfs_align.report.charts.wording import chance
from mtfs_align.wording import money


def risk_fan_chart(risk: pd.DataFrame) -> Figure:
    """Unidentified savings after reserves when delivery is uncertain (P5-P95 band, median, mean)
    and the probability that each year balances, from risk.csv."""
    years = risk["year"].astype(str).tolist()
    x = np.arange(len(years))
    p5, p50, p95 = (numbers(risk[c]) / 1000 for c in ("p5_k", "p50_k", "p95_k"))
    mean = numbers(risk["expected_unidentified_k"]) / 1000
    balanced = numbers(risk["p_balanced"])

    fig = new_figure()
    with matplotlib.rc_context(STYLE):
        fan, prob = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
        band = fan.fill_between(
            x, p5, p95, color="#c6dbef", hatch="//", edgecolor="#555555", linewidth=0.8, label="5% to 95% of draws"
        )
        band.set_gid("band")
        fan.plot(x, p95, color="#555555", linewidth=1, linestyle="--", gid="p95", label="_p95")
        fan.plot(x, p50, color="black", marker="o", markersize=8, linewidth=2.2, label="Median", gid="p50")
        fan.plot(
            x, mean, color=COLOURS[1], marker="D", markersize=7, linewidth=1.6, linestyle="--", label="Mean", gid="mean"
        )
        year_axis(fan, x, years)
        pounds_m_axis(fan, decimals=1 if np.nanmax(np.r_[p95, 0.1]) < 5 else 0)
        fan.set_ylim(
            bottom=min(0.0, float(np.nanmin(np.r_[p5, 0]))), top=max(float(np.nanmax(np.r_[p95, 0])) * 1.2, 1.0)
        )
        fan.set_title("Savings still to be found after reserves, £m")
        prob.bar(x, balanced * 100, 0.6, color="#9e9e9e", hatch="..", label="Chance the year balances")
        prob.axhline(95, color="black", linestyle=":", linewidth=1.2, label="95%")
        for xi, p in zip(x, balanced, strict=True):
            prob.annotate(
                f"{p:.0%}",
                (xi, p * 100),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=12 if len(years) <= 6 else 9,
                fontweight="bold",
                bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"),
            )
        year_axis(prob, x, years)
        prob.set_ylim(0, 112)
        prob.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        prob.set_title("Chance that each year balances")
        figure_legend(fig, (fan, prob), fontsize=10)

    if not years:
        finding = "Delivery risk"
    elif np.nanmin(balanced) >= 0.95:
        finding = "The budget balances in every year in at least 95% of delivery outcomes"
    else:
        # The weakest year; among equally weak years, the one with most still to find.
        order = np.lexsort((-p95, balanced))
        worst, deepest = int(order[0]), int(np.nanargmax(p95))
        if np.nanmax(balanced) < 0.05:
            finding = (
                "Allowing for delivery risk the budget almost never balances: in "
                f"{years[deepest]} there is a 1-in-20 chance of {money(p95[deepest] * 1000)} "
                "or more still to find"
            )
        else:
            finding = (
                f"Delivery risk bites in {years[worst]}: the budget balances there in only "
                f"{chance(balanced[worst])} of draws, with a 1-in-20 chance of "
                f"{money(p95[worst] * 1000)} or more still to find"
            )
    set_finding(fig, finding)
    return fig
