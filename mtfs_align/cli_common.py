"""What every `mtfs-align` command shares: the options (declared once, defaults from
mtfs_align.defaults), turning library errors into exit codes, the reporter that prints progress
to stderr, and which scenario and output folder a command uses. cli.py and cli_analysis.py both
build on this module and never import each other's commands."""

from __future__ import annotations

import contextlib
import functools
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from mtfs_align import defaults
from mtfs_align.errors import InputError, MtfsError, display_path
from mtfs_align.examples import default_scenario
from mtfs_align.progress import Progress, Reporter, ignore

# ---------------------------------------------------------------------------- options, declared once

# Each setting of mtfs_align.api.Settings that a command may take, as its click option. A command
# lists the ones it takes (`@setting_options("solver", "seed")`); a new setting (say --workers) is
# one entry here and one field of Settings.
SETTING_OPTIONS: dict[str, Callable] = {
    "vary": lambda: click.option(
        "--vary",
        type=click.Choice(list(defaults.FRONTIER_RANGE)),
        default=defaults.VARY,
        show_default=True,
        help="What the frontier scales: every year's gap, or the reserves available (usable less "
        "minimum, and each year's draw limit), or the confidence planned for delivery risk.",
    ),
    "start": lambda: click.option(
        "--from",
        "start",
        type=float,
        default=None,
        help="Frontier's smallest scale ("
        + ", ".join(f"default {low:g} for {vary}" for vary, (low, _) in defaults.FRONTIER_RANGE.items())
        + ").",
    ),
    "stop": lambda: click.option(
        "--to",
        "stop",
        type=float,
        default=None,
        help="Frontier's largest scale ("
        + ", ".join(f"default {high:g} for {vary}" for vary, (_, high) in defaults.FRONTIER_RANGE.items())
        + ").",
    ),
    "points": lambda: click.option(
        "--points",
        type=int,
        default=defaults.POINTS,
        show_default=True,
        help=f"Frontier points, evenly spaced ({defaults.LIMITS['points'][0]} to {defaults.LIMITS['points'][1]}).",
    ),
    "draws": lambda: click.option(
        "--draws",
        type=int,
        default=defaults.DRAWS,
        show_default=True,
        help="Delivery-risk draws (Monte Carlo); with plan_on: risk, the fresh draws the plan is checked on.",
    ),
    "samples": lambda: click.option(
        "--samples", type=int, default=defaults.SAMPLES, show_default=True, help="Weight samples for the core index."
    ),
    "seed": lambda: click.option(
        "--seed",
        type=int,
        default=defaults.SEED,
        show_default=True,
        help="Random seed of the delivery draws and the weight samples; recorded in manifest.json.",
    ),
    "concentration": lambda: click.option(
        "--concentration",
        type=float,
        default=defaults.CONCENTRATION,
        show_default=True,
        help="How closely weight samples keep to the Cabinet's weights (when the scenario gives no weight ranges).",
    ),
    "solver": lambda: click.option(
        "--solver",
        type=click.Choice(["cbc", "highs", "gurobi", "xpress", "copt"]),
        default=None,
        help="MIP solver (default highs, the faster on large councils; gurobi, xpress and copt need their "
        "extra and a licence; see docs/performance.md).",
    ),
    "time_limit": lambda: click.option(
        "--time-limit",
        type=float,
        default=None,
        help="Stop the solver after this many seconds (the plan may then not be optimal).",
    ),
    "mip_gap": lambda: click.option(
        "--mip-gap", type=float, default=None, help="Relative optimality gap for the harm stage (default 1e-4)."
    ),
    "workers": lambda: click.option(
        "--workers",
        type=int,
        default=defaults.WORKERS,
        show_default=True,
        help="Local processes solving the independent points or samples side by side; the results "
        "are the same as with 1.",
    ),
    "scheduler": lambda: click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="A running Dask distributed scheduler to spread the solves over, e.g. tcp://10.0.0.5:8786 "
        "(pip install 'mtfs-align[dask]'); the results are the same as a run on this machine.",
    ),
}
SOLVER = ("solver", "time_limit", "mip_gap")
PARALLEL = ("workers", "scheduler")  # frontier, robust, run and batch (DESIGN 6)


def setting_options(*names: str):
    """Add the options `names` to a command, listed in --help in that order."""

    def decorate(command):
        for name in reversed(names):
            command = SETTING_OPTIONS[name]()(command)
        return command

    return decorate


def settings_from(given: dict):
    """The Settings of a command's options (those it does not take keep their defaults)."""
    from mtfs_align.settings import Settings

    return Settings(**{name: given[name] for name in SETTING_OPTIONS if name in given})


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


# ---------------------------------------------------------------------------- errors and exit codes


def echo_notes(notes: list[str], quiet: bool) -> None:
    if quiet:
        return
    for text in notes:
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
                echo_notes(err.warnings, kwargs.get("quiet", False))
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


# ---------------------------------------------------------------------------- progress on stderr


class ClickReporter(Reporter):
    """Progress, notes and bars on stderr, so that stdout keeps only the results; `--quiet`
    silences all three."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True)

    def note(self, text: str) -> None:
        echo_notes([text], self.quiet)

    @contextlib.contextmanager
    def bar(self, total: int, label: str) -> Iterator[Progress]:
        with progress_bar(total, label, self.quiet) as advance:
            yield advance


@contextlib.contextmanager
def progress_bar(total: int, label: str, quiet: bool = False) -> Iterator[Progress]:
    """Yield a callable that advances a bar of `total` steps; a do-nothing callable when quiet.

    When stderr is not a terminal (a log file, a test), click shows the label once instead of
    redrawing the bar."""
    if quiet or total <= 0:
        yield ignore
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True, show_percent=True) as bar:
        yield bar.update


# ---------------------------------------------------------------------------- scenario and folder


def scenario_path(given: Path | None, quiet: bool) -> Path:
    """The scenario file given, or the bundled example (saying so, and pointing at the user's own)."""
    if given is not None:
        return given
    if not quiet:
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
                    f"This folder has scenarios/: give one, e.g. mtfs-align {command} {found[0].as_posix()}",
                    err=True,
                )
    return default_scenario()


def load(given: Path | None, reporter: ClickReporter):
    """The scenario a command works on, its warnings said as notes."""
    from mtfs_align.pipeline import scenario_from

    return scenario_from(scenario_path(given, reporter.quiet), reporter)


def target_folder(scenario, out: Path | None) -> Path:
    """--out, or outputs/<scenario>/<command>/."""
    from mtfs_align.pipeline import default_folder

    return out if out is not None else default_folder(scenario, click.get_current_context().info_name)


def finish(results, lines: list[str], target: Path) -> None:
    """Print a command's results and where they went, and exit with the results' code."""
    for line in lines:
        click.echo(line)
    click.echo(f"Results written to {display_path(target)}/")
    sys.stdout.flush()
    click.get_current_context().exit(results.exit_code)


def analyse(command: str, scenario: Path | None, out: Path | None, quiet: bool, given: dict, **arguments) -> None:
    """A command over one scenario: its settings checked, the scenario loaded, the API called, the
    terminal text printed and the exit code set."""
    from mtfs_align import api
    from mtfs_align.report.terminal import terminal_lines

    reporter = ClickReporter(quiet)
    settings = settings_from(given)
    api.check_settings(command, settings)
    sc = load(scenario, reporter)
    target = target_folder(sc, out)
    results = getattr(api, command)(sc, settings=settings, out=target, reporter=reporter, **arguments)
    finish(results, terminal_lines(results), target)
