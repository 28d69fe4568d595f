"""Writing an import: only files the importer wrote before (their sha256 kept in
DATA_FOLDER/.mtfs-import.json), each through a temporary file and a rename."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

from mtfs_align.errors import Problems
from mtfs_align.io.output_values import neutralise
from mtfs_align.io.tables import ACTIVITY_REQUIRED, OPTION_OPTIONAL, OPTION_REQUIRED
from mtfs_align.io.tracker.column_map import MAP_FILE
from mtfs_align.io.tracker.rows import Import

MARKER = ".mtfs-import.json"

OPTION_COLUMNS_BEFORE, OPTION_COLUMNS_AFTER = OPTION_REQUIRED, OPTION_OPTIONAL
ACTIVITY_COLUMNS = ACTIVITY_REQUIRED


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csv_bytes(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(str(row.get(c, ""))) for c in columns])
    return buffer.getvalue().encode("utf-8")


def _safe(text: str) -> str:
    """Text a spreadsheet would run as a formula is neutralised (DESIGN 7); a negative amount is not text."""
    return text if re.fullmatch(r"-?\d+(\.\d+)?", text) else neutralise(text)


def planned_files(result: Import, into: Path, map_path: Path | None) -> dict[str, bytes]:
    length = max(int(k[1:-2]) for k in result.options[0] if re.fullmatch(r"y\d+_k", k))
    columns = OPTION_COLUMNS_BEFORE + [f"y{j}_k" for j in range(1, length + 1)] + OPTION_COLUMNS_AFTER
    files = {"options.csv": _csv_bytes(result.options, columns)}
    if result.activities is not None:
        files["activities.csv"] = _csv_bytes(result.activities, ACTIVITY_COLUMNS)
    given_here = map_path is not None and map_path.resolve() == (into / MAP_FILE).resolve()
    if not given_here:  # the map the officer passed back is the mapping used: left as they wrote it
        files[MAP_FILE] = result.mapping.as_yaml().encode("utf-8")
    return files


def check_writable(into: Path, files: dict[str, bytes], problems: Problems) -> dict:
    """Problems for every file that exists but was not written by the importer (or was edited since)."""
    marker = _read_marker(into)
    for name in files:
        target = into / name
        if not target.exists():
            continue
        recorded = marker.get("files", {}).get(name)
        if recorded is None:
            problems.add(
                target,
                "",
                "",
                "this file was not written by mtfs-align import; it is left as it is",
                f"move or rename {name}, then import again",
            )
        elif _sha256(target.read_bytes()) != recorded:
            problems.add(
                target,
                "",
                "",
                "this file has been changed since mtfs-align import wrote it",
                f"move or rename {name} to keep your changes, then import again",
            )
    return marker


def _read_marker(into: Path) -> dict:
    try:
        data = json.loads((into / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {"files": {}}
    except (OSError, ValueError):
        return {"files": {}}


def write_files(into: Path, files: dict[str, bytes], marker: dict, source: str) -> None:
    """Write each file through a temporary file and a rename, then the marker listing them."""
    into.mkdir(parents=True, exist_ok=True)
    recorded = dict(marker.get("files", {}))
    for name, data in files.items():
        _atomic_write(into / name, data)
        recorded[name] = _sha256(data)
    body = {"written_by": "mtfs-align import", "tracker": source, "files": recorded}
    _atomic_write(into / MARKER, (json.dumps(body, indent=2) + "\n").encode("utf-8"))


def _atomic_write(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
