"""python -m benchmarks.run --quick: the benchmark runs end to end and prints its table (figures not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from digits_core import PRESETS

REPO = Path(__file__).resolve().parent.parent


def test_quick_benchmark_prints_the_table_and_its_figures():
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    *table, last = done.stdout.strip().splitlines()
    figures = json.loads(last)
    assert [run["preset"] for run in figures["runs"]] == list(PRESETS)
    assert all(0 <= run["test_accuracy"] <= 1 and run["seconds_per_epoch"] > 0 for run in figures["runs"])
    assert 0 < figures["predict_p50_ms"] <= figures["predict_p95_ms"]
    assert figures["evaluate_seconds"] > 0 and figures["load_seconds"] > 0
    assert figures["one_core"]["preset"] == "cnn-fast" and figures["one_core"]["seconds_per_epoch"] > 0
    budget = figures["budget"]
    assert budget["startup"] > 0 and budget["step_ms"] > 0 and budget["gflops_per_epoch"] > 0
    assert figures["app"] is None  # the browser line is left out of a quick run
    text = "\n".join(table)
    for header in ("| measure | figure | target |", "| cnn-fast seed | time to 99.0% | final test accuracy |",
                   "| where an epoch of cnn-fast goes | seconds |"):
        assert header in text
    for measure in ("time to 99.0%: cnn-fast", "on one core (taskset -c 0)", "per-step overhead", "model.predict",
                    "score the 10,000 test images", "load MNIST"):
        assert measure in text
