"""The briefing's sections as HTML: title, budget table, Section 25 statement, charts, adopted
options, outcomes most harmed and the assumptions. The words come from `wording` (and the s25
statement from mtfs_align.report.sentences.resilience); this module only sets them out."""

from __future__ import annotations

from datetime import date

import pandas as pd

from mtfs_align.report.briefing.markup import Chart, Raw, Table, bullets, element, esc, image_png, inline_svg, paragraph
from mtfs_align.report.briefing.wording import count_word, long_date
from mtfs_align.report.charts import CHART_FILES
from mtfs_align.report.published import published_name, published_path
from mtfs_align.results import RunResults
from mtfs_align.wording import chance, money, summed_over

TOP_OUTCOMES = 5
PLAN_YEARS_PER_TABLE = 6  # year columns that fit beside the option's name on an A4 page


def document_title(results: RunResults) -> str:
    scenario = results.manifest.get("scenario_name") or "Scenario"
    return f"Cabinet briefing: {scenario}" + (f", {results.council}" if results.council else "")


def footer_text(results: RunResults) -> str:
    scenario = results.manifest.get("scenario_name") or ""
    footer = f"{results.council}: {scenario}"[:110]
    if "illustrative" in results.council.lower() and "illustrative" not in footer.lower():
        footer += " (illustrative)"
    return footer


def title_page(results: RunResults, day: date) -> str:
    m = results.manifest
    assumptions = m.get("assumptions") or {}
    years = results.years
    parts = [
        paragraph("Cabinet briefing: savings and the corporate plan", "kicker"),
        element("h1", esc(results.council or "Council")),
        paragraph(m.get("scenario_name") or published_name(m.get("scenario")) or "Scenario", "subtitle"),
    ]
    description = assumptions.get("Description") or m.get("description")
    if description:
        parts.append(paragraph(description))
    parts.append(paragraph(f"{long_date(day)}. Medium Term Financial Strategy {years[0]} to {years[-1]}.", "date"))
    if "illustrative" in results.council.lower():
        parts.append(paragraph("ILLUSTRATIVE: built on illustrative data, not any council's actual budget.", "label"))
    version = m.get("version")
    parts.append(
        paragraph(
            "Money is shown in £m or £k; years are financial years (1 April to 31 March). Gap and "
            "savings are levels against each year's funding. Figures come from the tables in the "
            "same folder (results.xlsx and the CSV files)"
            f"{f', produced by mtfs_align {version}' if version else ''}"
            f"{' (' + str(m['command']) + ')' if m.get('command') else ''}.",
            "small",
        )
    )
    return element("header", "".join(parts), class_="cover")


def key_messages_section(messages: list[str]) -> str:
    return element("section", element("h2", "Key messages") + bullets(messages, "messages"), id="key-messages")


def budget_section(results: RunResults) -> str:
    budget = results.tables["budget"]
    header = [
        "Year",
        "Gap",
        "Savings",
        "One-off costs",
        "Reserves drawn",
        "Paid in",
        "Reserves at year end",
        "Unidentified",
        "Balanced",
    ]
    rows = [
        [
            str(r["year"]),
            *(
                money(r[c])
                for c in (
                    "gap_k",
                    "savings_k",
                    "one_off_k",
                    "reserves_draw_k",
                    "reserves_paid_k",
                    "reserves_balance_k",
                    "unidentified_k",
                )
            ),
            str(r["balanced"]),
        ]
        for _, r in budget.iterrows()
    ]
    table = Table("The budget year by year", header, rows, numeric=set(range(1, 8)), show_caption=False)
    return element("section", element("h2", "The budget year by year") + table.html(), id="budget")


def _certainty(m: dict, confidence: float, sentence) -> list[str]:
    """What certainty costs (DESIGN 4.6), when the run planned for risk and solved the deterministic
    optimum beside it: both plans' harm and their bad-year figures on the same fresh draws."""
    deterministic = m.get("deterministic_optimum") or {}
    fresh = (m.get("risk_planning") or {}).get("out_of_sample") or {}
    if "cvar_k" not in deterministic or "cvar_k" not in fresh:
        return []
    years = list(fresh["cvar_k"])
    return [sentence(deterministic["harm"], m["harm"], deterministic["cvar_k"], fresh["cvar_k"], years, confidence)]


