"""The proposal against the optimum in sentences (DESIGN 4.5): plan B, the least-harm plan that
saves at least as much as the proposal in every year, and plan C, the plan that saves most for no
more harm. The terminal words them from the analysis's evaluations, the briefing from
proposal.csv (and the proposal's own budget.csv), with the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from mtfs_align.report.sentences.phrases import (
    HARM_DIGITS,
    harm_amount,
    harm_change,
    harm_figure,
    unfunded,
    unfunded_total,
)
from mtfs_align.wording import count, money, summed_over, years_phrase

if TYPE_CHECKING:
    from mtfs_align.analysis.proposal import ProposalResult
    from mtfs_align.evaluate import Evaluation

HARM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class PlanFigures:
    """What a sentence needs of P, B or C: totals over the horizon, and by year where known."""

    savings_k: float  # summed over the horizon
    harm: float
    unidentified_k: float  # summed over the horizon
    last_savings_k: float | None = None  # the savings level of the last year
    unidentified_by_year: tuple[float, ...] | None = None

    @classmethod
    def of(cls, ev: Evaluation) -> PlanFigures:
        budget = ev.budget
        return cls(
            savings_k=float(budget["savings_k"].sum()),
            harm=float(ev.harm),
            unidentified_k=float(budget["unidentified_k"].sum()),
            last_savings_k=float(budget["savings_k"].iloc[-1]),
            unidentified_by_year=tuple(float(u) for u in budget["unidentified_k"]),
        )

    def unfunded(self, years: list[str]) -> str:
        if self.unidentified_by_year is not None:
            return unfunded(self.unidentified_by_year, years)
        return unfunded_total(self.unidentified_k, len(years))


def breaches_sentence(breaches: int) -> str:
    return (
        f"The proposal breaks the scenario's rules in {count(breaches, 'place')} (see breaches.csv); "
        "the optimised plans B and C keep to every one."
    )


def _leaves_more(name: str, plan: PlanFigures, proposal: PlanFigures, years: list[str]) -> str:
    """', but it leaves ... where the proposal leaves ...' when the plan leaves more savings
    unfunded than the proposal: a plan never looks better on harm without saying so."""
    if plan.unidentified_k < proposal.unidentified_k + 0.5:
        return ""
    return f", but {name} leaves {plan.unfunded(years)}, where the proposal leaves {proposal.unfunded(years)}"


def least_harm_sentence(
    proposal: PlanFigures,
    least_harm: PlanFigures | None,
    years: list[str],
    broken: bool,
    digits: int = HARM_DIGITS,
    named: str = "the proposal",
) -> str:
    """Plan B against the proposal (`named` as the reader knows it: 'the proposal', or 'P' in the
    briefing): what the same savings (at least, every year) cost in harm."""
    if least_harm is None:
        return (
            "No plan that keeps to every constraint saves at least as much as the proposal in every "
            "year, so there is no like-for-like plan to compare its outcome harm with."
        )
    if least_harm.harm < proposal.harm - HARM_TOLERANCE:
        change = harm_change(proposal.harm, least_harm.harm, digits)
        return (
            f"For at least {named}'s savings in every year, plan B {change}"
            + _leaves_more("plan B", least_harm, proposal, years)
            + "."
        )
    if broken and least_harm.harm > proposal.harm + HARM_TOLERANCE:
        return (
            "Keeping to every constraint costs harm: plan B, the least-harm plan that does and saves at least "
            f"as much as the proposal in every year, has {harm_amount(least_harm.harm, digits)}, where the "
            f"proposal has {harm_amount(proposal.harm, digits)}."
        )
    return (
        "No plan that saves at least as much as the proposal in every year has less outcome harm: "
        "for its savings, the proposal is already the least-harm plan."
    )


def most_savings_sentence(
    proposal: PlanFigures, most_savings: PlanFigures | None, years: list[str], digits: int = HARM_DIGITS
) -> str:
    """Plan C against the proposal: what no more harm could save. The last year's levels lead
    where they are known, as an MTFS does; the extra is summed over the horizon, and said so."""
    if most_savings is None:
        return (
            f"No plan that keeps to every constraint has as little outcome harm as the proposal "
            f"({harm_figure(proposal.harm, digits)}), so there is no plan to compare its savings with."
        )
    extra = most_savings.savings_k - proposal.savings_k
    if extra < 0.5:
        return f"No plan with no more outcome harm than the proposal saves more over {years_phrase(len(years))}."
    over = summed_over(len(years))
    totals = f"{money(most_savings.savings_k)} against {money(proposal.savings_k)}"
    if len(years) == 1:
        sentence = f"For no more harm, plan C saves {money(extra)} more in {years[0]} ({totals})"
    elif most_savings.last_savings_k is not None and proposal.last_savings_k is not None:
        sentence = (
            f"For no more harm, plan C saves {money(most_savings.last_savings_k)} a year by {years[-1]} "
            f"(the proposal {money(proposal.last_savings_k)}), {money(extra)} more{over} ({totals})"
        )
    else:
        sentence = f"For no more harm, plan C saves {money(extra)} more{over} ({totals})"
    return sentence + _leaves_more("plan C", most_savings, proposal, years) + "."


def proposal_lines(result: ProposalResult) -> list[str]:
    """The terminal's sentences on the proposal against B and C."""
    years = result.proposal.model.years
    proposal = PlanFigures.of(result.proposal)
    least_harm = None if result.least_harm is None else PlanFigures.of(result.least_harm)
    most_savings = None if result.most_savings is None else PlanFigures.of(result.most_savings)
    broken = len(result.proposal.breaches)
    lines = [breaches_sentence(broken)] if broken else []
    lines.append(least_harm_sentence(proposal, least_harm, years, bool(broken)))
    lines.append(most_savings_sentence(proposal, most_savings, years))
    return lines


