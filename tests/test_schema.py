"""The input schema is declared once (mtfs_align.schema) and is what the readers check: the keys each
YAML mapping allows, the columns of each table, the limits, choices and defaults of every field, and
the user guide's tables. Every case below is generated from the schema itself, so a field added to
the schema is checked here without a new test."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import Council

from mtfs_align.cli import cli
from mtfs_align.io import tables
from mtfs_align.scenario import Policy
from mtfs_align.schema import ACTIVITIES, FILES, MTFS, OPTIONS, PLAN, SCENARIO, Field
from mtfs_align.schema import guide as schema_guide

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "user-guide.md"

# A concrete key for each kind of key the user names, valid in the factory council.
NAMED = {"<priority>": "P1", "<option>": "S1", "<year>": "2022/23", "<source>": "council_tax", "<activity>": "A1"}
NUMERIC = ("number", "£ thousands", "share", "percent", "whole number", "points", "number or [low, high]")


def validate(c: Council, tmp_path: Path):
    return CliRunner().invoke(cli, ["validate", str(c.write(tmp_path))])


def place(c: Council, file: str, key: str, value: object) -> None:
    """Set `key` (a schema path: `name[]` is the list's first item, `<...>` a valid name) to `value`."""
    if file.endswith(".csv"):
        rows = c.activities if file == "activities.csv" else c.options
        rows[0][key.replace("<year>", "1")] = value
        return
    node = {"scenario": c.scenario, "plan.yaml": c.plan, "mtfs.yaml": c.mtfs}[file]
    *path, last = (NAMED.get(part, part) for part in key.split("."))
    for part in path:
        if part.endswith("[]"):
            node = node.setdefault(part[:-2], [{}])[0]
        else:
            node = node.setdefault(part, {})
    node[last] = value


def numeric_fields() -> list[tuple[str, Field]]:
    return [
        (schema.file, f)
        for schema in FILES.values()
        for f in schema
        if f.kind.startswith(NUMERIC) and (f.minimum is not None or f.maximum is not None or f.above is not None)
    ]


def per_year(value: object, field: Field) -> object:
    """A per-year list holds the bad value in its first year."""
    return [value, 0, 0] if "one per year" in field.kind else value


# --------------------------------------------------------------------------------------------
# The guide
# --------------------------------------------------------------------------------------------


def test_the_user_guide_tables_are_the_schema():
    """Regenerate the guide's tables from the schema: nothing changes (run
    `python -m mtfs_align.schema.guide docs/user-guide.md` after changing the schema)."""
    text = GUIDE.read_text(encoding="utf-8")
    assert schema_guide.update(text) == text
    assert schema_guide.files_in(text) == list(FILES)


def test_a_guide_table_is_written_from_its_fields():
    table = schema_guide.table(OPTIONS)
    assert table.splitlines()[0] == "| column | type | default | meaning | in the example |"
    assert "| `rag` | one of `G`, `A` or `R` | required | delivery risk | amber |" in table
    assert "| `floor_share` | share, 0 to 1 | default 0 |" in schema_guide.table(ACTIVITIES)
    assert "| `growth_pct` | percent, above −100 | default 0 |" in schema_guide.table(MTFS)


# --------------------------------------------------------------------------------------------
# Keys and columns
# --------------------------------------------------------------------------------------------

LEVELS = [
    ("scenario", ""),
    ("scenario", "policy"),
    ("scenario", "policy.delivery"),
    ("scenario", "changes"),
    ("plan.yaml", ""),
    ("plan.yaml", "priorities[]"),
    ("plan.yaml", "priorities[].outcomes[]"),
    ("plan.yaml", "priorities[].outcomes[].kpis[]"),
    ("mtfs.yaml", ""),
    ("mtfs.yaml", "reserves"),
]


@pytest.mark.parametrize("file, parent", LEVELS)
def test_an_unknown_key_lists_the_keys_the_schema_allows(tmp_path, file, parent):
    c = Council()
    c.plan["priorities"][0]["outcomes"][0]["kpis"] = [{"id": "K1", "name": "A KPI"}]
    place(c, file, (parent + "." if parent else "") + "zzqx", 1)
    result = validate(c, tmp_path)
    assert result.exit_code == 2, result.output
    schema = FILES[file]
    assert "unknown key 'zzqx'. Fix: allowed keys: " + ", ".join(schema.keys(parent)) + "." in result.output


def test_policy_reserves_allows_the_keys_of_mtfs_reserves(tmp_path):
    c = Council()
    c.scenario["policy"] = {"reserves": {"zzqx": 1}}
    result = validate(c, tmp_path)
    assert "allowed keys: " + ", ".join(MTFS.keys("reserves")) + "." in result.output


def test_the_table_columns_are_the_schemas():
    assert tables.ACTIVITY_REQUIRED == ["id", "name", "directorate", "outcomes", "baseline_k"]
    assert set(tables.ACTIVITY_REQUIRED + tables.ACTIVITY_OPTIONAL) == {f.key for f in ACTIVITIES}
    assert tables.OPTION_REQUIRED == ["id", "name", "activity", "type", "rag"]
    assert set(tables.OPTION_REQUIRED + tables.OPTION_OPTIONAL) == {f.key for f in OPTIONS} - {"y<year>_k"}


@pytest.mark.parametrize("file", ["activities.csv", "options.csv"])
def test_every_required_column_is_required(tmp_path, file):
    schema = FILES[file]
    for column in schema.columns(required=True):
        c = Council()
        rows = c.activities if file == "activities.csv" else c.options
        for row in rows:
            del row[column]
        result = validate(c, tmp_path / column)
        assert result.exit_code == 2, result.output
        assert f"{file}, line 1: {column}: required column missing." in result.output


# --------------------------------------------------------------------------------------------
# Limits, choices and defaults
# --------------------------------------------------------------------------------------------


def outside(field: Field) -> list[tuple[float, str]]:
    """Values just outside each of the field's limits, and the message the readers must give for each."""
    cases = []
    if field.minimum is not None:
        cases.append((field.minimum - 1, f"is below the smallest allowed value {field.minimum:g}"))
    if field.maximum is not None:
        cases.append((field.maximum + 1, f"is above the largest allowed value {field.maximum:g}"))
    if field.above is not None:
        cases.append((field.above, f"is too small. Fix: use a value above {field.above:g}"))
    return cases


@pytest.mark.parametrize("file, field", numeric_fields(), ids=lambda x: x if isinstance(x, str) else x.key)
def test_a_number_outside_the_schemas_limits_is_refused_by_the_reader(tmp_path, file, field):
    for i, (value, message) in enumerate(outside(field)):
        c = Council()
        place(c, file, field.key, per_year(value, field))
        result = validate(c, tmp_path / str(i))
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if message in line]
        assert any(NAMED.get(field.name, field.name) in line for line in lines), result.output


