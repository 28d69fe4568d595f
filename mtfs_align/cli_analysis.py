"""The `frontier` and `robust` commands (DESIGN 4.5, 6): thin click commands over mtfs_align.api.
They build on cli_common only; cli.py adds them to the `mtfs-align` group."""

from __future__ import annotations

from pathlib import Path

import click

from mtfs_align.cli_common import PARALLEL, SOLVER, analyse, common_options, handled, scenario_argument, setting_options


@click.command()
@scenario_argument
@setting_options("vary", "start", "stop", "points", *SOLVER, "seed", *PARALLEL)
@common_options
@handled
def frontier(scenario: Path | None, out: Path | None, quiet: bool, debug: bool, **given) -> None:
    """What each extra £m of savings costs in outcome harm: the optimum re-solved as the gap (or the
    reserves available) is scaled. With a proposed plan in the scenario, also the
    least-harm plan for its savings and the most savings for its harm."""
    analyse("frontier", scenario, out, quiet, given)


@click.command()
@scenario_argument
@setting_options("samples", "seed", "concentration", *SOLVER, *PARALLEL)
@common_options
@handled
def robust(scenario: Path | None, out: Path | None, quiet: bool, debug: bool, **given) -> None:
    """Which options are safe choices whatever the exact priority weights: each option's core
    index over re-optimisations with sampled weights."""
    analyse("robust", scenario, out, quiet, given)
