"""`mtfs-align import` (DESIGN 3.6): a corpus of savings-tracker layouts as councils keep them,
each built here with openpyxl (or as CSV) with the options rows it must give."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook

from mtfs_align.cli import cli
from mtfs_align.io.tracker import field_of_header, parse_money, rag_of, year_of_header

HERE = Path(__file__).resolve().parent
BROKEN_BASE = HERE.parent / "broken" / "_base"
HEADER = ["Ref", "Saving description", "Directorate", "Service line", "RAG", "2021/22 £000", "2022/23 £000"]


def workbook(path: Path, *sheets: dict) -> Path:
    """Each sheet: {'title', 'rows', 'hidden': bool, 'merge': ['A1:G1'], 'formats': {'F5': '0%'}}."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec["title"])
        for row in spec["rows"]:
            sheet.append(row)
        for cells in spec.get("merge", []):
            sheet.merge_cells(cells)
        for ref, fmt in spec.get("formats", {}).items():
            sheet[ref].number_format = fmt
        if spec.get("hidden"):
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def expect(
    ident: str, profile: list[str], earliest: str = "2021/22", rag: str = "G", activity: str = "Care", **more: str
) -> dict:
    return {
        "id": ident,
        "profile": profile,
        "earliest": earliest,
        "latest": more.pop("latest", earliest),
        "rag": rag,
        "activity": activity,
        **more,
    }


def plain(tmp_path: Path, rows: list[list], header: list = HEADER, **sheet) -> Path:
    return workbook(tmp_path / "tracker.xlsx", {"title": "Savings", "rows": [header, *rows], **sheet})


# --------------------------------------------------------------------------------------------
# the layouts: each returns (tracker path, extra arguments, expected options rows)
# --------------------------------------------------------------------------------------------


def title_rows_above_header(tmp_path):
    rows = [
        ["Westshire County Council"],
        ["MTFS savings tracker 2021-25", None, "Updated March"],
        [],
        HEADER,
        ["S01", "Care review", "Adults", "Care", "Green", 1300, 0],
        ["S02", "Day centres", "Adults", "Care", "Amber", 0, 400],
    ]
    path = workbook(tmp_path / "tracker.xlsx", {"title": "Tracker", "rows": rows})
    return path, [], [expect("S01", ["1300"]), expect("S02", ["400"], "2022/23", "A")]


def merged_title(tmp_path):
    rows = [
        ["Savings programme 2021/22 to 2022/23 (£000)"],
        [],
        HEADER,
        ["S01", "Care review", "Adults", "Care", "G", 100, 50],
    ]
    path = workbook(tmp_path / "tracker.xlsx", {"title": "Tracker", "rows": rows, "merge": ["A1:G1"]})
    return path, [], [expect("S01", ["100", "50"])]


def spacer_rows(tmp_path):
    path = plain(
        tmp_path,
        [
            [],
            ["S01", "Care review", "Adults", "Care", "G", 100, None],
            [None] * 7,
            [],
            ["S02", "Fees", "Adults", "Care", "G", 10, 10],
            [],
        ],
    )
    return path, [], [expect("S01", ["100"]), expect("S02", ["10", "10"])]


def totals_rows(tmp_path):
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Adults", "Care", "G", 100, 0],
            ["", "Adults sub-total", "", "", "", 100, 0],
            ["S02", "Fees", "Place", "Roads", "A", 0, 20],
            ["Total", "", "", "", "", 100, 20],
            ["", "Grand total", "", "", "", 100, 20],
        ],
    )
    return path, [], [expect("S01", ["100"]), expect("S02", ["20"], "2022/23", "A", "Roads")]


def total_in_another_column(tmp_path):
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Adults", "Care", "G", 100, 0],
            [None, None, "Sub-total", None, None, 99, 0],
            ["S02", "Fees", "Adults", "Care", "G", 1, 0],
            [None, None, "Adults total", None, None, 7, 0],
        ],
    )
    return path, [], [expect("S01", ["100"]), expect("S02", ["1"])]


def unlabelled_sum_row(tmp_path):
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Adults", "Care", "G", 100, 5],
            ["S02", "Fees", "Adults", "Care", "G", 30, 0],
            [None, None, None, None, None, 130, 5],
        ],
    )
    return path, [], [expect("S01", ["100", "5"]), expect("S02", ["30"])]


