"""`--time-limit S` bounds the whole command, counted from its start (reading, building and every
solve), not each solve afresh; when it runs out, the message names the limit the user gave, not
what was left of it (issue 12, item 8). Out of time with no plan is a solver failure: exit 3
(DESIGN 6), with nothing written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtfs_align import api
from mtfs_align.cli import cli
from mtfs_align.optimise import limits, solvers
from mtfs_align.optimise.solvers import NoPlanInTime, SolverSettings
from mtfs_align.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CENTRAL = str(ROOT / "scenarios" / "central.yaml")


def test_reading_counts_against_the_time_limit(tmp_path, monkeypatch):
    """Reading and building that take longer than the whole limit leave no time for any solve:
    the command stops at its first solve, exit 3, saying the limit given (1 s), and writes
    nothing. (When each solve was given the full limit afresh, this run succeeded.)"""
    import mtfs_align.model as model_module

    real = model_module.build_model

    def slow_build(*args, **kwargs):
        time.sleep(1.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(model_module, "build_model", slow_build)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["optimise", CENTRAL, "--time-limit", "1", "--quiet", "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "no plan within the time limit of 1 s" in result.output
    assert "allow more time with --time-limit" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_every_solve_is_given_what_is_left_of_one_deadline(monkeypatch):
    """A frontier's solves (three points, each with its stages) share one deadline: each solve
    is told no more than the limit less the time since the command started, the limits
    fall from call to call, and every call keeps the user's figure for its messages."""
    seen: list[tuple[float, float, float | None, float | None]] = []
    real = SolverSettings.for_one_solve

    def recording(settings):
        at = time.time()
        told = real(settings)
        seen.append((at, told.time_limit, told.given_limit, told.deadline))
        return told

    monkeypatch.setattr(SolverSettings, "for_one_solve", recording)
    began = time.time()
    api.frontier(CENTRAL, Settings(time_limit=500.0, points=3))
    assert len(seen) >= 4  # the optimum's stages and the points'
    deadlines = {deadline for *_, deadline in seen}
    assert len(deadlines) == 1  # one deadline for the whole command
    (deadline,) = deadlines
    assert began + 500.0 <= deadline <= began + 501.0  # counted from the command's start
    for at, told, given, _ in seen:
        assert given == 500.0
        assert told <= deadline - at + 1e-6
    told = [limit for _, limit, _, _ in seen]
    assert told == sorted(told, reverse=True) and told[0] > told[-1]


def test_a_solve_with_no_time_left_is_not_started():
    """Past the deadline, a solve is refused before the solver starts, naming the limit given."""
    settings = SolverSettings(time_limit=60.0, given_limit=60.0, deadline=time.time() - 0.5)
    with pytest.raises(NoPlanInTime, match=r"no plan within the time limit of 60 s"):
        settings.for_one_solve()
    later = SolverSettings(time_limit=60.0, given_limit=60.0, deadline=time.time() + 30.0).for_one_solve()
    assert 29.0 < later.time_limit <= 30.0 and later.given_limit == 60.0
    assert "60 s" in solvers.no_plan_in_time(later)


def test_the_message_names_the_limit_given_when_the_stages_share_it_in_code():
    """Settings made in code, without a deadline: each stage is given the limit less the time
    since the run started (at least a second), and the messages still say the limit given."""
    started = time.perf_counter() - 59.5
    left = limits.remaining(SolverSettings(time_limit=60.0), started)
    assert left.time_limit == 1.0 and left.given_limit == 60.0
    assert "time limit of 60 s" in solvers.no_plan_in_time(left)
    assert "time limit of 60 s" in solvers.no_plan_in_time(limits.remaining(left, started))


def test_no_time_limit_gives_no_deadline():
    chosen = Settings().solver_settings(time.perf_counter())
    assert chosen.time_limit is None and chosen.deadline is None
    assert chosen.for_one_solve() is chosen
