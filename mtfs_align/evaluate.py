"""A plan, year by year (DESIGN 4.3): budget and reserves, activity envelopes, the policy check,
outcomes and alignment. Every figure the tool reports about a plan comes from here."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtfs_align.model import Model

TOLERANCE_K = 0.5  # £500: the year balances, the envelope holds, within this
BREACH_COLUMNS = ["breach", "year", "subject", "name", "value", "limit", "detail"]


@dataclass
class Reserves:
    """Year-by-year reserves movements for one or many gap paths (leading axes broadcast)."""

    opening: np.ndarray
    draw: np.ndarray
    paid: np.ndarray
    closing: np.ndarray
    unidentified: np.ndarray


def settle_reserves(
    gap_after_savings: np.ndarray, usable_k: float, minimum_k: float, max_draw_k: np.ndarray | list[float]
) -> Reserves:
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
    return Reserves(opening, draw, paid, closing, unidentified)


@dataclass
class Evaluation:
    """Everything known about one plan under one scenario."""

    model: Model
    plan: dict[str, int]
    budget: pd.DataFrame
    activities: pd.DataFrame
    plan_table: pd.DataFrame
    outcomes: pd.DataFrame
    alignment: pd.DataFrame
    savings_summary: pd.DataFrame
    breaches: pd.DataFrame
    screened: pd.DataFrame
    harm: float
    harm_by_priority: dict[str, float]
    reserves_draw_k: float
    unidentified_k: float
    objective: float
    savings_by_year: np.ndarray = field(repr=False, default=None)

    @property
    def balanced_every_year(self) -> bool:
        return bool((self.budget["balanced"] == "yes").all())

    @property
    def envelope_breaches(self) -> pd.DataFrame:
        return self.breaches[self.breaches["breach"].isin(["below_floor", "above_envelope"])]

    @property
    def policy_breaches(self) -> pd.DataFrame:
        return self.breaches[~self.breaches["breach"].isin(["below_floor", "above_envelope"])]

    @property
    def exit_code(self) -> int:
        """0 when the plan balances every year with no breach; 1 otherwise (DESIGN 6)."""
        return 0 if self.balanced_every_year and self.breaches.empty else 1

    @property
    def status(self) -> str:
        if self.exit_code == 0:
            return "balanced"
        return "breach" if not self.breaches.empty else "unbalanced"


def money(value: float) -> float:
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


def evaluate(model: Model, plan: dict[str, int]) -> Evaluation:
    """Evaluate a plan (option -> start year index) exactly as DESIGN 4.3 says."""
    sc = model.scenario
    plan = order_plan(model, plan)
    n, years = model.n, model.years
    options, starts = plan_arrays(model, plan)
    nominal = model.nominal[options, starts, :] if len(options) else np.zeros((0, n))
    counted = model.counted[options, starts, :] if len(options) else np.zeros((0, n))

    savings = counted.sum(axis=0)
    one_off = np.zeros(n)
    np.add.at(one_off, starts, model.one_off[options])
    gap = model.gap
    gap_after = gap - savings + one_off
    res = settle_reserves(gap_after, sc.reserves.usable_k, sc.reserves.minimum_k, sc.reserves.max_draw_k)
    unidentified = clean(res.unidentified)
    budget = pd.DataFrame(
        {
            "year": years,
            "funding_k": model.funding,
            "need_k": model.need_council,
            "gap_k": gap,
            "gap_change_k": np.diff(np.concatenate([[0.0], gap])),
            "savings_k": savings,
            "one_off_k": one_off,
            "gap_after_savings_k": gap_after,
            "reserves_opening_k": res.opening,
            "reserves_draw_k": res.draw,
            "reserves_paid_k": res.paid,
            "reserves_balance_k": res.closing,
            "unidentified_k": unidentified,
            "balanced": np.where(unidentified < TOLERANCE_K, "yes", "no"),
        }
    )

    n_act = len(model.activity_ids)
    act_savings = np.zeros((n_act, n))
    service_savings = np.zeros((n_act, n))
    np.add.at(act_savings, model.option_activity[options], nominal)
    service_rows = model.service[options]
    np.add.at(service_savings, model.option_activity[options[service_rows]], nominal[service_rows])
    spend = model.need - act_savings
    service_spend = model.need - service_savings
    activities, envelope_breaches = _activity_table(model, act_savings, spend, service_spend)

    harm_years = _harm_by_outcome_year(model, options, starts)  # (K, n)
    harm_by_priority = {
        p: float(harm_years[model.outcome_priority == i].sum()) for i, p in enumerate(model.priority_ids)
    }
    total_harm = float(model.harm[options] @ (n - starts)) if len(options) else 0.0
    draw_total = float(res.draw.sum())

    breaches = pd.DataFrame(envelope_breaches + _policy_breaches(model, plan, service_spend), columns=BREACH_COLUMNS)
    return Evaluation(
        model=model,
        plan=plan,
        budget=budget,
        activities=activities,
        plan_table=_plan_table(model, plan, nominal),
        outcomes=_outcome_table(model, spend, service_spend, harm_years),
        alignment=_alignment_table(model, spend),
        savings_summary=_savings_summary(model, plan, counted),
        breaches=breaches,
        screened=_screened_table(model),
        harm=total_harm,
        harm_by_priority=harm_by_priority,
        reserves_draw_k=draw_total,
        unidentified_k=float(unidentified.sum()),
        objective=total_harm + sc.policy.reserves_penalty * draw_total,
        savings_by_year=savings,
    )


def _activity_table(model: Model, act_savings, spend, service_spend):
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
                        "below_floor",
                        year,
                        aid,
                        names[aid],
                        money(service_spend[i, t]),
                        money(floor),
                        f"service spend £{service_spend[i, t]:,.0f}k is below the statutory floor £{floor:,.0f}k",
                    ]
                )
            if above:
                breaches.append(
                    [
                        "above_envelope",
                        year,
                        aid,
                        names[aid],
                        money(spend[i, t]),
                        money(limit),
                        f"spend £{spend[i, t]:,.0f}k is above the cash limit £{limit:,.0f}k",
                    ]
                )
    return pd.DataFrame(rows), breaches


def _policy_breaches(model: Model, plan: dict[str, int], service_spend: np.ndarray) -> list[list]:
    """Every place the plan breaks the scenario's policy (DESIGN 4.3, policy check)."""
    sc = model.scenario
    policy = sc.policy
    years = model.years
    out: list[list] = []
    screened = set(sc.screened)

    def add(kind, year, subject, value, bound, detail):
        name = (
            sc.options[subject].name
            if subject in sc.options
            else (sc.priorities[subject].name if subject in sc.priorities else "")
        )
        out.append([kind, year, subject, name, value, bound, detail])

    excluded_pairs: set[frozenset] = set()
    for oid, start in plan.items():
        option = sc.options[oid]
        if not option.available:
            add("outside_window", years[start], oid, np.nan, np.nan, f"{oid} cannot start within the horizon")
        elif not option.earliest <= start <= option.latest:
            add(
                "outside_window",
                years[start],
                oid,
                np.nan,
                np.nan,
                f"{oid} starts in {years[start]} but may only start from {years[option.earliest]} "
                f"to {years[option.latest]}",
            )
        if oid in policy.reject:
            add("rejected", years[start], oid, np.nan, np.nan, f"{oid} has been rejected (policy.reject)")
        if oid in screened:
            add(
                "screened_out",
                years[start],
                oid,
                option.equality_impact,
                policy.max_equality_impact,
                f"{oid} has a {option.equality_impact} equality impact, above the scenario's maximum "
                f"({policy.max_equality_impact})",
            )
        for other in option.requires:
            if other not in plan:
                add(
                    "missing_requirement",
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    f"{oid} requires {other}, which is not in the plan",
                )
            elif plan[other] > start:
                add(
                    "missing_requirement",
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    f"{oid} requires {other}, which starts later ({years[plan[other]]})",
                )
        for other in option.excludes:
            pair = frozenset((oid, other))
            if other in plan and pair not in excluded_pairs:  # once per pair, however it is listed
                excluded_pairs.add(pair)
                add(
                    "excluded_pair",
                    years[start],
                    oid,
                    np.nan,
                    np.nan,
                    f"{oid} cannot go with {other}, which is also in the plan",
                )
    for oid, start in policy.adopt.items():
        if oid not in plan:
            add("adopted_missing", "", oid, np.nan, np.nan, f"{oid} has been adopted but is not in the plan")
        elif start is not None and plan[oid] != start:
            add(
                "adopted_wrong_year",
                years[plan[oid]],
                oid,
                years[plan[oid]],
                years[start],
                f"{oid} has been adopted from {years[start]} but the plan starts it in {years[plan[oid]]}",
            )
    if policy.capacity is not None:
        effort = np.zeros(model.n)
        index = model.option_index()
        for oid, start in plan.items():
            effort[start] += model.effort[index[oid]]
        for t, year in enumerate(years):
            if effort[t] > policy.capacity[t] + 1e-9:
                out.append(
                    [
                        "capacity",
                        year,
                        "capacity",
                        "change capacity",
                        effort[t],
                        policy.capacity[t],
                        f"the plan needs {effort[t]:g} change-capacity points in {year}, "
                        f"above the {policy.capacity[t]:g} available",
                    ]
                )
    for pid, share in policy.protect.items():
        p = model.priority_ids.index(pid)
        weights = model.share_ap[:, p]
        for t, year in enumerate(years):
            spent = float(weights @ service_spend[:, t])
            needed = share * float(weights @ model.need[:, t])
            if spent < needed - TOLERANCE_K:
                add(
                    "protection",
                    year,
                    pid,
                    money(spent),
                    money(needed),
                    f"service spend aligned to {pid} is £{spent:,.0f}k, below {share:.0%} of its need "
                    f"(£{needed:,.0f}k)",
                )
    return out


