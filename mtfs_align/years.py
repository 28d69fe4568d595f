"""UK financial years: labels such as `2021/22` at the edges, integer indices inside."""

from __future__ import annotations

import re

_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def parse_year(label: object) -> int:
    """The calendar year a financial-year label starts in: `2021/22` -> 2021.

    Raises ValueError with a message fit for the user when the label is malformed.
    """
    text = str(label).strip()
    match = _LABEL.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a financial year")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise ValueError(
            f"'{text}' is not a financial year: the second part must be the next year ({start}/{(start + 1) % 100:02d})"
        )
    return start


def year_label(start: int) -> str:
    """`2021` -> `2021/22`."""
    return f"{start}/{(start + 1) % 100:02d}"
