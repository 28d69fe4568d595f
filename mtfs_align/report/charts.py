"""Cabinet charts: each function takes DESIGN 5 tables and returns a matplotlib Figure whose title
states the finding; `save_chart` writes it, `build_charts` draws whatever an output folder allows.

Charts never touch pyplot's global state: figures are `matplotlib.figure.Figure` objects drawn with
the Agg canvas, and styling is applied with `rc_context` while a figure is built, so it cannot leak.
Every series is told apart by hatching, markers or shade as well as colour, so a chart survives a
black-and-white printer; sizes suit a 16:9 slide.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from mtfs_align.report.text import money

SLIDE = (11.0, 6.2)  # inches: 16:9-ish, legible when projected
DPI = 150

# Colours that differ in lightness too (Okabe-Ito hues, dark to light), each with its own hatch.
COLOURS = ["#0b3c5d", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#7f7f7f", "#f0e442"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]
MARKERS = ["*", "D", "s", "^", "P", "X", "v", "o"]
GREYS = ["#f0f0f0", "#bdbdbd", "#969696", "#636363", "#d9d9d9", "#737373", "#525252", "#fafafa"]
RESERVES_COLOUR = "#bdbdbd"
UNIDENTIFIED_COLOUR = "#ffffff"

STYLE = {
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.titlelocation": "left",
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "hatch.linewidth": 0.8,
    "hatch.color": "#222222",
    "patch.edgecolor": "#222222",
    "patch.linewidth": 0.7,
    "font.family": "DejaVu Sans",
}

# Fixed hash salt and no date: two saves of the same figure give byte-identical SVG files.
SAVE_STYLE = {"svg.hashsalt": "mtfs_align", "svg.fonttype": "path"}

CHART_FILES = {
    "gap_closure": "How each year's gap closes",
    "priority_spend": "Spend by priority against need and the Cabinet's weights",
    "frontier": "Savings against outcome harm (frontier)",
    "delivery_risk": "Delivery risk",
    "headroom": "Activities nearest their floor or cash limit",
    "core_index": "Options' core index under uncertain weights",
    "savings_heatmap": "Savings by activity and year",
    "comparison": "Scenario comparison",
}


# --------------------------------------------------------------------------- helpers


def _figure(size: tuple[float, float] = SLIDE) -> Figure:
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _title(fig: Figure, finding: str) -> None:
    # About 7 characters an inch of bold 15-point text.
    width = int(fig.get_figwidth() * 7.2)
    fig.suptitle(textwrap.fill(finding, width), x=0.01, ha="left", fontsize=15, fontweight="bold")


def _pounds_m(ax, axis: str = "y", decimals: int = 0) -> None:
    formatter = FuncFormatter(lambda v, _pos: f"-£{abs(v):,.{decimals}f}m" if v < 0 else f"£{v:,.{decimals}f}m")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(str(text), width)


def _short(text: str, width: int) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _year_columns(frame: pd.DataFrame) -> list[str]:
    """The `<year>_k` columns of plan.csv / savings_summary.csv, in order."""
    return [c for c in frame.columns if c.endswith("_k") and "/" in c]


def _num(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


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


def _priority_rows(alignment: pd.DataFrame) -> pd.DataFrame:
    rows = alignment[alignment["level"] == "priority"].copy()
    for column in ("need_k", "spend_k", "share_of_aligned", "cabinet_weight"):
        if column in rows:
            rows[column] = pd.to_numeric(rows[column], errors="coerce")
    return rows


def _ordered(values: pd.Series) -> list[str]:
    return list(dict.fromkeys(values.astype(str)))


def _priority_label(pid: str, name: str, width: int = 30) -> str:
    return _wrap(f"{pid} {name}", width)


def _priority_savings(alignment: pd.DataFrame, years: list[str]) -> list[tuple[str, np.ndarray]]:
    """(legend label, savings by year in £m) of each priority: need − spend of its rows."""
    rows = _priority_rows(alignment)
    layers = []
    for pid in _ordered(rows["id"]):
        mine = rows[rows["id"].astype(str) == pid].set_index("year")
        level = (mine["need_k"] - mine["spend_k"]).reindex(years).fillna(0).to_numpy(float)
        layers.append((_priority_label(pid, mine["name"].iloc[0], 34), level / 1000))
    return layers


def percent(p: float) -> str:
    """A probability as a council paper would give it: `12%`, `under 1%`, `over 99%`."""
    if 0 < p < 0.005:
        return "under 1%"
    if 0.995 <= p < 1:
        return "over 99%"
    return f"{p:.0%}"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _years_phrase(chosen: list[str], years: list[str]) -> str:
    """`in every year`, `from 2024/25 to 2030/31` (a run of three or more) or `in 2021/22 and
    2023/24`."""
    if len(chosen) == len(years) > 1:
        return "in every year"
    positions = [years.index(y) for y in chosen]
    if len(chosen) >= 3 and positions == list(range(positions[0], positions[0] + len(chosen))):
        return f"from {chosen[0]} to {chosen[-1]}"
    return f"in {_list(chosen)}"


def _year_axis(ax, x: np.ndarray, years: list[str]) -> None:
    """Financial-year tick labels, turned when a long horizon would make them collide."""
    if len(years) > 6:
        ax.set_xticks(x, years, rotation=45, ha="right", rotation_mode="anchor", fontsize=10)
    else:
        ax.set_xticks(x, years)


# --------------------------------------------------------------------------- (a) gap closure


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
    gap = _num(budget["gap_k"]) / 1000
    savings = _num(budget["savings_k"]) / 1000
    one_off = _num(budget["one_off_k"]) / 1000 if "one_off_k" in budget else np.zeros(len(x))
    draw = _num(budget["reserves_draw_k"]) / 1000
    unidentified = _num(budget["unidentified_k"]) / 1000

    fig = _figure()
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
        _year_axis(ax, x, years)
        _pounds_m(ax)
        top = max(float(np.nanmax(bottoms[0])) if len(x) else 0, float(np.nanmax(gap + one_off)) if len(x) else 0)
        ax.set_ylim(min(0.0, float(np.nanmin(bottoms[1])) * 1.1 if len(x) else 0), top * 1.15 + 0.5)
        ax.set_title(_wrap(title, 90))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))

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
            finding += f"; savings still to be found {_years_phrase(short_years, years)} ({total} in all)"
    elif len(years) == 1:
        finding += f"; with reserves, {years[0]} balances"
    elif years:
        finding += "; with reserves, every year balances"
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (b) priority spend


def priority_spend_chart(alignment: pd.DataFrame) -> Figure:
    """Spend on each priority over the years against its need (left) and each priority's share
    of aligned spend against the Cabinet's weight (right), from the `priority` rows of
    alignment.csv."""
    rows = _priority_rows(alignment)
    priorities = _ordered(rows["id"])
    years = _ordered(rows["year"])
    names = {pid: rows.loc[rows["id"].astype(str) == pid, "name"].iloc[0] for pid in priorities}
    n_years = max(len(years), 1)
    width = 0.8 / n_years
    shades = [str(v) for v in np.linspace(0.85, 0.25, n_years)]
    year_hatches = ["", "..", "//", "xx", "\\\\", "++", "oo", "--", "||", "**"]
    x = np.arange(len(priorities))

    def value(pid: str, year: str, column: str) -> float:
        cell = rows.loc[(rows["id"].astype(str) == pid) & (rows["year"].astype(str) == year), column]
        return float(cell.iloc[0]) if len(cell) else math.nan

    fig = _figure()
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
        labels = ["\n".join([p, *textwrap.wrap(names[p], 13, max_lines=3, placeholder="…")]) for p in priorities]
        for ax in (left, right):
            ax.set_xticks(x, labels, fontsize=9)
        _pounds_m(left)
        right.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        left.set_title("Spend (bars) against need (black lines), £m")
        right.set_title("Share of aligned spend against the Cabinet's weight")
        left.legend(loc="upper right", ncols=2)
        right.legend(loc="upper right", ncols=1)
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
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (c) frontier


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

    fig = _figure()
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
        for i, (label, savings_k, point_harm) in enumerate(_marked_points(marked)):
            ax.plot(
                [savings_k / 1000],
                [point_harm],
                linestyle="none",
                marker=MARKERS[i % len(MARKERS)],
                markersize=15,
                markerfacecolor="white" if i % 2 else "black",
                markeredgecolor="black",
                markeredgewidth=1.5,
                label=label,
                gid=f"marked {label}",
                zorder=5,
            )
            ax.annotate(
                label.split(":")[0].split(" ")[0],
                (savings_k / 1000, point_harm),
                textcoords="offset points",
                xytext=(-10, 10),
                ha="right",
                fontsize=13,
                fontweight="bold",
            )
        _pounds_m(ax, "x")
        horizon = f" over {years[0]} to {years[-1]}" if years else " over the horizon"
        ax.set_xlabel(f"Savings{horizon}, £m")
        ax.set_ylabel("Outcome harm (weighted severity-years)")
        ax.set_title("Each point is the least-harm plan for a gap scaled by the factor shown")
        ax.legend(loc="upper left")

    average, top = frontier_slopes(data)
    if math.isnan(average):
        finding = "Savings against outcome harm"
    else:
        finding = f"Each extra £1m of savings costs {average:.2f} of outcome harm on average"
        if top > average * 1.1:
            finding += f", rising to {top:.2f} at the top of the range"
    _title(fig, finding)
    return fig


def confidence_frontier_chart(frontier: pd.DataFrame, years: list[str]) -> Figure:
    """Outcome harm, and the savings still to be found in a bad year of the first and last years,
    against the confidence planned for (the confidence frontier of DESIGN 4.6)."""
    data = frontier.sort_values("scale", kind="stable")
    confidence = data["scale"].to_numpy(float) * 100
    harm = data["harm"].to_numpy(float)
    fig = _figure()
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
        _pounds_m(right, "y", 1)
        right.set_xlabel("Confidence planned for (% of futures)")
        right.set_ylabel("Still to find in a bad year, £m")
        right.set_title("Savings still to be found in a bad year")
        right.legend(loc="best")
    d_harm = harm[-1] - harm[0]
    finding = f"Planning for {confidence[-1]:.0f}% of futures rather than {confidence[0]:.0f}% " + (
        f"adds {d_harm:.2f} of outcome harm" if d_harm >= 0.005 else "costs no extra outcome harm"
    )
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (d) delivery risk


def risk_fan_chart(risk: pd.DataFrame) -> Figure:
    """Unidentified savings after reserves when delivery is uncertain (P5-P95 band, median, mean)
    and the probability that each year balances, from risk.csv."""
    years = risk["year"].astype(str).tolist()
    x = np.arange(len(years))
    p5, p50, p95 = (_num(risk[c]) / 1000 for c in ("p5_k", "p50_k", "p95_k"))
    mean = _num(risk["expected_unidentified_k"]) / 1000
    balanced = _num(risk["p_balanced"])

    fig = _figure()
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
        _year_axis(fan, x, years)
        _pounds_m(fan, decimals=1 if np.nanmax(np.r_[p95, 0.1]) < 5 else 0)
        fan.set_ylim(
            bottom=min(0.0, float(np.nanmin(np.r_[p5, 0]))), top=max(float(np.nanmax(np.r_[p95, 0])) * 1.2, 1.0)
        )
        fan.set_title("Savings still to be found after reserves, £m")
        fan.legend(loc="upper left")
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
        _year_axis(prob, x, years)
        prob.set_ylim(0, 112)
        prob.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        prob.set_title("Chance that each year balances")

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
                f"{percent(balanced[worst])} of draws, with a 1-in-20 chance of "
                f"{money(p95[worst] * 1000)} or more still to find"
            )
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (e) headroom


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


def _money_axis(ax, axis: str = "x") -> None:
    """£ ticks that stay readable from £k to £m (headroom can be a few £k)."""
    formatter = FuncFormatter(lambda v, _pos: money(v * 1000))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


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
    fig = _figure()
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
        labels = [
            f"{a} {_short(n, 38)} ({yr})"
            for a, n, yr in zip(rows["activity"], rows.get("name", rows["activity"]), rows["year"], strict=True)
        ]
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
        _money_axis(ax, "x")
        if len(headroom):
            span = max(float(np.nanmax(np.abs(headroom))), 0.5)
            ax.set_xlim(
                min(0.0, float(np.nanmin(headroom))) - span * 0.08, max(0.0, float(np.nanmax(headroom))) + span * 0.2
            )
            ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_title("Smallest headroom over the years (year it occurs in brackets)")
        ax.legend(loc="lower right", frameon=True, framealpha=0.95)

    if rows.empty:
        finding = "No activity has a floor or cash limit"
    else:
        data = activities.assign(headroom_k=_num(activities["headroom_k"]))
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
                f"{_short(first.get('name', ''), 45)} is closest, {money(first['headroom_k'])} "
                f"from {limit} in {first['year']}"
            )
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (f) core index


CLASS_STYLE = {
    "core": dict(color="#08519c", hatch="", label="Core (adopted in ≥ 95% of weightings)"),
    "borderline": dict(color="#9ecae1", hatch="//", label="Borderline"),
    "exterior": dict(color="#f0f0f0", hatch="..", label="Exterior (≤ 5%)"),
}


def core_index_chart(core_index: pd.DataFrame, limit: int = 30) -> Figure:
    """Each option's core index (share of sampled priority weightings under which the least-harm
    plan adopts it), from core_index.csv. With many options, those never adopted are left out."""
    data = core_index.copy()
    data["core_index"] = pd.to_numeric(data["core_index"], errors="coerce")
    data = data.sort_values(["core_index", "option"], ascending=[False, True])
    hidden = 0
    if len(data) > limit:
        keep = data[data["core_index"] > 0]
        hidden = len(data) - len(keep)
        data = keep
    if len(data) > limit:
        hidden += len(data) - limit
        data = data.head(limit)
    height = max(SLIDE[1], 0.24 * len(data) + 1.8)
    fig = _figure((SLIDE[0], height))
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        y = np.arange(len(data))[::-1]
        value = data["core_index"].to_numpy(float) * 100
        classes = data["class"].astype(str).to_numpy()
        for cls, style in CLASS_STYLE.items():
            mask = classes == cls
            if mask.any():
                ax.barh(y[mask], value[mask], 0.7, **style)
        labels = [f"{o} {_short(n, 46)}" for o, n in zip(data["option"], data["name"], strict=True)]
        ax.set_yticks(y, labels, fontsize=9 if len(data) > 20 else 10.5)
        for threshold in (5, 95):
            ax.axvline(threshold, color="black", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        note = f"; {hidden} options rarely or never adopted are not shown" if hidden else ""
        ax.set_title(_wrap(f"Share of sampled priority weightings that adopt each option{note}", 80))
        ax.legend(loc="lower right", framealpha=0.9, frameon=True)

    classes_all = core_index["class"].astype(str)
    n_core = int((classes_all == "core").sum())
    n_border = int((classes_all == "borderline").sum())
    finding = (
        f"{n_core} option{'s are' if n_core != 1 else ' is'} core whatever the exact weights; "
        f"{n_border} {'are' if n_border != 1 else 'is'} borderline and depend on the Cabinet's "
        "priorities"
    )
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (g) heat map


def savings_by_activity(plan: pd.DataFrame) -> pd.DataFrame:
    """plan.csv's `<year>_k` savings summed by activity (rows) and year (columns), in £k."""
    columns = _year_columns(plan)
    values = plan[["activity", *columns]].copy()
    for column in columns:
        values[column] = pd.to_numeric(values[column], errors="coerce").fillna(0.0)
    table = values.groupby("activity", sort=False)[columns].sum()
    table.columns = [c[:-2] for c in columns]
    return table


