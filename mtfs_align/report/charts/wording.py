"""Words the chart titles share: a run of years. Chances, money and lists are worded by
mtfs_align.wording, as everywhere else."""

from __future__ import annotations

from mtfs_align.wording import and_list, chance  # noqa: F401 (chance: the charts' name for it)


def years_phrase(chosen: list[str], years: list[str]) -> str:
    """`in every year`, `from 2024/25 to 2030/31` (a run of three or more) or `in 2021/22 and
    2023/24`."""
    if len(chosen) == len(years) > 1:
        return "in every year"
    positions = [years.index(y) for y in chosen]
    if len(chosen) >= 3 and positions == list(range(positions[0], positions[0] + len(chosen))):
        return f"from {chosen[0]} to {chosen[-1]}"
    return f"in {and_list(chosen)}"
