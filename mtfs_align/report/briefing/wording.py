"""The briefing's date and count words. The key messages are the report stage's Cabinet findings
(mtfs_align.report.sentences.key_messages), worked out once from the results."""

from __future__ import annotations

from datetime import date

from mtfs_align.report.sentences.key_messages import count_word, harm_by_priority, key_messages
from mtfs_align.results import RunResults

__all__ = ["MONTHS", "briefing_date", "count_word", "harm_by_priority", "key_messages", "long_date"]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def briefing_date(results: RunResults) -> date:
    """The run's date: the manifest's `date` (ISO) if written, else the date of the folder's
    manifest file when the results were read from one, else today."""
    for key in ("date", "created"):
        value = results.manifest.get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
    if results.folder is None:
        return date.today()
    source = results.folder / "manifest.json"
    if not source.is_file():
        source = results.folder / "budget.csv"
    return date.fromtimestamp(source.stat().st_mtime)
