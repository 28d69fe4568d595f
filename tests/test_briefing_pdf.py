"""briefing.pdf as a published document (issue 11, item 1; DESIGN 5): tagged PDF/UA-1 with its
title, language, bookmarks and embedded fonts, headings and tables in reading order, every chart a
Figure whose alternative text states its finding with the numbers (and the finding in the text
too), no path of the machine that made it; checked with pikepdf, pypdf and the pdfua checker."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = [
    "Key messages",
    "The budget year by year",
    "Robustness of the estimates and adequacy of reserves",
    "The charts",
    "Adopted savings options by start year",
    "Outcomes most harmed, with their KPIs",
    "The scenario's assumptions",
]


@pytest.fixture(scope="module")
def pdf(westshire_run):
    with pikepdf.open(westshire_run / "briefing.pdf") as document:
        yield document


@pytest.fixture(scope="module")
def text(westshire_run) -> str:
    pages = PdfReader(westshire_run / "briefing.pdf").pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def struct_elements(pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tag tree, in document (reading) order."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.K)
    return found


def role(element) -> str:
    return str(element.S)


def test_document_title_language_and_tagging(pdf, westshire_run):
    root = pdf.Root
    assert str(root.Lang) == "en-GB"
    assert bool(root.MarkInfo.Marked) is True
    assert "/StructTreeRoot" in root
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True  # viewers show the title, not the file name
    title = "Cabinet briefing: Officers' proposal, Westshire County Council (illustrative, shaped on public figures)"
    assert str(pdf.docinfo.Title) == title
    assert pdf.open_metadata().get("dc:title") == title
    assert "pdfuaid" in str(pdf.Root.Metadata.read_bytes())


def test_bookmarks_follow_the_sections(pdf):
    with pdf.open_outline() as outline:
        titles = []

        def walk(items):
            for item in items:
                titles.append(item.title)
                walk(item.children)

        walk(outline.root)
    assert [t for t in titles if t in SECTIONS] == SECTIONS
    assert any(t.startswith("Figure 1: ") for t in titles)


def test_headings_lists_and_tables_are_tagged_in_reading_order(pdf, text):
    elements = struct_elements(pdf)
    roles = [role(e) for e in elements]
    assert roles.count("/H1") == 1
    # The tag tree is the reading order: the title, then each section's heading in turn.
    assert roles.index("/H1") < roles.index("/H2")
    assert roles.count("/H2") == len(SECTIONS)
    assert "/L" in roles and "/LI" in roles and "/LBody" in roles  # the key messages are a list
    # and the page content reads in the same order (what a reader extracting the text gets)
    positions = [text.index(title) for title in SECTIONS]
    assert positions == sorted(positions)
    tables = [e for e in elements if role(e) == "/Table"]
    assert len(tables) >= 5
    header_ids = {bytes(e.ID) for e in elements if role(e) == "/TH" and "/ID" in e}
    data_cells = [e for e in elements if role(e) == "/TD"]
    assert header_ids and data_cells
    # Every data cell names the header cells that describe it (PDF 1.7, 14.8.5.7: Headers and IDs).
    for cell in data_cells:
        headers = [bytes(h) for h in cell.A.Headers]
        assert headers and set(headers) <= header_ids


def test_every_chart_is_a_figure_whose_alt_text_states_its_finding_with_numbers(pdf, text, westshire_run):
    figures = [e for e in struct_elements(pdf) if role(e) == "/Figure"]
    charts = sorted(p.stem for p in (westshire_run / "charts").glob("*.svg"))
    assert len(figures) == len(charts) == 7
    for figure in figures:
        alt = str(figure.Alt)
        finding = alt.split(". ")[0]
        assert re.search(r"\d", alt), alt  # its numbers
        assert len(alt) > 120, alt  # the finding and what the chart shows
        # ... and the same finding is in the text under the chart, for everyone (compared without
        # white space: a line may break after a hyphen, as in "1-in-20").
        assert re.sub(r"\s+", "", finding) in re.sub(r"\s+", "", text), finding


def test_every_font_is_embedded(pdf):
    fonts = []

    def visit(resources):
        if resources is None:
            return
        for _, font in (resources.get("/Font") or {}).items():
            fonts.append(font)
        for _, xobject in (resources.get("/XObject") or {}).items():
            visit(xobject.get("/Resources"))

    for page in pdf.pages:
        visit(page.get("/Resources"))
    assert fonts
    for font in fonts:
        assert str(font.Subtype) != "/Type3"
        descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), str(font.BaseFont)


def test_no_path_of_the_machine_is_published(westshire_run, text):
    html = (westshire_run / "briefing.html").read_text(encoding="utf-8")
    for where in (str(ROOT), str(westshire_run.parent), str(Path.home()), "/tmp/"):
        assert where not in text
        assert where not in html
    # The assumptions name the files relative to the scenario's folder
    assert "../data/westshire/options.csv (sha256" in text
    assert "Scenario file proposal.yaml" in text
    assert "../data/westshire/options.csv (sha256" in html


def test_the_pdfua_checker_finds_no_errors(westshire_run):
    """pdfua (pure Python, pikepdf) checks 16 of PDF/UA-1's 106 machine-checkable rules. It warns
    UA-15-003 on every table because it looks for /Scope or /Headers on the header cells only;
    WeasyPrint ties each data cell to its headers with /Headers and /IDs, which the test above
    checks cell by cell. Any other finding fails."""
    from pdfua import validate

    report = validate(str(westshire_run / "briefing.pdf"))
    findings = [(f.rule_id, f.severity.name, f.message) for f in report.findings]
    assert [f for f in findings if f[0] != "UA-15-003"] == []  # no error, no other warning, no rule skipped
    assert {severity for _, severity, _ in findings} <= {"WARNING"}


def test_the_same_document_gives_the_same_bytes_a_second_later(monkeypatch):
    """Embedded font subsets are not stamped with the clock, so a sweep's worker writes the serial
    run's PDF byte for byte; a user's own SOURCE_DATE_EPOCH is kept and the environment restored.

    Whether the stamp shows in the bytes depends on how WeasyPrint subsets fonts (fontTools stamps
    `head`, HarfBuzz does not), so what the render sees is recorded rather than compared in bytes."""
    import weasyprint

    from mtfs_align.report.briefing.document import pdf_bytes

    page = '<html lang="en-GB"><head><title>t</title></head><body><h1>Savings £2.0m</h1></body></html>'
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = pdf_bytes(page)
    time.sleep(1.1)
    assert pdf_bytes(page) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ

    seen: list[str | None] = []
    write_pdf = weasyprint.HTML.write_pdf

    def recording(self, *args, **kwargs):
        seen.append(os.environ.get("SOURCE_DATE_EPOCH"))
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", recording)
    assert pdf_bytes(page) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    pdf_bytes(page)
    assert seen == ["0", "1000000000"]  # a fixed stamp of our own; the user's stamp when given
    assert os.environ["SOURCE_DATE_EPOCH"] == "1000000000"
