"""`import_tracker`: read, check nothing of the officer's would be overwritten, then write."""

from __future__ import annotations

from pathlib import Path

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.tracker.files import check_writable, planned_files, write_files
from mtfs_align.io.tracker.rows import Import, existing_activities, read_tracker


def import_tracker(path: Path, into: Path, sheet: str | None = None, map_path: Path | None = None) -> Import:
    """Read the tracker and write options.csv (activities.csv, columns.yaml) into `into`.

    Raises InputError with every problem, having written nothing, when the tracker cannot be read
    or a file to be written was not written by the importer."""
    problems = Problems()
    if into.exists() and not into.is_dir():
        problems.add(into, "", "--into", "is a file, not a folder", "give the data folder to write into")
        problems.raise_if_any()
    result = read_tracker(path, into, sheet, map_path, problems)
    problems.raise_if_any()
    files = planned_files(result, into, map_path)
    marker = check_writable(into, files, problems)
    problems.raise_if_any()
    write_files(into, files, marker, path.name)
    result.written = sorted(files)
    if result.activities is None and not (into / "activities.csv").is_file():
        result.notes.append(
            f"{display_path(into / 'activities.csv')} is missing and the tracker has no budget column: add it with "
            "one row per activity (columns id, name, directorate, outcomes, baseline_k), using these ids: "
            + ", ".join(result.activity_ids)
        )
    elif result.activities is None:
        known = set(existing_activities(into).values())
        unknown = [a for a in result.activity_ids if a not in known]
        if unknown:
            result.notes.append(
                "these activities are not in activities.csv yet: "
                + ", ".join(unknown)
                + "; add them (or rename them in the tracker) before validate"
            )
    return result
