"""`run`: every analysis of one scenario into one results object (DESIGN 5, 6), then, last, the
report stage and the files.

Order: optimise (the plan the folder describes), the proposal against the optimum (when the
scenario has a plan), the frontier, delivery risk of the optimised plan, robustness to weights.
`write_run` then draws the charts, builds the workbook and the briefing from the results and
writes everything into the output folder at once.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from mtfs_align.errors import InputError, Problem
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise
from mtfs_align.progress import SILENT, Reporter
from mtfs_align.report.tables import manifest
from mtfs_align.results import RunResults
from mtfs_align.scenario import Scenario, load_scenario
from mtfs_align.settings import Settings, check_settings


class _Laps:
    """Seconds per stage, for the manifest's `timings`."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self.clock, 3)
        self.clock = now


def scenario_from(scenario: Scenario | Path | str, reporter: Reporter = SILENT) -> Scenario:
    """A scenario as given, or loaded from its file (its warnings passed on as notes)."""
    if isinstance(scenario, Scenario):
        return scenario
    loaded = load_scenario(scenario)
    for text in loaded.warnings:
        reporter.note(text)
    return loaded


def default_folder(scenario: Scenario, command: str) -> Path:
    """outputs/<scenario>/<command>/: one command never replaces another's results."""
    return Path("outputs") / scenario.slug / command


def check_folder(out: Path | None, scenarios: list[Scenario], extra_inputs: list[Path] = ()) -> None:
    """Refuse an output folder the results may not be written to, before any work is done."""
    if out is None:
        return
    from mtfs_align.io.outputs import check_output_location

    forbidden = [p for sc in scenarios for p in (sc.data_dir, sc.path.resolve().parent)]
    check_output_location(Path(out), forbidden, [p for sc in scenarios for p in sc.inputs] + list(extra_inputs))


def check_confidence_frontier_size(sc: Scenario, settings: Settings) -> None:
    """`--vary confidence` plans for delivery risk whatever the scenario's plan_on: a council too
    large to plan against its risk_draws is refused before the model is built (as loading does for
    plan_on: risk)."""
    from mtfs_align.scenario.loader import plan_size_problem

    if settings.vary != "confidence" or sc.policy.plan_on == "risk":
        return
    too_large = plan_size_problem(len(sc.options), len(sc.years), sc.policy.risk_draws)
    if too_large is not None:
        raise InputError([Problem("", "", "--vary confidence", *too_large)])


def run_scenario(
    scenario: Scenario | Path | str, settings: Settings, *, out: Path | str | None = None, reporter: Reporter = SILENT
) -> RunResults:
    """`run` on one scenario (the API's `run` and each of a batch's scenarios): the analyses, then,
    with `out`, the files written as the last step."""
    started = time.perf_counter()
    check_settings("run", settings)
    sc = scenario_from(scenario, reporter)
    solver = settings.solver_settings(started)
    check_folder(out, [sc])
    check_confidence_frontier_size(sc, settings)
    results = run_analyses(sc, settings, solver, reporter, started)
    if out is not None:
        write_run(results, Path(out), reporter, started)
    return results


