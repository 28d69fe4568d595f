"""Known answers for DESIGN 4.3: a plan year by year, worked out by hand in each docstring.

Testshire (tests/factory.py): need 1000 a year (A1 600, A2 300, A3 100), funding 900, gap 100
a year over 2021/22-2023/24, reserves usable 100, minimum 0, no draw limit.
Options: S1 (A1, y1 50, G), S2 (A2, y1 30, y2 20, A), S3 (A3, income, y1 20, R).
"""

from __future__ import annotations

import numpy as np
import pytest
from factory import Council, option

from mtfs_align.evaluate import evaluate, settle_reserves
from mtfs_align.model import build_model


def column(ev, name):
    return list(ev.budget[name])


def activity_rows(ev, aid):
    return ev.activities[ev.activities["activity"] == aid].reset_index(drop=True)


def breaches(ev, kind=None):
    frame = ev.breaches
    return frame if kind is None else frame[frame["breach"] == kind].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Savings, one-off costs, reserves, unidentified savings
# --------------------------------------------------------------------------------------------


def test_nominal_savings_and_one_off_costs(tmp_path):
    """S1 from 2021/22 (50, 50, 50), S2 from 2022/23 (0, 30, 50), S3 from 2023/24 (0, 0, 20):
    savings 50, 80, 120. S2's one-off cost 15 is paid in its start year 2022/23 only; S3's 7 in
    2023/24. gap_after_savings = 100 - savings + one-off = 50, 35, -13."""
    council = Council()
    council.option("S2")["one_off_k"] = 15
    council.option("S3")["one_off_k"] = 7
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2022/23", "S3": "2023/24"})
    assert column(ev, "savings_k") == pytest.approx([50, 80, 120])
    assert column(ev, "one_off_k") == pytest.approx([0, 15, 7])
    assert column(ev, "gap_after_savings_k") == pytest.approx([50, 35, -13])
    np.testing.assert_allclose(ev.savings_by_year, [50, 80, 120])


def test_one_off_costs_of_options_starting_together_add_up(tmp_path):
    """S1 one-off 10 and S2 one-off 5, both from 2022/23: one_off_k = 0, 15, 0."""
    council = Council()
    council.option("S1")["one_off_k"] = 10
    council.option("S2")["one_off_k"] = 5
    ev = council.evaluate(tmp_path, {"S1": "2022/23", "S2": "2022/23"})
    assert column(ev, "one_off_k") == pytest.approx([0, 15, 0])


def test_expected_mode_counts_expected_savings_in_the_budget(tmp_path):
    """plan_on expected, S1 green (0.95) 50 from 2021/22 with slip 0.1: 0.9 x 47.5 = 42.75, then
    47.5, 47.5. The activity table still shows the nominal saving 50 (the budget as set)."""
    council = Council()
    council.scenario["policy"] = {"plan_on": "expected"}
    ev = council.evaluate(tmp_path, {"S1": "2021/22"})
    assert column(ev, "savings_k") == pytest.approx([42.75, 47.5, 47.5])
    assert list(activity_rows(ev, "A1")["savings_k"]) == pytest.approx([50, 50, 50])
    assert list(ev.plan_table["2021/22_k"]) == pytest.approx([50])


def test_reserves_paid_in_and_drawn_with_per_year_limit_and_minimum(tmp_path):
    """Funding 1050, 880, 700 against need 1000: gap -50, 120, 300. No plan.
    Reserves usable 100, minimum 60, max_draw_k [0, 50, 200].
    2021/22: surplus 50 paid in; balance 100 -> 150; nothing unidentified.
    2022/23: shortfall 120; limit 50, room 150 - 60 = 90: draw 50; unidentified 70; balance 100.
    2023/24: shortfall 300; limit 200, room 100 - 60 = 40: draw 40; unidentified 260; balance 60.
    """
    council = Council()
    council.mtfs["funding_k"]["council_tax"] = [1050, 880, 700]
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 60, "max_draw_k": [0, 50, 200]}
    ev = council.evaluate(tmp_path, {})
    assert column(ev, "gap_after_savings_k") == pytest.approx([-50, 120, 300])
    assert column(ev, "reserves_opening_k") == pytest.approx([100, 150, 100])
    assert column(ev, "reserves_paid_k") == pytest.approx([50, 0, 0])
    assert column(ev, "reserves_draw_k") == pytest.approx([0, 50, 40])
    assert column(ev, "reserves_balance_k") == pytest.approx([150, 100, 60])
    assert column(ev, "unidentified_k") == pytest.approx([0, 70, 260])
    assert column(ev, "balanced") == ["yes", "no", "no"]
    assert ev.unidentified_k == pytest.approx(330)
    assert ev.reserves_draw_k == pytest.approx(90)
    assert ev.exit_code == 1 and ev.status == "unbalanced"


