"""Importing a savings tracker as it comes (DESIGN 3.6): find the sheet and header row, map the
council's own column names, read money exactly, and write options.csv (and activities.csv).

The officer's workbook is never changed; the importer writes only files it wrote before, and keeps
their sha256 in DATA_FOLDER/.mtfs-import.json so that a hand-edited file is never overwritten.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.outputs import neutralise
from mtfs_align.io.tables import ACTIVITY_REQUIRED, OPTION_OPTIONAL, OPTION_REQUIRED
from mtfs_align.schema import OPTION_TYPES
from mtfs_align.years import year_label

MARKER = ".mtfs-import.json"
MAP_FILE = "columns.yaml"
HEADER_SEARCH_ROWS = 30
OPTION_COLUMNS_BEFORE, OPTION_COLUMNS_AFTER = OPTION_REQUIRED, OPTION_OPTIONAL
ACTIVITY_COLUMNS = ACTIVITY_REQUIRED
MONEY_FIX = "write an amount such as 1300, 1,300, £1.3m, £850k, or (500) for a cost"

# Field of each column name, after normalising (lower case; spaces, punctuation and units dropped).
SYNONYMS = {
    "id": ["ref", "reference", "id", "refno", "referenceno", "savingref", "savingsref", "proposalref", "code"],
    "name": [
        "savingdescription",
        "savingsdescription",
        "description",
        "title",
        "name",
        "saving",
        "proposal",
        "savingname",
        "proposalname",
        "savingtitle",
        "proposaldescription",
    ],
    "directorate": ["directorate", "service", "department", "portfolio", "servicearea"],
    "activity": ["activity", "serviceline", "budgetline", "budgetarea", "costcentre", "activityid"],
    "rag": ["rag", "ragstatus", "ragrating", "deliveryrisk", "risk", "deliveryrag", "deliveryconfidence"],
    "type": ["type", "category", "savingtype", "savingstype", "savingcategory"],
    "one_off_k": [
        "oneoffcost",
        "oneoffcosts",
        "implementationcost",
        "implementationcosts",
        "oneoff",
        "oneoffimplementationcost",
        "onceoffcost",
    ],
    "effort": ["effort", "effortpoints", "capacity", "changecapacity"],
    "earliest": ["start", "startyear", "earliest", "earlieststart", "startdate", "yearofstart"],
    "latest": ["latest", "lateststart"],
    "equality_impact": ["equalityimpact", "eqia", "equalityimpactassessment", "eia", "equality"],
    "budget_k": [
        "budget",
        "netbudget",
        "baseline",
        "baselinebudget",
        "baselinek",
        "currentbudget",
        "servicebudget",
        "budgetk",
    ],
}
FIELD_OF = {word: name for name, words in SYNONYMS.items() for word in words}
MONEY_FIELDS = ("one_off_k", "budget_k")
FIELDS = tuple(SYNONYMS) + ("ignore",)

_UNIT = re.compile(r"£\s*(?:'\s*)?(000s?|k|m|million|bn)\b|\(\s*£?\s*(000s?|k|m)\s*\)|\b(?:£?000s)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*[/\-–]\s*(\d{4}|\d{2})(?!\d)")
_MAP_YEAR = re.compile(r"^saving\s+(\d{4}/\d{2})(?:\s+in\s+£(k|m|bn))?$")
_MAP_MONEY = re.compile(r"^(one_off_k|budget_k)(?:\s+in\s+£(k|m|bn))?$")
UNIT_FACTOR = {None: 1, "k": 1, "m": 1000, "bn": 1_000_000}
UNIT_WORD = {1000: " in £m", 1_000_000: " in £bn"}
TYPE_WORDS = {
    **{t.replace(" ", ""): t for t in OPTION_TYPES},
    "efficiencies": "efficiency",
    "incomegeneration": "income",
    "feesandcharges": "income",
    "commercial": "income",
    "fees": "income",
    "demand": "demand management",
    "redesign": "service redesign",
    "reduction": "service reduction",
    "servicereductions": "service reduction",
    "investtosave": "invest to save",
    "growth": "investment",
    "procurement": "commissioning",
}
EQUALITY_WORDS = {
    "none": "none",
    "na": "none",
    "no": "none",
    "neutral": "none",
    "nil": "none",
    "low": "low",
    "medium": "medium",
    "med": "medium",
    "high": "high",
}
RAG_WORDS = {"g": "G", "green": "G", "a": "A", "amber": "A", "r": "R", "red": "R"}


def normalise(header: str) -> str:
    """A column name with case, spacing, punctuation and units dropped: 'One-off cost (£000)' -> 'oneoffcost'."""
    text = _UNIT.sub(" ", str(header))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_unit(header: str) -> int:
    """1000 for a header in £m ('2021/22 £m'), else 1 (£000 and £k are the file's own unit)."""
    match = _UNIT.search(str(header))
    if match:
        word = next(g for g in match.groups() if g) if any(match.groups()) else "000"
        if word.lower() in ("m", "million"):
            return 1000
        if word.lower() == "bn":
            return 1_000_000
    return 1


def year_of_header(header: str) -> int | None:
    """The financial year a header names (`2021/22`, `2021-22`, `21/22`, `2021/2022`), or None."""
    match = _YEAR.search(str(header))
    if not match:
        return None
    first, second = match.group(1), match.group(2)
    start = int(first) if len(first) == 4 else 2000 + int(first)
    end = int(second)
    if (len(second) == 2 and (start + 1) % 100 == end) or (len(second) == 4 and end == start + 1):
        return start
    return None


def field_of_header(header: str) -> str | None:
    """The options/activities field a tracker's column name maps to, or 'saving <year>', or None."""
    year = year_of_header(header)
    rest = normalise(_YEAR.sub(" ", str(header)))
    if year is not None:
        if "budget" in rest or "baseline" in rest or "cumulative" in rest:
            return None  # a budget by year is not a saving; a cumulative level is not the year's addition
        return f"saving {year_label(year)}"
    return FIELD_OF.get(normalise(header))


def parse_money(value: object) -> Decimal | None:
    """An amount of money in £k, exactly: 1,300 / £1.3m / £850k / (500) / -500 / 1300.0; blank is 0.

    Returns None when the value is not money. A cell's own unit (£1.3m) is applied here; a
    column's unit (a '£m' header) is applied by the caller to plain numbers only."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))  # the shortest text that is the float: 1300.0, 0.1, no binary noise
    text = str(value).strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if text in ("", "-", "–", "—", "nil", "Nil", "NIL"):
        return Decimal(0)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    text = text.removeprefix("£")
    if text.startswith("-"):  # £-500
        negative, text = not negative, text[1:]
    scale = Decimal(1)
    lowered = text.lower()
    if lowered.endswith("m"):
        scale, text = Decimal(1000), text[:-1]
    elif lowered.endswith("k"):
        text = text[:-1]
    if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+", text):
        return None
    try:
        amount = Decimal(text.replace(",", "")) * scale
    except InvalidOperation:
        return None
    return -amount if negative else amount


def has_own_unit(value: object) -> bool:
    return isinstance(value, str) and bool(re.search(r"[mMkK]\s*\)?\s*$", value.strip()))


def rag_of(value: str) -> str | None:
    """G, A or R from Green/Amber/Red/G/A/R; a two-colour rating (Amber/Green, Red-Amber) takes
    the worse colour, so delivery risk is never read as lower than the tracker says."""
    words = [w for w in re.split(r"[^a-z]+", value.strip().lower()) if w]
    if len(words) == 1 and words[0] in ("ag", "ga"):
        words = ["a"]
    if len(words) == 1 and words[0] in ("ra", "ar"):
        words = ["r"]
    rags = [RAG_WORDS.get(w) for w in words]
    if not rags or None in rags or len(rags) > 2:
        return None
    return max(rags, key="GAR".index)


def year_of_cell(value: object) -> int | None:
    """A start year written as 2021/22 (or another spelling), 2021 (the year it starts), or a date."""
    if isinstance(value, datetime | date):
        return value.year if value.month >= 4 else value.year - 1
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        year = int(value)
        return year if 1990 <= year <= 2100 else None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(\.0)?", text):
        return int(text[:4])
    match = _YEAR.fullmatch(text)
    return year_of_header(text) if match else None


def money_text(amount: Decimal) -> str:
    """£k as written in options.csv: 1300, 1300.5, -500 (no exponent, no trailing zeros)."""
    text = format(amount.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


# --------------------------------------------------------------------------------------------
# reading the grid
# --------------------------------------------------------------------------------------------


@dataclass
class Grid:
    """One sheet (or a CSV file) as rows of raw cell values, 1-based row numbers in messages."""

    name: str
    rows: list[list[object]]
    hidden: bool = False
    merged_top_left: set[tuple[int, int]] = field(default_factory=set)  # (row, column) of merged ranges
    from_csv: bool = False
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column): formula with no saved value


def read_grids(path: Path, problems: Problems) -> list[Grid] | None:
    if not path.is_file():
        problems.add(path, "", "", "the tracker file is missing", "give the path of the .xlsx or .csv tracker")
        return None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv_grid(path, problems)
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook_grids(path, problems)
    problems.add(
        path,
        "",
        "",
        f"'{path.suffix}' is not a tracker format mtfs-align reads",
        "save the tracker as .xlsx (Excel workbook) or .csv",
    )
    return None


def _read_csv_grid(path: Path, problems: Problems) -> list[Grid] | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV (Comma delimited)" on a UK PC
    try:
        rows = [list(record) for record in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as err:
        problems.add(path, "", "", f"the file cannot be read as CSV ({err})", "check the quoting")
        return None
    return [Grid(path.stem, rows, from_csv=True)]


def _read_workbook_grids(path: Path, problems: Problems) -> list[Grid] | None:
    from openpyxl import load_workbook

    from mtfs_align.io.workbook_in import check_workbook

    if not check_workbook(path, problems):  # size, damage, decompression bombs, DTDs: before openpyxl
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # read_only=False so merged cells are known; data_only: the values Excel saved
            book = load_workbook(path, read_only=False, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        problems.add(
            path,
            "",
            "",
            f"the workbook cannot be opened ({type(err).__name__}: {err})",
            "save it again from Excel as .xlsx",
        )
        return None
    grids = []
    for sheet in book.worksheets:
        rows = [list(record) for record in sheet.iter_rows(values_only=True)]
        merged = {(r.min_row, r.min_col) for r in sheet.merged_cells.ranges}
        grids.append(Grid(sheet.title, rows, sheet.sheet_state != "visible", merged))
    book.close()
    if any(value is None for grid in grids for row in grid.rows for value in row):
        _find_unsaved_formulas(path, grids)
    return grids


def _find_unsaved_formulas(path: Path, grids: list[Grid]) -> None:
    """Formula cells with no saved value (a workbook written by a program and never opened in
    Excel): read as blank they would be a silent 0, so they are found and reported instead."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True, data_only=False)
    try:
        for grid, sheet in zip(grids, book.worksheets, strict=True):
            for r, record in enumerate(sheet.iter_rows(values_only=True), start=1):
                for c, value in enumerate(record, start=1):
                    if isinstance(value, str) and value.startswith("="):
                        saved = grid.rows[r - 1][c - 1] if r <= len(grid.rows) and c <= len(grid.rows[r - 1]) else None
                        if saved is None:
                            grid.formulas[(r, c)] = value
    finally:
        book.close()


# --------------------------------------------------------------------------------------------
# the mapping: sheet, header row, column -> field
# --------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    sheet: str
    header_row: int
    columns: dict[str, str]  # header text -> field ('id', 'saving 2021/22 in £m', 'ignore', ...)

    def as_yaml(self) -> str:
        head = (
            "# The column mapping used by `mtfs-align import`. Edit it and pass it back with\n"
            "# --map to import the same way next time. Fields: " + ", ".join(FIELDS) + ",\n"
            "# 'saving 2021/22' (a year's savings in £k) or 'saving 2021/22 in £m'; money fields may\n"
            "# end 'in £m' too.\n"
        )
        body = {"sheet": self.sheet, "header_row": self.header_row, "columns": dict(self.columns)}
        return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def _mapped_field(header: str) -> str:
    found = field_of_header(header)
    if found is None:
        return "ignore"
    if found.startswith("saving ") or found in MONEY_FIELDS:
        return found + UNIT_WORD.get(header_unit(header), "")
    return found


def _header_score(cells: list[object]) -> int:
    fields = [field_of_header(cell_text(c)) for c in cells if cell_text(c)]
    years = sum(1 for f in fields if f and f.startswith("saving "))
    named = {f for f in fields if f and not f.startswith("saving ")}
    if not years or not ({"id", "name"} & named):
        return 0
    return years + len(named)


def find_header(grid: Grid) -> tuple[int, int]:
    """(row number, score) of the best header row in the first rows; score 0 when none looks like one."""
    best = (0, 0)
    for r, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS], start=1):
        if (r, 1) in grid.merged_top_left and sum(1 for c in cells if cell_text(c)) <= 1:
            continue  # a merged title
        score = _header_score(cells)
        if score > best[1]:
            best = (r, score)
    return best


