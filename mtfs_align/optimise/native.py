"""What every solver wrapper shares (optimise/solvers.py for HiGHS and CBC, optimise/commercial.py
for Gurobi, Xpress and COPT): the absolute gap, the failure "no plan within the time limit", and
silencing a solver's native output. Both wrappers import it, so neither imports the other back."""

from __future__ import annotations

import contextlib
import os
import sys

from mtfs_align.errors import SolverError

ABSOLUTE_GAP = 1e-6


class NoPlanInTime(SolverError):
    """The solver stopped at the time limit before it found any plan (a caller may fall back on a
    plan it already has; any other SolverError is a failure)."""


@contextlib.contextmanager
def quiet_native_output(active: bool):
    """HiGHS prints its banner from C++ straight to the process's stdout, whatever its options say;
    send file descriptor 1 to /dev/null for the solve so that stdout keeps only our results."""
    if not active:
        yield
        return
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
