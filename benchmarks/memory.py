"""Memory of the real server and its training process, through every path that uses TensorFlow, and of a class.

Starts `streamlit run app.py` on a scratch copy of the models and an empty class collection,
samples the resident memory of the server and of its children (the training process) every
0.2 s (psutil), and in Chromium: opens every page (the warm figure), trains `cnn-fast` from the
Train page and saves the run, imports a class collection and fine-tunes the model to it on
Handwriting and saves that run too, then compares the three stored models (the shipped default
and the two saved) in a new session, and waits until the training process has stopped for being
unused. TensorFlow (about 600 MB resident once imported) must live in that process only: the
server's figures after the fine-tune and after Compare should stay within 20 MB of the warm one.

Then, in fresh processes started as the server starts the training process, where that process's
memory goes during a cnn-fast training and a fine-tune (benchmarks/worker_memory.py), and last the
whole app's peak during a class of 30 with trainings (benchmarks/classroom.py, 5 of them in Chromium).
Goals: under 750 MB idle, under 1.0 GB while training, at most 1.1 GB at the class's peak.

    python -m benchmarks.memory [--train-seconds 0] [--class-students 30] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from benchmarks.appserver import PAGES, REPO, launch_chromium, running_app, scratch_env, scratch_models, tree_rss, \
    wait_painted
from digits_core.worker import DEFAULT_IDLE_SECONDS, ENVIRONMENT

MB = 1024 * 1024
PRESET = "cnn-fast"
FINISHED = '[data-testid="stMetricLabel"]:has-text("Test accuracy")'
CLASS_DIGITS = 250
TRAINED, TUNED = "bench-trained", "bench-tuned"


class Sampler(threading.Thread):
    """Samples a process tree's RSS every `period` seconds, remembering the peak of each phase: of the whole tree
    (`peaks`) and of the processes under the root (`worker_peaks`: the training process)."""

    def __init__(self, proc: psutil.Process, period: float = 0.2):
        super().__init__(daemon=True)
        self.proc, self.period, self.phase = proc, period, "idle"
        self.peaks: dict[str, int] = {}
        self.worker_peaks: dict[str, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.period):
            try:
                children = sum(tree_rss(child) for child in self.proc.children())
                total = self.proc.memory_info().rss + children
            except psutil.Error:
                continue
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), total)
            self.worker_peaks[self.phase] = max(self.worker_peaks.get(self.phase, 0), children)

    def now(self) -> int:
        return tree_rss(self.proc)

    def server_now(self) -> int:
        return self.proc.memory_info().rss


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


def class_collection(folder: Path) -> Path:
    """A class collection file: test digits in a class's hand, photographed and read as the app reads them."""
    from benchmarks.finetune import class_digits

    digits = class_digits(CLASS_DIGITS)
    path = folder / "class.npz"
    np.savez_compressed(path, x_test=digits.x_test, y_test=digits.y_test)
    return path


def server_paths(playwright, sampler: Sampler, url: str, scratch: Path, train_seconds: float) -> dict[str, float]:
    """Every page, a training saved, a fine-tune saved, Compare of three stored models: the server's figures."""
    from tests.e2e.st_page import compare, fine_tune, import_collection, save_run

    figures = {}
    browser = launch_chromium(playwright)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=url)
    context.set_default_timeout(120_000)
    page = context.new_page()
    sampler.phase = "pages"
    open_every_page(page, url)
    figures["after_pages_mb"] = sampler.now() / MB
    figures["server_after_pages_mb"] = sampler.server_now() / MB
    sampler.phase = "training"
    started = time.perf_counter()
    train_from_page(page, url, train_seconds)
    figures["training_seconds"] = time.perf_counter() - started
    figures["after_training_mb"] = sampler.now() / MB
    figures["server_after_training_mb"] = sampler.server_now() / MB
    save_run(page, TRAINED)
    collection = class_collection(scratch)
    import_collection(page, collection)
    sampler.phase = "finetune"
    fine_tune(page)
    figures["server_after_finetune_mb"] = sampler.server_now() / MB
    save_run(page, TUNED)
    sampler.phase = "compare"
    other = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=url).new_page()
    other.goto(url)
    wait_painted(other, "h1")
    compare(other, TUNED)  # a new session picks two stored models itself (the default and the first saved)
    figures["server_after_compare_mb"] = sampler.server_now() / MB
    sampler.phase = "after"
    time.sleep(DEFAULT_IDLE_SECONDS + 5)  # the training process stops once unused this long
    figures["after_idle_mb"] = sampler.now() / MB
    figures["server_after_idle_mb"] = sampler.server_now() / MB
    browser.close()
    return figures


def worker_breakdown(task: str) -> dict:
    """benchmarks.worker_memory `task` in a fresh process with the training process's environment."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.worker_memory", task], cwd=REPO, capture_output=True,
                          text=True, timeout=1800, env={**os.environ, **ENVIRONMENT})
    if done.returncode:
        raise RuntimeError(f"benchmarks.worker_memory {task} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def class_peak(students: int) -> dict[str, float]:
    """The whole app's peak and after-class memory during the classroom benchmark's class with trainings."""
    from benchmarks.classroom import Plan, lesson

    plan = Plan(students, drawings=10, run=(12_000, 2), browsers=min(5, students))
    figures = asyncio.run(lesson(plan, Path(tempfile.mkdtemp()) / "classroom.log"))
    return {"class_peak_mb": figures["peak_mb"], "class_after_close_mb": figures["after_close_mb"],
            "class_tensorflow_in_server": figures["tensorflow_loaded"]}


def print_breakdown(breakdown: dict) -> None:
    print(f"\ntraining process, {breakdown['task']}: peak {breakdown['peak_mb']:.0f} MB, {breakdown['threads']} "
          f"threads, malloc {breakdown['malloc_in_use_mb']:.0f} MB in use and "
          f"{breakdown['malloc_free_kept_mb']:.0f} MB free but kept")
    print("      RSS  change   malloc'd  step")
    previous = 0.0
    for step, rss, in_malloc in breakdown["steps"]:
        print(f"  {rss:7.0f}  {rss - previous:+6.0f}  {in_malloc:9.0f}  {step}")
        previous = rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-seconds", type=float, default=0,
                        help="press Stop after this long (0: train to the end)")
    parser.add_argument("--class-students", type=int, default=30, help="the class's size (0: no class)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp())
    env = scratch_env(scratch_models(scratch / "models"), scratch)
    with sync_playwright() as playwright, running_app(scratch / "streamlit.log", env) as (url, proc):
        sampler = Sampler(psutil.Process(proc.pid))
        sampler.start()
        time.sleep(3)  # idle means idle: let start-up settle before the first reading
        figures = {"idle_mb": sampler.now() / MB}
        figures |= server_paths(playwright, sampler, url, scratch, args.train_seconds)
        sampler.done.set()
        figures |= {f"peak_{phase}_mb": peak / MB for phase, peak in sampler.peaks.items()}
        figures |= {f"worker_peak_{phase}_mb": sampler.worker_peaks[phase] / MB for phase in ("training", "finetune")}
    breakdowns = [worker_breakdown(task) for task in ("train", "finetune")]
    if args.class_students:
        figures |= class_peak(args.class_students)
    figures = {key: round(value, 1) if isinstance(value, float) else value for key, value in figures.items()}
    for key, value in figures.items():
        print(f"{key:28} {value:8}")
    for breakdown in breakdowns:
        print_breakdown(breakdown)
    if args.json:
        print(json.dumps({**figures, "breakdowns": breakdowns}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
