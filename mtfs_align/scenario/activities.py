"""activities.csv (DESIGN 3.3): each service's need, outcome shares, floor and cash limit, with the
scenario's changes to growth and cash limits applied and located where the scenario makes them."""

from __future__ import annotations

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.ids import KnownIds, LookAlikes, look_alike_problem
from mtfs_align.scenario.objects import Activity, Outcome
from mtfs_align.scenario.reading import KeyReader, RowReader, apply_overrides, parse_pairs
from mtfs_align.schema import ACTIVITIES, SCENARIO

_TRUE = ("true", "yes", "y", "1")
_USE_ACTIVITY = "use an id from activities.csv"


def read_activities(
    table, changes: dict, outcomes: dict[str, Outcome], default_growth: float, sc: KeyReader, problems: Problems
) -> dict[str, Activity]:
    activities: dict[str, Activity] = {}
    if table is None:
        return activities
    for column in table.columns:
        if column and column not in ACTIVITIES:
            problems.warn(f"{display_path(table.path)}: column '{column}' is not used by mtfs_align")
    growth_changes = changes.get("growth_pct") or {}
    envelope_changes = changes.get("envelope_growth_pct") or {}
    for key, mapping in (("growth_pct", growth_changes), ("envelope_growth_pct", envelope_changes)):
        if not isinstance(mapping, dict):
            sc.add(("changes", key), "must map activities to a percentage", SCENARIO[f"changes.{key}"].fix)
    growth_changes = growth_changes if isinstance(growth_changes, dict) else {}
    envelope_changes = envelope_changes if isinstance(envelope_changes, dict) else {}
    seen_ids: set[str] = set()
    shares_field = ACTIVITIES["outcomes"]
    known_outcomes = KnownIds(outcomes, "plan.yaml")
    look_alikes = LookAlikes()
    for row in table.rows:
        overrides = {}
        aid = row.get("id")
        if aid in growth_changes:
            overrides["growth_pct"] = growth_changes[aid]
        if aid in envelope_changes:
            overrides["envelope_growth_pct"] = envelope_changes[aid]

        def where(column, aid=aid):
            file, line = sc.locate(("changes", column, aid))
            return file, line, f"changes.{column}.{aid}"

        values, sources = apply_overrides(row, overrides, where)
        rr = RowReader(row, values, sources, problems)
        if not aid:
            rr.add("id", "the activity id is blank", ACTIVITIES["id"].fix)
            continue
        if aid in activities or aid in seen_ids:
            rr.add("id", f"activity id '{aid}' is used twice", "make activity ids unique")
            continue
        seen_ids.add(aid)
        rr.text("id")
        other = look_alikes.clash(aid)
        if other:
            rr.add("id", look_alike_problem(aid, other), "give distinct ids")
        name = rr.text("name")
        rr.text("directorate")
        if not name:
            rr.add("name", "the name is blank", ACTIVITIES["name"].fix)
        shares: dict[str, float] = {}
        text = rr.get("outcomes")
        if text:
            pairs, error = parse_pairs(text, 1.0)
            if error:
                rr.add("outcomes", error, ACTIVITIES["outcomes"].fix)
            for oid, share, _ in pairs:
                if oid not in outcomes:
                    listed = f" ({', '.join(list(outcomes)[:12])})" if outcomes else ""
                    rr.add(
                        "outcomes",
                        *known_outcomes.unknown(
                            oid, f"'{oid}' is not an outcome of the plan", "use outcome ids from plan.yaml" + listed
                        ),
                    )
                elif oid in shares:
                    rr.add("outcomes", f"outcome {oid} is listed twice", "list each outcome once")
                elif not shares_field.minimum <= share <= shares_field.maximum:
                    rr.add("outcomes", f"the share {share:g} of {oid} is outside 0 to 1", "use shares between 0 and 1")
                else:
                    shares[oid] = share
            if shares and abs(sum(shares.values()) - 1) > 1e-6 and not error:
                rr.add(
                    "outcomes",
                    f"the outcome shares sum to {sum(shares.values()):g}, not 1",
                    "make the shares add up to 1, e.g. O1:0.7;O7:0.3",
                )
        role = rr.get("role").lower()
        if role:
            rr.choice_of(ACTIVITIES["role"], shown=role)
        statutory_text = rr.get("statutory").lower()
        statutory = statutory_text in _TRUE if statutory_text else ACTIVITIES["statutory"].default
        if statutory_text:
            rr.choice_of(ACTIVITIES["statutory"], shown=statutory_text)
        baseline = rr.number_of(ACTIVITIES["baseline_k"])
        if rr.get("baseline_k") == "":
            rr.add("baseline_k", "the baseline is blank", ACTIVITIES["baseline_k"].fix)
        growth = rr.number_of(ACTIVITIES["growth_pct"], default=default_growth)
        floor = rr.number_of(ACTIVITIES["floor_share"])
        envelope = rr.number_of(ACTIVITIES["envelope_growth_pct"])
        if baseline is None or growth is None or floor is None:
            continue
        activities[aid] = Activity(
            aid, name, rr.get("directorate"), shares, role, statutory, baseline, growth, floor, envelope
        )
    known = KnownIds({row.get("id") for row in table.rows}, "activities.csv")
    for key, mapping in (("growth_pct", growth_changes), ("envelope_growth_pct", envelope_changes)):
        for aid in mapping:
            if aid not in known:
                sc.add(("changes", key, aid), *known.unknown(aid, f"'{aid}' is not an activity", _USE_ACTIVITY))
    return activities
