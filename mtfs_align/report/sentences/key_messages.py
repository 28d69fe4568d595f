"""The briefing's key messages, most important first, each worked out by a function of its own
from the results' tables (never from files): the gap, how savings and reserves close it, what is
still to be found, outcome harm, delivery risk, the proposal, the frontier, the core index, the
budget envelopes, policy breaches and the options screened out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mtfs_align.report.charts import frontier_slopes
from mtfs_align.report.sentences.frontier import per_million
from mtfs_align.report.sentences.phrases import harm_figure, short_years, unfunded
from mtfs_align.report.sentences.proposal import proposal_messages
from mtfs_align.report.sentences.robust import core_index_counts, core_index_message
from mtfs_align.results import RunResults
from mtfs_align.wording import NUMBER_WORDS, and_list, chance, money, share, summed_over

HARM_DIGITS = 1  # the briefing gives outcome harm to one decimal


def count_word(n: int) -> str:
    """`three` (a number up to ten in words, as a Cabinet paper writes it), `12`."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def gap_message(gap_k: np.ndarray, years: list[str]) -> str:
    if len(years) > 1:
        return (
            f"The budget gap is {money(gap_k[0])} in {years[0]} and reaches {money(gap_k[-1])} by {years[-1]}, "
            "measured against each year's funding before savings."
        )
    return f"The budget gap in {years[0]} is {money(gap_k[0])} before savings."


def savings_message(budget: pd.DataFrame, years: list[str], options: int | None) -> str:
    """How savings (their first and last year's levels) and reserves (summed over the horizon, and
    said so) close the gap, and the usable reserves left."""
    savings = budget["savings_k"].to_numpy(float)
    draw = float(budget["reserves_draw_k"].sum())
    one_off = float(budget["one_off_k"].sum())
    closing = float(budget["reserves_balance_k"].iloc[-1])
    first, last = years[0], years[-1]
    lead = f"The {options} adopted savings option{'s' if options != 1 else ''}" if options is not None else "Savings"
    drawn = f"{money(draw)}{summed_over(len(years))}" if len(years) > 1 else f"{money(draw)} in {first}"
    sentence = (
        f"{lead} {'closes' if options == 1 else 'close'} {money(savings[0])} of it in {first}"
        + (f", rising to {money(savings[-1])} a year by {last}" if len(years) > 1 else "")
        + f"; reserves cover {drawn}, leaving {money(closing)} in usable reserves at the end of {last}."
    )
    if one_off >= 0.5:
        sentence += f" One-off implementation costs add {money(one_off)}{summed_over(len(years))}."
    return sentence


def unfunded_message(unidentified_k: np.ndarray, years: list[str]) -> str:
    """Savings still to be found, the last year's level first (an MTFS's way), the total said to
    be summed over the years."""
    short = short_years(unidentified_k, years)
    if not short:
        return "The budget balances in every year: no savings are left to be found."
    sentence = f"The budget does not yet balance: {unfunded(unidentified_k, years)}."
    if short[0] == years[0]:
        sentence += f" The {years[0]} budget must balance by law before it is set."
    return sentence


def harm_message(harm: dict[str, float], names: dict[str, str], outcomes: pd.DataFrame | None, n_years: int) -> str:
    """Outcome harm over the horizon and where it falls. Options carry benefits as well as harms:
    shares of the total only when no priority's net figure is a benefit (a share of a net total
    can pass 100%), else each priority's own figure; a net total at or below zero said as such."""
    total = sum(harm.values())
    over = f"over {'the year' if n_years == 1 else f'the {count_word(n_years)} years'}"

    def named(p: str) -> str:
        return f"{names[p].lower()} ({p})" if names.get(p) else p

    if round(total, HARM_DIGITS) <= 0:
        if round(total, HARM_DIGITS) < 0:
            return (
                f"The plan's options do more good than harm to the corporate plan's outcomes {over}: "
                f"a net benefit of {harm_figure(-total, HARM_DIGITS)}."
            )
        return "The plan does no net harm to the corporate plan's outcomes."
    ranked = sorted(harm.items(), key=lambda item: -item[1])
    if all(h >= 0 for h in harm.values()):
        parts = [f"{share(h / total)} on {named(p)}" for p, h in ranked[:2] if h > 0]
    else:
        parts = [
            f"{harm_figure(h, HARM_DIGITS)} on {named(p)}"
            if h >= 0
            else f"a net benefit of {harm_figure(-h, HARM_DIGITS)} to {named(p)}"
            for p, h in ranked
            if round(h, HARM_DIGITS) != 0
        ]
    sentence = f"Outcome harm {over} totals {harm_figure(total, HARM_DIGITS)}: " + and_list(parts) + "."
    if outcomes is not None:
        by_outcome = outcomes.groupby(["outcome", "name"], sort=False)["harm"].sum().sort_values(ascending=False)
        if len(by_outcome) and round(by_outcome.iloc[0], HARM_DIGITS) > 0:
            (oid, oname), value = by_outcome.index[0], by_outcome.iloc[0]
            sentence += f" The outcome most harmed is {oid}, {oname.rstrip('.')} ({harm_figure(value, HARM_DIGITS)})."
    return sentence


