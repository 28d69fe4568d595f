"""The proposal against the optimum (DESIGN 4.5): B and C worked by hand, the cases where either
does not exist, and the properties B harm <= P harm and C savings >= P savings whenever the
proposal itself obeys every constraint of DESIGN 4.4.

"Proposalshire" (tests/factory.py): two years, gap 100 a year, reserves 30 usable, at most 20
drawn a year. Equal priority weights: w[O1] = 1/3, w[O2] = 1/6, w[O3] = 1/2. Every option starts
in 2021/22 only and saves the same every year:
  S1: A1, 60 a year, harms O1:1   -> harm 2/3 over the horizon
  S2: A2, 50 a year, harms O3:1   -> 1
  S3: A3, 40 a year, harms O2:1   -> 1/3
  S4: A2, 55 a year, harms O3:0.5 -> 1/2
The proposal P = {S2, S3}: savings 90 a year (180 in all), harm 4/3.
  B (at least 90 every year, least harm): S3 + S4 save 95 with harm 5/6 (S1 + S3: 100, harm 1;
    S1 + S4: 115, harm 7/6; nothing with less harm saves 90). Harm cut (4/3 - 5/6) / (4/3) = 37.5%.
  C (harm at most 4/3, most savings): S1 + S4 save 115 a year with harm 7/6 (adding S3 would make
    harm 3/2; S2 + S4 has harm 3/2). 230 in all, 50 more than the proposal.
"""

from __future__ import annotations

import numpy as np
import pytest
from factory import Council, activity, option, two_year_council

from mtfs_align.analysis.proposal import COLUMNS, compare_proposal, total_savings
from mtfs_align.errors import InputError
from mtfs_align.optimise import prepare, solve
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.report.sentences.proposal import proposal_lines

EXACT = SolverSettings(mip_gap=0.0)


def proposalshire() -> Council:
    c = two_year_council("proposalshire", "proposal")
    c.options.append(option("S4", "A2", y1_k=55, harms="O3:0.5", latest="2021/22"))
    c.scenario["plan"] = {"S2": "2021/22", "S3": "2021/22"}
    return c


def test_hand_worked_b_and_c(tmp_path):
    result = compare_proposal(proposalshire().model(tmp_path), EXACT)
    assert result.proposal.harm == pytest.approx(4 / 3)
    assert result.least_harm.plan == {"S3": 0, "S4": 0}
    assert result.least_harm.harm == pytest.approx(5 / 6)
    assert result.most_savings.plan == {"S1": 0, "S4": 0}
    assert result.most_savings.harm == pytest.approx(7 / 6)
    assert result.best_savings_k == pytest.approx(230)
    assert result.harm_cut == pytest.approx(0.375)
    assert result.extra_savings_k == pytest.approx(50)
    assert result.status == {"B": "optimal", "C": "optimal"}
    table = result.table
    assert list(table.columns) == COLUMNS + ["harm_P1", "harm_P2"]
    assert table["plan"].tolist() == ["P", "B", "C"]
    assert table["savings_k"].tolist() == pytest.approx([180, 190, 230])
    assert table["harm"].tolist() == pytest.approx([4 / 3, 5 / 6, 7 / 6])
    assert table["harm_P1"].tolist() == pytest.approx([1 / 3, 1 / 3, 2 / 3])
    assert table["harm_P2"].tolist() == pytest.approx([1, 1 / 2, 1 / 2])
    # P leaves 10 a year, drawn; B leaves 5 a year, drawn; C pays 15 a year into reserves.
    assert table["reserves_draw_k"].tolist() == pytest.approx([20, 10, 0])
    assert table["unidentified_k"].tolist() == pytest.approx([0, 0, 0], abs=1e-9)
    assert proposal_lines(result) == [
        "For at least the proposal's savings in every year, plan B cuts outcome harm by 38% (from 1.33 to 0.83).",
        "For no more harm, plan C saves £115k a year by 2022/23 (the proposal £90k), £50k more summed over "
        "the two years (£230k against £180k).",
    ]


