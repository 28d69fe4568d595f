"""mtfs.yaml, the financial envelope (DESIGN 3.2): the years, funding, corporate pressures, growth
and reserves, with the scenario's overrides of the reserves and its changes to the funding."""

from __future__ import annotations

import math

from mtfs_align.errors import Problems
from mtfs_align.io.yamlio import YamlDoc
from mtfs_align.scenario.chain import Chain
from mtfs_align.scenario.objects import Reserves
from mtfs_align.scenario.reading import KeyReader, year_index
from mtfs_align.schema import MTFS, SCENARIO
from mtfs_align.wording import whole_k
from mtfs_align.years import parse_year, year_label

_PER_YEAR_RESERVES = ("max_draw_k", "max_cover_k")  # one number, or one per year


def read_mtfs(doc: YamlDoc | None, problems: Problems):
    if doc is None:
        return None
    rd = KeyReader(problems, lambda kp: (doc.path, f"line {doc.line(kp)}" if doc.line(kp) else ""))
    data = doc.data
    # Without the years nothing else can be read; without funding_k the rest still can.
    if not rd.keys(data, MTFS.keys(), (), required=("years",)):
        return None
    if data.get("funding_k") is None:
        rd.add((), "'funding_k' is missing", "add funding_k:")
    raw_years = data["years"]
    years = MTFS["years"]
    if not isinstance(raw_years, list) or not years.minimum <= len(raw_years) <= years.maximum:
        rd.add(("years",), f"must be a list of {years.minimum:g} to {years.maximum:g} financial years", years.fix)
        return None
    starts = []
    for i, label in enumerate(raw_years):
        try:
            starts.append(parse_year(label))
        except ValueError as err:
            # every malformed year is reported in this one run, not the first only (DESIGN 7)
            rd.add(("years", i), str(err), "write the year as 2021/22")
            starts.append(None)
    if None in starts:
        return None
    for i in range(1, len(starts)):
        if starts[i] != starts[i - 1] + 1:
            rd.add(
                ("years", i),
                f"{year_label(starts[i])} does not follow {year_label(starts[i - 1])}",
                "list consecutive financial years in order",
            )
            return None
    n = len(starts)
    labels = [year_label(s) for s in starts]
    funding = {}
    if data.get("funding_k") is None:
        pass  # reported above
    elif not isinstance(data["funding_k"], dict) or not data["funding_k"]:
        rd.add(("funding_k",), "must be a mapping of funding sources to per-year lists", MTFS["funding_k"].fix)
    else:
        # A source may be negative (a collection fund deficit, a levy, a repayment: DESIGN 3.2);
        # only each year's total must be positive.
        for source, values in data["funding_k"].items():
            funding[source] = rd.per_year(
                values, ("funding_k", source), n, False, labels, **MTFS["funding_k.<source>"].limits
            )
        if funding and all(values is not None for values in funding.values()):
            for t, label in enumerate(labels):
                total = sum(values[t] for values in funding.values())
                if total <= 0:
                    file, where = rd.locate(("funding_k",))
                    problems.add(
                        file,
                        where,
                        f"funding_k, {label}",
                        f"total funding is {whole_k(total)}; the funding of a year must be positive",
                        "check the signs of the sources of that year (a deficit is negative, "
                        "council tax and grants positive)",
                    )
    pressures = [MTFS["corporate_pressures_k"].default] * n
    if data.get("corporate_pressures_k") is not None:
        # Negative corporate pressures are allowed: a corporate saving or a release of a
        # contingency lowers the council's need (docs/design-choices.md).
        pressures = rd.per_year(
            data["corporate_pressures_k"],
            ("corporate_pressures_k",),
            n,
            True,
            labels,
            **MTFS["corporate_pressures_k"].limits,
        )
    growth = MTFS["growth_pct"].default
    if data.get("growth_pct") is not None:
        growth = rd.number_of(MTFS["growth_pct"], data["growth_pct"], ("growth_pct",))
    reserves_raw = data.get("reserves") or {}
    if reserves_raw:
        rd.keys(reserves_raw, MTFS.keys("reserves"), ("reserves",))
    # A bad value (the problem is already recorded) does not hide the years: with the horizon
    # known every other file can still be checked, so every problem is reported at once (DESIGN 7).
    funding = {source: [0.0] * n if values is None else values for source, values in funding.items()}
    pressures = [0.0] * n if pressures is None else pressures
    growth = 0.0 if growth is None else growth
    return labels, starts[0], funding, pressures, growth, reserves_raw


