"""The charts' shared styling in one place: slide size, colours, hatches and markers, matplotlib
rcParams, the finding title, the £ and year axes, names wrapped (never cut), legends outside the
data, a key or note under the chart, and `save_chart`.

Charts never touch pyplot's global state: figures are `matplotlib.figure.Figure` objects drawn with
the Agg canvas, and styling is applied with `rc_context` while a figure is built, so it cannot leak.
Every series is told apart by hatching, markers or shade as well as colour, so a chart survives a
black-and-white printer; sizes suit a 16:9 slide.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mtfs_align.wording import money

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

# Fixed hash salt and no date: two saves of the same figure give byte-identical SVG files; words
# stay text (searchable, read by screen readers, sharp at any zoom).
SAVE_STYLE = {"svg.hashsalt": "mtfs_align", "svg.fonttype": "none"}

LABEL_WIDTH = 50  # characters of a tick label's line: about a third of a slide at 10 points
LINE_HEIGHT = 0.17  # inches a line of a 10-point tick label takes

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


def new_figure(size: tuple[float, float] = SLIDE) -> Figure:
    """A slide-sized figure on its own Agg canvas (never pyplot's)."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def set_finding(fig: Figure, finding: str) -> None:
    """The chart's title: its finding in a sentence, wrapped to the figure's width."""
    # About 7 characters an inch of bold 15-point text.
    width = int(fig.get_figwidth() * 7.2)
    fig.suptitle(textwrap.fill(finding, width), x=0.01, ha="left", fontsize=15, fontweight="bold")
    fig.set_label(finding)  # unwrapped, for the briefing's text and alternative text


def chart_finding(fig: Figure) -> str:
    """The finding a chart's title states, as one sentence (set by `set_finding`)."""
    return fig.get_label()


def pounds_m_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Ticks in £m (`£12m`, `-£3m`)."""
    formatter = FuncFormatter(lambda v, _pos: f"-£{abs(v):,.{decimals}f}m" if v < 0 else f"£{v:,.{decimals}f}m")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def wrap(text: str, width: int) -> str:
    return textwrap.fill(str(text), width)


def name_label(*parts: object, width: int = LABEL_WIDTH) -> str:
    """An option's or activity's label (`S01 Review in-house day services (2022/23)`), wrapped to
    lines of `width` characters and never cut short."""
    return textwrap.fill(" ".join(str(p) for p in parts if p is not None and str(p) != ""), width)


def rows_height(labels: list[str], extra: float = 2.4) -> float:
    """A figure height (inches) that gives every line of the row labels its room: the slide's
    height at least."""
    lines = sum(max(1, label.count("\n") + 1) for label in labels)
    return max(SLIDE[1], LINE_HEIGHT * lines + 0.1 * len(labels) + extra)


def legend_beside(ax, **options):
    """The axes' legend outside it, to the right, so that it never covers the data."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **options)


def figure_legend(fig: Figure, axes, below: bool = False, ncols: int = 1, **options):
    """One legend for the chart's panels, outside them (to the right, or under them with `below`)
    so that it never covers the data: each label once."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if below:
        return fig.legend(handles, labels, loc="outside lower center", ncols=ncols, **options)
    # Beside the last panel, under the title (a figure legend on the right would reach up into it).
    last = list(axes)[-1]
    return last.legend(
        handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, ncols=ncols, **options
    )


def set_note(fig: Figure, text: str) -> None:
    """A key or note under the chart (what ids stand for, why points sit where they do), wrapped
    to the figure's width; the layout keeps room for it."""
    width = int(fig.get_figwidth() * 13)  # about 13 characters an inch at 10.5 points
    fig.supxlabel(textwrap.fill(text, width), x=0.01, ha="left", fontsize=10.5)


def year_axis(ax, x: np.ndarray, years: list[str]) -> None:
    """Financial-year tick labels, turned when a long horizon would make them collide."""
    if len(years) > 6:
        ax.set_xticks(x, years, rotation=45, ha="right", rotation_mode="anchor", fontsize=10)
    else:
        ax.set_xticks(x, years)


def money_axis(ax, axis: str = "x") -> None:
    """£ ticks that stay readable from £k to £m (headroom can be a few £k)."""
    formatter = FuncFormatter(lambda v, _pos: money(v * 1000))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def svg_markup(fig: Figure) -> str:
    """The figure as SVG text that keeps its words as text (for a web page: searchable, read by
    screen readers, sharp at any zoom), the same bytes for the same figure."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SAVE_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def chart_files(fig: Figure, name: str) -> dict[str, bytes]:
    """`charts/<name>.png` and `charts/<name>.svg` as the bytes of the files; the same figure
    always gives the same bytes (fixed SVG hash salt, no dates in the metadata)."""
    files = {}
    with matplotlib.rc_context(SAVE_STYLE):
        for kind, options in (
            ("png", {"dpi": DPI, "metadata": {"Software": None}}),
            ("svg", {"metadata": {"Date": None, "Creator": None}}),
        ):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=kind, **options)
            files[f"charts/{name}.{kind}"] = buffer.getvalue()
    return files


def save_chart(fig: Figure, folder_path: Path, name: str) -> list[Path]:
    """Write `charts/<name>.png` and `charts/<name>.svg` under `folder_path` (chart_files)."""
    written = []
    for relative, data in chart_files(fig, name).items():
        path = Path(folder_path) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