def resilience_section(results: RunResults) -> str:
    """The Section 25 statement (DESIGN 4.6) from resilience.csv, with its table."""
    from mtfs_align.report.sentences.resilience import S25, certainty_cost_sentence, section25_sentences
    from mtfs_align.wording import percent as level

    table = results.table("resilience")
    if table is None:
        return ""
    m = results.manifest
    confidence = float(m.get("confidence") or 0.9)
    best_possible = m.get("plan_on") == "risk" and (
        m.get("command") == "run" or m.get("plan_source") == "the optimised plan"
    )
    pct = level(confidence)
    header = [
        "Year",
        "Chance it balances",
        f"Left to find ({pct} of futures at or below)",
        f"Bad-year average (worst {level(1 - confidence)})",
        "Reserves drawn in a bad year (P95)",
        "Reserves at year end, bad (P5)",
        "Still to identify",
    ]
    rows = [
        [
            str(r["year"]),
            chance(float(r["p_balanced"])),
            *(
                money(r[c])
                for c in ("var_k", "cvar_k", "p95_cover_used_k", "p5_reserves_balance_k", "shortfall_at_confidence_k")
            ),
        ]
        for _, r in table.iterrows()
    ]
    sentences = section25_sentences(table, confidence, best_possible) + _certainty(
        m, confidence, certainty_cost_sentence
    )
    intro = (
        f"The chief finance officer's report under the {S25}, on the delivery risk of the plan: savings "
        "that start late or deliver part of their value, with reserves above the minimum drawn to cover "
        f"them (within the in-year cover allowed), over {int(m.get('draws') or 0):,} simulated futures."
    )
    body = (
        element("h2", "Robustness of the estimates and adequacy of reserves")
        + paragraph(intro, "small")
        + bullets(sentences)
        + Table("Delivery risk and reserves, year by year", header, rows, numeric=set(range(1, 7))).html()
    )
    return element("section", body, id="resilience")


def charts_section(charts: list[Chart], web: bool) -> str:
    """Each chart with its finding in the text, its alternative text and its caption: inline SVG
    (with <title> and <desc>) on the web page, an image with alt text in the PDF."""
    if not charts:
        return ""
    blocks = []
    for number, chart in enumerate(charts, start=1):
        picture = inline_svg(chart, number) if web else image_png(chart)
        blocks.append(
            element(
                "section",
                element("h3", esc(f"Figure {number}: {chart.caption}"))
                + element(
                    "figure",
                    element("div", picture, class_="chart")
                    + element(
                        "figcaption",
                        element("span", esc(f"{chart.finding.rstrip('.')}."), class_="finding")
                        + esc(f" (charts/{chart.name}.svg, also as PNG.)"),
                    ),
                ),
                class_="chart-block",
                id=f"figure-{chart.name}",
            )
        )
    return element("section", element("h2", "The charts") + "".join(blocks), id="charts")


def chart_caption(name: str) -> str:
    return CHART_FILES[name]


def plan_section(results: RunResults) -> str:
    plan = results.table("plan")
    if plan is None:
        return ""
    years = [c[:-2] for c in plan.columns if c.endswith("_k") and "/" in c]
    blocks = [years[i : i + PLAN_YEARS_PER_TABLE] for i in range(0, len(years), PLAN_YEARS_PER_TABLE)] or [[]]
    body = element("h2", "Adopted savings options by start year") + paragraph(
        "Savings a year as planned (nominal), the level reached in each year. RAG is the delivery risk rating.",
        "small",
    )
    for block in blocks:
        caption = "Adopted savings options by start year"
        if len(blocks) > 1:  # a long horizon: one table per run of years, each readable on the page
            body += element("h3", esc(f"Years {block[0]} to {block[-1]}"))
            caption += f", {block[0]} to {block[-1]}"
        body += _plan_table(results, plan, years, block, caption).html()
    return element("section", body, id="plan")


def _plan_table(results: RunResults, plan: pd.DataFrame, years: list[str], block: list[str], caption: str) -> Table:
    """The adopted options grouped by start year, with the nominal savings of the years in `block`."""
    header = ["Option", "Name", "Activity", "RAG", *block]
    start_order = {y: i for i, y in enumerate(results.years)}
    groups = []
    for start, group in sorted(plan.groupby("start", sort=False), key=lambda g: start_order.get(str(g[0]), 99)):
        level = group[f"{years[-1]}_k"].sum() if years else 0
        title = (
            f"Starting {start}: {len(group)} option{'s' if len(group) != 1 else ''}, "
            f"{money(level)} a year by {years[-1] if years else ''}"
        )
        rows = [
            [str(r["option"]), str(r["name"]), str(r["activity"]), str(r["rag"]), *[money(r[f"{y}_k"]) for y in block]]
            for _, r in group.iterrows()
        ]
        groups.append((title, rows))
    return Table(
        caption, header, numeric=set(range(4, 4 + len(block))), groups=groups, class_="plan", show_caption=False
    )