def choose_mapping(
    path: Path, grids: list[Grid], sheet: str | None, problems: Problems, notes: list[str]
) -> tuple[Grid, Mapping] | None:
    if sheet is not None:
        found = [g for g in grids if g.name.strip().lower() == sheet.strip().lower()]
        if not found:
            problems.add(
                path,
                "",
                "--sheet",
                f"the workbook has no sheet '{sheet}' (it has " + ", ".join(g.name for g in grids) + ")",
                "give one of those sheet names",
            )
            return None
        grid = found[0]
        row, score = find_header(grid)
        if not score:
            problems.add(
                path,
                f"sheet {grid.name}",
                "",
                f"no header row found in the first {HEADER_SEARCH_ROWS} "
                "rows (one with a Ref or Description column and at least one year column such as "
                "2021/22)",
                "check the sheet, or give the mapping with --map",
            )
            return None
    else:
        scored = [(g, *find_header(g)) for g in grids if not g.hidden]
        scored = [s for s in scored if s[2]]
        if not scored:
            hidden = [g.name for g in grids if g.hidden]
            problems.add(
                path,
                "",
                "",
                "no visible sheet looks like a savings tracker (a header row with a Ref or "
                "Description column and year columns such as 2021/22 £000)"
                + (f"; hidden sheets ({', '.join(hidden)}) are read only when named" if hidden else ""),
                "name the sheet with --sheet, or give the mapping with --map",
            )
            return None
        grid, row, score = max(scored, key=lambda s: s[2])
        others = [g.name for g in grids if g is not grid]
        if others:
            notes.append(
                f"sheet '{grid.name}' read; not read: "
                + ", ".join(f"'{g.name}'" + (" (hidden)" if g.hidden else "") for g in grids if g is not grid)
            )
    columns: dict[str, str] = {}
    for cell in grid.rows[row - 1]:
        header = cell_text(cell)
        if header and header not in columns:
            columns[header] = _mapped_field(header)
    return grid, Mapping(grid.name, row, columns)


