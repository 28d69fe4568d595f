"""The phrases the Cabinet sentences share: outcome harm that may be a net benefit, and savings
still to be found over several years. Each sentence of the package words its figures with these,
so no sentence takes a percentage of a harm at or below zero, nor adds years together unsaid."""

from __future__ import annotations

from collections.abc import Sequence

from mtfs_align.wording import and_list, money, share, summed_over

HARM_DIGITS = 2


def _rounded(value: float, digits: int) -> float:
    """The value as written with `digits` decimals (so a figure that prints as 0.00 counts as
    zero, and never prints as -0.00)."""
    figure = round(float(value), digits)
    return 0.0 if figure == 0 else figure


def harm_figure(value: float, digits: int = HARM_DIGITS) -> str:
    """Outcome harm as a number, 0.00 rather than -0.00."""
    return f"{_rounded(value, digits):.{digits}f}"


def net_harm(value: float, digits: int = HARM_DIGITS) -> str:
    """'a net harm of 0.04', 'a net benefit of 4.46' or 'no net harm': options carry benefits as
    well as harms, so the net figure may be below zero."""
    figure = _rounded(value, digits)
    if figure > 0:
        return f"a net harm of {harm_figure(figure, digits)}"
    if figure < 0:
        return f"a net benefit of {harm_figure(-figure, digits)}"
    return "no net harm"


def harm_amount(value: float, digits: int = HARM_DIGITS) -> str:
    """'outcome harm of 1.33', 'a net benefit to outcomes of 0.50', 'no net outcome harm'."""
    figure = _rounded(value, digits)
    if figure > 0:
        return f"outcome harm of {harm_figure(figure, digits)}"
    if figure < 0:
        return f"a net benefit to outcomes of {harm_figure(-figure, digits)}"
    return "no net outcome harm"


def harm_change(before: float, after: float, digits: int = HARM_DIGITS) -> str:
    """How outcome harm moves from `before` to `after`, as a verb phrase: a percentage only of a
    harm above zero that stays at or above zero ('cuts outcome harm by 38% (from 1.33 to 0.83)');
    otherwise the two net figures ('turns a net harm of 0.04 into a net benefit of 4.46')."""
    b, a = _rounded(before, digits), _rounded(after, digits)
    if b == a:
        if a < 0:
            return f"leaves the net benefit to outcomes the same ({harm_figure(-a, digits)})"
        return f"leaves outcome harm the same ({harm_figure(a, digits)})"
    if b > 0 and a >= 0:
        figures = f"(from {harm_figure(b, digits)} to {harm_figure(a, digits)})"
        if a < b:
            return f"cuts outcome harm by {share((b - a) / b)} {figures}"
        return f"adds {share((a - b) / b)} to outcome harm {figures}"
    if b < 0 and a < 0:
        more = "raises" if a < b else "lowers"
        return f"{more} the net benefit to outcomes from {harm_figure(-b, digits)} to {harm_figure(-a, digits)}"
    return f"turns {net_harm(b, digits)} into {net_harm(a, digits)}"


def short_years(unidentified_k: Sequence[float], years: Sequence[str]) -> list[str]:
    """The years that do not balance (DESIGN 4.3: £500 or more still to be found)."""
    return [y for y, u in zip(years, unidentified_k, strict=True) if u >= 0.5]


def unfunded(unidentified_k: Sequence[float], years: Sequence[str]) -> str:
    """Savings still to be found, as an MTFS says them: the last year's level first, then the
    total summed over the horizon and the years short ('£30.0m of savings still to be found in
    2024/25 (£75.0m summed over the four years, short in 2022/23, 2023/24 and 2024/25)')."""
    values = [float(u) for u in unidentified_k]
    short = short_years(values, years)
    if not short:
        return "no savings still to be found"
    total = money(sum(values))
    if len(short) == 1:
        year = short[0]
        return f"{money(values[list(years).index(year)])} of savings still to be found in {year}"
    over = summed_over(len(years)).strip()
    if short[-1] == years[-1]:
        return (
            f"{money(values[-1])} of savings still to be found in {years[-1]} "
            f"({total} {over}, short in {and_list(short)})"
        )
    return f"{total} of savings still to be found {over} (short in {and_list(short)})"


def unfunded_total(unidentified_k: float, n_years: int) -> str:
    """Savings still to be found when only the total over the horizon is known (proposal.csv)."""
    if unidentified_k < 0.5:
        return "no savings still to be found"
    return f"{money(unidentified_k)} of savings still to be found{summed_over(n_years)}"
