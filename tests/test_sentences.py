"""Sentences that are true (issue 11, item 4): money rounded half up through one function, and
every Cabinet message built from the results by one function, tested on councils where it is
easy to go wrong."""

from __future__ import annotations

import copy
import dataclasses
import re
import time

import pandas as pd
import pytest
from factory import Council, activity, option
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mtfs_align.analysis.proposal import compare_proposal
from mtfs_align.evaluate import evaluate
from mtfs_align.model import build_model
from mtfs_align.optimise.solvers import SolverSettings
from mtfs_align.report.sentences.frontier import certainty_change, frontier_finding
from mtfs_align.report.sentences.key_messages import (
    frontier_message,
    harm_message,
    key_messages,
    savings_message,
    unfunded_message,
)
from mtfs_align.report.sentences.phrases import harm_amount, harm_change, harm_figure, net_harm, unfunded
from mtfs_align.report.sentences.proposal import (
    PlanFigures,
    least_harm_sentence,
    most_savings_sentence,
    proposal_messages,
)
from mtfs_align.report.sentences.robust import core_index_counts, core_index_line, core_index_message, robust_lines
from mtfs_align.report.tables import manifest
from mtfs_align.results import RunResults
from mtfs_align.wording import exact_pounds, money, share, summed_over, whole_k


@pytest.mark.parametrize(
    ("value_k", "text"),
    [
        (1950, "£2.0m"),  # half-to-even on the float gives £1.9m
        (1850, "£1.9m"),
        (2250, "£2.3m"),  # half-to-even gives £2.2m
        (-1950, "-£2.0m"),
        (14.5, "£15k"),
        (12.5, "£13k"),  # half-to-even gives £12k
        (0.5, "£1k"),
        (-0.5, "-£1k"),
        (-5, "-£5k"),
        (999.4, "£999k"),
        (999.5, "£1.0m"),
        (0.4, "£0"),
        (-0.4, "£0"),
        (76072.5, "£76.1m"),
        (76050, "£76.1m"),
        (76150, "£76.2m"),
    ],
)
def test_money_rounds_half_up_in_thousands_and_millions(value_k, text):
    assert money(value_k) == text


@pytest.mark.parametrize(
    ("value_k", "text"),
    [
        (76072.5, "£76,073k"),  # half-to-even and float formatting give £76,072k
        (76071.5, "£76,072k"),
        (2.5, "£3k"),
        (-2.5, "-£3k"),
        (-5, "-£5k"),
        (-50, "-£50k"),
        (0.4, "£0k"),
        (-0.4, "£0k"),  # no sign on a figure that rounds to nothing
        (1234567.5, "£1,234,568k"),
        (float("inf"), "no limit"),
        (float("nan"), "-"),
    ],
)
def test_whole_k_rounds_half_up_and_signs_before_the_pound(value_k, text):
    assert whole_k(value_k) == text


def test_money_keeps_the_sign_before_the_pound():
    for value in (-5, -14.5, -999.5, -1950, -76072.5):
        assert money(value).startswith("-£")
        assert whole_k(value).startswith("-£")
        assert "£-" not in money(value) + whole_k(value)


def test_exact_pounds_round_half_up():
    assert exact_pounds(37100) == "£37,100,000"
    assert exact_pounds(0.0005) == "£1"
    assert exact_pounds(-0.0025) == "-£3"
    assert exact_pounds(1.2345) == "£1,235"


