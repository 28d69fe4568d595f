"""The draws of the delivery Monte Carlo (DESIGN 4.5): each draw's savings year by year, drawn in
fixed blocks of one random stream and worked in bounded memory on one thread or several.

The random stream. Draws are made in blocks of BLOCK_CELLS // k draws (k options in the plan), in
order, from one generator seeded with the run's seed: for each block its late cells first
(delivery.late_cells over the block's draws x options), then its delivered-share slices, one
delivery share at a time (delivery.random_slices). The blocks are fixed by the plan alone, so what
a draw gets never depends on how many draws are held at once nor on how many threads work: a run
held in chunks of any number of blocks, on any number of threads, gives the same savings bit for
bit as one that holds every draw at once. These are the chunks the Monte Carlo always drew in,
so a seed gives the same draws as before.

Memory. Only the random numbers of the blocks in flight (2 bytes a cell for the slices, 8 bytes a
late cell) and, per thread, one piece of about PIECE_CELLS delivered shares are held; the dense
draws x options matrix of shares never is. How many blocks may be in flight at once (the chunk)
follows from a budget in bytes (MEMORY_BUDGET unless given). The results, draws x years, come on
top.

Speed. The generator runs on the calling thread, block after block; `workers` threads (numpy,
OpenBLAS and scipy's sparse products release the GIL) turn each block into savings: each piece's
shares are looked up from one joint table of the plan's delivery shares, its late cells set aside
and zeroed, and the piece multiplied by the on-time levels while it is in cache; the late cells
are then one sparse product with the late levels.
"""

from __future__ import annotations

import collections
import math
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from mtfs_align.delivery import STRATA_BITS, beta_strata, late_batch, late_cells, slice_words, slices_of
from mtfs_align.evaluate import plan_arrays
from mtfs_align.model import Model
from mtfs_align.progress import Progress

BLOCK_CELLS = 1 << 20  # draws x options of one block of the random stream: fixes the stream
PIECE_CELLS = 1 << 17  # shares looked up and multiplied at once by one thread (1 MB)
MEMORY_BUDGET = 64 << 20  # bytes of random numbers in flight, unless the caller gives a budget
MOST_WORKERS = 4  # threads at most, unless the caller asks for more


@dataclass
class DeliveryProfile:
    """A plan's options in the shape the delivery model needs.

    Options are sorted by their delivery share d, so options with the same RAG rating form one
    block of columns and share one table of delivered shares.
    """

    option_ids: list[str]
    delivery: np.ndarray  # (k,) d = policy.delivery[rag]
    on_time: np.ndarray  # (k, n) C[o, t - s]: the level if the option starts as planned
    late: np.ndarray  # (k, n) C[o, t - s - 1]: the level if it starts a year late
    one_off: np.ndarray  # (n,) one-off costs by planned start year, paid whatever happens
    gain: np.ndarray = field(init=False, repr=False)  # (k, n) positive on-time levels
    gain_rows: np.ndarray = field(init=False, repr=False)  # (n, k) the same, year by year
    late_gain: np.ndarray = field(init=False, repr=False)  # (k, n) positive late levels
    cost: np.ndarray = field(init=False, repr=False)  # (n,) on-time costs (levels <= 0), summed
    cost_if_late: np.ndarray = field(init=False, repr=False)  # (k, n) change in costs when late
    costly: np.ndarray = field(init=False, repr=False)  # (k,) options whose costs move when late

    def __post_init__(self) -> None:
        self.gain = np.maximum(self.on_time, 0.0)
        self.gain_rows = np.ascontiguousarray(self.gain.T)
        self.late_gain = np.maximum(self.late, 0.0)
        on_time_cost = np.minimum(self.on_time, 0.0)
        self.cost = on_time_cost.sum(axis=0)
        self.cost_if_late = np.minimum(self.late, 0.0) - on_time_cost
        self.costly = np.any(self.cost_if_late != 0.0, axis=1)

    @property
    def blocks(self) -> list[tuple[int, int, float]]:
        """(first, end, d) of each run of options with the same delivery share."""
        edges = np.flatnonzero(np.diff(self.delivery)) + 1
        starts = [0, *edges.tolist()]
        ends = [*edges.tolist(), len(self.delivery)]
        return [(lo, hi, float(self.delivery[lo])) for lo, hi in zip(starts, ends, strict=True) if hi > lo]


