"""Chart (c): savings against outcome harm along the frontier, from frontier.csv (with the
proposal's P, B and C marked); `frontier_slopes` is the harm an extra £1m of savings costs."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib
import numpy as np
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
    set_note,
    wrap,
)
from mtfs_align.report.sentences.frontier import frontier_finding
from mtfs_align.wording import and_list


def _marked_points(marked: pd.DataFrame | Mapping | None) -> list[tuple[str, float, float]]:
    """Labelled points as (label, savings_k, harm) from a DataFrame (label or plan column) or a
    dict {label: {"savings_k": .., "harm": ..}} / {label: (savings_k, harm)}."""
    if marked is None:
        return []
    points = []
    if isinstance(marked, pd.DataFrame):
        label_column = "label" if "label" in marked else ("plan" if "plan" in marked else marked.columns[0])
        for _, row in marked.iterrows():
            points.append((str(row[label_column]), float(row["savings_k"]), float(row["harm"])))
        return points
    for label, value in marked.items():
        if isinstance(value, Mapping):
            points.append((str(label), float(value["savings_k"]), float(value["harm"])))
        else:
            savings_k, harm = value
            points.append((str(label), float(savings_k), float(harm)))
    return points


def _frontier_order(frontier: pd.DataFrame) -> pd.DataFrame:
    """Frontier points as numbers, in the order of the scale factor (the order they were
    computed in; savings need not rise with it once the gap can no longer be closed)."""
    data = frontier.copy()
    for column in ("scale", "savings_k", "harm", "unidentified_k"):
        if column in data:
            data[column] = pd.to_numeric(data[column], errors="coerce")
    key = "scale" if "scale" in data else "savings_k"
    return data.sort_values(key, kind="stable").reset_index(drop=True)


def frontier_slopes(frontier: pd.DataFrame) -> tuple[float, float]:
    """Harm per extra £1m of savings along the frontier: on average, and on its last segment.

    Only the points that close the gap are used when there are two or more (beyond them the
    plans leave savings unidentified and are no longer a trade-off between savings and harm)."""
    data = _frontier_order(frontier)
    if "unidentified_k" in data and (data["unidentified_k"] < 0.5).sum() >= 2:
        data = data[data["unidentified_k"] < 0.5]
    data = data.drop_duplicates(["savings_k", "harm"])
    savings_m = data["savings_k"].to_numpy(float) / 1000
    harm = data["harm"].to_numpy(float)
    if len(data) < 2 or savings_m[-1] - savings_m[0] <= 1e-9:
        return math.nan, math.nan
    average = (harm[-1] - harm[0]) / (savings_m[-1] - savings_m[0])
    step = savings_m[-1] - savings_m[-2]
    top = (harm[-1] - harm[-2]) / step if step > 1e-9 else math.nan
    return float(average), float(top)


def _plan_key(label: str) -> str:
    """`B` of `B: Least harm with at least the proposal's savings every year`."""
    return label.split(":")[0].split(" ")[0]


def _on_line(data: pd.DataFrame, savings_k: float, harm: float) -> bool:
    """Whether a marked plan is one of the frontier's points (the same savings and harm)."""
    same = np.isclose(data["savings_k"].to_numpy(float), savings_k, rtol=0, atol=0.5) & np.isclose(
        data["harm"].to_numpy(float), harm, rtol=1e-6, atol=0.005
    )
    return bool(same.any())


def alternatives_note(data: pd.DataFrame, points: list[tuple[str, float, float]]) -> str:
    """Under the chart, when the proposal's alternatives (B, C: every marked plan but P) sit off
    the line: what they are, and why they are not on it."""
    off = [(label, s, h) for label, s, h in points if _plan_key(label) != "P" and not _on_line(data, s, h)]
    if not off:
        return ""
    described = []
    for label, _s, _h in off:
        key, _, words = label.partition(":")
        words = words.strip()
        described.append(f"{key.strip()} ({words[0].lower() + words[1:]})" if words else key.strip())
    keys = and_list([_plan_key(label) for label, _s, _h in off])
    one = len(off) == 1
    return (
        f"{and_list(described)} {'is one of' if one else 'are'} the proposal's alternatives, "
        f"drawn at {'its' if one else 'their'} own savings and harm. Each point of the line is instead the "
        f"least-harm plan that closes a gap scaled by the factor shown, which is why {keys} "
        f"{'is' if one else 'are'} not on the line."
    )


