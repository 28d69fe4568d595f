"""Ids and names as a person reads them: control characters that cannot go into a workbook, and ids
that differ only in case or by a look-alike character (Cyrillic and Greek letters, O/0, I/l/1,
invisible characters), which a reader of the files cannot tell apart."""

from __future__ import annotations

import unicodedata

CONTROL_FIX = "remove it: names and ids are text for people (a control character cannot go into results.xlsx)"

# Letters that look like Latin ones in most fonts (Cyrillic and Greek), and digits that look like letters:
# two ids with the same skeleton differ only by look-alike characters (docs/design-choices.md).
_LOOK_ALIKES = str.maketrans(
    {
        **dict.fromkeys("АаΑα", "a"),
        **dict.fromkeys("ВΒβ", "b"),
        **dict.fromkeys("СсϹϲ", "c"),
        **dict.fromkeys("ԁ", "d"),
        **dict.fromkeys("ЕеЁёΕε", "e"),
        **dict.fromkeys("НΗ", "h"),
        **dict.fromkeys("ІіΙιӀI1|", "l"),
        **dict.fromkeys("Јј", "j"),
        **dict.fromkeys("КкΚκ", "k"),
        **dict.fromkeys("МΜ", "m"),
        **dict.fromkeys("Ν", "n"),
        **dict.fromkeys("ОоΟο0", "o"),
        **dict.fromkeys("РрΡρ", "p"),
        **dict.fromkeys("Ԛԛ", "q"),
        **dict.fromkeys("Ѕѕ", "s"),
        **dict.fromkeys("ТтΤτ", "t"),
        **dict.fromkeys("υ", "u"),
        **dict.fromkeys("Ѵѵν", "v"),
        **dict.fromkeys("Ԝԝ", "w"),
        **dict.fromkeys("ХхΧχ", "x"),
        **dict.fromkeys("УуΥγ", "y"),
        **dict.fromkeys("Ζ", "z"),
    }
)


def control_characters(text: str) -> str:
    """The control characters in `text` (tab and line breaks apart), as U+0007, ...; '' if none."""
    found = sorted({ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"})
    return ", ".join(f"U+{ord(ch):04X}" for ch in found)


def id_skeleton(ident: str) -> str:
    """What an id looks like to a reader: compatibility forms folded (NFKC), Cyrillic and Greek
    look-alikes and O/0, I/l/1 turned into one Latin letter, invisible characters (zero-width
    spaces, direction marks: Unicode category Cf) dropped, case ignored."""
    visible = "".join(ch for ch in unicodedata.normalize("NFKC", ident) if unicodedata.category(ch) != "Cf")
    return visible.translate(_LOOK_ALIKES).casefold().translate(_LOOK_ALIKES)


class LookAlikes:
    """Ids seen so far in one file; `clash(id)` names an earlier id that differs from it only in
    case or by look-alike characters."""

    def __init__(self) -> None:
        self.by_case: dict[str, str] = {}
        self.by_skeleton: dict[str, str] = {}

    def clash(self, ident: str) -> str | None:
        folded, skeleton = ident.casefold(), id_skeleton(ident)
        other = self.by_case.get(folded) or self.by_skeleton.get(skeleton)
        self.by_case.setdefault(folded, ident)
        self.by_skeleton.setdefault(skeleton, ident)
        return other if other is not None and other != ident else None


def look_alike_problem(ident: str, other: str) -> str:
    """Why two different ids with the same skeleton are confusing."""
    if ident.casefold() == other.casefold():
        return f"'{other}' and '{ident}' differ only in upper and lower case"
    foreign = sorted({ch for ch in other + ident if not ch.isascii()})
    named = "; ".join(f"'{ch}' is {unicodedata.name(ch, f'U+{ord(ch):04X}').lower()}" for ch in foreign)
    return f"'{other}' and '{ident}' differ only by a look-alike character" + (f" ({named})" if named else "")


class KnownIds:
    """The ids one file declares (activities, options, outcomes, priorities), for checking what
    other files name: `look_alike(ref)` is the declared id that an unknown `ref` differs from only
    in case or by look-alike characters (`s1` for `S1`, Cyrillic `А1` for `A1`), if any."""

    def __init__(self, ids, source: str):
        self.ids = ids  # a set or a mapping keyed by id: looked up, never copied
        self.source = source  # where they are declared, for the fix: "options.csv"
        self._by_case: dict[str, str] | None = None
        self._by_skeleton: dict[str, str] = {}

    def __contains__(self, ident: object) -> bool:
        return ident in self.ids

    def look_alike(self, ref: str) -> str | None:
        if self._by_case is None:  # built once, and only when a reference is unknown
            self._by_case = {}
            for ident in self.ids:
                self._by_case.setdefault(ident.casefold(), ident)
                self._by_skeleton.setdefault(id_skeleton(ident), ident)
        # Case first: the skeleton alone would tell `i0` from `I0` (I reads as l, i does not).
        other = self._by_case.get(ref.casefold()) or self._by_skeleton.get(id_skeleton(ref))
        return other if other is not None and other != ref else None

    def unknown(self, ref: str, message: str, fix: str) -> tuple[str, str]:
        """The message and fix for `ref`, which is not one of the ids: as given, or, when `ref`
        only looks like a declared id, saying which one and how the two differ."""
        other = self.look_alike(ref)
        if other is None:
            return message, fix
        return f"{message}: {look_alike_problem(ref, other)}", f"write {other}, as {self.source} does"
