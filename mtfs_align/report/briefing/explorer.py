"""The plan explorer of `briefing.html`: a Cabinet member picks any frontier point, the proposal P,
or its alternatives B and C, and sees that plan. Everything shown is worked out here from the run's
results and embedded in the page as JSON, every amount already in words (£37.1m) and exact
(£37,100,000); the page's script only shows it, so no number is computed in the browser.

The alternatives come from the results' `plans/<name>` tables (plan.csv's columns), the proposal's
`proposal/plan`, `plans_activities` (each alternative's activities against their limits) and the
figures of frontier.csv and proposal.csv."""

from __future__ import annotations

import json
import math

import pandas as pd

from mtfs_align.report.briefing.markup import element, esc
from mtfs_align.report.charts import tightest_activities
from mtfs_align.report.sentences.phrases import harm_amount, harm_change
from mtfs_align.results import RunResults
from mtfs_align.wording import exact_pounds, money, summed_over

NEAREST_ACTIVITIES = 8
RAG_NAMES = {"G": "Green", "A": "Amber", "R": "Red"}
PROPOSAL_LABELS = {
    "P": "P, the proposal",
    "B": "B, least harm for at least P's savings every year",
    "C": "C, most savings for no more harm than P",
}


def amount(value_k: float) -> dict:
    """An amount as the page shows it: in words, exact, and the number (for bar lengths)."""
    value = 0.0 if value_k is None or (isinstance(value_k, float) and math.isnan(value_k)) else float(value_k)
    return {"k": round(value, 3), "text": money(value), "exact": exact_pounds(value)}


def signed(value_k: float) -> dict:
    """A difference: `+£1.2m` / `-£0.4m` / `no change`."""
    shown = amount(value_k)
    if shown["text"] == "£0":
        shown["text"] = "no change"
    elif value_k > 0:
        shown["text"], shown["exact"] = "+" + shown["text"], "+" + shown["exact"]
    return shown


def harm_text(value: float) -> str:
    return f"{float(value):.2f}"


def _year_columns(plan: pd.DataFrame) -> list[str]:
    return [c for c in plan.columns if c.endswith("_k") and "/" in c]


def _alternative_rows(results: RunResults) -> list[tuple[str, str, str, pd.Series]]:
    """(id, kind, label, figures row) of every alternative whose plan the results hold, frontier
    points first in order of scale, then P, B and C."""
    rows = []
    frontier = results.table("frontier")
    vary = (results.manifest.get("frontier") or {}).get("vary", "gap")
    if frontier is not None:
        for _, row in frontier.sort_values("scale", kind="stable").iterrows():
            key = f"frontier_{int(row['point']):02d}"
            if f"plans/{key}" not in results.tables:
                continue
            scale = float(row["scale"])
            what = f"confidence {scale:.0%}" if vary == "confidence" else f"{vary} ×{scale:g}"
            rows.append((key, "frontier", f"Frontier point {int(row['point'])} ({what})", row))
    proposal = results.table("proposal")
    if proposal is not None:
        for _, row in proposal.iterrows():
            key = str(row["plan"]).strip().upper()
            table = "proposal/plan" if key == "P" else f"plans/{key}"
            if key in PROPOSAL_LABELS and table in results.tables:
                rows.append((key, key, PROPOSAL_LABELS[key], row))
    return rows


def _plan_of(results: RunResults, key: str) -> pd.DataFrame:
    return results.tables["proposal/plan" if key == "P" else f"plans/{key}"]


def _options(plan: pd.DataFrame, years: list[str], directorates: dict[str, str]) -> list[dict]:
    columns = _year_columns(plan)
    order = {y: i for i, y in enumerate(years)}
    out = []
    for _, r in plan.iterrows():
        out.append(
            {
                "option": str(r["option"]),
                "name": str(r["name"]),
                "activity": str(r["activity"]),
                "directorate": directorates.get(str(r["activity"]), ""),
                "rag": str(r["rag"]),
                "start": str(r["start"]),
                "harm": harm_text(r["harm"]),
                "savings": [amount(r[c]) for c in columns],
            }
        )
    return sorted(out, key=lambda o: (order.get(o["start"], 99), o["option"]))


def _savings_by_year(plan: pd.DataFrame, years: list[str]) -> list[dict]:
    columns = _year_columns(plan)
    return [{"year": y, **amount(float(plan[c].sum()))} for y, c in zip(years, columns, strict=True)]


def _harm_by_priority(row: pd.Series, names: dict[str, str]) -> list[dict]:
    out = []
    for column in row.index:
        if column.startswith("harm_") and pd.notna(row[column]):
            pid = column[5:]
            out.append(
                {"id": pid, "name": names.get(pid, ""), "value": float(row[column]), "text": harm_text(row[column])}
            )
    return out


