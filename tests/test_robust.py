"""Robustness to weights (DESIGN 4.5): weight sampling (ranges and Dirichlet), the core index
(hand-worked, adopted and rejected options), exactness of the re-solved harm stage against
optimising with the sampled weights afresh, reproducibility, and the `robust` command.

"Robustshire" (tests/factory.py): three years, gap 100 a year, no reserves (usable = minimum = 0),
so every year must balance from savings. Two options each close the gap alone, from 2021/22:
  S1: A1, 100 a year, harms O1:1.5 -> harm a year 1.5 x w[O1] = 1.5 x W1 x 2/3 = W1
  S2: A2, 100 a year, harms O3:1   -> harm a year w[O3] = W2
Both together have more harm. So the optimum takes S1 exactly when W1 < W2. With weights
P1: [0.2, 0.6] and P2: 0.4, W1 < W2 exactly when the draw of P1 is below 0.4: half the time, so
both are borderline with core indices summing to 1.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from factory import Council, option, read_csv

from mtfs_align.analysis.robust import (
    COLUMNS,
    core_class,
    robust,
    sample_weights,
    start_harm_for,
)
from mtfs_align.cli_analysis import robust as robust_command
from mtfs_align.errors import InputError
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise import optimise
from mtfs_align.optimise.solvers import SolverSettings

EXACT = SolverSettings(mip_gap=0.0)


def robustshire() -> Council:
    c = Council(name="robustshire", scenario_name="robust")
    c.mtfs["reserves"] = {"usable_k": 0, "minimum_k": 0}
    c.options = [
        option("S1", "A1", y1_k=100, harms="O1:1.5", latest="2021/22"),
        option("S2", "A2", y1_k=100, harms="O3", latest="2021/22"),
    ]
    c.scenario["weights"] = {"P1": [0.2, 0.6], "P2": 0.4}
    return c


def test_core_index_hand_worked(tmp_path):
    scenario = robustshire().load(tmp_path)
    result = robust(scenario, EXACT, samples=40, seed=3)
    assert result.sampling == "ranges"
    chose_s1 = result.weights[:, 0] < result.weights[:, 1]
    assert result.adopted[:, 0].tolist() == chose_s1.tolist()
    assert result.adopted[:, 1].tolist() == (~chose_s1).tolist()
    table = result.table
    assert list(table.columns) == COLUMNS
    assert table["option"].tolist() == ["S1", "S2"]
    assert table["core_index"].sum() == pytest.approx(1)
    assert table["core_index"].iloc[0] == pytest.approx(chose_s1.mean())
    assert 0.2 < table["core_index"].iloc[0] < 0.8
    assert table["class"].tolist() == ["borderline", "borderline"]


def test_adopted_options_are_core_and_rejected_or_screened_exterior(tmp_path):
    """S3 is adopted (index 1 whatever the weights), S4 rejected and S5 screened out (index 0),
    S6 saves nothing and only harms (never worth adopting: index 0)."""
    c = robustshire()
    c.mtfs["reserves"] = {"usable_k": 500, "minimum_k": 0}
    c.options += [
        option("S3", "A3", y1_k=10, harms="O2"),
        option("S4", "A3", y1_k=50),
        option("S5", "A3", y1_k=50, equality_impact="high"),
        option("S6", "A3", y1_k=0, harms="O3"),
    ]
    c.scenario["policy"] = {"adopt": {"S3": "any"}, "reject": ["S4"], "max_equality_impact": "medium"}
    result = robust(c.load(tmp_path), EXACT, samples=10, seed=1)
    index = dict(zip(result.table["option"], result.table["core_index"], strict=True))
    classes = dict(zip(result.table["option"], result.table["class"], strict=True))
    assert index["S3"] == 1 and classes["S3"] == "core"
    assert index["S4"] == index["S5"] == index["S6"] == 0
    assert classes["S4"] == classes["S5"] == classes["S6"] == "exterior"
    assert len(result.table) == 6  # every option listed


def test_sampling_within_ranges():
    """Each priority drawn uniformly within its range (a single weight is a range of one point),
    then normalised: W1 / W2 = draw / 0.4 lies in [0.5, 1.5] and the draws average 0.4."""
    from types import SimpleNamespace

    scenario = SimpleNamespace(priorities={"P1": None, "P2": None}, weights={"P1": (0.2, 0.6), "P2": (0.4, 0.4)})
    weights, mode = sample_weights(scenario, 4000, np.random.default_rng(0))
    assert mode == "ranges"
    assert weights.sum(axis=1) == pytest.approx(np.ones(4000))
    draw = weights[:, 0] / weights[:, 1] * 0.4
    assert draw.min() >= 0.2 - 1e-12 and draw.max() <= 0.6 + 1e-12
    assert draw.mean() == pytest.approx(0.4, abs=0.01)


def test_dirichlet_sampling_without_ranges():
    """No ranges: Dirichlet(concentration x W), mean W; larger concentration, smaller spread; a
    priority weighted 0 stays 0."""
    from types import SimpleNamespace

    scenario = SimpleNamespace(
        priorities={"P1": None, "P2": None, "P3": None}, weights={"P1": (0.5, 0.5), "P2": (0.3, 0.3), "P3": (0.2, 0.2)}
    )
    weights, mode = sample_weights(scenario, 4000, np.random.default_rng(0), concentration=20)
    assert mode == "dirichlet"
    assert weights.sum(axis=1) == pytest.approx(np.ones(4000))
    assert weights.mean(axis=0) == pytest.approx([0.5, 0.3, 0.2], abs=0.01)
    # Dirichlet variance W(1 - W) / (concentration + 1)
    assert weights.var(axis=0) == pytest.approx(np.array([0.25, 0.21, 0.16]) / 21, rel=0.1)
    tight, _ = sample_weights(scenario, 4000, np.random.default_rng(0), concentration=200)
    assert tight.std(axis=0).max() < weights.std(axis=0).min()
    scenario.weights["P3"] = (0.0, 0.0)
    zero, _ = sample_weights(scenario, 100, np.random.default_rng(0))
    assert np.all(zero[:, 2] == 0) and zero.sum(axis=1) == pytest.approx(np.ones(100))


def test_start_harm_matches_a_model_built_with_the_weights(tmp_path):
    c = Council()
    c.option("S3")["harms"] = "O3:2"
    c.option("S1")["benefits"] = "O2:1"
    scenario = c.load(tmp_path)
    model = build_model(scenario)
    weights = np.array([0.7, 0.3])
    rebuilt = build_model(scenario, weights={"P1": 0.7, "P2": 0.3})
    assert start_harm_for(model, weights) == pytest.approx(rebuilt.start_harm())


def test_each_sample_is_the_optimum_for_its_weights(tmp_path):
    """Re-solving only the harm stage reaches the objective optimise() finds afresh on a model
    built with the sampled weights (the balance stages do not depend on the weights)."""
    c = Council()
    c.option("S3")["harms"] = "O3:2"
    c.options.append(option("S4", "A2", y1_k=40, harms="O3:1;O1:1"))
    scenario = c.load(tmp_path)
    result = robust(scenario, EXACT, samples=5, seed=11)
    for weights, plan in zip(result.weights, result.plans, strict=True):
        model = build_model(scenario, weights=dict(zip(scenario.priorities, weights, strict=True)))
        alone = evaluate(model, optimise(model, EXACT).plan)
        sample = evaluate(model, plan)
        assert sample.objective == pytest.approx(alone.objective, abs=1e-6)
        assert sample.unidentified_k == pytest.approx(alone.unidentified_k, abs=0.02)


def test_same_seed_same_result_other_seed_other_weights(tmp_path):
    scenario = robustshire().load(tmp_path)
    first = robust(scenario, EXACT, samples=12, seed=5)
    again = robust(scenario, EXACT, samples=12, seed=5)
    other = robust(scenario, EXACT, samples=12, seed=6)
    assert first.table.equals(again.table)
    assert np.array_equal(first.weights, again.weights)
    assert not np.array_equal(first.weights, other.weights)


@pytest.mark.parametrize(
    "index, expected",
    [(1.0, "core"), (0.95, "core"), (0.94, "borderline"), (0.06, "borderline"), (0.05, "exterior"), (0.0, "exterior")],
)
def test_classes(index, expected):
    assert core_class(index) == expected


def test_bad_settings_are_bad_input(tmp_path):
    scenario = robustshire().load(tmp_path)
    for kwargs, field in (
        ({"samples": 0}, "--samples"),
        ({"seed": -1}, "--seed"),
        ({"concentration": 0}, "--concentration"),
    ):
        with pytest.raises(InputError, match=field):
            robust(scenario, EXACT, **{"samples": 2, "seed": 1, **kwargs})


# ---- the command ------------------------------------------------------------------------------


def test_robust_command_is_reproducible(tmp_path):
    path = robustshire().write(tmp_path)
    runner = CliRunner()
    texts = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = runner.invoke(robust_command, [str(path), "--samples", "8", "--seed", "7", "-q", "--out", str(out)])
        assert result.exit_code == 0, result.output
        texts.append((out / "core_index.csv").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]
    rows = read_csv(tmp_path / "a" / "core_index.csv")
    assert list(rows[0]) == COLUMNS and [r["option"] for r in rows] == ["S1", "S2"]
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["command"] == "robust" and manifest["seed"] == 7
    assert manifest["robust"]["samples"] == 8 and manifest["robust"]["sampling"] == "ranges"
    assert "Across 8 samples" in result.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [".mtfs-align-output", "core_index.csv", "manifest.json"]


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--samples", "0"], "--samples"),
        (["--seed", "-3"], "--seed"),
        (["--concentration", "-1"], "--concentration"),
    ],
)
def test_robust_command_bad_flags_exit_2(flags, words, tmp_path):
    path = robustshire().write(tmp_path)
    result = CliRunner().invoke(robust_command, [str(path), *flags, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
