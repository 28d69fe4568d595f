"""The council's proposed plan against the optimum (DESIGN 4.5): *B*, the least-harm plan that
saves at least as much as the proposal in every year, and *C*, the plan that saves most over the
horizon with no more harm; both obey every constraint of DESIGN 4.4 (the proposal may not).

B and C are solved on one built problem, with extra rows that are released afterwards:
- B: `savings_at_least_t<t>` (counted savings of year t >= the proposal's), objective stage 3's
  (harm + reserves penalty x draws), to the `--mip-gap`. Unidentified savings are left free, as
  the comparison is about harm for given savings, not about balancing the budget.
- C: `harm_at_most` (harm over the horizon <= the proposal's), then lexicographically: first the
  most counted savings over the horizon, to proven optimality; then, keeping savings to within
  DESIGN 4.4's tolerance (£10 or one part in a million), the least harm (plus the reserves
  penalty), to the `--mip-gap`. A single weighted objective would need a harm weight so small
  that it could never outweigh £1 of savings, below the solvers' own tolerances; two solves
  keep both objectives exact.
Each plan's figures come from evaluating it (DESIGN 4.3), as everywhere else. The sentences are
the report stage's (mtfs_align.report.sentences.proposal).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from mtfs_align.errors import InputError, Problem, display_path
from mtfs_align.evaluate import Evaluation, evaluate
from mtfs_align.model import Model
from mtfs_align.optimise import add_bound, harm_objective, prepare, release_stage_bounds, solvers, tolerance
from mtfs_align.optimise.problem import SavingsProblem
from mtfs_align.optimise.solvers import SolverSettings

COLUMNS = ["plan", "label", "savings_k", "harm", "unidentified_k", "reserves_draw_k"]
LABELS = {
    "P": "Proposal, as given",
    "B": "Least harm with at least the proposal's savings every year",
    "C": "Most savings with no more harm than the proposal",
}


@dataclass
class ProposalResult:
    proposal: Evaluation  # P
    least_harm: Evaluation | None  # B, None when no plan obeying 4.4 saves as much every year
    most_savings: Evaluation | None  # C, None when no plan obeying 4.4 has as little harm
    status: dict[str, str]  # "B", "C": "optimal", "time_limit" or "infeasible"
    table: pd.DataFrame  # proposal.csv
    solves: int
    seconds: float
    best_savings_k: float | None = field(default=None)  # C's first stage: most savings possible

    @property
    def harm_cut(self) -> float | None:
        """Share of the proposal's harm that B avoids (None when it cannot be said as a share: a
        harm at or below zero, or a B whose net figure is a benefit)."""
        if self.least_harm is None or self.proposal.harm <= 0 or self.least_harm.harm < 0:
            return None
        return (self.proposal.harm - self.least_harm.harm) / self.proposal.harm

    @property
    def extra_savings_k(self) -> float | None:
        """C's savings over the horizon less the proposal's."""
        if self.most_savings is None:
            return None
        return total_savings(self.most_savings) - total_savings(self.proposal)


def total_savings(ev: Evaluation) -> float:
    return float(ev.budget["savings_k"].sum())


def _slack(value: float) -> float:
    """Room for rounding in sums of the same numbers taken in another order."""
    return 1e-9 * max(1.0, abs(value))


def _counted(sp: SavingsProblem) -> np.ndarray:
    """(Z, n): counted saving X of every start variable in every year, as in the balance rows."""
    return sp.model.counted[sp.pairs_option, sp.pairs_start, :]


def _expression(sp: SavingsProblem, coefficients: np.ndarray) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression([(v, float(c)) for v, c in zip(sp.z, coefficients, strict=True) if c != 0])


def compare_proposal(
    model: Model,
    settings: SolverSettings | None = None,
    plan: dict[str, int] | None = None,
    sp: SavingsProblem | None = None,
) -> ProposalResult:
    """P, B and C for the scenario's plan (or `plan`); `sp` reuses a built problem (its scale is set
    back to 1 and the rows added here are released afterwards)."""
    settings = settings or SolverSettings()
    began = time.perf_counter()
    plan = model.scenario.plan if plan is None else plan
    if plan is None:
        raise InputError(
            [
                Problem(
                    display_path(model.scenario.path),
                    "",
                    "plan",
                    "the scenario has no proposed plan to compare with the optimum",
                    "add plan: {S01: 2021/22, ...} to the scenario",
                )
            ]
        )
    proposal = evaluate(model, plan)
    if sp is None:
        sp = prepare(model)
    if sp.gap_scale != 1.0:
        sp.scale_gap(1.0)
    if sp.reserves_scale != 1.0:
        sp.scale_reserves(1.0)
    counted = _counted(sp)
    solves = 0
    status: dict[str, str] = {}
    try:
        # B: least harm with at least the proposal's counted savings in every year.
        release_stage_bounds(sp)
        for t in range(model.n):
            floor = float(proposal.savings_by_year[t])
            add_bound(sp, f"savings_at_least_t{t + 1}", _expression(sp, -counted[:, t]), -(floor - _slack(floor)))
        sp.set_start_values(proposal.plan)
        sp.problem.setObjective(harm_objective(sp))
        found = solvers.run(sp.problem, settings, exact=False, warm=True)
        solves += 1
        status["B"] = found.status
        least_harm = None if found.status == "infeasible" else evaluate(model, sp.plan_from_solution())

        # C: most savings over the horizon with no more harm, then the least harm among those.
        release_stage_bounds(sp)
        start_harm = model.start_harm()[sp.pairs_option, sp.pairs_start]
        add_bound(sp, "harm_at_most", _expression(sp, start_harm), proposal.harm + _slack(proposal.harm))
        total = counted.sum(axis=1)
        sp.set_start_values(proposal.plan)
        sp.problem.setObjective(_expression(sp, -total))
        found = solvers.run(sp.problem, settings, exact=True, warm=True)
        solves += 1
        most_savings = None
        best = None
        if found.status == "infeasible":
            status["C"] = "infeasible"
        else:
            best = -float(found.objective or 0.0)
            add_bound(sp, "savings_total_at_least", _expression(sp, -total), -(best - tolerance(best)))
            sp.problem.setObjective(harm_objective(sp))
            second = solvers.run(sp.problem, settings, exact=False, warm=True)
            solves += 1
            status["C"] = "time_limit" if "time_limit" in (found.status, second.status) else second.status
            most_savings = evaluate(model, sp.plan_from_solution())
    finally:
        release_stage_bounds(sp)
    return ProposalResult(
        proposal=proposal,
        least_harm=least_harm,
        most_savings=most_savings,
        status=status,
        table=proposal_table(model, proposal, least_harm, most_savings),
        solves=solves,
        seconds=time.perf_counter() - began,
        best_savings_k=best,
    )


def proposal_table(
    model: Model, proposal: Evaluation, least_harm: Evaluation | None, most_savings: Evaluation | None
) -> pd.DataFrame:
    """proposal.csv: one row each for P, B and C; a plan that does not exist has blank figures."""
    rows = []
    for key, ev in (("P", proposal), ("B", least_harm), ("C", most_savings)):
        label = LABELS[key] if ev is not None else f"{LABELS[key]}: no plan keeps to every constraint"
        row = {"plan": key, "label": label}
        if ev is None:
            row.update({c: np.nan for c in COLUMNS[2:]})
            row.update({f"harm_{p}": np.nan for p in model.priority_ids})
        else:
            row.update(
                {
                    "savings_k": total_savings(ev),
                    "harm": ev.harm,
                    "unidentified_k": ev.unidentified_k,
                    "reserves_draw_k": ev.reserves_draw_k,
                }
            )
            row.update({f"harm_{p}": ev.harm_by_priority[p] for p in model.priority_ids})
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS + [f"harm_{p}" for p in model.priority_ids])
