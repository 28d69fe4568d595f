"""`load_scenario`: the scenario file and its `extends` chain, then the data folder, read and checked
file by file; every problem of every file is collected and raised once (DESIGN 7), and warnings
(options that can never fit, unaligned activities) are kept on the scenario."""

from __future__ import annotations

from pathlib import Path

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.input_files import resolve_or_problem
from mtfs_align.io.tables import read_csv_table
from mtfs_align.io.yamlio import load_yaml
from mtfs_align.model import cumulative_levels, need
from mtfs_align.scenario.activities import read_activities
from mtfs_align.scenario.chain import Chain, default_slug, load_chain, merge
from mtfs_align.scenario.corporate_plan import read_corporate_plan
from mtfs_align.scenario.decisions import check_policy_references, read_plan_mapping
from mtfs_align.scenario.mtfs import check_changed_funding, read_funding_changes, read_mtfs, resolve_reserves
from mtfs_align.scenario.objects import Scenario
from mtfs_align.scenario.options import read_options
from mtfs_align.scenario.policy import read_policy, read_weights
from mtfs_align.scenario.reading import KeyReader, row_ids
from mtfs_align.schema import (
    ACTIVITIES,
    DATA_FILES,
    MAX_OPTIONS,
    MAX_RISK_PLAN_CELLS,
    MTFS,
    OPTIONS,
    RISK_DRAWS_RANGE,
    SCENARIO,
)
from mtfs_align.years import parse_year


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
    docs = load_chain(resolved, problems, [])
    if docs is None:
        problems.raise_if_any()
    chain = Chain(docs)
    merged: dict = {}
    for doc in docs:
        merged = merge(merged, doc.data)
    sc = KeyReader(problems, chain.where)
    sc.keys(merged, SCENARIO.keys(), ())
    for key in ("policy", "changes"):
        if key in merged:
            sc.keys(merged[key], SCENARIO.keys(key), (key,))
    policy_raw = merged.get("policy") if isinstance(merged.get("policy"), dict) else {}
    if isinstance(policy_raw.get("reserves"), dict):
        sc.keys(policy_raw["reserves"], MTFS.keys("reserves"), ("policy", "reserves"))
    elif policy_raw.get("reserves") is not None:
        sc.add(("policy", "reserves"), "must be a mapping", SCENARIO["policy.reserves"].fix)

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

    inputs = [Path(d.path) for d in docs]
    corporate_plan_doc, mtfs_doc, activities_table, options_table = _read_data_folder(data_dir, problems, inputs)
    council, priorities, outcomes = read_corporate_plan(corporate_plan_doc, problems)
    mtfs = read_mtfs(mtfs_doc, problems)
    if mtfs is None or corporate_plan_doc is None:
        # The options and the policy refer to the years, and every table to the corporate plan's ids:
        # without them those checks would only add noise. The activities need only the corporate plan, so
        # with it readable they are still checked (every problem at once, DESIGN 7).
        if corporate_plan_doc is not None:
            changes = merged.get("changes") if isinstance(merged.get("changes"), dict) else {}
            read_weights(merged.get("weights"), priorities, sc)
            read_activities(activities_table, changes, outcomes, 0.0, sc, problems)
        # How a year is written needs no horizon: every malformed year label is reported in this
        # run, not after the horizon is mended.
        _check_year_spellings(options_table, merged, sc)
        problems.raise_if_any()
    years, first_year, funding_k, pressures, default_growth, reserves_raw = mtfs
    n = len(years)

    weights, weights_given = read_weights(merged.get("weights"), priorities, sc)
    policy, reserves_override = read_policy(policy_raw, priorities, first_year, n, sc)
    reserves = resolve_reserves(reserves_raw, reserves_override, years, mtfs_doc, chain, problems)
    changes = merged.get("changes") if isinstance(merged.get("changes"), dict) else {}
    funding_pct, funding_change_k = read_funding_changes(changes, first_year, n, sc)
    check_changed_funding(funding_k, funding_pct, funding_change_k, years, changes, sc)

    if _too_large_to_plan(options_table, years, policy, problems):
        problems.raise_if_any()  # before the options are read into arrays of their size
    activities = read_activities(activities_table, changes, outcomes, default_growth, sc, problems)
    activity_ids = row_ids(activities_table)
    options = read_options(options_table, changes, activities, activity_ids, outcomes, first_year, n, sc, problems)
    # Ids in options.csv, valid or not: a reference to an option whose row has a problem of its
    # own is not also reported as unknown. None when the table could not be read at all.
    option_ids = row_ids(options_table)

    plan = None
    if merged.get("plan") is not None:
        plan = read_plan_mapping(merged["plan"], option_ids, first_year, n, sc)

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
    check_policy_references(scenario, option_ids, sc)
    problems.raise_if_any()
    _warn_about_fit(scenario, problems)
    scenario.warnings = problems.warnings
    return scenario


