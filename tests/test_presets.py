"""Presets: the eight names, and a model from each."""

from __future__ import annotations

import pytest

from digits_core import DEFAULT_PRESET, PRESETS, get_preset

NAMES = ["dense-512", "mlp-512x2", "dense-128x2", "cnn-small", "cnn-keras-example", "cnn-3conv",
         "cnn-fast", "cnn-best"]


def test_exact_names():
    assert list(PRESETS) == NAMES
    assert DEFAULT_PRESET in PRESETS
    assert all(PRESETS[name].name == name for name in NAMES)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(KeyError, match="cnn-fast"):
        get_preset("cnn-huge")


@pytest.mark.parametrize("name", NAMES)
def test_each_preset_builds_a_model(name):
    from digits_core.network import build_model

    model = build_model(PRESETS[name].spec)
    assert model.output_shape == (None, 10)
    assert model.count_params() > 10_000
