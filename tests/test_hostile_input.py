"""Hostile and awkward input found by trying to break the tool (issue 12, item 8) that the broken
corpus cannot hold: round trips and councils that are valid but unusual."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from factory import Council, read_csv

from mtfs_align.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_ids_that_look_like_formulas_survive_the_plan_file_round_trip(tmp_path):
    """plan.csv neutralises '=S1' and '-S2' (a leading apostrophe); check --plan reads them back."""
    c = Council(scenario_name="formula_ids")
    c.option("S1")["id"] = "=S1"
    c.option("S2")["id"] = "-S2"
    c.scenario["plan"] = {"=S1": "2021/22", "-S2": "2022/23"}
    path = c.write(tmp_path)
    first = invoke("check", path, "-q", "--out", tmp_path / "a")
    assert first.exit_code in (0, 1), first.output
    assert "'=S1" in (tmp_path / "a" / "plan.csv").read_text()
    again = invoke("check", path, "--plan", tmp_path / "a" / "plan.csv", "-q", "--out", tmp_path / "b")
    assert again.exit_code == first.exit_code, again.output
    assert (tmp_path / "b" / "budget.csv").read_text() == (tmp_path / "a" / "budget.csv").read_text()


def _long_council(n: int) -> Council:
    """Testshire over n years (DESIGN 2: 1 to 10 must work), funding and pressures per year."""
    c = Council(scenario_name=f"years_{n}")
    c.mtfs["years"] = [f"{2021 + i}/{(22 + i) % 100:02d}" for i in range(n)]
    c.mtfs["funding_k"] = {"council_tax": [900] * n}
    c.mtfs["corporate_pressures_k"] = [0] * n
    return c


@pytest.mark.parametrize("n", [1, 10])
def test_a_horizon_of_one_to_ten_years_runs_end_to_end(tmp_path, n):
    """8, 9 and 10 years crashed the briefing's plan table (no width left for the option's name);
    a long horizon now splits the table into runs of at most six years."""
    path = _long_council(n).write(tmp_path)
    result = invoke("run", path, "-q", "--out", tmp_path / "out")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    for name in ("briefing.pdf", "results.xlsx", "budget.csv", "manifest.json"):
        assert (tmp_path / "out" / name).is_file(), name
    assert len(read_csv(tmp_path / "out" / "budget.csv")) == n


def test_a_control_character_in_an_outcome_name_is_refused_before_anything_is_written(tmp_path):
    """openpyxl cannot write U+001B into results.xlsx: the name is refused where it is read."""
    c = Council(scenario_name="escape")
    c.plan["priorities"][0]["outcomes"][0]["name"] = "Children \x1b[2Jare safe"
    path = c.write(tmp_path)
    result = invoke("run", path, "-q", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "plan.yaml" in result.output and "priorities[1].outcomes[1].name" in result.output
    assert "control character (U+001B)" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_scenario_change_to_a_second_spelling_of_a_profile_year_is_refused(tmp_path):
    """changes.options: {S1: {y01_k: 9}} would be a second column for year 1 beside y1_k."""
    c = Council(scenario_name="y01")
    c.scenario["changes"] = {"options": {"S1": {"y01_k": 9}, "S2": {"Y2_K": 5}}}
    result = invoke("validate", c.write(tmp_path))
    assert result.exit_code == 2, result.output
    assert "changes.options.S1.y01_k" in result.output and "write y1_k" in result.output
    assert "changes.options.S2.Y2_K" in result.output and "not written in lower case" in result.output


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "damage, wanted",
    [
        ({"manifest.json": b'{"version": '}, ["manifest.json, line 1: is not valid JSON"]),
        ({"budget.csv": None}, ["budget.csv, line 3: has 4 fields, not 14 (is it cut short?)"]),
        ({"plan.csv": b"\xff\xfeoption,start\n"}, ["plan.csv: is not UTF-8 text"]),
        ({"activities.csv": b"activity,year,need_k\nA1,2021/22,12\x00x\n"}, ["activities.csv, line 2: need_k"]),
        ({"manifest.json": b"[1, 2]", "budget.csv": b""}, ["manifest.json: is not a JSON object", "budget.csv"]),
    ],
)
def test_brief_on_a_damaged_output_folder_names_the_file_and_writes_nothing(tmp_path, damage, wanted):
    """A truncated or garbled table, or a manifest that is not JSON, is bad input to brief (exit 2)."""
    out = tmp_path / "out"
    first = invoke("check", Council(scenario_name="damaged").write(tmp_path), "-q", "--out", out)
    assert first.exit_code in (0, 1), first.output
    for name, data in damage.items():
        if data is None:  # cut short in the middle of its third line
            text = (out / name).read_bytes()
            lines = text.split(b"\n")
            data = b"\n".join(lines[:2]) + b"\n" + b",".join(lines[2].split(b",")[:4])
        (out / name).write_bytes(data)
    before = _files(out)
    result = invoke("brief", "--out", out, "-q")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    for fragment in wanted:
        assert fragment in result.output, result.output
    assert _files(out) == before


def test_an_option_id_with_an_invisible_character_is_a_look_alike(tmp_path):
    """'S1' and 'S1' followed by a zero-width space look the same in every spreadsheet."""
    c = Council(scenario_name="invisible")
    c.options.append(dict(c.option("S1"), id="S1\u200b", name="Option S1 again"))
    result = invoke("validate", c.write(tmp_path))
    assert result.exit_code == 2, result.output
    assert "differ only by a look-alike character" in result.output
    assert "zero width space" in result.output
