"""What a validated scenario holds: the corporate plan's priorities, outcomes and KPIs, the activities and
savings options, the reserves and the policy, as plain dataclasses (no reading, no arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mtfs_align.schema import (
    DEFAULT_CONFIDENCE,
    DEFAULT_DELIVERY,
    DEFAULT_RISK_DRAWS,
    EQUALITY_LEVELS,
    NON_SERVICE_TYPES,
    SCENARIO,
)


@dataclass
class Kpi:
    id: str
    name: str
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: str = ""


@dataclass
class Outcome:
    id: str
    name: str
    priority: str
    weight: float
    kpis: list[Kpi]


@dataclass
class Priority:
    id: str
    name: str
    outcomes: list[str]


@dataclass
class Activity:
    id: str
    name: str
    directorate: str
    outcomes: dict[str, float]
    role: str
    statutory: bool
    baseline_k: float
    growth_pct: float
    floor_share: float
    envelope_growth_pct: float | None


@dataclass
class Option:
    id: str
    name: str
    activity: str
    type: str
    profile_k: tuple[float, ...]  # y1_k .. yL_k: savings added in each year after the start
    earliest: int  # year index (0-based) of the first allowed start
    latest: int  # year index of the last allowed start (clipped to the horizon)
    one_off_k: float
    rag: str
    effort: float
    harms: dict[str, float]
    benefits: dict[str, float]
    requires: tuple[str, ...]
    excludes: tuple[str, ...]
    equality_impact: str

    @property
    def affects_service(self) -> bool:
        return self.type not in NON_SERVICE_TYPES

    @property
    def available(self) -> bool:
        return self.earliest <= self.latest


@dataclass
class Reserves:
    usable_k: float
    minimum_k: float
    max_draw_k: list[float]  # per year; math.inf where there is no limit
    # per year: the most that may be drawn once delivery shortfalls are known (DESIGN 4.5, 4.6);
    # max_draw_k where not given
    max_cover_k: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.max_cover_k:
            self.max_cover_k = list(self.max_draw_k)


def _default(key: str):
    return SCENARIO[f"policy.{key}"].default


@dataclass
class Policy:
    """The scenario's `policy:`, with the schema's defaults for what it does not say."""

    plan_on: str = _default("plan_on")
    delivery: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DELIVERY))
    slip: float = _default("slip")
    delivery_concentration: float = _default("delivery_concentration")
    capacity: list[float] | None = None
    protect: dict[str, float] = field(default_factory=dict)
    max_equality_impact: str = _default("max_equality_impact")
    adopt: dict[str, int | None] = field(default_factory=dict)  # option -> start index or None (any)
    reject: list[str] = field(default_factory=list)
    reserves_penalty: float = _default("reserves_penalty")
    confidence: float = DEFAULT_CONFIDENCE  # the share of futures planned for (plan_on: risk) and reported
    risk_draws: int = DEFAULT_RISK_DRAWS  # delivery draws inside the optimiser (plan_on: risk)


@dataclass
class Scenario:
    """Everything a run needs, validated: the corporate plan, the MTFS, activities, options, policy
    and the proposed savings plan (`plan`, the scenario's `plan:` key)."""

    name: str
    description: str
    path: Path
    slug: str
    data_dir: Path
    council: str
    years: list[str]
    priorities: dict[str, Priority]
    outcomes: dict[str, Outcome]
    activities: dict[str, Activity]
    options: dict[str, Option]
    funding_k: dict[str, list[float]]
    funding_pct: list[float]
    funding_change_k: list[float]
    corporate_pressures_k: list[float]
    reserves: Reserves
    weights: dict[str, tuple[float, float]]  # priority -> (low, high); equal when not given
    weights_given: bool
    policy: Policy
    plan: dict[str, int] | None
    inputs: list[Path]
    warnings: list[str]

    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def screened(self) -> list[str]:
        """Options rated above the scenario's maximum equality impact."""
        limit = EQUALITY_LEVELS.index(self.policy.max_equality_impact)
        return [o.id for o in self.options.values() if EQUALITY_LEVELS.index(o.equality_impact) > limit]

    @property
    def illustrative(self) -> bool:
        return "illustrative" in self.council.lower()
