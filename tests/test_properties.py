"""Invariants of plan evaluation (DESIGN 4.3), checked with hypothesis on random plans.

One small council is written and loaded once; each example swaps in random savings profiles,
one-off costs, funding and reserves on a copy of the loaded scenario, so every example costs
only a model build and an evaluation.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from factory import Council, activity, option
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mtfs_align.evaluate import evaluate, settle_reserves
from mtfs_align.model import build_model

YEARS = ["2021/22", "2022/23", "2023/24", "2024/25"]
N = len(YEARS)
OPTION_IDS = ["S1", "S2", "S3", "S4", "S5", "S6"]
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Four years, three activities (one with a cash limit and a floor), six options of every
    kind of effect (service cuts, income, an investment)."""
    council = Council()
    council.mtfs.update(years=YEARS, funding_k={"council_tax": [900] * N}, corporate_pressures_k=[0] * N)
    council.activities = [
        activity("A1", 600, "O1", floor_share=0.5, envelope_growth_pct=1, growth_pct=2),
        activity("A2", 300, "O2:0.5;O3:0.5"),
        activity("A3", 100, ""),
    ]
    council.options = [
        option("S1", "A1", y1_k=10, harms="O1"),
        option("S2", "A1", type="income", rag="A", y1_k=10),
        option("S3", "A2", rag="R", y1_k=10, harms="O2:2"),
        option("S4", "A2", type="investment", y1_k=10, benefits="O3"),
        option("S5", "A3", type="financing", rag="A", y1_k=10),
        option("S6", "A3", type="service reduction", rag="R", y1_k=10, harms="O3:3"),
    ]
    return council.load(tmp_path_factory.mktemp("properties"))


money = st.floats(-300, 300, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 1))
saving = st.floats(0, 300, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 1))
profiles = st.lists(money, min_size=1, max_size=6)
non_negative_profiles = st.lists(saving, min_size=1, max_size=6)
plans = st.dictionaries(st.sampled_from(OPTION_IDS), st.integers(0, N - 1), max_size=len(OPTION_IDS))


@st.composite
def councils(draw, profile_strategy=profiles):
    """Random profiles and one-off costs for every option, funding, reserves and planning basis."""
    return {
        "profiles": {o: tuple(draw(profile_strategy)) for o in OPTION_IDS},
        "one_off": {o: draw(st.sampled_from([0.0, 0.0, 25.0, 100.0])) for o in OPTION_IDS},
        "funding": [draw(st.floats(700, 1100)) for _ in range(N)],
        "usable": draw(st.floats(0, 400)),
        "minimum_share": draw(st.floats(0, 1)),
        "max_draw": draw(st.one_of(st.just(None), st.lists(st.floats(0, 200), min_size=N, max_size=N))),
        "plan_on": draw(st.sampled_from(["nominal", "expected"])),
        "slip": draw(st.sampled_from([0.0, 0.1, 0.5])),
    }


def model_for(base, spec):
    """A copy of the base scenario with the random parts of `spec` swapped in."""
    sc = copy.copy(base)
    sc.options = {
        oid: dataclasses.replace(o, profile_k=spec["profiles"][oid], one_off_k=spec["one_off"][oid])
        for oid, o in base.options.items()
    }
    sc.funding_k = {"council_tax": list(spec["funding"])}
    minimum = spec["usable"] * spec["minimum_share"]
    max_draw = spec["max_draw"] if spec["max_draw"] is not None else [np.inf] * N
    sc.reserves = dataclasses.replace(
        base.reserves, usable_k=spec["usable"], minimum_k=minimum, max_draw_k=list(max_draw)
    )
    sc.policy = dataclasses.replace(base.policy, plan_on=spec["plan_on"], slip=spec["slip"])
    return build_model(sc)


# --------------------------------------------------------------------------------------------
# Reserves
# --------------------------------------------------------------------------------------------


