"""`mtfs-align batch` (DESIGN 6, issue 13 item 4): the whole run of each scenario into a folder of
its own and batch.csv, a broken scenario reported there while the others go on; the same files
whether the scenarios run one after another, on a Dask LocalCluster or on a scheduler and worker
started as processes of their own; the list file's bad lines located (exit 2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from dask_processes import scheduler_and_worker
from factory import Council

from mtfs_align import api
from mtfs_align.batch import BATCH_MARKER, folder_names, read_list
from mtfs_align.cli import cli
from mtfs_align.errors import InputError
from mtfs_align.io.output_marker import MARKER

FAST = {"points": 2, "draws": 200, "samples": 2}
FAST_FLAGS = ["--points", "2", "--draws", "200", "--samples", "2"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project folder with two councils' data, a scenario of each (the second under the same
    stem in another folder) and a broken scenario; the tests work from this folder."""
    root = tmp_path_factory.mktemp("project")
    Council().write(root)  # data/testshire, scenarios/test.yaml
    other = Council("otherton", "test")
    other.plan["council"] = "Otherton Borough Council (illustrative)"
    other.mtfs["funding_k"] = {"council_tax": [880, 880, 880]}  # a different gap, so the rows differ
    other.write(root / "other")
    broken = root / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("name: Broken\ndata: ../data/nowhere\n", encoding="utf-8")
    (root / "councils.txt").write_text(
        "# every council, one scenario a line\nscenarios/test.yaml\n\nbroken/bad.yaml\n  other/scenarios/test.yaml\n",
        encoding="utf-8",
    )
    (root / "pair.txt").write_text("scenarios/test.yaml\nbroken/bad.yaml\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def serial(project):
    """The batch of the list file through the command line, one scenario after another."""
    before = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(cli, ["batch", "--list", "councils.txt", "--out", "serial", *FAST_FLAGS])
    finally:
        os.chdir(before)
    return result, project / "serial"


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a batch folder, by its relative name; the times a run took left out."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.name == "manifest.json":
            manifest = json.loads(data)
            for varies in ("seconds", "timings"):
                manifest.pop(varies, None)
            data = json.dumps(manifest, sort_keys=True).encode()
        elif name == "batch.csv":
            data = b"\n".join(line.rsplit(b",", 1)[0] for line in data.splitlines())  # seconds last
        found[name] = data
    return found


def test_serial_batch_runs_each_scenario_and_reports_the_broken_one(serial, project):
    result, out = serial
    assert result.exit_code == 2, result.output  # one scenario's bad input: the batch's highest code
    assert sorted(p.name for p in out.iterdir()) == sorted([".mtfs-align-batch", "batch.csv", "test", "test-2"])
    import pandas as pd

    table = pd.read_csv(out / "batch.csv")
    table[["folder", "message"]] = table[["folder", "message"]].fillna("")
    assert list(table["scenario"]) == ["scenarios/test.yaml", "broken/bad.yaml", "other/scenarios/test.yaml"]
    assert list(table["folder"]) == ["test", "", "test-2"]
    assert list(table["status"]) == ["done", "bad input", "done"]
    assert "broken/bad.yaml, line 2: data:" in table["message"][1] and "Fix:" in table["message"][1]
    assert list(table.columns[:6]) == ["council", "scenario", "folder", "gap_k", "savings_k", "reserves_draw_k"]
    assert [c for c in table.columns if c.startswith("unidentified_")] == [
        "unidentified_2021/22_k",
        "unidentified_2022/23_k",
        "unidentified_2023/24_k",
    ]
    # each good row is its own run's figures, read from that run's own files
    for row, folder in ((0, "test"), (2, "test-2")):
        budget = pd.read_csv(out / folder / "budget.csv")
        manifest = json.loads((out / folder / "manifest.json").read_text())
        assert table["council"][row] == manifest["council"]
        assert table["gap_k"][row] == budget["gap_k"].iloc[-1]
        assert table["savings_k"][row] == budget["savings_k"].iloc[-1]
        assert table["reserves_draw_k"][row] == manifest["reserves_draw_k"]
        assert table["harm"][row] == manifest["harm"]
        assert table["p_balanced_all_years"][row] == manifest["p_balanced_all_years"]
        assert list(table.loc[row, [c for c in table.columns if c.startswith("unidentified_")]]) == list(
            budget["unidentified_k"]
        )
        assert (out / folder / MARKER).is_file() and (out / folder / "briefing.pdf").is_file()
    assert table["gap_k"][0] != table["gap_k"][2]


def test_progress_is_printed_for_each_scenario(serial):
    result, _ = serial
    err = result.stderr
    assert "Running 3 scenarios one after another, into serial/..." in err
    assert "[1/3] scenarios/test.yaml: done" in err
    assert "[2/3] broken/bad.yaml: bad input: broken/bad.yaml, line 2" in err
    assert "[3/3] other/scenarios/test.yaml: done" in err
    assert "3 scenarios: 2 done, 1 bad input." in result.stdout
    quiet = CliRunner().invoke(cli, ["batch", "--quiet", "--list", "nowhere.txt"])
    assert quiet.exit_code == 2 and "Running" not in quiet.stderr


def _batch_on(project: Path, scheduler: str, out: str) -> Path:
    """The first two scenarios of the list (one council and the broken scenario) on `scheduler`,
    through the API: its results are batch.csv as written."""
    before = Path.cwd()
    os.chdir(project)
    try:
        results = api.batch(list_file="pair.txt", out=out, scheduler=scheduler, **FAST)
    finally:
        os.chdir(before)
    assert results.exit_code == 2
    assert list(results.batch["status"]) == ["done", "bad input"]
    assert results.text("batch") == (project / out / "batch.csv").read_text(encoding="utf-8")
    return project / out


def _serial_pair(serial) -> dict[str, bytes]:
    """What the serial batch wrote for the list's first two scenarios."""
    files = _files(serial[1])
    files["batch.csv"] = b"\n".join(files["batch.csv"].split(b"\n")[:3])
    return {name: data for name, data in files.items() if not name.startswith("test-2/")}


def test_a_local_cluster_gives_the_serial_files(serial, project):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        out = _batch_on(project, cluster.scheduler_address, "cluster")
    assert _files(out) == _serial_pair(serial)


def test_a_scheduler_and_worker_of_their_own_give_the_serial_files(serial, project, tmp_path):
    """`dask scheduler` and `dask worker` as separate processes on localhost (free ports), the worker
    started in another folder: it works from the batch's folder, as a cluster sharing it would."""
    pytest.importorskip("distributed")
    with scheduler_and_worker(worker_folder=tmp_path) as address:
        out = _batch_on(project, address, "separate")
    assert _files(out) == _serial_pair(serial)


# ---------------------------------------------------------------------------- the list and the folder


def test_a_list_files_bad_lines_are_each_located(tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "central.yaml").write_text("name: x\n", encoding="utf-8")
    listed = tmp_path / "councils.txt"
    listed.write_text("# comment\nscenarios/central.yaml\n\nscenarios/missing.yaml\nnotes.txt\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_list(listed)
    shown = [str(p) for p in raised.value.problems]
    assert len(shown) == 2
    assert shown[0].startswith(f"{listed}, line 4: the scenario file 'scenarios/missing.yaml' does not exist")
    assert "Fix: correct the path (relative to the list file's folder)" in shown[0]
    assert shown[1].startswith(f"{listed}, line 5: 'notes.txt' is not a scenario file (.yaml or .yml).")

    result = CliRunner().invoke(cli, ["batch", "--list", str(listed), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "line 4" in result.stderr and "line 5" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()  # nothing written


def test_a_list_with_no_scenario_a_missing_list_and_no_arguments_are_bad_input(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    for arguments, words in (
        (["--list", str(empty)], "names no scenario"),
        (["--list", str(tmp_path / "missing.txt")], "does not exist"),
        ([], "batch needs scenario files or --list FILE"),
        ([str(tmp_path / "gone.yaml")], "SCENARIO: the scenario file"),
    ):
        result = CliRunner().invoke(cli, ["batch", *arguments, "--out", str(tmp_path / "out")])
        assert result.exit_code == 2, (arguments, result.output)
        assert words in result.stderr
    assert not (tmp_path / "out").exists()


def test_folder_names_are_unique_even_when_stems_are_shared():
    paths = [Path("a/central.yaml"), Path("b/central.yaml"), Path("central-2.yaml"), Path("c/Central.yml")]
    assert folder_names(paths) == ["central", "central-2", "central-2-2", "Central-3"]


def test_a_folder_of_the_users_is_never_written_into(tmp_path, project):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(project / "scenarios" / "test.yaml"), "--out", str(mine)])
    assert result.exit_code == 2 and f"no {BATCH_MARKER} file" in result.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_bad_settings_are_bad_input_before_any_work(tmp_path, project):
    result = CliRunner().invoke(
        cli, ["batch", str(project / "scenarios" / "test.yaml"), "--workers", "0", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "--workers" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_scenario_folder_holding_a_users_file_is_refused_on_its_row(serial, project, tmp_path):
    """Each scenario's folder keeps io/outputs' rules: an earlier output with a file added by hand
    is not replaced; that scenario is reported and its folder left as it was."""
    import shutil

    out = tmp_path / "again"
    shutil.copytree(serial[1], out)
    (out / "test" / "notes.txt").write_text("mine", encoding="utf-8")
    before = sorted(p.name for p in (out / "test").iterdir())
    results = api.batch([project / "scenarios" / "test.yaml"], out=out, **FAST)
    assert results.exit_code == 2
    row = results.batch.iloc[0]
    assert row["status"] == "bad input" and row["folder"] == ""
    assert "also holds files the tool did not write (notes.txt)" in row["message"]
    assert sorted(p.name for p in (out / "test").iterdir()) == before
    assert (out / "test-2").is_dir()  # an earlier batch's folder this batch does not name: left alone
