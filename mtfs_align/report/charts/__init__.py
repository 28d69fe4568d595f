"""Cabinet charts, one a module: each chart function takes DESIGN 5 tables and returns a matplotlib
Figure whose title states the finding; `chart_files` gives its PNG and SVG bytes, `build_charts`
draws whatever a results object (mtfs_align.results) allows. Shared styling (sizes, colours,
rcParams, title and axis helpers, saving) lives in `style`.

| chart (file under charts/) | module            | function                    |
|----------------------------|-------------------|-----------------------------|
| gap_closure                | gap_closure       | `gap_closure_chart`         |
| priority_spend             | priority_spend    | `priority_spend_chart`      |
| frontier                   | frontier          | `frontier_chart`            |
| frontier (confidence)      | confidence_frontier | `confidence_frontier_chart` |
| delivery_risk              | delivery_risk     | `risk_fan_chart`            |
| headroom                   | headroom          | `headroom_chart`            |
| core_index                 | core_index        | `core_index_chart`          |
| savings_heatmap            | savings_heatmap   | `savings_heatmap`           |
| comparison                 | comparison        | `comparison_chart`          |
"""

from mtfs_align.report.charts.build import build_charts, draw_charts, proposal_points
from mtfs_align.report.charts.comparison import comparison_chart
from mtfs_align.report.charts.confidence_frontier import confidence_frontier_chart
from mtfs_align.report.charts.core_index import CLASS_STYLE, core_index_chart
from mtfs_align.report.charts.delivery_risk import risk_fan_chart
from mtfs_align.report.charts.frontier import frontier_chart, frontier_slopes
from mtfs_align.report.charts.gap_closure import gap_closure_chart
from mtfs_align.report.charts.headroom import HEADROOM_STYLE, headroom_chart, tightest_activities
from mtfs_align.report.charts.priority_spend import priority_spend_chart
from mtfs_align.report.charts.savings_heatmap import savings_by_activity, savings_heatmap
from mtfs_align.report.charts.style import CHART_FILES, save_chart
from mtfs_align.report.charts.wording import chance

__all__ = [
    "CHART_FILES",
    "CLASS_STYLE",
    "HEADROOM_STYLE",
    "build_charts",
    "draw_charts",
    "comparison_chart",
    "confidence_frontier_chart",
    "core_index_chart",
    "frontier_chart",
    "frontier_slopes",
    "gap_closure_chart",
    "headroom_chart",
    "chance",
    "priority_spend_chart",
    "proposal_points",
    "risk_fan_chart",
    "save_chart",
    "savings_by_activity",
    "savings_heatmap",
    "tightest_activities",
]
