"""A scenario file (DESIGN 3.5): which data folder, the Cabinet's weights, the policy, the changes
to the data and the proposed plan."""

from __future__ import annotations

from mtfs_align.schema.fields import MONEY, Field, FileSchema

_IMPACT = ("none", "low", "medium", "high")

SCENARIO = FileSchema(
    "scenario",
    "a scenario file",
    [
        Field("name", "text", "for people: shown in the outputs and the briefing", default_text="the file's name"),
        Field("description", "text", "for people: shown in the outputs and the briefing"),
        Field(
            "data",
            "path",
            "the council's data folder, relative to the scenario file",
            required=True,
            fix="write e.g. data: ../data/westshire",
        ),
        Field(
            "extends",
            "path",
            "another scenario file to start from (see below)",
            fix="write e.g. extends: central.yaml",
        ),
        Field(
            "weights",
            "mapping",
            "the Cabinet's weight for **every** priority. They are scaled to add up to 1",
            default_text="equal weights",
            fix="write weights: {P1: 0.4, P2: 0.2, ...}",
        ),
        Field(
            "weights.<priority>",
            "number or [low, high]",
            "a priority's weight. A range such as `P1: [0.35, 0.45]`: the optimiser uses the middle, and the "
            "robustness analysis samples within the range",
            minimum=0,
            fix="write e.g. [0.3, 0.5]",
        ),
        Field("policy", "mapping", "the Cabinet's rules for the plan"),
        Field(
            "policy.plan_on",
            "choice",
            "what savings are counted at when planning: `nominal` (in full), `expected` (at their expected "
            "delivery, section 5) or `risk` (planned against delivery draws, below)",
            default="nominal",
            choices=("nominal", "expected", "risk"),
            noun="a planning basis",
            fix="write nominal, expected or risk",
        ),
        Field(
            "policy.delivery",
            "mapping",
            "share of each RAG rating's savings delivered on average",
            default_text="`{G: 0.95, A: 0.75, R: 0.45}`",
        ),
        Field("policy.delivery.G", "share", "of green-rated savings", default=0.95, minimum=0, maximum=1),
        Field("policy.delivery.A", "share", "of amber-rated savings", default=0.75, minimum=0, maximum=1),
        Field("policy.delivery.R", "share", "of red-rated savings", default=0.45, minimum=0, maximum=1),
        Field(
            "policy.slip",
            "share",
            "chance that an option starts a year late",
            default=0.1,
            minimum=0,
            maximum=1,
        ),
        Field(
            "policy.delivery_concentration",
            "number",
            "how tightly delivered shares cluster round their average in the risk analysis (higher means less spread)",
            default=2.0,
            above=0,
        ),
        Field(
            "policy.capacity",
            "points, one per year or one for all",
            "change-capacity points available to start options in each year",
            default_text="no limit",
            minimum=0,
        ),
        Field(
            "policy.protect",
            "mapping",
            "priorities whose spend must stay at or above a share of their need every year: `{P1: 0.90}` means "
            "spend on keeping people safe stays at 90% or more of what those services need. Income and "
            "financing options do not count against it",
            fix="write protect: {P1: 0.9}",
        ),
        Field("policy.protect.<priority>", "share", "the share of the priority's need protected", minimum=0, maximum=1),
        Field(
            "policy.max_equality_impact",
            "choice",
            "options with a higher equality impact are not considered (they are listed in `screened.csv`); "
            "`high` screens out nothing",
            default="high",
            choices=_IMPACT,
            noun="an impact level",
            fix="write none, low, medium or high",
        ),
        Field(
            "policy.adopt",
            "mapping",
            "options already decided: option and start year, or `any` if the timing is open",
            fix="write adopt: {S40: 2021/22, S38: any}",
        ),
        Field("policy.adopt.<option>", "year or any", "the year the option starts", fix="write the year as 2021/22"),
        Field("policy.reject", "list of option ids", "options withdrawn", fix="write reject: [S27, S32]"),
        Field(
            "policy.reserves",
            "mapping",
            "overrides the `reserves` keys of `mtfs.yaml`, e.g. `{max_draw_k: 10000}`",
            fix="write reserves: {max_draw_k: 10000}",
        ),
        Field(
            "policy.reserves_penalty",
            "number",
            "how much the optimiser dislikes drawing reserves, per £1k (£1m of reserves weighs the same as a "
            "year of minor harm to every outcome at once)",
            default=0.001,
            minimum=0,
        ),
        Field(
            "policy.confidence",
            "share",
            'with `plan_on: risk`: the share of futures planned for ("9 years in 10"); also the confidence of '
            "`resilience.csv`",
            default=0.9,
            minimum=0.5,
            maximum=0.99,
        ),
        Field(
            "policy.risk_draws",
            "whole number",
            "with `plan_on: risk`: how many simulated futures the optimiser plans against",
            default=500,
            minimum=50,
            maximum=10_000,
            fix="write e.g. risk_draws: 500",
        ),
        Field("changes", "mapping", "changes to the data, for this scenario only"),
        Field(
            "changes.funding_pct",
            "mapping",
            "% change to the funding envelope in the years named: `{2022/23: -2.0}`",
            fix="write funding_pct: {2022/23: -2.0}",
        ),
        Field("changes.funding_pct.<year>", "percent", "the change that year", above=-100),
        Field(
            "changes.funding_k",
            "mapping",
            "£k added to (or, if negative, taken from) funding in the years named, after any % change",
            fix="write funding_k: {2022/23: -2.0}",
        ),
        Field("changes.funding_k.<year>", "£ thousands", "the change that year", unit=MONEY),
        Field(
            "changes.growth_pct",
            "mapping",
            "different growth rates for named activities: `{A01: 4.0}` (as `growth_pct` of `activities.csv`)",
            fix="write growth_pct: {A01: 4.0}",
        ),
        Field(
            "changes.envelope_growth_pct",
            "mapping",
            "different cash limits for named activities (as `envelope_growth_pct` of `activities.csv`)",
            fix="write envelope_growth_pct: {A01: 4.0}",
        ),
        Field(
            "changes.options",
            "mapping",
            'changes to option fields, written as in the CSV: `{S05: {rag: R}, S26: {harms: "O8:3;O7:1"}}`',
            fix="write options: {S05: {rag: R}}",
        ),
        Field(
            "changes.options.<option>",
            "mapping",
            "the option's columns of `options.csv` and their new values",
            fix="write S05: {rag: R}",
        ),
        Field(
            "plan",
            "mapping",
            "a proposed plan, option and start year: `{S02: 2021/22, S05: 2022/23}`",
            fix="write plan: {S01: 2021/22, S12: 2022/23}",
        ),
        Field("plan.<option>", "year", "the year the option starts", fix="write the year as 2021/22"),
    ],
)
