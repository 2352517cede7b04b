"""build_model and summarize: raw uint8 pixels in, ten probabilities out, a functional graph."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from digits_core import PRESETS, ConvBlock, DenseLayer, ModelSpec, SpecError
from digits_core.network import build_model, summarize

CNN = ModelSpec(conv=(ConvBlock(8, batch_norm=True, pool=True, dropout=0.1),), dense=(DenseLayer(16, dropout=0.2),),
                head_dropout=0.1)


@pytest.fixture(scope="module")
def cnn():
    return build_model(CNN)


def test_input_output_and_rescaling(cnn):
    assert cnn.input_shape == (None, 28, 28, 1)
    assert cnn.inputs[0].dtype == "uint8"
    assert any(isinstance(layer, keras.layers.Rescaling) for layer in cnn.layers)
    assert cnn.get_layer("probabilities").activation is keras.activations.softmax
    assert cnn.output_shape == (None, 10)


def test_rows_are_probabilities(cnn, mnist):
    probs = keras.ops.convert_to_numpy(cnn(mnist.x_test[:16, :, :, None], training=False))
    assert probs.shape == (16, 10)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_activation_submodel_works(cnn, mnist):
    layer = cnn.get_layer("conv1_relu")
    activations = keras.Model(cnn.inputs, layer.output)([mnist.x_test[:2, :, :, None]])
    assert tuple(activations.shape) == (2, 26, 26, 8)


def test_augmentation_layers_only_when_asked():
    plain = {layer.name for layer in build_model(CNN).layers}
    augmented = {layer.name for layer in build_model(PRESETS["cnn-best"].spec).layers}
    assert not {"shift", "rotate", "zoom"} & plain
    assert {"shift", "rotate"} <= augmented


def test_global_average_head():
    model = build_model(CNN.with_changes(head="global-average", dense=[]))
    assert "global_average" in [layer.name for layer in model.layers]
    assert model.output_shape == (None, 10)


def test_invalid_spec_is_refused():
    with pytest.raises(SpecError):
        build_model(ModelSpec(dense=(DenseLayer(0),)))


def test_summarize_rows_and_totals(cnn):
    rows = summarize(cnn)
    assert [row["layer"] for row in rows] == [layer.name for layer in cnn.layers]
    assert set(rows[0]) == {"layer", "type", "output shape", "parameters"}
    assert sum(row["parameters"] for row in rows) == cnn.count_params()
    by_name = {row["layer"]: row for row in rows}
    assert by_name["probabilities"]["output shape"] == "(batch, 10)"
    assert by_name["probabilities"]["parameters"] == 16 * 10 + 10
    assert by_name["conv1"]["type"] == "Conv2D" and by_name["conv1"]["parameters"] == 3 * 3 * 8  # no bias with BN
    assert by_name["pixels"]["output shape"] == "(batch, 28, 28, 1)"