def test_scenario_reserves_override_the_mtfs(tmp_path):
    """policy.reserves max_draw_k 30 (a number: every year) overrides mtfs.yaml's none.
    Gap 100 a year, no plan: draw 30 each year (usable 100 leaves 10 at the end),
    unidentified 70."""
    council = Council()
    council.scenario["policy"] = {"reserves": {"max_draw_k": 30}}
    ev = council.evaluate(tmp_path, {})
    assert column(ev, "reserves_draw_k") == pytest.approx([30, 30, 30])
    assert column(ev, "unidentified_k") == pytest.approx([70, 70, 70])
    assert column(ev, "reserves_balance_k") == pytest.approx([70, 40, 10])


def test_max_draw_list_ending_in_zero_forces_the_last_year_to_balance_without_reserves(tmp_path):
    """max_draw_k [100, 100, 0], usable 300: draws 100, 100, 0; the last year's 100 is
    unidentified."""
    council = Council()
    council.mtfs["reserves"] = {"usable_k": 300, "minimum_k": 0, "max_draw_k": [100, 100, 0]}
    ev = council.evaluate(tmp_path, {})
    assert column(ev, "reserves_draw_k") == pytest.approx([100, 100, 0])
    assert column(ev, "unidentified_k") == pytest.approx([0, 0, 100])


@pytest.mark.parametrize(
    "funding, unidentified, balanced",
    [
        (999.6, 0.4, "yes"),  # £400 short: balances (under £500)
        (999.5, 0.5, "no"),  # exactly £500 short: does not
        (1000.0, 0.0, "yes"),
    ],
)
def test_a_year_balances_when_unidentified_is_under_500_pounds(tmp_path, funding, unidentified, balanced):
    """No reserves (usable 0): unidentified = gap = 1000 - funding; balanced when < 0.5."""
    council = Council()
    council.mtfs["funding_k"]["council_tax"] = [funding] * 3
    council.mtfs["reserves"] = {"usable_k": 0, "minimum_k": 0}
    ev = council.evaluate(tmp_path, {})
    assert column(ev, "unidentified_k") == pytest.approx([unidentified] * 3)
    assert column(ev, "balanced") == [balanced] * 3


def test_budget_identity_holds_every_year(tmp_path):
    """gap - savings + one_off = draw - paid + unidentified, for a plan that pays in, draws and
    leaves some unidentified: savings 50, 80, 120 against gap 100, one-off 200 in 2023/24,
    usable 100, max draw 60: r = 50, 20, 180 -> draw 50, 20, 30 (the balance runs out),
    unidentified 0, 0, 150."""
    council = Council()
    council.option("S3")["one_off_k"] = 200
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 0, "max_draw_k": 60}
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2022/23", "S3": "2023/24"})
    b = ev.budget
    left = b["gap_k"] - b["savings_k"] + b["one_off_k"]
    right = b["reserves_draw_k"] - b["reserves_paid_k"] + b["unidentified_k"]
    np.testing.assert_allclose(left, right)
    assert column(ev, "reserves_draw_k") == pytest.approx([50, 20, 30])
    assert column(ev, "unidentified_k") == pytest.approx([0, 0, 150])


