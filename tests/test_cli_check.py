"""The `validate` and `check` commands through click's CliRunner: output, files and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from factory import Council, option, read_csv, write_csv

from mtfs_align.cli import cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "scenarios").glob("*.yaml"))
EVALUATION_FILES = [
    "budget.csv",
    "activities.csv",
    "plan.csv",
    "outcomes.csv",
    "alignment.csv",
    "savings_summary.csv",
    "breaches.csv",
    "screened.csv",
    "manifest.json",
    ".mtfs-align-output",  # the marker that lets the next run replace the folder
]
BUDGET_COLUMNS = [
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
ACTIVITY_COLUMNS = [
    "activity",
    "name",
    "year",
    "need_k",
    "savings_k",
    "spend_k",
    "service_spend_k",
    "floor_k",
    "cash_limit_k",
    "headroom_k",
    "status",
]
PLAN_COLUMNS = ["option", "name", "activity", "start", "rag", "harm"]


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


@pytest.fixture
def balanced(tmp_path, monkeypatch):
    """Testshire with a plan that balances every year inside every envelope (exit 0):
    S1 and S2 from 2021/22 save 80, 100, 100 against a gap of 100; 20 drawn in 2021/22."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22"}
    return council.write(tmp_path)


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


def test_validate_prints_a_summary(balanced):
    result = run("validate", balanced)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Testshire County Council (illustrative)" in out
    assert "Years 2021/22 to 2023/24; 2 priorities, 3 outcomes, 3 activities, 3 savings options" in out
    assert "2022/23        £900k      £1.0m     £100k        £0" in out
    assert "The scenario is valid" in out
    assert not Path("outputs").exists()  # validate writes nothing


def test_validate_lists_every_problem_with_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.option("S1")["rag"] = "X"
    council.activity("A2")["baseline_k"] = -1
    result = run("validate", council.write(tmp_path))
    assert result.exit_code == 2
    assert "2 problems found in the input" in result.output
    assert "options.csv, line 2 (S1): rag: 'X' is not a RAG rating" in result.output
    assert "activities.csv, line 3 (A2): baseline_k: -1 is below the smallest allowed value 0" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------
# check: exit codes, files, columns
# --------------------------------------------------------------------------------------------


def test_check_balanced_plan_exits_0_and_writes_every_file(balanced):
    result = run("check", balanced)
    assert result.exit_code == 0, result.output
    out = Path("outputs/test/check")  # named after the scenario file and the command
    assert sorted(p.name for p in out.iterdir()) == sorted(EVALUATION_FILES)
    assert "The budget balances in every year." in result.output
    assert "Every activity stays inside its budget envelope" in result.output
    assert "Results written to outputs/test/check/" in result.output


def test_check_output_columns_follow_design_5(balanced):
    result = run("check", balanced, "--out", "out")
    assert result.exit_code == 0, result.output
    out = Path("out")
    assert header(out / "budget.csv") == BUDGET_COLUMNS
    assert header(out / "activities.csv") == ACTIVITY_COLUMNS
    assert header(out / "plan.csv") == PLAN_COLUMNS + ["2021/22_k", "2022/23_k", "2023/24_k"]
    assert header(out / "breaches.csv")[:2] == ["breach", "year"]
    assert header(out / "screened.csv")[0] == "option"
    assert header(out / "savings_summary.csv") == [
        "group",
        "category",
        "2021/22_k",
        "2022/23_k",
        "2023/24_k",
        "total_k",
    ]
    for name in ("outcomes.csv", "alignment.csv"):
        assert {"year", "spend_k", "need_k"} <= set(header(out / name))
    assert "cabinet_weight" in header(out / "alignment.csv")
    assert "harm" in header(out / "outcomes.csv")