@FAST
@given(
    gaps=st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=10),
    usable=st.floats(0, 1e4),
    minimum_share=st.floats(0, 1),
    limits=st.lists(st.one_of(st.floats(0, 5e3), st.just(float("inf"))), min_size=10, max_size=10),
)
def test_settle_reserves_invariants(gaps, usable, minimum_share, limits):
    """Starting at or above the minimum, the balance never goes below it; draws respect the
    year's limit; nothing is negative; the identity holds; each year opens at last year's close."""
    minimum = usable * minimum_share
    n = len(gaps)
    res = settle_reserves(np.array(gaps), usable, minimum, limits[:n])
    assert (res.closing >= minimum - 1e-6).all()
    assert (res.opening >= minimum - 1e-6).all()
    assert (res.draw <= np.array(limits[:n]) + 1e-9).all()
    assert (res.draw >= 0).all() and (res.paid >= 0).all() and (res.unidentified >= 0).all()
    np.testing.assert_allclose(np.array(gaps), res.draw - res.paid + res.unidentified, atol=1e-6)
    np.testing.assert_allclose(res.closing, res.opening + res.paid - res.draw, atol=1e-6)
    np.testing.assert_allclose(res.opening[1:], res.closing[:-1])
    assert res.opening[0] == usable
    # a year is only left short when the limit or the minimum stopped the draw
    short = res.unidentified > 1e-9
    stopped = np.isclose(res.draw, np.array(limits[:n])) | np.isclose(res.closing, minimum)
    assert (stopped[short]).all()


# --------------------------------------------------------------------------------------------
# A plan, year by year
# --------------------------------------------------------------------------------------------


@FAST
@given(spec=councils(), plan=plans)
def test_budget_invariants(base, spec, plan):
    """In every year: gap - savings + one_off = draw - paid + unidentified; unidentified >= 0;
    the reserves balance never falls below the minimum; balanced means unidentified < 0.5."""
    model = model_for(base, spec)
    ev = evaluate(model, plan)
    b = ev.budget
    left = b["gap_k"] - b["savings_k"] + b["one_off_k"]
    right = b["reserves_draw_k"] - b["reserves_paid_k"] + b["unidentified_k"]
    np.testing.assert_allclose(left, right, atol=1e-6)
    np.testing.assert_allclose(b["gap_after_savings_k"], left, atol=1e-9)
    assert (b["unidentified_k"] >= 0).all()
    assert (b["reserves_balance_k"] >= model.scenario.reserves.minimum_k - 1e-6).all()
    assert ((b["balanced"] == "yes") == (b["unidentified_k"] < 0.5)).all()
    assert ev.unidentified_k == pytest.approx(b["unidentified_k"].sum())


@FAST
@given(spec=councils(), plan=plans)
def test_activity_savings_sum_to_option_savings(base, spec, plan):
    """Every option's nominal saving lands on exactly one activity: per year, the activities'
    savings add up to the plan table's, and spend + savings = need for every activity."""
    model = model_for(base, spec)
    ev = evaluate(model, plan)
    year_columns = [f"{y}_k" for y in YEARS]
    by_activity = ev.activities.groupby("year", sort=False)["savings_k"].sum().to_numpy()
    by_option = ev.plan_table[year_columns].sum().to_numpy()
    np.testing.assert_allclose(by_activity, by_option, atol=1e-6)
    a = ev.activities
    np.testing.assert_allclose(a["spend_k"] + a["savings_k"], a["need_k"], atol=1e-6)
    # service spend = need - the savings of options that affect the service (not income/financing)
    service = {oid for oid, o in model.scenario.options.items() if o.affects_service}
    rows = ev.plan_table[ev.plan_table["option"].isin(service)]
    service_savings = rows.groupby("activity")[year_columns].sum()
    for aid in model.activity_ids:
        expected = service_savings.loc[aid].to_numpy(dtype=float) if aid in service_savings.index else 0
        mine = a[a["activity"] == aid]
        np.testing.assert_allclose(mine["need_k"] - mine["service_spend_k"], expected, atol=1e-6)
    if model.scenario.policy.plan_on == "nominal":
        np.testing.assert_allclose(ev.budget["savings_k"], by_option, atol=1e-6)
        summary = ev.savings_summary.set_index("group").loc["all", year_columns].to_numpy(dtype=float)
        np.testing.assert_allclose(summary, by_option, atol=1e-6)


