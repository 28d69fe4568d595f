"""The core index in sentences (DESIGN 4.5): how many options are core, borderline and exterior
under other plausible priority weights. An option the scenario withdrew (policy.reject) or screened
out for its equality impact was never available: it is counted as withdrawn or screened out, never
as exterior, which says an option was found not worthwhile."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from mtfs_align.wording import and_list, count

if TYPE_CHECKING:
    from mtfs_align.analysis.robust import RobustResult

CLASSES = ("core", "borderline", "exterior")


def core_index_counts(table: pd.DataFrame, withdrawn: Iterable[str] = (), screened: Iterable[str] = ()) -> dict:
    """Options in each class of core_index.csv, the withdrawn and the screened out counted on
    their own (and left out of the class they hold in the table)."""
    options = table["option"].astype(str)
    withdrawn_ids = [o for o in options if o in set(withdrawn)]
    screened_ids = [o for o in options if o in set(screened) and o not in set(withdrawn_ids)]
    available = ~options.isin(withdrawn_ids + screened_ids)
    classes = table.loc[available, "class"].astype(str)
    counts: dict = {c: int((classes == c).sum()) for c in CLASSES}
    counts["withdrawn"], counts["screened"] = withdrawn_ids, screened_ids
    return counts


def _not_available(counts: dict) -> str:
    """'S4 withdrawn by the scenario and S5 screened out for its equality impact' (empty if none)."""
    parts = []
    if counts["withdrawn"]:
        parts.append(f"{and_list(counts['withdrawn'])} withdrawn by the scenario")
    if counts["screened"]:
        its = "its" if len(counts["screened"]) == 1 else "their"
        parts.append(f"{and_list(counts['screened'])} screened out for {its} equality impact")
    return and_list(parts)


def core_index_line(counts: dict) -> str:
    """The terminal's count of core, borderline and exterior options."""
    line = (
        f"{count(counts['core'], 'option')} {'is' if counts['core'] == 1 else 'are'} core (adopted in at least "
        f"95% of samples), {counts['borderline']} borderline and {counts['exterior']} exterior (adopted in at "
        "most 5%)"
    )
    absent = _not_available(counts)
    if absent:
        line += f"; not counted, as never available: {absent}"
    return line + "."


def core_index_message(counts: dict) -> str:
    """The briefing's key message on the core index (the options screened out are named by a
    message of their own)."""
    core, exterior, borderline = counts["core"], counts["exterior"], counts["borderline"]
    sentence = (
        f"Under other plausible priority weights, {core} option{' is' if core == 1 else 's are'} adopted almost "
        f"always (core), {exterior} almost never, and {borderline} depend{'s' if borderline == 1 else ''} on "
        "the weights chosen"
    )
    absent = []
    if counts["withdrawn"]:
        absent.append(f"{', '.join(counts['withdrawn'])} withdrawn")
    if counts["screened"]:
        absent.append("those screened out")
    if absent:
        sentence += f" (not counting {' or '.join(absent)})"
    return sentence + "."


def robust_lines(result: RobustResult) -> list[str]:
    """The core index in council English for the terminal."""
    how = (
        "uniform within the scenario's weight ranges"
        if result.sampling == "ranges"
        else f"Dirichlet around the Cabinet's weights, concentration {result.concentration:g}"
    )
    scenario = result.optimum.model.scenario
    table = result.table
    counts = core_index_counts(table, scenario.policy.reject, scenario.screened)
    out = [
        f"Across {result.samples} samples of the priority weights ({how}; seed {result.seed}):",
        f"  {core_index_line(counts)}",
    ]
    borderline = table[table["class"] == "borderline"].sort_values("core_index", ascending=False, kind="stable")
    if not borderline.empty:
        out.append("  Borderline, depending on the weights:")
        for _, row in borderline.iterrows():
            out.append(f"    {row['option']} {row['name']} ({row['core_index']:.0%} of samples)")
    plan = result.optimum.plan
    core_in_plan = int(table[table["option"].isin(plan) & (table["class"] == "core")].shape[0])
    out.append(
        f"  At the Cabinet's own weights the optimised plan adopts {len(plan)} options; {core_in_plan} of "
        "them are core."
    )
    if result.status != "optimal":
        out.append("The solver stopped at the time limit for some samples: those plans may not be optimal.")
    return out
