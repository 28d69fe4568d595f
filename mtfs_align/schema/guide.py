"""The key and column tables of docs/user-guide.md, written from the schema, so the guide says what
the readers check. Each table sits between two markers in the guide:

    <!-- schema: options.csv -->
    ...the generated table...
    <!-- end of schema table -->

`python -m mtfs_align.schema.guide docs/user-guide.md` rewrites them in place; a test checks that
the guide is in step with the schema.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mtfs_align.schema import FILES
from mtfs_align.schema.fields import Field, FileSchema

_BLOCK = re.compile(r"(<!-- schema: (?P<file>[\w.]+) -->\n)(?P<table>.*?)(<!-- end of schema table -->)", re.DOTALL)


def _number(value: float) -> str:
    return f"{value:,g}".replace("-", "−")


def _limits(field: Field) -> str:
    if field.choices:
        shown = [f"`{c}`" for c in field.choices]
        return "one of " + (", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else shown[0])
    low, high = field.minimum, field.maximum
    if low is not None and high is not None:
        return f"{_number(low)} to {_number(high)}"
    if low is not None:
        return f"{_number(low)} or more"
    if high is not None:
        return f"at most {_number(high)}"
    if field.above is not None:
        return f"above {_number(field.above)}"
    return ""


def _type(field: Field) -> str:
    limits = _limits(field)
    if field.choices:
        return limits
    return field.kind + (f", {limits}" if limits else "")


def _default(field: Field) -> str:
    if field.required:
        return "required"
    if field.default_text:
        return f"default {field.default_text}"
    if field.default is None:
        return "" if field.name.startswith("<") else "optional"  # a key the user names: as many as wanted
    if isinstance(field.default, bool):
        return f"default `{str(field.default).lower()}`"
    if isinstance(field.default, (int, float)):
        return f"default {_number(field.default)}"
    return f"default `{field.default}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(schema: FileSchema) -> str:
    """The schema of one file as a markdown table."""
    csv = schema.file.endswith(".csv")
    head = ["column" if csv else "key", "type", "default", "meaning"] + (["in the example"] if csv else [])
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for field in schema:
        cells = [f"`{field.key}`", _type(field), _default(field), field.meaning]
        if csv:
            cells.append(field.example)
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def update(text: str) -> str:
    """`text` (the guide) with every schema table written afresh from the schema."""

    def fresh(match: re.Match) -> str:
        schema = FILES.get(match["file"])
        if schema is None:
            raise ValueError(f"the guide names a schema table for {match['file']}, which the schema does not declare")
        return match.group(1) + table(schema) + match.group(4)

    return _BLOCK.sub(fresh, text)


def files_in(text: str) -> list[str]:
    """The files whose schema tables the guide holds, in order."""
    return [match["file"] for match in _BLOCK.finditer(text)]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m mtfs_align.schema.guide docs/user-guide.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    text = path.read_text(encoding="utf-8")
    new = update(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: schema tables rewritten")
    else:
        print(f"{path}: schema tables already in step")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
