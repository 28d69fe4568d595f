"""The budget and reserves arithmetic of DESIGN 4.3: settling each year's gap after savings against
reserves, and the small helpers every evaluation of a plan shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mtfs_align.model import Model

TOLERANCE_K = 0.5  # £500: the year balances, the envelope holds, within this


@dataclass
class ReservesMovements:
    """Year-by-year reserves movements for one or many gap paths (leading axes broadcast)."""

    opening: np.ndarray
    draw: np.ndarray
    paid: np.ndarray
    closing: np.ndarray
    unidentified: np.ndarray


def settle_reserves(
    gap_after_savings: np.ndarray, usable_k: float, minimum_k: float, max_draw_k: np.ndarray | list[float]
) -> ReservesMovements:
    """DESIGN 4.3: a surplus is paid in; a shortfall is drawn (within the year's limit and never
    below the minimum) and whatever remains is unidentified savings. Works on (..., n) arrays."""
    gap_after_savings = np.asarray(gap_after_savings, dtype=float)
    n = gap_after_savings.shape[-1]
    shape = gap_after_savings.shape
    opening, draw, paid, closing, unidentified = (np.zeros(shape) for _ in range(5))
    balance = np.full(shape[:-1], float(usable_k))
    for t in range(n):
        r = gap_after_savings[..., t]
        shortfall = np.maximum(r, 0.0)
        room = np.maximum(balance - minimum_k, 0.0)
        drawn = np.minimum(shortfall, np.minimum(max_draw_k[t], room))
        opening[..., t] = balance
        paid[..., t] = np.maximum(-r, 0.0)
        draw[..., t] = drawn
        unidentified[..., t] = shortfall - drawn
        balance = balance + paid[..., t] - drawn
        closing[..., t] = balance
    return ReservesMovements(opening, draw, paid, closing, unidentified)


def round_k(value: float) -> float:
    """A sum of money for a table cell that is not named `_k` (breaches' value and limit): £k to
    three decimals, as DESIGN 5 writes all money."""
    return round(float(value), 3) + 0.0


def clean(values: np.ndarray) -> np.ndarray:
    """Floating-point dust to zero, so that a balanced year prints 0.000 not -0.000."""
    values = np.asarray(values, dtype=float)
    return np.where(np.abs(values) < 5e-7, 0.0, values)


def plan_arrays(model: Model, plan: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Option indices and start indices of a plan."""
    index = model.option_index()
    options = np.array([index[o] for o in plan], dtype=int)
    starts = np.array(list(plan.values()), dtype=int)
    return options, starts


def order_plan(model: Model, plan: dict[str, int]) -> dict[str, int]:
    """The plan sorted by start year, then by the options' order in options.csv."""
    index = model.option_index()
    return dict(sorted(plan.items(), key=lambda item: (item[1], index[item[0]])))
