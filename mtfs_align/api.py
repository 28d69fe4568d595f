"""The Python API: one function per command, each returning the results in memory (RunResults) and
writing an output folder only when given one (`out=`). The command line is a thin layer over
these; errors are the exceptions of mtfs_align.errors, carrying the located problems it prints.

    import mtfs_align
    results = mtfs_align.check("scenarios/proposal.yaml")
    results.budget            # budget.csv as a DataFrame
"""

from __future__ import annotations

import time
from pathlib import Path

from mtfs_align import defaults
from mtfs_align.batch import batch  # many scenarios' runs (DESIGN 6 `batch`), defined with its folder rules
from mtfs_align.errors import InputError, Problem, display_path
from mtfs_align.pipeline import check_confidence_frontier_size, check_folder, run_scenario, scenario_from
from mtfs_align.progress import SILENT, Reporter
from mtfs_align.report.tables import manifest, solution_fields
from mtfs_align.results import RunResults, read_results
from mtfs_align.scenario import Scenario, load_scenario
from mtfs_align.settings import Settings, check_settings, raise_problems, setting_problems, settings_for


def optimise_model(model, solver, reporter: Reporter, seed: int = defaults.SEED):
    """The optimiser, saying what it does and how long it took."""
    from mtfs_align.optimise import optimise as solve_plan

    policy = model.scenario.policy
    if policy.plan_on == "risk":
        reporter.say(
            f"Planning {len(model.option_ids)} options over {model.n} years for delivery risk with "
            f"{solver.solver}: {policy.risk_draws:,} simulated futures at {policy.confidence:.0%} "
            "confidence; first the coming year's savings still to be found in a bad year, then the "
            "horizon's, then outcome harm...",
        )
    else:
        reporter.say(
            f"Optimising {len(model.option_ids)} options over {model.n} years with {solver.solver}: "
            f"first the coming year's balance, then the horizon's, then outcome harm...",
        )
    solution = solve_plan(model, solver, seed=seed)
    reporter.say(f"Solved in {solution.build_seconds + solution.solve_seconds:.1f} s.")
    return solution


def _evaluated(command: str, ev, settings: Settings | None, **objects) -> RunResults:
    results = RunResults(command, settings=settings, exit_code=ev.exit_code, evaluation=ev, **objects)
    results.scenario = ev.model.scenario
    results.add_evaluation(ev)
    return results


# ---------------------------------------------------------------------------- the commands


def check(
    scenario: Scenario | Path | str,
    plan: Path | str | dict[str, int] | None = None,
    *,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
) -> RunResults:
    """Evaluate a plan year by year (DESIGN 4.3): the scenario's `plan`, or `plan` (a plan file
    such as plan.csv, or a dict of option -> start year index). With no plan at all, the MTFS
    with no savings (the gap before savings)."""
    from mtfs_align.evaluate import evaluate
    from mtfs_align.io.plan_file import read_plan_file
    from mtfs_align.model import build_model

    started = time.perf_counter()
    sc = scenario_from(scenario, reporter)
    extra_inputs, plan_file = [], None
    if isinstance(plan, (str, Path)):
        plan_file = Path(plan)
        chosen = read_plan_file(plan_file, sc)
        extra_inputs.append(plan_file)
    elif plan is not None:
        chosen = dict(plan)
    elif sc.plan is not None:
        chosen = sc.plan
    else:  # no plan is not bad input: check the MTFS with no savings, i.e. the gap before savings
        chosen = {}
        reporter.note(
            "the scenario has no plan, so the budget is checked with no savings "
            "options (the gap before savings); add plan: {S01: 2021/22, ...} to the "
            "scenario or give --plan plan.csv"
        )
    check_folder(out, [sc], extra_inputs)
    ev = evaluate(build_model(sc), chosen)
    results = _evaluated("check", ev, None)
    results.analyses["plan_source"] = (
        f"Plan from {display_path(plan_file)}"
        if plan_file
        else "Plan from the scenario"
        if plan is None and sc.plan is not None
        else "No plan"
        if plan is None
        else "Plan given"
    )
    results.set_manifest(manifest("check", ev, sc.inputs + extra_inputs, started))
    return _written(results, out)


