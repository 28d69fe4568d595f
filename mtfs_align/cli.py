"""The `mtfs-align` command: thin click commands that call the library, print and set the exit code.

Exit codes (DESIGN 6): 0 done; 1 done but a breach or an unbalanced year; 2 bad input or
contradictory constraints; 3 solver or internal failure; 130 stopped by Ctrl-C, 143 by SIGTERM; 141 when
whoever reads the output stops reading (e.g. `mtfs-align validate | head -1`), quietly, as a command
killed by SIGPIPE would.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
import traceback
from pathlib import Path

import click

from mtfs_align import __version__
from mtfs_align.errors import InputError, MtfsError, display_path
from mtfs_align.examples import default_scenario


def _echo_warnings(warnings: list[str], quiet: bool) -> None:
    if quiet:
        return
    for text in warnings:
        click.echo(f"Note: {text}", err=True)


def handled(command):
    """Turn library errors into a short message and the contract's exit code (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = kwargs.get("debug") or (ctx.obj or {}).get("debug", False)
        try:
            return command(*args, **kwargs)
        except MtfsError as err:
            if debug:
                traceback.print_exc()
            if isinstance(err, InputError):
                _echo_warnings(err.warnings, kwargs.get("quiet", False))
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, BrokenPipeError):
            raise
        except Exception as err:  # anything else is our fault, not the user's
            if debug:
                traceback.print_exc()
            click.echo(f"Internal error: {type(err).__name__}: {err}. Run again with --debug for details.", err=True)
            ctx.exit(3)

    return wrapper


def scenario_argument(command):
    return click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))(command)


def quiet_debug_options(command):
    command = click.option("--debug", is_flag=True, help="Show the Python traceback on an error.")(command)
    command = click.option("--quiet", "-q", is_flag=True, help="No progress or notes, only results.")(command)
    return command


def common_options(command):
    command = quiet_debug_options(command)
    command = click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        help="Output folder (default outputs/<scenario>/<command>/); replaced whole, and only "
        "when it holds nothing but this tool's earlier output.",
    )(command)
    return command


def load(scenario_path: Path | None, quiet: bool):
    from mtfs_align.scenario import load_scenario

    if scenario_path is None:
        _say_which_example(quiet)
    scenario = load_scenario(scenario_path or default_scenario())
    _echo_warnings(scenario.warnings, quiet)
    return scenario


def _say_which_example(quiet: bool) -> None:
    """With no scenario given: which bundled example is used, and the user's own scenarios if any."""
    if quiet:
        return
    example = default_scenario()
    click.echo(
        f"Using the bundled example scenarios/{example.name} (installed at {example}); "
        "give a scenario file to use your own.",
        err=True,
    )
    own = Path("scenarios")
    if own.is_dir() and own.resolve() != example.parent.resolve():
        found = sorted(own.glob("*.yaml")) + sorted(own.glob("*.yml"))
        if found:
            command = click.get_current_context().info_name or "run"
            click.echo(
                f"This folder has scenarios/: give one, e.g. mtfs-align {command} {found[0].as_posix()}", err=True
            )


def output_target(scenario, out: Path | None, extra_inputs: list[Path] = ()) -> Path:
    """--out, or outputs/<scenario>/<command>/ so that one command never replaces another's results."""
    from mtfs_align.io.outputs import check_output_location

    command = click.get_current_context().info_name
    target = out if out is not None else Path("outputs") / scenario.slug / command
    check_output_location(
        target, [scenario.data_dir, scenario.path.resolve().parent], list(scenario.inputs) + list(extra_inputs)
    )
    return target


