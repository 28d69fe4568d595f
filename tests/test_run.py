"""`mtfs-align run` and `brief`: every file, inputs untouched, reruns byte-identical, formulas
neutralised, and the briefing rebuilt from the folder."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from click.testing import CliRunner
from factory import Council, read_csv
from openpyxl import load_workbook
from pypdf import PdfReader

from mtfs_align.cli import cli

FAST = ["--draws", "500", "--samples", "4", "--points", "3", "--quiet"]
EXPECTED = {
    "budget.csv",
    "activities.csv",
    "plan.csv",
    "outcomes.csv",
    "alignment.csv",
    "savings_summary.csv",
    "breaches.csv",
    "screened.csv",
    "frontier.csv",
    "risk.csv",
    "core_index.csv",
    "proposal.csv",
    "kpis.csv",
    "manifest.json",
    "results.xlsx",
    "briefing.pdf",
}


def council_with_proposal() -> Council:
    council = Council()
    council.option("S2")["name"] = '=HYPERLINK("http://example.invalid")'
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2022/23"}
    return council


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """One run of Testshire with a proposal, shared by the tests that only read its folder."""
    root = tmp_path_factory.mktemp("run")
    path = council_with_proposal().write(root / "in")
    before = digests(root / "in")
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(root / "a"), *FAST])
    assert result.exit_code == 0, result.output
    return root, path, before


def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_run_writes_everything_and_leaves_inputs_alone(done):
    tmp_path, path, before = done
    out = tmp_path / "a"
    assert EXPECTED <= {p.name for p in out.iterdir()}
    assert {p.suffix for p in (out / "charts").iterdir()} == {".png", ".svg"}
    assert digests(tmp_path / "in") == before
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "run" and manifest["seed"] == 20210401
    assert 0 <= manifest["p_balanced_all_years"] <= 1
    assert {i["path"].split("/")[-1] for i in manifest["inputs"]} >= {
        "plan.yaml",
        "mtfs.yaml",
        "activities.csv",
        "options.csv",
        "test.yaml",
    }
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert set(manifest["timings"]) >= {"optimise", "frontier", "risk", "robust", "charts", "briefing"}
    assert [row["plan"] for row in read_csv(out / "proposal.csv")] == ["P", "B", "C"]
    text = "".join(page.extract_text() for page in PdfReader(out / "briefing.pdf").pages)
    assert "Testshire" in text and "Key messages" in text


def test_run_twice_gives_identical_tables(done):
    tmp_path, path, _ = done
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(tmp_path / "b"), *FAST])
    assert result.exit_code == 0, result.output
    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    csvs = [name for name in first if name.endswith(".csv")]
    assert len(csvs) >= 12
    assert all(first[name] == second[name] for name in csvs)


def test_formulas_are_neutralised_in_csv_and_workbook(done):
    tmp_path, _, _ = done
    plan = read_csv(tmp_path / "a" / "proposal" / "plan.csv")
    names = [row["name"] for row in plan]
    assert '\'=HYPERLINK("http://example.invalid")' in names
    book = load_workbook(tmp_path / "a" / "results.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]  # no formula anywhere
    shown = [cell for cell in cells if cell.value == '=HYPERLINK("http://example.invalid")']
    assert shown  # the name as the user wrote it, without a visible apostrophe...
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in shown)  # ...kept as text
    with zipfile.ZipFile(tmp_path / "a" / "results.xlsx") as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)  # Excel would run none of them


def test_brief_rebuilds_the_pdf(done, tmp_path):
    import shutil

    root, path, _ = done
    shutil.copytree(root / "a", tmp_path / "copy")
    pdf = tmp_path / "copy" / "briefing.pdf"
    pdf.unlink()
    result = CliRunner().invoke(cli, ["brief", str(path), "--out", str(tmp_path / "copy")])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(pdf).pages) >= 3


def test_brief_refuses_a_folder_that_is_not_an_output(tmp_path):
    (tmp_path / "x").mkdir()
    result = CliRunner().invoke(cli, ["brief", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "not an mtfs_align output folder" in result.output


def test_run_passes_the_frontier_range_and_concentration_on(tmp_path):
    """--vary reserves from 0.5 to 1 in 3 points gives scales 0.5, 0.75 and 1; the manifest records
    the range and the Dirichlet concentration used for the core index (Testshire has no ranges)."""
    path = Council().write(tmp_path / "in")
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--vary",
            "reserves",
            "--from",
            "0.5",
            "--to",
            "1",
            "--concentration",
            "5",
            *FAST,
        ],
    )
    assert result.exit_code == 0, result.output
    assert [float(r["scale"]) for r in read_csv(tmp_path / "out" / "frontier.csv")] == [0.5, 0.75, 1.0]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["frontier"] == {"vary": "reserves", "from": 0.5, "to": 1.0, "points": 3}
    assert manifest["concentration"] == 5


def test_run_reports_every_bad_flag_once_and_writes_nothing(tmp_path):
    """A reversed range, a negative seed (used by risk and by robustness) and a zero concentration:
    exit 2 with each problem named once, before any work, and no output folder."""
    path = Council().write(tmp_path / "in")
    result = CliRunner().invoke(
        cli,
        [
            "run",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--from",
            "2",
            "--to",
            "1",
            "--seed",
            "-1",
            "--concentration",
            "0",
            "--quiet",
        ],
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.count("--seed") == 1
    assert "--from 2 is not below --to 1" in result.output
    assert "--concentration" in result.output
    assert not (tmp_path / "out").exists()
