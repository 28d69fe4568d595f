"""A tracker whose names, headers and values hold control characters and NUL: the import's summary
writes each as [U+XXXX], as every other message does, so nothing from the tracker acts on the terminal."""

from __future__ import annotations

from click.testing import CliRunner

from mtfs_align.cli import cli

TRACKER = (
    "Ref,Saving description,Service line,RAG,2025/26 £k,Odd\x07col\x00\n"
    "S1,Lib\x00raries\x1b[31m,Adu\x1blts,Green,100,x\n"
    "S2,Bins,Adults,Amber,10,y\n"
    "Total\x01,,,,110,\n"
)


def test_the_import_summary_escapes_control_characters_and_nul(tmp_path):
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(TRACKER, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(tracker), "--into", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert "2 savings options read." in result.output
    assert "Left out: row 4: totals row (Total[U+0001])" in result.output
    assert "columns not used: Odd[U+0007]col[U+0000]" in result.output
    assert "using these ids: Adu[U+001B]lts, Adults" in result.output
    assert not any(ch in result.output for ch in "\x00\x01\x07\x1b")


def test_the_quiet_import_line_is_escaped_too(tmp_path):
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(TRACKER, encoding="utf-8")
    into = tmp_path / "da\x1bta"
    result = CliRunner().invoke(cli, ["import", str(tracker), "--into", str(into), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote ") and "da[U+001B]ta" in result.output
    assert "\x1b" not in result.output
