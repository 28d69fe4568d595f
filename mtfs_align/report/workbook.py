"""`results.xlsx`: every table of the results as a sheet (numbers as numbers, £k formats that show
the unit, frozen headers, landscape pages fitted to the width with the header row repeated),
behind a front sheet of the scenario's assumptions that prints on one page and names files as a
council may publish them (relative to the scenario's folder, never the machine's folders).
Text a spreadsheet would run as a formula is stored as text with Excel's quote prefix, so it
shows as written, without a visible apostrophe. Built from the results object
(mtfs_align.results), cell by cell from each table's CSV text, so a sheet holds exactly what its
CSV holds; the file is byte-identical for the same results."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mtfs_align.io.output_values import FORMULA_START
from mtfs_align.io.result_tables import heading
from mtfs_align.report.published import published_name, published_path
from mtfs_align.wording import money

WORKBOOK_NAME = "results.xlsx"
FIXED_TIME = datetime(2000, 1, 1)  # document properties: no clock time, so reruns are identical
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

MONEY_FORMAT = '#,##0.0 "£k";-#,##0.0 "£k"'
SHARE_FORMAT = "0.0%"
HARM_FORMAT = "0.000"
SHARE_COLUMNS = ("share_of_aligned", "share_of_total", "cabinet_weight", "p_balanced", "core_index")

# The order finance officers read them in; anything else follows alphabetically.
SHEET_ORDER = [
    "budget",
    "plan",
    "savings_summary",
    "activities",
    "outcomes",
    "alignment",
    "breaches",
    "screened",
    "proposal",
    "frontier",
    "risk",
    "resilience",
    "core_index",
    "compare",
    "kpis",
]
SHEET_NOTES = {
    "budget": "Gap, savings, reserves and unidentified savings by year",
    "plan": "Adopted options with their start year and savings by year",
    "savings_summary": "Savings by year and by RAG rating, directorate and type",
    "activities": "Each activity's spend against its floor and cash limit, by year",
    "outcomes": "Need, spend and harm by outcome and year",
    "alignment": "Spend by priority and outcome against the Cabinet's weights",
    "breaches": "Every envelope and policy breach",
    "screened": "Options screened out by equality impact",
    "proposal": "The council's proposal (P) against the least-harm alternatives (B, C)",
    "frontier": "Least-harm plans as the gap (or reserves) is scaled",
    "risk": "Delivery risk: unidentified savings after reserves by year (Monte Carlo)",
    "resilience": "Resilience at the scenario's confidence: savings still to find, reserves used, still to identify",
    "core_index": "Share of sampled priority weightings under which each option is adopted",
    "compare": "Scenarios side by side",
    "compare_options": "Each option's start year under each compared scenario",
    "batch": "Each council's scenario run: gap, savings, reserves, unidentified savings, status",
    "kpis": "The corporate plan's KPIs by outcome",
    "plans_activities": "Each alternative plan's activities against their floors and cash limits, by year",
}

# The manifest entries shown on the front sheet, with the labels a finance officer would use.
MANIFEST_FIELDS = [
    ("council", "Council"),
    ("scenario_name", "Scenario"),
    ("scenario", "Scenario file"),
    ("command", "Produced by"),
    ("years", "Years"),
    ("plan_on", "Savings counted at"),
    ("status", "Status"),
    ("harm", "Outcome harm (total)"),
    ("unidentified_k", "Unidentified savings, summed over the years"),
    ("reserves_draw_k", "Reserves drawn, summed over the years"),
    ("p_balanced_all_years", "Chance every year balances"),
    ("objective", "Objective"),
    ("solver", "Solver"),
    ("mip_gap", "MIP gap"),
    ("seed", "Random seed"),
    ("version", "mtfs_align version"),
]

# Plain decimal numbers; codes with leading zeros ("0012") stay text, as a finance team means them.
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$")
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_BOLD = Font(bold=True)


def formula_like(value: object) -> bool:
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first): stored as text with
    the quote prefix."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """Text as the sheet shows it: the CSV's neutralising apostrophe (`'=SUM(..)`) taken off, as
    the cell's quote prefix does that work (`_append`)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _append(sheet, values: list) -> None:
    """A row at the sheet's end; formula-like text stays text (type `s`, quote prefix set)."""
    sheet.append(values)
    for column, value in enumerate(values, start=1):
        if formula_like(value):
            cell = sheet.cell(sheet.max_row, column)
            cell.data_type = "s"
            cell.quotePrefix = True


def cell_value(text: str) -> object:
    """A CSV cell as a spreadsheet value: numbers as numbers, blanks empty, text as written (the
    CSV's neutralising apostrophe taken off: `_append` sets the quote prefix instead)."""
    if text is None or text == "":
        return None
    if _NUMBER.match(text):
        number = float(text)
        if math.isfinite(number):
            return (
                int(number)
                if number.is_integer() and "." not in text and "e" not in text.lower() and abs(number) < 2**53
                else number
            )
    return neutralise(text)


def csv_cells(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a table's CSV text, as text."""
    import csv

    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        return [], []
    return records[0], records[1:]


def _number_format(column: str) -> str | None:
    if column.endswith("_k"):
        return MONEY_FORMAT
    if column in SHARE_COLUMNS:
        return SHARE_FORMAT
    if column == "harm" or column.startswith("harm_"):
        return HARM_FORMAT
    return None


def _display_width(value: object, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, (int, float)) and number_format == MONEY_FORMAT:
        return len(f"{value:,.1f}") + 3  # " £k"
    if isinstance(value, (int, float)) and number_format == SHARE_FORMAT:
        return len(f"{value:.1%}")
    if isinstance(value, float):
        return min(len(f"{value:.6g}"), 14)
    return len(str(value))


def sheet_name(stem: str, taken: set[str]) -> str:
    """A valid, unique sheet name (Excel: at most 31 characters, none of []:*?/\\)."""
    name = re.sub(r"[\[\]:*?/\\]", "_", stem)[:31] or "sheet"
    base, i = name, 2
    while name.lower() in taken:
        suffix = f"_{i}"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(name.lower())
    return name


def _ordered_tables(results) -> list[str]:
    """The results' own tables (not a proposal's, under `proposal/`), in the reading order."""
    stems = [name for name in results.tables if "/" not in name]
    return [s for s in SHEET_ORDER if s in stems] + sorted(s for s in stems if s not in SHEET_ORDER)


def _write_table(book: Workbook, title: str, header: list[str], rows: list[list[str]]) -> None:
    sheet = book.create_sheet(title)
    _append(sheet, [neutralise(heading(h)) for h in header])
    formats = [_number_format(h) for h in header]
    widths = [min(len(heading(h)), 30) for h in header]
    for record in rows:
        values = [cell_value(record[i]) if i < len(record) else None for i in range(len(header))]
        _append(sheet, values)
        for i, value in enumerate(values):
            widths[i] = max(widths[i], _display_width(value, formats[i]))
    for i, number_format in enumerate(formats, start=1):
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
            if isinstance(cell.value, (int, float)):
                cell.number_format = number_format
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    _print_setup(sheet, one_page=False)
    sheet.print_title_rows = "1:1"  # the header row on every printed page
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{len(rows) + 1}"


FIELDS_SHEET = "Fields"


def _write_fields(book: Workbook, fields: list[list[str]]) -> None:
    """The "Fields" sheet: each sheet's column headings beside the CSV file and column they come
    from (headings declared once, in mtfs_align.io.result_tables.HEADINGS)."""
    sheet = book.create_sheet(FIELDS_SHEET)
    _append(sheet, ["Sheet", "Column heading", "CSV file", "CSV column"])
    for row in fields:
        _append(sheet, [neutralise(str(v)) for v in row])
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for letter, width in zip("ABCD", (18, 46, 24, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    _print_setup(sheet, one_page=False)
    sheet.print_title_rows = "1:1"


def _front_value(key: str, value: object) -> object:
    if isinstance(value, list):
        if key == "years" and value:
            return f"{value[0]} to {value[-1]} ({len(value)} years)"
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "plan_on":
        return {"nominal": "their nominal (planned) value", "expected": "their expected delivery"}.get(
            str(value), value
        )
    if isinstance(value, str):
        return neutralise(value)
    return value


def _write_front(book: Workbook, manifest: Mapping, assumptions: Mapping, sheets: list[tuple[str, str]]) -> None:
    sheet = book.active
    sheet.title = "Scenario"
    council = str(manifest.get("council") or "")
    _append(sheet, [neutralise(council or "mtfs_align results")])
    sheet["A1"].font = Font(bold=True, size=14)
    _append(sheet, [neutralise(str(manifest.get("scenario_name") or ""))])
    sheet["A2"].font = Font(bold=True, size=12)
    if "illustrative" in council.lower():
        _append(sheet, ["Illustrative data: not any council's actual budget."])
        sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    _append(sheet, ["Money is in £ thousands (£k) throughout; years are financial years (1 April to 31 March)."])
    _append(sheet, [])

    def section(title: str) -> None:
        _append(sheet, [title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)

    section("Run")
    for key, label in MANIFEST_FIELDS:
        if key in ("council", "scenario_name") or manifest.get(key) is None or label in assumptions:
            continue
        value = published_name(manifest[key]) if key == "scenario" else _front_value(key, manifest[key])
        if key.endswith("_k") and len(manifest.get("years") or []) > 1:
            label = label.replace("the years", f"the {len(manifest['years'])} years")  # "summed over the 4 years"
        _append(sheet, [label, value])
        cell = sheet.cell(sheet.max_row, 2)
        if key.endswith("_k") and isinstance(value, (int, float)):
            cell.number_format = MONEY_FORMAT
        elif key == "p_balanced_all_years" and isinstance(value, (int, float)):
            cell.number_format = SHARE_FORMAT
        elif key in ("harm", "objective") and isinstance(value, (int, float)):
            cell.number_format = HARM_FORMAT
    if assumptions:
        _append(sheet, [])
        section("Assumptions")
        for key, value in assumptions.items():
            _append(sheet, [neutralise(str(key)), _front_value(str(key), value)])
    inputs = manifest.get("inputs") or []
    if inputs:
        _append(sheet, [])
        section("Input files (SHA-256)")
        for item in inputs:
            path = published_path(str(item.get("path", "")), manifest.get("scenario"))
            _append(sheet, [neutralise(path), str(item.get("sha256", ""))])
    _append(sheet, [])
    section("Sheets")
    for title, note in sheets:
        _append(sheet, [title, note])
    for row in sheet.iter_rows(min_row=1, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 80
    _print_setup(sheet, one_page=True)


def _print_setup(sheet, one_page: bool) -> None:
    """Landscape A4 fitted to the page's width (a table's rows run on over the pages it needs; the
    front sheet, `one_page`, is fitted to one page)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1 if one_page else 0
    sheet.print_options.gridLines = not one_page
    sheet.page_margins.left = sheet.page_margins.right = 0.5


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack the xlsx with fixed entry times and a fixed `modified` property, so that the same
    results always give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps `modified` with the clock at save time, whatever was set.
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", content
                )
            target.writestr(entry, content)
    return packed.getvalue()


def write_workbook(results, path: Path, assumptions: Mapping | None = None) -> Path:
    """Write `results.xlsx` (workbook_bytes) to `path`, whole or not at all; returns `path`."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(workbook_bytes(results, assumptions))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def workbook_bytes(results, assumptions: Mapping | None = None) -> bytes:
    """`results.xlsx` for a results object (mtfs_align.results.RunResults): every table as a
    sheet, behind the front sheet.

    `assumptions` (label -> value) go on the front sheet; without them the manifest's
    `assumptions` mapping is used, if it has one.
    """
    manifest = results.manifest
    if assumptions is None:
        assumptions = manifest.get("assumptions") or {}
    book = Workbook()
    taken = {"scenario", FIELDS_SHEET.lower()}
    sheets = []
    fields: list[list[str]] = []
    for stem in _ordered_tables(results):
        header, rows = csv_cells(results.text(stem))
        if not header:
            continue
        title = sheet_name(stem, taken)
        _write_table(book, title, header, rows)
        sheets.append((title, SHEET_NOTES.get(stem, f"{stem}.csv")))
        fields += [[title, heading(h), f"{stem}.csv", h] for h in header]
    _write_fields(book, fields)
    sheets.append((FIELDS_SHEET, "Each column heading of the sheets above and the CSV file and column it comes from"))
    _write_front(book, manifest, assumptions, sheets)
    book.properties.creator = "mtfs_align"
    book.properties.title = f"{manifest.get('council', '')}: {manifest.get('scenario_name', '')}".strip(": ")
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.lastModifiedBy = "mtfs_align"
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def scenario_assumptions(scenario) -> dict[str, str]:
    """The assumptions of a scenario in plain words, for manifest.json's `assumptions` (which the
    workbook's front sheet and the briefing read back)."""
    years = scenario.years
    policy = scenario.policy
    midpoints = {p: (low + high) / 2 for p, (low, high) in scenario.weights.items()}
    total = sum(midpoints.values()) or 1.0
    weights = ", ".join(
        f"{p} {midpoints[p] / total:.0%}" + (f" (range {low:.2f} to {high:.2f})" if high > low else "")
        for p, (low, high) in scenario.weights.items()
    )
    out = {
        "Scenario": scenario.name,
        "Description": scenario.description,
        "Years": f"{years[0]} to {years[-1]}",
        "Priority weights": weights + ("" if scenario.weights_given else " (equal: none given)"),
        "Savings counted at": "expected delivery" if policy.plan_on != "nominal" else "nominal (planned) value",
        "Planned for": (
            f"delivery risk: {policy.confidence:.0%} of {policy.risk_draws:,} simulated futures"
            if policy.plan_on == "risk"
            else "delivery as counted above"
        ),
        "Share of each saving delivered (G, A, R)": ", ".join(f"{policy.delivery[r]:.0%}" for r in "GAR"),
        "Chance an option starts a year late": f"{policy.slip:.0%}",
        "Change capacity (points a year)": (
            ", ".join(f"{c:g}" for c in policy.capacity) if policy.capacity else "no limit"
        ),
        "Protected priorities": (", ".join(f"{p} at {v:.0%} of need" for p, v in policy.protect.items()) or "none"),
        "Highest equality impact considered": policy.max_equality_impact,
        "Options already decided": (
            ", ".join(f"{o} ({years[s]})" if s is not None else f"{o} (any year)" for o, s in policy.adopt.items())
            or "none"
        ),
        "Options withdrawn": ", ".join(policy.reject) or "none",
        "Reserves": (
            f"usable {money(scenario.reserves.usable_k)}, "
            f"minimum {money(scenario.reserves.minimum_k)}, " + _draw_limits(scenario.reserves.max_draw_k)
        ),
        "Reserves penalty (harm per £k drawn)": f"{policy.reserves_penalty:g}",
    }
    changes = [f"{years[t]} {pct:+g}%" for t, pct in enumerate(scenario.funding_pct) if pct]
    changes += [f"{years[t]} {money(k)}" for t, k in enumerate(scenario.funding_change_k) if k]
    if changes:
        out["Funding changes"] = ", ".join(changes)
    return out


def _draw_limits(max_draw_k: list[float]) -> str:
    """`at most £15.0m drawn a year`, or the limit of each year when they differ."""
    texts = ["no limit" if math.isinf(d) else money(d) for d in max_draw_k]
    if len(set(texts)) == 1:
        return "no limit on drawing" if texts[0] == "no limit" else f"at most {texts[0]} drawn a year"
    return "at most " + ", ".join(texts) + " drawn in the successive years"
