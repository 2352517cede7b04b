"""A training from the Train page against the same training from the command line, on the same data.

The app's figure is the wall time from the click on Train to the first frame that shows the
Test accuracy metric, in a real Chromium on the real server, both taken inside the page; the
command line's is its `train_seconds` (the fit) plus the time it takes to score the test set,
which is all a user of `python -m digits_core train` waits for once TensorFlow is loaded.

Inside the page, because Playwright's own wait for the metric answers only once the page's main
thread is free: 0.3 to 0.5 s after the frame that showed it, while the browser draws the rest of
the page.

    python -m benchmarks.trainapp --samples 60000      # prints both figures and their ratio
    python -m benchmarks.trainapp --repeats 3          # three rounds, then the median ratios

This machine's speed drifts by a third within minutes (the command line's fit took 7.7 to 12.9 s in
one hour), so each round times the command line just before the app, and the figure to
compare is the ratio within a round.

The browser shares the machine's two cores with the server here, where a student's browser
runs on the student's own machine; so the app is also timed with Chromium at nice 19 (it gets
what the server leaves), which is nearer what a class sees.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from benchmarks.appserver import REPO, VIEWPORT, launch_chromium, running_app
from digits_core import DEFAULT_PRESET
from tests.e2e.st_page import SLOW_MS, button, idle, metric, open_page

TRAIN_PAGE = "/train"
BROWSER_NICE = 19
READING_MS = 2000  # the pause between the drawn page and the click
# Page-clock times of the click on Train and of the first frame with the Test accuracy metric in it.
WATCH_METRIC_JS = """() => {
  window.__clicked = window.__shown = null;
  document.addEventListener("click", () => { window.__clicked ??= Date.now(); }, {capture: true});
  new MutationObserver((_, observer) => {
    const labels = document.querySelectorAll('[data-testid="stMetricLabel"]');
    if (window.__clicked && [...labels].some(label => label.textContent.includes("Test accuracy"))) {
      observer.disconnect();
      requestAnimationFrame(() => { window.__shown = Date.now(); });
    }
  }).observe(document.body, {subtree: true, childList: true});
}"""


@dataclass(frozen=True)
class AppVersusCli:
    """Seconds from the click to the Test accuracy metric, and the command line's fit plus test scoring."""

    preset: str
    samples: int
    app_seconds: float
    app_train_seconds: float  # the fit alone, as the app's Training time metric shows it
    cli_train_seconds: float
    cli_test_seconds: float
    app_seconds_browser_niced: float  # the same with Chromium at nice 19
    app_train_seconds_browser_niced: float

    @property
    def ratio(self) -> float:
        return self.app_seconds / self.cli_seconds

    @property
    def ratio_browser_niced(self) -> float:
        return self.app_seconds_browser_niced / self.cli_seconds

    @property
    def cli_seconds(self) -> float:
        return self.cli_train_seconds + self.cli_test_seconds


def app_seconds(samples: int, log: Path, browser_nice: int = 0) -> tuple[float, float]:
    """Train the default preset on `samples` images from the Train page: seconds from the click to the frame
    showing Test accuracy, and the fit's seconds as the page's Training time metric shows them."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, running_app(log) as (url, _):
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        open_page(page, url + TRAIN_PAGE)
        field = page.get_by_role("spinbutton", name="Training samples")
        field.fill(str(samples))
        field.press("Enter")
        idle(page)
        settle(page)
        renice_browser(browser_nice)
        page.evaluate(WATCH_METRIC_JS)
        button(page, "Train").click()
        metric(page, "Test accuracy").wait_for(timeout=10 * SLOW_MS)
        page.wait_for_function("window.__shown !== null")
        seconds = page.evaluate("(window.__shown - window.__clicked) / 1000")
        fit = float(metric(page, "Training time").inner_text().removesuffix(" s"))
        browser.close()
    return seconds, fit


def settle(page) -> None:
    """Wait as a person would before the click: until the page's empty learning curves are drawn, then a moment.

    The page's script is over before the browser has drawn it: Plotly's first chart takes it about
    two seconds of CPU here, and a click in that time waited up to 1.4 s to reach the server.
    """
    page.get_by_test_id("stPlotlyChart").locator(".main-svg").first.wait_for()
    page.wait_for_timeout(READING_MS)


def renice_browser(nice: int) -> None:
    """Give this process's Chromium processes (its children, through Playwright's driver) the `nice` value."""
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name():
                child.nice(nice)
        except psutil.Error:
            pass  # a renderer that just ended


def cli_seconds(samples: int) -> tuple[float, float]:
    """The command line's fit seconds and its test-scoring seconds for the default preset on `samples` images."""
    done = subprocess.run([sys.executable, "-m", "digits_core", "train", "--preset", DEFAULT_PRESET,
                           "--limit", str(samples), "--json"], cwd=REPO, capture_output=True, text=True, check=True)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return summary["train_seconds"], summary["test_seconds"]


def app_versus_cli(samples: int) -> AppVersusCli:
    """Both figures, the command line first (so the app's server starts on a quiet machine)."""
    fit, test = cli_seconds(samples)
    app, app_fit = app_seconds(samples, Path(tempfile.mkdtemp()) / "streamlit.log")
    niced, niced_fit = app_seconds(samples, Path(tempfile.mkdtemp()) / "streamlit.log", BROWSER_NICE)
    return AppVersusCli(DEFAULT_PRESET, samples, app, app_fit, fit, test, niced, niced_fit)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=60_000, help="training images, in the app and the CLI")
    parser.add_argument("--repeats", type=int, default=1, help="rounds of command line, app, app with Chromium niced")
    args = parser.parse_args(argv)
    rounds = []
    for _ in range(args.repeats):
        figures = app_versus_cli(args.samples)
        rounds.append(figures)
        ratios = {"ratio": figures.ratio, "ratio_browser_niced": figures.ratio_browser_niced}
        print(json.dumps({**asdict(figures), **ratios}), flush=True)
    if args.repeats > 1:
        print(json.dumps({"median_ratio": statistics.median(f.ratio for f in rounds),
                          "median_ratio_browser_niced": statistics.median(f.ratio_browser_niced for f in rounds),
                          "median_fit_ratio": statistics.median(f.app_train_seconds / f.cli_train_seconds
                                                                for f in rounds)}))


if __name__ == "__main__":
    main()
