"""The four files of a council's data folder (DESIGN 3.1-3.4): plan.yaml, mtfs.yaml, activities.csv
and options.csv, key by key and column by column."""

from __future__ import annotations

from mtfs_align.schema.fields import MONEY, Field, FileSchema

_YEAR_FIX = "write the year as 2021/22, or leave blank for the whole horizon"

PLAN = FileSchema(
    "plan.yaml",
    "the corporate plan",
    [
        Field("council", "text", "the council's name, used in the briefing", required=True),
        Field(
            "priorities",
            "list",
            "the plan's priorities; each has an `id`, a `name` and at least one outcome",
            required=True,
            minimum=1,
            fix="add - id: P1 ...",
        ),
        Field("priorities[].id", "id", "unique across the whole plan (priorities, outcomes and KPIs)", required=True),
        Field("priorities[].name", "text", "the priority as the plan words it", required=True),
        Field(
            "priorities[].outcomes",
            "list",
            "the priority's outcomes, at least one",
            required=True,
            minimum=1,
            fix="give every priority at least one outcome",
        ),
        Field("priorities[].outcomes[].id", "id", "unique across the whole plan", required=True),
        Field("priorities[].outcomes[].name", "text", "the outcome as the plan words it", required=True),
        Field(
            "priorities[].outcomes[].weight",
            "number",
            "the outcome's weight **relative to the other outcomes of the same priority**. The Cabinet's "
            "weights between priorities are set in the scenario file, not here",
            default=1.0,
            minimum=0,
            fix="give at least one outcome a positive weight",
        ),
        Field(
            "priorities[].outcomes[].kpis",
            "list",
            "the KPIs that measure the outcome. The briefing lists the KPIs of the outcomes most harmed",
            fix="write - {id: K1, name: ...}",
        ),
        Field("priorities[].outcomes[].kpis[].id", "id", "unique across the whole plan", required=True),
        Field("priorities[].outcomes[].kpis[].name", "text", "what the KPI measures", required=True),
        Field("priorities[].outcomes[].kpis[].unit", "text", "e.g. `rate` or `%`"),
        Field("priorities[].outcomes[].kpis[].baseline", "number", "the latest value"),
        Field("priorities[].outcomes[].kpis[].target", "number", "the value aimed for"),
        Field(
            "priorities[].outcomes[].kpis[].direction",
            "choice",
            "`up` if higher is better, `down` if lower is better",
            choices=("up", "down"),
            noun="a direction",
            fix="write up or down",
        ),
    ],
)

MTFS = FileSchema(
    "mtfs.yaml",
    "the financial envelope",
    [
        Field(
            "years",
            "list of years",
            "the MTFS years, consecutive, written `2021/22`",
            required=True,
            minimum=1,
            maximum=10,
            fix="write years: [2021/22, 2022/23, ...]",
        ),
        Field(
            "funding_k",
            "mapping",
            "one line per funding source, any names you like. They are added up into each year's funding "
            "envelope; only each year's total must be positive",
            required=True,
            fix="write e.g. council_tax: [440000, 455000, ...]",
        ),
        Field(
            "funding_k.<source>",
            "£ thousands, one per year",
            "a funding source, one figure per year. It may be negative (a collection fund deficit, a levy, "
            "a repayment)",
            unit=MONEY,
        ),
        Field(
            "corporate_pressures_k",
            "£ thousands, one per year or one for all",
            "spending need not attributed to any activity: pay awards, pensions, inflation and contingencies "
            "you hold centrally. It counts as need aligned to no outcome. A figure may be negative (a corporate "
            "saving or a contingency released)",
            default=0.0,
            unit=MONEY,
        ),
        Field(
            "growth_pct",
            "percent",
            "the annual growth in spending need of every activity that has no `growth_pct` of its own",
            default=0.0,
            above=-100,
        ),
        Field("reserves", "mapping", "the reserves available to balance the budget", fix="write reserves: {...}"),
        Field(
            "reserves.usable_k",
            "£ thousands",
            "usable reserves available to balance the budget at the start of year 1",
            default=0.0,
            minimum=0,
            unit=MONEY,
        ),
        Field(
            "reserves.minimum_k",
            "£ thousands",
            "the balance you will not go below (your prudent minimum). `usable_k` must be at least this",
            default=0.0,
            minimum=0,
            unit=MONEY,
        ),
        Field(
            "reserves.max_draw_k",
            "£ thousands, one per year or one for all",
            "the most you will draw in any one year. A list ending in `0`, such as `[15000, 10000, 5000, 0]`, "
            "says the last year must balance without reserves",
            default_text="no limit",
            minimum=0,
            unit=MONEY,
        ),
        Field(
            "reserves.max_cover_k",
            "£ thousands, one per year or one for all",
            "the most you would draw in a year to cover savings that are not delivered, once the shortfall is "
            "known. Use it when you plan no draw but hold the general fund balance for in-year cover, as most "
            "s151 officers do. The delivery-risk analysis and risk planning use it",
            default_text="`max_draw_k`",
            minimum=0,
            unit=MONEY,
        ),
    ],
)

