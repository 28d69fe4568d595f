"""The `frontier` and `robust` commands (DESIGN 4.5, 6): thin click commands over
mtfs_align.analysis; the lead registers them into the `mtfs-align` group."""

from __future__ import annotations

import time
from pathlib import Path

import click

from mtfs_align.cli import (
    check_flags,
    cli,
    common_options,
    handled,
    load,
    output_target,
    say,
    scenario_argument,
    seed_option,
    solver_flag_problems,
    solver_options,
    solver_settings,
)
from mtfs_align.delivery import DEFAULT_SEED
from mtfs_align.errors import display_path


@click.command()
@scenario_argument
@click.option(
    "--vary",
    type=click.Choice(["gap", "reserves", "confidence"]),
    default="gap",
    show_default=True,
    help="Scale every year's gap, or the reserves available (usable less minimum, and each "
    "year's draw limit), or re-plan for delivery risk at a range of confidences.",
)
@click.option(
    "--from",
    "start",
    type=float,
    default=None,
    help="Smallest scale (default 0.5 for the gap, 0 for reserves, confidence 0.5).",
)
@click.option(
    "--to",
    "stop",
    type=float,
    default=None,
    help="Largest scale (default 1.5 for the gap, 2 for reserves, confidence 0.95).",
)
@click.option("--points", type=int, default=11, show_default=True, help="Number of scales, evenly spaced.")
@solver_options
@seed_option
@common_options
@handled
def frontier(
    scenario: Path | None,
    vary: str,
    start: float | None,
    stop: float | None,
    points: int,
    solver,
    time_limit,
    mip_gap,
    seed,
    out: Path | None,
    quiet: bool,
    debug: bool,
) -> None:
    """What each extra £m of savings costs in outcome harm: the optimum re-solved as the gap (or the
    reserves available) is scaled. With a proposed plan in the scenario, also the
    least-harm plan for its savings and the most savings for its harm."""
    from mtfs_align.analysis import frontier as trade_off
    from mtfs_align.analysis import proposal as against_optimum
    from mtfs_align.analysis.risk import DEFAULT_DRAWS, setting_problems
    from mtfs_align.io.outputs import OutputFolder, money_json
    from mtfs_align.model import build_model
    from mtfs_align.progress import progress_bar
    from mtfs_align.report.tables import manifest

    started = time.perf_counter()
    seed = DEFAULT_SEED if seed is None else seed
    start, stop = trade_off.resolve_range(vary, start, stop)
    check_flags(
        trade_off.range_problems(vary, start, stop, points)
        + solver_flag_problems(time_limit, mip_gap)
        + setting_problems(DEFAULT_DRAWS, seed)
    )
    sc = load(scenario, quiet)
    settings = solver_settings(solver, time_limit, mip_gap)
    target = output_target(sc, out)
    model = build_model(sc)
    if vary == "confidence":
        say(
            quiet,
            f"Re-planning {len(model.option_ids)} options for delivery risk at {points} confidences, "
            f"from {start:.0%} to {stop:.0%}, over {sc.policy.risk_draws:,} simulated futures...",
        )
    else:
        say(
            quiet,
            f"Re-optimising {len(model.option_ids)} options at {points} scales of the "
            f"{'gap' if vary == 'gap' else 'reserves available'}, from {start:g}x to {stop:g}x...",
        )
    with progress_bar(points, "Frontier points", quiet) as advance:
        result = trade_off.frontier(
            model, settings, vary=vary, start=start, stop=stop, points=points, progress=advance, seed=seed
        )
    ev = result.current.evaluation
    compared = None
    if sc.plan is not None:
        say(quiet, "Comparing the proposed plan with the optimum...")
        same_model = result.current.evaluation.model.scenario.policy.plan_on == sc.policy.plan_on
        compared = against_optimum.compare_proposal(model, settings, sp=result.problem if same_model else None)

    fields = {
        "solver": result.solver,
        "mip_gap": result.mip_gap,
        "status": result.status,
        "plan_status": ev.status,
        "seed": seed,
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
    with OutputFolder(target) as folder:
        folder.write_csv("frontier.csv", result.table)
        if vary == "confidence":
            from mtfs_align.report.charts import confidence_frontier_chart, save_chart

            save_chart(confidence_frontier_chart(result.table, ev.model.years), folder.tmp, "frontier")
        if compared is not None:
            folder.write_csv("proposal.csv", compared.table)
        folder.write_json("manifest.json", manifest("frontier", ev, sc.inputs, started, **fields))
        folder.commit()

    click.echo(f"{sc.council}: {sc.name}")
    for line in trade_off.lines(result):
        click.echo(line)
    if compared is not None:
        click.echo("")
        click.echo("The proposed plan against the optimum:")
        for line in compared.sentences:
            click.echo(f"  {line}")
    click.echo(f"Results written to {display_path(target)}/")
    click.get_current_context().exit(ev.exit_code)


@click.command()
@scenario_argument
@click.option("--samples", type=int, default=100, show_default=True, help="Weight samples to re-optimise.")
@click.option(
    "--seed",
    type=int,
    default=20210401,
    show_default=True,
    help="Random seed; recorded in manifest.json (the same seed gives the same file).",
)
@click.option(
    "--concentration",
    type=float,
    default=20.0,
    show_default=True,
    help="How closely Dirichlet samples keep to the Cabinet's weights (used when the scenario gives no weight ranges).",
)
@solver_options
@common_options
@handled
def robust(
    scenario: Path | None,
    samples: int,
    seed: int,
    concentration: float,
    solver,
    time_limit,
    mip_gap,
    out: Path | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Which options are safe choices whatever the exact priority weights: each option's core
    index over re-optimisations with sampled weights."""
    from mtfs_align.analysis import robust as robustness
    from mtfs_align.io.outputs import OutputFolder
    from mtfs_align.model import build_model
    from mtfs_align.progress import progress_bar
    from mtfs_align.report.tables import manifest

    started = time.perf_counter()
    check_flags(robustness.setting_problems(samples, seed, concentration) + solver_flag_problems(time_limit, mip_gap))
    sc = load(scenario, quiet)
    settings = solver_settings(solver, time_limit, mip_gap)
    target = output_target(sc, out)
    model = build_model(sc)
    say(quiet, f"Re-optimising {len(model.option_ids)} options under {samples} samples of the priority weights...")
    with progress_bar(samples, "Weight samples", quiet) as advance:
        result = robustness.robust(
            sc, settings, samples=samples, seed=seed, concentration=concentration, progress=advance, model=model
        )
    ev = result.optimum
    fields = {
        "solver": result.solver,
        "mip_gap": result.mip_gap,
        "status": result.status,
        "plan_status": ev.status,
        "seed": seed,
        "robust": {
            "samples": samples,
            "sampling": result.sampling,
            "concentration": concentration if result.sampling == "dirichlet" else None,
            **result.counts(),
        },
    }
    with OutputFolder(target) as folder:
        folder.write_csv("core_index.csv", result.table)
        folder.write_json("manifest.json", manifest("robust", ev, sc.inputs, started, **fields))
        folder.commit()

    click.echo(f"{sc.council}: {sc.name}")
    for line in robustness.lines(result):
        click.echo(line)
    click.echo(f"Results written to {display_path(target)}/")
    click.get_current_context().exit(ev.exit_code)


cli.add_command(frontier)
cli.add_command(robust)
