"""The scenario's hard constraints, one family at a time: each family's name in the optimiser's
rows, its code in breaches.csv, and every sentence said of it, in one place.

Three stages speak of the same constraints, and each uses the family's own words from here:
- the optimiser's diagnosis, when no plan can meet them (`optimise/contradictions.py`): `row`
  names one row, `fix` says what to change, and `precheck`/`precheck_fix` word the contradictions
  seen before solving;
- the policy check (`evaluate/policy.py`, `evaluate/activities.py`): `breach` is the detail of a
  breaches.csv row;
- "What binds" under a plan (`report/text.py`): `binds` says the constraint is met exactly.

Each text is a `str.format` template; the callers pass the numbers already worded (money, years,
shares), so the wording of amounts stays with `mtfs_align.wording`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """One family of hard constraints (DESIGN 4.4) and what is said of it."""

    key: str  # the family of the optimiser's rows (optimise/problem.py), "" if it has none
    breach_code: str = ""  # its code in breaches.csv, "" if the policy check has none
    row_text: str = ""  # one row of it, for the diagnosis: {subject}, {name}, {year}
    fix: str = ""  # what to change when no plan can meet it
    breach_text: str = ""  # the detail of a breaches.csv row
    binds_text: str = ""  # the constraint is met exactly, under "What binds"
    precheck_text: str = ""  # a contradiction seen before solving
    precheck_fix: str = ""

    def row(self, **words: str) -> str:
        return self.row_text.format(**words)

    def breach(self, **words: str) -> str:
        return self.breach_text.format(**words)

    def binds(self, **words: str) -> str:
        return self.binds_text.format(**words)

    def precheck(self, **words: str) -> str:
        return self.precheck_text.format(**words)

    def precheck_fix_for(self, **words: str) -> str:
        return self.precheck_fix.format(**words)


FLOOR = Family(
    key="floor",
    breach_code="below_floor",
    row_text="the statutory floor of {subject} ({name}){year}",
    fix="lower floor_share, or do not adopt the options that cut these services",
    breach_text="service spend {value} is below the statutory floor {limit}",
    binds_text="{name} ({subject}) is at its floor from {year}.",
    precheck_text=(
        "the adopted option{s} {options} would take {subject} ({name}) below its statutory floor in "
        "{year} (savings {savings}, room above the floor {room})"
    ),
    precheck_fix="do not adopt it, or lower floor_share",
)

CASH_LIMIT = Family(
    key="cash_limit",
    breach_code="above_envelope",
    row_text="the cash limit of {subject} ({name}){year}",
    fix="raise envelope_growth_pct, or add or allow savings options on these activities",
    breach_text="spend {value} is above the cash limit {limit}",
    binds_text="{name} ({subject}) is at its cash limit from {year}.",
    precheck_text=(
        "{subject} ({name}) needs {need} in {year} but its cash limit is {limit}; its available "
        "options can save at most {most} of the {difference} difference"
    ),
    precheck_fix="raise envelope_growth_pct for {subject}, add savings options for it, or widen their windows",
)

ADOPTED = Family(
    key="one_start",
    row_text="adopting {subject} ({name})",
    fix="do not adopt these options, or adopt them with 'any'",
)

ADOPTED_MISSING = Family(
    key="",
    breach_code="adopted_missing",
    breach_text="{subject} has been adopted but is not in the plan",
)

ADOPTED_WRONG_YEAR = Family(
    key="",
    breach_code="adopted_wrong_year",
    breach_text="{subject} has been adopted from {adopted} but the plan starts it in {start}",
)

CAPACITY = Family(
    key="capacity",
    breach_code="capacity",
    row_text="the change capacity{year}",
    fix="raise policy.capacity in these years",
    breach_text="the plan needs {used} change-capacity points in {year}, above the {available} available",
    binds_text="Change capacity is full in {year} ({used} of {available} points).",
    precheck_text=(
        "the options adopted from {year} need {used} change-capacity points but only {available} are available"
    ),
    precheck_fix="raise policy.capacity or adopt some options with 'any'",
)

REQUIRES = Family(
    key="requires",
    breach_code="missing_requirement",
    row_text="{subject}'s requirement ({others}){year}",
    fix="allow the required options, or do not adopt the options that need them",
    breach_text="{subject} requires {other}, which is not in the plan",
    precheck_text="{subject} is adopted from {start} but requires {other}, which cannot start before {earliest}",
    precheck_fix="adopt {subject} later or with 'any'",
)

REQUIRES_LATER = Family(
    key="",
    breach_code="missing_requirement",
    breach_text="{subject} requires {other}, which starts later ({start})",
)

EXCLUDES = Family(
    key="excludes",
    breach_code="excluded_pair",
    row_text="{subject}'s exclusion ({others})",
    fix="adopt only one of each excluded pair",
    breach_text="{subject} cannot go with {other}, which is also in the plan",
)

PROTECT = Family(
    key="protect",
    breach_code="protection",
    row_text="protection of {subject} at {share}{year}",
    fix="lower the protected share, or do not adopt options that cut this priority",
    breach_text="service spend aligned to {subject} is {value}, below {share} of its need ({limit})",
    binds_text="Protection of {subject} at {share} binds in {year}.",
    precheck_text=(
        "the adopted options cut service spend aligned to {subject} by {used} in {year}, more than "
        "protection at {share} allows ({room})"
    ),
    precheck_fix="lower policy.protect.{subject} or adopt fewer options",
)

RESERVES = Family(
    key="reserves",
    row_text="the reserves minimum{year}",
    fix="raise the usable reserves or lower the minimum",
    binds_text="Reserves reach their minimum ({minimum}) in {year}.",
)

RESERVES_DRAW = Family(
    key="",
    binds_text="The full {limit} reserves draw allowed is used in {year}.",
)

OUTSIDE_WINDOW = Family(
    key="",
    breach_code="outside_window",
    breach_text="{subject} starts in {start} but may only start from {earliest} to {latest}",
)

UNAVAILABLE = Family(
    key="",
    breach_code="outside_window",
    breach_text="{subject} cannot start within the horizon",
)

REJECTED = Family(key="", breach_code="rejected", breach_text="{subject} has been rejected (policy.reject)")

SCREENED_OUT = Family(
    key="",
    breach_code="screened_out",
    breach_text="{subject} has a {impact} equality impact, above the scenario's maximum ({maximum})",
)

# The optimiser's relaxable row families, by their key (the diagnosis relaxes them one at a time).
BY_ROW_FAMILY = {f.key: f for f in (FLOOR, CASH_LIMIT, ADOPTED, CAPACITY, REQUIRES, EXCLUDES, PROTECT, RESERVES)}

# breaches.csv codes of the activities' budget envelope; the rest are the policy's.
ENVELOPE_BREACHES = (FLOOR.breach_code, CASH_LIMIT.breach_code)
