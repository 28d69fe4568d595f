"""The column map (columns.yaml): which sheet, which header row, and the field of each column,
found from the council's own names or read back from an earlier import's map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from mtfs_align.errors import Problems
from mtfs_align.io.tracker.cells import (
    FIELDS,
    MAP_MONEY,
    MAP_YEAR,
    MONEY_FIELDS,
    UNIT_WORD,
    cell_text,
    field_of_header,
    header_unit,
)
from mtfs_align.io.tracker.grid import Grid

MAP_FILE = "columns.yaml"
HEADER_SEARCH_ROWS = 30


@dataclass
class ColumnMap:
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
) -> tuple[Grid, ColumnMap] | None:
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
    return grid, ColumnMap(grid.name, row, columns)


def read_map(map_path: Path, path: Path, grids: list[Grid], problems: Problems) -> tuple[Grid, ColumnMap] | None:
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
        if not (wanted in FIELDS or MAP_YEAR.match(wanted) or MAP_MONEY.match(wanted)):
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
    return grid, ColumnMap(grid.name, row, columns)
