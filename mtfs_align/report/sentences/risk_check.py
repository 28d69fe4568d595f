"""A risk-planned plan checked out of sample, in council English (DESIGN 4.6): the figures on the
planning futures beside those on fresh draws, and whether they differ by more than sampling error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mtfs_align.wording import chance, money

if TYPE_CHECKING:
    from mtfs_align.analysis.risk_check import OutOfSample


def out_of_sample_lines(check: OutOfSample, years: list[str]) -> list[str]:
    """In-sample and out-of-sample figures side by side, in council English."""
    p, k = check.confidence, check.in_sample.draws
    worst = f"{1 - p:.0%}".replace(".0%", "%")
    out = [
        f"Planned for delivery risk at {p:.0%} confidence over {k:,} simulated futures (seed "
        f"{check.planning.seed}), then checked on {check.fresh.draws:,} fresh ones (seed {check.risk.seed}).",
        f"  'Bad year' is the average of the worst {worst} of futures; 'still to find' is what {p:.0%} of "
        "futures stay at or below.",
        f"  {'':<9}{'Planned on':>36}{'Fresh draws':>36}",
        f"  {'Year':<9}{'bad year':>12}{'still to find':>14}{'balances':>10}"
        f"{'bad year':>12}{'still to find':>14}{'balances':>10}",
    ]
    for t, year in enumerate(years):
        out.append(
            f"  {year:<9}{money(check.in_sample.cvar_k[t]):>12}{money(check.in_sample.var_k[t]):>14}"
            f"{chance(check.in_sample.p_balanced[t]):>10}{money(check.fresh.cvar_k[t]):>12}"
            f"{money(check.fresh.var_k[t]):>14}{chance(check.fresh.p_balanced[t]):>10}"
        )
    out.append(
        f"  Chance every year balances: {chance(check.in_sample.p_balanced_all_years)} on the planning "
        f"futures, {chance(check.fresh.p_balanced_all_years)} on fresh ones."
    )
    if check.differs:
        named = ", ".join(years[t] for t in check.differs)
        more = min(10_000, max(2 * k, 1000))
        out.append(
            f"  On fresh draws the plan does differently from the futures it was planned on, by more than "
            f"sampling error, in {named}: {k:,} planning draws are too few for this council. Plan on more "
            f"(for example risk_draws: {more:,} in the scenario's policy)."
        )
    else:
        out.append("  The fresh draws agree with the planning futures within sampling error.")
    return out
