"""Golden outputs: what `run`, `check`, `optimise`, `frontier`, `risk`, `robust` and `compare` write
and print on the four bundled scenarios, recorded so that a refactoring that should change nothing
can prove it changed nothing (tests/test_golden.py compares byte for byte).

Each case is one command on one scenario, run in-process from the repository's root (so that paths
read `scenarios/central.yaml`) into a temporary folder, at small sizes (fewer frontier points, draws
and weight samples) to keep the test quick. What is stored, under tests/golden/<case>/:

- `terminal.txt`: the exit code, stdout and stderr, with the output folder written `<out>` and
  timings written `<n>`;
- every CSV as written, byte for byte;
- `manifest.json` and `.mtfs-align-output` with volatile fields (timings, date, software versions,
  the tool's version) replaced by "<volatile>";
- `results.xlsx.txt`: every sheet's cell values, a JSON list per row; `briefing.pdf.txt`: the text
  of each page; `briefing.html.txt`: the web page's text and its explorer's data (all three with
  the day's date written `<date>` and the version `<version>`); charts are listed in `files.txt`
  (every file the command wrote), not stored.

`run-proposal` also rebuilds its briefing with `brief --out` and records that (`brief/`): the
briefing rebuilt from the folder must read as the one `run` wrote.

When a change is meant to alter outputs, refresh deliberately and review the diff before committing:

    python -m tests.golden refresh                             # every case
    python -m tests.golden refresh run-proposal check-central  # some cases

or `MTFS_GOLDEN_REFRESH=1 python -m pytest tests/test_golden.py`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SCENARIOS = ["central", "proposal", "expected_delivery", "funding_shock"]

# Small sizes: every code path, a fraction of the default work.
SIZES = {
    "check": [],
    "optimise": [],
    "frontier": ["--points", "3"],
    "risk": ["--draws", "500"],
    "robust": ["--samples", "4"],
    "run": ["--points", "3", "--draws", "500", "--samples", "4"],
}

VOLATILE = {"seconds", "timings", "build_seconds", "solve_seconds", "software", "date", "version"}


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # the command and its arguments; `--out <folder>` is appended
    brief: bool = False  # also rebuild the briefing from the folder (`brief --out`) and record it


def cases() -> list[Case]:
    found = []
    for command, sizes in SIZES.items():
        for scenario in SCENARIOS:
            rebuild = command == "run" and scenario == "proposal"  # charts are the slow part: once
            found.append(Case(f"{command}-{scenario}", (command, f"scenarios/{scenario}.yaml", *sizes), rebuild))
    found.append(Case("compare-all", ("compare", *(f"scenarios/{s}.yaml" for s in SCENARIOS))))
    return found


CASES = {case.name: case for case in cases()}


@contextlib.contextmanager
def _in_repo():
    before = Path.cwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(before)


def record(case: Case) -> dict[str, str]:
    """Run `case` and return its golden files: relative name -> text."""
    from click.testing import CliRunner

    from mtfs_align.cli import cli

    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="mtfs-golden-") as tmp, _in_repo():
        out = Path(tmp) / "out"
        result = CliRunner().invoke(cli, [*case.args, "--out", str(out)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        files["terminal.txt"] = _terminal(result, out)
        files.update(_folder(out))
        if case.brief:
            result = CliRunner().invoke(cli, ["brief", "--out", str(out)])
            files["brief/terminal.txt"] = _terminal(result, out)
            rebuilt = _folder(out)
            for name in ("files.txt", "briefing.pdf.txt", "briefing.html.txt"):
                files[f"brief/{name}"] = rebuilt[name]
    return files


def _terminal(result, out: Path) -> str:
    def clean(text: str) -> str:
        for form in (str(out), str(out.resolve())):
            text = text.replace(form, "<out>")
        text = re.sub(r"\bin \d+(\.\d+)? s\b", "in <n> s", text)
        return text

    return f"exit code: {result.exit_code}\n--- stdout\n{clean(result.stdout)}--- stderr\n{clean(result.stderr)}"


def _folder(out: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) if out.is_dir() else []
    files["files.txt"] = "".join(f"{name}\n" for name in written)
    for name in written:
        path = out / name
        if path.suffix == ".csv":
            files[name] = path.read_bytes().decode("utf-8")
        elif name.endswith(".json") or name.endswith(".mtfs-align-output"):
            files[name] = (
                json.dumps(_normalised(json.loads(path.read_text("utf-8"))), indent=2, ensure_ascii=False) + "\n"
            )
        elif path.suffix == ".xlsx":
            files[name + ".txt"] = _published(_workbook_values(path))
        elif path.suffix == ".pdf":
            files[name + ".txt"] = _published(_pdf_text(path))
        elif path.suffix == ".html":
            files[name + ".txt"] = _published(_html_text(path))
    return files


_LONG_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
)


def _published(text: str) -> str:
    """The briefing's and the workbook's text without the day of the run and the tool's version."""
    from mtfs_align import __version__

    return _LONG_DATE.sub("<date>", text).replace(__version__, "<version>")


def _normalised(value):
    if isinstance(value, dict):
        return {k: "<volatile>" if k in VOLATILE else _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _workbook_values(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"## {sheet.title}")
        for row in sheet.iter_rows(values_only=True):
            lines.append(json.dumps(list(row), ensure_ascii=False, default=str))
    book.close()
    return "\n".join(lines) + "\n"


def _html_text(path: Path) -> str:
    """What a web page says (its text outside scripts, styles and the charts' drawing, a line per
    block) and the explorer's data, pretty-printed: the page itself is too big to review as a diff."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        skip = {"script", "style", "svg"}
        blocks = {"p", "li", "h1", "h2", "h3", "h4", "h5", "tr", "caption", "figcaption", "legend", "label", "title"}

        def __init__(self):
            super().__init__()
            self.depth, self.lines, self.line, self.data, self.explorer = 0, [], [], None, ""

        def handle_starttag(self, tag, attrs):
            if tag in self.skip:
                self.depth += 1
                if tag == "script" and ("id", "explorer-data") in attrs:
                    self.data = ""
            elif tag in self.blocks:
                self.flush()

        def handle_endtag(self, tag):
            if tag in self.skip:
                self.depth -= 1
                if tag == "script" and self.data is not None:
                    self.explorer, self.data = self.data, None
            elif tag in self.blocks:
                self.flush()

        def handle_data(self, data):
            if self.data is not None and self.depth:
                self.data += data
            elif not self.depth:
                self.line.append(data)

        def flush(self):
            text = " ".join("".join(self.line).split())
            if text:
                self.lines.append(text)
            self.line = []

    parser = Text()
    parser.feed(path.read_text("utf-8"))
    parser.flush()
    text = "\n".join(parser.lines) + "\n"
    if parser.explorer:  # a line for the explorer's settings, then one for each plan it shows
        data = json.loads(parser.explorer)
        plans = data.pop("plans")
        text += "## explorer data\n" + "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in [data, *plans])
    return text


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    pages = [f"## page {n}\n{page.extract_text()}\n" for n, page in enumerate(reader.pages, start=1)]
    return "".join(pages)


def stored(case: Case) -> dict[str, str]:
    folder = GOLDEN / case.name
    return {
        p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refresh(case: Case) -> dict[str, str]:
    """Record `case` again and replace its stored golden files (deliberately: review the diff)."""
    files = record(case)
    folder = GOLDEN / case.name
    if folder.exists():
        shutil.rmtree(folder)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return files
