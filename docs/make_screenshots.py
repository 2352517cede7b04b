"""The README's screenshots: every page of the real app at 1366x768 (a school laptop), in a state worth showing.

    python docs/make_screenshots.py      # writes docs/screenshots/<page>.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "e2e")]

from benchmarks.appserver import PAGES, launch_chromium, running_app  # noqa: E402
from PIL import Image  # noqa: E402
from st_page import DIGITS, SLOW_MS, TRAIN_MS, button, canvas, confusion_matrix, draw, idle, metric, set_number  # noqa: E402,E501

OUT = Path(__file__).with_name("screenshots")
VIEWPORT = {"width": 1366, "height": 768}


def show_draw(page) -> None:
    """A drawn 3 and its prediction."""
    canvas(page).wait_for(timeout=SLOW_MS)
    draw(page, DIGITS[3])
    metric(page, "Prediction").wait_for(timeout=SLOW_MS)


def show_evaluate(page) -> None:
    """The confusion matrix painted (Plotly paints after the page is otherwise idle)."""
    confusion_matrix(page).wait_for(timeout=SLOW_MS)


def show_compare(page) -> None:
    """The lesson's comparison: cnn-fast and dense-512 trained back to back in this session on 2,000 images."""
    visit(page, "Train")
    set_number(page, "Training samples", 2000)
    then = page.get_by_test_id("stMultiSelect").filter(has_text="Then train").locator("input")
    then.fill("dense-512")
    then.press("Enter")
    then.press("Escape")
    idle(page, SLOW_MS)
    button(page, "Train").click()
    page.get_by_role("heading", name="The latest run: dense-512-1").wait_for(timeout=TRAIN_MS)
    idle(page, SLOW_MS)
    visit(page, "Compare")
    page.get_by_text("be luck (p =").wait_for(timeout=SLOW_MS)


def visit(page, title: str) -> None:
    """Open a page through the sidebar, in the same session."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    idle(page, SLOW_MS)


def show_lesson(page) -> None:
    """The lesson with its first step ticked off: Explore opened in the same session, then back."""
    for title in ("Explore", "Lesson"):
        visit(page, title)


ACTIONS = {"Draw": show_draw, "Evaluate": show_evaluate, "Lesson": show_lesson, "Compare": show_compare}


def shrink(path: Path) -> None:
    """Re-save with a 256-colour palette: a third of the size, no visible change for flat UI colours."""
    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright, running_app(Path(tempfile.mkdtemp()) / "streamlit.log") as (url, _):
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        for title, path in PAGES.items():
            page.goto(url + path)
            idle(page, SLOW_MS)
            ACTIONS.get(title, lambda _: None)(page)
            idle(page, SLOW_MS)
            target = OUT / f"{title.lower()}.png"
            page.screenshot(path=target)
            shrink(target)
            print(target, f"{target.stat().st_size // 1024} KB")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