def hidden_stale_sheet(tmp_path):
    stale = {
        "title": "Savings (old)",
        "hidden": True,
        "rows": [HEADER, ["S01", "Care review", "Adults", "Care", "R", 999, 999]],
    }
    current = {"title": "Savings", "rows": [HEADER, ["S01", "Care review", "Adults", "Care", "G", 100, 0]]}
    path = workbook(tmp_path / "tracker.xlsx", stale, current)
    return path, [], [expect("S01", ["100"])]


def named_hidden_sheet(tmp_path):
    path, _, _ = hidden_stale_sheet(tmp_path)
    return path, ["--sheet", "savings (OLD)"], [expect("S01", ["999", "999"], rag="R")]


def extra_notes_sheet(tmp_path):
    notes = {"title": "Notes", "rows": [["Read me first"], ["Ref numbers are set by finance"], ["RAG", "meaning"]]}
    data = {"title": "Programme", "rows": [HEADER, ["S01", "Care review", "Adults", "Care", "G", 100, 0]]}
    path = workbook(tmp_path / "tracker.xlsx", notes, data)
    return path, [], [expect("S01", ["100"])]


def millions_header(tmp_path):
    header = ["Ref", "Saving description", "Service line", "RAG", "2021/22 £m", "2022/23 (£m)"]
    path = plain(
        tmp_path, [["S01", "Care review", "Care", "G", 1.3, 0.25], ["S02", "Fees", "Care", "A", "£850k", "0.1"]], header
    )
    return path, [], [expect("S01", ["1300", "250"]), expect("S02", ["850", "100"], rag="A")]


def money_spellings(tmp_path):
    path = plain(
        tmp_path,
        [
            ["S01", "a", "Adults", "Care", "G", "1,300", None],
            ["S02", "b", "Adults", "Care", "G", "£1.3m", "(500)"],
            ["S03", "c", "Adults", "Care", "G", "£850k", "-500"],
            ["S04", "d", "Adults", "Care", "G", 1300.0, "1300.0"],
            ["S05", "e", "Adults", "Care", "G", "", " £ 2,000 "],
            ["S06", "f", "Adults", "Care", "G", 0.1, "-"],
        ],
    )
    return (
        path,
        [],
        [
            expect("S01", ["1300"]),
            expect("S02", ["1300", "-500"]),
            expect("S03", ["850", "-500"]),
            expect("S04", ["1300", "1300"]),
            expect("S05", ["2000"], "2022/23"),
            expect("S06", ["0.1"]),
        ],
    )


def rag_words(tmp_path):
    words = ["Green", "amber", "RED", "g", "Amber/Green", "Red-Amber", "A"]
    rows = [[f"S0{i}", "x", "Adults", "Care", word, 1, 0] for i, word in enumerate(words, start=1)]
    path = plain(tmp_path, rows)
    return path, [], [expect(f"S0{i}", ["1"], rag=r) for i, r in enumerate("GARGARA", start=1)]


def year_spelling(spelling: str) -> Callable:
    def layout(tmp_path):
        header = ["Ref", "Description", "Service line", "RAG", spelling.format(21, 22), spelling.format(22, 23)]
        path = plain(tmp_path, [["S01", "Care review", "Care", "G", 10, 20]], header)
        return path, [], [expect("S01", ["10", "20"])]

    layout.__name__ = "year_spelling_" + spelling.format("YY", "YY")
    return layout


