"""The Cabinet briefing in its two forms, made from the same content: `briefing.html` (one
self-contained page: styles, charts as inline SVG, the plan explorer and its data; no request leaves
it) and `briefing.pdf` (the same sections rendered by WeasyPrint as a tagged PDF/UA-1 document with
its title, language, bookmarks and embedded fonts)."""

from __future__ import annotations

import os
import threading
from datetime import date
from importlib import resources
from pathlib import Path

from matplotlib.figure import Figure

from mtfs_align.report.briefing.chart_text import describe
from mtfs_align.report.briefing.markup import Chart, element, esc
from mtfs_align.report.briefing.sections import (
    assumptions_section,
    budget_section,
    chart_caption,
    charts_section,
    document_title,
    footer_text,
    key_messages_section,
    outcomes_section,
    plan_section,
    resilience_section,
    title_page,
)
from mtfs_align.report.briefing.wording import briefing_date, key_messages
from mtfs_align.report.charts import build_charts
from mtfs_align.report.charts.build import CHART_TABLES
from mtfs_align.report.charts.style import chart_files, chart_finding, svg_markup
from mtfs_align.results import RunResults

BRIEFING_NAME = "briefing.pdf"
BRIEFING_HTML = "briefing.html"
LANGUAGE = "en-GB"
# The web page may load nothing: styles and scripts are in the page, images are data.
CONTENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _asset(name: str) -> str:
    return resources.files("mtfs_align.report.briefing").joinpath(name).read_text(encoding="utf-8")


def frontier_varies(results: RunResults) -> str | None:
    frontier = results.manifest.get("frontier")
    return frontier.get("vary") if isinstance(frontier, dict) else None


def briefing_charts(
    results: RunResults, figures: dict[str, Figure] | None = None, pngs: dict[str, bytes] | None = None
) -> list[Chart]:
    """The briefing's charts (drawn from the results unless `figures` are given, as `run` gives
    the figures of charts/, with their PNGs), each with its finding and description."""
    tables = {name: results.table(name) for name in (*CHART_TABLES, "screened")}
    withdrawn = [str(o) for o in results.manifest.get("withdrawn") or []]
    vary = frontier_varies(results)
    figures = build_charts(results) if figures is None else figures
    pngs = pngs or {}
    return [
        Chart(
            name,
            svg_markup(figure),
            pngs[name] if name in pngs else chart_files(figure, name)[f"charts/{name}.png"],
            chart_finding(figure),
            describe(name, tables, confidence_frontier=vary == "confidence", withdrawn=withdrawn),
            chart_caption(name),
        )
        for name, figure in figures.items()
    ]


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def briefing_html(results: RunResults, charts: list[Chart], day: date, web: bool = True, explorer: str = "") -> str:
    """The briefing as one HTML document: for the web page (`web`: inline SVG charts, the explorer)
    or for WeasyPrint to print (charts as images with alternative text, the embedded fonts)."""
    title = document_title(results)
    style = _asset("briefing.css")
    if not web:
        style += _font_faces() + f"@page {{ @bottom-left {{ content: {_css_string(footer_text(results))};"
        style += ' font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #4a4a4a; } }\n'
    head = (
        '<meta charset="utf-8">'
        + (f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">' if web else "")
        + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        + element("title", esc(title))
        + f'<meta name="author" content="{esc(results.council or "mtfs_align")}">'
        + '<meta name="description" content="Medium Term Financial Strategy savings and the corporate plan">'
        + '<meta name="generator" content="mtfs_align">'
        + element("style", style)
    )
    sections = [
        key_messages_section(key_messages(results)),
        budget_section(results),
        resilience_section(results),
        charts_section(charts, web),
        explorer if web else "",
        plan_section(results),
        outcomes_section(results),
        assumptions_section(results),
    ]
    skip = element("p", element("a", "Skip to the key messages", href="#key-messages"), class_="skip") if web else ""
    body = skip + title_page(results, day) + element("main", "".join(sections))
    if web:
        body += element("footer", element("p", esc(footer_text(results)), class_="small"), class_="cover")
    return f'<!DOCTYPE html>\n<html lang="{LANGUAGE}">\n<head>{head}</head>\n<body>\n{body}\n</body>\n</html>\n'


def _font_faces() -> str:
    """DejaVu Sans from matplotlib's own files (it is installed wherever the charts can be drawn),
    so that the PDF embeds the same font on every machine."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = [("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal")]
    faces += [("DejaVuSans-Oblique.ttf", "normal", "italic"), ("DejaVuSans-BoldOblique.ttf", "bold", "italic")]
    return "".join(
        f'@font-face {{ font-family: "DejaVu Sans"; src: url("{(folder / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}\n"
        for name, weight, style in faces
    )


_PDF_LOCK = threading.Lock()


def pdf_bytes(document: str) -> bytes:
    """A tagged PDF/UA-1 document from the print form of the briefing's HTML.

    The same results give the same bytes: the font subsets WeasyPrint embeds would otherwise carry
    the time they were made (fontTools stamps each font's `head` table with the clock unless
    SOURCE_DATE_EPOCH is set), so a run at another second, or a sweep on another worker, wrote a
    different file. The stamp is fixed for the render (a user's own SOURCE_DATE_EPOCH is kept), under
    a lock because the environment is the whole process's and Dask may render on threads."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS rule it ignores (the screen-only ones); they are not problems here.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with _PDF_LOCK:
        given = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = given if given is not None else "0"
        try:
            html = weasyprint.HTML(string=document, base_url=None)
            return html.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
        finally:
            if given is None:
                del os.environ["SOURCE_DATE_EPOCH"]


def briefing_files(
    results: RunResults, figures: dict[str, Figure] | None = None, pngs: dict[str, bytes] | None = None
) -> dict[str, bytes]:
    """`briefing.html` and `briefing.pdf` as bytes, from the results (mtfs_align.results: in
    memory, or an output folder read back) and, when given, the figures of charts/ and their PNGs."""
    from mtfs_align.report.briefing.explorer import explorer_section

    day = briefing_date(results)
    charts = briefing_charts(results, figures, pngs)
    web = briefing_html(results, charts, day, web=True, explorer=explorer_section(results))
    printed = briefing_html(results, charts, day, web=False)
    return {BRIEFING_HTML: web.encode("utf-8"), BRIEFING_NAME: pdf_bytes(printed)}
