"""Outcomes and alignment: harm by outcome and year, spend against need by outcome and priority,
and each priority's share of aligned spend against the Cabinet's weight."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mtfs_align.model import Model


def harm_by_outcome_year(model: Model, options: np.ndarray, starts: np.ndarray) -> np.ndarray:
    in_effect = (np.arange(model.n)[None, :] >= starts[:, None]).astype(float)  # (plan, n)
    weighted = model.severity[options] * model.outcome_weight[None, :]  # (plan, K)
    return weighted.T @ in_effect


def outcome_table(model: Model, spend, service_spend, harm_years) -> pd.DataFrame:
    sc = model.scenario
    need = model.share_ao.T @ model.need
    aligned_spend = model.share_ao.T @ spend
    aligned_service = model.share_ao.T @ service_spend
    rows = []
    for k, oid in enumerate(model.outcome_ids):
        outcome = sc.outcomes[oid]
        for t, year in enumerate(model.years):
            rows.append(
                {
                    "outcome": oid,
                    "name": outcome.name,
                    "priority": outcome.priority,
                    "year": year,
                    "need_k": need[k, t],
                    "spend_k": aligned_spend[k, t],
                    "service_spend_k": aligned_service[k, t],
                    "harm": harm_years[k, t],
                }
            )
    return pd.DataFrame(rows)


def alignment_table(model: Model, spend) -> pd.DataFrame:
    sc = model.scenario
    by_priority = model.share_ap.T @ spend
    need_priority = model.share_ap.T @ model.need
    by_outcome = model.share_ao.T @ spend
    need_outcome = model.share_ao.T @ model.need
    unaligned_rows = model.share_ao.sum(axis=1) < 1e-9
    unaligned = spend[unaligned_rows].sum(axis=0) + model.pressures
    unaligned_need = model.need[unaligned_rows].sum(axis=0) + model.pressures
    aligned_total = by_priority.sum(axis=0)
    total = aligned_total + unaligned
    rows = []
    for t, year in enumerate(model.years):
        for p, pid in enumerate(model.priority_ids):
            rows.append(
                _alignment_row(
                    "priority",
                    pid,
                    sc.priorities[pid].name,
                    year,
                    need_priority[p, t],
                    by_priority[p, t],
                    aligned_total[t],
                    total[t],
                    model.priority_weight[p],
                )
            )
        for k, oid in enumerate(model.outcome_ids):
            rows.append(
                _alignment_row(
                    "outcome",
                    oid,
                    sc.outcomes[oid].name,
                    year,
                    need_outcome[k, t],
                    by_outcome[k, t],
                    aligned_total[t],
                    total[t],
                    model.outcome_weight[k],
                )
            )
        rows.append(
            _alignment_row(
                "unaligned",
                "unaligned",
                "Spend aligned to no outcome (incl. corporate pressures)",
                year,
                unaligned_need[t],
                unaligned[t],
                None,
                total[t],
                None,
            )
        )
    return pd.DataFrame(rows)


def _alignment_row(level, ident, name, year, need, spend, aligned_total, total, weight) -> dict:
    return {
        "level": level,
        "id": ident,
        "name": name,
        "year": year,
        "need_k": need,
        "spend_k": spend,
        "share_of_aligned": spend / aligned_total if aligned_total else np.nan,
        "share_of_total": spend / total if total else np.nan,
        "cabinet_weight": weight if weight is not None else np.nan,
    }
