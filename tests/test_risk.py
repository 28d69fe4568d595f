"""Delivery risk (DESIGN 4.5): the Monte Carlo against exact enumeration of every on-time / late
combination, against the `expected` mode of DESIGN 4.3 and against the nominal evaluation.

The Testshire council of tests/factory.py has a gap of 100 in each of three years (2021/22 to
2023/24) and reserves of 100 (minimum 0, no draw limit) unless a test says otherwise.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from factory import Council, option
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mtfs_align.analysis import risk_draws
from mtfs_align.analysis.risk import (
    RISK_COLUMNS,
    DeliveryProfile,
    delivery_profile,
    draw_delivery,
    plan_savings,
    simulate,
)
from mtfs_align.delivery import STRATA, beta_strata, late_cells
from mtfs_align.evaluate import evaluate

REPO = Path(__file__).resolve().parents[1]


def build(tmp_path, council: Council, plan: dict[str, str]):
    """The council's model and the plan as start indices."""
    model = council.model(tmp_path)
    return model, {oid: model.years.index(year) for oid, year in plan.items()}


def mixed_council() -> tuple[Council, dict[str, str]]:
    """Three options of three RAG ratings, one an invest-to-save with a cost in its first year.

    S1 (G, d 0.95) recurring 50 from 2021/22: on time 50, 50, 50; late 0, 50, 50.
    S2 (A, d 0.75) 30 then +20 from 2022/23: on time 0, 30, 50; late 0, 0, 30.
    S4 (R, d 0.45) -10 then +40 from 2021/22 (one-off 5): on time -10, 30, 30; late 0, -10, 30.
    """
    council = Council()
    council.options.append(option("S4", "A3", type="invest to save", rag="R", y1_k=-10, y2_k=40, one_off_k=5))
    return council, {"S1": "2021/22", "S2": "2022/23", "S4": "2021/22"}


def every_combination(profile: DeliveryProfile, slip: float):
    """Every on-time / late combination of the plan's options with its probability."""
    late = np.array(list(itertools.product([False, True], repeat=len(profile.option_ids))))
    probability = np.prod(np.where(late, slip, 1 - slip), axis=1)
    return late, probability


# ---------------------------------------------------------------------------------------------
# Exact enumeration
# ---------------------------------------------------------------------------------------------


def test_mean_over_every_combination_is_the_expected_saving(tmp_path):
    """With each F at its mean d, the probability-weighted savings over all 2^3 combinations are
    the expected savings of DESIGN 4.3 (slip 0.1), worked by hand:

    2021/22: S1 0.9 x 0.95 x 50 = 42.75; S2 not started; S4 0.9 x (-10) + 0.1 x 0 = -9 (a cost,
             never discounted)                                     -> 33.75
    2022/23: S1 0.95 x 50 = 47.5; S2 0.9 x 0.75 x 30 = 20.25;
             S4 0.9 x 0.45 x 30 + 0.1 x (-10) = 11.15               -> 78.9
    2023/24: S1 47.5; S2 0.9 x 0.75 x 50 + 0.1 x 0.75 x 30 = 36; S4 0.45 x 30 = 13.5 -> 97.0

    All on time: 47.5 - 10 = 37.5, 47.5 + 22.5 + 13.5 = 83.5, 47.5 + 37.5 + 13.5 = 98.5.
    All late: 0, 47.5 - 10 = 37.5, 47.5 + 22.5 + 13.5 = 83.5.
    """
    council, plan_labels = mixed_council()
    model, plan = build(tmp_path, council, plan_labels)
    profile = delivery_profile(model, plan)
    late, probability = every_combination(profile, 0.1)
    share = np.tile(profile.delivery, (len(late), 1))
    paths = plan_savings(profile, share, np.flatnonzero(late))

    assert paths[~late.any(axis=1)][0] == pytest.approx([37.5, 83.5, 98.5], abs=1e-12)
    assert paths[late.all(axis=1)][0] == pytest.approx([0.0, 37.5, 83.5], abs=1e-12)
    assert probability.sum() == pytest.approx(1.0)
    assert probability @ paths == pytest.approx([33.75, 78.9, 97.0], abs=1e-9)

    expected_council = council.copy()
    expected_council.scenario["policy"] = {"plan_on": "expected"}
    expected = expected_council.evaluate(tmp_path / "expected", plan_labels)
    assert probability @ paths == pytest.approx(expected.savings_by_year, abs=1e-9)


