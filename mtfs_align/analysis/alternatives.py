"""Every alternative a Cabinet is shown, kept (DESIGN 5 `plans/`): the plan of each frontier point
and of B and C in plan.csv's columns, and each alternative's activities against their floors and
cash limits (`plans_activities.csv`), for the briefing's plan explorer and for `check --plan`."""

from __future__ import annotations

import pandas as pd

from mtfs_align.evaluate import Evaluation


def frontier_plan_name(point: int) -> str:
    """`frontier_01`: the file stem of a frontier point's plan under plans/."""
    return f"frontier_{int(point):02d}"


def alternatives(front=None, proposal=None) -> dict[str, Evaluation]:
    """The evaluated alternatives by name: `frontier_01`, ... (a FrontierResult's points), `P`, `B`
    and `C` (a ProposalResult's; B or C is absent when no plan obeying DESIGN 4.4 exists)."""
    found: dict[str, Evaluation] = {}
    if front is not None:
        for point in front.points:
            found[frontier_plan_name(point.point)] = point.evaluation
    if proposal is not None:
        for key, ev in (("P", proposal.proposal), ("B", proposal.least_harm), ("C", proposal.most_savings)):
            if ev is not None:
                found[key] = ev
    return found


def plan_tables(found: dict[str, Evaluation]) -> dict[str, pd.DataFrame]:
    """`plans/<name>` for every alternative but P (the proposal's plan is `proposal/plan.csv`)."""
    return {f"plans/{name}": ev.plan_table for name, ev in found.items() if name != "P"}


def activities_table(found: dict[str, Evaluation]) -> pd.DataFrame:
    """Each alternative's activities.csv, stacked under a `plan` column, with each activity's
    directorate (the explorer filters options by it)."""
    frames = []
    for name, ev in found.items():
        directorates = {a.id: a.directorate for a in ev.model.scenario.activities.values()}
        frame = ev.activities.copy()
        frame.insert(0, "plan", name)
        frame.insert(3, "directorate", frame["activity"].map(directorates).fillna(""))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
