"""Photos of digits on paper, made the way a webcam or a phone takes them: for tests and benchmarks/photos.py.

A digit of MNIST's test set is written with a pen (thin or thick, dark blue or black) on a
sheet of paper lying on a table, lit unevenly, half in a shadow, the sheet's edge and the
table in view, the whole picture slightly tilted, with sensor noise and JPEG compression.
Every photo is a pure function of its digit and seed, so a failing case can be made again.

`class_hand` rewrites an MNIST digit in the hand of a class that writes unlike MNIST's
American writers: a 1 with a long flag, a crossed 7, every digit leaning back. A model
trained on MNIST reads such a class worse (about half its 1s become 7s), which is what
fine-tuning on the class's own digits is for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

FRAME = (640, 480)  # a webcam's picture, width x height
PHONE = (4032, 3024)  # a 12-megapixel phone camera's picture
HAND_SCALE = 4  # class_hand draws at 4 x 28 px, then scales back down
BACKHAND = -0.3  # class_hand's lean: the top of a digit moves left by 0.3 px per px of height


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


def phone_photo(digit: np.ndarray, seed: int, size: tuple[int, int] = PHONE, noise: float = 6.0) -> bytes:
    """A phone camera's photo (JPEG bytes, 12 megapixels at quality 95, about 9 MB) of the 28x28 MNIST `digit` on
    paper: the webcam photo enlarged, with the phone's finer sensor noise."""
    look = Look(tilt=4, noise=0, jpeg=0)
    small = Image.open(io.BytesIO(photo(digit, seed, look))).convert("RGB")
    pixels = np.asarray(small.resize(size, Image.Resampling.BICUBIC), np.float32)
    pixels += np.random.default_rng(seed).normal(0, noise, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=95, subsampling=0)
    return buffer.getvalue()


def class_hand(digit: np.ndarray, label: int, lean: float = BACKHAND) -> np.ndarray:
    """The 28x28 MNIST `digit` (of class `label`) as a European class writes it: a 1 with a long flag, a 7 crossed
    through its middle, and the whole digit leaning back by `lean`."""
    big = Image.fromarray(digit).resize((28 * HAND_SCALE,) * 2, Image.Resampling.LANCZOS)
    rows, cols = np.nonzero(np.asarray(big) > 128)
    top, height = rows.min(), rows.max() - rows.min()
    pen = ImageDraw.Draw(big)
    width = round(2.2 * HAND_SCALE)  # MNIST's stroke width
    if label == 1:
        start = cols[rows == top].mean()
        pen.line([(start, top), (start - 0.35 * height, top + 0.3 * height)], fill=255, width=width)
    elif label == 7:
        middle = top + 0.55 * height
        stem = cols[np.abs(rows - middle) < HAND_SCALE]
        if stem.size:
            centre = stem.mean()
            pen.line([(centre - 0.22 * height, middle), (centre + 0.22 * height, middle)], fill=255, width=width)
    side = big.size[0]
    leaned = ndimage.affine_transform(np.asarray(big, np.float32), np.array([[1, 0], [-lean, 1]]),
                                      offset=np.array([0, lean * side / 2]), order=1)
    small = Image.fromarray(np.clip(leaned, 0, 255).astype(np.uint8)).resize((28, 28), Image.Resampling.LANCZOS)
    return np.asarray(small)
