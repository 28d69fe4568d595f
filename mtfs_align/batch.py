"""`batch` (DESIGN 6): the whole `run` of many scenarios (any council, any data folder), each into
a folder of its own under one batch folder, and `batch.csv`, one row per scenario, beside them.

A scenario that fails (bad input, no plan possible, a solver failure) is a row with its status
and located problem; the others go on. The scenarios are independent tasks for
mtfs_align.parallel: one after another, on local processes (`workers`) or on the workers of a
Dask scheduler; each scenario's own run is serial inside its task, so the results are the same
whichever runs them.

The batch folder (default outputs/batch/) holds `batch.csv`, the marker `.mtfs-align-batch` and
one folder per scenario, named by the scenario file's stem (`central`, then `central-2` for a
second `central.yaml` from another folder). Each scenario's folder is an output folder of
mtfs_align.io.outputs like any command's: replaced whole and atomically, only when it holds
nothing but the tool's earlier output. Folders of earlier batches that this one does not write are
left as they are; batch.csv lists this batch's.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mtfs_align.errors import InputError, MtfsError, Problems, display_path
from mtfs_align.io.output_marker import location_problem, refusal
from mtfs_align.progress import SILENT, Reporter
from mtfs_align.results import RunResults
from mtfs_align.settings import Settings, check_settings, settings_for

BATCH_MARKER = ".mtfs-align-batch"
BATCH_TOKEN = "mtfs-align batch folder"
DEFAULT_FOLDER = Path("outputs") / "batch"
SCENARIO_SUFFIXES = (".yaml", ".yml")

# status -> the exit code of `run` it stands for (DESIGN 6)
STATUS = {0: "done", 1: "breach", 2: "bad input", 3: "failed"}


# ---------------------------------------------------------------------------- which scenarios


def read_list(path: Path) -> list[Path]:
    """The scenarios a list file names: one path a line, relative to the list file's folder;
    blank lines and lines starting with # are skipped. Every bad line is a located problem."""
    problems = Problems()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(path, "", "--list", "does not exist", "give the path of a list of scenario files, one a line")
        problems.raise_if_any()
    except UnicodeDecodeError as err:
        problems.add(path, "", "--list", f"is not UTF-8 text (byte {err.start + 1})", "save it as UTF-8 text")
        problems.raise_if_any()
    except OSError as err:
        problems.add(path, "", "--list", f"cannot be read: {err.strerror}", "give a list file you can read")
        problems.raise_if_any()
    found = []
    base = Path(path).parent
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        scenario = base / entry
        problem = scenario_problem(scenario, entry)
        if problem is not None:
            problems.add(path, f"line {number}", "", *problem)
        else:
            found.append(scenario)
    if not found and not problems:
        problems.add(
            path, "", "--list", "names no scenario", "write one scenario file a line, e.g. ../scenarios/central.yaml"
        )
    problems.raise_if_any()
    return found


def scenario_problem(path: Path, given: str) -> tuple[str, str] | None:
    """Why `path` cannot be one of a batch's scenarios (message, fix), or None."""
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        return (
            f"'{given}' is not a scenario file (.yaml or .yml)",
            "give the path of a scenario file, relative to the list file's folder",
        )
    if not path.is_file():
        return (
            f"the scenario file '{given}' does not exist ({display_path(path)})",
            "correct the path (relative to the list file's folder), or remove the line or start it with #",
        )
    return None


def batch_scenarios(scenarios: list[Path | str], list_file: Path | str | None) -> list[Path]:
    """The scenario files given and those of the list file, in that order; every problem at once."""
    problems = Problems()
    found = []
    for given in scenarios:
        path = Path(given)
        problem = scenario_problem(path, str(given))
        if problem is not None:
            problems.add("", "", "SCENARIO", *problem)
        else:
            found.append(path)
    if list_file is not None:
        try:
            found += read_list(Path(list_file))
        except InputError as err:
            problems.items += err.problems
    if not found and not problems:
        problems.add(
            "",
            "",
            "SCENARIO",
            "batch needs scenario files or --list FILE",
            "e.g. mtfs-align batch scenarios/*.yaml, or mtfs-align batch --list councils.txt",
        )
    problems.raise_if_any()
    return found