def test_located_messages_quote_money_half_up_with_the_sign_before_the_pound():
    """The scenario and evaluation messages word their £k with whole_k: no float formatting of £k
    outside mtfs_align/wording.py (which formats the Decimal it has already rounded)."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "mtfs_align"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "wording.py" or path.parent != package
        if ":,.0f}k" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# --------------------------------------------------------------------------------------------
# Outcome harm that may be a net benefit
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "text"),
    [
        (4 / 3, 5 / 6, "cuts outcome harm by 38% (from 1.33 to 0.83)"),  # 0.375 half up
        (1.0, 2.0, "adds 100% to outcome harm (from 1.00 to 2.00)"),
        (1.0, 0.0, "cuts outcome harm by 100% (from 1.00 to 0.00)"),
        # the council: 10565% of a harm of 0.04 was printed
        (0.04, -4.46, "turns a net harm of 0.04 into a net benefit of 4.46"),
        (0.0, -1.0, "turns no net harm into a net benefit of 1.00"),
        (-0.5, -1.0, "raises the net benefit to outcomes from 0.50 to 1.00"),
        (-1.0, -0.5, "lowers the net benefit to outcomes from 1.00 to 0.50"),
        (-1.0, 0.5, "turns a net benefit of 1.00 into a net harm of 0.50"),
        (-1.0, 0.0, "turns a net benefit of 1.00 into no net harm"),
        (0.0, 0.5, "turns no net harm into a net harm of 0.50"),
        (0.001, -0.001, "leaves outcome harm the same (0.00)"),  # never 'a net harm of 0.00'
        (0.004, 0.5, "turns no net harm into a net harm of 0.50"),  # no share of a harm printed as 0.00
    ],
)
def test_harm_change_gives_a_share_only_of_a_harm_above_zero(before, after, text):
    assert harm_change(before, after) == text


@settings(max_examples=200, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@given(
    st.floats(-50, 50, allow_nan=False),
    st.floats(-50, 50, allow_nan=False),
    st.sampled_from([1, 2, 3]),
)
def test_harm_change_never_a_percentage_of_a_harm_at_or_below_zero(before, after, digits):
    text = harm_change(before, after, digits)
    if round(before, digits) <= 0 or round(after, digits) < 0:
        assert "%" not in text
    assert "-" not in text  # a benefit is said as a benefit, never as a negative harm
    zero = f"{0:.{digits}f}"
    assert f"net harm of {zero}" not in text and f"net benefit of {zero}" not in text


def test_harm_amount_and_net_harm():
    assert harm_amount(16.617) == "outcome harm of 16.62"
    assert harm_amount(-4.46) == "a net benefit to outcomes of 4.46"
    assert harm_amount(-0.001) == "no net outcome harm"
    assert net_harm(0.04, 1) == "no net harm"  # 0.04 prints as 0.0 at one decimal
    assert harm_figure(-0.001) == "0.00"


def test_share_rounds_half_up_and_keeps_small_shares():
    assert share(0.375) == "38%"
    assert share(0.125) == "13%"  # half to even gives 12%
    assert share(0.005) == "1%"
    assert share(0.004) == "under 1%"
    assert share(0) == "0%"


# --------------------------------------------------------------------------------------------
# Savings still to be found over the years
# --------------------------------------------------------------------------------------------


YEARS4 = ["2021/22", "2022/23", "2023/24", "2024/25"]


def test_unfunded_leads_with_the_last_year_and_says_the_total_is_summed():
    assert unfunded([0, 15000, 30000, 30000], YEARS4) == (
        "£30.0m of savings still to be found in 2024/25 (£75.0m summed over the four years, short in "
        "2022/23, 2023/24 and 2024/25)"
    )
    # the last year balances: no level to lead with, the total said to be one
    assert unfunded([1950, 1000, 0, 0], YEARS4) == (
        "£3.0m of savings still to be found summed over the four years (short in 2021/22 and 2022/23)"
    )
    assert unfunded([0, 0, 1950, 0], YEARS4) == "£2.0m of savings still to be found in 2023/24"  # half up
    assert unfunded([0.4, 0, 0, 0.4], YEARS4) == "no savings still to be found"  # under £500 balances


def test_unfunded_on_a_one_year_horizon():
    assert unfunded([950], ["2021/22"]) == "£950k of savings still to be found in 2021/22"
    assert summed_over(1) == "" and summed_over(4) == " summed over the four years"


# --------------------------------------------------------------------------------------------
# The proposal against plans B and C
# --------------------------------------------------------------------------------------------


def figures(savings_k, harm, unidentified=(0.0, 0.0), last=None):
    return PlanFigures(
        savings_k=savings_k,
        harm=harm,
        unidentified_k=float(sum(unidentified)),
        last_savings_k=last,
        unidentified_by_year=tuple(unidentified),
    )


YEARS2 = ["2021/22", "2022/23"]


def test_b_turns_a_net_harm_into_a_net_benefit_without_a_percentage():
    """The issue's council: options with benefits as well as harms, the proposal's net harm 0.04,
    B's a net benefit of 4.46 (once printed as 'cuts outcome harm by 10565%')."""
    text = least_harm_sentence(figures(200, 0.04), figures(210, -4.46), YEARS2, broken=False)
    assert text == (
        "For at least the proposal's savings in every year, plan B turns a net harm of 0.04 into a net benefit of 4.46."
    )
    assert "%" not in text and "optimised plan" not in text  # B is B, not the optimised plan


