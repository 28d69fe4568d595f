"""Scenario files (DESIGN 3.5): extends, the data path, changes, and unknown keys."""

from __future__ import annotations

import math

import pytest
from factory import Council, write_yaml

from mtfs_align.errors import InputError
from mtfs_align.scenario import load_scenario


def problems_of(path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def with_child(tmp_path, parent: dict, child: dict, council: Council | None = None):
    """Write the council with `parent` as scenarios/test.yaml and `child` extending it."""
    council = council or Council()
    council.scenario.update(parent)
    council.write(tmp_path)
    child = {"name": "Child", "extends": "test.yaml", **child}
    return write_yaml(tmp_path / "scenarios" / "child.yaml", child)


# --------------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------------


def test_extends_merges_mappings_recursively_and_lists_replace(tmp_path):
    """policy.slip is inherited; policy.delivery merges key by key (G from the parent, A from the
    child, R the default); policy.capacity (a list) is replaced whole by the child's."""
    path = with_child(
        tmp_path,
        {"policy": {"slip": 0.2, "capacity": [5, 5, 5], "delivery": {"G": 0.9, "A": 0.7}}},
        {"policy": {"delivery": {"A": 0.6}, "capacity": [3, 2, 1]}},
    )
    sc = load_scenario(path)
    assert sc.name == "Child" and sc.slug == "child"
    assert sc.policy.slip == 0.2
    assert sc.policy.delivery == {"G": 0.9, "A": 0.6, "R": 0.45}
    assert sc.policy.capacity == [3, 2, 1]


def test_extends_merges_changes_recursively(tmp_path):
    """changes.funding_pct from the parent and changes.funding_k from the child both apply."""
    path = with_child(
        tmp_path,
        {"changes": {"funding_pct": {"2022/23": -10}}},
        {"changes": {"funding_k": {"2023/24": 5}}},
    )
    sc = load_scenario(path)
    assert sc.funding_pct == [0, -10, 0]
    assert sc.funding_change_k == [0, 0, 5]


def test_weights_are_replaced_whole(tmp_path):
    """Parent {P1: 1, P2: 3}; child {P1: 2, P2: 2} gives P1 2, P2 2; a child naming only P1 does
    not inherit P2 (it would if weights merged), so P2 has no weight: an error."""
    path = with_child(tmp_path, {"weights": {"P1": 1, "P2": 3}}, {"weights": {"P1": 2, "P2": 2}})
    assert load_scenario(path).weights == {"P1": (2, 2), "P2": (2, 2)}
    path = with_child(tmp_path, {"weights": {"P1": 1, "P2": 3}}, {"weights": {"P1": 2}})
    assert any("priority P2 has no weight" in p for p in problems_of(path))


@pytest.mark.parametrize(
    "parent, child, read, expected",
    [
        ({"plan": {"S1": "2021/22"}}, {"plan": {"S2": "2022/23"}}, lambda sc: sc.plan, {"S2": 1}),
        (
            {"policy": {"adopt": {"S1": "any"}}},
            {"policy": {"adopt": {"S2": "2021/22"}}},
            lambda sc: sc.policy.adopt,
            {"S2": 0},
        ),
        (
            {"policy": {"protect": {"P1": 0.9}}},
            {"policy": {"protect": {"P2": 0.5}}},
            lambda sc: sc.policy.protect,
            {"P2": 0.5},
        ),
    ],
)
def test_plan_adopt_and_protect_are_replaced_whole(tmp_path, parent, child, read, expected):
    assert read(load_scenario(with_child(tmp_path, parent, child))) == expected


@pytest.mark.parametrize(
    "parent, child, read, expected",
    [
        (
            {"policy": {"capacity": [1, 1, 1]}},
            {"policy": {"capacity": None}},
            lambda sc: sc.policy.capacity,
            None,
        ),
        ({"plan": {"S1": "2021/22"}}, {"plan": None}, lambda sc: sc.plan, None),
        ({"weights": {"P1": 3, "P2": 1}}, {"weights": None}, lambda sc: sc.weights_given, False),
        (
            {"policy": {"adopt": {"S1": "any"}, "slip": 0.3}},
            {"policy": {"adopt": None}},
            lambda sc: (sc.policy.adopt, sc.policy.slip),
            ({}, 0.3),
        ),
        (
            {"changes": {"funding_pct": {"2022/23": -5, "2023/24": -5}}},
            {"changes": {"funding_pct": {"2023/24": None}}},
            lambda sc: sc.funding_pct,
            [0, -5, 0],
        ),
    ],
)
def test_null_removes_the_inherited_value(tmp_path, parent, child, read, expected):
    assert read(load_scenario(with_child(tmp_path, parent, child))) == expected


def test_a_grandchild_inherits_through_its_parent(tmp_path):
    """test.yaml (slip 0.2) <- child.yaml (plan) <- grandchild.yaml (capacity 4)."""
    with_child(tmp_path, {"policy": {"slip": 0.2}}, {"plan": {"S1": "2021/22"}})
    grandchild = write_yaml(
        tmp_path / "scenarios" / "grandchild.yaml",
        {"extends": "child.yaml", "policy": {"capacity": 4}},
    )
    sc = load_scenario(grandchild)
    assert (sc.policy.slip, sc.plan, sc.policy.capacity) == (0.2, {"S1": 0}, [4, 4, 4])
    assert sc.name == "Child"  # inherited; the file name still gives the slug
    assert sc.slug == "grandchild"
    assert [p.name for p in sc.inputs[:3]] == ["test.yaml", "child.yaml", "grandchild.yaml"]


def test_an_extends_cycle_is_an_error(tmp_path):
    council = Council()
    council.write(tmp_path)
    write_yaml(tmp_path / "scenarios" / "a.yaml", {"extends": "b.yaml"})
    write_yaml(tmp_path / "scenarios" / "b.yaml", {"extends": "a.yaml", "data": "../data/testshire"})
    found = problems_of(tmp_path / "scenarios" / "a.yaml")
    assert len(found) == 1 and "cycle" in found[0] and "a.yaml -> b.yaml -> a.yaml" in found[0]


def test_a_scenario_extending_itself_is_a_cycle(tmp_path):
    council = Council()
    council.scenario["extends"] = "test.yaml"
    found = problems_of(council.write(tmp_path))
    assert "cycle" in found[0]


def test_a_missing_parent_is_an_error(tmp_path):
    council = Council()
    council.scenario["extends"] = "nowhere.yaml"
    found = problems_of(council.write(tmp_path))
    assert len(found) == 1
    assert "extends" in found[0] and "'nowhere.yaml' does not exist" in found[0]


# --------------------------------------------------------------------------------------------
# The data path
# --------------------------------------------------------------------------------------------


def test_data_path_is_relative_to_the_file_that_declares_it(tmp_path):
    """scenarios/base/parent.yaml says data: ../../data/testshire; scenarios/child.yaml extends it
    without a data key, so the path is read from the parent's folder, not the child's."""
    council = Council()
    council.write(tmp_path)
    write_yaml(tmp_path / "scenarios" / "base" / "parent.yaml", {"data": "../../data/testshire"})
    child = write_yaml(tmp_path / "scenarios" / "child.yaml", {"extends": "base/parent.yaml"})
    sc = load_scenario(child)
    assert sc.data_dir == (tmp_path / "data" / "testshire").resolve()


def test_a_child_data_path_is_relative_to_the_child(tmp_path):
    """The child names another council folder, relative to itself."""
    council = Council()
    council.write(tmp_path)
    other = Council(name="otherby")
    other.mtfs["funding_k"]["council_tax"] = [950, 950, 950]
    other.write(tmp_path / "elsewhere")
    write_yaml(tmp_path / "scenarios" / "base" / "parent.yaml", {"data": "../../data/testshire"})
    child = write_yaml(
        tmp_path / "scenarios" / "child.yaml",
        {"extends": "base/parent.yaml", "data": "../elsewhere/data/otherby"},
    )
    sc = load_scenario(child)
    assert sc.data_dir == (tmp_path / "elsewhere" / "data" / "otherby").resolve()
    assert sc.funding_k["council_tax"] == [950, 950, 950]


def test_a_missing_data_folder_is_reported(tmp_path):
    council = Council()
    council.scenario["data"] = "../data/nowhere"
    found = problems_of(council.write(tmp_path))
    assert "data" in found[0] and "does not exist" in found[0]


# --------------------------------------------------------------------------------------------
# changes
# --------------------------------------------------------------------------------------------


def test_funding_changes_only_touch_the_years_they_name(tmp_path):
    council = Council()
    council.scenario["changes"] = {"funding_pct": {"2023/24": -3}, "funding_k": {"2021/22": 40}}
    sc = council.load(tmp_path)
    assert sc.funding_pct == [0, 0, -3]
    assert sc.funding_change_k == [40, 0, 0]
    assert sc.funding_k == {"council_tax": [900, 900, 900]}  # the sources themselves are untouched


def test_growth_and_envelope_changes(tmp_path):
    """changes.growth_pct {A2: 10} replaces A2's growth (blank in the CSV); envelope_growth_pct
    {A1: 5} gives A1 a cash limit 600, 630, 661.5."""
    council = Council()
    council.activity("A2")["growth_pct"] = 1
    council.scenario["changes"] = {"growth_pct": {"A2": 10}, "envelope_growth_pct": {"A1": 5}}
    model = council.model(tmp_path)
    assert model.need[1].tolist() == pytest.approx([300, 330, 363])
    assert model.cash_limit[0].tolist() == pytest.approx([600, 630, 661.5])
    assert model.scenario.activities["A1"].envelope_growth_pct == 5


def test_option_changes_are_written_as_in_the_csv(tmp_path):
    """S2: harms "O1:1" (replacing O2:2), y1_k 70 (was 30), a new y3_k 5, rag R."""
    council = Council()
    council.scenario["changes"] = {"options": {"S2": {"harms": "O1:1", "y1_k": 70, "y3_k": 5, "rag": "R"}}}
    sc = council.load(tmp_path)
    s2 = sc.options["S2"]
    assert s2.harms == {"O1": 1.0}
    assert s2.profile_k == (70, 20, 5)
    assert s2.rag == "R"
    assert sc.options["S1"].profile_k == (50, 0, 0)  # other options get the new column as 0


def test_option_changes_can_blank_a_field(tmp_path):
    """harms: "" clears S2's harms (as a blank cell would); earliest '2022/23' narrows its
    window."""
    council = Council()
    council.scenario["changes"] = {"options": {"S2": {"harms": "", "earliest": "2022/23"}}}
    sc = council.load(tmp_path)
    assert sc.options["S2"].harms == {}
    assert sc.options["S2"].earliest == 1


def test_null_in_a_child_removes_the_parents_option_change(tmp_path):
    """Parent sets S2 rag R; the child's `rag: null` removes that change, so the CSV's A is back.
    (null means "not set here", as everywhere in a scenario; "" is how to blank a cell.)"""
    path = with_child(
        tmp_path,
        {"changes": {"options": {"S2": {"rag": "R", "y1_k": 1}}}},
        {"changes": {"options": {"S2": {"rag": None}}}},
    )
    s2 = load_scenario(path).options["S2"]
    assert (s2.rag, s2.profile_k) == ("A", (1, 20))


def test_a_bad_option_change_is_located_in_the_scenario(tmp_path):
    council = Council()
    council.scenario["changes"] = {"options": {"S2": {"rag": "P"}}}
    found = problems_of(council.write(tmp_path))
    assert len(found) == 1
    assert "test.yaml" in found[0] and "changes.options.S2.rag" in found[0] and "'P'" in found[0]


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"growth_pct": {"A9": 1}}, "changes.growth_pct.A9: 'A9' is not an activity"),
        (
            {"envelope_growth_pct": {"A9": 1}},
            "changes.envelope_growth_pct.A9: 'A9' is not an activity",
        ),
        ({"options": {"S9": {"rag": "G"}}}, "changes.options.S9: 'S9' is not an option"),
        ({"options": {"S1": {"colour": "G"}}}, "'colour' is not a field of options.csv"),
        ({"funding_pct": {"2030/31": 1}}, "outside the horizon"),
        ({"funding_k": {"2022-23": 1}}, "'2022-23' is not a financial year"),
        ({"funding_pct": {"2022/23": -100}}, "too small"),
    ],
)
def test_bad_changes(tmp_path, changes, fragment):
    council = Council()
    council.scenario["changes"] = changes
    found = problems_of(council.write(tmp_path))
    assert any(fragment in p for p in found), found