def csv_input(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(
        "Savings tracker,,,,,\n\nRef,Description,Service line,RAG,2021/22 £000,2022/23 £000\n"
        'S01,Care review,Care,Green,"1,300",(200)\n,,,,,\nTotal,,,,"1,300",(200)\n',
        encoding="utf-8",
    )
    return path, [], [expect("S01", ["1300", "-200"])]


def cp1252_csv(tmp_path):
    path = tmp_path / "tracker.csv"
    text = "Ref,Description,Service line,RAG,2021/22 £000,2022/23 £000\nS01,Care review,Care,Amber,£1.5m,\n"
    path.write_bytes(text.encode("cp1252"))
    return path, [], [expect("S01", ["1500"], rag="A")]


def shuffled_columns(tmp_path):
    header = ["2022/23 £000", "RAG", "Service line", "Ref", "2021/22 £000", "Saving description", "Directorate"]
    path = plain(tmp_path, [[20, "G", "Care", "S01", 10, "Care review", "Adults"]], header)
    return path, [], [expect("S01", ["10", "20"])]


def missing_optional_columns(tmp_path):
    header = ["Ref", "Saving description", "Service line", "RAG", "2021/22", "2022/23"]
    path = plain(tmp_path, [["S01", "Care review", "Care", "G", 10, 0]], header)
    return path, [], [expect("S01", ["10"], type="efficiency", one_off_k="", effort="", equality_impact="")]


def thousands_unit_headers(tmp_path):
    header = ["Ref", "Saving description", "Service line", "RAG", "2021/22 (£000)", "2022/23 £'000", "2023/24 £k"]
    path = plain(tmp_path, [["S01", "Care review", "Care", "G", 10, 20, 30]], header)
    return path, [], [expect("S01", ["10", "20", "30"])]


def costs_in_brackets(tmp_path):
    header = [*HEADER, "One-off cost"]
    path = plain(
        tmp_path,
        [
            ["S01", "Invest in reablement", "Adults", "Care", "A", "(500)", "1,200", "(250)"],
            ["S02", "Close depot", "Place", "Roads", "R", "", 40, 30],
        ],
        header,
    )
    return (
        path,
        [],
        [
            expect("S01", ["-500", "1200"], rag="A", one_off_k="250"),
            expect("S02", ["40"], "2022/23", "R", "Roads", one_off_k="30"),
        ],
    )


def start_year_column(tmp_path):
    header = ["Ref", "Saving description", "Service line", "RAG", "Start year", "2021/22", "2022/23", "2023/24"]
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Care", "G", "2021/22", 0, 500, 0],
            ["S02", "Fees", "Care", "G", "2022-23", 0, 100, 50],
            ["S03", "Depot", "Care", "G", 2023, 0, 0, 0],
        ],
        header,
    )
    return (
        path,
        [],
        [expect("S01", ["0", "500"]), expect("S02", ["100", "50"], "2022/23"), expect("S03", [], "2023/24")],
    )


def synonyms_and_extras(tmp_path):
    header = [
        "Reference",
        "Title",
        "Service",
        "Budget line",
        "Delivery risk",
        "Category",
        "Implementation cost",
        "Effort",
        "EqIA",
        "Lead officer",
        "2021/22 £000",
        "2022/23 £000",
        "Confidence",
    ]
    rows = [
        ["R1", "Commission care", "Adults", "Care", "Amber", "Commissioning", 5, 2, "Low", "J Smith", 10, 0, 0.8],
        ["R2", "Charge for parking", "Place", "Roads", "Green", "Fees and charges", None, None, "n/a", "", 5, 5, 0.95],
    ]
    path = plain(tmp_path, rows, header, formats={"M2": "0%", "M3": "0%", "K2": "#,##0"})
    return (
        path,
        [],
        [
            expect("R1", ["10"], rag="A", type="commissioning", one_off_k="5", effort="2", equality_impact="low"),
            expect("R2", ["5", "5"], activity="Roads", type="income", equality_impact="none"),
        ],
    )


def heading_rows(tmp_path):
    path = plain(
        tmp_path,
        [
            ["Adults"],
            ["S01", "Care review", "Adults", "Care", "G", 10, 0],
            ["Place"],
            ["S02", "Depot", "Place", "Roads", "G", 5, 0],
        ],
    )
    return path, [], [expect("S01", ["10"]), expect("S02", ["5"], activity="Roads")]


def budget_column(tmp_path):
    header = [*HEADER, "Budget £m"]
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Adults", "Care", "G", 10, 0, 1.5],
            ["S02", "Fees", "Adults", "Care", "G", 5, 0, None],
            ["S03", "Depot", "Place", "Roads", "G", 5, 0, "£800k"],
        ],
        header,
    )
    return path, [], [expect("S01", ["10"]), expect("S02", ["5"]), expect("S03", ["5"], activity="Roads")]