def read_map(map_path: Path, path: Path, grids: list[Grid], problems: Problems) -> tuple[Grid, Mapping] | None:
    from mtfs_align.io.yamlio import load_yaml

    doc = load_yaml(map_path, problems, "column map")
    if doc is None:
        return None
    data = doc.data

    def add(key: tuple, message: str, fix: str) -> None:
        line = doc.line(key)
        problems.add(map_path, f"line {line}" if line else "", ".".join(str(k) for k in key), message, fix)

    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        add((), "must hold sheet, header_row and columns", "import once without --map to get a columns.yaml")
        return None
    for key in data:
        if key not in ("sheet", "header_row", "columns"):
            add((key,), f"unknown key '{key}'", "allowed keys: sheet, header_row, columns")
    names = [g.name for g in grids]
    sheet = str(data.get("sheet") or names[0])
    grid = next((g for g in grids if g.name.strip().lower() == sheet.strip().lower()), None)
    if len(grids) == 1 and grids[0].from_csv:
        grid = grids[0]  # a CSV file has one sheet, whatever next month's file is called
    if grid is None:
        add(("sheet",), f"the tracker has no sheet '{sheet}' (it has {', '.join(names)})", "give one of those names")
        return None
    row = data.get("header_row")
    if not isinstance(row, int) or isinstance(row, bool) or not 1 <= row <= len(grid.rows):
        add(
            ("header_row",),
            f"'{row}' is not a row of sheet {grid.name}",
            f"give the row number of the header (1 to {len(grid.rows)})",
        )
        return None
    present = {cell_text(c) for c in grid.rows[row - 1] if cell_text(c)}
    columns: dict[str, str] = {}
    for header, wanted in data["columns"].items():
        header, wanted = str(header), str(wanted).strip()
        if not (wanted in FIELDS or _MAP_YEAR.match(wanted) or _MAP_MONEY.match(wanted)):
            add(
                ("columns", header),
                f"'{wanted}' is not a field",
                "use one of " + ", ".join(FIELDS) + ", or 'saving 2021/22' (optionally 'in £m')",
            )
            continue
        if header not in present:
            add(
                ("columns", header),
                f"sheet {grid.name} has no column '{header}' in row {row}",
                "correct the name, or remove the line",
            )
            continue
        columns[header] = wanted
    for header in present - set(columns):
        columns[header] = "ignore"
    return grid, Mapping(grid.name, row, columns)


