"""The Cabinet findings, worked out once, in the report stage, from the results (issue 10 item 4,
issue 11 item 4): one function per message, each taking numbers or the analyses' results and
returning the sentence. The analyses return numbers; the terminal, the briefing's key messages and
the charts' titles and descriptions word them here, with the money, chance and count words of
mtfs_align.wording.

- `phrases`: outcome harm that may be a net benefit, savings still to be found over the years;
- `proposal`: the proposal against plans B and C; `compare`: scenarios side by side;
- `frontier`, `robust`, `risk_check`: the trade-off, the core index, the out-of-sample check;
- `resilience`: the Section 25 statement and what certainty costs;
- `key_messages`: the briefing's key messages."""
