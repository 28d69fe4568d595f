"""plan.yaml, the corporate plan (DESIGN 3.1): priorities, their outcomes and the KPIs of each, with
ids unique across the whole plan."""

from __future__ import annotations

from mtfs_align.errors import Problems
from mtfs_align.io.ids import LookAlikes, look_alike_problem
from mtfs_align.io.yamlio import YamlDoc
from mtfs_align.scenario.objects import Kpi, Outcome, Priority
from mtfs_align.scenario.reading import KeyReader
from mtfs_align.schema import PLAN

_PRIORITY = "priorities[]"
_OUTCOME = _PRIORITY + ".outcomes[]"
_KPI = _OUTCOME + ".kpis[]"


def read_corporate_plan(doc: YamlDoc | None, problems: Problems):
    council, priorities, outcomes = "", {}, {}
    if doc is None:
        return council, priorities, outcomes
    rd = KeyReader(problems, lambda kp: (doc.path, f"line {doc.line(kp)}" if doc.line(kp) else ""))
    data = doc.data
    if not rd.keys(data, PLAN.keys(), (), required=PLAN.required()):
        return council, priorities, outcomes
    council = rd.text(data.get("council"), ("council",))
    if not isinstance(data["priorities"], list) or not data["priorities"]:
        rd.add(("priorities",), "must be a list of at least one priority", PLAN["priorities"].fix)
        return council, priorities, outcomes
    seen = _PlanIds()
    for i, item in enumerate(data["priorities"]):
        kp = ("priorities", i)
        if not rd.keys(item, PLAN.keys(_PRIORITY), kp, required=PLAN.required(_PRIORITY)):
            continue
        pid = rd.text(item["id"], kp + ("id",))
        _check_unique(pid, kp + ("id",), rd, seen)
        outcome_ids = []
        if not isinstance(item["outcomes"], list) or not item["outcomes"]:
            rd.add(kp + ("outcomes",), f"priority {pid} has no outcomes", PLAN[_PRIORITY + ".outcomes"].fix)
        else:
            for j, oc in enumerate(item["outcomes"]):
                okp = kp + ("outcomes", j)
                if not rd.keys(oc, PLAN.keys(_OUTCOME), okp, required=PLAN.required(_OUTCOME)):
                    continue
                oid = rd.text(oc["id"], okp + ("id",))
                if not _check_unique(oid, okp + ("id",), rd, seen):
                    continue
                weight_field = PLAN[_OUTCOME + ".weight"]
                weight = (
                    weight_field.default
                    if oc.get("weight") is None
                    else rd.number_of(weight_field, oc["weight"], okp + ("weight",))
                )
                kpis = _read_kpis(oc.get("kpis"), okp + ("kpis",), rd, seen)
                outcomes[oid] = Outcome(
                    oid,
                    rd.text(oc["name"], okp + ("name",)),
                    pid,
                    weight_field.default if weight is None else weight,
                    kpis,
                )
                outcome_ids.append(oid)
            if outcome_ids and sum(outcomes[o].weight for o in outcome_ids) <= 0:
                rd.add(
                    kp + ("outcomes",),
                    f"the outcome weights of {pid} are all zero",
                    PLAN[_OUTCOME + ".weight"].fix,
                )
        priorities[pid] = Priority(pid, rd.text(item["name"], kp + ("name",)), outcome_ids)
    return council, priorities, outcomes


class _PlanIds(set):
    """The ids of the whole plan so far (priorities, outcomes and KPIs share one namespace)."""

    def __init__(self) -> None:
        super().__init__()
        self.look_alikes = LookAlikes()


def _check_unique(ident: str, key_path: tuple, rd: KeyReader, seen: _PlanIds) -> bool:
    """Whether `ident` is new to the plan; an id used twice, or one that differs from an earlier id
    only in case or by a look-alike character, is a problem (a table naming it would be ambiguous)."""
    if ident in seen:
        rd.add(key_path, f"id '{ident}' is used twice", "ids must be unique across the whole plan")
        return False
    seen.add(ident)
    other = seen.look_alikes.clash(ident)
    if other is not None:
        rd.add(key_path, look_alike_problem(ident, other), "give distinct ids")
    return True


def _read_kpis(raw: object, key_path: tuple, rd: KeyReader, seen: _PlanIds) -> list[Kpi]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        rd.add(key_path, "must be a list of KPIs", PLAN[_OUTCOME + ".kpis"].fix)
        return []
    kpis = []
    for i, item in enumerate(raw):
        kp = key_path + (i,)
        if not rd.keys(item, PLAN.keys(_KPI), kp, required=PLAN.required(_KPI)):
            continue
        kid = rd.text(item["id"], kp + ("id",))
        _check_unique(kid, kp + ("id",), rd, seen)
        direction = rd.text(item.get("direction"), kp + ("direction",), required=False).lower()
        if direction:
            rd.choice_of(PLAN[_KPI + ".direction"], direction, kp + ("direction",))
        baseline, target = (
            None if item.get(key) is None else rd.number_of(PLAN[f"{_KPI}.{key}"], item[key], kp + (key,))
            for key in ("baseline", "target")
        )
        kpis.append(
            Kpi(
                kid,
                rd.text(item["name"], kp + ("name",)),
                rd.text(item.get("unit"), kp + ("unit",), required=False),
                baseline,
                target,
                direction,
            )
        )
    return kpis