def delivery_profile(model: Model, plan: dict[str, int]) -> DeliveryProfile:
    """The plan's on-time and one-year-late levels, delivery shares and one-off costs."""
    n = model.n
    options, starts = plan_arrays(model, plan)
    rags = [model.scenario.options[o].rag for o in plan]
    delivery = np.array([model.scenario.policy.delivery[r] for r in rags], dtype=float)
    order = np.argsort(delivery, kind="stable")
    options, starts, delivery = options[order], starts[order], delivery[order]

    # level index j = t - s; -1 (and below) is "not started yet"
    j = np.arange(n)[None, :] - starts[:, None]
    padded = np.concatenate([np.zeros((len(options), 1)), model.levels[options]], axis=1)
    rows = np.arange(len(options))[:, None]
    on_time = padded[rows, np.maximum(j, -1) + 1]
    late = padded[rows, np.maximum(j - 1, -1) + 1]
    one_off = np.zeros(n)
    np.add.at(one_off, starts, model.one_off[options])
    ids = list(plan)
    return DeliveryProfile(
        option_ids=[ids[i] for i in order], delivery=delivery, on_time=on_time, late=late, one_off=one_off
    )


@dataclass(frozen=True)
class ShareTable:
    """Every delivered share the plan's options can take, in one table, and where each run of
    options with the same delivery share d finds its own: a drawn run (0 < d < 1) its STRATA
    slices of Beta(κd, κ(1 − d)) from `offset`, a certain one (d of 0 or 1) the single value d."""

    values: np.ndarray
    runs: tuple[tuple[int, int, int, bool], ...]  # (first, end, offset, drawn)

    @classmethod
    def of(cls, profile: DeliveryProfile, concentration: float) -> ShareTable:
        parts, runs, offset = [], [], 0
        for lo, hi, d in profile.blocks:
            drawn = 0.0 < d < 1.0
            part = beta_strata(d, concentration) if drawn else np.array([d])
            parts.append(part)
            runs.append((lo, hi, offset, drawn))
            offset += len(part)
        if offset > np.iinfo(np.uint16).max + 1:  # three ratings take 3 x 16,384 at most
            raise ValueError(f"{len(runs)} delivery shares are too many for one table of shares")
        values = np.concatenate(parts) if parts else np.zeros(1)
        return cls(values, tuple(runs))


@dataclass
class Block:
    """One block of the random stream, drawn but not yet worked: its late cells and the raw words
    of each drawn run's delivered-share slices (views of `buffers` when it has them)."""

    draws: int
    late: np.ndarray
    words: list[np.ndarray]  # one per drawn run of table.runs, in order
    buffers: BlockBuffers | None = None


