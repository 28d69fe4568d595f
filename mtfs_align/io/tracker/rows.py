"""The tracker's rows as options.csv (and activities.csv) rows; every problem located by sheet,
row and column."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from mtfs_align.errors import Problems
from mtfs_align.io.tracker.cells import (
    EQUALITY_WORDS,
    MAP_MONEY,
    MAP_YEAR,
    MONEY_FIX,
    TYPE_WORDS,
    UNIT_FACTOR,
    cell_text,
    has_own_unit,
    money_text,
    parse_money,
    rag_of,
    year_of_cell,
)
from mtfs_align.io.tracker.column_map import ColumnMap, choose_mapping, read_map
from mtfs_align.io.tracker.grid import Grid, read_grids
from mtfs_align.schema import OPTION_TYPES
from mtfs_align.years import year_label


@dataclass
class Import:
    """What an import found: the tables to write, and the summary for the officer."""

    mapping: ColumnMap
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
        year_match, money_match = MAP_YEAR.match(wanted), MAP_MONEY.match(wanted)
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

    existing = existing_activities(into)
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


def existing_activities(into: Path) -> dict[str, str]:
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
