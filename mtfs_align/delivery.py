"""The delivery model of DESIGN 4.5, shared by the Monte Carlo of a plan and the risk planning of
DESIGN 4.6: which options start a year late, and what share of each saving is delivered.

Delivered shares come from Beta(κd, κ(1 − d)) (d = delivery[rag], κ = delivery_concentration;
F = d exactly when d is 0 or 1); each option starts a year late with probability `slip`.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

from mtfs_align.defaults import SEED as DEFAULT_SEED  # noqa: F401 (the name the draws' callers import)

STRATA_BITS = 14
STRATA = 1 << STRATA_BITS  # equally likely slices of each delivered share's distribution
_WORDS_AT_ONCE = 8192  # raw words per call when filling a buffer (64 KB: no fresh pages each time)


@functools.lru_cache(maxsize=32)
def beta_strata(mean: float, concentration: float) -> np.ndarray:
    """Beta(κd, κ(1 − d)) as STRATA equally likely values: the mean of the distribution within
    each slice between its consecutive quantiles i/STRATA and (i + 1)/STRATA.

    Picking a slice uniformly at random and taking its value is inversion sampling with each
    slice collapsed to its own mean. The values average to d exactly, so the mean of the draws is
    still the expected delivery of DESIGN 4.3, and every value lies inside its own slice, so the
    distribution is right to within 1/16,384 in probability: far inside the Monte Carlo error
    of any practical number of draws. A draw is then one table look-up, several times faster
    than the ratio of two gamma variates; that is what brings 10,000 draws of 5,000 options
    within about a second. d of 0 or 1 gives F = d exactly.
    """
    if mean <= 0.0 or mean >= 1.0:
        table = np.full(STRATA, float(mean))
    else:
        table = np.clip(_slice_means(concentration * mean, concentration * (1.0 - mean)), 0.0, 1.0)
    table.flags.writeable = False
    return table


def _slice_means(a: float, b: float) -> np.ndarray:
    """Means of Beta(a, b) within its STRATA equally likely slices.

    As x f(x; a, b) = a/(a+b) f(x; a+1, b), the part of the mean below x is a/(a+b) I(x; a+1, b)
    and the part above it a/(a+b) I(1 - x; b, a+1), I being the regularised incomplete beta
    function. Quantiles and moments below 1/2 are taken from the left and those above 1/2 from
    the right (through 1 - x), so neither loses precision when the mass crowds against 0 or 1.
    """
    p = np.arange(STRATA + 1) / STRATA
    left = p <= special.betainc(a, b, 0.5)  # boundaries at or below x = 1/2
    below_half = special.betainc(a + 1.0, b, 0.5)  # the part of the mean (over d) below 1/2
    above_half = special.betainc(b, a + 1.0, 0.5)  # ... and above 1/2; the two add up to 1
    lower = np.full(STRATA + 1, below_half)  # part of the mean below each boundary, x <= 1/2 only
    upper = np.full(STRATA + 1, above_half)  # part of the mean above each boundary, x >= 1/2 only
    lower[left] = special.betainc(a + 1.0, b, special.betaincinv(a, b, p[left]))
    tail = 1.0 - p[~left]
    gap_to_one = special.betaincinv(b, a, tail)  # 1 - x; it underflows when b is tiny
    # near x = 1, I(y; b, a+1) / I(y; b, a) -> B(b, a) / B(b, a+1) = (a+b)/a, to within O(y)
    upper[~left] = np.where(gap_to_one < 1e-12, tail * (a + b) / a, special.betainc(b, a + 1.0, gap_to_one))
    return STRATA * a / (a + b) * (np.diff(lower) - np.diff(upper))


def random_slices(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Slice numbers 0..STRATA-1, uniform and independent: four 16-bit lanes of each 64-bit word
    of the generator's own stream, several times faster than Generator.integers."""
    return slices_of(slice_words(rng, shape[0] * shape[1]), shape)


def slice_words(rng: np.random.Generator, cells: int, out: np.ndarray | None = None) -> np.ndarray:
    """The generator's raw 64-bit words that random_slices turns into `cells` slice numbers; into
    the front of `out` (uint64) when given, drawn a few at a time so that no new large array is
    made (the same words in the same order: random_raw draws one word after another)."""
    words = -(-cells // 4)
    if out is None:
        return rng.bit_generator.random_raw(words)
    out = out[:words]
    for first in range(0, words, _WORDS_AT_ONCE):
        out[first : first + _WORDS_AT_ONCE] = rng.bit_generator.random_raw(min(_WORDS_AT_ONCE, words - first))
    return out


def slices_of(words: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Slice numbers (shape) from slice_words: the top STRATA_BITS of each 16-bit lane."""
    cells = shape[0] * shape[1]
    return (words.view(np.uint16)[:cells] >> (16 - STRATA_BITS)).reshape(shape)


def late_cells(
    rng: np.random.Generator, slip: float, cells: int, scratch: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Flat indices, in increasing order, of the late cells among `cells` independent chances of
    `slip` each.

    Drawn as geometric gaps from one late cell to the next: the same distribution as one uniform
    draw per cell, at a cost in proportion to the late cells only (a tenth at the default slip).
    A gap is 1 + floor(E / -log(1 - slip)) with E exponential, which is exactly geometric.

    `scratch`, a float64 and an int64 array of late_batch(cells, slip) or more, holds the first
    batch (the one that nearly always suffices), and the cells returned are then a view of the
    int64 array, so that no new large array is made; the cells are the same either way."""
    if slip <= 0.0 or cells == 0:
        return np.empty(0, dtype=np.int64)
    if slip >= 1.0:
        return np.arange(cells, dtype=np.int64)
    rate = -np.log1p(-slip)
    found, last = [], -1
    while last < cells - 1:
        batch = late_batch(cells - 1 - last, slip)
        if scratch is not None and not found and batch <= min(len(scratch[0]), len(scratch[1])):
            exponentials = rng.standard_exponential(out=scratch[0][:batch])
            positions = scratch[1][:batch]
        else:
            exponentials = rng.standard_exponential(batch)
            positions = np.empty(batch, dtype=np.int64)
        # capped at `cells` (any gap that long ends the search) so a tiny slip cannot overflow
        spans = np.minimum(np.divide(exponentials, rate, out=exponentials), cells, out=exponentials)
        np.copyto(positions, spans, casting="unsafe")  # floor, as spans are never negative
        positions += 1
        positions[0] += last
        np.cumsum(positions, out=positions)
        found.append(positions[: np.searchsorted(positions, cells)])
        last = int(positions[-1])
    return found[0] if len(found) == 1 else np.concatenate(found)


def late_batch(remaining: int, slip: float) -> int:
    """Exponentials drawn for `remaining` cells: the mean number of late cells, five standard
    deviations and 16 more."""
    return int(remaining * slip + 5 * np.sqrt(remaining * slip) + 16)
