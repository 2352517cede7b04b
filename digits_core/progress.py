"""What a training reports while it runs: batch updates and the listener that receives them.

Kept apart from training.py (which imports TensorFlow) so the server can read a training's
progress, and unpickle the runs a training process sends back, without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BatchUpdate:
    """Where a running epoch stands: samples done, running metrics, speed and time left."""

    epoch: int
    epochs: int
    samples_done: int
    samples_total: int
    loss: float
    accuracy: float
    samples_per_second: float
    eta_seconds: float


class ProgressListener(Protocol):
    """What train() reports to: each finished epoch's record and a few batch updates a second."""

    def on_epoch(self, record: dict[str, float]) -> None: ...

    def on_batch(self, update: BatchUpdate) -> None: ...
