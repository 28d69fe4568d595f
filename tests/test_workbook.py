"""results.xlsx: every table's CSV round-trips into its sheet, formats and front sheet, formula
text neutralised, and the same results always give the same bytes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

import mtfs_align
from mtfs_align.io.result_tables import HEADINGS, TABLES, heading
from mtfs_align.report.workbook import MONEY_FORMAT, cell_value, scenario_assumptions, sheet_name, write_workbook
from mtfs_align.results import RunResults
from mtfs_align.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(ROOT / "scenarios" / "proposal.yaml")


@pytest.fixture(scope="module")
def results(scenario) -> RunResults:
    """The results of `check` on the bundled proposal, plus a table with awkward text."""
    checked = mtfs_align.check(scenario)
    checked.add_csv(
        "notes",
        "option,note,amount_k,share_of_total\n"
        'S01,"=HYPERLINK(""http://example.com"")",-1250.5,0.25\n'
        "S02,+44 1234,3,\n"
        "S03,@SUM(A1:A2),1e3,1.5\n"
        "S04,-cut,-0,x\n",
    )
    return checked


def test_every_csv_round_trips_into_its_sheet(results, tmp_path):
    path = write_workbook(results, tmp_path / "results.xlsx")
    assert path == tmp_path / "results.xlsx"
    book = load_workbook(path)
    csvs = sorted(results.tables)
    assert book.sheetnames[0] == "Scenario"
    assert sorted(book.sheetnames[1:-1]) == csvs and book.sheetnames[-1] == "Fields"
    for stem in csvs:
        records = list(csv.reader(io.StringIO(results.text(stem), newline="")))
        sheet = book[stem]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == [heading(h) for h in records[0]], stem
        assert len(values) == len(records), stem
        for record, row in zip(records[1:], values[1:], strict=True):
            assert row == [cell_value(text) for text in record], stem
            for text, value in zip(record, row, strict=True):
                if text and value is not None and isinstance(value, (int, float)):
                    assert value == pytest.approx(float(text), abs=0), stem


def test_numbers_stay_numbers_and_money_is_formatted(results, tmp_path):
    book = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))
    budget = book["budget"]
    header = [c.value for c in budget[1]]
    gap = budget.cell(2, header.index("Budget gap") + 1)
    assert gap.value == 47500 and gap.number_format == MONEY_FORMAT
    assert budget.cell(2, 1).value == "2021/22"
    assert budget.freeze_panes == "A2"
    assert budget.column_dimensions["A"].width >= len("2021/22")
    plan = book["plan"]
    assert plan.cell(2, [c.value for c in plan[1]].index("Outcome harm") + 1).data_type == "n"


def test_formula_text_is_neutralised(results, tmp_path):
    book = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))
    notes = list(book["notes"].iter_rows(values_only=True))
    assert notes[1] == ("S01", '=HYPERLINK("http://example.com")', -1250.5, 0.25)
    assert notes[2] == ("S02", "+44 1234", 3, None)
    assert notes[3] == ("S03", "@SUM(A1:A2)", 1000.0, 1.5)
    assert notes[4] == ("S04", "-cut", 0, "x")
    sheet = book["notes"]
    for row in range(2, 6):  # shown as written, with no apostrophe: text, not a formula
        cell = sheet.cell(row, 2)
        assert cell.data_type == "s" and cell.quotePrefix, cell.value
    assert not sheet.cell(2, 1).quotePrefix  # plain text has no prefix
    for row in book["notes"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_front_sheet_has_the_manifest_and_the_assumptions(results, scenario, tmp_path):
    path = write_workbook(results, tmp_path / "results.xlsx", assumptions=scenario_assumptions(scenario))
    front = {row[0]: row[1] for row in load_workbook(path)["Scenario"].iter_rows(values_only=True) if row[0]}
    assert front["Westshire County Council (illustrative, shaped on public figures)"] is None
    assert "Illustrative data: not any council's actual budget." in front
    assert front["Years"] == "2021/22 to 2024/25"
    assert front["Savings counted at"] == "nominal (planned) value"
    assert front["Produced by"] == "check"
    assert front["Unidentified savings, summed over the 4 years"] == pytest.approx(8250.464)
    assert front["Priority weights"] == "P1 40%, P2 20%, P3 25%, P4 15%"
    assert front["Protected priorities"] == "P1 at 90% of need"
    assert front["Options withdrawn"] == "S32"
    assert front["budget"].startswith("Gap, savings")


def test_manifest_assumptions_are_used_when_none_are_passed(tmp_path):
    results = RunResults("check")
    results.add_csv("budget", "year,gap_k\n2021/22,10\n")
    results.set_manifest({"council": "=Evil council", "assumptions": {"Capacity": [1, 2], "=x": "@y"}})
    sheet = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))["Scenario"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0]]
    assert rows[0][0] == "=Evil council" and sheet["A1"].quotePrefix and sheet["A1"].data_type == "s"
    assert ("Capacity", "1, 2") in rows
    assert ("=x", "@y") in rows


def test_same_results_give_the_same_bytes(results, tmp_path):
    first = write_workbook(results, tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(results, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_name("a" * 40, taken) == "a" * 31
    assert sheet_name("a" * 40, taken) == "a" * 29 + "_2"
    assert sheet_name("x/y?", taken) == "x_y_"


@pytest.mark.parametrize(
    "text, value",
    [
        ("", None),
        ("12", 12),
        ("-3.5", -3.5),
        ("1e3", 1000.0),
        ("2021/22", "2021/22"),
        ("S01", "S01"),
        ("=1+1", "=1+1"),
        ("'=1+1", "=1+1"),  # the CSV's neutralised text: the quote prefix does its work
        ("'ok", "'ok"),
        ("-", "-"),
        ("nan", "nan"),
        ("0012", "0012"),
        ("0.5", 0.5),
        ("1.", "1."),
        ("yes", "yes"),
    ],
)
def test_cell_value(text, value):
    assert cell_value(text) == value


def test_pages_print_landscape_fitted_to_width_with_the_header_repeated(results, tmp_path):
    book = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert setup.fitToWidth == 1, sheet.title
        if sheet.title == "Scenario":
            assert setup.fitToHeight == 1  # the front sheet on one page
        else:
            assert setup.fitToHeight == 0, sheet.title  # as many pages down as the rows need
            assert sheet.print_title_rows == "$1:$1", sheet.title  # the header row on every page


def test_money_shows_its_unit_and_numbers_are_never_text(results, tmp_path):
    book = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))
    assert "£k" in MONEY_FORMAT
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    try:
                        float(cell.value)
                    except ValueError:
                        continue
                    raise AssertionError(f"{sheet.title}!{cell.coordinate}: the number {cell.value} is text")


def test_front_sheet_names_no_folder_of_the_machine(westshire_run):
    """The fixture's run was given absolute paths: the front sheet names files relative to the
    scenario's folder, as the briefing does."""
    sheet = load_workbook(westshire_run / "results.xlsx")["Scenario"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [t for t in texts if str(ROOT) in t or "/tmp" in t or t.startswith("/")]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert rows["Scenario file"] == "proposal.yaml"
    assert "../data/westshire/options.csv" in rows


def test_headings_are_council_english_and_the_fields_sheet_maps_them_to_the_csv(results, tmp_path):
    book = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))
    budget = [c.value for c in book["budget"][1]]
    assert budget[:4] == ["Year", "Funding", "Spending need", "Budget gap"]
    assert "Unidentified savings (still to be found)" in budget
    plan = [c.value for c in book["plan"][1]]
    assert plan[-4:] == ["2021/22 savings", "2022/23 savings", "2023/24 savings", "2024/25 savings"]
    fields = list(book["Fields"].iter_rows(values_only=True))
    assert fields[0] == ("Sheet", "Column heading", "CSV file", "CSV column")
    mapped = {(sheet, shown): (csv_file, column) for sheet, shown, csv_file, column in fields[1:]}
    assert mapped[("budget", "Budget gap")] == ("budget.csv", "gap_k")
    assert mapped[("plan", "2024/25 savings")] == ("plan.csv", "2024/25_k")
    for title in book.sheetnames[1:-1]:  # every heading of every sheet maps back to its CSV column
        shown = [c.value for c in book[title][1]]
        assert [mapped[(title, h)][1] for h in shown] == next(csv.reader(io.StringIO(results.text(title)))), title
    # every declared column has its heading, so no sheet falls back to a CSV name
    assert all(c in HEADINGS for spec in TABLES.values() for c, _ in spec.columns)


def test_every_sheet_is_described_on_the_front_sheet():
    """Each table a folder can hold has a note in council English, never its CSV file's name."""
    from mtfs_align.report.workbook import SHEET_NOTES

    assert set(TABLES) <= set(SHEET_NOTES)
    assert not [note for note in SHEET_NOTES.values() if note.endswith(".csv")]


def test_front_sheet_money_and_harm_are_formatted_and_totals_say_they_are_summed(results, tmp_path):
    sheet = load_workbook(write_workbook(results, tmp_path / "results.xlsx"))["Scenario"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(max_col=2) if row[0].value}
    assert cells["Unidentified savings, summed over the 4 years"].number_format == MONEY_FORMAT
    assert cells["Reserves drawn, summed over the 4 years"].number_format == MONEY_FORMAT
    assert cells["Outcome harm (total)"].number_format == "0.000"
    assert not [label for label in cells if str(label).endswith("(£k)")]  # the format shows the unit
