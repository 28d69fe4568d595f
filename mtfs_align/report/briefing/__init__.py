"""The Cabinet briefing (`briefing.pdf`): a short reportlab document built only from the files of
an existing output folder (CSVs, manifest.json and charts/*.png), so `mtfs-align brief` can
rebuild it at any time.

Reading the folder (`results_folder`), the words (`wording`: key messages worked out from the
numbers), the page layout (`layout`: styles, grid, footer) and the sections that set the words on
the page (`sections`) are separate modules; `document.build_briefing` puts them together.
"""

from mtfs_align.report.briefing.document import BRIEFING_NAME, build_briefing
from mtfs_align.report.briefing.results_folder import (
    TABLE_FILES,
    Results,
    briefing_date,
    check_output_folder,
    kpi_table,
    read_results,
)
from mtfs_align.report.briefing.wording import harm_by_priority, key_messages, long_date

__all__ = [
    "BRIEFING_NAME",
    "TABLE_FILES",
    "Results",
    "briefing_date",
    "build_briefing",
    "check_output_folder",
    "harm_by_priority",
    "key_messages",
    "kpi_table",
    "long_date",
    "read_results",
]
