"""What each lever of the training process is worth: trainings back to back, as a class's queue runs them.

The training process lives for the whole lesson and trains one run after another. Three levers
make each run cost less there, and this times each of them, switched off and on, in one process:

- the compiled network kept (digits_core.compiled): a run of a network trained before gets fresh
  weights and a reset optimizer instead of a new build, compile and trace;
- the data kept in memory: MNIST read once, not from its file for each run;
- the test set scored in one call of the model's traced predict step, not in 20 eager calls.

Each configuration trains `--runs` runs of the preset after one run that warms TensorFlow up;
the first figure of the "kept" configuration includes the one trace it pays. Times drift on a
shared machine: the rounds are interleaved, and the figures to compare are the medians.

    python -m benchmarks.levers [--preset cnn-fast] [--samples 60000] [--runs 3] [--rounds 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import nullcontext

import psutil

from digits_core import get_preset
from digits_core.data import BUNDLED_PATH, load_mnist
from digits_core.evaluation import probabilities

MB = 2**20


def one_run(spec, models, from_file: bool, samples: int, seed: int) -> dict:
    """One training as the training process runs it; seconds of each part, and both ways of scoring its test set."""
    from digits_core.data import _load_npz
    from digits_core.training import test_probabilities, train

    started = time.perf_counter()
    data = (_load_npz.__wrapped__(str(BUNDLED_PATH)) if from_file else load_mnist()).subset(samples)
    loaded = time.perf_counter()
    with models.lend(spec, seed) if models else nullcontext() as compiled:
        prepared = time.perf_counter()
        result = train(spec, data, seed=seed, compiled=compiled)
    ended = time.perf_counter()
    eager_started = time.perf_counter()
    probabilities(result.model, data.x_test)
    eager = time.perf_counter() - eager_started
    traced_started = time.perf_counter()
    test_probabilities(result.model, data.x_test)
    traced_again = time.perf_counter() - traced_started
    return {"total_s": ended - started, "data_s": loaded - started, "lend_s": prepared - loaded,
            "fit_s": result.train_seconds, "scored_s": result.test_seconds, "accuracy": result.test_accuracy,
            "eager_scoring_s": eager, "traced_scoring_again_s": traced_again,
            "rss_mb": psutil.Process().memory_info().rss / MB}


CONFIGS = {
    "none: a new network each run, MNIST read each run": dict(kept=False, from_file=True),
    "data in memory": dict(kept=False, from_file=False),
    "data in memory, network kept compiled": dict(kept=True, from_file=False),
}


def measure(preset: str, samples: int, runs: int, rounds: int) -> dict[str, list[dict]]:
    from digits_core.compiled import CompiledModels

    spec = get_preset(preset).spec
    one_run(spec, None, False, min(samples, 2000), 99)  # TensorFlow's own first-use costs, paid by no configuration
    results: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    for _ in range(rounds):
        for name, config in CONFIGS.items():
            models = CompiledModels() if config["kept"] else None
            for seed in range(runs):
                run = one_run(spec, models, config["from_file"], samples, seed)
                results[name].append(run)
                print(f"{name}: run {seed + 1} {run['total_s']:.2f} s (fit {run['fit_s']:.2f} s, "
                      f"scoring {run['scored_s']:.2f} s, accuracy {run['accuracy']:.2%}, RSS {run['rss_mb']:.0f} MB)",
                      file=sys.stderr, flush=True)
    return results


def summary(results: dict[str, list[dict]], runs: int) -> dict:
    """Medians per configuration: every run, and the runs after each configuration's first."""
    figures = {}
    for name, done in results.items():
        later = [run for i, run in enumerate(done) if i % runs]
        figures[name] = {
            "run_s": statistics.median(run["total_s"] for run in done),
            "later_run_s": statistics.median(run["total_s"] for run in later) if later else None,
            "first_run_s": statistics.median(run["total_s"] for i, run in enumerate(done) if not i % runs),
            "data_s": statistics.median(run["data_s"] for run in done),
            "fit_s": statistics.median(run["fit_s"] for run in done)}
    kept = [run for run in results[list(CONFIGS)[-1]]]
    figures["scoring"] = {"eager_batches_s": statistics.median(run["eager_scoring_s"] for run in kept),
                          "traced_call_s": statistics.median(run["traced_scoring_again_s"] for run in kept),
                          "traced_first_call_s": statistics.median(run["scored_s"] for run in kept)}
    return figures


def print_table(figures: dict, preset: str, samples: int) -> None:
    print(f"| {preset} on {samples:,} images, a run in the long-lived process | median run | first run | "
          "later runs | of which reading MNIST | of which the fit |\n|---|---|---|---|---|---|")
    for name in CONFIGS:
        f = figures[name]
        later = "-" if f["later_run_s"] is None else f"{f['later_run_s']:.2f} s"
        print(f"| {name} | {f['run_s']:.2f} s | {f['first_run_s']:.2f} s | {later} | {f['data_s']:.2f} s "
              f"| {f['fit_s']:.2f} s |")
    s = figures["scoring"]
    print(f"| scoring the 10,000 test images of a kept network: 20 eager calls / one traced predict call "
          f"| {s['eager_batches_s']:.2f} s / {s['traced_call_s']:.2f} s | | | | |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cnn-fast")
    parser.add_argument("--samples", type=int, default=60_000, help="training images a run")
    parser.add_argument("--runs", type=int, default=3, help="runs back to back in each configuration")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every configuration, interleaved")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    args = parser.parse_args(argv)
    figures = summary(measure(args.preset, args.samples, args.runs, args.rounds), args.runs)
    print_table(figures, args.preset, args.samples)
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