@dataclass
class BlockBuffers:
    """What one block in flight is drawn into, made once per run and reused block after block."""

    words: np.ndarray  # uint64
    exponentials: np.ndarray  # float64, for the late cells' first batch
    late: np.ndarray  # int64, the late cells

    @classmethod
    def of(cls, k: int, draws: int, slip: float) -> BlockBuffers:
        words, batch = cls.sizes(k, draws, slip)
        return cls(np.empty(words, dtype=np.uint64), np.empty(batch), np.empty(batch, dtype=np.int64))

    @staticmethod
    def sizes(k: int, draws: int, slip: float) -> tuple[int, int]:
        """Words for the slices (four cells a word, a word more for each of up to three runs) and
        the first batch of late_cells."""
        return -(-draws * k // 4) + 3, (late_batch(draws * k, slip) if 0.0 < slip < 1.0 and k else 0)

    @classmethod
    def nbytes(cls, k: int, draws: int, slip: float) -> int:
        words, batch = cls.sizes(k, draws, slip)
        return 8 * words + 16 * batch


def draw_block(
    rng: np.random.Generator,
    profile: DeliveryProfile,
    table: ShareTable,
    slip: float,
    draws: int,
    buffers: BlockBuffers | None = None,
) -> Block:
    """Draw one block from the generator, exactly as the Monte Carlo always has: late cells over the
    block's draws x options (delivery.late_cells), then the slices of each drawn run in turn
    (delivery.random_slices). Only the drawing is done here: the rest is left to block_savings."""
    k = len(profile.delivery)
    scratch = None if buffers is None else (buffers.exponentials, buffers.late)
    late = late_cells(rng, slip, draws * k, scratch)
    words, used = [], 0
    for lo, hi, _, drawn in table.runs:
        if drawn:
            out = None if buffers is None else buffers.words[used:]
            words.append(slice_words(rng, draws * (hi - lo), out))
            used += len(words[-1])
    return Block(draws, late, words, buffers)


def block_index(table: ShareTable, block: Block) -> np.ndarray:
    """Where each draw's options find their delivered shares in `table` (draws, k)."""
    k = table.runs[-1][1] if table.runs else 0
    index = np.empty((block.draws, k), dtype=np.uint16)
    words = iter(block.words)
    for lo, hi, offset, drawn in table.runs:
        if drawn:
            np.add(slices_of(next(words), (block.draws, hi - lo)), np.uint16(offset), out=index[:, lo:hi])
        else:
            index[:, lo:hi] = offset
    return index


def draw_delivery(
    rng: np.random.Generator, profile: DeliveryProfile, slip: float, concentration: float, draws: int
) -> tuple[np.ndarray, np.ndarray]:
    """One block of draws as a dense matrix: the share each option delivers (draws, k), and the late
    cells (flat indices in increasing order). For tests and small plans; the Monte Carlo itself
    never holds the dense matrix."""
    table = ShareTable.of(profile, concentration)
    block = draw_block(rng, profile, table, slip, draws)
    return table.values[block_index(table, block)], block.late


def plan_savings(
    profile: DeliveryProfile, share: np.ndarray, late: np.ndarray, overwrite_share: bool = False
) -> np.ndarray:
    """Savings in each year of each draw (draws, n), given the share each option delivers of its
    positive levels (draws, k) and the late cells (flat indices in increasing order, e.g.
    np.flatnonzero of a draws x k mask). Costs are paid in full, a year later when late.

    The options on time are one product (late cells zeroed: `share` itself when
    `overwrite_share`); the late cells are one sparse product with the late levels, so a late
    option's saving is computed directly, not as a difference. Block by block, the Monte Carlo
    computes exactly this."""
    draws, k = share.shape
    if not overwrite_share:
        share = share.copy()
    flat = share.reshape(-1)
    late_share = flat[late]
    flat[late] = 0.0
    by_year = np.empty((profile.gain.shape[1], draws))
    _product(share, profile.gain_rows, by_year)
    savings = np.ascontiguousarray(by_year.T)
    _add_costs_and_late(profile, savings, late, late_share, _Scratch(k, draws, len(late)))
    return savings


class _Scratch:
    """One thread's working arrays, made once and reused block after block."""

    def __init__(self, k: int, rows: int, late: int) -> None:
        self.piece = np.empty((rows, k))
        self.index = np.empty((rows, k), dtype=np.intp)
        self.late = -1
        self.fit(late)

    def fit(self, late: int) -> None:
        if late > self.late:
            self.late = late
            self.late_share = np.empty(late)
            self.columns = np.empty(late, dtype=np.int32 if late < np.iinfo(np.int32).max else np.int64)
            self.costly = np.empty(late, dtype=bool)


def _add_costs_and_late(
    profile: DeliveryProfile, savings: np.ndarray, late: np.ndarray, late_share: np.ndarray, scratch: _Scratch
) -> None:
    """To the savings of the options on time (late cells zeroed), add the on-time costs, what the
    late cells save (their share of the late levels) and the change in costs they bring."""
    savings += profile.cost
    count = len(late)
    if count == 0:
        return
    draws, k = savings.shape[0], len(profile.delivery)
    index_type = scratch.columns.dtype
    starts = np.searchsorted(late, np.arange(draws + 1) * k).astype(index_type)  # each draw's first
    columns = np.remainder(late, k, out=scratch.columns[:count])
    savings += sparse.csr_array((late_share, columns, starts), shape=(draws, k)) @ profile.late_gain
    if profile.costly.any():  # the late cells of options whose costs move, one product more
        costly = np.flatnonzero(np.take(profile.costly, columns, out=scratch.costly[:count]))
        moving = np.searchsorted(costly, starts).astype(index_type)
        ones = np.broadcast_to(1.0, len(costly))
        savings += sparse.csr_array((ones, columns[costly], moving), shape=(draws, k)) @ profile.cost_if_late


def _piece_rows(k: int, draws: int) -> int:
    """Draws per piece: about PIECE_CELLS shares."""
    return max(1, min(draws, PIECE_CELLS // max(k, 1)))


def block_savings(
    profile: DeliveryProfile, table: ShareTable, block: Block, out: np.ndarray, scratch: _Scratch | None = None
) -> None:
    """Savings (draws, n) of one drawn block into `out`, piece by piece, without a dense share
    matrix: each piece's slices shifted into table indices, its shares looked up, its late cells
    set aside and zeroed, and the piece multiplied by the on-time levels while it is in cache."""
    draws, (k, n), late = block.draws, profile.gain.shape, block.late
    rows = _piece_rows(k, draws)
    if scratch is None or scratch.piece.shape[0] < rows:
        scratch = _Scratch(k, rows, len(late))
    scratch.fit(len(late))
    lanes, words = [], iter(block.words)
    for lo, hi, offset, drawn in table.runs:
        if drawn:
            lanes.append((lo, hi, offset, next(words).view(np.uint16)[: draws * (hi - lo)].reshape(draws, hi - lo)))
        else:
            scratch.index[:, lo:hi] = offset  # the same in every piece
    firsts = np.arange(0, draws, rows)
    bounds = np.searchsorted(late, np.append(firsts, draws) * k)  # late cells of each piece
    late_share = scratch.late_share[: len(late)]
    by_year = np.empty((n, draws))
    for i, first in enumerate(firsts.tolist()):
        size = min(rows, draws - first)
        part, where = scratch.piece[:size], scratch.index[:size]
        for lo, hi, offset, run in lanes:
            np.right_shift(run[first : first + size], 16 - STRATA_BITS, out=where[:, lo:hi])
            if offset:
                where[:, lo:hi] += offset
        np.take(table.values, where, mode="wrap", out=part)  # every index is in range
        lo, hi = bounds[i], bounds[i + 1]
        if hi > lo:
            cells = late[lo:hi] - first * k
            flat = part.reshape(-1)
            late_share[lo:hi] = flat[cells]
            flat[cells] = 0.0
        _product(part, profile.gain_rows, by_year[:, first : first + size])
    out[:] = by_year.T
    _add_costs_and_late(profile, out, late, late_share, scratch)


def _product(share: np.ndarray, gain_rows: np.ndarray, by_year: np.ndarray) -> None:
    """by_year[t, d] = share[d] @ gain[:, t]: one contiguous dot product per draw and year.

    Not a BLAS matrix product: OpenBLAS called from two threads at once runs several times slower
    than from one (its own threads and locks), while einsum's loops release the GIL and keep a
    fixed order of summation, so the threads share the work and the results do not depend on them."""
    np.einsum("dk,tk->td", share, gain_rows, out=by_year)


def default_workers() -> int:
    """The cores this process may use, at most MOST_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MOST_WORKERS))


def block_draws(k: int, draws: int) -> int:
    """Draws in one block of the random stream (the last block of a run may have fewer)."""
    return max(1, min(draws, BLOCK_CELLS // max(k, 1)))


def thread_bytes(k: int, draws_per_block: int, slip: float) -> int:
    """What one working thread holds besides the blocks: a piece of shares and of indices (8 bytes
    a cell each), and, per late cell, its share, column and cost flag and what finding the
    options whose costs move takes (30 bytes)."""
    rows = _piece_rows(k, draws_per_block)
    late = late_batch(k * draws_per_block, slip) if 0.0 < slip < 1.0 else k * draws_per_block * (slip >= 1.0)
    return 16 * rows * k + 30 * late + 16 * draws_per_block * 8


def chunk_blocks(k: int, draws: int, slip: float, memory_budget: float | None, workers: int = 1) -> int:
    """Blocks that may be held at once (the chunk) within `memory_budget` bytes (MEMORY_BUDGET when
    None) once `workers` threads have their working arrays: at least one; every block when the
    budget is math.inf."""
    per_block = block_draws(k, draws)
    blocks = -(-draws // per_block)
    budget = MEMORY_BUDGET if memory_budget is None else memory_budget
    if math.isinf(budget):
        return blocks
    held = BlockBuffers.nbytes(k, per_block, slip)
    return int(max(1, min(blocks, (budget - workers * thread_bytes(k, per_block, slip)) // held)))


def draw_savings(
    profile: DeliveryProfile,
    slip: float,
    concentration: float,
    draws: int,
    seed: int,
    progress: Progress | None = None,
    workers: int | None = None,
    memory_budget: float | None = None,
) -> np.ndarray:
    """Savings in each year of each draw (draws, n) of the plan's delivery (DESIGN 4.5), in chunks
    of blocks within `memory_budget` bytes (MEMORY_BUDGET when None; math.inf: no limit) on up to
    `workers` threads (default_workers() when None).

    The calling thread draws the blocks from the generator, in order, while the threads work the
    blocks drawn into their rows of the savings; it draws ahead by as many blocks as the chunk
    holds (at most two a thread: more gains nothing). The same profile, draws and seed give the
    same savings bit for bit whatever the budget and the threads; `progress` is called, on the
    calling thread, with the draws of each block in order once its savings are done."""
    k, n = profile.gain.shape
    per_block = block_draws(k, draws)
    blocks = -(-draws // per_block)
    workers = max(1, default_workers() if workers is None else workers)
    in_flight = chunk_blocks(k, draws, slip, memory_budget, workers)
    workers = min(workers, in_flight, blocks)
    in_flight = min(in_flight, 2 * workers)
    rng = np.random.default_rng(seed)
    table = ShareTable.of(profile, concentration)
    savings = np.empty((draws, n))
    free: queue.SimpleQueue = queue.SimpleQueue()  # the buffers of blocks done, for the next ones
    made = [0]
    local = threading.local()  # each thread's working arrays

    def drawn(first: int) -> Block:
        if made[0] < in_flight and free.empty():  # made when first needed: one per block held
            made[0] += 1
            buffers = BlockBuffers.of(k, per_block, slip)
        else:
            buffers = free.get()
        return draw_block(rng, profile, table, slip, min(per_block, draws - first), buffers)

    def work(first: int, block: Block) -> int:
        if not hasattr(local, "scratch"):
            local.scratch = _Scratch(k, _piece_rows(k, per_block), len(block.buffers.late))
        block_savings(profile, table, block, savings[first : first + block.draws], local.scratch)
        free.put(block.buffers)
        return block.draws

    def done(size: int) -> None:
        if progress is not None:
            progress(size)

    firsts = range(0, draws, per_block)
    if workers == 1:
        for first in firsts:
            done(work(first, drawn(first)))
        return savings
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mtfs-draws") as pool:
        pending: collections.deque = collections.deque()
        for first in firsts:
            while len(pending) >= in_flight:
                done(pending.popleft().result())
            pending.append(pool.submit(work, first, drawn(first)))
        while pending:
            done(pending.popleft().result())
    return savings
