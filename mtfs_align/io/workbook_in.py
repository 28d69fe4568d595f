"""Excel input: a data folder may hold one `.xlsx` workbook (sheets `activities` and `options`)
in place of the two CSV files, so a finance team's savings tracker can be read directly."""

from __future__ import annotations

import warnings
from pathlib import Path

from openpyxl.utils import get_column_letter

from mtfs_align.errors import Problems
from mtfs_align.io.tables import Row, Table, _check_columns

SHEETS = ("activities", "options")


def find_workbook(data_dir: Path, problems: Problems) -> Path | None:
    """The workbook to read, when the folder has one and no CSV tables; None to read the CSVs."""
    books = sorted(p for p in data_dir.glob("*.xlsx") if not p.name.startswith("~$"))
    has_csv = (data_dir / "activities.csv").exists() or (data_dir / "options.csv").exists()
    if not books or has_csv:
        if books and has_csv:
            problems.warn(f"{data_dir.name}: both CSV tables and {books[0].name} found; the CSV files are used")
        return None
    if len(books) > 1:
        problems.add(data_dir, "", "", "more than one Excel workbook in the data folder: "
                     + ", ".join(b.name for b in books), "keep one workbook (or use the CSV files)")
        return None
    return books[0]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_workbook_tables(path: Path, problems: Problems, activity_columns: list[str],
                         option_columns: list[str]) -> tuple[Table | None, Table | None]:
    """The `activities` and `options` sheets as tables; problems name the sheet, row and column."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        problems.add(path, "", "", f"the workbook cannot be opened ({type(err).__name__}: {err})",
                     "save it again from Excel as .xlsx")
        return None, None
    tables = []
    try:
        for sheet_name, required in zip(SHEETS, (activity_columns, option_columns), strict=True):
            names = {name.strip().lower(): name for name in book.sheetnames}
            if sheet_name not in names:
                problems.add(path, "", "", f"the workbook has no sheet named '{sheet_name}'",
                             f"add a sheet '{sheet_name}' with the columns of {sheet_name}.csv")
                tables.append(None)
                continue
            sheet = book[names[sheet_name]]
            rows_iter = sheet.iter_rows(values_only=True)
            header = next(rows_iter, None)
            if header is None:
                problems.add(path, f"sheet {sheet_name}, row 1", "", "the sheet is empty",
                             "add a header row: " + ", ".join(required))
                tables.append(None)
                continue
            columns = [_cell_text(c).strip() for c in header]
            while columns and not columns[-1]:
                columns.pop()
            if not _check_columns(path, f"sheet {sheet_name}, row 1", columns, required, problems):
                tables.append(None)
                continue
            rows = []
            for number, record in enumerate(rows_iter, start=2):
                cells = [_cell_text(c) for c in record]
                if not any(cell.strip() for cell in cells):
                    continue
                values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)}
                ident = values.get("id", "").strip()
                where = f"sheet {sheet_name}, row {number}" + (f" ({ident})" if ident else "")
                rows.append(Row(values, path, where))
            tables.append(Table(path, columns, rows))
    finally:
        book.close()
    return tables[0], tables[1]


def column_letter(columns: list[str], name: str) -> str:
    """The spreadsheet column letter of a named column (for messages)."""
    return get_column_letter(columns.index(name) + 1) if name in columns else "?"


def read_plan_sheet(path: Path, problems: Problems) -> Table | None:
    """A plan in a workbook: the sheet named `plan`, else the first sheet, with option and start."""
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        problems.add(path, "", "", f"the workbook cannot be opened ({type(err).__name__})",
                     "save it again from Excel as .xlsx")
        return None
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        sheet = book[names.get("plan", book.sheetnames[0])]
        records = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not records:
        problems.add(path, f"sheet {sheet.title}, row 1", "", "the sheet is empty", "add option and start columns")
        return None
    columns = [_cell_text(c).strip() for c in records[0]]
    if not _check_columns(path, f"sheet {sheet.title}, row 1", columns, ["option", "start"], problems):
        return None
    rows = []
    for number, record in enumerate(records[1:], start=2):
        cells = [_cell_text(c) for c in record]
        if not any(c.strip() for c in cells):
            continue
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns)}
        rows.append(Row(values, path, f"sheet {sheet.title}, row {number} ({values.get('option', '')})"))
    return Table(path, columns, rows)
