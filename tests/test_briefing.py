"""The Cabinet briefing: built from a results object alone (in memory, or an output folder read
back), with the expected pages and text."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

import mtfs_align
from mtfs_align.errors import InputError
from mtfs_align.report.briefing import BRIEFING_HTML, BRIEFING_NAME, briefing_files, key_messages
from mtfs_align.report.tables import kpi_table
from mtfs_align.report.workbook import scenario_assumptions
from mtfs_align.results import RunResults, read_results
from mtfs_align.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def check_results() -> RunResults:
    """What `check` works out for the bundled proposal."""
    return mtfs_align.check(ROOT / "scenarios" / "proposal.yaml")


@pytest.fixture(scope="module")
def run_results() -> RunResults:
    """The check results plus what `run` adds: analyses (made up here in the DESIGN 5 formats),
    proposal.csv, kpis.csv, and the assumptions and a date in the manifest."""
    scenario = load_scenario(ROOT / "scenarios" / "proposal.yaml")
    results = check_results()
    years = scenario.years
    table = pd.DataFrame(
        {
            "year": years,
            "p5_k": [0, 0, 0, 2000],
            "p50_k": [0, 0, 1500, 9800],
            "p95_k": [0, 1200, 8000, 19500],
            "expected_unidentified_k": [0, 150, 2300, 10100],
            "p_balanced": [1.0, 0.93, 0.61, 0.12],
            "p5_reserves_balance_k": [55850, 38000, 30000, 30000],
        }
    )
    results.add_table("risk", table)
    table = pd.DataFrame(
        {
            "point": [1, 2, 3],
            "scale": [0.5, 1.0, 1.5],
            "savings_k": [130000, 263000, 380000],
            "harm": [3.0, 10.3, 25.0],
            "unidentified_k": [0, 0, 5000],
            "reserves_draw_k": [0, 40000, 40000],
            "harm_P1": [1, 3, 8],
            "harm_P2": [1, 3, 8],
            "harm_P3": [1, 3, 8],
            "harm_P4": [0, 1.3, 1],
        }
    )
    results.add_table("frontier", table)
    table = pd.DataFrame(
        {
            "option": ["S01", "S02", "S03"],
            "name": ["a", "b", "c"],
            "core_index": [1.0, 0.5, 0.0],
            "class": ["core", "borderline", "exterior"],
        }
    )
    results.add_table("core_index", table)
    table = pd.DataFrame(
        {
            "plan": ["P", "B", "C"],
            "label": ["Officers' proposal", "Least harm", "Most savings"],
            "savings_k": [263750, 265100, 301000],
            "harm": [16.617, 10.3, 16.5],
            "unidentified_k": [8250.464, 0, 0],
        }
    )
    results.add_table("proposal", table)
    results.add_table("kpis", kpi_table(scenario))
    data = dict(results.manifest)
    data.update(date="2021-02-09", assumptions=scenario_assumptions(scenario), p_balanced_all_years=0.11)
    results.set_manifest(data)
    return results


@pytest.fixture(scope="module")
def run_files(run_results) -> dict[str, bytes]:
    return briefing_files(run_results)


@pytest.fixture(scope="module")
def run_pdf(run_files) -> list[str]:
    return pdf_pages(run_files[BRIEFING_NAME])


def test_pages_are_numbered_and_few(run_pdf):
    total = len(run_pdf)
    assert 4 <= total <= 10
    for number, text in enumerate(run_pdf, start=1):
        assert f"Page {number} of {total}" in text


def test_title_page(run_pdf):
    first = run_pdf[0]
    assert "Westshire County Council (illustrative, shaped on public figures)" in first
    assert "Officers' proposal" in first
    assert "9 February 2021" in first
    assert "ILLUSTRATIVE" in first
    assert "2021/22 to 2024/25" in first


def test_key_messages_are_built_from_the_numbers(run_pdf):
    text = " ".join(run_pdf[1:3])
    assert "Key messages" in text
    assert "The budget gap is £47.5m in 2021/22 and reaches £100.0m by 2024/25" in text
    assert "The 34 adopted savings options close £35.4m of it in 2021/22, rising to £89.2m a year by 2024/25" in text
    assert "reserves cover £40.0m summed over the four years, leaving £30.0m" in text
    assert "The budget does not yet balance: £8.3m of savings still to be found in 2024/25." in text
    assert "Outcome harm over the four years totals 16.6: 43% on helping people and communities" in text
    assert "the budget balances in every year in 11% of simulated outcomes" in text
    assert "2024/25 is the weakest year, balancing in 12% of outcomes" in text
    # (16.617 - 10.3) / 16.617 = 38%; C saves 301.0 - 263.75 = £37.25m more, £37.3m rounded half up
    assert "plan B cuts outcome harm by 38% (from 16.6 to 10.3)" in text
    assert "plan C saves £37.3m more summed over the four years" in text
    assert "1 option is adopted almost always (core), 1 almost never, and 1 depends on the weights" in text
    assert "Every activity stays above its statutory floor and within its cash limit" in text
    assert "Two options were not considered because of a high equality impact (S08, S20)" in text


def test_charts_tables_and_assumptions(run_pdf):
    text = " ".join(run_pdf)
    # Every chart the tables allow, drawn from them (not only those already in charts/)
    assert "Figure 1: How each year's gap closes" in text
    assert "Figure 2: Spend by priority against need" in text
    assert "Figure 3: Savings against outcome harm (frontier)" in text
    assert "Figure 4: Delivery risk" in text
    assert "Figure 8" not in text
    assert "Adopted savings options by start year" in text
    assert "Starting 2021/22: 23 options, £68.9m a year by 2024/25" in text
    assert "Starting 2023/24: 2 options" in text
    assert "Outcomes most harmed, with their KPIs" in text
    assert "K8.1 Library active users: 150,000 now, target 160,000" in text
    assert "The scenario's assumptions" in text
    assert "Priority weights P1 40%, P2 20%, P3 25%, P4 15%" in text


def test_briefing_from_check_alone():
    text = " ".join(pdf_pages(briefing_files(check_results())[BRIEFING_NAME]))
    assert "KPIs not available (kpis.csv missing)" in text
    assert "The run did not record the scenario's policy assumptions" in text
    assert "Figure 1: How each year's gap closes" in text
    assert "Delivery risk" not in text
    assert "Allowing for delivery risk" not in text


def test_same_results_same_files(run_results, run_files):
    """Built again, the same bytes, PDF and HTML."""
    again = briefing_files(run_results)
    assert again[BRIEFING_NAME] == run_files[BRIEFING_NAME]
    assert again[BRIEFING_HTML] == run_files[BRIEFING_HTML]


def test_the_briefing_of_a_folder_read_back_is_the_one_written(tmp_path):
    """What `brief` does: the results read back from the folder give the same files, byte for byte."""
    written = mtfs_align.check(ROOT / "scenarios" / "proposal.yaml", out=tmp_path / "out")
    again = read_results(tmp_path / "out")
    assert briefing_files(again) == briefing_files(written)


def test_not_an_output_folder(tmp_path):
    with pytest.raises(InputError, match="not an mtfs_align output folder"):
        read_results(tmp_path)


def test_key_messages_known_answer():
    """Gap 10 then 15; savings 4 then 15; reserves draw 6 in year 1; balanced both years."""
    budget = pd.DataFrame(
        {
            "year": ["2021/22", "2022/23"],
            "gap_k": [10000, 15000],
            "savings_k": [4000, 15000],
            "one_off_k": [0, 0],
            "reserves_draw_k": [6000, 0],
            "reserves_paid_k": [0, 0],
            "reserves_balance_k": [4000, 4000],
            "unidentified_k": [0, 0],
            "balanced": ["yes", "yes"],
        }
    )
    results = RunResults("check")
    results.add_table("budget", budget)
    assert key_messages(results) == [
        "The budget gap is £10.0m in 2021/22 and reaches £15.0m by 2022/23, "
        "measured against each year's funding before savings.",
        "Savings close £4.0m of it in 2021/22, rising to £15.0m a year by 2022/23; "
        "reserves cover £6.0m summed over the two years, leaving £4.0m in usable reserves "
        "at the end of 2022/23.",
        "The budget balances in every year: no savings are left to be found.",
    ]
