"""Reading a text file as UTF-8, reporting a missing file, a symlink loop, a file too large to be
an input, or a bad byte as a located problem (never a traceback, a hang or unbounded memory)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from mtfs_align.errors import Problem, Problems, display_path

MAX_TEXT_BYTES = 50_000_000  # 50 MB: a council's CSV is a few hundred kB at most
MAX_YAML_BYTES = 5_000_000  # 5 MB: a scenario or plan is a few kB, and PyYAML reads about 1 MB a second


def shown(path: Path | str) -> str:
    """The path as `display_path` shows it, without resolving through a symlink loop (which
    raises in pathlib) and without failing on a folder that cannot be read."""
    path = Path(path)
    try:
        return display_path(path)
    except (OSError, RuntimeError):
        try:
            return os.path.join(display_path(path.parent), path.name)
        except (OSError, RuntimeError):
            return str(path)


def add(problems: Problems, path: Path | str, where: str, field_name: str, message: str, fix: str = "") -> None:
    """`problems.add`, safe for a path that is a symlink loop."""
    problems.items.append(Problem(shown(path) if path else "", where, field_name, message, fix))


def check_file(path: Path, problems: Problems, what: str, limit: int, fix_large: str) -> bool:
    """Whether `path` is a regular file that can be read and is not above `limit` bytes; when not,
    one located problem says why (missing, a symlink loop, a folder, too large, unreadable)."""
    try:
        info = path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            add(
                problems,
                path,
                "",
                "",
                f"the {what} file is a symbolic link that loops back on itself",
                "replace the link with the file itself, or point it at a real file",
            )
        elif err.errno in (errno.ENOENT, errno.ENOTDIR):
            add(problems, path, "", "", f"the {what} file is missing", f"create {path.name} (see docs/user-guide.md)")
        else:
            add(problems, path, "", "", f"the {what} file cannot be read ({err.strerror})", "check the file")
        return False
    if stat.S_ISDIR(info.st_mode):
        add(problems, path, "", "", f"the {what} file is missing", f"create {path.name} (see docs/user-guide.md)")
        return False
    if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
        add(
            problems,
            path,
            "",
            "",
            f"the {what} file is not a regular file (it is a pipe, a socket or a device)",
            f"put the {what} file itself in its place",
        )
        return False
    if info.st_size > limit:
        add(
            problems,
            path,
            "",
            "",
            f"the {what} file is {info.st_size / 1e6:,.0f} MB, above the limit of {limit / 1e6:,.0f} MB for an input",
            fix_large,
        )
        return False
    return True


def read_text(path: Path, problems: Problems, what: str, limit: int = MAX_TEXT_BYTES) -> str | None:
    """The file's text, or None (with a problem added) when it is missing, a symlink loop, above
    `limit` bytes, unreadable or not UTF-8."""
    if not check_file(path, problems, what, limit, "check it is the right file: an input is far smaller"):
        return None
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)  # the file may have grown since it was measured
    except OSError as err:
        add(problems, path, "", "", f"the {what} file cannot be read ({err.strerror})", "check the file")
        return None
    if len(raw) > limit:
        add(
            problems,
            path,
            "",
            "",
            f"the {what} file is above the limit of {limit / 1e6:,.0f} MB for an input",
            "check it is the right file: an input is far smaller",
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        add(
            problems,
            path,
            f"line {line}",
            "",
            f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start})",
            "save it as 'CSV UTF-8' or UTF-8 text",
        )
        return None
    return text


MAX_NAME_BYTES = 255  # one file or folder name (Linux, macOS and Windows alike)
MAX_PATH_BYTES = 4096  # a whole path (Linux's PATH_MAX)


def unusable(path: Path | str) -> str:
    """Why no operating system could use `path` as written, or '' when it could: a NUL character,
    a name longer than 255 bytes or a path longer than 4,096 (the calls would raise, not answer)."""
    text = str(path)
    if "\0" in text:
        return "it holds a NUL character (U+0000)"
    encoded = os.fsencode(text)
    if len(encoded) > MAX_PATH_BYTES:
        return f"it is {len(encoded):,} bytes long, more than a path can be ({MAX_PATH_BYTES:,})"
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if longest > MAX_NAME_BYTES:
        return f"a name in it is {longest:,} bytes long, more than a file name can be ({MAX_NAME_BYTES})"
    return ""


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def resolve_or_problem(
    path: Path, problems: Problems, what: str, where_file: Path | str = "", where: str = "", field_name: str = ""
) -> Path | None:
    """`path.resolve()`, or None with a located problem when the path could not be a path (see
    `unusable`), is a symbolic link loop (pathlib raises RuntimeError for one) or cannot be
    resolved; the problem is placed at `where_file`/`where`/`field_name` when given (e.g. the
    scenario's `data:` line), else at `path`."""
    why = unusable(path)
    if why:
        add(
            problems,
            where_file if where_file and not unusable(where_file) else "",
            where,
            field_name,
            f"the {what} path '{_short(str(path))}' cannot be used: {why}",
            "give the path of a real file or folder, relative to the scenario file",
        )
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        add(
            problems,
            where_file or path,
            where,
            field_name,
            f"the {what} {shown(path)} is a symbolic link that loops back on itself",
            "replace the link with the file or folder itself, or point it at a real one",
        )
        return None
