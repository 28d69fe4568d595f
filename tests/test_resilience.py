"""Resilience (DESIGN 4.6, 5): VaR and CVaR by hand, resilience.csv against exact enumeration, the
Monte Carlo's reserves bounded by max_cover_k, the Section 25 sentences and the risk command."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from factory import Council, read_csv

from mtfs_align.analysis.risk import RESILIENCE_COLUMNS, simulate
from mtfs_align.cli import cli
from mtfs_align.evaluate import settle_reserves
from mtfs_align.report.sentences.resilience import certainty_cost_sentence, section25_sentences
from mtfs_align.tail import cvar, var
from mtfs_align.wording import money

COLUMNS = [
    "year",
    "p_balanced",
    "var_k",
    "cvar_k",
    "expected_unidentified_k",
    "p5_reserves_balance_k",
    "p95_cover_used_k",
    "shortfall_at_confidence_k",
]


# --------------------------------------------------------------------------- VaR and CVaR by hand


@pytest.mark.parametrize(
    "values, p, value_at_risk, tail",
    [
        ([0, 3, 9], 2 / 3, 3, 9),  # the worst third is the 9
        ([9, 0, 3], 0.5, 3, 7),  # the worst 1.5 draws: the 9 and half the 3, (9 + 1.5) / 1.5
        ([2, 10], 0.9, 10, 10),
        ([5], 0.95, 5, 5),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 10], 0.9, 0, 10),  # p N = 9 exactly: the 9th draw
        ([1, 2, 3, 4], 0.75, 3, 4),
        ([1, 2, 3, 4], 0.6, 3, 3 + (1 / 4) / 0.4),  # worst 1.6 draws: (4 + 0.6 x 3) / 1.6 = 3.625
    ],
)
def test_var_and_cvar_by_hand(values, p, value_at_risk, tail):
    assert var(values, p) == pytest.approx(value_at_risk)
    assert cvar(values, p) == pytest.approx(tail)


def test_cvar_is_the_average_of_the_worst_share_and_works_by_year():
    rng = np.random.default_rng(1)
    draws = rng.integers(0, 50, size=(200, 3)).astype(float)
    for p in (0.6, 0.9, 0.95):
        by_year = cvar(draws, p, axis=0)
        for t in range(3):
            ordered = np.sort(draws[:, t])[::-1]
            worst = ordered[: round((1 - p) * 200)]  # (1 - p) 200 is a whole number here
            assert by_year[t] == pytest.approx(worst.mean())
            assert var(draws, p, axis=0)[t] == var(draws[:, t], p)
            assert by_year[t] >= draws[:, t].mean() - 1e-9
    with pytest.raises(ValueError):
        var([1, 2], 1.0)


def test_money_rounds_half_up():
    assert money(1950) == "£2.0m"
    assert money(14.5) == "£15k"
    assert money(1250) == "£1.3m"
    assert money(-1950) == "-£2.0m"
    assert money(999.5) == "£1.0m"
    assert money(0.4) == "£0"


# --------------------------------------------------------------------------- exact enumeration


def certain_delivery(council: Council, slip: float = 0.5) -> Council:
    """Every saving delivers in full (F = d = 1), so only on-time or late matters."""
    council.scenario["policy"] = {"delivery": {"G": 1, "A": 1, "R": 1}, "slip": slip}
    return council


def test_resilience_against_enumeration_and_max_cover_bounds_the_draws(tmp_path):
    """Gap 100 a year; S1 (50, G) and S3 (20, R) start in 2021/22, each late with chance 1/2.
    max_draw_k 0 (the budget plans no draw) but max_cover_k 40 for cover in-year.

    2021/22 shortfall 30, 50, 80 or 100 (1/4 each) -> drawn 30, 40, 40, 40; left 0, 10, 40, 60;
    closing reserves 70, 60, 60, 60. 2022/23 and 2023/24: shortfall 30, drawn in full."""
    council = certain_delivery(Council())
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 0, "max_draw_k": 0, "max_cover_k": 40}
    council.scenario["plan"] = {"S1": "2021/22", "S3": "2021/22"}
    model = council.model(tmp_path)
    result = simulate(model, model.scenario.plan, draws=20_000, seed=4)
    table = result.resilience
    assert list(table.columns) == COLUMNS == RESILIENCE_COLUMNS
    assert result.confidence == 0.9

    drawn = result.reserves_drawn
    assert drawn.max() == 40  # within max_cover_k, not max_draw_k (0)
    assert set(np.unique(drawn[:, 0])) == {30.0, 40.0}
    assert set(np.unique(result.unidentified[:, 0])) == {0.0, 10.0, 40.0, 60.0}

    row = table.iloc[0]
    se = math.sqrt(0.25 * 0.75 / 20_000)
    assert row["p_balanced"] == pytest.approx(0.25, abs=4 * se)
    assert row["var_k"] == 60  # the worst quarter is 60: the 0.9 quantile
    assert row["cvar_k"] == 60
    assert row["expected_unidentified_k"] == pytest.approx(27.5, abs=4 * 60 * se * 2)
    assert row["p5_reserves_balance_k"] == 60
    assert row["p95_cover_used_k"] == 40
    assert row["shortfall_at_confidence_k"] == 60
    later = table.iloc[1:]
    assert later["p_balanced"].tolist() == [1.0, 1.0]
    assert later["var_k"].tolist() == [0.0, 0.0] and later["cvar_k"].tolist() == [0.0, 0.0]
    assert later["p95_cover_used_k"].tolist() == [30.0, 30.0]
    assert later["p5_reserves_balance_k"].tolist() == [30.0, 0.0]
    assert later["shortfall_at_confidence_k"].tolist() == [0.0, 0.0]

    # at p = 0.6 the quantile falls among the 40s; CVaR = 40 + share(60) x 20 / 0.4
    lower = simulate(model, model.scenario.plan, draws=20_000, seed=4, confidence=0.6)
    share60 = float((lower.unidentified[:, 0] == 60).mean())
    assert lower.resilience["var_k"].iloc[0] == 40
    assert lower.resilience["cvar_k"].iloc[0] == pytest.approx(40 + share60 * 20 / 0.4)
    assert lower.resilience["cvar_k"].iloc[0] == pytest.approx(52.5, abs=50 * 4 * se)


def test_shortfall_at_confidence_year_by_year_by_enumeration(tmp_path):
    """Gap 100 a year; S1 (50, G) in 2021/22, late with chance 1/2; usable 60, max_cover_k 40.

    On time: 2021/22 short 50, drawn 40, 10 left, balance 20; late: short 100, drawn 40, 60 left.
    2022/23: short 50, drawn 20 (all that is left), 30 left; 2023/24: 50 left. At 90%: 60, 30, 50.
    Found 60 for 2021/22: on time pays in 10 (balance 70), late draws 40 (balance 20); 2022/23 leaves
    10 or 30 -> 30; found 30 too, 2023/24 leaves 10 (on time, balance 50 - 40) or 50 -> 50."""
    council = certain_delivery(Council())
    council.mtfs["reserves"] = {"usable_k": 60, "minimum_k": 0, "max_cover_k": 40}
    council.scenario["plan"] = {"S1": "2021/22"}
    model = council.model(tmp_path)
    table = simulate(model, model.scenario.plan, draws=5_000, seed=2).resilience
    assert table["var_k"].tolist() == [60.0, 30.0, 50.0]
    assert table["shortfall_at_confidence_k"].tolist() == [60.0, 30.0, 50.0]
    assert table["p_balanced"].tolist() == [0.0, 0.0, 0.0]


def test_found_funding_balances_each_year_at_the_confidence_and_never_exceeds_var(tmp_path):
    council = Council()
    council.mtfs["reserves"] = {"usable_k": 60, "minimum_k": 10, "max_draw_k": 20, "max_cover_k": [30, 25, 20]}
    council.option("S2").update(y1_k=60, y2_k=30)
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22", "S3": "2022/23"}
    council.scenario["policy"] = {"slip": 0.3, "confidence": 0.8}
    model = council.model(tmp_path)
    result = simulate(model, model.scenario.plan, draws=4_000, seed=9)
    table = result.resilience
    short = table["shortfall_at_confidence_k"].to_numpy()
    assert short[0] == table["var_k"].iloc[0]
    assert np.all(short <= table["var_k"].to_numpy() + 1e-9)
    one_off = np.zeros(model.n)  # no one-off costs in this plan
    r = model.scenario.reserves
    after = settle_reserves(model.gap - result.savings + one_off - short, r.usable_k, r.minimum_k, r.max_cover_k)
    assert np.all((after.unidentified < 0.5).mean(axis=0) >= 0.8)
    assert np.all(result.reserves_drawn <= np.array(r.max_cover_k) + 1e-9)


def test_the_mean_of_the_draws_is_still_the_expected_saving(tmp_path):
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2022/23", "S3": "2021/22"}
    council.scenario["policy"] = {"slip": 0.2, "delivery": {"G": 0.9, "A": 0.6, "R": 0.3}}
    model = council.model(tmp_path)
    result = simulate(model, model.scenario.plan, draws=40_000, seed=3)
    expected_council = council.copy()
    expected_council.scenario["policy"]["plan_on"] = "expected"
    ev = expected_council.evaluate(tmp_path / "expected")
    mean = result.savings.mean(axis=0)
    se = result.savings.std(axis=0, ddof=1) / math.sqrt(40_000)
    assert np.all(np.abs(mean - ev.budget["savings_k"].to_numpy()) <= 4 * se + 1e-9)


# --------------------------------------------------------------------------- the Section 25 sentences


def table_of(var_k, shortfall, cvar_k=None, cover=(5, 5, 5), low=(80, 70, 60)):
    years = ["2021/22", "2022/23", "2023/24"]
    return pd.DataFrame(
        {
            "year": years,
            "p_balanced": [0.95, 0.9, 0.8],
            "var_k": var_k,
            "cvar_k": cvar_k if cvar_k is not None else var_k,
            "expected_unidentified_k": [0, 0, 0],
            "p5_reserves_balance_k": list(low),
            "p95_cover_used_k": list(cover),
            "shortfall_at_confidence_k": shortfall,
        }
    )


def test_statement_when_reserves_are_adequate():
    text = " ".join(section25_sentences(table_of([0, 0, 0.3], [0, 0, 0], cvar_k=[0, 0, 1500]), 0.9))
    assert "With 90% confidence the plan balances every year from 2021/22 to 2023/24" in text
    assert "reserves are adequate" in text and "nothing further to identify" in text
    assert "In the worst 10% of futures an average of £1.5m is left to find in 2023/24." in text
    assert "draws £5k of reserves in 2021/22, and reserves fall to £60k by the end of 2023/24" in text
    assert "must still identify" not in text


def test_statement_when_a_shortfall_remains_names_the_years():
    text = " ".join(section25_sentences(table_of([1950, 0, 4200], [1950, 0, 3000]), 0.9))
    assert "the plan leaves no more than £2.0m to find in 2021/22 and £4.2m in 2023/24" in text
    assert "Reserves are not enough" in text
    assert "must still identify further savings or one-off funding of £2.0m in 2021/22 and £3.0m in 2023/24" in text
    assert "(£5.0m summed over those two years)" in text
    assert "2022/23" not in text.split("Reserves are not enough")[1].split(".")[0]
    assert "A later year needs less" in text  # 3.0m found against 4.2m left
    assert "The 2021/22 budget must balance by law, so its £2.0m is needed" in text
    single = " ".join(section25_sentences(table_of([0, 0, 800], [0, 0, 800]), 0.95))
    assert "With 95% confidence" in single and "£800k in 2023/24." in single
    assert "summed over" not in single and "must balance by law" not in single


def test_statement_when_no_plan_reaches_the_confidence():
    text = " ".join(section25_sentences(table_of([500, 600, 700], [500, 600, 700]), 0.9, best_possible=True))
    assert "Even the plan chosen to leave least to find in a bad year does not balance every year at 90%" in text
    assert (
        "the council must identify new savings or one-off funding of £500k in 2021/22, £600k in 2022/23 and "
        "£700k in 2023/24 (£1.8m summed over the three years)" in text
    )
    assert "Reserves are not enough" not in text


def test_certainty_cost_sentence():
    years = ["2021/22", "2022/23"]
    text = certainty_cost_sentence(2.68, 3.1, [2000, 4100], [500, 1000], years, confidence=0.9)
    assert text == (
        "Planning for delivery risk at 90% confidence adds 0.42 to outcome harm summed over the two years "
        "(3.10 against 2.68 for the plan that assumes expected delivery) and cuts what is left to find in a "
        "bad year (the average of the worst 10% of futures) from £2.0m to £500k in 2021/22 and from £4.1m to "
        "£1.0m in 2022/23."
    )
    mapped = certainty_cost_sentence(2.0, 2.0, {"2021/22": 100, "2022/23": 0}, {"2021/22": 0, "2022/23": 50}, years)
    assert "costs no extra outcome harm" in mapped
    assert (
        "cuts what is left to find in a bad year from £100k to £0 in 2021/22, though it rises from £0 to "
        "£50k in 2022/23." in mapped
    )
    assert "neither plan leaves anything" in certainty_cost_sentence(2.0, 1.5, [0, 0], [0.2, 0], years)
    assert "reduces outcome harm by 0.50" in certainty_cost_sentence(2.0, 1.5, [0, 0], [0.2, 0], years)
    assert "unchanged" in certainty_cost_sentence(2.0, 2.2, [10, 0], [10, 0], years)
    with pytest.raises(ValueError):
        certainty_cost_sentence(1, 1, [1], [1, 2], years)


# --------------------------------------------------------------------------- the risk command


def test_risk_writes_resilience_csv_and_the_statement(tmp_path):
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22", "S3": "2021/22"}
    council.scenario["policy"] = {"confidence": 0.95}
    path = council.write(tmp_path)
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["risk", str(path), "--draws", "1000", "--seed", "3", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_csv(out / "resilience.csv")
    assert list(rows[0]) == COLUMNS and [r["year"] for r in rows] == ["2021/22", "2022/23", "2023/24"]
    risk_rows = read_csv(out / "risk.csv")
    assert [r["p5_reserves_balance_k"] for r in rows] == [r["p5_reserves_balance_k"] for r in risk_rows]
    assert [r["p_balanced"] for r in rows] == [r["p_balanced"] for r in risk_rows]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["confidence"] == 0.95
    assert "Resilience at 95% confidence" in result.output
    assert "Robustness of the estimates and adequacy of reserves" in result.output


@pytest.mark.parametrize(
    "change, words",
    [
        ({"policy": {"confidence": 1.2}}, ["confidence", "1.2"]),
        ({"policy": {"risk_draws": 0}}, ["risk_draws"]),
        ({"policy": {"reserves": {"max_cover_k": [10, 10]}}}, ["max_cover_k", "2 values"]),
    ],
)
def test_bad_resilience_settings_are_bad_input(tmp_path, change, words):
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22"}
    council.scenario.update(change)
    path = council.write(tmp_path)
    result = CliRunner().invoke(cli, ["risk", str(path), "--draws", "100", "-q", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "test.yaml" in result.output and "line" in result.output
    for word in words:
        assert word in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_max_cover_k_of_the_wrong_length_in_mtfs_yaml(tmp_path):
    council = Council()
    council.mtfs["reserves"]["max_cover_k"] = [10, 10, 10, 10]
    council.scenario["plan"] = {"S1": "2021/22"}
    path = council.write(tmp_path)
    result = CliRunner().invoke(cli, ["risk", str(path), "--draws", "100", "-q", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "mtfs.yaml" in result.output and "max_cover_k" in result.output and "4 values" in result.output


def test_briefing_has_the_section(tmp_path):
    from mtfs_align.report.briefing import BRIEFING_NAME, briefing_files

    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22", "S3": "2021/22"}
    path = council.write(tmp_path)
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["risk", str(path), "--draws", "500", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    import io

    from pypdf import PdfReader

    from mtfs_align.results import read_results

    pdf = briefing_files(read_results(out))[BRIEFING_NAME]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Robustness of the estimates and adequacy of reserves" in text
    assert "With 90% confidence" in text


def test_evaluate_is_unchanged_by_max_cover_k(tmp_path):
    """max_cover_k is for in-year cover only: the budget as planned still draws within max_draw_k."""
    council = Council()
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 0, "max_draw_k": 10, "max_cover_k": 60}
    council.scenario["plan"] = {"S1": "2021/22"}
    ev = council.evaluate(tmp_path)
    assert ev.budget["reserves_draw_k"].max() == 10