# One example at the end of each command's --help.
EXAMPLES = {
    "validate": "mtfs-align validate scenarios/central.yaml",
    "check": "mtfs-align check scenarios/central.yaml --plan outputs/central/optimise/plan.csv",
    "optimise": "mtfs-align optimise scenarios/central.yaml --time-limit 60",
    "frontier": "mtfs-align frontier scenarios/central.yaml --vary gap --from 0.5 --to 1.5 --points 11",
    "risk": "mtfs-align risk scenarios/central.yaml --draws 10000 --seed 1",
    "robust": "mtfs-align robust scenarios/central.yaml --samples 100",
    "compare": "mtfs-align compare scenarios/central.yaml scenarios/funding_shock.yaml",
    "run": "mtfs-align run scenarios/central.yaml --out outputs/central-cabinet",
    "brief": "mtfs-align brief --out outputs/central/run",
    "init": "mtfs-align init my-council",
    "import": "mtfs-align import savings-tracker.xlsx --into data/my-council",
}


# The order of the workflow, not click's alphabetical one; commands not named here follow.
WORKFLOW = ["init", "import", "validate", "check", "optimise", "frontier", "risk", "robust", "compare", "run", "brief"]


def _quiet_stdout() -> None:
    """After the reader of our output has gone: send what is left to /dev/null, so that Python's
    final flush does not print a BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests)
        pass


class WorkflowGroup(click.Group):
    """A click group listing commands in workflow order, and turning Ctrl-C and a closed pipe into
    the exit codes people expect (130 and 141) without a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return [n for n in WORKFLOW if n in names] + [n for n in names if n not in WORKFLOW]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None and not command.epilog and name in EXAMPLES:
            command.epilog = f"\b\nExample:\n  {EXAMPLES[name]}"
        return command

    def make_context(self, *args, **kwargs) -> click.Context:
        with _stopped_quietly():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        with _stopped_quietly():
            return super().invoke(ctx)


@contextlib.contextmanager
def _stopped_quietly():
    try:
        yield
    except KeyboardInterrupt:
        try:
            click.echo(
                "Stopped by Ctrl-C; an output folder is only ever replaced whole, so any earlier output is as it was.",
                err=True,
            )
        except OSError:
            pass
        raise click.exceptions.Exit(130) from None
    except BrokenPipeError:
        _quiet_stdout()
        raise click.exceptions.Exit(141) from None


@click.group(
    cls=WorkflowGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\nThe user guide is docs/user-guide.md. Example:\n  mtfs-align run scenarios/central.yaml",
)
@click.version_option(__version__, "-V", "--version", prog_name="mtfs-align")
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Align a council's Medium Term Financial Strategy with its corporate plan.

    Money is in £ thousands in every file; years are financial years such as 2021/22.
    With no SCENARIO, each command uses the bundled Westshire example (illustrative).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@scenario_argument
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also check that a later command could write this output folder (nothing is written).",
)
@quiet_debug_options
@handled
def validate(scenario: Path | None, out: Path | None, quiet: bool, debug: bool) -> None:
    """Check a scenario and its data folder; print a short summary or every problem found."""
    from mtfs_align.io.outputs import check_output_location
    from mtfs_align.model import build_model
    from mtfs_align.report.text import money, unscored_sentence

    sc = load(scenario, quiet)
    model = build_model(sc)
    if out is not None:
        check_output_location(out, [sc.data_dir, sc.path.resolve().parent], list(sc.inputs))
    click.echo(f"{sc.council}: scenario '{sc.name}' ({display_path(sc.path)})")
    click.echo(
        f"Years {sc.years[0]} to {sc.years[-1]}; {len(sc.priorities)} priorities, {len(sc.outcomes)} "
        f"outcomes, {len(sc.activities)} activities, {len(sc.options)} savings options"
        f"{f', {len(sc.screened)} screened out by equality impact' if sc.screened else ''}."
    )
    click.echo(f"{'Year':<9}{'Funding':>11}{'Need':>11}{'Gap':>10}{'New gap':>10}")
    new_gap = model.gap - [0.0, *model.gap[:-1]]
    for t, year in enumerate(sc.years):
        click.echo(
            f"{year:<9}{money(model.funding[t]):>11}{money(model.need_council[t]):>11}"
            f"{money(model.gap[t]):>10}{money(new_gap[t]):>10}"
        )
    click.echo(f"The gap reaches {money(model.gap[-1])} by {sc.years[-1]}. The scenario is valid.")
    unscored = unscored_sentence(model.unscored_options())
    if unscored:
        click.echo(unscored)