def deterministic_council() -> tuple[Council, dict[str, str]]:
    """Delivery 1 for G and A, so F = 1 exactly and only lateness is random; reserves of 20.

    S1 (G) 60 and S5 (G) 40 with a one-off 5 start in 2021/22, S2 (A) 30 in 2022/23. With L1, L5,
    L2 = 1 when late, savings are 100 - 60 L1 - 40 L5, then 100 + 30 (1 - L2), then 130.

    2021/22: after savings 5 + 60 L1 + 40 L5 is left (the one-off included); reserves cover up
             to 20. On time: 5 drawn, closing 15, balanced. S5 late: 45, 25 still to be found.
             S1 late: 65, 45 to find. Both late: 105, 85 to find. Closing 0 whenever one is late.
    2022/23: a surplus of 30 (S2 on time) or 0 is paid in; nothing to find.
    2023/24: a surplus of 30 is paid in; nothing to find.

    Each option is late with probability 0.1. The year-1 shortfall is 0 with probability 0.81,
    25 with 0.09, 45 with 0.09 and 85 with 0.01, so its P5 and P50 are 0 and its P95 is 45 (the
    95% point falls inside the 45 block, 0.90 to 0.99, more than 15 standard errors of 10,000
    draws from either end), and its mean is 25 x 0.09 + 45 x 0.09 + 85 x 0.01 = 7.15.
    Closing reserves: 2021/22 is 0 with probability 0.19, so P5 = 0; 2022/23 is 0 (0.019), 15
    (0.081), 30 (0.171) or 45, so P5 = 15; 2023/24 is 30 more, P5 = 45.
    """
    council = Council()
    council.mtfs["reserves"] = {"usable_k": 20, "minimum_k": 0}
    council.options = [
        option("S1", "A1", rag="G", y1_k=60),
        option("S5", "A1", rag="G", y1_k=40, one_off_k=5),
        option("S2", "A2", rag="A", y1_k=30),
    ]
    council.scenario["policy"] = {"delivery": {"G": 1, "A": 1, "R": 0}, "slip": 0.1}
    return council, {"S1": "2021/22", "S5": "2021/22", "S2": "2022/23"}


def test_exact_distribution_over_late_combinations(tmp_path):
    council, plan_labels = deterministic_council()
    model, plan = build(tmp_path, council, plan_labels)
    draws = 10_000
    result = simulate(model, plan, draws=draws, seed=11)

    # every draw is one of the eight combinations, worked out in the docstring above
    year1 = {100.0: (0, 0), 40.0: (1, 0), 60.0: (0, 1), 0.0: (1, 1)}  # savings -> (L1, L5)
    shortfall = {(0, 0): 0.0, (0, 1): 25.0, (1, 0): 45.0, (1, 1): 85.0}
    closing1 = {(0, 0): 15.0, (0, 1): 0.0, (1, 0): 0.0, (1, 1): 0.0}
    assert set(np.unique(result.savings[:, 0])) <= set(year1)
    assert set(np.unique(result.savings[:, 1])) <= {100.0, 130.0}
    assert np.all(result.savings[:, 2] == 130.0)
    combos = [year1[s] for s in result.savings[:, 0]]
    s2_on_time = result.savings[:, 1] == 130.0
    first_closing = np.array([closing1[c] for c in combos])
    np.testing.assert_array_equal(result.unidentified[:, 0], [shortfall[c] for c in combos])
    np.testing.assert_array_equal(result.unidentified[:, 1:], 0.0)
    second_closing = first_closing + 30 * s2_on_time
    np.testing.assert_array_equal(result.reserves_balance[:, 0], first_closing)
    np.testing.assert_array_equal(result.reserves_balance[:, 1], second_closing)
    np.testing.assert_array_equal(result.reserves_balance[:, 2], second_closing + 30)

    table = result.table
    assert list(table.columns) == RISK_COLUMNS
    assert list(table["year"]) == ["2021/22", "2022/23", "2023/24"]
    assert list(table["p5_k"]) == [0.0, 0.0, 0.0]
    assert list(table["p50_k"]) == [0.0, 0.0, 0.0]
    assert list(table["p95_k"]) == [45.0, 0.0, 0.0]
    assert list(table["p5_reserves_balance_k"]) == [0.0, 15.0, 45.0]
    balanced_share = np.mean([c == (0, 0) for c in combos])
    assert list(table["p_balanced"]) == [balanced_share, 1.0, 1.0]
    assert result.p_balanced_all_years == balanced_share
    shortfalls = [shortfall[c] for c in combos]
    assert table["expected_unidentified_k"][0] == pytest.approx(np.mean(shortfalls))

    # the realised frequencies agree with the probabilities, within four standard errors
    assert balanced_share == pytest.approx(0.81, abs=4 * np.sqrt(0.81 * 0.19 / draws))
    for late_share in (np.mean([c[0] for c in combos]), np.mean([c[1] for c in combos]), np.mean(~s2_on_time)):
        assert late_share == pytest.approx(0.1, abs=4 * np.sqrt(0.1 * 0.9 / draws))
    mean_sd = np.std(shortfalls, ddof=1) / np.sqrt(draws)
    assert table["expected_unidentified_k"][0] == pytest.approx(7.15, abs=4 * mean_sd)