def _nearest(activities: pd.DataFrame | None, key: str) -> list[dict]:
    if activities is None:
        return []
    mine = activities[activities["plan"].astype(str) == key]
    if mine.empty:
        return []
    rows = tightest_activities(mine.drop(columns=["plan"]), NEAREST_ACTIVITIES)
    return [
        {
            "activity": str(r["activity"]),
            "name": str(r["name"]),
            "year": str(r["year"]),
            "limit": str(r["limit"]),
            "status": str(r["status"]),
            "headroom": amount(r["headroom_k"]),
        }
        for _, r in rows.iterrows()
    ]


def _changes(plan: pd.DataFrame, reference: pd.DataFrame, years: list[str]) -> dict:
    """What this plan changes against the reference plan: options added, dropped and moved to
    another start year, the savings of each year as differences, and what happens to the harm, said."""
    starts = dict(zip(plan["option"].astype(str), plan["start"].astype(str), strict=True))
    before = dict(zip(reference["option"].astype(str), reference["start"].astype(str), strict=True))
    names = dict(zip(plan["option"].astype(str), plan["name"].astype(str), strict=True))
    names.update(zip(reference["option"].astype(str), reference["name"].astype(str), strict=True))
    added = [{"option": o, "name": names[o], "start": s} for o, s in starts.items() if o not in before]
    dropped = [{"option": o, "name": names[o], "start": s} for o, s in before.items() if o not in starts]
    moved = [
        {"option": o, "name": names[o], "from": before[o], "to": s}
        for o, s in starts.items()
        if o in before and before[o] != s
    ]
    mine, theirs = _savings_by_year(plan, years), _savings_by_year(reference, years)
    return {
        "added": sorted(added, key=lambda o: o["option"]),
        "dropped": sorted(dropped, key=lambda o: o["option"]),
        "moved": sorted(moved, key=lambda o: o["option"]),
        "savings": [{"year": a["year"], **signed(a["k"] - b["k"])} for a, b in zip(mine, theirs, strict=True)],
        "harm_said": harm_change(float(reference["harm"].sum()), float(plan["harm"].sum())),
    }


def explorer_data(results: RunResults) -> dict | None:
    """The explorer's data: every alternative's plan and figures, or None when the results hold
    no alternative's plan (a `check` folder, say)."""
    rows = _alternative_rows(results)
    if not rows:
        return None
    years = results.years
    names = results.priority_names
    activities = results.table("plans_activities")
    directorates = {}
    if activities is not None:
        directorates = dict(
            zip(activities["activity"].astype(str), activities["directorate"].astype(str), strict=False)
        )
    keys = [key for key, *_ in rows]
    if "P" in keys:
        reference_key, reference_label = "P", "the proposal (P)"
        reference = _plan_of(results, "P")
    else:
        reference_key, reference_label = "plan", "the plan this briefing describes"
        reference = results.table("plan")
    plans = []
    for key, kind, label, row in rows:
        plan = _plan_of(results, key)
        entry = {
            "id": key,
            "kind": kind,
            "label": label,
            "savings_k": amount(row["savings_k"]),
            "harm": harm_text(row["harm"]),
            "harm_value": float(row["harm"]),
            "harm_said": harm_amount(row["harm"]),
            "unidentified": amount(row.get("unidentified_k", 0.0)),
            "reserves": amount(row.get("reserves_draw_k", 0.0)),
            "options": _options(plan, years, directorates),
            "savings_by_year": _savings_by_year(plan, years),
            "harm_by_priority": _harm_by_priority(row, names),
            "activities": _nearest(activities, key),
        }
        if reference is not None and key != reference_key:
            entry["changes"] = _changes(plan, reference, years)
        plans.append(entry)
    option_directorates = sorted({o["directorate"] for p in plans for o in p["options"] if o["directorate"]})
    default = next((p["id"] for p in plans if p["kind"] == "P"), None)
    if default is None:  # the scenario as it is: the frontier point at scale 1, else the middle one
        ones = [key for key, kind, _, row in rows if kind == "frontier" and math.isclose(float(row["scale"]), 1.0)]
        default = ones[0] if ones else plans[len(plans) // 2]["id"]
    return {
        "years": years,
        "summed": summed_over(len(years)).strip(),
        "reference": reference_label,
        "directorates": option_directorates,
        "rags": [{"id": r, "name": n} for r, n in RAG_NAMES.items()],
        "default": default,
        "plans": plans,
    }


def _picker_chart(plans: list[dict], summed: str) -> str:
    """Savings against harm, one mark per alternative (circles along the frontier; P, B and C as
    letters), for picking with the mouse; the radio buttons beside it are the keyboard's way."""
    width, height, pad = 420, 260, 46
    axis = f"Savings {summed}".strip()
    xs = [p["savings_k"]["k"] for p in plans]
    ys = [p["harm_value"] for p in plans]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(min(ys), 0.0), max(ys)
    sx = (width - 2 * pad) / ((x1 - x0) or 1.0)
    sy = (height - 2 * pad) / ((y1 - y0) or 1.0)

    def at(p: dict) -> tuple[float, float]:
        return pad + (p["savings_k"]["k"] - x0) * sx, height - pad - (p["harm_value"] - y0) * sy

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(p) for p in plans if p["kind"] == "frontier"))
    marks = []
    for p in plans:
        x, y = at(p)
        title = element("title", esc(f"{p['label']}: {p['savings_k']['text']} of savings, {p['harm_said']}"))
        if p["kind"] == "frontier":
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7"></circle>'
        else:
            shape = (
                f'<rect x="{x - 9:.1f}" y="{y - 9:.1f}" width="18" height="18"></rect>'
                f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{esc(p["id"])}</text>'
            )
        marks.append(f'<g class="pick" data-plan="{esc(p["id"])}">{title}{shape}</g>')
    axes = (
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad / 2}" y2="{height - pad}" class="axis"></line>'
        f'<line x1="{pad}" y1="{pad / 2}" x2="{pad}" y2="{height - pad}" class="axis"></line>'
        f'<text x="{pad}" y="{height - pad + 16}" text-anchor="middle">{esc(money(x0))}</text>'
        f'<text x="{width - pad}" y="{height - pad + 16}" text-anchor="middle">{esc(money(x1))}</text>'
        f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle">{esc(axis)}</text>'
        f'<text x="{pad - 6}" y="{height - pad}" text-anchor="end">{y0:.1f}</text>'
        f'<text x="{pad - 6}" y="{pad / 2 + 8}" text-anchor="end">{y1:.1f}</text>'
        f'<text x="14" y="{height / 2}" text-anchor="middle" transform="rotate(-90 14 {height / 2})">Harm</text>'
    )
    return (
        f'<svg class="picker-chart" viewBox="0 0 {width} {height}" aria-hidden="true" focusable="false">'
        f'{axes}<polyline points="{line}" class="frontier-line"></polyline>{"".join(marks)}</svg>'
    )


