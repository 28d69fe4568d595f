"""The Cabinet briefing (`briefing.pdf`): a short reportlab document built only from the files of
an existing output folder (CSVs, manifest.json and charts/*.png), so `mtfs-align brief` can
rebuild it at any time. Key messages are sentences worked out from the numbers."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from mtfs_align.errors import InputError, Problem, Problems, display_path
from mtfs_align.report.charts import CHART_FILES, frontier_slopes, percent
from mtfs_align.report.text import money

BRIEFING_NAME = "briefing.pdf"
PAGE = A4
MARGIN = 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN
MAX_CHART_HEIGHT = 118 * mm
TOP_OUTCOMES = 5

TABLE_FILES = (
    "budget",
    "plan",
    "activities",
    "outcomes",
    "alignment",
    "breaches",
    "screened",
    "frontier",
    "risk",
    "resilience",
    "core_index",
    "proposal",
    "kpis",
    "compare",
)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# --------------------------------------------------------------------------- reading the folder


@dataclass
class Results:
    """What the briefing is built from: the output folder's tables and manifest."""

    folder: Path
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        frame = self.tables.get(name)
        return frame if frame is not None and len(frame) else None

    @property
    def years(self) -> list[str]:
        return self.tables["budget"]["year"].astype(str).tolist()

    @property
    def council(self) -> str:
        return str(self.manifest.get("council") or "")

    @property
    def priority_names(self) -> dict[str, str]:
        alignment = self.table("alignment")
        if alignment is None:
            return {}
        rows = alignment[alignment["level"] == "priority"]
        return dict(zip(rows["id"].astype(str), rows["name"].astype(str), strict=True))


_NUMBER_COLUMNS = (
    "harm",
    "scale",
    "share_of_aligned",
    "share_of_total",
    "cabinet_weight",
    "p_balanced",
    "core_index",
    "baseline",
    "target",
)
# Every table the charts and the briefing read (charts.build_charts reads these too).
_FOLDER_TABLES = (*TABLE_FILES, "savings_summary")
_REQUIRED_COLUMNS = {
    "budget": ("year", "gap_k", "savings_k", "one_off_k", "reserves_draw_k", "reserves_balance_k", "unidentified_k"),
}


def _numeric(column: str) -> bool:
    return column.endswith("_k") or column in _NUMBER_COLUMNS or column.startswith("harm_")


