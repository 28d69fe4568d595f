"""A council whose totals pass £1 trillion (each figure below the reading stage's limit of
£1,000bn, the sum above it): the optimiser's released stage bounds must stay out of reach, or the
frontier reports a contradiction that does not exist (issue 12)."""

from __future__ import annotations

from factory import Council, activity, option

import mtfs_align
from mtfs_align.model import build_model
from mtfs_align.optimise import inactive_bound


def _big_council(tmp_path):
    council = Council()
    council.mtfs["funding_k"] = {f"line{i}": [9e8] * 3 for i in range(3)}  # £2.7tn a year
    council.mtfs["reserves"] = {"usable_k": 1e8, "minimum_k": 0}
    council.activities = [activity(f"A{i}", 9e8, "O1" if i % 2 else "O3") for i in range(1, 7)]  # £5.4tn
    council.options = [option(f"S{i}", f"A{i}", y1_k=5e8, harms="O1") for i in range(1, 7)]
    return council.write(tmp_path)


def test_the_released_bound_is_above_every_total(tmp_path):
    model = build_model(mtfs_align.load_scenario(_big_council(tmp_path)))
    assert inactive_bound(model) > 10 * model.gap.sum() > 1e9


def test_the_frontier_of_a_council_above_a_trillion_has_no_false_contradiction(tmp_path):
    results = mtfs_align.frontier(_big_council(tmp_path), points=11)  # 1e9 bounds broke at 0.6x
    table = results.frontier
    assert len(table) == 11
    # six options of £500bn a year each, over three years: all of them from 1x the gap
    assert table["savings_k"].iloc[5:].tolist() == [9e9] * 6
    assert table["unidentified_k"].iloc[-1] > 0 == table["unidentified_k"].iloc[5]


def test_a_council_of_ordinary_size_keeps_the_usual_bound(tmp_path):
    model = build_model(mtfs_align.load_scenario(Council().write(tmp_path)))
    assert inactive_bound(model) == 1e9
