"""What a training costs the drawings: seconds per preprocessing call and per Keras prediction while a
training runs in a background Job, with the background priority off (nice 0) and on (nice 10).

Each setting runs in a fresh process (the priority is fixed when TensorFlow starts its threads):
it times the calls idle, then while a `cnn-fast` training runs on 20,000 samples, and prints the
medians and the slowdown. The main thread stands in for a session's script thread.

    python -m benchmarks.priority [--seconds 20] [--nice 0 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PRESET, SAMPLES = "cnn-fast", 20_000


def timed(call, seconds: float) -> list[float]:
    """Seconds per `call()`, called back to back for `seconds`."""
    times, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        time.sleep(0.05)  # a student's strokes come a moment apart
    return times


def measure(seconds: float) -> dict[str, float]:
    """Median milliseconds of each call idle and under a training, in this process."""
    import numpy as np

    from digits_core import get_preset, load_mnist
    from digits_core.jobs import Job, Slots
    from digits_core.predictor import Predictor
    from digits_core.preprocess import to_mnist
    from digits_core.training import train

    data = load_mnist()
    canvas = np.kron(data.x_test[0], np.ones((10, 10), np.uint8))  # a 280x280 drawing
    reader = Predictor.load()
    calls = {"preprocess": lambda: to_mnist(canvas), "keras": lambda: reader.probabilities(data.x_test[:1])}
    figures = {f"{name}_idle_ms": 1000 * statistics.median(timed(call, seconds / 4)) for name, call in calls.items()}
    spec, subset = get_preset(PRESET).spec.with_changes(epochs=50), data.subset(SAMPLES)
    job = Job("train", lambda job: train(spec, subset, progress=job, stop=job.stop), Slots(1)).start()
    while not job.snapshot().batches:  # past building and compiling: the fit runs
        time.sleep(0.1)
    for name, call in calls.items():
        figures[f"{name}_training_ms"] = 1000 * statistics.median(timed(call, seconds / 2))
    job.request_stop()
    job.join()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="time spent timing each setting")
    parser.add_argument("--nice", type=int, nargs="+", default=[0, 10], help="background nice values to compare")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.seconds)))
        return 0
    print(f"{'nice':>4} {'preprocess idle':>16} {'under training':>15} {'ratio':>6} "
          f"{'keras idle':>11} {'under training':>15} {'ratio':>6}   (median ms a call)")
    for nice in args.nice:
        command = [sys.executable, "-m", "benchmarks.priority", "--child", "--seconds", str(args.seconds)]
        env = {**os.environ, "DIGITS_BACKGROUND_NICE": str(nice)}
        child = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=True)
        f = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{nice:>4} {f['preprocess_idle_ms']:>16.2f} {f['preprocess_training_ms']:>15.2f} "
              f"{f['preprocess_training_ms'] / f['preprocess_idle_ms']:>6.1f} {f['keras_idle_ms']:>11.2f} "
              f"{f['keras_training_ms']:>15.2f} {f['keras_training_ms'] / f['keras_idle_ms']:>6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
