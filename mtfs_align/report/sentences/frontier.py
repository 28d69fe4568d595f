"""The frontier in council English for the terminal (DESIGN 4.5, 4.6): `frontier_lines` for a
frontier of the gap or the reserves, and the confidence frontier's own table."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from mtfs_align.report.sentences.phrases import harm_amount
from mtfs_align.wording import money, summed_over, years_phrase

if TYPE_CHECKING:
    from mtfs_align.analysis.frontier import FrontierResult


def frontier_lines(result: FrontierResult) -> list[str]:
    """The frontier in council English for the terminal."""
    if result.vary == "confidence":
        return _confidence_lines(result)
    table = result.table
    model = result.current.evaluation.model
    what = "gap" if result.vary == "gap" else "reserves available"
    scales = table["scale"].to_numpy()
    over = years_phrase(model.n)
    out = [
        f"Frontier: the {what} scaled from {scales[0]:g}x to {scales[-1]:g}x, {len(table)} points, each "
        f"re-optimised exactly ({result.solves} solves).",
        f"  {'Scale':>6}{'Savings':>11}{'Harm':>9}{'Unidentified':>14}{'Reserves drawn':>16}",
    ]
    for _, row in table.iterrows():
        out.append(
            f"  {row['scale']:>5.2f}x{money(row['savings_k']):>11}{row['harm']:>9.2f}"
            f"{money(row['unidentified_k']):>14}{money(row['reserves_draw_k']):>16}"
        )
    out.append(f"  (Savings are summed over {over}; harm is outcome harm over {over}.)")
    pair = _below_one(scales)
    if pair is not None:
        lo, hi = pair
        d_savings = (table["savings_k"].iloc[hi] - table["savings_k"].iloc[lo]) / 1000
        d_harm = table["harm"].iloc[hi] - table["harm"].iloc[lo]
        balanced = table["unidentified_k"].iloc[[lo, hi]].max() < 0.5
        if balanced and abs(d_savings) >= 0.001:
            out.append(
                f"Near the scenario as it is ({scales[lo]:g}x to {scales[hi]:g}x the {what}), each extra £1m "
                f"of savings {per_million(d_harm / d_savings)}."
            )
    short = np.flatnonzero(table["unidentified_k"].to_numpy() >= 0.5)
    if len(short):
        if short[0] > 0 and short[-1] == len(scales) - 1 and len(short) == len(scales) - short[0]:
            where = f"at {scales[short[0]]:g}x the {what} and above"
        elif short[0] == 0 and short[-1] == len(short) - 1 and short[-1] < len(scales) - 1:
            where = f"at {scales[short[-1]]:g}x the {what} and below"
        else:
            where = "at " + ", ".join(f"{scales[i]:g}x" for i in short) + f" the {what}"
        out.append(
            f"The budget cannot balance every year {where}: at worst "
            f"{money(table['unidentified_k'].max())} of savings are still to be found."
        )
    out.append(scenario_as_it_stands(result.current.evaluation))
    if result.status != "optimal":
        out.append("The solver stopped at the time limit at one or more points: those may not be optimal.")
    return out


def scenario_as_it_stands(ev) -> str:
    """The optimised plan of the scenario as it is: the last year's savings level first, as an
    MTFS gives it, then the total summed over the horizon, and its harm (a net benefit said so)."""
    savings = ev.budget["savings_k"].to_numpy(float)
    years = ev.model.years
    if len(years) == 1:
        saves = f"{money(savings[0])} in {years[0]}"
    else:
        saves = f"{money(savings[-1])} a year by {years[-1]} ({money(savings.sum())}{summed_over(len(years))})"
    return f"As the scenario stands, the optimised plan saves {saves}, with {harm_amount(ev.harm)}."


def per_million(harm_per_million: float) -> str:
    """What an extra £1m of savings does to harm, as a verb phrase; a slope at or below zero
    (options with benefits) is said as what it is, never as a cost."""
    figure = round(harm_per_million, 2)
    if figure > 0:
        return f"costs {harm_per_million:.2f} of outcome harm"
    if figure < 0:
        return f"lowers net outcome harm by {-harm_per_million:.2f}"
    return "costs no extra outcome harm"


def frontier_finding(average: float, top: float) -> str:
    """The frontier chart's title: the average cost of an extra £1m, and the steepest where it is
    steeper by a tenth."""
    if math.isnan(average):
        return "Savings against outcome harm"
    finding = f"Each extra £1m of savings {per_million(average)} on average"
    if average > 0 and top > average * 1.1:
        finding += f", rising to {top:.2f} at the top of the range"
    return finding


def certainty_change(high: float, low: float, d_harm: float, over: str = "") -> str:
    """Planning for more futures: what it adds to (or removes from) outcome harm."""
    lead = f"Planning for {high:.0%} of futures rather than {low:.0%}"
    if d_harm >= 0.005:
        return f"{lead} adds {d_harm:.2f} of outcome harm{over}"
    if d_harm <= -0.005:
        return f"{lead} removes {-d_harm:.2f} of outcome harm{over}"
    return f"{lead} costs no extra outcome harm"


def _below_one(scales: np.ndarray) -> tuple[int, int] | None:
    """Indices of the segment of the frontier that ends at the scenario as it is (scale 1): the
    point at or just above 1 and the one before it."""
    at_or_above = np.flatnonzero(scales >= 1 - 1e-12)
    if len(at_or_above) == 0:
        return len(scales) - 2, len(scales) - 1
    hi = max(int(at_or_above[0]), 1)
    return hi - 1, hi


def _confidence_lines(result: FrontierResult) -> list[str]:
    """The confidence frontier (DESIGN 4.6): what each step of certainty costs in outcome harm."""
    table = result.table
    model = result.current.evaluation.model
    over = years_phrase(model.n)
    first, last = model.years[0], model.years[-1]
    out = [
        f"Confidence frontier: the plan re-planned for delivery risk at {len(table)} confidences, from "
        f"{table['scale'].iloc[0]:.0%} to {table['scale'].iloc[-1]:.0%} ({result.solves} solves, "
        f"{model.scenario.policy.risk_draws:,} simulated futures).",
        f"  {'Confidence':>10}{'Savings':>11}{'Harm':>9}{'Bad year ' + first:>20}{'Bad year ' + last:>20}",
    ]
    for _, row in table.iterrows():
        out.append(
            f"  {row['scale']:>10.0%}{money(row['savings_k']):>11}{row['harm']:>9.2f}"
            f"{money(row[f'cvar_{first}']):>20}{money(row[f'cvar_{last}']):>20}"
        )
    out.append(
        f"  ('Bad year' is the average savings still to be found in the worst share of futures left out "
        f"by the confidence; savings are summed over {over}, at expected delivery.)"
    )
    low, high = table.iloc[0], table.iloc[-1]
    out.append(certainty_change(high["scale"], low["scale"], high["harm"] - low["harm"], f" over {over}") + ".")
    if result.status != "optimal":
        out.append("The solver stopped at the time limit at one or more points: those may not be optimal.")
    return out
