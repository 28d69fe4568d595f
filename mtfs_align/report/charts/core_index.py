"""Chart (f): each option's core index under uncertain priority weights, from core_index.csv."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from mtfs_align.report.charts.style import STYLE, figure_legend, name_label, new_figure, rows_height, set_finding, wrap
from mtfs_align.wording import and_list

CLASS_STYLE = {
    "borderline": dict(color="#9ecae1", hatch="//", label="Borderline: depends on the weights"),
    "core": dict(color="#08519c", hatch="", label="Core (adopted in ≥ 95% of weightings)"),
    "exterior": dict(color="#f0f0f0", hatch="..", label="Exterior (≤ 5%)"),
}
CLASS_ORDER = {name: rank for rank, name in enumerate(CLASS_STYLE)}
NAMED = 3  # borderline options the title names by id


def chart_rows(core_index: pd.DataFrame, limit: int = 24) -> tuple[pd.DataFrame, int]:
    """The options the chart shows, top to bottom, and how many it leaves out: every borderline
    option first (the ones for Cabinet to debate, most often adopted first), then core and
    exterior options by core index while there is room for `limit` rows."""
    data = core_index.copy()
    data["core_index"] = pd.to_numeric(data["core_index"], errors="coerce")
    data["rank"] = data["class"].astype(str).map(CLASS_ORDER).fillna(len(CLASS_ORDER))
    data = data.sort_values(["rank", "core_index", "option"], ascending=[True, False, True], kind="stable")
    borderline = data[data["class"].astype(str) == "borderline"]
    others = data[data["class"].astype(str) != "borderline"]
    room = max(limit - len(borderline), 0)
    others = others.head(room)  # core, then exterior by core index: the never adopted go first
    shown = pd.concat([borderline, others]).drop(columns="rank")
    return shown.reset_index(drop=True), len(data) - len(shown)


def core_index_finding(core_index: pd.DataFrame) -> str:
    """The title: how many options are core, how many borderline, and which (by id)."""
    classes = core_index["class"].astype(str)
    n_core = int((classes == "core").sum())
    borderline = chart_rows(core_index, limit=0)[0]
    n_border = len(borderline)
    finding = f"{n_core} option{'s are' if n_core != 1 else ' is'} core whatever the exact weights; "
    if not n_border:
        return finding + "none is borderline: the choice does not hang on the Cabinet's exact priorities"
    ids = borderline["option"].astype(str).tolist()
    named = and_list(ids) if n_border <= NAMED else f"{', '.join(ids[:NAMED])} and {n_border - NAMED} more"
    verb = "depends" if n_border == 1 else "depend"
    be = "is" if n_border == 1 else "are"
    return finding + f"{n_border} {be} borderline ({named}) and {verb} on the Cabinet's priorities"


def core_index_chart(core_index: pd.DataFrame, limit: int = 24) -> Figure:
    """Each option's core index (share of sampled priority weightings under which the least-harm
    plan adopts it), from core_index.csv: every borderline option first, then as many core and
    exterior options as `limit` rows allow (the title says how many are left out)."""
    data, hidden = chart_rows(core_index, limit)
    labels = [name_label(o, n) for o, n in zip(data["option"], data["name"], strict=True)]
    fig = new_figure((11.0, rows_height(labels, extra=2.8)))
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
        ax.set_yticks(y, labels, fontsize=10)
        ax.set_ylim(-0.6, len(data) - 0.4)
        for threshold in (5, 95):
            ax.axvline(threshold, color="black", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        note = f"; {hidden} other options, core or rarely adopted, are not shown" if hidden else ""
        ax.set_title(wrap(f"Share of sampled priority weightings that adopt each option, borderline first{note}", 80))
        figure_legend(fig, [ax], below=True, ncols=3, fontsize=10)
    set_finding(fig, core_index_finding(core_index))
    return fig
