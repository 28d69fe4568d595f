"""Excel input: a data folder with one workbook (sheets activities and options) reads exactly as
the CSV files do, and every problem names the sheet, row and column."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import mtfs_align
from mtfs_align.errors import InputError
from mtfs_align.io.plan_file import read_plan_file
from mtfs_align.report.workbook import write_workbook
from mtfs_align.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "westshire"


def typed(text: str) -> object:
    """A CSV cell as a finance officer's spreadsheet would hold it: numbers as numbers."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def write_tracker(path: Path, title_rows: int = 0) -> None:
    """The example's activities.csv and options.csv as one workbook, one sheet each."""
    book = Workbook()
    book.remove(book.active)
    for name in ("activities", "options"):
        sheet = book.create_sheet(name.capitalize() if name == "options" else name)
        for _ in range(title_rows):
            sheet.append([])
        with open(EXAMPLE / f"{name}.csv", encoding="utf-8", newline="") as handle:
            records = list(csv.reader(handle))
        sheet.append(records[0])
        for record in records[1:]:
            sheet.append([typed(cell) for cell in record])
    book.save(path)


def data_folder(tmp_path: Path, title_rows: int = 0) -> Path:
    folder = tmp_path / "data" / "westshire"
    folder.mkdir(parents=True)
    for name in ("plan.yaml", "mtfs.yaml"):
        shutil.copy(EXAMPLE / name, folder / name)
    write_tracker(folder / "savings tracker.xlsx", title_rows)
    return folder


def scenario_file(tmp_path: Path, data: Path) -> Path:
    """The bundled proposal scenario (and the central case it extends), pointed at `data`."""
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir(exist_ok=True)
    for name in ("central.yaml", "proposal.yaml"):
        text = (ROOT / "scenarios" / name).read_text(encoding="utf-8")
        (scenarios / name).write_text(
            text.replace("data: ../data/westshire", f"data: {data.as_posix()}"), encoding="utf-8"
        )
    return scenarios / "proposal.yaml"


def edit(book_path: Path, sheet: str, row: int, column: str, value: object) -> None:
    book = load_workbook(book_path)
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row, header.index(column) + 1, value)
    book.save(book_path)


def test_workbook_gives_the_same_scenario_as_the_csv_files(tmp_path):
    from_excel = load_scenario(scenario_file(tmp_path, data_folder(tmp_path)))
    from_csv = load_scenario(ROOT / "scenarios" / "proposal.yaml")
    for field in (
        "council",
        "years",
        "priorities",
        "outcomes",
        "activities",
        "options",
        "funding_k",
        "reserves",
        "weights",
        "policy",
        "plan",
    ):
        assert getattr(from_excel, field) == getattr(from_csv, field), field
    assert from_excel.inputs[-1].name == "savings tracker.xlsx"
    assert from_excel.warnings == from_csv.warnings


def test_title_rows_above_the_header_are_skipped(tmp_path):
    scenario = load_scenario(scenario_file(tmp_path, data_folder(tmp_path, title_rows=2)))
    assert scenario.options == load_scenario(ROOT / "scenarios" / "proposal.yaml").options


def test_errors_name_the_sheet_row_and_column(tmp_path):
    folder = data_folder(tmp_path)
    book = folder / "savings tracker.xlsx"
    edit(book, "Options", 5, "rag", "X")  # S04
    edit(book, "activities", 3, "baseline_k", "lots")  # A02
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, folder))
    text = str(caught.value)
    assert "savings tracker.xlsx, sheet Options, row 5 (S04): rag: 'X' is not a RAG rating" in text
    assert "sheet activities, row 3 (A02): baseline_k: 'lots' is not a number" in text
    assert len(caught.value.problems) == 2


def test_excel_errors_and_uncalculated_formulas_are_named_by_cell(tmp_path):
    folder = data_folder(tmp_path)
    book = folder / "savings tracker.xlsx"
    edit(book, "Options", 3, "y1_k", "#DIV/0!")  # S02, as Excel saves a failed formula
    edit(book, "Options", 4, "y2_k", "=2*1500")  # S03: written by a program, never calculated
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, folder))
    text = str(caught.value)
    assert "sheet Options, row 3 (S02): y1_k: cell E3 shows the Excel error #DIV/0!" in text
    assert "sheet Options, row 4 (S03): y2_k: cell F4 holds a formula (=2*1500) with no saved value" in text


def test_missing_sheet_and_missing_column(tmp_path):
    folder = data_folder(tmp_path)
    book = load_workbook(folder / "savings tracker.xlsx")
    del book["activities"]
    book["Options"].delete_cols(12)  # rag
    book.save(folder / "savings tracker.xlsx")
    with pytest.raises(InputError) as caught:
        load_scenario(scenario_file(tmp_path, folder))
    text = str(caught.value)
    assert "the workbook has no sheet named 'activities' (it has Options)" in text
    assert "sheet Options, row 1: rag: required column missing" in text


def test_two_workbooks_are_refused(tmp_path):
    folder = data_folder(tmp_path)
    shutil.copy(folder / "savings tracker.xlsx", folder / "copy.xlsx")
    with pytest.raises(InputError, match="more than one Excel workbook in the data folder"):
        load_scenario(scenario_file(tmp_path, folder))


def test_csv_files_win_over_a_workbook_with_a_warning(tmp_path):
    folder = data_folder(tmp_path)
    for name in ("activities.csv", "options.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    edit(folder / "savings tracker.xlsx", "Options", 5, "rag", "X")  # ignored: the CSVs are read
    scenario = load_scenario(scenario_file(tmp_path, folder))
    assert any("the CSV files are used" in w for w in scenario.warnings)


def test_results_workbook_can_be_checked_again(tmp_path):
    """`check --plan results.xlsx` reads the plan sheet of the workbook the tool wrote."""
    scenario = load_scenario(ROOT / "scenarios" / "proposal.yaml")
    book = write_workbook(mtfs_align.check(scenario), tmp_path / "results.xlsx")
    assert read_plan_file(book, scenario) == scenario.plan
