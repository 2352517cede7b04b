"""What an Explainer answers (layer outputs, saliency, neighbours, maps) and the pictures made from them.

No TensorFlow: the server draws the Inside page from answers the training process computed
(explain.Explainer runs there), and unpickling them here must not import Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .store import EMBEDDING, ModelStore, sanitize_name

NEIGHBOURS = 8


class ExplainError(ValueError):
    """A model this module cannot look inside (not a chain that rescales its input and ends in a Dense layer)."""


@dataclass(frozen=True)
class LayerOutput:
    """One layer's name, kind (conv, norm, activation, pool, flatten, dense, output) and output for one image."""

    name: str
    kind: str
    values: np.ndarray  # the output without its batch axis: (h, w, channels) or (units,)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)


@dataclass(frozen=True)
class Saliency:
    """Pixel maps (28x28, non-negative) of what pushed the model toward `digit`."""

    digit: int
    integrated_gradients: np.ndarray
    grad_cam: np.ndarray | None  # None for a model without convolutions


@dataclass(frozen=True)
class Neighbour:
    """A training image close to the digit in the model's feature space."""

    index: int
    label: int
    distance: float


@dataclass(frozen=True)
class EmbeddingMap:
    """The first test images at 2-D positions, with their features so a new digit can be placed among them."""

    positions: np.ndarray  # (N, 2)
    labels: np.ndarray  # (N,)
    features: np.ndarray  # (N, d)
    method: str  # "t-SNE" (computed when the model was shipped) or "PCA"

    def place(self, feature: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
        """A new digit's position: the median position of its k nearest map points in feature space.

        A brute-force search in NumPy (a millisecond for 10,000 points): scikit-learn's would bring
        some 160 MB of imports into the server, which only reads maps.
        """
        distances = np.sum((self.features - feature.reshape(1, -1)) ** 2, axis=1)
        near = np.argpartition(distances, min(k, len(distances)) - 1)[:k]
        return np.median(self.positions[near], axis=0)


def project(features: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """2-D coordinates: PCA (milliseconds) or t-SNE after PCA to 50 dimensions (a minute for 10,000 points)."""
    from sklearn.decomposition import PCA  # here: the server imports this module, never scikit-learn
    from sklearn.manifold import TSNE

    if method == "pca":
        return PCA(2, random_state=seed).fit_transform(features).astype(np.float32)
    if method == "tsne":
        reduced = PCA(min(50, *features.shape), random_state=seed).fit_transform(features)
        return TSNE(2, init="pca", random_state=seed).fit_transform(reduced).astype(np.float32)
    raise ExplainError(f"unknown projection {method!r}: use 'pca' or 'tsne'")


def blocks(kinds: list[str]) -> list[tuple[int, int]]:
    """(first, last) layer indices of each convolution or hidden dense layer with the normalisation and activation
    after it: the last one is the block's output, before any pooling."""
    found: list[tuple[int, int]] = []
    open_block = False
    for i, kind in enumerate(kinds):
        if kind in ("conv", "dense"):
            found.append((i, i))
        elif kind in ("norm", "activation") and open_block:
            found[-1] = (found[-1][0], i)
        open_block = kind in ("conv", "dense") or (open_block and kind in ("norm", "activation"))
    return found


def tile(maps: np.ndarray, columns: int | None = None) -> np.ndarray:
    """Feature maps (h, w, channels) side by side, strongest channel (mean activation) first, scaled together to
    0..1 (a weak channel stays dark), one NaN pixel between them: one image for a grid of small heatmaps."""
    height, width, count = maps.shape
    columns = columns or (8 if count <= 64 else 16)
    order = np.argsort(-maps.mean(axis=(0, 1)), kind="stable")
    scaled = _unit(maps)
    rows = -(-count // columns)
    grid = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan, np.float32)
    for slot, channel in enumerate(order):
        top, left = slot // columns * (height + 1), slot % columns * (width + 1)
        grid[top:top + height, left:left + width] = scaled[..., channel]
    return grid


def overlay(image: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """The uint8 digit dimmed to grey with a map (28x28, non-negative) laid over it in red to yellow: RGB uint8."""
    strength = _unit(heat)[..., None]
    grey = np.repeat(image[..., None] * 0.45, 3, axis=-1)
    warm = np.stack([np.ones_like(heat), np.clip(_unit(heat) * 1.5 - 0.5, 0, 1), np.zeros_like(heat)], axis=-1) * 255
    return np.clip(grey * (1 - strength) + warm * strength, 0, 255).astype(np.uint8)


def _unit(values: np.ndarray) -> np.ndarray:
    """Values scaled to 0..1 by their range (all zeros when they are all equal)."""
    low, span = float(values.min()), float(np.ptp(values))
    return (values - low) / span if span > 0 else np.zeros(values.shape, np.float32)


def embedding_path(store: ModelStore, name: str) -> Path:
    """Where the t-SNE positions of a shipped model's test images are kept: beside the model."""
    return store.root / f"{sanitize_name(name)}{EMBEDDING}"


def shipped_embedding(store: ModelStore, name: str) -> np.ndarray | None:
    """The stored t-SNE positions of model `name`, or None when there are none for this version of it."""
    path = embedding_path(store, name)
    if not path.is_file():
        return None
    with np.load(path) as stored:
        if str(stored["version"]) != str(store.info(name).meta.get("created_at")):
            return None
        return stored["positions"]
