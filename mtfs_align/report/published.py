"""Paths as a council may publish them: never a folder of the machine that made the outputs. The
briefing's assumptions page and the workbook's front sheet both name files this way."""

from __future__ import annotations

import posixpath
from pathlib import PurePath


def published_name(path: str | None) -> str:
    """A file's name as published: never a folder of the machine that made it."""
    return PurePath(str(path)).name if path else ""


def published_path(path: str, scenario: str | None) -> str:
    """`path` relative to the scenario's folder (`../data/westshire/options.csv`), as a council
    may publish it: both are as the manifest records them (relative to where the command ran, or
    absolute); when they cannot be related, the file's name alone."""
    if not scenario:
        return published_name(path)
    here, there = PurePath(str(scenario)).parent.as_posix(), PurePath(str(path)).as_posix()
    if PurePath(here).is_absolute() != PurePath(there).is_absolute():
        return published_name(path)
    return posixpath.relpath(there, here or ".")
