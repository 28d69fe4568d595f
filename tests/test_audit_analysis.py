"""Audit of DESIGN 4.5 (risk, robust, compare, proposal) and 6 (flags, exit codes) against the
code: each test pins down a place where the code had differed from the contract, or checks an
analysis against an independent enumeration.

The Testshire council of tests/factory.py: years 2021/22 to 2023/24, a gap of 100 a year,
reserves 100 (minimum 0, no draw limit); S1 (G) 50 from its first year, S2 (A) 30 then +20,
S3 (R, income) 20.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from bruteforce import choices
from click.testing import CliRunner
from factory import Council, activity, option

from mtfs_align.analysis.proposal import compare_proposal, total_savings
from mtfs_align.cli import cli
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.wording import chance

EXACT = SolverSettings(mip_gap=0.0)


def planned(tmp_path) -> str:
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S3": "2021/22"}
    return str(council.write(tmp_path))


# ---------------------------------------------------------------------------------------------
# DESIGN 6: "2 bad input". A negative --seed used to reach numpy and exit 3 (internal failure).
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["risk", "--draws", "10"],
        ["run", "--draws", "10", "--samples", "1", "--points", "2"],
    ],
)
def test_a_negative_seed_is_bad_input_not_an_internal_failure(command, tmp_path):
    """`--seed -1`: numpy's generators take only seeds of 0 or more, so this is the user's input
    to fix (exit 2, the flag named, no output folder), not 'Internal error' with exit 3."""
    path = planned(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [command[0], path, *command[1:], "--seed", "-1", "-q", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "--seed" in result.output and "negative" in result.output
    assert "Internal error" not in result.output
    assert not out.exists()


# ---------------------------------------------------------------------------------------------
# DESIGN 6: a bad --mip-gap / --time-limit was accepted silently (exit 1, outputs written) when
# the scenario's own plan meant the solver was never called.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flags, field", [(["--mip-gap", "5"], "--mip-gap"), (["--time-limit", "0"], "--time-limit")])
def test_risk_rejects_bad_solver_flags_even_with_a_plan(flags, field, tmp_path):
    """The scenario has a plan, so risk needs no solver, but `--mip-gap 5` (must be in [0, 1)) or
    `--time-limit 0` (must be positive) is still bad input: exit 2 and nothing written."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["risk", planned(tmp_path), "--draws", "10", *flags, "-q", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert field in result.output
    assert not out.exists()


