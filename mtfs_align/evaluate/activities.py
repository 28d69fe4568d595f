"""Each activity's spend against its statutory floor and cash limit, year by year, and the
envelope breaches."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mtfs_align import constraints
from mtfs_align.evaluate.budget import TOLERANCE_K, round_k
from mtfs_align.model import Model
from mtfs_align.wording import whole_k


def activity_table(model: Model, act_savings, spend, service_spend):
    rows, breaches = [], []
    names = {a.id: a.name for a in model.scenario.activities.values()}
    for i, aid in enumerate(model.activity_ids):
        for t, year in enumerate(model.years):
            floor = model.floor[i, t]
            limit = model.cash_limit[i, t]
            has_limit = not np.isnan(limit)
            headroom = service_spend[i, t] - floor
            if has_limit:
                headroom = min(headroom, limit - spend[i, t])
            below = service_spend[i, t] < floor - TOLERANCE_K
            above = has_limit and spend[i, t] > limit + TOLERANCE_K
            status = "below_floor" if below else "above_envelope" if above else "within"
            rows.append(
                {
                    "activity": aid,
                    "name": names[aid],
                    "year": year,
                    "need_k": model.need[i, t],
                    "savings_k": act_savings[i, t],
                    "spend_k": spend[i, t],
                    "service_spend_k": service_spend[i, t],
                    "floor_k": floor,
                    "cash_limit_k": limit if has_limit else np.nan,
                    "headroom_k": headroom,
                    "status": status,
                }
            )
            if below:
                breaches.append(
                    [
                        constraints.FLOOR.breach_code,
                        year,
                        aid,
                        names[aid],
                        round_k(service_spend[i, t]),
                        round_k(floor),
                        constraints.FLOOR.breach(value=whole_k(service_spend[i, t]), limit=whole_k(floor)),
                    ]
                )
            if above:
                breaches.append(
                    [
                        constraints.CASH_LIMIT.breach_code,
                        year,
                        aid,
                        names[aid],
                        round_k(spend[i, t]),
                        round_k(limit),
                        constraints.CASH_LIMIT.breach(value=whole_k(spend[i, t]), limit=whole_k(limit)),
                    ]
                )
    return pd.DataFrame(rows), breaches