@cli.command()
@scenario_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Evaluate this plan (plan.csv, or any table with option and start columns).",
)
@common_options
@handled
def check(scenario: Path | None, plan_file: Path | None, out: Path | None, quiet: bool, debug: bool) -> None:
    """Evaluate a plan year by year: budget, reserves, envelopes and the scenario's policy."""
    from mtfs_align.evaluate import evaluate
    from mtfs_align.io.outputs import OutputFolder
    from mtfs_align.io.plan_file import read_plan_file
    from mtfs_align.model import build_model
    from mtfs_align.report.tables import manifest, write_evaluation

    started = time.perf_counter()
    sc = load(scenario, quiet)
    extra_inputs = []
    if plan_file is not None:
        plan = read_plan_file(plan_file, sc)
        extra_inputs.append(plan_file)
    elif sc.plan is not None:
        plan = sc.plan
    else:  # no plan is not bad input: check the MTFS with no savings, i.e. the gap before savings
        plan = {}
        _echo_warnings(
            [
                "the scenario has no plan, so the budget is checked with no savings "
                "options (the gap before savings); add plan: {S01: 2021/22, ...} to the "
                "scenario or give --plan plan.csv"
            ],
            quiet,
        )
    target = output_target(sc, out, extra_inputs)
    ev = evaluate(build_model(sc), plan)
    with OutputFolder(target) as folder:
        write_evaluation(folder, ev)
        folder.write_json("manifest.json", manifest("check", ev, sc.inputs + extra_inputs, started))
        folder.commit()
    print_evaluation(
        ev,
        f"Plan from {display_path(plan_file)}"
        if plan_file
        else "Plan from the scenario"
        if sc.plan is not None
        else "No plan",
    )
    click.echo(f"Results written to {display_path(target)}/")
    sys.stdout.flush()
    click.get_current_context().exit(ev.exit_code)


def print_evaluation(ev, heading: str) -> None:
    from mtfs_align.report.text import breach_lines, budget_lines, by_year_lines, summary_lines, unscored_sentence

    sc = ev.model.scenario
    click.echo(f"{sc.council}: {sc.name}")
    click.echo(
        f"{heading}: {len(ev.plan)} options, savings counted at "
        f"{'their nominal value' if sc.policy.plan_on == 'nominal' else 'expected delivery'}."
    )
    unscored = unscored_sentence(ev.model.unscored_options(), list(ev.plan))
    if unscored:
        click.echo(unscored)
    for line in by_year_lines(ev):
        click.echo(line)
    click.echo("")
    for line in budget_lines(ev):
        click.echo(line)
    click.echo("")
    for line in summary_lines(ev):
        click.echo(line)
    if not ev.breaches.empty:
        click.echo(
            f"{len(ev.breaches)} breach{'es' if len(ev.breaches) != 1 else ''} of the budget envelope "
            "or the scenario's policy:"
        )
        for line in breach_lines(ev):
            click.echo(line)
    else:
        click.echo("Every activity stays inside its budget envelope, and the plan keeps to the policy.")


def solver_options(command):
    command = click.option(
        "--mip-gap", type=float, default=None, help="Relative optimality gap for the harm stage (default 1e-4)."
    )(command)
    command = click.option(
        "--time-limit",
        type=float,
        default=None,
        help="Stop the solver after this many seconds (the plan may then not be optimal).",
    )(command)
    command = click.option(
        "--solver",
        type=click.Choice(["cbc", "highs"]),
        default=None,
        help="MIP solver (default highs, the faster on large councils; see docs/performance.md).",
    )(command)
    return command