def test_settle_reserves_is_vectorised_over_leading_axes():
    """Two gap paths at once give the same answers as one at a time."""
    paths = np.array([[10.0, -5.0, 30.0], [50.0, 50.0, 50.0]])
    both = settle_reserves(paths, 60, 10, [20, 20, 20])
    for i in range(2):
        one = settle_reserves(paths[i], 60, 10, [20, 20, 20])
        np.testing.assert_allclose(both.unidentified[i], one.unidentified)
        np.testing.assert_allclose(both.closing[i], one.closing)
    # path 2: draws 20, 20, then only 10 left above the minimum: unidentified 30, 30, 40
    np.testing.assert_allclose(both.unidentified[1], [30, 30, 40])


# --------------------------------------------------------------------------------------------
# Activity spend, service spend, floors and cash limits
# --------------------------------------------------------------------------------------------


def test_income_options_reduce_spend_but_not_service_spend(tmp_path):
    """S3 (income, 20) on A3: spend 100 - 20 = 80, service spend stays 100.
    S1 (efficiency, 50) on A1: spend and service spend both 550."""
    council = Council()
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S3": "2021/22"})
    a3 = activity_rows(ev, "A3")
    assert list(a3["savings_k"]) == pytest.approx([20, 20, 20])
    assert list(a3["spend_k"]) == pytest.approx([80, 80, 80])
    assert list(a3["service_spend_k"]) == pytest.approx([100, 100, 100])
    a1 = activity_rows(ev, "A1")
    assert list(a1["spend_k"]) == pytest.approx([550] * 3)
    assert list(a1["service_spend_k"]) == pytest.approx([550] * 3)


def test_financing_options_do_not_count_against_the_floor(tmp_path):
    """A3 floor_share 0.9 (floor 90). A financing option of 50 leaves service spend 100 (within,
    headroom 10); the same saving as a service reduction leaves 50, below the floor by 40."""
    council = Council()
    council.activity("A3")["floor_share"] = 0.9
    council.options.append(option("S4", "A3", type="financing", y1_k=50))
    council.options.append(option("S5", "A3", type="service reduction", y1_k=50))
    model = council.model(tmp_path)
    financing = activity_rows(evaluate(model, {"S4": 0}), "A3")
    assert list(financing["status"]) == ["within"] * 3
    assert list(financing["headroom_k"]) == pytest.approx([10] * 3)
    cut = activity_rows(evaluate(model, {"S5": 0}), "A3")
    assert list(cut["status"]) == ["below_floor"] * 3
    assert list(cut["headroom_k"]) == pytest.approx([-40] * 3)


def test_floor_cash_limit_headroom_and_status(tmp_path):
    """A1: need 600, 660, 726 (growth 10%); floor 0.5 x need = 300, 330, 363; cash limit 600 every
    year (envelope_growth_pct 0). S1 saves 50 from 2021/22: spend 550, 610, 676.
    2021/22: floor headroom 550 - 300 = 250, limit headroom 600 - 550 = 50: headroom 50, within.
    2022/23: 610 - 330 = 280 and 600 - 610 = -10: headroom -10, above_envelope.
    2023/24: 676 - 363 = 313 and 600 - 676 = -76: headroom -76, above_envelope.
    A2 (no floor, no limit): headroom = service spend 300, cash_limit blank (NaN).
    """
    council = Council()
    council.activity("A1").update(growth_pct=10, envelope_growth_pct=0)
    ev = council.evaluate(tmp_path, {"S1": "2021/22"})
    a1 = activity_rows(ev, "A1")
    assert list(a1["need_k"]) == pytest.approx([600, 660, 726])
    assert list(a1["floor_k"]) == pytest.approx([300, 330, 363])
    assert list(a1["cash_limit_k"]) == pytest.approx([600, 600, 600])
    assert list(a1["spend_k"]) == pytest.approx([550, 610, 676])
    assert list(a1["headroom_k"]) == pytest.approx([50, -10, -76])
    assert list(a1["status"]) == ["within", "above_envelope", "above_envelope"]
    a2 = activity_rows(ev, "A2")
    assert a2["cash_limit_k"].isna().all()
    assert list(a2["headroom_k"]) == pytest.approx([300] * 3)
    above = breaches(ev, "above_envelope")
    assert list(above["year"]) == ["2022/23", "2023/24"]
    assert list(above["value"]) == pytest.approx([610, 676])
    assert list(above["limit"]) == pytest.approx([600, 600])
    assert ev.exit_code == 1 and ev.status == "breach"


