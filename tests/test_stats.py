"""Per-digit statistics for the Explore page: chunked sums must equal the plain numpy answer."""

from __future__ import annotations

import numpy as np

from digits_core.stats import CHUNK, digit_mean_and_spread, facts


def test_mean_and_spread_match_numpy(mnist):
    images, labels = mnist.x_train[:CHUNK + 2500], mnist.y_train[:CHUNK + 2500]  # more than one chunk
    mean, spread = digit_mean_and_spread(images, labels)
    assert mean.shape == spread.shape == (10, 28, 28) and mean.dtype == spread.dtype == np.float32
    for digit in range(10):
        picked = images[labels == digit].astype(np.float64)
        np.testing.assert_allclose(mean[digit], picked.mean(axis=0), atol=1e-3)
        np.testing.assert_allclose(spread[digit], picked.std(axis=0), atol=1e-2)


def test_a_missing_digit_gives_zeros_not_nan(mnist):
    ones = mnist.y_test == 1
    mean, spread = digit_mean_and_spread(mnist.x_test[ones], mnist.y_test[ones])
    assert not np.isnan(mean).any() and not np.isnan(spread).any()
    assert mean[0].max() == 0 and mean[1].max() > 100


def test_facts(mnist):
    assert facts(mnist.x_test, mnist.y_test) == {
        "images": "(10000, 28, 28) uint8",
        "labels": "(10000,) uint8",
        "pixel range": "0 to 255",
        "label range": "0 to 9",
    }
