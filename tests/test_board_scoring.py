"""The class board's held-out split, its scoring through LiteRT against Keras, and the ranking."""

from __future__ import annotations

import numpy as np
import pytest

from digits_core.classroom.scoring import (
    MIN_CLASS_DIGITS,
    ClassSet,
    accuracy,
    class_probabilities,
    held_out,
    held_out_mask,
    lead_sentence,
    most_missed,
    rank,
)


def test_the_held_out_fifth_is_stable_and_about_a_fifth():
    ids = list(range(1, 5001))
    mask = held_out_mask(ids)
    assert 0.18 < mask.mean() < 0.22
    assert list(held_out_mask(ids)) == list(mask)  # the same on every call (and server: no random seed)
    assert [held_out(i) for i in ids[:50]] == list(mask[:50])
    assert held_out(17) == held_out("17")  # an id read back as text from a database keeps its side


def test_a_growing_collection_keeps_its_old_held_out_samples_and_changes_version(mnist):
    ids = list(range(1, 301))
    small = ClassSet.of(ids[:200], mnist.x_test[:200], mnist.y_test[:200])
    large = ClassSet.of(ids, mnist.x_test[:300], mnist.y_test[:300])
    assert small.version != large.version
    assert np.array_equal(large.images[:len(small)], small.images)  # the old ones stay held out
    assert ClassSet.of(ids[:200], mnist.x_test[:200], mnist.y_test[:200]).version == small.version


def test_a_post_is_scored_through_litert_as_keras_reads_the_same_digits(tiny_model, mnist):
    from digits_core.lite import convert

    class_set = ClassSet.of(list(range(1000)), mnist.x_test[:1000], mnist.y_test[:1000])
    lite = class_probabilities(convert(tiny_model), class_set)
    keras = np.asarray(tiny_model(class_set.images[..., None], training=False))  # predict() on (N, 28, 28) would
    # leave the shared model's predict function traced for that shape
    assert lite.shape == keras.shape
    np.testing.assert_allclose(lite, keras, atol=1e-5)
    assert accuracy(lite, class_set.labels) == accuracy(keras, class_set.labels)


def test_a_model_that_is_not_litert_is_refused(mnist):
    from digits_core.lite import LiteError

    class_set = ClassSet.of([1, 2, 3, 4, 5], mnist.x_test[:5], mnist.y_test[:5])
    with pytest.raises(LiteError):
        class_probabilities(b"not a model", class_set)


def _probabilities(labels: np.ndarray, right: int) -> np.ndarray:
    """One-hot answers right on the first `right` digits and wrong (label + 1) on the rest."""
    answers = labels.copy()
    answers[right:] = (answers[right:] + 1) % 10
    return np.eye(10, dtype=np.float32)[answers]


def test_with_a_small_class_set_the_board_ranks_by_mnist():
    labels = np.arange(10, dtype=np.uint8)
    standings, what = rank({1: 0.95, 2: 0.99}, {1: _probabilities(labels, 10), 2: _probabilities(labels, 2)},
                           labels)
    assert [s.post_id for s in standings] == [2, 1]
    assert "MNIST" in what and str(MIN_CLASS_DIGITS) in what


def test_with_enough_class_digits_the_board_ranks_by_them_and_mnist_breaks_ties():
    labels = np.tile(np.arange(10, dtype=np.uint8), 6)
    probabilities = {1: _probabilities(labels, 50), 2: _probabilities(labels, 58), 3: _probabilities(labels, 50),
                     4: _probabilities(labels, 50)}
    standings, what = rank({1: 0.97, 2: 0.91, 3: 0.99, 4: 0.97}, probabilities, labels)
    assert [s.post_id for s in standings] == [2, 3, 1, 4]
    assert [s.place for s in standings] == [1, 2, 3, 3]  # equal on both: one place
    assert standings[0].class_accuracy == pytest.approx(58 / 60)
    assert "class accuracy" in what


def test_the_lead_is_called_luck_or_not_in_a_sentence():
    labels = np.tile(np.arange(10, dtype=np.uint8), 20)
    close = lead_sentence("Ada", "Bo", _probabilities(labels, 199), _probabilities(labels, 198), labels)
    assert "could be luck" in close
    far = lead_sentence("Ada", "Bo", _probabilities(labels, 200), _probabilities(labels, 120), labels)
    assert "very unlikely to be luck" in far
    assert "a tie" in lead_sentence("Ada", "Bo", _probabilities(labels, 5), _probabilities(labels, 5), labels)


def test_the_most_missed_digits_come_first():
    labels = np.arange(10, dtype=np.uint8)
    a, b = _probabilities(labels, 10), _probabilities(labels, 10)
    a[7], b[7], a[3] = np.eye(10)[0], np.eye(10)[0], np.eye(10)[0]
    assert list(most_missed({1: a, 2: b}, labels)) == [7, 3]
    assert len(most_missed({}, labels)) == 0
