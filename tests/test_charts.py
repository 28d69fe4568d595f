"""Charts are checked through the data they plot (bar heights, line data, titles), not pixels."""

from __future__ import annotations

import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest

from mtfs_align.report import charts

YEARS = ["2021/22", "2022/23"]


def bars(ax, label: str) -> list[float]:
    for container in ax.containers:
        if container.get_label() == label:
            return [round(patch.get_height(), 6) for patch in container]
    raise AssertionError(f"no bars labelled {label!r}: {[c.get_label() for c in ax.containers]}")


def widths(ax, label: str) -> list[float]:
    for container in ax.containers:
        if container.get_label() == label:
            return [round(patch.get_width(), 6) for patch in container]
    raise AssertionError(f"no bars labelled {label!r}")


def title(fig) -> str:
    """The finding in the title, without the line breaks added to fit the slide."""
    return " ".join(fig.get_suptitle().split())


def line(ax, gid: str):
    for candidate in ax.get_lines():
        if candidate.get_gid() == gid:
            return candidate
    raise AssertionError(f"no line {gid!r}")


@pytest.fixture
def budget() -> pd.DataFrame:
    """Gap 10 then 20 (£m). Savings 6 then 14; year 1 draws 3 from reserves and leaves 1
    unidentified (10 - 6 + 0 = 3 + 1); year 2 has a one-off cost of 1 and draws 7
    (20 - 14 + 1 = 7)."""
    return pd.DataFrame(
        {
            "year": YEARS,
            "gap_k": [10000, 20000],
            "savings_k": [6000, 14000],
            "one_off_k": [0, 1000],
            "reserves_draw_k": [3000, 7000],
            "reserves_paid_k": [0, 0],
            "unidentified_k": [1000, 0],
            "reserves_balance_k": [7000, 0],
            "balanced": ["no", "yes"],
        }
    )


@pytest.fixture
def alignment() -> pd.DataFrame:
    """P1 saves 4 then 10 (need - spend); P2 saves 2 then 4; together the budget's savings."""
    rows = []
    for year, (n1, s1, n2, s2) in zip(YEARS, [(50000, 46000, 30000, 28000), (52000, 42000, 30000, 26000)], strict=True):
        total = s1 + s2
        rows.append(["priority", "P1", "Keeping people safe", year, n1, s1, s1 / total, s1 / total, 0.6])
        rows.append(["priority", "P2", "A sustainable economy", year, n2, s2, s2 / total, s2 / total, 0.4])
        rows.append(["outcome", "O1", "Children are safe", year, n1, s1, s1 / total, s1 / total, 0.6])
    return pd.DataFrame(
        rows,
        columns=[
            "level",
            "id",
            "name",
            "year",
            "need_k",
            "spend_k",
            "share_of_aligned",
            "share_of_total",
            "cabinet_weight",
        ],
    )


