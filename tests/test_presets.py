"""Presets: the eight names, honest descriptions, and a model from each."""

from __future__ import annotations

import pytest

from digits_core import DEFAULT_PRESET, PRESETS, get_preset

NAMES = ["dense-512", "mlp-512x2", "dense-128x2", "cnn-small", "cnn-keras-example", "cnn-3conv",
         "cnn-fast", "cnn-best"]
TUTORIALS = {
    "dense-512": "Chollet",
    "mlp-512x2": "Packt",
    "dense-128x2": "canvas",
    "cnn-small": "canvas",
    "cnn-keras-example": "Beginner's Guide to Keras",
    "cnn-3conv": "Up and Running with Keras",
}


def test_exact_names():
    assert list(PRESETS) == NAMES
    assert DEFAULT_PRESET in PRESETS
    assert all(PRESETS[name].name == name for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_description_names_source_and_accuracy(name):
    preset = PRESETS[name]
    if name in TUTORIALS:
        assert TUTORIALS[name] in preset.description
        assert 0.9 < preset.reported_accuracy < 1
        assert f"{preset.reported_accuracy * 100:g}".rstrip("0") in preset.description.replace("%", "")
    else:
        assert preset.description.startswith("Ours") and preset.reported_accuracy is None
        assert "99" in preset.description


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(KeyError, match="cnn-fast"):
        get_preset("cnn-huge")


@pytest.mark.parametrize("name", NAMES)
def test_each_preset_builds_a_model(name):
    from digits_core.network import build_model

    model = build_model(PRESETS[name].spec)
    assert model.output_shape == (None, 10)
    assert model.count_params() > 10_000