# ---------------------------------------------------------------------------------------------
# The mean of the draws, costs, one-offs, the nominal case
# ---------------------------------------------------------------------------------------------


def test_mean_of_draws_is_the_expected_mode(tmp_path):
    """The mean of 20,000 draws is within four standard errors (sample sd / sqrt(draws)) of the
    expected savings [33.75, 78.9, 97.0] of the test above: a false alarm would have odds of
    about 1 in 16,000 for a random seed, and the seed is fixed."""
    council, plan_labels = mixed_council()
    model, plan = build(tmp_path, council, plan_labels)
    draws = 20_000
    result = simulate(model, plan, draws=draws, seed=3)
    standard_error = result.savings.std(axis=0, ddof=1) / np.sqrt(draws)
    assert np.all(standard_error < 0.2)  # the test has teeth: the savings are ~30 to ~100
    expected_council = council.copy()
    expected_council.scenario["policy"] = {"plan_on": "expected"}
    target = expected_council.evaluate(tmp_path / "expected", plan_labels).savings_by_year
    assert target == pytest.approx([33.75, 78.9, 97.0])
    assert np.all(np.abs(result.savings.mean(axis=0) - target) < 4 * standard_error)


def test_bundled_proposal_mean_matches_expected_delivery():
    """The same check on the bundled officers' proposal (36 options, every RAG, costs)."""
    from mtfs_align.model import build_model
    from mtfs_align.scenario import load_scenario

    scenario = load_scenario(REPO / "scenarios" / "proposal.yaml")
    model = build_model(scenario)
    result = simulate(model, scenario.plan, draws=10_000, seed=5)
    scenario.policy.plan_on = "expected"
    target = evaluate(build_model(scenario), scenario.plan).savings_by_year
    standard_error = result.savings.std(axis=0, ddof=1) / np.sqrt(result.draws)
    assert np.all(np.abs(result.savings.mean(axis=0) - target) < 4 * standard_error)


def test_costs_are_never_discounted(tmp_path):
    """S4 (R) costs 10 in its first year, then saves 30 a year. The cost is paid in full in every
    draw: -10 in 2021/22 when on time; 0 then -10 in 2022/23 when late. The share F is drawn once
    per option and draw, so an on-time draw saves the same F x 30 in 2022/23 and 2023/24."""
    council, _ = mixed_council()
    model, plan = build(tmp_path, council, {"S4": "2021/22"})
    result = simulate(model, plan, draws=4_000, seed=8)
    first, second, third = result.savings.T
    late = first == 0.0
    assert set(np.unique(first)) == {-10.0, 0.0}
    assert np.all(second[late] == -10.0)
    assert np.all(third[late] > 0) and np.all(third[late] <= 30.0)
    assert np.all(second[~late] > 0) and np.all(second[~late] <= 30.0)
    np.testing.assert_array_equal(third[~late], second[~late])
    assert late.mean() == pytest.approx(0.1, abs=4 * np.sqrt(0.09 / 4_000))

    # with nothing delivered (d = 0), only the cost is left, a year later when late
    council.scenario["policy"] = {"delivery": {"R": 0}}
    model, plan = build(tmp_path / "none", council, {"S4": "2021/22"})
    paths = {tuple(row) for row in simulate(model, plan, draws=2_000, seed=8).savings}
    assert paths == {(-10.0, 0.0, 0.0), (0.0, -10.0, 0.0)}


