"""The speed benchmark: the presets side by side with the tutorials, reading a digit, scoring the test set.

Prints three tables. The first: time to 99.0% test accuracy for cnn-keras-example (the
tutorial's settings, the test set scored after each epoch, scoring not timed) and for
cnn-fast, their ratio (slowest cnn-fast seed); cnn-fast on one core (`taskset -c 0`) beside
two; a training from the Train page in Chromium (click to the Test accuracy metric) against
the command line's fit plus test scoring; every preset's seconds per epoch, total fit time,
final accuracy and the peak resident memory of a process that loads MNIST and trains it
(each preset in a fresh process, so no figure carries what an earlier training left behind;
--quick keeps one); the latency of one drawn digit through to_mnist and the Predictor of the
stored default model (LiteRT, as Draw reads it), with to_mnist alone and Keras's
model.predict beside it; scoring the 10,000 test images; loading MNIST. The second: cnn-fast
on seeds 0-4, time to 99.0% and final accuracy. The third: where an epoch of cnn-fast goes
(benchmarks/budget.py). The machine is shared and absolute times drift, so compare the
figures of one run with each other.

    python -m benchmarks.run                 # everything, about 45 minutes on two cores
    python -m benchmarks.run --quick         # a cut-down run in about a minute (CI runs it; no browser)
    python -m benchmarks.run --presets cnn-fast cnn-keras-example --json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import psutil

from benchmarks import budget
from digits_core import PRESETS, load_mnist
from digits_core.backend import keras, tf
from digits_core.evaluation import evaluate, test_metrics
from digits_core.predictor import Predictor
from digits_core.preprocess import to_mnist, upscale
from digits_core.store import ModelStore
from digits_core.training import train

REPO = Path(__file__).resolve().parents[1]
TARGET = 0.99
TARGET_RATIO = 40  # cnn-fast passes TARGET in at most 1/40 of the tutorial's fit time, on every seed
APP_RATIO = 1.1  # the Train page's click-to-metric time against the command line's fit plus scoring
FAST, TUTORIAL = "cnn-fast", "cnn-keras-example"
QUICK_SAMPLES = 2_000  # --quick: one epoch on this many training images
MB = 1024 * 1024


@dataclass
class PresetRun:
    """One preset trained with its own settings, the test set scored after every epoch."""

    preset: str
    seed: int
    epochs: int
    seconds_per_epoch: float
    test_accuracy: float
    seconds_to_target: float | None  # fit time up to the first epoch at TARGET or above
    epochs_to_target: int | None
    peak_rss_mb: float  # the whole process: TensorFlow, MNIST and this training


class PeakMemory:
    """The peak resident memory of this process while the `with` block runs (sampled every 0.1 s)."""

    def __enter__(self) -> PeakMemory:
        self.process, self.peak, self._done = psutil.Process(), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.process.memory_info().rss)
            if self._done.wait(0.1):
                return

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


class TestEachEpoch(keras.callbacks.Callback):
    """Scores the test set at each epoch's end, as the tutorials do (after the epoch's time is taken)."""

    def __init__(self, data):
        super().__init__()
        self.data, self.accuracies = data, []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.accuracies.append(test_metrics(self.model, self.data.x_test, self.data.y_test)[1])
        print(f"  test accuracy {self.accuracies[-1]:.2%}", file=sys.stderr, flush=True)


class EpochLines:
    """Prints each finished epoch on stderr, so a long run shows where it is."""

    def __init__(self, name: str):
        self.name = name

    def on_epoch(self, record: dict) -> None:
        print(f"{self.name} epoch {record['epoch']}: {record['seconds']:.1f} s", file=sys.stderr, flush=True)


def run_preset(name: str, seed: int, quick: bool) -> PresetRun:
    """Train preset `name` (one epoch on a few samples when quick) and time each epoch."""
    spec, data = PRESETS[name].spec, load_mnist()
    if quick:
        spec, data = spec.with_changes(epochs=1), data.subset(QUICK_SAMPLES)
    scorer = TestEachEpoch(data)
    with PeakMemory() as memory:
        result = train(spec, data, progress=EpochLines(name), seed=seed, callbacks=[scorer])
    seconds = [record["seconds"] for record in result.history]
    reached = next((i for i, accuracy in enumerate(scorer.accuracies) if accuracy >= TARGET), None)
    return PresetRun(name, seed, len(seconds), statistics.mean(seconds), result.test_accuracy,
                     None if reached is None else sum(seconds[: reached + 1]),
                     None if reached is None else reached + 1, memory.peak / MB)


def one_core_run(quick: bool) -> PresetRun | None:
    """cnn-fast, seed 0, in a process pinned to the first core (`taskset -c 0`); None without taskset."""
    if shutil.which("taskset") is None:
        return None
    command = ["taskset", "-c", "0", sys.executable, "-m", "benchmarks.run", "--single", FAST]
    done = subprocess.run(command + (["--quick"] if quick else []), cwd=REPO, capture_output=True, text=True,
                          check=True)
    return PresetRun(**json.loads(done.stdout.strip().splitlines()[-1]))


def app_versus_cli(quick: bool):
    """The Train page in Chromium against the command line, on the training set the runs used."""
    from benchmarks.trainapp import app_versus_cli as measure  # Playwright only when asked for

    return measure(QUICK_SAMPLES if quick else 60_000)


def latencies_ms(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and 95th percentile of `call`, in milliseconds, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def canvas_image(digit: np.ndarray) -> np.ndarray:
    """A 280x280 RGBA canvas array like the Draw page's: the digit ten times larger, white on black, opaque."""
    grey = upscale(digit, 10)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def reading_figures(data, repeats: int) -> dict[str, float]:
    """One drawn digit through to_mnist and the Predictor of the stored default model (LiteRT, as Draw reads it),
    through to_mnist alone, and through its Keras model's model.predict; scoring the test set with Keras."""
    store = ModelStore()
    reader, model = Predictor.load(store=store), store.load()
    canvas = canvas_image(data.x_test[0])
    p50, p95 = latencies_ms(lambda: reader.predict(canvas), repeats)
    to_mnist_p50, _ = latencies_ms(lambda: to_mnist(canvas), repeats)
    slow_p50, slow_p95 = latencies_ms(
        lambda: model.predict(to_mnist(canvas).image[None, ..., None], verbose=0), max(repeats // 4, 5))
    started = time.perf_counter()
    evaluate(model, data)
    return {"predict_p50_ms": p50, "predict_p95_ms": p95, "to_mnist_p50_ms": to_mnist_p50,
            "model_predict_p50_ms": slow_p50, "model_predict_p95_ms": slow_p95,
            "evaluate_seconds": time.perf_counter() - started}


def machine() -> str:
    """CPU model, cores and library versions, for the table's caption."""
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), cpu)
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, TensorFlow {tf.__version__}"