def savings_heatmap(plan: pd.DataFrame, names: Mapping[str, str] | None = None, limit: int = 15) -> Figure:
    """Nominal savings by activity and year from plan.csv, largest first (with many activities the
    smallest are summed into one row)."""
    table = savings_by_activity(plan)
    if len(table):
        table = table.loc[table.iloc[:, -1].sort_values(ascending=False, kind="stable").index]
    if len(table) > limit:
        rest = table.iloc[limit - 1 :]
        table = pd.concat(
            [table.iloc[: limit - 1], pd.DataFrame([rest.sum()], index=[f"Other {len(rest)} activities"])]
        )
    names = dict(names or {})
    values = table.to_numpy(float) / 1000
    height = max(SLIDE[1], 0.34 * len(table) + 1.8)
    fig = _figure((SLIDE[0], height))
    with matplotlib.rc_context(STYLE):
        ax = fig.add_subplot()
        ax.grid(False)
        vmax = float(np.nanmax(np.abs(values))) if values.size else 1.0
        image = ax.imshow(
            values, cmap="Greys", aspect="auto", vmin=min(0.0, float(np.nanmin(values, initial=0))), vmax=vmax or 1.0
        )
        image.set_gid("heatmap")
        for (i, j), v in np.ndenumerate(values):
            shade = (v - image.norm.vmin) / ((image.norm.vmax - image.norm.vmin) or 1)
            ax.text(
                j,
                i,
                f"{v:,.1f}" if abs(v) >= 0.05 else "–",
                ha="center",
                va="center",
                fontsize=10,
                color="white" if shade > 0.55 else "black",
            )
        ax.set_xticks(np.arange(table.shape[1]), list(table.columns))
        ax.xaxis.tick_top()
        ax.set_yticks(
            np.arange(len(table)), [f"{a} {_short(names.get(a, ''), 44)}".strip() for a in table.index], fontsize=10
        )
        for spine in ax.spines.values():
            spine.set_visible(False)
        colourbar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.01)
        colourbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:,.0f}m"))
        ax.set_title("Savings a year in £m (level reached each year, nominal)", pad=28)

    if not len(table):
        finding = "No savings adopted"
    else:
        last = table.columns[-1]
        total = table[last].sum()
        top3 = table[last].head(3).sum()
        finding = (
            f"Three activities give {top3 / total:.0%} of the {money(total)} saved in {last}"
            if total > 0.5 and len(table) > 3
            else f"{money(total)} saved in {last}"
        )
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- (h) comparison


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
    scenarios = _ordered(data["scenario"])
    years = _ordered(data["year"])
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
    fig = _figure()
    with matplotlib.rc_context(STYLE):
        money_ax, harm_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
        for i, scenario in enumerate(scenarios):
            offset = (i - (n - 1) / 2) * width
            savings = np.array([cell(scenario, y, "savings_k") for y in years]) / 1000
            draw = np.array([cell(scenario, y, "reserves_draw_k") for y in years]) / 1000
            unidentified = np.array([cell(scenario, y, "unidentified_k") for y in years]) / 1000
            gap = np.array([cell(scenario, y, "gap_k") for y in years]) / 1000
            style = dict(color=COLOURS[i % len(COLOURS)], hatch=HATCHES[i % len(HATCHES)])
            money_ax.bar(x + offset, savings, width, label=_wrap(scenario, 26), **style)
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
        _year_axis(money_ax, x, years)
        _pounds_m(money_ax)
        money_ax.set_title("Savings, reserves and unidentified savings against the gap (black), £m")
        money_ax.legend(loc="upper left", fontsize=9.5)

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
        harm_ax.set_yticks(y, [_wrap(s, 18) for s in scenarios], fontsize=10)
        harm_ax.grid(True, axis="x")
        harm_ax.grid(False, axis="y")
        harm_ax.set_title("Outcome harm by priority over the horizon")
        harm_ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.07), fontsize=10, ncols=min(len(harm_columns), 4) or 1
        )
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
    _title(fig, finding)
    return fig