def _read_table(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in frame.columns:
        if _numeric(column):
            frame[column] = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    return frame


def check_output_folder(folder: Path) -> None:
    """A damaged output folder (a table truncated or with garbage, manifest.json not JSON) is bad
    input to `brief`: every damaged file is named (exit 2) before a chart is drawn."""
    import csv

    folder = Path(folder)
    problems = Problems()
    fix = "run the command that wrote this folder again (it rewrites every file)"
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            problems.add(folder / "manifest.json", "", "", "is not a JSON object of the run's figures", fix)
    except UnicodeDecodeError:
        problems.add(folder / "manifest.json", "", "", "is not UTF-8 text", fix)
    except json.JSONDecodeError as err:
        problems.add(folder / "manifest.json", f"line {err.lineno}", "", f"is not valid JSON ({err.msg})", fix)
    for name in _FOLDER_TABLES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            continue
        try:
            rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        except UnicodeDecodeError as err:
            problems.add(path, "", "", f"is not UTF-8 text (byte {err.start + 1} cannot be read)", fix)
            continue
        except csv.Error as err:
            problems.add(path, "", "", f"cannot be read as CSV ({err})", fix)
            continue
        if not rows or not any(rows[0]) or "\x00" in "".join(rows[0]):
            problems.add(path, "line 1", "", "has no header row", fix)
            continue
        header = rows[0]
        missing = [c for c in _REQUIRED_COLUMNS.get(name, ()) if c not in header]
        if missing:
            problems.add(
                path, "line 1", "", f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", fix
            )
        for number, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != len(header):
                problems.add(
                    path, f"line {number}", "", f"has {len(row)} fields, not {len(header)} (is it cut short?)", fix
                )
                break
            bad = next((c for c, v in zip(header, row, strict=True) if _numeric(c) and v and not _is_number(v)), None)
            if bad is not None:
                problems.add(path, f"line {number}", bad, f"'{row[header.index(bad)][:20]}' is not a number", fix)
                break
    if problems.items:
        raise InputError(problems.items)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_results(folder: Path) -> Results:
    """The tables of an output folder; an error (exit 2) if it is not one."""
    folder = Path(folder)
    if not (folder / "budget.csv").is_file():
        raise InputError(
            [
                Problem(
                    display_path(folder),
                    "",
                    "",
                    "this is not an mtfs_align output folder (it has no budget.csv)",
                    "give the folder written by check, optimise or run",
                )
            ]
        )
    manifest = {}
    if (folder / "manifest.json").is_file():
        with open(folder / "manifest.json", encoding="utf-8") as handle:
            manifest = json.load(handle)
    tables = {name: _read_table(folder / f"{name}.csv") for name in TABLE_FILES if (folder / f"{name}.csv").is_file()}
    return Results(folder, manifest, tables)


def briefing_date(results: Results) -> date:
    """The run's date: the manifest's `date` (ISO) if written, else the manifest's file date."""
    for key in ("date", "created"):
        value = results.manifest.get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
    source = results.folder / "manifest.json"
    if not source.is_file():
        source = results.folder / "budget.csv"
    return date.fromtimestamp(source.stat().st_mtime)


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------- key messages


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def harm_by_priority(results: Results) -> dict[str, float]:
    """Harm over the horizon by priority: the manifest's figures, else summed from outcomes.csv."""
    given = results.manifest.get("harm_by_priority")
    if isinstance(given, dict) and given:
        return {str(p): float(h) for p, h in given.items()}
    outcomes = results.table("outcomes")
    if outcomes is None:
        return {}
    return {str(p): float(h) for p, h in outcomes.groupby("priority", sort=False)["harm"].sum().items()}


def key_messages(results: Results) -> list[str]:
    """Plain sentences worked out from the folder's numbers, most important first."""
    budget = results.tables["budget"]
    years = results.years
    first, last = years[0], years[-1]
    gap = budget["gap_k"].to_numpy(float)
    savings = budget["savings_k"].to_numpy(float)
    unidentified = budget["unidentified_k"].to_numpy(float)
    draw = budget["reserves_draw_k"].to_numpy(float)
    one_off = budget["one_off_k"].to_numpy(float)
    horizon = f"the {_count(len(years))} years" if len(years) > 1 else first
    messages = []

    if len(years) > 1:
        messages.append(
            f"The budget gap is {money(gap[0])} in {first} and reaches {money(gap[-1])} by {last}, "
            "measured against each year's funding before savings."
        )
    else:
        messages.append(f"The budget gap in {first} is {money(gap[0])} before savings.")

    plan = results.table("plan")
    closing = float(budget["reserves_balance_k"].iloc[-1])
    lead = f"The {len(plan)} adopted savings option{'s' if len(plan) != 1 else ''}" if plan is not None else "Savings"
    sentence = (
        f"{lead} close {money(savings[0])} of it in {first}"
        + (f", rising to {money(savings[-1])} a year by {last}" if len(years) > 1 else "")
        + f"; reserves cover {money(draw.sum())} over {horizon}, leaving {money(closing)} "
        f"in usable reserves at the end of {last}."
    )
    messages.append(sentence)
    if one_off.sum() >= 0.5:
        messages[-1] += f" One-off implementation costs add {money(one_off.sum())}."

    short = [(y, u) for y, u in zip(years, unidentified, strict=True) if u >= 0.5]
    if short:
        where = _list([f"{money(u)} in {y}" for y, u in short])
        which = short[0][0] if len(short) == 1 else "those years"
        sentence = f"Savings still to be found (unidentified): {where}, so the budget does not yet balance in {which}."
        if short[0][0] == first:
            sentence += f" The {first} budget must balance by law before it is set."
        messages.append(sentence)
    else:
        messages.append("The budget balances in every year: no savings are left to be found.")

    harm = harm_by_priority(results)
    total = sum(harm.values())
    if harm and total > 1e-9:
        names = results.priority_names
        ranked = sorted(harm.items(), key=lambda item: -item[1])
        parts = [
            f"{_share(h, total)} on {names.get(p, p).lower() if names.get(p) else p} ({p})"
            for p, h in ranked[:2]
            if h > 0
        ]
        sentence = f"Outcome harm totals {total:.1f}: " + _list(parts) + "."
        outcomes = results.table("outcomes")
        if outcomes is not None:
            by_outcome = outcomes.groupby(["outcome", "name"], sort=False)["harm"].sum().sort_values(ascending=False)
            if len(by_outcome) and by_outcome.iloc[0] > 0:
                (oid, oname), value = by_outcome.index[0], by_outcome.iloc[0]
                sentence += f" The outcome most harmed is {oid}, {oname.rstrip('.')} ({value:.1f})."
        messages.append(sentence)
    elif harm:
        messages.append("The plan does no net harm to the corporate plan's outcomes.")

    risk = results.table("risk")
    if risk is not None:
        messages.append(_risk_message(risk, results.manifest.get("p_balanced_all_years")))

    proposal = results.table("proposal")
    if proposal is not None:
        messages.extend(_proposal_messages(proposal, horizon))

    frontier = results.table("frontier")
    if frontier is not None:
        average, _ = frontier_slopes(frontier)
        if not math.isnan(average):
            messages.append(
                f"Across the frontier of least-harm plans, each extra £1m of savings costs "
                f"{average:.2f} of outcome harm on average."
            )

    core = results.table("core_index")
    if core is not None:
        classes = core["class"].astype(str)
        n_core, n_exterior, n_borderline = (int((classes == c).sum()) for c in ("core", "exterior", "borderline"))
        messages.append(
            f"Under other plausible priority weights, {n_core} "
            f"option{' is' if n_core == 1 else 's are'} adopted almost always (core), "
            f"{n_exterior} almost never, and {n_borderline} "
            f"depend{'s' if n_borderline == 1 else ''} on the weights chosen."
        )

    activities = results.table("activities")
    if activities is not None:
        outside = activities[activities["status"].astype(str) != "within"]
        if len(outside):
            ids = list(dict.fromkeys(outside["activity"].astype(str)))
            messages.append(
                f"{len(ids)} activit{'y falls' if len(ids) == 1 else 'ies fall'} outside "
                f"{'its' if len(ids) == 1 else 'their'} budget envelope in at least one year "
                f"({', '.join(ids[:6])}{'…' if len(ids) > 6 else ''})."
            )
        else:
            messages.append("Every activity stays above its statutory floor and within its cash limit in every year.")
    breaches = results.table("breaches")
    if breaches is not None and "breach" in breaches:
        policy = breaches[~breaches["breach"].astype(str).isin(["below_floor", "above_envelope"])]
        if len(policy):
            messages.append(
                f"The plan breaks the scenario's policy in {len(policy)} "
                f"place{'s' if len(policy) != 1 else ''} (see results.xlsx, sheet breaches)."
            )
    screened = results.table("screened")
    if screened is not None:
        ids = screened["option"].astype(str).tolist()
        messages.append(
            f"{_count(len(ids)).capitalize()} option{'s were' if len(ids) != 1 else ' was'} "
            "not considered because of "
            f"a high equality impact ({', '.join(ids)})."
        )
    return messages


def _risk_message(risk: pd.DataFrame, every: float | None) -> str:
    """Delivery risk in one sentence, from risk.csv (and the manifest's chance that every year
    balances)."""
    p = risk["p_balanced"].to_numpy(float)
    p95 = risk["p95_k"].to_numpy(float)
    years = risk["year"].astype(str).tolist()
    lead = "Allowing for delivery risk (late starts and part-delivery)"
    order = np.lexsort((-p95, p))  # the weakest year; among equals, the one with most to find
    worst, deepest = int(order[0]), int(np.argmax(p95))
    if p.max() < 0.05:
        never = "in any simulated outcome" if p.max() == 0 else f"in more than {percent(p.max())} of outcomes"
        return (
            f"{lead}, the plan almost never balances: no year balances {never}, and in {years[deepest]} "
            f"there is a 1-in-20 chance of {money(p95[deepest])} or more still to find."
        )
    if every is not None:
        lead += f", the budget balances in every year in {percent(float(every))} of simulated outcomes"
    if p.min() >= 0.95:
        return f"{lead}; each year balances with at least {percent(p.min())} probability."
    return (
        f"{lead}; {years[worst]} is the weakest year, balancing in {percent(p[worst])} of outcomes, "
        f"with a 1-in-20 chance of {money(p95[worst])} or more still to find."
    )


def _count(n: int) -> str:
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    return words[n] if 0 <= n < len(words) else str(n)


def _proposal_messages(proposal: pd.DataFrame, horizon: str = "the horizon") -> list[str]:
    """P (the council's proposal) against B (least harm for at least P's savings every year) and
    C (most savings for no more harm than P), from proposal.csv."""
    rows = {str(r["plan"]).strip().upper(): r for _, r in proposal.iterrows()}
    out = []
    p = rows.get("P")
    if p is None:
        return out
    unidentified = float(p.get("unidentified_k", 0) or 0)
    out.append(
        f"The proposal (P) saves {money(p['savings_k'])} over {horizon} for outcome harm of "
        f"{p['harm']:.1f}" + (f", leaving {money(unidentified)} unidentified." if unidentified >= 0.5 else ".")
    )
    b = rows.get("B")
    if b is not None:
        if p["harm"] > 1e-9 and b["harm"] < p["harm"] - 1e-9:
            out.append(
                f"B, the least-harm plan that saves at least as much as P in every year, does "
                f"{(p['harm'] - b['harm']) / p['harm']:.0%} less harm ({b['harm']:.1f})."
            )
        else:
            out.append("No plan saves as much as the proposal in every year with less harm: P is on the frontier.")
    c = rows.get("C")
    if c is not None:
        extra = float(c["savings_k"]) - float(p["savings_k"])
        if extra >= 0.5:
            out.append(
                f"C, the plan with the most savings for no more harm than P, saves "
                f"{money(extra)} more ({money(c['savings_k'])} over {horizon})."
            )
    return out


# --------------------------------------------------------------------------- layout


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body",
        parent=base["BodyText"],
        fontName="Helvetica",
        fontSize=10.5,
        leading=14,
        alignment=TA_LEFT,
        spaceAfter=4,
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=9.6, spaceAfter=0),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=9.6, spaceAfter=0
        ),
        "head_right": ParagraphStyle(
            "head_right", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=9.6, spaceAfter=0, alignment=2
        ),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=0, spaceAfter=6),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=16,
            leading=20,
            spaceBefore=4,
            spaceAfter=8,
            textColor=colors.HexColor("#0b3c5d"),
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=body,
            fontSize=9,
            leading=11,
            textColor=colors.HexColor("#444444"),
            spaceBefore=2,
            spaceAfter=10,
        ),
        "kicker": ParagraphStyle(
            "kicker",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            textColor=colors.HexColor("#555555"),
        ),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=26,
            leading=31,
            spaceAfter=10,
            textColor=colors.HexColor("#0b3c5d"),
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontName="Helvetica", fontSize=17, leading=22, spaceAfter=10
        ),
        "label": ParagraphStyle(
            "label",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=13,
            leading=17,
            textColor=colors.white,
            backColor=colors.HexColor("#b35806"),
            borderPadding=6,
            spaceBefore=10,
            spaceAfter=10,
        ),
    }


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _header(cells: list[str], st: dict, right_from: int | None = None) -> list[Paragraph]:
    """Header cells that wrap instead of running into each other; numeric columns right-aligned."""
    out = []
    for i, text in enumerate(cells):
        style = st["head_right"] if right_from is not None and i >= right_from else st["cell_bold"]
        out.append(Paragraph(_esc(text), style))
    return out


