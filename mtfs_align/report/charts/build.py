"""`build_charts`: every chart a results object's tables allow, as figures (`draw_charts` from
the tables themselves); `style.chart_files` turns a figure into the files under `charts/`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
from matplotlib.figure import Figure

from mtfs_align.report.charts.comparison import comparison_chart
from mtfs_align.report.charts.confidence_frontier import confidence_frontier_chart
from mtfs_align.report.charts.core_index import core_index_chart
from mtfs_align.report.charts.delivery_risk import risk_fan_chart
from mtfs_align.report.charts.frontier import frontier_chart
from mtfs_align.report.charts.gap_closure import gap_closure_chart
from mtfs_align.report.charts.headroom import headroom_chart
from mtfs_align.report.charts.priority_spend import priority_spend_chart
from mtfs_align.report.charts.savings_heatmap import savings_heatmap


def proposal_points(proposal: pd.DataFrame | None) -> pd.DataFrame | None:
    """proposal.csv (`plan, label, savings_k, harm, unidentified_k`) as labelled frontier points."""
    if proposal is None or proposal.empty:
        return None
    rows = proposal.copy()
    rows["label"] = [
        f"{p}: {label}" if isinstance(label, str) and label else str(p)
        for p, label in zip(rows["plan"], rows.get("label", rows["plan"]), strict=True)
    ]
    return rows[["label", "savings_k", "harm"]]


CHART_TABLES = ("budget", "alignment", "frontier", "proposal", "risk", "activities", "core_index", "plan", "compare")


def build_charts(results) -> dict[str, Figure]:
    """Every chart a results object (mtfs_align.results.RunResults) allows, as figures by chart
    name: the tables are the results', and the frontier's kind is the manifest's."""
    frontier = results.manifest.get("frontier")
    vary = frontier.get("vary") if isinstance(frontier, dict) else None
    return draw_charts({name: results.table(name) for name in CHART_TABLES}, vary)


def draw_charts(tables: Mapping[str, pd.DataFrame | None], frontier_varies: str | None = None) -> dict[str, Figure]:
    """Every chart the tables allow (DESIGN 5 tables by file name; a missing or empty one is None),
    as figures by chart name: `charts/` and the briefing are made from the same figures."""
    tables = {name: tables.get(name) for name in CHART_TABLES}
    tables = {name: frame if frame is not None and len(frame) else None for name, frame in tables.items()}
    years = tables["budget"]["year"].astype(str).tolist() if tables["budget"] is not None else None
    names = {}
    if tables["activities"] is not None and "name" in tables["activities"]:
        names = dict(zip(tables["activities"]["activity"], tables["activities"]["name"], strict=True))
    plans: list[tuple[str, Callable[[], Figure]]] = []
    if tables["budget"] is not None:
        plans.append(("gap_closure", lambda: gap_closure_chart(tables["budget"], tables["alignment"])))
    if tables["alignment"] is not None and (tables["alignment"]["level"] == "priority").any():
        plans.append(("priority_spend", lambda: priority_spend_chart(tables["alignment"])))
    confidence_frontier = frontier_varies == "confidence"
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
    return {name: draw() for name, draw in plans}
