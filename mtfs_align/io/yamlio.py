"""Safe YAML reading that keeps the line of every key, refuses object tags and duplicate keys, and
refuses what YAML 1.1 would silently misread or what could not be built: numbers with a leading
zero (read as octal), clock-like numbers (read in base 60), standard tags with values they cannot
hold, merge keys on non-mappings, nesting too deep to be a scenario, and integers too long to be a
figure. Each is a located problem, never a crash."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mtfs_align.errors import Problems
from mtfs_align.io.input_files import MAX_YAML_BYTES, read_text

_STANDARD = "tag:yaml.org,2002:"
_SAFE_TAGS = {_STANDARD + name for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}
_MAX_NODES = 200_000  # guards against alias bombs
_MAX_DEPTH = 40  # a scenario or plan nests a handful of levels; anything deeper is not one
_MAX_DIGITS = 18  # an integer longer than this is no council's figure (and would not fit a float exactly)
_INT = _STANDARD + "int"
_FLOAT = _STANDARD + "float"
_NULL = _STANDARD + "null"
_NULL_SPELLINGS = ("", "~", "null", "Null", "NULL")


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

    def _refuse(self, node: yaml.Node, key_path: tuple, message: str, fix: str) -> None:
        self.problems.add(self.path, f"line {node.start_mark.line + 1}", ".".join(map(str, key_path)), message, fix)
        self.failed = True

    def convert(self, node: yaml.Node, key_path: tuple) -> object:
        if self.failed and self.count > _MAX_NODES:
            return None
        if len(key_path) > _MAX_DEPTH:
            if not self.failed:
                self._refuse(
                    node,
                    key_path[:3],
                    f"the file nests more than {_MAX_DEPTH} levels deep",
                    "a scenario needs only a few levels: check the indentation and brackets",
                )
            return None
        self.count += 1
        if self.count > _MAX_NODES:
            if not self.failed:
                self.problems.add(
                    self.path,
                    "",
                    "",
                    "the file is too large or uses aliases too deeply",
                    "write the values out without YAML aliases",
                )
            self.failed = True
            return None
        line = node.start_mark.line + 1
        self.lines.setdefault(key_path, line)
        if node.tag not in _SAFE_TAGS:
            self.problems.add(
                self.path,
                f"line {line}",
                ".".join(map(str, key_path)),
                f"the YAML tag '{node.tag.replace(_STANDARD, '!!')}' is not allowed",
                "remove the tag: only plain values, lists and mappings are read",
            )
            self.failed = True
            return None
        if not isinstance(node, yaml.ScalarNode) and node.tag in (
            _STANDARD + t for t in ("str", "int", "float", "bool", "null", "timestamp")
        ):
            self._refuse(
                node,
                key_path,
                f"the tag '{node.tag.replace(_STANDARD, '!!')}' cannot hold a list or a mapping",
                "remove the tag",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            try:
                self.constructor.flatten_mapping(node)
            except yaml.YAMLError:
                self._refuse(
                    node,
                    key_path,
                    "a merge key (<<) must name a mapping or a list of mappings",
                    "write the keys out in full",
                )
                return None
            result: dict = {}
            for key_node, value_node in node.value:
                if self.count > _MAX_NODES:
                    break
                key = self.convert(key_node, key_path + ("<key>",))
                if isinstance(key, (dict, list)):
                    self.problems.add(
                        self.path,
                        f"line {key_node.start_mark.line + 1}",
                        "",
                        "a mapping key must be a plain value",
                        "write key: value",
                    )
                    continue
                key = _key_text(key)
                if key in result:
                    self.problems.add(
                        self.path,
                        f"line {key_node.start_mark.line + 1}",
                        ".".join(map(str, key_path + (key,))),
                        "this key is given twice",
                        "keep one of the two",
                    )
                    continue
                self.lines[key_path + (key,)] = key_node.start_mark.line + 1
                result[key] = self.convert(value_node, key_path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, key_path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT) and not node.style:
            misread = _misread_number(node.value)
            if misread:
                self._refuse(node, key_path, misread[0], misread[1])
                return None
        if node.tag == _NULL and node.value not in _NULL_SPELLINGS:
            # PyYAML reads `!!null anything` as nothing: the value typed would be lost silently
            self._refuse(node, key_path, f"'{node.value}' is not a valid !!null value", "remove the tag or the value")
            return None
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # noqa: BLE001 - PyYAML raises KeyError, AttributeError ... on bad tagged values
            tag = node.tag.replace(_STANDARD, "!!")
            shown = node.value if isinstance(node.value, str) else "this value"
            self._refuse(node, key_path, f"'{shown}' is not a valid {tag} value", "remove the tag or correct the value")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) > _MAX_DIGITS:
            self._refuse(
                node,
                key_path,
                f"the whole number has more than {_MAX_DIGITS} digits",
                "write a real figure" + (" (money is in £ thousands)" if _is_money(key_path) else ""),
            )
            return None
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value


def _is_money(key_path: tuple) -> bool:
    """Whether a key path names money in £ thousands (a key in it ends in _k)."""
    return any(isinstance(key, str) and key.endswith("_k") for key in key_path)


def _misread_number(text: str) -> tuple[str, str] | None:
    """What YAML 1.1 would read differently from how a person reads a plain number, if anything."""
    bare = text.strip().lstrip("+-")
    if ":" in bare:
        return (
            f"'{text}' would be read as a base-60 (clock) number",
            f"write it as a plain number, or in quotes ('{text}') if it is text",
        )
    if "_" in bare:
        return f"'{text}' has underscores in it", "write the number without underscores"
    digits = bare.split(".")[0]
    if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
        return (
            f"'{text}' starts with 0 and would be read as an octal number",
            f"write it without the leading zero ({bare.lstrip('0') or '0'})",
        )
    if bare[:2].lower() in ("0x", "0o", "0b"):
        return f"'{text}' would be read as a hexadecimal, octal or binary number", "write it as a plain decimal number"
    return None


def _key_text(key: object) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return str(key).lower()
    return str(key)


def _too_deep(path: Path, problems: Problems) -> None:
    problems.add(
        path,
        "",
        "",
        "the file nests lists or mappings far too deeply to read",
        "a scenario needs only a few levels: check the brackets",
    )


def load_yaml(path: Path, problems: Problems, what: str) -> YamlDoc | None:
    """Read a YAML file safely; add problems (with lines) and return None when it cannot be used."""
    text = read_text(path, problems, what, MAX_YAML_BYTES)
    if text is None:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        _too_deep(path, problems)
        return None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        detail = err.problem or err.context or "cannot be read"
        problems.add(
            path, where, "", f"YAML syntax error: {detail}", "check the indentation, colons and brackets on that line"
        )
        return None
    except yaml.reader.ReaderError as err:
        # A character YAML does not allow (a control character): name it and its line, rather
        # than PyYAML's two-line message with a position counted in characters.
        code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "\0")
        kind = "a control character" if unicodedata.category(chr(code)) == "Cc" else "a character"
        problems.add(
            path,
            f"line {text[: err.position].count(chr(10)) + 1}",
            "",
            f"the file holds {kind} (U+{code:04X}), which YAML does not allow",
            "delete it: YAML files are plain text",
        )
        return None
    except yaml.YAMLError as err:
        detail = " ".join(str(err).split())  # one line: a problem is one line of the report
        problems.add(path, "", "", f"YAML syntax error: {detail}", "check the file is valid YAML")
        return None
    if node is None:
        return YamlDoc(path, {}, {})
    converter = _Converter(path, problems)
    try:
        data = converter.convert(node, ())
    except RecursionError:
        _too_deep(path, problems)
        return None
    if converter.failed:
        return None
    return YamlDoc(path, data, converter.lines)
