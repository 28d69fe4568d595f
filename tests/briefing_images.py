"""The README's pictures of the briefing, made the way a person would look at it: the web page in
headless Chromium (Debian's) at laptop and phone widths, and the PDF's pages with pdftoppm.

    python tests/briefing_images.py outputs/proposal/run docs/images

(after `mtfs-align run`). Every picture is of the folder's own briefing.html and briefing.pdf."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

LAPTOP, PHONE = 1366, 390


def web_pictures(page_file: Path, target: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        laptop = browser.new_page(viewport={"width": LAPTOP, "height": 860})
        laptop.goto(page_file.as_uri())
        laptop.screenshot(path=target / "briefing-web-laptop.png")
        laptop.locator("input[name=plan][value=B]").check()
        laptop.locator("#plan-view").scroll_into_view_if_needed()
        laptop.locator("#explorer").screenshot(path=target / "briefing-explorer.png")
        phone = browser.new_page(viewport={"width": PHONE, "height": 844}, device_scale_factor=2)
        phone.goto(page_file.as_uri())
        phone.screenshot(path=target / "briefing-web-phone.png")
        phone.evaluate("document.getElementById('explorer').scrollIntoView()")
        phone.screenshot(path=target / "briefing-explorer-phone.png")
        browser.close()
        written += [target / n for n in ("briefing-web-laptop.png", "briefing-explorer.png", "briefing-web-phone.png")]
    return written + [target / "briefing-explorer-phone.png"]


def pdf_pictures(pdf: Path, target: Path, pages: int = 2) -> list[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-l", str(pages), str(pdf), f"{tmp}/page"], check=True)
        written = []
        for number, made in enumerate(sorted(Path(tmp).glob("page-*.png")), start=1):
            path = target / f"briefing-page{number}.png"
            path.write_bytes(made.read_bytes())
            written.append(path)
    return written


def main(folder: str, target: str) -> None:
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    for path in web_pictures(Path(folder).resolve() / "briefing.html", out) + pdf_pictures(
        Path(folder) / "briefing.pdf", out
    ):
        print(path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
