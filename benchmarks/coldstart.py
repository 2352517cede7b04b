"""Cold start: from `streamlit run app.py` to a painted Home page, and to Draw's first prediction.

Each run starts a fresh server, so nothing is cached or imported yet; the browser is already
up (its start is not the app's). On Draw a digit is drawn with the mouse as soon as the canvas
is painted, and the clock stops when its Prediction shows (target: 2 s from the server's start,
for a class that only draws). It also reports whether TensorFlow got loaded: neither Home nor
Draw of the stored default model may load it (Draw reads it through LiteRT).

    python -m benchmarks.coldstart [--runs 3] [--json]
    python -m benchmarks.coldstart --quick     # one run of each page, to see that it works
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from benchmarks.appserver import launch_chromium, running_app, tensorflow_loaded, wait_painted
from tests.e2e.st_page import DIGITS, draw, metric  # how the browser tests draw

READY = {"/": "h1", "/draw": "canvas.upper-canvas"}
READY_AT = {"/": "paint", "/draw": "first prediction"}
TARGETS = {"/draw": " (target: first prediction within 2 s of the server's start)"}


def cold_open(browser, path: str, log: Path) -> dict:
    """Start a server, open `path` in a new tab (on Draw, draw a 3); seconds to healthy, to painted (on Draw: to
    the first prediction shown), and whether TF loaded."""
    start = time.perf_counter()
    with running_app(log) as (url, proc):
        healthy = time.perf_counter()
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url + path)
        wait_painted(page, READY[path])
        if path == "/draw":
            draw(page, DIGITS[3])
            metric(page, "Prediction").wait_for(timeout=120_000)
        painted = time.perf_counter()
        loaded = tensorflow_loaded(psutil.Process(proc.pid))
        context.close()
    return {"page": path, "to_health_s": round(healthy - start, 2), "health_to_paint_s": round(painted - healthy, 2),
            "total_s": round(painted - start, 2), "tensorflow_loaded": loaded}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per page (the median is reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--quick", action="store_true", help="one run of each page (same as --runs 1)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    results: dict[str, list[dict]] = {path: [] for path in READY}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for _ in range(args.runs):
            for path in READY:
                run = cold_open(browser, path, log)
                results[path].append(run)
                print(f"{path:7} health {run['to_health_s']:5.2f} s  {READY_AT[path]} "
                      f"+{run['health_to_paint_s']:5.2f} s  total {run['total_s']:5.2f} s  "
                      f"tensorflow loaded: {run['tensorflow_loaded']}")
        browser.close()
    keys = ("to_health_s", "health_to_paint_s", "total_s")
    summary = {path: {key: statistics.median(r[key] for r in runs) for key in keys}
               | {"tensorflow_loaded": [r["tensorflow_loaded"] for r in runs]} for path, runs in results.items()}
    print(json.dumps(summary) if args.json else
          "\n".join(f"median {path:7} health {s['to_health_s']:.2f} s, {READY_AT[path]} "
                    f"+{s['health_to_paint_s']:.2f} s, total {s['total_s']:.2f} s{TARGETS.get(path, '')}"
                    for path, s in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
