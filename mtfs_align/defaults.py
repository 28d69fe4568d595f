"""The defaults and limits of every command's settings, declared once: the analyses' keyword
defaults, the Python API (mtfs_align.settings.Settings) and the click options all read them here.

This module imports nothing, so any stage may use it."""

from __future__ import annotations

SEED = 20210401  # any fixed number: the default --seed of every command that draws, recorded in manifest.json
DRAWS = 10_000  # delivery-risk draws (DESIGN 4.5)
POINTS = 11  # frontier points (DESIGN 6)
SAMPLES = 100  # weight samples for the core index
CONCENTRATION = 20.0  # how closely Dirichlet weight samples keep to the Cabinet's weights
VARY = "gap"  # what the frontier scales
FRONTIER_RANGE = {"gap": (0.5, 1.5), "reserves": (0.0, 2.0), "confidence": (0.5, 0.95)}  # --from, --to
WORKERS = 1  # --workers: local processes for a sweep's independent solves (1: all in this process)
SCHEDULER_TIMEOUT = 10.0  # seconds to wait for a --scheduler to answer, and for it to have a worker

# The least and most of each count a command accepts: beyond them a run would take hours or say
# nothing, so either is bad input (exit 2) with the limit named.
LIMITS = {"points": (2, 101), "draws": (1, 1_000_000), "samples": (1, 100_000), "workers": (1, 256)}
