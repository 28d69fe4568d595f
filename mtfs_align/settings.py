"""The settings of a command (solver, seed, draws, frontier points, weight samples) as one
object, with every problem in them found before a file is read. Their defaults and limits are
declared in mtfs_align.defaults; the click options of mtfs_align.cli_common are made from them."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from mtfs_align import defaults
from mtfs_align.errors import InputError, Problem


@dataclass(frozen=True)
class Settings:
    """Every setting a command may take, with its default (mtfs_align.defaults); a command reads
    those it needs. `start` and `stop` default to DESIGN 4.5's range for what `vary` scales."""

    solver: str | None = None  # "highs" (the default), "cbc", or "gurobi", "xpress", "copt" (extras)
    time_limit: float | None = None  # seconds; None for no limit
    mip_gap: float | None = None  # relative gap of the harm stage; None for 1e-4
    seed: int = defaults.SEED
    draws: int = defaults.DRAWS
    vary: str = defaults.VARY
    start: float | None = None
    stop: float | None = None
    points: int = defaults.POINTS
    samples: int = defaults.SAMPLES
    concentration: float = defaults.CONCENTRATION
    workers: int = defaults.WORKERS  # local processes for the independent solves of a sweep
    scheduler: str | None = None  # a running Dask scheduler's address (takes precedence over workers)

    def parallel(self) -> dict:
        """The keywords of mtfs_align.parallel.run_tasks: where a sweep's solves run."""
        return {"workers": self.workers, "scheduler": self.scheduler}

    def frontier_range(self) -> tuple[float, float]:
        from mtfs_align.analysis.frontier import resolve_range

        return resolve_range(self.vary, self.start, self.stop)

    def solver_settings(self, started: float | None = None):
        """The solver's settings, checked (a solver that is not installed is bad input). `started`
        (time.perf_counter()) is when the command began: --time-limit bounds the whole command from
        then (reading, building and every solve), so each solve is given what is left of it."""
        from mtfs_align.optimise.solvers import DEFAULT_MIP_GAP, DEFAULT_SOLVER, SolverSettings, check_solver

        raise_problems(solver_problems(self))
        deadline = None
        if self.time_limit is not None:
            since = 0.0 if started is None else max(0.0, time.perf_counter() - started)
            deadline = time.time() - since + self.time_limit
        chosen = SolverSettings(
            self.solver or DEFAULT_SOLVER,
            self.time_limit,
            DEFAULT_MIP_GAP if self.mip_gap is None else self.mip_gap,
            given_limit=self.time_limit,
            deadline=deadline,
        )
        check_solver(chosen.solver)
        return chosen


def settings_for(settings: Settings | None, **changes) -> Settings:
    """`settings` (or the defaults) with `changes`, e.g. settings_for(None, draws=1000)."""
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(Settings)})
    if unknown:
        raise TypeError(f"unknown setting{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    return dataclasses.replace(settings or Settings(), **changes)


def solver_problems(settings: Settings) -> list[Problem]:
    """What is wrong with --time-limit and --mip-gap, checked whether or not the solver is needed:
    a bad flag is bad input (exit 2) even when the scenario's own plan makes solving unnecessary."""
    problems = []
    if settings.time_limit is not None and not settings.time_limit > 0:
        problems.append(Problem("", "", "--time-limit", "must be a positive number of seconds", "e.g. --time-limit 60"))
    if settings.mip_gap is not None and not 0 <= settings.mip_gap < 1:
        problems.append(Problem("", "", "--mip-gap", "must be from 0 to below 1", "e.g. --mip-gap 1e-4"))
    return problems


def setting_problems(command: str, settings: Settings) -> list[Problem]:
    """Every problem with the settings `command` uses, each once, in the order of its options."""
    from mtfs_align.analysis import frontier as trade_off
    from mtfs_align.analysis import risk as delivery_risk
    from mtfs_align.analysis import robust as robustness

    s = settings
    found: list[Problem] = []
    if command in ("frontier", "run"):
        found += trade_off.range_problems(s.vary, *s.frontier_range(), s.points)
    if command in ("optimise", "risk", "run"):
        found += delivery_risk.setting_problems(s.draws, s.seed)
    if command == "frontier":
        found += delivery_risk.setting_problems(defaults.DRAWS, s.seed)
    if command in ("robust", "run"):
        found += robustness.setting_problems(s.samples, s.seed, s.concentration)
    if command in ("frontier", "robust", "run", "batch"):
        from mtfs_align.parallel import workers_problems

        found += workers_problems(s.workers, s.scheduler)
    if command != "check":
        found += solver_problems(s)
    return list(dict.fromkeys(found))


def raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def check_settings(command: str, settings: Settings) -> None:
    """Bad settings are bad input (exit 2), every one named, before a file is read."""
    raise_problems(setting_problems(command, settings))
