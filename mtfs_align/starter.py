"""A starter council folder for `mtfs-align init`: the four data files and one scenario, each with
one worked row to copy, which `mtfs-align validate` accepts as they are."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from pathlib import Path

from mtfs_align.errors import InputError, Problem, display_path

YEARS = 4


def starter_name(folder: Path) -> str:
    """A council name for data/<name>/ from the folder's name: lower case, words joined by `_`."""
    name = re.sub(r"[^a-z0-9]+", "_", Path(folder).resolve().name.lower()).strip("_")
    return name or "council"


def first_year(today: dt.date | None = None) -> int:
    """The next financial year's starting calendar year (budgets are set for the coming year)."""
    today = today or dt.date.today()
    return (today.year if today.month >= 4 else today.year - 1) + 1


def year_labels(start: int) -> list[str]:
    return [f"{year}/{(year + 1) % 100:02d}" for year in range(start, start + YEARS)]


def starter_files(name: str, start: int) -> dict[str, str]:
    """Relative path -> text of every file of the starter folder."""
    years = year_labels(start)
    council = name.replace("_", " ").title()
    plan = f"""\
# The corporate plan: priorities, each with its outcomes (and optional KPIs). Ids are unique across
# the whole plan. Replace this worked example with your council's own; see docs/user-guide.md.
council: {council} Council (starter)
priorities:
  - id: P1
    name: Keeping people safe
    outcomes:
      - id: O1
        name: Children are safe and live in stable family settings
        weight: 1            # relative weight within its priority; default 1
        kpis:
          - {{id: K1, name: Children looked after per 10000, unit: rate, baseline: 50, target: 45, direction: down}}
"""
    mtfs = f"""\
# The financial envelope, in £ thousands: one value per year in every list.
years: [{", ".join(years)}]
funding_k:                    # every source summed into each year's funding
  council_tax: [10000, 10300, 10600, 10900]
corporate_pressures_k: [0, 0, 0, 0]   # spending need not attributed to an activity
growth_pct: 2                 # default annual growth of each activity's spending need
reserves: {{usable_k: 2000, minimum_k: 1000, max_draw_k: 500}}
"""
    activities = """\
id,name,directorate,outcomes,role,statutory,baseline_k,growth_pct,floor_share,envelope_growth_pct
A01,Children's social care,Children's services,O1,lead,true,10500,3.0,0.8,
"""
    options = """\
id,name,activity,type,y1_k,y2_k,y3_k,y4_k,earliest,latest,one_off_k,rag,effort,harms,benefits,requires,excludes,equality_impact
S01,Family support that reduces care placements,A01,demand management,300,200,0,0,,,50,A,1,O1:1,,,,low
"""
    scenario = f"""\
# A scenario: which data folder, the Cabinet's priority weights, the policy and (optionally) a plan.
name: Starter scenario
description: The starter council with one savings option, proposed from {years[0]}.
data: ../data/{name}          # relative to this file
weights: {{P1: 1}}
policy:
  plan_on: nominal
plan: {{S01: {years[0]}}}
"""
    return {
        f"data/{name}/plan.yaml": plan,
        f"data/{name}/mtfs.yaml": mtfs,
        f"data/{name}/activities.csv": activities,
        f"data/{name}/options.csv": options,
        f"scenarios/{name}.yaml": scenario,
    }


def write_starter(folder: Path, name: str | None = None, start: int | None = None) -> list[Path]:
    """Write the starter folder into `folder`, which must be new or empty; returns the files.

    Built beside the folder and moved into place, so a failure leaves nothing half-written."""
    folder = Path(folder)
    name = name or starter_name(folder)
    shown = display_path(folder)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "--name",
                    f"{name!r} is not a folder name of lower-case letters, digits, '_' or '-'",
                    "e.g. --name westshire",
                )
            ]
        )
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem("", "", "DIR", f"{shown} exists and is a file", "give a new folder's name")])
    if folder.is_dir() and any(folder.iterdir()):
        raise InputError(
            [
                Problem(
                    "",
                    "",
                    "DIR",
                    f"{shown} is not empty, so nothing was written into it",
                    "give a new or empty folder, e.g. mtfs-align init my-council",
                )
            ]
        )
    try:
        folder.resolve().parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.init.", dir=folder.resolve().parent))
    except OSError as err:
        raise InputError(
            [Problem("", "", "DIR", f"{shown} cannot be made: {err.strerror}", "give a folder you can write to")]
        ) from err
    try:
        for relative, text in starter_files(name, start or first_year()).items():
            path = building / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(building, 0o777 & ~mask)
        os.rename(building, folder)  # onto a missing or empty folder only
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return [folder / relative for relative in starter_files(name, start or first_year())]
