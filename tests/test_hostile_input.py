"""Hostile and awkward input found by trying to break the tool (issue 12, item 8) that the broken
corpus cannot hold: round trips and councils that are valid but unusual."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import Council, read_csv
from hypothesis import given
from hypothesis import strategies as st

from mtfs_align.cli import cli
from mtfs_align.errors import Problem, shown_safely
from mtfs_align.io.ids import KnownIds, id_skeleton


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


# --------------------------------------------------------------------------------------------
# Values echoed into messages are shown escaped; ids that only look like a declared one are named
# --------------------------------------------------------------------------------------------

BROKEN = Path(__file__).resolve().parent / "broken"
UNSHOWN_CASES = sorted(
    p.name for p in BROKEN.iterdir() if p.is_dir() and any(w in p.name for w in ("control_character", "line_break"))
)


def _unshowable(text: str) -> list[str]:
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]


@pytest.mark.parametrize("case", UNSHOWN_CASES)
def test_no_control_character_reaches_the_terminal(tmp_path, case):
    """Every broken-input case that puts a control character into a file: the output (problems,
    row labels and notes) holds none raw: an echoed one is shown as [U+001B]."""
    from test_broken_inputs import build, run

    spec, folder = build(case, tmp_path)
    output = run(folder, spec.get("command", "check"), *spec.get("args", [])).output
    assert not _unshowable(output), repr(output)


def test_a_problem_shows_every_part_escaped_wherever_it_is_made():
    problem = Problem("a\x1bb.csv", "line 3 (S\x071)", "na\u202eme", "'x\ny' is bad", "write \u200bit")
    assert str(problem) == (
        "a[U+001B]b.csv, line 3 (S[U+0007]1): na[U+202E]me: 'x[U+000A]y' is bad. Fix: write [U+200B]it."
    )
    assert shown_safely("Café, £1,300\u00a0k") == "Café, £1,300\u00a0k"  # printable text is left alone


def test_a_note_about_an_unused_column_shows_its_name_escaped(tmp_path):
    c = Council(scenario_name="column")
    c.option("S1")["note\x1b[2J"] = "x"
    result = invoke("validate", c.write(tmp_path))
    assert result.exit_code == 0, result.output
    assert "column 'note[U+001B][2J' is not used" in result.output
    assert not _unshowable(result.output)


@given(
    ids=st.lists(st.from_regex(r"[A-Z][0-9]{1,3}", fullmatch=True), min_size=1, max_size=8, unique=True),
    pick=st.integers(0, 7),
    how=st.sampled_from(["case", "cyrillic", "invisible", "digit"]),
)
def test_a_reference_that_only_looks_like_a_declared_id_names_it(ids, pick, how):
    """Whatever the declared ids, a reference that differs from one only in case, by a Cyrillic
    look-alike, an invisible character or 0/O, 1/l is explained with the id it looks like."""
    target = ids[pick % len(ids)]
    ref = {
        "case": target.lower(),
        "cyrillic": target.translate(str.maketrans("ABCEHKMOPTX", "АВСЕНКМОРТХ")),
        "invisible": target[:1] + "\u200b" + target[1:],
        "digit": target.translate(str.maketrans("01", "Ol")),
    }[how]
    known = KnownIds(set(ids), "options.csv")
    if ref == target or ref in known:
        return  # the change made no difference, or made another declared id
    message, fix = known.unknown(ref, f"'{ref}' is not an option", "use an id from options.csv")
    other = known.look_alike(ref)
    assert other is not None and id_skeleton(other) == id_skeleton(target)
    assert message.startswith(f"'{ref}' is not an option: ") and "differ only" in message
    assert fix == f"write {other}, as options.csv does"


def test_a_reference_that_is_simply_unknown_keeps_its_message():
    known = KnownIds({"S1", "S2"}, "options.csv")
    assert known.unknown("S9", "'S9' is not an option", "use an id from options.csv") == (
        "'S9' is not an option",
        "use an id from options.csv",
    )


def _chain(root: Path, length: int) -> Path:
    """Scenario files s0 (the base, on the factory council) to s<length - 1>, each extending the one before."""
    c = Council(scenario_name="s0")
    c.write(root)
    for i in range(1, length):
        (root / "scenarios" / f"s{i}.yaml").write_text(f"extends: s{i - 1}.yaml\n", encoding="utf-8")
    return root / "scenarios" / f"s{length - 1}.yaml"


def test_an_extends_chain_far_too_long_is_refused_where_it_passes_the_limit(tmp_path):
    """1,200 scenarios each extending the next hit Python's recursion limit and were reported as a
    file nesting too deep; the chain is followed in a loop and refused past 50 files."""
    from mtfs_align.scenario.chain import MAX_EXTENDS

    result = invoke("validate", _chain(tmp_path, 1200))
    assert result.exit_code == 2, result.output
    assert f"s{1200 - MAX_EXTENDS}.yaml, line 1: extends: the scenarios extend one another more than 50 deep" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_an_extends_chain_of_fifty_files_is_read(tmp_path):
    result = invoke("validate", _chain(tmp_path, 50))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "path, why",
    [
        ("data/west\0shire", "it holds a NUL character (U+0000)"),
        ("d" * 256, "a name in it is 256 bytes long, more than a file name can be (255)"),
        ("/".join(["d" * 200] * 21), "it is 4,220 bytes long, more than a path can be (4,096)"),
        ("/".join(["d" * 255] * 16), ""),
        ("data/westshire", ""),
    ],
)
def test_a_path_no_file_system_could_use_is_named_before_it_is_touched(path, why):
    """A YAML fuzz found data: and extends: values that made the operating system raise (File name
    too long, embedded null byte): exit 3 where the scenario file's line should be named."""
    from mtfs_align.io.input_files import unusable

    assert unusable(path) == why
