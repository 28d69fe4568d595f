"""`import_tracker`: read, check nothing of the officer's would be overwritten, then write."""

from __future__ import annotations

from pathlib import Path

from mtfs_align.errors import Problems, display_path, shown_safely
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


NOT_IN_TRACKER = (
    "Not in the tracker, left blank: harms, benefits (harm is not scored for these options until you add "
    "them), and effort where no column gives it."
)


def summary(result: Import, into: Path, quiet: bool = False) -> list[str]:
    """The lines the officer reads after an import, each shown safely (a sheet name, header or value
    from the tracker echoes here, so a control character in it is written as [U+001B], as in every
    message): what was read, mapped, left out and noted, then the files written."""
    lines = []
    if not quiet:
        mapping = result.mapping
        mapped = "; ".join(f"{h} -> {f}" for h, f in mapping.columns.items() if f != "ignore")
        lines += [
            f"Read sheet '{mapping.sheet}', header in row {mapping.header_row}.",
            f"Columns mapped: {mapped}",
            f"{len(result.options)} savings options read.",
            *(f"Left out: {text}" for text in result.left_out),
            *(f"Note: {text}" for text in result.notes),
            NOT_IN_TRACKER,
        ]
    lines.append("Wrote " + ", ".join(display_path(into / name) for name in result.written) + ".")
    return [shown_safely(line) for line in lines]
