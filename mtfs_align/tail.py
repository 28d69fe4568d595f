"""The tail of a shortfall over delivery draws (DESIGN 4.6): VaR and CVaR at a confidence p, with
one definition for the Monte Carlo's `resilience.csv` and for the optimiser's in-sample figures.

Both are exact for a finite set of equally likely draws (no interpolation between draws):

- ``var(u, p)``, the value at risk, is the lower p-quantile: the smallest draw value with at least
  the share p of the draws at or below it. With N draws sorted u(1) <= ... <= u(N), it is
  u(ceil(p N)).
- ``cvar(u, p)``, the conditional value at risk, is Rockafellar and Uryasev's (2000)
  ``VaR + mean((u - VaR)+) / (1 - p)``. It is the average of the worst (1 - p) share of the draws,
  counting the draw at the VaR in part when (1 - p) N is not a whole number, and it is the value
  of the linear programme the optimiser solves (``eta + sum_k w_k / ((1 - p) N)``, w_k >= u_k - eta,
  w_k >= 0), whose optimum has eta at the VaR.

Worked by hand:

- u = (0, 3, 9), p = 2/3: VaR = 3 (two draws of three at or below it). CVaR = 3 + mean(0, 0, 6) /
  (1/3) = 3 + 2 x 3 = 9: the worst third is the draw of 9.
- u = (0, 3, 9), p = 0.5: VaR = 3 (ceil(1.5) = 2nd draw). CVaR = 3 + mean(0, 0, 6) / 0.5 = 7: the
  worst half of the draws is 1.5 draws, the 9 and half of the 3, averaging (9 + 1.5) / 1.5 = 7.
- u = (2, 10), p = 0.9: VaR = 10 (ceil(1.8) = 2nd draw) and CVaR = 10.

CVaR is never below VaR, nor below the mean; at p -> 0 it is the mean.
"""

from __future__ import annotations

import math

import numpy as np

_RANK_SLACK = 1e-9  # p N that is a whole number up to floating-point dust counts as that number


def rank(p: float, count: int) -> int:
    """The 1-based rank of the lower p-quantile among `count` sorted draws: ceil(p N), at least 1."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"the confidence must be between 0 and 1, not {p}")
    if count < 1:
        raise ValueError("at least one draw is needed")
    return min(count, max(1, math.ceil(p * count - _RANK_SLACK)))


def var(values, p: float, axis: int | None = None):
    """The lower p-quantile of the draws: the smallest value with at least p of them at or below it.

    A 1-d array (or `axis=None`) gives a float; a 2-d (draws, years) array with `axis=0` gives one
    value per year."""
    values = np.asarray(values, dtype=float)
    if axis is None:
        values = values.reshape(-1)
        return float(np.sort(values)[rank(p, len(values)) - 1])
    ordered = np.sort(values, axis=axis)
    return np.take(ordered, rank(p, values.shape[axis]) - 1, axis=axis)


def cvar(values, p: float, axis: int | None = None):
    """The average of the worst (1 - p) share of the draws: VaR + mean((u - VaR)+) / (1 - p), exact for
    discrete draws (Rockafellar and Uryasev). u = (0, 3, 9) at p = 2/3 gives 9, at p = 0.5 gives 7."""
    values = np.asarray(values, dtype=float)
    if axis is None:
        values = values.reshape(-1)
        eta = var(values, p)
        return float(eta + np.maximum(values - eta, 0.0).mean() / (1.0 - p))
    eta = var(values, p, axis=axis)
    excess = np.maximum(values - np.expand_dims(eta, axis), 0.0)
    return eta + excess.mean(axis=axis) / (1.0 - p)
