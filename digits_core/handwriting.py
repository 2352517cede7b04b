"""Labelled digits in MNIST's layout (x_test (N, 28, 28) uint8, y_test (N,) digits 0..9): read from .npz files, checked.

The class's own collection, which students correct on Draw, lives in the class database
(digits_core.classroom.samples); this module is what it, fine-tuning and `evaluate --on` share.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

SIDE = 28
MIN_DIGITS = 10  # fewer digits cannot be split into a part to fine-tune on and a held-out part worth reading
LAYOUT = "MNIST's layout: x_test (N, 28, 28) uint8 and y_test (N,) digits 0..9"


class HandwritingError(Exception):
    """A labelled set, .npz file or sample the app cannot use, with the reason."""


@dataclass(frozen=True)
class LabelledSet:
    """Digits with their true labels, named as MNIST's test set so evaluation.evaluate() scores them."""

    x_test: np.ndarray  # (N, 28, 28) uint8
    y_test: np.ndarray  # (N,) uint8
    ids: tuple[int, ...] = ()  # the class collection's sample ids (the board's held-out split); none for a file's


def load_labelled(source: str | os.PathLike | bytes) -> LabelledSet:
    """x_test (N, 28, 28) uint8 and y_test (N,) labels 0..9 from an .npz file or its bytes.

    Anything else is one line saying what was expected, never numpy's own message."""
    name = "the upload" if isinstance(source, (bytes, bytearray)) else str(source)
    try:
        opened = np.load(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source,
                         allow_pickle=False)
        if not isinstance(opened, np.lib.npyio.NpzFile):
            raise HandwritingError(f"{name}: a single array, not an .npz file in {LAYOUT}")
        with opened as npz:
            missing = {"x_test", "y_test"} - set(npz.files)
            if missing:
                raise HandwritingError(f"{name}: no {' or '.join(sorted(missing))} array ({LAYOUT})")
            images, labels = npz["x_test"], npz["y_test"]
    except FileNotFoundError:
        raise HandwritingError(f"{name}: no such file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
        raise HandwritingError(f"{name}: not a readable .npz file in {LAYOUT}") from None
    return checked_set(images, labels, name)


def checked_set(images: np.ndarray, labels: np.ndarray, name: str) -> LabelledSet:
    """Images (N, 28, 28) uint8 and labels (N,) 0..9 as uint8, or HandwritingError saying what is wrong."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE) or images.dtype != np.uint8:
        raise HandwritingError(f"{name}: images must be (N, 28, 28) uint8, got {images.shape} {images.dtype}")
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise HandwritingError(f"{name}: labels must be {len(images)} integers, got {labels.shape} {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise HandwritingError(f"{name}: labels must be digits 0..9")
    return LabelledSet(images, labels.astype(np.uint8))
