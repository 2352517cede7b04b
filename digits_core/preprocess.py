"""One path from any image (canvas, upload, photo, array) to a 28x28 MNIST-style digit.

MNIST was made this way: ink white on black, the digit's bounding box scaled so its longer
side is 20 px (keeping the aspect), pasted in a 28x28 field with its centre of mass in the
middle. Doing the same to a drawing is what makes the model read it as well as the test set.

Two steps make a photo of paper (webcam, phone) or a thin-pen drawing read like the canvas:
on a photo the paper's own light is estimated around every pixel, so shadows and gradients
cancel, and only the digit's strokes are kept (not the paper's edge, the table or specks);
strokes much thinner than MNIST's (about an eighth of the digit's height) are thickened
before scaling down, or they would fade to a faint grey at 20 px. Only these two steps need
scipy, which they import when first used: a canvas drawing seldom does, and the import took
about 0.4 s of a cold server's first Draw.

A picture is a photo when its background is not one level. A drawing's frame (a canvas, an
upload, a scan, a tight crop, an enlargement) holds one background level, the darkest or the
lightest of the picture, and the digit's ink in short stretches where the digit touches it.
A photo's frame holds paper under uneven light, shadows and the table: levels on both sides
of its commonest one, a long stretch unlike it, or a dark table around a sheet of paper that
fills most of the picture. A picture under 100 px a side is never taken for a photo: a tight
crop of a 1 is all frame.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 4096  # refuse larger images before decoding them
MAX_BYTES = 20_000_000  # a phone photo: a 12 MP JPEG at high quality is 5 to 10 MB
DIGIT_BOX = 20
FIELD = 28
INK_THRESHOLD = 40  # of 255: weaker marks are paper texture or noise, not ink
LEVELS = np.arange(256, dtype=np.int32)  # every grey level, for lookup tables
UNEVEN_BORDER = 24  # grey levels between the border's 5th and 95th percentiles: below, one background level
LEVEL_NOISE = 16  # grey levels around the background's that are still background (noise, JPEG)
STRAY_LEVELS = 0.0001  # of a picture's pixels: fewer than this beyond the background are noise, not ink or paper
MIN_PHOTO_SIDE = 100  # a picture with a shorter side is a crop, a thumbnail or an MNIST-sized digit, not a photo
UNLIKE = 0.3  # of the strongest contrast with the background: weaker is a stroke's soft edge, not paper or shadow
OFF_STRETCH = 0.27  # of the frame: a longer stretch unlike the background is a shadow, the table or light falling off
SHEET = 0.65  # of a picture: this much unlike the frame is a sheet of paper on a darker table, not a digit
MIN_DIGIT = 0.15  # of the picture's longer side: a shorter mark (42 px of a 280 px canvas) is a dot or a tick
MIN_INK = 10  # pixels: fewer are a speck (scikit-learn's smallest 8x8 digit has 16)
PHOTO_SIDE = 400  # a photo's digit is found at this size (the longer side): enough for a pen stroke, and fast
MAX_DIGIT = 0.6  # a mark longer than this share of the photo's longer side is the paper's edge, not the digit
DARK_SURFACE = 96  # a photo whose middle is darker than this is light ink on a dark surface (paper in shadow: 146+)
MIN_CONTRAST = 0.15  # ink darkens the paper around it by at least this fraction
STROKE = 0.11  # MNIST's stroke width as a fraction of the digit's longer side (median 0.125, measured)
THIN = 0.075  # strokes thinner than this fraction are thickened to STROKE
THICKEN_SIDE = 112  # a thin digit is thickened at this size (4x the field), then scaled to 20 px


class ImageError(ValueError):
    """Base for images that cannot be turned into a digit."""


class NothingDrawnError(ImageError):
    """The image holds no ink: an empty canvas or a blank page."""


class TooSmallError(ImageError):
    """The ink is a dot or a speck: too small a part of the picture to be read as a digit."""


class NotAnImageError(ImageError):
    """The bytes or array are not an image this app can read."""


class ImageTooLargeError(ImageError):
    """The image is too large to be a drawing of one digit."""


@dataclass(frozen=True)
class Preprocessed:
    """The 28x28 uint8 digit the model sees, and the named steps that led to it."""

    image: np.ndarray
    steps: dict[str, np.ndarray] = field(default_factory=dict)


def to_mnist(source: object, find_digit: bool = True, thicken: bool = True) -> Preprocessed:
    """Turn a canvas RGBA array, file bytes, a PIL image or an array into an MNIST-style digit.

    `find_digit` and `thicken` switch the photo steps off, for measuring what each one brings.
    """
    pixels = as_array(source)
    steps = {}
    if find_digit and _is_photo(pixels):
        steps["photo ink"] = ink = digit_on_paper(_grey_of(pixels))
    else:
        steps["ink"] = ink = ink_map(pixels)
    marked = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(marked.any(axis=1)), np.flatnonzero(marked.any(axis=0))
    if rows.size == 0:
        raise NothingDrawnError("nothing drawn: the image has no ink")
    if max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 < MIN_DIGIT * max(ink.shape) or marked.sum() < MIN_INK:
        raise TooSmallError("too small to read: draw the digit bigger")
    steps["cropped"] = cropped = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    if thicken and stroke_width(cropped) < THIN * max(cropped.shape):
        steps["thickened"] = cropped = thickened(cropped)
    steps["scaled"] = scaled = _scale_to_box(cropped)
    steps["centred"] = centred = _centre_by_mass(scaled)
    return Preprocessed(centred, steps)


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel as a factor x factor square: a small image shown large keeps sharp pixels, not a blur."""
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def ink_map(source: object) -> np.ndarray:
    """A uint8 grey image in which ink is bright and the background black (one background level for all)."""
    pixels = as_array(source)
    if _transparent(pixels):
        return _stretch(pixels[..., 3], LEVELS)  # transparent sheet: ink is what is opaque
    grey = _grey_of(pixels)
    background = round(float(np.median(_border_grey(pixels))))
    ink = LEVELS - background if background < 128 else background - LEVELS  # dark pen on light paper flips
    return _stretch(grey, np.maximum(ink, 0))