# --------------------------------------------------------------------------- saving


def save_chart(fig: Figure, folder_path: Path, name: str) -> list[Path]:
    """Write `charts/<name>.png` and `charts/<name>.svg` under the output folder; reruns give
    byte-identical files (fixed SVG hash salt, no dates in the metadata)."""
    folder = Path(folder_path) / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    with matplotlib.rc_context(SAVE_STYLE):
        fig.savefig(png, format="png", dpi=DPI, metadata={"Software": None})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return [png, svg]


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return frame.replace("", np.nan)


def proposal_points(proposal: pd.DataFrame | None) -> pd.DataFrame | None:
    """proposal.csv (`plan, label, savings_k, harm, unidentified_k`) as labelled frontier points."""
    if proposal is None or proposal.empty:
        return None
    rows = proposal.copy()
    rows["label"] = [
        f"{p}: {_short(label, 40)}" if isinstance(label, str) and label else str(p)
        for p, label in zip(rows["plan"], rows.get("label", rows["plan"]), strict=True)
    ]
    return rows[["label", "savings_k", "harm"]]


def _frontier_varies(folder: Path) -> str | None:
    """What the folder's frontier varies, from its manifest (None when it has none)."""
    import json

    try:
        data = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    frontier = data.get("frontier") if isinstance(data, dict) else None
    return frontier.get("vary") if isinstance(frontier, dict) else None


