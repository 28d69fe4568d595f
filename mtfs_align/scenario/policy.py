"""The scenario's own choices (DESIGN 3.5): the Cabinet's priority weights and the policy, each key
read within the limits the schema declares."""

from __future__ import annotations

from mtfs_align.io.ids import KnownIds
from mtfs_align.scenario.objects import Policy, Priority
from mtfs_align.scenario.reading import KeyReader, year_index
from mtfs_align.schema import RAGS, SCENARIO
from mtfs_align.years import year_label

_WEIGHT = SCENARIO["weights.<priority>"]


def _unknown_priority(pid: str, priorities: dict[str, Priority]) -> tuple[str, str]:
    return KnownIds(priorities, "plan.yaml").unknown(
        pid, f"'{pid}' is not a priority of the plan", "use the priority ids of plan.yaml: " + ", ".join(priorities)
    )


def read_weights(raw: object, priorities: dict[str, Priority], sc: KeyReader):
    if raw is None:
        return {p: (1.0, 1.0) for p in priorities}, False
    weights = {}
    if not isinstance(raw, dict):
        sc.add(("weights",), "must map every priority to a weight", SCENARIO["weights"].fix)
        return {p: (1.0, 1.0) for p in priorities}, False
    for pid, value in raw.items():
        kp = ("weights", pid)
        if pid not in priorities:
            sc.add(kp, *_unknown_priority(pid, priorities))
            continue
        if isinstance(value, list):
            if len(value) != 2:
                sc.add(kp, "a weight range must be [low, high]", _WEIGHT.fix)
                continue
            low = sc.number_of(_WEIGHT, value[0], kp + (0,))
            high = sc.number_of(_WEIGHT, value[1], kp + (1,))
            if low is None or high is None:
                continue
            if low > high:
                sc.add(kp, f"the range [{low:g}, {high:g}] is reversed", "write [low, high]")
                continue
            weights[pid] = (low, high)
        else:
            number = sc.number_of(_WEIGHT, value, kp)
            if number is not None:
                weights[pid] = (number, number)
    for pid in priorities:
        if pid not in raw:
            sc.add(
                ("weights",), f"priority {pid} has no weight", f"give every priority a weight (0 allowed): {pid}: 0.1"
            )
    if weights and len(weights) == len(priorities) and sum((lo + hi) / 2 for lo, hi in weights.values()) <= 0:
        sc.add(("weights",), "the weights are all zero", "give at least one priority a positive weight")
    return weights, True


def read_policy(raw: dict, priorities: dict[str, Priority], first_year: int, n: int, sc: KeyReader):
    policy = Policy()
    kp = ("policy",)
    if "plan_on" in raw:
        value = sc.choice_of(SCENARIO["policy.plan_on"], raw["plan_on"], kp + ("plan_on",))
        if value is not None:
            policy.plan_on = value
    if "delivery" in raw:
        if sc.keys(raw["delivery"], SCENARIO.keys("policy.delivery"), kp + ("delivery",)):
            for rag, value in raw["delivery"].items():
                if rag in RAGS:
                    number = sc.number_of(SCENARIO[f"policy.delivery.{rag}"], value, kp + ("delivery", rag))
                    if number is not None:
                        policy.delivery[rag] = number
    for key in ("slip", "delivery_concentration", "reserves_penalty", "confidence"):
        if key in raw:
            number = sc.number_of(SCENARIO[f"policy.{key}"], raw[key], kp + (key,))
            if number is not None:
                setattr(policy, key, number)
    if "risk_draws" in raw:
        draws = SCENARIO["policy.risk_draws"]
        number = sc.number_of(draws, raw["risk_draws"], kp + ("risk_draws",))
        if number is not None and number != int(number):
            sc.add(kp + ("risk_draws",), f"{number:g} is not a whole number of draws", draws.fix)
        elif number is not None:
            policy.risk_draws = int(number)
    if "capacity" in raw:
        policy.capacity = sc.per_year(
            raw["capacity"],
            kp + ("capacity",),
            n,
            True,
            [year_label(first_year + t) for t in range(n)],
            **SCENARIO["policy.capacity"].limits,
        )
    if "protect" in raw:
        if not isinstance(raw["protect"], dict):
            sc.add(kp + ("protect",), "must map priorities to a share of their need", SCENARIO["policy.protect"].fix)
        else:
            for pid, value in raw["protect"].items():
                if pid not in priorities:
                    sc.add(kp + ("protect", pid), *_unknown_priority(pid, priorities))
                else:
                    number = sc.number_of(SCENARIO["policy.protect.<priority>"], value, kp + ("protect", pid))
                    if number is not None:
                        policy.protect[pid] = number
    if "max_equality_impact" in raw:
        value = sc.choice_of(
            SCENARIO["policy.max_equality_impact"], raw["max_equality_impact"], kp + ("max_equality_impact",)
        )
        if value is not None:
            policy.max_equality_impact = value
    if "adopt" in raw:
        if not isinstance(raw["adopt"], dict):
            sc.add(kp + ("adopt",), "must map options to a start year or 'any'", SCENARIO["policy.adopt"].fix)
        else:
            for oid, value in raw["adopt"].items():
                if str(value).strip().lower() == "any":
                    policy.adopt[str(oid)] = None
                else:
                    index = year_index(value, first_year, n, sc, kp + ("adopt", oid), "start year")
                    if index is not None:
                        policy.adopt[str(oid)] = index
    if "reject" in raw:
        if not isinstance(raw["reject"], list):
            sc.add(kp + ("reject",), "must be a list of options", SCENARIO["policy.reject"].fix)
        else:
            policy.reject = [str(o) for o in raw["reject"]]
    reserves_override = raw.get("reserves") if isinstance(raw.get("reserves"), dict) else {}
    return policy, reserves_override
