"""The `extends` chain of scenario files: each file read, its data folder and parent resolved, the
chain merged key by key (DESIGN 3.5), and every key located in the file and line that set it."""

from __future__ import annotations

from pathlib import Path

from mtfs_align.errors import Problems
from mtfs_align.io.input_files import resolve_or_problem
from mtfs_align.io.yamlio import YamlDoc, load_yaml
from mtfs_align.schema import SCENARIO

MAX_EXTENDS = 50  # scenarios in one extends chain; a council's is two or three files deep
# Mappings that an extending scenario replaces whole rather than merges (DESIGN 3.5).
_WHOLE = {("weights",), ("plan",), ("policy", "adopt"), ("policy", "protect")}


class Chain:
    """The scenario files from the base to the most derived, and where each key was written."""

    def __init__(self, docs: list[YamlDoc]):
        self.docs = docs

    def where(self, key_path: tuple) -> tuple[Path, str]:
        best: tuple[int, YamlDoc] | None = None
        for doc in reversed(self.docs):
            for cut in range(len(key_path), 0, -1):
                if tuple(key_path[:cut]) in doc.lines:
                    if best is None or cut > best[0]:
                        best = (cut, doc)
                    break
        if best is None:
            return self.docs[-1].path, ""
        line = best[1].lines[tuple(key_path[: best[0]])]
        return best[1].path, f"line {line}"


def load_chain(path: Path, problems: Problems, seen: list[Path] | None = None) -> list[YamlDoc] | None:
    """The scenario file at `path` and every file it extends, base first; None (with the problems
    added) when one cannot be read, the chain loops or it is longer than any scenario needs.
    Followed in a loop, not by recursion, so a hostile chain cannot exhaust Python's stack."""
    seen = list(seen or [])
    chain: list[YamlDoc] = []  # the most derived first
    while True:
        doc = _load_one(path, problems)
        if doc is None:
            return None
        chain.append(doc)
        parent_name = doc.data.get("extends")
        if not parent_name:
            return chain[::-1]
        line = f"line {doc.lines.get(('extends',), 1)}"
        parent = resolve_or_problem(path.parent / parent_name, problems, "parent scenario", path, line, "extends")
        if parent is None:
            return None
        if parent in seen or parent == path.resolve():
            cycle = " -> ".join(p.name for p in seen + [path.resolve(), parent])
            problems.add(
                path,
                line,
                "extends",
                f"scenarios extend each other in a cycle ({cycle})",
                "make one of them stand alone",
            )
            return None
        if not parent.is_file():
            problems.add(
                path,
                line,
                "extends",
                f"the parent scenario '{parent_name}' does not exist",
                "give a path relative to this file",
            )
            return None
        if len(chain) >= MAX_EXTENDS:
            problems.add(
                path,
                line,
                "extends",
                f"the scenarios extend one another more than {MAX_EXTENDS} deep",
                "extend a scenario nearer the base: a chain of a few files is all a council needs",
            )
            return None
        seen.append(path.resolve())
        path = parent


def _load_one(path: Path, problems: Problems) -> YamlDoc | None:
    """One scenario file of the chain, its `data` folder resolved; None when it cannot be used."""
    doc = load_yaml(path, problems, "scenario")
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.add(
            path,
            "line 1",
            "",
            "a scenario file must be a mapping of keys (name:, data:, ...)",
            "see docs/user-guide.md for the layout",
        )
        return None
    for key in ("data", "extends"):
        value = doc.data.get(key)
        if value is not None and not isinstance(value, str):
            problems.add(
                path, f"line {doc.lines.get((key,), 1)}", key, "must be a path written as text", SCENARIO[key].fix
            )
            doc.data[key] = None
    _refuse_empty_entries(doc, problems)
    if isinstance(doc.data.get("data"), str):
        where = f"line {doc.lines.get(('data',), 1)}"
        folder = resolve_or_problem(path.parent / doc.data["data"], problems, "data folder", path, where, "data")
        if folder is None:
            return None
        doc.data["data"] = str(folder)
    return doc


_EMPTY_FIX = {
    ("plan",): "give its start year, e.g. S27: 2021/22, or delete the line",
    ("policy", "adopt"): "give its start year or any, or delete the line",
    ("policy", "protect"): "give the share of need to protect, e.g. P1: 0.9, or delete the line",
    ("weights",): "give the priority's weight, e.g. P1: 0.3",
}


def _refuse_empty_entries(doc: YamlDoc, problems: Problems) -> None:
    """An entry left empty in a mapping that replaces the inherited one whole (`plan: {S27: }`) would
    otherwise vanish silently (a null removes an inherited value), changing the answer."""
    for key_path, fix in _EMPTY_FIX.items():
        mapping = doc.data
        for key in key_path:
            mapping = mapping.get(key) if isinstance(mapping, dict) else None
        if not isinstance(mapping, dict):
            continue
        for key, value in mapping.items():
            if value is None:
                where = key_path + (key,)
                line = doc.lines.get(where)
                problems.add(
                    doc.path, f"line {line}" if line else "", ".".join(map(str, where)), f"{key} is given no value", fix
                )


def _strip_nulls(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    return value


def merge(base: dict, over: dict, key_path: tuple = ()) -> dict:
    result = dict(base)
    for key, value in over.items():
        if key_path == () and key == "extends":
            continue
        here = key_path + (key,)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict) and here not in _WHOLE:
            result[key] = merge(result[key], value, here)
        else:
            result[key] = _strip_nulls(value)
    return result


def default_slug(path: Path) -> str:
    return path.stem
