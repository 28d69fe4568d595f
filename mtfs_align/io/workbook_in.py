"""Excel input: a data folder may hold one `.xlsx` workbook (sheets `activities` and `options`)
in place of the two CSV files, so a finance team's savings tracker can be read directly.

Each sheet has the columns of its CSV file. The header is the first non-blank row (title rows above
it are allowed when they are blank); cells are read as the values Excel saved, so a problem is
located by sheet, row and column exactly as the user sees them in Excel.

Before openpyxl opens a workbook, the file is checked as a zip archive: above 50 MB, damaged,
unpacking to more than 200 MB (or at a ratio no spreadsheet has: a decompression bomb), or with
XML that declares a DTD or entities, it is refused with a located problem. Hidden sheets are never
read when a visible sheet of the name exists; merged cells in the data area are refused (their value
lives only in the top-left cell, so the rest would read as blank); a `*_pct` cell formatted as a
percentage (shown 3.0%, stored 0.03) is read as the percentage shown.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from datetime import date, datetime, time
from pathlib import Path

from openpyxl.utils import get_column_letter, range_boundaries

from mtfs_align.errors import Problems
from mtfs_align.io.input_files import add, check_file
from mtfs_align.io.result_tables import heading, spec
from mtfs_align.io.tables import MAX_ROWS, Row, Table, _check_columns

MAX_XLSX_BYTES = 50_000_000  # the file itself
MAX_UNPACKED_BYTES = 200_000_000  # every member unpacked, as the archive declares them
MAX_RATIO = 1_000  # unpacked / packed size of one member above 1 MB: a decompression bomb
_CHUNK = 1 << 20
_ENTITY_MARKS = tuple(
    mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
_FIX_RESAVE = "save it again from Excel as .xlsx"

SHEETS = ("activities", "options")
EXCEL_ERRORS = (
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
)


def find_workbook(data_dir: Path, problems: Problems) -> Path | None:
    """The workbook to read, when the folder has one and no CSV tables; None to read the CSVs."""
    books = sorted(p for p in data_dir.glob("*.xlsx") if not p.name.startswith("~$"))
    has_csv = (data_dir / "activities.csv").exists() or (data_dir / "options.csv").exists()
    if not books or has_csv:
        if books and has_csv:
            problems.warn(f"{data_dir.name}: both CSV tables and {books[0].name} found; the CSV files are used")
        return None
    if len(books) > 1:
        problems.add(
            data_dir,
            "",
            "",
            "more than one Excel workbook in the data folder: " + ", ".join(b.name for b in books),
            "keep one workbook (or use the CSV files)",
        )
        return None
    return books[0]


def _cell_text(value: object) -> str:
    """A cell's saved value as the text the CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        # A date typed where text was meant: show it as a date, not as an ISO timestamp.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def column_letter(columns: list[str], name: str) -> str:
    """The spreadsheet column letter of a named column (for messages)."""
    return get_column_letter(columns.index(name) + 1) if name in columns else "?"


def _inspect(path: Path, problems: Problems) -> dict[str, list[str]] | None:
    """The merged ranges of each XML member of the workbook, after checking the archive is safe to
    hand to openpyxl; None (with a problem) when it is not."""
    if not check_file(path, problems, "Excel workbook", MAX_XLSX_BYTES, "keep the data sheets in a smaller workbook"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNPACKED_BYTES:
                add(
                    problems,
                    path,
                    "",
                    "",
                    f"the workbook unpacks to {total / 1e6:,.0f} MB, above the limit of "
                    f"{MAX_UNPACKED_BYTES / 1e6:,.0f} MB (a damaged or malicious file)",
                    "keep the data sheets in a smaller workbook, saved from Excel",
                )
                return None
            for m in members:
                if m.file_size > 1_000_000 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                    add(
                        problems,
                        path,
                        "",
                        "",
                        f"the workbook's part {m.filename} unpacks {m.file_size // max(m.compress_size, 1):,} times "
                        "larger than it is stored, as no spreadsheet does (a decompression bomb)",
                        _FIX_RESAVE,
                    )
                    return None
            merges: dict[str, list[str]] = {}
            for m in members:
                if not m.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                found: set[bytes] = set()
                tail = b""
                with archive.open(m) as stream:
                    while chunk := stream.read(_CHUNK):
                        window = tail + chunk
                        if any(mark in window for mark in _ENTITY_MARKS):
                            add(
                                problems,
                                path,
                                m.filename,
                                "",
                                "the workbook's XML declares entities (a DTD), which Excel never writes "
                                "and which can be used to attack the reader",
                                _FIX_RESAVE,
                            )
                            return None
                        found.update(_MERGE.findall(window))
                        tail = window[-512:]
                if found:
                    merges[m.filename] = sorted(ref.decode() for ref in found)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        NotImplementedError,
        ValueError,
    ) as err:
        add(
            problems,
            path,
            "",
            "",
            f"the workbook is damaged: it is not a readable .xlsx archive ({type(err).__name__}: {err})",
            _FIX_RESAVE,
        )
        return None
    return merges


