"""k-fold cross-validation of a spec on the training set, as the k-fold tutorial does it."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .data import MnistData
from .spec import ModelSpec, SpecError

if TYPE_CHECKING:  # training imports TensorFlow; a CrossValidation is read without it (worker.py)
    from .compiled import CompiledModels
    from .training import Progress


@dataclass
class CrossValidation:
    """Held-out accuracy and learning curves of each fold."""

    fold_accuracies: list[float]
    histories: list[list[dict[str, float]]]
    stopped: bool

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_accuracies))

    @property
    def std(self) -> float:
        return float(np.std(self.fold_accuracies))


def cross_validate(
    spec: ModelSpec,
    data: MnistData,
    folds: int = 5,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    seed: int = 0,
    models: CompiledModels | None = None,
) -> CrossValidation:
    """Train `folds` models, each holding out one contiguous slice of the training set; with `models`, the folds
    share one compiled network."""
    from .training import train

    if not 2 <= folds <= 10:
        raise SpecError("folds", f"must be between 2 and 10, got {folds}")
    if len(data.x_train) < folds:  # an empty fold has no accuracy: refuse before training any
        raise SpecError("folds", f"{folds} folds need at least {folds} training images, got {len(data.x_train)}")
    stop = stop or threading.Event()
    bounds = np.linspace(0, len(data.x_train), folds + 1).astype(int)
    accuracies, histories = [], []
    for fold, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
        keep = np.r_[0:start, end:len(data.x_train)]
        split = MnistData(data.x_train[keep], data.y_train[keep], data.x_train[start:end], data.y_train[start:end])
        with models.lend(spec, seed + fold) if models else nullcontext() as compiled:
            result = train(spec, split, progress=progress, stop=stop, seed=seed + fold, compiled=compiled)
        accuracies.append(result.test_accuracy)
        histories.append(result.history)
        if result.stopped:
            break
    return CrossValidation(accuracies, histories, stop.is_set())
