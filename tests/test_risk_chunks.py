"""The delivery Monte Carlo in chunks and on threads (issue 13, item 5): the draws come in fixed
blocks of one random stream, so a run held in chunks of any number of blocks, on any number of
threads, gives the same results bit for bit as one that holds every draw at once; 100,000 draws
run within a small memory budget; and the blocks are the chunks the Monte Carlo always drew in,
so a seed gives the draws it gave before.

Blocks are made small here (BLOCK_CELLS monkeypatched) so that a few thousand draws make many of
them, and the last block of a run is a short one.
"""

from __future__ import annotations

import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from factory import Council, option
from test_risk import build, mixed_council

from mtfs_align import delivery
from mtfs_align.analysis import risk_draws
from mtfs_align.analysis.risk import delivery_profile, plan_savings, simulate
from mtfs_align.analysis.risk_draws import BlockBuffers, ShareTable, chunk_blocks, draw_savings, thread_bytes
from mtfs_align.delivery import beta_strata, late_cells, random_slices
from mtfs_align.evaluate import evaluate, order_plan
from mtfs_align.model import build_model
from mtfs_align.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]


def proposal():
    """The bundled officers' proposal: 36 options of every RAG rating, costs and one-offs."""
    scenario = load_scenario(REPO / "scenarios" / "proposal.yaml")
    model = build_model(scenario)
    return model, order_plan(model, scenario.plan)


def budget_for(blocks: int, k: int, per_block: int, slip: float, workers: int) -> float:
    """A memory budget that holds exactly `blocks` blocks with `workers` threads at work."""
    return workers * thread_bytes(k, per_block, slip) + blocks * BlockBuffers.nbytes(k, per_block, slip) + 1


def literal_savings(profile, slip: float, concentration: float, draws: int, seed: int, per_block: int):
    """The Monte Carlo read literally and unchunked: one generator, block after block, late cells
    over the block's draws x options, then each RAG rating's slices of its Beta table; every
    block's shares then laid into one dense draws x options matrix, late cells into one list, and
    the savings of all the draws worked at once by plan_savings."""
    rng = np.random.default_rng(seed)
    k = len(profile.delivery)
    share, late = np.empty((draws, k)), []
    for first in range(0, draws, per_block):
        size = min(per_block, draws - first)
        late.append(late_cells(rng, slip, size * k) + first * k)
        for lo, hi, d in profile.blocks:
            if 0.0 < d < 1.0:
                share[first : first + size, lo:hi] = beta_strata(d, concentration)[random_slices(rng, (size, hi - lo))]
            else:
                share[first : first + size, lo:hi] = d
    return plan_savings(profile, share, np.concatenate(late))


@pytest.mark.parametrize("blocks_held", [1, 2, 3, math.inf])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_chunked_equals_unchunked_bit_for_bit(monkeypatch, blocks_held, workers):
    """1,001 draws of the proposal's 36 options in blocks of 11 draws (91 blocks; 3 is no divisor
    of 91), held 1, 2 or 3 blocks at a time or all at once, on 1 to 3 threads: every figure is
    identical to the run that holds every draw at once on one thread."""
    model, plan = proposal()
    k = len(plan)
    monkeypatch.setattr(risk_draws, "BLOCK_CELLS", 11 * k)
    slip = model.scenario.policy.slip
    whole = simulate(model, plan, draws=1_001, seed=7, workers=1, memory_budget=math.inf)
    budget = math.inf if math.isinf(blocks_held) else budget_for(int(blocks_held), k, 11, slip, workers)
    if not math.isinf(blocks_held):
        assert chunk_blocks(k, 1_001, slip, budget, workers) == blocks_held
    steps: list[int] = []
    chunked = simulate(model, plan, draws=1_001, seed=7, workers=workers, memory_budget=budget, progress=steps.append)
    assert steps == [11] * 91
    np.testing.assert_array_equal(chunked.savings, whole.savings)
    np.testing.assert_array_equal(chunked.unidentified, whole.unidentified)
    np.testing.assert_array_equal(chunked.reserves_balance, whole.reserves_balance)
    assert chunked.table.equals(whole.table)
    assert chunked.resilience.equals(whole.resilience)
    assert chunked.p_balanced_all_years == whole.p_balanced_all_years


