"""Progress for long runs (risk, frontier, robust): a bar on stderr that `--quiet` silences.

The library never prints: a long computation takes an optional `progress` callable and calls it
with the number of steps just finished (draws, points, samples). The CLI makes that callable here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

Progress = Callable[[int], None]


def _ignore(steps: int) -> None:
    return None


@contextmanager
def progress_bar(total: int, label: str, quiet: bool = False) -> Iterator[Progress]:
    """Yield a callable that advances a bar of `total` steps; a do-nothing callable when quiet.

    The bar goes to stderr so that stdout keeps only the results. When stderr is not a terminal
    (a log file, a test), click shows the label once instead of redrawing the bar.
    """
    if quiet or total <= 0:
        yield _ignore
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True, show_percent=True) as bar:
        yield bar.update