# --------------------------------------------------------------------------------------------
# rows -> options and activities
# --------------------------------------------------------------------------------------------


@dataclass
class Import:
    """What an import found: the tables to write, and the summary for the officer."""

    mapping: Mapping
    options: list[dict[str, str]]
    activities: list[dict[str, str]] | None
    left_out: list[str]
    notes: list[str]
    activity_ids: list[str]
    written: list[str] = field(default_factory=list)


_TOTAL_WORD = re.compile(r"(grand\s*|sub[\s-]*)?totals?:?", re.IGNORECASE)


def _is_total(text: str) -> bool:
    """'Total', 'Grand total', 'Sub-total', 'Adults total': a totals row (not 'Review of total care')."""
    text = text.strip().lower()
    return bool(re.match(r"(grand\s*total|sub[\s-]*total|total)s?\b", text) or re.search(r"\b(sub-?)?totals?$", text))


def _problem_place(grid: Grid, r: int) -> str:
    return f"sheet {grid.name}, row {r}"


def read_tracker(path: Path, into: Path, sheet: str | None, map_path: Path | None, problems: Problems) -> Import | None:
    """Read the tracker into options (and activities) rows; problems are located by sheet, row and column."""
    notes: list[str] = []
    grids = read_grids(path, problems)
    if grids is None:
        return None
    chosen = (
        read_map(map_path, path, grids, problems)
        if map_path is not None
        else choose_mapping(path, grids, sheet, problems, notes)
    )
    if chosen is None or problems:
        return None
    grid, mapping = chosen
    header = [cell_text(c) for c in grid.rows[mapping.header_row - 1]]
    position = {}  # field -> column index (first column of that field)
    years: dict[int, tuple[int, int]] = {}  # year start -> (column index, unit)
    money_units: dict[str, int] = {}
    for c, text in enumerate(header):
        wanted = mapping.columns.get(text, "ignore") if text else "ignore"
        year_match, money_match = _MAP_YEAR.match(wanted), _MAP_MONEY.match(wanted)
        if year_match:
            start = int(year_match.group(1)[:4])
            if start in years:
                problems.add(
                    path,
                    _problem_place(grid, mapping.header_row),
                    text,
                    f"{year_label(start)} has two columns",
                    "map one of them as ignore (--map)",
                )
            years[start] = (c, UNIT_FACTOR[year_match.group(2)])
        elif money_match:
            position.setdefault(money_match.group(1), c)
            money_units[money_match.group(1)] = UNIT_FACTOR[money_match.group(2)]
        elif wanted != "ignore":
            position.setdefault(wanted, c)
    place = _problem_place(grid, mapping.header_row)
    for needed, words in (("id", "Ref"), ("name", "Saving description"), ("rag", "RAG")):
        if needed not in position:
            problems.add(
                path,
                place,
                needed,
                f"no column maps to {needed}",
                f"add a '{words}' column, or map one in columns.yaml with --map",
            )
    if not years:
        problems.add(
            path,
            place,
            "",
            "no year columns (such as 2021/22 £000)",
            "name the savings columns by financial year, or map them with --map",
        )
    if "activity" not in position and "directorate" not in position:
        problems.add(
            path,
            place,
            "activity",
            "no column maps to activity (or directorate)",
            "add a 'Service line' column naming the activity of each saving",
        )
    if problems:
        return None
    if "activity" not in position:
        notes.append("no activity column: each option's directorate is used as its activity")
    if "type" not in position:
        notes.append(
            "no type column: every option is written as 'efficiency' (a service saving, so it counts "
            "against its activity's floor); edit options.csv for income or financing options"
        )
    ignored = [h for h, f in mapping.columns.items() if f == "ignore"]
    if ignored:
        notes.append("columns not used: " + ", ".join(ignored))

    existing = _existing_activities(into)
    year_starts = sorted(years)
    options: list[dict[str, str]] = []
    left_out: list[str] = []
    budgets: dict[str, tuple[Decimal, str, int]] = {}
    since_total: list[list[Decimal]] = []
    seen: dict[str, int] = {}
    letter = _column_letter

    def text_at(cells: list[object], name: str) -> str:
        c = position.get(name)
        return cell_text(cells[c]) if c is not None and c < len(cells) else ""

    def money_at(cells, c, unit, r, label) -> Decimal | None:
        value = cells[c] if c < len(cells) else None
        if (r, c + 1) in grid.formulas:
            problems.add(
                path,
                _problem_place(grid, r),
                f"column {letter(c)} ({label})",
                f"cell {letter(c)}{r} holds a formula ({grid.formulas[(r, c + 1)]}) with no saved value",
                "open the workbook in Excel and save it, or type the value",
            )
            return None
        amount = parse_money(value)
        if amount is None:
            problems.add(
                path,
                _problem_place(grid, r),
                f"column {letter(c)} ({label})",
                f"'{cell_text(value)}' is not an amount of money",
                MONEY_FIX,
            )
            return None
        return amount if has_own_unit(value) else amount * unit

    for r in range(mapping.header_row + 1, len(grid.rows) + 1):
        cells = grid.rows[r - 1]
        if not any(cell_text(c) for c in cells):
            left_out.append(f"row {r}: blank")
            continue
        ident, name = text_at(cells, "id"), text_at(cells, "name")
        label = next((t for t in (ident, name) if _is_total(t)), None)
        if not label:  # 'Total' in another column, or 'Adults total' in a row with no reference
            label = next(
                (
                    cell_text(c)
                    for c in cells
                    if _TOTAL_WORD.fullmatch(cell_text(c)) or (not ident and isinstance(c, str) and _is_total(c))
                ),
                None,
            )
        if label:
            left_out.append(f"row {r}: totals row ({label})")
            since_total = []
            continue
        filled = [cell_text(c) for c in cells if cell_text(c)]
        if len(filled) == 1 and parse_money(filled[0]) is None:
            left_out.append(f"row {r}: heading ({filled[0]})")  # a section heading such as 'Adults'
            continue
        amounts = [money_at(cells, years[y][0], years[y][1], r, header[years[y][0]]) for y in year_starts]
        if any(a is None for a in amounts):
            continue
        if not ident:
            if since_total and any(amounts) and amounts == [sum(col) for col in zip(*since_total, strict=True)]:
                left_out.append(f"row {r}: totals row (sums the rows above)")
                since_total = []
                continue
            problems.add(
                path,
                _problem_place(grid, r),
                f"column {letter(position['id'])} ({header[position['id']]})",
                "the saving has no reference",
                "give every saving a Ref",
            )
            continue
        if ident in seen:
            problems.add(
                path,
                _problem_place(grid, r),
                f"column {letter(position['id'])} ({header[position['id']]})",
                f"reference '{ident}' is also used in row {seen[ident]}",
                "make every Ref unique",
            )
            continue
        seen[ident] = r
        since_total.append(amounts)
        row = _option_row(
            path,
            grid,
            r,
            cells,
            ident,
            name,
            amounts,
            year_starts,
            position,
            header,
            money_units,
            existing,
            problems,
            text_at,
            money_at,
        )
        if row is None:
            continue
        options.append(row)
        if "budget_k" in position:
            c = position["budget_k"]
            budget = money_at(cells, c, money_units.get("budget_k", 1), r, header[c])
            if budget is not None and cell_text(cells[c] if c < len(cells) else None):
                known = budgets.get(row["activity"])
                if known is not None and known[0] != budget:
                    problems.add(
                        path,
                        _problem_place(grid, r),
                        f"column {letter(c)} ({header[c]})",
                        f"the budget of '{row['activity']}' is {money_text(budget)} here but "
                        f"{money_text(known[0])} in row {known[2]}",
                        "give one budget per service line",
                    )
                elif known is None:
                    budgets[row["activity"]] = (budget, text_at(cells, "directorate"), r)
    if problems:
        return None
    if not options:
        problems.add(
            path,
            f"sheet {grid.name}",
            "",
            "no savings rows found below the header",
            "check the sheet and header row (--sheet, --map)",
        )
        return None
    _profile_columns(options)
    activity_ids = sorted({o["activity"] for o in options})
    activities = None
    if budgets:
        activities = [
            {
                "id": a,
                "name": a,
                "directorate": budgets[a][1] if a in budgets else "",
                "outcomes": "",
                "baseline_k": money_text(budgets[a][0]) if a in budgets else "",
            }
            for a in activity_ids
        ]
        missing = [a for a in activity_ids if a not in budgets]
        if missing:
            problems.add(
                path,
                f"sheet {grid.name}",
                "budget_k",
                "no budget given for " + ", ".join(missing),
                "give the budget of every service line on at least one of its rows",
            )
            return None
    return Import(mapping, options, activities, left_out, notes, activity_ids)


