"""to_mnist(): every kind of source becomes a centred 28x28 white-on-black digit; bad input gets a clear error."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digits_core.preprocess import (
    MAX_BYTES,
    ImageError,
    ImageTooLargeError,
    NothingDrawnError,
    NotAnImageError,
    TooSmallError,
    ink_map,
    stroke_width,
    to_mnist,
    upscale,
)

SIDE = 280


def _stroke(side: int = SIDE, box=(90, 50, 190, 230), width: int = 18) -> np.ndarray:
    """A grey 'seven' drawn in white on black: 255 where the pen went."""
    image = Image.new("L", (side, side), 0)
    left, top, right, bottom = box
    ImageDraw.Draw(image).line([(left, top), (right, top), (left + (right - left) // 3, bottom)],
                               fill=255, width=width)
    return np.asarray(image)


def _png(array: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


def _centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    mass = image.astype(float)
    rows, cols = np.indices(image.shape)
    return (rows * mass).sum() / mass.sum(), (cols * mass).sum() / mass.sum()


def _bbox_side(image: np.ndarray) -> int:
    rows, cols = np.nonzero(image)
    return max(rows.max() - rows.min() + 1, cols.max() - cols.min() + 1)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """What the plain white-on-black stroke becomes; every other form of the same drawing must match it."""
    return to_mnist(_stroke()).image


def _assert_same_digit(image: np.ndarray, reference: np.ndarray) -> None:
    assert image.shape == (28, 28) and image.dtype == np.uint8
    assert np.corrcoef(image.ravel().astype(float), reference.ravel().astype(float))[0, 1] > 0.97


def test_result_and_steps(reference):
    result = to_mnist(_stroke())
    assert result.image.shape == (28, 28) and result.image.dtype == np.uint8
    assert set(result.steps) == {"ink", "cropped", "scaled", "centred"}
    assert result.steps["ink"].shape == (SIDE, SIDE)
    assert max(result.steps["scaled"].shape) == 20
    assert result.image.max() == 255


@pytest.mark.parametrize("background", [0, 30, 127, 128, 200, 255])
def test_ink_is_the_distance_from_the_paper_stretched_to_255(background):
    """The lookup table gives exactly the arithmetic of the definition, pixel for pixel."""
    grey = np.full((60, 60), background, np.uint8)
    grey[10:50, 20:40] = np.random.default_rng(background).integers(0, 256, (40, 20))
    ink = np.maximum(grey.astype(int) - background if background < 128 else background - grey.astype(int), 0)
    np.testing.assert_array_equal(ink_map(grey), (ink * 255 + ink.max() // 2) // ink.max())
    alpha = np.dstack([np.zeros_like(grey)] * 3 + [grey])
    if grey.min() < 255:  # a transparent sheet: the ink is the opacity
        np.testing.assert_array_equal(ink_map(alpha), (grey.astype(int) * 255 + grey.max() // 2) // grey.max())


def test_canvas_rgba_white_on_black(reference):
    ink = _stroke()
    canvas = np.dstack([ink, ink, ink, np.full_like(ink, 255)])
    _assert_same_digit(to_mnist(canvas).image, reference)


def test_rgba_with_ink_only_in_alpha(reference):
    alpha = _stroke()
    sheet = np.dstack([np.zeros_like(alpha)] * 3 + [alpha])  # black ink on a transparent sheet
    _assert_same_digit(to_mnist(sheet).image, reference)


def test_dark_pen_on_light_paper(reference):
    paper = 255 - _stroke()
    _assert_same_digit(to_mnist(paper).image, reference)
    _assert_same_digit(to_mnist(np.dstack([paper] * 3)).image, reference)


def test_rgb_colour_image(reference):
    ink = _stroke() / 255.0
    blue_on_yellow = np.dstack([(1 - ink) * 250, (1 - ink) * 230 + ink * 40, ink * 200 + (1 - ink) * 30])
    _assert_same_digit(to_mnist(blue_on_yellow.astype(np.uint8)).image, reference)


def test_grey_float_and_single_channel_arrays(reference):
    ink = _stroke()
    _assert_same_digit(to_mnist(ink).image, reference)
    _assert_same_digit(to_mnist(ink[..., None]).image, reference)
    _assert_same_digit(to_mnist(ink.astype(np.float32) / 255).image, reference)
    _assert_same_digit(to_mnist(ink.astype(np.float64)).image, reference)
    _assert_same_digit(to_mnist(ink.astype(np.int64)).image, reference)
    _assert_same_digit(to_mnist(ink > 127).image, reference)  # a boolean mask


def test_png_jpeg_and_pil_sources(reference):
    ink = _stroke()
    _assert_same_digit(to_mnist(_png(ink)).image, reference)
    _assert_same_digit(to_mnist(_png(255 - ink, "JPEG")).image, reference)
    _assert_same_digit(to_mnist(bytearray(_png(ink))).image, reference)
    _assert_same_digit(to_mnist(Image.fromarray(ink)).image, reference)
    _assert_same_digit(to_mnist(Image.fromarray(np.dstack([ink] * 3)).convert("P")).image, reference)


def test_jpeg_photo_stored_sideways_is_read_upright(reference):
    """Phones store photos sideways with an EXIF orientation tag; the digit is read the way it is shown."""
    stored = np.rot90(255 - _stroke())  # dark ink on paper, stored turned a quarter to the left
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to show
    buffer = io.BytesIO()
    Image.fromarray(stored).save(buffer, format="JPEG", exif=exif)
    _assert_same_digit(to_mnist(buffer.getvalue()).image, reference)


def test_transparent_png(reference):
    alpha = _stroke()
    sheet = np.dstack([np.zeros_like(alpha)] * 3 + [alpha])
    _assert_same_digit(to_mnist(_png(sheet)).image, reference)


def test_upscaled_mnist_digits_come_back(mnist):
    correlations = []
    for original in mnist.x_test[:40]:
        big = np.asarray(Image.fromarray(original).resize((SIDE, SIDE), Image.Resampling.BILINEAR))
        restored = to_mnist(big).image
        correlations.append(np.corrcoef(original.ravel().astype(float), restored.ravel().astype(float))[0, 1])
    assert min(correlations) > 0.6 and np.median(correlations) > 0.95, np.round(correlations, 2)
    assert correlations[0] > 0.95  # the first test digit, a 7, comes back almost pixel for pixel


def test_centre_of_mass_like_mnist(mnist):
    rows, cols = zip(*(_centre_of_mass(to_mnist(image).image) for image in mnist.x_test[:40]))
    assert abs(np.mean(rows) - 14) < 0.25 and abs(np.mean(cols) - 14) < 0.25  # MNIST's own average is (14.0, 14.0)


def test_small_digit_in_a_corner_is_centred_and_scaled():
    canvas = _stroke(box=(10, 10, 50, 60), width=5)
    image = to_mnist(canvas).image
    row, col = _centre_of_mass(image)
    assert abs(row - 14) <= 0.75 and abs(col - 14) <= 0.75
    assert 19 <= _bbox_side(image) <= 20


def _dot(side: int, radius: int) -> np.ndarray:
    image = Image.new("L", (side, side), 0)
    ImageDraw.Draw(image).ellipse((side // 2 - radius, side // 2 - radius, side // 2 + radius, side // 2 + radius),
                                  fill=255)
    return np.asarray(image)


@pytest.mark.parametrize("mark", [_dot(SIDE, 10), _dot(SIDE, 20), _stroke(box=(130, 130, 150, 140), width=20),
                                  _dot(28, 1)], ids=["dot", "dot-of-the-widest-pen", "tick", "speck"])
def test_a_dot_or_a_tick_is_too_small_to_read(mark):
    """Not read as a confident 0: a mark under 15% of the picture's side, or a few pixels, asks for a bigger digit."""
    with pytest.raises(TooSmallError, match="too small to read"):
        to_mnist(mark)


