"""Chart (f): each option's core index under uncertain priority weights, from core_index.csv."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from mtfs_align.report.charts.style import SLIDE, STYLE, new_figure, set_finding, shorten, wrap

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
    fig = new_figure((SLIDE[0], height))
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
        labels = [f"{o} {shorten(n, 46)}" for o, n in zip(data["option"], data["name"], strict=True)]
        ax.set_yticks(y, labels, fontsize=9 if len(data) > 20 else 10.5)
        for threshold in (5, 95):
            ax.axvline(threshold, color="black", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        note = f"; {hidden} options rarely or never adopted are not shown" if hidden else ""
        ax.set_title(wrap(f"Share of sampled priority weightings that adopt each option{note}", 80))
        ax.legend(loc="lower right", framealpha=0.9, frameon=True)

    classes_all = core_index["class"].astype(str)
    n_core = int((classes_all == "core").sum())
    n_border = int((classes_all == "borderline").sum())
    finding = (
        f"{n_core} option{'s are' if n_core != 1 else ' is'} core whatever the exact weights; "
        f"{n_border} {'are' if n_border != 1 else 'is'} borderline and depend on the Cabinet's "
        "priorities"
    )
    set_finding(fig, finding)
    return fig
