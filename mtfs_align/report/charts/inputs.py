"""The DESIGN 5 tables as the charts read them: numbers from columns, years in order, the
`priority` rows of alignment.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd


def year_columns(frame: pd.DataFrame) -> list[str]:
    """The `<year>_k` columns of plan.csv / savings_summary.csv, in order."""
    return [c for c in frame.columns if c.endswith("_k") and "/" in c]


def numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def priority_rows(alignment: pd.DataFrame) -> pd.DataFrame:
    rows = alignment[alignment["level"] == "priority"].copy()
    for column in ("need_k", "spend_k", "share_of_aligned", "cabinet_weight"):
        if column in rows:
            rows[column] = pd.to_numeric(rows[column], errors="coerce")
    return rows


def distinct(values: pd.Series) -> list[str]:
    return list(dict.fromkeys(values.astype(str)))
