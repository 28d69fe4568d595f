"""`evaluate`: a plan, year by year (DESIGN 4.3), as one `Evaluation` holding every table the tool
reports about it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtfs_align import constraints
from mtfs_align.evaluate.activities import activity_table
from mtfs_align.evaluate.budget import TOLERANCE_K, clean, order_plan, plan_arrays, settle_reserves
from mtfs_align.evaluate.options import plan_table, savings_summary_table, screened_table
from mtfs_align.evaluate.outcomes import alignment_table, harm_by_outcome_year, outcome_table
from mtfs_align.evaluate.policy import BREACH_COLUMNS, policy_breach_rows
from mtfs_align.model import Model


@dataclass
class Evaluation:
    """Everything known about one plan under one scenario."""

    model: Model
    plan: dict[str, int]
    budget: pd.DataFrame
    activities: pd.DataFrame
    plan_table: pd.DataFrame
    outcomes: pd.DataFrame
    alignment: pd.DataFrame
    savings_summary: pd.DataFrame
    breaches: pd.DataFrame
    screened: pd.DataFrame
    harm: float
    harm_by_priority: dict[str, float]
    reserves_draw_k: float
    unidentified_k: float
    objective: float
    savings_by_year: np.ndarray = field(repr=False, default=None)

    @property
    def balanced_every_year(self) -> bool:
        return bool((self.budget["balanced"] == "yes").all())

    @property
    def envelope_breaches(self) -> pd.DataFrame:
        return self.breaches[self.breaches["breach"].isin(constraints.ENVELOPE_BREACHES)]

    @property
    def policy_breaches(self) -> pd.DataFrame:
        return self.breaches[~self.breaches["breach"].isin(constraints.ENVELOPE_BREACHES)]

    @property
    def exit_code(self) -> int:
        """0 when the plan balances every year with no breach; 1 otherwise (DESIGN 6)."""
        return 0 if self.balanced_every_year and self.breaches.empty else 1

    @property
    def status(self) -> str:
        if self.exit_code == 0:
            return "balanced"
        return "breach" if not self.breaches.empty else "unbalanced"


def evaluate(model: Model, plan: dict[str, int]) -> Evaluation:
    """Evaluate a plan (option -> start year index) exactly as DESIGN 4.3 says."""
    sc = model.scenario
    plan = order_plan(model, plan)
    n, years = model.n, model.years
    options, starts = plan_arrays(model, plan)
    nominal = model.nominal[options, starts, :] if len(options) else np.zeros((0, n))
    counted = model.counted[options, starts, :] if len(options) else np.zeros((0, n))

    savings = counted.sum(axis=0)
    one_off = np.zeros(n)
    np.add.at(one_off, starts, model.one_off[options])
    gap = model.gap
    gap_after = gap - savings + one_off
    res = settle_reserves(gap_after, sc.reserves.usable_k, sc.reserves.minimum_k, sc.reserves.max_draw_k)
    unidentified = clean(res.unidentified)
    budget = pd.DataFrame(
        {
            "year": years,
            "funding_k": model.funding,
            "need_k": model.need_council,
            "gap_k": gap,
            "gap_change_k": np.diff(np.concatenate([[0.0], gap])),
            "savings_k": savings,
            "one_off_k": one_off,
            "gap_after_savings_k": gap_after,
            "reserves_opening_k": res.opening,
            "reserves_draw_k": res.draw,
            "reserves_paid_k": res.paid,
            "reserves_balance_k": res.closing,
            "unidentified_k": unidentified,
            "balanced": np.where(unidentified < TOLERANCE_K, "yes", "no"),
        }
    )

    n_act = len(model.activity_ids)
    act_savings = np.zeros((n_act, n))
    service_savings = np.zeros((n_act, n))
    np.add.at(act_savings, model.option_activity[options], nominal)
    service_rows = model.service[options]
    np.add.at(service_savings, model.option_activity[options[service_rows]], nominal[service_rows])
    spend = model.need - act_savings
    service_spend = model.need - service_savings
    activities, envelope_breaches = activity_table(model, act_savings, spend, service_spend)

    harm_years = harm_by_outcome_year(model, options, starts)  # (K, n)
    harm_by_priority = {
        p: float(harm_years[model.outcome_priority == i].sum()) for i, p in enumerate(model.priority_ids)
    }
    total_harm = float(model.harm[options] @ (n - starts)) if len(options) else 0.0
    draw_total = float(res.draw.sum())

    breaches = pd.DataFrame(envelope_breaches + policy_breach_rows(model, plan, service_spend), columns=BREACH_COLUMNS)
    return Evaluation(
        model=model,
        plan=plan,
        budget=budget,
        activities=activities,
        plan_table=plan_table(model, plan, nominal),
        outcomes=outcome_table(model, spend, service_spend, harm_years),
        alignment=alignment_table(model, spend),
        savings_summary=savings_summary_table(model, plan, counted),
        breaches=breaches,
        screened=screened_table(model),
        harm=total_harm,
        harm_by_priority=harm_by_priority,
        reserves_draw_k=draw_total,
        unidentified_k=float(unidentified.sum()),
        objective=total_harm + sc.policy.reserves_penalty * draw_total,
        savings_by_year=savings,
    )