def _scale_labels(data: pd.DataFrame) -> list[tuple[float, float, str]]:
    """One label per distinct point: `×0.9`, or `×1.1–1.5` where several scales give the same plan."""
    labels: list[tuple[float, float, str]] = []
    groups: list[list] = []
    for _, row in data.iterrows():
        point = (round(row["savings_k"], 3), round(row["harm"], 9))
        if groups and groups[-1][0] == point:
            groups[-1][1].append(row["scale"])
        else:
            groups.append([point, [row["scale"]]])
    for (savings_k, harm), scales in groups:
        text = f"×{scales[0]:g}" if len(scales) == 1 else f"×{scales[0]:g}–{scales[-1]:g}"
        labels.append((savings_k / 1000, harm, text))
    return labels


def frontier_chart(
    frontier: pd.DataFrame, marked: pd.DataFrame | Mapping | None = None, years: list[str] | None = None
) -> Figure:
    """Savings over the horizon (£m) against outcome harm for each frontier point; the point at
    scale 1 is this scenario; `marked` adds labelled points such as the proposal P and its
    alternatives B and C (each with `savings_k` summed over the horizon and `harm`)."""
    data = _frontier_order(frontier)
    savings = data["savings_k"].to_numpy(float) / 1000
    harm = data["harm"].to_numpy(float)

    fig = new_figure()
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        ax.grid(True, axis="both")
        ax.plot(
            savings,
            harm,
            color=COLOURS[0],
            marker="o",
            markersize=7,
            linewidth=2,
            label="Least-harm plan at each gap (frontier)",
            gid="frontier",
        )
        if "unidentified_k" in data:
            short = data["unidentified_k"].to_numpy(float) >= 0.5
            if short.any():
                ax.plot(
                    savings[short],
                    harm[short],
                    linestyle="none",
                    marker="o",
                    markersize=13,
                    markerfacecolor="none",
                    markeredgecolor="black",
                    markeredgewidth=1.5,
                    label="Leaves savings unidentified",
                    gid="short",
                )
        if "scale" in data:
            for s, h, text in _scale_labels(data):
                ax.annotate(text, (s, h), textcoords="offset points", xytext=(6, -14), fontsize=9, color="#444444")
            here = data[np.isclose(data["scale"].to_numpy(float), 1.0)]
            if len(here):
                ax.plot(
                    here["savings_k"].to_numpy(float) / 1000,
                    here["harm"].to_numpy(float),
                    linestyle="none",
                    marker="o",
                    markersize=14,
                    markerfacecolor="#ffd54f",
                    markeredgecolor="black",
                    markeredgewidth=1.5,
                    label="This scenario (gap ×1)",
                    gid="this_scenario",
                    zorder=4,
                )
        points = _marked_points(marked)
        for i, (label, savings_k, point_harm) in enumerate(points):
            ax.plot(
                [savings_k / 1000],
                [point_harm],
                linestyle="none",
                marker=MARKERS[i % len(MARKERS)],
                markersize=15,
                markerfacecolor="white" if i % 2 else "black",
                markeredgecolor="black",
                markeredgewidth=1.5,
                label=wrap(label, 34),
                gid=f"marked {label}",
                zorder=5,
            )
            ax.annotate(
                _plan_key(label),
                (savings_k / 1000, point_harm),
                textcoords="offset points",
                xytext=(-10, 10),
                ha="right",
                fontsize=13,
                fontweight="bold",
            )
        pounds_m_axis(ax, "x")
        horizon = f" over {years[0]} to {years[-1]}" if years else " over the horizon"
        ax.set_xlabel(f"Savings{horizon}, £m")
        ax.set_ylabel("Outcome harm (weighted severity-years)")
        ax.set_title("Each point is the least-harm plan for a gap scaled by the factor shown")
        legend_beside(ax, fontsize=10)
    note = alternatives_note(data, points)
    if note:
        set_note(fig, note)

    average, top = frontier_slopes(data)
    set_finding(fig, frontier_finding(average, top))
    return fig
