"""`mtfs-align run`: every analysis of one scenario into one output folder (DESIGN 5, 6).

Order: optimise (the plan the folder describes), the proposal against the optimum (when the
scenario has a plan), the frontier, delivery risk of the optimised plan, robustness to weights,
then the charts, the workbook and the briefing, all in the folder's temporary copy.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mtfs_align.evaluate import Evaluation, evaluate
from mtfs_align.io.outputs import OutputFolder
from mtfs_align.model import build_model
from mtfs_align.optimise import Solution, optimise
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.report.tables import EVALUATION_TABLES, manifest, write_evaluation
from mtfs_align.scenario import Scenario


@dataclass
class RunSettings:
    solver: SolverSettings = field(default_factory=SolverSettings)
    vary: str = "gap"
    points: int = 11
    start: float | None = None  # frontier scales; None for the default range of `vary`
    stop: float | None = None
    draws: int = 10_000
    seed: int = 20210401
    samples: int = 100
    concentration: float = 20.0


@dataclass
class RunResult:
    evaluation: Evaluation
    solution: Solution
    timings: dict[str, float]
    files: list[str]
    lines: list[str]


def run_all(
    scenario: Scenario,
    settings: RunSettings,
    folder: OutputFolder,
    started: float,
    say: Callable[[str], None],
    progress_bar,
) -> RunResult:
    """Write every output of DESIGN 5 for `scenario` into `folder` (not yet committed)."""
    from mtfs_align.analysis import frontier as frontier_analysis
    from mtfs_align.analysis import proposal as proposal_analysis
    from mtfs_align.analysis import risk as risk_analysis
    from mtfs_align.analysis import robust as robust_analysis
    from mtfs_align.report.briefing import build_briefing, kpi_table
    from mtfs_align.report.charts import build_charts
    from mtfs_align.report.workbook import scenario_assumptions, write_workbook

    timings: dict[str, float] = {}
    lines: list[str] = []
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    model = build_model(scenario)
    lap("validate")
    planning_for_risk = scenario.policy.plan_on == "risk"
    say("Planning the savings for delivery risk..." if planning_for_risk else "Optimising the savings plan...")
    solution = optimise(model, settings.solver, seed=settings.seed)
    ev = evaluate(model, solution.plan)
    write_evaluation(folder, ev)
    lap("optimise")
    extra: dict = {}
    if planning_for_risk:
        # DESIGN 4.6: the deterministic optimum beside the risk-planned one (what certainty costs)
        from mtfs_align.optimise import prepare, solve

        deterministic = solve(prepare(model), settings.solver)
        deterministic_ev = evaluate(model, deterministic.plan)
        extra["deterministic_optimum"] = {
            "harm": round(deterministic_ev.harm, 9),
            "unidentified_k": round(deterministic_ev.unidentified_k, 3),
            "options_adopted": len(deterministic.plan),
        }
        lap("deterministic")

    if scenario.plan is not None:
        say("Comparing the proposed plan with the optimum...")
        result = proposal_analysis.compare_proposal(model, settings.solver)
        folder.write_csv("proposal.csv", result.table)
        proposal_folder = "proposal"
        for name, attribute in EVALUATION_TABLES.items():
            folder.write_csv(f"{proposal_folder}/{name}", getattr(result.proposal, attribute))
        lines += result.sentences
        extra["proposal"] = {
            "harm": round(result.proposal.harm, 9),
            "unidentified_k": round(result.proposal.unidentified_k, 3),
            "status": result.proposal.status,
        }
        lap("proposal")

    with progress_bar(settings.points, f"Frontier ({settings.vary})") as advance:
        front = frontier_analysis.frontier(
            model,
            settings.solver,
            vary=settings.vary,
            start=settings.start,
            stop=settings.stop,
            points=settings.points,
            progress=advance,
            seed=settings.seed,
        )
    folder.write_csv("frontier.csv", front.table)
    lap("frontier")

    with progress_bar(settings.draws, "Simulating delivery") as advance:
        if solution.risk is not None:  # the out-of-sample check of DESIGN 4.6 is this Monte Carlo
            from mtfs_align.analysis import risk_check

            checked = risk_check.check_out_of_sample(
                model, solution.plan, solution.risk, settings.draws, settings.seed, progress=advance
            )
            risk = checked.risk
            extra["risk_planning"] = checked.manifest_fields(model.years)
            lines += risk_check.lines(checked, model.years)
            if "deterministic_optimum" in extra:
                lines += _certainty_lines(
                    model, extra["deterministic_optimum"], ev, deterministic.plan, settings, checked.fresh.cvar_k
                )
        else:
            risk = risk_analysis.simulate(
                model, solution.plan, draws=settings.draws, seed=settings.seed, progress=advance
            )
    folder.write_csv("risk.csv", risk.table)
    folder.write_csv("resilience.csv", risk.resilience)
    lap("risk")

    with progress_bar(settings.samples, "Sampling priority weights") as advance:
        robust = robust_analysis.robust(
            scenario,
            settings.solver,
            samples=settings.samples,
            seed=settings.seed,
            concentration=settings.concentration,
            progress=advance,
            model=model,
        )
    folder.write_csv("core_index.csv", robust.table)
    lap("robust")

    folder.write_csv("kpis.csv", kpi_table(scenario))
    assumptions = scenario_assumptions(scenario)
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
        assumptions=assumptions,
        date=dt.date.today().isoformat(),
        **extra,
    )
    data["status"] = solution.status
    folder.write_json("manifest.json", data)
    say("Drawing charts, writing the workbook and the briefing...")
    build_charts(folder.tmp)
    lap("charts")
    write_workbook(folder.tmp, assumptions)
    lap("workbook")
    build_briefing(folder.tmp)
    lap("briefing")
    data["timings"] = timings
    data["seconds"] = round(time.perf_counter() - started, 3)
    data["outputs"] = sorted(str(p.relative_to(folder.tmp)) for p in Path(folder.tmp).rglob("*") if p.is_file())
    folder.write_json("manifest.json", data)
    planned_for_risk = solution.risk is not None
    return RunResult(ev, solution, timings, data["outputs"], lines + risk_analysis.lines(risk, planned_for_risk))


def _certainty_lines(
    model,
    deterministic: dict,
    ev: Evaluation,
    deterministic_plan: dict[str, int],
    settings: RunSettings,
    planned_cvar_k,
) -> list[str]:
    """What certainty costs: the deterministic optimum beside the risk-planned one, both run through
    the same fresh draws (DESIGN 4.6); records the deterministic plan's bad-year figures."""
    from mtfs_align.analysis import risk as risk_analysis
    from mtfs_align.analysis.risk_check import tail_figures
    from mtfs_align.report.resilience import certainty_cost_sentence

    p = model.scenario.policy.confidence
    fresh = tail_figures(
        risk_analysis.simulate(model, deterministic_plan, draws=settings.draws, seed=settings.seed).unidentified, p
    )
    deterministic["cvar_k"] = {y: round(float(v), 3) for y, v in zip(model.years, fresh.cvar_k, strict=True)}
    return [
        certainty_cost_sentence(deterministic["harm"], ev.harm, fresh.cvar_k, list(planned_cvar_k), model.years, p)
        + " (Both plans on the same fresh draws.)"
    ]
