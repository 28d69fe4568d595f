"""Sentences that are true (issue 11, item 4): money rounded half up through one function, and
every Cabinet message built from the results by one function, tested on councils where it is
easy to go wrong."""

from __future__ import annotations

import pytest

from mtfs_align.wording import exact_pounds, money, whole_k


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