def _title_page(results: Results, st: dict, day: date) -> list:
    m = results.manifest
    assumptions = m.get("assumptions") or {}
    story = [
        Spacer(1, 40 * mm),
        Paragraph("Cabinet briefing: savings and the corporate plan", st["kicker"]),
        Spacer(1, 4 * mm),
        Paragraph(_esc(results.council or "Council"), st["title"]),
        Paragraph(_esc(m.get("scenario_name") or m.get("scenario") or "Scenario"), st["subtitle"]),
    ]
    description = assumptions.get("Description") or m.get("description")
    if description:
        story.append(Paragraph(_esc(description), st["body"]))
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


def _budget_table(results: Results, st: dict) -> Table:
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
    rows = [_header(header, st, right_from=1)]
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


def _resilience_story(results: Results, st: dict) -> list:
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
    rows = [_header(header, st, right_from=1)]
    for _, r in table.iterrows():
        rows.append(
            [
                r["year"],
                percent(float(r["p_balanced"])),
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
            Paragraph(_esc(sentence), st["bullet"], bulletText="•")
            for sentence in section25_sentences(table, confidence, best_possible)
            + _certainty(m, confidence, certainty_cost_sentence)
        ],
        Spacer(1, 2 * mm),
        grid,
        Spacer(1, 6 * mm),
    ]


