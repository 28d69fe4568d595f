"""Excel input: a data folder may hold one `.xlsx` workbook (sheets `activities` and `options`)
in place of the two CSV files, so a finance team's savings tracker can be read directly.

Each sheet has the columns of its CSV file. The header is the first non-blank row (title rows above
it are allowed when they are blank); cells are read as the values Excel saved, so a problem is
located by sheet, row and column exactly as the user sees them in Excel.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime, time
from pathlib import Path

from openpyxl.utils import get_column_letter

from mtfs_align.errors import Problems
from mtfs_align.io.tables import Row, Table, _check_columns

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
            "save it again from Excel as .xlsx",
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
    finally:
        book.close()


def _read_sheet(
    path: Path, book, sheet_name: str, required: list[str], problems: Problems, ident_column: str
) -> Table | None:
    """One sheet as a Table: header on the first non-blank row, rows located by sheet and row,
    Excel error values and formulas that were never calculated reported by cell."""
    sheet = book[sheet_name]
    sheet.reset_dimensions()  # some writers record a wrong used range; read every row there is
    records = list(sheet.iter_rows(values_only=True))
    header_at = next((i for i, rec in enumerate(records) if any(_cell_text(c).strip() for c in rec)), None)
    if header_at is None:
        problems.add(
            path, f"sheet {sheet.title}, row 1", "", "the sheet is empty", "add a header row: " + ", ".join(required)
        )
        return None
    header_row = header_at + 1
    columns = [_cell_text(c).strip() for c in records[header_at]]
    while columns and not columns[-1]:
        columns.pop()
    if not _check_columns(path, f"sheet {sheet.title}, row {header_row}", columns, required, problems):
        return None
    formulas = None
    rows = []
    for number, record in enumerate(records[header_at + 1 :], start=header_row + 1):
        record = list(record) + [None] * max(0, len(columns) - len(record))
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


def read_workbook_tables(
    path: Path, problems: Problems, activity_columns: list[str], option_columns: list[str]
) -> tuple[Table | None, Table | None]:
    """The `activities` and `options` sheets as tables; problems name the sheet, row and column."""
    book = _open(path, problems)
    if book is None:
        return None, None
    tables: list[Table | None] = []
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        for sheet_name, required in zip(SHEETS, (activity_columns, option_columns), strict=True):
            if sheet_name not in names:
                problems.add(
                    path,
                    "",
                    "",
                    f"the workbook has no sheet named '{sheet_name}' (it has {', '.join(book.sheetnames)})",
                    f"add a sheet '{sheet_name}' with the columns of {sheet_name}.csv",
                )
                tables.append(None)
                continue
            tables.append(_read_sheet(path, book, names[sheet_name], required, problems, "id"))
    finally:
        book.close()
    return tables[0], tables[1]


def read_plan_sheet(path: Path, problems: Problems) -> Table | None:
    """A plan in a workbook: the sheet named `plan`, else the first sheet, with option and start
    (so `results.xlsx` written by the tool can be given back to `check --plan`)."""
    book = _open(path, problems)
    if book is None:
        return None
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        return _read_sheet(path, book, names.get("plan", book.sheetnames[0]), ["option", "start"], problems, "option")
    finally:
        book.close()