def _column_letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)


def _existing_activities(into: Path) -> dict[str, str]:
    """Names and ids of an activities.csv already in the folder, lower case -> id."""
    path = into / "activities.csv"
    if not path.is_file():
        return {}
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return {}
    found = {}
    for row in rows:
        ident = (row.get("id") or "").strip()
        if ident:
            found[ident.lower()] = ident
            if (row.get("name") or "").strip():
                found[row["name"].strip().lower()] = ident
    return found


def _option_row(
    path,
    grid,
    r,
    cells,
    ident,
    name,
    amounts,
    year_starts,
    position,
    header,
    money_units,
    existing,
    problems,
    text_at,
    money_at,
) -> dict[str, str] | None:
    before = len(problems)
    where = _problem_place(grid, r) + f" ({ident})"

    def bad(name_of_field: str, message: str, fix: str) -> None:
        c = position[name_of_field]
        problems.add(path, where, f"column {_column_letter(c)} ({header[c]})", message, fix)

    rag_text = text_at(cells, "rag")
    rag = rag_of(rag_text) if rag_text else None
    if rag is None:
        bad(
            "rag",
            f"'{rag_text}' is not a RAG rating" if rag_text else "the RAG rating is blank",
            "write Green, Amber or Red (or G, A, R; Amber/Green reads as Amber)",
        )
    kind = "efficiency"
    if "type" in position:
        type_text = text_at(cells, "type")
        kind = TYPE_WORDS.get(re.sub(r"[^a-z]", "", type_text.lower()), "") if type_text else "efficiency"
        if not kind:
            bad("type", f"'{type_text}' is not an option type", "use one of: " + ", ".join(OPTION_TYPES))
    activity = text_at(cells, "activity") if "activity" in position else text_at(cells, "directorate")
    if not activity:
        bad(
            "activity" if "activity" in position else "directorate",
            "the service line is blank",
            "name the activity (service line) of every saving",
        )
    activity = existing.get(activity.lower(), activity)
    start = None
    if "earliest" in position and text_at(cells, "earliest"):
        value = cells[position["earliest"]]
        start = year_of_cell(value)
        if start is None:
            bad("earliest", f"'{cell_text(value)}' is not a financial year", "write the start year as 2021/22")
    latest = None
    if "latest" in position and text_at(cells, "latest"):
        latest = year_of_cell(cells[position["latest"]])
        if latest is None:
            bad("latest", f"'{text_at(cells, 'latest')}' is not a financial year", "write the year as 2021/22")
    if not text_at(cells, "earliest"):  # no start given: the first year with a saving (or a cost)
        start = next((y for y, a in zip(year_starts, amounts, strict=True) if a != 0), None)
    elif start is not None:
        early = [year_label(y) for y, a in zip(year_starts, amounts, strict=True) if y < start and a != 0]
        if early:
            bad(
                "earliest",
                f"savings are given in {', '.join(early)}, before the start {year_label(start)}",
                "correct the start year or the savings by year",
            )
    profile: list[Decimal] = []
    if start is not None:
        last = max(year_starts)
        by_year = dict(zip(year_starts, amounts, strict=True))
        profile = [by_year.get(y, Decimal(0)) for y in range(start, last + 1)]
        while profile and profile[-1] == 0:
            profile.pop()
    one_off = ""
    if "one_off_k" in position:
        c = position["one_off_k"]
        amount = money_at(cells, c, money_units.get("one_off_k", 1), r, header[c])
        # a cost column: (500) and 500 both mean a cost of 500
        one_off = "" if amount is None or not text_at(cells, "one_off_k") else money_text(abs(amount))
    effort = ""
    if "effort" in position and text_at(cells, "effort"):
        amount = parse_money(cells[position["effort"]])
        if amount is None or amount < 0:
            bad("effort", f"'{text_at(cells, 'effort')}' is not a number of effort points", "write e.g. 1 or 2.5")
        else:
            effort = money_text(amount)
    equality = ""
    if "equality_impact" in position and text_at(cells, "equality_impact"):
        word = re.sub(r"[^a-z]", "", text_at(cells, "equality_impact").lower())
        equality = EQUALITY_WORDS.get(word, "")
        if not equality:
            bad(
                "equality_impact",
                f"'{text_at(cells, 'equality_impact')}' is not an equality impact",
                "write none, low, medium or high",
            )
    if len(problems) > before:
        return None
    row = {"id": ident, "name": name or ident, "activity": activity, "type": kind, "rag": rag or ""}
    row["_profile"] = profile  # type: ignore[assignment]
    row["earliest"] = year_label(start) if start is not None else ""
    row["latest"] = year_label(latest) if latest is not None else row["earliest"]
    row.update(
        {
            "one_off_k": one_off,
            "effort": effort,
            "harms": "",
            "benefits": "",
            "requires": "",
            "excludes": "",
            "equality_impact": equality,
        }
    )
    return row


