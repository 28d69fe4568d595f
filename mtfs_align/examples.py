"""Where the bundled Westshire example lives: inside the installed package, or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def example_root() -> Path:
    """The folder holding `scenarios/` and `data/` of the bundled example."""
    installed = _PACKAGE / "example"
    if (installed / "scenarios").is_dir():
        return installed
    return _PACKAGE.parent


def default_scenario() -> Path:
    return example_root() / "scenarios" / "proposal.yaml"
