"""options.csv (DESIGN 3.4): every savings option's profile `y1_k ... yL_k`, start window, RAG,
effort, harms and benefits, dependencies and equality impact, with the scenario's
`changes.options` applied and located where the scenario makes them."""

from __future__ import annotations

import re

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.ids import KnownIds, LookAlikes, look_alike_problem
from mtfs_align.io.tables import Row, Table
from mtfs_align.scenario.objects import Activity, Option, Outcome
from mtfs_align.scenario.reading import KeyReader, RowReader, apply_overrides, override_locator, parse_pairs
from mtfs_align.schema import MAX_PROFILE_YEARS, OPTIONS, SCENARIO
from mtfs_align.years import parse_year, year_label

_PROFILE = OPTIONS["y<year>_k"]
_PROFILE_COLUMN = re.compile(r"^y(\d+)_k$")
_PROFILE_ANY_CASE = re.compile(r"^y(\d+)_k$", re.IGNORECASE | re.ASCII)
_LINKS = ("requires", "excludes")
_USE_ACTIVITY = "use an id from activities.csv"
_CHANGE = SCENARIO["changes.options.<option>"]


def profile_year(column: str, report) -> int | None:
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


def _profile_columns(table: Table, option_changes: dict, sc: KeyReader, problems: Problems) -> dict[str, int]:
    """The savings-by-year columns (of the table, and of the scenario's changes) and their years;
    columns that are not the schema's are noted, and each year may be written one way only."""
    profile_columns: dict[str, int] = {}
    by_year: dict[int, list[str]] = {}
    for column in table.columns:
        year = profile_year(column, lambda message, fix, c=column: problems.add(table.path, "line 1", c, message, fix))
        if year is not None:
            profile_columns[column] = year
            by_year.setdefault(year, []).append(column)
        elif column and not _PROFILE_ANY_CASE.match(column) and column not in OPTIONS:
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
    changeable = set(OPTIONS.columns(required=True) + OPTIONS.columns(required=False)) - {"id"}
    for oid, fields in option_changes.items():
        if not isinstance(fields, dict):
            sc.add(("changes", "options", oid), "must map option fields to new values", _CHANGE.fix)
            continue
        for column in fields:
            kp = ("changes", "options", oid, column)
            year = profile_year(str(column), lambda message, fix, kp=kp: sc.add(kp, message, fix))
            if year is not None:
                if column not in profile_columns and year in by_year:
                    sc.add(kp, f"options.csv holds year {year} as '{by_year[year][0]}'", f"write {by_year[year][0]}")
                else:
                    profile_columns.setdefault(column, year)
            elif _PROFILE_ANY_CASE.match(str(column)):
                pass  # reported by profile_year
            elif column not in changeable:
                sc.add(
                    kp,
                    f"'{column}' is not a field of options.csv that can change",
                    "use a column name of options.csv, e.g. rag, y1_k, harms",
                )
    if not profile_columns and not any(_PROFILE_ANY_CASE.match(column) for column in table.columns):
        problems.add(
            table.path,
            "line 1",
            "y1_k",
            "no savings-by-year columns",
            "add columns y1_k, y2_k, ... with the savings added in each year after the start",
        )
    return profile_columns


def _window(rr: RowReader, oid: str, first_year: int, n: int, problems: Problems, ok: bool) -> tuple[int, int, bool]:
    """The option's start window as year indices (latest clipped to the horizon), and whether the
    row is still valid (`ok`: it was before the window was read)."""
    window = {}
    for column in ("earliest", "latest"):
        text = rr.get(column)
        if not text:
            continue
        try:
            window[column] = parse_year(text) - first_year
        except ValueError as err:
            rr.add(column, str(err), OPTIONS[column].fix)
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
    return earliest, latest, ok


def _scores(rr: RowReader, column: str, outcomes: dict[str, Outcome]) -> dict[str, float] | None:
    """Harms or benefits by outcome (a bare id scores 1); None when any is wrong."""
    field = OPTIONS[column]
    scores: dict[str, float] = {}
    ok = True
    pairs, error = parse_pairs(rr.get(column), 1.0)
    if error:
        rr.add(column, error, field.fix)
        ok = False
    for outcome, severity, _ in pairs:
        if outcome not in outcomes:
            message = f"'{outcome}' is not an outcome of the plan"
            rr.add(column, *KnownIds(outcomes, "plan.yaml").unknown(outcome, message, "use outcome ids from plan.yaml"))
            ok = False
        elif outcome in scores:
            rr.add(column, f"outcome {outcome} is listed twice", "list each outcome once")
            ok = False
        elif not field.minimum <= severity <= field.maximum:
            span = f"{field.minimum:g} to {field.maximum:g}"
            rr.add(column, f"severity {severity:g} for {outcome} is outside {span}", f"use a severity from {span}")
            ok = False
        else:
            scores[outcome] = severity
    return scores if ok else None


