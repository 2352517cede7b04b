"""Compiled networks kept between runs in the long-lived training process.

Building, compiling and tracing a network's train step took 2.5 to 5 s of each cnn-fast run. A
class trains the same few networks over and over, so the training process keeps the last few,
by spec, and lends one to each run with the fresh weights of its seed: the same result as a new
network, without the new trace.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

from .spec import ModelSpec
from .training import Trainable

KEPT = 4  # compiled networks kept: a few megabytes each for the small presets, tens for cnn-best


def same_network(spec: ModelSpec) -> ModelSpec:
    """What a trace depends on: the spec but for its epochs (a run's length is set at each run)."""
    return spec.with_changes(epochs=1)


class CompiledModels:
    """The last `size` compiled networks, each lent to one run at a time; thread-safe."""

    def __init__(self, size: int = KEPT):
        self.size = size
        self._idle: OrderedDict[ModelSpec, Trainable] = OrderedDict()  # the most recently returned last
        self._lock = threading.Lock()

    @contextmanager
    def lend(self, spec: ModelSpec, seed: int = 0) -> Iterator[Trainable]:
        """A compiled network for `spec` with build_model(spec, seed)'s weights: one kept, or a new one."""
        key = same_network(spec)
        with self._lock:
            kept = self._idle.pop(key, None)
        if kept is None:
            kept = Trainable.of(spec, seed)
        else:
            kept.renew(seed)
        try:
            yield kept
        finally:
            with self._lock:
                self._idle[key] = kept  # two runs of one network at once: the last one back is kept
                self._idle.move_to_end(key)
                while len(self._idle) > self.size:
                    self._idle.popitem(last=False)