def test_c_breaks_ties_by_least_harm(tmp_path):
    """S5 saves as much as S4 (55 a year) with less harm (O3:0.4, 0.4 over the horizon) but cannot
    go with it. S1 + S4 and S1 + S5 both save the most (115 a year) within harm 4/3 (S1 + S3 + S5
    would have harm 1.4); C takes the one with less harm, S1 + S5."""
    c = proposalshire()
    c.options.append(option("S5", "A3", y1_k=55, harms="O3:0.4", latest="2021/22"))
    c.option("S5")["excludes"] = "S4"
    result = compare_proposal(c.model(tmp_path), EXACT)
    assert result.most_savings.plan == {"S1": 0, "S5": 0}
    assert result.most_savings.harm == pytest.approx(2 / 3 + 0.4)


def test_the_rows_are_released_on_a_shared_problem(tmp_path):
    """On the problem the optimiser uses, B and C leave it as they found it: the optimum after
    compare_proposal is the optimum before (S3 + S4: 95 a year, 5 drawn each year; objective
    5/6 + 0.01, below S1 + S3's 1)."""
    model = proposalshire().model(tmp_path)
    sp = prepare(model)
    before = solve(sp, EXACT).plan
    compare_proposal(model, EXACT, sp=sp)
    assert solve(sp, EXACT).plan == before == {"S3": 0, "S4": 0}
    compare_proposal(model, EXACT, sp=sp)  # and again, reusing its rows
    assert solve(sp, EXACT).plan == before


def test_b_infeasible_when_the_proposal_saves_more_than_any_legal_plan(tmp_path):
    """S4 is rejected but the proposal uses all four: 205 a year; the most any legal plan saves is
    S1 + S2 + S3 = 150. So there is no B. C (harm at most 2.5) is all three legal options."""
    c = proposalshire()
    c.scenario["plan"] = {f"S{i}": "2021/22" for i in range(1, 5)}
    c.scenario["policy"] = {"reject": ["S4"]}
    result = compare_proposal(c.model(tmp_path), EXACT)
    assert result.least_harm is None and result.status["B"] == "infeasible"
    assert result.most_savings.plan == {"S1": 0, "S2": 0, "S3": 0}
    assert result.table.loc[1, "label"].endswith("no plan keeps to every constraint")
    assert np.isnan(result.table.loc[1, "harm"])
    assert any("breaks the scenario's rules in 1 place" in s for s in proposal_lines(result))
    sentences = proposal_lines(result)
    assert any(s.startswith("No plan that keeps to every constraint saves at least as much") for s in sentences)
    assert any(s.startswith("No plan with no more outcome harm") for s in sentences)


def test_c_infeasible_when_adopted_options_force_more_harm(tmp_path):
    """S2 is adopted (harm 1) but the proposal is S3 alone (harm 1/3): no legal plan has so little
    harm, so there is no C; B is S2 alone (50 a year >= 40), with more harm than the proposal."""
    c = proposalshire()
    c.scenario["plan"] = {"S3": "2021/22"}
    c.scenario["policy"] = {"adopt": {"S2": "2021/22"}}
    result = compare_proposal(c.model(tmp_path), EXACT)
    assert result.most_savings is None and result.status["C"] == "infeasible"
    assert result.least_harm.plan == {"S2": 0}
    sentences = proposal_lines(result)
    assert any(s.startswith("No plan that keeps to every constraint has as little outcome harm") for s in sentences)
    assert any(s.startswith("Keeping to every constraint costs harm") for s in proposal_lines(result))


def test_an_optimal_proposal_cannot_be_improved(tmp_path):
    c = proposalshire()
    c.scenario["plan"] = {"S3": "2021/22", "S4": "2021/22"}  # B itself
    result = compare_proposal(c.model(tmp_path), EXACT)
    assert result.least_harm.harm == pytest.approx(result.proposal.harm)
    assert proposal_lines(result)[0].startswith("No plan that saves at least as much as the proposal")


