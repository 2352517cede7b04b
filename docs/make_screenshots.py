"""The README's screenshots: every page of the real app, in a state worth showing, on each screen a class uses (a
1366x768 laptop, a 1920x1080 projector at 150% zoom, a 1024x768 tablet, a 390x844 phone).

    python docs/make_screenshots.py                        # docs/screenshots/<screen>/<page>.png, every screen
    python docs/make_screenshots.py --screens laptop phone

The app runs on a scratch copy of the model store and a scratch class database holding 400 MNIST test digits as the
class's collection, with the shipped default model posted to the class board. One session trains the lesson's
comparison (cnn-fast, then dense-512, on 2,000 images) and posts the second; each screen's tab then opens every page
with that session's browser id, so every page shows those runs (a new session of the id restores them). A shot is
what the window shows, at its size in CSS pixels, with the page's subject scrolled into view.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "e2e")]

from benchmarks.appserver import (PAGES, VIEWPORT, VIEWPORTS, launch_chromium, running_app, scratch_env,  # noqa: E402
                                  scratch_models)
from fits import painted  # noqa: E402
from PIL import Image  # noqa: E402
from st_page import (DIGITS, SLOW_MS, TRAIN_MS, button, canvas, confusion_matrix, draw, idle, metric,  # noqa: E402
                     set_number)

OUT = Path(__file__).with_name("screenshots")
SHOTS = {**PAGES, "Board-projector": "/board?view=projector"}  # the board's view for the projector too
CLASS_DIGITS = 400


def show_draw(page) -> None:
    """A drawn 3 and its prediction."""
    canvas(page).wait_for(timeout=SLOW_MS)
    draw(page, DIGITS[3])
    metric(page, "Prediction").wait_for(timeout=SLOW_MS)


def show_evaluate(page) -> None:
    """The confusion matrix painted (Plotly paints after the page is otherwise idle)."""
    confusion_matrix(page).wait_for(timeout=SLOW_MS)


def show_compare(page) -> None:
    """The pair's verdict, once scored."""
    page.get_by_text("be luck (p =").wait_for(timeout=SLOW_MS)


def show_lesson(page) -> None:
    """The lesson with its first step ticked off (the session's runs tick off more): Explore opened from the step,
    then the browser's Back (the same session; a phone has no sidebar on show)."""
    button(page, "Open Explore").click()
    page.wait_for_url(re.compile("/explore"))
    idle(page, SLOW_MS)
    page.go_back()
    page.get_by_text(re.compile(r"\d+ of \d+ steps done")).wait_for(timeout=SLOW_MS)


def show_inside(page) -> None:
    """A test image looked inside: every panel of the page shows."""
    page.get_by_text("A test image", exact=True).click()
    page.get_by_text("Where it sits among the others", exact=True).wait_for(timeout=SLOW_MS)


ACTIONS = {"Draw": show_draw, "Evaluate": show_evaluate, "Lesson": show_lesson, "Compare": show_compare,
           "Inside": show_inside}
SUBJECTS = {"Draw": lambda page: metric(page, "Prediction"),  # what a narrow screen scrolls to
            "Inside": lambda page: page.get_by_test_id("stMetric").first}


def prepare(env: dict[str, str]) -> None:
    """The class's collection and the teacher's post of the shipped default model, in the scratch database."""
    from digits_core import load_mnist
    from digits_core.classroom.samples import Collection
    from digits_core.handwriting import LabelledSet

    data = load_mnist()
    Collection(env["DIGITS_DATABASE_URL"]).add_many(LabelledSet(data.x_test[:CLASS_DIGITS],
                                                                data.y_test[:CLASS_DIGITS]))
    default = Path(env["DIGITS_MODELS_DIR"]) / "default.keras"
    subprocess.run([sys.executable, "-m", "digits_core", "board", "post", str(default), "--nickname", "Ms Rivera"],
                   cwd=REPO, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)


def train_and_post(browser, url: str) -> str:
    """The lesson's comparison trained back to back in one session, the second run posted; its browser id."""
    page = browser.new_context(viewport=VIEWPORT, base_url=url).new_page()
    page.goto("/train")
    idle(page, SLOW_MS)
    set_number(page, "Training samples", 2000)
    then = page.get_by_test_id("stMultiSelect").filter(has_text="Then train").locator("input")
    then.fill("dense-512")
    then.press("Enter")
    then.press("Escape")
    idle(page, SLOW_MS)
    button(page, "Train").click()
    page.get_by_role("heading", name="The latest run: dense-512-1").wait_for(timeout=TRAIN_MS)
    idle(page, SLOW_MS)
    nickname = page.get_by_role("textbox", name="Your nickname")
    nickname.fill("Ada")
    nickname.press("Enter")
    idle(page, SLOW_MS)
    page.get_by_role("button", name=re.compile("Post to the class board")).click()
    page.get_by_role("button", name="Post", exact=True).click()
    page.get_by_text(re.compile(r"Posted as number \d+")).wait_for(timeout=SLOW_MS)
    browser_id = re.search(r"[?&]id=([^&]+)", page.url).group(1)
    page.context.close()
    return browser_id


def shoot(browser, url: str, screen: str, browser_id: str) -> None:
    """Every page on one screen, one tab, written to docs/screenshots/<screen>/."""
    folder = OUT / screen
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=url, **VIEWPORTS[screen])
    context.set_default_timeout(SLOW_MS)
    page = context.new_page()
    for title, path in SHOTS.items():
        page.goto(f"{path}{'&' if '?' in path else '?'}id={browser_id}")
        page.locator("h1").first.wait_for()
        idle(page, SLOW_MS)
        ACTIONS.get(title, lambda _: None)(page)
        idle(page, SLOW_MS)
        if title in SUBJECTS:
            SUBJECTS[title](page).scroll_into_view_if_needed()
        painted(page)
        page.wait_for_timeout(500)  # Plotly's transitions end
        target = folder / f"{title.lower()}.png"
        page.screenshot(path=target, scale="css")
        shrink(target)
        print(target.relative_to(REPO), f"{target.stat().st_size // 1024} KB", flush=True)
    context.close()


def shrink(path: Path) -> None:
    """Re-save with a 256-colour palette: a third of the size, no visible change for flat UI colours."""
    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", nargs="+", default=list(VIEWPORTS), choices=list(VIEWPORTS))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp())
    env = scratch_env(scratch_models(scratch / "models"), scratch)
    prepare(env)
    with sync_playwright() as playwright, running_app(scratch / "streamlit.log", env) as (url, _):
        browser = launch_chromium(playwright)
        browser_id = train_and_post(browser, url)
        for screen in args.screens:
            shoot(browser, url, screen, browser_id)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
