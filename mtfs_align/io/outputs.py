"""Writing an output folder: built in a temporary folder and moved into place whole, never inside
the data or scenario folders, with spreadsheet formulas neutralised and money to three decimals."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from mtfs_align.errors import Problems, display_path

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


def check_output_location(target: Path, forbidden: list[Path], inputs: list[Path]) -> None:
    """Refuse an output folder inside data/ or scenarios/, or one that holds an input or a user's
    own folder that is not an earlier mtfs_align output (it would be replaced whole).

    `forbidden` holds the data folder and the scenario's folder. A data folder laid out as
    DESIGN 3 says (`data/<council>/`) also protects `data/` itself, where other councils live.
    A forbidden folder that holds the working folder is not refused whole (see below)."""
    problems = Problems()

    def refuse(message: str, fix: str) -> None:
        problems.add("--out", "", "", message, fix)  # reads "--out: the output folder ..."

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
            refuse(f"the output folder {display_path(target)} is inside {display_path(folder)}, "
                   "which holds the inputs", "write outputs elsewhere, e.g. outputs/<scenario>")
            break
    for path in inputs:
        path = path.resolve()
        if resolved == path or resolved in path.parents:
            refuse(f"the output folder {display_path(target)} contains the input "
                   f"{display_path(path)}", "choose an empty folder or one under outputs/")
    if resolved.exists() and not resolved.is_dir():
        refuse(f"{display_path(target)} exists and is a file", "choose a folder name")
    elif resolved.is_dir() and any(resolved.iterdir()) and not (resolved / "manifest.json").exists():
        refuse(f"{display_path(target)} already exists, is not empty and is not an mtfs_align "
               "output folder, so it will not be replaced", "choose a new or empty folder")
    problems.raise_if_any()


class OutputFolder:
    """Collect files in a temporary folder beside the target; `commit` swaps it in whole."""

    def __init__(self, target: Path):
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent))
        self.files: list[str] = []

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

    def commit(self) -> Path:
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.target, old)
        os.replace(self.tmp, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is not None:
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
