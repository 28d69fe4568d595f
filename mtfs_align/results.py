"""What a command worked out, in memory: every table of DESIGN 5 as a DataFrame (dtypes declared in
mtfs_align.io.result_tables), the manifest and the settings, with the analyses' own objects
beside them for the terminal text. The report stage (charts, workbook, briefing, terminal text)
takes this object and never reads an output folder; `RunResults.write` writes the files, last.

`read_results(folder)` builds the same object from an output folder (what `brief` does), with the
one reader of mtfs_align.io.result_tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_align.errors import InputError, Problem, display_path
from mtfs_align.io.output_marker import MARKER, marker_files
from mtfs_align.io.output_values import json_default
from mtfs_align.io.outputs import OutputFolder
from mtfs_align.io.result_tables import csv_text, parse_table, read_output_folder

EVALUATION_TABLES = {  # an evaluated plan's tables (DESIGN 5): file stem -> Evaluation attribute
    "budget": "budget",
    "activities": "activities",
    "plan": "plan_table",
    "outcomes": "outcomes",
    "alignment": "alignment",
    "savings_summary": "savings_summary",
    "breaches": "breaches",
    "screened": "screened",
}


@dataclass
class RunResults:
    """One command's results. `tables` maps each CSV's name in the folder, without `.csv`
    (`budget`, `proposal/budget`), to its DataFrame; `manifest` is manifest.json as written."""

    command: str
    manifest: dict = field(default_factory=dict)
    settings: Any = None  # mtfs_align.api.Settings (None when read from a folder)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    exit_code: int = 0  # DESIGN 6: 1 when a year does not balance or a rule is broken
    notes: list[str] = field(default_factory=list)  # said on stderr as "Note: ..."
    # The analyses' own objects, for the terminal text; None when read from a folder.
    scenario: Any = None
    evaluation: Any = None  # mtfs_align.evaluate.Evaluation of the plan the folder describes
    solution: Any = None  # mtfs_align.optimise.Solution, when the command optimised
    analyses: dict[str, Any] = field(default_factory=dict)  # "frontier", "risk", "robust", ...
    lines: list[str] = field(default_factory=list)  # analysis sentences for the terminal (run)
    folder: Path | None = None  # where it was written, or read from
    _texts: dict[str, str] = field(default_factory=dict, repr=False)  # each table's CSV text

    # ------------------------------------------------------------------ tables

    def add_table(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Add a table as it will be written: serialised once, then read back with the declared
        dtypes (so the DataFrame holds exactly the CSV's numbers)."""
        text = csv_text(frame)
        self._texts[name] = text
        self.tables[name] = parse_table(name, text)
        return self.tables[name]

    def add_csv(self, name: str, text: str) -> pd.DataFrame:
        """Add a table from its CSV text (as an output folder holds it)."""
        self._texts[name] = text
        self.tables[name] = parse_table(name, text)
        return self.tables[name]

    def add_evaluation(self, evaluation, prefix: str = "") -> None:
        """The eight tables of an evaluated plan, under `prefix` (e.g. `proposal/`)."""
        for name, attribute in EVALUATION_TABLES.items():
            self.add_table(prefix + name, getattr(evaluation, attribute))

    def table(self, name: str) -> pd.DataFrame | None:
        """A table by name (`budget`, `proposal/budget`) when it has rows; None when it is empty
        or this command wrote none (`results.breaches` is the table whatever its length)."""
        frame = self.tables.get(name.removesuffix(".csv"))
        return frame if frame is not None and len(frame) else None

    def text(self, name: str) -> str:
        """A table's CSV text, byte for byte what its file holds."""
        return self._texts[name.removesuffix(".csv")]

    def __getattr__(self, name: str) -> pd.DataFrame:
        # results.budget, results.core_index, ...: every table by its file's name
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"{type(self).__name__} has no table or attribute {name!r}")

    @property
    def years(self) -> list[str]:
        return self.tables["budget"]["year"].astype(str).tolist()

    @property
    def council(self) -> str:
        return str(self.manifest.get("council") or "")

    @property
    def priority_names(self) -> dict[str, str]:
        """Priority id -> name, from alignment.csv."""
        alignment = self.table("alignment")
        if alignment is None:
            return {}
        rows = alignment[alignment["level"] == "priority"]
        return dict(zip(rows["id"].astype(str), rows["name"].astype(str), strict=True))

    # ------------------------------------------------------------------ writing

    def set_manifest(self, data: dict) -> dict:
        """The manifest as manifest.json will hold it (JSON's types: lists, floats, strings)."""
        self.manifest = json.loads(json.dumps(data, default=json_default))
        return self.manifest

    def write_tables(self, folder: OutputFolder) -> None:
        for name, text in self._texts.items():
            path = folder.path(f"{name}.csv")
            path.write_bytes(text.encode("utf-8"))

    def write(self, target: Path, extra: dict[str, bytes] | None = None) -> Path:
        """Write the tables, `extra` files (charts, workbook, briefing: name -> bytes) and the
        manifest into `target`, replacing an earlier output of the tool whole."""
        with OutputFolder(Path(target)) as folder:
            self.write_tables(folder)
            for name, data in (extra or {}).items():
                folder.path(name).write_bytes(data)
            folder.write_json("manifest.json", self.manifest)
            folder.commit()
        self.folder = Path(target)
        return self.folder


def read_results(folder: Path) -> RunResults:
    """The results an output folder holds (its tables and manifest), with the declared dtypes;
    every damaged file is a located problem (exit 2)."""
    folder = Path(folder)
    if not (folder / "manifest.json").is_file() or not (folder / "budget.csv").is_file():
        raise InputError(
            [
                Problem(
                    display_path(folder),
                    "",
                    "--out",
                    "this is not an mtfs_align output folder (no manifest.json and budget.csv)",
                    "run mtfs-align run (or optimise/check) first, or give its folder with --out",
                )
            ]
        )
    listed = marker_files(folder)
    if listed is None:
        raise InputError(
            [
                Problem(
                    display_path(folder),
                    "",
                    "--out",
                    f"this folder has no {MARKER} file, so it was "
                    "not written by this version of mtfs-align and will not be rebuilt",
                    "run the command that made it again (e.g. mtfs-align run SCENARIO)",
                )
            ]
        )
    names = sorted(name for name in listed if name.endswith(".csv"))
    manifest, texts = read_output_folder(folder, names)
    results = RunResults(str(manifest.get("command") or ""), manifest, folder=folder)
    for name, text in texts.items():
        results.add_csv(name.removesuffix(".csv"), text)
    return results
