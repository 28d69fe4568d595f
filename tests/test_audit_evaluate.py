"""Audit of DESIGN 3, 4.1-4.3, 5 and 7 against the written files, with every figure worked out by
hand from DESIGN alone (in each docstring), as an independent implementation would compute it.

Testshire (tests/factory.py): A1 600 (O1, floor_share 0.5), A2 300 (O2), A3 100 (O3), need 1000
a year over 2021/22-2023/24, funding 900; P1 has O1 (weight 2) and O2 (weight 1), P2 has O3.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import Council, option, read_csv

from mtfs_align.cli import cli
from mtfs_align.errors import InputError


def check(council: Council, root: Path, out: str = "out") -> tuple[int, Path]:
    """`mtfs-align check` of the council's scenario into root/out; the exit code and the folder."""
    result = CliRunner().invoke(cli, ["check", str(council.write(root)), "--out", str(root / out), "--quiet"])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, root / out


def problems_of(council: Council, root: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        council.load(root)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------------------------
# DESIGN 5: money in breaches.csv
# --------------------------------------------------------------------------------------------


def test_breach_values_and_limits_are_money_to_three_decimals(tmp_path):
    """DESIGN 5: "Money is written in £k with at most three decimals". breaches.csv's value and
    limit are sums of money for envelope and protection breaches.

    A1 grows 3.3% a year: need 600, 600 x 1.033 = 619.8, 600 x 1.033^2 = 640.2534. Its cash
    limit (envelope_growth_pct 0) is 600 every year. Protect P1 at 100%. Plan: S2 (A2, 30 then
    +20) from 2021/22, S4 (A1, 340) from 2023/24.
    - 2022/23: A1 spend 619.8 > 600 + 0.5: above_envelope, value 619.8, limit 600.
    - 2023/24: A1 service spend 640.2534 - 340 = 300.2534 below its floor 0.5 x 640.2534 =
      320.1267 (less 0.5): below_floor, value 300.253, limit 320.127 (not 300.2534, 320.1267).
    - P1 (A1 + A2) service spend against need: 2021/22 600 + 270 = 870 < 900;
      2022/23 619.8 + 250 = 869.8 < 919.8; 2023/24 300.2534 + 250 = 550.2534 < 940.2534:
      protection rows 870/900, 869.8/919.8, 550.253/940.253.
    """
    council = Council()
    council.activity("A1").update(growth_pct=3.3, envelope_growth_pct=0)
    council.options.append(option("S4", "A1", y1_k=340))
    council.scenario["policy"] = {"protect": {"P1": 1}}
    council.scenario["plan"] = {"S2": "2021/22", "S4": "2023/24"}
    code, out = check(council, tmp_path)
    assert code == 1
    rows = [(r["breach"], r["year"], r["value"], r["limit"]) for r in read_csv(out / "breaches.csv")]
    assert sorted(rows) == sorted(
        [
            ("above_envelope", "2022/23", "619.8", "600"),
            ("below_floor", "2023/24", "300.253", "320.127"),
            ("protection", "2021/22", "870", "900"),
            ("protection", "2022/23", "869.8", "919.8"),
            ("protection", "2023/24", "550.253", "940.253"),
        ]
    )


def test_no_money_cell_of_any_evaluation_file_has_more_than_three_decimals(tmp_path):
    """Same council as above: every number in every CSV of `check` that is money (a `_k` column,
    or breaches' value and limit) has at most three decimals."""
    council = Council()
    council.activity("A1").update(growth_pct=3.3, envelope_growth_pct=0)
    council.activity("A2").update(growth_pct=1.7, floor_share=0.9)
    council.options.append(option("S4", "A1", y1_k=340.12345))
    council.scenario["policy"] = {"protect": {"P1": 0.97}}
    council.scenario["plan"] = {"S2": "2021/22", "S4": "2023/24"}
    _, out = check(council, tmp_path)
    too_long = re.compile(r"^-?\d+\.\d{4,}$")
    for path in out.glob("*.csv"):
        for row in read_csv(path):
            for column, text in row.items():
                money = column.endswith("_k") or (path.name == "breaches.csv" and column in ("value", "limit"))
                if money:
                    assert not too_long.match(text), (path.name, column, text)


# --------------------------------------------------------------------------------------------
# DESIGN 4.3 and 5: the whole chain, expected delivery, to the written CSVs and manifest
# --------------------------------------------------------------------------------------------


def expected_mode_council() -> Council:
    """Funding 1150, 900, 800: gap -150, 100, 200. Reserves usable 100, minimum 40,
    max_draw_k [0, 63.1, 500]. plan_on expected (G 0.95, A 0.75, slip 0.1).
    S4: A2, invest to save, amber, y1 -40, y2 +100, y3 +10, y4 +999 (past the horizon),
    one-off 5, from 2021/22. S1: A1, green, y1 50, harms O1, one-off 7, from 2023/24 (the last
    year)."""
    council = Council()
    council.mtfs["funding_k"]["council_tax"] = [1150, 900, 800]
    council.mtfs["reserves"] = {"usable_k": 100, "minimum_k": 40, "max_draw_k": [0, 63.1, 500]}
    council.option("S1")["one_off_k"] = 7
    council.options.append(
        option("S4", "A2", type="invest to save", rag="A", y1_k=-40, y2_k=100, y3_k=10, y4_k=999, one_off_k=5)
    )
    council.scenario["policy"] = {"plan_on": "expected"}
    council.scenario["plan"] = {"S4": "2021/22", "S1": "2023/24"}
    return council


def test_expected_mode_budget_end_to_end(tmp_path):
    """DESIGN 4.3, by hand.
    S4: C = -40, 60, 70 (y4 is past the horizon); g(C) = -40 (a cost, in full), 45, 52.5.
        X = 0.9 x -40 = -36; 0.9 x 45 + 0.1 x -40 = 36.5; 0.9 x 52.5 + 0.1 x 45 = 51.75.
    S1 from the last year: X = 0, 0, 0.9 x 47.5 = 42.75.
    savings_k = -36, 36.5, 94.5; one_off_k = 5, 0, 7 (each in its planned start year).
    gap_after_savings_k = -150 + 36 + 5 = -109; 100 - 36.5 = 63.5; 200 - 94.5 + 7 = 112.5.
    2021/22: surplus 109 paid in (even though max_draw is 0): 100 -> 209.
    2022/23: draw min(63.5, 63.1, 209 - 40) = 63.1; unidentified 0.4 < 0.5: balanced yes; 145.9.
    2023/24: draw min(112.5, 500, 145.9 - 40 = 105.9) = 105.9; unidentified 6.6: no; 40.
    gap_change_k = -150, 250, 100.
    """
    code, out = check(expected_mode_council(), tmp_path)
    assert code == 1
    budget = read_csv(out / "budget.csv")
    assert list(budget[0]) == [
        "year",
        "funding_k",
        "need_k",
        "gap_k",
        "gap_change_k",
        "savings_k",
        "one_off_k",
        "gap_after_savings_k",
        "reserves_opening_k",
        "reserves_draw_k",
        "reserves_paid_k",
        "reserves_balance_k",
        "unidentified_k",
        "balanced",
    ]
    table = {column: [row[column] for row in budget] for column in budget[0]}
    assert table["funding_k"] == ["1150", "900", "800"]
    assert table["need_k"] == ["1000", "1000", "1000"]
    assert table["gap_k"] == ["-150", "100", "200"]
    assert table["gap_change_k"] == ["-150", "250", "100"]
    assert table["savings_k"] == ["-36", "36.5", "94.5"]
    assert table["one_off_k"] == ["5", "0", "7"]
    assert table["gap_after_savings_k"] == ["-109", "63.5", "112.5"]
    assert table["reserves_opening_k"] == ["100", "209", "145.9"]
    assert table["reserves_draw_k"] == ["0", "63.1", "105.9"]
    assert table["reserves_paid_k"] == ["109", "0", "0"]
    assert table["reserves_balance_k"] == ["209", "145.9", "40"]
    assert table["unidentified_k"] == ["0", "0.4", "6.6"]
    assert table["balanced"] == ["yes", "yes", "no"]


def test_expected_mode_plan_activities_and_manifest(tmp_path):
    """Same council. The activity table and plan.csv show nominal savings (the budget as set):
    A2 saves -40, 60, 70, so spends 340, 240, 230 and has no cash limit (blank); A1 saves 0, 0,
    50. plan.csv: S4 first (earlier start), harm 0; S1 harm h x (n - s + 1) = w[O1] x 1 =
    0.5 x 2/3 = 1/3. manifest: harm 1/3, reserves drawn 63.1 + 105.9 = 169, unidentified
    0.4 + 6.6 = 7, objective 1/3 + 0.001 x 169 = 0.50233..."""
    _, out = check(expected_mode_council(), tmp_path)
    activities = [r for r in read_csv(out / "activities.csv") if r["activity"] == "A2"]
    assert [r["savings_k"] for r in activities] == ["-40", "60", "70"]
    assert [r["spend_k"] for r in activities] == ["340", "240", "230"]
    assert [r["cash_limit_k"] for r in activities] == ["", "", ""]
    assert [r["headroom_k"] for r in activities] == ["340", "240", "230"]  # service spend - floor 0
    plan = read_csv(out / "plan.csv")
    assert list(plan[0]) == [
        "option",
        "name",
        "activity",
        "start",
        "rag",
        "harm",
        "2021/22_k",
        "2022/23_k",
        "2023/24_k",
    ]
    assert [(r["option"], r["start"]) for r in plan] == [("S4", "2021/22"), ("S1", "2023/24")]
    assert [r["2021/22_k"] for r in plan] == ["-40", "0"]
    assert [r["2023/24_k"] for r in plan] == ["70", "50"]
    assert float(plan[1]["harm"]) == pytest.approx(1 / 3, abs=1e-9)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for key in (
        "version",
        "command",
        "scenario",
        "inputs",
        "status",
        "objective",
        "harm",
        "unidentified_k",
        "reserves_draw_k",
        "solver",
        "mip_gap",
        "seed",
        "seconds",
    ):
        assert key in manifest
    assert manifest["harm"] == pytest.approx(1 / 3, abs=1e-9)
    assert manifest["reserves_draw_k"] == pytest.approx(169)
    assert manifest["unidentified_k"] == pytest.approx(7)
    assert manifest["objective"] == pytest.approx(1 / 3 + 0.169, abs=1e-9)


# --------------------------------------------------------------------------------------------
# DESIGN 7: every input problem at once
# --------------------------------------------------------------------------------------------


def test_a_bad_value_in_mtfs_does_not_hide_the_other_files_problems(tmp_path):
    """DESIGN 7: "Every input problem is reported at once (not only the first)". A funding list of
    the wrong length in mtfs.yaml leaves the years known, so the bad baseline in activities.csv,
    the bad RAG in options.csv and the unknown priority in the scenario's weights are reported
    with it: 4 problems (5 with P2's missing weight)."""
    council = Council()
    council.mtfs["funding_k"]["council_tax"] = [900, 900]
    council.activity("A2")["baseline_k"] = "abc"
    council.option("S1")["rag"] = "X"
    council.scenario["weights"] = {"P1": 1, "P2": 1, "P9": 2}
    problems = problems_of(council, tmp_path)
    assert len(problems) == 4, problems
    assert any("mtfs.yaml" in p and "funding_k.council_tax" in p and "has 2 values" in p for p in problems)
    assert any("activities.csv, line 3 (A2): baseline_k: 'abc' is not a number" in p for p in problems)
    assert any("options.csv, line 2 (S1): rag: 'X' is not a RAG rating" in p for p in problems)
    assert any("weights.P9" in p for p in problems)


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda mtfs: mtfs.update(corporate_pressures_k=[0, "lots", 0]), "corporate_pressures_k, 20"),
        (lambda mtfs: mtfs.update(growth_pct="fast"), "growth_pct: 'fast' is not a number"),
        (lambda mtfs: mtfs.pop("funding_k"), "'funding_k' is missing"),
    ],
)
def test_other_mtfs_value_problems_are_reported_with_the_rest(tmp_path, edit, fragment):
    """Each mtfs.yaml value problem comes with the activities.csv problem, not alone."""
    council = Council()
    edit(council.mtfs)
    council.activity("A2")["baseline_k"] = -1
    problems = problems_of(council, tmp_path)
    assert len(problems) == 2, problems
    assert any(fragment in p for p in problems), problems
    assert any("activities.csv, line 3 (A2): baseline_k: -1 is below" in p for p in problems)


def test_bad_years_still_report_the_activities_problems(tmp_path):
    """Years that are not consecutive leave no horizon (options and policy cannot be checked),
    but activities.csv does not depend on the years, so its problem is reported too."""
    council = Council()
    council.mtfs["years"] = ["2021/22", "2023/24", "2024/25"]
    council.activity("A2")["baseline_k"] = "abc"
    problems = problems_of(council, tmp_path)
    assert len(problems) == 2, problems
    assert any("2023/24 does not follow 2021/22" in p for p in problems)
    assert any("baseline_k: 'abc' is not a number" in p for p in problems)