def test_check_output_values(balanced):
    """Budget: savings 80, 100, 100; draw 20 in 2021/22; balance 80; all balanced. Activities:
    A2 2022/23 spend 300 - 50 = 250, no cash limit (blank). Plan: S2 harm 2 x 1/6 x 3 = 1."""
    run("check", balanced, "--out", "out")
    budget = read_csv(Path("out/budget.csv"))
    assert [row["savings_k"] for row in budget] == ["80", "100", "100"]
    assert [row["reserves_draw_k"] for row in budget] == ["20", "0", "0"]
    assert [row["reserves_balance_k"] for row in budget] == ["80", "80", "80"]
    assert [row["balanced"] for row in budget] == ["yes", "yes", "yes"]
    activities = read_csv(Path("out/activities.csv"))
    a2 = [row for row in activities if row["activity"] == "A2"]
    assert a2[1]["spend_k"] == "250" and a2[1]["cash_limit_k"] == "" and a2[1]["status"] == "within"
    plan = {row["option"]: row for row in read_csv(Path("out/plan.csv"))}
    assert plan["S2"]["start"] == "2021/22" and float(plan["S2"]["harm"]) == pytest.approx(1.0)
    assert (plan["S2"]["2021/22_k"], plan["S2"]["2022/23_k"]) == ("30", "50")


def test_manifest(balanced):
    run("check", balanced, "--out", "out")
    manifest = json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))
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
    assert manifest["command"] == "check" and manifest["status"] == "balanced"
    assert manifest["reserves_draw_k"] == 20 and manifest["unidentified_k"] == 0
    names = sorted(Path(item["path"]).name for item in manifest["inputs"])
    assert names == ["activities.csv", "mtfs.yaml", "options.csv", "plan.yaml", "test.yaml"]
    assert all(len(item["sha256"]) == 64 for item in manifest["inputs"])


def test_money_is_written_to_three_decimals(tmp_path, monkeypatch):
    """S1 saves 12.34567 a year: plan.csv and budget.csv show 12.346."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.option("S1")["y1_k"] = 12.34567
    council.scenario["plan"] = {"S1": "2021/22"}
    run("check", council.write(tmp_path), "--out", "out")
    assert read_csv(Path("out/plan.csv"))[0]["2021/22_k"] == "12.346"
    assert read_csv(Path("out/budget.csv"))[0]["savings_k"] == "12.346"


def test_check_unbalanced_plan_exits_1(tmp_path, monkeypatch):
    """S1 alone saves 50 against a gap of 100: draws 50 then 50 (reserves 100 used up), then 50
    unidentified in 2023/24."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.scenario["plan"] = {"S1": "2021/22"}
    result = run("check", council.write(tmp_path), "--out", "out")
    assert result.exit_code == 1
    assert "The budget does not balance in 2023/24" in result.output
    assert [row["unidentified_k"] for row in read_csv(Path("out/budget.csv"))] == ["0", "0", "50"]