def _harm_by_outcome_year(model: Model, options: np.ndarray, starts: np.ndarray) -> np.ndarray:
    in_effect = (np.arange(model.n)[None, :] >= starts[:, None]).astype(float)  # (plan, n)
    weighted = model.severity[options] * model.outcome_weight[None, :]  # (plan, K)
    return weighted.T @ in_effect


def _plan_table(model: Model, plan: dict[str, int], nominal: np.ndarray) -> pd.DataFrame:
    sc = model.scenario
    rows = []
    index = model.option_index()
    for i, (oid, start) in enumerate(plan.items()):
        option = sc.options[oid]
        row = {
            "option": oid,
            "name": option.name,
            "activity": option.activity,
            "start": model.years[start],
            "rag": option.rag,
            "harm": model.harm[index[oid]] * (model.n - start),
        }
        for t, year in enumerate(model.years):
            row[f"{year}_k"] = nominal[i, t]
        rows.append(row)
    money = [f"{y}_k" for y in model.years]
    columns = ["option", "name", "activity", "start", "rag", "harm"] + money
    table = pd.DataFrame(rows, columns=columns)
    # numeric even for an empty plan, so that sums over it are numbers
    table[["harm"] + money] = table[["harm"] + money].astype(float)
    return table


def _outcome_table(model: Model, spend, service_spend, harm_years) -> pd.DataFrame:
    sc = model.scenario
    need = model.share_ao.T @ model.need
    aligned_spend = model.share_ao.T @ spend
    aligned_service = model.share_ao.T @ service_spend
    rows = []
    for k, oid in enumerate(model.outcome_ids):
        outcome = sc.outcomes[oid]
        for t, year in enumerate(model.years):
            rows.append(
                {
                    "outcome": oid,
                    "name": outcome.name,
                    "priority": outcome.priority,
                    "year": year,
                    "need_k": need[k, t],
                    "spend_k": aligned_spend[k, t],
                    "service_spend_k": aligned_service[k, t],
                    "harm": harm_years[k, t],
                }
            )
    return pd.DataFrame(rows)


