"""The declaration of one input field and of one input file's fields (see `mtfs_align.schema`)."""

from __future__ import annotations

from dataclasses import dataclass

MONEY = " in £ thousands"  # said after "write a plain number" when a money value is not a number


@dataclass(frozen=True)
class Field:
    """One YAML key or CSV column."""

    key: str  # path within its file (see the module's docstring)
    kind: str  # what the value is, in the guide's words: "number", "£ thousands", "text", ...
    meaning: str  # for the guide
    required: bool = False
    default: object = None  # what the readers use when the key or cell is absent or blank
    default_text: str = ""  # the default as the guide says it, where it is not just the value
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # strictly above this
    unit: str = ""  # MONEY for money: named in the fix when the value is not a number
    choices: tuple[str, ...] = ()  # the values allowed (matched without regard to case)
    noun: str = ""  # what a choice is, for "'x' is not <noun>" ("a RAG rating")
    fix: str = ""  # how to put a bad value right
    example: str = ""  # CSV columns: the value in the guide's example row

    @property
    def name(self) -> str:
        """The last part of the key: the column, or the key within its mapping."""
        return self.key.rpartition(".")[2]

    @property
    def parent(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def limits(self) -> dict:
        """Keyword arguments for `mtfs_align.io.tables.parse_number`."""
        found = {"minimum": self.minimum, "maximum": self.maximum, "above": self.above}
        limits = {name: value for name, value in found.items() if value is not None}
        if self.unit:
            limits["unit"] = self.unit
        return limits

    def choice(self, text: str) -> str | None:
        """The allowed value `text` stands for (case ignored), or None when it is not one."""
        wanted = str(text).strip().lower()
        return next((c for c in self.choices if c.lower() == wanted), None)

    @property
    def how_to_fix(self) -> str:
        """The fix for a bad value: the declared one, or the list of choices."""
        return self.fix or "use one of: " + ", ".join(self.choices)

    def not_a_choice(self, shown: object) -> str:
        """The message for a value that is not one of the choices."""
        return f"'{shown}' is not {self.noun}"


class FileSchema:
    """The fields of one input file, in the order the guide lists them and the readers name them."""

    def __init__(self, file: str, title: str, fields: list[Field]):
        self.file = file
        self.title = title
        self.fields = {f.key: f for f in fields}
        if len(self.fields) != len(fields):
            raise ValueError(f"{file}: a key is declared twice")

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    def __contains__(self, key: str) -> bool:
        return key in self.fields

    def __iter__(self):
        return iter(self.fields.values())

    def keys(self, parent: str = "") -> tuple[str, ...]:
        """The fixed keys allowed directly under `parent` ("" for the top of the file), in order."""
        return tuple(f.name for f in self if f.parent == parent and not f.name.startswith("<"))

    def required(self, parent: str = "") -> tuple[str, ...]:
        return tuple(f.name for f in self if f.parent == parent and f.required and not f.name.startswith("<"))

    def columns(self, required: bool) -> list[str]:
        """A table's fixed columns, required or optional (the savings profile `y<year>_k` aside)."""
        return [f.key for f in self if f.required == required and "<" not in f.key]