def resolve_reserves(
    raw: dict, override: dict, years: list[str], mtfs_doc: YamlDoc, chain: Chain, problems: Problems
) -> Reserves:
    n = len(years)
    mtfs_rd = KeyReader(problems, lambda kp: (mtfs_doc.path, f"line {mtfs_doc.line(kp)}" if mtfs_doc.line(kp) else ""))
    sc_rd = KeyReader(problems, chain.where)
    values = {}
    for key in MTFS.keys("reserves"):
        if isinstance(override, dict) and override.get(key) is not None:
            rd, kp, value = sc_rd, ("policy", "reserves", key), override[key]
        elif isinstance(raw, dict) and raw.get(key) is not None:
            rd, kp, value = mtfs_rd, ("reserves", key), raw[key]
        else:
            values[key] = None
            continue
        limits = MTFS[f"reserves.{key}"].limits
        if key in _PER_YEAR_RESERVES:
            values[key] = rd.per_year(value, kp, n, True, years, **limits)
        else:
            values[key] = rd.number(value, kp, **limits)
        values[key + "_at"] = (rd, kp)
    usable = values.get("usable_k") or MTFS["reserves.usable_k"].default
    minimum = values.get("minimum_k") or MTFS["reserves.minimum_k"].default
    if values.get("usable_k") is not None and values.get("minimum_k") is not None and minimum > usable:
        rd, kp = values["minimum_k_at"]
        rd.add(
            kp,
            f"the reserves minimum {whole_k(minimum)} is above the usable balance {whole_k(usable)}",
            "lower minimum_k or raise usable_k",
        )
    elif values.get("minimum_k") is not None and "usable_k_at" not in values and minimum > 0:
        rd, kp = values["minimum_k_at"]
        rd.add(
            kp, f"the reserves minimum {whole_k(minimum)} is above the usable balance (none given)", "give usable_k too"
        )
    max_draw = values.get("max_draw_k") or [math.inf] * n
    return Reserves(usable, minimum, max_draw, values.get("max_cover_k") or list(max_draw))


def read_funding_changes(changes: dict, first_year: int, n: int, sc: KeyReader):
    pct, add = [0.0] * n, [0.0] * n
    for key, target in (("funding_pct", pct), ("funding_k", add)):
        raw = changes.get(key)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            sc.add(("changes", key), "must map years to values", SCENARIO[f"changes.{key}"].fix)
            continue
        for label, value in raw.items():
            index = year_index(label, first_year, n, sc, ("changes", key, label))
            number = sc.number_of(SCENARIO[f"changes.{key}.<year>"], value, ("changes", key, label))
            if index is not None and number is not None:
                target[index] = number
    return pct, add


def check_changed_funding(
    funding_k: dict, pct: list[float], add: list[float], years: list[str], changes: dict, sc: KeyReader
) -> None:
    """A scenario's funding changes must leave each year's total funding positive (DESIGN 3.2)."""
    for t, label in enumerate(years):
        base = sum(values[t] for values in funding_k.values())
        total = base * (1 + pct[t] / 100) + add[t]
        if base <= 0 or total > 0:
            continue  # a base total that is not positive is reported against mtfs.yaml
        key = next(
            (
                k
                for k in ("funding_k", "funding_pct")
                if isinstance(changes.get(k), dict) and label in {str(y).strip() for y in changes[k]}
            ),
            "funding_k",
        )
        sc.add(
            ("changes", key, label),
            f"with this change the total funding of {label} is {whole_k(total)}",
            "the funding of a year must stay positive: check the sign and size of the change",
        )