def optimise(
    scenario: Scenario | Path | str,
    settings: Settings | None = None,
    *,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """The least-harm plan that best balances every year (DESIGN 4.4); with `plan_on: risk`, the
    plan that leaves least to find in a bad year, checked on `draws` fresh draws."""
    from mtfs_align.evaluate import evaluate
    from mtfs_align.model import build_model

    started = time.perf_counter()
    settings = settings_for(settings, **changes)
    check_settings("optimise", settings)
    sc = scenario_from(scenario, reporter)
    solver = settings.solver_settings(started)
    check_folder(out, [sc])
    model = build_model(sc)
    solution = optimise_model(model, solver, reporter, settings.seed)
    ev = evaluate(model, solution.plan)
    risk_fields: dict = {}
    results = _evaluated("optimise", ev, settings, solution=solution)
    if solution.risk is not None:
        from mtfs_align.analysis import risk_check

        with reporter.bar(settings.draws, "Checking the plan on fresh draws") as advance:
            checked = risk_check.check_out_of_sample(
                model, solution.plan, solution.risk, settings.draws, settings.seed, progress=advance
            )
        risk_fields = {"risk_planning": checked.manifest_fields(model.years), "confidence": checked.confidence}
        results.analyses["risk_check"] = checked
    fields = dict(plan_status=ev.status, seed=settings.seed, **risk_fields, **solution_fields(solution))
    results.set_manifest(manifest("optimise", ev, sc.inputs, started, **fields))
    return _written(results, out)


def plan_to_analyse(sc: Scenario, model, plan, settings: Settings, reporter: Reporter, started: float | None = None):
    """`plan` (a plan file or a dict), else the scenario's plan, else the optimised plan; with
    where it came from, in words, and the optimiser's solution if it ran."""
    from mtfs_align.io.plan_file import read_plan_file

    if isinstance(plan, (str, Path)):
        return read_plan_file(Path(plan), sc), f"plan from {display_path(plan)}", None
    if plan is not None:
        return dict(plan), "the plan given", None
    if sc.plan is not None:
        return sc.plan, "the scenario's plan", None
    solution = optimise_model(model, settings.solver_settings(started), reporter)
    return solution.plan, "the optimised plan", solution


def risk(
    scenario: Scenario | Path | str,
    plan: Path | str | dict[str, int] | None = None,
    settings: Settings | None = None,
    *,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """Delivery risk of a plan (DESIGN 4.5): late starts and part-delivery over `draws` draws."""
    from mtfs_align.analysis import risk as delivery_risk
    from mtfs_align.evaluate import evaluate
    from mtfs_align.model import build_model

    started = time.perf_counter()
    settings = settings_for(settings, **changes)
    check_settings("risk", settings)
    sc = scenario_from(scenario, reporter)
    extra = [Path(plan)] if isinstance(plan, (str, Path)) else []
    check_folder(out, [sc], extra)
    model = build_model(sc)
    chosen, which, solution = plan_to_analyse(sc, model, plan, settings, reporter, started)
    ev = evaluate(model, chosen)
    with reporter.bar(settings.draws, "Simulating delivery") as advance:
        result = delivery_risk.simulate(model, chosen, draws=settings.draws, seed=settings.seed, progress=advance)
    fields = result.manifest_fields()
    if solution is not None:
        fields.update(solution_fields(solution))
        fields["status"] = ev.status
    results = _evaluated("risk", ev, settings, solution=solution)
    results.analyses.update(risk=result, plan_source=which)
    results.add_table("risk", result.table)
    results.add_table("resilience", result.resilience)
    results.set_manifest(manifest("risk", ev, sc.inputs + extra, started, plan_source=which, **fields))
    return _written(results, out)


def compared_scenarios(scenarios, settings: Settings, reporter: Reporter = SILENT) -> list[Scenario]:
    """The scenarios to compare, loaded: bad settings, fewer than two scenarios and every problem
    of every file are reported together (exit 2)."""
    problems = setting_problems("compare", settings)
    if len(scenarios) < 2:
        problems.insert(
            0,
            Problem(
                "",
                "",
                "SCENARIOS",
                "compare needs at least two scenario files",
                "e.g. mtfs-align compare scenarios/central.yaml scenarios/funding_shock.yaml",
            ),
        )
    raise_problems(problems)
    loaded = []
    for given in scenarios:
        try:
            loaded.append(given if isinstance(given, Scenario) else load_scenario(given))
        except InputError as err:
            problems += err.problems
    raise_problems(problems)
    for given, sc in zip(scenarios, loaded, strict=True):
        if not isinstance(given, Scenario):
            for text in sc.warnings:
                reporter.note(text)
    return loaded


def compare_folder(scenarios: list[Scenario]) -> Path:
    """outputs/compare_<slug>_<slug>/."""
    return Path("outputs") / ("compare_" + "_".join(sc.slug for sc in scenarios))


def compare(
    *scenarios: Scenario | Path | str,
    settings: Settings | None = None,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """Two or more scenarios side by side: gap, savings, reserves, harm and the options that
    differ. Each scenario's own plan is used, or its optimised plan when it has none."""
    from mtfs_align.analysis import compare as comparison
    from mtfs_align.evaluate import evaluate
    from mtfs_align.model import build_model

    started = time.perf_counter()
    settings = settings_for(settings, **changes)
    loaded = compared_scenarios(scenarios, settings, reporter)
    check_folder(out, loaded)
    evaluations, solved = [], {}
    for sc in loaded:
        model = build_model(sc)
        if sc.plan is not None:
            plan = sc.plan
        else:
            reporter.say(f"{sc.slug}: no plan in the scenario, so its optimised plan is compared.")
            solution = optimise_model(model, settings.solver_settings(started), reporter)
            plan = solution.plan
            solved = {"solver": solution.solver, "mip_gap": solution.mip_gap}
        evaluations.append((sc.slug, evaluate(model, plan)))
    result = comparison.compare(evaluations)
    summary = [
        {
            "scenario": label,
            "file": display_path(ev.model.scenario.path),
            "status": ev.status,
            "harm": round(ev.harm, 9),
            "unidentified_k": round(ev.unidentified_k, 3),
            "reserves_draw_k": round(ev.reserves_draw_k, 3),
        }
        for label, ev in zip(result.labels, result.evaluations, strict=True)
    ]
    exit_code = max(ev.exit_code for _, ev in evaluations)
    results = RunResults("compare", settings=settings, exit_code=exit_code, analyses={"compare": result})
    results.add_table("compare", result.table)
    results.add_table("compare_options", result.options)
    inputs = [p for sc in loaded for p in sc.inputs]
    results.set_manifest(manifest("compare", evaluations[0][1], inputs, started, scenarios=summary, **solved))
    return _written(results, out)


def frontier(
    scenario: Scenario | Path | str,
    settings: Settings | None = None,
    *,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """The trade-off frontier (DESIGN 4.5): the optimum re-solved as the gap (or the reserves, or
    the confidence planned for) is scaled; with a proposal, its B and C plans too."""
    from mtfs_align.analysis import frontier as trade_off
    from mtfs_align.analysis import proposal as against_optimum
    from mtfs_align.analysis.alternatives import alternatives, plan_tables
    from mtfs_align.io.outputs import money_json
    from mtfs_align.model import build_model

    started = time.perf_counter()
    settings = settings_for(settings, **changes)
    check_settings("frontier", settings)
    sc = scenario_from(scenario, reporter)
    solver = settings.solver_settings(started)
    check_folder(out, [sc])
    check_confidence_frontier_size(sc, settings)
    model = build_model(sc)
    vary, points, (start, stop) = settings.vary, settings.points, settings.frontier_range()
    if vary == "confidence":
        reporter.say(
            f"Re-planning {len(model.option_ids)} options for delivery risk at {points} confidences, "
            f"from {start:.0%} to {stop:.0%}, over {sc.policy.risk_draws:,} simulated futures...",
        )
    else:
        reporter.say(
            f"Re-optimising {len(model.option_ids)} options at {points} scales of the "
            f"{'gap' if vary == 'gap' else 'reserves available'}, from {start:g}x to {stop:g}x...",
        )
    with reporter.bar(points, "Frontier points") as advance:
        result = trade_off.frontier(
            model, solver, vary, start, stop, points, progress=advance, seed=settings.seed, **settings.parallel()
        )
    ev = result.current.evaluation
    compared = None
    if sc.plan is not None:
        reporter.say("Comparing the proposed plan with the optimum...")
        same_model = result.current.evaluation.model.scenario.policy.plan_on == sc.policy.plan_on
        compared = against_optimum.compare_proposal(model, solver, sp=result.problem if same_model else None)
    fields = {
        "solver": result.solver,
        "mip_gap": result.mip_gap,
        "status": result.status,
        "plan_status": ev.status,
        "seed": settings.seed,
        "confidence": sc.policy.confidence,
        "frontier": {
            "vary": vary,
            "from": start,
            "to": stop,
            "points": points,
            "solves": result.solves,
            "balance_stages_skipped": result.skipped_balance_stages,
            "build_seconds": round(result.build_seconds, 3),
            "solve_seconds": round(result.solve_seconds, 3),
        },
    }
    if compared is not None:
        fields["proposal"] = {
            "status": compared.status,
            "proposal_harm": round(compared.proposal.harm, 9),
            "least_harm_for_savings": None if compared.least_harm is None else round(compared.least_harm.harm, 9),
            "extra_savings_k": None if compared.extra_savings_k is None else money_json(compared.extra_savings_k),
        }
    results = RunResults("frontier", settings=settings, exit_code=ev.exit_code, scenario=sc, evaluation=ev)
    results.analyses.update(frontier=result, proposal=compared)
    results.add_table("frontier", result.table)
    if compared is not None:
        results.add_table("proposal", compared.table)
    for name, table in plan_tables(alternatives(result, compared)).items():  # DESIGN 5: plans/
        results.add_table(name, table)
    results.set_manifest(manifest("frontier", ev, sc.inputs, started, **fields))
    return _written(results, out)


def robust(
    scenario: Scenario | Path | str,
    settings: Settings | None = None,
    *,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """Which options are chosen whatever the exact priority weights: each option's core index
    over `samples` re-optimisations with sampled weights."""
    from mtfs_align.analysis import robust as robustness
    from mtfs_align.model import build_model

    started = time.perf_counter()
    settings = settings_for(settings, **changes)
    check_settings("robust", settings)
    sc = scenario_from(scenario, reporter)
    solver = settings.solver_settings(started)
    check_folder(out, [sc])
    model = build_model(sc)
    reporter.say(
        f"Re-optimising {len(model.option_ids)} options under {settings.samples} samples of the priority weights..."
    )
    with reporter.bar(settings.samples, "Weight samples") as advance:
        result = robustness.robust(
            sc,
            solver,
            samples=settings.samples,
            seed=settings.seed,
            concentration=settings.concentration,
            progress=advance,
            model=model,
            **settings.parallel(),
        )
    ev = result.optimum
    fields = {
        "solver": result.solver,
        "mip_gap": result.mip_gap,
        "status": result.status,
        "plan_status": ev.status,
        "seed": settings.seed,
        "robust": {
            "samples": settings.samples,
            "sampling": result.sampling,
            "concentration": settings.concentration if result.sampling == "dirichlet" else None,
            **result.counts(),
        },
    }
    results = RunResults("robust", settings=settings, exit_code=ev.exit_code, analyses={"robust": result})
    results.scenario, results.evaluation = sc, ev
    results.add_table("core_index", result.table)
    results.set_manifest(manifest("robust", ev, sc.inputs, started, **fields))
    return _written(results, out)


def run(
    scenario: Scenario | Path | str,
    settings: Settings | None = None,
    *,
    out: Path | str | None = None,
    reporter: Reporter = SILENT,
    **changes,
) -> RunResults:
    """Everything (DESIGN 6 `run`): optimise, the proposal against the optimum, the frontier,
    delivery risk, robustness; with `out`, also the charts, results.xlsx and the briefing."""
    return run_scenario(scenario, settings_for(settings, **changes), out=out, reporter=reporter)


def brief(folder: Path | str, *, reporter: Reporter = SILENT) -> RunResults:
    """Rebuild the charts and the Cabinet briefing of an output folder (written by run, check or
    optimise) from its tables, replacing the folder whole; returns the results it read."""
    from mtfs_align.io.outputs import replace_problem
    from mtfs_align.pipeline import rebrief

    folder = Path(folder)
    results = read_results(folder)
    refused = replace_problem(folder.resolve())
    if refused is not None:
        raise InputError([Problem("--out", "", "", *refused)])
    rebrief(results, folder)
    return results


def _written(results: RunResults, out: Path | str | None) -> RunResults:
    """Write the results' files into `out` (the last step), or nothing when `out` is None."""
    if out is not None:
        from mtfs_align.pipeline import render_extra

        results.write(Path(out), render_extra(results))
    return results


__all__ = [
    "Settings",
    "batch",
    "brief",
    "check",
    "compare",
    "frontier",
    "load_scenario",
    "optimise",
    "risk",
    "robust",
    "run",
]
