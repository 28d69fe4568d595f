"""The briefing's words: the key messages, sentences worked out from the folder's numbers, and
the date and count words the pages use."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from mtfs_align.report.charts import frontier_slopes
from mtfs_align.results import RunResults
from mtfs_align.wording import NUMBER_WORDS, and_list, chance, money

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def briefing_date(results: RunResults) -> date:
    """The run's date: the manifest's `date` (ISO) if written, else the date of the folder's
    manifest file when the results were read from one, else today."""
    for key in ("date", "created"):
        value = results.manifest.get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
    if results.folder is None:
        return date.today()
    source = results.folder / "manifest.json"
    if not source.is_file():
        source = results.folder / "budget.csv"
    return date.fromtimestamp(source.stat().st_mtime)


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


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
    """Plain sentences worked out from the folder's numbers, most important first."""
    budget = results.tables["budget"]
    years = results.years
    first, last = years[0], years[-1]
    gap = budget["gap_k"].to_numpy(float)
    savings = budget["savings_k"].to_numpy(float)
    unidentified = budget["unidentified_k"].to_numpy(float)
    draw = budget["reserves_draw_k"].to_numpy(float)
    one_off = budget["one_off_k"].to_numpy(float)
    horizon = f"the {count_word(len(years))} years" if len(years) > 1 else first
    messages = []

    if len(years) > 1:
        messages.append(
            f"The budget gap is {money(gap[0])} in {first} and reaches {money(gap[-1])} by {last}, "
            "measured against each year's funding before savings."
        )
    else:
        messages.append(f"The budget gap in {first} is {money(gap[0])} before savings.")

    plan = results.table("plan")
    closing = float(budget["reserves_balance_k"].iloc[-1])
    lead = f"The {len(plan)} adopted savings option{'s' if len(plan) != 1 else ''}" if plan is not None else "Savings"
    sentence = (
        f"{lead} close {money(savings[0])} of it in {first}"
        + (f", rising to {money(savings[-1])} a year by {last}" if len(years) > 1 else "")
        + f"; reserves cover {money(draw.sum())} over {horizon}, leaving {money(closing)} "
        f"in usable reserves at the end of {last}."
    )
    messages.append(sentence)
    if one_off.sum() >= 0.5:
        messages[-1] += f" One-off implementation costs add {money(one_off.sum())}."

    short = [(y, u) for y, u in zip(years, unidentified, strict=True) if u >= 0.5]
    if short:
        where = and_list([f"{money(u)} in {y}" for y, u in short])
        which = short[0][0] if len(short) == 1 else "those years"
        sentence = f"Savings still to be found (unidentified): {where}, so the budget does not yet balance in {which}."
        if short[0][0] == first:
            sentence += f" The {first} budget must balance by law before it is set."
        messages.append(sentence)
    else:
        messages.append("The budget balances in every year: no savings are left to be found.")

    harm = harm_by_priority(results)
    total = sum(harm.values())
    if harm and total > 1e-9:
        names = results.priority_names
        ranked = sorted(harm.items(), key=lambda item: -item[1])
        parts = [
            f"{_share(h, total)} on {names.get(p, p).lower() if names.get(p) else p} ({p})"
            for p, h in ranked[:2]
            if h > 0
        ]
        sentence = f"Outcome harm totals {total:.1f}: " + and_list(parts) + "."
        outcomes = results.table("outcomes")
        if outcomes is not None:
            by_outcome = outcomes.groupby(["outcome", "name"], sort=False)["harm"].sum().sort_values(ascending=False)
            if len(by_outcome) and by_outcome.iloc[0] > 0:
                (oid, oname), value = by_outcome.index[0], by_outcome.iloc[0]
                sentence += f" The outcome most harmed is {oid}, {oname.rstrip('.')} ({value:.1f})."
        messages.append(sentence)
    elif harm:
        messages.append("The plan does no net harm to the corporate plan's outcomes.")

    risk = results.table("risk")
    if risk is not None:
        messages.append(_risk_message(risk, results.manifest.get("p_balanced_all_years")))

    proposal = results.table("proposal")
    if proposal is not None:
        messages.extend(_proposal_messages(proposal, horizon))

    frontier = results.table("frontier")
    if frontier is not None:
        average, _ = frontier_slopes(frontier)
        if not math.isnan(average):
            messages.append(
                f"Across the frontier of least-harm plans, each extra £1m of savings costs "
                f"{average:.2f} of outcome harm on average."
            )

    core = results.table("core_index")
    if core is not None:
        classes = core["class"].astype(str)
        n_core, n_exterior, n_borderline = (int((classes == c).sum()) for c in ("core", "exterior", "borderline"))
        messages.append(
            f"Under other plausible priority weights, {n_core} "
            f"option{' is' if n_core == 1 else 's are'} adopted almost always (core), "
            f"{n_exterior} almost never, and {n_borderline} "
            f"depend{'s' if n_borderline == 1 else ''} on the weights chosen."
        )

    activities = results.table("activities")
    if activities is not None:
        outside = activities[activities["status"].astype(str) != "within"]
        if len(outside):
            ids = list(dict.fromkeys(outside["activity"].astype(str)))
            messages.append(
                f"{len(ids)} activit{'y falls' if len(ids) == 1 else 'ies fall'} outside "
                f"{'its' if len(ids) == 1 else 'their'} budget envelope in at least one year "
                f"({', '.join(ids[:6])}{'…' if len(ids) > 6 else ''})."
            )
        else:
            messages.append("Every activity stays above its statutory floor and within its cash limit in every year.")
    breaches = results.table("breaches")
    if breaches is not None and "breach" in breaches:
        policy = breaches[~breaches["breach"].astype(str).isin(["below_floor", "above_envelope"])]
        if len(policy):
            messages.append(
                f"The plan breaks the scenario's policy in {len(policy)} "
                f"place{'s' if len(policy) != 1 else ''} (see results.xlsx, sheet breaches)."
            )
    screened = results.table("screened")
    if screened is not None:
        ids = screened["option"].astype(str).tolist()
        messages.append(
            f"{count_word(len(ids)).capitalize()} option{'s were' if len(ids) != 1 else ' was'} "
            "not considered because of "
            f"a high equality impact ({', '.join(ids)})."
        )
    return messages


