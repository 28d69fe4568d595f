"""Known answers for DESIGN 4.1-4.2 and the savings profiles of 4.3, worked out by hand.

Every test starts from the factory's Testshire (see tests/factory.py): need 1000 a year over
2021/22-2023/24, funding 900, priorities P1 (O1 weight 2, O2 weight 1) and P2 (O3).
"""

from __future__ import annotations

import numpy as np
import pytest
from factory import Council, option, write_csv

from mtfs_align.model import build_model, priority_weights


def test_need_grows_from_the_baseline(tmp_path):
    """N[a,t] = baseline x (1 + g/100)^(t-1).

    A1 600 at 10%: 600, 660, 726. A2 300 with blank growth takes mtfs growth_pct 5%: 300, 315,
    330.75. A3 100 at -50%: 100, 50, 25. Corporate pressures 0, 10, 20 are added to the council's
    need: NC = (1000, 1025, 1081.75) + (0, 10, 20) = 1000, 1035, 1101.75.
    """
    council = Council()
    council.mtfs["growth_pct"] = 5
    council.mtfs["corporate_pressures_k"] = [0, 10, 20]
    council.activity("A1")["growth_pct"] = 10
    council.activity("A3")["growth_pct"] = -50
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.need, [[600, 660, 726], [300, 315, 330.75], [100, 50, 25]])
    np.testing.assert_allclose(model.need_council, [1000, 1035, 1101.75])


def test_funding_sums_sources_then_applies_pct_then_k(tmp_path):
    """F[t] = sum of sources x (1 + funding_pct/100) + funding_k change, only in the named years.

    Sources: 900 + (100, 50, 0) = 1000, 950, 900. funding_pct -2 in 2022/23 only:
    950 x 0.98 = 931; then funding_k +9 in 2022/23 and -100 in 2023/24: 940 and 800.
    (Adding first would give (950 + 9) x 0.98 = 939.82, which is wrong.) 2021/22 untouched: 1000.
    """
    council = Council()
    council.mtfs["funding_k"]["grants"] = [100, 50, 0]
    council.scenario["changes"] = {
        "funding_pct": {"2022/23": -2.0},
        "funding_k": {"2022/23": 9, "2023/24": -100},
    }
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.funding, [1000, 940, 800])


def test_gap_is_need_minus_funding_and_may_be_a_surplus(tmp_path):
    """G[t] = NC[t] - F[t]; gap_change = G[t] - G[t-1] with G[0] = 0.

    Need 1000 each year plus pressures 0, 50, 80 = 1000, 1050, 1080. Funding 1100, 960, 950.
    Gap -100 (a surplus), 90, 130. New gap each year: -100, 190, 40.
    """
    council = Council()
    council.mtfs["funding_k"]["council_tax"] = [1100, 960, 950]
    council.mtfs["corporate_pressures_k"] = [0, 50, 80]
    ev = council.evaluate(tmp_path, {})
    np.testing.assert_allclose(ev.model.gap, [-100, 90, 130])
    np.testing.assert_allclose(ev.budget["gap_k"], [-100, 90, 130])
    np.testing.assert_allclose(ev.budget["gap_change_k"], [-100, 190, 40])
    np.testing.assert_allclose(ev.budget["need_k"], [1000, 1050, 1080])
    np.testing.assert_allclose(ev.budget["funding_k"], [1100, 960, 950])


@pytest.mark.parametrize(
    "weights, expected",
    [
        (None, [0.5, 0.5]),  # no block: equal
        ({"P1": 2, "P2": 6}, [0.25, 0.75]),  # 2/8, 6/8
        ({"P1": [0.2, 0.6], "P2": 0.6}, [0.4, 0.6]),  # midpoint 0.4; 0.4 + 0.6 = 1
        ({"P1": [0, 1], "P2": [1, 2]}, [0.25, 0.75]),  # midpoints 0.5 and 1.5, over 2
    ],
)
def test_priority_weights_are_normalised_midpoints(tmp_path, weights, expected):
    """W[p]: the scenario's weights (a range counts at its midpoint), normalised to sum 1."""
    council = Council()
    if weights is not None:
        council.scenario["weights"] = weights
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.priority_weight, expected)
    np.testing.assert_allclose(priority_weights(model.scenario), expected)


def test_outcome_weights_are_relative_within_their_priority(tmp_path):
    """w[k] = W[p] x weight[k] / sum of weights in p.

    P1 0.4 with O1 weight 2 and O2 weight 1: O1 = 0.4 x 2/3 = 0.26667, O2 = 0.4 x 1/3 = 0.13333.
    P2 0.6 with O3 alone (default weight 1): O3 = 0.6.
    """
    council = Council()
    council.scenario["weights"] = {"P1": 0.4, "P2": 0.6}
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.outcome_weight, [0.4 * 2 / 3, 0.4 / 3, 0.6])
    assert model.outcome_weight.sum() == pytest.approx(1.0)