def test_no_plan_is_bad_input(tmp_path):
    c = proposalshire()
    del c.scenario["plan"]
    with pytest.raises(InputError, match="no proposed plan"):
        compare_proposal(c.model(tmp_path), EXACT)


def random_council(seed: int) -> Council:
    """Only constraints whose breaches the policy check reports exactly (windows, rejection,
    capacity, requires, excludes, adoption), so that a proposal without breaches obeys 4.4."""
    rng = np.random.default_rng(seed)
    c = Council(name=f"prop{seed}", scenario_name=f"prop{seed}")
    c.activities = [activity("A1", 600, "O1"), activity("A2", 300, "O2"), activity("A3", 100, "O3")]
    years = ["2021/22", "2022/23", "2023/24"]
    c.options = []
    for i in range(7):
        fields = {
            "y1_k": int(rng.integers(-5, 40)),
            "y2_k": int(rng.integers(-10, 20)),
            "effort": int(rng.integers(1, 3)),
            "harms": f"O{int(rng.integers(1, 4))}:{int(rng.integers(0, 4))}",
        }
        if rng.random() < 0.3:
            fields["benefits"] = f"O{int(rng.integers(1, 4))}:1"
        if rng.random() < 0.4:
            fields["earliest"] = years[int(rng.integers(0, 2))]
        if rng.random() < 0.3:
            fields["one_off_k"] = int(rng.integers(1, 10))
        c.options.append(option(f"S{i + 1}", f"A{int(rng.integers(1, 4))}", **fields))
    c.option("S2")["requires"] = "S1"
    c.option("S4")["excludes"] = "S5"
    c.scenario["policy"] = {"capacity": [int(rng.integers(2, 5)), 3, 3], "reject": ["S7"]}
    plan = {}
    for i in range(1, 8):
        if rng.random() < 0.5:
            plan[f"S{i}"] = years[int(rng.integers(0, 3))]
    c.scenario["plan"] = plan or {"S1": "2021/22"}
    return c


@pytest.mark.parametrize("seed", range(8))
def test_b_and_c_never_worse_than_a_legal_proposal(seed, tmp_path):
    model = random_council(seed).model(tmp_path)
    result = compare_proposal(model, EXACT)
    proposal = result.proposal
    legal = proposal.breaches.empty
    if legal:
        assert result.least_harm is not None and result.most_savings is not None
    if result.least_harm is not None:
        b = result.least_harm
        assert b.breaches.empty
        assert np.all(b.savings_by_year >= proposal.savings_by_year - 1e-6)
        if legal:
            assert b.harm <= proposal.harm + 1e-6
    if result.most_savings is not None:
        c = result.most_savings
        assert c.breaches.empty
        assert c.harm <= proposal.harm + 1e-6
        if legal:
            assert total_savings(c) >= total_savings(proposal) - 1e-6


def test_westshire_proposal():
    """The bundled officers' proposal (scenarios/proposal.yaml): harm 16.62; the least-harm plan
    with at least its savings every year has harm about 11.34; the plan with the most savings for
    no more harm saves about £12.9m more over the four years."""
    from mtfs_align.examples import default_scenario
    from mtfs_align.model import build_model
    from mtfs_align.scenario import load_scenario

    model = build_model(load_scenario(default_scenario()))
    result = compare_proposal(model)
    assert result.proposal.harm == pytest.approx(16.617, abs=1e-3)
    assert result.least_harm.harm == pytest.approx(11.34, abs=0.01 * 11.34)
    assert result.extra_savings_k == pytest.approx(12900, abs=100)
    assert proposal_lines(result)[-1].startswith("For no more harm, plan C saves ")
    assert "£12.9m more summed over the four years" in proposal_lines(result)[-1]
    assert total_savings(result.least_harm) >= total_savings(result.proposal)
