"""The class's training defaults: how many training images, and how many epochs, the Train form starts with.

The teacher sets them for the whole server ("everyone, train now" on fewer images makes the queue
short); every student's form then starts there. One object serves every session (thread-safe).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..spec import LIMITS, SpecError

TRAINING_IMAGES = 60_000  # MNIST's whole training set
MIN_IMAGES = 100


@dataclass(frozen=True)
class TrainingDefaults:
    """Training images and epochs a Train form starts with; epochs None: each preset's own."""

    samples: int = TRAINING_IMAGES
    epochs: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or \
                not MIN_IMAGES <= self.samples <= TRAINING_IMAGES:
            raise SpecError("samples", f"must be a whole number from {MIN_IMAGES:,} to {TRAINING_IMAGES:,}, "
                                       f"got {self.samples!r}")
        if self.epochs is not None and not LIMITS["epochs"].admits(self.epochs):
            raise SpecError("epochs", f"must be a whole number from {LIMITS['epochs'].low:g} to "
                                      f"{LIMITS['epochs'].high:g}, got {self.epochs!r}")


class ClassDefaults:
    """The server's TrainingDefaults, which the teacher may change at any time."""

    def __init__(self) -> None:
        self._current = TrainingDefaults()
        self._lock = threading.Lock()

    @property
    def current(self) -> TrainingDefaults:
        with self._lock:
            return self._current

    def set(self, samples: int, epochs: int | None) -> TrainingDefaults:
        """New defaults for the class (SpecError for values a training cannot take)."""
        chosen = TrainingDefaults(samples, epochs)
        with self._lock:
            self._current = chosen
        return chosen