def solver_flag_problems(time_limit, mip_gap) -> list:
    """What is wrong with --time-limit and --mip-gap, checked whether or not the solver is needed:
    a bad flag is bad input (exit 2) even when the scenario's own plan makes solving unnecessary."""
    from mtfs_align.errors import Problem

    problems = []
    if time_limit is not None and not time_limit > 0:
        problems.append(Problem("", "", "--time-limit", "must be a positive number of seconds", "e.g. --time-limit 60"))
    if mip_gap is not None and not 0 <= mip_gap < 1:
        problems.append(Problem("", "", "--mip-gap", "must be from 0 to below 1", "e.g. --mip-gap 1e-4"))
    return problems


def check_flags(problems: list) -> None:
    if problems:
        raise InputError(problems)


def solver_settings(solver, time_limit, mip_gap):
    from mtfs_align.optimise.solvers import DEFAULT_MIP_GAP, DEFAULT_SOLVER, SolverSettings, check_solver

    check_flags(solver_flag_problems(time_limit, mip_gap))
    settings = SolverSettings(solver or DEFAULT_SOLVER, time_limit, DEFAULT_MIP_GAP if mip_gap is None else mip_gap)
    check_solver(settings.solver)
    return settings


def say(quiet: bool, text: str) -> None:
    if not quiet:
        click.echo(text, err=True)


def seed_option(command):
    return click.option(
        "--seed", type=int, default=None, help="Random seed of the delivery draws (default 20210401); in manifest.json."
    )(command)


def run_optimiser(model, settings, quiet: bool, seed: int | None = None):
    from mtfs_align.delivery import DEFAULT_SEED
    from mtfs_align.optimise import optimise

    policy = model.scenario.policy
    if policy.plan_on == "risk":
        say(
            quiet,
            f"Planning {len(model.option_ids)} options over {model.n} years for delivery risk with "
            f"{settings.solver}: {policy.risk_draws:,} simulated futures at {policy.confidence:.0%} "
            "confidence; first the coming year's savings still to be found in a bad year, then the "
            "horizon's, then outcome harm...",
        )
    else:
        say(
            quiet,
            f"Optimising {len(model.option_ids)} options over {model.n} years with {settings.solver}: "
            f"first the coming year's balance, then the horizon's, then outcome harm...",
        )
    solution = optimise(model, settings, seed=DEFAULT_SEED if seed is None else seed)
    say(quiet, f"Solved in {solution.build_seconds + solution.solve_seconds:.1f} s.")
    return solution


def risk_planning_check(model, solution, draws: int, seed: int, quiet: bool) -> tuple[list[str], dict]:
    """A risk-planned plan checked on fresh draws (DESIGN 4.6): its lines and manifest fields."""
    if solution.risk is None:
        return [], {}
    from mtfs_align.analysis import risk_check
    from mtfs_align.progress import progress_bar

    with progress_bar(draws, "Checking the plan on fresh draws", quiet) as advance:
        checked = risk_check.check_out_of_sample(model, solution.plan, solution.risk, draws, seed, progress=advance)
    fields = {"risk_planning": checked.manifest_fields(model.years), "confidence": checked.confidence}
    return risk_check.lines(checked, model.years), fields


def solution_manifest_fields(solution) -> dict:
    return {
        "solver": solution.solver,
        "mip_gap": solution.mip_gap,
        "status": solution.status,
        "solver_gap": solution.reported_gap,
        "build_seconds": round(solution.build_seconds, 3),
        "solve_seconds": round(solution.solve_seconds, 3),
    }