def test_one_offs_stay_in_the_planned_year_and_late_starts_fall_off_the_horizon(tmp_path):
    """Every option late (slip 1), everything delivered (d = 1). S1 (50 from 2021/22) saves 0,
    50, 50. S6 (20 from 2023/24, one-off 7) slips past the horizon and saves nothing, but its
    one-off is still paid in 2023/24. Left after savings: 100, 50, 57. Reserves of 100 cover
    2021/22 and are then empty, so 50 and 57 are still to be found."""
    council = Council()
    council.options.append(option("S6", "A3", rag="G", y1_k=20, one_off_k=7))
    council.scenario["policy"] = {"delivery": {"G": 1, "A": 1, "R": 1}, "slip": 1}
    model, plan = build(tmp_path, council, {"S1": "2021/22", "S6": "2023/24"})
    result = simulate(model, plan, draws=50, seed=1)
    np.testing.assert_array_equal(result.savings, np.tile([0.0, 50.0, 50.0], (50, 1)))
    table = result.table
    for column in ("p5_k", "p50_k", "p95_k", "expected_unidentified_k"):
        assert list(table[column]) == [0.0, 50.0, 57.0]
    assert list(table["p_balanced"]) == [1.0, 0.0, 0.0]
    assert list(table["p5_reserves_balance_k"]) == [0.0, 0.0, 0.0]
    assert result.p_balanced_all_years == 0.0


def test_no_slip_and_full_delivery_is_the_nominal_evaluation(tmp_path):
    """slip 0 and d = 1: every draw is the nominal evaluation of DESIGN 4.3, to the last digit.
    Nominal savings 40, 110, 130 against a gap of 100; with a one-off 5 and a draw limit of 30,
    2021/22 leaves 35 to find, then 10 and 30 are paid back into reserves."""
    council, plan_labels = mixed_council()
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 0, "max_draw_k": 30}
    council.scenario["policy"] = {"delivery": {"G": 1, "A": 1, "R": 1}, "slip": 0}
    model, plan = build(tmp_path, council, plan_labels)
    ev = evaluate(model, plan)
    result = simulate(model, plan, draws=300, seed=2)
    budget = ev.budget
    assert list(budget["savings_k"]) == [40.0, 110.0, 130.0]
    assert list(budget["unidentified_k"]) == [35.0, 0.0, 0.0]
    np.testing.assert_array_equal(result.savings, np.tile(budget["savings_k"], (300, 1)))
    np.testing.assert_array_equal(result.unidentified, np.tile(budget["unidentified_k"], (300, 1)))
    np.testing.assert_array_equal(result.reserves_balance, np.tile(budget["reserves_balance_k"], (300, 1)))
    for column in ("p5_k", "p50_k", "p95_k", "expected_unidentified_k"):
        np.testing.assert_array_equal(result.table[column], budget["unidentified_k"])
    np.testing.assert_array_equal(result.table["p5_reserves_balance_k"], budget["reserves_balance_k"])
    assert list(result.table["p_balanced"]) == list((budget["balanced"] == "yes").astype(float))
    assert result.p_balanced_all_years == 0.0


def test_an_empty_plan_leaves_the_gap(tmp_path):
    model, _ = build(tmp_path, Council(), {})
    result = simulate(model, {}, draws=10, seed=1)
    np.testing.assert_array_equal(result.savings, 0.0)
    assert list(result.table["p50_k"]) == [0.0, 100.0, 100.0]  # reserves of 100 last a year