def check_workbook(path: Path, problems: Problems) -> bool:
    """Whether a workbook is safe to hand to openpyxl (size, zip damage, decompression bombs, DTD
    and entity declarations); when not, a located problem says why. For any reader of .xlsx."""
    return _inspect(path, problems) is not None


def _open(path: Path, problems: Problems, data_only: bool = True):
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation and the like
            return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as err:  # openpyxl raises many types for a damaged file
        problems.add(
            path,
            "",
            "",
            f"the workbook cannot be opened ({type(err).__name__}: {err})",
            _FIX_RESAVE,
        )
        return None


def _formulas_without_values(path: Path, sheet_name: str) -> dict[tuple[int, int], str]:
    """Formula cells of a sheet, by (row, column), for explaining cells that have no saved value
    (a workbook written by a program rather than saved from Excel)."""
    book = _open(path, Problems(), data_only=False)
    if book is None:
        return {}
    try:
        sheet = book[sheet_name]
        sheet.reset_dimensions()
        found = {}
        for r, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            for c, value in enumerate(record, start=1):
                if isinstance(value, str) and value.startswith("="):
                    found[(r, c)] = value
        return found
    except Exception:  # noqa: BLE001 - a damaged sheet is reported where its values are read
        return {}
    finally:
        book.close()


def _cell_value(cell) -> object:
    """A cell's saved value, with a percentage-formatted number kept with its format (see
    `_Percent`) so a `*_pct` column can read it as the percentage shown."""
    value = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", None) or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return _Percent(value)
    return value


class _Percent(float):
    """A number Excel shows as a percentage: 0.03 formatted 0.0% is shown 3.0%."""


MAX_CELLS = 2_000_000  # a sheet of a few thousand rows and a few dozen columns is 100,000 cells


def _read_records(path: Path, sheet, problems: Problems) -> list[tuple] | None:
    try:
        records = []
        cells = 0
        for row in sheet.iter_rows():
            records.append(tuple(_cell_value(c) for c in row))
            cells += max(len(records[-1]), 1)
            if len(records) > MAX_ROWS or cells > MAX_CELLS:
                add(
                    problems,
                    path,
                    f"sheet {sheet.title}, row {len(records)}",
                    "",
                    (
                        f"the sheet has more than {MAX_ROWS:,} rows"
                        if len(records) > MAX_ROWS
                        else f"the sheet has more than {MAX_CELLS:,} cells"
                    )
                    + ", more than any council's table",
                    "keep only the table in the sheet (delete rows and columns beyond it)",
                )
                return None
        return records
    except Exception as err:  # noqa: BLE001 - openpyxl raises many types for damaged sheet XML
        add(
            problems,
            path,
            f"sheet {sheet.title}",
            "",
            f"the sheet cannot be read: its XML is damaged ({type(err).__name__}: {err})",
            _FIX_RESAVE,
        )
        return None


def _merged_in_data(
    path: Path, sheet, merges: dict[str, list[str]], header_row: int, width: int, problems: Problems
) -> bool:
    """Refuse merged cells that reach the header row or the rows below it, within the table's
    columns: a merged cell's value lives only in its top-left cell, so the others read as blank."""
    member = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
    bad = False
    for ref in merges.get(member, []):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.upper())
        except (ValueError, TypeError):
            continue
        if max_row >= header_row and min_col <= width:
            add(
                problems,
                path,
                f"sheet {sheet.title}, rows {min_row}-{max_row}"
                if max_row > min_row
                else f"sheet {sheet.title}, row {min_row}",
                "",
                f"cells {ref.upper()} are merged: the value is held only in the top-left cell, so the others "
                "would be read as blank",
                "unmerge the cells and type the value in every row and column it belongs to",
            )
            bad = True
    return bad