def _kpi_text(kpis: pd.DataFrame | None, outcome: str) -> Raw:
    if kpis is None:
        return Raw("KPIs not available (kpis.csv missing)")
    rows = kpis[kpis["outcome"].astype(str) == outcome]
    lines = []
    for _, k in rows.iterrows():
        unit = str(k.get("unit", "") or "").strip()
        baseline, target = k.get("baseline"), k.get("target")
        direction = str(k.get("direction", "") or "")
        trend = {"up": "higher is better", "down": "lower is better"}.get(direction, "")
        figures = ""
        if pd.notna(baseline) and pd.notna(target):
            if unit == "%":
                figures = f": {baseline:,g}% now, target {target:,g}%"
            else:
                figures = f": {baseline:,g} now, target {target:,g}" + (f" ({unit})" if unit else "")
        lines.append(
            f"<strong>{esc(k['kpi'])}</strong> {esc(k['name'])}{esc(figures)}"
            f"{'. ' + esc(trend[0].upper() + trend[1:]) if trend else ''}."
        )
    return Raw("<br>".join(lines) or "No KPIs in the plan")


def outcomes_section(results: RunResults) -> str:
    outcomes = results.table("outcomes")
    if outcomes is None:
        return ""
    last = results.years[-1]
    totals = (
        outcomes.groupby(["outcome", "name", "priority"], sort=False)["harm"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    totals = totals[totals > 1e-9].head(TOP_OUTCOMES)
    heading = element("h2", "Outcomes most harmed, with their KPIs")
    if totals.empty:
        return element("section", heading + paragraph("No outcome is harmed by the plan."), id="outcomes")
    kpis = results.table("kpis")
    rows = []
    for (oid, name, priority), harm in totals.items():
        final = outcomes[(outcomes["outcome"] == oid) & (outcomes["year"].astype(str) == last)]
        ratio = ""
        if len(final) and float(final["need_k"].iloc[0]) > 0:
            need, spend = float(final["need_k"].iloc[0]), float(final["spend_k"].iloc[0])
            ratio = f"{money(spend)} of {money(need)} ({spend / need:.0%})"
        rows.append(
            [
                Raw(f"<strong>{esc(oid)}</strong> ({esc(priority)}) {esc(name)}"),
                f"{harm:.2f}",
                ratio,
                _kpi_text(kpis, oid),
            ]
        )
    note = paragraph(
        f"The {count_word(len(totals))} outcomes with the most harm{summed_over(len(results.years))} (weighted "
        "severity of the adopted options' harms less their benefits, in each year they are in "
        "effect).",
        "small",
    )
    table = Table(
        "Outcomes most harmed",
        ["Outcome", "Harm", f"Spend against need, {last}", "KPIs to watch"],
        rows,
        {1},
        show_caption=False,
    )
    return element("section", heading + note + table.html(), id="outcomes")


RUN_FIELDS = [
    ("scenario", "Scenario file"),
    ("command", "Produced by"),
    ("plan_on", "Savings counted at"),
    ("solver", "Solver"),
    ("mip_gap", "MIP gap"),
    ("seed", "Random seed"),
    ("version", "mtfs_align version"),
]


def assumptions_section(results: RunResults) -> str:
    m = results.manifest
    rows: list[list[str]] = []
    assumptions = {k: v for k, v in (m.get("assumptions") or {}).items() if k != "Description"}
    for key, value in assumptions.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        rows.append([str(key), str(value)])
    years = results.years
    if "Years" not in assumptions:
        rows.append(["Years", f"{years[0]} to {years[-1]}"])
    for key, label in RUN_FIELDS:
        if m.get(key) is not None and label not in assumptions:
            value = published_name(m[key]) if key == "scenario" else m[key]
            rows.append([label, str(value)])
    inputs = m.get("inputs") or []
    if inputs:
        lines = [
            f"{esc(published_path(i.get('path', ''), m.get('scenario')))} "
            f"(sha256 {esc(str(i.get('sha256', ''))[:12])}…)"
            for i in inputs
        ]
        rows.append(["Input files (relative to the scenario's folder)", Raw("<br>".join(lines))])
    body = element("h2", "The scenario's assumptions")
    if not m.get("assumptions"):
        body += paragraph("The run did not record the scenario's policy assumptions; see the scenario file.", "small")
    table = Table("The scenario's assumptions", ["Assumption", "Value"], rows, class_="assumptions", show_caption=False)
    body += table.html()
    return element("section", body, id="assumptions")
