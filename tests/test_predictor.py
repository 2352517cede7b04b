"""Predictor: reads MNIST digits and drawings through to_mnist, from a model or from the store (through LiteRT)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digits_core.lite import LiteModel
from digits_core.preprocess import NothingDrawnError, NotAnImageError
from digits_core.predictor import Prediction, Predictor
from digits_core.store import DEFAULT_MODEL, MODELS_DIR, ModelStore, StoreError


@pytest.fixture(scope="module")
def predictor(tiny_model):
    return Predictor(tiny_model, "tiny")


def _check_prediction(prediction: Prediction) -> None:
    assert isinstance(prediction.digit, int) and 0 <= prediction.digit <= 9
    assert prediction.probabilities.shape == (10,)
    assert prediction.probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert prediction.confidence == pytest.approx(prediction.probabilities.max())
    assert prediction.image.shape == (28, 28) and prediction.image.dtype == np.uint8
    assert set(prediction.steps) == {"ink", "cropped", "scaled", "centred"}


def test_reads_mnist_test_digits(predictor, mnist):
    predictions = [predictor.predict(image) for image in mnist.x_test[:50]]
    for prediction in predictions:
        _check_prediction(prediction)
    correct = sum(p.digit == label for p, label in zip(predictions, mnist.y_test[:50]))
    assert correct >= 40  # the tiny model scores about 90% on the raw test set


def test_upscaled_test_digits_read_like_the_originals(predictor, mnist):
    """A test digit blown up to a 280x280 canvas goes through to_mnist and is read as the original is."""
    originals = mnist.x_test[:40]
    direct = predictor.probabilities(originals).argmax(axis=1)
    upscaled = [predictor.predict(np.asarray(Image.fromarray(image).resize((280, 280), Image.Resampling.BILINEAR)))
                for image in originals]
    assert np.mean([p.digit for p in upscaled] == direct) >= 0.9


def test_probabilities_in_a_batch(predictor, tiny_model, mnist):
    probs = predictor.probabilities(mnist.x_test[:64])
    assert probs.shape == (64, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    expected = np.asarray(tiny_model(mnist.x_test[:64, :, :, None], training=False))
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    assert predictor.probabilities(mnist.x_test[:1]).shape == (1, 10)


def test_preprocessing_errors_pass_through(predictor):
    with pytest.raises(NothingDrawnError):
        predictor.predict(np.zeros((280, 280, 4), np.uint8))
    with pytest.raises(NotAnImageError):
        predictor.predict(b"not an image")


def test_load_from_a_store_reads_through_litert_like_keras(store, predictor, mnist):
    """The stored model is read by LiteRT, with the Keras model's answer on every one of the 10,000 test digits."""
    store.save("tiny", predictor.model, {"test_accuracy": 0.9})
    loaded = Predictor.load("tiny", store)
    assert loaded.name == "tiny" and isinstance(loaded.model, LiteModel)
    lite, keras = loaded.probabilities(mnist.x_test), predictor.probabilities(mnist.x_test)
    assert (lite.argmax(axis=1) == keras.argmax(axis=1)).all()
    np.testing.assert_allclose(lite, keras, atol=1e-5)
    drawn = np.asarray(Image.fromarray(mnist.x_test[3]).resize((280, 280), Image.Resampling.BILINEAR))
    np.testing.assert_allclose(loaded.predict(drawn).probabilities, predictor.predict(drawn).probabilities, atol=1e-5)
    assert Predictor.load("tiny").name == "tiny"  # the default store follows $DIGITS_MODELS_DIR


def test_a_stored_model_without_a_litert_file_is_read_by_keras(store, tiny_model, mnist):
    store.save("older", tiny_model, {"test_accuracy": 0.9})
    (store.root / "older.tflite").unlink()
    loaded = Predictor.load("older", store)
    assert not isinstance(loaded.model, LiteModel)
    np.testing.assert_allclose(loaded.probabilities(mnist.x_test[:20]),
                               np.asarray(tiny_model(mnist.x_test[:20, :, :, None])), atol=1e-5)


def test_a_damaged_litert_file_is_a_store_error(store, tiny_model):
    store.save("broken", tiny_model, {"test_accuracy": 0.9})
    (store.root / "broken.tflite").write_bytes(b"half a model")
    with pytest.raises(StoreError, match="model 'broken' could not be loaded: broken.tflite is not a readable"):
        Predictor.load("broken", store)


def test_missing_default_model_is_a_clear_error(store):
    with pytest.raises(StoreError, match=f"no model named '{DEFAULT_MODEL}'"):
        Predictor.load()


@pytest.mark.skipif(not (MODELS_DIR / f"{DEFAULT_MODEL}.keras").exists(),
                    reason="models/default.keras is not there yet: another helper trains and ships it")
def test_shipped_default_model_reads_the_test_set(mnist):
    shipped = ModelStore(MODELS_DIR)
    predictor = Predictor.load(store=shipped)
    assert predictor.name == DEFAULT_MODEL and isinstance(predictor.model, LiteModel)
    predictions = [predictor.predict(image) for image in mnist.x_test[:100]]
    for prediction in predictions[:5]:
        _check_prediction(prediction)
    assert sum(p.digit == label for p, label in zip(predictions, mnist.y_test[:100])) >= 97
    lite, keras = predictor.probabilities(mnist.x_test), Predictor(shipped.load()).probabilities(mnist.x_test)
    assert (lite.argmax(axis=1) == keras.argmax(axis=1)).all()  # the same answer on all 10,000
    np.testing.assert_allclose(lite, keras, atol=1e-5)
    assert np.mean(lite.argmax(axis=1) == mnist.y_test) > 0.99
