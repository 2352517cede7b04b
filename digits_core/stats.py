"""Per-digit statistics of the MNIST images, computed in chunks so no float copy of the set is made."""

from __future__ import annotations

import numpy as np

CHUNK = 10_000


def digit_mean_and_spread(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean image and the per-pixel standard deviation of each digit, both (10, 28, 28) float32."""
    sums = np.zeros((10,) + images.shape[1:], np.float64)
    squares = np.zeros_like(sums)
    counts = np.bincount(labels, minlength=10).astype(np.float64)
    for start in range(0, len(images), CHUNK):
        chunk, chunk_labels = images[start:start + CHUNK], labels[start:start + CHUNK]
        for digit in range(10):
            picked = chunk[chunk_labels == digit].astype(np.float32)
            sums[digit] += picked.sum(axis=0)
            squares[digit] += np.square(picked).sum(axis=0)
    safe = np.maximum(counts, 1)[:, None, None]
    mean = sums / safe
    spread = np.sqrt(np.maximum(squares / safe - mean**2, 0))
    return mean.astype(np.float32), spread.astype(np.float32)


def facts(images: np.ndarray, labels: np.ndarray) -> dict[str, str]:
    """Shape, dtype and value range of one split, as short strings for a table."""
    return {
        "images": f"{images.shape} {images.dtype}",
        "labels": f"{labels.shape} {labels.dtype}",
        "pixel range": f"{int(images.min())} to {int(images.max())}",
        "label range": f"{int(labels.min())} to {int(labels.max())}",
    }
