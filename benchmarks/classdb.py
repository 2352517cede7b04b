"""The class database under a class's load, on SQLite and on PostgreSQL (a throwaway local server).

- writes: WRITERS threads of one server (thirty sessions) each save corrections as Draw does
  (the 28x28 image and the canvas as PNG): samples per second, and one correction's write
  time at the median, 95th percentile and worst. Target: p95 <= 50 ms. Three ways: at once
  (every writer presses Save at the same instant, EACH rounds: the worst moment of a class),
  back to back (every writer saves again as soon as its last write is in: the server's
  throughput, where a write's time is mostly its wait behind the 29 others) and paced (each
  writer one correction every PACE seconds on average, at random: a class correcting fast).
- reload: a browser's 8 kept runs of a cnn-best-size model read back, as a reloaded tab does.
  Target: <= 1 s.
- size: the database for a class of 30 with 8 kept runs each and 3,000 corrections.
- two servers: a second process polling the collection (as another server's page would read it)
  sees a sample the first wrote after this long. Target: <= 2 s.

    python -m benchmarks.classdb [--writers 30] [--each 10] [--backend sqlite|postgresql] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import text

from benchmarks.postgres import create_database, running_postgres
from digits_core.classroom.database import ClassDatabase
from digits_core.classroom.runs import KeptRuns
from digits_core.classroom.samples import Collection
from digits_core.runs import MAX_RUNS

REPO = Path(__file__).resolve().parents[1]
CLASS, CORRECTIONS = 30, 3000
WRITES = ("at_once", "back_to_back", "paced")  # how the writers' corrections come (see the docstring)
WATCH = """
import sys, time
from digits_core.classroom.samples import Collection
collection = Collection(sys.argv[1])
before = collection.counts().sum()
print("ready", flush=True)
while collection.counts().sum() == before:
    time.sleep(0.05)
print(time.time(), flush=True)
"""


def canvas(seed: int) -> np.ndarray:
    """A drawing as the canvas returns it: 280x280 RGBA, a white stroke on black."""
    image = np.zeros((280, 280, 4), np.uint8)
    image[..., 3] = 255
    column = 80 + seed % 100
    image[60:220, column:column + 24, :3] = 255
    return image


def writes(url: str, writers: int, each: int, pace: float = 0.0, together: bool = False) -> dict[str, float]:
    """`writers` threads at once, `each` corrections each: all at the same instant every round (`together`), or
    `pace` seconds apart on average (0: back to back); throughput and one write's latency."""
    collection, start, lock, times = Collection(url), threading.Barrier(writers), threading.Lock(), []
    collection.counts()  # the engine is ready, as in a running server

    def write(writer: int) -> None:
        drawing, rng = canvas(writer), np.random.default_rng(writer)
        for i in range(each):
            if together or i == 0:
                start.wait()
            time.sleep(rng.uniform(0, 2 * pace))
            began = time.perf_counter()
            collection.add(np.full((28, 28), writer, np.uint8), i % 10, raw=drawing, model="default", predicted=1,
                           browser_id=f"student-{writer}")
            with lock:
                times.append(time.perf_counter() - began)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    ms = np.array(times) * 1000
    return {"samples_per_second": len(times) / seconds, "write_p50_ms": float(np.percentile(ms, 50)),
            "write_p95_ms": float(np.percentile(ms, 95)), "write_max_ms": float(ms.max())}


def a_run():
    """One run of a cnn-best-size model as the app keeps it (untrained weights take the same bytes)."""
    from benchmarks.runs_memory import PRESET, fake_training
    from digits_core import get_preset, load_mnist
    from digits_core.network import build_model
    from digits_core.runs import run_from_training

    spec = get_preset(PRESET).spec
    result, batches = fake_training(spec, build_model(spec))
    return run_from_training(result, PRESET, batches, load_mnist().x_test)


