"""The risk and compare commands through the CLI: files, manifest, exit codes, reproducibility."""

from __future__ import annotations

import json

from click.testing import CliRunner
from factory import Council, read_csv

from mtfs_align.cli import cli

RISK_COLUMNS = ["year", "p5_k", "p50_k", "p95_k", "expected_unidentified_k", "p_balanced", "p5_reserves_balance_k"]


def test_risk_writes_the_table_and_is_reproducible(tmp_path):
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22", "S3": "2021/22"}
    path = council.write(tmp_path)
    runner = CliRunner()
    outs = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = runner.invoke(cli, ["risk", str(path), "--draws", "2000", "--seed", "7", "--quiet", "--out", str(out)])
        assert result.exit_code == 0, result.output
        outs.append(out)
    first = (outs[0] / "risk.csv").read_text()
    assert first == (outs[1] / "risk.csv").read_text()
    rows = read_csv(outs[0] / "risk.csv")
    assert list(rows[0]) == RISK_COLUMNS and len(rows) == 3
    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["draws"] == 2000
    assert 0 <= manifest["p_balanced_all_years"] <= 1
    different = runner.invoke(
        cli, ["risk", str(path), "--draws", "2000", "--seed", "8", "-q", "--out", str(tmp_path / "c")]
    )
    assert different.exit_code == 0
    assert (tmp_path / "c" / "risk.csv").read_text() != first


def test_risk_without_a_plan_uses_the_optimised_plan(tmp_path):
    path = Council().write(tmp_path)
    result = CliRunner().invoke(cli, ["risk", str(path), "--draws", "500", "-q", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "optimised plan" in result.output
    plan = read_csv(tmp_path / "o" / "plan.csv")
    assert [row["option"] for row in plan] == ["S1", "S3"]


def test_compare_needs_two_scenarios(tmp_path):
    path = Council().write(tmp_path)
    result = CliRunner().invoke(cli, ["compare", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "at least two" in result.output
    assert not (tmp_path / "o").exists()


def test_compare_two_scenarios(tmp_path):
    base = Council()
    base.scenario["plan"] = {"S1": "2021/22", "S3": "2021/22"}
    first = base.write(tmp_path)
    shock = base.copy()
    shock.scenario_name = "shock"
    shock.scenario["changes"] = {"funding_pct": {"2022/23": -5.0}}
    second = shock.write(tmp_path)
    result = CliRunner().invoke(cli, ["compare", str(first), str(second), "-q", "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 1, result.output  # the shock leaves 2022/23 unbalanced
    rows = read_csv(tmp_path / "cmp" / "compare.csv")
    assert [r["scenario"] for r in rows] == ["test"] * 3 + ["shock"] * 3
    gap = {(r["scenario"], r["year"]): float(r["gap_k"]) for r in rows}
    assert gap[("shock", "2022/23")] == 100 + 45  # funding 900 less 5%
    assert gap[("shock", "2023/24")] == 100
