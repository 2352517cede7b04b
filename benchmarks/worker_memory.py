"""Where the training process's memory goes: its resident memory after each step of a training or a fine-tune.

Run in a fresh process started as the server starts the training process (the same environment),
it does what the process does for one request and reads its RSS at each step: the interpreter,
TensorFlow's import, MNIST, the model, the data handed to TensorFlow, the traced step with the
optimizer's state, the peak while it fits, the test set scored. Python's arenas are read from
glibc's mallinfo2: memory malloc holds that is free but not given back is the arenas' waste.

    python -m benchmarks.worker_memory train      # cnn-fast on the 60,000 training images, one epoch
    python -m benchmarks.worker_memory finetune   # the shipped default tuned to 250 photographed class digits
"""

from __future__ import annotations

import argparse
import ctypes
import json
import threading
import time

import psutil

MB = 1024 * 1024
CLASS_DIGITS = 250


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def malloc_figures() -> dict[str, float]:
    """glibc's totals over every arena: bytes in use, and bytes free but kept (what MALLOC_ARENA_MAX bounds)."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    return {"malloc_in_use_mb": (info.uordblks + info.hblkhd) / MB, "malloc_free_kept_mb": info.fordblks / MB}


class Steps:
    """RSS at named steps, and the peak between them (sampled every 20 ms)."""

    def __init__(self):
        self.proc, self.rows, self.peak = psutil.Process(), [], 0
        self._done = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def mark(self, step: str) -> None:
        rss = self.proc.memory_info().rss
        self.peak = max(self.peak, rss)
        self.rows.append((step, rss / MB, malloc_figures()["malloc_in_use_mb"]))

    def report(self) -> dict:
        self._done.set()
        return {"steps": self.rows, "peak_mb": self.peak / MB, "threads": self.proc.num_threads(),
                **malloc_figures()}


def hook(module, name: str, steps: Steps, step: str) -> None:
    """Mark `step` each time module.name returns."""
    original = getattr(module, name)

    def marked(*args, **kwargs):
        result = original(*args, **kwargs)
        steps.mark(step)
        return result

    setattr(module, name, marked)


def training(steps: Steps) -> None:
    from digits_core import get_preset, load_mnist, training
    from digits_core.backend import keras

    data = load_mnist()
    steps.mark("MNIST loaded")
    hook(training, "build_model", steps, "model built")
    hook(training, "shuffled_batches", steps, "training data handed to TensorFlow")

    class Marks(keras.callbacks.Callback):
        first = True

        def on_train_begin(self, logs=None):
            steps.mark("compiled, fit started")

        def on_train_batch_end(self, batch, logs=None):
            if self.first:
                steps.mark("first steps: traced, optimizer state built")
                self.first = False

        def on_epoch_end(self, epoch, logs=None):
            steps.mark(f"epoch {epoch + 1} ended")

    training.train(get_preset("cnn-fast").spec, data, callbacks=[Marks()])
    steps.mark("test set scored")


def finetuning(steps: Steps) -> None:
    from benchmarks.finetune import class_digits
    from digits_core import finetune, load_mnist
    from digits_core.store import ModelStore

    data = load_mnist()
    steps.mark("MNIST loaded")
    digits = class_digits(CLASS_DIGITS)
    steps.mark("class digits made (the benchmark's own)")
    model = ModelStore().load()
    steps.mark("stored default model loaded")
    hook(finetune, "_read", steps, "held-out class digits read (before, then after the fit)")
    hook(finetune, "_mixed", steps, "MNIST part and class digits mixed")
    hook(finetune, "_with_augmentation", steps, "model copied behind augmentation")
    result = finetune.finetune(model, None, data, digits)
    steps.mark(f"test set scored (held-out {result.held_out_before:.0%} -> {result.held_out_after:.0%})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["train", "finetune"])
    args = parser.parse_args(argv)
    steps = Steps()
    steps.mark("interpreter and numpy")
    started = time.perf_counter()
    import digits_core.backend  # noqa: F401 - the import the process makes before it says it is ready

    steps.mark("TensorFlow imported")
    (training if args.task == "train" else finetuning)(steps)
    figures = {"task": args.task, "seconds": time.perf_counter() - started, **steps.report()}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
