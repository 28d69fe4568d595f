"""Hostile files at the reading stage (issue 12, item 8): symlink loops, files too large to be an
input, damaged or malicious workbooks, and workbook content that Excel shows differently from what
it stores. Each must give a located message and exit 2: never exit 3, a traceback, a hang or
unbounded memory. Everything goes through the CLI."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import Council
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfs_align.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def refused(result, *words):
    """Exit 2 with a message holding every word, and no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    for word in words:
        assert word in result.output, result.output


def loop(path):
    """Make `path` a symbolic link to itself."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    os.symlink(path.name, path)


# --------------------------------------------------------------------------------------------
# Symlink loops
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["options.csv", "activities.csv", "mtfs.yaml", "plan.yaml"])
def test_a_data_file_that_is_a_symlink_loop_is_named(tmp_path, name):
    c = Council()
    path = c.write(tmp_path)
    loop(c.data_dir(tmp_path) / name)
    refused(invoke("validate", path), name, "symbolic link that loops")


def test_a_two_link_loop_is_named(tmp_path):
    c = Council()
    path = c.write(tmp_path)
    data = c.data_dir(tmp_path)
    (data / "options.csv").unlink()
    os.symlink("other.csv", data / "options.csv")
    os.symlink("options.csv", data / "other.csv")
    refused(invoke("validate", path), "options.csv", "symbolic link that loops")


def test_a_plan_file_that_is_a_symlink_loop_is_named(tmp_path):
    path = Council().write(tmp_path)
    os.symlink("plan.csv", tmp_path / "plan.csv")
    refused(invoke("check", path, "--plan", tmp_path / "plan.csv", "-q", "--out", tmp_path / "out"), "plan.csv")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_data_file_that_is_a_pipe_or_a_device_is_refused_without_blocking(tmp_path, kind):
    c = Council()
    path = c.write(tmp_path)
    target = c.data_dir(tmp_path) / "options.csv"
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    else:
        os.symlink("/dev/zero", target)
    refused(invoke("validate", path), "options.csv", "not a regular file")


# --------------------------------------------------------------------------------------------
# Size limits (sparse files: no real disk use)
# --------------------------------------------------------------------------------------------


def sparse(path, size):
    with open(path, "ab") as handle:
        handle.truncate(size)


@pytest.mark.parametrize(("name", "size", "limit"), [("options.csv", 60_000_000, 50), ("mtfs.yaml", 6_000_000, 5)])
def test_a_data_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path, name, size, limit):
    c = Council()
    path = c.write(tmp_path)
    sparse(c.data_dir(tmp_path) / name, size)
    refused(invoke("validate", path), name, f"above the limit of {limit} MB")


def test_a_scenario_above_the_size_limit_is_refused(tmp_path):
    path = Council().write(tmp_path)
    sparse(path, 6_000_000)
    refused(invoke("validate", path), "test.yaml", "above the limit of 5 MB")


def test_a_csv_with_more_rows_than_any_council_is_refused(tmp_path):
    c = Council()
    path = c.write(tmp_path)
    options = c.data_dir(tmp_path) / "options.csv"
    with options.open("a", encoding="utf-8") as handle:
        handle.write("X,Option X,A1,efficiency,G\n" * 100_001)
    refused(invoke("validate", path), "options.csv", "more than 100,000 rows")


# --------------------------------------------------------------------------------------------
# Workbooks: damaged, malicious, and content Excel shows differently from what it stores
# --------------------------------------------------------------------------------------------


def typed(text):
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def workbook_council(tmp_path, edit=None):
    """The factory council with its two tables as one workbook `tracker.xlsx` (sheets activities
    and options); `edit(book)` may change the workbook before it is saved. Returns (scenario,
    workbook path)."""
    import csv

    from openpyxl import Workbook

    c = Council()
    path = c.write(tmp_path)
    data = c.data_dir(tmp_path)
    book = Workbook()
    book.remove(book.active)
    for name in ("activities", "options"):
        sheet = book.create_sheet(name)
        with open(data / f"{name}.csv", encoding="utf-8", newline="") as handle:
            for i, record in enumerate(csv.reader(handle)):
                sheet.append(record if i == 0 else [typed(cell) for cell in record])
        (data / f"{name}.csv").unlink()
    if edit:
        edit(book)
    book.save(data / "tracker.xlsx")
    return path, data / "tracker.xlsx"


def rewrite_member(xlsx, member, change):
    """Rewrite one member of the zip archive `xlsx` with `change(bytes) -> bytes`."""
    import zipfile

    with zipfile.ZipFile(xlsx) as old:
        parts = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as new:
        for info, body in parts:
            new.writestr(info.filename, change(body) if info.filename == member else body)


def test_the_workbook_council_reads(tmp_path):
    path, _ = workbook_council(tmp_path)
    assert invoke("validate", path).exit_code in (0, 1)


def test_a_workbook_that_is_not_a_zip_is_refused(tmp_path):
    path, xlsx = workbook_council(tmp_path)
    xlsx.write_bytes(b"PK\x03\x04 this is not a workbook" * 10)
    refused(invoke("validate", path), "tracker.xlsx", "damaged")


def test_a_truncated_workbook_is_refused(tmp_path):
    path, xlsx = workbook_council(tmp_path)
    xlsx.write_bytes(xlsx.read_bytes()[:1500])
    refused(invoke("validate", path), "tracker.xlsx")


def test_damaged_sheet_xml_is_refused(tmp_path):
    path, xlsx = workbook_council(tmp_path)
    rewrite_member(xlsx, "xl/worksheets/sheet2.xml", lambda body: body[: len(body) // 2])
    refused(invoke("validate", path), "tracker.xlsx")


def test_a_workbook_above_the_size_limit_is_refused(tmp_path):
    path, xlsx = workbook_council(tmp_path)
    sparse(xlsx, 60_000_000)
    refused(invoke("validate", path), "tracker.xlsx", "above the limit of 50 MB")


def test_a_workbook_symlink_loop_is_refused(tmp_path):
    path, xlsx = workbook_council(tmp_path)
    loop(xlsx)
    refused(invoke("validate", path), "tracker.xlsx", "symbolic link that loops")


def test_xml_that_declares_entities_is_refused(tmp_path):
    path, xlsx = workbook_council(tmp_path)
    bomb = b'<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'

    rewrite_member(xlsx, "xl/worksheets/sheet1.xml", lambda body: bomb + body)
    refused(invoke("validate", path), "tracker.xlsx", "the workbook's XML declares entities")


def test_a_decompression_bomb_is_refused_before_openpyxl_opens_it(tmp_path):
    """A sheet that unpacks to 300 MB of blanks (a few hundred kB packed): refused from the sizes
    the archive declares, without unpacking it."""
    import zipfile

    path, xlsx = workbook_council(tmp_path)
    with zipfile.ZipFile(xlsx) as old:
        parts = [(info.filename, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as new:
        for name, body in parts:
            if name == "xl/worksheets/sheet2.xml":
                with new.open(name, "w", force_zip64=True) as out:
                    out.write(body.replace(b"</worksheet>", b""))
                    block = b" " * (1 << 20)
                    for _ in range(300):
                        out.write(block)
                    out.write(b"</worksheet>")
            else:
                new.writestr(name, body)
    assert xlsx.stat().st_size < 5_000_000
    refused(invoke("validate", path), "tracker.xlsx", "above the limit of 200 MB")


def test_a_high_ratio_member_is_refused(tmp_path):
    """Under the total limit, but one part unpacks thousands of times larger than it is stored."""
    import zipfile

    path, xlsx = workbook_council(tmp_path)
    with zipfile.ZipFile(xlsx, "a", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/media/padding.bin", b"\0" * 50_000_000)
    refused(invoke("validate", path), "tracker.xlsx", "decompression bomb")


def test_a_sheet_with_more_cells_than_any_council_is_refused(tmp_path):
    def grow(book):
        sheet = book["options"]
        for row in range(10, 160):
            sheet.cell(row, 16_000, 1)  # 150 rows as wide as Excel allows: 2.4 million cells

    path, _ = workbook_council(tmp_path, grow)
    refused(invoke("validate", path), "sheet options", "cells, more than any council's table")


def test_merged_cells_in_the_data_area_are_refused_by_cell(tmp_path):
    def merge(book):
        sheet = book["options"]
        sheet["C3"] = sheet["C2"].value  # S1 and S2 both on A1 would read, but C3 is blank once merged
        sheet.merge_cells("C2:C3")

    path, _ = workbook_council(tmp_path, merge)
    refused(invoke("validate", path), "sheet options, rows 2-3", "C2:C3 are merged")


def test_a_merged_title_above_the_header_is_allowed(tmp_path):
    def title(book):
        sheet = book["options"]
        sheet.insert_rows(1, 2)
        sheet.merge_cells("A1:E1")

    path, _ = workbook_council(tmp_path, title)
    result = invoke("validate", path)
    assert result.exit_code in (0, 1), result.output


def test_a_hidden_stale_sheet_is_not_read_in_place_of_the_visible_one(tmp_path):
    from mtfs_align.scenario import load_scenario

    def stale(book):
        old = book.copy_worksheet(book["options"])  # added last: the one a name lookup would keep
        old.title = "Options "
        old["B2"] = "STALE"
        old.sheet_state = "hidden"

    path, _ = workbook_council(tmp_path, stale)
    result = invoke("validate", path)
    assert result.exit_code in (0, 1), result.output
    assert load_scenario(path).options["S1"].name == "Option S1"


def test_an_only_hidden_sheet_is_named(tmp_path):
    def hide(book):
        book["options"].sheet_state = "hidden"

    path, _ = workbook_council(tmp_path, hide)
    refused(invoke("validate", path), "sheet options", "is hidden")


def test_a_percent_formatted_growth_cell_is_read_as_the_percentage_shown(tmp_path):
    from mtfs_align.scenario import load_scenario

    def percent(book):
        sheet = book["activities"]
        header = [cell.value for cell in sheet[1]]
        column = header.index("growth_pct") + 1 if "growth_pct" in header else len(header) + 1
        sheet.cell(1, column, "growth_pct")
        sheet.cell(2, column, 0.03).number_format = "0.0%"  # shown 3.0%
        sheet.cell(3, column, 2.5)  # typed as a plain number: 2.5 %

    path, _ = workbook_council(tmp_path, percent)
    result = invoke("validate", path)
    assert result.exit_code in (0, 1), result.output
    sc = load_scenario(path)
    growth = {a.id: a.growth_pct for a in sc.activities.values()}
    assert growth["A1"] == pytest.approx(3.0)
    assert growth["A2"] == pytest.approx(2.5)


# --------------------------------------------------------------------------------------------
# Loops in the paths the scenario names (resolved with io.input_files.resolve_or_problem)
# --------------------------------------------------------------------------------------------


def test_a_data_folder_that_is_a_symlink_loop_is_named(tmp_path):
    c = Council()
    path = c.write(tmp_path)
    loop(c.data_dir(tmp_path))
    refused(invoke("validate", path), "testshire")


def test_an_extends_target_that_is_a_symlink_loop_is_named(tmp_path):
    c = Council()
    c.scenario["extends"] = "loop.yaml"
    path = c.write(tmp_path)
    os.symlink("loop.yaml", path.parent / "loop.yaml")
    refused(invoke("validate", path), "loop.yaml")


def test_a_scenario_file_that_is_a_symlink_loop_is_named(tmp_path):
    path = Council().write(tmp_path)
    loop(path)
    refused(invoke("validate", path), "test.yaml")


# --------------------------------------------------------------------------------------------
# Fuzz: mutated copies of the bundled example never crash validate
# --------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
FUZZED = [
    "data/westshire/plan.yaml",
    "data/westshire/options.csv",
    "data/westshire/activities.csv",
    "data/westshire/mtfs.yaml",
    "scenarios/central.yaml",
]


def mutate(data: bytes, draw) -> bytes:
    """One random byte or line mutation of a file's bytes."""
    lines = data.split(b"\n")
    kind = draw(st.sampled_from(["delete", "duplicate", "replace", "truncate", "control", "number"]))
    if kind == "delete" and len(lines) > 1:
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif kind == "duplicate":
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif kind == "replace" and data:
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
    elif kind == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    elif kind == "control":
        i = draw(st.integers(0, len(data)))
        return data[:i] + bytes([draw(st.sampled_from([0, 1, 7, 8, 11, 12, 13, 27, 127]))]) + data[i:]
    elif kind == "number":
        spots = [m.span() for m in re.finditer(rb"\d+(?:\.\d+)?", data)]
        if spots:
            start, end = spots[draw(st.integers(0, len(spots) - 1))]
            huge = draw(
                st.sampled_from([b"1e308", b"-1e308", b"99999999999999999999", b"-5", b"-100000", b"0", b"1e-300"])
            )
            return data[:start] + huge + data[end:]
    return b"\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_validate_never_crashes_on_a_mutated_example(tmp_path_factory, data):
    """validate on the example with one to three random mutations in its files: exit 0, 1 or 2,
    never 3, never a traceback. Nothing is narrowed: 1,500 examples over these five files found
    no crash when this was written."""
    root = tmp_path_factory.mktemp("fuzz")
    for name in ("data/westshire", "scenarios"):
        shutil.copytree(REPO / name, root / name)
    for _ in range(data.draw(st.integers(1, 3))):
        target = root / data.draw(st.sampled_from(FUZZED))
        target.write_bytes(mutate(target.read_bytes(), data.draw))
    result = invoke("validate", root / "scenarios" / "central.yaml")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output


def test_import_refuses_a_workbook_that_is_not_a_zip(tmp_path):
    """The tracker importer checks a workbook as the data readers do before openpyxl opens it."""
    tracker = tmp_path / "tracker.xlsx"
    tracker.write_bytes(b"this is not a workbook")
    result = CliRunner().invoke(cli, ["import", str(tracker), "--into", str(tmp_path / "data")])
    assert result.exit_code == 2, result.output
    assert "tracker.xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "data" / "options.csv").exists()