def folder_names(scenarios: list[Path]) -> list[str]:
    """One folder name per scenario, its file's stem, made unique in the order given (`central`,
    `central-2`); compared without case, as some file systems do."""
    taken: set[str] = set()
    names = []
    for path in scenarios:
        stem = path.stem or "scenario"
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        names.append(name)
    return names


# ---------------------------------------------------------------------------- one scenario, anywhere


@dataclass(frozen=True)
class Job:
    """One scenario's task: picklable, with absolute paths, for any worker."""

    scenario: str
    folder: str  # its output folder
    name: str  # the folder's name under the batch folder
    settings: Settings
    working_folder: str  # where the batch was started: paths in messages and manifests are relative to it


def run_one(job: Job) -> dict:
    """`run` on one scenario into its folder; a row of batch.csv whatever happens (a failure is
    its status and message, never an exception)."""
    from mtfs_align.pipeline import run_scenario

    started = time.perf_counter()
    _work_from(job.working_folder)
    row: dict = {"scenario": display_path(job.scenario), "folder": job.name}
    try:
        results = run_scenario(job.scenario, job.settings, out=job.folder)
    except InputError as err:
        row.update(status=STATUS[2], message="; ".join(str(p) for p in err.problems) or str(err))
    except MtfsError as err:
        row.update(status=STATUS[err.exit_code] if err.exit_code in STATUS else STATUS[3], message=str(err))
    except Exception as err:  # our fault, not the user's: said as the command line says it
        row.update(status=STATUS[3], message=f"Internal error: {type(err).__name__}: {err}")
    else:
        row.update(summary_row(results))
    if row["status"] not in (STATUS[0], STATUS[1]):
        row["folder"] = ""  # nothing was written for it (DESIGN 7: never partial outputs)
    row["seconds"] = round(time.perf_counter() - started, 1)
    return row


def _work_from(folder: str) -> None:
    """Work from the batch's starting folder where it exists (a worker of a cluster sharing the
    project folder), so that messages and manifests name files as the serial run does."""
    try:
        if os.path.isdir(folder) and os.path.realpath(os.getcwd()) != os.path.realpath(folder):
            os.chdir(folder)
    except OSError:
        pass


def summary_row(results: RunResults) -> dict:
    """A finished run's figures for batch.csv: the last year's gap and savings (the levels the
    horizon must reach, as budget.csv's last row), the reserves drawn over the horizon, what is
    still unidentified each year, the harm and the chance that every year balances."""
    budget = results.budget
    manifest = results.manifest
    row = {
        "council": results.council,
        "status": STATUS[results.exit_code],
        "message": "" if results.exit_code == 0 else _breach_words(manifest),
        "gap_k": float(budget["gap_k"].iloc[-1]),
        "savings_k": float(budget["savings_k"].iloc[-1]),
        "reserves_draw_k": float(manifest["reserves_draw_k"]),
        "harm": float(manifest["harm"]),
        "p_balanced_all_years": manifest.get("p_balanced_all_years"),
    }
    for year, value in zip(budget["year"], budget["unidentified_k"], strict=True):
        row[f"unidentified_{year}_k"] = float(value)
    return row


def _breach_words(manifest: dict) -> str:
    parts = []
    if not manifest.get("balanced_every_year", True):
        parts.append("the budget does not balance in every year")
    count = int(manifest.get("breaches") or 0)
    if count:
        parts.append(f"{count} breach{'es' if count != 1 else ''} of an envelope or the policy (breaches.csv)")
    return "; ".join(parts) or "done, but the check found a breach"


# ---------------------------------------------------------------------------- the batch


def batch_table(rows: list[dict]) -> pd.DataFrame:
    """batch.csv: the declared columns (io.result_tables), one unidentified column per year of any
    council's horizon, in year order; blank where a scenario failed or has no such year."""
    from mtfs_align.io.result_tables import TABLES

    years = sorted({key for row in rows for key in row if key.startswith("unidentified_")})
    columns = []
    for name, _ in TABLES["batch"].columns:
        columns.append(name)
        if name == "reserves_draw_k":
            columns += years
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)


