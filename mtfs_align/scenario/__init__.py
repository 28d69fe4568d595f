"""The validated, resolved scenario: `extends` merged, the data folder read, `changes` applied.

One module per input: `chain` (the scenario file and its `extends` chain), `corporate_plan`
(plan.yaml), `mtfs` (mtfs.yaml, reserves, funding changes), `activities` (activities.csv),
`options` (options.csv), `policy` (weights and policy), `decisions` (the proposed plan, adopt and
reject), and `loader`, which reads them in turn. Keys, columns, limits, defaults and fix texts come
from the declared schema, `mtfs_align.schema`. Every problem in every file is collected first and
raised once (DESIGN 7).
"""

from __future__ import annotations

from mtfs_align.io.ids import CONTROL_FIX, control_characters, id_skeleton, look_alike_problem
from mtfs_align.model import cumulative_levels
from mtfs_align.scenario.chain import default_slug
from mtfs_align.scenario.loader import load_scenario
from mtfs_align.scenario.objects import Activity, Kpi, Option, Outcome, Policy, Priority, Reserves, Scenario
from mtfs_align.schema import (
    CONFIDENCE_RANGE,
    DATA_FILES,
    DEFAULT_CONFIDENCE,
    DEFAULT_DELIVERY,
    DEFAULT_RISK_DRAWS,
    EQUALITY_LEVELS,
    MAX_PROFILE_YEARS,
    NON_SERVICE_TYPES,
    OPTION_TYPES,
    PLAN_BASES,
    RAGS,
    RISK_DRAWS_RANGE,
    ROLES,
)

__all__ = [
    "CONFIDENCE_RANGE",
    "CONTROL_FIX",
    "DATA_FILES",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_DELIVERY",
    "DEFAULT_RISK_DRAWS",
    "EQUALITY_LEVELS",
    "MAX_PROFILE_YEARS",
    "NON_SERVICE_TYPES",
    "OPTION_TYPES",
    "PLAN_BASES",
    "RAGS",
    "RISK_DRAWS_RANGE",
    "ROLES",
    "Activity",
    "Kpi",
    "Option",
    "Outcome",
    "Policy",
    "Priority",
    "Reserves",
    "Scenario",
    "control_characters",
    "cumulative_levels",
    "default_slug",
    "id_skeleton",
    "load_scenario",
    "look_alike_problem",
]
