"""Memory that a session's runs hold: eight runs of cnn-best size with histories and test probabilities.

Builds a cnn-best network (untrained: its weights take the same bytes as trained ones), turns
it into a Run eight times by the app's own path (runs.run_from_training: the model to .keras
bytes, the 10,000 test probabilities to float16), with a 15-epoch history and the most batch
updates a job keeps, and keeps them in a RunBook as a session does. It reports what
tracemalloc sees still allocated once the book is full (numpy and Python objects; TensorFlow's
own buffers are freed after each run), and the bytes each run's parts hold. Target: <= 50 MB.

    python -m benchmarks.runs_memory [--runs 8] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import tracemalloc

from digits_core import get_preset, load_mnist
from digits_core.jobs import MAX_BATCHES
from digits_core.network import build_model
from digits_core.runs import MAX_RUNS, RunBook, run_from_training
from digits_core.training import BatchUpdate, TrainResult

MB = 1024 * 1024
PRESET = "cnn-best"
TARGET_MB = 50


def fake_training(spec, model) -> tuple[TrainResult, list[BatchUpdate]]:
    """A TrainResult and batch updates the size of a full cnn-best run (the values do not matter for memory)."""
    history = [{"epoch": e, "loss": 0.1, "accuracy": 0.99, "val_loss": 0.1, "val_accuracy": 0.99, "seconds": 30.0,
                "learning_rate": 0.001} for e in range(1, spec.epochs + 1)]
    batches = [BatchUpdate(1 + i * spec.epochs // MAX_BATCHES, spec.epochs, i, 54_000, 0.1, 0.99, 1500.0, 60.0)
               for i in range(MAX_BATCHES)]
    return TrainResult(model, spec, history, 450.0, False, 0.02, 0.996, test_seconds=1.3, train_samples=60_000), batches


def measure(runs: int) -> dict:
    spec = get_preset(PRESET).spec
    model, data = build_model(spec), load_mnist()
    run_from_training(fake_training(spec, model)[0], PRESET, [], data.x_test[:500])  # warm Keras up first
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    book = RunBook()
    for _ in range(runs):  # each run its own history and batch updates, as in a session
        result, batches = fake_training(spec, model)
        book.add(run_from_training(result, PRESET, batches, data.x_test))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    one = book.runs[0]
    parts = {"model_bytes": len(one.model_bytes), "probabilities": one.probabilities.nbytes,
             "history_and_batches": len(pickle.dumps((one.history, one.batches)))}
    return {"preset": PRESET, "runs": len(book.runs), "parameters": one.parameters, "traced_mb": held / MB,
            "per_run_parts_bytes": parts, "per_run_mb": sum(parts.values()) / MB, "target_mb": TARGET_MB,
            "book_limit": MAX_RUNS, "ok": held / MB <= TARGET_MB}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MAX_RUNS)
    parser.add_argument("--quick", action="store_true", help="two runs only, to check the script works")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = measure(2 if args.quick else args.runs)
    if args.json:
        print(json.dumps(report))
        return
    parts = report["per_run_parts_bytes"]
    print(f"{'what':38} {'value':>12}")
    print(f"{'runs kept (' + report['preset'] + ')':38} {report['runs']:>12}")
    print(f"{'parameters per model':38} {report['parameters']:>12,}")
    for name, size in parts.items():
        print(f"{'per run: ' + name + ' (KB)':38} {size / 1024:>12.0f}")
    print(f"{'per run, total (MB)':38} {report['per_run_mb']:>12.2f}")
    print(f"{'all runs, traced by tracemalloc (MB)':38} {report['traced_mb']:>12.2f}")
    print(f"{'target (MB)':38} {report['target_mb']:>12}")


if __name__ == "__main__":
    main()
