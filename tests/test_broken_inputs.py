"""The broken-input corpus (tests/broken/, see its README): every kind of mistake is refused
with exit code 2, no traceback, no output folder, and a message that locates it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mtfs_align.cli import cli

CORPUS = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def build(case: str, root: Path) -> tuple[dict, Path]:
    """Copy _base/ to root/case, lay the case's files over it, delete what it says."""
    folder = root / "case"
    shutil.copytree(CORPUS / "_base", folder)
    spec = yaml.safe_load((CORPUS / case / "case.yaml").read_text(encoding="utf-8"))
    for path in (CORPUS / case).rglob("*"):
        if path.is_file() and path.name != "case.yaml":
            target = folder / path.relative_to(CORPUS / case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for name in spec.get("delete", []):
        (folder / name).unlink()
    return spec, folder


def run(folder: Path, command: str, *args: str):
    here = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, [command, "scenario.yaml", *args, "--out", "../out"])
    finally:
        os.chdir(here)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


def test_the_base_case_is_valid(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(CORPUS / "_base", folder)
    assert run(folder, "validate").exit_code == 0
    result = run(folder, "check")
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "out" / "budget.csv").is_file()


@pytest.mark.parametrize("case", CASES)
def test_broken_input_is_refused_with_a_located_message(case, tmp_path):
    spec, folder = build(case, tmp_path)
    before = files_under(folder)
    result = run(folder, spec.get("command", "check"), *spec.get("args", []))
    output = result.output
    assert result.exit_code == 2, f"{spec['mistake']}\n{output}"
    assert "Traceback" not in output and "Internal error" not in output
    assert "Error:" in output
    assert not (tmp_path / "out").exists()
    assert files_under(folder) == before  # nothing written, nothing run (no 'hacked' file)
    lines = [line for line in output.splitlines() if line.lstrip().startswith("- ")]
    # exactly the expected problems: no noise from one mistake echoing through other checks
    assert len(lines) == len(spec["expect"]), output
    for item in spec["expect"]:
        wanted = [item["file"], item.get("where", ""), item.get("field", ""), item["message"]]
        assert any(all(part in line for part in wanted) for line in lines), (
            f"{case}: no problem line has {wanted}:\n{output}"
        )
    for line in lines:  # every problem says how to fix it
        assert "Fix:" in line, line


def test_several_problems_are_all_reported_at_once(tmp_path):
    spec, folder = build("several_mistakes", tmp_path)
    result = run(folder, "validate")
    assert result.exit_code == 2
    assert "4 problems found in the input" in result.output
    assert len(spec["expect"]) == 4
