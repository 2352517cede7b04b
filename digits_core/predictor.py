"""Read one digit at a time, fast enough to follow the pen.

A stored model is read through LiteRT (no TensorFlow); a Keras model (trained in the session,
or stored without a .tflite, or where LiteRT has no wheel) through one traced tf.function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from .lite import LiteModel
from .preprocess import Preprocessed, to_mnist
from .store import DEFAULT_MODEL, ModelStore

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Prediction:
    """The digit read, the ten probabilities, and the preprocessed image with its steps."""

    digit: int
    probabilities: np.ndarray
    image: np.ndarray
    steps: dict[str, np.ndarray]

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.digit])


class Predictor:
    """A LiteRT model (under a millisecond a digit, no TensorFlow) or a Keras model in one traced tf.function."""

    def __init__(self, model: LiteModel | keras.Model, name: str = ""):
        self.model, self.name = model, name
        self._read = model.probabilities if isinstance(model, LiteModel) else _traced(model)
        self.probabilities(np.zeros((1, 28, 28), np.uint8))  # trace or plan now, not on the first drawing

    @classmethod
    def load(cls, name: str | None = None, store: ModelStore | None = None) -> Predictor:
        """The stored model `name` (or the shipped default), through LiteRT when it has a .tflite, else Keras."""
        name, store = name or DEFAULT_MODEL, store or ModelStore()
        return cls(store.load_lite(name) or store.load(name), name)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Softmax rows for uint8 images (N, 28, 28)."""
        return self._read(images)

    def predict(self, source: object) -> Prediction:
        """Preprocess any image the way MNIST was made, then read it."""
        prepared: Preprocessed = to_mnist(source)
        probs = self.probabilities(prepared.image[None])[0]
        return Prediction(int(probs.argmax()), probs, prepared.image, prepared.steps)


def _traced(model: keras.Model) -> Callable[[np.ndarray], np.ndarray]:
    """The model called through one tf.function: about a millisecond a digit, not model.predict's 40."""
    from .backend import tf

    call = tf.function(lambda x: model(x, training=False),
                       input_signature=[tf.TensorSpec((None, 28, 28, 1), tf.uint8)], reduce_retracing=True)
    return lambda images: call(tf.constant(images[..., None], tf.uint8)).numpy()