def test_b_from_one_net_benefit_to_a_larger_one():
    text = least_harm_sentence(figures(200, -1.0), figures(200, -2.5), YEARS2, broken=False)
    assert text.endswith("plan B raises the net benefit to outcomes from 1.00 to 2.50.")


def test_b_or_c_leaving_savings_unfunded_says_so():
    proposal = figures(180, 1.0, (0.0, 0.0), last=90)
    least_harm = figures(180, 0.5, (0.0, 20.0), last=90)
    text = least_harm_sentence(proposal, least_harm, YEARS2, broken=False)
    assert text == (
        "For at least the proposal's savings in every year, plan B cuts outcome harm by 50% (from 1.00 to "
        "0.50), but plan B leaves £20k of savings still to be found in 2022/23, where the proposal leaves "
        "no savings still to be found."
    )
    most = figures(230, 1.0, (10.0, 0.0), last=115)
    text = most_savings_sentence(proposal, most, YEARS2)
    assert text == (
        "For no more harm, plan C saves £115k a year by 2022/23 (the proposal £90k), £50k more summed over "
        "the two years (£230k against £180k), but plan C leaves £10k of savings still to be found in "
        "2021/22, where the proposal leaves no savings still to be found."
    )


def test_c_on_a_one_year_horizon_and_from_proposal_csv():
    one = ["2021/22"]
    text = most_savings_sentence(figures(100, 1.0, (0.0,), 100), figures(150, 1.0, (0.0,), 150), one)
    assert text == "For no more harm, plan C saves £50k more in 2021/22 (£150k against £100k)."
    # proposal.csv gives only totals: the total, said to be summed
    text = most_savings_sentence(PlanFigures(263750, 16.6, 0), PlanFigures(301000, 16.5, 0), YEARS4)
    assert text == "For no more harm, plan C saves £37.3m more summed over the four years (£301.0m against £263.8m)."


def test_briefing_proposal_messages_from_proposal_csv():
    table = pd.DataFrame(
        {
            "plan": ["P", "B", "C"],
            "savings_k": [1000.0, 1000.0, 1500.0],
            "harm": [0.04, -4.46, 0.0],
            "unidentified_k": [1950.0, 0.0, 0.0],
        }
    )
    budget = pd.DataFrame({"savings_k": [400.0, 600.0], "unidentified_k": [0.0, 1950.0]})
    assert proposal_messages(table, YEARS2, budget, digits=2) == [
        "The proposal (P) saves £600k a year by 2022/23 (£1.0m summed over the two years) for outcome harm "
        "of 0.04, leaving £2.0m of savings still to be found in 2022/23.",
        "For at least P's savings in every year, plan B turns a net harm of 0.04 into a net benefit of 4.46.",
        "For no more harm, plan C saves £500k more summed over the two years (£1.5m against £1.0m).",
    ]


# --------------------------------------------------------------------------------------------
# The core index: withdrawn is not exterior
# --------------------------------------------------------------------------------------------


def test_withdrawn_and_screened_options_are_not_exterior():
    table = pd.DataFrame(
        {
            "option": ["S1", "S2", "S3", "S4", "S5"],
            "core_index": [1.0, 0.5, 0.0, 0.0, 0.0],
            "class": ["core", "borderline", "exterior", "exterior", "exterior"],
        }
    )
    counts = core_index_counts(table, withdrawn=["S4"], screened=["S5"])
    assert {c: counts[c] for c in ("core", "borderline", "exterior")} == {"core": 1, "borderline": 1, "exterior": 1}
    assert core_index_line(counts) == (
        "1 option is core (adopted in at least 95% of samples), 1 borderline and 1 exterior (adopted in at "
        "most 5%); not counted, as never available: S4 withdrawn by the scenario and S5 screened out for "
        "its equality impact."
    )
    assert core_index_message(counts) == (
        "Under other plausible priority weights, 1 option is adopted almost always (core), 1 almost never, "
        "and 1 depends on the weights chosen (not counting S4 withdrawn or those screened out)."
    )
    plain = core_index_counts(table)
    assert plain["exterior"] == 3 and "withdrawn" not in core_index_message(plain)


