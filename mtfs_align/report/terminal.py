"""What each command prints on stdout, worked out from its results (mtfs_align.results): the
report stage's terminal text. The command line prints these lines and nothing else of its own
but where the files went."""

from __future__ import annotations

from mtfs_align.errors import display_path
from mtfs_align.report.sentences.compare import compare_lines as side_by_side_lines
from mtfs_align.report.sentences.frontier import frontier_lines as trade_off_lines
from mtfs_align.report.sentences.phrases import unfunded
from mtfs_align.report.sentences.proposal import proposal_lines
from mtfs_align.report.sentences.risk_check import out_of_sample_lines
from mtfs_align.report.sentences.robust import robust_lines as core_index_lines
from mtfs_align.report.text import (
    binding_lines,
    breach_lines,
    budget_lines,
    by_year_lines,
    risk_lines,
    summary_lines,
    unscored_sentence,
)
from mtfs_align.results import RunResults
from mtfs_align.wording import money


def validate_lines(model) -> list[str]:
    """`validate`: the scenario in a few lines, and its funding, need and gap by year."""
    sc = model.scenario
    out = [
        f"{sc.council}: scenario '{sc.name}' ({display_path(sc.path)})",
        f"Years {sc.years[0]} to {sc.years[-1]}; {len(sc.priorities)} priorities, {len(sc.outcomes)} "
        f"outcomes, {len(sc.activities)} activities, {len(sc.options)} savings options"
        f"{f', {len(sc.screened)} screened out by equality impact' if sc.screened else ''}.",
        f"{'Year':<9}{'Funding':>11}{'Need':>11}{'Gap':>10}{'New gap':>10}",
    ]
    new_gap = model.gap - [0.0, *model.gap[:-1]]
    for t, year in enumerate(sc.years):
        out.append(
            f"{year:<9}{money(model.funding[t]):>11}{money(model.need_council[t]):>11}"
            f"{money(model.gap[t]):>10}{money(new_gap[t]):>10}"
        )
    out.append(f"The gap reaches {money(model.gap[-1])} by {sc.years[-1]}. The scenario is valid.")
    unscored = unscored_sentence(model.unscored_options())
    if unscored:
        out.append(unscored)
    return out


def evaluation_lines(ev, heading: str) -> list[str]:
    """A plan year by year: options by start year, the budget table, headlines and breaches."""
    sc = ev.model.scenario
    out = [
        f"{sc.council}: {sc.name}",
        f"{heading}: {len(ev.plan)} options, savings counted at "
        f"{'their nominal value' if sc.policy.plan_on == 'nominal' else 'expected delivery'}.",
    ]
    unscored = unscored_sentence(ev.model.unscored_options(), list(ev.plan))
    if unscored:
        out.append(unscored)
    out += by_year_lines(ev)
    out.append("")
    out += budget_lines(ev)
    out.append("")
    out += summary_lines(ev)
    if not ev.breaches.empty:
        out.append(
            f"{len(ev.breaches)} breach{'es' if len(ev.breaches) != 1 else ''} of the budget envelope "
            "or the scenario's policy:"
        )
        out += breach_lines(ev)
    else:
        out.append("Every activity stays inside its budget envelope, and the plan keeps to the policy.")
    return out


def check_lines(results: RunResults) -> list[str]:
    return evaluation_lines(results.evaluation, results.analyses["plan_source"])


def optimise_lines(results: RunResults) -> list[str]:
    ev, solution = results.evaluation, results.solution
    out = evaluation_lines(ev, "Optimised plan")
    checked = results.analyses.get("risk_check")
    if checked is not None:
        out += out_of_sample_lines(checked, ev.model.years)
    if solution.status != "optimal":
        gap = f" (gap {solution.reported_gap:.2%})" if solution.reported_gap is not None else ""
        out.append(f"The solver stopped at the time limit{gap}: this plan may not be optimal.")
        out += stopped_lines(getattr(solution, "stopped", None))
    binding = binding_lines(ev)
    if binding:
        out.append("What binds:")
        out += [f"  - {line}" for line in binding]
    return out


