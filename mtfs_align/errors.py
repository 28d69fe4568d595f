"""Error types, and the collector that gathers every input problem before raising once."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path

# Characters that must not reach the terminal as they are: control characters (an escape sequence
# could rewrite the screen, a line break would split one problem into two lines), format characters
# (invisible: zero-width spaces, direction overrides that reorder the text shown) and line and
# paragraph separators.
_UNSHOWABLE = ("Cc", "Cf", "Zl", "Zp")


def shown_safely(text: str) -> str:
    """`text` with every control, format or separator character written as [U+001B], so a message
    or row label that echoes a user's value shows what is there and cannot act on the terminal."""
    if text.isprintable():  # the common case, and far quicker than looking at each character
        return text
    return "".join(f"[U+{ord(ch):04X}]" if unicodedata.category(ch) in _UNSHOWABLE and ch != " " else ch for ch in text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located precisely enough for the user to fix it. Every part
    is kept shown safely (see `shown_safely`): a value echoed from the input cannot reach the
    terminal raw, wherever the problem is made."""

    file: str
    where: str
    field: str
    message: str
    fix: str = ""

    def __post_init__(self) -> None:
        for part in fields(self):
            value = getattr(self, part.name)
            object.__setattr__(self, part.name, shown_safely(str(value)))

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.file, self.where) if part)
        subject = ": ".join(part for part in (place, self.field) if part)
        text = (subject + ": " if subject else "") + _sentence(self.message)
        if self.fix:
            text += " Fix: " + _sentence(self.fix)
        return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("?", "!", ".")) else text + "."


class MtfsError(Exception):
    """Base of every error the tool reports to the user without a traceback."""

    exit_code = 3


MAX_LISTED = 200  # problems listed in one message; a file with more has one mistake repeated


def listed(problems: list) -> list[str]:
    """The lines of a message listing `problems`: every one up to MAX_LISTED, then how many more
    there are (a file with 100,000 repeated keys printed 100,000 lines)."""
    lines = [f"  - {p}" for p in problems[:MAX_LISTED]]
    more = len(problems) - MAX_LISTED
    if more > 0:
        lines.append(
            f"  ... and {more:,} more problem{'s' if more != 1 else ''}, not listed: "
            "fix these and run again to see them."
        )
    return lines


class InputError(MtfsError):
    """Bad input: every problem found, reported at once (exit code 2)."""

    exit_code = 2

    def __init__(self, problems: list[Problem], warnings: list[str] | None = None):
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        count = len(self.problems)
        head = f"{count:,} problem{'s' if count != 1 else ''} found in the input:"
        super().__init__("\n".join([head] + listed(self.problems)))


class ContradictionError(InputError):
    """Hard constraints that no plan can meet together, named (exit code 2)."""

    def __init__(self, problems: list[Problem], warnings: list[str] | None = None):
        super().__init__(problems, warnings)
        count = len(self.problems)
        head = f"No plan can meet every constraint: {count} contradiction{'s' if count != 1 else ''} found:"
        self.args = ("\n".join([head] + listed(self.problems)),)


class SolverError(MtfsError):
    """The solver failed or returned something unusable (exit code 3)."""

    exit_code = 3


def display_path(path: Path | str) -> str:
    """A path as the user would recognise it: relative to the working folder where possible."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symbolic link that loops
        return str(path)


@dataclass
class Problems:
    """Collects problems (and warnings) so that every one is reported, not only the first."""

    items: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, file: Path | str, where: str, field_name: str, message: str, fix: str = "") -> None:
        self.items.append(Problem(display_path(file) if file else "", where, field_name, message, fix))

    def warn(self, text: str) -> None:
        text = shown_safely(text)
        if text not in self.warnings:
            self.warnings.append(text)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items, self.warnings)