# ---------------------------------------------------------------------------------------------
# Reproducibility, chunks and progress
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_results_and_progress_per_chunk(tmp_path, monkeypatch):
    council, plan_labels = mixed_council()
    model, plan = build(tmp_path, council, plan_labels)
    monkeypatch.setattr(risk_draws, "BLOCK_CELLS", 300)  # 100 draws of 3 options per block
    steps: list[int] = []
    first = simulate(model, plan, draws=1_050, seed=42, progress=steps.append)
    again = simulate(model, plan, draws=1_050, seed=42)
    other = simulate(model, plan, draws=1_050, seed=43)
    assert steps == [100] * 10 + [50]
    np.testing.assert_array_equal(first.savings, again.savings)
    np.testing.assert_array_equal(first.unidentified, again.unidentified)
    assert first.table.equals(again.table)
    assert first.p_balanced_all_years == again.p_balanced_all_years
    assert not np.array_equal(first.savings, other.savings)
    assert first.manifest_fields() == {
        "seed": 42,
        "draws": 1_050,
        "p_balanced_all_years": round(first.p_balanced_all_years, 6),
        "confidence": 0.9,
    }


def test_draws_must_be_positive(tmp_path):
    model, plan = build(tmp_path, Council(), {"S1": "2021/22"})
    with pytest.raises(ValueError, match="draws"):
        simulate(model, plan, draws=0)


# ---------------------------------------------------------------------------------------------
# The pieces: delivered shares, late cells, the savings kernel
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mean", [0.95, 0.75, 0.45, 0.05, 0.5])
@pytest.mark.parametrize("concentration", [2.0, 0.3, 40.0])
def test_share_table_is_beta_sliced_into_equal_chances(mean, concentration):
    """Each value is the mean of Beta(kd, k(1-d)) within its own slice of probability 1/STRATA,
    so it lies between that slice's quantiles (the distribution is right to 1/STRATA), and the
    values average to d: the mean delivery is exact."""
    table = beta_strata(mean, concentration)
    a, b = concentration * mean, concentration * (1 - mean)
    assert table.shape == (STRATA,)
    assert table.mean() == pytest.approx(mean, abs=1e-12)
    assert np.all(np.diff(table) >= -1e-9) and table[0] >= 0 and table[-1] <= 1
    slices = np.arange(STRATA)
    # to 1e-9: values within 1e-12 of 1 cannot be told apart in floating point
    assert np.all(table >= stats.beta.ppf(slices / STRATA, a, b) - 1e-9)
    assert np.all(table <= stats.beta.ppf((slices + 1) / STRATA, a, b) + 1e-9)
    assert table.var() == pytest.approx(mean * (1 - mean) / (concentration + 1), rel=2e-3)


@pytest.mark.parametrize("mean", [0.0, 1.0])
def test_share_is_exact_when_delivery_is_certain(mean):
    assert np.all(beta_strata(mean, 2.0) == mean)


def test_drawn_shares_follow_the_beta_distribution(tmp_path):
    """Kolmogorov-Smirnov against Beta(1.5, 0.5) (amber, d 0.75, k 2) over 20,000 draws:
    the distance stays below the 0.1% critical value 1.95 / sqrt(n)."""
    council = Council()
    model, plan = build(tmp_path, council, {"S2": "2021/22"})
    profile = delivery_profile(model, plan)
    share, _ = draw_delivery(np.random.default_rng(4), profile, 0.1, 2.0, 20_000)
    assert stats.kstest(share[:, 0], stats.beta(1.5, 0.5).cdf).statistic < 1.95 / np.sqrt(20_000)


