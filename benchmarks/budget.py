"""Where an epoch of training goes: start-up, arithmetic, per-step overhead, the input pipeline, callbacks.

One model, compiled once, is fitted again and again on a few dozen batches (the traced step is
reused), variants interleaved and medians taken, so each figure is a difference measured
in the same minute of a shared machine:

- start-up: build, compile and the first batch of a fresh model (tracing the train step);
- a step at the preset's batch size, with the progress reporter as train() runs it;
- callbacks: the same without the reporter;
- input pipeline: the same fed from batches already in memory, instead of train()'s
  shuffled gather from the uint8 arrays;
- per-step overhead: a step of one image (Python, dispatch, the optimizer's update);
- arithmetic: the network's floating-point operations at this machine's matrix-multiply peak.

    python -m benchmarks.budget --preset cnn-fast
"""

from __future__ import annotations

import argparse
import math
import statistics
import threading
import time
from dataclasses import asdict, dataclass

import numpy as np

from digits_core import PRESETS, MnistData, load_mnist
from digits_core.backend import keras, tf
from digits_core.network import build_model
from digits_core.spec import ModelSpec
from digits_core.training import (STEPS_PER_EXECUTION, _NoListener, _Reporter, make_optimizer, one_hot,
                                  shuffled_batches)

TRAINING_FLOPS_PER_FORWARD = 3  # the backward pass costs about twice the forward one


@dataclass(frozen=True)
class Budget:
    """Seconds an epoch of `steps` steps spends on each part (the arithmetic at peak is a lower bound)."""

    preset: str
    steps: int
    startup: float
    step_ms: float
    callbacks: float
    pipeline: float
    overhead: float
    arithmetic: float
    gflops_per_epoch: float
    peak_gflops: float

    @property
    def epoch(self) -> float:
        """The epoch these figures add up to: start-up plus every step."""
        return self.startup + self.steps * self.step_ms / 1000

    def rows(self) -> list[tuple[str, str]]:
        """The budget as (part, seconds an epoch) rows for the benchmark's table."""
        compute = self.steps * self.step_ms / 1000 - self.callbacks - self.pipeline - self.overhead
        return [
            ("start-up: build, compile, trace the step", f"{self.startup:.1f} s"),
            (f"{self.steps} steps of {self.step_ms:.1f} ms", f"{self.epoch - self.startup:.1f} s"),
            ("  of which per-step overhead (a one-image step)", f"{self.overhead:.1f} s"),
            ("  of which the progress callback", f"{self.callbacks:.1f} s"),
            ("  of which the input pipeline (shuffled uint8 batches)", f"{self.pipeline:.1f} s"),
            ("  of which the network's arithmetic", (f"{compute:.1f} s (at peak {self.arithmetic:.1f} s: "
                                                     f"{self.gflops_per_epoch:.0f} GFLOP at {self.peak_gflops:.0f} "
                                                     "GFLOP/s)")),
        ]


def forward_flops(model: keras.Model) -> int:
    """Multiply-adds of the convolutions and dense layers for one image, counted as two operations each."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
            kernel = layer.kernel.shape  # (kh, kw, in, out) or (in, out)
            outputs = math.prod(layer.output.shape[1:-1])  # output positions (1 for Dense)
            total += 2 * outputs * math.prod(kernel)
    return total


def peak_gflops(size: int = 1024, repeats: int = 5) -> float:
    """This machine's float32 matrix-multiply speed, the best of a few runs."""
    a = tf.random.uniform((size, size))
    tf.linalg.matmul(a, a).numpy()
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        tf.linalg.matmul(a, a).numpy()
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def _compiled(spec: ModelSpec) -> keras.Model:
    model = build_model(spec)
    model.compile(optimizer=make_optimizer(spec, 1000), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=["accuracy"], jit_compile=False, steps_per_execution=STEPS_PER_EXECUTION)
    return model


def _startup(spec: ModelSpec, x: np.ndarray, y: np.ndarray) -> float:
    started = time.perf_counter()
    _compiled(spec).fit(x[:spec.batch_size], y[:spec.batch_size], batch_size=spec.batch_size, verbose=0)
    return time.perf_counter() - started


def measure(name: str, data: MnistData, steps: int = 40, repeats: int = 3) -> Budget:
    """The budget of one epoch of preset `name` on `data`'s training set, from `steps`-step fits."""
    spec = PRESETS[name].spec
    x, y = data.x_train[..., None], one_hot(data.y_train)
    n = min(steps * spec.batch_size, len(x))
    steps = max(n // spec.batch_size, 1)
    batches = shuffled_batches(x[:n], y[:n], spec.batch_size, seed=0)  # as train() feeds model.fit
    in_memory = tf.data.Dataset.from_tensor_slices((x[:n], y[:n])).batch(spec.batch_size).cache()
    model = _compiled(spec)

    def reporter() -> _Reporter:
        return _Reporter(spec, n, _NoListener(), threading.Event())

    variants = {
        "step": lambda: model.fit(batches, callbacks=[reporter()], shuffle=False, verbose=0),
        "no callback": lambda: model.fit(batches, shuffle=False, verbose=0),
        "in memory": lambda: model.fit(in_memory, callbacks=[reporter()], shuffle=False, verbose=0),
        "one image": lambda: model.fit(x[:steps], y[:steps], batch_size=1, callbacks=[reporter()], verbose=0),
    }
    seconds = {key: [] for key in variants}
    for _ in range(repeats + 1):  # the first round traces each variant's shapes and is dropped
        for key, fit in variants.items():
            started = time.perf_counter()
            fit()
            seconds[key].append(time.perf_counter() - started)
    per_step = {key: statistics.median(times[1:]) / steps for key, times in seconds.items()}
    epoch_steps = math.ceil(len(data.x_train) / spec.batch_size)
    startup = statistics.median(_startup(spec, x, y) for _ in range(repeats))
    flops = forward_flops(model) * TRAINING_FLOPS_PER_FORWARD * len(data.x_train) / 1e9
    peak = peak_gflops()
    return Budget(name, epoch_steps, startup, per_step["step"] * 1000,
                  max(per_step["step"] - per_step["no callback"], 0.0) * epoch_steps,
                  max(per_step["step"] - per_step["in memory"], 0.0) * epoch_steps,
                  per_step["one image"] * epoch_steps, flops / peak, flops, peak)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=list(PRESETS), default="cnn-fast")
    parser.add_argument("--steps", type=int, default=40, help="steps in each timed fit")
    args = parser.parse_args(argv)
    budget = measure(args.preset, load_mnist(), args.steps)
    for part, figure in budget.rows():
        print(f"{part:60} {figure}")
    print(asdict(budget))


if __name__ == "__main__":
    main()