def test_compare_rejects_bad_solver_flags_even_when_every_scenario_has_a_plan(tmp_path):
    path = planned(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["compare", path, path, "--mip-gap", "1.5", "-q", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "--mip-gap" in result.output
    assert not out.exists()


def test_every_flag_problem_is_reported_at_once(tmp_path):
    """DESIGN 7: every input problem at once. robust with a negative seed and a bad gap names
    both; compare with one scenario and a bad time limit names both."""
    path = planned(tmp_path)
    runner = CliRunner()
    quiet = ["-q", "--out"]
    result = runner.invoke(cli, ["robust", path, "--seed", "-1", "--mip-gap", "2", *quiet, str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "--seed" in result.output and "--mip-gap" in result.output
    result = runner.invoke(cli, ["risk", path, "--seed", "-1", "--time-limit", "-5", *quiet, str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "--seed" in result.output and "--time-limit" in result.output
    result = runner.invoke(cli, ["frontier", path, "--points", "1", "--mip-gap", "2", *quiet, str(tmp_path / "c")])
    assert result.exit_code == 2
    assert "--points" in result.output and "--mip-gap" in result.output
    result = runner.invoke(cli, ["compare", path, "--time-limit", "0", *quiet, str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "at least two" in result.output and "--time-limit" in result.output


# ---------------------------------------------------------------------------------------------
# DESIGN 5: manifest.json records `solver` and `mip_gap`. compare optimised the scenarios that
# have no plan but wrote solver: null, mip_gap: null.
# ---------------------------------------------------------------------------------------------


def test_compare_manifest_records_the_solver_it_used(tmp_path):
    """Testshire has no plan, so compare optimises it with highs at --mip-gap 0.001; the manifest
    must say so. Two scenarios with plans need no solver: solver and mip_gap stay null."""
    council = Council()
    path = str(council.write(tmp_path))
    runner = CliRunner()
    result = runner.invoke(
        cli, ["compare", path, path, "--solver", "highs", "--mip-gap", "0.001", "-q", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code in (0, 1), result.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["solver"] == "highs"
    assert manifest["mip_gap"] == 0.001

    with_plan = planned(tmp_path / "p")
    result = runner.invoke(cli, ["compare", with_plan, with_plan, "-q", "--out", str(tmp_path / "q")])
    manifest = json.loads((tmp_path / "q" / "manifest.json").read_text())
    assert manifest["solver"] is None and manifest["mip_gap"] is None


# ---------------------------------------------------------------------------------------------
# Terminal text: a real chance printed as "0%".
# ---------------------------------------------------------------------------------------------


def test_a_small_real_chance_is_never_printed_as_zero():
    """slip: 0.005 (1 in 200) printed "a 0% chance" of starting late: f"{0.005:.0%}" rounds
    0.5% down to "0%". A chance that is not 0 must not read as none at all; 0 and 1 stay exact."""
    assert chance(0.005) == "under 1%"
    assert chance(0.0049) == "under 1%"
    assert chance(0.0) == "0%" and chance(1.0) == "100%"
    assert chance(0.9951) == "over 99%"
    assert chance(0.25) == "25%"


# ---------------------------------------------------------------------------------------------
# DESIGN 4.5, proposal against optimum: B and C against every plan enumerated.
# ---------------------------------------------------------------------------------------------


def _every_legal_plan(model):
    """Savings (counted, by year) and harm of every plan that keeps to DESIGN 4.4's constraints
    3 to 9 (floors, cash limits, one start, capacity, requires, excludes, protection)."""
    sc = model.scenario
    per = choices(model)
    combos = np.array(list(itertools.product(*per)), dtype=int).reshape(-1, len(per))
    chosen = combos >= 0
    start = np.where(chosen, combos, 0)
    o_idx = np.arange(len(per))[None, :]
    savings = (model.counted[o_idx, start, :] * chosen[:, :, None]).sum(axis=1)
    nominal = model.nominal[o_idx, start, :] * chosen[:, :, None]
    onehot = np.zeros((len(per), len(model.activity_ids)))
    onehot[np.arange(len(per)), model.option_activity] = 1
    by_activity = np.einsum("pot,oa->pat", nominal, onehot)
    service = np.einsum("pot,oa->pat", nominal * model.service[None, :, None], onehot)
    ok = (service <= (model.need - model.floor)[None] + 1e-6).all(axis=(1, 2))
    limited = ~np.isnan(model.cash_limit)
    spend = model.need[None] - by_activity
    ok &= np.where(limited[None], spend <= np.nan_to_num(model.cash_limit)[None] + 1e-6, True).all(axis=(1, 2))
    if sc.policy.capacity is not None:
        for t in range(model.n):
            ok &= ((start == t) & chosen) @ model.effort <= sc.policy.capacity[t] + 1e-9
    for pid, share in sc.policy.protect.items():
        p = model.priority_ids.index(pid)
        cut = np.einsum("pat,a->pt", service, model.share_ap[:, p])
        ok &= (cut <= ((1 - share) * (model.share_ap[:, p] @ model.need))[None] + 1e-6).all(axis=1)
    harm = (chosen * model.harm[None, :] * (model.n - start)).sum(axis=1)
    return ok, savings, harm


@pytest.mark.parametrize("seed", [0, 4, 7, 11, 14, 17])
def test_b_and_c_are_the_optima_of_every_legal_plan(seed, tmp_path):
    """B = min harm over legal plans with savings_k >= the proposal's in every year; C = max
    savings_k over the horizon among legal plans with harm <= the proposal's. Checked by
    enumerating all 4^6 plans, with savings counted at expected delivery in some councils, a
    floor on A1 (0.9), a shrinking cash limit on A2 (-3% a year), P1 protected at 95% in some."""
    rng = np.random.default_rng(seed)
    c = Council(name=f"audit{seed}", scenario_name=f"audit{seed}")
    c.activities = [
        activity("A1", 600, "O1", floor_share=0.9),
        activity("A2", 300, "O2", envelope_growth_pct=-3),
        activity("A3", 100, "O3"),
    ]
    years = ["2021/22", "2022/23", "2023/24"]
    c.options = []
    for i in range(6):
        fields = {
            "y1_k": int(rng.integers(-5, 40)),
            "y2_k": int(rng.integers(-10, 20)),
            "effort": int(rng.integers(1, 3)),
            "harms": f"O{int(rng.integers(1, 4))}:{int(rng.integers(0, 4))}",
        }
        if rng.random() < 0.3:
            fields["one_off_k"] = int(rng.integers(1, 10))
        c.options.append(
            option(
                f"S{i + 1}",
                f"A{int(rng.integers(1, 4))}",
                rag="GAR"[int(rng.integers(0, 3))],
                type=["efficiency", "income"][int(rng.random() < 0.3)],
                **fields,
            )
        )
    policy = {"capacity": [int(rng.integers(2, 5)), 3, 3]}
    if rng.random() < 0.5:
        policy["plan_on"] = "expected"
    if rng.random() < 0.5:
        policy["protect"] = {"P1": 0.95}
    c.scenario["policy"] = policy
    plan = {f"S{i}": years[int(rng.integers(0, 3))] for i in range(1, 7) if rng.random() < 0.5}
    c.scenario["plan"] = plan or {"S1": "2021/22"}
    model = c.model(tmp_path)
    result = compare_proposal(model, EXACT)
    ok, savings, harm = _every_legal_plan(model)
    proposal = result.proposal
    for_b = ok & (savings >= proposal.savings_by_year[None] - 1e-6).all(axis=1)
    for_c = ok & (harm <= proposal.harm + 1e-9)
    assert for_b.any() == (result.least_harm is not None)
    assert for_c.any() == (result.most_savings is not None)
    if for_b.any():
        assert result.least_harm.harm == pytest.approx(harm[for_b].min(), abs=1e-6)
    if for_c.any():
        assert total_savings(result.most_savings) == pytest.approx(savings.sum(axis=1)[for_c].max(), abs=1e-3)
