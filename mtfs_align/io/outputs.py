"""Writing an output folder: built in a temporary folder and swapped into place whole (replacing only
the tool's own earlier output), never inside the data or scenario folders, with spreadsheet formulas
neutralised and money to three decimals."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from mtfs_align import __version__
from mtfs_align.errors import InputError, Problem, Problems, display_path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def format_number(value: float, money: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    if money:
        text = f"{round(value, 3):.3f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.10g}" if abs(value) >= 1e-9 else "0"
    return "0" if text in ("-0", "") else text


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text to write: money to 3 decimals, formulas neutralised, NaN blank."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        series = frame[column]
        money = str(column).endswith("_k")
        if pd.api.types.is_bool_dtype(series):
            out[column] = series.map(lambda v: "yes" if v else "no")
        elif pd.api.types.is_numeric_dtype(series):
            out[column] = [format_number(v, money) for v in series]
        else:
            out[column] = [_cell(v, money) for v in series]
    return out


def _cell(value: object, money: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        return format_number(float(value), money)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return format_number(float(value), money)
    return neutralise(str(value))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# An output folder is replaced only when this marker says the tool wrote it, and only when it holds
# nothing the marker does not list: a folder of the user's (with its own manifest.json, say), or a
# file the user put beside the outputs, is never deleted.
MARKER = ".mtfs-align-output"
MARKER_TOKEN = "mtfs-align output folder"
_NAME_MAX = 255


def _marker_files(folder: Path) -> set[str] | None:
    """The files the marker of `folder` lists, or None when there is no readable marker."""
    try:
        with open(folder / MARKER, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("token") != MARKER_TOKEN or not isinstance(data.get("files"), list):
        return None
    return {str(name) for name in data["files"]}


def foreign_entries(folder: Path) -> list[str] | None:
    """What in an earlier output folder the tool did not write (relative names), or None when the
    folder has no marker at all. An empty list means the folder may be replaced."""
    listed = _marker_files(folder)
    if listed is None:
        return None
    listed_dirs = {str(parent) for name in listed for parent in Path(name).parents if str(parent) != "."}
    foreign = []
    for root, dirs, files in os.walk(folder):
        here = Path(root).relative_to(folder)
        for name in dirs:
            relative = str(here / name)
            if relative not in listed_dirs or (Path(root) / name).is_symlink():
                foreign.append(relative + "/")
        dirs[:] = [d for d in dirs if str(here / d) in listed_dirs and not (Path(root) / d).is_symlink()]
        for name in files:
            relative = str(here / name)
            if relative == MARKER:
                continue
            if relative not in listed or (Path(root) / name).is_symlink():
                foreign.append(relative)
    return sorted(foreign)


def replace_problem(target: Path) -> tuple[str, str] | None:
    """Why an existing `target` may not be replaced (message, fix), or None when it may: it does not
    exist, is an empty folder, or is the tool's own earlier output with nothing added."""
    shown = display_path(target)
    if not os.path.lexists(target):
        return None
    if not target.is_dir():
        return f"{shown} exists and is a file", "choose a folder name"
    if not any(target.iterdir()):
        return None
    foreign = foreign_entries(target)
    if foreign is None:
        return (
            f"{shown} already exists, is not empty and is not an mtfs_align output folder (it has no "
            f"{MARKER} file), so it will not be replaced",
            "choose a new or empty folder with --out, or move that folder's files away yourself",
        )
    if foreign:
        listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        return (
            f"{shown} is an earlier mtfs_align output folder but also holds files the tool did not "
            f"write ({listed}), so it will not be replaced",
            "move those files out of the folder, or choose another folder with --out",
        )
    return None