def _profile_columns(options: list[dict]) -> None:
    length = max([len(o["_profile"]) for o in options] + [1])
    for option in options:
        profile = option.pop("_profile")
        for j in range(length):
            option[f"y{j + 1}_k"] = money_text(profile[j]) if j < len(profile) else "0"


# --------------------------------------------------------------------------------------------
# writing: only files the importer wrote before
# --------------------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csv_bytes(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(str(row.get(c, ""))) for c in columns])
    return buffer.getvalue().encode("utf-8")


def _safe(text: str) -> str:
    """Text a spreadsheet would run as a formula is neutralised (DESIGN 7); a negative amount is not text."""
    return text if re.fullmatch(r"-?\d+(\.\d+)?", text) else neutralise(text)


def planned_files(result: Import, into: Path, map_path: Path | None) -> dict[str, bytes]:
    length = max(int(k[1:-2]) for k in result.options[0] if re.fullmatch(r"y\d+_k", k))
    columns = OPTION_COLUMNS_BEFORE + [f"y{j}_k" for j in range(1, length + 1)] + OPTION_COLUMNS_AFTER
    files = {"options.csv": _csv_bytes(result.options, columns)}
    if result.activities is not None:
        files["activities.csv"] = _csv_bytes(result.activities, ACTIVITY_COLUMNS)
    given_here = map_path is not None and map_path.resolve() == (into / MAP_FILE).resolve()
    if not given_here:  # the map the officer passed back is the mapping used: left as they wrote it
        files[MAP_FILE] = result.mapping.as_yaml().encode("utf-8")
    return files


