"""Synthetic councils for the optimiser benchmark: a real data folder and scenario, any size.

`write_council(folder, options=5000, years=4, seed=0)` writes `data/synthetic/` (plan.yaml,
mtfs.yaml, activities.csv, options.csv) and `scenarios/synthetic.yaml` under `folder` and
returns the scenario's path, so a benchmark exercises the whole pipeline from `load_scenario`
on. The same arguments always give byte-identical files.

The shape follows the bundled Westshire example (data/westshire), scaled up:

- about one activity per ten options, in eight directorates, each aligned to one outcome (a
  fifth to two) of a four-priority, ten-outcome plan; spending need of £3m to £80m, some
  growing 1-5% a year; a statutory floor on every activity; a cash limit on about a quarter;
- options with the example's savings-by-year profiles (front-loaded recurring savings,
  ramps, a few one-year-only savings, invest-to-save with a one-off cost, a few investments),
  RAG ratings, efforts of 1 to 3 points, harms to the activity's outcomes (and some to
  others), some benefits, start windows, about 2% with a `requires` and 1.5% with an
  `excludes`, and a few with a high equality impact (screened out by the scenario);
- a scenario with the Cabinet's weights of the example, change capacity, protection of P1,
  two options adopted (one with a year, one with `any`) and two rejected.

The gap is set from a hidden *reference plan* of about 85% of the options, started mostly in the
first year: the gap of each year is what that plan saves (less its one-off costs) plus a little
reserves headroom, and every constraint (floors, cash limits, capacity, protection, requires,
excludes) is set so that the reference plan meets it with some slack only. So the optimum
balances every year (u = 0), but only by using most of the options, and the harm stage has a
real choice to make among them.

Run as a script to write one: `python bench/synthetic.py OUT_DIR --options 5000 --seed 0`.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import yaml

COUNCIL = "synthetic"
DIRECTORATES = ("ASC", "CYP", "EDS", "FRC", "HIT", "ENV", "ECR", "FIN")
PRIORITIES = {  # priority -> (name, [(outcome, weight)]), the example's plan in outline
    "P1": ("Keeping people safe from vulnerable situations", [("O1", 1.4), ("O2", 1.4), ("O3", 1.0)]),
    "P2": ("A sustainable and prosperous economy", [("O4", 0.8), ("O5", 0.9), ("O6", 1.0)]),
    "P3": ("Helping people and communities fulfil their potential", [("O7", 1.0), ("O8", 1.0)]),
    "P4": ("Making the best use of resources", [("O9", 1.0), ("O10", 1.0)]),
}
OUTCOMES = [k for _, (_, ks) in PRIORITIES.items() for k, _ in ks]
WEIGHTS = {"P1": 0.40, "P2": 0.20, "P3": 0.25, "P4": 0.15}
# directorate -> outcomes its activities mostly serve
DIRECTORATE_OUTCOMES = {
    "ASC": ("O2", "O8"),
    "CYP": ("O1", "O7"),
    "EDS": ("O7", "O4"),
    "FRC": ("O3", "O8"),
    "HIT": ("O5", "O3"),
    "ENV": ("O6", "O8"),
    "ECR": ("O9", "O4"),
    "FIN": ("O10", "O9"),
}
# option types with their shares in the example (43 options), rounded
TYPES = {
    "efficiency": 0.22,
    "service reduction": 0.26,
    "commissioning": 0.12,
    "demand management": 0.10,
    "income": 0.08,
    "financing": 0.06,
    "service redesign": 0.04,
    "transformation": 0.04,
    "invest to save": 0.06,
    "investment": 0.02,
}
RAG = {"G": 0.35, "A": 0.47, "R": 0.18}
EQUALITY = {"none": 0.72, "low": 0.10, "medium": 0.15, "high": 0.03}
REFERENCE_SHARE = 0.85  # options in the hidden reference plan
START_WEIGHTS = np.array([0.55, 0.22, 0.14, 0.09])  # start years of the reference plan's options


def _year_labels(first: int, n: int) -> list[str]:
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + n)]


def _levels(profile: np.ndarray, n: int) -> np.ndarray:
    """(O, n) cumulative levels C[o, j] of (O, L) incremental profiles (DESIGN 4.3)."""
    cum = np.cumsum(profile, axis=1)
    out = np.empty((profile.shape[0], n))
    width = min(n, profile.shape[1])
    out[:, :width] = cum[:, :width]
    out[:, width:] = cum[:, -1:]
    return out


def _profile(rng: np.random.Generator, kind: str, size: float, length: int) -> tuple[list[float], float]:
    """An incremental savings-by-year profile in £k (rounded to £10k) and a one-off cost."""
    p = np.zeros(length)
    one_off = 0.0
    if kind == "investment":  # a cost that grows, no saving
        p[0] = -size * rng.uniform(0.2, 0.5)
        if length > 1:
            p[1] = -size * rng.uniform(0.0, 0.3)
    elif kind == "invest to save":  # a one-off cost, savings building from the first or second year
        lag = int(rng.integers(0, 2))
        for j in range(lag, length):
            p[j] = size * rng.uniform(0.2, 0.5)
        one_off = round(size * rng.uniform(0.3, 1.0), -1)
    else:
        shape = rng.choice(["front", "front", "front", "ramp", "flat", "one_year"], p=None)
        if shape == "front":  # e.g. 4000, 3000, 1500, 1000
            decay = rng.uniform(0.2, 0.8)
            for j in range(length):
                p[j] = size * decay**j * (1 if j < 3 else rng.uniform(0, 1))
        elif shape == "ramp":  # e.g. 0, 1000, 1500, 1500
            p[0] = size * rng.uniform(0.0, 0.4)
            for j in range(1, length):
                p[j] = size * rng.uniform(0.3, 0.8)
        elif shape == "flat":  # e.g. 1300, 0, 0, 0
            p[0] = size
        else:  # one year only: +x then -x
            p[0] = size * 0.6
            if length > 1:
                p[1] = -size * 0.6
    return [float(round(v, -1)) for v in p], one_off


def _pick(rng: np.random.Generator, table: dict, size: int) -> np.ndarray:
    keys = list(table)
    weights = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=weights / weights.sum())]


def _pairs(values: dict) -> str:
    return ";".join(f"{k}:{v:g}" if v != 1 else k for k, v in values.items())


def generate(
    options: int = 5000, years: int = 4, seed: int = 0, first_year: int = 2021, plan_on: str = "nominal"
) -> dict:
    """The council as Python objects: plan, mtfs, activity rows, option rows, scenario."""
    rng = np.random.default_rng(seed)
    n = years
    labels = _year_labels(first_year, n)
    n_options = int(options)
    n_activities = max(3, round(n_options / 10))

    # ---- activities ------------------------------------------------------------------------
    directorate = rng.choice(len(DIRECTORATES), size=n_activities)
    baseline = np.round(np.exp(rng.uniform(np.log(3000), np.log(80000), size=n_activities)), -2)
    growing = rng.random(n_activities) < 0.3
    growth = np.where(growing, np.round(rng.uniform(1.0, 5.0, size=n_activities), 1), 0.0)
    need = baseline[:, None] * (1 + growth[:, None] / 100) ** np.arange(n)[None, :]
    outcome_of = []
    for a in range(n_activities):
        main, second = DIRECTORATE_OUTCOMES[DIRECTORATES[directorate[a]]]
        if rng.random() < 0.2:
            share = round(float(rng.uniform(0.5, 0.9)), 1)
            outcome_of.append({main: share, second: round(1 - share, 1)})
        else:
            outcome_of.append({main: 1.0})
    statutory = rng.random(n_activities) < 0.4

    # ---- options ---------------------------------------------------------------------------
    # every activity gets at least one option, the rest spread at random
    activity = np.concatenate([np.arange(n_activities), rng.integers(0, n_activities, size=n_options)])[:n_options]
    rng.shuffle(activity)
    types = _pick(rng, TYPES, n_options)
    rags = _pick(rng, RAG, n_options)
    equality = _pick(rng, EQUALITY, n_options)
    effort = rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 3], size=n_options)
    # an option saves 0.5% to 4% of its activity's baseline, so ten options are 10-20% of it
    size = baseline[activity] * np.exp(rng.uniform(np.log(0.005), np.log(0.04), size=n_options))
    profiles, one_offs = [], []
    for o in range(n_options):
        p, c = _profile(rng, types[o], float(size[o]), n)
        profiles.append(p)
        one_offs.append(c)
    profile = np.array(profiles)
    one_off = np.array(one_offs)
    levels = _levels(profile, n)
    earliest = np.where(rng.random(n_options) < 0.1, 1, 0) if n > 1 else np.zeros(n_options, dtype=int)
    latest = np.where(rng.random(n_options) < 0.05, np.minimum(earliest + 1, n - 1), n - 1)
    harms: list[dict] = []
    benefits: list[dict] = []
    for o in range(n_options):
        own = list(outcome_of[activity[o]])
        h: dict = {}
        b: dict = {}
        if types[o] in ("invest to save", "investment"):
            if rng.random() < 0.7:
                b[own[0]] = float(rng.choice([1, 1, 2]))
        elif types[o] in ("income", "financing"):
            if rng.random() < 0.5:
                h[str(rng.choice(["O8", "O9", "O10"]))] = 1.0
        elif types[o] == "efficiency":
            if rng.random() < 0.6:
                h[own[0]] = float(rng.choice([0.5, 1, 1]))
        else:
            h[own[0]] = float(rng.choice([1, 1, 2, 2, 3]) if types[o] == "service reduction" else rng.choice([1, 1, 2]))
            if rng.random() < 0.3:
                other = str(rng.choice(OUTCOMES))
                h[other] = h.get(other, 0) + 1.0
        harms.append(h)
        benefits.append(b)

    # ---- the hidden reference plan -------------------------------------------------------
    screened = equality == "high"
    in_ref = (rng.random(n_options) < REFERENCE_SHARE) & ~screened
    weights = START_WEIGHTS[:n] if n <= len(START_WEIGHTS) else np.full(n, 1 / n)
    # as officers would: the options that save most per point of effort first (with some noise),
    # in the shares of START_WEIGHTS, within each option's window
    start = np.full(n_options, -1)
    value = levels[:, -1] / effort * np.exp(rng.normal(0, 0.3, size=n_options))
    ranked = [o for o in np.argsort(-value, kind="stable") if in_ref[o]]
    cut_points = np.cumsum(weights / weights.sum()) * len(ranked)
    for rank, o in enumerate(ranked):
        wanted = int(np.searchsorted(cut_points, rank, side="right"))
        start[o] = int(min(max(wanted, earliest[o]), latest[o]))
    service = ~np.isin(types, ["income", "financing"])
    ref_saving = np.zeros((n_options, n))  # nominal saving of each reference option by year
    for o in np.flatnonzero(in_ref):
        s = start[o]
        ref_saving[o, s:] = levels[o, : n - s]
    by_activity = np.zeros((n_activities, n))
    by_activity_service = np.zeros((n_activities, n))
    np.add.at(by_activity, activity, ref_saving)
    np.add.at(by_activity_service, activity, ref_saving * service[:, None])

    # floors: the reference plan's service savings fit with 2% to 60% to spare
    used = np.max(np.maximum(by_activity_service, 0) / need, axis=1)
    spare = rng.uniform(0.02, 0.6, size=n_activities)
    floor_share = np.clip(np.floor((1 - used * (1 + spare)) * 100) / 100, 0.05, 0.95)
    # cash limits on about a quarter of activities, where the reference plan saves every year:
    # the limit lets spend grow by what need less 30-90% of those savings would need
    cash = (rng.random(n_activities) < 0.25) & np.all(by_activity > 0, axis=1)
    envelope = np.full(n_activities, np.nan)
    for a in np.flatnonzero(cash):
        theta = rng.uniform(0.3, 0.9)
        rates = [((need[a, t] - theta * by_activity[a, t]) / baseline[a]) ** (1 / t) - 1 for t in range(1, n)]
        envelope[a] = np.ceil(max(rates, default=0.0) * 100 * 100) / 100  # percent, rounded up

    # change capacity: the reference plan's effort per year plus 10%
    ref_effort = np.array([effort[in_ref & (start == t)].sum() for t in range(n)], dtype=float)
    capacity = [float(np.ceil(e * 1.1)) for e in ref_effort]

    # protect P1: its aligned service spend stays above what the reference plan leaves, less 20% of its cut
    p1 = np.array([sum(v for k, v in outcome_of[a].items() if k in ("O1", "O2", "O3")) for a in range(n_activities)])
    cut = (p1[:, None] * np.maximum(by_activity_service, 0)).sum(axis=0) / (p1[:, None] * need).sum(axis=0)
    protect = float(np.floor((1 - cut.max() * 1.2) * 1000) / 1000) if p1.sum() > 0 else None

    # requires: a reference option needs another one of the same activity started no later;
    # excludes: a pair of which the reference plan uses at most one
    option_ids = [f"S{o + 1:05d}" for o in range(n_options)]
    requires: list[list[str]] = [[] for _ in range(n_options)]
    excludes: list[list[str]] = [[] for _ in range(n_options)]
    members: dict[int, list[int]] = {}
    for o in range(n_options):
        members.setdefault(int(activity[o]), []).append(o)
    for o in rng.choice(n_options, size=max(1, round(0.02 * n_options)), replace=False):
        if not in_ref[o]:
            continue
        mates = [
            q
            for q in members[int(activity[o])]
            if q != o and in_ref[q] and start[q] <= start[o] and earliest[q] <= earliest[o] and not requires[q]
        ]
        if mates:
            requires[o].append(option_ids[int(rng.choice(mates))])
    for o in rng.choice(n_options, size=max(1, round(0.015 * n_options)), replace=False):
        mates = [q for q in members[int(activity[o])] if q != o and not (in_ref[q] and in_ref[o])]
        if mates:
            excludes[o].append(option_ids[int(rng.choice(mates))])

    # adopt two reference options (one with its year, one with any) and reject two others
    candidates = [o for o in np.flatnonzero(in_ref & service) if not requires[o]]
    adopt_fixed, adopt_any = (int(candidates[0]), int(candidates[1])) if len(candidates) > 1 else (None, None)
    outside = [int(o) for o in np.flatnonzero(~in_ref & ~screened)][:2]

    # ---- the gap: what the reference plan saves, less one-off costs, plus reserves headroom
    ref_total = ref_saving.sum(axis=0)
    ref_one_off = np.array([one_off[in_ref & (start == t)].sum() for t in range(n)])
    headroom = 0.01 * np.abs(ref_total).max()  # reserves drawn by the reference plan each year
    gap = ref_total - ref_one_off + headroom
    pressures = np.round(0.045 * baseline.sum() * np.arange(n), 0)  # pay, pensions, inflation
    need_council = need.sum(axis=0) + pressures
    funding = need_council - gap
    council_tax = np.round(funding * 0.78, 1)
    business_rates = np.round(funding * 0.14, 1)
    grants = np.round(funding - council_tax - business_rates, 1)
    max_draw = float(np.ceil(2 * headroom))
    reserves = {
        "usable_k": float(np.ceil(n * headroom * 1.5 + 0.05 * baseline.sum())),
        "minimum_k": float(np.ceil(0.05 * baseline.sum())),
        "max_draw_k": max_draw,
    }

    # ---- as files ---------------------------------------------------------------------------
    plan_doc = {
        "council": f"Synthetic County Council ({n_options} options, seed {seed}; illustrative)",
        "priorities": [
            {
                "id": p,
                "name": name,
                "outcomes": [{"id": k, "name": f"Outcome {k}", "weight": w, "kpis": []} for k, w in outs],
            }
            for p, (name, outs) in PRIORITIES.items()
        ],
    }
    mtfs_doc = {
        "years": labels,
        "funding_k": {
            "council_tax": council_tax.tolist(),
            "business_rates": business_rates.tolist(),
            "grants": grants.tolist(),
        },
        "corporate_pressures_k": pressures.tolist(),
        "growth_pct": 0,
        "reserves": reserves,
    }
    activity_rows = []
    for a in range(n_activities):
        activity_rows.append(
            {
                "id": f"A{a + 1:04d}",
                "name": f"Activity {a + 1}",
                "directorate": DIRECTORATES[directorate[a]],
                "outcomes": _pairs(outcome_of[a]),
                "role": "lead" if statutory[a] else "deliver",
                "statutory": "true" if statutory[a] else "false",
                "baseline_k": f"{baseline[a]:g}",
                "growth_pct": f"{growth[a]:g}" if growth[a] else "",
                "floor_share": f"{floor_share[a]:g}",
                "envelope_growth_pct": "" if np.isnan(envelope[a]) else f"{envelope[a]:g}",
            }
        )
    option_rows = []
    for o in range(n_options):
        row = {
            "id": option_ids[o],
            "name": f"Option {o + 1} ({types[o]})",
            "activity": f"A{activity[o] + 1:04d}",
            "type": types[o],
        }
        for j in range(n):
            row[f"y{j + 1}_k"] = f"{profile[o, j]:g}" if profile[o, j] else ""
        row.update(
            {
                "earliest": labels[earliest[o]] if earliest[o] > 0 else "",
                "latest": labels[latest[o]] if latest[o] < n - 1 else "",
                "one_off_k": f"{one_off[o]:g}" if one_off[o] else "",
                "rag": rags[o],
                "effort": f"{effort[o]:g}" if effort[o] != 1 else "",
                "harms": _pairs(harms[o]),
                "benefits": _pairs(benefits[o]),
                "requires": ";".join(requires[o]),
                "excludes": ";".join(excludes[o]),
                "equality_impact": equality[o],
            }
        )
        option_rows.append(row)
    policy: dict = {"plan_on": plan_on, "capacity": capacity, "max_equality_impact": "medium"}
    if protect is not None and 0 < protect < 1:
        policy["protect"] = {"P1": protect}
    if adopt_fixed is not None:
        policy["adopt"] = {option_ids[adopt_fixed]: labels[start[adopt_fixed]], option_ids[adopt_any]: "any"}
    if outside:
        policy["reject"] = [option_ids[o] for o in outside]
    scenario_doc = {
        "name": f"Synthetic {n_options} options",
        "description": f"Synthetic council for the optimiser benchmark: {n_options} options, {n} years, seed {seed}.",
        "data": f"../data/{COUNCIL}",
        "weights": dict(WEIGHTS),
        "policy": policy,
    }
    reference_plan = {option_ids[o]: labels[start[o]] for o in np.flatnonzero(in_ref)}
    return {
        "plan": plan_doc,
        "mtfs": mtfs_doc,
        "activities": activity_rows,
        "options": option_rows,
        "scenario": scenario_doc,
        "reference_plan": reference_plan,
    }


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _write_yaml(path: Path, doc: dict) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def write_council(
    folder: Path | str, options: int = 5000, years: int = 4, seed: int = 0, plan_on: str = "nominal"
) -> Path:
    """Write the data folder and scenario under `folder`; return the scenario file's path."""
    folder = Path(folder)
    council = generate(options, years, seed, plan_on=plan_on)
    data = folder / "data" / COUNCIL
    scenarios = folder / "scenarios"
    data.mkdir(parents=True, exist_ok=True)
    scenarios.mkdir(parents=True, exist_ok=True)
    _write_yaml(data / "plan.yaml", council["plan"])
    _write_yaml(data / "mtfs.yaml", council["mtfs"])
    _write_csv(data / "activities.csv", council["activities"])
    _write_csv(data / "options.csv", council["options"])
    scenario = scenarios / f"{COUNCIL}.yaml"
    _write_yaml(scenario, council["scenario"])
    # the reference plan, as a plan.csv that `mtfs-align check --plan` accepts (a sanity check)
    _write_csv(folder / "reference_plan.csv", [{"option": o, "start": s} for o, s in council["reference_plan"].items()])
    return scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write data/ and scenarios/ into")
    parser.add_argument("--options", type=int, default=5000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan-on", choices=("nominal", "expected"), default="nominal")
    args = parser.parse_args()
    print(write_council(args.out, args.options, args.years, args.seed, plan_on=args.plan_on))


if __name__ == "__main__":
    main()