def test_robust_terminal_calls_a_rejected_option_withdrawn(tmp_path):
    """S3 rejected by the scenario: index 0, class exterior in core_index.csv (DESIGN 4.5), but the
    sentence says withdrawn."""
    from mtfs_align.analysis.robust import robust

    council = Council()
    council.scenario["policy"] = {"reject": ["S3"]}
    result = robust(council.load(tmp_path), samples=3, seed=1)
    assert result.table.set_index("option").loc["S3", "class"] == "exterior"
    text = "\n".join(robust_lines(result))
    assert "S3 withdrawn by the scenario" in text


# --------------------------------------------------------------------------------------------
# The briefing's key messages on councils where they go wrong
# --------------------------------------------------------------------------------------------


def test_harm_message_with_a_net_benefit():
    names = {"P1": "Safe", "P2": "Thriving"}
    assert harm_message({"P1": 0.5, "P2": -2.0}, names, None, 4) == (
        "The plan's options do more good than harm to the corporate plan's outcomes over the four years: "
        "a net benefit of 1.5."
    )
    # a positive net total made of a harm and a benefit: no share (P1 would be 250% of the total)
    text = harm_message({"P1": 5.0, "P2": -3.0}, names, None, 4)
    assert (
        text
        == "Outcome harm over the four years totals 2.0: 5.0 on safe (P1) and a net benefit of 3.0 to thriving (P2)."
    )
    assert "%" not in text
    assert harm_message({"P1": 3.0, "P2": 1.0}, names, None, 1).startswith(
        "Outcome harm over the year totals 4.0: 75% on safe (P1) and 25% on thriving (P2)"
    )


def test_frontier_message_never_calls_a_benefit_a_cost():
    assert frontier_message(0.16).endswith("costs 0.16 of outcome harm on average.")
    assert frontier_message(-0.5).endswith("lowers net outcome harm by 0.50 on average.")
    assert frontier_message(0.001).endswith("costs no extra outcome harm on average.")


def test_savings_and_unfunded_messages_say_what_is_summed():
    budget = pd.DataFrame(
        {
            "savings_k": [4000.0, 15000.0],
            "reserves_draw_k": [6000.0, 0.0],
            "one_off_k": [500.0, 1450.0],
            "reserves_balance_k": [4000.0, 4000.0],
        }
    )
    assert savings_message(budget, YEARS2, 3) == (
        "The 3 adopted savings options close £4.0m of it in 2021/22, rising to £15.0m a year by 2022/23; "
        "reserves cover £6.0m summed over the two years, leaving £4.0m in usable reserves at the end of "
        "2022/23. One-off implementation costs add £2.0m summed over the two years."
    )
    one_year = budget.iloc[:1]
    assert savings_message(one_year, ["2021/22"], 1) == (
        "The 1 adopted savings option closes £4.0m of it in 2021/22; reserves cover £6.0m in 2021/22, "
        "leaving £4.0m in usable reserves at the end of 2021/22. One-off implementation costs add £500k."
    )
    assert unfunded_message([0, 1950, 0, 30000], YEARS4) == (
        "The budget does not yet balance: £30.0m of savings still to be found in 2024/25 (£32.0m summed "
        "over the four years, short in 2022/23 and 2024/25)."
    )
    assert unfunded_message([950], ["2021/22"]) == (
        "The budget does not yet balance: £950k of savings still to be found in 2021/22. The 2021/22 budget "
        "must balance by law before it is set."
    )


# --------------------------------------------------------------------------------------------
# Property: every number in the key messages can be found in the tables
# --------------------------------------------------------------------------------------------

HORIZONS = {1: ["2021/22"], 2: YEARS2, 4: YEARS4}
PROPERTY_OPTIONS = ["S1", "S2", "S3", "S4", "S5"]
MONEY = re.compile(r"-?£[\d,]+(?:\.\d+)?[mk]?")
DECIMAL = re.compile(r"(?<![£\d,.])\d+\.\d+(?![\d%])")
PERCENT = re.compile(r"(?<![\d.])\d+%")


