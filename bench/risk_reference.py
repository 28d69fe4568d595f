"""The delivery Monte Carlo's draws as they were before issue 13 item 5 (commit edc5eff), kept so
that bench/bench_risk.py can time and measure it side by side with the current code on the same
machine and show that both give the same draws for the same seed.

One generator, chunks of about a million draws x options cells, each chunk's delivered shares held
as a dense float matrix, late cells corrected row by row, on one thread.
"""

from __future__ import annotations

import numpy as np

from mtfs_align.analysis.risk_draws import DeliveryProfile
from mtfs_align.delivery import beta_strata, late_cells, random_slices

CHUNK_ELEMENTS = 1 << 20
_SINGLE_THREAD_WORK = 160_000


def reference_savings(profile: DeliveryProfile, slip: float, concentration: float, draws: int, seed: int):
    """Savings in each year of each draw (draws, n), as the Monte Carlo drew them before."""
    rng = np.random.default_rng(seed)
    chunk = max(1, min(draws, CHUNK_ELEMENTS // max(len(profile.delivery), 1)))
    savings = np.empty((draws, profile.gain.shape[1]))
    for first in range(0, draws, chunk):
        size = min(chunk, draws - first)
        share, late = _draw_delivery(rng, profile, slip, concentration, size)
        savings[first : first + size] = _plan_savings(profile, share, late)
    return savings


def _draw_delivery(rng, profile, slip, concentration, draws):
    k = len(profile.delivery)
    late = late_cells(rng, slip, draws * k)
    share = np.empty((draws, k))
    for lo, hi, d in profile.blocks:
        if d <= 0.0 or d >= 1.0:
            share[:, lo:hi] = d
        else:
            share[:, lo:hi] = beta_strata(d, concentration)[random_slices(rng, (draws, hi - lo))]
    return share, late


def _plan_savings(profile, share, late):
    if len(late):
        late_share = share.reshape(-1)[late]
        share.reshape(-1)[late] = 0.0
    savings = _thin_product(share, profile.gain) + profile.cost
    if len(late):
        rows, cols = np.divmod(late, share.shape[1])
        change = late_share[:, None] * np.take(profile.late_gain, cols, axis=0)
        costly = profile.costly[cols]
        if costly.any():
            change[costly] += np.take(profile.cost_if_late, cols[costly], axis=0)
        firsts = np.flatnonzero(np.diff(rows, prepend=-1))
        savings[rows[firsts]] += np.add.reduceat(change, firsts, axis=0)
    return savings


def _thin_product(share, gain):
    draws, k = share.shape
    if k == 0:
        return np.zeros((draws, gain.shape[1]))
    rows = max(1, min(draws, _SINGLE_THREAD_WORK // (k * gain.shape[1])))
    whole = draws - draws % rows
    out = np.empty((draws, gain.shape[1]))
    if whole:
        out[:whole] = (share[:whole].reshape(-1, rows, k) @ gain).reshape(whole, -1)
    if whole < draws:
        out[whole:] = share[whole:] @ gain
    return out