@pytest.mark.parametrize("file, field", numeric_fields(), ids=lambda x: x if isinstance(x, str) else x.key)
def test_a_number_at_the_schemas_limit_is_accepted(tmp_path, file, field):
    c = Council()
    c.scenario["weights"] = {"P1": 1, "P2": 1}
    limit = field.minimum if field.minimum is not None else field.maximum
    if limit is None:
        limit = field.above + 1
    place(c, file, field.key, per_year(limit, field))
    result = validate(c, tmp_path)
    assert result.exit_code == 0, result.output


def money_fields() -> list[tuple[str, Field]]:
    return [(s.file, f) for s in FILES.values() for f in s if f.unit]


@pytest.mark.parametrize("file, field", money_fields(), ids=lambda x: x if isinstance(x, str) else x.key)
def test_a_money_value_that_is_not_a_number_says_it_is_in_pounds_thousands(tmp_path, file, field):
    c = Council()
    place(c, file, field.key, per_year("lots", field))
    result = validate(c, tmp_path)
    assert result.exit_code == 2, result.output
    assert "'lots' is not a number. Fix: write a plain number in £ thousands" in result.output


def choice_fields() -> list[tuple[str, Field]]:
    return [(s.file, f) for s in FILES.values() for f in s if f.choices]


@pytest.mark.parametrize("file, field", choice_fields(), ids=lambda x: x if isinstance(x, str) else x.key)
def test_a_value_that_is_not_one_of_the_schemas_choices_is_refused(tmp_path, file, field):
    c = Council()
    c.plan["priorities"][0]["outcomes"][0]["kpis"] = [{"id": "K1", "name": "A KPI"}]
    place(c, file, field.key, "zzqx")
    result = validate(c, tmp_path)
    assert result.exit_code == 2, result.output
    assert f"{field.not_a_choice('zzqx')}. Fix: {field.how_to_fix}" in result.output


@pytest.mark.parametrize("file, field", choice_fields(), ids=lambda x: x if isinstance(x, str) else x.key)
def test_every_choice_is_accepted_in_any_case(tmp_path, file, field):
    for i, choice in enumerate(field.choices):
        c = Council()
        c.plan["priorities"][0]["outcomes"][0]["kpis"] = [{"id": "K1", "name": "A KPI"}]
        place(c, file, field.key, choice.swapcase() if i % 2 else choice)
        result = validate(c, tmp_path / str(i))
        assert result.exit_code == 0, result.output


def test_the_policy_defaults_are_the_schemas():
    policy = Policy()
    for key in ("plan_on", "slip", "delivery_concentration", "max_equality_impact", "reserves_penalty"):
        assert getattr(policy, key) == SCENARIO[f"policy.{key}"].default
    assert policy.confidence == SCENARIO["policy.confidence"].default
    assert policy.risk_draws == SCENARIO["policy.risk_draws"].default
    assert policy.delivery == {rag: SCENARIO[f"policy.delivery.{rag}"].default for rag in "GAR"}


def test_blank_optional_cells_take_the_schemas_defaults(tmp_path):
    c = Council()
    c.mtfs.pop("growth_pct")
    c.activity("A2").update(floor_share="", statutory="")
    c.option("S3").update(one_off_k="", effort="", equality_impact="")
    c.plan["priorities"][1]["outcomes"][0].pop("weight", None)
    sc = c.load(tmp_path)
    a2, s3 = sc.activities["A2"], sc.options["S3"]
    assert a2.floor_share == ACTIVITIES["floor_share"].default and a2.statutory is ACTIVITIES["statutory"].default
    assert a2.growth_pct == MTFS["growth_pct"].default
    assert s3.one_off_k == OPTIONS["one_off_k"].default and s3.effort == OPTIONS["effort"].default
    assert s3.equality_impact == OPTIONS["equality_impact"].default
    assert sc.outcomes["O3"].weight == PLAN["priorities[].outcomes[].weight"].default
    assert s3.profile_k == (20.0, OPTIONS["y<year>_k"].default)


def test_every_field_is_explained():
    for schema in FILES.values():
        for field in schema:
            assert field.meaning and field.kind, field.key
            assert not (field.choices and not field.noun), field.key
            if schema.file.endswith(".csv"):
                assert field.example, field.key