def run_analyses(scenario: Scenario, settings, solver, reporter: Reporter, started: float) -> RunResults:
    """Every analysis of `run`, in memory: the tables of DESIGN 5 and the manifest."""
    from mtfs_align.analysis import frontier as frontier_analysis
    from mtfs_align.analysis import proposal as proposal_analysis
    from mtfs_align.analysis import risk as risk_analysis
    from mtfs_align.analysis import robust as robust_analysis
    from mtfs_align.analysis.alternatives import activities_table, alternatives, plan_tables
    from mtfs_align.report.tables import kpi_table
    from mtfs_align.report.workbook import scenario_assumptions

    lap = _Laps()
    model = build_model(scenario)
    lap("validate")
    planning_for_risk = scenario.policy.plan_on == "risk"
    reporter.say("Planning the savings for delivery risk..." if planning_for_risk else "Optimising the savings plan...")
    solution = optimise(model, solver, seed=settings.seed)
    ev = evaluate(model, solution.plan)
    results = RunResults("run", settings=settings, exit_code=ev.exit_code, scenario=scenario, evaluation=ev)
    results.solution = solution
    results.add_evaluation(ev)
    lap("optimise")
    extra: dict = {}
    deterministic = None
    if planning_for_risk:
        # DESIGN 4.6: the deterministic optimum beside the risk-planned one (what certainty costs)
        from mtfs_align.optimise import prepare, solve

        deterministic = solve(prepare(model), solver)
        deterministic_ev = evaluate(model, deterministic.plan)
        extra["deterministic_optimum"] = {
            "harm": round(deterministic_ev.harm, 9),
            "unidentified_k": round(deterministic_ev.unidentified_k, 3),
            "options_adopted": len(deterministic.plan),
        }
        lap("deterministic")

    if scenario.plan is not None:
        reporter.say("Comparing the proposed plan with the optimum...")
        compared = proposal_analysis.compare_proposal(model, solver)
        results.add_table("proposal", compared.table)
        results.add_evaluation(compared.proposal, "proposal/")
        results.analyses["proposal"] = compared
        extra["proposal"] = {
            "harm": round(compared.proposal.harm, 9),
            "unidentified_k": round(compared.proposal.unidentified_k, 3),
            "status": compared.proposal.status,
        }
        lap("proposal")

    start, stop = settings.frontier_range()
    with reporter.bar(settings.points, f"Frontier ({settings.vary})") as advance:
        front = frontier_analysis.frontier(
            model,
            solver,
            vary=settings.vary,
            start=start,
            stop=stop,
            points=settings.points,
            progress=advance,
            seed=settings.seed,
            **settings.parallel(),
        )
    results.add_table("frontier", front.table)
    results.analyses["frontier"] = front
    found = alternatives(front, results.analyses.get("proposal"))
    for name, table in plan_tables(found).items():
        results.add_table(name, table)
    results.add_table("plans_activities", activities_table(found))
    lap("frontier")

    with reporter.bar(settings.draws, "Simulating delivery") as advance:
        if solution.risk is not None:  # the out-of-sample check of DESIGN 4.6 is this Monte Carlo
            from mtfs_align.analysis import risk_check

            checked = risk_check.check_out_of_sample(
                model, solution.plan, solution.risk, settings.draws, settings.seed, progress=advance
            )
            risk = checked.risk
            extra["risk_planning"] = checked.manifest_fields(model.years)
            results.analyses["risk_check"] = checked
            if deterministic is not None:
                results.analyses["certainty"] = _certainty(
                    model, extra["deterministic_optimum"], ev, deterministic.plan, settings, checked.fresh.cvar_k
                )
        else:
            risk = risk_analysis.simulate(
                model, solution.plan, draws=settings.draws, seed=settings.seed, progress=advance
            )
    results.add_table("risk", risk.table)
    results.add_table("resilience", risk.resilience)
    results.analyses["risk"] = risk
    lap("risk")

    with reporter.bar(settings.samples, "Sampling priority weights") as advance:
        robust = robust_analysis.robust(
            scenario,
            solver,
            samples=settings.samples,
            seed=settings.seed,
            concentration=settings.concentration,
            progress=advance,
            model=model,
            **settings.parallel(),
        )
    results.add_table("core_index", robust.table)
    results.analyses["robust"] = robust
    lap("robust")

    results.add_table("kpis", kpi_table(scenario))
    data = manifest(
        "run",
        ev,
        scenario.inputs,
        started,
        plan_status=ev.status,
        solver=solution.solver,
        mip_gap=solution.mip_gap,
        solver_gap=solution.reported_gap,
        seed=settings.seed,
        draws=settings.draws,
        samples=settings.samples,
        frontier={
            "vary": settings.vary,
            "from": front.points[0].scale,
            "to": front.points[-1].scale,
            "points": settings.points,
        },
        concentration=robust.concentration if robust.sampling == "dirichlet" else None,
        p_balanced_all_years=risk.p_balanced_all_years,
        confidence=risk.confidence,
        assumptions=scenario_assumptions(scenario),
        date=dt.date.today().isoformat(),
        **extra,
    )
    data["status"] = solution.status
    results.set_manifest(data)
    results.analyses["laps"] = lap
    return results


