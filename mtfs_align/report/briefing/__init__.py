"""The Cabinet briefing in two accessible forms made from the same content: `briefing.html` (a
self-contained web page with the plan explorer) and `briefing.pdf` (a tagged PDF/UA document), built
from the results alone, so `mtfs-align brief` can rebuild them at any time.

Reading an output folder (`results_folder`), the words (`wording`: key messages worked out from the
numbers; `chart_text`: what each chart shows), the HTML building blocks (`markup`), the sections that
set the words out (`sections`), the explorer (`explorer`) and the two documents (`document`) are
separate modules; the styles and the explorer's script are `briefing.css` and `explorer.js`.
"""

from mtfs_align.report.briefing.document import BRIEFING_HTML, BRIEFING_NAME, briefing_files, build_briefing
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
    "BRIEFING_HTML",
    "BRIEFING_NAME",
    "TABLE_FILES",
    "Results",
    "briefing_date",
    "briefing_files",
    "build_briefing",
    "check_output_folder",
    "harm_by_priority",
    "key_messages",
    "kpi_table",
    "long_date",
    "read_results",
]
