"""The briefing's sections as reportlab flowables: title page, budget table, Section 25 statement,
charts, adopted options, outcomes most harmed and the assumptions."""

from __future__ import annotations

from datetime import date

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Image, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from mtfs_align.report.briefing.layout import GRID, MAX_CHART_HEIGHT, WIDTH, esc, header_cells
from mtfs_align.report.briefing.results_folder import Results
from mtfs_align.report.briefing.wording import count_word, long_date
from mtfs_align.report.charts import CHART_FILES, chance
from mtfs_align.report.text import money

TOP_OUTCOMES = 5


def title_page(results: Results, st: dict, day: date) -> list:
    m = results.manifest
    assumptions = m.get("assumptions") or {}
    story = [
        Spacer(1, 40 * mm),
        Paragraph("Cabinet briefing: savings and the corporate plan", st["kicker"]),
        Spacer(1, 4 * mm),
        Paragraph(esc(results.council or "Council"), st["title"]),
        Paragraph(esc(m.get("scenario_name") or m.get("scenario") or "Scenario"), st["subtitle"]),
    ]
    description = assumptions.get("Description") or m.get("description")
    if description:
        story.append(Paragraph(esc(description), st["body"]))
    story.append(Spacer(1, 6 * mm))
    years = results.years
    story.append(Paragraph(f"{long_date(day)}. Medium Term Financial Strategy {years[0]} to {years[-1]}.", st["body"]))
    if "illustrative" in results.council.lower():
        story.append(
            Paragraph("ILLUSTRATIVE: built on illustrative data, not any council's actual budget.", st["label"])
        )
    story.append(Spacer(1, 30 * mm))
    version = m.get("version")
    story.append(
        Paragraph(
            "Money is shown in £m or £k; years are financial years (1 April to 31 March). Gap and "
            "savings are levels against each year's funding. Figures come from the tables in the "
            "same folder (results.xlsx and the CSV files)"
            f"{f', produced by mtfs_align {version}' if version else ''}"
            f"{' (' + str(m['command']) + ')' if m.get('command') else ''}.",
            st["small"],
        )
    )
    story.append(PageBreak())
    return story


def budget_table(results: Results, st: dict) -> Table:
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
    rows = [header_cells(header, st, right_from=1)]
    rows[0][-1] = Paragraph("Balanced", st["cell_bold"])
    for _, r in budget.iterrows():
        rows.append(
            [
                r["year"],
                money(r["gap_k"]),
                money(r["savings_k"]),
                money(r["one_off_k"]),
                money(r["reserves_draw_k"]),
                money(r["reserves_paid_k"]),
                money(r["reserves_balance_k"]),
                money(r["unidentified_k"]),
                str(r["balanced"]),
            ]
        )
    widths = [18 * mm, 19 * mm, 19 * mm, 20 * mm, 20 * mm, 17 * mm, 23 * mm, 21 * mm, 17 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (-2, -1), "RIGHT"),
                ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ]
        )
    )
    return table


def _certainty(m: dict, confidence: float, sentence) -> list[str]:
    """What certainty costs (DESIGN 4.6), when the run planned for risk and solved the deterministic
    optimum beside it: both plans' harm and their bad-year figures on the same fresh draws."""
    deterministic = m.get("deterministic_optimum") or {}
    fresh = (m.get("risk_planning") or {}).get("out_of_sample") or {}
    if "cvar_k" not in deterministic or "cvar_k" not in fresh:
        return []
    years = list(fresh["cvar_k"])
    return [sentence(deterministic["harm"], m["harm"], deterministic["cvar_k"], fresh["cvar_k"], years, confidence)]