# --------------------------------------------------------------------------------------------
# Unknown keys, and the rest of the policy
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where, edit, fragment",
    [
        (
            "scenario",
            lambda c: c.scenario.update(wieghts={"P1": 1, "P2": 1}),
            "unknown key 'wieghts'. Fix: did you mean 'weights'?",
        ),
        (
            "scenario",
            lambda c: c.scenario.update(policy={"slipp": 0.1}),
            "policy.slipp: unknown key 'slipp'",
        ),
        (
            "scenario",
            lambda c: c.scenario.update(changes={"fundng_pct": {}}),
            "changes.fundng_pct: unknown key",
        ),
        (
            "scenario",
            lambda c: c.scenario.update(policy={"reserves": {"usable": 5}}),
            "policy.reserves.usable: unknown key",
        ),
        (
            "scenario",
            lambda c: c.scenario.update(policy={"delivery": {"X": 0.5}}),
            "policy.delivery.X: unknown key",
        ),
        (
            "scenario",
            lambda c: c.scenario.update(policy={"protect": {"P9": 0.5}}),
            "policy.protect.P9: 'P9' is not a priority of the plan",
        ),
        (
            "mtfs.yaml",
            lambda c: c.mtfs.update(reserve={"usable_k": 1}),
            "reserve: unknown key 'reserve'",
        ),
        (
            "mtfs.yaml",
            lambda c: c.mtfs["reserves"].update(minimum=1),
            "reserves.minimum: unknown key",
        ),
        (
            "plan.yaml",
            lambda c: c.plan["priorities"][0].update(colour="red"),
            "unknown key 'colour'",
        ),
        (
            "plan.yaml",
            lambda c: c.plan["priorities"][0]["outcomes"][0].update(wieght=2),
            "unknown key 'wieght'",
        ),
    ],
)
def test_unknown_keys_are_errors_anywhere(tmp_path, where, edit, fragment):
    council = Council()
    edit(council)
    found = problems_of(council.write(tmp_path))
    assert any(fragment in p for p in found), found
    assert any(where in p for p in found if fragment in p)