def check_writable(into: Path, files: dict[str, bytes], problems: Problems) -> dict:
    """Problems for every file that exists but was not written by the importer (or was edited since)."""
    marker = _read_marker(into)
    for name in files:
        target = into / name
        if not target.exists():
            continue
        recorded = marker.get("files", {}).get(name)
        if recorded is None:
            problems.add(
                target,
                "",
                "",
                "this file was not written by mtfs-align import; it is left as it is",
                f"move or rename {name}, then import again",
            )
        elif _sha256(target.read_bytes()) != recorded:
            problems.add(
                target,
                "",
                "",
                "this file has been changed since mtfs-align import wrote it",
                f"move or rename {name} to keep your changes, then import again",
            )
    return marker


def _read_marker(into: Path) -> dict:
    try:
        data = json.loads((into / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {"files": {}}
    except (OSError, ValueError):
        return {"files": {}}


def write_files(into: Path, files: dict[str, bytes], marker: dict, source: str) -> None:
    """Write each file through a temporary file and a rename, then the marker listing them."""
    into.mkdir(parents=True, exist_ok=True)
    recorded = dict(marker.get("files", {}))
    for name, data in files.items():
        _atomic_write(into / name, data)
        recorded[name] = _sha256(data)
    body = {"written_by": "mtfs-align import", "tracker": source, "files": recorded}
    _atomic_write(into / MARKER, (json.dumps(body, indent=2) + "\n").encode("utf-8"))


def _atomic_write(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def import_tracker(path: Path, into: Path, sheet: str | None = None, map_path: Path | None = None) -> Import:
    """Read the tracker and write options.csv (activities.csv, columns.yaml) into `into`.

    Raises InputError with every problem, having written nothing, when the tracker cannot be read
    or a file to be written was not written by the importer."""
    problems = Problems()
    if into.exists() and not into.is_dir():
        problems.add(into, "", "--into", "is a file, not a folder", "give the data folder to write into")
        problems.raise_if_any()
    result = read_tracker(path, into, sheet, map_path, problems)
    problems.raise_if_any()
    files = planned_files(result, into, map_path)
    marker = check_writable(into, files, problems)
    problems.raise_if_any()
    write_files(into, files, marker, path.name)
    result.written = sorted(files)
    if result.activities is None and not (into / "activities.csv").is_file():
        result.notes.append(
            f"{display_path(into / 'activities.csv')} is missing and the tracker has no budget column: add it with "
            "one row per activity (columns id, name, directorate, outcomes, baseline_k), using these ids: "
            + ", ".join(result.activity_ids)
        )
    elif result.activities is None:
        known = set(_existing_activities(into).values())
        unknown = [a for a in result.activity_ids if a not in known]
        if unknown:
            result.notes.append(
                "these activities are not in activities.csv yet: "
                + ", ".join(unknown)
                + "; add them (or rename them in the tracker) before validate"
            )
    return result