def test_gap_closure_stacks_priority_savings_reserves_and_unidentified(budget, alignment):
    fig = charts.gap_closure_chart(budget, alignment)
    ax = fig.axes[0]
    p1 = next(c.get_label() for c in ax.containers if c.get_label().startswith("P1"))
    p2 = next(c.get_label() for c in ax.containers if c.get_label().startswith("P2"))
    assert bars(ax, p1) == [4.0, 10.0]
    assert bars(ax, p2) == [2.0, 4.0]
    assert bars(ax, "Reserves drawn") == [3.0, 7.0]
    assert bars(ax, "Unidentified savings (still to be found)") == [1.0, 0.0]
    # each stack reaches the gap plus one-off costs: 6 + 3 + 1 = 10; 14 + 7 + 0 = 20 + 1
    assert list(line(ax, "gap").get_ydata()) == [10.0, 20.0]
    assert list(line(ax, "gap_plus_one_off").get_ydata()) == [10.0, 21.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == YEARS
    assert title(fig).startswith("Savings close £14.0m of the £20.0m gap by 2022/23")
    assert "£1.0m of savings still to be found in 2021/22" in title(fig)
    assert not any(c.get_label().startswith("Savings not aligned") for c in ax.containers)


def test_gap_closure_shows_savings_not_attributed_to_a_priority(budget, alignment):
    budget = budget.assign(savings_k=[7000, 14000], reserves_draw_k=[2000, 7000])
    fig = charts.gap_closure_chart(budget, alignment)
    assert bars(fig.axes[0], "Savings not aligned to a priority") == [1.0, 0.0]


def test_priority_spend_against_need_and_cabinet_weights(alignment):
    fig = charts.priority_spend_chart(alignment)
    left, right = fig.axes[:2]
    assert bars(left, "2022/23") == [42.0, 26.0]
    need = next(c for c in left.collections if c.get_gid() == "need 2022/23")
    assert [round(seg[0][1], 6) for seg in need.get_segments()] == [52.0, 30.0]
    assert bars(right, "2021/22") == pytest.approx([46000 / 74000 * 100, 28000 / 74000 * 100])
    weights = next(c for c in right.collections if c.get_gid() == "cabinet_weight")
    assert [round(seg[0][1], 6) for seg in weights.get_segments()] == [60.0, 40.0]
    # P1 is at 42/52 = 81% of need by 2022/23, P2 at 26/30 = 87%: P1 takes the deepest cut
    assert title(fig).startswith("P1 Keeping people safe takes the deepest cut: spend is 81% of need")


def test_frontier_marks_this_scenario_and_the_proposal_points():
    """Scales 0.5 to 2: at 2 the gap can no longer be closed and the plan is the one of 1.5."""
    frontier = pd.DataFrame(
        {
            "point": [1, 2, 3, 4],
            "scale": [0.5, 1.0, 1.5, 2.0],
            "savings_k": [50000, 100000, 150000, 150000],
            "harm": [2.0, 6.0, 16.0, 16.0],
            "unidentified_k": [0, 0, 0, 2000],
            "reserves_draw_k": [0, 0, 0, 0],
            "harm_P1": [1.0, 3.0, 8.0, 8.0],
            "harm_P2": [1.0, 3.0, 8.0, 8.0],
        }
    )
    marked = pd.DataFrame(
        {"label": ["P: proposal", "B: least harm"], "savings_k": [100000, 100000], "harm": [9.0, 6.0]}
    )
    fig = charts.frontier_chart(frontier, marked, YEARS)
    ax = fig.axes[0]
    assert list(line(ax, "frontier").get_xdata()) == [50.0, 100.0, 150.0, 150.0]
    assert list(line(ax, "frontier").get_ydata()) == [2.0, 6.0, 16.0, 16.0]
    assert list(line(ax, "this_scenario").get_xdata()) == [100.0]
    assert list(line(ax, "short").get_ydata()) == [16.0]
    assert list(line(ax, "marked P: proposal").get_ydata()) == [9.0]
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("×")] == ["×0.5", "×1", "×1.5–2"]
    # (16 - 2) / (150 - 50) = 0.14 per £1m on average; the last segment costs 10 / 50 = 0.2
    assert title(fig) == (
        "Each extra £1m of savings costs 0.14 of outcome harm on average, rising to 0.20 at the top of the range"
    )


def test_frontier_accepts_a_dict_of_points():
    frontier = pd.DataFrame(
        {
            "point": [1, 2],
            "scale": [1.0, 1.2],
            "savings_k": [1000, 3000],
            "harm": [1.0, 2.0],
            "unidentified_k": [0, 0],
            "reserves_draw_k": [0, 0],
        }
    )
    fig = charts.frontier_chart(frontier, {"C": {"savings_k": 2000, "harm": 1.0}, "P": (1500, 1.5)})
    assert list(line(fig.axes[0], "marked C").get_xdata()) == [2.0]
    assert list(line(fig.axes[0], "marked P").get_ydata()) == [1.5]


