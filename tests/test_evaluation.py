"""evaluate(): confusion matrix, per-class table, confused pairs, mistakes and clicked cells."""

from __future__ import annotations

import numpy as np
import pytest

from digits_core.evaluation import evaluate, evaluate_stored, probabilities
from digits_core.evaluation import test_metrics as metrics_of  # renamed so pytest does not collect it


@pytest.fixture(scope="module")
def evaluation(tiny_model, mnist):
    return evaluate(tiny_model, mnist)


def test_metrics_match_the_training_result(evaluation, tiny_training):
    assert evaluation.accuracy == pytest.approx(tiny_training.test_accuracy)
    assert evaluation.loss == pytest.approx(tiny_training.test_loss, rel=1e-4)


def test_confusion_matrix(evaluation, mnist):
    confusion = evaluation.confusion
    assert confusion.shape == (10, 10) and confusion.sum() == 10000
    assert confusion.sum(axis=1).tolist() == np.bincount(mnist.y_test, minlength=10).tolist()  # rows = true
    assert confusion.sum(axis=0).tolist() == np.bincount(evaluation.predicted, minlength=10).tolist()
    assert np.trace(confusion) / 10000 == pytest.approx(evaluation.accuracy)


def test_per_class_table(evaluation):
    table = evaluation.per_class
    assert list(table.columns) == ["precision", "recall", "f1", "support"]
    assert table.index.tolist() == list(range(10)) and table["support"].sum() == 10000
    hits = np.diag(evaluation.confusion)
    np.testing.assert_allclose(table["recall"], hits / evaluation.confusion.sum(axis=1))
    assert ((table[["precision", "recall", "f1"]] >= 0) & (table[["precision", "recall", "f1"]] <= 1)).all().all()


def test_confused_pairs_sorted(evaluation):
    pairs = evaluation.confused_pairs
    assert list(pairs.columns) == ["true", "predicted", "count"] and 0 < len(pairs) <= 10
    assert pairs["count"].is_monotonic_decreasing and (pairs["true"] != pairs["predicted"]).all()
    for row in pairs.itertuples():
        assert evaluation.confusion[row.true, row.predicted] == row.count


def test_mistakes_are_wrong_and_most_confident_first(evaluation):
    mistakes = evaluation.mistakes
    assert len(mistakes) == 10000 - np.trace(evaluation.confusion)
    assert (evaluation.predicted[mistakes] != evaluation.labels[mistakes]).all()
    confidence = evaluation.probabilities[mistakes].max(axis=1)
    assert (np.diff(confidence) <= 0).all()


def test_cell_indices(evaluation):
    pair = evaluation.confused_pairs.iloc[0]
    indices = evaluation.cell_indices(int(pair["true"]), int(pair["predicted"]))
    assert len(indices) == pair["count"]
    assert (evaluation.labels[indices] == pair["true"]).all()
    assert (evaluation.predicted[indices] == pair["predicted"]).all()
    assert (np.diff(evaluation.probabilities[indices, int(pair["predicted"])]) <= 0).all()
    assert len(evaluation.cell_indices(3, 3)) == evaluation.confusion[3, 3]


@pytest.mark.parametrize(("true", "predicted"), [(10, 3), (3, 10), (-1, 2), (2, -1)])
def test_cell_indices_outside_the_matrix_are_empty(evaluation, true, predicted):
    assert evaluation.cell_indices(true, predicted).tolist() == []


def test_probabilities_and_metrics_in_batches(tiny_model, mnist):
    probs = probabilities(tiny_model, mnist.x_test[:2500])  # more than one batch
    assert probs.shape == (2500, 10) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    loss, accuracy = metrics_of(tiny_model, mnist.x_test[:2500], mnist.y_test[:2500])
    assert accuracy == pytest.approx(np.mean(probs.argmax(axis=1) == mnist.y_test[:2500]))
    assert loss > 0


def test_a_stored_model_is_scored_from_its_saved_test_predictions(store, tiny_model, mnist, evaluation):
    store.save("tiny", tiny_model, {"test_accuracy": 0.9})
    stored = evaluate_stored(store, "tiny", mnist)
    assert stored.accuracy == pytest.approx(evaluation.accuracy, abs=2e-4)  # float16 may tie two close classes
    assert stored.loss == pytest.approx(evaluation.loss, abs=1e-3)
    assert np.abs(stored.confusion - evaluation.confusion).sum() <= 4
    (store.root / "tiny.test.npy").unlink()  # a model saved before the store kept them: scored by Keras
    older = evaluate_stored(store, "tiny", mnist)
    assert older.accuracy == evaluation.accuracy and (older.confusion == evaluation.confusion).all()
