"""Reading values with their locations: a YAML value by its key path (in a data file or in the
scenario's `extends` chain), a table cell by its row and column (or, where the scenario changes it,
by the scenario's line), each problem added to the one collection raised at the end (DESIGN 7)."""

from __future__ import annotations

import math
from pathlib import Path

from mtfs_align.errors import Problems
from mtfs_align.io.ids import CONTROL_FIX, KnownIds, control_characters, look_alike_problem
from mtfs_align.io.tables import Row, parse_number
from mtfs_align.schema import Field
from mtfs_align.years import parse_year, year_label


class KeyReader:
    """Validation helpers bound to one YAML source (a data file, or the scenario chain)."""

    def __init__(self, problems: Problems, locate):
        self.problems = problems
        self.locate = locate

    def add(self, key_path: tuple, message: str, fix: str = "") -> None:
        file, where = self.locate(key_path)
        self.problems.add(file, where, dotted(key_path), message, fix)

    def keys(self, mapping: object, allowed: tuple | list, key_path: tuple, required: tuple = ()) -> bool:
        if not isinstance(mapping, dict):
            self.add(key_path, "must be a mapping of keys", "write it as key: value lines")
            return False
        known = KnownIds(allowed, "the schema")
        for key in mapping:
            if key not in allowed:
                look_alike = known.look_alike(str(key))
                close = [a for a in allowed if similar(str(key), a)]
                if look_alike is not None and look_alike.casefold() != str(key).casefold():
                    # 'pоlicy' with a Cyrillic о reads as policy: say so, or the message looks wrong
                    message = f"unknown key '{key}': {look_alike_problem(str(key), look_alike)}"
                    self.add(key_path + (key,), message, f"write {look_alike}")
                    continue
                hint = (
                    f"did you mean '{close[0]}'? If not, remove it" if close else "allowed keys: " + ", ".join(allowed)
                )
                self.add(key_path + (key,), f"unknown key '{key}'", hint)
        ok = True
        for key in required:
            if mapping.get(key) is None:
                self.add(key_path, f"'{key}' is missing", f"add {key}:")
                ok = False
        return ok

    def number(self, value: object, key_path: tuple, field_name: str | None = None, **limits) -> float | None:
        file, where = self.locate(key_path)
        name = dotted(key_path) if field_name is None else field_name
        if isinstance(value, str) and value.strip() == "":
            value = None
        if value is None:
            self.problems.add(file, where, name, "a number is missing", "write a number")
            return None
        if isinstance(value, (list, dict)):
            self.problems.add(file, where, name, "must be a single number", "write one number")
            return None
        return parse_number(value, self.problems, file, where, name, **limits)

    def number_of(self, field: Field, value: object, key_path: tuple) -> float | None:
        """A number within the limits the schema declares for `field`."""
        return self.number(value, key_path, **field.limits)

    def choice_of(self, field: Field, value: object, key_path: tuple) -> str | None:
        """One of the schema's choices for `field` (case ignored), or None with a problem."""
        found = field.choice(str(value))
        if found is None:
            self.add(key_path, field.not_a_choice(value), field.how_to_fix)
        return found

    def per_year(
        self, value: object, key_path: tuple, n: int, scalar_ok: bool, labels: list[str] | None = None, **limits
    ) -> list[float] | None:
        """One number per year; a problem with one value names its year (`grants, 2021/22`)
        when the year labels are known, else its place in the list."""
        if isinstance(value, list):
            if len(value) != n:
                self.add(
                    key_path,
                    f"has {len(value)} values but the horizon has {n} years",
                    f"give exactly one value per year ({n})",
                )
                return None
            out = [
                self.number(
                    v, key_path + (i,), None if labels is None else f"{dotted(key_path)}, {labels[i]}", **limits
                )
                for i, v in enumerate(value)
            ]
            return None if any(v is None for v in out) else out
        if scalar_ok:
            number = self.number(value, key_path, **limits)
            return None if number is None else [number] * n
        self.add(key_path, "must be a list with one value per year", f"write [{', '.join(['0'] * n)}]")
        return None

    def text(self, value: object, key_path: tuple, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(key_path, "is missing or blank", "write a value")
            return ""
        if isinstance(value, (dict, list)):
            self.add(key_path, "must be text", "write a single value")
            return ""
        text = str(value).strip()
        bad = control_characters(text)
        if bad:
            self.add(key_path, f"holds a control character ({bad})", CONTROL_FIX)
        return text


def dotted(key_path: tuple) -> str:
    parts = []
    for part in key_path:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def similar(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if abs(len(a) - len(b)) > 2:
        return False
    return len(set(a) ^ set(b)) <= 2 and (a[:2] == b[:2] or sorted(a) == sorted(b))


def year_index(
    label: object, first_year: int, n: int, reader: KeyReader, key_path: tuple, what: str = "year"
) -> int | None:
    try:
        start = parse_year(label)
    except ValueError as err:
        reader.add(key_path, str(err), "write the year as 2021/22")
        return None
    index = start - first_year
    if not 0 <= index < n:
        reader.add(
            key_path,
            f"{what} {year_label(start)} is outside the horizon "
            f"{year_label(first_year)} to {year_label(first_year + n - 1)}",
            "use a year within the horizon of mtfs.yaml",
        )
        return None
    return index


def parse_pairs(text: str, default: float | None) -> tuple[list[tuple[str, float | None, str]], str | None]:
    """`O1:0.7;O7:0.3` -> [(O1, 0.7, '0.7'), ...]; a bare id takes `default`."""
    pairs = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if ":" in part:
            key, _, value = part.partition(":")
            key, value = key.strip(), value.strip()
            if not key:
                return [], f"'{part}' has no id before the colon"
            try:
                number = float(value)
            except ValueError:
                return [], f"'{value}' in '{part}' is not a number"
            if math.isnan(number) or math.isinf(number):
                return [], f"'{value}' in '{part}' is not a finite number"
            pairs.append((key, number, value))
        else:
            pairs.append((part, default, ""))
    return pairs, None


def apply_overrides(row: Row, overrides: dict, override_where) -> tuple[dict[str, str], dict[str, tuple]]:
    """The row's values with the scenario's changes applied, and where each changed value came from."""
    values = dict(row.values)
    sources: dict[str, tuple] = {}
    for column, value in overrides.items():
        values[column] = "" if value is None else csv_text(value)
        sources[column] = override_where(column)
    return values, sources


def csv_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class RowReader:
    """Reads the fields of one table row, locating each problem in the file or scenario it came from."""

    def __init__(self, row: Row, values: dict[str, str], sources: dict[str, tuple], problems: Problems):
        self.row, self.values, self.sources, self.problems = row, values, sources, problems

    def loc(self, column: str) -> tuple[Path, str, str]:
        if column in self.sources:
            return self.sources[column]
        return self.row.file, self.row.where, column

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def text(self, column: str) -> str:
        """A field of text for people (an id, a name): no control characters."""
        value = self.get(column)
        bad = control_characters(value)
        if bad:
            self.add(column, f"holds a control character ({bad})", CONTROL_FIX)
        return value

    def add(self, column: str, message: str, fix: str = "") -> None:
        file, where, name = self.loc(column)
        self.problems.add(file, where, name, message, fix)

    def number(self, column: str, **limits) -> float | None:
        file, where, name = self.loc(column)
        return parse_number(self.get(column), self.problems, file, where, name, **limits)

    def number_of(self, field: Field, **given) -> float | None:
        """The column's number within the schema's limits, its default when blank (`given`
        overrides either, e.g. a default that comes from mtfs.yaml)."""
        return self.number(field.name, **{"default": field.default, **field.limits, **given})

    def choice_of(self, field: Field, shown: str | None = None) -> str | None:
        """The column's value as one of the schema's choices (case ignored), or None with a problem
        that shows `shown` (default: the cell as written)."""
        text = self.get(field.name)
        found = field.choice(text)
        if found is None:
            self.add(field.name, field.not_a_choice(text if shown is None else shown), field.how_to_fix)
        return found


def override_locator(sc: KeyReader, kind: str, ident: str):
    def where(column: str):
        file, line = sc.locate(("changes", kind, ident, column))
        return file, line, f"changes.{kind}.{ident}.{column}"

    return where


def row_ids(table) -> set[str] | None:
    return None if table is None else {row.get("id") for row in table.rows if row.get("id")}
