"""First visits: each page's time to its main content in a new session, on a fresh server and on a warm one.

A first visit is a new browser tab (a new Streamlit session) opening a page by its URL; the
clock runs from the request to the moment the page's main content is visible in Chromium (the
Train button, Draw's canvas, Evaluate's test accuracy...). "Fresh" is a server just started for
that page, its training process not running; "warm" is a server on which another tab has
opened every page once, as the teacher does before the class; "warm, training process stopped"
is that server once its training process has stopped (45 s unused), as after a quiet moment;
the last column opens each page from a tab on Home by its link in the sidebar (the session's
first visit to the page, Streamlit's frontend already loaded), the training process stopped.
Inside is timed twice: the page, then its first answer (the Prediction) once "A test image" is
chosen, which is what Evaluate's gallery opens. The store holds the shipped model and a copy of
it, so that Compare has two models to compare. On the pages with charts, which a new tab draws
once it has painted the rest (ui/charts.py), the time to the first chart is printed too.

Targets (issue 29): Train's button within 1.5 s with the training process cold; every page's
main content within 2 s on a warm server, and Inside's first answer within 2 s for a model seen
before.

    python -m benchmarks.firstvisit [--runs 1] [--pages Train Inside] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from benchmarks.appserver import PAGES, REPO, VIEWPORT, launch_chromium, running_app, scratch_env, wait_painted
from digits_core.store import SUFFIXES
from tests.e2e.st_page import button, metric

TIMEOUT_MS = 180_000


@dataclass(frozen=True)
class Visit:
    """A page and how to see that its main content is there."""

    page: str
    content: str  # what the figure waits for, in words

    def wait(self, tab) -> None:
        """Wait until the page's main content is visible."""
        WAITS[self.page](tab)


WAITS = {
    "Home": lambda tab: metric(tab, "Accuracy on the test set").wait_for(timeout=TIMEOUT_MS),
    "Explore": lambda tab: tab.get_by_test_id("stImage").first.wait_for(timeout=TIMEOUT_MS),
    "Train": lambda tab: button(tab, "Train").and_(tab.locator(":enabled")).wait_for(timeout=TIMEOUT_MS),
    "Evaluate": lambda tab: metric(tab, "Test accuracy").wait_for(timeout=TIMEOUT_MS),
    "Compare": lambda tab: tab.get_by_test_id("stTable").filter(has_text="test accuracy").first.wait_for(
        timeout=TIMEOUT_MS),
    "Draw": lambda tab: tab.locator("canvas.upper-canvas").first.wait_for(timeout=TIMEOUT_MS),
    "Handwriting": lambda tab: tab.get_by_role("button", name="Fine-tune").wait_for(timeout=TIMEOUT_MS),
    "Inside": lambda tab: tab.get_by_text("A test image", exact=True).wait_for(timeout=TIMEOUT_MS),
}
VISITS = [Visit("Home", "the active model's accuracy"), Visit("Explore", "the first image of the grid"),
          Visit("Train", "the Train button, enabled"), Visit("Evaluate", "the Test accuracy metric"),
          Visit("Compare", "the side-by-side table"), Visit("Draw", "the canvas"),
          Visit("Handwriting", "the Fine-tune button"), Visit("Inside", "the input choice")]
INSIDE_ANSWER = "Inside: first answer"
CHARTED = ("Explore", "Train", "Evaluate", "Compare", "Draw")  # their charts come after the page (ui/charts.py)
FIRST_CHART = "{}: first chart"


def visit(browser, url: str, which: Visit, from_home: bool = False) -> dict[str, float]:
    """Open the page in a new tab, or with `from_home` by its link in a tab on Home: seconds to its main content
    (and, on Inside, to the first answer)."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    if from_home:
        tab.goto(url + PAGES["Home"], timeout=TIMEOUT_MS)
        WAITS["Home"](tab)
        wait_painted(tab, "h1", TIMEOUT_MS)
    started = time.perf_counter()
    if from_home:
        tab.get_by_test_id("stSidebarNav").get_by_role("link", name=which.page, exact=True).click()
    else:
        tab.goto(url + PAGES[which.page], timeout=TIMEOUT_MS)
    which.wait(tab)
    times = {which.page: time.perf_counter() - started}
    if which.page in CHARTED:
        tab.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for(timeout=TIMEOUT_MS)
        times[FIRST_CHART.format(which.page)] = time.perf_counter() - started
    if which.page == "Inside":
        clicked = time.perf_counter()
        tab.get_by_text("A test image", exact=True).click()
        metric(tab, "Prediction").wait_for(timeout=TIMEOUT_MS)
        times[INSIDE_ANSWER] = time.perf_counter() - clicked
    context.close()
    return times


def warm_up(browser, url: str) -> None:
    """What a teacher does before class: every page opened once, Inside's answer included, in one tab."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    for which in VISITS:
        tab.goto(url + PAGES[which.page], timeout=TIMEOUT_MS)
        which.wait(tab)
        wait_painted(tab, "h1", TIMEOUT_MS)
    tab.get_by_text("A test image", exact=True).click()
    metric(tab, "Prediction").wait_for(timeout=TIMEOUT_MS)
    wait_painted(tab, "h1", TIMEOUT_MS)
    context.close()


