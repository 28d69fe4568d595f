"""Which output folders may be replaced: the tool's marker in each one it writes, what else a folder
holds, and why a target cannot be made or replaced."""

from __future__ import annotations

import json
import os
from pathlib import Path

from mtfs_align.errors import InputError, Problem, display_path

# An output folder is replaced only when this marker says the tool wrote it, and only when it holds
# nothing the marker does not list: a folder of the user's (with its own manifest.json, say), or a
# file the user put beside the outputs, is never deleted.
MARKER = ".mtfs-align-output"
MARKER_TOKEN = "mtfs-align output folder"
_NAME_MAX = 255


def marker_files(folder: Path) -> set[str] | None:
    """The files the marker of `folder` lists, or None when there is no readable marker."""
    try:
        with open(folder / MARKER, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("token") != MARKER_TOKEN or not isinstance(data.get("files"), list):
        return None
    return {str(name) for name in data["files"]}


def foreign_entries(folder: Path) -> list[str] | None:
    """What in an earlier output folder the tool did not write (relative names), or None when the
    folder has no marker at all. An empty list means the folder may be replaced."""
    listed = marker_files(folder)
    if listed is None:
        return None
    listed_dirs = {str(parent) for name in listed for parent in Path(name).parents if str(parent) != "."}
    foreign = []
    for root, dirs, files in os.walk(folder):
        here = Path(root).relative_to(folder)
        for name in dirs:
            relative = str(here / name)
            if relative not in listed_dirs or (Path(root) / name).is_symlink():
                foreign.append(relative + "/")
        dirs[:] = [d for d in dirs if str(here / d) in listed_dirs and not (Path(root) / d).is_symlink()]
        for name in files:
            relative = str(here / name)
            if relative == MARKER:
                continue
            if relative not in listed or (Path(root) / name).is_symlink():
                foreign.append(relative)
    return sorted(foreign)


def replace_problem(target: Path) -> tuple[str, str] | None:
    """Why an existing `target` may not be replaced (message, fix), or None when it may: it does not
    exist, is an empty folder, or is the tool's own earlier output with nothing added."""
    shown = display_path(target)
    if not os.path.lexists(target):
        return None
    if not target.is_dir():
        return f"{shown} exists and is a file", "choose a folder name"
    if not any(target.iterdir()):
        return None
    foreign = foreign_entries(target)
    if foreign is None:
        return (
            f"{shown} already exists, is not empty and is not an mtfs_align output folder (it has no "
            f"{MARKER} file), so it will not be replaced",
            "choose a new or empty folder with --out, or move that folder's files away yourself",
        )
    if foreign:
        listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return (
            f"{shown} is an earlier mtfs_align output folder but also holds files the tool did not "
            f"write ({listed}), so it will not be replaced",
            "move those files out of the folder, or choose another folder with --out",
        )
    return None


def location_problem(target: Path) -> tuple[str, str] | None:
    """Why `target` cannot be made at all (a file in the way, a name too long, no permission)."""
    shown = display_path(target)
    absolute = Path(os.path.abspath(target))
    for part in absolute.parts:
        if len(os.fsencode(part)) > _NAME_MAX:
            return (
                f"the output folder {shown} has a name part of {len(os.fsencode(part))} bytes, longer than "
                f"the {_NAME_MAX} a file name may have",
                "choose a shorter name with --out",
            )
    ancestor = absolute.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return (
            f"the output folder {shown} cannot be made: {display_path(ancestor)} is a file, not a folder",
            "choose an --out whose parent folders are folders",
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return (
            f"the output folder {shown} cannot be written: no permission to write in {display_path(ancestor)}",
            "choose a folder you can write to with --out",
        )
    return None


def refusal(message: str, fix: str) -> InputError:
    return InputError([Problem("--out", "", "", message, fix)])