def _chart_story(results: Results, st: dict) -> list:
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
        text = f"Figure {number}: {_esc(caption)}. ({_esc(f'charts/{name}.png')}, also as SVG.)"
        block = [image, Paragraph(text, st["caption"])]
        if not story:
            block.insert(0, Paragraph("The charts", st["h1"]))
        story.append(KeepTogether(block))
    return story


PLAN_YEARS_PER_TABLE = 6  # year columns that fit beside the option's name on an A4 page


def _plan_table(results: Results, st: dict) -> list:
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
            story.append(Paragraph(f"Years {_esc(block[0])} to {_esc(block[-1])}", st["h2"]))
        story += [Spacer(1, 2 * mm), _plan_grid(results, plan, years, block, st)]
    return story


def _plan_grid(results: Results, plan: pd.DataFrame, years: list[str], block: list[str], st: dict) -> Table:
    """The adopted options grouped by start year, with the nominal savings of the years in `block`."""
    header = ["Option", "Name", "Activity", "RAG", *block]
    rows = [_header(header, st, right_from=4)]
    spans = []
    start_order = {y: i for i, y in enumerate(results.years)}
    groups = sorted(plan.groupby("start", sort=False), key=lambda g: start_order.get(str(g[0]), 99))
    for start, group in groups:
        level = group[f"{years[-1]}_k"].sum() if years else 0
        spans.append(len(rows))
        rows.append(
            [
                Paragraph(
                    f"Starting {_esc(start)}: {len(group)} option{'s' if len(group) != 1 else ''}, "
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
                    Paragraph(_esc(r["name"]), st["cell"]),
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
            f"<b>{_esc(k['kpi'])}</b> {_esc(k['name'])}{_esc(figures)}"
            f"{'. ' + notes[0].upper() + notes[1:] if notes else ''}."
        )
    return "<br/>".join(lines) or "No KPIs in the plan"


def _outcomes_table(results: Results, st: dict) -> list:
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
    rows = [_header(header, st)]
    rows[0][1] = Paragraph("Harm", st["head_right"])
    for (oid, name, priority), harm in totals.items():
        final = outcomes[(outcomes["outcome"] == oid) & (outcomes["year"].astype(str) == last)]
        ratio = ""
        if len(final) and float(final["need_k"].iloc[0]) > 0:
            need, spend = float(final["need_k"].iloc[0]), float(final["spend_k"].iloc[0])
            ratio = f"{money(spend)} of {money(need)} ({spend / need:.0%})"
        rows.append(
            [
                Paragraph(f"<b>{_esc(oid)}</b> ({_esc(priority)}) {_esc(name)}", st["cell"]),
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
            f"The {_count(len(totals))} outcomes with the most harm over the horizon (weighted "
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


def _assumptions(results: Results, st: dict) -> list:
    m = results.manifest
    rows = [_header(["Assumption", "Value"], st)]
    assumptions = {k: v for k, v in (m.get("assumptions") or {}).items() if k != "Description"}
    for key, value in assumptions.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        rows.append([Paragraph(_esc(key), st["cell"]), Paragraph(_esc(value), st["cell"])])
    years = results.years
    if "Years" not in assumptions:
        rows.append([Paragraph("Years", st["cell"]), Paragraph(f"{years[0]} to {years[-1]}", st["cell"])])
    for key, label in RUN_FIELDS:
        if m.get(key) is not None and label not in assumptions:
            rows.append([Paragraph(label, st["cell"]), Paragraph(_esc(m[key]), st["cell"])])
    inputs = m.get("inputs") or []
    if inputs:
        text = "<br/>".join(
            f"{_esc(i.get('path', ''))} (sha256 {_esc(str(i.get('sha256', ''))[:12])}…)" for i in inputs
        )
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


class _NumberedCanvas(Canvas):
    """Defers page furniture until the page count is known, for "Page N of M"."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFont("Helvetica", 8)
        self.setFillColor(colors.HexColor("#555555"))
        self.drawString(MARGIN, 10 * mm, self._footer)
        self.drawRightString(PAGE[0] - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
        self.restoreState()


def build_briefing(folder: Path, out_path: Path | None = None) -> Path:
    """Write the Cabinet briefing PDF from an existing output folder (by default as
    `<folder>/briefing.pdf`).

    Uses whichever files are there: budget.csv and manifest.json always; plan, outcomes, alignment,
    activities, breaches and screened from check; frontier, risk, core_index and proposal from the
    analyses; kpis.csv for the outcomes table; charts/*.png for the figures."""
    results = read_results(folder)
    target = Path(out_path) if out_path is not None else Path(folder) / BRIEFING_NAME
    st = _styles()
    day = briefing_date(results)
    story = _title_page(results, st, day)
    story.append(Paragraph("Key messages", st["h1"]))
    for message in key_messages(results):
        story.append(Paragraph(_esc(message), st["bullet"], bulletText="•"))
    story.append(Paragraph("The budget year by year", st["h2"]))
    story.append(_budget_table(results, st))
    story.append(Spacer(1, 6 * mm))
    story += _resilience_story(results, st)
    story += _chart_story(results, st)
    story += _plan_table(results, st)
    story += _outcomes_table(results, st)
    story += _assumptions(results, st)

    scenario = results.manifest.get("scenario_name") or ""
    footer = f"{results.council}: {scenario}"[:110]
    if "illustrative" in results.council.lower() and "illustrative" not in footer.lower():
        footer += " (illustrative)"
    # Written beside the target and moved into place, so a failed rebuild (`mtfs-align brief`)
    # never leaves half a PDF where the last good one was.
    partial = target.with_name(f".{target.name}.partial")
    doc = SimpleDocTemplate(
        str(partial),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        invariant=1,
        title=f"Cabinet briefing: {scenario}",
        author=results.council or "mtfs_align",
        subject="Medium Term Financial Strategy savings and the corporate plan",
        creator="mtfs_align",
    )

    def canvas_maker(*args, **kwargs):
        return _NumberedCanvas(*args, footer=footer, **kwargs)

    # reportlab's pure-Python ASCII85 encoding of the chart images takes seconds; binary streams are
    # smaller and quick. The setting is global to reportlab, so it is put back afterwards.
    use_a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        doc.build(story, canvasmaker=canvas_maker)
        partial.replace(target)
    finally:
        rl_config.useA85 = use_a85
        partial.unlink(missing_ok=True)
    return target


def kpi_table(scenario) -> pd.DataFrame:
    """The plan's KPIs as the `kpis.csv` table the briefing reads (outcome, kpi, name, unit,
    baseline, target, direction); the run command writes it beside outcomes.csv."""
    rows = [
        {
            "outcome": o.id,
            "kpi": k.id,
            "name": k.name,
            "unit": k.unit,
            "baseline": k.baseline,
            "target": k.target,
            "direction": k.direction,
        }
        for o in scenario.outcomes.values()
        for k in o.kpis
    ]
    columns = ["outcome", "kpi", "name", "unit", "baseline", "target", "direction"]
    return pd.DataFrame(rows, columns=columns)