ACTIVITIES = FileSchema(
    "activities.csv",
    "services and their place in the plan",
    [
        Field("id", "id", "unique code", required=True, fix="give every activity an id", example="`A01`"),
        Field(
            "name",
            "text",
            "the service",
            required=True,
            fix="give the activity a name",
            example="Residential & nursing care (older people)",
        ),
        Field("directorate", "text", "used to group savings in the summaries", required=True, example="`ASC`"),
        Field(
            "outcomes",
            "outcome shares",
            "the outcome(s) the activity serves: `O2`, or shares such as `O1:0.7;O7:0.3` that add up to 1. "
            "Leave blank if the activity serves no outcome (allowed, and reported as unaligned spend)",
            required=True,
            minimum=0,
            maximum=1,
            fix="write O1 or O1:0.7;O7:0.3",
            example="`O2` (all of it)",
        ),
        Field(
            "role",
            "choice",
            "the activity's part in delivering its outcomes",
            choices=("lead", "deliver", "enable", "facilitate"),
            noun="a role",
            fix="write lead, deliver, enable or facilitate (or leave blank)",
            example="`lead`",
        ),
        Field(
            "statutory",
            "true/false",
            "a statutory duty",
            default=False,
            choices=("true", "false", "yes", "no", "y", "n", "1", "0"),
            noun="true or false",
            fix="write true or false",
            example="`true`",
        ),
        Field(
            "baseline_k",
            "£ thousands",
            "the spending need in year 1 before any savings (your base budget plus year-1 growth)",
            required=True,
            minimum=0,
            unit=MONEY,
            fix="give the first year's spending need in £ thousands",
            example="£76.0m",
        ),
        Field(
            "growth_pct",
            "percent",
            "annual growth of the need (demography, unit costs)",
            default_text="`growth_pct` of `mtfs.yaml`",
            above=-100,
            example="3% a year",
        ),
        Field(
            "floor_share",
            "share",
            "statutory or safe minimum: spend on the service may not fall below this share of its need",
            default=0.0,
            minimum=0,
            maximum=1,
            example="80% of need",
        ),
        Field(
            "envelope_growth_pct",
            "percent",
            "cash limit: the activity's budget may not exceed `baseline_k` grown at this rate",
            default_text="no cash limit of its own",
            above=-100,
            example="budget may grow by only 2% a year",
        ),
    ],
)

OPTIONS = FileSchema(
    "options.csv",
    "the savings tracker",
    [
        Field("id", "id", "unique code", required=True, fix="give every option an id", example="`S13`"),
        Field(
            "name",
            "text",
            "a short description",
            required=True,
            fix="give the option a name",
            example="Fostering redesign",
        ),
        Field(
            "activity",
            "activity id",
            "the activity it saves from (must exist in `activities.csv`)",
            required=True,
            fix="name the activity this option changes",
            example="`C01` children's placements",
        ),
        Field(
            "type",
            "choice",
            "what kind of saving it is. `income` and `financing` reduce net spend but not the service",
            required=True,
            choices=(
                "efficiency",
                "income",
                "financing",
                "commissioning",
                "demand management",
                "service redesign",
                "service reduction",
                "transformation",
                "invest to save",
                "investment",
            ),
            noun="an option type",
            example="demand management",
        ),
        Field(
            "y<year>_k",
            "£ thousands",
            "`y1_k` … `yL_k`: the savings **added** in the 1st, 2nd, … year after the option starts: incremental "
            "and recurring (section 5). As many columns as you need; blanks and missing columns count as 0; "
            "negative means a cost",
            default=0.0,
            unit=MONEY,
            example="£1.5m, then £2.5m more, £2.5m more, £1.5m more",
        ),
        Field(
            "earliest",
            "year",
            "the first year in which it may start",
            default_text="the first year",
            fix=_YEAR_FIX,
            example="any year",
        ),
        Field(
            "latest",
            "year",
            "the last year in which it may start",
            default_text="the last year",
            fix=_YEAR_FIX,
            example="any year",
        ),
        Field(
            "one_off_k",
            "£ thousands",
            "one-off implementation cost, paid in the year it starts",
            default=0.0,
            minimum=0,
            unit=MONEY,
            example="£0.8m",
        ),
        Field(
            "rag",
            "choice",
            "delivery risk",
            required=True,
            choices=("G", "A", "R"),
            noun="a RAG rating",
            fix="write G, A or R",
            example="amber",
        ),
        Field(
            "effort",
            "number",
            "change-capacity points it uses in its start year; compare with the scenario's `capacity`",
            default=1.0,
            minimum=0,
            example="3",
        ),
        Field(
            "harms",
            "outcome scores",
            "harm to outcomes, each scored 0 to 5 (decimals allowed) per year in effect: `O2:2;O8:1`. "
            "A bare `O2` means 1",
            minimum=0,
            maximum=5,
            fix="write e.g. O2:2;O8:1 with severities from 0 to 5",
            example="none",
        ),
        Field(
            "benefits",
            "outcome scores",
            "the same for outcomes it improves",
            minimum=0,
            maximum=5,
            fix="write e.g. O2:2;O8:1 with severities from 0 to 5",
            example="O1 scored 1",
        ),
        Field("requires", "option ids", "options that must start no later than this one: `S13`", example="none"),
        Field("excludes", "option ids", "options it cannot go with", example="none"),
        Field(
            "equality_impact",
            "choice",
            "from your equality impact assessment",
            default="none",
            choices=("none", "low", "medium", "high"),
            noun="an impact level",
            fix="write none, low, medium or high",
            example="none",
        ),
    ],
)