def build_charts(folder: Path) -> list[str]:
    """Draw every chart the CSVs of an output folder allow and save them under `charts/`;
    returns the names written (e.g. ["gap_closure", "priority_spend", ...])."""
    folder = Path(folder)
    tables = {
        name: _read(folder, f"{name}.csv")
        for name in (
            "budget",
            "alignment",
            "frontier",
            "proposal",
            "risk",
            "activities",
            "core_index",
            "plan",
            "compare",
        )
    }
    years = tables["budget"]["year"].astype(str).tolist() if tables["budget"] is not None else None
    names = {}
    if tables["activities"] is not None and "name" in tables["activities"]:
        names = dict(zip(tables["activities"]["activity"], tables["activities"]["name"], strict=True))
    plans: list[tuple[str, Callable[[], Figure]]] = []
    if tables["budget"] is not None:
        plans.append(("gap_closure", lambda: gap_closure_chart(tables["budget"], tables["alignment"])))
    if tables["alignment"] is not None and (tables["alignment"]["level"] == "priority").any():
        plans.append(("priority_spend", lambda: priority_spend_chart(tables["alignment"])))
    confidence_frontier = _frontier_varies(folder) == "confidence"
    if tables["frontier"] is not None and len(tables["frontier"]) and confidence_frontier:
        plans.append(("frontier", lambda: confidence_frontier_chart(tables["frontier"], years)))
    elif tables["frontier"] is not None and len(tables["frontier"]):
        plans.append(
            ("frontier", lambda: frontier_chart(tables["frontier"], proposal_points(tables["proposal"]), years))
        )
    if tables["risk"] is not None and len(tables["risk"]):
        plans.append(("delivery_risk", lambda: risk_fan_chart(tables["risk"])))
    if tables["activities"] is not None and len(tables["activities"]):
        plans.append(("headroom", lambda: headroom_chart(tables["activities"])))
    if tables["core_index"] is not None and len(tables["core_index"]):
        plans.append(("core_index", lambda: core_index_chart(tables["core_index"])))
    if tables["plan"] is not None and len(tables["plan"]):
        plans.append(("savings_heatmap", lambda: savings_heatmap(tables["plan"], names)))
    if tables["compare"] is not None and len(tables["compare"]):
        plans.append(("comparison", lambda: comparison_chart(tables["compare"])))
    written = []
    for name, draw in plans:
        save_chart(draw(), folder, name)
        written.append(name)
    return written


__all__ = [
    "CHART_FILES",
    "build_charts",
    "comparison_chart",
    "confidence_frontier_chart",
    "core_index_chart",
    "frontier_chart",
    "frontier_slopes",
    "gap_closure_chart",
    "percent",
    "headroom_chart",
    "priority_spend_chart",
    "risk_fan_chart",
    "save_chart",
    "savings_by_activity",
    "savings_heatmap",
    "tightest_activities",
]