@pytest.fixture(scope="module")
def property_councils(tmp_path_factory):
    """A council in £ millions for each horizon (one, two and four years), loaded once; each
    example swaps in random savings, harms, benefits, funding and reserves."""
    loaded = {}
    for n, years in HORIZONS.items():
        council = Council()
        council.mtfs.update(
            years=years,
            funding_k={"council_tax": [900_000] * n},
            corporate_pressures_k=[0] * n,
            reserves={"usable_k": 60_000, "minimum_k": 10_000},
        )
        council.activities = [
            activity("A1", 600_000, "O1", floor_share=0.5),
            activity("A2", 300_000, "O2"),
            activity("A3", 100_000, "O3"),
        ]
        council.options = [option(o, f"A{1 + i % 3}", y1_k=1000, harms="O1") for i, o in enumerate(PROPERTY_OPTIONS)]
        loaded[n] = council.load(tmp_path_factory.mktemp(f"sentences{n}"))
    return loaded


severities = st.dictionaries(st.sampled_from(["O1", "O2", "O3"]), st.sampled_from([0.5, 1.0, 2.0, 3.0]), max_size=2)


@st.composite
def random_councils(draw):
    n = draw(st.sampled_from(sorted(HORIZONS)))
    return {
        "n": n,
        "profiles": {
            o: tuple(draw(st.lists(st.integers(-5, 60).map(lambda x: x * 950.0), min_size=1, max_size=n)))
            for o in PROPERTY_OPTIONS
        },
        "harms": {o: draw(severities) for o in PROPERTY_OPTIONS},
        "benefits": {o: draw(severities) for o in PROPERTY_OPTIONS},
        "one_off": {o: draw(st.sampled_from([0.0, 0.0, 1950.0])) for o in PROPERTY_OPTIONS},
        "funding": [draw(st.integers(700, 1000)) * 1000.0 for _ in range(n)],
        "usable": draw(st.sampled_from([10_000.0, 35_000.0, 60_000.0])),
        "plan": draw(st.dictionaries(st.sampled_from(PROPERTY_OPTIONS), st.integers(0, n - 1), max_size=5)),
    }


def _written(results, digits=(1, 2)) -> tuple[set[str], set[str], set[str]]:
    """Every figure the tables hold, as the messages write them: money of every cell, column total
    and difference of two cells of a column; harm of every cell and total (and of an outcome's or
    a priority's years summed), as a harm or a benefit; shares of the harm by priority, and the
    share of the proposal's harm that B cuts when that harm is above zero."""
    money_forms, harm_forms, share_forms = set(), set(), set()
    columns = []
    for table in results.tables.values():
        for column in table.columns:
            values = pd.to_numeric(table[column], errors="coerce").dropna().to_numpy(float)
            if len(values):
                columns.append(values)
    outcomes = results.table("outcomes")
    if outcomes is not None:
        for key in ("outcome", "priority"):
            columns.append(outcomes.groupby(key)["harm"].sum().to_numpy(float))
    for values in columns:
        figures = [*values, values.sum()]
        figures += [a - b for a in values for b in values]
        for v in figures:
            money_forms.add(money(v))
            for d in digits:
                harm_forms.update({harm_figure(v, d), harm_figure(-v, d)})
    harm = results.manifest["harm_by_priority"]
    total = sum(harm.values())
    if total > 0:
        share_forms.update(share(h / total) for h in harm.values())
    proposal = results.table("proposal")
    if proposal is not None:
        p, b = (round(float(proposal.loc[i, "harm"]), 1) for i in (0, 1))
        if p > 0 and b >= 0:
            share_forms.add(share((p - b) / p))
    return money_forms, harm_forms, share_forms


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(spec=random_councils())
def test_every_number_in_the_key_messages_is_in_the_tables(property_councils, spec):
    base = property_councils[spec["n"]]
    sc = copy.copy(base)
    sc.options = {
        oid: dataclasses.replace(
            o,
            profile_k=spec["profiles"][oid],
            harms=spec["harms"][oid],
            benefits=spec["benefits"][oid],
            one_off_k=spec["one_off"][oid],
        )
        for oid, o in base.options.items()
    }
    sc.funding_k = {"council_tax": spec["funding"]}
    sc.reserves = dataclasses.replace(base.reserves, usable_k=spec["usable"])
    model = build_model(sc)
    ev = evaluate(model, spec["plan"])
    results = RunResults("check")
    results.add_evaluation(ev)
    compared = compare_proposal(model, SolverSettings(mip_gap=0.0), plan=spec["plan"])
    results.add_table("proposal", compared.table)
    results.add_evaluation(compared.proposal, "proposal/")
    results.set_manifest(manifest("run", ev, [], time.perf_counter()))
    messages = key_messages(results)
    money_forms, harm_forms, share_forms = _written(results)
    for message in messages:
        for figure in MONEY.findall(message):
            assert figure in money_forms, (figure, message)
        for figure in DECIMAL.findall(message):
            assert figure in harm_forms, (figure, message)
        for figure in PERCENT.findall(message):
            assert figure in share_forms, (figure, message)
        assert "£-" not in message and "-0.0" not in message


