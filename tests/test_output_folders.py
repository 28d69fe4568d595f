"""Output folders are never lost: one per command, replaced only when they hold the tool's own
earlier output, swapped in whole, safe against a run killed at any moment and against two runs at
once; and the command line stops the way people expect (Ctrl-C, a closed pipe)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import Council, write_csv

from mtfs_align.cli import cli
from mtfs_align.errors import InputError
from mtfs_align.io import outputs
from mtfs_align.io.outputs import MARKER, OutputFolder

# Run in a child process: pause at one moment of writing the output folder (touching `paused`,
# then waiting for `go`), so that the test can kill the run there or start a second one.
# SIGINT is put back to Python's own handler first: a command typed at a terminal has it, but one
# started in the background by a non-interactive shell (as CI may run the suite) inherits SIGINT
# ignored, and then Ctrl-C rightly does nothing to it.
CHILD = r"""
import os, signal, sys, time
from pathlib import Path
from mtfs_align.io import outputs

signal.signal(signal.SIGINT, signal.default_int_handler)
moment = os.environ["PAUSE_AT"]


def pause():
    Path("paused").write_text(str(os.getpid()))
    while not Path("go").exists():
        time.sleep(0.02)


if os.environ.get("NO_EXCHANGE"):
    outputs.exchange = lambda first, second: False
write_json, swap, rename = outputs.OutputFolder.write_json, outputs.OutputFolder.swap, os.rename


def paused_write_json(self, name, data):
    if moment == "writing":
        pause()
    write_json(self, name, data)


def paused_swap(self):
    if moment == "before-swap":
        pause()
    previous = swap(self)
    if moment == "after-swap":
        pause()
    return previous


def paused_rename(source, target):
    rename(source, target)
    if moment == "between-renames" and ".out.old-" in str(target):
        pause()


outputs.OutputFolder.write_json, outputs.OutputFolder.swap, os.rename = paused_write_json, paused_swap, paused_rename
from mtfs_align.cli import main

main()
"""


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".out"))


@pytest.fixture
def council(tmp_path, monkeypatch):
    """Testshire in tmp_path with a plan of its own (S1 and S2 from 2021/22), an earlier `check`
    output in out/, and another plan in other.csv whose check gives a different budget."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22"}
    path = council.write(tmp_path)
    write_csv(tmp_path / "other.csv", [{"option": "S1", "start": "2022/23"}])
    result = CliRunner().invoke(cli, ["check", str(path), "--out", "out", "-q"])
    assert result.exit_code == 0, result.output
    return path


def start_child(scenario: Path, moment: str, *, exchange: bool = True) -> subprocess.Popen:
    env = dict(os.environ, PAUSE_AT=moment)
    if not exchange:
        env["NO_EXCHANGE"] = "1"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "check", str(scenario), "--plan", "other.csv", "--out", "out", "-q"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not Path("paused").exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the child never reached its pause"
        time.sleep(0.02)
    return child


# --------------------------------------------------------------------------------------------
# One folder per command
# --------------------------------------------------------------------------------------------