def _risk_message(risk: pd.DataFrame, every: float | None) -> str:
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


def count_word(n: int) -> str:
    """`three` (a number up to ten in words, as a Cabinet paper writes it), `12`."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _proposal_messages(proposal: pd.DataFrame, horizon: str = "the horizon") -> list[str]:
    """P (the council's proposal) against B (least harm for at least P's savings every year) and
    C (most savings for no more harm than P), from proposal.csv."""
    rows = {str(r["plan"]).strip().upper(): r for _, r in proposal.iterrows()}
    out = []
    p = rows.get("P")
    if p is None:
        return out
    unidentified = float(p.get("unidentified_k", 0) or 0)
    out.append(
        f"The proposal (P) saves {money(p['savings_k'])} over {horizon} for outcome harm of "
        f"{p['harm']:.1f}" + (f", leaving {money(unidentified)} unidentified." if unidentified >= 0.5 else ".")
    )
    b = rows.get("B")
    if b is not None:
        if p["harm"] > 1e-9 and b["harm"] < p["harm"] - 1e-9:
            out.append(
                f"B, the least-harm plan that saves at least as much as P in every year, does "
                f"{(p['harm'] - b['harm']) / p['harm']:.0%} less harm ({b['harm']:.1f})."
            )
        else:
            out.append("No plan saves as much as the proposal in every year with less harm: P is on the frontier.")
    c = rows.get("C")
    if c is not None:
        extra = float(c["savings_k"]) - float(p["savings_k"])
        if extra >= 0.5:
            out.append(
                f"C, the plan with the most savings for no more harm than P, saves "
                f"{money(extra)} more ({money(c['savings_k'])} over {horizon})."
            )
    return out