def test_frontier_chart_title_and_terminal_never_call_a_benefit_a_cost():
    assert frontier_finding(0.16, 0.30) == (
        "Each extra £1m of savings costs 0.16 of outcome harm on average, rising to 0.30 at the top of the range"
    )
    assert frontier_finding(-0.5, -0.1) == "Each extra £1m of savings lowers net outcome harm by 0.50 on average"
    assert frontier_finding(float("nan"), float("nan")) == "Savings against outcome harm"
    assert certainty_change(0.95, 0.5, 0.42) == "Planning for 95% of futures rather than 50% adds 0.42 of outcome harm"
    # planning for more futures can lower harm (a plan with benefits): never 'costs no extra'
    assert (
        certainty_change(0.95, 0.5, -0.3) == "Planning for 95% of futures rather than 50% removes 0.30 of outcome harm"
    )
    assert certainty_change(0.95, 0.5, 0.001).endswith("costs no extra outcome harm")


def test_on_a_council_with_benefits_b_is_worded_as_a_net_benefit(tmp_path):
    """The issue's bug on a council: S4 saves more than the proposal's S1 and benefits O2, so B's
    net harm is below zero. The terminal once said 'the optimised plan cuts outcome harm by
    10565%'; it now gives both net figures, names plan B, and the plan summary says a net benefit."""
    from mtfs_align.report.sentences.proposal import proposal_lines
    from mtfs_align.report.text import summary_lines

    council = Council()
    council.options.append(option("S4", "A2", y1_k=60, benefits="O2:2"))
    council.scenario["plan"] = {"S1": "2021/22"}
    model = council.model(tmp_path)
    result = compare_proposal(model, SolverSettings(mip_gap=0.0))
    assert result.proposal.harm > 0 > result.least_harm.harm
    assert result.harm_cut is None
    lines = proposal_lines(result)
    assert lines[0].startswith("For at least the proposal's savings in every year, plan B turns a net harm of ")
    assert " into a net benefit of " in lines[0] and "%" not in lines[0]
    assert not any("optimised plan" in line for line in lines)
    summary = summary_lines(result.least_harm)[0]
    assert f"; a net benefit to outcomes of {-result.least_harm.harm:.3f} (" in summary
    assert "outcome harm -" not in summary
    assert "; outcome harm 1.000 (" in summary_lines(result.proposal)[0]  # S1 alone: 1/3 a year for three years


def test_the_explorer_words_a_net_benefit_as_one(tmp_path):
    """On the same council, the briefing's plan explorer lists B with 'a net benefit to outcomes
    of', not a negative harm, and its data says so for the summary line."""
    import json

    import mtfs_align

    council = Council()
    council.options.append(option("S4", "A2", y1_k=60, benefits="O2:2"))
    council.scenario["plan"] = {"S1": "2021/22"}
    path = council.write(tmp_path)
    mtfs_align.run(path, out=tmp_path / "out", points=3, samples=5, draws=50)
    page = (tmp_path / "out" / "briefing.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S)[1])
    b = next(p for p in data["plans"] if p["id"] == "B")
    assert float(b["harm"]) < 0
    assert b["harm_said"] == f"a net benefit to outcomes of {-float(b['harm']):.2f}"
    assert f"{b['savings_k']['text']}, a net benefit to outcomes of {-float(b['harm']):.2f}</span>" in page
    assert ", harm -" not in page