SERVERS = ("fresh", "warm", "warm, training process stopped", "the same, opened from Home's tab")


def two_models() -> Path:
    """A scratch store with the shipped model and a copy of it under another name."""
    folder = Path(tempfile.mkdtemp(prefix="firstvisit-models-"))
    for path in (REPO / "models").iterdir():
        if path.name.startswith("default.") and path.name.endswith(SUFFIXES):
            shutil.copy2(path, folder / path.name)
            shutil.copy2(path, folder / path.name.replace("default.", "copy."))
    meta = json.loads((folder / "copy.json").read_text())
    (folder / "copy.json").write_text(json.dumps({**meta, "name": "copy", "shipped": False}))
    return folder


def stop_training_process(server) -> None:
    """End the server's training process, as its idle stop does; the next page that needs it starts another."""
    for child in psutil.Process(server.pid).children(recursive=True):
        try:
            worker = "digits_core.worker" in " ".join(child.cmdline())
        except psutil.ZombieProcess:  # the one stopped before, not reaped yet
            continue
        if worker:
            child.terminate()
            deadline = time.monotonic() + 30
            while child.is_running() and child.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
                time.sleep(0.1)  # the server reaps it only when it next needs it


def measure(visits: list[Visit], runs: int) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, dict[str, list[float]]] = {server: {} for server in SERVERS}
    scratch = Path(tempfile.mkdtemp())
    log, env = scratch / "streamlit.log", scratch_env(two_models(), scratch)

    def note(server: str, times: dict[str, float]) -> None:
        for name, seconds in times.items():
            figures[server].setdefault(name, []).append(seconds)
            print(f"{server} server: {name} {seconds:.2f} s", file=sys.stderr, flush=True)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for _ in range(runs):
            for which in visits:
                with running_app(log, env) as (url, _):
                    note("fresh", visit(browser, url, which))
            with running_app(log, env) as (url, server):
                warm_up(browser, url)
                for which in visits:
                    note("warm", visit(browser, url, which))
                for which in visits:
                    stop_training_process(server)
                    note(SERVERS[2], visit(browser, url, which))
                for which in [which for which in visits if which.page != "Home"]:
                    stop_training_process(server)
                    note(SERVERS[3], visit(browser, url, which, from_home=True))
        browser.close()
    return figures


def print_table(figures: dict[str, dict[str, list[float]]], visits: list[Visit]) -> None:
    print(f"| page: time to its main content, new session (median) | {' | '.join(SERVERS)} |\n"
          f"|---|{'---|' * len(SERVERS)}")
    names = [row for which in visits for row in [(which.page, f"{which.page}: {which.content}")] + (
        [(FIRST_CHART.format(which.page), f"{which.page}: its first chart")] if which.page in CHARTED else [])]
    if any(which.page == "Inside" for which in visits):
        names.append((INSIDE_ANSWER, "Inside: the Prediction, after choosing a test image"))
    for name, label in names:
        cells = [f"{statistics.median(figures[server][name]):.2f} s" if figures[server].get(name) else "-"
                 for server in SERVERS]
        print(f"| {label} | {' | '.join(cells)} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="rounds (a fresh server per page in each)")
    parser.add_argument("--pages", nargs="*", choices=[which.page for which in VISITS], help="only these pages")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    visits = [which for which in VISITS if not args.pages or which.page in args.pages]
    figures = measure(visits, args.runs)
    print_table(figures, visits)
    if args.json:
        print(json.dumps({server: {name: statistics.median(times) for name, times in pages.items()}
                          for server, pages in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