def test_every_policy_key_is_read(tmp_path):
    council = Council()
    council.option("S3")["equality_impact"] = "high"
    council.scenario["weights"] = {"P1": [0.2, 0.4], "P2": 0.7}
    council.scenario["policy"] = {
        "plan_on": "expected",
        "delivery": {"G": 1, "A": 0.5, "R": 0},
        "slip": 0,
        "delivery_concentration": 5,
        "capacity": [3, 2, 1],
        "protect": {"P1": 0.97},
        "max_equality_impact": "medium",
        "adopt": {"S1": "2021/22", "S2": "any"},
        "reject": ["S3"],
        "reserves": {"usable_k": 50, "minimum_k": 10, "max_draw_k": [5, 6, 7]},
        "reserves_penalty": 0.01,
    }
    sc = council.load(tmp_path)
    p = sc.policy
    assert (p.plan_on, p.delivery, p.slip, p.delivery_concentration) == (
        "expected",
        {"G": 1, "A": 0.5, "R": 0},
        0,
        5,
    )
    assert (p.capacity, p.protect, p.max_equality_impact) == ([3, 2, 1], {"P1": 0.97}, "medium")
    assert (p.adopt, p.reject, p.reserves_penalty) == ({"S1": 0, "S2": None}, ["S3"], 0.01)
    assert (sc.reserves.usable_k, sc.reserves.minimum_k, sc.reserves.max_draw_k) == (
        50,
        10,
        [5, 6, 7],
    )
    assert sc.weights == {"P1": (0.2, 0.4), "P2": (0.7, 0.7)} and sc.weights_given
    assert sc.screened == ["S3"]