def location_problem(target: Path) -> tuple[str, str] | None:
    """Why `target` cannot be made at all (a file in the way, a name too long, no permission)."""
    shown = display_path(target)
    absolute = Path(os.path.abspath(target))
    for part in absolute.parts:
        if len(os.fsencode(part)) > _NAME_MAX:
            return (
                f"the output folder {shown} has a name part of {len(os.fsencode(part))} bytes, longer than "
                f"the {_NAME_MAX} a file name may have",
                "choose a shorter name with --out",
            )
    ancestor = absolute.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return (
            f"the output folder {shown} cannot be made: {display_path(ancestor)} is a file, not a folder",
            "choose an --out whose parent folders are folders",
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return (
            f"the output folder {shown} cannot be written: no permission to write in {display_path(ancestor)}",
            "choose a folder you can write to with --out",
        )
    return None


def check_output_location(target: Path, forbidden: list[Path], inputs: list[Path]) -> None:
    """Refuse an output folder inside data/ or scenarios/, one that holds an input, one that exists
    and is not the tool's own earlier output (it would be replaced whole), one that cannot be made,
    and one another mtfs-align command is writing now.

    `forbidden` holds the data folder and the scenario's folder. A data folder laid out as
    DESIGN 3 says (`data/<council>/`) also protects `data/` itself, where other councils live.
    A forbidden folder that holds the working folder is not refused whole (see below)."""
    problems = Problems()

    def refuse(message: str, fix: str) -> None:
        problems.add("--out", "", "", message, fix)  # reads "--out: the output folder ..."

    located = location_problem(target)
    if located is not None:
        refuse(*located)
        problems.raise_if_any()
    resolved = target.resolve()
    here = Path.cwd().resolve()
    folders = []
    for folder in forbidden:
        folder = folder.resolve()
        if folder.parent.name == "data":
            folders.append(folder.parent)
        if folder == here or folder in here.parents:
            # The user works from this folder (e.g. a scenario file kept in the project folder):
            # refusing it would refuse the default outputs/<scenario> too. Inputs stay protected
            # by the checks below.
            continue
        folders.append(folder)
    for folder in folders:
        if resolved == folder or folder in resolved.parents:
            refuse(
                f"the output folder {display_path(target)} is inside {display_path(folder)}, which holds the inputs",
                "write outputs elsewhere, e.g. outputs/<scenario>",
            )
            break
    for path in inputs:
        path = path.resolve()
        if resolved == path or resolved in path.parents:
            refuse(
                f"the output folder {display_path(target)} contains the input {display_path(path)}",
                "choose an empty folder or one under outputs/",
            )
    if not problems:
        replace = replace_problem(resolved)
        if replace is not None:
            refuse(*replace)
    if not problems and resolved.parent.is_dir():
        # Fail before the work, not after it, when another command holds the folder now.
        _release(*_take_lock(resolved))
    problems.raise_if_any()


def _refusal(message: str, fix: str) -> InputError:
    return InputError([Problem("--out", "", "", message, fix)])


def _lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def _take_lock(target: Path) -> tuple[int, Path]:
    """An exclusive lock on `.<name>.lock` beside the target, or InputError when another command
    holds it. The file is removed on release, so a lock is only taken on the file now at that path."""
    path = _lock_path(target)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise _refusal(
                f"the output folder {display_path(target)} cannot be written: {err.strerror}",
                "choose a folder you can write to with --out",
            ) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise _refusal(
                f"another mtfs-align command{who} is writing {display_path(target)} now",
                "wait for it to finish, or give this one another folder with --out",
            ) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed the file as we opened it: lock the new one
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd, path


def _release(fd: int, path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(target: Path) -> list[tuple[Path, str, int]]:
    """Temporary and backup folders of earlier runs beside `target`: (path, kind, pid)."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.out\.(old-)?(\d+)-[A-Za-z0-9_]+(\.tmp)?")
    found = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or bool(match.group(1)) == bool(match.group(3)) or not entry.is_dir():
            continue
        found.append((entry, "old" if match.group(1) else "tmp", int(match.group(2))))
    return found


def recover(target: Path) -> None:
    """Undo what an earlier run killed mid-commit left (called under the lock): put the previous
    output back if the fallback swap was cut between its two renames, then remove the temporary and
    backup folders of processes that no longer exist."""
    dead = [(path, kind) for path, kind, pid in _leftovers(target) if not _pid_alive(pid)]
    backups = [path for path, kind in dead if kind == "old"]
    if not os.path.lexists(target) and backups:
        newest = max(backups, key=lambda path: path.stat().st_mtime)
        os.rename(newest, target)
        dead = [(path, kind) for path, kind in dead if path != newest]
    for path, _ in dead:
        shutil.rmtree(path, ignore_errors=True)


# renameat2(2) with RENAME_EXCHANGE swaps two paths in one step (Linux 3.15+, glibc 2.28+), so the
# output folder's name always holds a complete output, the old one or the new one.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    _renameat2.restype = ctypes.c_int
except (AttributeError, OSError):
    _renameat2 = None


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically; False where the system or file system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back until the block is done, then act on them as before. Python-level
    handlers, not a signal mask: another thread (a solver's, numpy's) would take a masked signal."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, object]] = []
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.getsignal(number)
        signal.signal(number, lambda signum, frame: caught.append((signum, frame)))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        for number, frame in caught:
            handler = previous[number]
            if callable(handler):
                handler(number, frame)
            elif handler != signal.SIG_IGN:
                os.kill(os.getpid(), number)


class OutputFolder:
    """Collect files in a temporary folder beside the target; `commit` swaps it in whole.

    From creation to commit the folder is locked against other mtfs-align commands; a run killed at
    any moment leaves the previous output in place, and the next run on that folder tidies up."""

    def __init__(self, target: Path):
        self.target = target.resolve()
        located = location_problem(self.target)
        if located is not None:
            raise _refusal(*located)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise _refusal(
                f"the output folder {display_path(target)} cannot be made: {err.strerror}",
                "choose another folder with --out",
            ) from err
        self._lock: tuple[int, Path] | None = _take_lock(self.target)
        try:
            recover(self.target)
            self.tmp = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.target.name}.out.{os.getpid()}-", suffix=".tmp", dir=self.target.parent
                )
            )
            os.chmod(self.tmp, 0o777 & ~_umask())  # mkdtemp's 0700 would hide the outputs from colleagues
        except BaseException:
            self._unlock()
            raise
        self.files: list[str] = []
        self._committed = False

    def path(self, name: str) -> Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name not in self.files:
            self.files.append(name)
        return path

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        csv_ready(frame).to_csv(self.path(name), index=False, lineterminator="\n", encoding="utf-8")

    def write_json(self, name: str, data: dict) -> None:
        with open(self.path(name), "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False, default=_json_default)
            handle.write("\n")

    def copy_from(self, folder: Path) -> None:
        """Start from an earlier output's files (for `brief`, which adds charts and the briefing)."""
        for name in sorted(_marker_files(folder) or ()):
            source = folder / name
            if source.is_file() and not source.is_symlink():
                shutil.copy2(source, self.path(name))

    def write_marker(self) -> None:
        """List every file in the folder (written by `path` or by the report stage directly)."""
        files = sorted(str(p.relative_to(self.tmp)) for p in self.tmp.rglob("*") if p.is_file())
        files = [name for name in files if name != MARKER]
        data = {
            "token": MARKER_TOKEN,
            "version": __version__,
            "files": files,
            "note": "Written by mtfs-align; the next run replaces this folder whole while it holds only "
            "these files. Keep your own files elsewhere.",
        }
        with open(self.tmp / MARKER, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")

    def swap(self) -> Path | None:
        """Put the new folder in place; returns the previous output's folder, to remove."""
        if not os.path.lexists(self.target):
            os.rename(self.tmp, self.target)
            return None
        if exchange(self.tmp, self.target):
            return self.tmp  # the temporary name now holds the previous output
        # No atomic exchange here: the name is missing between these two renames, and `recover`
        # puts the backup back if the run dies there.
        prefix = f".{self.target.name}.out."
        backup = self.tmp.with_name(prefix + "old-" + self.tmp.name[len(prefix) :].removesuffix(".tmp"))
        os.rename(self.target, backup)
        os.rename(self.tmp, self.target)
        return backup

    def commit(self) -> Path:
        self.write_marker()
        refused = replace_problem(self.target)  # again: the folder may have changed during the work
        if refused is not None:
            raise _refusal(*refused)
        with _signals_held():  # Ctrl-C or SIGTERM waits for the swap (SIGKILL cannot: `recover` covers it)
            previous = self.swap()
            self._committed = True
        self._unlock()
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
        return self.target

    def discard(self) -> None:
        if not self._committed:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            _release(*self._lock)
            self._lock = None

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.discard()


def _json_default(value: object):
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def money_json(value: float) -> float:
    """Money in a manifest: £k to three decimals."""
    return round(float(value), 3) + 0.0