def libreoffice_fixture(tmp_path):
    """tests/tracker/libreoffice_tracker.xlsx: written by LibreOffice Calc 7.4 from libreoffice_tracker.csv with
    `soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx libreoffice_tracker.csv` (a workbook
    not written by openpyxl, so the reader is not only tested against its own writer)."""
    source = HERE / "libreoffice_tracker.xlsx"
    path = tmp_path / "tracker.xlsx"
    shutil.copyfile(source, path)
    return path, [], [expect("S01", ["1300", "-200"]), expect("S02", ["850"], "2022/23", "A")]


LAYOUTS = [
    title_rows_above_header,
    merged_title,
    spacer_rows,
    totals_rows,
    total_in_another_column,
    unlabelled_sum_row,
    hidden_stale_sheet,
    named_hidden_sheet,
    extra_notes_sheet,
    millions_header,
    money_spellings,
    rag_words,
    year_spelling("20{0}/{1}"),
    year_spelling("20{0}-{1}"),
    year_spelling("{0}/{1}"),
    year_spelling("20{0}/20{1}"),
    csv_input,
    cp1252_csv,
    shuffled_columns,
    missing_optional_columns,
    thousands_unit_headers,
    costs_in_brackets,
    start_year_column,
    synonyms_and_extras,
    heading_rows,
    budget_column,
    libreoffice_fixture,
]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def profile_of(row: dict[str, str]) -> list[str]:
    values = [row[f"y{j}_k"] for j in range(1, 20) if f"y{j}_k" in row]
    while values and values[-1] in ("", "0"):
        values.pop()
    return values


def invoke(*args: str):
    return CliRunner().invoke(cli, ["import", *args])


def test_the_corpus_is_large_enough():
    assert len(LAYOUTS) >= 15


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda f: f.__name__)
def test_a_tracker_layout_gives_its_options(layout, tmp_path):
    path, args, expected = layout(tmp_path)
    into = tmp_path / "data"
    result = invoke(str(path), "--into", str(into), *args)
    assert result.exit_code == 0, result.output
    rows = read_rows(into / "options.csv")
    assert [r["id"] for r in rows] == [e["id"] for e in expected], result.output
    for row, wanted in zip(rows, expected, strict=True):
        assert profile_of(row) == wanted["profile"], (row, result.output)
        for key, value in wanted.items():
            if key != "profile":
                assert row[key] == value, (key, row, result.output)
        assert row["harms"] == row["benefits"] == ""
    assert (into / "columns.yaml").is_file()


def test_the_options_columns_are_those_of_design_3_4(tmp_path):
    path, _, _ = costs_in_brackets(tmp_path)
    assert invoke(str(path), "--into", str(tmp_path / "data")).exit_code == 0
    header = (tmp_path / "data" / "options.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "id,name,activity,type,rag,y1_k,y2_k,earliest,latest,one_off_k,effort,harms,benefits,"
        "requires,excludes,equality_impact"
    )


def test_the_summary_says_what_was_mapped_and_left_out(tmp_path):
    path, _, _ = totals_rows(tmp_path)
    output = invoke(str(path), "--into", str(tmp_path / "data")).output
    assert "header in row 1" in output
    assert "Ref -> id" in output and "2021/22 £000 -> saving 2021/22" in output
    assert "row 3: totals row (Adults sub-total)" in output
    assert "row 5: totals row (Total)" in output and "row 6: totals row (Grand total)" in output
    assert "harm is not scored" in output


def test_spacer_rows_are_reported_by_row_number(tmp_path):
    path, _, _ = spacer_rows(tmp_path)
    output = invoke(str(path), "--into", str(tmp_path / "data")).output
    for row in (2, 4, 5):
        assert f"row {row}: blank" in output, output


def test_the_hidden_sheet_is_named_as_not_read(tmp_path):
    path, _, _ = hidden_stale_sheet(tmp_path)
    output = invoke(str(path), "--into", str(tmp_path / "data")).output
    assert "'Savings (old)' (hidden)" in output


def test_a_budget_column_writes_activities(tmp_path):
    """Care's budget is £1.5m = 1500 (given once); Roads' is £800k."""
    path, _, _ = budget_column(tmp_path)
    assert invoke(str(path), "--into", str(tmp_path / "data")).exit_code == 0
    rows = read_rows(tmp_path / "data" / "activities.csv")
    assert [(r["id"], r["directorate"], r["baseline_k"], r["outcomes"]) for r in rows] == [
        ("Care", "Adults", "1500", ""),
        ("Roads", "Place", "800", ""),
    ]