@cli.command()
@scenario_argument
@solver_options
@seed_option
@click.option(
    "--draws",
    type=int,
    default=None,
    help="With plan_on: risk, the fresh delivery draws the plan is checked on (default 10000).",
)
@common_options
@handled
def optimise(scenario, solver, time_limit, mip_gap, seed, draws, out, quiet, debug) -> None:
    """Find the least-harm savings plan that best balances every year (see docs/user-guide.md); with
    plan_on: risk in the scenario's policy, the plan that leaves least to find in a bad year, checked on
    fresh draws."""
    from mtfs_align.analysis import risk as delivery_risk
    from mtfs_align.evaluate import evaluate
    from mtfs_align.io.outputs import OutputFolder
    from mtfs_align.model import build_model
    from mtfs_align.report.tables import manifest, write_evaluation
    from mtfs_align.report.text import binding_lines

    started = time.perf_counter()
    seed = delivery_risk.DEFAULT_SEED if seed is None else seed
    draws = delivery_risk.DEFAULT_DRAWS if draws is None else draws
    check_flags(delivery_risk.setting_problems(draws, seed) + solver_flag_problems(time_limit, mip_gap))
    sc = load(scenario, quiet)
    settings = solver_settings(solver, time_limit, mip_gap)
    target = output_target(sc, out)
    model = build_model(sc)
    solution = run_optimiser(model, settings, quiet, seed)
    ev = evaluate(model, solution.plan)
    risk_lines, risk_fields = risk_planning_check(model, solution, draws, seed, quiet)
    with OutputFolder(target) as folder:
        write_evaluation(folder, ev)
        folder.write_json(
            "manifest.json",
            manifest(
                "optimise",
                ev,
                sc.inputs,
                started,
                plan_status=ev.status,
                seed=seed,
                **risk_fields,
                **solution_manifest_fields(solution),
            ),
        )
        folder.commit()
    print_evaluation(ev, "Optimised plan")
    for line in risk_lines:
        click.echo(line)
    if solution.status != "optimal":
        gap = f" (gap {solution.reported_gap:.2%})" if solution.reported_gap is not None else ""
        click.echo(f"The solver stopped at the time limit{gap}: this plan may not be optimal.")
    lines = binding_lines(ev)
    if lines:
        click.echo("What binds:")
        for line in lines:
            click.echo(f"  - {line}")
    click.echo(f"Results written to {display_path(target)}/")
    click.get_current_context().exit(ev.exit_code)


def plan_for(sc, model, plan_file, settings_args, quiet):
    """The plan to analyse: --plan, else the scenario's plan, else the optimised plan."""
    from mtfs_align.io.plan_file import read_plan_file

    if plan_file is not None:
        return read_plan_file(plan_file, sc), f"plan from {display_path(plan_file)}", None
    if sc.plan is not None:
        return sc.plan, "the scenario's plan", None
    solution = run_optimiser(model, solver_settings(*settings_args), quiet)
    return solution.plan, "the optimised plan", solution


@cli.command()
@scenario_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Simulate this plan (default: the scenario's plan, else the optimised plan).",
)
@click.option(
    "--draws", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True, help="Monte Carlo draws."
)
@click.option("--seed", type=int, default=None, help="Random seed (default 20210401); recorded in manifest.json.")
@solver_options
@common_options
@handled
def risk(scenario, plan_file, draws, seed, solver, time_limit, mip_gap, out, quiet, debug) -> None:
    """Delivery risk of a plan: late starts and partial delivery, simulated many times."""
    from mtfs_align.analysis import risk as delivery_risk
    from mtfs_align.evaluate import evaluate
    from mtfs_align.io.outputs import OutputFolder
    from mtfs_align.model import build_model
    from mtfs_align.progress import progress_bar
    from mtfs_align.report.tables import manifest, write_evaluation

    started = time.perf_counter()
    check_flags(
        delivery_risk.setting_problems(draws, delivery_risk.DEFAULT_SEED if seed is None else seed)
        + solver_flag_problems(time_limit, mip_gap)
    )
    sc = load(scenario, quiet)
    extra = [plan_file] if plan_file is not None else []
    target = output_target(sc, out, extra)
    model = build_model(sc)
    plan, which, solution = plan_for(sc, model, plan_file, (solver, time_limit, mip_gap), quiet)
    ev = evaluate(model, plan)
    seed = delivery_risk.DEFAULT_SEED if seed is None else seed
    with progress_bar(draws, "Simulating delivery", quiet) as advance:
        result = delivery_risk.simulate(model, plan, draws=draws, seed=seed, progress=advance)
    fields = result.manifest_fields()
    if solution is not None:
        fields.update(solution_manifest_fields(solution))
        fields["status"] = ev.status
    with OutputFolder(target) as folder:
        write_evaluation(folder, ev)
        folder.write_csv("risk.csv", result.table)
        folder.write_csv("resilience.csv", result.resilience)
        folder.write_json(
            "manifest.json", manifest("risk", ev, sc.inputs + extra, started, plan_source=which, **fields)
        )
        folder.commit()
    click.echo(f"{sc.council}: {sc.name}; delivery risk of {which} ({len(plan)} options).")
    best_possible = solution is not None and getattr(solution, "risk", None) is not None
    for line in delivery_risk.lines(result, best_possible):
        click.echo(line)
    click.echo(f"Results written to {display_path(target)}/")
    click.get_current_context().exit(ev.exit_code)


