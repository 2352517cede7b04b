"""How good a model is on the test set, and where it goes wrong.

Keras loads only to score a model here; a stored model is scored from the test probabilities
saved with it, so Evaluate of a stored model needs no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import keras

    from .data import MnistData

# TensorFlow keeps the memory its largest batch needed for the life of the process (its allocator pools it): the
# shipped default's scoring kept 184 MB at 500 images a batch, 98 at 250, for 10% more CPU (2000: ~500 MB more).
BATCH = 250


@dataclass
class Evaluation:
    """Test metrics with everything the Evaluate page draws."""

    loss: float
    accuracy: float
    labels: np.ndarray  # (N,) true labels
    predicted: np.ndarray  # (N,) predicted labels
    probabilities: np.ndarray  # (N, 10) float32
    confusion: np.ndarray  # (10, 10) int, rows true, columns predicted
    per_class: pd.DataFrame  # precision, recall, f1, support per digit
    confused_pairs: pd.DataFrame  # true, predicted, count; most frequent first
    mistakes: np.ndarray  # indices of misclassified images, most confident first

    def cell_indices(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the test images of one confusion-matrix cell, most confident first (none outside 0..9)."""
        if not (0 <= true <= 9 and 0 <= predicted <= 9):  # a chart's clicks are decoded by ui.plots.cell_from_point
            return np.empty(0, np.intp)
        mask = (self.labels == true) & (self.predicted == predicted)
        indices = np.flatnonzero(mask)
        return indices[np.argsort(-self.probabilities[indices, predicted], kind="stable")]


class SavedModels(Protocol):
    """Where the test probabilities saved with stored models come from: a store.ModelStore (which imports this
    module to score a model it saves, so this one does not import it)."""

    def test_probabilities(self, name: str) -> np.ndarray | None: ...


class MissingProbabilities(LookupError):
    """A stored model saved without its test probabilities, which only the training process can compute."""


def probabilities(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Softmax outputs for uint8 images (N, 28, 28), in batches, calling the model directly."""
    from .backend import keras

    batches = [
        keras.ops.convert_to_numpy(model(images[start:start + BATCH, :, :, None], training=False))
        for start in range(0, len(images), BATCH)
    ]
    return np.concatenate(batches).astype(np.float32, copy=False)


def test_metrics(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Cross-entropy loss and accuracy, computed without the model being compiled."""
    return scores(probabilities(model, images), labels)


def scores(probs: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Cross-entropy loss and accuracy of the probabilities (N, 10) against the true labels (N,)."""
    return _loss(probs, labels), float(np.mean(probs.argmax(axis=1) == labels))


def evaluate(model: keras.Model, data: MnistData) -> Evaluation:
    """Score `model` on data's test set: metrics, confusion matrix, per-class table, mistakes."""
    return from_probabilities(probabilities(model, data.x_test), data.y_test)


def evaluate_stored(store: SavedModels, name: str, data: MnistData) -> Evaluation:
    """Score a stored model from the test probabilities saved with it, without TensorFlow; MissingProbabilities for
    a model saved without them (ModelStore.complete writes them)."""
    probs = store.test_probabilities(name)
    if probs is None or len(probs) != len(data.y_test):
        raise MissingProbabilities(f"model {name!r} was saved without its test probabilities: "
                                   "ModelStore.complete writes them")
    return from_probabilities(probs, data.y_test)


def from_probabilities(probs: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Everything Evaluate shows, from the test set's probabilities (N, 10) and true labels (N,)."""
    labels = np.asarray(labels)
    predicted = probs.argmax(axis=1).astype(np.uint8)
    confusion = confusion_matrix(labels, predicted)
    wrong = np.flatnonzero(predicted != labels)
    mistakes = wrong[np.argsort(-probs[wrong, predicted[wrong]], kind="stable")]
    return Evaluation(
        loss=_loss(probs, labels),
        accuracy=float(np.mean(predicted == labels)),
        labels=labels,
        predicted=predicted,
        probabilities=probs,
        confusion=confusion,
        per_class=per_class_table(confusion),
        confused_pairs=confused_pairs(confusion),
        mistakes=mistakes,
    )


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """10x10 counts: row = true digit, column = predicted digit."""
    return np.bincount(labels.astype(np.int64) * 10 + predicted, minlength=100).reshape(10, 10)


def per_class_table(confusion: np.ndarray) -> pd.DataFrame:
    """Precision, recall, F1 and support for each digit, from the confusion matrix."""
    hits = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(hits / confusion.sum(axis=0))
        recall = np.nan_to_num(hits / support)
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    return pd.DataFrame(
        {"digit": range(10), "precision": precision, "recall": recall, "f1": f1, "support": support}
    ).set_index("digit")


def confused_pairs(confusion: np.ndarray, top: int = 10) -> pd.DataFrame:
    """The off-diagonal cells with the most images, largest first."""
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    order = np.argsort(-off, axis=None, kind="stable")[:top]
    true, predicted = np.unravel_index(order, off.shape)
    table = pd.DataFrame({"true": true, "predicted": predicted, "count": off[true, predicted]})
    return table[table["count"] > 0].reset_index(drop=True)


def _loss(probs: np.ndarray, labels: np.ndarray) -> float:
    picked = probs[np.arange(len(labels)), labels]
    return float(-np.mean(np.log(np.clip(picked, 1e-7, 1.0))))