def test_each_command_writes_its_own_folder(tmp_path, monkeypatch):
    """check and optimise of one scenario land in outputs/test/check/ and outputs/test/optimise/;
    running check again leaves optimise's results as they were."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22"}
    path = council.write(tmp_path)
    assert CliRunner().invoke(cli, ["check", str(path), "-q"]).exit_code == 0
    result = CliRunner().invoke(cli, ["optimise", str(path), "-q"])
    assert result.exit_code in (0, 1), result.output
    assert "Results written to outputs/test/optimise/" in result.output
    optimised = digests(tmp_path / "outputs" / "test" / "optimise")
    assert CliRunner().invoke(cli, ["check", str(path), "-q"]).exit_code == 0
    assert digests(tmp_path / "outputs" / "test" / "optimise") == optimised
    assert (tmp_path / "outputs" / "test" / "check" / "budget.csv").is_file()
    assert json.loads((tmp_path / "outputs/test/check/manifest.json").read_text())["command"] == "check"


def test_the_marker_lists_every_file_written(council):
    marker = json.loads(Path("out", MARKER).read_text(encoding="utf-8"))
    assert marker["token"] == outputs.MARKER_TOKEN
    assert sorted(marker["files"]) == sorted(p.name for p in Path("out").iterdir() if p.name != MARKER)


# --------------------------------------------------------------------------------------------
# Only the tool's own output is replaced
# --------------------------------------------------------------------------------------------


def test_a_users_folder_with_its_own_manifest_is_refused_and_untouched(council):
    """A project folder that happens to hold a manifest.json (a web app's, say) is not replaced."""
    project = Path("project")
    (project / "src").mkdir(parents=True)
    (project / "manifest.json").write_text('{"name": "my app"}', encoding="utf-8")
    (project / "src" / "index.html").write_text("<p>mine</p>", encoding="utf-8")
    before = digests(project)
    result = CliRunner().invoke(cli, ["check", str(council), "--out", "project", "-q"])
    assert result.exit_code == 2
    assert "project already exists, is not empty and is not an mtfs_align output folder" in result.output
    assert "Traceback" not in result.output
    assert digests(project) == before
    assert leftovers(Path(".")) == []


def test_a_foreign_folder_is_refused_even_if_it_appears_during_the_run(council, tmp_path):
    """The check is made again at the swap: a user's file put in the folder meanwhile stops it."""
    folder = OutputFolder(tmp_path / "out")
    folder.write_json("manifest.json", {})
    (tmp_path / "out" / "added.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="holds files the tool did not write"):
        with folder:
            folder.commit()
    assert (tmp_path / "out" / "added.txt").read_text(encoding="utf-8") == "mine"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "out, message",
    [
        ("afile/out", "afile is a file, not a folder"),
        ("x" * 300, "longer than the 255 a file name may have"),
    ],
)
def test_an_out_that_cannot_be_made_is_bad_input(council, out, message):
    Path("afile").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(council), "--out", out, "-q"])
    assert result.exit_code == 2, result.output
    assert "--out: the output folder" in result.output and message in result.output


def test_an_out_that_cannot_be_written_is_bad_input(council, monkeypatch):
    Path("locked").mkdir(mode=0o555)
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: Path(path).name != "locked")  # even as root
    result = CliRunner().invoke(cli, ["check", str(council), "--out", "locked/out", "-q"])
    assert result.exit_code == 2
    assert "cannot be written" in result.output


# --------------------------------------------------------------------------------------------
# A run killed at any moment
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, exchange",
    [
        ("writing", True),
        ("before-swap", True),
        ("after-swap", True),
        ("before-swap", False),
        ("between-renames", False),
    ],
)
def test_a_run_killed_mid_commit_loses_nothing_and_the_next_run_tidies_up(council, moment, exchange):
    """SIGKILL at each moment of writing and swapping: the previous output (or, once swapped, the
    new one) is whole; the fallback without an atomic exchange may leave the name missing between
    its two renames, and the next run puts the previous output back before anything else."""
    previous = digests(Path("out"))
    child = start_child(council, moment, exchange=exchange)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert leftovers(Path("."))  # the killed run's temporary folder (and lock file) are still there
    if moment == "after-swap":
        assert digests(Path("out")) != previous and Path("out", MARKER).is_file()
    elif moment == "between-renames":
        assert not Path("out").exists()
        outputs.recover(Path("out").resolve())
        assert digests(Path("out")) == previous
    else:
        assert digests(Path("out")) == previous
    result = CliRunner().invoke(cli, ["check", str(council), "--out", "out", "-q"])
    assert result.exit_code == 0, result.output
    assert digests(Path("out")) == previous | {"manifest.json": digests(Path("out"))["manifest.json"]}
    assert leftovers(Path(".")) == []


def test_the_next_run_restores_a_missing_folder_from_its_backup(council):
    """Killed between the fallback's two renames: the next run's OutputFolder puts the previous
    output back first, so a run that then fails still leaves the previous output in place."""
    previous = digests(Path("out"))
    child = start_child(council, "between-renames", exchange=False)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    write_csv(Path("bad.csv"), [{"option": "S9", "start": "2021/22"}])
    result = CliRunner().invoke(cli, ["check", str(council), "--plan", "bad.csv", "--out", "out", "-q"])
    assert result.exit_code == 2
    with OutputFolder(Path("out")):
        pass
    assert digests(Path("out")) == previous
    assert leftovers(Path(".")) == []