def proposal_summary(proposal: PlanFigures, years: list[str], digits: int = 1) -> str:
    """The briefing's first sentence on the proposal (P): its savings and its harm."""
    over = summed_over(len(years))
    if len(years) > 1 and proposal.last_savings_k is not None:
        saves = f"{money(proposal.last_savings_k)} a year by {years[-1]} ({money(proposal.savings_k)}{over})"
    else:
        saves = f"{money(proposal.savings_k)}{over}" if len(years) > 1 else f"{money(proposal.savings_k)} in {years[0]}"
    sentence = f"The proposal (P) saves {saves} for {harm_amount(proposal.harm, digits)}"
    if proposal.unidentified_k >= 0.5:
        sentence += f", leaving {proposal.unfunded(years)}"
    return sentence + "."


def _figures(row: pd.Series) -> PlanFigures | None:
    if pd.isna(row.get("savings_k")) or pd.isna(row.get("harm")):
        return None
    unidentified = row.get("unidentified_k")
    return PlanFigures(
        savings_k=float(row["savings_k"]),
        harm=float(row["harm"]),
        unidentified_k=0.0 if pd.isna(unidentified) else float(unidentified),
    )


def proposal_messages(
    proposal: pd.DataFrame, years: list[str], proposal_budget: pd.DataFrame | None = None, digits: int = 1
) -> list[str]:
    """The briefing's messages on P, B and C, from proposal.csv; the proposal's own budget.csv, when
    the folder has it, gives its last year's level and the years it leaves short."""
    rows = {str(r["plan"]).strip().upper(): r for _, r in proposal.iterrows()}
    if rows.get("P") is None:
        return []
    p = _figures(rows["P"])
    if p is None:
        return []
    if proposal_budget is not None and len(proposal_budget) == len(years):
        p = PlanFigures(
            savings_k=p.savings_k,
            harm=p.harm,
            unidentified_k=p.unidentified_k,
            last_savings_k=float(proposal_budget["savings_k"].iloc[-1]),
            unidentified_by_year=tuple(float(u) for u in proposal_budget["unidentified_k"]),
        )
    out = [proposal_summary(p, years, digits)]
    if "B" in rows:
        out.append(least_harm_sentence(p, _figures(rows["B"]), years, broken=False, digits=digits, named="P"))
    if "C" in rows:
        out.append(most_savings_sentence(p, _figures(rows["C"]), years, digits=digits))
    return out