def _asset(name: str) -> str:
    from importlib import resources

    return resources.files("mtfs_align.report.briefing").joinpath(name).read_text(encoding="utf-8")


def explorer_section(results: RunResults) -> str:
    """The explorer's part of the web page (empty when the results hold no alternative's plan)."""
    data = explorer_data(results)
    if data is None:
        return ""
    radios = "".join(
        element(
            "label",
            f'<input type="radio" name="plan" value="{esc(p["id"])}"{" checked" if p["id"] == data["default"] else ""}>'
            + element("span", esc(f"{p['label']}: {p['savings_k']['text']}, {p['harm_said']}")),
            class_="choice",
        )
        for p in data["plans"]
    )
    directorates = "".join(element("option", esc(d), value=d) for d in data["directorates"])
    rags = "".join(
        element("label", f'<input type="checkbox" name="rag" value="{esc(r["id"])}" checked> {esc(r["name"])}')
        for r in data["rags"]
    )
    intro = element(
        "p",
        "Pick a plan with the mouse on the chart or with the keyboard in the list (arrow keys move between "
        "plans). Every figure was worked out by the run; the page only shows it. Hover over or move to a bar "
        "for its exact amount. Each plan is also a file in the plans/ folder beside this page.",
        class_="small",
    )
    picker = element(
        "div",
        element("fieldset", element("legend", "Plan to show") + radios, class_="choices")
        + element("div", _picker_chart(data["plans"], data["summed"]), class_="picker"),
        class_="explorer-top",
    )
    filters = element(
        "div",
        element(
            "label",
            "Directorate " + f'<select id="filter-directorate"><option value="">All</option>{directorates}</select>',
        )
        + element("fieldset", element("legend", "RAG") + rags, class_="rag")
        + element("label", '<input type="checkbox" id="exact-amounts"> Show exact amounts'),
        class_="filters",
    )
    view = (
        element("h3", "", id="plan-title")
        + element("p", "", id="plan-summary", aria_live="polite")
        + element(
            "div",
            element("div", element("h4", "Savings by year (nominal)") + '<div class="bars" id="savings-bars"></div>')
            + element("div", element("h4", "Outcome harm by priority") + '<div class="bars" id="harm-bars"></div>')
            + element("div", element("h4", "", id="changes-title") + '<div id="changes"></div>')
            + element(
                "div",
                element("h4", "Activities nearest their floor or cash limit")
                + '<div class="bars" id="activity-bars"></div>',
            ),
            class_="plan-grid",
        )
        + element("h4", "Options by start year")
        + filters
        + element("p", "", id="options-count", aria_live="polite")
        + '<div class="table-wrap" role="region" tabindex="0" aria-label="Options of the plan shown">'
        + '<table id="options-table"><caption>Options of the plan shown, by start year (harm below zero is a '
        + "net benefit to outcomes)</caption></table></div>"
    )
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return element(
        "section",
        element("h2", "Explore the alternatives")
        + intro
        + picker
        + element("div", view, id="plan-view")
        + '<div id="tip" class="tip" aria-hidden="true" hidden></div>'
        + element("noscript", element("p", "The explorer needs JavaScript; every plan is in the plans/ folder."))
        + f'<script type="application/json" id="explorer-data">{payload}</script>'
        + element("script", _asset("explorer.js")),
        id="explorer",
        class_="explorer",
    )
