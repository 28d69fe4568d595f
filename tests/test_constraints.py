"""Each constraint family's wording lives in one place (issue 10, item 4): mtfs_align.constraints
holds what the optimiser's diagnosis, the policy check and "What binds" say of it."""

from __future__ import annotations

from pathlib import Path

from mtfs_align import constraints
from mtfs_align.optimise.problem import RELAXABLE

PACKAGE = Path(__file__).resolve().parents[1] / "mtfs_align"
FAMILIES = [v for v in vars(constraints).values() if isinstance(v, constraints.Family)]


def test_every_relaxable_row_family_has_its_description_and_fix():
    for key in RELAXABLE:
        family = constraints.BY_ROW_FAMILY[key]
        assert family.row_text and family.fix, key


def test_the_wording_is_written_nowhere_else():
    """A fixed stretch of each template (the text between its fields) appears in no other module of
    the stages that speak of a plan's constraints (the scenario's readers word input problems)."""
    stretches = set()
    for family in FAMILIES:
        for text in (family.row_text, family.breach_text, family.binds_text, family.precheck_text, family.fix):
            for piece in text.replace("}", "{").split("{")[::2]:
                if len(piece.strip()) >= 24:
                    stretches.add(piece.strip())
    assert len(stretches) > 12
    others = [p for stage in ("optimise", "evaluate", "analysis", "report") for p in (PACKAGE / stage).rglob("*.py")]
    found = sorted(
        f"{p.relative_to(PACKAGE)}: {s!r}" for p in others for s in stretches if s in p.read_text(encoding="utf-8")
    )
    assert found == []


def test_a_template_fills_in_its_words():
    assert (
        constraints.FLOOR.row(subject="A1", name="Adult social care", year=" in 2022/23")
        == "the statutory floor of A1 (Adult social care) in 2022/23"
    )
    assert (
        constraints.CASH_LIMIT.breach(value="£1,200k", limit="£1,100k")
        == "spend £1,200k is above the cash limit £1,100k"
    )
    assert constraints.ENVELOPE_BREACHES == ("below_floor", "above_envelope")
