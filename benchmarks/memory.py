"""Memory of the real server: idle, after every page was opened, at the peak of a training, and once idle.

Starts `streamlit run app.py`, samples the resident memory of the server and its children
(psutil) every 0.2 s, opens every page in Chromium, then starts a `cnn-fast` training from
the Train page and follows it to the end (or stops it after --train-seconds), then waits until
the training process has stopped for being unused. TensorFlow (about 600 MB resident once
imported) lives in that process, so the server alone stays small: `server_*` figures.
Goals (the deployment issue): under 750 MB idle, under 1.0 GB while training.

    python -m benchmarks.memory [--train-seconds 0] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from benchmarks.appserver import PAGES, launch_chromium, running_app, tree_rss, wait_painted
from digits_core.worker import DEFAULT_IDLE_SECONDS

MB = 1024 * 1024
PRESET = "cnn-fast"
FINISHED = '[data-testid="stMetricLabel"]:has-text("Test accuracy")'


class Sampler(threading.Thread):
    """Samples a process tree's RSS every `period` seconds, remembering the peak of each phase."""

    def __init__(self, proc: psutil.Process, period: float = 0.2):
        super().__init__(daemon=True)
        self.proc, self.period, self.phase = proc, period, "idle"
        self.peaks: dict[str, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.period):
            rss = tree_rss(self.proc)
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), rss)

    def now(self) -> int:
        return tree_rss(self.proc)


def open_every_page(page, url: str) -> None:
    for path in PAGES.values():
        page.goto(url + path)
        wait_painted(page, "h1")


def train_from_page(page, url: str, seconds: float) -> None:
    """Start a cnn-fast training on Train; wait for its test accuracy, or press Stop after `seconds`."""
    page.goto(url + "/train")
    wait_painted(page, "h1")
    preset = page.get_by_label("Preset")
    if preset.count():
        preset.first.click()
        page.get_by_role("option", name=PRESET, exact=False).first.click()
    page.get_by_role("button", name="Train", exact=True).click()
    if seconds:
        page.get_by_role("button", name="Stop", exact=True).wait_for(timeout=120_000)
        time.sleep(seconds)  # a benchmark: keep training this long on purpose
        page.get_by_role("button", name="Stop", exact=True).click()
    page.locator(FINISHED).wait_for(timeout=1_800_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-seconds", type=float, default=0,
                        help="press Stop after this long (0: train to the end)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    with sync_playwright() as playwright, running_app(log) as (url, proc):
        sampler = Sampler(psutil.Process(proc.pid))
        sampler.start()
        time.sleep(3)  # idle means idle: let start-up settle before the first reading
        figures = {"idle_mb": sampler.now() / MB}
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sampler.phase = "pages"
        open_every_page(page, url)
        figures["after_pages_mb"] = sampler.now() / MB
        figures["server_after_pages_mb"] = sampler.proc.memory_info().rss / MB
        sampler.phase = "training"
        started = time.perf_counter()
        train_from_page(page, url, args.train_seconds)
        figures["training_seconds"] = time.perf_counter() - started
        figures["after_training_mb"] = sampler.now() / MB
        figures["server_after_training_mb"] = sampler.proc.memory_info().rss / MB
        sampler.phase = "after"
        time.sleep(DEFAULT_IDLE_SECONDS + 5)  # the training process stops once unused this long
        figures["after_idle_mb"] = sampler.now() / MB
        sampler.done.set()
        figures |= {f"peak_{phase}_mb": peak / MB for phase, peak in sampler.peaks.items()}
        browser.close()
    figures = {key: round(value, 1) for key, value in figures.items()}
    for key, value in figures.items():
        print(f"{key:22} {value:8.1f}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