def test_thin_vertical_line_keeps_its_aspect():
    canvas = np.zeros((SIDE, SIDE), np.uint8)
    canvas[40:240, 138:142] = 255
    image = to_mnist(canvas).image
    rows, cols = np.nonzero(image >= 40)
    assert rows.max() - rows.min() + 1 >= 19 and cols.max() - cols.min() + 1 <= 3


@pytest.mark.parametrize(
    "blank",
    [
        np.zeros((SIDE, SIDE, 4), np.uint8),
        np.dstack([np.zeros((SIDE, SIDE, 3), np.uint8), np.full((SIDE, SIDE), 255, np.uint8)]),
        np.full((SIDE, SIDE), 255, np.uint8),
        np.full((SIDE, SIDE), 0.5, np.float32),
        np.random.default_rng(0).integers(0, 20, (SIDE, SIDE), dtype=np.uint8),  # faint paper noise only
    ],
    ids=["transparent", "black-canvas", "white-paper", "flat-grey", "faint-noise"],
)
def test_blank_images_have_nothing_drawn(blank):
    with pytest.raises(NothingDrawnError):
        to_mnist(blank)


def test_blank_png_has_nothing_drawn():
    with pytest.raises(NothingDrawnError):
        to_mnist(_png(np.zeros((SIDE, SIDE), np.uint8)))


