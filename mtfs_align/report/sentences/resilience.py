"""The Section 25 statement (Local Government Act 2003, s25: the robustness of the estimates and
the adequacy of reserves) in plain council English, built from `resilience.csv` (DESIGN 4.6), and
the "what certainty costs" sentence that sets a risk-planned optimum beside the deterministic one.

Three cases, each with its own sentences:

- reserves adequate: at the confidence p, once reserves above the minimum have covered what they
  can, every year is left with nothing to find (`shortfall_at_confidence_k` under £500 every year);
- a shortfall remains: the years and amounts still to identify, as further savings or one-off
  funding;
- no plan reaches the confidence: the same, when the plan is the one chosen to leave least to find
  in a bad year (`plan_on: risk`), so the options on the table cannot close it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mtfs_align.evaluate import TOLERANCE_K
from mtfs_align.wording import NUMBER_WORDS, and_list, money, percent, summed_over, years_phrase

S25 = "Local Government Act 2003, section 25"


def _by_year(amounts: list[tuple[str, float]], after_first: str = "") -> str:
    """'£2.0m in 2021/22 and £1.1m in 2024/25' ('£2.0m to find in 2021/22 ...' with `after_first`)."""
    parts = [f"{money(value)}{after_first if i == 0 else ''} in {year}" for i, (year, value) in enumerate(amounts)]
    return and_list(parts)


def section25_sentences(table: pd.DataFrame, confidence: float, best_possible: bool = False) -> list[str]:
    """The statement on the robustness of the estimates and adequacy of reserves, from a
    resilience table (`resilience.csv`) at `confidence`.

    `best_possible` says the plan is the one chosen to leave least to find in a bad year
    (`plan_on: risk`): a shortfall that remains is then one the options available cannot close."""
    years = table["year"].astype(str).tolist()
    short = table["shortfall_at_confidence_k"].to_numpy(float)
    var_k = table["var_k"].to_numpy(float)
    cvar_k = table["cvar_k"].to_numpy(float)
    cover = table["p95_cover_used_k"].to_numpy(float)
    low = table["p5_reserves_balance_k"].to_numpy(float)
    pct = percent(confidence)
    worst = percent(1.0 - confidence)
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else years[0]
    out: list[str] = []

    gaps = [t for t in range(len(years)) if short[t] >= TOLERANCE_K]
    if not gaps:
        out.append(
            f"With {pct} confidence the plan balances every year from {span} once reserves above the "
            f"minimum have covered late and part-delivered savings: in each year at least {pct} of the "
            "simulated futures leave nothing to find."
        )
        out.append(
            f"On these estimates reserves are adequate for the plan's delivery risk at {pct} confidence, "
            "and the council has nothing further to identify."
        )
    else:
        left = _by_year([(years[t], var_k[t]) for t in range(len(years)) if var_k[t] >= TOLERANCE_K], " to find")
        still = _by_year([(years[t], short[t]) for t in gaps])
        total = money(float(short[gaps].sum()))
        over = _summed_over(len(gaps), len(years))
        if best_possible:
            out.append(
                f"Even the plan chosen to leave least to find in a bad year does not balance every year at "
                f"{pct} confidence from the savings options available: once reserves above the minimum "
                f"have covered what they can, it leaves no more than {left}."
            )
            out.append(
                f"The options on the table cannot close this: the council must identify new savings or "
                f"one-off funding of {still}" + (f" ({total} summed over {over})." if len(gaps) > 1 else ".")
            )
        else:
            out.append(
                f"With {pct} confidence, once reserves above the minimum have covered what they can, the "
                f"plan leaves no more than {left}."
            )
            out.append(
                f"Reserves are not enough to cover the plan's delivery risk at {pct} confidence: the council "
                f"must still identify further savings or one-off funding of {still}"
                + (f" ({total} summed over {over})." if len(gaps) > 1 else ".")
            )
        if any(short[t] < var_k[t] - TOLERANCE_K for t in gaps):
            out.append(
                "A later year needs less than it has left to find because the money found for an earlier "
                "year leaves reserves in hand."
            )
        if gaps[0] == 0:
            out.append(
                f"The {years[0]} budget must balance by law, so its {money(short[0])} is needed before "
                "the budget is set."
            )

    deepest = int(np.argmax(cvar_k))
    if cvar_k[deepest] >= TOLERANCE_K:
        out.append(
            f"In the worst {worst} of futures an average of {money(cvar_k[deepest])} is left to find in "
            f"{years[deepest]}."
        )
    busiest, lowest = int(np.argmax(cover)), int(np.argmin(low))
    if cover[busiest] >= TOLERANCE_K:
        out.append(
            f"In a bad year (1 future in 20) the plan draws {money(cover[busiest])} of reserves in "
            f"{years[busiest]}, and reserves fall to {money(low[lowest])} by the end of {years[lowest]}."
        )
    else:
        out.append(
            f"The plan draws no reserves even in a bad year (1 future in 20); reserves stay at "
            f"{money(low[lowest])} or more."
        )
    return out


def section25_paragraph(table: pd.DataFrame, confidence: float, best_possible: bool = False) -> str:
    return " ".join(section25_sentences(table, confidence, best_possible))


def _values(values: Mapping[str, float] | Sequence[float] | np.ndarray, years: list[str]) -> list[float]:
    if isinstance(values, Mapping):
        return [float(values[y]) for y in years]
    values = [float(v) for v in values]
    if len(values) != len(years):
        raise ValueError(f"{len(values)} values for {len(years)} years")
    return values


def certainty_cost_sentence(
    deterministic_harm: float,
    risk_harm: float,
    deterministic_cvar_by_year: Mapping[str, float] | Sequence[float],
    risk_cvar_by_year: Mapping[str, float] | Sequence[float],
    years: Sequence[str],
    confidence: float | None = None,
) -> str:
    """What certainty costs, in one sentence: the risk-planned optimum's outcome harm against the
    deterministic optimum's, and what each leaves to find in a bad year (CVaR), year by year. The
    CVaR figures are lists in the order of `years`, or mappings from year to value."""
    years = [str(y) for y in years]
    before = _values(deterministic_cvar_by_year, years)
    after = _values(risk_cvar_by_year, years)
    change = risk_harm - deterministic_harm
    if change >= 0.005:
        harm = f"adds {change:.2f} to outcome harm"
    elif change <= -0.005:
        harm = f"reduces outcome harm by {-change:.2f}"
    else:
        harm = "costs no extra outcome harm"
    at = f" at {percent(confidence)} confidence" if confidence is not None else ""
    bad = (
        f"in a bad year (the average of the worst {percent(1 - confidence)} of futures)"
        if confidence is not None
        else "in a bad year"
    )
    lead = (
        f"Planning for delivery risk{at} {harm}{summed_over(len(years))} ({risk_harm:.2f} against "
        f"{deterministic_harm:.2f} for the plan that assumes expected delivery)"
    )
    cuts = [
        f"from {money(b)} to {money(a)} in {y}"
        for y, b, a in zip(years, before, after, strict=True)
        if b - a >= TOLERANCE_K
    ]
    rises = [
        f"from {money(b)} to {money(a)} in {y}"
        for y, b, a in zip(years, before, after, strict=True)
        if a - b >= TOLERANCE_K
    ]
    if not cuts and not rises:
        if max(before + after) < TOLERANCE_K:
            return f"{lead}; neither plan leaves anything to find {bad}."
        return f"{lead} and leaves what is left to find {bad} unchanged."
    text = lead
    if cuts:
        text += f" and cuts what is left to find {bad} {and_list(cuts)}"
        if rises:
            text += f", though it rises {and_list(rises)}"
    else:
        text += f" and raises what is left to find {bad} {and_list(rises)}"
    return text + "."


def _summed_over(years_short: int, horizon: int) -> str:
    """'the four years' when every year is short, else 'those two years' (a total over years is
    always said to be one)."""
    if years_short == horizon:
        return years_phrase(horizon)
    return f"those {NUMBER_WORDS[years_short] if years_short < len(NUMBER_WORDS) else years_short} years"
