"""Cold start: from `streamlit run app.py` to a painted Home page, and to a painted Draw page.

Each run starts a fresh server, so nothing is cached or imported yet; the browser is already
up (its start is not the app's). It also reports whether TensorFlow got loaded by Home (it
must not be) and by Draw (it must).

    python -m benchmarks.coldstart [--runs 3] [--json]
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

READY = {"/": "h1", "/draw": "canvas.upper-canvas"}


def cold_open(browser, path: str, log: Path) -> dict:
    """Start a server, open `path` in a new tab; seconds to healthy and to painted, and whether TF loaded."""
    start = time.perf_counter()
    with running_app(log) as (url, proc):
        healthy = time.perf_counter()
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url + path)
        wait_painted(page, READY[path])
        painted = time.perf_counter()
        loaded = tensorflow_loaded(psutil.Process(proc.pid))
        context.close()
    return {"page": path, "to_health_s": round(healthy - start, 2), "health_to_paint_s": round(painted - healthy, 2),
            "total_s": round(painted - start, 2), "tensorflow_loaded": loaded}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per page (the median is reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    results: dict[str, list[dict]] = {path: [] for path in READY}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for _ in range(args.runs):
            for path in READY:
                run = cold_open(browser, path, log)
                results[path].append(run)
                print(f"{path:7} health {run['to_health_s']:5.2f} s  paint +{run['health_to_paint_s']:5.2f} s"
                      f"  total {run['total_s']:5.2f} s  tensorflow loaded: {run['tensorflow_loaded']}")
        browser.close()
    keys = ("to_health_s", "health_to_paint_s", "total_s")
    summary = {path: {key: statistics.median(r[key] for r in runs) for key in keys}
               | {"tensorflow_loaded": [r["tensorflow_loaded"] for r in runs]} for path, runs in results.items()}
    print(json.dumps(summary) if args.json else
          "\n".join(f"median {path:7} health {s['to_health_s']:.2f} s, paint +{s['health_to_paint_s']:.2f} s, "
                    f"total {s['total_s']:.2f} s" for path, s in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
