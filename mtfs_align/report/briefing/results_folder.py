"""Reading an output folder for the briefing: its tables and manifest as one `Results`, with a
damaged folder (a table cut short, manifest.json not JSON) reported as bad input first."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from mtfs_align.errors import InputError, Problem, Problems, display_path

TABLE_FILES = (
    "budget",
    "plan",
    "activities",
    "outcomes",
    "alignment",
    "breaches",
    "screened",
    "frontier",
    "risk",
    "resilience",
    "core_index",
    "proposal",
    "kpis",
    "compare",
    "plans_activities",
)


@dataclass
class Results:
    """What the briefing is built from: the output folder's tables and manifest."""

    folder: Path | None
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def of(cls, results) -> Results:
        """The briefing's view of a results object (mtfs_align.results.RunResults): its tables
        and manifest."""
        if isinstance(results, cls):
            return results
        return cls(getattr(results, "folder", None), dict(results.manifest), dict(results.tables))

    def table(self, name: str) -> pd.DataFrame | None:
        frame = self.tables.get(name)
        return frame if frame is not None and len(frame) else None

    @property
    def years(self) -> list[str]:
        return self.tables["budget"]["year"].astype(str).tolist()

    @property
    def council(self) -> str:
        return str(self.manifest.get("council") or "")

    @property
    def priority_names(self) -> dict[str, str]:
        alignment = self.table("alignment")
        if alignment is None:
            return {}
        rows = alignment[alignment["level"] == "priority"]
        return dict(zip(rows["id"].astype(str), rows["name"].astype(str), strict=True))


_NUMBER_COLUMNS = (
    "harm",
    "scale",
    "share_of_aligned",
    "share_of_total",
    "cabinet_weight",
    "p_balanced",
    "core_index",
    "baseline",
    "target",
)
# Every table the charts and the briefing read (charts.build_charts reads these too).
_FOLDER_TABLES = (*TABLE_FILES, "savings_summary")
_REQUIRED_COLUMNS = {
    "budget": ("year", "gap_k", "savings_k", "one_off_k", "reserves_draw_k", "reserves_balance_k", "unidentified_k"),
}


def _numeric(column: str) -> bool:
    return column.endswith("_k") or column in _NUMBER_COLUMNS or column.startswith("harm_")


def _read_table(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in frame.columns:
        if _numeric(column):
            frame[column] = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    return frame


def check_output_folder(folder: Path) -> None:
    """A damaged output folder (a table truncated or with garbage, manifest.json not JSON) is bad
    input to `brief`: every damaged file is named (exit 2) before a chart is drawn."""
    import csv

    folder = Path(folder)
    problems = Problems()
    fix = "run the command that wrote this folder again (it rewrites every file)"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            problems.add(folder / "manifest.json", "", "", "is not a JSON object of the run's figures", fix)
    except UnicodeDecodeError:
        problems.add(folder / "manifest.json", "", "", "is not UTF-8 text", fix)
    except json.JSONDecodeError as err:
        problems.add(folder / "manifest.json", f"line {err.lineno}", "", f"is not valid JSON ({err.msg})", fix)
    plans = sorted((folder / "plans").glob("*.csv")) + [folder / "proposal" / "plan.csv"]
    for path in [folder / f"{name}.csv" for name in _FOLDER_TABLES] + plans:
        if not path.is_file():
            continue
        name = path.stem
        try:
            rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        except UnicodeDecodeError as err:
            problems.add(path, "", "", f"is not UTF-8 text (byte {err.start + 1} cannot be read)", fix)
            continue
        except csv.Error as err:
            problems.add(path, "", "", f"cannot be read as CSV ({err})", fix)
            continue
        if not rows or not any(rows[0]) or "\x00" in "".join(rows[0]):
            problems.add(path, "line 1", "", "has no header row", fix)
            continue
        header = rows[0]
        missing = [c for c in _REQUIRED_COLUMNS.get(name, ()) if c not in header]
        if missing:
            problems.add(
                path, "line 1", "", f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", fix
            )
        for number, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != len(header):
                problems.add(
                    path, f"line {number}", "", f"has {len(row)} fields, not {len(header)} (is it cut short?)", fix
                )
                break
            bad = next((c for c, v in zip(header, row, strict=True) if _numeric(c) and v and not _is_number(v)), None)
            if bad is not None:
                problems.add(path, f"line {number}", bad, f"'{row[header.index(bad)][:20]}' is not a number", fix)
                break
    if problems.items:
        raise InputError(problems.items)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_results(folder: Path) -> Results:
    """The tables of an output folder; an error (exit 2) if it is not one."""
    folder = Path(folder)
    if not (folder / "budget.csv").is_file():
        raise InputError(
            [
                Problem(
                    display_path(folder),
                    "",
                    "",
                    "this is not an mtfs_align output folder (it has no budget.csv)",
                    "give the folder written by check, optimise or run",
                )
            ]
        )
    manifest = {}
    if (folder / "manifest.json").is_file():
        with open(folder / "manifest.json", encoding="utf-8") as handle:
            manifest = json.load(handle)
    tables = {name: _read_table(folder / f"{name}.csv") for name in TABLE_FILES if (folder / f"{name}.csv").is_file()}
    # The alternatives the explorer shows: each frontier point's plan, B's and C's, and P's.
    for path in sorted((folder / "plans").glob("*.csv")):
        tables[f"plans/{path.stem}"] = _read_table(path)
    if (folder / "proposal" / "plan.csv").is_file():
        tables["proposal/plan"] = _read_table(folder / "proposal" / "plan.csv")
    return Results(folder, manifest, tables)


def briefing_date(results: Results) -> date:
    """The run's date: the manifest's `date` (ISO) if written, else the manifest's file date."""
    for key in ("date", "created"):
        value = results.manifest.get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
    if results.folder is None:
        return date.today()
    source = results.folder / "manifest.json"
    if not source.is_file():
        source = results.folder / "budget.csv"
    return date.fromtimestamp(source.stat().st_mtime)


def kpi_table(scenario) -> pd.DataFrame:
    """The plan's KPIs as the `kpis.csv` table the briefing reads (outcome, kpi, name, unit,
    baseline, target, direction); the run command writes it beside outcomes.csv."""
    rows = [
        {
            "outcome": o.id,
            "kpi": k.id,
            "name": k.name,
            "unit": k.unit,
            "baseline": k.baseline,
            "target": k.target,
            "direction": k.direction,
        }
        for o in scenario.outcomes.values()
        for k in o.kpis
    ]
    columns = ["outcome", "kpi", "name", "unit", "baseline", "target", "direction"]
    return pd.DataFrame(rows, columns=columns)