def test_no_cash_limit_means_no_limit_in_the_first_year_either(tmp_path):
    """An investment (y1 -50) on A2, which has no envelope_growth_pct: spend 350 is above the
    baseline 300 but there is no cash limit to break, so A2 is within every year
    (headroom = service spend = 350)."""
    council = Council()
    council.options.append(option("S4", "A2", type="investment", y1_k=-50))
    ev = council.evaluate(tmp_path, {"S4": "2021/22"})
    a2 = activity_rows(ev, "A2")
    assert list(a2["status"]) == ["within"] * 3
    assert a2["cash_limit_k"].isna().all()
    assert list(a2["headroom_k"]) == pytest.approx([350] * 3)
    assert breaches(ev).empty


def test_below_floor_wins_over_above_envelope(tmp_path):
    """A3: need 100, floor_share 0.9 (floor 90), envelope -50% (limit 100, 50, 25).
    S4 cuts the service by 15 from 2021/22: spend = service spend = 85.
    2021/22: 85 < 90 (below floor), 85 <= 100: below_floor, headroom min(-5, 15) = -5.
    2022/23: below floor and 85 > 50 (above envelope): status below_floor,
             headroom min(-5, -35) = -35. (2023/24: limit 25, headroom -60.)
    Both breaches are listed in breaches.csv for the years where both fail."""
    council = Council()
    council.activity("A3").update(floor_share=0.9, envelope_growth_pct=-50)
    council.options.append(option("S4", "A3", type="service reduction", y1_k=15))
    ev = council.evaluate(tmp_path, {"S4": "2021/22"})
    a3 = activity_rows(ev, "A3")
    assert list(a3["status"]) == ["below_floor"] * 3
    assert list(a3["headroom_k"]) == pytest.approx([-5, -35, -60])
    assert list(breaches(ev, "below_floor")["year"]) == ["2021/22", "2022/23", "2023/24"]
    assert list(breaches(ev, "above_envelope")["year"]) == ["2022/23", "2023/24"]


def test_envelope_tolerance_is_500_pounds(tmp_path):
    """A1 limit 600 (envelope 0), investment 0.4 then 0.6 more: spend 600.4 (over by £400: within),
    then 601 (over by £1,000: above_envelope)."""
    council = Council()
    council.activity("A1")["envelope_growth_pct"] = 0
    council.options.append(option("S4", "A1", type="investment", y1_k=-0.4, y2_k=-0.6))
    ev = council.evaluate(tmp_path, {"S4": "2021/22"})
    assert list(activity_rows(ev, "A1")["status"]) == ["within", "above_envelope", "above_envelope"]


# --------------------------------------------------------------------------------------------
# The policy check of a given plan
# --------------------------------------------------------------------------------------------


def breach_kinds(ev):
    return sorted(set(ev.breaches["breach"]))


def test_a_plan_within_policy_has_no_breach(tmp_path):
    """S1 and S2 from 2021/22: savings 80, 100, 100 against gap 100; draw 20 in 2021/22;
    balanced."""
    council = Council()
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2021/22"})
    assert ev.breaches.empty
    assert ev.exit_code == 0 and ev.status == "balanced"


def test_outside_window(tmp_path):
    """S1 may start only in 2021/22 (latest); the plan starts it in 2022/23."""
    council = Council()
    council.option("S1")["latest"] = "2021/22"
    ev = council.evaluate(tmp_path, {"S1": "2022/23"})
    found = breaches(ev, "outside_window")
    assert list(found["subject"]) == ["S1"] and list(found["year"]) == ["2022/23"]
    assert "2021/22 to 2021/22" in found["detail"][0]