def _too_large_to_plan(options_table, years: list, policy, problems: Problems) -> bool:
    """Refuse a council whose optimisation could not be built in the memory of an ordinary machine
    (plan_size_problem), from the number of option rows and the horizon alone, before the options
    are read. True when it is refused."""
    if options_table is None or not options_table.rows:
        return False
    draws = policy.risk_draws if policy is not None and policy.plan_on == "risk" else None
    found = plan_size_problem(len(options_table.rows), len(years), draws)
    if found is not None:
        problems.add(options_table.path, "", "", *found)
    return found is not None


def plan_size_problem(count: int, n: int, draws: int | None = None) -> tuple[str, str] | None:
    """(what is wrong, the fix) when `count` options over `n` years (planned against `draws`
    simulated futures, for plan_on: risk or a confidence frontier) are more than the optimiser can
    build: schema.MAX_OPTIONS, MAX_RISK_PLAN_CELLS. None when they are not."""
    cells = count * n * n
    what = f"{count:,} savings options over {n} years"
    if count > MAX_OPTIONS:
        return (
            f"{count:,} savings options are more than the optimiser can plan at once (at most {MAX_OPTIONS:,})",
            "leave out the options already decided or rejected, or split them into scenarios by directorate",
        )
    if draws is not None and cells * draws > MAX_RISK_PLAN_CELLS:
        fewest = MAX_RISK_PLAN_CELLS // cells
        return (
            f"{what}, planned against {draws:,} simulated futures, are more than the optimiser can plan "
            f"at once: {cells * draws:,} combinations, above the limit of {MAX_RISK_PLAN_CELLS:,}",
            f"plan at most {MAX_RISK_PLAN_CELLS // (n * n * draws):,} options against {draws:,} futures"
            + (f", or give policy.risk_draws of at most {fewest:,}" if fewest >= RISK_DRAWS_RANGE[0] else ""),
        )
    return None


def _read_data_folder(data_dir: Path, problems: Problems, inputs: list[Path]):
    """plan.yaml and mtfs.yaml as YAML documents, and the activities and options tables: from the
    folder's one workbook when it has one and no CSV tables, else from the CSV files. The files read
    are added to `inputs` (for the manifest's checksums)."""
    from mtfs_align.io.workbook_in import find_workbook  # Excel input is optional

    workbook = find_workbook(data_dir, problems)
    corporate_plan_doc = load_yaml(data_dir / "plan.yaml", problems, "corporate plan")
    mtfs_doc = load_yaml(data_dir / "mtfs.yaml", problems, "MTFS")
    activity_columns, option_columns = ACTIVITIES.columns(required=True), OPTIONS.columns(required=True)
    if workbook is not None:
        from mtfs_align.io.workbook_in import read_workbook_tables

        activities_table, options_table = read_workbook_tables(workbook, problems, activity_columns, option_columns)
        inputs += [data_dir / "plan.yaml", data_dir / "mtfs.yaml", workbook]
    else:
        activities_table = read_csv_table(data_dir / "activities.csv", problems, "activities", activity_columns)
        options_table = read_csv_table(data_dir / "options.csv", problems, "savings options", option_columns)
        inputs += [data_dir / name for name in DATA_FILES]
    return corporate_plan_doc, mtfs_doc, activities_table, options_table


def _check_year_spellings(options_table, merged: dict, sc: KeyReader) -> None:
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
            if all(
                levels[t - start]
                <= (1 - activity.floor_share) * need(activity.baseline_k, activity.growth_pct, t) + 0.5
                for t in range(start, n)
            ):
                fits = True
                break
        if not fits:
            problems.warn(
                f"option {option.id} can never fit: its savings alone would take "
                f"{activity.id} ({activity.name}) below its floor"
            )
