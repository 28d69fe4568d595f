"""Safe YAML reading that keeps the line of every key, refuses object tags and duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mtfs_align.errors import Problems
from mtfs_align.io.text import read_text

_STANDARD = "tag:yaml.org,2002:"
_SAFE_TAGS = {
    _STANDARD + name for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}
_MAX_NODES = 200_000  # guards against alias bombs


@dataclass
class YamlDoc:
    """A YAML file's data and the line (1-based) of every key path in it."""

    path: Path
    data: object
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, key_path: tuple) -> int | None:
        """Line of the longest known prefix of `key_path`."""
        for cut in range(len(key_path), -1, -1):
            found = self.lines.get(tuple(key_path[:cut]))
            if found is not None:
                return found
        return None


class _Converter:
    def __init__(self, path: Path, problems: Problems):
        self.path = path
        self.problems = problems
        self.constructor = yaml.SafeLoader("")
        self.lines: dict[tuple, int] = {}
        self.count = 0
        self.failed = False

    def convert(self, node: yaml.Node, key_path: tuple) -> object:
        self.count += 1
        if self.count > _MAX_NODES:
            if not self.failed:
                self.problems.add(self.path, "", "", "the file is too large or uses aliases too deeply",
                                  "write the values out without YAML aliases")
            self.failed = True
            return None
        line = node.start_mark.line + 1
        self.lines.setdefault(key_path, line)
        if node.tag not in _SAFE_TAGS:
            self.problems.add(
                self.path, f"line {line}", ".".join(map(str, key_path)),
                f"the YAML tag '{node.tag.replace(_STANDARD, '!!')}' is not allowed",
                "remove the tag: only plain values, lists and mappings are read",
            )
            self.failed = True
            return None
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            result: dict = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, key_path + ("<key>",))
                if isinstance(key, (dict, list)):
                    self.problems.add(self.path, f"line {key_node.start_mark.line + 1}", "",
                                      "a mapping key must be a plain value", "write key: value")
                    continue
                key = _key_text(key)
                if key in result:
                    self.problems.add(
                        self.path, f"line {key_node.start_mark.line + 1}", ".".join(map(str, key_path + (key,))),
                        "this key is given twice", "keep one of the two",
                    )
                    continue
                self.lines[key_path + (key,)] = key_node.start_mark.line + 1
                result[key] = self.convert(value_node, key_path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, key_path + (i,)) for i, item in enumerate(node.value)]
        value = self.constructor.construct_object(node, deep=True)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value


def _key_text(key: object) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return str(key).lower()
    return str(key)


def load_yaml(path: Path, problems: Problems, what: str) -> YamlDoc | None:
    """Read a YAML file safely; add problems (with lines) and return None when it cannot be used."""
    text = read_text(path, problems, what)
    if text is None:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        detail = err.problem or err.context or "cannot be read"
        problems.add(path, where, "", f"YAML syntax error: {detail}",
                     "check the indentation, colons and brackets on that line")
        return None
    except yaml.YAMLError as err:
        problems.add(path, "", "", f"YAML syntax error: {err}", "check the file is valid YAML")
        return None
    if node is None:
        return YamlDoc(path, {}, {})
    converter = _Converter(path, problems)
    data = converter.convert(node, ())
    if converter.failed:
        return None
    return YamlDoc(path, data, converter.lines)