@cli.command()
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@solver_options
@common_options
@handled
def compare(scenarios, solver, time_limit, mip_gap, out, quiet, debug) -> None:
    """Two or more scenarios side by side: gap, savings, reserves, harm and the options that differ.

    Each scenario's own plan is used, or its optimised plan when it has none.
    """
    from mtfs_align.analysis import compare as comparison
    from mtfs_align.errors import Problem
    from mtfs_align.evaluate import evaluate
    from mtfs_align.io.outputs import OutputFolder, check_output_location
    from mtfs_align.model import build_model
    from mtfs_align.report.tables import manifest
    from mtfs_align.scenario import load_scenario

    started = time.perf_counter()
    problems = solver_flag_problems(time_limit, mip_gap)
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
    check_flags(problems)
    loaded = []
    for path in scenarios:
        try:
            loaded.append(load_scenario(path))
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    for sc in loaded:
        _echo_warnings(sc.warnings, quiet)
    target = out if out is not None else Path("outputs") / ("compare_" + "_".join(sc.slug for sc in loaded))
    forbidden = [p for sc in loaded for p in (sc.data_dir, sc.path.resolve().parent)]
    check_output_location(target, forbidden, [p for sc in loaded for p in sc.inputs])
    evaluations, solved = [], {}
    for sc in loaded:
        model = build_model(sc)
        if sc.plan is not None:
            plan = sc.plan
        else:
            say(quiet, f"{sc.slug}: no plan in the scenario, so its optimised plan is compared.")
            solution = run_optimiser(model, solver_settings(solver, time_limit, mip_gap), quiet)
            plan = solution.plan
            solved = {"solver": solution.solver, "mip_gap": solution.mip_gap}
        evaluations.append((sc.slug, evaluate(model, plan)))
    result = comparison.compare(evaluations)
    inputs = [p for sc in loaded for p in sc.inputs]
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
    with OutputFolder(target) as folder:
        folder.write_csv("compare.csv", result.table)
        folder.write_csv("compare_options.csv", result.options)
        folder.write_json(
            "manifest.json", manifest("compare", evaluations[0][1], inputs, started, scenarios=summary, **solved)
        )
        folder.commit()
    for line in comparison.lines(result):
        click.echo(line)
    click.echo(f"Results written to {display_path(target)}/")
    click.get_current_context().exit(max(ev.exit_code for _, ev in evaluations))