def stopped_lines(stopped: dict | None) -> list[str]:
    """What the search had proved when the time limit stopped it (optimise.Solution.stopped)."""
    if not stopped:
        return []
    if stopped["stage"] != "harm":
        return ["  It stopped while finding the least unidentified savings: the harm of this plan was not minimised."]
    if stopped["plan_value"] is None:
        return ["  It stopped minimising harm before it found a plan: this is the balanced plan, harm not minimised."]
    proved = f"  While minimising harm it found a plan scoring {stopped['plan_value']:,.3f}"
    if stopped["bound"] is not None:
        proved += f" and proved that no plan scores below {stopped['bound']:,.3f}"
    work = f"{stopped['seconds']:,.0f} s"
    if stopped["nodes"] is not None:
        work += f", {stopped['nodes']:,} search nodes and {stopped['lp_iterations']:,} LP iterations"
    return [f"{proved} ({work}); allow more time with --time-limit, or a looser --mip-gap."]


def delivery_risk_lines(results: RunResults) -> list[str]:
    sc, ev = results.scenario, results.evaluation
    which = results.analyses["plan_source"]
    out = [f"{sc.council}: {sc.name}; delivery risk of {which} ({len(ev.plan)} options)."]
    solution = results.solution
    best_possible = solution is not None and getattr(solution, "risk", None) is not None
    return out + risk_lines(results.analyses["risk"], best_possible)


def compare_lines(results: RunResults) -> list[str]:
    return side_by_side_lines(results.analyses["compare"])


def frontier_lines(results: RunResults) -> list[str]:
    sc = results.scenario
    out = [f"{sc.council}: {sc.name}", *trade_off_lines(results.analyses["frontier"])]
    compared = results.analyses.get("proposal")
    if compared is not None:
        out += ["", "The proposed plan against the optimum:", *(f"  {line}" for line in proposal_lines(compared))]
    return out


def robust_lines(results: RunResults) -> list[str]:
    sc = results.scenario
    return [f"{sc.council}: {sc.name}", *core_index_lines(results.analyses["robust"])]


def run_lines(results: RunResults) -> list[str]:
    from mtfs_align.report.sentences.resilience import certainty_cost_sentence

    ev = results.evaluation
    out = evaluation_lines(ev, "Optimised plan")
    out += [f"  - {line}" for line in binding_lines(ev)]
    out.append("")
    compared = results.analyses.get("proposal")
    if compared is not None:
        out += proposal_lines(compared)
    checked = results.analyses.get("risk_check")
    if checked is not None:
        out += out_of_sample_lines(checked, ev.model.years)
    certainty = results.analyses.get("certainty")
    if certainty is not None:
        out.append(
            certainty_cost_sentence(
                certainty["deterministic_harm"],
                certainty["harm"],
                certainty["deterministic_cvar_k"],
                certainty["cvar_k"],
                certainty["years"],
                certainty["confidence"],
            )
            + " (Both plans on the same fresh draws.)"
        )
    return out + risk_lines(results.analyses["risk"], results.solution.risk is not None)


def batch_lines(results: RunResults) -> list[str]:
    """One line per scenario of batch.csv (status, gap, what is still unidentified, harm, the chance
    every year balances), then how many of each status."""
    from mtfs_align.wording import chance, count

    table = results.batch
    columns = [c for c in table.columns if c.startswith("unidentified_")]
    out = []
    for _, row in table.iterrows():
        head = f"{row['scenario']} -> {row['folder']}/: {row['status']}"
        if row["status"] in ("done", "breach"):
            known = [c for c in columns if row[c] == row[c]]  # a scenario's own years
            left = unfunded(
                [float(row[c]) for c in known], [c.removeprefix("unidentified_").removesuffix("_k") for c in known]
            )
            p = row["p_balanced_all_years"]
            head += (
                f"; gap {money(row['gap_k'])}, {left}, "
                f"harm {row['harm']:.3f}, chance every year balances {chance(p) if p == p else '-'}"
            )
        if row["message"]:
            head += f" ({row['message']})"
        out.append(head)
    tally = table["status"].value_counts()
    out.append(
        f"{count(len(table), 'scenario')}: "
        + ", ".join(f"{tally[s]} {s}" for s in ("done", "breach", "bad input", "failed") if s in tally)
        + "."
    )
    return out


COMMAND_LINES = {
    "check": check_lines,
    "optimise": optimise_lines,
    "risk": delivery_risk_lines,
    "compare": compare_lines,
    "frontier": frontier_lines,
    "robust": robust_lines,
    "run": run_lines,
    "batch": batch_lines,
}


def terminal_lines(results: RunResults) -> list[str]:
    """What `mtfs-align <command>` prints for these results (before where the files went)."""
    return COMMAND_LINES[results.command](results)
