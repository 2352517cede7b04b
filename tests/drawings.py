"""Digits as pictures reach the app other than as photos: for tests and benchmarks/photos.py.

A digit drawn on the Draw page's 280 px canvas (white on black, opaque or on a transparent
sheet), in the middle or as large as the canvas; a low-resolution digit enlarged the way an
image viewer does it (scikit-learn's 8x8 digits, another set of writers, at 112 px with
bilinear filtering); an MNIST digit cropped tightly to its ink. Uploads come in either
polarity: `255 - picture` is the same digit dark on light, as a scan or a page gives it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

CANVAS = 280  # the Draw page's canvas, px
LOW_RES_SIDE = 112  # scikit-learn's 8x8 digits enlarged 14 times


def canvas(digit: np.ndarray, pen: str = "thick") -> np.ndarray:
    """The 28x28 MNIST `digit` drawn on a black canvas in white: MNIST's stroke width ("thick"), or a thin pen's."""
    big = np.asarray(Image.fromarray(digit).resize((CANVAS, CANVAS), Image.Resampling.LANCZOS))
    return (big > (240 if pen == "thin" else 128)).astype(np.uint8) * 255


def edge_to_edge(digit: np.ndarray) -> np.ndarray:
    """The 28x28 MNIST `digit` drawn as large as the canvas holds it: its ink touches two of the canvas's edges."""
    ink = tight_crop(digit)
    factor = CANVAS / max(ink.shape)
    size = (max(1, round(ink.shape[1] * factor)), max(1, round(ink.shape[0] * factor)))
    big = np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.LANCZOS)) > 128
    drawn = np.zeros((CANVAS, CANVAS), np.uint8)
    top, left = (CANVAS - big.shape[0]) // 2, (CANVAS - big.shape[1]) // 2
    drawn[top:top + big.shape[0], left:left + big.shape[1]] = big * 255
    return drawn


def rgba(drawn: np.ndarray, transparent: bool = False) -> np.ndarray:
    """A white-on-black drawing as the canvas component returns it: opaque, or white ink on a transparent sheet."""
    alpha = drawn if transparent else np.full_like(drawn, 255)
    return np.dstack([drawn, drawn, drawn, alpha])


def low_resolution(digit: np.ndarray) -> np.ndarray:
    """An 8x8 digit of scikit-learn's (ink 0..16) drawn white on black and enlarged to 112 px, bilinear."""
    image = Image.fromarray(np.round(digit * 255 / 16).astype(np.uint8))
    return np.asarray(image.resize((LOW_RES_SIDE, LOW_RES_SIDE), Image.Resampling.BILINEAR))


def tight_crop(digit: np.ndarray) -> np.ndarray:
    """The digit cut to the bounding box of its ink: the frame touches the digit on every side."""
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    return digit[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