@pytest.mark.parametrize(
    "garbage",
    [b"", b"definitely not a picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "a string", 42, None,
     np.zeros((28, 28, 2), np.uint8), np.zeros((0, 28), np.uint8), np.zeros(784, np.uint8)],
    ids=["empty", "text", "broken-png", "str", "int", "none", "two-channels", "empty-array", "flat-array"],
)
def test_garbage_is_not_an_image(garbage):
    with pytest.raises(NotAnImageError):
        to_mnist(garbage)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the damaged TIFF tags it skips
def test_damaged_files_give_image_errors_only():
    """Random damage to real PNG, JPEG, GIF, BMP and TIFF files: every failure is an ImageError."""
    rng = np.random.default_rng(0)
    small = Image.fromarray(_stroke(side=64, box=(20, 10, 44, 54), width=5))
    files = []
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
        buffer = io.BytesIO()
        small.save(buffer, format=fmt)
        files.append(buffer.getvalue())
    for attempt in range(400):
        data = bytearray(files[attempt % len(files)])
        if attempt % 2:
            data = data[: rng.integers(1, len(data))]
        for position in rng.integers(0, len(data), 6):
            data[position] = rng.integers(0, 256)
        try:
            to_mnist(bytes(data))
        except ImageError:
            pass


def test_truncated_png_is_not_an_image():
    data = _png(_stroke())
    with pytest.raises(NotAnImageError):
        to_mnist(data[: len(data) // 2])


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims a huge size (and whose pixel data is a few bytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(100_000, 100_000), (5000, 10), (20_000, 20_000)])
def test_huge_png_refused_before_decoding(size):
    with pytest.raises(ImageTooLargeError, match="too large"):
        to_mnist(_png_header_only(*size))


def test_huge_array_and_huge_file_refused():
    with pytest.raises(ImageTooLargeError):
        to_mnist(np.zeros((5000, 3), np.uint8))
    with pytest.raises(ImageTooLargeError):
        to_mnist(b"\x00" * (MAX_BYTES + 1))


def test_upscale_turns_each_pixel_into_a_square():
    image = np.array([[0, 255], [7, 9]], np.uint8)
    big = upscale(image, 3)
    assert big.shape == (6, 6) and big.dtype == np.uint8
    assert (big[:3, 3:] == 255).all() and (big[3:, :3] == 7).all()
    assert (big[::3, ::3] == image).all()


@pytest.mark.parametrize("width", [4, 8, 18, 30])
def test_stroke_width_is_the_pen_width(width):
    """Twice the ink's area over its outline: a stroke drawn with a pen of `width` pixels measures about that."""
    assert stroke_width(_stroke(width=width)) == pytest.approx(width, rel=0.1)
