"""Words the chart titles (and the briefing) share: a probability, a list, a run of years."""

from __future__ import annotations


def chance(p: float) -> str:
    """A probability as a council paper would give it: `12%`, `under 1%`, `over 99%`."""
    if 0 < p < 0.005:
        return "under 1%"
    if 0.995 <= p < 1:
        return "over 99%"
    return f"{p:.0%}"


def list_phrase(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def years_phrase(chosen: list[str], years: list[str]) -> str:
    """`in every year`, `from 2024/25 to 2030/31` (a run of three or more) or `in 2021/22 and
    2023/24`."""
    if len(chosen) == len(years) > 1:
        return "in every year"
    positions = [years.index(y) for y in chosen]
    if len(chosen) >= 3 and positions == list(range(positions[0], positions[0] + len(chosen))):
        return f"from {chosen[0]} to {chosen[-1]}"
    return f"in {list_phrase(chosen)}"