def test_risk_fan_chart():
    risk = pd.DataFrame(
        {
            "year": YEARS,
            "p5_k": [0, 1000],
            "p50_k": [0, 4000],
            "p95_k": [500, 9000],
            "expected_unidentified_k": [100, 4500],
            "p_balanced": [0.97, 0.4],
            "p5_reserves_balance_k": [5000, 0],
        }
    )
    fig = charts.risk_fan_chart(risk)
    fan, prob = fig.axes[:2]
    assert list(line(fan, "p50").get_ydata()) == [0.0, 4.0]
    assert list(line(fan, "p95").get_ydata()) == [0.5, 9.0]
    assert list(line(fan, "mean").get_ydata()) == [0.1, 4.5]
    assert bars(prob, "Chance the year balances") == [97.0, 40.0]
    assert title(fig) == (
        "Delivery risk bites in 2022/23: the budget balances there in only 40% of draws, "
        "with a 1-in-20 chance of £9.0m or more still to find"
    )


def test_headroom_chart_picks_each_activitys_tightest_year():
    activities = pd.DataFrame(
        {
            "activity": ["A1", "A1", "A2", "A2", "A3", "A3"],
            "name": ["Care", "Care", "Roads", "Roads", "Libraries", "Libraries"],
            "year": YEARS * 3,
            "need_k": [100, 100, 50, 50, 20, 20],
            "spend_k": [90, 80, 50, 45, 20, 20],
            "service_spend_k": [90, 80, 50, 45, 20, 20],
            "floor_k": [70, 75, 10, 10, 0, 0],
            "cash_limit_k": [np.nan, np.nan, 52, 52, np.nan, np.nan],
            "headroom_k": [20, 5, 2, 7, 20, 20],
            "status": ["within"] * 6,
        }
    )
    rows = charts.tightest_activities(activities)
    assert rows["activity"].tolist() == ["A2", "A1", "A3"]
    assert rows["year"].tolist() == ["2021/22", "2022/23", "2021/22"]
    assert rows["limit"].tolist() == ["cash limit", "floor", "floor"]
    fig = charts.headroom_chart(activities, top=2)
    ax = fig.axes[0]
    assert list(line(ax, "cash limit").get_xdata()) == [0.002]
    assert list(line(ax, "floor").get_xdata()) == [0.005]
    assert title(fig).startswith("Every activity stays inside its envelope; A2 Roads is closest, £2k")


def test_headroom_chart_names_breaches():
    activities = pd.DataFrame(
        {
            "activity": ["A1"],
            "name": ["Care"],
            "year": ["2021/22"],
            "need_k": [100],
            "spend_k": [60],
            "service_spend_k": [60],
            "floor_k": [70],
            "cash_limit_k": [np.nan],
            "headroom_k": [-10],
            "status": ["below_floor"],
        }
    )
    fig = charts.headroom_chart(activities)
    assert list(line(fig.axes[0], "breach").get_xdata()) == [-0.01]
    assert title(fig).startswith("1 activity breaches the budget envelope")


