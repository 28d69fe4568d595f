"""What the scenario decides about options: its proposed `plan`, and `policy.adopt` and
`policy.reject`, checked against options.csv and against each other."""

from __future__ import annotations

from mtfs_align.io.ids import KnownIds
from mtfs_align.scenario.objects import Scenario
from mtfs_align.scenario.reading import KeyReader, year_index
from mtfs_align.schema import SCENARIO

_USE_OPTION = "use an id from options.csv"


def read_plan_mapping(
    raw: object, option_ids: set[str] | None, first_year: int, n: int, sc: KeyReader
) -> dict[str, int]:
    plan: dict[str, int] = {}
    known = KnownIds(option_ids or set(), "options.csv")
    if not isinstance(raw, dict):
        sc.add(("plan",), "must map options to start years", SCENARIO["plan"].fix)
        return plan
    for oid, label in raw.items():
        kp = ("plan", oid)
        if option_ids is not None and oid not in option_ids:
            sc.add(kp, *known.unknown(oid, f"'{oid}' is not an option", _USE_OPTION))
            continue
        index = year_index(label, first_year, n, sc, kp, "start year")
        if index is not None:
            plan[oid] = index
    return plan


def check_policy_references(scenario: Scenario, option_ids: set[str] | None, sc: KeyReader) -> None:
    """Options named by the policy exist, and adopt/reject/screening do not contradict each other.

    Runs even when other problems were found (every problem is reported at once); options whose
    own rows have problems are known by id but take no part in the checks between options, and
    nothing is called unknown when options.csv itself could not be read (option_ids None)."""
    options = scenario.options
    policy = scenario.policy
    screened = set(scenario.screened)
    known = KnownIds(option_ids or set(), "options.csv")
    for oid in policy.adopt:
        if option_ids is not None and oid not in option_ids:
            sc.add(("policy", "adopt", oid), *known.unknown(oid, f"'{oid}' is not an option", _USE_OPTION))
    for i, oid in enumerate(policy.reject):
        if option_ids is not None and oid not in option_ids:
            sc.add(("policy", "reject", i), *known.unknown(oid, f"'{oid}' is not an option", _USE_OPTION))
    for oid, start in policy.adopt.items():
        if oid not in options:
            continue
        option = options[oid]
        kp = ("policy", "adopt", oid)
        if oid in policy.reject:
            sc.add(kp, f"option {oid} is both adopted and rejected", "remove it from adopt or from reject")
        if oid in screened:
            sc.add(
                kp,
                f"option {oid} is adopted but its equality impact ({option.equality_impact}) is above "
                f"max_equality_impact ({policy.max_equality_impact})",
                "raise max_equality_impact or do not adopt it",
            )
        if not option.available:
            sc.add(kp, f"option {oid} is adopted but cannot start within the horizon", "do not adopt it")
        elif start is not None and not option.earliest <= start <= option.latest:
            sc.add(
                kp,
                f"option {oid} is adopted from {scenario.years[start]} but may only start from "
                f"{scenario.years[option.earliest]} to {scenario.years[option.latest]}",
                "adopt it within its window, or with 'any'",
            )
        for other in policy.adopt:
            if other > oid and other in options and (other in option.excludes or oid in options[other].excludes):
                sc.add(kp, f"adopted options {oid} and {other} exclude each other", "adopt only one of them")
        for other in option.requires:
            if other in policy.reject:
                sc.add(
                    kp,
                    f"option {oid} is adopted but requires {other}, which is rejected",
                    f"stop rejecting {other} or do not adopt {oid}",
                )
            elif other in screened:
                sc.add(
                    kp,
                    f"option {oid} is adopted but requires {other}, which is screened out by equality impact",
                    f"raise max_equality_impact or do not adopt {oid}",
                )
            elif other in options and not options[other].available:
                sc.add(
                    kp,
                    f"option {oid} is adopted but requires {other}, which cannot start within the horizon",
                    f"do not adopt {oid}",
                )
