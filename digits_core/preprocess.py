"""One path from any image (canvas, upload, array) to a 28x28 MNIST-style digit.

MNIST was made this way: ink white on black, the digit's bounding box scaled so its longer
side is 20 px (keeping the aspect), pasted in a 28x28 field with its centre of mass in the
middle. Doing the same to a drawing is what makes the model read it as well as the test set.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 4096  # refuse larger images before decoding them
MAX_BYTES = 10 * 1024 * 1024
DIGIT_BOX = 20
FIELD = 28
INK_THRESHOLD = 40  # of 255: weaker marks are paper texture or noise, not ink
LEVELS = np.arange(256, dtype=np.int32)  # every grey level, for lookup tables


class ImageError(ValueError):
    """Base for images that cannot be turned into a digit."""


class NothingDrawnError(ImageError):
    """The image holds no ink: an empty canvas or a blank page."""


class NotAnImageError(ImageError):
    """The bytes or array are not an image this app can read."""


class ImageTooLargeError(ImageError):
    """The image is too large to be a drawing of one digit."""


@dataclass(frozen=True)
class Preprocessed:
    """The 28x28 uint8 digit the model sees, and the named steps that led to it."""

    image: np.ndarray
    steps: dict[str, np.ndarray] = field(default_factory=dict)


def to_mnist(source: object) -> Preprocessed:
    """Turn a canvas RGBA array, file bytes, a PIL image or an array into an MNIST-style digit."""
    ink = ink_map(source)
    marked = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(marked.any(axis=1)), np.flatnonzero(marked.any(axis=0))
    if rows.size == 0:
        raise NothingDrawnError("nothing drawn: the image has no ink")
    cropped = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    scaled = _scale_to_box(cropped)
    centred = _centre_by_mass(scaled)
    return Preprocessed(centred, {"ink": ink, "cropped": cropped, "scaled": scaled, "centred": centred})


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel as a factor x factor square: a small image shown large keeps sharp pixels, not a blur."""
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def ink_map(source: object) -> np.ndarray:
    """A uint8 grey image in which ink is bright and the background black."""
    pixels = as_array(source)
    if pixels.ndim == 3 and pixels.shape[2] == 4 and pixels[..., 3].min() < 255:
        return _stretch(pixels[..., 3], LEVELS)  # transparent sheet: ink is what is opaque
    grey = _grey(pixels) if pixels.ndim == 3 else pixels
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = round(float(np.median(border)))
    ink = LEVELS - background if background < 128 else background - LEVELS  # dark pen on light paper flips
    return _stretch(grey, np.maximum(ink, 0))


def _stretch(grey: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The ink of each pixel (`ink[level]`: 0..255, monotonic in the level), the strongest scaled to 255 in integers;
    an image whose strongest mark is faint has no ink. A table of the 256 levels, not arithmetic on every pixel,
    since a canvas is read on every stroke: a third of the time."""
    top = int(max(ink[grey.min()], ink[grey.max()]))  # monotonic: the strongest ink is at the lightest or darkest level
    if top < INK_THRESHOLD:
        return np.zeros(grey.shape, np.uint8)
    return np.take(((ink * 255 + top // 2) // top).astype(np.uint8), grey)  # half the time of table[grey]


def _grey(pixels: np.ndarray) -> np.ndarray:
    """Luma of an RGB or RGBA array (ITU-R 601, alpha ignored), by Pillow in integer arithmetic:
    a tenth of the time of numpy's float product, which mattered for a canvas read on every stroke."""
    return np.asarray(Image.fromarray(np.ascontiguousarray(pixels)).convert("L"))


def as_array(source: object) -> np.ndarray:
    """The pixels of bytes, a PIL image or an array (uint8, 2-D or RGB/RGBA), refusing absurd sizes before decoding."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _decode(bytes(source))
    if isinstance(source, Image.Image):
        return _from_pil(source)
    if isinstance(source, np.ndarray):
        return _checked_array(source)
    raise NotAnImageError(f"not an image: cannot read a {type(source).__name__}")


def _decode(data: bytes) -> np.ndarray:
    if len(data) > MAX_BYTES:
        raise ImageTooLargeError(f"image file too large: {len(data) / 1e6:.1f} MB, at most {MAX_BYTES / 1e6:.0f} MB")
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as exc:  # Pillow's own limit, far above ours: same refusal
        raise ImageTooLargeError(f"image too large: {exc}") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise NotAnImageError("not an image: the file is not a PNG, JPEG or other readable picture") from exc
    return _from_pil(image)


def _from_pil(image: Image.Image) -> np.ndarray:
    width, height = image.size
    if max(width, height) > MAX_SIDE:
        raise ImageTooLargeError(f"image too large: {width}x{height} pixels, at most {MAX_SIDE} a side")
    try:
        image = ImageOps.exif_transpose(image)  # a phone photo stored sideways is read the way it is shown
        mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        return np.asarray(image.convert(mode))
    except (OSError, ValueError, SyntaxError) as exc:
        raise NotAnImageError(f"not an image: the picture could not be decoded ({exc})") from exc


def _checked_array(array: np.ndarray) -> np.ndarray:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise NotAnImageError(f"not an image: an array of shape {array.shape}")
    if min(array.shape[:2]) < 1:
        raise NotAnImageError("not an image: the array is empty")
    if max(array.shape[:2]) > MAX_SIDE:
        raise ImageTooLargeError(f"image too large: {array.shape[1]}x{array.shape[0]}, at most {MAX_SIDE} a side")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.dtype == bool:  # a mask: True is ink
        array = array.astype(np.uint8) * 255
    elif array.dtype.kind == "f":
        scale = 255.0 if float(np.nanmax(array, initial=0)) <= 1.0 else 1.0
        array = np.clip(np.nan_to_num(array) * scale, 0, 255).astype(np.uint8)
    elif array.dtype != np.uint8:
        array = np.clip(array, 0, 255).astype(np.uint8)
    return array


def _scale_to_box(cropped: np.ndarray) -> np.ndarray:
    """Longer side to 20 px, aspect kept, with antialiasing that gives MNIST's grey edges."""
    height, width = cropped.shape
    factor = DIGIT_BOX / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return np.asarray(Image.fromarray(cropped).resize(size, Image.Resampling.LANCZOS))


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Paste into 28x28 so the centre of mass falls on pixel (14, 14), as in MNIST, keeping the digit inside."""
    height, width = digit.shape
    mass = digit.astype(np.float64)
    total = mass.sum()
    cy = (mass.sum(axis=1) @ np.arange(height)) / total
    cx = (mass.sum(axis=0) @ np.arange(width)) / total
    top = int(np.clip(round(FIELD / 2 - cy), 0, FIELD - height))
    left = int(np.clip(round(FIELD / 2 - cx), 0, FIELD - width))
    canvas = np.zeros((FIELD, FIELD), np.uint8)
    canvas[top:top + height, left:left + width] = digit
    return canvas
