"""The input schema, declared once: every YAML key and CSV column the readers accept, with its type,
default, limits, the fix for a bad value and what it means. The readers (`mtfs_align.scenario`,
`mtfs_align.io.tables`, the tracker importer) take their keys, columns, limits, defaults and fix
texts from here, and `mtfs_align.schema.guide` writes the tables of docs/user-guide.md from it.

Keys are written as paths: `reserves.usable_k`, `priorities[].outcomes[].weight` (a key of every
item of a list), `funding_k.<source>` (a key the user names: any source, an option id, a year).
"""

from __future__ import annotations

from mtfs_align.schema.data_files import ACTIVITIES, MTFS, OPTIONS, PLAN
from mtfs_align.schema.fields import MONEY, Field, FileSchema
from mtfs_align.schema.scenario_file import SCENARIO

FILES = {s.file: s for s in (PLAN, MTFS, ACTIVITIES, OPTIONS, SCENARIO)}

# The values of DESIGN 3.4-3.5 that other modules name; each is the schema's own.
OPTION_TYPES = OPTIONS["type"].choices
NON_SERVICE_TYPES = ("income", "financing")  # reduce net spend but not the service (DESIGN 3.4)
RAGS = OPTIONS["rag"].choices
EQUALITY_LEVELS = OPTIONS["equality_impact"].choices
ROLES = ACTIVITIES["role"].choices
PLAN_BASES = SCENARIO["policy.plan_on"].choices
DEFAULT_DELIVERY = {rag: SCENARIO[f"policy.delivery.{rag}"].default for rag in RAGS}
CONFIDENCE_RANGE = (SCENARIO["policy.confidence"].minimum, SCENARIO["policy.confidence"].maximum)
DEFAULT_CONFIDENCE = SCENARIO["policy.confidence"].default
RISK_DRAWS_RANGE = (int(SCENARIO["policy.risk_draws"].minimum), int(SCENARIO["policy.risk_draws"].maximum))
DEFAULT_RISK_DRAWS = SCENARIO["policy.risk_draws"].default
MAX_PROFILE_YEARS = 50  # a savings profile longer than this is a mistake, refused before it is allocated
# The most savings options one scenario may have. The optimiser's time and memory grow with the
# options (reading, building, HiGHS's presolve, which does not stop at the time limit) and with
# options x start years x years; measured on two cores (docs/design-choices.md, issue 12):
# 20,000 options with --time-limit 60 end in 63-67 s and 0.7-0.8 GB over 4 or 10 years, while
# 100,000 over 4 years took 110 s and 1.2 GB to say no plan was found. Councils have hundreds.
MAX_OPTIONS = 20_000
# With plan_on: risk (or a confidence frontier) the model also grows with the draws: options x
# start years x years x draws. Measured with --time-limit 60: 1,250 options over 4 years against
# 500 draws (10,000,000) in 0.7 GB and 61 s or 93 s (HiGHS overruns a limit now and then); 5,000
# (40,000,000) took 94 s and 2.4 GB.
MAX_RISK_PLAN_CELLS = 10_000_000
DATA_FILES = ("plan.yaml", "mtfs.yaml", "activities.csv", "options.csv")

__all__ = [
    "ACTIVITIES",
    "CONFIDENCE_RANGE",
    "DATA_FILES",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_DELIVERY",
    "DEFAULT_RISK_DRAWS",
    "EQUALITY_LEVELS",
    "FILES",
    "MAX_OPTIONS",
    "MAX_PROFILE_YEARS",
    "MAX_RISK_PLAN_CELLS",
    "MONEY",
    "MTFS",
    "NON_SERVICE_TYPES",
    "OPTIONS",
    "OPTION_TYPES",
    "PLAN",
    "PLAN_BASES",
    "RAGS",
    "RISK_DRAWS_RANGE",
    "ROLES",
    "SCENARIO",
    "Field",
    "FileSchema",
]
