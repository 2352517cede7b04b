"""Photos of paper (tests/photos.py) read like the canvas: each defect alone and all together; thin pens thickened."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digits_core.predictor import Predictor
from digits_core.preprocess import MAX_BYTES, to_mnist
from tests.photos import Look, class_hand, phone_photo, photo

DIGITS = 12
LOOKS = {
    "plain": Look(light=0, shadow=0, table=False, tilt=0, noise=0, jpeg=0),
    "uneven light": Look(shadow=0, table=False, tilt=0, noise=0, jpeg=0),
    "shadow": Look(light=0, table=False, tilt=0, noise=0, jpeg=0),
    "table and paper edge": Look(light=0, shadow=0, tilt=0, noise=0, jpeg=0),
    "tilt": Look(light=0, shadow=0, table=False, noise=0, jpeg=0),
    "noise and jpeg": Look(light=0, shadow=0, table=False, tilt=0, jpeg=40),
    "everything": Look(),
    "everything, marker": Look(pen="marker"),
}


@pytest.fixture(scope="module")
def reader():
    return Predictor.load()


@pytest.mark.parametrize("look", LOOKS.values(), ids=LOOKS.keys())
def test_photos_are_read_like_the_test_set(reader, mnist, look):
    labels = mnist.y_test[:DIGITS]
    read = [reader.predict(photo(digit, seed, look)).digit for seed, digit in enumerate(mnist.x_test[:DIGITS])]
    assert np.sum(read == labels) >= DIGITS - 2, read


def test_the_digit_is_found_not_the_paper_edge_or_shadow(mnist):
    found = to_mnist(photo(mnist.x_test[0], 0)).steps["photo ink"]
    rows, cols = np.nonzero(found >= 40)
    assert np.ptp(rows) < 0.6 * found.shape[0] and np.ptp(cols) < 0.6 * found.shape[1]  # the digit, not the sheet


def test_photo_steps_are_named(mnist):
    steps = to_mnist(photo(mnist.x_test[1], 1)).steps
    assert list(steps)[0] == "photo ink" and list(steps)[-3:] == ["thickened", "scaled", "centred"]


def test_thin_strokes_are_thickened_and_canvas_strokes_are_not(mnist):
    big = np.asarray(Image.fromarray(mnist.x_test[0]).resize((280, 280), Image.Resampling.LANCZOS))
    canvas = (big > 128).astype(np.uint8) * 255
    thin = (big > 240).astype(np.uint8) * 255
    assert "thickened" not in to_mnist(canvas).steps
    thickened = to_mnist(thin)
    assert "thickened" in thickened.steps
    plain = to_mnist(thin, thicken=False)
    assert np.count_nonzero(thickened.image >= 128) > 1.3 * np.count_nonzero(plain.image >= 128)
    assert "photo ink" not in thickened.steps  # a canvas has an even background: no photo step


def test_a_class_hand_is_what_mnist_models_read_worse(reader, mnist):
    ones = np.flatnonzero(mnist.y_test == 1)[:40]
    plain = reader.probabilities(mnist.x_test[ones]).argmax(axis=1)
    flagged = reader.probabilities(np.stack([class_hand(mnist.x_test[i], 1) for i in ones])).argmax(axis=1)
    assert np.mean(plain == 1) >= 0.95 and np.mean(flagged == 1) <= 0.8  # the flag makes many a 1 a 7
    seven = class_hand(mnist.x_test[0], 7)  # MNIST's first test digit is a 7
    assert seven.shape == (28, 28) and seven.dtype == np.uint8
    assert np.count_nonzero(seven >= 128) > np.count_nonzero(mnist.x_test[0] >= 128)  # the crossbar adds ink


def test_a_phone_photo_of_12_megapixels_is_read(reader, mnist):
    """A 4032x3024 photo of about 9 MB passes the byte and pixel caps and is read like a webcam's."""
    index = int((mnist.y_test == 2).argmax())
    picture = phone_photo(mnist.x_test[index], index)
    assert 8e6 < len(picture) < MAX_BYTES
    assert reader.predict(picture).digit == 2