@cli.command()
@scenario_argument
@click.option(
    "--vary",
    type=click.Choice(["gap", "reserves", "confidence"]),
    default="gap",
    show_default=True,
    help="What the frontier scales.",
)
@click.option(
    "--from",
    "start",
    type=float,
    default=None,
    help="Frontier's smallest scale (default 0.5 for the gap, 0 for reserves).",
)
@click.option(
    "--to", "stop", type=float, default=None, help="Frontier's largest scale (default 1.5 for the gap, 2 for reserves)."
)
@click.option("--points", type=click.IntRange(2, 101), default=11, show_default=True, help="Frontier points.")
@click.option(
    "--draws", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True, help="Delivery-risk draws."
)
@click.option(
    "--samples",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="Weight samples for the core index.",
)
@click.option("--seed", type=int, default=20210401, show_default=True, help="Random seed for risk and robustness.")
@click.option(
    "--concentration",
    type=float,
    default=20.0,
    show_default=True,
    help="How closely weight samples keep to the Cabinet's weights (when the scenario gives no weight ranges).",
)
@solver_options
@common_options
@handled
def run(
    scenario,
    vary,
    start,
    stop,
    points,
    draws,
    samples,
    seed,
    concentration,
    solver,
    time_limit,
    mip_gap,
    out,
    quiet,
    debug,
) -> None:
    """Everything: validate, optimise, check, frontier, risk, robustness, charts, workbook, briefing."""
    from mtfs_align.analysis import frontier as trade_off
    from mtfs_align.analysis import risk as delivery_risk
    from mtfs_align.analysis import robust as robustness
    from mtfs_align.io.outputs import OutputFolder
    from mtfs_align.pipeline import RunSettings, run_all
    from mtfs_align.progress import progress_bar
    from mtfs_align.report.text import binding_lines

    started = time.perf_counter()
    # --seed seeds both risk and robust: each problem once, in the order found
    start, stop = trade_off.resolve_range(vary, start, stop)
    found = (
        trade_off.range_problems(vary, start, stop, points)
        + delivery_risk.setting_problems(draws, seed)
        + robustness.setting_problems(samples, seed, concentration)
        + solver_flag_problems(time_limit, mip_gap)
    )
    check_flags(list(dict.fromkeys(found)))
    sc = load(scenario, quiet)
    settings = RunSettings(
        solver_settings(solver, time_limit, mip_gap),
        vary=vary,
        points=points,
        start=start,
        stop=stop,
        draws=draws,
        seed=seed,
        samples=samples,
        concentration=concentration,
    )
    target = output_target(sc, out)

    def bar(total, label):
        return progress_bar(total, label, quiet)

    with OutputFolder(target) as folder:
        result = run_all(sc, settings, folder, started, lambda text: say(quiet, text), bar)
        folder.commit()
    print_evaluation(result.evaluation, "Optimised plan")
    for line in binding_lines(result.evaluation):
        click.echo(f"  - {line}")
    click.echo("")
    for line in result.lines:
        click.echo(line)
    click.echo(
        f"{len(result.files)} files written to {display_path(target)}/ in "
        f"{time.perf_counter() - started:.0f} s (briefing.pdf, results.xlsx, charts/ and the tables)."
    )
    click.get_current_context().exit(result.evaluation.exit_code)


