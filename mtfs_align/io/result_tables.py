"""The output tables of DESIGN 5, declared once: every column of every CSV an output folder holds,
with its kind (text, money in £k, a number, a count). The tables in memory (mtfs_align.results)
take their dtypes from here, and `brief` reads an output folder back with the same declaration,
so a table reads the same whether it was just computed or read from the folder.

A table in memory is the table as written: each is serialised once to its CSV text (money to three
decimals, formulas neutralised, exactly the bytes the file will hold) and parsed back with the
declared dtypes, so the briefing's and the workbook's numbers are the CSV's numbers."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mtfs_align.errors import InputError, Problems
from mtfs_align.io.output_values import csv_ready

TEXT = "text"  # read as str; a blank cell is ""
MONEY = "money"  # £ thousands, float64; a blank cell is NaN
NUMBER = "number"  # a share, a harm score, a chance: float64; a blank cell is NaN
COUNT = "count"  # a whole number (a frontier point): Int64

DTYPES = {TEXT: "str", MONEY: "float64", NUMBER: "float64", COUNT: "Int64"}


@dataclass(frozen=True)
class TableSpec:
    """One output table: its fixed columns in order, and the kinds of its columns that vary with
    the scenario (one per year, priority or compared scenario), matched by pattern."""

    columns: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, str], ...] = ()
    other: str = TEXT  # any column neither declared nor matched (compare_options' scenario labels)

    def kind(self, column: str) -> str:
        for name, kind in self.columns:
            if name == column:
                return kind
        for pattern, kind in self.patterns:
            if re.fullmatch(pattern, column):
                return kind
        return self.other


_YEAR_K = (r".+/\d{2}_k", MONEY)  # 2021/22_k
_HARM_BY_PRIORITY = (r"harm_.+", NUMBER)  # harm_P1

TABLES: dict[str, TableSpec] = {
    "budget": TableSpec(
        (
            ("year", TEXT),
            ("funding_k", MONEY),
            ("need_k", MONEY),
            ("gap_k", MONEY),
            ("gap_change_k", MONEY),
            ("savings_k", MONEY),
            ("one_off_k", MONEY),
            ("gap_after_savings_k", MONEY),
            ("reserves_opening_k", MONEY),
            ("reserves_draw_k", MONEY),
            ("reserves_paid_k", MONEY),
            ("reserves_balance_k", MONEY),
            ("unidentified_k", MONEY),
            ("balanced", TEXT),  # yes / no
        )
    ),
    "activities": TableSpec(
        (
            ("activity", TEXT),
            ("name", TEXT),
            ("year", TEXT),
            ("need_k", MONEY),
            ("savings_k", MONEY),
            ("spend_k", MONEY),
            ("service_spend_k", MONEY),
            ("floor_k", MONEY),
            ("cash_limit_k", MONEY),  # blank where none
            ("headroom_k", MONEY),
            ("status", TEXT),
        )
    ),
    "plans_activities": TableSpec(  # every alternative's activities.csv, under its plan's name
        (
            ("plan", TEXT),
            ("activity", TEXT),
            ("name", TEXT),
            ("directorate", TEXT),
            ("year", TEXT),
            ("need_k", MONEY),
            ("savings_k", MONEY),
            ("spend_k", MONEY),
            ("service_spend_k", MONEY),
            ("floor_k", MONEY),
            ("cash_limit_k", MONEY),
            ("headroom_k", MONEY),
            ("status", TEXT),
        )
    ),
    "plan": TableSpec(
        (("option", TEXT), ("name", TEXT), ("activity", TEXT), ("start", TEXT), ("rag", TEXT), ("harm", NUMBER)),
        (_YEAR_K,),
    ),
    "savings_summary": TableSpec((("group", TEXT), ("category", TEXT), ("total_k", MONEY)), (_YEAR_K,)),
    "breaches": TableSpec(
        (
            ("breach", TEXT),
            ("year", TEXT),
            ("subject", TEXT),
            ("name", TEXT),
            ("value", MONEY),
            ("limit", MONEY),
            ("detail", TEXT),
        )
    ),
    "screened": TableSpec(
        (
            ("option", TEXT),
            ("name", TEXT),
            ("activity", TEXT),
            ("equality_impact", TEXT),
            ("max_equality_impact", TEXT),
        )
    ),
    "outcomes": TableSpec(
        (
            ("outcome", TEXT),
            ("name", TEXT),
            ("priority", TEXT),
            ("year", TEXT),
            ("need_k", MONEY),
            ("spend_k", MONEY),
            ("service_spend_k", MONEY),
            ("harm", NUMBER),
        )
    ),
    "alignment": TableSpec(
        (
            ("level", TEXT),
            ("id", TEXT),
            ("name", TEXT),
            ("year", TEXT),
            ("need_k", MONEY),
            ("spend_k", MONEY),
            ("share_of_aligned", NUMBER),
            ("share_of_total", NUMBER),
            ("cabinet_weight", NUMBER),
        )
    ),
    "frontier": TableSpec(
        (
            ("point", COUNT),
            ("scale", NUMBER),
            ("savings_k", MONEY),
            ("harm", NUMBER),
            ("unidentified_k", MONEY),
            ("reserves_draw_k", MONEY),
        ),
        (_HARM_BY_PRIORITY, (r"cvar_.+", MONEY)),  # cvar_2021/22: `--vary confidence`
    ),
    "proposal": TableSpec(
        (
            ("plan", TEXT),  # P, B, C
            ("label", TEXT),
            ("savings_k", MONEY),
            ("harm", NUMBER),
            ("unidentified_k", MONEY),
            ("reserves_draw_k", MONEY),
        ),
        (_HARM_BY_PRIORITY,),
    ),
    "risk": TableSpec(
        (
            ("year", TEXT),
            ("p5_k", MONEY),
            ("p50_k", MONEY),
            ("p95_k", MONEY),
            ("expected_unidentified_k", MONEY),
            ("p_balanced", NUMBER),
            ("p5_reserves_balance_k", MONEY),
        )
    ),
    "resilience": TableSpec(
        (
            ("year", TEXT),
            ("p_balanced", NUMBER),
            ("var_k", MONEY),
            ("cvar_k", MONEY),
            ("expected_unidentified_k", MONEY),
            ("p5_reserves_balance_k", MONEY),
            ("p95_cover_used_k", MONEY),
            ("shortfall_at_confidence_k", MONEY),
        )
    ),
    "core_index": TableSpec((("option", TEXT), ("name", TEXT), ("core_index", NUMBER), ("class", TEXT))),
    "compare": TableSpec(
        (
            ("scenario", TEXT),
            ("year", TEXT),
            ("gap_k", MONEY),
            ("savings_k", MONEY),
            ("one_off_k", MONEY),
            ("reserves_draw_k", MONEY),
            ("unidentified_k", MONEY),
            ("harm", NUMBER),
        ),
        (_HARM_BY_PRIORITY,),
    ),
    "compare_options": TableSpec((("option", TEXT), ("name", TEXT))),  # then one start year per scenario
    "batch": TableSpec(  # batch.csv: one row per scenario; unidentified_<year>_k after reserves_draw_k
        (
            ("council", TEXT),
            ("scenario", TEXT),  # the scenario file, as given
            ("folder", TEXT),  # its output folder, in the batch folder
            ("gap_k", MONEY),  # the last year's, as budget.csv's last row
            ("savings_k", MONEY),  # the level reached in the last year
            ("reserves_draw_k", MONEY),  # over the horizon
            ("harm", NUMBER),
            ("p_balanced_all_years", NUMBER),
            ("status", TEXT),  # done, breach, bad input, failed
            ("message", TEXT),  # what is wrong, located, when not done
            ("seconds", NUMBER),
        ),
        ((r"unidentified_.+/\d{2}_k", MONEY),),  # unidentified_2021/22_k
    ),
    "kpis": TableSpec(
        (
            ("outcome", TEXT),
            ("kpi", TEXT),
            ("name", TEXT),
            ("unit", TEXT),
            ("baseline", NUMBER),
            ("target", NUMBER),
            ("direction", TEXT),
        )
    ),
}
UNDECLARED = TableSpec(())  # a table this version does not know: every column text

# Each column's heading in results.xlsx, in council English: the declaration above names the
# columns, this what a reader of the workbook sees for each; its "Fields" sheet maps them back.
# Money is in £ thousands, shown by the cells' number format (`£k`), so no heading repeats it.
HEADINGS = {
    "year": "Year",
    "funding_k": "Funding",
    "need_k": "Spending need",
    "gap_k": "Budget gap",
    "gap_change_k": "New gap in the year",
    "savings_k": "Savings",
    "one_off_k": "One-off costs",
    "gap_after_savings_k": "Gap after savings",
    "reserves_opening_k": "Reserves at the start of the year",
    "reserves_draw_k": "Reserves drawn",
    "reserves_paid_k": "Paid into reserves",
    "reserves_balance_k": "Reserves at the end of the year",
    "unidentified_k": "Unidentified savings (still to be found)",
    "balanced": "Balanced?",
    "activity": "Activity",
    "name": "Name",
    "spend_k": "Spend (budget as set)",
    "service_spend_k": "Spend on the service",
    "floor_k": "Floor (statutory minimum)",
    "cash_limit_k": "Cash limit",
    "headroom_k": "Headroom to the nearer limit",
    "status": "Status",
    "plan": "Plan",
    "directorate": "Directorate",
    "option": "Option",
    "start": "Start year",
    "rag": "RAG rating",
    "harm": "Outcome harm",
    "group": "Split by",
    "category": "Category",
    "total_k": "Total over the years",
    "breach": "Breach",
    "subject": "Subject",
    "value": "Value",
    "limit": "Limit",
    "detail": "Detail",
    "equality_impact": "Equality impact",
    "max_equality_impact": "Highest impact allowed",
    "outcome": "Outcome",
    "priority": "Priority",
    "level": "Level",
    "id": "Id",
    "share_of_aligned": "Share of aligned spend",
    "share_of_total": "Share of all spend",
    "cabinet_weight": "Cabinet's weight",
    "point": "Frontier point",
    "scale": "Scale (x the scenario's)",
    "label": "Plan described",
    "p5_k": "Still to find: 1 in 20 good case",
    "p50_k": "Still to find: median",
    "p95_k": "Still to find: 1 in 20 bad case",
    "expected_unidentified_k": "Still to find: average",
    "p_balanced": "Chance the year balances",
    "p5_reserves_balance_k": "Reserves at the end of a 1-in-20 bad year",
    "var_k": "Still to find at the confidence planned for",
    "cvar_k": "Still to find: average of the worst cases",
    "p95_cover_used_k": "Reserves drawn in a 1-in-20 bad year",
    "shortfall_at_confidence_k": "Further savings or funding to identify",
    "core_index": "Core index (share of weightings adopting it)",
    "class": "Class",
    "scenario": "Scenario",
    "kpi": "KPI",
    "unit": "Unit",
    "baseline": "Baseline",
    "target": "Target",
    "direction": "Better when",
    "council": "Council",
    "folder": "Output folder",
    "p_balanced_all_years": "Chance every year balances",
    "message": "Message",
    "seconds": "Seconds taken",
}
HEADING_PATTERNS = (
    (r"unidentified_(.+/\d{2})_k", "Unidentified savings {}"),  # before the year's pattern
    (r"(.+/\d{2})_k", "{} savings"),  # 2021/22_k
    (r"harm_(.+)", "Harm to {}"),  # harm_P1
    (r"cvar_(.+)", "Still to find in a bad year, {}"),  # cvar_2021/22
)


def heading(column: str) -> str:
    """A column's heading in results.xlsx (HEADINGS), or its CSV name where none is declared."""
    if column in HEADINGS:
        return HEADINGS[column]
    for pattern, words in HEADING_PATTERNS:
        found = re.fullmatch(pattern, column)
        if found:
            return words.format(found.group(1))
    return column


