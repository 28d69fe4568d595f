"""The limits every stage of the optimiser keeps (DESIGN 4.4): the tolerance a later stage allows on
an earlier stage's result, and the time left of a run's time limit. The deterministic stages
(optimise/__init__.py) and the risk stages (optimise/risk_plan.py, optimise/tail_draws.py) read them
here, so the dependency runs one way: the package imports the risk stages, never the reverse."""

from __future__ import annotations

import time

from mtfs_align.optimise.solvers import SolverSettings


def tolerance(value: float) -> float:
    """DESIGN 4.4: £10 (0.01 £k) or one part in a million, whichever is larger."""
    return max(0.01, 1e-6 * abs(value))


def remaining(settings: SolverSettings, started: float) -> SolverSettings:
    """The settings with the time limit less the time since `started` (at least a second)."""
    if settings.time_limit is None:
        return settings
    left = max(1.0, settings.time_limit - (time.perf_counter() - started))
    return SolverSettings(settings.solver, left, settings.mip_gap, settings.threads)
