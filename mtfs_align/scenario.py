"""The validated, resolved scenario: `extends` merged, the data folder read, `changes` applied.

Every problem in every file is collected first and raised once (DESIGN 7).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.tables import (
    ACTIVITY_OPTIONAL,
    ACTIVITY_REQUIRED,
    OPTION_OPTIONAL,
    OPTION_REQUIRED,
    Row,
    parse_number,
    read_csv_table,
)
from mtfs_align.io.text import resolve_or_problem
from mtfs_align.io.yamlio import YamlDoc, load_yaml
from mtfs_align.years import parse_year, year_label

OPTION_TYPES = (
    "efficiency",
    "income",
    "financing",
    "commissioning",
    "demand management",
    "service redesign",
    "service reduction",
    "transformation",
    "invest to save",
    "investment",
)
NON_SERVICE_TYPES = ("income", "financing")
RAGS = ("G", "A", "R")
EQUALITY_LEVELS = ("none", "low", "medium", "high")
ROLES = ("lead", "deliver", "enable", "facilitate")
DEFAULT_DELIVERY = {"G": 0.95, "A": 0.75, "R": 0.45}

_SCENARIO_KEYS = ("name", "description", "data", "extends", "weights", "policy", "changes", "plan")
_POLICY_KEYS = (
    "plan_on",
    "delivery",
    "slip",
    "delivery_concentration",
    "capacity",
    "protect",
    "max_equality_impact",
    "adopt",
    "reject",
    "reserves",
    "reserves_penalty",
    "confidence",
    "risk_draws",
)
PLAN_BASES = ("nominal", "expected", "risk")
DEFAULT_CONFIDENCE = 0.9
DEFAULT_RISK_DRAWS = 500
CONFIDENCE_RANGE = (0.5, 0.99)
RISK_DRAWS_RANGE = (50, 10_000)
_CHANGES_KEYS = ("funding_pct", "funding_k", "growth_pct", "envelope_growth_pct", "options")
_RESERVES_KEYS = ("usable_k", "minimum_k", "max_draw_k", "max_cover_k")
_WHOLE = {("weights",), ("plan",), ("policy", "adopt"), ("policy", "protect")}
_ACTIVITY_REQUIRED, _ACTIVITY_OPTIONAL = ACTIVITY_REQUIRED, ACTIVITY_OPTIONAL
_OPTION_REQUIRED, _OPTION_OPTIONAL = OPTION_REQUIRED, OPTION_OPTIONAL
_PROFILE_COLUMN = re.compile(r"^y(\d+)_k$")
_PROFILE_ANY_CASE = re.compile(r"^y(\d+)_k$", re.IGNORECASE | re.ASCII)
MAX_PROFILE_YEARS = 50  # a savings profile longer than this is a mistake, refused before it is allocated
DATA_FILES = ("plan.yaml", "mtfs.yaml", "activities.csv", "options.csv")


@dataclass
class Kpi:
    id: str
    name: str
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: str = ""


@dataclass
class Outcome:
    id: str
    name: str
    priority: str
    weight: float
    kpis: list[Kpi]


@dataclass
class Priority:
    id: str
    name: str
    outcomes: list[str]


@dataclass
class Activity:
    id: str
    name: str
    directorate: str
    outcomes: dict[str, float]
    role: str
    statutory: bool
    baseline_k: float
    growth_pct: float
    floor_share: float
    envelope_growth_pct: float | None


@dataclass
class Option:
    id: str
    name: str
    activity: str
    type: str
    profile_k: tuple[float, ...]  # y1_k .. yL_k: savings added in each year after the start
    earliest: int  # year index (0-based) of the first allowed start
    latest: int  # year index of the last allowed start (clipped to the horizon)
    one_off_k: float
    rag: str
    effort: float
    harms: dict[str, float]
    benefits: dict[str, float]
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    equality_impact: str

    @property
    def affects_service(self) -> bool:
        return self.type not in NON_SERVICE_TYPES

    @property
    def available(self) -> bool:
        return self.earliest <= self.latest


@dataclass
class Reserves:
    usable_k: float
    minimum_k: float
    max_draw_k: list[float]  # per year; math.inf where there is no limit
    # per year: the most that may be drawn once delivery shortfalls are known (DESIGN 4.5, 4.6);
    # max_draw_k where not given
    max_cover_k: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.max_cover_k:
            self.max_cover_k = list(self.max_draw_k)


@dataclass
class Policy:
    plan_on: str = "nominal"
    delivery: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DELIVERY))
    slip: float = 0.1
    delivery_concentration: float = 2.0
    capacity: list[float] | None = None
    protect: dict[str, float] = field(default_factory=dict)
    max_equality_impact: str = "high"
    adopt: dict[str, int | None] = field(default_factory=dict)  # option -> start index or None (any)
    reject: list[str] = field(default_factory=list)
    reserves_penalty: float = 0.001
    confidence: float = DEFAULT_CONFIDENCE  # the share of futures planned for (plan_on: risk) and reported
    risk_draws: int = DEFAULT_RISK_DRAWS  # delivery draws inside the optimiser (plan_on: risk)


@dataclass
class Scenario:
    """Everything a run needs, validated: the plan, the MTFS, activities, options and policy."""

    name: str
    description: str
    path: Path
    slug: str
    data_dir: Path
    council: str
    years: list[str]
    priorities: dict[str, Priority]
    outcomes: dict[str, Outcome]
    activities: dict[str, Activity]
    options: dict[str, Option]
    funding_k: dict[str, list[float]]
    funding_pct: list[float]
    funding_change_k: list[float]
    corporate_pressures_k: list[float]
    reserves: Reserves
    weights: dict[str, tuple[float, float]]  # priority -> (low, high); equal when not given
    weights_given: bool
    policy: Policy
    plan: dict[str, int] | None
    inputs: list[Path]
    warnings: list[str]

    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def screened(self) -> list[str]:
        """Options rated above the scenario's maximum equality impact."""
        limit = EQUALITY_LEVELS.index(self.policy.max_equality_impact)
        return [o.id for o in self.options.values() if EQUALITY_LEVELS.index(o.equality_impact) > limit]

    @property
    def illustrative(self) -> bool:
        return "illustrative" in self.council.lower()


# --------------------------------------------------------------------------------------------
# Scenario files: extends, merge, locations
# --------------------------------------------------------------------------------------------


class _Chain:
    """The scenario files from the base to the most derived, and where each key was written."""

    def __init__(self, docs: list[YamlDoc]):
        self.docs = docs

    def where(self, key_path: tuple) -> tuple[Path, str]:
        best: tuple[int, YamlDoc] | None = None
        for doc in reversed(self.docs):
            for cut in range(len(key_path), 0, -1):
                if tuple(key_path[:cut]) in doc.lines:
                    if best is None or cut > best[0]:
                        best = (cut, doc)
                    break
        if best is None:
            return self.docs[-1].path, ""
        line = best[1].lines[tuple(key_path[: best[0]])]
        return best[1].path, f"line {line}"