def _alignment_table(model: Model, spend) -> pd.DataFrame:
    sc = model.scenario
    by_priority = model.share_ap.T @ spend
    need_priority = model.share_ap.T @ model.need
    by_outcome = model.share_ao.T @ spend
    need_outcome = model.share_ao.T @ model.need
    unaligned_rows = model.share_ao.sum(axis=1) < 1e-9
    unaligned = spend[unaligned_rows].sum(axis=0) + model.pressures
    unaligned_need = model.need[unaligned_rows].sum(axis=0) + model.pressures
    aligned_total = by_priority.sum(axis=0)
    total = aligned_total + unaligned
    rows = []
    for t, year in enumerate(model.years):
        for p, pid in enumerate(model.priority_ids):
            rows.append(
                _alignment_row(
                    "priority",
                    pid,
                    sc.priorities[pid].name,
                    year,
                    need_priority[p, t],
                    by_priority[p, t],
                    aligned_total[t],
                    total[t],
                    model.priority_weight[p],
                )
            )
        for k, oid in enumerate(model.outcome_ids):
            rows.append(
                _alignment_row(
                    "outcome",
                    oid,
                    sc.outcomes[oid].name,
                    year,
                    need_outcome[k, t],
                    by_outcome[k, t],
                    aligned_total[t],
                    total[t],
                    model.outcome_weight[k],
                )
            )
        rows.append(
            _alignment_row(
                "unaligned",
                "unaligned",
                "Spend aligned to no outcome (incl. corporate pressures)",
                year,
                unaligned_need[t],
                unaligned[t],
                None,
                total[t],
                None,
            )
        )
    return pd.DataFrame(rows)


