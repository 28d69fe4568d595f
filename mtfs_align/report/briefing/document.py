"""`build_briefing`: the Cabinet briefing PDF (`briefing.pdf`), its sections in order, written
atomically."""

from __future__ import annotations

from pathlib import Path

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from mtfs_align.report.briefing.layout import MARGIN, PAGE, NumberedCanvas, esc, styles
from mtfs_align.report.briefing.results_folder import briefing_date, read_results
from mtfs_align.report.briefing.sections import (
    assumptions_table,
    budget_table,
    chart_story,
    outcomes_table,
    plan_table,
    resilience_story,
    title_page,
)
from mtfs_align.report.briefing.wording import key_messages

BRIEFING_NAME = "briefing.pdf"


def build_briefing(folder: Path, out_path: Path | None = None) -> Path:
    """Write the Cabinet briefing PDF from an existing output folder (by default as
    `<folder>/briefing.pdf`).

    Uses whichever files are there: budget.csv and manifest.json always; plan, outcomes, alignment,
    activities, breaches and screened from check; frontier, risk, core_index and proposal from the
    analyses; kpis.csv for the outcomes table; charts/*.png for the figures."""
    results = read_results(folder)
    target = Path(out_path) if out_path is not None else Path(folder) / BRIEFING_NAME
    st = styles()
    day = briefing_date(results)
    story = title_page(results, st, day)
    story.append(Paragraph("Key messages", st["h1"]))
    for message in key_messages(results):
        story.append(Paragraph(esc(message), st["bullet"], bulletText="•"))
    story.append(Paragraph("The budget year by year", st["h2"]))
    story.append(budget_table(results, st))
    story.append(Spacer(1, 6 * mm))
    story += resilience_story(results, st)
    story += chart_story(results, st)
    story += plan_table(results, st)
    story += outcomes_table(results, st)
    story += assumptions_table(results, st)

    scenario = results.manifest.get("scenario_name") or ""
    footer = f"{results.council}: {scenario}"[:110]
    if "illustrative" in results.council.lower() and "illustrative" not in footer.lower():
        footer += " (illustrative)"
    # Written beside the target and moved into place, so a failed rebuild (`mtfs-align brief`)
    # never leaves half a PDF where the last good one was.
    partial = target.with_name(f".{target.name}.partial")
    doc = SimpleDocTemplate(
        str(partial),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        invariant=1,
        title=f"Cabinet briefing: {scenario}",
        author=results.council or "mtfs_align",
        subject="Medium Term Financial Strategy savings and the corporate plan",
        creator="mtfs_align",
    )

    def canvas_maker(*args, **kwargs):
        return NumberedCanvas(*args, footer=footer, **kwargs)

    # reportlab's pure-Python ASCII85 encoding of the chart images takes seconds; binary streams are
    # smaller and quick. The setting is global to reportlab, so it is put back afterwards.
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        doc.build(story, canvasmaker=canvas_maker)
        partial.replace(target)
    finally:
        rl_config.useA85 = use_a85
        partial.unlink(missing_ok=True)
    return target
