"""The Cabinet briefing in two accessible forms made from the same content: `briefing.html` (a
self-contained web page with the plan explorer) and `briefing.pdf` (a tagged PDF/UA document), built
from a results object alone (mtfs_align.results), so `mtfs-align brief` can rebuild them at any
time from an output folder read back.

The words (`wording`: key messages worked out from the numbers; `chart_text`: what each chart
shows), the HTML building blocks (`markup`), the sections that set the words out (`sections`), the
explorer (`explorer`) and the two documents (`document`) are separate modules; the styles and
the explorer's script are `briefing.css` and `explorer.js`.
"""

from mtfs_align.report.briefing.document import BRIEFING_HTML, BRIEFING_NAME, briefing_files
from mtfs_align.report.briefing.wording import briefing_date, harm_by_priority, key_messages, long_date

__all__ = [
    "BRIEFING_HTML",
    "BRIEFING_NAME",
    "briefing_date",
    "briefing_files",
    "harm_by_priority",
    "key_messages",
    "long_date",
]
