"""Reading a plan back from a file: `plan.csv` as written by the tool, or a hand-made table with
the columns `option` and `start` (CSV, or XLSX with the plan on its first sheet)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from mtfs_align.errors import Problems
from mtfs_align.io.ids import KnownIds
from mtfs_align.io.tables import Table, read_csv_table
from mtfs_align.years import parse_year


class Horizon(Protocol):
    """What a plan file is checked against: the scenario's years and options (io/ reads files and
    does not depend on the scenario stage)."""

    years: list[str]
    options: Mapping[str, object]


def read_plan_file(path: Path, scenario: Horizon) -> dict[str, int]:
    """Option -> start year index; unknown options and years outside the horizon are bad input."""
    problems = Problems()
    table = _read(path, problems)
    problems.raise_if_any()
    first = parse_year(scenario.years[0])
    n = len(scenario.years)
    plan: dict[str, int] = {}
    known = KnownIds(scenario.options, "options.csv")
    for row in table.rows:
        oid, label = row.get("option"), row.get("start")
        if oid and oid not in scenario.options and oid.startswith("'") and oid[1:] in scenario.options:
            oid = oid[1:]  # an id such as '=S1' that plan.csv wrote neutralised (a leading apostrophe)
        if not oid:
            problems.add(path, row.where, "option", "the option is blank", "name an option id from options.csv")
            continue
        if oid not in scenario.options:
            message, fix = known.unknown(
                oid, f"'{oid}' is not an option of this scenario", "use an id from options.csv"
            )
            problems.add(path, row.where, "option", message, fix)
            continue
        if oid in plan:
            problems.add(path, row.where, "option", f"option {oid} appears twice", "list each option once")
            continue
        try:
            index = parse_year(label) - first
        except ValueError as err:
            problems.add(path, row.where, "start", str(err), "write the start year as 2021/22")
            continue
        if not 0 <= index < n:
            problems.add(
                path,
                row.where,
                "start",
                f"{label} is outside the horizon {scenario.years[0]} to {scenario.years[-1]}",
                "use a year within the horizon",
            )
            continue
        plan[oid] = index
    problems.raise_if_any()
    return plan


def _read(path: Path, problems: Problems) -> Table | None:
    if path.suffix.lower() == ".xlsx":
        from mtfs_align.io.workbook_in import read_plan_sheet

        return read_plan_sheet(path, problems)
    table = read_csv_table(path, problems, "plan", ["option", "start"])
    if table is not None:
        for row in table.rows:  # rows are named by option, not id, in a plan file
            option = row.get("option")
            if option and "(" not in row.where:
                row.where = f"{row.where} ({option})"
    return table
