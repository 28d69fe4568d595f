"""Plain council English for numbers, one home for every stage: money as £4.2m, chances as 12%,
counts as `3 options`, lists as `a, b and c`. The analyses, the optimiser's diagnosis and the
report stage all word their figures with these, so a figure reads the same wherever it appears."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _exact(value: float) -> Decimal:
    """The decimal number a float is written as (`repr`), so 14.5 is exactly 14.5 and rounding it
    half up gives 15, where the binary float and Python's half-to-even rounding give 14."""
    return Decimal(repr(float(value)))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def whole_k(value_k: float) -> str:
    """£ thousands as whole £k, rounded half up, the sign before the pound: £76,073k for
    76,072.5, -£5k for -5 (never £-5k). The form of the located messages, which quote the figure
    the user wrote."""
    if _missing(value_k):
        return "-"
    if math.isinf(value_k):
        return "no limit" if value_k > 0 else "-no limit"
    number = _exact(value_k)
    thousands = abs(number).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 and thousands != 0 else ""
    return f"{sign}£{thousands:,.0f}k"


def exact_pounds(value_k: float) -> str:
    """£ thousands as whole pounds, rounded half up: 37100 is £37,100,000, -0.0005 is -£1."""
    if _missing(value_k):
        return "-"
    pounds = (_exact(value_k) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{'-' if pounds < 0 else ''}£{abs(pounds):,.0f}"


def money(value_k: float, decimals: int = 1) -> str:
    """£ thousands as a council would say it: £4.2m, £345k, -£1.5m.

    Rounded half up, as people round, on the decimal number written (£1,950k is £2.0m, £14.5k is
    £15k), not half to even on the binary float as Python's formatting does (which gives £1.9m)."""
    if _missing(value_k):
        return "-"
    if math.isinf(value_k):
        return "no limit" if value_k > 0 else "-no limit"
    number = _exact(value_k)
    size = abs(number)
    thousands = size.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if thousands == 0:
        return "£0"
    if thousands < 1000:
        return whole_k(float(number))
    sign = "-" if number < 0 else ""  # what would print as £1,000k is £1.0m
    millions = (size / 1000).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{sign}£{millions:,.{decimals}f}m"


def chance(p: float) -> str:
    """A probability as a council would say it, never rounding a near-certainty to 'certain' nor
    a small but real chance to '0%' (0.005 prints as '0%' with Python's rounding)."""
    if p <= 0.0:
        return "0%"
    if p >= 1.0:
        return "100%"
    text = f"{p:.0%}"
    if text == "0%":
        return "under 1%"
    if text == "100%":
        return "over 99%"
    return text


def share(p: float) -> str:
    """A share as a whole percentage rounded half up (0.375 is 38%, 0.125 is 13%), a real but small
    share never '0%' ('under 1%'); for shares of a positive whole only."""
    if _missing(p):
        return "-"
    whole = (abs(_exact(p)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if whole == 0 and p != 0:
        return "under 1%"
    return f"{'-' if p < 0 and whole else ''}{whole:,.0f}%"


def summed_over(n: int) -> str:
    """' summed over the four years' for a total over a horizon of n years ('' for one year, whose
    total is its level)."""
    return "" if n == 1 else f" summed over {years_phrase(n)}"


def summed_over_each(horizons: Iterable[int]) -> str:
    """`summed_over` for totals of several scenarios side by side: ' summed over the four years'
    when every scenario has that horizon, ' summed over each scenario's years' when they differ."""
    lengths = set(horizons)
    return summed_over(lengths.pop()) if len(lengths) == 1 else " summed over each scenario's years"


def percent(p: float) -> str:
    """A level such as a confidence: 0.9 as '90%', 0.975 as '97.5%'."""
    return f"{round(p * 100, 1):g}%"


def count(number: int, noun: str) -> str:
    """`1 option`, `2 options`, `1,200 options`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def and_list(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c` (empty for no items)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def years_phrase(n: int) -> str:
    """'the four years' (or 'the year', '12 years')."""
    if n == 1:
        return "the year"
    return f"the {NUMBER_WORDS[n]} years" if n < len(NUMBER_WORDS) else f"{n} years"