def test_core_index_chart():
    core = pd.DataFrame(
        {
            "option": ["S1", "S2", "S3"],
            "name": ["a", "b", "c"],
            "core_index": [0.5, 1.0, 0.02],
            "class": ["borderline", "core", "exterior"],
        }
    )
    fig = charts.core_index_chart(core)
    ax = fig.axes[0]
    assert widths(ax, charts.CLASS_STYLE["core"]["label"]) == [100.0]
    assert widths(ax, charts.CLASS_STYLE["borderline"]["label"]) == [50.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["S1 a", "S2 b", "S3 c"]  # top to bottom
    assert title(fig) == (
        "1 option is core whatever the exact weights; 1 is borderline (S1) and depends on the Cabinet's priorities"
    )


def test_savings_heatmap_sums_plan_by_activity():
    plan = pd.DataFrame(
        {
            "option": ["S1", "S2", "S3"],
            "activity": ["A1", "A2", "A1"],
            "2021/22_k": [1000, 500, 0],
            "2022/23_k": [1500, 500, 2000],
        }
    )
    table = charts.savings_by_activity(plan)
    assert table.loc["A1"].tolist() == [1000, 3500]
    fig = charts.savings_heatmap(plan, {"A1": "Care"})
    image = next(i for i in fig.axes[0].get_images() if i.get_gid() == "heatmap")
    assert np.asarray(image.get_array()).tolist() == [[1.0, 3.5], [0.5, 0.5]]
    assert title(fig) == "£4.0m saved in 2022/23"


def test_comparison_chart_uses_the_compare_columns():
    """compare.csv's harm is per year (the options in effect); the chart shows each scenario's
    sum over the horizon: Central 2 + 3 = 5 (P1 3, P2 2), Shock 3 + 4 = 7 (P1 4, P2 3). P3 is
    blank for Central, which does not have it."""
    compare = pd.DataFrame(
        {
            "scenario": ["Central", "Central", "Shock", "Shock"],
            "year": YEARS * 2,
            "gap_k": [10000, 20000, 12000, 25000],
            "savings_k": [8000, 18000, 9000, 20000],
            "reserves_draw_k": [2000, 2000, 3000, 2000],
            "unidentified_k": [0, 0, 0, 3000],
            "one_off_k": [0, 0, 0, 0],
            "harm": [2.0, 3.0, 3.0, 4.0],
            "harm_P1": [1.0, 2.0, 2.0, 2.0],
            "harm_P2": [1.0, 1.0, 1.0, 2.0],
            "harm_P3": [np.nan, np.nan, 0.0, 0.0],
        }
    )
    fig = charts.comparison_chart(compare)
    money_ax, harm_ax = fig.axes[:2]
    assert bars(money_ax, "Central") == [8.0, 18.0]
    assert bars(money_ax, "Shock") == [9.0, 20.0]
    assert bars(money_ax, "_unidentified Shock") == [0.0, 3.0]
    assert widths(harm_ax, "P1") == [3.0, 4.0]
    assert widths(harm_ax, "P2") == [2.0, 3.0]
    # Shock needs 20 + 3 = 23 by 2022/23 against 18
    assert title(fig) == ("Shock needs £5.0m more savings a year by 2022/23 than Central; Shock does most harm (7.0)")


def small_chart():
    plan = pd.DataFrame({"option": ["S1"], "activity": ["A1"], "2021/22_k": [1000.0]})
    return charts.savings_heatmap(plan)


def test_save_chart_is_byte_identical_on_rerun(tmp_path):
    first = [p.read_bytes() for p in charts.save_chart(small_chart(), tmp_path, "heat")]
    second = [p.read_bytes() for p in charts.save_chart(small_chart(), tmp_path, "heat")]
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == ["heat.png", "heat.svg"]
    assert first == second
    assert b"<dc:date>" not in second[1]


def test_build_charts_draws_what_the_results_allow(budget):
    from mtfs_align.results import RunResults

    results = RunResults("check")
    results.add_table("budget", budget)
    assert list(charts.build_charts(results)) == ["gap_closure"]


def test_charts_leave_global_state_alone(tmp_path):
    """Figures are built without pyplot and styled in a context: rcParams are as they were."""
    if "matplotlib.pyplot" in sys.modules:
        pytest.skip("pyplot was imported elsewhere in this test session")
    before = rc_settings()
    charts.save_chart(small_chart(), tmp_path, "x")
    assert "matplotlib.pyplot" not in sys.modules
    after = rc_settings()
    assert {k: v for k, v in after.items() if before[k] != v} == {}


def rc_settings() -> dict:
    # Reading rcParams["backend"] would resolve the backend through pyplot, so leave it out.
    return {k: matplotlib.rcParams[k] for k in matplotlib.rcParams if k != "backend"}


def test_gap_closure_scales_priority_savings_to_expected_delivery(budget, alignment):
    """Counted at expected delivery the budget's savings are half the nominal ones: each
    priority's layer is halved so that the stack still equals the counted savings."""
    fig = charts.gap_closure_chart(budget.assign(savings_k=[3000, 7000]), alignment)
    ax = fig.axes[0]
    p1 = next(c.get_label() for c in ax.containers if c.get_label().startswith("P1"))
    p2 = next(c.get_label() for c in ax.containers if c.get_label().startswith("P2"))
    assert bars(ax, p1) == [2.0, 5.0]
    assert bars(ax, p2) == [1.0, 2.0]
    assert "expected delivery" in ax.get_title(loc="left")


def test_core_index_shows_every_borderline_option_first():
    """40 core options fill the rows, yet the borderline ones (the options for Cabinet to debate,
    named in the title) come first and all of them are drawn; the never-adopted go first."""
    core = pd.DataFrame(
        {
            "option": [f"S{i:02d}" for i in range(1, 55)],
            "name": [f"Option {i}" for i in range(1, 55)],
            "core_index": [1.0] * 40 + [0.4, 0.6, 0.2, 0.5, 0.3] + [0.03] * 4 + [0.0] * 5,
            "class": ["core"] * 40 + ["borderline"] * 5 + ["exterior"] * 9,
        }
    )
    fig = charts.core_index_chart(core, limit=12)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [t.split()[0] for t in ticks[:5]] == ["S42", "S44", "S41", "S45", "S43"]  # most often adopted first
    assert len(ticks) == 12 and all(t.split()[0] <= "S40" for t in ticks[5:])
    assert title(fig).startswith("40 options are core whatever the exact weights; 5 are borderline (S42, S44, S41")
    assert "and 2 more) and depend on the Cabinet's priorities" in title(fig)
    assert "42 other options" in fig.axes[0].get_title(loc="left").replace("\n", " ")
    named = title(fig).split("(")[1].split(" and")[0].split(", ")
    assert set(named) <= {t.split()[0] for t in ticks}


def test_core_index_title_with_no_borderline_option():
    core = pd.DataFrame({"option": ["S1"], "name": ["a"], "core_index": [1.0], "class": ["core"]})
    assert title(charts.core_index_chart(core)) == (
        "1 option is core whatever the exact weights; none is borderline: the choice does not hang on the "
        "Cabinet's exact priorities"
    )


FRONTIER = pd.DataFrame(
    {
        "point": [1, 2, 3],
        "scale": [0.5, 1.0, 1.5],
        "savings_k": [50000, 100000, 150000],
        "harm": [2.0, 6.0, 16.0],
        "unidentified_k": [0, 0, 0],
        "reserves_draw_k": [0, 0, 0],
    }
)


def test_frontier_says_what_b_and_c_are_when_they_sit_off_the_line():
    marked = pd.DataFrame(
        {
            "label": [
                "P: Proposal, as given",
                "B: Least harm with at least the proposal's savings every year",
                "C: Most savings with no more harm than the proposal",
            ],
            "savings_k": [100000, 101000, 120000],
            "harm": [9.0, 5.0, 9.0],
        }
    )
    note = " ".join(charts.frontier_chart(FRONTIER, marked, YEARS)._supxlabel.get_text().split())
    assert note == (
        "B (least harm with at least the proposal's savings every year) and C (most savings with no more harm "
        "than the proposal) are the proposal's alternatives, drawn at their own savings and harm. Each point of "
        "the line is instead the least-harm plan that closes a gap scaled by the factor shown, which is why B "
        "and C are not on the line."
    )
    on_line = marked.assign(savings_k=[100000, 100000, 120000], harm=[9.0, 6.0, 9.0])
    note = " ".join(charts.frontier_chart(FRONTIER, on_line, YEARS)._supxlabel.get_text().split())
    assert note.startswith("C (most savings with no more harm than the proposal) is one of the proposal's alternatives")
    assert "which is why C is not on the line" in note
    on_line = marked.assign(savings_k=[100000, 100000, 150000], harm=[9.0, 6.0, 16.0])
    assert charts.frontier_chart(FRONTIER, on_line, YEARS)._supxlabel is None


LONG = " for residents across every district of the county, including the rural and coastal areas"


def lengthened(results) -> dict:
    """The run's tables with every option, activity, priority and alternative named at length."""
    tables = {name: results.table(name) for name in charts.build.CHART_TABLES}
    for name, column in (("activities", "name"), ("core_index", "name"), ("plan", "name"), ("alignment", "name")):
        if tables[name] is not None:
            tables[name] = tables[name].assign(**{column: tables[name][column].astype(str) + LONG})
    tables["proposal"] = tables["proposal"].assign(label=tables["proposal"]["label"].astype(str) + LONG)
    return tables


@pytest.fixture(scope="module")
def every_chart(westshire_run):
    """Every chart of the bundled example's run, and of the same council with long names."""
    from mtfs_align.results import read_results

    results = read_results(westshire_run)
    drawn = {f"westshire {name}": fig for name, fig in charts.build_charts(results).items()}
    drawn |= {f"long names {name}": fig for name, fig in charts.draw_charts(lengthened(results)).items()}
    assert len(drawn) == 14
    return drawn


DATA_ARTISTS = ("lines", "patches", "collections", "images", "texts")


def test_no_legend_covers_the_data(every_chart):
    """Drawn with the renderer: every legend's box is clear of every line, bar, band, image and
    label of every panel."""
    for name, fig in every_chart.items():
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
        assert legends or name.endswith("savings_heatmap"), name
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for ax in fig.axes:
                for kind in DATA_ARTISTS:
                    for artist in getattr(ax, kind):
                        if artist.get_visible() and _extent(artist, ax, renderer).overlaps(box):
                            raise AssertionError(f"{name}: the legend covers {artist!r} ({kind})")


def _extent(artist, ax, renderer):
    """Where an artist is drawn, in pixels: a collection (need lines, a band) by its data limits
    (its window extent is empty)."""
    from matplotlib.collections import Collection

    if isinstance(artist, Collection):
        extent = artist.get_datalim(ax.transData).transformed(ax.transData)
        assert np.isfinite(extent.bounds).all(), artist
        return extent
    return artist.get_window_extent(renderer)


def test_no_name_is_cut_off_at_slide_size(every_chart):
    """At the slide's width every tick label and legend entry lies inside the figure and none is
    shortened with an ellipsis; long names are wrapped onto more lines instead."""
    for name, fig in every_chart.items():
        assert fig.get_figwidth() == charts.style.SLIDE[0], name
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        inside = fig.bbox.padded(1)
        labels = [t for ax in fig.axes for t in _drawn_tick_labels(ax)]
        labels += [t for legend in fig.legends for t in legend.get_texts()]
        labels += [t for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
        for text in labels:
            extent = text.get_window_extent(renderer)
            assert _within(extent, inside), (name, text.get_text())
            assert "…" not in text.get_text(), (name, text.get_text())
        if name.startswith("long names") and name.split()[-1] in ("core_index", "headroom", "savings_heatmap"):
            ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
            assert any(LONG.split()[-1] in t for t in ticks), name  # the whole name, wrapped


def _drawn_tick_labels(ax) -> list:
    """The tick labels drawn: those of ticks inside the axis's view (matplotlib keeps others)."""
    low_x, high_x = sorted(ax.get_xlim())
    low_y, high_y = sorted(ax.get_ylim())
    drawn = [t for t in ax.get_xticklabels() if low_x - 1e-9 <= t.get_position()[0] <= high_x + 1e-9]
    drawn += [t for t in ax.get_yticklabels() if low_y - 1e-9 <= t.get_position()[1] <= high_y + 1e-9]
    return [t for t in drawn if t.get_text()]


def _within(extent, box) -> bool:
    return extent.x0 >= box.x0 and extent.x1 <= box.x1 and extent.y0 >= box.y0 and extent.y1 <= box.y1


def test_svg_keeps_its_words_as_text(every_chart):
    import xml.etree.ElementTree as ET

    fig = every_chart["westshire core_index"]
    svg = charts.style.chart_files(fig, "core_index")["charts/core_index.svg"]
    words = " ".join("".join(t.itertext()) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"))
    first = fig.axes[0].get_yticklabels()[0].get_text().split()[0]
    assert first in words and "core whatever the exact weights" in words
    assert b'<path id="DejaVuSans' not in svg  # no glyph outlines
