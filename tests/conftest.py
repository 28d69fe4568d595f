"""Fixtures shared by test modules: one `run` of the bundled proposal, made once per test session
(the briefing's PDF, HTML and browser tests all read the same folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--points", "5", "--draws", "500", "--samples", "4", "--quiet"]


@pytest.fixture(scope="session")
def westshire_run(tmp_path_factory) -> Path:
    """`mtfs-align run` on the bundled proposal, called with absolute paths from a folder outside
    the repository, so that the manifest records the machine's paths and the published outputs must
    leave them out."""
    from click.testing import CliRunner

    from mtfs_align.cli import cli

    elsewhere = tmp_path_factory.mktemp("elsewhere")
    out = tmp_path_factory.mktemp("westshire") / "run"
    before = Path.cwd()
    os.chdir(elsewhere)
    try:
        result = CliRunner().invoke(cli, ["run", str(ROOT / "scenarios" / "proposal.yaml"), "--out", str(out), *FAST])
    finally:
        os.chdir(before)
    assert result.exit_code == 0, result.output
    return out
