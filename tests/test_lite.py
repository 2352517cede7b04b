"""LiteRT: a converted Keras model reads digits like the original, broken files fail precisely, no TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digits_core.lite import BATCH, LiteError, LiteModel, convert

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def content(tiny_model) -> bytes:
    return convert(tiny_model)


def test_agrees_with_keras_on_the_whole_test_set(content, tiny_model, mnist):
    lite = LiteModel(content, "tiny").probabilities(mnist.x_test)
    keras = np.asarray(tiny_model(mnist.x_test[:, :, :, None], training=False))
    assert lite.shape == (10000, 10) and lite.dtype == np.float32
    assert (lite.argmax(axis=1) == keras.argmax(axis=1)).all()
    np.testing.assert_allclose(lite, keras, atol=1e-5)


@pytest.mark.parametrize("count", [0, 1, 3, BATCH + 1])
def test_any_batch_size(content, tiny_model, mnist, count):
    model = LiteModel(content)
    expected = np.asarray(tiny_model(mnist.x_test[:max(count, 1), :, :, None]))
    probs = model.probabilities(mnist.x_test[:count])
    assert probs.shape == (count, 10)
    np.testing.assert_allclose(probs, expected[:count], atol=1e-5)
    np.testing.assert_allclose(model.probabilities(mnist.x_test[:1]), expected[:1], atol=1e-5)  # another size again


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_model_is_a_lite_error(content, damage):
    broken = {"garbage": b"not a flatbuffer at all", "truncated": content[:500], "empty": b""}[damage]
    with pytest.raises(LiteError, match="broken.tflite is not a readable LiteRT model"):
        LiteModel(broken, "broken.tflite")


def test_a_missing_file_is_a_lite_error(tmp_path):
    with pytest.raises(LiteError, match="ghost.tflite cannot be read"):
        LiteModel.load(tmp_path / "ghost.tflite")


def test_load_from_a_file(content, tmp_path, mnist):
    (tmp_path / "tiny.tflite").write_bytes(content)
    model = LiteModel.load(tmp_path / "tiny.tflite")
    assert model.name == "tiny.tflite"
    np.testing.assert_array_equal(model.probabilities(mnist.x_test[:5]),
                                  LiteModel(content).probabilities(mnist.x_test[:5]))


def test_reading_imports_no_tensorflow(content, tmp_path, mnist):
    (tmp_path / "tiny.tflite").write_bytes(content)
    path = str(tmp_path / "tiny.tflite")
    script = ("import sys, numpy as np; from digits_core.lite import LiteModel; "
              f"print(LiteModel.load({path!r}).probabilities(np.zeros((2, 28, 28), np.uint8)).shape, "
              "'tensorflow' in sys.modules, 'keras' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["(2,", "10)", "False", "False"]