@pytest.mark.parametrize(
    "sent, code, said", [(signal.SIGINT, 130, "Stopped by Ctrl-C"), (signal.SIGTERM, 143, "Stopped by SIGTERM")]
)
def test_ctrl_c_or_sigterm_stops_quietly_and_keeps_the_previous_output(council, sent, code, said):
    previous = digests(Path("out"))
    child = start_child(council, "writing")
    child.send_signal(sent)
    Path("go").touch()
    _, err = child.communicate(timeout=60)
    assert child.returncode == code, err
    assert said in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert digests(Path("out")) == previous
    assert leftovers(Path(".")) == []


# --------------------------------------------------------------------------------------------
# Two runs at once
# --------------------------------------------------------------------------------------------


def test_two_runs_on_one_folder_give_one_result_and_a_clear_message(council):
    child = start_child(council, "before-swap")
    result = CliRunner().invoke(cli, ["check", str(council), "--out", "out", "-q"])
    assert result.exit_code == 2
    assert f"another mtfs-align command (process {child.pid}) is writing out now" in result.output
    assert Path("out/budget.csv").is_file()
    Path("go").touch()
    child.communicate(timeout=60)
    assert child.returncode == 1  # done: S1 alone from 2022/23 leaves 2023/24 unbalanced
    manifest = json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))
    assert "other.csv" in [Path(item["path"]).name for item in manifest["inputs"]]
    assert leftovers(Path(".")) == []


def test_a_second_folder_in_the_same_process_waits_for_none(tmp_path):
    """The lock is per folder: another --out beside it is free."""
    with OutputFolder(tmp_path / "a") as first, OutputFolder(tmp_path / "b") as second:
        with pytest.raises(InputError, match="is writing"):
            OutputFolder(tmp_path / "a")
        first.commit()
        second.commit()
    assert (tmp_path / "a" / MARKER).is_file() and (tmp_path / "b" / MARKER).is_file()
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------
# brief rebuilds a folder in place of itself
# --------------------------------------------------------------------------------------------


def test_brief_keeps_the_folder_replaceable(council):
    result = CliRunner().invoke(cli, ["brief", str(council), "--out", "out", "-q"])
    assert result.exit_code == 0, result.output
    assert Path("out/briefing.pdf").is_file()
    assert outputs.foreign_entries(Path("out")) == []
    result = CliRunner().invoke(cli, ["check", str(council), "--out", "out", "-q"])
    assert result.exit_code == 0, result.output


def test_brief_with_no_arguments_reads_the_run_folder(tmp_path, monkeypatch):
    """`brief` alone rebuilds outputs/proposal/run/, the folder `run` writes for the bundled example
    (made here by `check`, which is quicker, with --out)."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["brief", "-q"])
    assert result.exit_code == 2
    assert "outputs/proposal/run" in result.output
    result = CliRunner().invoke(cli, ["check", "--out", "outputs/proposal/run", "-q"])
    assert result.exit_code in (0, 1), result.output
    result = CliRunner().invoke(cli, ["brief", "-q"])
    assert result.exit_code == 0, result.output
    assert "outputs/proposal/run/briefing.pdf" in result.output
    assert Path("outputs/proposal/run/briefing.pdf").is_file()


# --------------------------------------------------------------------------------------------
# A closed pipe
# --------------------------------------------------------------------------------------------


def test_a_closed_pipe_ends_quietly_with_141(tmp_path):
    """The reader goes away before validate prints (as `| head -1` may): no traceback, exit 141."""
    child = subprocess.Popen(
        [sys.executable, "-m", "mtfs_align", "validate", "-q"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == 141, err
    assert err == ""


def test_a_pipe_into_head_shows_the_first_line(tmp_path):
    shell = subprocess.run(
        f"'{sys.executable}' -m mtfs_align validate -q | head -1",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shell.stdout.startswith("Westshire County Council")
    assert "Traceback" not in shell.stderr and "BrokenPipe" not in shell.stderr


def test_sigterm_during_the_swap_waits_for_it_to_finish(council):
    """SIGTERM arriving while the folders are being swapped is held back until the swap is done:
    out/ then holds the new output, whole, and the next run removes the previous one's copy."""
    child = start_child(council, "before-swap", exchange=False)
    child.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    Path("go").touch()
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err
    manifest = json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))
    assert "other.csv" in [Path(item["path"]).name for item in manifest["inputs"]]
    assert outputs.foreign_entries(Path("out")) == []
    assert CliRunner().invoke(cli, ["check", str(council), "--out", "out", "-q"]).exit_code == 0
    assert leftovers(Path(".")) == []
