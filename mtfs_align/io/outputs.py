"""Writing an output folder: built in a temporary folder and swapped into place whole (replacing only
the tool's own earlier output), never inside the data or scenario folders, with spreadsheet formulas
neutralised and money to three decimals (`output_values`; what may be replaced is `output_marker`)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import pandas as pd

from mtfs_align.errors import Problems, display_path
from mtfs_align.io.output_marker import (
    MARKER,
    MARKER_TOKEN,
    foreign_entries,
    location_problem,
    marker_files,
    refusal,
    replace_problem,
)
from mtfs_align.io.output_values import csv_ready, format_number, json_default, money_json, neutralise, sha256
from mtfs_align.version import __version__

# The names callers take from here, wherever they now live.
__all__ = [
    "MARKER",
    "MARKER_TOKEN",
    "OutputFolder",
    "check_output_location",
    "csv_ready",
    "exchange",
    "foreign_entries",
    "format_number",
    "money_json",
    "neutralise",
    "recover",
    "replace_problem",
    "sha256",
]


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
            raise refusal(
                f"the output folder {display_path(target)} cannot be written: {err.strerror}",
                "choose a folder you can write to with --out",
            ) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise refusal(
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
            raise refusal(*located)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise refusal(
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
            json.dump(data, handle, indent=2, ensure_ascii=False, default=json_default)
            handle.write("\n")

    def copy_from(self, folder: Path) -> None:
        """Start from an earlier output's files (for `brief`, which adds charts and the briefing)."""
        for name in sorted(marker_files(folder) or ()):
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
            raise refusal(*refused)
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
