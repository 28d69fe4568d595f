"""Reading a text file as UTF-8, reporting a missing file or a bad byte as a problem."""

from __future__ import annotations

from pathlib import Path

from mtfs_align.errors import Problems


def read_text(path: Path, problems: Problems, what: str) -> str | None:
    """The file's text, or None (with a problem added) when it is missing or not UTF-8."""
    if not path.is_file():
        problems.add(path, "", "", f"the {what} file is missing", f"create {path.name} (see docs/user-guide.md)")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.add(
            path,
            f"line {line}",
            "",
            f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start})",
            "save it as 'CSV UTF-8' or UTF-8 text",
        )
        return None
    return text