def test_outcome_weights_summing_to_one_across_the_plan_are_still_relative(tmp_path):
    """O1 0.5, O2 0.25, O3 0.25 sum to 1 over the plan, but are still read within priorities:
    O1 = 0.4 x 0.5/0.75 = 0.26667, O2 = 0.4 x 0.25/0.75 = 0.13333, O3 = 0.6 x 0.25/0.25 = 0.6."""
    council = Council()
    council.scenario["weights"] = {"P1": 0.4, "P2": 0.6}
    outcomes = council.plan["priorities"][0]["outcomes"]
    outcomes[0]["weight"], outcomes[1]["weight"] = 0.5, 0.25
    council.plan["priorities"][1]["outcomes"][0]["weight"] = 0.25
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.outcome_weight, [0.4 * 2 / 3, 0.4 / 3, 0.6])


def test_option_harm_counts_harms_and_benefits(tmp_path):
    """h[o] = sum harms x w - sum benefits x w, with w = (4/15, 2/15, 0.6) (P1 0.4, P2 0.6).

    S1 harms O1:3 and a bare O3 (= 1), benefits O2:1.5:
    3 x 4/15 + 1 x 0.6 - 1.5 x 2/15 = 0.8 + 0.6 - 0.2 = 1.2.
    S2 harms O2:2: 2 x 2/15 = 0.26667. S3 none: 0. An option with only a benefit has negative harm:
    S4 benefits O3:0.5 gives -0.3.
    """
    council = Council()
    council.scenario["weights"] = {"P1": 0.4, "P2": 0.6}
    council.option("S1").update(harms="O1:3;O3", benefits="O2:1.5")
    council.options.append(option("S4", "A3", y1_k=5, benefits="O3:0.5"))
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.harm, [1.2, 4 / 15, 0.0, -0.3], atol=1e-12)
    np.testing.assert_allclose(model.severity[0], [3, -1.5, 1])


def test_plan_harm_counts_each_year_in_effect(tmp_path):
    """A plan's harm = sum h[o] x (n - s + 1), n = 3.

    With the harms of the test above: S1 (h 1.2) from 2022/23 (s = 2): 1.2 x 2 = 2.4; S2 (h 4/15)
    from 2021/22 (s = 1): 4/15 x 3 = 0.8. Total 3.2. By priority: S1 per year gives O1 +0.8,
    O2 -0.2, O3 +0.6 for 2 years; S2 gives O2 +4/15 for 3 years. P1 = 2 x 0.6 + 0.8 = 2.0,
    P2 = 2 x 0.6 = 1.2. The objective adds reserves_penalty x draw: gap 100 a year, savings
    30, 100, 100 (S1 50 from 2022/23; S2 30 then 50): draw 70 in 2021/22 only (reserves 100),
    so objective = 3.2 + 0.001 x 70 = 3.27.
    """
    council = Council()
    council.scenario["weights"] = {"P1": 0.4, "P2": 0.6}
    council.option("S1").update(harms="O1:3;O3", benefits="O2:1.5")
    ev = council.evaluate(tmp_path, {"S1": "2022/23", "S2": "2021/22"})
    assert ev.harm == pytest.approx(3.2)
    assert ev.harm_by_priority == pytest.approx({"P1": 2.0, "P2": 1.2})
    harms = dict(zip(ev.plan_table["option"], ev.plan_table["harm"], strict=True))
    assert harms == pytest.approx({"S1": 2.4, "S2": 0.8})
    np.testing.assert_allclose(ev.model.start_harm()[0], [3.6, 2.4, 1.2])
    np.testing.assert_allclose(ev.budget["reserves_draw_k"], [70, 0, 0])
    assert ev.objective == pytest.approx(3.27)


@pytest.mark.parametrize(
    "profile, expected",
    [
        ({"y1_k": 100, "y2_k": 50, "y3_k": -30}, [100, 150, 120]),  # incremental, recurring
        ({"y1_k": 1300}, [1300, 1300, 1300]),  # recurring from year one
        ({"y1_k": 40, "y2_k": -40}, [40, 0, 0]),  # one year only: +x then -x
        (
            {"y1_k": 1, "y2_k": 2, "y3_k": 3, "y4_k": 4, "y5_k": 5},
            [1, 3, 6],
        ),  # longer than the horizon
        ({"y1_k": -200, "y2_k": 500}, [-200, 300, 300]),  # invest to save
        ({"y1_k": None, "y2_k": 10}, [0, 10, 10]),  # a blank is 0
    ],
)
def test_cumulative_levels(tmp_path, profile, expected):
    """C[o,j] = sum of y1..y(j+1), held at C[L-1] beyond the profile."""
    council = Council()
    council.options = [option("S1", "A1", **profile)]
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.levels[0], expected)