def test_check_breach_exits_1_and_lists_it(tmp_path, monkeypatch):
    """The plan balances but starts S1 outside its window, and A1 goes above its cash limit."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.option("S1")["latest"] = "2021/22"
    council.activity("A3")["envelope_growth_pct"] = -10
    council.scenario["plan"] = {"S1": "2022/23", "S2": "2021/22"}
    council.mtfs["reserves"]["usable_k"] = 1000
    result = run("check", council.write(tmp_path), "--out", "out")
    assert result.exit_code == 1, result.output
    assert "The budget balances in every year." in result.output
    assert "S1 starts in 2022/23 but may only start from 2021/22 to 2021/22" in result.output
    assert "spend £100k is above the cash limit £90k" in result.output
    kinds = {row["breach"] for row in read_csv(Path("out/breaches.csv"))}
    assert kinds == {"outside_window", "above_envelope"}


def test_check_without_a_plan_checks_the_gap_before_savings(tmp_path, monkeypatch):
    """No plan in the scenario and no --plan: the budget with no savings (gap 100 a year, reserves
    100: unbalanced from 2022/23), with a note saying so."""
    monkeypatch.chdir(tmp_path)
    result = run("check", Council().write(tmp_path), "--out", "out")
    assert result.exit_code == 1
    assert "the scenario has no plan" in result.output
    assert [row["unidentified_k"] for row in read_csv(Path("out/budget.csv"))] == [
        "0",
        "100",
        "100",
    ]
    assert header(Path("out/plan.csv")) == PLAN_COLUMNS + ["2021/22_k", "2022/23_k", "2023/24_k"]


def test_spreadsheet_formulas_are_neutralised(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.option("S1")["name"] = '=HYPERLINK("http://example.com")'
    council.activity("A1")["name"] = "@SUM(A1:A9)"
    council.scenario["plan"] = {"S1": "2021/22"}
    run("check", council.write(tmp_path), "--out", "out")
    assert read_csv(Path("out/plan.csv"))[0]["name"].startswith("'=HYPERLINK")
    assert read_csv(Path("out/activities.csv"))[0]["name"] == "'@SUM(A1:A9)"


# --------------------------------------------------------------------------------------------
# check --plan
# --------------------------------------------------------------------------------------------


def test_plan_csv_round_trip(tmp_path, monkeypatch):
    """Outputs of one check, fed back with --plan out/plan.csv, give an identical budget.csv
    (and activities.csv), even though the second scenario has no plan of its own."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.option("S3")["one_off_k"] = 5
    council.scenario["plan"] = {"S1": "2022/23", "S2": "2021/22", "S3": "2023/24"}
    first = run("check", council.write(tmp_path), "--out", "first")
    assert first.exit_code in (0, 1), first.output
    bare = Council(scenario_name="bare")
    bare.option("S3")["one_off_k"] = 5
    second = run("check", bare.write(tmp_path), "--plan", "first/plan.csv", "--out", "second")
    assert second.exit_code == first.exit_code, second.output
    assert "Plan from first/plan.csv" in second.output
    for name in ("budget.csv", "activities.csv", "plan.csv", "breaches.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()
    manifest = json.loads(Path("second/manifest.json").read_text(encoding="utf-8"))
    assert "first/plan.csv" in [item["path"] for item in manifest["inputs"]]


def test_a_hand_made_plan_needs_only_option_and_start(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = Council().write(tmp_path)
    write_csv(
        tmp_path / "mine.csv",
        [
            {"option": "S2", "start": "2022/23", "note": "agreed"},
            {"option": "S1", "start": "2021/22"},
        ],
    )
    result = run("check", scenario, "--plan", "mine.csv", "--out", "out")
    assert result.exit_code == 0, result.output  # draws 50 then 20 of the 100 in reserves
    assert [row["option"] for row in read_csv(Path("out/plan.csv"))] == ["S1", "S2"]
    assert [row["savings_k"] for row in read_csv(Path("out/budget.csv"))] == ["50", "80", "100"]


def test_a_plan_that_breaks_the_policy_is_evaluated_not_refused(tmp_path, monkeypatch):
    """Rejected S1 in the plan file: a breach (exit 1), not bad input."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.scenario["policy"] = {"reject": ["S1"]}
    write_csv(tmp_path / "mine.csv", [{"option": "S1", "start": "2021/22"}])
    result = run("check", council.write(tmp_path), "--plan", "mine.csv", "--out", "out")
    assert result.exit_code == 1
    assert "S1 has been rejected" in result.output


# --------------------------------------------------------------------------------------------
# Output folders
# --------------------------------------------------------------------------------------------


def test_no_output_folder_on_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.option("S1")["rag"] = "X"
    council.scenario["plan"] = {"S1": "2021/22"}
    result = run("check", council.write(tmp_path), "--out", "deep/out")
    assert result.exit_code == 2
    assert not (tmp_path / "deep").exists() and not (tmp_path / "outputs").exists()


def test_an_earlier_output_folder_survives_bad_input(balanced):
    """A good run writes out/; a bad plan file afterwards leaves it exactly as it was."""
    run("check", balanced, "--out", "out")
    before = {p.name: p.read_bytes() for p in Path("out").iterdir()}
    write_csv(Path("bad.csv"), [{"option": "S9", "start": "2021/22"}])
    result = run("check", balanced, "--plan", "bad.csv", "--out", "out")
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in Path("out").iterdir()} == before


@pytest.mark.parametrize("out", ["data/testshire/out", "data/elsewhere", "scenarios/out", "scenarios"])
def test_out_is_refused_inside_data_or_the_scenario_folder(balanced, out):
    result = run("check", balanced, "--out", out)
    assert result.exit_code == 2
    assert "which holds the inputs" in result.output
    assert not Path(out).exists() or out == "scenarios"
    assert sorted(p.name for p in Path("scenarios").iterdir()) == ["test.yaml"]
    assert sorted(p.name for p in Path("data").iterdir()) == ["testshire"]


def test_an_output_folder_holding_the_plan_file_is_not_replaced(balanced):
    """--plan out/plan.csv --out out would delete the plan being read: refused, nothing lost."""
    run("check", balanced, "--out", "out")
    result = run("check", balanced, "--plan", "out/plan.csv", "--out", "out")
    assert result.exit_code == 2
    assert "contains the input out/plan.csv" in result.output
    assert Path("out/plan.csv").is_file()


def test_an_existing_folder_that_is_not_an_output_is_not_replaced(balanced):
    Path("mine").mkdir()
    Path("mine/notes.txt").write_text("keep me", encoding="utf-8")
    result = run("check", balanced, "--out", "mine")
    assert result.exit_code == 2
    assert "is not an mtfs_align output folder" in result.output
    assert sorted(p.name for p in Path("mine").iterdir()) == ["notes.txt"]


def test_an_earlier_output_folder_is_replaced_whole(balanced):
    run("check", balanced, "--out", "out")
    Path("out/plan.csv").write_text("old", encoding="utf-8")  # a file the tool wrote, changed
    result = run("check", balanced, "--out", "out")
    assert result.exit_code == 0
    assert Path("out/plan.csv").read_text(encoding="utf-8") != "old"
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(EVALUATION_FILES)
    assert not [p for p in Path(".").iterdir() if p.name.startswith(".out")]  # no temporary or lock left


def test_a_file_the_user_put_in_an_output_folder_stops_its_replacement(balanced):
    run("check", balanced, "--out", "out")
    Path("out/my notes.txt").write_text("keep me", encoding="utf-8")
    Path("out/charts").mkdir()
    before = {p.name: p.read_bytes() for p in Path("out").iterdir() if p.is_file()}
    result = run("check", balanced, "--out", "out")
    assert result.exit_code == 2
    assert "holds files the tool did not write (charts/, my notes.txt)" in result.output
    assert "move those files out of the folder" in result.output
    assert {p.name: p.read_bytes() for p in Path("out").iterdir() if p.is_file()} == before


def test_a_scenario_in_the_working_folder_may_use_the_default_outputs(tmp_path, monkeypatch):
    """scenario.yaml beside data/: outputs/scenario is not refused for being in the scenario's
    folder (which is the working folder)."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.scenario["data"] = "data/testshire"
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22"}
    council.write(tmp_path)
    (tmp_path / "scenarios" / "test.yaml").rename(tmp_path / "scenario.yaml")
    result = run("check", "scenario.yaml")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "scenario" / "check" / "budget.csv").is_file()


# --------------------------------------------------------------------------------------------
# Errors, --debug, help
# --------------------------------------------------------------------------------------------


def broken(tmp_path):
    council = Council()
    council.option("S1")["type"] = "magic"
    return council.write(tmp_path)


def test_normal_mode_shows_no_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", broken(tmp_path))
    assert result.exit_code == 2
    assert "'magic' is not an option type" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["--debug", "check"], ["check", "--debug"]])
