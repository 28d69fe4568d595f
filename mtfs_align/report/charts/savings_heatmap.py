"""Chart (g): savings by activity and year, from plan.csv."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mtfs_align.report.charts.inputs import year_columns
from mtfs_align.report.charts.style import SLIDE, STYLE, name_label, new_figure, rows_height, set_finding
from mtfs_align.wording import money


def savings_by_activity(plan: pd.DataFrame) -> pd.DataFrame:
    """plan.csv's `<year>_k` savings summed by activity (rows) and year (columns), in £k."""
    columns = year_columns(plan)
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
    labels = [name_label(a, names.get(a, "")) for a in table.index]
    fig = new_figure((SLIDE[0], max(rows_height(labels, extra=2.2), 0.34 * len(table) + 1.8)))
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
        ax.set_yticks(np.arange(len(table)), labels, fontsize=10)
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
    set_finding(fig, finding)
    return fig