def spec(name: str) -> TableSpec:
    """The declaration of a table by its name in the folder: `budget`, `proposal/budget`,
    `plans/frontier_01` (a plan, in plan.csv's columns)."""
    stem = name.removesuffix(".csv")
    base = stem.rsplit("/", 1)[-1]
    if stem.startswith("plans/"):
        base = "plan"
    return TABLES.get(base, UNDECLARED)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as its CSV file holds it: money to three decimals, formulas neutralised, NaN blank."""
    return csv_ready(frame).to_csv(index=False, lineterminator="\n")


def parse_table(name: str, text: str) -> pd.DataFrame:
    """A table's CSV text as a DataFrame with the declared dtypes (ValueError if a number is not
    one: `check_table` names the line first)."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    declared = spec(name)
    for column in frame.columns:
        kind = declared.kind(column)
        if kind == TEXT:
            continue
        values = pd.to_numeric(frame[column].replace("", np.nan))
        frame[column] = values.astype(DTYPES[kind])
    return frame


def table_problems(path: Path, name: str, text: str, problems: Problems, fix: str, required=()) -> None:
    """What makes a table of an output folder unreadable (cut short, a number that is not one, a
    required column missing): each a located problem, the first of each file only."""
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as err:
        problems.add(path, "", "", f"cannot be read as CSV ({err})", fix)
        return
    if not rows or not any(rows[0]) or "\x00" in "".join(rows[0]):
        problems.add(path, "line 1", "", "has no header row", fix)
        return
    header = rows[0]
    missing = [c for c in required if c not in header]
    if missing:
        problems.add(path, "line 1", "", f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", fix)
    declared = spec(name)
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            short = f"has {len(row)} fields, not {len(header)} (is it cut short?)"
            problems.add(path, f"line {number}", "", short, fix)
            return
        for column, value in zip(header, row, strict=True):
            if value and declared.kind(column) != TEXT and not _is_number(value):
                problems.add(path, f"line {number}", column, f"'{value[:20]}' is not a number", fix)
                return
            if value and declared.kind(column) == COUNT and _is_number(value) and not float(value).is_integer():
                problems.add(path, f"line {number}", column, f"'{value[:20]}' is not a whole number", fix)
                return


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


FOLDER_FIX = "run the command that wrote this folder again (it rewrites every file)"
REQUIRED = {
    "budget": ("year", "gap_k", "savings_k", "one_off_k", "reserves_draw_k", "reserves_balance_k", "unidentified_k"),
}


def read_output_folder(folder: Path, names: list[str]) -> tuple[dict, dict[str, str]]:
    """An output folder's manifest and the CSV text of the tables `names` (relative names such as
    `budget.csv`, `proposal/budget.csv`); every damaged file is a located problem (exit 2),
    reported together, before anything is drawn."""
    folder = Path(folder)
    problems = Problems()
    manifest: dict = {}
    try:
        loaded = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            manifest = loaded
        else:
            problems.add(folder / "manifest.json", "", "", "is not a JSON object of the run's figures", FOLDER_FIX)
    except FileNotFoundError:
        pass
    except UnicodeDecodeError:
        problems.add(folder / "manifest.json", "", "", "is not UTF-8 text", FOLDER_FIX)
    except json.JSONDecodeError as err:
        problems.add(folder / "manifest.json", f"line {err.lineno}", "", f"is not valid JSON ({err.msg})", FOLDER_FIX)
    texts: dict[str, str] = {}
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            problems.add(path, "", "", f"is not UTF-8 text (byte {err.start + 1} cannot be read)", FOLDER_FIX)
            continue
        before = len(problems)
        table_problems(path, name, text, problems, FOLDER_FIX, REQUIRED.get(name.removesuffix(".csv"), ()))
        if len(problems) == before:
            texts[name] = text
    if problems:
        raise InputError(problems.items)
    return manifest, texts
