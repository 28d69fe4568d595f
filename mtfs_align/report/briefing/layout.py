"""The briefing's page layout: A4 page and margins, paragraph styles, the table grid, header
cells and the "Page N of M" footer."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, TableStyle

PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
MAX_CHART_HEIGHT = 118 * mm


def styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body",
        parent=base["BodyText"],
        fontName="Helvetica",
        fontSize=10.5,
        leading=14,
        alignment=TA_LEFT,
        spaceAfter=4,
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=9.6, spaceAfter=0),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=9.6, spaceAfter=0
        ),
        "head_right": ParagraphStyle(
            "head_right", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=9.6, spaceAfter=0, alignment=2
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=0, spaceAfter=6),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=16,
            leading=20,
            spaceBefore=4,
            spaceAfter=8,
            textColor=colors.HexColor("#0b3c5d"),
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=body,
            fontSize=9,
            leading=11,
            textColor=colors.HexColor("#444444"),
            spaceBefore=2,
            spaceAfter=10,
        ),
        "kicker": ParagraphStyle(
            "kicker",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            textColor=colors.HexColor("#555555"),
        ),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=26,
            leading=31,
            spaceAfter=10,
            textColor=colors.HexColor("#0b3c5d"),
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontName="Helvetica", fontSize=17, leading=22, spaceAfter=10
        ),
        "label": ParagraphStyle(
            "label",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=13,
            leading=17,
            textColor=colors.white,
            backColor=colors.HexColor("#b35806"),
            borderPadding=6,
            spaceBefore=10,
            spaceAfter=10,
        ),
    }


def esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def header_cells(cells: list[str], st: dict, right_from: int | None = None) -> list[Paragraph]:
    """Header cells that wrap instead of running into each other; numeric columns right-aligned."""
    out = []
    for i, text in enumerate(cells):
        style = st["head_right"] if right_from is not None and i >= right_from else st["cell_bold"]
        out.append(Paragraph(esc(text), style))
    return out


class NumberedCanvas(Canvas):
    """Defers page furniture until the page count is known, for "Page N of M"."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFont("Helvetica", 8)
        self.setFillColor(colors.HexColor("#555555"))
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(PAGE[0] - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
        self.restoreState()
