"""compare.py against hand-made right/wrong tables and p-values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from digits_core.compare import compare, mcnemar_exact, recall


def one_hot(predicted) -> np.ndarray:
    return np.eye(10, dtype=np.float16)[np.asarray(predicted)]


@pytest.fixture
def table():
    """Ten images: both right on 0-3, only A on 4-6, only B on 7, both wrong on 8 (same digit) and 9 (different)."""
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    a = np.array([0, 1, 2, 3, 4, 5, 6, 1, 3, 4])
    b = np.array([0, 1, 2, 3, 9, 3, 0, 7, 3, 5])
    return labels, a, b


def test_the_two_by_two_table_and_disagreements(table):
    labels, a, b = table
    result = compare(labels, one_hot(a), one_hot(b))
    assert (result.both_right, result.only_a, result.only_b, result.both_wrong) == (4, 3, 1, 2)
    assert result.accuracy_a == 0.7 and result.accuracy_b == 0.5
    assert list(result.disagree) == [4, 5, 6, 7, 9]  # image 8: both wrong the same way
    assert sorted(result.a_right_b_wrong) == [4, 5, 6] and list(result.b_right_a_wrong) == [7]
    assert result.p_value == pytest.approx(0.625)  # 1 against 3: 2 * (1 + 4) / 16


def test_the_difference_of_confusion_matrices_and_recalls(table):
    labels, a, b = table
    result = compare(labels, one_hot(a), one_hot(b))
    delta = result.confusion_delta
    assert delta.sum() == 0 and delta[4, 4] == -1 and delta[4, 9] == 1 and delta[7, 7] == 1 and delta[7, 1] == -1
    assert delta[8, 3] == 0  # both read the 8 as a 3
    expected = np.zeros(10)
    expected[[4, 5, 6]], expected[7] = -1, 1
    assert np.array_equal(result.recall_delta, expected)
    only_a, only_b = result.cell_split(4, 4)
    assert list(only_a) == [4] and len(only_b) == 0
    assert list(result.cell_split(4, 9)[1]) == [4]


@pytest.mark.parametrize("only_a, only_b, p", [
    (0, 0, 1.0),  # no image on which they differ: nothing to test
    (5, 5, 1.0),
    (0, 10, 2 * 0.5 ** 10),
    (1, 6, 2 * (1 + 7) / 2 ** 7),
    (9, 3, 2 * (1 + 12 + 66 + 220) / 2 ** 12),
])
def test_mcnemar_exact_against_hand_worked_binomials(only_a, only_b, p):
    assert mcnemar_exact(only_a, only_b) == pytest.approx(p)


def test_mcnemar_exact_is_scipys_binomial_test():
    from scipy.stats import binomtest

    for only_a, only_b in [(a, b) for a in range(40) for b in range(40)] + [(480, 520), (30, 300), (4000, 6000)]:
        expected = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
        assert mcnemar_exact(only_a, only_b) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_galleries_put_the_most_confident_mistake_first():
    labels = np.array([1, 1, 1])
    a = one_hot([1, 1, 1])
    b = np.array([[0.1, 0.3, 0.6] + [0] * 7, [0.1, 0.1, 0.8] + [0] * 7, [0.2, 0.7, 0.1] + [0] * 7])
    result = compare(labels, a, b)
    assert list(result.a_right_b_wrong) == [1, 0]


def test_verdict_says_whether_the_lead_is_more_than_chance():
    labels = np.arange(100) % 10
    a = one_hot(labels)
    wrong = one_hot((labels + 1) % 10)
    b = np.where(np.arange(100)[:, None] < 20, wrong, a)  # B wrong on 20 images A gets right
    strong = compare(labels, a, b)
    assert strong.p_value < 0.001 and strong.verdict("dense", "cnn") == (
        f"Very unlikely to be luck (p = {strong.p_value:.1g}). Of these 100 images, dense reads 20 right that cnn "
        "gets wrong, and cnn only 0 the other way round (McNemar's exact test).")
    weak = compare(labels, a, np.where(np.arange(100)[:, None] < 2, wrong, a))
    assert weak.verdict("dense", "cnn").startswith("Could well be luck (p = 0.5).")
    assert "neither leads" in compare(labels, a, a).verdict("dense", "cnn")


def test_recall_and_mismatched_shapes(table):
    labels, a, _ = table
    assert list(recall(labels, a)) == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    with pytest.raises(ValueError, match="do not match"):
        compare(labels, one_hot(a)[:5], one_hot(a)[:5])
