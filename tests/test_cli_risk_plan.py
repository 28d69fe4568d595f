"""plan_on: risk through the command line (DESIGN 4.6, 6): optimise, frontier --vary confidence,
robust and run honour it, --seed reaches it, and the manifest records what it found."""

from __future__ import annotations

import json

from click.testing import CliRunner
from factory import Council, read_csv, write_csv

from mtfs_align.cli import cli


def risk_council() -> Council:
    c = Council(scenario_name="risky")
    c.scenario["policy"] = {"plan_on": "risk", "confidence": 0.8, "risk_draws": 60}
    return c


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_optimise_plans_on_risk_and_records_it(tmp_path):
    path = risk_council().write(tmp_path)
    result = invoke("optimise", path, "--seed", 5, "--draws", 3000, "-q", "--out", tmp_path / "o")
    assert result.exit_code in (0, 1), result.output
    assert "Planned for delivery risk at 80% confidence over 60 simulated futures (seed 5)" in result.output
    assert "checked on 3,000 fresh ones" in result.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    planning = manifest["risk_planning"]
    assert manifest["seed"] == 5 and manifest["plan_on"] == "risk" and manifest["confidence"] == 0.8
    assert planning["confidence"] == 0.8 and planning["draws"] == 60 and planning["seed"] == 5
    assert set(planning["in_sample"]["cvar_k"]) == {"2021/22", "2022/23", "2023/24"}
    assert planning["out_of_sample"]["draws"] == 3000
    assert planning["in_sample"]["cvar_k"]["2021/22"] == planning["stage1_cvar_k"]
    again = invoke("optimise", path, "--seed", 5, "--draws", 3000, "-q", "--out", tmp_path / "p")
    assert again.exit_code == result.exit_code
    assert (tmp_path / "p" / "plan.csv").read_text() == (tmp_path / "o" / "plan.csv").read_text()


def test_frontier_varies_the_confidence(tmp_path):
    path = risk_council().write(tmp_path)
    result = invoke(
        "frontier",
        path,
        "--vary",
        "confidence",
        "--from",
        0.5,
        "--to",
        0.9,
        "--points",
        3,
        "-q",
        "--out",
        tmp_path / "f",
    )
    assert result.exit_code in (0, 1), result.output
    rows = read_csv(tmp_path / "f" / "frontier.csv")
    assert [float(r["scale"]) for r in rows] == [0.5, 0.7, 0.9]
    assert {"cvar_2021/22", "cvar_2022/23", "cvar_2023/24"} <= set(rows[0])
    assert (tmp_path / "f" / "charts" / "frontier.svg").is_file()
    assert "Confidence frontier" in result.output


def test_confidence_frontier_of_a_nominal_scenario_plans_on_risk(tmp_path):
    path = Council().write(tmp_path)
    result = invoke("frontier", path, "--vary", "confidence", "--points", 2, "-q", "--out", tmp_path / "f")
    assert result.exit_code in (0, 1), result.output
    rows = read_csv(tmp_path / "f" / "frontier.csv")
    assert [float(r["scale"]) for r in rows] == [0.5, 0.95] and "cvar_2021/22" in rows[0]


def test_confidence_outside_its_range_is_bad_input(tmp_path):
    path = risk_council().write(tmp_path)
    result = invoke("frontier", path, "--vary", "confidence", "--from", 0.2, "--to", 1.5, "--out", tmp_path / "f")
    assert result.exit_code == 2
    assert "--from" in result.output and "--to" in result.output and "outside 0.5 to 0.99" in result.output
    assert not (tmp_path / "f").exists()


def test_robust_and_run_plan_on_risk(tmp_path):
    path = risk_council().write(tmp_path)
    robust = invoke("robust", path, "--samples", 3, "-q", "--out", tmp_path / "r")
    assert robust.exit_code in (0, 1), robust.output
    assert len(read_csv(tmp_path / "r" / "core_index.csv")) == 3
    run = invoke("run", path, "--points", 2, "--samples", 2, "--draws", 1000, "-q", "--out", tmp_path / "all")
    assert run.exit_code in (0, 1), run.output
    manifest = json.loads((tmp_path / "all" / "manifest.json").read_text())
    assert manifest["risk_planning"]["out_of_sample"]["draws"] == 1000
    assert "deterministic_optimum" in manifest and "cvar_k" in manifest["deterministic_optimum"]
    assert "Planning for delivery risk at 80% confidence" in run.output
    from pypdf import PdfReader

    briefing = " ".join(page.extract_text() for page in PdfReader(tmp_path / "all" / "briefing.pdf").pages)
    briefing = " ".join(briefing.split())
    assert "Robustness of the estimates and adequacy of reserves" in briefing
    assert "Planning for delivery risk at 80% confidence" in briefing


def test_bad_risk_keys_are_located(tmp_path):
    c = risk_council()
    c.scenario["policy"].update({"confidence": 1.2, "risk_draws": 0})
    c.mtfs["reserves"]["max_cover_k"] = [1, 2]
    result = invoke("optimise", c.write(tmp_path), "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "policy.confidence" in result.output and "policy.risk_draws" in result.output
    assert "max_cover_k" in result.output and "horizon has 3 years" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_a_council_with_no_options_is_solved_not_crashed(tmp_path):
    """Zero options crashed every solver command (exit 3): now the plan is empty and the years that
    cannot balance are said (exit 1), whatever the planning basis."""
    for basis in ("nominal", "risk"):
        c = Council(scenario_name=f"empty_{basis}")
        c.options = []
        c.scenario["policy"] = {"plan_on": basis, "risk_draws": 50}
        path = c.write(tmp_path)
        write_csv(c.data_dir(tmp_path) / "options.csv", [], ["id", "name", "activity", "type", "rag", "y1_k"])
        result = invoke("optimise", path, "-q", "--draws", 500, "--out", tmp_path / basis)
        assert result.exit_code == 1, result.output
        assert read_csv(tmp_path / basis / "plan.csv") == []