def test_late_cells_are_independent_chances():
    rng = np.random.default_rng(9)
    cells = 1_000_000
    late = late_cells(rng, 0.1, cells)
    assert np.all(np.diff(late) > 0) and late[0] >= 0 and late[-1] < cells
    tolerance = 4 * np.sqrt(cells * 0.09)
    assert abs(len(late) - 100_000) < tolerance
    # no edge effect from drawing in batches: each tenth of the cells gets its tenth
    per_tenth = np.bincount(late * 10 // cells, minlength=10)
    assert np.all(np.abs(per_tenth - 10_000) < 4 * np.sqrt(cells / 10 * 0.09))
    assert len(late_cells(rng, 0.0, 100)) == 0
    np.testing.assert_array_equal(late_cells(rng, 1.0, 100), np.arange(100))
    assert len(late_cells(rng, 0.5, 0)) == 0


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_savings_kernel_matches_the_definition_cell_by_cell(data):
    """plan_savings (matrix products, late cells corrected) against DESIGN 4.5 read literally:
    option o started in s saves in year t its level C[o, t - s - late], times F when positive."""
    n = data.draw(st.integers(1, 5))
    k = data.draw(st.integers(1, 4))
    draws = data.draw(st.integers(1, 6))
    level = st.integers(-50, 80).map(float)
    levels = np.array(data.draw(st.lists(st.lists(level, min_size=n, max_size=n), min_size=k, max_size=k)))
    starts = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
    late = np.array(
        data.draw(st.lists(st.lists(st.booleans(), min_size=k, max_size=k), min_size=draws, max_size=draws))
    )
    share = np.array(
        data.draw(st.lists(st.lists(st.floats(0, 1), min_size=k, max_size=k), min_size=draws, max_size=draws))
    )

    def level_at(o, j):
        return levels[o, j] if j >= 0 else 0.0

    on_time = np.array([[level_at(o, t - starts[o]) for t in range(n)] for o in range(k)])
    one_late = np.array([[level_at(o, t - starts[o] - 1) for t in range(n)] for o in range(k)])
    profile = DeliveryProfile(
        option_ids=[f"S{o}" for o in range(k)],
        delivery=np.full(k, 0.5),
        on_time=on_time,
        late=one_late,
        one_off=np.zeros(n),
    )
    expected = np.zeros((draws, n))
    for d in range(draws):
        for o in range(k):
            for t in range(n):
                c = level_at(o, t - starts[o] - int(late[d, o]))
                expected[d, t] += share[d, o] * c if c > 0 else c
    got = plan_savings(profile, share, np.flatnonzero(late))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


def test_profile_reads_the_model_levels(tmp_path):
    """delivery_profile takes C[o, t - s] and C[o, t - s - 1] from model.levels, sorted by d."""
    council, plan_labels = mixed_council()
    model, plan = build(tmp_path, council, plan_labels)
    profile = delivery_profile(model, plan)
    assert profile.option_ids == ["S4", "S2", "S1"]
    np.testing.assert_array_equal(profile.delivery, [0.45, 0.75, 0.95])
    np.testing.assert_array_equal(profile.on_time, [[-10, 30, 30], [0, 30, 50], [50, 50, 50]])
    np.testing.assert_array_equal(profile.late, [[0, -10, 30], [0, 0, 30], [0, 50, 50]])
    np.testing.assert_array_equal(profile.one_off, [5, 0, 0])
    assert profile.blocks == [(0, 1, 0.45), (1, 2, 0.75), (2, 3, 0.95)]


def test_printed_summary(tmp_path):
    council, plan_labels = deterministic_council()
    model, plan = build(tmp_path, council, plan_labels)
    result = simulate(model, plan, draws=1_000, seed=1)
    from mtfs_align.report.text import risk_lines
    from mtfs_align.wording import chance

    text = "\n".join(risk_lines(result))
    assert "1,000 simulated draws (seed 1)" in text
    assert "2021/22" in text and "2023/24" in text
    assert "The chance that every year balances is" in text
    assert chance(0.999) == "over 99%" and chance(0.001) == "under 1%"
    assert chance(1.0) == "100%" and chance(0.81) == "81%"


def test_progress_bar_reports_to_stderr_unless_quiet(capsys):
    from mtfs_align.cli_common import progress_bar

    with progress_bar(10, "Simulating delivery", quiet=True) as advance:
        advance(10)
    assert capsys.readouterr() == ("", "")
    with progress_bar(10, "Simulating delivery") as advance:
        advance(4)
        advance(6)
    captured = capsys.readouterr()
    assert captured.out == "" and "Simulating delivery" in captured.err