def resilience_story(results: Results, st: dict) -> list:
    """The Section 25 statement (DESIGN 4.6) from resilience.csv, with its table."""
    from mtfs_align.report.resilience import S25, certainty_cost_sentence, section25_sentences
    from mtfs_align.report.resilience import percent as level

    table = results.table("resilience")
    if table is None:
        return []
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
    rows = [header_cells(header, st, right_from=1)]
    for _, r in table.iterrows():
        rows.append(
            [
                r["year"],
                chance(float(r["p_balanced"])),
                money(r["var_k"]),
                money(r["cvar_k"]),
                money(r["p95_cover_used_k"]),
                money(r["p5_reserves_balance_k"]),
                money(r["shortfall_at_confidence_k"]),
            ]
        )
    widths = [18 * mm, 22 * mm, 27 * mm, 27 * mm, 28 * mm, 27 * mm, 25 * mm]
    grid = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    grid.setStyle(GRID)
    grid.setStyle(TableStyle([("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    return [
        CondPageBreak(70 * mm),
        Paragraph("Robustness of the estimates and adequacy of reserves", st["h2"]),
        Paragraph(
            f"The chief finance officer's report under the {S25}, on the delivery risk of the plan: savings "
            "that start late or deliver part of their value, with reserves above the minimum drawn to cover "
            f"them (within the in-year cover allowed), over {int(m.get('draws') or 0):,} simulated futures.",
            st["small"],
        ),
        *[
            Paragraph(esc(sentence), st["bullet"], bulletText="•")
            for sentence in section25_sentences(table, confidence, best_possible)
            + _certainty(m, confidence, certainty_cost_sentence)
        ],
        Spacer(1, 2 * mm),
        grid,
        Spacer(1, 6 * mm),
    ]


def chart_story(results: Results, st: dict) -> list:
    """Each chart that exists with its caption, kept together; the section heading travels with
    the first one so that it is never left alone at the foot of a page."""
    story = []
    charts = results.folder / "charts"
    for name, caption in CHART_FILES.items():
        path = charts / f"{name}.png"
        if not path.is_file():
            continue
        # Charts are drawn on an opaque white figure: no transparency mask is needed (or embedded).
        image = Image(str(path), mask=None)
        scale = min(WIDTH / image.imageWidth, MAX_CHART_HEIGHT / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        image.hAlign = "CENTER"
        number = len(story) + 1
        text = f"Figure {number}: {esc(caption)}. ({esc(f'charts/{name}.png')}, also as SVG.)"
        block = [image, Paragraph(text, st["caption"])]
        if not story:
            block.insert(0, Paragraph("The charts", st["h1"]))
        story.append(KeepTogether(block))
    return story


PLAN_YEARS_PER_TABLE = 6  # year columns that fit beside the option's name on an A4 page


def plan_table(results: Results, st: dict) -> list:
    plan = results.table("plan")
    if plan is None:
        return []
    years = [c[:-2] for c in plan.columns if c.endswith("_k") and "/" in c]
    blocks = [years[i : i + PLAN_YEARS_PER_TABLE] for i in range(0, len(years), PLAN_YEARS_PER_TABLE)] or [[]]
    story = [
        CondPageBreak(60 * mm),
        Paragraph("Adopted savings options by start year", st["h1"]),
        Paragraph(
            "Savings a year as planned (nominal), the level reached in each year. RAG is the delivery risk rating.",
            st["small"],
        ),
    ]
    for block in blocks:
        if len(blocks) > 1:  # a long horizon: one table per run of years, each readable on the page
            story.append(Paragraph(f"Years {esc(block[0])} to {esc(block[-1])}", st["h2"]))
        story += [Spacer(1, 2 * mm), _plan_grid(results, plan, years, block, st)]
    return story


def _plan_grid(results: Results, plan: pd.DataFrame, years: list[str], block: list[str], st: dict) -> Table:
    """The adopted options grouped by start year, with the nominal savings of the years in `block`."""
    header = ["Option", "Name", "Activity", "RAG", *block]
    rows = [header_cells(header, st, right_from=4)]
    spans = []
    start_order = {y: i for i, y in enumerate(results.years)}
    groups = sorted(plan.groupby("start", sort=False), key=lambda g: start_order.get(str(g[0]), 99))
    for start, group in groups:
        level = group[f"{years[-1]}_k"].sum() if years else 0
        spans.append(len(rows))
        rows.append(
            [
                Paragraph(
                    f"Starting {esc(start)}: {len(group)} option{'s' if len(group) != 1 else ''}, "
                    f"{money(level)} a year by {years[-1] if years else ''}",
                    st["cell_bold"],
                )
            ]
            + [""] * (len(header) - 1)
        )
        for _, r in group.iterrows():
            rows.append(
                [
                    r["option"],
                    Paragraph(esc(r["name"]), st["cell"]),
                    r["activity"],
                    r["rag"],
                    *[money(r[f"{y}_k"]) for y in block],
                ]
            )
    year_width = 17 * mm
    name_width = WIDTH - 14 * mm - 15 * mm - 9 * mm - year_width * len(block)
    table = Table(
        rows, colWidths=[14 * mm, name_width, 15 * mm, 9 * mm] + [year_width] * len(block), repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(GRID)
    style = [("ALIGN", (4, 0), (-1, -1), "RIGHT")]
    for i in spans:
        style += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f2f2f2"))]
    table.setStyle(TableStyle(style))
    return table


def _kpi_text(kpis: pd.DataFrame | None, outcome: str) -> str:
    if kpis is None:
        return "KPIs not available (kpis.csv missing)"
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
        notes = "; ".join(part for part in (trend,) if part)
        lines.append(
            f"<b>{esc(k['kpi'])}</b> {esc(k['name'])}{esc(figures)}"
            f"{'. ' + notes[0].upper() + notes[1:] if notes else ''}."
        )
    return "<br/>".join(lines) or "No KPIs in the plan"


def outcomes_table(results: Results, st: dict) -> list:
    outcomes = results.table("outcomes")
    if outcomes is None:
        return []
    last = results.years[-1]
    totals = (
        outcomes.groupby(["outcome", "name", "priority"], sort=False)["harm"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    totals = totals[totals > 1e-9].head(TOP_OUTCOMES)
    if totals.empty:
        return [Paragraph("Outcomes most harmed", st["h1"]), Paragraph("No outcome is harmed by the plan.", st["body"])]
    kpis = results.table("kpis")
    header = ["Outcome", "Harm", f"Spend against need, {last}", "KPIs to watch"]
    rows = [header_cells(header, st)]
    rows[0][1] = Paragraph("Harm", st["head_right"])
    for (oid, name, priority), harm in totals.items():
        final = outcomes[(outcomes["outcome"] == oid) & (outcomes["year"].astype(str) == last)]
        ratio = ""
        if len(final) and float(final["need_k"].iloc[0]) > 0:
            need, spend = float(final["need_k"].iloc[0]), float(final["spend_k"].iloc[0])
            ratio = f"{money(spend)} of {money(need)} ({spend / need:.0%})"
        rows.append(
            [
                Paragraph(f"<b>{esc(oid)}</b> ({esc(priority)}) {esc(name)}", st["cell"]),
                f"{harm:.2f}",
                Paragraph(ratio, st["cell"]),
                Paragraph(_kpi_text(kpis, oid), st["cell"]),
            ]
        )
    table = Table(rows, colWidths=[46 * mm, 13 * mm, 30 * mm, WIDTH - 89 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    table.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    return [
        CondPageBreak(80 * mm),
        Paragraph("Outcomes most harmed, with their KPIs", st["h1"]),
        Paragraph(
            f"The {count_word(len(totals))} outcomes with the most harm over the horizon (weighted "
            "severity of the adopted options' harms less their benefits, in each year they are in "
            "effect).",
            st["small"],
        ),
        Spacer(1, 2 * mm),
        table,
    ]


RUN_FIELDS = [
    ("scenario", "Scenario file"),
    ("command", "Produced by"),
    ("plan_on", "Savings counted at"),
    ("solver", "Solver"),
    ("mip_gap", "MIP gap"),
    ("seed", "Random seed"),
    ("version", "mtfs_align version"),
]


def assumptions_table(results: Results, st: dict) -> list:
    m = results.manifest
    rows = [header_cells(["Assumption", "Value"], st)]
    assumptions = {k: v for k, v in (m.get("assumptions") or {}).items() if k != "Description"}
    for key, value in assumptions.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        rows.append([Paragraph(esc(key), st["cell"]), Paragraph(esc(value), st["cell"])])
    years = results.years
    if "Years" not in assumptions:
        rows.append([Paragraph("Years", st["cell"]), Paragraph(f"{years[0]} to {years[-1]}", st["cell"])])
    for key, label in RUN_FIELDS:
        if m.get(key) is not None and label not in assumptions:
            rows.append([Paragraph(label, st["cell"]), Paragraph(esc(m[key]), st["cell"])])
    inputs = m.get("inputs") or []
    if inputs:
        text = "<br/>".join(f"{esc(i.get('path', ''))} (sha256 {esc(str(i.get('sha256', ''))[:12])}…)" for i in inputs)
        rows.append([Paragraph("Input files", st["cell"]), Paragraph(text, st["cell"])])
    table = Table(rows, colWidths=[55 * mm, WIDTH - 55 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    story = [CondPageBreak(70 * mm), Paragraph("The scenario's assumptions", st["h1"]), table]
    if not m.get("assumptions"):
        story.insert(
            2,
            Paragraph("The run did not record the scenario's policy assumptions; see the scenario file.", st["small"]),
        )
    return story
