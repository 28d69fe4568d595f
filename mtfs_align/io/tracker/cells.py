"""A tracker's words and values: the council's column names for each field, money written any way
(`£1.3m`, `(500)`), RAG ratings, years in headers and cells."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from mtfs_align.schema import OPTION_TYPES
from mtfs_align.years import year_label

MONEY_FIX = "write an amount such as 1300, 1,300, £1.3m, £850k, or (500) for a cost"

# Field of each column name, after normalising (lower case; spaces, punctuation and units dropped).
SYNONYMS = {
    "id": ["ref", "reference", "id", "refno", "referenceno", "savingref", "savingsref", "proposalref", "code"],
    "name": [
        "savingdescription",
        "savingsdescription",
        "description",
        "title",
        "name",
        "saving",
        "proposal",
        "savingname",
        "proposalname",
        "savingtitle",
        "proposaldescription",
    ],
    "directorate": ["directorate", "service", "department", "portfolio", "servicearea"],
    "activity": ["activity", "serviceline", "budgetline", "budgetarea", "costcentre", "activityid"],
    "rag": ["rag", "ragstatus", "ragrating", "deliveryrisk", "risk", "deliveryrag", "deliveryconfidence"],
    "type": ["type", "category", "savingtype", "savingstype", "savingcategory"],
    "one_off_k": [
        "oneoffcost",
        "oneoffcosts",
        "implementationcost",
        "implementationcosts",
        "oneoff",
        "oneoffimplementationcost",
        "onceoffcost",
    ],
    "effort": ["effort", "effortpoints", "capacity", "changecapacity"],
    "earliest": ["start", "startyear", "earliest", "earlieststart", "startdate", "yearofstart"],
    "latest": ["latest", "lateststart"],
    "equality_impact": ["equalityimpact", "eqia", "equalityimpactassessment", "eia", "equality"],
    "budget_k": [
        "budget",
        "netbudget",
        "baseline",
        "baselinebudget",
        "baselinek",
        "currentbudget",
        "servicebudget",
        "budgetk",
    ],
}
FIELD_OF = {word: name for name, words in SYNONYMS.items() for word in words}
MONEY_FIELDS = ("one_off_k", "budget_k")
FIELDS = tuple(SYNONYMS) + ("ignore",)

_UNIT = re.compile(r"£\s*(?:'\s*)?(000s?|k|m|million|bn)\b|\(\s*£?\s*(000s?|k|m)\s*\)|\b(?:£?000s)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*[/\-–]\s*(\d{4}|\d{2})(?!\d)")
MAP_YEAR = re.compile(r"^saving\s+(\d{4}/\d{2})(?:\s+in\s+£(k|m|bn))?$")
MAP_MONEY = re.compile(r"^(one_off_k|budget_k)(?:\s+in\s+£(k|m|bn))?$")
UNIT_FACTOR = {None: 1, "k": 1, "m": 1000, "bn": 1_000_000}
UNIT_WORD = {1000: " in £m", 1_000_000: " in £bn"}
TYPE_WORDS = {
    **{t.replace(" ", ""): t for t in OPTION_TYPES},
    "efficiencies": "efficiency",
    "incomegeneration": "income",
    "feesandcharges": "income",
    "commercial": "income",
    "fees": "income",
    "demand": "demand management",
    "redesign": "service redesign",
    "reduction": "service reduction",
    "servicereductions": "service reduction",
    "investtosave": "invest to save",
    "growth": "investment",
    "procurement": "commissioning",
}
EQUALITY_WORDS = {
    "none": "none",
    "na": "none",
    "no": "none",
    "neutral": "none",
    "nil": "none",
    "low": "low",
    "medium": "medium",
    "med": "medium",
    "high": "high",
}
RAG_WORDS = {"g": "G", "green": "G", "a": "A", "amber": "A", "r": "R", "red": "R"}


def normalise(header: str) -> str:
    """A column name with case, spacing, punctuation and units dropped: 'One-off cost (£000)' -> 'oneoffcost'."""
    text = _UNIT.sub(" ", str(header))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_unit(header: str) -> int:
    """1000 for a header in £m ('2021/22 £m'), else 1 (£000 and £k are the file's own unit)."""
    match = _UNIT.search(str(header))
    if match:
        word = next(g for g in match.groups() if g) if any(match.groups()) else "000"
        if word.lower() in ("m", "million"):
            return 1000
        if word.lower() == "bn":
            return 1_000_000
    return 1


def year_of_header(header: str) -> int | None:
    """The financial year a header names (`2021/22`, `2021-22`, `21/22`, `2021/2022`), or None."""
    match = _YEAR.search(str(header))
    if not match:
        return None
    first, second = match.group(1), match.group(2)
    start = int(first) if len(first) == 4 else 2000 + int(first)
    end = int(second)
    if (len(second) == 2 and (start + 1) % 100 == end) or (len(second) == 4 and end == start + 1):
        return start
    return None


def field_of_header(header: str) -> str | None:
    """The options/activities field a tracker's column name maps to, or 'saving <year>', or None."""
    year = year_of_header(header)
    rest = normalise(_YEAR.sub(" ", str(header)))
    if year is not None:
        if "budget" in rest or "baseline" in rest or "cumulative" in rest:
            return None  # a budget by year is not a saving; a cumulative level is not the year's addition
        return f"saving {year_label(year)}"
    return FIELD_OF.get(normalise(header))


def parse_money(value: object) -> Decimal | None:
    """An amount of money in £k, exactly: 1,300 / £1.3m / £850k / (500) / -500 / 1300.0; blank is 0.

    Returns None when the value is not money. A cell's own unit (£1.3m) is applied here; a
    column's unit (a '£m' header) is applied by the caller to plain numbers only."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))  # the shortest text that is the float: 1300.0, 0.1, no binary noise
    text = str(value).strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if text in ("", "-", "–", "—", "nil", "Nil", "NIL"):
        return Decimal(0)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    text = text.removeprefix("£")
    if text.startswith("-"):  # £-500
        negative, text = not negative, text[1:]
    scale = Decimal(1)
    lowered = text.lower()
    if lowered.endswith("m"):
        scale, text = Decimal(1000), text[:-1]
    elif lowered.endswith("k"):
        text = text[:-1]
    if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+", text):
        return None
    try:
        amount = Decimal(text.replace(",", "")) * scale
    except InvalidOperation:
        return None
    return -amount if negative else amount


def has_own_unit(value: object) -> bool:
    return isinstance(value, str) and bool(re.search(r"[mMkK]\s*\)?\s*$", value.strip()))


def rag_of(value: str) -> str | None:
    """G, A or R from Green/Amber/Red/G/A/R; a two-colour rating (Amber/Green, Red-Amber) takes
    the worse colour, so delivery risk is never read as lower than the tracker says."""
    words = [w for w in re.split(r"[^a-z]+", value.strip().lower()) if w]
    if len(words) == 1 and words[0] in ("ag", "ga"):
        words = ["a"]
    if len(words) == 1 and words[0] in ("ra", "ar"):
        words = ["r"]
    rags = [RAG_WORDS.get(w) for w in words]
    if not rags or None in rags or len(rags) > 2:
        return None
    return max(rags, key="GAR".index)


def year_of_cell(value: object) -> int | None:
    """A start year written as 2021/22 (or another spelling), 2021 (the year it starts), or a date."""
    if isinstance(value, datetime | date):
        return value.year if value.month >= 4 else value.year - 1
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        year = int(value)
        return year if 1990 <= year <= 2100 else None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(\.0)?", text):
        return int(text[:4])
    match = _YEAR.fullmatch(text)
    return year_of_header(text) if match else None


def money_text(amount: Decimal) -> str:
    """£k as written in options.csv: 1300, 1300.5, -500 (no exponent, no trailing zeros)."""
    text = format(amount.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()
