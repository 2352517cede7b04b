"""Every kind of picture is read: uploads in either polarity with and without a margin, low-resolution enlargements,
tight crops and digits drawn to the canvas's edges (tests/drawings.py) above their floors; photos and thin pens
(benchmarks/photos.py) no worse than before the photo step was told apart from drawings by more than its frame."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from benchmarks.photos import accuracy, sources
from digits_core.predictor import Predictor
from tests.drawings import CANVAS, edge_to_edge, low_resolution, rgba, tight_crop

MNIST_DIGITS = 1000  # of the test set, for the kinds made from MNIST
BENCHMARK_DIGITS = 200  # python -m benchmarks.photos's default
BEFORE = {"photo of paper": 0.96, "photo, marker pen": 0.905, "canvas, thin pen": 0.98, "canvas": 1.0}  # its figures


@pytest.fixture(scope="module")
def reader():
    return Predictor.load()


def with_a_margin(mnist) -> tuple[list[np.ndarray], np.ndarray]:
    """MNIST digits enlarged to the canvas's size, their 4 px margin with them (an upload of a whole picture)."""
    images = [np.asarray(Image.fromarray(d).resize((CANVAS, CANVAS), Image.Resampling.BILINEAR))
              for d in mnist.x_test[:MNIST_DIGITS]]
    return images, mnist.y_test[:MNIST_DIGITS]


def tight_crops(mnist) -> tuple[list[np.ndarray], np.ndarray]:
    return [tight_crop(d) for d in mnist.x_test[:MNIST_DIGITS]], mnist.y_test[:MNIST_DIGITS]


def low_resolution_digits(mnist) -> tuple[list[np.ndarray], np.ndarray]:
    """scikit-learn's 1,797 8x8 digits (other writers than MNIST's) enlarged to 112 px."""
    digits = load_digits()
    return [low_resolution(d) for d in digits.images], digits.target


UPLOADS = {"with a margin": (with_a_margin, 0.99), "tight crop": (tight_crops, 0.97),
           "low resolution": (low_resolution_digits, 0.93)}  # each kind and the share of it read at least


@pytest.mark.parametrize("dark_on_light", [False, True], ids=["light-on-dark", "dark-on-light"])
@pytest.mark.parametrize("kind", UPLOADS)
def test_uploads_are_read_in_either_polarity(reader, mnist, kind, dark_on_light):
    make, floor = UPLOADS[kind]
    images, labels = make(mnist)
    if dark_on_light:
        images = [255 - image for image in images]
    assert accuracy(reader, images, labels, {}) >= floor


@pytest.mark.parametrize("transparent", [False, True], ids=["opaque", "transparent-sheet"])
def test_digits_drawn_to_the_canvas_edges_are_read(reader, mnist, transparent):
    drawings = [rgba(edge_to_edge(d), transparent) for d in mnist.x_test[:MNIST_DIGITS]]
    assert accuracy(reader, drawings, mnist.y_test[:MNIST_DIGITS], {}) >= 0.98


@pytest.mark.slow
def test_photos_and_thin_pens_are_read_no_worse_than_before(reader, mnist):
    made = [sources(digit, seed) for seed, digit in enumerate(mnist.x_test[:BENCHMARK_DIGITS])]
    read = {kind: accuracy(reader, [m[kind] for m in made], mnist.y_test[:BENCHMARK_DIGITS], {}) for kind in BEFORE}
    assert all(read[kind] >= floor for kind, floor in BEFORE.items()), read
