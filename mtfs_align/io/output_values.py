"""How a value is written in an output file: money to three decimals, spreadsheet formulas
neutralised, NaN blank; a file's sha256."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd

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


def json_default(value: object):
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