def test_outside_window_when_the_option_cannot_start_in_the_horizon(tmp_path):
    """S1's earliest start 2025/26 is after the horizon: unavailable (a warning), and a breach
    if planned."""
    council = Council()
    council.option("S1")["earliest"] = "2025/26"
    ev = council.evaluate(tmp_path, {"S1": "2023/24"})
    assert breach_kinds(ev) == ["outside_window"]
    assert any("S1 cannot start within the horizon" in w for w in ev.model.scenario.warnings)


def test_rejected(tmp_path):
    council = Council()
    council.scenario["policy"] = {"reject": ["S1"]}
    ev = council.evaluate(tmp_path, {"S1": "2021/22"})
    assert breach_kinds(ev) == ["rejected"]
    assert breaches(ev)["subject"][0] == "S1"


def test_screened_out(tmp_path):
    """S1 has a high equality impact; the scenario allows at most medium."""
    council = Council()
    council.option("S1")["equality_impact"] = "high"
    council.scenario["policy"] = {"max_equality_impact": "medium"}
    ev = council.evaluate(tmp_path, {"S1": "2021/22"})
    assert breach_kinds(ev) == ["screened_out"]
    assert list(ev.screened["option"]) == ["S1"]
    # value and limit in words a reader knows: the option's level against the scenario's maximum
    assert list(breaches(ev)[["value", "limit"]].iloc[0]) == ["high", "medium"]


@pytest.mark.parametrize(
    "plan, expected",
    [
        ({"S1": "2021/22"}, "which is not in the plan"),
        ({"S1": "2021/22", "S2": "2022/23"}, "which starts later (2022/23)"),
        ({"S1": "2022/23", "S2": "2022/23"}, None),  # same year: fine
        ({"S1": "2023/24", "S2": "2021/22"}, None),  # earlier: fine
    ],
)
def test_missing_requirement(tmp_path, plan, expected):
    """S1 requires S2 started no later than S1."""
    council = Council()
    council.option("S1")["requires"] = "S2"
    ev = council.evaluate(tmp_path, plan)
    found = breaches(ev, "missing_requirement")
    if expected is None:
        assert found.empty
    else:
        assert len(found) == 1 and expected in found["detail"][0]


def test_excluded_pair(tmp_path):
    council = Council()
    council.option("S1")["excludes"] = "S2"
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2023/24"})
    assert breach_kinds(ev) == ["excluded_pair"]
    assert len(breaches(ev)) == 1


def test_an_excluded_pair_listed_both_ways_is_one_breach(tmp_path):
    """S1 excludes S2 and S2 excludes S1: one pair, one breach."""
    council = Council()
    council.option("S1")["excludes"] = "S2"
    council.option("S2")["excludes"] = "S1"
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2021/22"})
    assert list(ev.breaches["breach"]) == ["excluded_pair"]


def test_capacity(tmp_path):
    """Capacity 1 point a year; S1 (effort 1) and S2 (effort 1.5) both start in 2021/22: 2.5 > 1.
    S3 alone in 2022/23 uses 1: fine."""
    council = Council()
    council.option("S2")["effort"] = 1.5
    council.scenario["policy"] = {"capacity": 1}
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2021/22", "S3": "2022/23"})
    found = breaches(ev, "capacity")
    assert list(found["year"]) == ["2021/22"]
    assert list(found["value"]) == pytest.approx([2.5])
    assert list(found["limit"]) == pytest.approx([1])


def test_protection(tmp_path):
    """protect P2 at 0.9: P2's need is A3's 100, so service spend on A3 must stay >= 90.
    A service cut of 20 (S4) leaves 80: a breach every year (value 80, limit 90). The income
    option S3 (20) leaves service spend at 100: no breach."""
    council = Council()
    council.options.append(option("S4", "A3", type="service reduction", y1_k=20))
    council.scenario["policy"] = {"protect": {"P2": 0.9}}
    model = council.model(tmp_path)
    cut = evaluate(model, {"S4": 0})
    found = breaches(cut, "protection")
    assert list(found["year"]) == ["2021/22", "2022/23", "2023/24"]
    assert list(found["value"]) == pytest.approx([80] * 3)
    assert list(found["limit"]) == pytest.approx([90] * 3)
    assert evaluate(model, {"S3": 0}).breaches.empty


