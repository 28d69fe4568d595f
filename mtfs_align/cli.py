"""The `mtfs-align` command: thin click commands over mtfs_align.api. Each parses its options,
calls the API, prints the report stage's terminal text and sets the exit code.

Exit codes (DESIGN 6): 0 done; 1 done but a breach or an unbalanced year; 2 bad input or
contradictory constraints; 3 solver or internal failure; 130 stopped by Ctrl-C, 143 by SIGTERM; 141 when
whoever reads the output stops reading (e.g. `mtfs-align validate | head -1`), quietly, as a command
killed by SIGPIPE would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import click

from mtfs_align.cli_analysis import frontier, robust
from mtfs_align.cli_common import (
    PARALLEL,
    SOLVER,
    ClickReporter,
    analyse,
    common_options,
    finish,
    handled,
    load,
    quiet_debug_options,
    scenario_argument,
    setting_options,
    settings_from,
    target_folder,
)
from mtfs_align.errors import display_path
from mtfs_align.version import __version__

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
    "batch": "mtfs-align batch --list councils.txt --out outputs/national --workers 2",
    "brief": "mtfs-align brief --out outputs/central/run",
    "init": "mtfs-align init my-council",
    "import": "mtfs-align import savings-tracker.xlsx --into data/my-council",
}


# The order of the workflow, not click's alphabetical one; commands not named here follow.
WORKFLOW = [
    *("init", "import", "validate", "check", "optimise", "frontier", "risk", "robust", "compare", "run"),
    *("batch", "brief"),
]


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
    from mtfs_align.model import build_model
    from mtfs_align.pipeline import check_folder
    from mtfs_align.report.terminal import validate_lines

    sc = load(scenario, ClickReporter(quiet))
    model = build_model(sc)
    check_folder(out, [sc])
    for line in validate_lines(model):
        click.echo(line)


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
    from mtfs_align import api
    from mtfs_align.report.terminal import terminal_lines

    reporter = ClickReporter(quiet)
    sc = load(scenario, reporter)
    target = target_folder(sc, out)
    results = api.check(sc, plan_file, out=target, reporter=reporter)
    finish(results, terminal_lines(results), target)


@cli.command()
@scenario_argument
@setting_options(*SOLVER, "seed", "draws")
@common_options
@handled
def optimise(scenario: Path | None, out: Path | None, quiet: bool, debug: bool, **given) -> None:
    """Find the least-harm savings plan that best balances every year (see docs/user-guide.md); with
    plan_on: risk in the scenario's policy, the plan that leaves least to find in a bad year, checked on
    fresh draws."""
    analyse("optimise", scenario, out, quiet, given)


@cli.command()
@scenario_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Simulate this plan (default: the scenario's plan, else the optimised plan).",
)
@setting_options("draws", "seed", *SOLVER)
@common_options
@handled
def risk(scenario: Path | None, plan_file: Path | None, out: Path | None, quiet: bool, debug: bool, **given) -> None:
    """Delivery risk of a plan: late starts and partial delivery, simulated many times."""
    analyse("risk", scenario, out, quiet, given, plan=plan_file)


@cli.command()
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@setting_options(*SOLVER)
@common_options
@handled
def compare(scenarios: tuple[Path, ...], out: Path | None, quiet: bool, debug: bool, **given) -> None:
    """Two or more scenarios side by side: gap, savings, reserves, harm and the options that differ.

    Each scenario's own plan is used, or its optimised plan when it has none.
    """
    from mtfs_align import api
    from mtfs_align.report.terminal import terminal_lines

    reporter = ClickReporter(quiet)
    settings = settings_from(given)
    loaded = api.compared_scenarios(scenarios, settings, reporter)
    target = out if out is not None else api.compare_folder(loaded)
    results = api.compare(*loaded, settings=settings, out=target, reporter=reporter)
    finish(results, terminal_lines(results), target)


@cli.command()
@scenario_argument
@setting_options("vary", "start", "stop", "points", "draws", "samples", "seed", "concentration", *SOLVER, *PARALLEL)
@common_options
@handled
def run(scenario: Path | None, out: Path | None, quiet: bool, debug: bool, **given) -> None:
    """Everything: validate, optimise, check, frontier, risk, robustness, charts, workbook, briefing."""
    from mtfs_align import api
    from mtfs_align.report.terminal import terminal_lines

    started = time.perf_counter()
    reporter = ClickReporter(quiet)
    settings = settings_from(given)
    api.check_settings("run", settings)
    sc = load(scenario, reporter)
    target = target_folder(sc, out)
    results = api.run(sc, settings, out=target, reporter=reporter)
    for line in terminal_lines(results):
        click.echo(line)
    click.echo(
        f"{len(results.manifest['outputs'])} files written to {display_path(target)}/ in "
        f"{time.perf_counter() - started:.0f} s (briefing.pdf and .html, results.xlsx, charts/ and the tables)."
    )
    click.get_current_context().exit(results.exit_code)


@cli.command()
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--list",
    "list_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A text file naming the scenario files, one a line, relative to the list file's folder "
    "(blank lines and lines starting with # are skipped).",
)
@setting_options("vary", "start", "stop", "points", "draws", "samples", "seed", "concentration", *SOLVER, *PARALLEL)
@quiet_debug_options
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Batch folder (default outputs/batch/): batch.csv and one output folder per scenario, named by "
    "its file (central, central-2 for a second central.yaml).",
)
@handled
def batch(scenarios: tuple[Path, ...], list_file: Path | None, out: Path | None, quiet: bool, debug: bool, **given):
    """Run everything for each scenario (any council), each into its own folder, and write batch.csv;
    a scenario that fails is reported there and the others go on (see docs/scaling.md)."""
    from mtfs_align import api
    from mtfs_align.batch import DEFAULT_FOLDER
    from mtfs_align.report.terminal import batch_lines

    target = out if out is not None else DEFAULT_FOLDER
    results = api.batch(
        list(scenarios), settings_from(given), list_file=list_file, out=target, reporter=ClickReporter(quiet)
    )
    for line in batch_lines(results):
        click.echo(line)
    click.echo(f"batch.csv and {len(results.batch)} scenario folders written to {display_path(target)}/")
    click.get_current_context().exit(results.exit_code)


@cli.command()
@scenario_argument
@common_options
@handled
def brief(scenario: Path | None, out: Path | None, quiet: bool, debug: bool) -> None:
    """Rebuild the charts and the Cabinet briefing (briefing.pdf, briefing.html) from an output folder."""
    from mtfs_align import api

    if out is None:
        out = Path("outputs") / load(scenario, ClickReporter(quiet)).slug / "run"
    results = api.brief(out)
    path = out / "briefing.pdf"
    click.echo(
        f"Briefing rebuilt with {len(results.analyses['charts'])} charts: {display_path(path)} and briefing.html"
    )


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
    from mtfs_align.io.tracker.importer import import_tracker, summary

    result = import_tracker(tracker, into, sheet, map_path)
    for line in summary(result, into, quiet):
        click.echo(line)


cli.add_command(frontier)
cli.add_command(robust)


def _terminated(signum, frame) -> None:
    click.echo(
        "Stopped by SIGTERM; an output folder is only ever replaced whole, so any earlier output is as it was.",
        err=True,
    )
    raise SystemExit(143)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    cli(prog_name="mtfs-align")
