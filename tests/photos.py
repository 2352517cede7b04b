"""Photos of digits on paper, made the way a webcam or a phone takes them: for tests and benchmarks/photos.py.

A digit of MNIST's test set is written with a pen (thin or thick, dark blue or black) on a
sheet of paper lying on a table, lit unevenly, half in a shadow, the sheet's edge and the
table in view, the whole picture slightly tilted, with sensor noise and JPEG compression.
Every photo is a pure function of its digit and seed, so a failing case can be made again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

FRAME = (640, 480)  # a webcam's picture, width x height


@dataclass(frozen=True)
class Look:
    """How one photo is taken: every defect can be switched off to test the others alone."""

    pen: str = "thin"  # "thin" (a ballpoint: a third of MNIST's width) or "marker" (MNIST's width)
    light: float = 0.45  # how much darker the dim side of the picture is (0 = even light)
    shadow: float = 0.45  # how much darker the shadow is (0 = none)
    table: bool = True  # the sheet's edge and the table in view
    tilt: float = 8.0  # the largest rotation, in degrees
    noise: float = 5.0  # sensor noise, grey levels
    jpeg: int = 60  # JPEG quality (0 = PNG)


def photo(digit: np.ndarray, seed: int, look: Look = Look()) -> bytes:
    """A photo (JPEG bytes, 640x480) of the 28x28 MNIST `digit` written on paper, taken as `look` says."""
    rng = np.random.default_rng(seed)
    width, height = FRAME
    ink = _pen_stroke(digit, rng.uniform(0.35, 0.55) * height, look.pen)
    paper = np.full((height, width), rng.uniform(215, 245), np.float32)
    top = int(rng.uniform(0.1, 0.9) * (height - ink.shape[0]))
    left = int(rng.uniform(0.2, 0.8) * (width - ink.shape[1]))
    colour = rng.uniform(20, 70)
    region = paper[top:top + ink.shape[0], left:left + ink.shape[1]]
    region[:] = region * (1 - ink) + colour * ink
    if look.table:
        paper = _on_table(paper, rng)
    paper *= _lighting(rng, look)
    picture = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    angle = rng.uniform(-look.tilt, look.tilt)
    picture = picture.rotate(angle, Image.Resampling.BILINEAR, fillcolor=int(paper[0, 0]))
    pixels = np.asarray(picture.convert("RGB"), np.float32) * np.array([1.0, 0.98, 0.93])  # warm light
    pixels += rng.normal(0, look.noise, pixels.shape) if look.noise else 0
    return _encoded(np.clip(pixels, 0, 255).astype(np.uint8), look.jpeg)


def _pen_stroke(digit: np.ndarray, height: float, pen: str) -> np.ndarray:
    """The digit's strokes at `height` px as ink coverage 0..1: MNIST's width for a marker, a third for a pen."""
    side = max(8, round(height / 20 * 28))  # MNIST's 20 px digit box inside its 28 px field
    big = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.LANCZOS), np.float32)
    mask = big > 128
    if pen == "thin":
        depth = ndimage.distance_transform_edt(mask)
        keep = depth >= 0.67 * ndimage.maximum_filter(depth, size=max(3, side // 12))  # the strokes' middles
        mask = ndimage.binary_dilation(keep & mask, iterations=max(1, side // 160))
    soft = Image.fromarray(mask.astype(np.uint8) * 255).filter(ImageFilter.GaussianBlur(1.0))
    return np.asarray(soft, np.float32) / 255


def _on_table(paper: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The sheet seen from nearer one corner: a dark, grained table beyond two of its edges."""
    height, width = paper.shape
    rows, cols = np.indices(paper.shape)
    edge_x = rng.uniform(0.03, 0.15) * width
    edge_y = rng.uniform(0.03, 0.12) * height
    grain = rng.uniform(70, 120) + 12 * np.sin(rows / rng.uniform(3, 9) + 0.02 * cols)
    table = (cols < edge_x + 0.05 * rows) | (rows < edge_y)
    if rng.random() < 0.5:
        table = table[:, ::-1]
    return np.where(table, grain, paper).astype(np.float32)


def _lighting(rng: np.random.Generator, look: Look) -> np.ndarray:
    """A light falling off across the picture and a soft-edged shadow (a hand's or the camera's)."""
    height, width = FRAME[1], FRAME[0]
    rows, cols = np.indices((height, width), dtype=np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * cols / width + np.sin(angle) * rows / height)
    ramp = (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    light = 1 - look.light * ramp
    if look.shadow:
        slope = rng.uniform(-1, 1)
        inside = cols > rng.uniform(0.55, 0.85) * width + slope * (rows - height / 2)
        soft = ndimage.gaussian_filter(inside.astype(np.float32), rng.uniform(2, 12))
        light *= 1 - look.shadow * soft
    return light


def _encoded(pixels: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray(pixels)
    if quality:
        image.save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()