def _certainty(model, deterministic: dict, ev, deterministic_plan: dict[str, int], settings, planned_cvar_k) -> dict:
    """What certainty costs: the deterministic optimum beside the risk-planned one, both run through
    the same fresh draws (DESIGN 4.6); records the deterministic plan's bad-year figures."""
    from mtfs_align.analysis import risk as risk_analysis
    from mtfs_align.analysis.risk_check import tail_figures

    p = model.scenario.policy.confidence
    fresh = tail_figures(
        risk_analysis.simulate(model, deterministic_plan, draws=settings.draws, seed=settings.seed).unidentified, p
    )
    deterministic["cvar_k"] = {y: round(float(v), 3) for y, v in zip(model.years, fresh.cvar_k, strict=True)}
    return {
        "deterministic_harm": deterministic["harm"],
        "harm": ev.harm,
        "deterministic_cvar_k": list(fresh.cvar_k),
        "cvar_k": list(planned_cvar_k),
        "years": model.years,
        "confidence": p,
    }


def report_files(results: RunResults, lap=None) -> dict[str, bytes]:
    """The report stage, from the results alone: every chart (PNG and SVG), and the briefing drawn
    from the same figures (briefing.pdf, briefing.html), as files by their name in the folder."""
    from mtfs_align.report.briefing import briefing_files
    from mtfs_align.report.charts import build_charts
    from mtfs_align.report.charts.style import chart_files

    figures = build_charts(results)
    files: dict[str, bytes] = {}
    for name, figure in figures.items():
        files.update(chart_files(figure, name))
    pngs = {name: files[f"charts/{name}.png"] for name in figures}
    results.analyses["charts"] = list(figures)
    if lap is not None:
        lap("charts")
    files |= briefing_files(results, figures, pngs)
    if lap is not None:
        lap("briefing")
    return files


def write_run(results: RunResults, target: Path, reporter: Reporter, started: float) -> Path:
    """The report stage of `run` (charts, workbook, briefing, from the results), then every file."""
    from mtfs_align.io.outputs import OutputFolder
    from mtfs_align.report.workbook import WORKBOOK_NAME, workbook_bytes

    lap = results.analyses["laps"]
    data = dict(results.manifest)
    reporter.say("Drawing charts, writing the workbook and the briefing...")
    files = report_files(results, lap)
    files[WORKBOOK_NAME] = workbook_bytes(results)
    lap("workbook")
    with OutputFolder(target) as folder:
        results.write_tables(folder)
        for name, content in files.items():
            path = folder.path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        data["timings"] = lap.timings
        data["seconds"] = round(time.perf_counter() - started, 3)
        data["outputs"] = sorted(
            [
                *(p.relative_to(folder.tmp).as_posix() for p in Path(folder.tmp).rglob("*") if p.is_file()),
                "manifest.json",
            ]
        )
        folder.write_json("manifest.json", data)
        folder.commit()
    results.set_manifest(data)
    results.folder = target
    return target


def rebrief(results: RunResults, folder: Path) -> list[str]:
    """`brief`: the charts and the briefing drawn again from `results` (read from `folder`), the
    folder replaced whole with them; returns the charts drawn."""
    from mtfs_align.io.outputs import OutputFolder

    files = report_files(results)
    with OutputFolder(folder) as out:
        out.copy_from(folder.resolve())
        for name, content in files.items():
            path = out.path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        out.commit()
    return results.analyses["charts"]


def render_extra(results: RunResults) -> dict[str, bytes]:
    """The files a command writes beside its tables and manifest: the confidence frontier's chart."""
    if results.command != "frontier" or (results.manifest.get("frontier") or {}).get("vary") != "confidence":
        return {}
    from mtfs_align.report.charts import confidence_frontier_chart
    from mtfs_align.report.charts.style import chart_files

    figure = confidence_frontier_chart(results.frontier, results.evaluation.model.years)
    return chart_files(figure, "frontier")
