"""Tiny councils for tests: a data folder and a scenario written from Python dicts and lists.

A `Council` starts as "Testshire", small enough to work every number out by hand:

- years 2021/22 to 2023/24; one funding source of 900 a year; no corporate pressures; no growth;
  reserves: usable 100, minimum 0, no draw limit;
- priorities P1 (outcomes O1 weight 2, O2 weight 1) and P2 (outcome O3);
- activities A1 (600, O1, floor_share 0.5), A2 (300, O2) and A3 (100, O3): need 1000 a year,
  so the gap is 100 in every year;
- options S1 (A1, efficiency, y1 50, G, harms O1), S2 (A2, demand management, y1 30 y2 20, A,
  harms O2:2) and S3 (A3, income, y1 20, R, no harm);
- a scenario `scenarios/test.yaml` with `data: ../data/testshire` and no weights, policy or plan.

Change any part before writing, then write it into a temporary folder::

    council = Council()
    council.activity("A1")["growth_pct"] = 3
    council.option("S2").update(y1_k=40, rag="R")
    council.options.append(option("S4", "A3", y1_k=10))
    council.scenario["plan"] = {"S1": "2021/22"}
    scenario = council.load(tmp_path)        # writes the files, returns the validated Scenario
    ev = council.evaluate(tmp_path)          # ... or straight to an Evaluation of scenario.plan

`write` returns the scenario file's path (for the CLI). CSV rows are dicts; columns are the union
of the rows' keys in order of first appearance; `None` is written as a blank cell.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import yaml

YEARS = ["2021/22", "2022/23", "2023/24"]


def activity(id: str, baseline_k: float, outcomes: str = "", **fields) -> dict:
    """An activities.csv row; fields not given are blank."""
    row = {
        "id": id,
        "name": f"Activity {id}",
        "directorate": "DIR",
        "outcomes": outcomes,
        "baseline_k": baseline_k,
    }
    row.update(fields)
    return row


def option(id: str, activity: str, type: str = "efficiency", rag: str = "G", **fields) -> dict:
    """An options.csv row (y1_k=..., y2_k=..., harms="O1:2", ...); fields not given are blank."""
    row = {"id": id, "name": f"Option {id}", "activity": activity, "type": type, "rag": rag}
    row.update(fields)
    return row


class Council:
    """A council's four data files and one scenario, as editable Python objects."""

    def __init__(self, name: str = "testshire", scenario_name: str = "test"):
        self.name = name
        self.scenario_name = scenario_name
        self.plan: dict = {
            "council": "Testshire County Council (illustrative)",
            "priorities": [
                {
                    "id": "P1",
                    "name": "Keeping people safe",
                    "outcomes": [
                        {"id": "O1", "name": "Children are safe", "weight": 2},
                        {"id": "O2", "name": "Adults are safe", "weight": 1},
                    ],
                },
                {
                    "id": "P2",
                    "name": "A thriving economy",
                    "outcomes": [
                        {"id": "O3", "name": "Roads are fit for business"},
                    ],
                },
            ],
        }
        self.mtfs: dict = {
            "years": list(YEARS),
            "funding_k": {"council_tax": [900, 900, 900]},
            "corporate_pressures_k": [0, 0, 0],
            "growth_pct": 0,
            "reserves": {"usable_k": 100, "minimum_k": 0},
        }
        self.activities: list[dict] = [
            activity("A1", 600, "O1", floor_share=0.5),
            activity("A2", 300, "O2"),
            activity("A3", 100, "O3"),
        ]
        self.options: list[dict] = [
            option("S1", "A1", y1_k=50, harms="O1"),
            option("S2", "A2", type="demand management", rag="A", y1_k=30, y2_k=20, harms="O2:2"),
            option("S3", "A3", type="income", rag="R", y1_k=20),
        ]
        self.scenario: dict = {"name": "Test scenario", "data": f"../data/{name}"}

    # -- editing -------------------------------------------------------------------------------

    def activity(self, id: str) -> dict:
        """The activities.csv row with this id (edit it in place)."""
        return _find(self.activities, id)

    def option(self, id: str) -> dict:
        """The options.csv row with this id (edit it in place)."""
        return _find(self.options, id)

    def copy(self) -> Council:
        return copy.deepcopy(self)

    # -- writing -------------------------------------------------------------------------------

    def data_dir(self, root: Path) -> Path:
        return Path(root) / "data" / self.name

    def scenario_path(self, root: Path) -> Path:
        return Path(root) / "scenarios" / f"{self.scenario_name}.yaml"

    def write(self, root: Path) -> Path:
        """Write data/<name>/ and scenarios/<scenario_name>.yaml under `root`.

        Returns the scenario file's path."""
        data = self.data_dir(root)
        data.mkdir(parents=True, exist_ok=True)
        write_yaml(data / "plan.yaml", self.plan)
        write_yaml(data / "mtfs.yaml", self.mtfs)
        write_csv(data / "activities.csv", self.activities)
        write_csv(data / "options.csv", self.options)
        path = self.scenario_path(root)
        write_yaml(path, self.scenario)
        return path

    def load(self, root: Path):
        """Write, then load and validate the scenario (raises InputError like the CLI would)."""
        from mtfs_align.scenario import load_scenario

        return load_scenario(self.write(root))

    def model(self, root: Path):
        from mtfs_align.model import build_model

        return build_model(self.load(root))

    def evaluate(self, root: Path, plan: dict[str, str] | None = None):
        """Evaluate `plan` ({option: '2021/22'}), or the scenario's own plan when not given."""
        from mtfs_align.evaluate import evaluate

        model = self.model(root)
        if plan is None:
            starts = model.scenario.plan or {}
        else:
            starts = {oid: model.years.index(label) for oid, label in plan.items()}
        return evaluate(model, starts)


def two_year_council(name: str, scenario_name: str) -> Council:
    """Testshire over two years (funding 900 a year, so a gap of 100 each year), reserves 30 with
    at most 20 drawn a year, and three options that may start only in 2021/22:
    S1 on A1 saves 60 (harms O1), S2 on A2 saves 50 (O3), S3 on A3 saves 40 (O2)."""
    c = Council(name=name, scenario_name=scenario_name)
    c.mtfs["years"] = ["2021/22", "2022/23"]
    c.mtfs["funding_k"] = {"council_tax": [900, 900]}
    c.mtfs["corporate_pressures_k"] = [0, 0]
    c.mtfs["reserves"] = {"usable_k": 30, "minimum_k": 0, "max_draw_k": 20}
    c.options = [
        option("S1", "A1", y1_k=60, harms="O1", latest="2021/22"),
        option("S2", "A2", y1_k=50, harms="O3", latest="2021/22"),
        option("S3", "A3", y1_k=40, harms="O2", latest="2021/22"),
    ]
    return c


def write_yaml(path: Path, data: object) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    """Rows (dicts) to CSV; columns default to every key in order of first appearance."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if columns is None:
        columns = []
        for row in rows:
            columns += [key for key in row if key not in columns]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """An output CSV as a list of dicts of text (what a spreadsheet would see)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _find(rows: list[dict], id: str) -> dict:
    for row in rows:
        if row.get("id") == id:
            return row
    raise KeyError(f"no row with id {id}")
