"""A risk-planned plan checked out of sample (DESIGN 4.6): the plan chosen on K planning draws is
run through the Monte Carlo of DESIGN 4.5 on fresh draws (the Monte Carlo's own seed stream), and
the tail figures of the two are set side by side.

A plan chosen to look good on K draws looks better on them than on fresh ones (the optimiser
picks the draws' luck), so a difference beyond sampling error says the planning draws are too few.
Sampling error here is two standard errors of the difference: for CVaR, the standard error of the
mean of VaR + (u - VaR)+ / (1 - p) (whose mean is the CVaR); for a chance, sqrt(q (1 - q) / N).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtfs_align.analysis.risk import RiskResult, simulate
from mtfs_align.evaluate import TOLERANCE_K
from mtfs_align.model import Model
from mtfs_align.optimise import RiskPlanned
from mtfs_align.tail import var

SAMPLING_ERRORS = 2.0  # a difference beyond two standard errors is reported


@dataclass
class TailFigures:
    """Per year: CVaR and VaR of the savings still to be found at the confidence, the chance the
    year balances, and the standard errors of the CVaR and the chance."""

    draws: int
    cvar_k: np.ndarray
    var_k: np.ndarray
    p_balanced: np.ndarray
    p_balanced_all_years: float
    cvar_se: np.ndarray
    p_se: np.ndarray

    def as_dict(self, years: list[str]) -> dict:
        def by_year(values, digits):
            return {y: round(float(v), digits) for y, v in zip(years, values, strict=True)}

        return {
            "draws": self.draws,
            "cvar_k": by_year(self.cvar_k, 3),
            "var_k": by_year(self.var_k, 3),
            "p_balanced": by_year(self.p_balanced, 6),
            "p_balanced_all_years": round(self.p_balanced_all_years, 6),
        }


def tail_figures(unidentified: np.ndarray, confidence: float) -> TailFigures:
    """The tail of (draws, n) savings still to be found, year by year."""
    draws, n = unidentified.shape
    cvar, value_at_risk, cvar_se = np.zeros(n), np.zeros(n), np.zeros(n)
    for t in range(n):
        u = unidentified[:, t]
        value_at_risk[t] = var(u, confidence)
        integrand = value_at_risk[t] + np.maximum(u - value_at_risk[t], 0.0) / (1.0 - confidence)
        cvar[t] = float(integrand.mean())
        cvar_se[t] = float(integrand.std(ddof=1) / math.sqrt(draws)) if draws > 1 else math.inf
    balanced = unidentified < TOLERANCE_K
    p = balanced.mean(axis=0)
    return TailFigures(
        draws=draws,
        cvar_k=cvar,
        var_k=value_at_risk,
        p_balanced=p,
        p_balanced_all_years=float(balanced.all(axis=1).mean()),
        cvar_se=cvar_se,
        p_se=np.sqrt(p * (1 - p) / max(draws, 1)),
    )


@dataclass
class OutOfSample:
    confidence: float
    planning: RiskPlanned
    in_sample: TailFigures
    fresh: TailFigures
    risk: RiskResult  # the fresh Monte Carlo itself (risk.csv)
    differs: list[int]  # years whose CVaR or chance of balancing differ beyond sampling error

    def manifest_fields(self, years: list[str]) -> dict:
        fields = self.planning.manifest_fields(years)
        fields["in_sample"] = self.in_sample.as_dict(years)
        fields["out_of_sample"] = self.fresh.as_dict(years) | {"seed": self.risk.seed}
        fields["differs_beyond_sampling_error"] = [years[t] for t in self.differs]
        return fields


def check_out_of_sample(
    model: Model, plan: dict[str, int], planning: RiskPlanned, draws: int, seed: int, progress=None
) -> OutOfSample:
    """The risk-planned `plan` on `draws` fresh draws of DESIGN 4.5 (seed `seed`, the Monte Carlo's
    own stream, apart from the planning draws)."""
    p = planning.confidence
    inside = tail_figures(planning.in_sample["unidentified"], p)
    result = simulate(model, plan, draws=draws, seed=seed, progress=progress)
    fresh = tail_figures(result.unidentified, p)
    differs = []
    for t in range(model.n):
        cvar_error = SAMPLING_ERRORS * math.hypot(inside.cvar_se[t], fresh.cvar_se[t])
        p_error = SAMPLING_ERRORS * math.hypot(inside.p_se[t], fresh.p_se[t])
        if abs(inside.cvar_k[t] - fresh.cvar_k[t]) > max(cvar_error, TOLERANCE_K) or abs(
            inside.p_balanced[t] - fresh.p_balanced[t]
        ) > max(p_error, 1e-9):
            differs.append(t)
    return OutOfSample(confidence=p, planning=planning, in_sample=inside, fresh=fresh, risk=result, differs=differs)
