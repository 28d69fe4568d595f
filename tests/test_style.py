"""One style regime, checked by CI: the code is ruff clean and ruff formatted (the version pinned in
pyproject.toml's test extras), so a change cannot land that the next engineer must reformat."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ["mtfs_align", "tests", "bench"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    # the ruff installed with the test extras (pinned), not whichever is first on PATH
    command = [sys.executable, "-m", "ruff", *args, *FOLDERS]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean():
    result = _ruff("check", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_nothing_to_change():
    result = _ruff("format", "--check", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