@cli.command()
@scenario_argument
@common_options
@handled
def brief(scenario, out, quiet, debug) -> None:
    """Rebuild the charts and the Cabinet briefing (briefing.pdf) from an existing output folder."""
    from mtfs_align.errors import Problem
    from mtfs_align.io.outputs import MARKER, OutputFolder, replace_problem
    from mtfs_align.report.briefing import build_briefing, check_output_folder
    from mtfs_align.report.charts import build_charts

    if out is None:
        sc = load(scenario, quiet)
        out = Path("outputs") / sc.slug / "run"
    if not (out / "manifest.json").is_file() or not (out / "budget.csv").is_file():
        raise InputError(
            [
                Problem(
                    display_path(out),
                    "",
                    "--out",
                    "this is not an mtfs_align output folder (no manifest.json and budget.csv)",
                    "run mtfs-align run (or optimise/check) first, or give its folder with --out",
                )
            ]
        )
    if not (out / MARKER).is_file():
        raise InputError(
            [
                Problem(
                    display_path(out),
                    "",
                    "--out",
                    f"this folder has no {MARKER} file, so it was "
                    "not written by this version of mtfs-align and will not be rebuilt",
                    "run the command that made it again (e.g. mtfs-align run SCENARIO)",
                )
            ]
        )
    refused = replace_problem(out.resolve())
    if refused is not None:
        raise InputError([Problem("--out", "", "", *refused)])
    check_output_folder(out)
    # Rebuilt in a copy and swapped in whole, so the folder stays the tool's own output.
    with OutputFolder(out) as folder:
        folder.copy_from(out.resolve())
        charts = build_charts(folder.tmp)
        build_briefing(folder.tmp)
        folder.commit()
    path = out / "briefing.pdf"
    click.echo(f"Briefing rebuilt with {len(charts)} charts: {display_path(path)}")


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="The council's folder name under data/ (default: from DIR).")
@click.option("--debug", is_flag=True, help="Show the Python traceback on an error.")
@handled
def init(folder: Path, name: str | None, debug: bool) -> None:
    """Write a starter council folder: data/<name>/ with the four data files (one worked row each)
    and scenarios/<name>.yaml, ready for mtfs-align validate. DIR must be new or empty."""
    from mtfs_align.starter import write_starter

    files = write_starter(folder, name)
    scenario = files[-1].relative_to(folder)
    click.echo(
        f"Starter council written to {display_path(folder)}/: {files[0].parent.relative_to(folder)}/ "
        f"(plan.yaml, mtfs.yaml, activities.csv, options.csv) and {scenario}."
    )
    click.echo(
        f"Next: cd {display_path(folder)} && mtfs-align validate {scenario}, then replace the worked "
        "rows with your council's own (docs/user-guide.md)."
    )


@cli.command("import")
@click.argument("tracker", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into",
    "--out",
    "into",
    required=True,
    type=click.Path(path_type=Path),
    help="Data folder to write options.csv (and activities.csv, columns.yaml) into "
    "(--out is the same, as every command takes --out).",
)
@click.option("--sheet", help="Sheet to read (default: the visible sheet that looks like a tracker).")
@click.option(
    "--map",
    "map_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A columns.yaml from an earlier import: read the tracker the same way.",
)
@click.option("--debug", is_flag=True, help="Show the Python traceback on an error.")
@click.option("--quiet", "-q", is_flag=True, help="Only the files written, no summary.")
@handled
def import_(tracker: Path, into: Path, sheet: str | None, map_path: Path | None, quiet: bool, debug: bool) -> None:
    """Turn a savings tracker (.xlsx or .csv, as the council keeps it) into options.csv (see
    docs/user-guide.md, "Importing a savings tracker")."""
    from mtfs_align.io.tracker import import_tracker

    result = import_tracker(tracker, into, sheet, map_path)
    if not quiet:
        mapping = result.mapping
        click.echo(f"Read sheet '{mapping.sheet}', header in row {mapping.header_row}.")
        click.echo("Columns mapped: " + "; ".join(f"{h} -> {f}" for h, f in mapping.columns.items() if f != "ignore"))
        click.echo(f"{len(result.options)} savings options read.")
        for text in result.left_out:
            click.echo(f"Left out: {text}")
        for text in result.notes:
            click.echo(f"Note: {text}")
        click.echo(
            "Not in the tracker, left blank: harms, benefits (harm is not scored for these options until "
            "you add them), and effort where no column gives it."
        )
    click.echo("Wrote " + ", ".join(display_path(into / name) for name in result.written) + ".")


# `frontier` and `robust` live in cli_analysis, which registers them on `cli` when it is imported.
import mtfs_align.cli_analysis  # noqa: E402, F401


def _terminated(signum, frame) -> None:
    click.echo(
        "Stopped by SIGTERM; an output folder is only ever replaced whole, so any earlier output is as it was.",
        err=True,
    )
    raise SystemExit(143)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="mtfs-align")
