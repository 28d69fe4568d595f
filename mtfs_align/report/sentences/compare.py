"""Scenarios side by side in council English (DESIGN 4.5, compare): the table of each year's
figures, then one sentence per scenario against the first. A scenario that does less harm by
leaving savings unfunded is never praised for its harm without saying what it leaves unfunded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mtfs_align.analysis.compare import CompareResult, ordered_union
from mtfs_align.report.sentences.phrases import harm_change, unfunded
from mtfs_align.wording import money, summed_over, summed_over_each

if TYPE_CHECKING:
    from mtfs_align.evaluate import Evaluation

HARM_DIGITS = 3  # the compare table prints harm to three decimals
HARM_TOLERANCE = 5e-4

_MEASURES = [
    ("gap_k", "Budget gap (before savings)"),
    ("savings_k", "Savings"),
    ("one_off_k", "One-off costs"),
    ("reserves_draw_k", "Reserves drawn"),
    ("unidentified_k", "Savings still to be found"),
]


def compare_lines(result: CompareResult) -> list[str]:
    """A side-by-side summary in plain council English, money as £4.2m."""
    evs, labels = result.evaluations, result.labels
    years = ordered_union(ev.model.years for ev in evs)
    width = max([12, *(len(label) + 2 for label in labels)])
    head = f"{'':<34}" + "".join(f"{label:>{width}}" for label in labels)
    out = ["Scenarios compared:"]
    for label, ev in zip(labels, evs, strict=True):
        basis = "expected delivery" if ev.model.scenario.policy.plan_on != "nominal" else "their nominal value"
        options = f"{len(ev.plan)} option{'' if len(ev.plan) == 1 else 's'}"
        out.append(f"  {label}: {ev.model.scenario.name} ({options}, savings counted at {basis})")
    out += ["", head, "-" * len(head)]
    table = result.table
    for column, title in _MEASURES:
        out.append(title)
        for year in years:
            cells = []
            for label in labels:
                value = table.loc[(table["scenario"] == label) & (table["year"] == year), column]
                cells.append(money(float(value.iloc[0])) if len(value) else "-")
            out.append(f"  {year:<32}" + "".join(f"{c:>{width}}" for c in cells))
    out.append("Reserves at the end of the last year")
    out.append(
        f"  {'closing balance':<32}"
        + "".join(f"{money(float(ev.budget['reserves_balance_k'].iloc[-1])):>{width}}" for ev in evs)
    )
    out.append(f"{'Years that balance':<34}" + "".join(f"{_balanced_years(ev):>{width}}" for ev in evs))
    out.append("Outcome harm" + summed_over_each(len(ev.model.years) for ev in evs))
    out.append(f"  {'all priorities':<32}" + "".join(f"{ev.harm:>{width}.3f}" for ev in evs))
    for p in result.priorities:
        cells = [f"{ev.harm_by_priority[p]:.3f}" if p in ev.harm_by_priority else "-" for ev in evs]
        out.append(f"  {_priority_name(evs, p):<32}" + "".join(f"{c:>{width}}" for c in cells))
    out.append(f"{'Options adopted':<34}" + "".join(f"{len(ev.plan):>{width}}" for ev in evs))
    out.append("-" * len(head))

    if result.options.empty:
        out.append("Every plan adopts the same options from the same years.")
    else:
        count = len(result.options)
        out.append(
            f"{count} option{'s' if count != 1 else ''} differ between the plans (start year; '-' = not adopted):"
        )
        for _, row in result.options.iterrows():
            name = _shorten(f"{row['option']} {row['name']}", 32)
            cells = [row[label] or "-" for label in labels]
            out.append(f"  {name:<32}" + "".join(f"{c:>{width}}" for c in cells))
    if len(evs) > 1:
        out.append("")
        out.append(f"Against {evs[0].model.scenario.name}:")
        out.extend(f"  - {scenario_against_base(ev, evs[0])}" for ev in evs[1:])
    return out


def _unfunded(ev: Evaluation) -> str:
    return unfunded(ev.budget["unidentified_k"].to_numpy(float), ev.model.years)


def scenario_against_base(ev: Evaluation, base: Evaluation) -> str:
    """One scenario against the first: what it leaves unfunded, what it draws, what it does to
    harm, and, where its harm is lower only because it leaves more unfunded (or higher because
    it finds more), that too."""
    name, base_name = ev.model.scenario.name, base.model.scenario.name
    n = ev.model.n
    if ev.unidentified_k >= 0.5:
        sentence = f"{name} leaves {_unfunded(ev)}"
    else:
        sentence = f"{name} balances every year with no savings still to be found"
    sentence += f", where {base_name} leaves {_unfunded(base) if base.unidentified_k >= 0.5 else 'none'}"
    sentence += (
        f"; it draws {money(ev.reserves_draw_k)} from reserves{summed_over(n)} ({base_name} "
        f"{money(base.reserves_draw_k)}) and "
    )
    sentence += harm_change(base.harm, ev.harm, HARM_DIGITS)
    more_unfunded = ev.unidentified_k - base.unidentified_k
    if more_unfunded >= 0.5 and ev.harm < base.harm - HARM_TOLERANCE:
        sentence += (
            f"; the lower harm comes with {money(more_unfunded)} more savings left unfunded{summed_over(n)}, "
            "not from a better plan for the same savings"
        )
    elif -more_unfunded >= 0.5 and ev.harm > base.harm + HARM_TOLERANCE:
        sentence += (
            f"; the higher harm pays for {money(-more_unfunded)} more savings found{summed_over(n)} than {base_name}"
        )
    return sentence + "."


def _balanced_years(ev: Evaluation) -> str:
    balanced = int((ev.budget["balanced"] == "yes").sum())
    return f"{balanced} of {len(ev.budget)}"


def _priority_name(evs: list[Evaluation], pid: str) -> str:
    for ev in evs:
        if pid in ev.model.scenario.priorities:
            return _shorten(f"{pid} {ev.model.scenario.priorities[pid].name}", 32)
    return pid


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
