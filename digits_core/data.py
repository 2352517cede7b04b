"""MNIST as four read-only uint8 arrays, loaded from the repository's copy first.

The arrays are loaded once per path and shared: they are marked read-only so that
nobody (a page, a thread) can change what every other user sees.
"""

from __future__ import annotations

import functools
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_PATH = REPO_ROOT / "data" / "mnist.npz"
PATH_ENV = "DIGITS_MNIST_PATH"

_EXPECTED = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}


class DataError(Exception):
    """The MNIST file is missing, unreadable or not shaped like MNIST."""


@dataclass(frozen=True)
class MnistData:
    """Train and test images (N, 28, 28) uint8, white on black, and labels (N,) uint8."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def subset(self, limit: int | None) -> MnistData:
        """The first `limit` training samples (views, no copy); the full test set."""
        if limit is None or limit >= len(self.x_train):
            return self
        if limit < 1:
            raise DataError(f"limit must be at least 1, got {limit}")
        return MnistData(self.x_train[:limit], self.y_train[:limit], self.x_test, self.y_test)


def load_mnist(path: str | os.PathLike | None = None) -> MnistData:
    """Load MNIST: from `path`, else $DIGITS_MNIST_PATH, else data/mnist.npz, else Keras's download."""
    chosen = path or os.environ.get(PATH_ENV)
    if chosen:
        return _load_npz(str(Path(chosen).resolve()))
    if BUNDLED_PATH.exists():
        return _load_npz(str(BUNDLED_PATH))
    return _load_from_keras()


@functools.lru_cache(maxsize=4)
def _load_npz(path: str) -> MnistData:
    """Read and check one .npz file; cached so every caller shares the same arrays."""
    if not Path(path).is_file():
        raise DataError(f"{path}: {'a folder, not a file' if Path(path).is_dir() else 'no such file'}")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):  # a lone .npy array
            raise DataError(f"{path}: a single array, not an .npz file of named arrays")
        with loaded as npz:
            arrays = {key: npz[key] for key in _EXPECTED if key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, zlib.error) as exc:  # zlib: damaged compressed data
        raise DataError(f"{path}: not a readable .npz file ({exc})") from exc
    return _checked(arrays, path)


@functools.lru_cache(maxsize=1)
def _load_from_keras() -> MnistData:
    """Fallback for a checkout without data/mnist.npz: Keras downloads MNIST (needs internet)."""
    from keras.datasets import mnist

    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data()
    except Exception as exc:  # Keras raises several kinds when offline
        raise DataError(f"{BUNDLED_PATH} is missing and the Keras download failed ({exc})") from exc
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return _checked(arrays, "keras.datasets.mnist")


def _checked(arrays: dict[str, np.ndarray], source: str) -> MnistData:
    """Check names, shapes, dtypes and label range; return read-only arrays."""
    for key, shape in _EXPECTED.items():
        if key not in arrays:
            raise DataError(f"{source}: array '{key}' is missing")
        array = arrays[key]
        if array.shape != shape:
            raise DataError(f"{source}: '{key}' has shape {array.shape}, expected {shape}")
        if array.dtype != np.uint8:
            raise DataError(f"{source}: '{key}' has dtype {array.dtype}, expected uint8")
        array.setflags(write=False)
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise DataError(f"{source}: '{key}' has labels above 9")
    return MnistData(**{key: arrays[key] for key in _EXPECTED})
