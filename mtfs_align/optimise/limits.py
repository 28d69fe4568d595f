"""The limits every stage of the optimiser keeps (DESIGN 4.4): the tolerance a later stage allows on
an earlier stage's result, and the time left of a run's time limit. The deterministic stages
(optimise/__init__.py) and the risk stages (optimise/risk_plan.py, optimise/tail_draws.py) read them
here, so the dependency runs one way: the package imports the risk stages, never the reverse."""

from __future__ import annotations

import dataclasses
import time

from mtfs_align.optimise.solvers import SolverSettings


def tolerance(value: float) -> float:
    """DESIGN 4.4: £10 (0.01 £k) or one part in a million, whichever is larger."""
    return max(0.01, 1e-6 * abs(value))


def remaining(settings: SolverSettings, started: float) -> SolverSettings:
    """The settings for the next solve of a run that began at `started` (time.perf_counter()).
    With a deadline (a command's --time-limit, counted from the command's start), the settings
    as they are: each solve is given what is left until the deadline when it starts
    (SolverSettings.for_one_solve). Without one (settings made in code), the time limit less the
    time since `started`, at least a second; the messages still name the limit given."""
    if settings.time_limit is None or settings.deadline is not None:
        return settings
    left = max(1.0, settings.time_limit - (time.perf_counter() - started))
    given = settings.time_limit if settings.given_limit is None else settings.given_limit
    return dataclasses.replace(settings, time_limit=left, given_limit=given)