def _load_chain(path: Path, problems: Problems, seen: list[Path]) -> list[YamlDoc] | None:
    doc = load_yaml(path, problems, "scenario")
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.add(
            path,
            "line 1",
            "",
            "a scenario file must be a mapping of keys (name:, data:, ...)",
            "see docs/user-guide.md for the layout",
        )
        return None
    for key in ("data", "extends"):
        value = doc.data.get(key)
        if value is not None and not isinstance(value, str):
            example = "data: ../data/westshire" if key == "data" else "extends: central.yaml"
            problems.add(
                path, f"line {doc.lines.get((key,), 1)}", key, "must be a path written as text", f"write e.g. {example}"
            )
            doc.data[key] = None
    _refuse_empty_entries(doc, problems)
    if isinstance(doc.data.get("data"), str):
        where = f"line {doc.lines.get(('data',), 1)}"
        folder = resolve_or_problem(path.parent / doc.data["data"], problems, "data folder", path, where, "data")
        if folder is None:
            return None
        doc.data["data"] = str(folder)
    parent_name = doc.data.get("extends")
    if not parent_name:
        return [doc]
    line = f"line {doc.lines.get(('extends',), 1)}"
    parent = resolve_or_problem(path.parent / parent_name, problems, "parent scenario", path, line, "extends")
    if parent is None:
        return None
    if parent in seen or parent == path.resolve():
        cycle = " -> ".join(p.name for p in seen + [path.resolve(), parent])
        problems.add(
            path, line, "extends", f"scenarios extend each other in a cycle ({cycle})", "make one of them stand alone"
        )
        return None
    if not parent.is_file():
        problems.add(
            path,
            line,
            "extends",
            f"the parent scenario '{parent_name}' does not exist",
            "give a path relative to this file",
        )
        return None
    base = _load_chain(parent, problems, seen + [path.resolve()])
    if base is None:
        return None
    return base + [doc]


_EMPTY_FIX = {
    ("plan",): "give its start year, e.g. S27: 2021/22, or delete the line",
    ("policy", "adopt"): "give its start year or any, or delete the line",
    ("policy", "protect"): "give the share of need to protect, e.g. P1: 0.9, or delete the line",
    ("weights",): "give the priority's weight, e.g. P1: 0.3",
}


def _refuse_empty_entries(doc: YamlDoc, problems: Problems) -> None:
    """An entry left empty in a mapping that replaces the inherited one whole (`plan: {S27: }`) would
    otherwise vanish silently (a null removes an inherited value), changing the answer."""
    for key_path, fix in _EMPTY_FIX.items():
        mapping = doc.data
        for key in key_path:
            mapping = mapping.get(key) if isinstance(mapping, dict) else None
        if not isinstance(mapping, dict):
            continue
        for key, value in mapping.items():
            if value is None:
                where = key_path + (key,)
                line = doc.lines.get(where)
                problems.add(
                    doc.path, f"line {line}" if line else "", ".".join(map(str, where)), f"{key} is given no value", fix
                )


def _strip_nulls(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def _merge(base: dict, over: dict, key_path: tuple = ()) -> dict:
    result = dict(base)
    for key, value in over.items():
        if key_path == () and key == "extends":
            continue
        here = key_path + (key,)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict) and here not in _WHOLE:
            result[key] = _merge(result[key], value, here)
        else:
            result[key] = _strip_nulls(value)
    return result


def default_slug(path: Path) -> str:
    return path.stem


# --------------------------------------------------------------------------------------------
# Helpers for reading values out of YAML with locations
# --------------------------------------------------------------------------------------------


