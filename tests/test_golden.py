"""Golden outputs: every command of the workflow on every bundled scenario writes and prints exactly
what is stored in tests/golden/ (see tests/golden/__init__.py for what is stored and how).

A refactoring must leave these byte-identical. A change that alters outputs on purpose refreshes
them deliberately, and the diff is reviewed with the change:
`python -m tests.golden refresh` (or `MTFS_GOLDEN_REFRESH=1 python -m pytest tests/test_golden.py`).
"""

from __future__ import annotations

import difflib
import os

import pytest
from golden import CASES, record, refresh, stored

REFRESH = os.environ.get("MTFS_GOLDEN_REFRESH") == "1"


def _diff(name: str, want: str, got: str, limit: int = 40) -> str:
    lines = list(
        difflib.unified_diff(want.splitlines(), got.splitlines(), f"golden/{name}", f"now/{name}", lineterm="")
    )
    more = f"\n... {len(lines) - limit} more diff lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_outputs_match_the_golden_record(name):
    case = CASES[name]
    if REFRESH:
        refresh(case)
    want = stored(case)
    assert want, f"no golden record for {name}: run python -m tests.golden refresh {name}"
    got = record(case)
    assert sorted(got) == sorted(want), "files differ: " + str(sorted(set(got) ^ set(want)))
    changed = [n for n in want if got[n] != want[n]]
    assert not changed, "\n\n".join(_diff(n, want[n], got[n]) for n in changed)
