"""The `mtfs-align` command: thin click commands that call the library, print and set the exit code.

Exit codes (DESIGN 6): 0 done; 1 done but a breach or an unbalanced year; 2 bad input or
contradictory constraints; 3 solver or internal failure.
"""

from __future__ import annotations

import functools
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
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
            ctx.exit(3)
        except Exception as err:  # anything else is our fault, not the user's
            if debug:
                traceback.print_exc()
            click.echo(f"Internal error: {type(err).__name__}: {err}. Run again with --debug for details.",
                       err=True)
            ctx.exit(3)

    return wrapper


def scenario_argument(command):
    return click.argument("scenario", required=False, type=click.Path(path_type=Path, dir_okay=False))(command)


def common_options(command):
    command = click.option("--debug", is_flag=True, help="Show the Python traceback on an error.")(command)
    command = click.option("--quiet", "-q", is_flag=True, help="No progress or notes, only results.")(command)
    command = click.option("--out", type=click.Path(path_type=Path, file_okay=False),
                           help="Output folder (default outputs/<scenario>); replaced whole.")(command)
    return command


def load(scenario_path: Path | None, quiet: bool):
    from mtfs_align.scenario import load_scenario

    scenario = load_scenario(scenario_path or default_scenario())
    _echo_warnings(scenario.warnings, quiet)
    return scenario


def output_target(scenario, out: Path | None, extra_inputs: list[Path] = ()) -> Path:
    from mtfs_align.io.outputs import check_output_location

    target = out if out is not None else Path("outputs") / scenario.slug
    check_output_location(target, [scenario.data_dir, scenario.path.resolve().parent],
                          list(scenario.inputs) + list(extra_inputs))
    return target


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mtfs-align")
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
@common_options
@handled
def validate(scenario: Path | None, out: Path | None, quiet: bool, debug: bool) -> None:
    """Check a scenario and its data folder; print a short summary or every problem found."""
    from mtfs_align.model import build_model
    from mtfs_align.report.text import money

    sc = load(scenario, quiet)
    model = build_model(sc)
    click.echo(f"{sc.council}: scenario '{sc.name}' ({display_path(sc.path)})")
    click.echo(f"Years {sc.years[0]} to {sc.years[-1]}; {len(sc.priorities)} priorities, {len(sc.outcomes)} "
               f"outcomes, {len(sc.activities)} activities, {len(sc.options)} savings options"
               f"{f', {len(sc.screened)} screened out by equality impact' if sc.screened else ''}.")
    click.echo(f"{'Year':<9}{'Funding':>11}{'Need':>11}{'Gap':>10}{'New gap':>10}")
    new_gap = model.gap - [0.0, *model.gap[:-1]]
    for t, year in enumerate(sc.years):
        click.echo(f"{year:<9}{money(model.funding[t]):>11}{money(model.need_council[t]):>11}"
                   f"{money(model.gap[t]):>10}{money(new_gap[t]):>10}")
    click.echo(f"The gap reaches {money(model.gap[-1])} by {sc.years[-1]}. The scenario is valid.")


@cli.command()
@scenario_argument
@click.option("--plan", "plan_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Evaluate this plan (plan.csv, or any table with option and start columns).")
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
    else:
        raise InputError([_no_plan_problem(sc)])
    target = output_target(sc, out, extra_inputs)
    ev = evaluate(build_model(sc), plan)
    with OutputFolder(target) as folder:
        write_evaluation(folder, ev)
        folder.write_json("manifest.json", manifest("check", ev, sc.inputs + extra_inputs, started))
        folder.commit()
    print_evaluation(ev, "Plan" + (f" from {display_path(plan_file)}" if plan_file else " from the scenario"))
    click.echo(f"Results written to {display_path(target)}/")
    sys.stdout.flush()
    click.get_current_context().exit(ev.exit_code)


def _no_plan_problem(sc):
    from mtfs_align.errors import Problem

    return Problem(display_path(sc.path), "", "plan", "the scenario has no plan to check",
                   "add plan: {S01: 2021/22, ...} to the scenario, give --plan plan.csv, or run optimise")


def print_evaluation(ev, heading: str) -> None:
    from mtfs_align.report.text import breach_lines, budget_lines, by_year_lines, summary_lines

    sc = ev.model.scenario
    click.echo(f"{sc.council}: {sc.name}")
    click.echo(f"{heading}: {len(ev.plan)} options, savings counted at "
               f"{'expected delivery' if sc.policy.plan_on == 'expected' else 'their nominal value'}.")
    for line in by_year_lines(ev):
        click.echo(line)
    click.echo("")
    for line in budget_lines(ev):
        click.echo(line)
    click.echo("")
    for line in summary_lines(ev):
        click.echo(line)
    if not ev.breaches.empty:
        click.echo(f"{len(ev.breaches)} breach{'es' if len(ev.breaches) != 1 else ''} of the budget envelope "
                   "or the scenario's policy:")
        for line in breach_lines(ev):
            click.echo(line)
    else:
        click.echo("Every activity stays inside its budget envelope, and the plan keeps to the policy.")


def main() -> None:
    cli(prog_name="mtfs-align")