class _Reader:
    """Validation helpers bound to one YAML source (a data file, or the scenario chain)."""

    def __init__(self, problems: Problems, locate):
        self.problems = problems
        self.locate = locate

    def add(self, key_path: tuple, message: str, fix: str = "") -> None:
        file, where = self.locate(key_path)
        self.problems.add(file, where, _dotted(key_path), message, fix)

    def keys(self, mapping: object, allowed: tuple | list, key_path: tuple, required: tuple = ()) -> bool:
        if not isinstance(mapping, dict):
            self.add(key_path, "must be a mapping of keys", "write it as key: value lines")
            return False
        for key in mapping:
            if key not in allowed:
                close = [a for a in allowed if _similar(str(key), a)]
                hint = (
                    f"did you mean '{close[0]}'? If not, remove it" if close else "allowed keys: " + ", ".join(allowed)
                )
                self.add(key_path + (key,), f"unknown key '{key}'", hint)
        ok = True
        for key in required:
            if mapping.get(key) is None:
                self.add(key_path, f"'{key}' is missing", f"add {key}:")
                ok = False
        return ok

    def number(self, value: object, key_path: tuple, field_name: str | None = None, **limits) -> float | None:
        file, where = self.locate(key_path)
        name = _dotted(key_path) if field_name is None else field_name
        if isinstance(value, str) and value.strip() == "":
            value = None
        if value is None:
            self.problems.add(file, where, name, "a number is missing", "write a number")
            return None
        if isinstance(value, (list, dict)):
            self.problems.add(file, where, name, "must be a single number", "write one number")
            return None
        return parse_number(value, self.problems, file, where, name, **limits)

    def per_year(
        self, value: object, key_path: tuple, n: int, scalar_ok: bool, labels: list[str] | None = None, **limits
    ) -> list[float] | None:
        """One number per year; a problem with one value names its year (`grants, 2021/22`)
        when the year labels are known, else its place in the list."""
        if isinstance(value, list):
            if len(value) != n:
                self.add(
                    key_path,
                    f"has {len(value)} values but the horizon has {n} years",
                    f"give exactly one value per year ({n})",
                )
                return None
            out = [
                self.number(
                    v, key_path + (i,), None if labels is None else f"{_dotted(key_path)}, {labels[i]}", **limits
                )
                for i, v in enumerate(value)
            ]
            return None if any(v is None for v in out) else out
        if scalar_ok:
            number = self.number(value, key_path, **limits)
            return None if number is None else [number] * n
        self.add(key_path, "must be a list with one value per year", f"write [{', '.join(['0'] * n)}]")
        return None

    def text(self, value: object, key_path: tuple, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(key_path, "is missing or blank", "write a value")
            return ""
        if isinstance(value, (dict, list)):
            self.add(key_path, "must be text", "write a single value")
            return ""
        text = str(value).strip()
        bad = control_characters(text)
        if bad:
            self.add(key_path, f"holds a control character ({bad})", CONTROL_FIX)
        return text


def _dotted(key_path: tuple) -> str:
    parts = []
    for part in key_path:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _similar(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if abs(len(a) - len(b)) > 2:
        return False
    return len(set(a) ^ set(b)) <= 2 and (a[:2] == b[:2] or sorted(a) == sorted(b))


CONTROL_FIX = "remove it: names and ids are text for people (a control character cannot go into results.xlsx)"

# Letters that look like Latin ones in most fonts (Cyrillic and Greek), and digits that look like letters:
# two ids with the same skeleton differ only by look-alike characters (docs/design-choices.md).
_LOOK_ALIKES = str.maketrans(
    {
        **dict.fromkeys("АаΑα", "a"),
        **dict.fromkeys("ВΒβ", "b"),
        **dict.fromkeys("СсϹϲ", "c"),
        **dict.fromkeys("ԁ", "d"),
        **dict.fromkeys("ЕеЁёΕε", "e"),
        **dict.fromkeys("НΗ", "h"),
        **dict.fromkeys("ІіΙιӀI1|", "l"),
        **dict.fromkeys("Јј", "j"),
        **dict.fromkeys("КкΚκ", "k"),
        **dict.fromkeys("МΜ", "m"),
        **dict.fromkeys("Ν", "n"),
        **dict.fromkeys("ОоΟο0", "o"),
        **dict.fromkeys("РрΡρ", "p"),
        **dict.fromkeys("Ԛԛ", "q"),
        **dict.fromkeys("Ѕѕ", "s"),
        **dict.fromkeys("ТтΤτ", "t"),
        **dict.fromkeys("υ", "u"),
        **dict.fromkeys("Ѵѵν", "v"),
        **dict.fromkeys("Ԝԝ", "w"),
        **dict.fromkeys("ХхΧχ", "x"),
        **dict.fromkeys("УуΥγ", "y"),
        **dict.fromkeys("Ζ", "z"),
    }
)


def control_characters(text: str) -> str:
    """The control characters in `text` (tab and line breaks apart), as U+0007, ...; '' if none."""
    found = sorted({ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"})
    return ", ".join(f"U+{ord(ch):04X}" for ch in found)


def id_skeleton(ident: str) -> str:
    """What an id looks like to a reader: compatibility forms folded (NFKC), Cyrillic and Greek
    look-alikes and O/0, I/l/1 turned into one Latin letter, invisible characters (zero-width
    spaces, direction marks: Unicode category Cf) dropped, case ignored."""
    visible = "".join(ch for ch in unicodedata.normalize("NFKC", ident) if unicodedata.category(ch) != "Cf")
    return visible.translate(_LOOK_ALIKES).casefold().translate(_LOOK_ALIKES)


class _LookAlikes:
    """Ids seen so far in one file; `clash(id)` names an earlier id that differs from it only in
    case or by look-alike characters."""

    def __init__(self) -> None:
        self.by_case: dict[str, str] = {}
        self.by_skeleton: dict[str, str] = {}

    def clash(self, ident: str) -> str | None:
        folded, skeleton = ident.casefold(), id_skeleton(ident)
        other = self.by_case.get(folded) or self.by_skeleton.get(skeleton)
        self.by_case.setdefault(folded, ident)
        self.by_skeleton.setdefault(skeleton, ident)
        return other if other is not None and other != ident else None


def look_alike_problem(ident: str, other: str) -> str:
    """Why two different ids with the same skeleton are confusing."""
    if ident.casefold() == other.casefold():
        return f"'{other}' and '{ident}' differ only in upper and lower case"
    foreign = sorted({ch for ch in other + ident if not ch.isascii()})
    named = "; ".join(f"'{ch}' is {unicodedata.name(ch, f'U+{ord(ch):04X}').lower()}" for ch in foreign)
    return f"'{other}' and '{ident}' differ only by a look-alike character" + (f" ({named})" if named else "")


def _year_index(
    label: object, first_year: int, n: int, reader: _Reader, key_path: tuple, what: str = "year"
) -> int | None:
    try:
        start = parse_year(label)
    except ValueError as err:
        reader.add(key_path, str(err), "write the year as 2021/22")
        return None
    index = start - first_year
    if not 0 <= index < n:
        reader.add(
            key_path,
            f"{what} {year_label(start)} is outside the horizon "
            f"{year_label(first_year)} to {year_label(first_year + n - 1)}",
            "use a year within the horizon of mtfs.yaml",
        )
        return None
    return index


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario and its data folder; raise InputError listing every problem."""
    path = Path(path)
    problems = Problems()
    resolved = resolve_or_problem(path, problems, "scenario file")
    if resolved is None:
        problems.raise_if_any()
    if not path.is_file():
        problems.add(path, "", "", "the scenario file does not exist", "give the path to a .yaml scenario file")
        problems.raise_if_any()
    docs = _load_chain(resolved, problems, [])
    if docs is None:
        problems.raise_if_any()
    chain = _Chain(docs)
    merged: dict = {}
    for doc in docs:
        merged = _merge(merged, doc.data)
    sc = _Reader(problems, chain.where)
    sc.keys(merged, _SCENARIO_KEYS, ())
    for key, allowed in (("policy", _POLICY_KEYS), ("changes", _CHANGES_KEYS)):
        if key in merged:
            sc.keys(merged[key], allowed, (key,))
    policy_raw = merged.get("policy") if isinstance(merged.get("policy"), dict) else {}
    if isinstance(policy_raw.get("reserves"), dict):
        sc.keys(policy_raw["reserves"], _RESERVES_KEYS, ("policy", "reserves"))
    elif policy_raw.get("reserves") is not None:
        sc.add(("policy", "reserves"), "must be a mapping", "write reserves: {max_draw_k: 10000}")

    data_value = merged.get("data")
    if not data_value:
        sc.add(
            ("data",),
            "the scenario does not say which data folder to use",
            "add data: ../data/<council> (relative to the scenario file)",
        )
        problems.raise_if_any()
    data_dir = Path(data_value)
    if not data_dir.is_dir():
        sc.add(
            ("data",),
            f"the data folder {display_path(data_dir)} does not exist",
            "give the folder's path relative to the scenario file",
        )
        problems.raise_if_any()

    from mtfs_align.io.workbook_in import find_workbook  # Excel input is optional

    inputs = [Path(d.path) for d in docs]
    workbook = find_workbook(data_dir, problems)
    plan_doc = load_yaml(data_dir / "plan.yaml", problems, "corporate plan")
    mtfs_doc = load_yaml(data_dir / "mtfs.yaml", problems, "MTFS")
    if workbook is not None:
        from mtfs_align.io.workbook_in import read_workbook_tables

        activities_table, options_table = read_workbook_tables(workbook, problems, _ACTIVITY_REQUIRED, _OPTION_REQUIRED)
        inputs += [data_dir / "plan.yaml", data_dir / "mtfs.yaml", workbook]
    else:
        activities_table = read_csv_table(data_dir / "activities.csv", problems, "activities", _ACTIVITY_REQUIRED)
        options_table = read_csv_table(data_dir / "options.csv", problems, "savings options", _OPTION_REQUIRED)
        inputs += [data_dir / name for name in DATA_FILES]

    council, priorities, outcomes = _read_plan(plan_doc, problems)
    mtfs = _read_mtfs(mtfs_doc, problems)
    if mtfs is None or plan_doc is None:
        # The options and the policy refer to the years, and every table to the plan's ids:
        # without them those checks would only add noise. The activities need only the plan, so
        # with the plan readable they are still checked (every problem at once, DESIGN 7).
        if plan_doc is not None:
            changes = merged.get("changes") if isinstance(merged.get("changes"), dict) else {}
            _read_weights(merged.get("weights"), priorities, sc)
            _read_activities(activities_table, changes, outcomes, 0.0, sc, problems)
        # How a year is written needs no horizon: every malformed year label is reported in this
        # run, not after the horizon is mended.
        _check_year_spellings(options_table, merged, sc)
        problems.raise_if_any()
    years, first_year, funding_k, pressures, default_growth, reserves_raw = mtfs
    n = len(years)

    weights, weights_given = _read_weights(merged.get("weights"), priorities, sc)
    policy, reserves_override = _read_policy(policy_raw, priorities, first_year, n, sc)
    reserves = _resolve_reserves(reserves_raw, reserves_override, years, mtfs_doc, chain, problems)
    changes = merged.get("changes") if isinstance(merged.get("changes"), dict) else {}
    funding_pct, funding_change_k = _read_funding_changes(changes, first_year, n, sc)
    _check_changed_funding(funding_k, funding_pct, funding_change_k, years, changes, sc)

    activities = _read_activities(activities_table, changes, outcomes, default_growth, sc, problems)
    activity_ids = _row_ids(activities_table)
    options = _read_options(options_table, changes, activities, activity_ids, outcomes, first_year, n, sc, problems)
    # Ids in options.csv, valid or not: a reference to an option whose row has a problem of its
    # own is not also reported as unknown. None when the table could not be read at all.
    option_ids = _row_ids(options_table)

    plan = None
    if merged.get("plan") is not None:
        plan = _read_plan_mapping(merged["plan"], option_ids, first_year, n, sc)

    for key in ("name", "description"):  # text for people, shown in the briefing and the workbook
        if merged.get(key) is not None:
            sc.text(merged[key], (key,), required=False)
    scenario = Scenario(
        name=str(merged.get("name") or path.stem),
        description=str(merged.get("description") or ""),
        path=path,
        slug=default_slug(path),
        data_dir=data_dir,
        council=council,
        years=years,
        priorities=priorities,
        outcomes=outcomes,
        activities=activities,
        options=options,
        funding_k=funding_k,
        funding_pct=funding_pct,
        funding_change_k=funding_change_k,
        corporate_pressures_k=pressures,
        reserves=reserves,
        weights=weights,
        weights_given=weights_given,
        policy=policy,
        plan=plan,
        inputs=inputs,
        warnings=problems.warnings,
    )
    _check_policy_references(scenario, option_ids, sc)
    problems.raise_if_any()
    _warn_about_fit(scenario, problems)
    scenario.warnings = problems.warnings
    return scenario


def _check_changed_funding(
    funding_k: dict, pct: list[float], add: list[float], years: list[str], changes: dict, sc: _Reader
) -> None:
    """A scenario's funding changes must leave each year's total funding positive (DESIGN 3.2)."""
    for t, label in enumerate(years):
        base = sum(values[t] for values in funding_k.values())
        total = base * (1 + pct[t] / 100) + add[t]
        if base <= 0 or total > 0:
            continue  # a base total that is not positive is reported against mtfs.yaml
        key = next(
            (
                k
                for k in ("funding_k", "funding_pct")
                if isinstance(changes.get(k), dict) and label in {str(y).strip() for y in changes[k]}
            ),
            "funding_k",
        )
        sc.add(
            ("changes", key, label),
            f"with this change the total funding of {label} is £{total:,.0f}k",
            "the funding of a year must stay positive: check the sign and size of the change",
        )


def _check_year_spellings(options_table, merged: dict, sc: _Reader) -> None:
    """Year labels that are malformed whatever the horizon: options' windows, the scenario's plan,
    policy.adopt and the years of changes.funding_pct and changes.funding_k."""

    def malformed(label: object) -> str | None:
        try:
            parse_year(label)
        except ValueError as err:
            return str(err)
        return None

    for row in options_table.rows if options_table is not None else []:
        for column in ("earliest", "latest"):
            text = row.get(column)
            if text and (message := malformed(text)):
                sc.problems.add(
                    row.file,
                    row.where,
                    column,
                    message,
                    "write the year as 2021/22, or leave blank for the whole horizon",
                )
    places = []
    if isinstance(merged.get("plan"), dict):
        places += [(("plan", oid), label) for oid, label in merged["plan"].items()]
    policy = merged.get("policy") if isinstance(merged.get("policy"), dict) else {}
    if isinstance(policy.get("adopt"), dict):
        places += [
            (("policy", "adopt", oid), label)
            for oid, label in policy["adopt"].items()
            if str(label).strip().lower() != "any"
        ]
    changes = merged.get("changes") if isinstance(merged.get("changes"), dict) else {}
    for key in ("funding_pct", "funding_k"):
        if isinstance(changes.get(key), dict):
            places += [(("changes", key, label), label) for label in changes[key]]
    for key_path, label in places:
        if message := malformed(label):
            sc.add(key_path, message, "write the year as 2021/22")


def _read_plan(doc: YamlDoc | None, problems: Problems):
    council, priorities, outcomes = "", {}, {}
    if doc is None:
        return council, priorities, outcomes
    rd = _Reader(problems, lambda kp: (doc.path, f"line {doc.line(kp)}" if doc.line(kp) else ""))
    data = doc.data
    if not rd.keys(data, ("council", "priorities"), (), required=("council", "priorities")):
        return council, priorities, outcomes
    council = rd.text(data.get("council"), ("council",))
    if not isinstance(data["priorities"], list) or not data["priorities"]:
        rd.add(("priorities",), "must be a list of at least one priority", "add - id: P1 ...")
        return council, priorities, outcomes
    seen: set[str] = set()
    for i, item in enumerate(data["priorities"]):
        kp = ("priorities", i)
        if not rd.keys(item, ("id", "name", "outcomes"), kp, required=("id", "name", "outcomes")):
            continue
        pid = rd.text(item["id"], kp + ("id",))
        if pid in seen:
            rd.add(kp + ("id",), f"id '{pid}' is used twice", "ids must be unique across the whole plan")
        seen.add(pid)
        outcome_ids = []
        if not isinstance(item["outcomes"], list) or not item["outcomes"]:
            rd.add(kp + ("outcomes",), f"priority {pid} has no outcomes", "give every priority at least one outcome")
        else:
            for j, oc in enumerate(item["outcomes"]):
                okp = kp + ("outcomes", j)
                if not rd.keys(oc, ("id", "name", "weight", "kpis"), okp, required=("id", "name")):
                    continue
                oid = rd.text(oc["id"], okp + ("id",))
                if oid in seen:
                    rd.add(okp + ("id",), f"id '{oid}' is used twice", "ids must be unique across the whole plan")
                    continue
                seen.add(oid)
                weight = 1.0 if oc.get("weight") is None else rd.number(oc["weight"], okp + ("weight",), minimum=0)
                kpis = _read_kpis(oc.get("kpis"), okp + ("kpis",), rd, seen)
                outcomes[oid] = Outcome(
                    oid, rd.text(oc["name"], okp + ("name",)), pid, weight if weight is not None else 1.0, kpis
                )
                outcome_ids.append(oid)
            if outcome_ids and sum(outcomes[o].weight for o in outcome_ids) <= 0:
                rd.add(
                    kp + ("outcomes",),
                    f"the outcome weights of {pid} are all zero",
                    "give at least one outcome a positive weight",
                )
        priorities[pid] = Priority(pid, rd.text(item["name"], kp + ("name",)), outcome_ids)
    return council, priorities, outcomes


def _read_kpis(raw: object, key_path: tuple, rd: _Reader, seen: set[str]) -> list[Kpi]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        rd.add(key_path, "must be a list of KPIs", "write - {id: K1, name: ...}")
        return []
    kpis = []
    for i, item in enumerate(raw):
        kp = key_path + (i,)
        if not rd.keys(item, ("id", "name", "unit", "baseline", "target", "direction"), kp, required=("id", "name")):
            continue
        kid = rd.text(item["id"], kp + ("id",))
        if kid in seen:
            rd.add(kp + ("id",), f"id '{kid}' is used twice", "ids must be unique across the whole plan")
        seen.add(kid)
        direction = rd.text(item.get("direction"), kp + ("direction",), required=False).lower()
        if direction and direction not in ("up", "down"):
            rd.add(kp + ("direction",), f"'{direction}' is not a direction", "write up or down")
        baseline = None if item.get("baseline") is None else rd.number(item["baseline"], kp + ("baseline",))
        target = None if item.get("target") is None else rd.number(item["target"], kp + ("target",))
        kpis.append(
            Kpi(
                kid,
                rd.text(item["name"], kp + ("name",)),
                rd.text(item.get("unit"), kp + ("unit",), required=False),
                baseline,
                target,
                direction,
            )
        )
    return kpis


def _read_mtfs(doc: YamlDoc | None, problems: Problems):
    if doc is None:
        return None
    rd = _Reader(problems, lambda kp: (doc.path, f"line {doc.line(kp)}" if doc.line(kp) else ""))
    data = doc.data
    allowed = ("years", "funding_k", "corporate_pressures_k", "growth_pct", "reserves")
    if not rd.keys(data, allowed, (), required=("years",)):
        return None
    if data.get("funding_k") is None:
        rd.add((), "'funding_k' is missing", "add funding_k:")
    raw_years = data["years"]
    if not isinstance(raw_years, list) or not 1 <= len(raw_years) <= 10:
        rd.add(("years",), "must be a list of 1 to 10 financial years", "write years: [2021/22, 2022/23, ...]")
        return None
    starts = []
    for i, label in enumerate(raw_years):
        try:
            starts.append(parse_year(label))
        except ValueError as err:
            # every malformed year is reported in this one run, not the first only (DESIGN 7)
            rd.add(("years", i), str(err), "write the year as 2021/22")
            starts.append(None)
    if None in starts:
        return None
    for i in range(1, len(starts)):
        if starts[i] != starts[i - 1] + 1:
            rd.add(
                ("years", i),
                f"{year_label(starts[i])} does not follow {year_label(starts[i - 1])}",
                "list consecutive financial years in order",
            )
            return None
    n = len(starts)
    labels = [year_label(s) for s in starts]
    funding = {}
    if data.get("funding_k") is None:
        pass  # reported above
    elif not isinstance(data["funding_k"], dict) or not data["funding_k"]:
        rd.add(
            ("funding_k",),
            "must be a mapping of funding sources to per-year lists",
            "write e.g. council_tax: [440000, 455000, ...]",
        )
    else:
        # A source may be negative (a collection fund deficit, a levy, a repayment: DESIGN 3.2);
        # only each year's total must be positive.
        for source, values in data["funding_k"].items():
            funding[source] = rd.per_year(values, ("funding_k", source), n, False, labels, unit=" in £ thousands")
        if funding and all(values is not None for values in funding.values()):
            for t, label in enumerate(labels):
                total = sum(values[t] for values in funding.values())
                if total <= 0:
                    file, where = rd.locate(("funding_k",))
                    problems.add(
                        file,
                        where,
                        f"funding_k, {label}",
                        f"total funding is £{total:,.0f}k; the funding of a year must be positive",
                        "check the signs of the sources of that year (a deficit is negative, "
                        "council tax and grants positive)",
                    )
    pressures = [0.0] * n
    if data.get("corporate_pressures_k") is not None:
        # Negative corporate pressures are allowed: a corporate saving or a release of a
        # contingency lowers the council's need (docs/design-choices.md).
        pressures = rd.per_year(
            data["corporate_pressures_k"], ("corporate_pressures_k",), n, True, labels, unit=" in £ thousands"
        )
    growth = 0.0
    if data.get("growth_pct") is not None:
        growth = rd.number(data["growth_pct"], ("growth_pct",), above=-100)
    reserves_raw = data.get("reserves") or {}
    if reserves_raw:
        rd.keys(reserves_raw, _RESERVES_KEYS, ("reserves",))
    # A bad value (the problem is already recorded) does not hide the years: with the horizon
    # known every other file can still be checked, so every problem is reported at once (DESIGN 7).
    funding = {source: [0.0] * n if values is None else values for source, values in funding.items()}
    pressures = [0.0] * n if pressures is None else pressures
    growth = 0.0 if growth is None else growth
    return labels, starts[0], funding, pressures, growth, reserves_raw


def _resolve_reserves(
    raw: dict, override: dict, years: list[str], mtfs_doc: YamlDoc, chain: _Chain, problems: Problems
) -> Reserves:
    n = len(years)
    mtfs_rd = _Reader(problems, lambda kp: (mtfs_doc.path, f"line {mtfs_doc.line(kp)}" if mtfs_doc.line(kp) else ""))
    sc_rd = _Reader(problems, chain.where)
    values = {}
    for key in _RESERVES_KEYS:
        if isinstance(override, dict) and override.get(key) is not None:
            rd, kp, value = sc_rd, ("policy", "reserves", key), override[key]
        elif isinstance(raw, dict) and raw.get(key) is not None:
            rd, kp, value = mtfs_rd, ("reserves", key), raw[key]
        else:
            values[key] = None
            continue
        if key in ("max_draw_k", "max_cover_k"):
            values[key] = rd.per_year(value, kp, n, True, years, minimum=0, unit=" in £ thousands")
        else:
            values[key] = rd.number(value, kp, minimum=0, unit=" in £ thousands")
        values[key + "_at"] = (rd, kp)
    usable = values.get("usable_k") or 0.0
    minimum = values.get("minimum_k") or 0.0
    if values.get("usable_k") is not None and values.get("minimum_k") is not None and minimum > usable:
        rd, kp = values["minimum_k_at"]
        rd.add(
            kp,
            f"the reserves minimum £{minimum:,.0f}k is above the usable balance £{usable:,.0f}k",
            "lower minimum_k or raise usable_k",
        )
    elif values.get("minimum_k") is not None and "usable_k_at" not in values and minimum > 0:
        rd, kp = values["minimum_k_at"]
        rd.add(
            kp, f"the reserves minimum £{minimum:,.0f}k is above the usable balance (none given)", "give usable_k too"
        )
    max_draw = values.get("max_draw_k") or [math.inf] * n
    return Reserves(usable, minimum, max_draw, values.get("max_cover_k") or list(max_draw))


def _read_weights(raw: object, priorities: dict[str, Priority], sc: _Reader):
    if raw is None:
        return {p: (1.0, 1.0) for p in priorities}, False
    weights = {}
    if not isinstance(raw, dict):
        sc.add(("weights",), "must map every priority to a weight", "write weights: {P1: 0.4, P2: 0.2, ...}")
        return {p: (1.0, 1.0) for p in priorities}, False
    for pid, value in raw.items():
        kp = ("weights", pid)
        if pid not in priorities:
            sc.add(
                kp,
                f"'{pid}' is not a priority of the plan",
                "use the priority ids of plan.yaml: " + ", ".join(priorities),
            )
            continue
        if isinstance(value, list):
            if len(value) != 2:
                sc.add(kp, "a weight range must be [low, high]", "write e.g. [0.3, 0.5]")
                continue
            low = sc.number(value[0], kp + (0,), minimum=0)
            high = sc.number(value[1], kp + (1,), minimum=0)
            if low is None or high is None:
                continue
            if low > high:
                sc.add(kp, f"the range [{low:g}, {high:g}] is reversed", "write [low, high]")
                continue
            weights[pid] = (low, high)
        else:
            number = sc.number(value, kp, minimum=0)
            if number is not None:
                weights[pid] = (number, number)
    for pid in priorities:
        if pid not in raw:
            sc.add(
                ("weights",), f"priority {pid} has no weight", f"give every priority a weight (0 allowed): {pid}: 0.1"
            )
    if weights and len(weights) == len(priorities) and sum((lo + hi) / 2 for lo, hi in weights.values()) <= 0:
        sc.add(("weights",), "the weights are all zero", "give at least one priority a positive weight")
    return weights, True


def _read_policy(raw: dict, priorities: dict[str, Priority], first_year: int, n: int, sc: _Reader):
    policy = Policy()
    kp = ("policy",)
    if "plan_on" in raw:
        value = str(raw["plan_on"]).strip().lower()
        if value not in PLAN_BASES:
            sc.add(kp + ("plan_on",), f"'{raw['plan_on']}' is not a planning basis", "write nominal, expected or risk")
        else:
            policy.plan_on = value
    if "delivery" in raw:
        if sc.keys(raw["delivery"], RAGS, kp + ("delivery",)):
            for rag, value in raw["delivery"].items():
                if rag in RAGS:
                    number = sc.number(value, kp + ("delivery", rag), minimum=0, maximum=1)
                    if number is not None:
                        policy.delivery[rag] = number
    for key, limits in (
        ("slip", {"minimum": 0, "maximum": 1}),
        ("delivery_concentration", {"above": 0}),
        ("reserves_penalty", {"minimum": 0}),
    ):
        if key in raw:
            number = sc.number(raw[key], kp + (key,), **limits)
            if number is not None:
                setattr(policy, key, number)
    if "confidence" in raw:
        low, high = CONFIDENCE_RANGE
        number = sc.number(raw["confidence"], kp + ("confidence",), minimum=low, maximum=high)
        if number is not None:
            policy.confidence = number
    if "risk_draws" in raw:
        low, high = RISK_DRAWS_RANGE
        number = sc.number(raw["risk_draws"], kp + ("risk_draws",), minimum=low, maximum=high)
        if number is not None and number != int(number):
            sc.add(kp + ("risk_draws",), f"{number:g} is not a whole number of draws", "write e.g. risk_draws: 500")
        elif number is not None:
            policy.risk_draws = int(number)
    if "capacity" in raw:
        policy.capacity = sc.per_year(
            raw["capacity"], kp + ("capacity",), n, True, [year_label(first_year + t) for t in range(n)], minimum=0
        )
    if "protect" in raw:
        if not isinstance(raw["protect"], dict):
            sc.add(kp + ("protect",), "must map priorities to a share of their need", "write protect: {P1: 0.9}")
        else:
            for pid, value in raw["protect"].items():
                if pid not in priorities:
                    sc.add(
                        kp + ("protect", pid),
                        f"'{pid}' is not a priority of the plan",
                        "use the priority ids of plan.yaml: " + ", ".join(priorities),
                    )
                else:
                    number = sc.number(value, kp + ("protect", pid), minimum=0, maximum=1)
                    if number is not None:
                        policy.protect[pid] = number
    if "max_equality_impact" in raw:
        value = str(raw["max_equality_impact"]).strip().lower()
        if value not in EQUALITY_LEVELS:
            sc.add(
                kp + ("max_equality_impact",),
                f"'{raw['max_equality_impact']}' is not an impact level",
                "write none, low, medium or high",
            )
        else:
            policy.max_equality_impact = value
    if "adopt" in raw:
        if not isinstance(raw["adopt"], dict):
            sc.add(
                kp + ("adopt",), "must map options to a start year or 'any'", "write adopt: {S40: 2021/22, S38: any}"
            )
        else:
            for oid, value in raw["adopt"].items():
                if str(value).strip().lower() == "any":
                    policy.adopt[str(oid)] = None
                else:
                    index = _year_index(value, first_year, n, sc, kp + ("adopt", oid), "start year")
                    if index is not None:
                        policy.adopt[str(oid)] = index
    if "reject" in raw:
        if not isinstance(raw["reject"], list):
            sc.add(kp + ("reject",), "must be a list of options", "write reject: [S27, S32]")
        else:
            policy.reject = [str(o) for o in raw["reject"]]
    reserves_override = raw.get("reserves") if isinstance(raw.get("reserves"), dict) else {}
    return policy, reserves_override


def _read_funding_changes(changes: dict, first_year: int, n: int, sc: _Reader):
    pct, add = [0.0] * n, [0.0] * n
    for key, target, limits in (("funding_pct", pct, {"above": -100}), ("funding_k", add, {})):
        raw = changes.get(key)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            sc.add(("changes", key), "must map years to values", f"write {key}: {{2022/23: -2.0}}")
            continue
        for label, value in raw.items():
            index = _year_index(label, first_year, n, sc, ("changes", key, label))
            number = sc.number(value, ("changes", key, label), **limits)
            if index is not None and number is not None:
                target[index] = number
    return pct, add


def _parse_pairs(text: str, default: float | None) -> tuple[list[tuple[str, float | None, str]], str | None]:
    """`O1:0.7;O7:0.3` -> [(O1, 0.7, '0.7'), ...]; a bare id takes `default`."""
    pairs = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if ":" in part:
            key, _, value = part.partition(":")
            key, value = key.strip(), value.strip()
            if not key:
                return [], f"'{part}' has no id before the colon"
            try:
                number = float(value)
            except ValueError:
                return [], f"'{value}' in '{part}' is not a number"
            if math.isnan(number) or math.isinf(number):
                return [], f"'{value}' in '{part}' is not a finite number"
            pairs.append((key, number, value))
        else:
            pairs.append((part, default, ""))
    return pairs, None


def _apply_overrides(row: Row, overrides: dict, override_where) -> tuple[dict[str, str], dict[str, tuple]]:
    """The row's values with the scenario's changes applied, and where each changed value came from."""
    values = dict(row.values)
    sources: dict[str, tuple] = {}
    for column, value in overrides.items():
        values[column] = "" if value is None else _csv_text(value)
        sources[column] = override_where(column)
    return values, sources


def _csv_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _RowReader:
    """Reads the fields of one table row, locating each problem in the file or scenario it came from."""

    def __init__(self, row: Row, values: dict[str, str], sources: dict[str, tuple], problems: Problems):
        self.row, self.values, self.sources, self.problems = row, values, sources, problems

    def loc(self, column: str) -> tuple[Path, str, str]:
        if column in self.sources:
            return self.sources[column]
        return self.row.file, self.row.where, column

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def text(self, column: str) -> str:
        """A field of text for people (an id, a name): no control characters."""
        value = self.get(column)
        bad = control_characters(value)
        if bad:
            self.add(column, f"holds a control character ({bad})", CONTROL_FIX)
        return value

    def add(self, column: str, message: str, fix: str = "") -> None:
        file, where, name = self.loc(column)
        self.problems.add(file, where, name, message, fix)

    def number(self, column: str, **limits) -> float | None:
        file, where, name = self.loc(column)
        return parse_number(self.get(column), self.problems, file, where, name, **limits)


def _override_locator(sc: _Reader, kind: str, ident: str):
    def where(column: str):
        file, line = sc.locate(("changes", kind, ident, column))
        return file, line, f"changes.{kind}.{ident}.{column}"

    return where


def _read_activities(
    table, changes: dict, outcomes: dict[str, Outcome], default_growth: float, sc: _Reader, problems: Problems
) -> dict[str, Activity]:
    activities: dict[str, Activity] = {}
    if table is None:
        return activities
    for column in table.columns:
        if column and column not in _ACTIVITY_REQUIRED + _ACTIVITY_OPTIONAL:
            problems.warn(f"{display_path(table.path)}: column '{column}' is not used by mtfs_align")
    growth_changes = changes.get("growth_pct") or {}
    envelope_changes = changes.get("envelope_growth_pct") or {}
    for key, mapping in (("growth_pct", growth_changes), ("envelope_growth_pct", envelope_changes)):
        if not isinstance(mapping, dict):
            sc.add(("changes", key), "must map activities to a percentage", f"write {key}: {{A01: 4.0}}")
    growth_changes = growth_changes if isinstance(growth_changes, dict) else {}
    envelope_changes = envelope_changes if isinstance(envelope_changes, dict) else {}
    seen_ids: set[str] = set()
    look_alikes = _LookAlikes()
    for row in table.rows:
        overrides = {}
        aid = row.get("id")
        if aid in growth_changes:
            overrides["growth_pct"] = growth_changes[aid]
        if aid in envelope_changes:
            overrides["envelope_growth_pct"] = envelope_changes[aid]

        def where(column, aid=aid):
            file, line = sc.locate(("changes", column, aid))
            return file, line, f"changes.{column}.{aid}"

        values, sources = _apply_overrides(row, overrides, where)
        rr = _RowReader(row, values, sources, problems)
        if not aid:
            rr.add("id", "the activity id is blank", "give every activity an id")
            continue
        if aid in activities or aid in seen_ids:
            rr.add("id", f"activity id '{aid}' is used twice", "make activity ids unique")
            continue
        seen_ids.add(aid)
        rr.text("id")
        other = look_alikes.clash(aid)
        if other:
            rr.add("id", look_alike_problem(aid, other), "give distinct ids")
        name = rr.text("name")
        rr.text("directorate")
        if not name:
            rr.add("name", "the name is blank", "give the activity a name")
        shares: dict[str, float] = {}
        text = rr.get("outcomes")
        if text:
            pairs, error = _parse_pairs(text, 1.0)
            if error:
                rr.add("outcomes", error, "write O1 or O1:0.7;O7:0.3")
            for oid, share, _ in pairs:
                if oid not in outcomes:
                    rr.add(
                        "outcomes",
                        f"'{oid}' is not an outcome of the plan",
                        "use outcome ids from plan.yaml" + (f" ({', '.join(list(outcomes)[:12])})" if outcomes else ""),
                    )
                elif oid in shares:
                    rr.add("outcomes", f"outcome {oid} is listed twice", "list each outcome once")
                elif share < 0 or share > 1:
                    rr.add("outcomes", f"the share {share:g} of {oid} is outside 0 to 1", "use shares between 0 and 1")
                else:
                    shares[oid] = share
            if shares and abs(sum(shares.values()) - 1) > 1e-6 and not error:
                rr.add(
                    "outcomes",
                    f"the outcome shares sum to {sum(shares.values()):g}, not 1",
                    "make the shares add up to 1, e.g. O1:0.7;O7:0.3",
                )
        role = rr.get("role").lower()
        if role and role not in ROLES:
            rr.add("role", f"'{role}' is not a role", "write lead, deliver, enable or facilitate (or leave blank)")
        statutory_text = rr.get("statutory").lower()
        statutory = statutory_text in ("true", "yes", "y", "1")
        if statutory_text and statutory_text not in ("true", "false", "yes", "no", "y", "n", "1", "0"):
            rr.add("statutory", f"'{statutory_text}' is not true or false", "write true or false")
        baseline = rr.number("baseline_k", minimum=0, unit=" in £ thousands")
        if rr.get("baseline_k") == "":
            rr.add("baseline_k", "the baseline is blank", "give the first year's spending need in £ thousands")
        growth = rr.number("growth_pct", above=-100, default=default_growth)
        floor = rr.number("floor_share", minimum=0, maximum=1, default=0.0)
        envelope = rr.number("envelope_growth_pct", above=-100, default=None)
        if baseline is None or growth is None or floor is None:
            continue
        activities[aid] = Activity(
            aid, name, rr.get("directorate"), shares, role, statutory, baseline, growth, floor, envelope
        )
    for key, mapping in (("growth_pct", growth_changes), ("envelope_growth_pct", envelope_changes)):
        known = {row.get("id") for row in table.rows}
        for aid in mapping:
            if aid not in known:
                sc.add(("changes", key, aid), f"'{aid}' is not an activity", "use an id from activities.csv")
    return activities


def _row_ids(table) -> set[str] | None:
    return None if table is None else {row.get("id") for row in table.rows if row.get("id")}


def _profile_year(column: str, report) -> int | None:
    """The year (1..) of a savings-by-year column `y<year>_k`, or None. A column that is one but
    wrongly written (Y3_K, y0_k, more than MAX_PROFILE_YEARS years) is reported and gives None."""
    match = _PROFILE_ANY_CASE.match(column)
    if not match:
        return None
    digits = match.group(1)
    year = int(digits) if len(digits) <= 6 else MAX_PROFILE_YEARS + 1
    if year < 1:
        report(f"'{column}' is not a year after the start (years count from y1_k)", "rename it y1_k, y2_k, ...")
        return None
    if year > MAX_PROFILE_YEARS:
        report(
            f"'{column}' is a savings profile longer than {MAX_PROFILE_YEARS} years",
            f"give savings for at most {MAX_PROFILE_YEARS} years after the start (y1_k to y{MAX_PROFILE_YEARS}_k)",
        )
        return None
    if not _PROFILE_COLUMN.match(column):
        report(f"the savings-by-year column '{column}' is not written in lower case", f"write y{year}_k")
        return None
    return year


def _read_options(
    table,
    changes: dict,
    activities: dict[str, Activity],
    activity_ids: set[str] | None,
    outcomes: dict[str, Outcome],
    first_year: int,
    n: int,
    sc: _Reader,
    problems: Problems,
) -> dict[str, Option]:
    options: dict[str, Option] = {}
    if table is None:
        return options
    option_changes = changes.get("options") or {}
    if not isinstance(option_changes, dict):
        sc.add(("changes", "options"), "must map options to field changes", "write options: {S05: {rag: R}}")
        option_changes = {}
    profile_columns = {}
    by_year: dict[int, list[str]] = {}
    for column in table.columns:
        year = _profile_year(column, lambda message, fix, c=column: problems.add(table.path, "line 1", c, message, fix))
        if year is not None:
            profile_columns[column] = year
            by_year.setdefault(year, []).append(column)
        elif column and not _PROFILE_ANY_CASE.match(column) and column not in _OPTION_REQUIRED + _OPTION_OPTIONAL:
            problems.warn(f"{display_path(table.path)}: column '{column}' is not used by mtfs_align")
    for year, columns in by_year.items():
        if len(columns) > 1:
            problems.add(
                table.path,
                "line 1",
                columns[1],
                f"columns {' and '.join(repr(c) for c in columns)} are both the savings of year {year}",
                f"keep one column y{year}_k",
            )
    known_columns = set(_OPTION_REQUIRED + _OPTION_OPTIONAL) - {"id"}
    for oid, fields in option_changes.items():
        if not isinstance(fields, dict):
            sc.add(("changes", "options", oid), "must map option fields to new values", "write S05: {rag: R}")
            continue
        for column in fields:
            kp = ("changes", "options", oid, column)
            year = _profile_year(str(column), lambda message, fix, kp=kp: sc.add(kp, message, fix))
            if year is not None:
                if column not in profile_columns and year in by_year:
                    sc.add(kp, f"options.csv holds year {year} as '{by_year[year][0]}'", f"write {by_year[year][0]}")
                else:
                    profile_columns.setdefault(column, year)
            elif _PROFILE_ANY_CASE.match(str(column)):
                pass  # reported by _profile_year
            elif column not in known_columns:
                sc.add(
                    ("changes", "options", oid, column),
                    f"'{column}' is not a field of options.csv that can change",
                    "use a column name of options.csv, e.g. rag, y1_k, harms",
                )
    length = max(profile_columns.values(), default=0)
    if length == 0 and not any(_PROFILE_ANY_CASE.match(column) for column in table.columns):
        problems.add(
            table.path,
            "line 1",
            "y1_k",
            "no savings-by-year columns",
            "add columns y1_k, y2_k, ... with the savings added in each year after the start",
        )
    type_words = ", ".join(OPTION_TYPES)
    rows_by_id: dict[str, Row] = {}
    links_by_id: dict[str, dict[str, tuple[str, ...]]] = {}
    look_alikes = _LookAlikes()
    for row in table.rows:
        oid = row.get("id")
        overrides = option_changes.get(oid) if isinstance(option_changes.get(oid), dict) else {}
        values, sources = _apply_overrides(row, overrides, _override_locator(sc, "options", oid))
        rr = _RowReader(row, values, sources, problems)
        if not oid:
            rr.add("id", "the option id is blank", "give every option an id")
            continue
        if oid in rows_by_id:
            rr.add("id", f"option id '{oid}' is used twice", "make option ids unique")
            continue
        rows_by_id[oid] = row
        rr.text("id")
        other = look_alikes.clash(oid)
        if other:
            rr.add("id", look_alike_problem(oid, other), "give distinct ids")
        ok = True
        if not rr.text("name"):
            rr.add("name", "the name is blank", "give the option a name")
        activity = rr.get("activity")
        if activity not in activities:
            ok = False
            if activity and (activity_ids is None or activity in activity_ids):
                pass  # activities.csv is unreadable, or the activity's own row has a problem
            elif activity:
                rr.add("activity", f"'{activity}' is not an activity", "use an id from activities.csv")
            else:
                rr.add("activity", "the activity is blank", "name the activity this option changes")
        kind = rr.get("type").lower()
        if kind not in OPTION_TYPES:
            rr.add("type", f"'{rr.get('type')}' is not an option type", f"use one of: {type_words}")
            ok = False
        profile = [0.0] * length
        for column, index in profile_columns.items():
            value = rr.number(column, default=0.0, unit=" in £ thousands")
            if value is None:
                ok = False
            else:
                profile[index - 1] = value
        earliest, latest = 0, n - 1
        window = {}
        for column in ("earliest", "latest"):
            text = rr.get(column)
            if not text:
                continue
            try:
                window[column] = parse_year(text) - first_year
            except ValueError as err:
                rr.add(column, str(err), "write the year as 2021/22, or leave blank for the whole horizon")
                ok = False
        if "earliest" in window and "latest" in window and window["earliest"] > window["latest"]:
            rr.add(
                "earliest",
                f"the window {rr.get('earliest')} to {rr.get('latest')} is reversed",
                "earliest must not be after latest",
            )
            ok = False
        elif "latest" in window and window["latest"] < 0:
            rr.add(
                "latest",
                f"latest start {rr.get('latest')} is before the horizon starts ({year_label(first_year)})",
                "move the window into the horizon or remove the option",
            )
            ok = False
        elif "earliest" in window and window["earliest"] < 0:
            rr.add(
                "earliest",
                f"earliest start {rr.get('earliest')} is before the horizon starts ({year_label(first_year)})",
                f"use {year_label(first_year)} or leave blank",
            )
            ok = False
        earliest = window.get("earliest", 0)
        latest = min(window.get("latest", n - 1), n - 1)
        if earliest > n - 1 and ok:
            problems.warn(
                f"option {oid} cannot start within the horizon (earliest {rr.get('earliest')}), so it is not available"
            )
        one_off = rr.number("one_off_k", minimum=0, default=0.0, unit=" in £ thousands")
        rag = rr.get("rag").upper()
        if rag not in RAGS:
            rr.add("rag", f"'{rr.get('rag')}' is not a RAG rating", "write G, A or R")
            ok = False
        effort = rr.number("effort", minimum=0, default=1.0)
        scores = {}
        for column in ("harms", "benefits"):
            scores[column] = {}
            pairs, error = _parse_pairs(rr.get(column), 1.0)
            if error:
                rr.add(column, error, "write e.g. O2:2;O8:1 with severities from 0 to 5")
                ok = False
            for outcome, severity, _ in pairs:
                if outcome not in outcomes:
                    rr.add(column, f"'{outcome}' is not an outcome of the plan", "use outcome ids from plan.yaml")
                    ok = False
                elif outcome in scores[column]:
                    rr.add(column, f"outcome {outcome} is listed twice", "list each outcome once")
                    ok = False
                elif not 0 <= severity <= 5:
                    rr.add(
                        column, f"severity {severity:g} for {outcome} is outside 0 to 5", "use a severity from 0 to 5"
                    )
                    ok = False
                else:
                    scores[column][outcome] = severity
        links = {}
        for column in ("requires", "excludes"):
            ids = tuple(part.strip() for part in rr.get(column).split(";") if part.strip())
            if oid in ids:
                rr.add(column, f"option {oid} {column} itself", f"remove {oid} from its own {column} list")
                ok = False
            if len(set(ids)) != len(ids):
                rr.add(column, "an option is listed twice", "list each option once")
            links[column] = ids
        links_by_id[oid] = links
        impact = (rr.get("equality_impact") or "none").lower()
        if impact not in EQUALITY_LEVELS:
            rr.add(
                "equality_impact",
                f"'{rr.get('equality_impact')}' is not an impact level",
                "write none, low, medium or high",
            )
            ok = False
        if not ok or one_off is None or effort is None:
            continue
        options[oid] = Option(
            oid,
            rr.get("name"),
            activity,
            kind,
            tuple(profile),
            earliest,
            latest,
            one_off,
            rag,
            effort,
            scores["harms"],
            scores["benefits"],
            links["requires"],
            links["excludes"],
            impact,
        )
    for oid in option_changes:
        if oid not in rows_by_id:
            sc.add(("changes", "options", oid), f"'{oid}' is not an option", "use an id from options.csv")
    for oid, links in links_by_id.items():
        for column in ("requires", "excludes"):
            for other in links[column]:
                if other not in rows_by_id:
                    row = rows_by_id[oid]
                    problems.add(row.file, row.where, column, f"'{other}' is not an option", "use ids from options.csv")
    return options


def _read_plan_mapping(
    raw: object, option_ids: set[str] | None, first_year: int, n: int, sc: _Reader
) -> dict[str, int]:
    plan: dict[str, int] = {}
    if not isinstance(raw, dict):
        sc.add(("plan",), "must map options to start years", "write plan: {S01: 2021/22, S12: 2022/23}")
        return plan
    for oid, label in raw.items():
        kp = ("plan", oid)
        if option_ids is not None and oid not in option_ids:
            sc.add(kp, f"'{oid}' is not an option", "use an id from options.csv")
            continue
        index = _year_index(label, first_year, n, sc, kp, "start year")
        if index is not None:
            plan[oid] = index
    return plan


def _check_policy_references(scenario: Scenario, option_ids: set[str] | None, sc: _Reader) -> None:
    """Options named by the policy exist, and adopt/reject/screening do not contradict each other.

    Runs even when other problems were found (every problem is reported at once); options whose
    own rows have problems are known by id but take no part in the checks between options, and
    nothing is called unknown when options.csv itself could not be read (option_ids None)."""
    options = scenario.options
    policy = scenario.policy
    screened = set(scenario.screened)
    for oid in policy.adopt:
        if option_ids is not None and oid not in option_ids:
            sc.add(("policy", "adopt", oid), f"'{oid}' is not an option", "use an id from options.csv")
    for i, oid in enumerate(policy.reject):
        if option_ids is not None and oid not in option_ids:
            sc.add(("policy", "reject", i), f"'{oid}' is not an option", "use an id from options.csv")
    for oid, start in policy.adopt.items():
        if oid not in options:
            continue
        option = options[oid]
        kp = ("policy", "adopt", oid)
        if oid in policy.reject:
            sc.add(kp, f"option {oid} is both adopted and rejected", "remove it from adopt or from reject")
        if oid in screened:
            sc.add(
                kp,
                f"option {oid} is adopted but its equality impact ({option.equality_impact}) is above "
                f"max_equality_impact ({policy.max_equality_impact})",
                "raise max_equality_impact or do not adopt it",
            )
        if not option.available:
            sc.add(kp, f"option {oid} is adopted but cannot start within the horizon", "do not adopt it")
        elif start is not None and not option.earliest <= start <= option.latest:
            sc.add(
                kp,
                f"option {oid} is adopted from {scenario.years[start]} but may only start from "
                f"{scenario.years[option.earliest]} to {scenario.years[option.latest]}",
                "adopt it within its window, or with 'any'",
            )
        for other in policy.adopt:
            if other > oid and other in options and (other in option.excludes or oid in options[other].excludes):
                sc.add(kp, f"adopted options {oid} and {other} exclude each other", "adopt only one of them")
        for other in option.requires:
            if other in policy.reject:
                sc.add(
                    kp,
                    f"option {oid} is adopted but requires {other}, which is rejected",
                    f"stop rejecting {other} or do not adopt {oid}",
                )
            elif other in screened:
                sc.add(
                    kp,
                    f"option {oid} is adopted but requires {other}, which is screened out by equality impact",
                    f"raise max_equality_impact or do not adopt {oid}",
                )
            elif other in options and not options[other].available:
                sc.add(
                    kp,
                    f"option {oid} is adopted but requires {other}, which cannot start within the horizon",
                    f"do not adopt {oid}",
                )


def _warn_about_fit(scenario: Scenario, problems: Problems) -> None:
    """DESIGN 3.4: options that can never fit their floor, and unprotected statutory services."""
    n = scenario.n_years
    for activity in scenario.activities.values():
        if not activity.outcomes:
            problems.warn(f"activity {activity.id} ({activity.name}) is not aligned to any outcome of the plan")
    for option in scenario.options.values():
        if not option.affects_service or not option.available:
            continue
        activity = scenario.activities[option.activity]
        if activity.statutory and activity.floor_share == 0:
            problems.warn(
                f"option {option.id} cuts the statutory service {activity.id} ({activity.name}), "
                "which has no floor_share"
            )
        levels = cumulative_levels(option.profile_k, n)
        fits = False
        for start in range(option.earliest, option.latest + 1):
            if all(levels[t - start] <= (1 - activity.floor_share) * need(activity, t) + 0.5 for t in range(start, n)):
                fits = True
                break
        if not fits:
            problems.warn(
                f"option {option.id} can never fit: its savings alone would take "
                f"{activity.id} ({activity.name}) below its floor"
            )


def need(activity: Activity, t: int) -> float:
    """Spending need of an activity in year index t (0-based): DESIGN 4.1."""
    return activity.baseline_k * (1 + activity.growth_pct / 100) ** t


def cumulative_levels(profile_k: tuple[float, ...], n: int) -> list[float]:
    """C[j] for j = 0..n-1: the saving in the (j+1)th year after the start (DESIGN 4.3)."""
    levels, total = [], 0.0
    for j in range(n):
        if j < len(profile_k):
            total += profile_k[j]
        levels.append(total)
    return levels