def digit_on_paper(grey: np.ndarray) -> np.ndarray:
    """The ink of a photo, bright on black: the paper's light measured around each pixel, the digit's strokes kept.

    A grey closing wider than any stroke gives the paper's brightness under its shadows and
    gradients; ink is how much darker than that a pixel is, relative to it, so a stroke in a
    shadow counts as much as one in the light. Marks touching the frame (the table, the
    paper's edge) and specks are dropped; the largest mark and its neighbours are the digit.
    """
    from scipy import ndimage

    grey = _reduced(grey, PHOTO_SIDE).astype(np.float32)
    height, width = grey.shape
    if np.median(grey[height // 4:-height // 4, width // 4:-width // 4]) < DARK_SURFACE:  # chalk on a board
        grey = 255 - grey
    window = max(9, round(max(grey.shape) / 16))
    paper = ndimage.minimum_filter(ndimage.maximum_filter(grey, window), window)
    contrast = np.clip((paper - grey) / np.maximum(paper, 1), 0, 1)
    mask = contrast >= max(MIN_CONTRAST, _otsu(contrast))
    kept = ndimage.binary_dilation(_digit_marks(mask, contrast), iterations=1)  # keep the strokes' soft edges
    return _stretch(np.round(np.where(kept, contrast, 0) * 255).astype(np.uint8), LEVELS)


def stroke_width(ink: np.ndarray) -> float:
    """The mean width of the strokes in pixels: twice the ink's area over its outline (2 * w * L / 2 * L)."""
    mask = ink >= INK_THRESHOLD
    return 2 * np.count_nonzero(mask) / max(np.count_nonzero(_outline(mask)), 1)


def thickened(cropped: np.ndarray) -> np.ndarray:
    """The cropped digit at 112 px with its strokes widened (a round pen) to MNIST's share of its size."""
    from scipy import ndimage

    small = _reduced(cropped, THICKEN_SIDE)
    radius = max(1, round((STROKE * max(small.shape) - stroke_width(small)) / 2))
    padded = np.pad(small, radius)
    disc = np.hypot(*np.ogrid[-radius:radius + 1, -radius:radius + 1]) <= radius
    return ndimage.grey_dilation(padded, footprint=disc)


def _digit_marks(mask: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The mask's marks that make the digit: the heaviest one inside the frame and not as long as the paper's
    edge, and those near it that are about as dark (not the table's grain)."""
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        return mask
    index = np.arange(1, count + 1)
    mass = ndimage.sum_labels(weight, labels, index)
    darkness = mass / ndimage.sum_labels(mask, labels, index)
    frame = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    boxes = [_box(b) for b in ndimage.find_objects(labels)]
    inside = [c for c in np.setdiff1d(index, frame) if _side(boxes[c - 1]) <= MAX_DIGIT * max(mask.shape)]
    candidates = np.array(inside or index)  # a digit filling the picture touches its frame
    main = candidates[np.argmax(mass[candidates - 1])]
    top, left, bottom, right = boxes[main - 1]
    similar = [c for c in candidates if mass[c - 1] >= 0.05 * mass[main - 1]
               and darkness[c - 1] >= 0.6 * darkness[main - 1]]
    chosen = {main}
    for _ in range(2):  # grow the digit's box by its neighbours' twice: a 5's bar, a broken stroke
        margin = 0.35 * max(bottom - top, right - left)
        chosen.update(c for c in similar if _overlaps(boxes[c - 1], (top - margin, left - margin,
                                                                     bottom + margin, right + margin)))
        corners = np.array([boxes[c - 1] for c in chosen])
        top, left = corners[:, :2].min(axis=0)
        bottom, right = corners[:, 2:].max(axis=0)
    return np.isin(labels, list(chosen))


def _side(box: tuple[int, int, int, int]) -> int:
    return max(box[2] - box[0], box[3] - box[1])


def _box(slices: tuple[slice, slice]) -> tuple[int, int, int, int]:
    return slices[0].start, slices[1].start, slices[0].stop, slices[1].stop


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _otsu(values: np.ndarray) -> float:
    """The threshold between 0 and 1 that best splits `values` in two classes (Otsu's method, 64 bins)."""
    counts, edges = np.histogram(values, bins=64, range=(0, 1))
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts)
    total = weight[-1]
    mean = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    return float(edges[1:][np.nanargmax(between[:-1])]) if total and np.isfinite(between[:-1]).any() else 1.0


def _is_photo(pixels: np.ndarray) -> bool:
    """A photo of paper, whose background is not one level (see the module's docstring); a canvas's frame, all of
    one level, is told apart by the frame alone, as a canvas is read on every stroke."""
    if min(pixels.shape[:2]) < MIN_PHOTO_SIDE or _transparent(pixels) or not _uneven_frame(pixels):
        return False
    grey = _reduced(_grey_of(pixels), PHOTO_SIDE).astype(np.int16)
    background = int(np.bincount(_frame_loop(grey), minlength=256).argmax())
    darkest, lightest = _extreme_levels(grey)
    dark_ink = lightest <= background + LEVEL_NOISE
    if darkest < background - LEVEL_NOISE and not dark_ink:
        return True  # ink darker and paper lighter than the frame's commonest level
    contrast = background - grey if dark_ink else grey - background
    unlike = contrast > max(LEVEL_NOISE, UNLIKE * int(contrast.max()))
    return _longest_stretch(_frame_loop(unlike)) >= OFF_STRETCH or np.mean(unlike) >= SHEET


def _transparent(pixels: np.ndarray) -> bool:
    return pixels.ndim == 3 and pixels.shape[2] == 4 and pixels[..., 3].min() < 255


def _uneven_frame(pixels: np.ndarray) -> bool:
    """The frame's grey levels spread: the digit touches it, or it is a photo; a canvas's frame is one level."""
    low, high = np.percentile(_border_grey(pixels), [5, 95])
    return high - low > UNEVEN_BORDER


def _frame_loop(image: np.ndarray) -> np.ndarray:
    """The pixels of the image's frame in order around it, clockwise from the top left corner."""
    return np.concatenate([image[0, :-1], image[:-1, -1], image[-1, :0:-1], image[:0:-1, 0]])


def _extreme_levels(grey: np.ndarray) -> tuple[int, int]:
    """The darkest and lightest grey levels of `grey`, ignoring a few stray pixels beyond them (noise)."""
    counts = np.cumsum(np.bincount(grey.ravel(), minlength=256))
    stray = STRAY_LEVELS * counts[-1]
    return int(np.searchsorted(counts, stray, side="right")), int(np.searchsorted(counts, counts[-1] - stray))


def _longest_stretch(marked: np.ndarray) -> float:
    """The longest run of marked pixels around the closed loop `marked`, as a share of its length."""
    if marked.all():
        return 1.0
    marked = np.roll(marked, -int(np.argmin(marked)))  # start on an unmarked pixel: no run wraps around the end
    edges = np.flatnonzero(np.diff(marked, prepend=False, append=False))
    return float((edges[1::2] - edges[::2]).max(initial=0)) / marked.size


def _border_grey(pixels: np.ndarray) -> np.ndarray:
    """The grey levels of the image's frame, in one row: only the frame is converted, not the whole canvas."""
    frame = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return _grey_of(frame[None])


def _outline(mask: np.ndarray) -> np.ndarray:
    """The pixels of `mask` with a 4-neighbour outside it (or on the image's edge): `mask & ~binary_erosion(mask)`,
    by four shifted ANDs in a seventh of scipy's time, since a canvas is read on every stroke."""
    around = np.pad(mask, 1)
    inside = around[:-2, 1:-1] & around[2:, 1:-1] & around[1:-1, :-2] & around[1:-1, 2:]
    return mask & ~inside


def _grey_of(pixels: np.ndarray) -> np.ndarray:
    return _grey(pixels) if pixels.ndim == 3 else pixels


def _reduced(grey: np.ndarray, side: int) -> np.ndarray:
    """`grey` with its longer side at most `side` pixels (area averaging keeps thin strokes as grey)."""
    factor = side / max(grey.shape)
    if factor >= 1:
        return grey
    size = (max(1, round(grey.shape[1] * factor)), max(1, round(grey.shape[0] * factor)))
    return np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BOX))


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