def reload(url: str, run) -> dict[str, float]:
    """A browser's 8 runs kept, then read back as a reloaded tab does (best of five, and the first)."""
    kept = KeptRuns(url)
    for _ in range(MAX_RUNS):
        kept.save_run("reloading", run)
    times = []
    for _ in range(5):
        began = time.perf_counter()
        assert len(kept.load_runs("reloading")) == MAX_RUNS
        times.append(time.perf_counter() - began)
    return {"reload_8_runs_first_s": times[0], "reload_8_runs_best_s": min(times),
            "run_mb": (len(run.model_bytes) + run.probabilities.nbytes) / 1e6}


def class_size(url: str, run) -> float:
    """MB the database takes for a class of 30 with 8 kept runs each and 3,000 corrections."""
    kept, collection = KeptRuns(url), Collection(url)
    for student in range(CLASS):
        for _ in range(MAX_RUNS):
            kept.save_run(f"student-{student}", run)
    for i in range(CORRECTIONS):
        collection.add(np.full((28, 28), i % 256, np.uint8), i % 10, raw=canvas(i), model="default", predicted=1,
                       browser_id=f"student-{i % CLASS}")
    db = ClassDatabase(url)
    with db.reading() as conn:
        if db.dialect == "postgresql":
            return conn.scalar(text("SELECT pg_database_size(current_database())")) / 1e6
    db.close()  # the last connection closed checkpoints the write-ahead log into the file
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def two_servers(url: str) -> float:
    """Seconds from a sample's write in this process to another process's read of it."""
    watcher = subprocess.Popen([sys.executable, "-c", WATCH, url], cwd=REPO, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert watcher.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    written = time.time()
    Collection(url).add(np.zeros((28, 28), np.uint8), 3, browser_id="server-a")
    seen = float(watcher.stdout.readline())
    watcher.wait(30)
    return seen - written


def measure(url: str, writers: int, each: int, pace: float, run) -> dict[str, float]:
    ways = dict(zip(WRITES, ({"together": True}, {}, {"pace": pace})))
    figures = {f"{kind}_{key}": value for kind, options in ways.items()
               for key, value in writes(url, writers, each, **options).items()}
    figures.update(reload(url, run))
    figures["class_db_mb"] = class_size(url, run)
    figures["two_servers_s"] = two_servers(url)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=30)
    parser.add_argument("--each", type=int, default=10, help="corrections each writer saves")
    parser.add_argument("--pace", type=float, default=1.0, help="seconds between a paced writer's corrections")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    run = a_run()
    results = {}
    with ExitStack() as stack:
        for backend in args.backend or ["sqlite", "postgresql"]:
            if backend == "sqlite":
                url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/class.sqlite"
            else:
                url = create_database(stack.enter_context(running_postgres()), "benchmark")
            results[backend] = measure(url, args.writers, args.each, args.pace, run)
            ClassDatabase(url).close()
    if args.json:
        print(json.dumps(results))
        return
    print(f"{args.writers} writers x {args.each} corrections: at once, back to back and paced ~{args.pace:g} s apart; "
          f"runs of {run.preset} ({results[backend]['run_mb']:.1f} MB each); a class of 30 x 8 runs + 3,000 "
          "corrections")
    print(f"{'':26}{'samples/s':>10}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
    for backend, f in results.items():
        for kind in WRITES:
            row = [f[f"{kind}_{key}"] for key in ("samples_per_second", "write_p50_ms", "write_p95_ms", "write_max_ms")]
            print(f"{backend + ', ' + kind.replace('_', ' '):26}{row[0]:>10.0f}{row[1]:>8.1f}{row[2]:>8.1f}"
                  f"{row[3]:>8.1f}")
    print(f"{'':19}{'reload 8 runs s':>16}{'size MB':>9}{'2 servers s':>12}")
    for backend, f in results.items():
        print(f"{backend:19}{f['reload_8_runs_best_s']:>16.3f}{f['class_db_mb']:>9.0f}{f['two_servers_s']:>12.2f}")


if __name__ == "__main__":
    main()