def risk_message(risk: pd.DataFrame, every: float | None) -> str:
    """Delivery risk in one sentence, from risk.csv (and the manifest's chance that every year
    balances)."""
    p = risk["p_balanced"].to_numpy(float)
    p95 = risk["p95_k"].to_numpy(float)
    years = risk["year"].astype(str).tolist()
    lead = "Allowing for delivery risk (late starts and part-delivery)"
    order = np.lexsort((-p95, p))  # the weakest year; among equals, the one with most to find
    worst, deepest = int(order[0]), int(np.argmax(p95))
    if p.max() < 0.05:
        never = "in any simulated outcome" if p.max() == 0 else f"in more than {chance(p.max())} of outcomes"
        return (
            f"{lead}, the plan almost never balances: no year balances {never}, and in {years[deepest]} "
            f"there is a 1-in-20 chance of {money(p95[deepest])} or more still to find."
        )
    if every is not None:
        lead += f", the budget balances in every year in {chance(float(every))} of simulated outcomes"
    if p.min() >= 0.95:
        return f"{lead}; each year balances with at least {chance(p.min())} probability."
    return (
        f"{lead}; {years[worst]} is the weakest year, balancing in {chance(p[worst])} of outcomes, "
        f"with a 1-in-20 chance of {money(p95[worst])} or more still to find."
    )


def frontier_message(average_per_million: float) -> str | None:
    """What each extra £1m of savings costs in harm along the frontier, on average (a benefit said
    as one: `frontier.per_million`)."""
    if math.isnan(average_per_million):
        return None
    change = per_million(average_per_million)
    return f"Across the frontier of least-harm plans, each extra £1m of savings {change} on average."


def envelope_message(activities: pd.DataFrame) -> str:
    outside = activities[activities["status"].astype(str) != "within"]
    if not len(outside):
        return "Every activity stays above its statutory floor and within its cash limit in every year."
    ids = list(dict.fromkeys(outside["activity"].astype(str)))
    return (
        f"{len(ids)} activit{'y falls' if len(ids) == 1 else 'ies fall'} outside "
        f"{'its' if len(ids) == 1 else 'their'} budget envelope in at least one year "
        f"({', '.join(ids[:6])}{'…' if len(ids) > 6 else ''})."
    )


def policy_breach_message(breaches: pd.DataFrame) -> str | None:
    policy = breaches[~breaches["breach"].astype(str).isin(["below_floor", "above_envelope"])]
    if not len(policy):
        return None
    return (
        f"The plan breaks the scenario's policy in {len(policy)} "
        f"place{'s' if len(policy) != 1 else ''} (see results.xlsx, sheet breaches)."
    )


def screened_message(option_ids: list[str]) -> str:
    return (
        f"{count_word(len(option_ids)).capitalize()} option{'s were' if len(option_ids) != 1 else ' was'} "
        f"not considered because of a high equality impact ({', '.join(option_ids)})."
    )


def harm_by_priority(results: RunResults) -> dict[str, float]:
    """Harm over the horizon by priority: the manifest's figures, else summed from outcomes.csv."""
    given = results.manifest.get("harm_by_priority")
    if isinstance(given, dict) and given:
        return {str(p): float(h) for p, h in given.items()}
    outcomes = results.table("outcomes")
    if outcomes is None:
        return {}
    return {str(p): float(h) for p, h in outcomes.groupby("priority", sort=False)["harm"].sum().items()}


def key_messages(results: RunResults) -> list[str]:
    """Plain sentences worked out from the results' tables, most important first."""
    budget = results.tables["budget"]
    years = results.years
    plan = results.table("plan")
    messages = [
        gap_message(budget["gap_k"].to_numpy(float), years),
        savings_message(budget, years, None if plan is None else len(plan)),
        unfunded_message(budget["unidentified_k"].to_numpy(float), years),
    ]
    harm = harm_by_priority(results)
    if harm:
        messages.append(harm_message(harm, results.priority_names, results.table("outcomes"), len(years)))
    risk = results.table("risk")
    if risk is not None:
        messages.append(risk_message(risk, results.manifest.get("p_balanced_all_years")))
    proposal = results.table("proposal")
    if proposal is not None:
        messages.extend(proposal_messages(proposal, years, results.table("proposal/budget"), HARM_DIGITS))
    frontier = results.table("frontier")
    if frontier is not None:
        average, _ = frontier_slopes(frontier)
        message = frontier_message(average)
        if message:
            messages.append(message)
    core = results.table("core_index")
    screened = results.table("screened")
    screened_ids = [] if screened is None else screened["option"].astype(str).tolist()
    if core is not None:
        withdrawn = results.manifest.get("withdrawn") or []
        messages.append(core_index_message(core_index_counts(core, withdrawn, screened_ids)))
    activities = results.table("activities")
    if activities is not None:
        messages.append(envelope_message(activities))
    breaches = results.table("breaches")
    if breaches is not None and "breach" in breaches:
        message = policy_breach_message(breaches)
        if message:
            messages.append(message)
    if screened_ids:
        messages.append(screened_message(screened_ids))
    return messages
