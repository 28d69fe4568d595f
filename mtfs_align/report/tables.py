"""The manifest of DESIGN 5 (what was run, on what, and the plan's headline figures) and the
table made from the scenario rather than an analysis (kpis.csv)."""

from __future__ import annotations

import platform
import time
from pathlib import Path

import pandas as pd

from mtfs_align.errors import display_path
from mtfs_align.evaluate import Evaluation
from mtfs_align.io.outputs import OutputFolder, money_json, sha256
from mtfs_align.results import EVALUATION_TABLES
from mtfs_align.version import __version__


def write_evaluation(folder: OutputFolder, ev: Evaluation) -> None:
    """An evaluated plan's eight tables straight into `folder` (for tests and tools)."""
    for name, attribute in EVALUATION_TABLES.items():
        folder.write_csv(f"{name}.csv", getattr(ev, attribute))


def manifest(command: str, ev: Evaluation, inputs: list[Path], started: float, **extra) -> dict:
    """DESIGN 5: what was run, on what, and the plan's headline figures."""
    import numpy
    import pandas
    import pulp

    sc = ev.model.scenario
    data = {
        "version": __version__,
        "command": command,
        "scenario": display_path(sc.path),
        "scenario_name": sc.name,
        "council": sc.council,
        "years": sc.years,
        "inputs": [{"path": display_path(p), "sha256": sha256(p)} for p in _unique(inputs)],
        "status": ev.status,
        "objective": round(ev.objective, 9),
        "harm": round(ev.harm, 9),
        "harm_by_priority": {p: round(h, 9) for p, h in ev.harm_by_priority.items()},
        "unidentified_k": money_json(ev.unidentified_k),
        "reserves_draw_k": money_json(ev.reserves_draw_k),
        "balanced_every_year": ev.balanced_every_year,
        "breaches": int(len(ev.breaches)),
        "options_adopted": len(ev.plan),
        "withdrawn": list(sc.policy.reject),  # never available: not 'exterior' in the core index
        "plan_on": sc.policy.plan_on,
        "solver": None,
        "mip_gap": None,
        "seed": None,
        "seconds": None,
        "software": {
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "pandas": pandas.__version__,
            "pulp": pulp.__version__,
        },
    }
    data.update(extra)
    data["seconds"] = round(time.perf_counter() - started, 3)
    return data


def solution_fields(solution) -> dict:
    """The optimiser's entries in a manifest (`solver_stopped` only when the time limit stopped it)."""
    fields = {
        "solver": solution.solver,
        "mip_gap": solution.mip_gap,
        "status": solution.status,
        "solver_gap": solution.reported_gap,
        "build_seconds": round(solution.build_seconds, 3),
        "solve_seconds": round(solution.solve_seconds, 3),
    }
    stopped = getattr(solution, "stopped", None)
    if stopped:
        fields["solver_stopped"] = stopped
    return fields


def _unique(paths: list[Path]) -> list[Path]:
    seen, out = set(), []
    for path in paths:
        key = Path(path).resolve()
        if key not in seen and key.is_file():
            seen.add(key)
            out.append(key)
    return out


def kpi_table(scenario) -> pd.DataFrame:
    """The plan's KPIs as the `kpis.csv` table (outcome, kpi, name, unit, baseline, target,
    direction): `run` adds it to its results, for the briefing's outcomes table."""
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
