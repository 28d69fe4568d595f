"""Fuzz: the bundled example as a workbook (.xlsx input), mutated as a spreadsheet, as a zip archive
and as bytes, never makes validate or `check --plan` exit 3 or show a traceback (issue 12, item 8).
The plain-text files have their own fuzz test in test_hostile_files.py. FUZZ_EXAMPLES=2000 in the
environment searches longer than the suite does."""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtfs_align.cli import cli

REPO = Path(__file__).resolve().parents[1]
SHEETS = ("activities", "options")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))

# Values a person, a program or an attacker could leave in a cell.
CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["G", "A", "R", "Amber", "O1:2;O2", "S01;S02", "2021/22", "2030/31", "2021-22", "y3_k", "Y3_K"]),
    st.sampled_from(["=1/0", "=A1", "=SUM(E2:E9)", "#N/A", "#DIV/0!", "'=S1", "-S1", "@x", "\x1b[2J", "a\nb"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.sampled_from([date(2021, 4, 1), datetime(2022, 3, 31, 12, 30)]),
)


def _typed(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text or None


def _book(tables: dict[str, list[list[str]]]):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, records in tables.items():
        sheet = book.create_sheet(name)
        for i, record in enumerate(records):
            sheet.append(record if i == 0 else [_typed(cell) for cell in record])
    return book


def _set(cell, value: object) -> None:
    """A cell's value; a control character, which a workbook's XML cannot hold, is written as the
    escape Excel saves for it (_x001B_), which openpyxl reads as that text."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    try:
        cell.value = value
    except IllegalCharacterError:
        cell.value = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n\r" else ch for ch in value)


def _edit(book, draw) -> None:
    """One spreadsheet-level change: a cell's value or format, merged cells, a hidden, renamed,
    copied or extra sheet, inserted or deleted rows and columns."""
    sheet = book[draw(st.sampled_from(book.sheetnames))]
    rows, cols = max(sheet.max_row, 1), max(sheet.max_column, 1)
    r, c = draw(st.integers(1, rows + 2)), draw(st.integers(1, cols + 2))
    kind = draw(
        st.sampled_from(["value", "value", "value", "format", "merge", "hide", "rename", "copy", "rows", "cols"])
    )
    if kind == "value":
        _set(sheet.cell(r, c), draw(CELL_VALUES))
    elif kind == "format":
        sheet.cell(r, c).number_format = draw(st.sampled_from(["0.0%", "0%", "yyyy-mm-dd", "@", "#,##0", "£#,##0"]))
    elif kind == "merge":
        sheet.merge_cells(start_row=r, start_column=c, end_row=r + draw(st.integers(0, 2)), end_column=c + 1)
    elif kind == "hide":
        sheet.sheet_state = draw(st.sampled_from(["hidden", "veryHidden"]))
        if all(s.sheet_state != "visible" for s in book.worksheets):
            book.create_sheet("notes")  # a workbook must keep one visible sheet
    elif kind == "rename":
        sheet.title = draw(st.sampled_from(["Options", " activities ", "Sheet1", "plan", "OPTIONS"]))
    elif kind == "copy":
        copy = book.copy_worksheet(sheet)
        copy.title = sheet.title.upper()
        _set(copy.cell(r, c), draw(CELL_VALUES))
    elif kind == "rows":
        if draw(st.booleans()):
            sheet.insert_rows(r, draw(st.integers(1, 3)))
        else:
            sheet.delete_rows(r, draw(st.integers(1, 3)))
    elif draw(st.booleans()):
        sheet.insert_cols(c)
    else:
        sheet.delete_cols(c)


def _damage_archive(data: bytes, draw) -> bytes:
    """One change to the saved workbook as a zip archive or as bytes. Positions come from a drawn
    seed: the archive's bytes hold the time it was saved, so their length differs between runs."""
    kind = draw(st.sampled_from(["member", "member", "drop", "truncate", "byte"]))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    if kind in ("truncate", "byte"):
        i = rnd.randrange(len(data))
        return data[:i] if kind == "truncate" else data[:i] + bytes([rnd.randrange(256)]) + data[i + 1 :]
    junk = draw(st.sampled_from([b"", b"<", b">", b"&", b'"', b"x" * 40, b"\x00", b"<!DOCTYPE x>"]))
    with zipfile.ZipFile(io.BytesIO(data)) as old:
        parts = [(info.filename, old.read(info)) for info in old.infolist()]
    target = rnd.randrange(len(parts))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for i, (name, body) in enumerate(parts):
            if i == target and kind == "drop":
                continue
            if i == target and body:
                start = rnd.randrange(len(body))
                body = body[:start] + junk + body[min(len(body), start + rnd.randrange(1, 64)) :]
            new.writestr(name, body)
    return out.getvalue()


def _example(root: Path) -> None:
    """The bundled example under root, its two tables as one workbook data/westshire/tracker.xlsx."""
    shutil.copytree(REPO / "data" / "westshire", root / "data" / "westshire")
    shutil.copytree(REPO / "scenarios", root / "scenarios")


def _tables(folder: Path) -> dict[str, list[list[str]]]:
    tables = {}
    for name in SHEETS:
        with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
            tables[name] = list(csv.reader(handle))
    return tables


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_example_workbook_never_crashes_validate(tmp_path_factory, data):
    """validate on the example read from a workbook with one to three spreadsheet changes and, one
    time in three, damage to the saved archive: exit 0, 1 or 2, never 3, never a traceback."""
    root = tmp_path_factory.mktemp("fuzz_xlsx")
    _example(root)
    folder = root / "data" / "westshire"
    book = _book(_tables(folder))
    for name in SHEETS:
        (folder / f"{name}.csv").unlink()
    for _ in range(data.draw(st.integers(1, 3))):
        _edit(book, data.draw)
    buffer = io.BytesIO()
    book.save(buffer)
    saved = buffer.getvalue()
    if data.draw(st.integers(0, 2)) == 0:
        saved = _damage_archive(saved, data.draw)
    (folder / "tracker.xlsx").write_bytes(saved)
    result = CliRunner().invoke(cli, ["validate", str(root / "scenarios" / "central.yaml")])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output


@settings(
    max_examples=max(EXAMPLES // 2, 1), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_mutated_plan_workbook_never_crashes_check(tmp_path_factory, data):
    """check --plan plan.xlsx with the proposal's plan as a workbook, mutated as above: exit 0, 1
    or 2, never 3, never a traceback, and nothing written when the plan is refused."""
    root = tmp_path_factory.mktemp("fuzz_plan_xlsx")
    _example(root)
    from mtfs_align.scenario import load_scenario

    proposal = load_scenario(root / "scenarios" / "proposal.yaml")
    records = [["option", "start"]] + [[o, proposal.years[s]] for o, s in sorted((proposal.plan or {}).items())]
    book = _book({"plan": records})
    for _ in range(data.draw(st.integers(1, 3))):
        _edit(book, data.draw)
    buffer = io.BytesIO()
    book.save(buffer)
    saved = buffer.getvalue()
    if data.draw(st.integers(0, 2)) == 0:
        saved = _damage_archive(saved, data.draw)
    plan = root / "plan.xlsx"
    plan.write_bytes(saved)
    out = root / "out"
    args = ["check", str(root / "scenarios" / "central.yaml"), "--plan", str(plan), "--out", str(out), "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output, result.output
    if result.exit_code == 2:
        assert not out.exists()


def test_a_workbook_whose_compressed_data_is_damaged_is_refused(tmp_path):
    """Found by the fuzz test above: a sheet's deflate stream that zlib cannot decompress ("invalid
    block type") escaped as zlib.error, exit 3; it is a damaged workbook (exit 2)."""
    import struct

    _example(tmp_path)
    folder = tmp_path / "data" / "westshire"
    buffer = io.BytesIO()
    _book(_tables(folder)).save(buffer)
    data = bytearray(buffer.getvalue())
    for name in SHEETS:
        (folder / f"{name}.csv").unlink()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_length + extra_length
    data[start : start + 4] = b"\xff\xff\xff\xff"  # not a deflate block
    (folder / "tracker.xlsx").write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "scenarios" / "central.yaml")])
    assert result.exit_code == 2, result.output
    assert "tracker.xlsx: the workbook is damaged" in result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output


def test_a_plan_workbook_without_its_sheet_is_refused(tmp_path):
    """Found by the fuzz test above: with its sheet's part missing, openpyxl opens a workbook with
    no sheets, and choosing the plan's sheet failed (IndexError, exit 3)."""
    _example(tmp_path)
    buffer = io.BytesIO()
    _book({"plan": [["option", "start"], ["S02", "2021/22"]]}).save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                new.writestr(info.filename, old.read(info))
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(out.getvalue())
    scenario = str(tmp_path / "scenarios" / "central.yaml")
    result = CliRunner().invoke(cli, ["check", scenario, "--plan", str(plan), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "plan.xlsx: the workbook has no sheets it can read (it is damaged)" in result.output
    assert not (tmp_path / "out").exists()
