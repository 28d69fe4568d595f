"""briefing.html in a real browser (issue 11, items 1 and 2): headless Chromium (Debian's chromium,
driven by Playwright) opens the page once; a Cabinet member picks plans with the keyboard and the
mouse, and what the explorer shows is checked against the run's plans/ and tables; axe-core, run
inside the page, finds no accessibility violation; no request leaves the page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mtfs_align.report.text import money

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), "install Debian's chromium (apt-get install -y chromium) to run these tests"
    with sync_playwright() as playwright:
        # Debian's own Chromium, never a browser that Playwright downloads.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def opened(browser, westshire_run):
    """The page at laptop width, loaded once, with every request it made and every script error."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    url = (westshire_run / "briefing.html").as_uri()
    page.goto(url)
    page.wait_for_selector("#options-table tbody")
    yield page, url, requests, errors
    page.close()


def plan_csv(folder: Path, name: str) -> pd.DataFrame:
    path = folder / ("proposal/plan.csv" if name == "P" else f"plans/{name}.csv")
    return pd.read_csv(path, dtype={"option": str, "start": str})


def shown_options(page) -> list[tuple[str, str]]:
    """(option, start year) of every row the options table shows."""
    rows = []
    for body in page.locator("#options-table tbody").all():
        start = re.match(r"Starting (\S+):", body.locator("tr").first.inner_text()).group(1)
        rows += [(cell.inner_text(), start) for cell in body.locator("tr th[scope=row]").all()]
    return rows


def test_nothing_leaves_the_page(opened):
    page, url, requests, errors = opened
    assert requests == [url]  # the page itself, nothing else: no font, script or image is fetched
    assert errors == []


def test_the_keyboard_picks_a_frontier_point_and_the_page_shows_its_plan(opened, westshire_run):
    page, *_ = opened
    frontier = pd.read_csv(westshire_run / "frontier.csv")
    page.locator("input[name=plan]:checked").focus()  # the proposal P, shown first
    assert page.locator("input[name=plan]:checked").get_attribute("value") == "P"
    for _ in range(5):  # up the list from P to the first frontier point
        page.keyboard.press("ArrowUp")
    assert page.locator("input[name=plan]:checked").get_attribute("value") == "frontier_01"
    page.keyboard.press("ArrowDown")  # the second point
    assert page.evaluate("document.activeElement.value") == "frontier_02"
    row = frontier[frontier["point"] == 2].iloc[0]
    assert page.locator("#plan-title").inner_text().startswith("Frontier point 2 (gap ×0.75)")
    summary = page.locator("#plan-summary").inner_text()
    assert (
        f"summed over the four years, savings of {money(row['savings_k'])}, reserves drawn "
        f"{money(row['reserves_draw_k'])} and savings still to be found {money(row['unidentified_k'])}; "
        f"outcome harm of {row['harm']:.2f}."
    ) in summary

    plan = plan_csv(westshire_run, "frontier_02")
    assert sorted(shown_options(page)) == sorted(zip(plan["option"], plan["start"], strict=True))
    years = [c[:-2] for c in plan.columns if c.endswith("_k")]
    savings = [v.inner_text() for v in page.locator("#savings-bars .bar-value").all()]
    assert savings == [money(plan[f"{y}_k"].sum()) for y in years]
    harm = [v.inner_text() for v in page.locator("#harm-bars .bar-value").all()]
    assert harm == [f"{row[c]:.2f}" for c in frontier.columns if c.startswith("harm_")]


def test_focus_or_hover_shows_the_exact_amount(opened, westshire_run):
    page, *_ = opened
    plan = plan_csv(westshire_run, "frontier_02")
    last = [c for c in plan.columns if c.endswith("_k")][-1]
    bar = page.locator("#savings-bars .bar").last
    bar.focus()
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert tip.inner_text() == f"£{round(plan[last].sum() * 1000):,}"
    bar.blur()
    assert not tip.is_visible()
    cell = page.locator("#options-table td.num").first
    cell.hover()
    assert re.fullmatch(r"-?£[\d,]+", tip.inner_text())


def test_the_mouse_picks_b_and_the_page_says_what_changes_against_the_proposal(opened, westshire_run):
    page, *_ = opened
    page.locator(".pick[data-plan=B]").click()
    assert page.locator("input[name=plan]:checked").get_attribute("value") == "B"
    b, p = plan_csv(westshire_run, "B"), plan_csv(westshire_run, "P")
    assert sorted(shown_options(page)) == sorted(zip(b["option"], b["start"], strict=True))
    added = set(b["option"]) - set(p["option"])
    dropped = set(p["option"]) - set(b["option"])
    starts_p = dict(zip(p["option"], p["start"], strict=True))
    moved = {o for o, s in zip(b["option"], b["start"], strict=True) if o in starts_p and starts_p[o] != s}
    lists = page.locator(".change").all()
    assert lists[0].locator("h5").inner_text() == f"Options added ({len(added)})"
    assert lists[1].locator("h5").inner_text() == f"Options dropped ({len(dropped)})"
    assert lists[2].locator("h5").inner_text() == f"Options starting in another year ({len(moved)})"
    named = {item.split(" ")[0] for item in lists[0].locator("li").all_inner_texts()}
    assert named == added
    said = page.locator("#changes p").first.inner_text()
    before, after = p["harm"].sum(), b["harm"].sum()
    assert after < before  # B does less harm than P on Westshire
    assert said == (
        f"Against the proposal (P), this plan cuts outcome harm by {(before - after) / before:.0%} "
        f"(from {before:.2f} to {after:.2f})."
    )


def test_options_filter_by_directorate_and_rag(opened, westshire_run):
    page, *_ = opened
    b = plan_csv(westshire_run, "B")
    activities = pd.read_csv(westshire_run / "plans_activities.csv")
    directorate = dict(zip(activities["activity"], activities["directorate"], strict=False))
    b["directorate"] = b["activity"].map(directorate)
    page.select_option("#filter-directorate", "ASC")
    expected = b[b["directorate"] == "ASC"]
    assert sorted(o for o, _ in shown_options(page)) == sorted(expected["option"])
    assert page.locator("#options-count").inner_text() == f"{len(expected)} of the plan's {len(b)} options shown (ASC)."
    page.locator("input[name=rag][value=A]").uncheck()
    assert sorted(o for o, _ in shown_options(page)) == sorted(expected[expected["rag"] != "A"]["option"])
    page.locator("input[name=rag][value=A]").check()
    page.select_option("#filter-directorate", "")
    assert len(shown_options(page)) == len(b)


def test_axe_finds_no_accessibility_violation(opened):
    page, *_ = opened
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the test, not loaded by the page
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']}})"
    )
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == []
    assert len(result["passes"]) > 20  # it did check the page
