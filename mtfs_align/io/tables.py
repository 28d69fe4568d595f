"""Reading the data folder's tables (CSV) into rows that remember their line numbers."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from mtfs_align.errors import Problems
from mtfs_align.io.ids import KnownIds, look_alike_problem
from mtfs_align.io.input_files import add, read_text
from mtfs_align.schema import ACTIVITIES, OPTIONS

MAX_ROWS = 100_000  # a council has hundreds of activities and options; far more is not its table


@dataclass
class Row:
    """One data row: its values by column, and where it sits for error messages."""

    values: dict[str, str]
    file: Path
    where: str  # e.g. "line 5 (S03)" or "sheet options, row 5"

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass
class Table:
    path: Path
    columns: list[str]
    rows: list[Row]


def read_csv_table(path: Path, problems: Problems, what: str, required: list[str]) -> Table | None:
    """Read a CSV table with a header row; missing required columns are problems."""
    text = read_text(path, problems, what)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.add(path, "line 1", "", "the file is empty", "add a header row: " + ",".join(required))
        return None
    except csv.Error as err:
        problems.add(path, "line 1", "", f"the header cannot be read ({err})", "check the quoting")
        return None
    columns = [name.strip() for name in header]
    if not _check_columns(path, "line 1", columns, required, problems):
        return None
    rows = []
    line = 1
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                add(
                    problems,
                    path,
                    f"line {start}",
                    "",
                    f"the {what} file has more than {MAX_ROWS:,} rows, more than any council's table",
                    "check it is the right file",
                )
                return None
            if len(record) > len(columns):
                extra = [cell for cell in record[len(columns) :] if cell.strip()]
                if extra:
                    problems.add(
                        path,
                        f"line {start}",
                        "",
                        f"the row has {len(record)} cells but the header has {len(columns)}",
                        "quote values that contain commas",
                    )
                    continue
            values = {name: (record[i] if i < len(record) else "") for i, name in enumerate(columns)}
            ident = values.get("id", "").strip()
            rows.append(Row(values, path, f"line {start}" + (f" ({ident})" if ident else "")))
    except csv.Error as err:
        problems.add(
            path, f"line {reader.line_num}", "", f"the row cannot be read ({err})", "check the quoting on that line"
        )
        return None
    return Table(path, columns, rows)


def _check_columns(path: Path, where: str, columns: list[str], required: list[str], problems: Problems) -> bool:
    seen = set()
    ok = True
    for name in columns:
        if name and name in seen:
            problems.add(path, where, name, "this column appears twice", "delete one of the two columns")
            ok = False
        seen.add(name)
    missing = [name for name in required if name not in seen]
    if missing:
        # A header that differs from a missing column only in case or by a look-alike character
        # ('Rag', 'rаg' with a Cyrillic а) is named, so the message does not seem to contradict the file.
        header = KnownIds([name for name in columns if name], "the header")
        renames = [
            f"rename the column '{other}' to {name} ({look_alike_problem(other, name)})"
            for name in missing
            if (other := header.look_alike(name)) is not None
        ]
        problems.add(
            path,
            where,
            ", ".join(missing),
            "required column missing",
            "; ".join(renames)
            if renames
            else "add the column" + ("s" if len(missing) > 1 else "") + " to the header row",
        )
        ok = False
    return ok


# The columns of activities.csv and options.csv (DESIGN 3.3, 3.4), as the schema declares them, for
# the readers and for the tracker importer that writes them; the savings profile columns y1_k ...
# come between the required and the optional ones.
ACTIVITY_REQUIRED = ACTIVITIES.columns(required=True)
ACTIVITY_OPTIONAL = ACTIVITIES.columns(required=False)
OPTION_REQUIRED = OPTIONS.columns(required=True)
OPTION_OPTIONAL = OPTIONS.columns(required=False)
MAX_MAGNITUDE = 1e9


def _is_money(field_name: str) -> bool:
    """Whether a field holds money in £ thousands (its name, or a part of it, ends in _k)."""
    return re.search(r"_k(\b|$)", field_name or "") is not None


def parse_number(
    text: str,
    problems: Problems,
    file: Path,
    where: str,
    field_name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    default: float | None = None,
    unit: str = "",
) -> float | None:
    """A finite number from a cell; blank gives `default`. Bad values are problems (None back)."""
    text = (text or "").strip() if isinstance(text, str) else text
    if text == "" or text is None:
        return default
    if isinstance(text, bool):
        value = None
    elif isinstance(text, (int, float)):
        value = float(text)
    else:
        try:
            value = float(text)
        except ValueError:
            value = None
    if value is None:
        problems.add(
            file,
            where,
            field_name,
            f"'{text}' is not a number",
            f"write a plain number{unit} (no £ sign, commas or letters)",
        )
        return None
    if math.isnan(value) or math.isinf(value):
        problems.add(file, where, field_name, f"'{text}' is not a finite number", "write a real number")
        return None
    if abs(value) > MAX_MAGNITUDE:
        # £1,000bn in £ thousands: no council figure, share or weight comes near it, and larger
        # numbers break the solvers' arithmetic (a priority weight of 1e308 overflowed to NaN)
        problems.add(
            file,
            where,
            field_name,
            f"{text} is too large to be a real figure",
            f"write a number of at most {MAX_MAGNITUDE:,.0f}"
            + (" (money is in £ thousands)" if _is_money(field_name) else ""),
        )
        return None
    if minimum is not None and value < minimum:
        problems.add(
            file,
            where,
            field_name,
            f"{_fmt(value)} is below the smallest allowed value {_fmt(minimum)}",
            f"use a value of at least {_fmt(minimum)}",
        )
        return None
    if above is not None and value <= above:
        problems.add(file, where, field_name, f"{_fmt(value)} is too small", f"use a value above {_fmt(above)}")
        return None
    if maximum is not None and value > maximum:
        problems.add(
            file,
            where,
            field_name,
            f"{_fmt(value)} is above the largest allowed value {_fmt(maximum)}",
            f"use a value of at most {_fmt(maximum)}",
        )
        return None
    return value


def _fmt(value: float) -> str:
    return f"{value:g}"