def test_defaults(tmp_path):
    sc = Council().load(tmp_path)
    p = sc.policy
    assert (p.plan_on, p.delivery, p.slip, p.delivery_concentration) == (
        "nominal",
        {"G": 0.95, "A": 0.75, "R": 0.45},
        0.1,
        2.0,
    )
    assert (
        p.capacity,
        p.protect,
        p.max_equality_impact,
        p.adopt,
        p.reject,
        p.reserves_penalty,
    ) == (None, {}, "high", {}, [], 0.001)
    assert sc.reserves.max_draw_k == [math.inf] * 3
    assert sc.plan is None and not sc.weights_given
    assert sc.options["S1"].effort == 1 and sc.options["S1"].equality_impact == "none"
    assert (sc.options["S1"].earliest, sc.options["S1"].latest) == (0, 2)
    assert sc.activities["A2"].floor_share == 0 and sc.activities["A2"].envelope_growth_pct is None
    assert sc.outcomes["O3"].weight == 1


def test_reserves_minimum_is_checked_after_scenario_changes(tmp_path):
    """mtfs.yaml usable 100 minimum 0 is fine; the scenario's minimum 150 is above usable 100."""
    council = Council()
    council.scenario["policy"] = {"reserves": {"minimum_k": 150}}
    found = problems_of(council.write(tmp_path))
    assert any("test.yaml" in p and "minimum £150k is above the usable balance £100k" in p for p in found)


def test_window_wholly_after_the_horizon_is_a_warning_not_an_error(tmp_path):
    council = Council()
    council.option("S1").update(earliest="2024/25", latest="2025/26")
    sc = council.load(tmp_path)
    assert not sc.options["S1"].available
    assert any("S1 cannot start within the horizon" in w for w in sc.warnings)