def timed_load() -> tuple[object, float]:
    started = time.perf_counter()
    data = load_mnist()
    return data, time.perf_counter() - started


def to_target(run: PresetRun | None) -> str:
    if run is None:
        return "not run"
    if run.seconds_to_target is None:
        return f"not reached in {run.epochs} epoch(s) ({run.test_accuracy:.2%})"
    return f"{run.seconds_to_target:.1f} s ({run.epochs_to_target} epoch(s), seed {run.seed})"


def duration(seconds: float) -> str:
    """Seconds under a minute and a half, minutes above."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def speed_rows(fast: list[PresetRun], tutorial: PresetRun | None, one_core: PresetRun | None,
               app) -> list[tuple[str, str, str]]:
    """The targets of the speed issue: the ratio to the tutorial, one core, the app against the command line."""
    rows = [(f"time to {TARGET:.1%}: {TUTORIAL} (the reference)", to_target(tutorial), "")]
    slowest = max(fast, key=lambda r: r.seconds_to_target or float("inf"), default=None)
    rows.append((f"time to {TARGET:.1%}: {FAST}, slowest of seeds {fast[0].seed}-{fast[-1].seed}" if fast
                 else f"time to {TARGET:.1%}: {FAST}", to_target(slowest), ""))
    if slowest and tutorial and slowest.seconds_to_target and tutorial.seconds_to_target:
        ratio = tutorial.seconds_to_target / slowest.seconds_to_target
        rows.append((f"ratio {TUTORIAL} / {FAST} (slowest seed)", f"{ratio:.1f}x", f"at least {TARGET_RATIO}x"))
    if one_core is not None:
        two = fast[0] if fast else None
        rows.append((f"{FAST} on one core (taskset -c 0), seed 0", f"{to_target(one_core)}; two cores: "
                     f"{to_target(two)}", ""))
    if app is not None:
        rows.append((f"Train page (click to Test accuracy) vs command line, {app.samples:,} images",
                     f"{app.app_seconds:.1f} s vs {app.cli_train_seconds:.1f} s fit + {app.cli_test_seconds:.1f} s "
                     f"scoring: {app.ratio:.2f}x", f"at most {APP_RATIO}x"))
        rows.append(("the same with the browser at nice 19 (as on a student's own machine)",
                     f"{app.app_seconds_browser_niced:.1f} s: {app.ratio_browser_niced:.2f}x", f"at most {APP_RATIO}x"))
    return rows


def seeds_table(fast: list[PresetRun]) -> str:
    """cnn-fast on each seed: time to the target and the accuracy at the end of the run."""
    lines = [f"| {FAST} seed | time to {TARGET:.1%} | final test accuracy |", "|---|---|---|"]
    lines += [f"| {run.seed} | {to_target(run)} | {run.test_accuracy:.2%} |" for run in fast]
    return "\n".join(lines)


def budget_table(figures: budget.Budget, measured: PresetRun | None) -> str:
    """Where an epoch of cnn-fast goes, beside the epoch the seed-0 run took."""
    lines = [f"| where an epoch of {figures.preset} goes | seconds |", "|---|---|"]
    lines += [f"| {part} | {figure} |" for part, figure in figures.rows()]
    lines.append(f"| sum of the parts / a measured epoch | {figures.epoch:.1f} s / "
                 f"{measured.seconds_per_epoch if measured else float('nan'):.1f} s |")
    return "\n".join(lines)


def table(runs: list[PresetRun], reading: dict[str, float], load_seconds: float, quick: bool,
          one_core: PresetRun | None = None, app=None) -> str:
    """The figures as one Markdown table."""
    fast = [r for r in runs if r.preset == FAST]
    tutorial = next((r for r in runs if r.preset == TUTORIAL), None)
    rows = speed_rows(fast, tutorial, one_core, app)
    for run in runs:
        fit = duration(run.seconds_per_epoch * run.epochs)
        rows.append((f"{run.preset} (seed {run.seed})",
                     f"{run.seconds_per_epoch:.1f} s/epoch x {run.epochs} epoch(s) = {fit}, "
                     f"{run.test_accuracy:.2%}, peak RSS {run.peak_rss_mb:.0f} MB",
                     {FAST: ">= 99.0%", "cnn-best": ">= 99.65%, <= 10 min"}.get(run.preset, "")))
    rows += [
        ("one canvas digit: to_mnist + Predictor (stored default, LiteRT)",
         f"p50 {reading['predict_p50_ms']:.2f} ms, p95 {reading['predict_p95_ms']:.2f} ms "
         f"(to_mnist alone: p50 {reading['to_mnist_p50_ms']:.2f} ms)", "p50 <= 1.5 ms"),
        ("the same with model.predict", f"p50 {reading['model_predict_p50_ms']:.1f} ms, "
                                        f"p95 {reading['model_predict_p95_ms']:.1f} ms", ""),
        ("score the 10,000 test images (default model)", f"{reading['evaluate_seconds']:.2f} s", "< 2 s"),
        ("load MNIST", f"{load_seconds:.2f} s", "< 0.5 s"),
    ]
    title = f"quick run: one epoch on {QUICK_SAMPLES:,} images" if quick else "full run: each preset's own settings"
    lines = [f"Measured on {machine()}; {title}.", "", "| measure | figure | target |", "|---|---|---|"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one epoch on a few images, few repeats, no browser")
    parser.add_argument("--presets", nargs="+", choices=list(PRESETS), default=list(PRESETS))
    parser.add_argument("--fast-seeds", type=int, default=5, help="seeds of cnn-fast (99%% on every seed)")
    parser.add_argument("--app", action=argparse.BooleanOptionalAction, default=None,
                        help="time a training from the Train page in Chromium (default: on, off with --quick)")
    parser.add_argument("--single", choices=list(PRESETS), help=argparse.SUPPRESS)  # one run, as JSON (one core)
    parser.add_argument("--json", action="store_true", help="the figures as one JSON object on the last line")
    args = parser.parse_args(argv)
    if args.single:
        print(json.dumps(asdict(run_preset(args.single, 0, args.quick))))
        return

    data, load_seconds = timed_load()
    runs = []
    fresh_each = None if args.quick else 1  # tasks per worker process
    with ProcessPoolExecutor(1, multiprocessing.get_context("spawn"), max_tasks_per_child=fresh_each) as trainer:
        for name in args.presets:
            for seed in range(1 if args.quick or name != FAST else args.fast_seeds):
                runs.append(trainer.submit(run_preset, name, seed, args.quick).result())
                print(f"{name} seed {seed}: {asdict(runs[-1])}", file=sys.stderr, flush=True)
    one_core = one_core_run(args.quick) if FAST in args.presets else None
    app = app_versus_cli(args.quick) if (not args.quick if args.app is None else args.app) else None
    costs = budget.measure(FAST, data.subset(QUICK_SAMPLES) if args.quick else data,
                           steps=8 if args.quick else 40, repeats=1 if args.quick else 3)
    reading = reading_figures(data, 30 if args.quick else 300)
    fast = [r for r in runs if r.preset == FAST]
    print(table(runs, reading, load_seconds, args.quick, one_core, app))
    print(f"\n{seeds_table(fast)}\n\n{budget_table(costs, fast[0] if fast else None)}")
    if args.json:
        print(json.dumps({"machine": machine(), "quick": args.quick, "load_seconds": load_seconds,
                          "runs": [asdict(r) for r in runs], "one_core": one_core and asdict(one_core),
                          "app": app and {**asdict(app), "ratio": app.ratio, "ratio_browser_niced":
                                          app.ratio_browser_niced},
                          "budget": asdict(costs), **reading}))


if __name__ == "__main__":
    main()
