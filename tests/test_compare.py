"""Compare (DESIGN 4.5): scenarios side by side, worked by hand on the Testshire council of
tests/factory.py (gap 100 a year over 2021/22 to 2023/24, reserves 100 with no draw limit).

Weights are equal (P1 0.5, P2 0.5), so outcome weights are O1 1/3, O2 1/6 (P1's outcomes, weights
2 and 1) and O3 1/2. Harm per year in effect: S1 (O1) 1/3, S2 (O2:2) 1/3, S3 none.

- "base" plans S1 from 2021/22 and S2 from 2022/23: savings 50, 80, 100; after savings 50, 20, 0
  are left, all drawn from reserves (70 in all); harm 1/3, 2/3, 2/3 (all P1), 5/3 in all.
- "shock" takes 30 off 2022/23's funding (gap 100, 130, 100) and plans S1 and S3 from 2021/22:
  savings 70 a year; 30, 60, 30 left; reserves cover 30, 60 and the last 10, so 20 is still to be
  found in 2023/24; harm 1/3 a year (P1), 1 in all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factory import Council, read_csv, two_year_council

from mtfs_align.analysis.compare import COMPARE_COLUMNS, compare, harm_by_priority_year
from mtfs_align.io.outputs import OutputFolder
from mtfs_align.report.sentences.compare import compare_lines as lines

THIRD = 1 / 3


def base_and_shock(tmp_path):
    base = Council(scenario_name="base")
    base.scenario["name"] = "Central case"
    shock = base.copy()
    shock.scenario_name = "shock"
    shock.scenario["name"] = "Funding shock"
    shock.scenario["changes"] = {"funding_k": {"2022/23": -30}}
    ev_base = base.evaluate(tmp_path, {"S1": "2021/22", "S2": "2022/23"})
    ev_shock = shock.evaluate(tmp_path, {"S1": "2021/22", "S3": "2021/22"})
    return ev_base, ev_shock


def test_long_table_worked_by_hand(tmp_path):
    ev_base, ev_shock = base_and_shock(tmp_path)
    result = compare([("base", ev_base), ("shock", ev_shock)])
    table = result.table
    assert list(table.columns) == COMPARE_COLUMNS + ["harm_P1", "harm_P2"]
    assert list(table["scenario"]) == ["base"] * 3 + ["shock"] * 3
    assert list(table["year"]) == ["2021/22", "2022/23", "2023/24"] * 2
    assert list(table["gap_k"]) == [100, 100, 100, 100, 130, 100]
    assert list(table["savings_k"]) == [50, 80, 100, 70, 70, 70]
    assert list(table["one_off_k"]) == [0] * 6
    assert list(table["reserves_draw_k"]) == [50, 20, 0, 30, 60, 10]
    assert list(table["unidentified_k"]) == [0, 0, 0, 0, 0, 20]
    assert list(table["harm"]) == pytest.approx([THIRD, 2 * THIRD, 2 * THIRD, THIRD, THIRD, THIRD])
    assert list(table["harm_P1"]) == pytest.approx(list(table["harm"]))
    assert list(table["harm_P2"]) == [0.0] * 6
    # a scenario's rows add up to its plan's harm
    totals = table.groupby("scenario", sort=False)["harm"].sum().tolist()
    assert totals == pytest.approx([5 / 3, 1.0])
    assert ev_base.harm == pytest.approx(5 / 3) and ev_shock.harm == pytest.approx(1.0)


def test_options_that_differ(tmp_path):
    """S1 starts in 2021/22 in both plans, so only S2 and S3 are listed."""
    ev_base, ev_shock = base_and_shock(tmp_path)
    options = compare([("base", ev_base), ("shock", ev_shock)]).options
    assert list(options.columns) == ["option", "name", "base", "shock"]
    assert options.to_dict("records") == [
        {"option": "S2", "name": "Option S2", "base": "2022/23", "shock": ""},
        {"option": "S3", "name": "Option S3", "base": "", "shock": "2021/22"},
    ]


def test_a_different_start_year_counts_as_a_difference(tmp_path):
    council = Council()
    early = council.evaluate(tmp_path, {"S1": "2021/22"})
    late = council.evaluate(tmp_path, {"S1": "2022/23"})
    options = compare([("early", early), ("late", late)]).options
    assert options.to_dict("records") == [{"option": "S1", "name": "Option S1", "early": "2021/22", "late": "2022/23"}]
    same = compare([("a", early), ("b", early)]).options
    assert same.empty and list(same.columns) == ["option", "name", "a", "b"]


def test_scenarios_with_different_priorities(tmp_path):
    """Othershire has priorities P1 and P3 (not P2): the harm columns are the union P1, P2, P3,
    blank where a scenario has no such priority. Its plan S1 from 2022/23 harms O1 (weight
    0.5 x 2/3 = 1/3) in two years."""
    ev_base, _ = base_and_shock(tmp_path)
    other = Council(name="othershire", scenario_name="other")
    other.plan["priorities"][1]["id"] = "P3"
    ev_other = other.evaluate(tmp_path, {"S1": "2022/23"})
    result = compare([("base", ev_base), ("other", ev_other)])
    table = result.table
    assert result.priorities == ["P1", "P2", "P3"]
    assert list(table.columns)[-3:] == ["harm_P1", "harm_P2", "harm_P3"]
    base_rows, other_rows = table[table["scenario"] == "base"], table[table["scenario"] == "other"]
    assert base_rows["harm_P3"].isna().all() and other_rows["harm_P2"].isna().all()
    assert list(other_rows["harm_P1"]) == pytest.approx([0, THIRD, THIRD])
    assert list(other_rows["harm_P3"]) == [0.0, 0.0, 0.0]

    with OutputFolder(tmp_path / "out") as folder:
        folder.write_csv("compare.csv", table)
        folder.commit()
    rows = read_csv(tmp_path / "out" / "compare.csv")
    assert list(rows[0]) == COMPARE_COLUMNS + ["harm_P1", "harm_P2", "harm_P3"]
    assert rows[0]["harm_P3"] == "" and rows[3]["harm_P2"] == ""
    assert rows[4]["harm_P1"] == "0.3333333333"
    # othershire saves 0, 50, 50: reserves of 100 cover 2021/22, then 50 a year is to be found
    assert [row["unidentified_k"] for row in rows[3:]] == ["0", "50", "50"]


def test_harm_by_priority_year_adds_up_to_the_plan_harm(tmp_path):
    council = Council()
    council.option("S3")["benefits"] = "O3:1"  # a benefit: negative harm 1/2 a year
    ev = council.evaluate(tmp_path, {"S1": "2021/22", "S2": "2022/23", "S3": "2023/24"})
    harm = harm_by_priority_year(ev)
    assert list(harm.index) == ["P1", "P2"] and list(harm.columns) == ev.model.years
    np.testing.assert_allclose(harm.loc["P2"], [0, 0, -0.5])
    assert harm.to_numpy().sum() == pytest.approx(ev.harm)
    for p, value in ev.harm_by_priority.items():
        assert harm.loc[p].sum() == pytest.approx(value)


def test_labels_are_made_unique(tmp_path):
    ev = Council().evaluate(tmp_path, {"S1": "2021/22"})
    result = compare([("central", ev), ("central", ev), ("name", ev)])
    assert result.labels == ["central", "central (2)", "name (2)"]
    assert list(pd.unique(result.table["scenario"])) == result.labels
    with pytest.raises(ValueError):
        compare([])


def test_printed_summary(tmp_path):
    ev_base, ev_shock = base_and_shock(tmp_path)
    text = lines(compare([("base", ev_base), ("shock", ev_shock)]))
    joined = "\n".join(text)
    assert "  base: Central case (2 options, savings counted at their nominal value)" in text
    assert any(line.split() == ["base", "shock"] for line in text)  # the column headings
    gap_row = text[text.index("Budget gap (before savings)") + 2].split()
    assert gap_row == ["2022/23", "£100k", "£130k"]
    assert any(line.split() == ["2023/24", "£0", "£20k"] for line in text)  # still to be found
    assert any(line.split() == ["Years", "that", "balance", "3", "of", "3", "2", "of", "3"] for line in text)
    assert "2 options differ between the plans (start year; '-' = not adopted):" in joined
    assert any(line.split() == ["S2", "Option", "S2", "2022/23", "-"] for line in text)
    assert (
        "  - Funding shock leaves £20k of savings still to be found in 2023/24, where Central case leaves "
        "none; it draws £100k from reserves summed over the three years (Central case £70k) and cuts "
        "outcome harm by 40% (from 1.667 to 1.000); the lower harm comes with £20k more savings left "
        "unfunded summed over the three years, not from a better plan for the same savings."
    ) in text


def test_the_harm_heading_says_what_it_sums(tmp_path):
    """The harm row is a total over years: 'summed over the three years' when every scenario has
    three, and 'summed over each scenario's years' when a two-year scenario sits beside them."""
    ev_base, ev_shock = base_and_shock(tmp_path)
    assert "Outcome harm summed over the three years" in lines(compare([("base", ev_base), ("shock", ev_shock)]))
    short = two_year_council("Testshire", "short").evaluate(tmp_path, {"S1": "2021/22"})
    mixed = lines(compare([("base", ev_base), ("short", short)]))
    assert "Outcome harm summed over each scenario's years" in mixed
    assert not any("summed over the three years" in line for line in mixed if line.startswith("Outcome harm"))
