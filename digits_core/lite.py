"""Stored models in LiteRT's format, read without TensorFlow: a 22 MB runtime that imports in 0.2 s, not 6.

TensorFlow is imported only to convert a Keras model; reading needs `ai-edge-litert` alone,
which has no wheel for Intel Macs or Python 3.14: there `available()` is False and the store
falls back to Keras.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

try:
    from ai_edge_litert.interpreter import Interpreter
except ImportError:
    Interpreter = None

if TYPE_CHECKING:
    import keras

BATCH = 256  # images per call: one input size for a whole test set, a few MB of activations


class LiteError(Exception):
    """A LiteRT model that cannot be read (damaged file, wrong shape), with the reason."""


def available() -> bool:
    """Whether the LiteRT runtime is installed on this platform."""
    return Interpreter is not None


def convert(model: keras.Model) -> bytes:
    """The Keras model as a LiteRT flatbuffer; through a SavedModel if the direct converter fails (keras#19108)."""
    from .backend import tf

    with contextlib.redirect_stdout(io.StringIO()):  # the export prints its signatures
        try:
            return tf.lite.TFLiteConverter.from_keras_model(model).convert()
        except Exception:  # noqa: BLE001  (any converter failure: the SavedModel route is the documented fallback)
            with tempfile.TemporaryDirectory() as folder:
                model.export(folder, format="tf_saved_model")
                return tf.lite.TFLiteConverter.from_saved_model(folder).convert()


class LiteModel:
    """A LiteRT model that reads uint8 digits (N, 28, 28) to ten probabilities each; safe to share between threads."""

    def __init__(self, content: bytes, name: str = ""):
        if not available():
            raise LiteError("the LiteRT runtime (ai-edge-litert) is not installed on this platform")
        self.name = name
        if not content:
            raise LiteError(f"{name or 'model'} is not a readable LiteRT model (the file is empty)")
        try:
            self._interpreter = Interpreter(model_content=bytes(content), num_threads=1)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise LiteError(f"{name or 'model'} is not a readable LiteRT model ({exc})") from exc
        (self._input,), (self._output,) = self._interpreter.get_input_details(), self._interpreter.get_output_details()
        expected = [28, 28, 1]
        if list(self._input["shape"][1:]) != expected or self._input["dtype"] != np.uint8:
            raise LiteError(f"{name or 'model'} takes {self._input['dtype'].__name__} {list(self._input['shape'])}, "
                            "not uint8 digits (N, 28, 28, 1)")
        self._lock = threading.Lock()  # one interpreter, one call at a time
        self._rows = int(self._input["shape"][0])

    @classmethod
    def load(cls, path: str | Path) -> LiteModel:
        """Read a .tflite file; LiteError if it is missing or damaged."""
        path = Path(path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise LiteError(f"{path.name} cannot be read ({exc.strerror or exc})") from exc
        return cls(content, path.name)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Softmax rows (N, 10) float32 for uint8 images (N, 28, 28)."""
        images = np.asarray(images, np.uint8)[..., None]
        with self._lock:
            return np.concatenate([self._read(images[start:start + BATCH])
                                   for start in range(0, len(images), BATCH)] or [np.empty((0, 10), np.float32)])

    def _read(self, batch: np.ndarray) -> np.ndarray:
        if len(batch) != self._rows:  # resizing re-plans the graph: only when the batch size changes
            self._interpreter.resize_tensor_input(self._input["index"], batch.shape)
            self._interpreter.allocate_tensors()
            self._rows = len(batch)
        self._interpreter.set_tensor(self._input["index"], np.ascontiguousarray(batch))
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output["index"]).copy()