def test_a_window_running_past_the_horizon_is_clipped(tmp_path):
    council = Council()
    council.option("S1").update(earliest="2022/23", latest="2027/28")
    option = council.load(tmp_path).options["S1"]
    assert (option.earliest, option.latest, option.available) == (1, 2, True)


def test_validate_warns_about_options_that_can_never_fit(tmp_path):
    """A1 floor_share 0.5 of 600 leaves 300 to save; S4 saves 350: it can never fit. S5 cuts the
    statutory A2, which has no floor."""
    council = Council()
    council.activity("A2")["statutory"] = "true"
    council.options.append(
        {
            "id": "S4",
            "name": "Too big",
            "activity": "A1",
            "type": "efficiency",
            "rag": "G",
            "y1_k": 350,
        }
    )
    council.options.append(
        {
            "id": "S5",
            "name": "Statutory cut",
            "activity": "A2",
            "type": "efficiency",
            "rag": "G",
            "y1_k": 1,
        }
    )
    warnings = council.load(tmp_path).warnings
    assert any("S4 can never fit" in w for w in warnings)
    assert any("S5 cuts the statutory service A2" in w for w in warnings)
    assert not any("S3" in w for w in warnings)  # income: never against the floor


def test_csv_saved_by_excel_with_a_byte_order_mark_and_crlf_is_read(tmp_path):
    """Excel's 'CSV UTF-8' starts with a byte-order mark and ends lines with CRLF."""
    council = Council()
    council.activity("A1")["name"] = "Children's social care (£)"
    path = council.write(tmp_path)
    csv_path = council.data_dir(tmp_path) / "activities.csv"
    text = csv_path.read_text(encoding="utf-8").replace("\n", "\r\n")
    csv_path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    sc = load_scenario(path)
    assert sc.activities["A1"].name == "Children's social care (£)"
    assert sc.activities["A1"].baseline_k == 600


# --------------------------------------------------------------------------------------------
# negative funding sources and corporate lines (DESIGN 3.2)
# --------------------------------------------------------------------------------------------


def test_a_negative_funding_source_is_accepted_and_counted(tmp_path):
    """A collection fund deficit of -50 in 2022/23: funding 900 + 0 - 50 = 850 that year."""
    from mtfs_align.model import build_model

    council = Council()
    council.mtfs["funding_k"]["collection_fund_deficit"] = [0, -50, 10]
    sc = council.load(tmp_path)
    assert sc.funding_k["collection_fund_deficit"] == [0, -50, 10]
    model = build_model(sc)
    assert list(model.funding) == pytest.approx([900, 850, 910])


def test_negative_corporate_pressures_are_accepted(tmp_path):
    """A corporate saving of 20 in 2023/24 lowers the council's need by 20."""
    council = Council()
    council.mtfs["corporate_pressures_k"] = [0, 5, -20]
    sc = council.load(tmp_path)
    assert sc.corporate_pressures_k == [0, 5, -20]


def test_a_year_whose_total_funding_is_not_positive_is_named(tmp_path):
    council = Council()
    council.mtfs["funding_k"]["collection_fund_deficit"] = [0, -905, 0]
    problems = problems_of(council.write(tmp_path))
    assert len(problems) == 1, problems
    assert "funding_k, 2022/23: total funding is -£5k" in problems[0]
    assert "Fix:" in problems[0]


def test_a_bad_per_year_value_is_named_by_its_year(tmp_path):
    council = Council()
    council.mtfs["funding_k"]["collection_fund_deficit"] = [0, "tbc", 0]
    problems = problems_of(council.write(tmp_path))
    assert len(problems) == 1, problems
    assert "funding_k.collection_fund_deficit, 2022/23: 'tbc' is not a number" in problems[0]


def test_every_malformed_year_is_reported_in_one_run(tmp_path):
    council = Council()
    council.mtfs["years"] = ["2021-22", "2022/23", "2023-24"]
    problems = problems_of(council.write(tmp_path))
    assert len(problems) == 2, problems
    assert any("years[1]" in p and "'2021-22'" in p for p in problems)
    assert any("years[3]" in p and "'2023-24'" in p for p in problems)


def test_a_funding_change_may_not_leave_a_year_without_funding(tmp_path):
    council = Council()
    council.scenario["changes"] = {"funding_k": {"2022/23": -950}}
    problems = problems_of(council.write(tmp_path))
    assert len(problems) == 1, problems
    assert "changes.funding_k.2022/23: with this change the total funding of 2022/23 is -£50k" in problems[0]