def test_protection_uses_shares_of_shared_activities(tmp_path):
    """A2 (need 300) serves O2 0.5 and O3 0.5, so P2's need = 100 (A3) + 150 = 250; protect at 0.8:
    200. S2 cuts A2 by 30 then 50: P2 service spend = 100 + 0.5 x (270, 250, 250) = 235, 225, 225:
    fine. A 120 cut on A3 (S4) in 2023/24 as well: 100 - 120 + 125 = 105 < 200: a breach in
    2023/24."""
    council = Council()
    council.activity("A2")["outcomes"] = "O2:0.5;O3:0.5"
    council.options.append(option("S4", "A3", type="service reduction", y1_k=120))
    council.scenario["policy"] = {"protect": {"P2": 0.8}}
    model = council.model(tmp_path)
    assert evaluate(model, {"S2": 0}).breaches.empty
    found = breaches(evaluate(model, {"S2": 0, "S4": 2}), "protection")
    assert list(found["year"]) == ["2023/24"]
    assert list(found["value"]) == pytest.approx([105])
    assert list(found["limit"]) == pytest.approx([200])


def test_adopted_missing_and_adopted_wrong_year(tmp_path):
    """S1 adopted from 2021/22 but planned from 2022/23; S2 adopted (any year) but not planned."""
    council = Council()
    council.scenario["policy"] = {"adopt": {"S1": "2021/22", "S2": "any"}}
    ev = council.evaluate(tmp_path, {"S1": "2022/23"})
    assert breach_kinds(ev) == ["adopted_missing", "adopted_wrong_year"]
    assert list(breaches(ev, "adopted_missing")["subject"]) == ["S2"]
    assert list(breaches(ev, "adopted_wrong_year")["subject"]) == ["S1"]
    # value is the plan's start, limit the adopted year, both as financial years
    assert list(breaches(ev, "adopted_wrong_year")[["value", "limit"]].iloc[0]) == ["2022/23", "2021/22"]
    # the adopted options in place: no breach
    assert council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2023/24"}).breaches.empty


def test_every_breach_kind_at_once_is_listed_with_exit_code_1(tmp_path):
    """One plan that breaks everything is still evaluated (not refused)."""
    council = Council()
    council.option("S1").update(latest="2021/22", requires="S3", excludes="S2")
    council.option("S2")["equality_impact"] = "high"
    council.options.append(option("S4", "A3", type="service reduction", y1_k=20))
    council.options.append(option("S5", "A2", y1_k=1))
    council.scenario["policy"] = {
        "reject": ["S4"],
        "max_equality_impact": "low",
        "capacity": 1,
        "protect": {"P2": 0.9},
        "adopt": {"S5": "any"},
    }
    ev = council.evaluate(tmp_path, {"S1": "2022/23", "S2": "2022/23", "S4": "2021/22"})
    assert breach_kinds(ev) == [
        "adopted_missing",
        "capacity",
        "excluded_pair",
        "missing_requirement",
        "outside_window",
        "protection",
        "rejected",
        "screened_out",
    ]
    assert ev.exit_code == 1


# --------------------------------------------------------------------------------------------
# Alignment and outcomes
# --------------------------------------------------------------------------------------------