def test_a_missing_middle_profile_column_is_zero(tmp_path):
    """options.csv with y1_k and y3_k but no y2_k: y1 10, y2 0, y3 5 -> levels 10, 10, 15."""
    council = Council()
    scenario_path = council.write(tmp_path)
    write_csv(council.data_dir(tmp_path) / "options.csv", [option("S1", "A1", y1_k=10, y3_k=5)])
    from mtfs_align.scenario import load_scenario

    model = build_model(load_scenario(scenario_path))
    assert model.scenario.options["S1"].profile_k == (10, 0, 5)
    np.testing.assert_allclose(model.levels[0], [10, 10, 15])


def test_nominal_saving_starts_in_the_start_year(tmp_path):
    """S[o,t] = C[o,t-s], 0 before s. Profile 100, 50 -> levels 100, 150, 150.
    From 2021/22: 100, 150, 150; from 2022/23: 0, 100, 150; from 2023/24: 0, 0, 100."""
    council = Council()
    council.options = [option("S1", "A1", y1_k=100, y2_k=50)]
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.nominal[0], [[100, 150, 150], [0, 100, 150], [0, 0, 100]])
    np.testing.assert_allclose(model.counted, model.nominal)


def test_expected_saving_discounts_savings_but_never_costs(tmp_path):
    """X = (1 - slip) g(C[t-s]) + slip g(C[t-s-1]), g(c) = d c for c > 0 and c otherwise.

    Amber (d = 0.75), slip 0.1, profile -500 then +800: C = -500, 300, 300.
    From 2021/22: t1 = 0.9 x (-500) + 0.1 x g(0) = -450;
                  t2 = 0.9 x 0.75 x 300 + 0.1 x (-500) = 202.5 - 50 = 152.5;
                  t3 = 0.9 x 225 + 0.1 x 225 = 225.
    From 2022/23: 0, -450, 152.5. A green saving of 100 (d = 0.95) from 2021/22:
    0.9 x 95 = 85.5, then 95, 95.
    """
    council = Council()
    council.scenario["policy"] = {"plan_on": "expected"}
    council.options = [
        option("S1", "A1", rag="A", y1_k=-500, y2_k=800),
        option("S2", "A2", rag="G", y1_k=100),
    ]
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.counted[0, 0], [-450, 152.5, 225])
    np.testing.assert_allclose(model.counted[0, 1], [0, -450, 152.5])
    np.testing.assert_allclose(model.counted[1, 0], [85.5, 95, 95])
    np.testing.assert_allclose(model.nominal[0, 0], [-500, 300, 300])


def test_expected_saving_uses_the_scenarios_delivery_and_slip(tmp_path):
    """delivery R 0.5, slip 0.25: profile 200 red from 2021/22 gives
    0.75 x 100 = 75, then 100, 100 (the late start only delays the first year)."""
    council = Council()
    council.scenario["policy"] = {"plan_on": "expected", "delivery": {"R": 0.5}, "slip": 0.25}
    council.options = [option("S1", "A1", rag="R", y1_k=200)]
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.counted[0, 0], [75, 100, 100])


def test_cash_limit_and_floor(tmp_path):
    """E[a,t] = baseline x (1 + envelope_growth_pct/100)^(t-1); floor = floor_share x need.

    A1 600, envelope 5%: 600, 630, 661.5; A2 envelope 0: 300 every year; A3 none: no limit in any
    year, not even the first. A1 floor 0.5 x 600 = 300.
    """
    council = Council()
    council.activity("A1")["envelope_growth_pct"] = 5
    council.activity("A2")["envelope_growth_pct"] = 0
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.cash_limit[:2], [[600, 630, 661.5], [300, 300, 300]])
    assert np.isnan(model.cash_limit[2]).all()
    np.testing.assert_allclose(model.floor[0], [300, 300, 300])
    np.testing.assert_allclose(model.floor[1:], 0)


def test_activity_shares_roll_up_to_priorities(tmp_path):
    """A2 serves O2 (P1) 0.6 and O3 (P2) 0.4: share_ap = (0.6, 0.4); A3 unaligned: (0, 0)."""
    council = Council()
    council.activity("A2")["outcomes"] = "O2:0.6;O3:0.4"
    council.activity("A3")["outcomes"] = ""
    model = council.model(tmp_path)
    np.testing.assert_allclose(model.share_ap, [[1, 0], [0.6, 0.4], [0, 0]])
    np.testing.assert_allclose(model.share_ao[1], [0, 0.6, 0.4])
