"""Chart (e): the activities nearest their statutory floor or cash limit, from activities.csv."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mtfs_align.report.charts.inputs import numbers
from mtfs_align.report.charts.style import (
    STYLE,
    figure_legend,
    money_axis,
    name_label,
    new_figure,
    rows_height,
    set_finding,
)
from mtfs_align.wording import money


def tightest_activities(activities: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """Each activity's smallest headroom over the years (the year it occurs and which limit binds),
    smallest first."""
    data = activities.copy()
    for column in ("headroom_k", "need_k", "spend_k", "service_spend_k", "floor_k", "cash_limit_k"):
        if column in data:
            data[column] = pd.to_numeric(data[column], errors="coerce")
    data = data.dropna(subset=["headroom_k"])
    if data.empty:
        return data.assign(limit=pd.Series(dtype=str))
    rows = data.loc[data.groupby("activity", sort=False)["headroom_k"].idxmin()].copy()
    if {"service_spend_k", "floor_k", "cash_limit_k", "spend_k"} <= set(rows.columns):
        above_floor = rows["service_spend_k"] - rows["floor_k"]
        below_cash = rows["cash_limit_k"] - rows["spend_k"]
        rows["limit"] = np.where(below_cash.notna() & (below_cash < above_floor), "cash limit", "floor")
    else:
        rows["limit"] = "floor"
    rows.loc[rows["status"].astype(str) == "above_envelope", "limit"] = "cash limit"
    rows.loc[rows["status"].astype(str) == "below_floor", "limit"] = "floor"
    # Ties (often several activities at exactly zero) go to the larger service first.
    order = ["headroom_k", "need_k", "activity"] if "need_k" in rows else ["headroom_k", "activity"]
    ascending = [True, False, True] if "need_k" in rows else [True, True]
    return rows.sort_values(order, ascending=ascending).head(top).reset_index(drop=True)


HEADROOM_STYLE = {
    "floor": dict(marker="o", markerfacecolor="#9ecae1", label="Closest to its floor (statutory minimum)"),
    "cash limit": dict(marker="s", markerfacecolor="#fdd0a2", label="Closest to its cash limit"),
    "breach": dict(marker="X", markerfacecolor="#222222", label="Outside its envelope (breach)"),
}


def headroom_chart(activities: pd.DataFrame, top: int = 12) -> Figure:
    """Activities nearest their statutory floor or cash limit: each one's smallest headroom over the
    years (activities.csv `headroom_k`), the `top` smallest, drawn as lollipops so that zero
    headroom still shows; the marker says which limit binds, a cross marks a breach."""
    rows = tightest_activities(activities, top)
    labels = [
        name_label(a, n, f"({yr})")
        for a, n, yr in zip(rows["activity"], rows.get("name", rows["activity"]), rows["year"], strict=True)
    ]
    fig = new_figure((11.0, rows_height(labels)))
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        y = np.arange(len(rows))[::-1]
        headroom = rows["headroom_k"].to_numpy(float) / 1000
        stems = ax.hlines(y, 0, headroom, colors="#555555", linewidth=2.5)
        stems.set_gid("stems")
        kinds = np.where(rows["status"].astype(str) != "within", "breach", rows["limit"].astype(str))
        for kind, style in HEADROOM_STYLE.items():
            mask = kinds == kind
            if mask.any():
                ax.plot(
                    headroom[mask],
                    y[mask],
                    linestyle="none",
                    markersize=11,
                    markeredgecolor="black",
                    markeredgewidth=1.2,
                    gid=kind,
                    zorder=4,
                    **style,
                )
        ax.set_yticks(y, labels, fontsize=10)
        for yi, h in zip(y, headroom, strict=True):
            ax.annotate(
                money(h * 1000),
                (h, yi),
                textcoords="offset points",
                xytext=(10 if h >= 0 else -10, 0),
                ha="left" if h >= 0 else "right",
                va="center",
                fontsize=10,
            )
        ax.axvline(0, color="black", linewidth=1.2)
        money_axis(ax, "x")
        if len(headroom):
            span = max(float(np.nanmax(np.abs(headroom))), 0.5)
            ax.set_xlim(
                min(0.0, float(np.nanmin(headroom))) - span * 0.08, max(0.0, float(np.nanmax(headroom))) + span * 0.2
            )
            ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_title("Smallest headroom over the years (year it occurs in brackets)")
        figure_legend(fig, [ax], below=True, ncols=3, fontsize=10)

    if rows.empty:
        finding = "No activity has a floor or cash limit"
    else:
        data = activities.assign(headroom_k=numbers(activities["headroom_k"]))
        breaches = data[data["status"].astype(str) != "within"]
        at_limit = data.loc[data["headroom_k"] < 0.5, "activity"].nunique()
        first = rows.iloc[0]
        limit = "its floor" if first["limit"] == "floor" else "its cash limit"
        if len(breaches):
            count = breaches["activity"].nunique()
            finding = (
                f"{count} activit{'y' if count == 1 else 'ies'} breach{'es' if count == 1 else ''} "
                f"the budget envelope; {first['activity']} is furthest outside {limit} "
                f"({money(-first['headroom_k'])} in {first['year']})"
            )
        elif at_limit:
            finding = (
                f"Every activity stays inside its envelope, but {at_limit} "
                f"{'has' if at_limit == 1 else 'have'} no headroom left in at least one year: "
                "spend sits exactly on the limit"
            )
        else:
            finding = (
                f"Every activity stays inside its envelope; {first['activity']} "
                f"{first.get('name', '')} is closest, {money(first['headroom_k'])} "
                f"from {limit} in {first['year']}"
            )
    set_finding(fig, finding)
    return fig
