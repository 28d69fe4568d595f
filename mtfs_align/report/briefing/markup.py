"""HTML building blocks for the briefing: escaping, tables with header cells (column and row
headers, row groups), figures with their alternative text, and inline SVG made accessible.

Both forms of the briefing are made from this markup: the web page shows it as it is, and
WeasyPrint's PDF/UA variant tags it (headings, lists, tables with header cells, figures with
their alternative text)."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def element(name: str, content: str = "", **attributes: object) -> str:
    """`<name attr="…">content</name>`; `class_` is written `class`, an attribute of None is left out."""
    attrs = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"' for key, value in attributes.items() if value is not None
    )
    return f"<{name}{attrs}>{content}</{name}>"


def paragraph(text: str, class_: str | None = None) -> str:
    return element("p", esc(text), class_=class_)


def bullets(sentences: list[str], class_: str | None = None) -> str:
    return element("ul", "".join(element("li", esc(s)) for s in sentences), class_=class_)


@dataclass
class Table:
    """A data table: `header` names the columns; each row's first cell is its row header. Cells
    are text (escaped); `numeric` columns are right-aligned. `groups` splits the rows into
    labelled row groups (a label row that heads its group, as the plan's start years do)."""

    caption: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)
    groups: list[tuple[str, list[list[str]]]] | None = None
    row_headers: bool = True
    class_: str = ""
    show_caption: bool = True  # False where a heading just above says the same (read out, not shown)

    def html(self, label: str | None = None) -> str:
        head = "".join(
            element("th", esc(text), scope="col", class_="num" if i in self.numeric else None)
            for i, text in enumerate(self.header)
        )
        bodies = []
        if self.groups is None:
            bodies.append(element("tbody", "".join(self._row(r) for r in self.rows)))
        else:
            for title, rows in self.groups:
                label_row = element("tr", element("th", esc(title), colspan=len(self.header), scope="colgroup"))
                bodies.append(element("tbody", label_row + "".join(self._row(r) for r in rows), class_="group"))
        table = element(
            "table",
            element("caption", esc(self.caption), class_=None if self.show_caption else "visually-hidden")
            + element("thead", element("tr", head))
            + "".join(bodies),
            class_=self.class_ or None,
        )
        # A wide table scrolls on a narrow screen inside a region that the keyboard can reach.
        return element("div", table, class_="table-wrap", role="region", tabindex="0", aria_label=label or self.caption)

    def _row(self, cells: list[str]) -> str:
        out = []
        for i, text in enumerate(cells):
            name = "th" if i == 0 and self.row_headers else "td"
            out.append(
                element(
                    name,
                    text if isinstance(text, Raw) else esc(text),
                    scope="row" if name == "th" else None,
                    class_="num" if i in self.numeric else None,
                )
            )
        return element("tr", "".join(out))


class Raw(str):
    """Markup already escaped (a cell holding a name in bold, a line break)."""


@dataclass
class Chart:
    """A chart as the briefing shows it: its SVG, the finding its title states, a description of
    what it shows with the numbers (the alternative text, with the finding) and its caption."""

    name: str
    svg: str
    png: bytes
    finding: str
    description: str
    caption: str

    @property
    def alt(self) -> str:
        return f"{self.finding.rstrip('.')}. {self.description}"


_XML_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def inline_svg(chart: Chart, number: int) -> str:
    """The chart's SVG for a web page: an image role labelled by a <title> (the finding) and a
    <desc> (the description), sized by the page, with its ids made unique to the chart (two
    matplotlib figures can name their clip paths alike)."""
    svg = _XML_PROLOGUE.sub("", chart.svg, count=1)
    prefix = f"fig{number}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    opening = re.search(r"<svg\b[^>]*>", svg)
    tag = _SIZE.sub("", opening.group(0))
    title_id, desc_id = f"{prefix}title", f"{prefix}desc"
    tag = tag[:-1] + f' role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">'
    labels = element("title", esc(chart.finding), id=title_id) + element("desc", esc(chart.description), id=desc_id)
    return svg[: opening.start()] + tag + labels + svg[opening.end() :]


def image_png(chart: Chart) -> str:
    """The chart as an image with its alternative text (WeasyPrint tags it as a Figure with /Alt).
    The PDF takes the PNG: WeasyPrint draws a chart's SVG hatching several times slower."""
    data = base64.b64encode(chart.png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(chart.alt)}">'