def read_options(
    table: Table | None,
    changes: dict,
    activities: dict[str, Activity],
    activity_ids: set[str] | None,
    outcomes: dict[str, Outcome],
    first_year: int,
    n: int,
    sc: KeyReader,
    problems: Problems,
) -> dict[str, Option]:
    options: dict[str, Option] = {}
    if table is None:
        return options
    option_changes = changes.get("options") or {}
    if not isinstance(option_changes, dict):
        sc.add(("changes", "options"), "must map options to field changes", SCENARIO["changes.options"].fix)
        option_changes = {}
    profile_columns = _profile_columns(table, option_changes, sc, problems)
    length = max(profile_columns.values(), default=0)
    rows_by_id: dict[str, Row] = {}
    links_by_id: dict[str, dict[str, tuple[str, ...]]] = {}
    look_alikes = LookAlikes()
    for row in table.rows:
        oid = row.get("id")
        overrides = option_changes.get(oid) if isinstance(option_changes.get(oid), dict) else {}
        values, sources = apply_overrides(row, overrides, override_locator(sc, "options", oid))
        rr = RowReader(row, values, sources, problems)
        if not oid:
            rr.add("id", "the option id is blank", OPTIONS["id"].fix)
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
            rr.add("name", "the name is blank", OPTIONS["name"].fix)
        activity = rr.get("activity")
        if activity not in activities:
            ok = False
            if activity and (activity_ids is None or activity in activity_ids):
                pass  # activities.csv is unreadable, or the activity's own row has a problem
            elif activity:
                known = KnownIds(activity_ids, "activities.csv")
                rr.add("activity", *known.unknown(activity, f"'{activity}' is not an activity", _USE_ACTIVITY))
            else:
                rr.add("activity", "the activity is blank", OPTIONS["activity"].fix)
        kind = rr.choice_of(OPTIONS["type"])
        ok = ok and kind is not None
        profile = [0.0] * length
        for column, index in profile_columns.items():
            value = rr.number(column, default=_PROFILE.default, **_PROFILE.limits)
            if value is None:
                ok = False
            else:
                profile[index - 1] = value
        earliest, latest, ok = _window(rr, oid, first_year, n, problems, ok)
        one_off = rr.number_of(OPTIONS["one_off_k"])
        rag = rr.choice_of(OPTIONS["rag"])
        effort = rr.number_of(OPTIONS["effort"])
        harms, benefits = _scores(rr, "harms", outcomes), _scores(rr, "benefits", outcomes)
        links = {}
        for column in _LINKS:
            ids = tuple(part.strip() for part in rr.get(column).split(";") if part.strip())
            if oid in ids:
                rr.add(column, f"option {oid} {column} itself", f"remove {oid} from its own {column} list")
                ok = False
            if len(set(ids)) != len(ids):
                rr.add(column, "an option is listed twice", "list each option once")
            links[column] = ids
        links_by_id[oid] = links
        impact = rr.choice_of(OPTIONS["equality_impact"]) if rr.get("equality_impact") else "none"
        if not ok or None in (rag, impact, one_off, effort, harms, benefits):
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
            harms,
            benefits,
            links["requires"],
            links["excludes"],
            impact,
        )
    known = KnownIds(rows_by_id, "options.csv")
    for oid in option_changes:
        if oid not in rows_by_id:
            message, fix = known.unknown(oid, f"'{oid}' is not an option", "use an id from options.csv")
            sc.add(("changes", "options", oid), message, fix)
    for oid, links in links_by_id.items():
        for column in _LINKS:
            for other in links[column]:
                if other not in rows_by_id:
                    row = rows_by_id[oid]
                    message, fix = known.unknown(other, f"'{other}' is not an option", "use ids from options.csv")
                    problems.add(row.file, row.where, column, message, fix)
    return options