@pytest.mark.parametrize("per_block", [1, 7, 64, 1_000])
def test_the_stream_is_the_blocks_read_literally(monkeypatch, per_block):
    """Whatever the block size (one draw a block, a non-divisor of the draws, more than all the
    draws), the savings are those of the literal reading: one generator, block after block, late
    cells first, then each rating's slices, then plan_savings on the dense shares."""
    model, plan = proposal()
    profile = delivery_profile(model, plan)
    k = len(plan)
    monkeypatch.setattr(risk_draws, "BLOCK_CELLS", per_block * k)
    policy = model.scenario.policy
    got = draw_savings(profile, policy.slip, policy.delivery_concentration, 500, 3, workers=2)
    want = literal_savings(profile, policy.slip, policy.delivery_concentration, 500, 3, min(per_block, 500))
    np.testing.assert_array_equal(got, want)


def test_the_default_blocks_are_the_chunks_of_before():
    """At the default block size the 36 options' 10,000 draws are 29,127 draws a block: one block,
    as the Monte Carlo's chunks of 2^20 cells always were, so the bundled scenarios' risk.csv is
    unchanged (tests/golden)."""
    model, plan = proposal()
    profile = delivery_profile(model, plan)
    assert risk_draws.block_draws(len(plan), 10_000) == min(10_000, (1 << 20) // len(plan))
    policy = model.scenario.policy
    got = draw_savings(profile, policy.slip, policy.delivery_concentration, 40_000, 5)
    want = literal_savings(profile, policy.slip, policy.delivery_concentration, 40_000, 5, (1 << 20) // len(plan))
    np.testing.assert_array_equal(got, want)


def test_a_hundred_thousand_draws_in_a_small_budget(monkeypatch):
    """100,000 draws of the mixed council in blocks of 1,000 draws within a budget of one block:
    the same results as holding every draw at once, and the memory the draws take beyond their
    results stays within the budget (tracemalloc), whereas all at once it grows with the draws."""
    council, plan_labels = mixed_council()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model, plan = build(Path(folder), council, plan_labels)
    plan = order_plan(model, plan)
    profile = delivery_profile(model, plan)
    k, slip, concentration = len(plan), model.scenario.policy.slip, model.scenario.policy.delivery_concentration
    monkeypatch.setattr(risk_draws, "BLOCK_CELLS", 1_000 * k)
    budget = budget_for(1, k, 1_000, slip, 1)
    assert chunk_blocks(k, 100_000, slip, budget, 1) == 1

    def peak(budget, workers):
        tracemalloc.start()
        try:
            savings = draw_savings(profile, slip, concentration, 100_000, 9, workers=workers, memory_budget=budget)
            return savings, tracemalloc.get_traced_memory()[1] - savings.nbytes
        finally:
            tracemalloc.stop()

    table = ShareTable.of(profile, concentration)  # the Beta tables are made (and cached) here
    small, small_peak = peak(budget, 2)
    whole, whole_peak = peak(math.inf, 1)
    np.testing.assert_array_equal(small, whole)
    # the budget, the plan's table of shares, and small change (bookkeeping)
    assert small_peak <= budget + table.values.nbytes + 64 * 1024
    assert whole_peak > 20 * BlockBuffers.nbytes(k, 1_000, slip)  # all 100 blocks were held

    result = simulate(model, plan, draws=100_000, seed=9, memory_budget=budget)
    np.testing.assert_array_equal(result.savings, whole)
    assert result.draws == 100_000 and result.savings.shape == (100_000, model.n)


def test_chunked_mean_is_the_expected_saving(tmp_path, monkeypatch):
    """The mean of the chunked, threaded draws of the mixed council is the `expected` saving of
    DESIGN 4.3 within four standard errors, as test_risk checks for the default run."""
    council, plan_labels = mixed_council()
    model, plan = build(tmp_path, council, plan_labels)
    monkeypatch.setattr(risk_draws, "BLOCK_CELLS", 997 * 3)
    result = simulate(model, plan, draws=20_000, seed=3, workers=2, memory_budget=1)
    expected_council = council.copy()
    expected_council.scenario["policy"] = {"plan_on": "expected"}
    target = expected_council.evaluate(tmp_path / "expected", plan_labels).savings_by_year
    standard_error = result.savings.std(axis=0, ddof=1) / np.sqrt(result.draws)
    assert np.all(standard_error < 0.2)
    assert np.all(np.abs(result.savings.mean(axis=0) - target) < 4 * standard_error)


def test_bundled_proposal_chunked_mean_matches_expected_delivery(monkeypatch):
    model, plan = proposal()
    monkeypatch.setattr(risk_draws, "BLOCK_CELLS", 333 * len(plan))
    result = simulate(model, plan, draws=10_000, seed=5, workers=2, memory_budget=1)
    model.scenario.policy.plan_on = "expected"
    target = evaluate(build_model(model.scenario), plan).savings_by_year
    standard_error = result.savings.std(axis=0, ddof=1) / np.sqrt(result.draws)
    assert np.all(np.abs(result.savings.mean(axis=0) - target) < 4 * standard_error)


@pytest.mark.parametrize("slip", [0.1, 0.5, 0.9, 1e-9])
def test_late_cells_with_scratch_or_in_several_batches_are_the_same(monkeypatch, slip):
    """late_cells into scratch arrays gives the cells it gives without them, from the same random
    numbers; and when the first batch falls short (forced here by tiny batches) the later batches
    carry on from the last late cell exactly as the loop always has."""
    for cells in (1, 17, 1_000, 54_321):
        plain, scratched = np.random.default_rng(4), np.random.default_rng(4)
        batch = delivery.late_batch(cells, slip)
        scratch = (np.empty(batch), np.empty(batch, dtype=np.int64))
        np.testing.assert_array_equal(late_cells(plain, slip, cells), late_cells(scratched, slip, cells, scratch))
        assert plain.random() == scratched.random()  # the same amount of the stream used

    def literal(rng, cells):
        rate, found, last = -np.log1p(-slip), [], -1
        while last < cells - 1:
            batch = delivery.late_batch(cells - 1 - last, slip)
            gaps = np.floor(np.minimum(rng.standard_exponential(batch) / rate, cells))
            positions = last + np.cumsum(gaps.astype(np.int64) + 1)
            found.append(positions[positions < cells])
            last = int(positions[-1])
        return np.concatenate(found)

    monkeypatch.setattr(delivery, "late_batch", lambda remaining, slip: max(1, int(remaining * slip / 7)))
    for cells in (5, 999, 20_000):
        a, b = np.random.default_rng(2), np.random.default_rng(2)
        scratch = (np.empty(cells), np.empty(cells, dtype=np.int64))
        np.testing.assert_array_equal(late_cells(a, slip, cells, scratch), literal(b, cells))


def test_share_table_gives_every_rating_its_own_values(tmp_path):
    """One table for the plan: each drawn rating's 16,384 Beta slices at its offset, a certain
    rating (d = 1) its single value; the draws find their shares there."""
    council = Council()
    council.options.append(option("S4", "A3", rag="R", y1_k=10))
    council.scenario["policy"] = {"delivery": {"G": 1, "A": 0.75, "R": 0.45}}
    model, plan = build(tmp_path, council, {"S1": "2021/22", "S2": "2021/22", "S4": "2021/22"})
    profile = delivery_profile(model, order_plan(model, plan))
    table = ShareTable.of(profile, 2.0)
    assert [run[2:] for run in table.runs] == [(0, True), (delivery.STRATA, True), (2 * delivery.STRATA, False)]
    np.testing.assert_array_equal(table.values[: delivery.STRATA], beta_strata(0.45, 2.0))
    assert table.values[-1] == 1.0 and len(table.values) == 2 * delivery.STRATA + 1
    savings = draw_savings(profile, 0.0, 2.0, 200, 1)
    assert np.all(savings[:, 0] > 0)
