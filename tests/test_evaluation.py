"""evaluate(): confusion matrix, per-class table, confused pairs, mistakes and clicked cells."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

from digits_core.evaluation import MissingProbabilities, evaluate, evaluate_stored, probabilities
from digits_core.evaluation import test_metrics as metrics_of  # renamed so pytest does not collect it


@pytest.fixture(scope="module")
def evaluation(tiny_model, mnist):
    return evaluate(tiny_model, mnist)


def test_metrics_match_keras_own_evaluate(evaluation, tiny_model, mnist):
    import keras

    twin = keras.models.clone_model(tiny_model)  # compiled apart: the shared model stays as it is
    twin.set_weights(tiny_model.get_weights())
    twin.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    loss, accuracy = twin.evaluate(mnist.x_test[..., None], mnist.y_test, batch_size=1000, verbose=0)
    assert evaluation.accuracy == pytest.approx(accuracy, abs=1e-4)
    assert evaluation.loss == pytest.approx(loss, rel=1e-3)


def test_predictions_are_keras_own(evaluation, tiny_model, mnist):
    predicted = tiny_model.predict(mnist.x_test[..., None], batch_size=1000, verbose=0).argmax(axis=1)
    assert (evaluation.predicted == predicted).mean() > 0.999  # float noise may flip a near tie
    assert evaluation.labels.tolist() == mnist.y_test.tolist()


def test_confusion_matrix_is_scikit_learns(evaluation):
    assert evaluation.confusion.tolist() == metrics.confusion_matrix(evaluation.labels, evaluation.predicted).tolist()


def test_per_class_table_is_scikit_learns(evaluation):
    table = evaluation.per_class
    assert list(table.columns) == ["precision", "recall", "f1", "support"] and table.index.tolist() == list(range(10))
    expected = metrics.precision_recall_fscore_support(evaluation.labels, evaluation.predicted, zero_division=0)
    for column, values in zip(table.columns, expected):
        np.testing.assert_allclose(table[column], values)


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


def test_probabilities_in_batches_are_one_call(tiny_model, mnist):
    images = mnist.x_test[:1234]  # two full batches and a partial one
    probs = probabilities(tiny_model, images)
    assert probs.shape == (1234, 10) and probs.dtype == np.float32
    np.testing.assert_allclose(probs, tiny_model(images[..., None], training=False), atol=1e-6)


def test_training_metrics_are_keras_own_on_a_part_of_the_test_set(tiny_model, mnist):
    import keras

    images, labels = mnist.x_test[:2500], mnist.y_test[:2500]
    loss, accuracy = metrics_of(tiny_model, images, labels)
    outputs = tiny_model(images[..., None], training=False)
    assert loss == pytest.approx(float(keras.losses.sparse_categorical_crossentropy(labels, outputs).numpy().mean()),
                                 rel=1e-4)
    assert accuracy == pytest.approx(float(keras.metrics.sparse_categorical_accuracy(labels, outputs).numpy().mean()))


def test_a_stored_model_is_scored_from_its_saved_test_predictions(store, tiny_model, mnist, evaluation):
    store.save("tiny", tiny_model, {"test_accuracy": 0.9})
    stored = evaluate_stored(store, "tiny", mnist)
    assert stored.accuracy == pytest.approx(evaluation.accuracy, abs=2e-4)  # float16 may tie two close classes
    assert stored.loss == pytest.approx(evaluation.loss, abs=1e-3)
    assert np.abs(stored.confusion - evaluation.confusion).sum() <= 4
    (store.root / "tiny.test.npy").unlink()  # a model saved before the store kept them: never scored by Keras here
    with pytest.raises(MissingProbabilities, match="without its test probabilities"):
        evaluate_stored(store, "tiny", mnist)
    store.complete("tiny")  # what the training process does for the server
    older = evaluate_stored(store, "tiny", mnist)
    assert older.accuracy == pytest.approx(evaluation.accuracy, abs=2e-4)