def test_alignment_shares_and_unaligned_spend(tmp_path):
    """Weights P1 0.4, P2 0.6. A1 (O1) 600, A2 (O2 0.6, O3 0.4) 300, A3 unaligned 100; corporate
    pressures 50 a year. S1 cuts A1 by 50 from 2021/22.
    2021/22 spend: A1 550, A2 300, A3 100. By outcome: O1 550, O2 180, O3 120.
    By priority: P1 730, P2 120; aligned 850. Unaligned = A3 100 + pressures 50 = 150; total 1000.
    P1 share of aligned 730/850 = 0.85882, of total 0.73, Cabinet weight 0.4.
    O1's weight 0.4 x 2/3. Unaligned need 150 too (A3 has no saving).
    """
    council = Council()
    council.scenario["weights"] = {"P1": 0.4, "P2": 0.6}
    council.mtfs["corporate_pressures_k"] = [50, 50, 50]
    council.activity("A2")["outcomes"] = "O2:0.6;O3:0.4"
    council.activity("A3")["outcomes"] = ""
    ev = council.evaluate(tmp_path, {"S1": "2021/22"})
    first = ev.alignment[ev.alignment["year"] == "2021/22"].set_index("id")
    assert first.loc["P1", "spend_k"] == pytest.approx(730)
    assert first.loc["P2", "spend_k"] == pytest.approx(120)
    assert first.loc["O1", "spend_k"] == pytest.approx(550)
    assert first.loc["O2", "spend_k"] == pytest.approx(180)
    assert first.loc["O3", "spend_k"] == pytest.approx(120)
    assert first.loc["P1", "share_of_aligned"] == pytest.approx(730 / 850)
    assert first.loc["P1", "share_of_total"] == pytest.approx(0.73)
    assert first.loc["P1", "cabinet_weight"] == pytest.approx(0.4)
    assert first.loc["O1", "cabinet_weight"] == pytest.approx(0.4 * 2 / 3)
    assert first.loc["unaligned", "spend_k"] == pytest.approx(150)
    assert first.loc["unaligned", "need_k"] == pytest.approx(150)
    assert first.loc["unaligned", "share_of_total"] == pytest.approx(0.15)
    assert first.loc["P1", "need_k"] == pytest.approx(780)  # 600 + 0.6 x 300
    assert any("A3" in w and "not aligned" in w for w in ev.model.scenario.warnings)


def test_outcome_table_spend_and_harm(tmp_path):
    """S2 (harms O2:2) from 2022/23; weights equal (P1 0.5, P2 0.5): w[O2] = 0.5 x 1/3 = 1/6,
    harm per year 2/6 = 1/3 in 2022/23 and 2023/24, 0 in 2021/22. O2 spend 300, 270, 250."""
    council = Council()
    ev = council.evaluate(tmp_path, {"S2": "2022/23"})
    o2 = ev.outcomes[ev.outcomes["outcome"] == "O2"]
    assert list(o2["harm"]) == pytest.approx([0, 1 / 3, 1 / 3])
    assert list(o2["spend_k"]) == pytest.approx([300, 270, 250])
    assert ev.harm == pytest.approx(2 / 3)


def test_savings_summary_groups_by_rag_directorate_and_type(tmp_path):
    """S1 (G, efficiency) 50 a year and S3 (R, income) 20 a year, both from 2021/22, all in DIR:
    all options 70 a year (total 210); G 50 a year; R 20; A 0."""
    council = Council()
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S3": "2021/22"})
    summary = ev.savings_summary.set_index(["group", "category"])
    assert summary.loc[("all", "all options"), "total_k"] == pytest.approx(210)
    assert summary.loc[("rag", "G"), "2021/22_k"] == pytest.approx(50)
    assert summary.loc[("rag", "R"), "2023/24_k"] == pytest.approx(20)
    assert summary.loc[("rag", "A"), "total_k"] == pytest.approx(0)
    assert summary.loc[("directorate", "DIR"), "total_k"] == pytest.approx(210)
    assert summary.loc[("type", "income"), "total_k"] == pytest.approx(60)


def test_the_evaluator_reads_plans_by_index(tmp_path):
    """The same plan given as indices and as labels through the factory gives the same budget."""
    council = Council()
    model = council.model(tmp_path)
    by_index = evaluate(model, {"S2": 1, "S1": 0})
    by_label = evaluate(build_model(model.scenario), {"S1": 0, "S2": 1})
    assert list(by_index.plan) == ["S1", "S2"]  # ordered by start year
    np.testing.assert_allclose(by_index.budget["savings_k"], by_label.budget["savings_k"])