def check_batch_folder(out: Path) -> None:
    """Refuse a batch folder that is neither new, empty, nor an earlier batch's (marked), before any
    work is done: a folder of the user's is never written into."""
    located = location_problem(out)
    if located is not None:
        raise refusal(*located)
    if not os.path.lexists(out):
        return
    if not out.is_dir():
        raise refusal(f"{display_path(out)} exists and is a file", "choose a folder name with --out")
    if any(out.iterdir()) and not _is_batch_folder(out):
        raise refusal(
            f"{display_path(out)} already exists, is not empty and is not an mtfs_align batch folder (it "
            f"has no {BATCH_MARKER} file), so nothing will be written into it",
            "choose a new or empty folder with --out",
        )


def _refuse_inside_scenarios(out: Path, scenarios: list[Path]) -> None:
    """No batch folder inside a scenario's folder (each run refuses its data folder itself); a
    scenario kept in the working folder does not make the working folder forbidden (io.outputs)."""
    here = Path.cwd().resolve()
    resolved = out.resolve()
    for folder in dict.fromkeys(path.resolve().parent for path in scenarios):
        if folder == here or folder in here.parents:
            continue
        if resolved == folder or folder in resolved.parents:
            raise refusal(
                f"the batch folder {display_path(out)} is inside {display_path(folder)}, which holds scenarios",
                "write outputs elsewhere, e.g. --out outputs/batch",
            )


def _is_batch_folder(folder: Path) -> bool:
    try:
        return json.loads((folder / BATCH_MARKER).read_text(encoding="utf-8")).get("token") == BATCH_TOKEN
    except (OSError, ValueError, AttributeError):
        return False


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def batch(
    scenarios: list[Path | str] = (),
    settings: Settings | None = None,
    *,
    list_file: Path | str | None = None,
    out: Path | str = DEFAULT_FOLDER,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """`run` for each scenario (and each of `list_file`'s) into `out/<name>/`, spread over
    `settings.workers` local processes or the Dask scheduler `settings.scheduler`; returns results
    whose table `batch` is batch.csv (written into `out`) and whose exit code is the highest of the
    scenarios' (0 all done, 1 a breach or an unbalanced year, 2 a scenario's bad input, 3 a failure)."""
    from mtfs_align.parallel import run_tasks

    started = time.perf_counter()
    settings = settings_for(settings, **changes)
    check_settings("batch", settings)
    paths = batch_scenarios(list(scenarios), list_file)
    out = Path(out)
    check_batch_folder(out)
    _refuse_inside_scenarios(out, paths)
    names = folder_names(paths)
    inner = settings_for(settings, workers=1, scheduler=None)  # the scenarios are the parallel tasks
    here = os.getcwd()
    root = out.resolve()
    jobs = [
        Job(str(path.resolve()), str(root / name), name, inner, here) for path, name in zip(paths, names, strict=True)
    ]
    where = (
        f"on the Dask scheduler at {settings.scheduler}"
        if settings.scheduler
        else f"on {min(settings.workers, len(jobs))} local workers"
        if settings.workers > 1 and len(jobs) > 1
        else "one after another"
    )
    reporter.say(f"Running {len(jobs)} scenario{'s' if len(jobs) != 1 else ''} {where}, into {display_path(out)}/...")
    root.mkdir(parents=True, exist_ok=True)
    _write_atomically(root / BATCH_MARKER, json.dumps({"token": BATCH_TOKEN}, indent=2).encode() + b"\n")
    finished = 0

    def done(index: int, row: dict) -> None:
        nonlocal finished
        finished += 1
        words = row["status"] + (f": {row['message']}" if row.get("message") else "")
        reporter.say(f"[{finished}/{len(jobs)}] {row['scenario']}: {words} ({row['seconds']:.0f} s)")

    rows = run_tasks(run_one, jobs, workers=settings.workers, scheduler=settings.scheduler, on_done=done)
    codes = [next(code for code, word in STATUS.items() if word == row["status"]) for row in rows]
    results = RunResults("batch", settings=settings, exit_code=max(codes))
    table = results.add_table("batch", batch_table(rows))
    _write_atomically(root / "batch.csv", results.text("batch").encode("utf-8"))
    results.analyses["rows"] = rows
    results.folder = out
    results.manifest = {"command": "batch", "scenarios": len(table), "seconds": round(time.perf_counter() - started, 3)}
    return results