@FAST
@given(
    spec=councils(),
    plan=plans,
    extra=st.sampled_from(OPTION_IDS),
    start=st.integers(0, N - 1),
    extra_profile=non_negative_profiles,
)
def test_adding_a_non_negative_saving_never_increases_unidentified_savings(
    base, spec, plan, extra, start, extra_profile
):
    """Add an option whose every profile entry is >= 0 and that has no one-off cost.

    Its counted saving is >= 0 in every year (its levels are sums of non-negative entries, and
    the expected mode only scales them down or delays them), so gap_after_savings falls or stays
    in every year. Year by year, the reserves rule of 4.3 is monotone: a lower r[t] pays in more
    or draws less, which leaves a balance at least as high, and a higher balance never draws
    less; unidentified[t] = max(0, r[t] - min(limit[t], balance[t] - minimum)) therefore falls or
    stays in every year, not only in total. (Only a one-off cost or a profile with a negative
    entry could raise a later year's shortfall, and those are not non-negative savings.)
    """
    plan = {o: s for o, s in plan.items() if o != extra}
    spec = copy.deepcopy(spec)
    spec["profiles"][extra] = tuple(extra_profile)
    spec["one_off"][extra] = 0.0
    model = model_for(base, spec)
    before = evaluate(model, plan)
    after = evaluate(model, {**plan, extra: start})
    assert (after.budget["gap_after_savings_k"] <= before.budget["gap_after_savings_k"] + 1e-6).all()
    assert (after.budget["unidentified_k"] <= before.budget["unidentified_k"] + 1e-6).all()
    assert after.unidentified_k <= before.unidentified_k + 1e-6
    assert (after.budget["reserves_balance_k"] >= before.budget["reserves_balance_k"] - 1e-6).all()


@FAST
@given(
    spec=councils(profile_strategy=non_negative_profiles),
    plan=plans,
    delivery=st.fixed_dictionaries({r: st.floats(0, 0.99) for r in "GAR"}),
)
def test_expected_savings_are_below_nominal_for_positive_profiles(base, spec, plan, delivery):
    """With non-negative profiles (levels never fall), X = (1 - slip) d C[j] + slip d C[j-1]
    <= d C[j] <= C[j] in every year, and strictly below in a plan's first year of any positive
    saving (d < 1)."""
    spec = {**spec, "plan_on": "expected"}
    model = model_for(base, spec)
    model.scenario.policy.delivery = delivery
    model = build_model(model.scenario)
    assert (model.counted <= model.nominal + 1e-9).all()
    ev = evaluate(model, plan)
    nominal = ev.plan_table[[f"{y}_k" for y in YEARS]].sum().to_numpy()
    assert (ev.budget["savings_k"].to_numpy() <= nominal + 1e-6).all()
    positive = model.nominal > 0
    assert (model.counted[positive] < model.nominal[positive]).all()


@FAST
@given(spec=councils(), plan=plans)
def test_costs_are_never_discounted(base, spec, plan):
    """A level that is negative (a cost) counts in full in expected mode, whatever the RAG:
    where C[t-s] and C[t-s-1] are both <= 0, X = (1 - slip) C[t-s] + slip C[t-s-1]."""
    spec = {**spec, "plan_on": "expected"}
    model = model_for(base, spec)
    n = model.n
    for o in range(len(model.option_ids)):
        for s in range(n):
            for t in range(s, n):
                now = model.levels[o, t - s]
                before = model.levels[o, t - s - 1] if t > s else 0.0
                if now <= 0 and before <= 0:
                    slip = model.scenario.policy.slip
                    assert model.counted[o, s, t] == pytest.approx((1 - slip) * now + slip * before)


@FAST
@given(spec=councils(), plan=plans)
def test_plan_harm_is_the_sum_of_its_parts(base, spec, plan):
    """Total harm = sum of the plan table's harms = sum over priorities = outcomes table harm."""
    ev = evaluate(model_for(base, spec), plan)
    assert ev.harm == pytest.approx(float(ev.plan_table["harm"].sum()), abs=1e-9)
    assert ev.harm == pytest.approx(sum(ev.harm_by_priority.values()), abs=1e-9)
    assert ev.harm == pytest.approx(float(ev.outcomes["harm"].sum()), abs=1e-9)