def _alignment_row(level, ident, name, year, need, spend, aligned_total, total, weight) -> dict:
    return {
        "level": level,
        "id": ident,
        "name": name,
        "year": year,
        "need_k": need,
        "spend_k": spend,
        "share_of_aligned": spend / aligned_total if aligned_total else np.nan,
        "share_of_total": spend / total if total else np.nan,
        "cabinet_weight": weight if weight is not None else np.nan,
    }


def _savings_summary(model: Model, plan: dict[str, int], counted: np.ndarray) -> pd.DataFrame:
    """Counted savings by year: all options, then by RAG, directorate and type (numpy, not groupby:
    the evaluator runs once per frontier point and per robustness sample)."""
    sc = model.scenario
    year_columns = [f"{y}_k" for y in model.years]
    options = [sc.options[o] for o in plan]
    keys = {
        "all": ["all options"] * len(options),
        "rag": [o.rag for o in options],
        "directorate": [sc.activities[o.activity].directorate for o in options],
        "type": [o.type for o in options],
    }
    orders = {
        "all": ["all options"],
        "rag": ["G", "A", "R"],
        "directorate": sorted({a.directorate for a in sc.activities.values()}),
        "type": [t for t in _type_order() if t in set(keys["type"])],
    }
    rows = []
    for group, order in orders.items():
        labels = np.array(keys[group], dtype=object)
        for category in order:
            mask = labels == category
            sums = counted[mask].sum(axis=0) if mask.any() else np.zeros(model.n)
            rows.append([group, category, *map(float, sums)])
    summary = pd.DataFrame(rows, columns=["group", "category", *year_columns])
    summary[year_columns] = summary[year_columns].astype(float)
    summary["total_k"] = summary[year_columns].sum(axis=1)
    return summary


def _type_order() -> list[str]:
    from mtfs_align.scenario import OPTION_TYPES

    return list(OPTION_TYPES)


def _screened_table(model: Model) -> pd.DataFrame:
    sc = model.scenario
    rows = [
        {
            "option": o,
            "name": sc.options[o].name,
            "activity": sc.options[o].activity,
            "equality_impact": sc.options[o].equality_impact,
            "max_equality_impact": sc.policy.max_equality_impact,
        }
        for o in sc.screened
    ]
    return pd.DataFrame(rows, columns=["option", "name", "activity", "equality_impact", "max_equality_impact"])
