"""explain.py on real models: layer shapes of a dense and a convolutional network, faithful saliency on MNIST
test images, nearest training images, embedding maps and the stored t-SNE of a shipped model."""

from __future__ import annotations

import numpy as np
import pytest

from digits_core import explain, explained
from digits_core.store import MODELS_DIR, ModelStore

FAITHFUL_IMAGES = 50
BLANKED = 0.10


@pytest.fixture(scope="module")
def default_model():
    return ModelStore(MODELS_DIR).load("default")


def test_dense_layers_and_saliency(tiny_model, mnist):
    image = mnist.x_test[0]
    outputs = explain.layer_outputs(tiny_model, image)
    assert [(o.name, o.kind) for o in outputs][-1] == ("probabilities", "output")
    assert all(o.kind in ("dense", "activation", "norm", "output", "flatten") for o in outputs)
    assert outputs[0].kind == "flatten" and outputs[0].shape == (784,)
    assert [o.shape for o in outputs if o.kind == "dense"] == [(128,), (128,)]
    assert outputs[-1].values.sum() == pytest.approx(1, abs=1e-5)
    expected = tiny_model(image[None, ..., None], training=False).numpy()[0]
    np.testing.assert_allclose(outputs[-1].values, expected, atol=1e-5)
    found = explain.saliency(tiny_model, image)
    assert found.grad_cam is None and found.integrated_gradients.shape == (28, 28)
    assert found.digit == int(outputs[-1].values.argmax())
    assert explain.explainer(tiny_model).first_filters() is None


def test_conv_layers_saliency_and_filters(tiny_conv_training, mnist):
    model, image = tiny_conv_training.model, mnist.x_test[1]
    outputs = explain.layer_outputs(model, image)
    convs = [o for o in outputs if o.kind == "conv"]
    assert [o.shape for o in convs] == [tuple(layer.output.shape[1:]) for layer in model.layers
                                        if type(layer).__name__ == "Conv2D"]
    assert not any(o.name in ("rescale", "head_dropout") for o in outputs)  # pass-through layers are left out
    ends = [outputs[end] for start, end in explain.blocks([o.kind for o in outputs])]
    assert [o.kind for o in ends] == ["activation", "activation"] and ends[0].values.min() >= 0
    found = explain.saliency(model, image, digit=3)
    assert found.digit == 3 and found.grad_cam.shape == (28, 28) and found.grad_cam.min() >= 0
    assert found.integrated_gradients.min() >= 0
    assert not found.integrated_gradients[image == 0].any()  # black pixels differ nothing from the black baseline
    filters = explain.explainer(model).first_filters()
    assert filters.shape == (32, 3, 3)


def test_saliency_never_changes_the_model(default_model, mnist):
    before = default_model(mnist.x_test[:5, ..., None], training=False).numpy()
    explain.saliency(default_model, mnist.x_test[0])
    after = default_model(mnist.x_test[:5, ..., None], training=False).numpy()
    np.testing.assert_array_equal(before, after)
    np.testing.assert_allclose(after.sum(axis=1), 1, atol=1e-5)


def blanked_probability(model, image: np.ndarray, pixels: np.ndarray, digit: int) -> float:
    blanked = image.copy()
    blanked.flat[pixels] = 0
    return float(model(blanked[None, ..., None], training=False).numpy()[0, digit])


@pytest.mark.parametrize("which", ["default", "dense"])
def test_saliency_is_faithful(which, default_model, tiny_model, mnist):
    """Blanking the 10% of ink the map ranks highest costs the digit more than a random 10% of the ink."""
    model = default_model if which == "default" else tiny_model
    rng = np.random.default_rng(0)
    wins = 0
    for image in mnist.x_test[:FAITHFUL_IMAGES]:
        found = explain.saliency(model, image)
        ink = np.flatnonzero(image)
        count = max(1, round(BLANKED * len(ink)))
        top = ink[np.argsort(-found.integrated_gradients.flat[ink], kind="stable")[:count]]
        random = rng.choice(ink, count, replace=False)
        wins += (blanked_probability(model, image, top, found.digit)
                 < blanked_probability(model, image, random, found.digit))
    assert wins > 0.8 * FAITHFUL_IMAGES


def test_a_training_image_is_its_own_nearest_neighbour(tiny_conv_training, mnist):
    index = 123
    found = explain.nearest(tiny_conv_training.model, mnist.x_train[index], k=8)
    assert len(found) == 8 and found[0].index == index and found[0].distance == pytest.approx(0, abs=1e-3)
    assert found[0].label == mnist.y_train[index]
    assert [n.distance for n in found] == sorted(n.distance for n in found)


def test_embedding_places_a_digit_among_its_own(tiny_conv_training, mnist):
    helper = explain.explainer(tiny_conv_training.model)
    emap = helper.embedding(1000)
    assert emap.positions.shape == (1000, 2) and emap.method == "PCA" and len(emap.labels) == 1000
    image = mnist.x_test[3]
    placed = emap.place(helper.features(image[None]))
    near = np.argsort(((emap.positions - placed) ** 2).sum(axis=1))[:20]
    assert np.mean(emap.labels[near] == mnist.y_test[3]) > 0.5
    shipped = np.zeros((1000, 2), np.float32)
    assert helper.embedding(500, shipped).method == "t-SNE"


def test_project_pca_and_tsne(tiny_conv_training, mnist):
    found = explain.features(tiny_conv_training.model, mnist.x_test[:300])
    assert found.ndim == 2 and len(found) == 300
    assert explain.project(found).shape == (300, 2)
    assert explain.project(found, "tsne").shape == (300, 2)
    with pytest.raises(explain.ExplainError):
        explain.project(found, "umap")


def test_shipped_embedding_is_kept_per_model_version(store, tiny_training, monkeypatch):
    monkeypatch.setattr(explain, "project", lambda found, method="pca": np.zeros((len(found), 2), np.float32))
    store.save("shipped", tiny_training.model, {}, shipped=True)
    path = explain.ship_embedding(store, "shipped")
    assert path == store.root / "shipped.embedding.npz"
    assert explained.shipped_embedding(store, "shipped").shape == (10000, 2)
    meta = store.info("shipped").meta
    (store.root / "shipped.json").write_text((store.root / "shipped.json").read_text().replace(
        meta["created_at"], "2000-01-01T00:00:00+00:00"))
    assert explained.shipped_embedding(store, "shipped") is None  # a newer model makes the old map stale
    assert explained.shipped_embedding(store, "other") is None


def test_the_shipped_default_model_has_its_map():
    positions = explained.shipped_embedding(ModelStore(MODELS_DIR), "default")
    assert positions is not None and positions.shape == (10000, 2)


def test_a_model_without_rescaling_is_refused():
    from digits_core.backend import keras

    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    with pytest.raises(explain.ExplainError, match="Rescaling"):
        explain.explainer(model)
