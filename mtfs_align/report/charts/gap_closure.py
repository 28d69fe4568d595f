"""Chart (a): how each year's gap closes, from budget.csv and alignment.csv."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mtfs_align.report.charts.inputs import distinct, numbers, priority_rows
from mtfs_align.report.charts.style import (
    COLOURS,
    HATCHES,
    RESERVES_COLOUR,
    STYLE,
    UNIDENTIFIED_COLOUR,
    legend_beside,
    new_figure,
    pounds_m_axis,
    set_finding,
    wrap,
    year_axis,
)
from mtfs_align.report.charts.wording import years_phrase
from mtfs_align.wording import money


def _stack(ax, x, values: np.ndarray, bottoms: list[np.ndarray], width: float, label: str, **style) -> None:
    """Stack positive parts upwards and negative parts (investments) downwards."""
    up, down = bottoms
    positive = np.where(values > 0, values, 0.0)
    negative = np.where(values < 0, values, 0.0)
    ax.bar(x, positive, width, bottom=up, label=label, **style)
    if np.any(negative < 0):
        ax.bar(x, negative, width, bottom=down, label=f"_{label} (negative)", **style)
    bottoms[0] = up + positive
    bottoms[1] = down + negative


def _priority_label(pid: str, name: str, width: int = 30) -> str:
    return wrap(f"{pid} {name}", width)


def _priority_savings(alignment: pd.DataFrame, years: list[str]) -> list[tuple[str, np.ndarray]]:
    """(legend label, savings by year in £m) of each priority: need − spend of its rows."""
    rows = priority_rows(alignment)
    layers = []
    for pid in distinct(rows["id"]):
        mine = rows[rows["id"].astype(str) == pid].set_index("year")
        level = (mine["need_k"] - mine["spend_k"]).reindex(years).fillna(0).to_numpy(float)
        layers.append((_priority_label(pid, mine["name"].iloc[0], 34), level / 1000))
    return layers


def gap_closure_chart(budget: pd.DataFrame, alignment: pd.DataFrame | None = None) -> Figure:
    """How each year's gap closes: savings by priority (need − spend of the `priority` rows of
    alignment.csv), reserves drawn and unidentified savings, stacked against the gap line of
    budget.csv (and against gap plus one-off costs when there are any).

    The stack of savings always equals budget.csv's `savings_k`. Savings on activities aligned to
    no outcome are their own layer. When savings are counted at expected delivery (below the
    nominal savings that alignment.csv reflects) each priority's savings are scaled down in
    proportion, and the panel title says so.
    """
    years = budget["year"].astype(str).tolist()
    x = np.arange(len(years))
    gap = numbers(budget["gap_k"]) / 1000
    savings = numbers(budget["savings_k"]) / 1000
    one_off = numbers(budget["one_off_k"]) / 1000 if "one_off_k" in budget else np.zeros(len(x))
    draw = numbers(budget["reserves_draw_k"]) / 1000
    unidentified = numbers(budget["unidentified_k"]) / 1000

    fig = new_figure()
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        bottoms = [np.zeros(len(x)), np.zeros(len(x))]
        width = 0.62
        title = "£m each year: savings, reserves and savings still to be found against the gap"
        layers = _priority_savings(alignment, years) if alignment is not None else []
        if layers:
            attributed = np.sum([level for _, level in layers], axis=0)
            other = savings - attributed
            if np.any(other < -0.0005):
                # Savings counted at expected delivery: alignment.csv shows the budget as set
                # (nominal), so each priority's savings are scaled to the counted total.
                factor = np.divide(savings, attributed, out=np.ones(len(x)), where=attributed > 0)
                layers = [(label, level * factor) for label, level in layers]
                other = savings - attributed * factor
                title = (
                    "£m each year: savings at expected delivery (shared across priorities), "
                    "reserves and savings still to be found against the gap"
                )
            for i, (label, level) in enumerate(layers):
                _stack(
                    ax,
                    x,
                    level,
                    bottoms,
                    width,
                    label,
                    color=COLOURS[i % len(COLOURS)],
                    hatch=HATCHES[i % len(HATCHES)],
                )
            if np.any(np.abs(other) > 0.0005):
                _stack(ax, x, other, bottoms, width, "Savings not aligned to a priority", color="#f7f7f7", hatch="||")
        else:
            _stack(ax, x, savings, bottoms, width, "Savings", color=COLOURS[0])
        _stack(ax, x, draw, bottoms, width, "Reserves drawn", color=RESERVES_COLOUR, hatch="**")
        _stack(
            ax,
            x,
            unidentified,
            bottoms,
            width,
            "Unidentified savings (still to be found)",
            color=UNIDENTIFIED_COLOUR,
            hatch="////",
            edgecolor="#000000",
            linestyle="--",
        )
        ax.plot(x, gap, color="black", marker="o", markersize=8, linewidth=2.2, label="Budget gap", gid="gap")
        if np.any(one_off > 0.0005):
            ax.plot(
                x,
                gap + one_off,
                color="black",
                marker="s",
                markersize=6,
                linewidth=1.4,
                linestyle=":",
                label="Gap plus one-off costs",
                gid="gap_plus_one_off",
            )
        label_at = np.maximum(np.maximum(gap, gap + one_off), bottoms[0])
        # On a long horizon only the first and last gaps are labelled, so labels do not collide.
        labelled = list(range(len(x))) if len(x) <= 6 else [0, len(x) - 1]
        for xi, g, at in zip(x[labelled], gap[labelled], label_at[labelled], strict=True):
            ax.annotate(
                f"Gap {money(g * 1000)}",
                (xi, at),
                textcoords="offset points",
                xytext=(0, 13),
                ha="center",
                fontsize=11,
                fontweight="bold",
            )
        year_axis(ax, x, years)
        pounds_m_axis(ax)
        top = max(float(np.nanmax(bottoms[0])) if len(x) else 0, float(np.nanmax(gap + one_off)) if len(x) else 0)
        ax.set_ylim(min(0.0, float(np.nanmin(bottoms[1])) * 1.1 if len(x) else 0), top * 1.15 + 0.5)
        ax.set_title(wrap(title, 90))
        legend_beside(ax)

    last = years[-1] if years else ""
    finding = (
        f"Savings close {money(savings[-1] * 1000)} of the {money(gap[-1] * 1000)} gap by {last}"
        if years
        else "No budget years"
    )
    short_years = [y for y, u in zip(years, unidentified, strict=True) if u * 1000 >= 0.5]
    if short_years:
        total = money(unidentified.sum() * 1000)
        if len(short_years) == 1:
            finding += f"; {total} of savings still to be found in {short_years[0]}"
        else:
            finding += f"; savings still to be found {years_phrase(short_years, years)} ({total} in all)"
    elif len(years) == 1:
        finding += f"; with reserves, {years[0]} balances"
    elif years:
        finding += "; with reserves, every year balances"
    set_finding(fig, finding)
    return fig
