"""Turning evaluations and analyses into tables, text, charts, workbooks and the briefing."""
