"""Reading a tracker (.xlsx or .csv) as grids of raw cell values, one a sheet, after checking the
workbook is safe to open."""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from mtfs_align.errors import Problems


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
