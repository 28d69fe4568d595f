"""Progress for long runs (risk, frontier, robust): the library never prints.

A long computation takes an optional `progress` callable and calls it with the number of steps
just finished (draws, points, samples). The API takes a `Reporter`, which says what is being done,
passes on the scenario's notes and makes those callables; the default one is silent, and the
command line's prints to stderr (mtfs_align.cli_common.ClickReporter). Nothing here imports click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int], None]


def ignore(steps: int) -> None:
    return None


class Reporter:
    """Says nothing: what a notebook gets unless it asks for more."""

    def say(self, text: str) -> None:
        """What the tool is doing now ("Optimising the savings plan...")."""

    def note(self, text: str) -> None:
        """Something the user should know about the input (a scenario's warning)."""

    @contextmanager
    def bar(self, total: int, label: str) -> Iterator[Progress]:
        """A progress bar of `total` steps, as a callable advanced by the steps done."""
        yield ignore


SILENT = Reporter()