def test_without_a_budget_column_the_user_is_told_to_add_activities(tmp_path):
    path, _, _ = spacer_rows(tmp_path)
    result = invoke(str(path), "--into", str(tmp_path / "data"))
    assert result.exit_code == 0
    assert not (tmp_path / "data" / "activities.csv").exists()
    assert "activities.csv is missing" in result.output and "ids: Care" in result.output


def test_activities_already_in_the_folder_are_matched_by_name(tmp_path):
    into = tmp_path / "data"
    into.mkdir()
    (into / "activities.csv").write_text(
        "id,name,directorate,outcomes,baseline_k\nA1,Care,Adults,O1,100\n", encoding="utf-8"
    )
    path, _, _ = totals_rows(tmp_path)
    result = invoke(str(path), "--into", str(into))
    assert result.exit_code == 0, result.output
    assert [r["activity"] for r in read_rows(into / "options.csv")] == ["A1", "Roads"]
    assert "not in activities.csv yet: Roads" in result.output
    assert (into / "activities.csv").read_text(encoding="utf-8").startswith("id,name")  # untouched


def test_an_imported_council_validates(tmp_path):
    """The importer's files, beside a plan and an MTFS, make a valid data folder."""
    data = tmp_path / "data"
    shutil.copytree(BROKEN_BASE / "data", data)
    (data / "options.csv").unlink()
    (data / "activities.csv").unlink()
    header = [*HEADER, "Budget £000", "2023/24 £000"]
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Adults", "Adult care", "Green", 40, 0, 300, 0],
            ["S02", "Fees", "Place", "Roads", "Amber", 0, 15, 100, 5],
        ],
        header,
    )
    assert invoke(str(path), "--into", str(data)).exit_code == 0
    (tmp_path / "scenario.yaml").write_text("name: Imported\ndata: data\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "scenario.yaml")])
    assert result.exit_code == 0, result.output
    assert "2 savings options" in result.output


# --------------------------------------------------------------------------------------------
# --map round trip
# --------------------------------------------------------------------------------------------


def test_the_map_reads_the_tracker_the_same_way(tmp_path):
    path, _, _ = costs_in_brackets(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    assert invoke(str(path), "--into", str(first)).exit_code == 0
    mapping = yaml.safe_load((first / "columns.yaml").read_text(encoding="utf-8"))
    assert mapping["sheet"] == "Savings" and mapping["header_row"] == 1
    assert mapping["columns"]["One-off cost"] == "one_off_k"
    result = invoke(str(path), "--into", str(second), "--map", str(first / "columns.yaml"))
    assert result.exit_code == 0, result.output
    assert (second / "options.csv").read_bytes() == (first / "options.csv").read_bytes()
    assert (second / "columns.yaml").read_bytes() == (first / "columns.yaml").read_bytes()


def test_a_map_reads_next_months_csv_under_another_name(tmp_path):
    path, _, _ = csv_input(tmp_path)
    into = tmp_path / "data"
    assert invoke(str(path), "--into", str(into)).exit_code == 0
    later = tmp_path / "tracker-june.csv"
    later.write_text(path.read_text(encoding="utf-8").replace('"1,300"', '"1,400"'), encoding="utf-8")
    result = invoke(str(later), "--into", str(into), "--map", str(into / "columns.yaml"))
    assert result.exit_code == 0, result.output
    assert profile_of(read_rows(into / "options.csv")[0]) == ["1400", "-200"]


def test_an_edited_map_is_used_and_kept(tmp_path):
    """The officer marks One-off cost as ignore and reads 2022/23 as £m; re-importing into the
    same folder uses the edit and leaves their columns.yaml as they wrote it."""
    path, _, _ = costs_in_brackets(tmp_path)
    into = tmp_path / "data"
    assert invoke(str(path), "--into", str(into)).exit_code == 0
    map_file = into / "columns.yaml"
    text = map_file.read_text(encoding="utf-8")
    text = text.replace("One-off cost: one_off_k", "One-off cost: ignore")
    text = text.replace("2022/23 £000: saving 2022/23", "2022/23 £000: saving 2022/23 in £m")
    map_file.write_text(text, encoding="utf-8")
    result = invoke(str(path), "--into", str(into), "--map", str(map_file))
    assert result.exit_code == 0, result.output
    rows = read_rows(into / "options.csv")
    assert [r["one_off_k"] for r in rows] == ["", ""]
    assert profile_of(rows[0]) == ["-500", "1200000"]
    assert map_file.read_text(encoding="utf-8") == text
    # without --map the importer would overwrite the officer's edit: refused
    result = invoke(str(path), "--into", str(into))
    assert result.exit_code == 2 and "columns.yaml" in result.output and "changed since" in result.output


def test_a_bad_map_is_located(tmp_path):
    path, _, _ = costs_in_brackets(tmp_path)
    map_file = tmp_path / "columns.yaml"
    map_file.write_text(
        "sheet: Savings\nheader_row: 1\ncolumns:\n  Ref: id\n  Refund: name\n  RAG: colour\n", encoding="utf-8"
    )
    result = invoke(str(path), "--into", str(tmp_path / "data"), "--map", str(map_file))
    assert result.exit_code == 2
    assert "line 5: columns.Refund: sheet Savings has no column 'Refund' in row 1" in result.output
    assert "line 6: columns.RAG: 'colour' is not a field" in result.output
    assert not (tmp_path / "data").exists()


# --------------------------------------------------------------------------------------------
# bad input: exit 2, located, nothing written
# --------------------------------------------------------------------------------------------


def test_a_cell_that_is_not_money_names_sheet_row_and_column(tmp_path):
    path = plain(
        tmp_path,
        [["S01", "Care review", "Adults", "Care", "G", 10, 0], ["S02", "Fees", "Adults", "Care", "G", "tbc", "1.2.3"]],
    )
    into = tmp_path / "data"
    result = invoke(str(path), "--into", str(into))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert (
        "tracker.xlsx, sheet Savings, row 3: column F (2021/22 £000): 'tbc' is not an amount of money. "
        "Fix: write an amount such as 1300"
    ) in result.output
    assert "row 3: column G (2022/23 £000): '1.2.3' is not an amount of money" in result.output
    assert "2 problems found" in result.output
    assert not into.exists()


def test_a_formula_with_no_saved_value_is_not_read_as_zero(tmp_path):
    """openpyxl writes formulas without their values; read as blank they would be a silent 0."""
    path = plain(tmp_path, [["S01", "Care review", "Adults", "Care", "G", "=100*2", 0]])
    result = invoke(str(path), "--into", str(tmp_path / "data"))
    assert result.exit_code == 2
    assert "row 2: column F (2021/22 £000): cell F2 holds a formula (=100*2) with no saved value" in result.output


def test_every_row_problem_is_reported_at_once(tmp_path):
    path = plain(
        tmp_path,
        [
            ["S01", "Care review", "Adults", "Care", "Purple", 10, 0],
            ["S01", "Fees", "Adults", "", "G", 1, 0],
            ["", "No ref", "Adults", "Care", "G", 3, 0],
        ],
    )
    result = invoke(str(path), "--into", str(tmp_path / "data"))
    assert result.exit_code == 2
    assert "row 2 (S01): column E (RAG): 'Purple' is not a RAG rating" in result.output
    assert "row 3: column A (Ref): reference 'S01' is also used in row 2" in result.output
    assert "row 4: column A (Ref): the saving has no reference" in result.output


@pytest.mark.parametrize(
    "make, args, fragment",
    [
        (lambda p: p / "missing.xlsx", [], "the tracker file is missing"),
        (lambda p: (p / "t.txt").write_text("x") and p / "t.txt", [], "not a tracker format"),
        (lambda p: plain(p, [["S01", "a", "Adults", "Care", "G", 1, 0]]), ["--sheet", "Nope"], "has no sheet 'Nope'"),
        (lambda p: workbook(p / "t.xlsx", {"title": "Notes", "rows": [["hello"]]}), [], "no visible sheet looks like"),
        (
            lambda p: plain(
                p, [["S01", "a", "Adults", "Care", 1, 0]], ["Ref", "Name", "Dir", "Service line", "2021/22", "2022/23"]
            ),
            [],
            "no column maps to rag",
        ),
    ],
)
def test_unreadable_trackers_exit_2_without_writing(tmp_path, make, args, fragment):
    path = make(tmp_path)
    into = tmp_path / "data"
    result = invoke(str(path), "--into", str(into), *args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Error:" in result.output and "Traceback" not in result.output
    assert not into.exists()


# --------------------------------------------------------------------------------------------
# never over a file the importer did not write
# --------------------------------------------------------------------------------------------


def test_an_options_file_the_importer_did_not_write_is_left_alone(tmp_path):
    into = tmp_path / "data"
    into.mkdir()
    (into / "options.csv").write_text("id,name\nmine,mine\n", encoding="utf-8")
    path, _, _ = spacer_rows(tmp_path)
    result = invoke(str(path), "--into", str(into))
    assert result.exit_code == 2
    assert "options.csv: this file was not written by mtfs-align import" in result.output
    assert "Fix: move or rename options.csv" in result.output
    assert (into / "options.csv").read_text(encoding="utf-8") == "id,name\nmine,mine\n"
    assert sorted(p.name for p in into.iterdir()) == ["options.csv"]  # nothing else written either


def test_the_importers_own_files_are_replaced_but_not_once_edited(tmp_path):
    into = tmp_path / "data"
    path, _, _ = spacer_rows(tmp_path)
    assert invoke(str(path), "--into", str(into)).exit_code == 0
    marker = json.loads((into / ".mtfs-import.json").read_text(encoding="utf-8"))
    assert set(marker["files"]) == {"options.csv", "columns.yaml"}
    assert invoke(str(path), "--into", str(into)).exit_code == 0  # unchanged: replaced
    with open(into / "options.csv", "a", encoding="utf-8") as handle:
        handle.write("S99,mine,Care,efficiency,G,1,0,,,,,,,,,\n")
    edited = (into / "options.csv").read_bytes()
    result = invoke(str(path), "--into", str(into))
    assert result.exit_code == 2
    assert "options.csv: this file has been changed since mtfs-align import wrote it" in result.output
    assert (into / "options.csv").read_bytes() == edited


# --------------------------------------------------------------------------------------------
# the readers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, amount",
    [
        ("1,300", "1300"),
        ("£1.3m", "1300"),
        ("£850k", "850"),
        ("(500)", "-500"),
        ("-500", "-500"),
        ("1300.0", "1300"),
        ("", "0"),
        (None, "0"),
        (1300.0, "1300"),
        (0.1, "0.1"),
        ("£1,234.5", "1234.5"),
        ("(£1.2m)", "-1200"),
        ("£-2k", "-2"),
        ("1.15m", "1150"),
    ],
)
def test_money_is_read_exactly(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["tbc", "1.2.3", "12,34", "£", "1,3000", "£1.3mn", "TRUE"])
def test_what_is_not_money(text):
    assert parse_money(text) is None


def test_three_tenths_in_millions_is_exact():
    """0.1 + 0.2 is not 0.3 in floats; in the importer £0.1m + £0.2m is exactly £300k."""
    assert parse_money("£0.1m") + parse_money("£0.2m") == Decimal(300)


@pytest.mark.parametrize(
    "text, rag",
    [
        ("Green", "G"),
        ("AMBER", "A"),
        ("r", "R"),
        ("Amber/Green", "A"),
        ("Green-Amber", "A"),
        ("Red/Amber", "R"),
        ("AG", "A"),
        ("Blue", None),
    ],
)
def test_rag_words(text, rag):
    assert rag_of(text) == rag


@pytest.mark.parametrize(
    "header, year",
    [
        ("2021/22", 2021),
        ("2021-22", 2021),
        ("21/22", 2021),
        ("2021/2022", 2021),
        ("Saving 2022/23 £000", 2022),
        ("2021/23", None),
        ("Ref", None),
    ],
)
def test_year_headers(header, year):
    assert year_of_header(header) == year


@pytest.mark.parametrize(
    "header, wanted",
    [
        ("Ref", "id"),
        ("REF.", "id"),
        ("Reference", "id"),
        ("ID", "id"),
        ("Saving Description", "name"),
        ("Service line", "activity"),
        ("RAG status", "rag"),
        ("One-off cost (£000)", "one_off_k"),
        ("Start year", "earliest"),
        ("Budget £m", "budget_k"),
        ("2021/22 £m", "saving 2021/22"),
        ("Lead officer", None),
        ("Cumulative 2022/23 £000", None),
        ("Budget 2021/22", None),
    ],
)
def test_column_names(header, wanted):
    assert field_of_header(header) == wanted