def _read_sheet(
    path: Path,
    book,
    sheet_name: str,
    required: list[str],
    problems: Problems,
    ident_column: str,
    merges: dict[str, list[str]] | None = None,
    headings: dict[str, str] | None = None,
) -> Table | None:
    """One sheet as a Table: header on the first non-blank row, rows located by sheet and row,
    Excel error values and formulas that were never calculated reported by cell. `headings` maps
    a heading the tool's own workbook shows ("Start year") back to its column (`start`)."""
    sheet = book[sheet_name]
    sheet.reset_dimensions()  # some writers record a wrong used range; read every row there is
    records = _read_records(path, sheet, problems)
    if records is None:
        return None
    header_at = next((i for i, rec in enumerate(records) if any(_cell_text(c).strip() for c in rec)), None)
    if header_at is None:
        problems.add(
            path, f"sheet {sheet.title}, row 1", "", "the sheet is empty", "add a header row: " + ", ".join(required)
        )
        return None
    header_row = header_at + 1
    columns = [_cell_text(c).strip() for c in records[header_at]]
    if headings:
        columns = [headings.get(name, name) for name in columns]
    while columns and not columns[-1]:
        columns.pop()
    if not _check_columns(path, f"sheet {sheet.title}, row {header_row}", columns, required, problems):
        return None
    if _merged_in_data(path, sheet, merges or {}, header_row, len(columns), problems):
        return None
    percent = {i for i, name in enumerate(columns) if name.endswith("_pct")}
    formulas = None
    rows = []
    for number, record in enumerate(records[header_at + 1 :], start=header_row + 1):
        record = list(record) + [None] * max(0, len(columns) - len(record))
        for i in percent:
            if isinstance(record[i], _Percent):
                record[i] = round(float(record[i]) * 100, 10)  # shown 3.0%, stored 0.03: the user means 3
        cells = [_cell_text(c) for c in record[: len(columns)]]
        if not any(cell.strip() for cell in cells):
            if formulas is None:
                formulas = _formulas_without_values(path, sheet.title)
            if not any((number, c) in formulas for c in range(1, len(columns) + 1)):
                continue
        ident = cells[columns.index(ident_column)].strip() if ident_column in columns else ""
        where = f"sheet {sheet.title}, row {number}" + (f" ({ident})" if ident else "")
        bad = False
        for c, (name, cell) in enumerate(zip(columns, cells, strict=True), start=1):
            if not name:
                continue
            ref = f"{get_column_letter(c)}{number}"
            if cell.strip() in EXCEL_ERRORS:
                problems.add(
                    path,
                    where,
                    name,
                    f"cell {ref} shows the Excel error {cell.strip()}",
                    "correct the formula or type the value",
                )
                bad = True
            elif record[c - 1] is None:
                if formulas is None:
                    formulas = _formulas_without_values(path, sheet.title)
                if (number, c) in formulas:
                    problems.add(
                        path,
                        where,
                        name,
                        f"cell {ref} holds a formula ({formulas[(number, c)]}) with no saved value",
                        "open the workbook in Excel and save it, or type the value",
                    )
                    bad = True
        if not bad:
            rows.append(Row(dict(zip(columns, cells, strict=True)), path, where))
    return Table(path, columns, rows)


def _pick_sheet(path: Path, book, wanted: str, problems: Problems) -> str | None:
    """The visible sheet named `wanted` (case and spacing ignored). A hidden sheet of that name is
    never read in place of a visible one (it is usually a stale copy); a name that only a hidden
    sheet has, or that two visible sheets share, is a problem."""
    matches = [name for name in book.sheetnames if name.strip().lower() == wanted]
    visible = [name for name in matches if getattr(book[name], "sheet_state", "visible") == "visible"]
    if len(visible) == 1:
        return visible[0]
    if len(visible) > 1:
        add(
            problems,
            path,
            "",
            "",
            f"the workbook has {len(visible)} sheets named '{wanted}' ({', '.join(visible)})",
            "keep one of them",
        )
    elif matches:
        add(
            problems,
            path,
            f"sheet {matches[0]}",
            "",
            f"the sheet '{matches[0]}' is hidden",
            "unhide it in Excel (right-click a sheet tab > Unhide) if it holds the data, or delete it",
        )
    else:
        add(
            problems,
            path,
            "",
            "",
            f"the workbook has no sheet named '{wanted}' (it has {', '.join(book.sheetnames)})",
            f"add a sheet '{wanted}' with the columns of {wanted}.csv",
        )
    return None


def _has_sheets(path: Path, book, problems: Problems) -> bool:
    """Whether openpyxl found any sheet: it opens a workbook whose sheet parts are missing as one
    with no sheets at all, which Excel never saves."""
    if book.sheetnames:
        return True
    add(problems, path, "", "", "the workbook has no sheets it can read (it is damaged)", _FIX_RESAVE)
    return False


def read_workbook_tables(
    path: Path, problems: Problems, activity_columns: list[str], option_columns: list[str]
) -> tuple[Table | None, Table | None]:
    """The `activities` and `options` sheets as tables; problems name the sheet, row and column."""
    merges = _inspect(path, problems)
    if merges is None:
        return None, None
    book = _open(path, problems)
    if book is None:
        return None, None
    tables: list[Table | None] = []
    try:
        if not _has_sheets(path, book, problems):
            return None, None
        for sheet_name, required in zip(SHEETS, (activity_columns, option_columns), strict=True):
            name = _pick_sheet(path, book, sheet_name, problems)
            tables.append(None if name is None else _read_sheet(path, book, name, required, problems, "id", merges))
    finally:
        book.close()
    return tables[0], tables[1]


def read_plan_sheet(path: Path, problems: Problems) -> Table | None:
    """A plan in a workbook: the visible sheet named `plan`, else the first visible sheet, with
    option and start (so `results.xlsx` written by the tool can be given back to `check --plan`:
    its council-English headings, "Option" and "Start year", are read as the columns they name)."""
    headings = {heading(column): column for column, _ in spec("plan").columns}
    merges = _inspect(path, problems)
    if merges is None:
        return None
    book = _open(path, problems)
    if book is None:
        return None
    try:
        if not _has_sheets(path, book, problems):
            return None
        visible = [n for n in book.sheetnames if getattr(book[n], "sheet_state", "visible") == "visible"]
        named = [n for n in visible if n.strip().lower() == "plan"]
        name = (named or visible or book.sheetnames)[0]
        return _read_sheet(path, book, name, ["option", "start"], problems, "option", merges, headings)
    finally:
        book.close()
