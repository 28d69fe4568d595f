"""A plan, year by year (DESIGN 4.3): budget and reserves, activity envelopes, the policy check,
outcomes and alignment. Every figure the tool reports about a plan comes from here.

`evaluation.evaluate` puts together `budget` (the gap after savings settled against reserves),
`activities` (floors and cash limits), `policy` (the policy check), `outcomes` (harm and
alignment) and `options` (the adopted options, savings by type, the screened options).
"""

from mtfs_align.evaluate.budget import (
    TOLERANCE_K,
    ReservesMovements,
    clean,
    order_plan,
    plan_arrays,
    round_k,
    settle_reserves,
)
from mtfs_align.evaluate.evaluation import Evaluation, evaluate
from mtfs_align.evaluate.policy import BREACH_COLUMNS

__all__ = [
    "BREACH_COLUMNS",
    "TOLERANCE_K",
    "Evaluation",
    "ReservesMovements",
    "clean",
    "evaluate",
    "order_plan",
    "plan_arrays",
    "round_k",
    "settle_reserves",
]