def test_debug_shows_the_traceback(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run(*args, broken(tmp_path))
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.output
    assert "'magic' is not an option type" in result.output


def test_an_internal_error_exits_3_without_a_traceback(balanced, monkeypatch):
    import mtfs_align.evaluate

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(mtfs_align.evaluate, "evaluate", explode)
    result = run("check", balanced, "--out", "out")
    assert result.exit_code == 3
    assert "Internal error: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output
    assert not Path("out").exists()


def test_a_missing_scenario_file_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", "nowhere.yaml")
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.output and "does not exist" in result.output


def test_every_command_has_help_text():
    assert cli.help and "Medium Term Financial Strategy" in cli.help
    assert {"validate", "check"} <= set(cli.commands)
    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), name
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.output
        assert "--out" in result.output or name == "init"  # init writes DIR, its argument
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("help",):
                assert param.help, f"{name} {param.opts}"


def test_python_dash_m_works():
    result = subprocess.run(
        [sys.executable, "-m", "mtfs_align", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0
    assert "validate" in result.stdout and "check" in result.stdout


# --------------------------------------------------------------------------------------------
# The bundled example
# --------------------------------------------------------------------------------------------


def test_the_bundled_examples_exist():
    assert {p.stem for p in EXAMPLES} >= {
        "central",
        "proposal",
        "funding_shock",
        "expected_delivery",
    }


@pytest.mark.parametrize("scenario", EXAMPLES, ids=lambda p: p.stem)
def test_bundled_examples_validate_and_check(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", scenario)
    assert result.exit_code == 0, result.output
    assert "Westshire County Council" in result.output and "The scenario is valid" in result.output
    result = run("check", scenario, "--out", "out", "--quiet")
    assert result.exit_code in (0, 1), result.output
    assert sorted(p.name for p in Path("out").iterdir()) == sorted(EVALUATION_FILES)
    assert header(Path("out/budget.csv")) == BUDGET_COLUMNS
    years = [row["year"] for row in read_csv(Path("out/budget.csv"))]
    assert years == ["2021/22", "2022/23", "2023/24", "2024/25"]


def test_check_with_no_scenario_uses_the_bundled_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "--out", "out", "--quiet")
    assert result.exit_code in (0, 1), result.output
    assert "Westshire County Council" in result.output
    assert (tmp_path / "out" / "budget.csv").is_file()


def test_the_proposal_round_trips_through_plan_csv(tmp_path, monkeypatch):
    """The officers' proposal, written out and read back against the central case, which has
    the same data and policy but no plan: identical budget.csv."""
    monkeypatch.chdir(tmp_path)
    first = run("check", REPO / "scenarios" / "proposal.yaml", "--out", "first", "-q")
    second = run(
        "check",
        REPO / "scenarios" / "central.yaml",
        "--plan",
        "first/plan.csv",
        "--out",
        "second",
        "-q",
    )
    assert first.exit_code == second.exit_code, second.output
    assert Path("first/budget.csv").read_bytes() == Path("second/budget.csv").read_bytes()


def test_a_new_investment_option_can_be_checked(tmp_path, monkeypatch):
    """An investment (negative saving) adds to the gap after savings: gap 100, S4 costs 10 a
    year on A3: savings -10; with S1 and S2 too: 70, 90, 90."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    council.options.append(option("S4", "A3", type="investment", y1_k=-10))
    council.scenario["plan"] = {"S1": "2021/22", "S2": "2021/22", "S4": "2021/22"}
    result = run("check", council.write(tmp_path), "--out", "out")
    assert result.exit_code == 0, result.output
    assert [row["savings_k"] for row in read_csv(Path("out/budget.csv"))] == ["70", "90", "90"]


@pytest.mark.parametrize("n", [1, 10])
def test_horizons_of_one_to_ten_years(tmp_path, monkeypatch, n):
    """S1 (50) and S2 (30 then 20 more) from the first year against a gap of 100 a year: savings
    80 then 100; 20 drawn in the first year; balanced in every year, over 1 or 10 years."""
    monkeypatch.chdir(tmp_path)
    council = Council()
    years = [f"{2021 + i}/{(22 + i) % 100:02d}" for i in range(n)]
    council.mtfs.update(years=years, funding_k={"council_tax": [900] * n}, corporate_pressures_k=[0] * n)
    council.scenario["plan"] = {"S1": years[0], "S2": years[0]}
    scenario = council.write(tmp_path)
    assert run("validate", scenario).exit_code == 0
    result = run("check", scenario, "--out", "out")
    assert result.exit_code == 0, result.output
    budget = read_csv(Path("out/budget.csv"))
    assert [row["year"] for row in budget] == years
    assert [row["savings_k"] for row in budget] == (["80"] + ["100"] * (n - 1))
    assert header(Path("out/plan.csv"))[6:] == [f"{y}_k" for y in years]


@pytest.mark.parametrize(
    "value, text",
    [
        (4200, "£4.2m"),
        (345, "£345k"),
        (-1500, "-£1.5m"),
        (-400, "-£400k"),
        (0.2, "£0"),
        (-0.2, "£0"),
        (999.6, "£1.0m"),
        (999.4, "£999k"),
        (100_000, "£100.0m"),
        (float("nan"), "-"),
    ],
)
def test_money_is_printed_as_a_council_would_say_it(value, text):
    from mtfs_align.wording import money

    assert money(value) == text
