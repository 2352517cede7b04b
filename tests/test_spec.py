"""ModelSpec: JSON round trips, with_changes, and SpecError naming the bad field."""

from __future__ import annotations

import json
import math

import pytest

from digits_core import PRESETS, ConvBlock, DenseLayer, ModelSpec, SpecError
from digits_core.spec import LIMITS, feature_map_sizes

BASE = ModelSpec(conv=(ConvBlock(16, pool=True),), dense=(DenseLayer(32),))


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_round_trips_through_json(name):
    spec = PRESETS[name].spec
    text = spec.to_json()
    assert isinstance(json.loads(text), dict)
    assert ModelSpec.from_json(text) == spec
    assert ModelSpec.from_dict(json.loads(text)) == spec


def test_with_changes_takes_dicts_and_dataclasses():
    changed = BASE.with_changes(epochs=3, dense=[{"units": 64, "dropout": 0.5}])
    assert changed.epochs == 3 and changed.dense == (DenseLayer(64, dropout=0.5),)
    assert changed.conv == BASE.conv and BASE.epochs == 5  # the original is unchanged
    assert BASE.with_changes(conv=[ConvBlock(8)]).conv == (ConvBlock(8),)


def test_feature_map_sizes():
    spec = ModelSpec(conv=(ConvBlock(8, kernel_size=3, pool=True), ConvBlock(8, padding="same", strides=2)))
    assert feature_map_sizes(spec) == [13, 7]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"conv": [], "dense": []}, "conv/dense"),
        ({"conv": [{"pool": True}] * 5}, "conv[3]"),
        ({"conv": [{"kernel_size": 9}] * 4}, "conv[3]"),
        ({"conv": [{"kernel_size": 11}]}, "conv[0].kernel_size"),
        ({"conv": [{"filters": -8}]}, "conv[0].filters"),
        ({"conv": [{"kernel_size": 0}]}, "conv[0].kernel_size"),
        ({"conv": [{"padding": "full"}]}, "conv[0].padding"),
        ({"dense": [{"units": -1}]}, "dense[0].units"),
        ({"dense": [{"units": 2.5}]}, "dense[0].units"),
        ({"dense": [{"dropout": 1.0}]}, "dense[0].dropout"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": True}, "epochs"),
        ({"batch_size": -32}, "batch_size"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": math.nan}, "learning_rate"),
        ({"learning_rate": math.inf}, "learning_rate"),
        ({"learning_rate": 2.0}, "learning_rate"),
        ({"head_dropout": 0.95}, "head_dropout"),
        ({"epochs": 101}, "epochs"),
        ({"optimizer": "adagrad"}, "optimizer"),
        ({"activation": "softmax"}, "activation"),
        ({"schedule": "step"}, "schedule"),
        ({"head": "global-average", "conv": []}, "head"),
        ({"validation_split": 0.9}, "validation_split"),
        ({"augmentation": {"rotation": 90}}, "augmentation.rotation"),
        ({"augmentation": {"shift": -1}}, "augmentation.shift"),
        ({"augmentation": {"flip": True}}, "augmentation"),
        ({"conv": [{"filters": 8, "colour": "red"}]}, "conv[0]"),
        ({"conv": ["big"]}, "conv[0]"),
        ({"conv": None}, "conv"),
        ({"dense": 128}, "dense"),
        ({"conv": [{"batch_norm": "false"}]}, "conv[0].batch_norm"),  # a truthy string would switch it on
        ({"conv": [{"pool": 1}]}, "conv[0].pool"),
        ({"dense": [{"batch_norm": None}]}, "dense[0].batch_norm"),
        ({"augmentation": {"shift": True}}, "augmentation.shift"),
    ],
)
def test_invalid_specs_name_the_field(changes, field):
    with pytest.raises(SpecError) as info:
        BASE.with_changes(**changes)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_unknown_top_level_field_is_named():
    with pytest.raises(SpecError, match="dropuot") as info:
        ModelSpec.from_dict({**BASE.to_dict(), "dropuot": 0.1})
    assert info.value.field == "spec"


@pytest.mark.parametrize("end", ["low", "high"])
def test_both_ends_of_every_limit_are_accepted(end):
    at = {name: getattr(limit, end) for name, limit in LIMITS.items()}
    training = ("learning_rate", "beta_1", "momentum", "batch_size", "epochs", "validation_split", "label_smoothing")
    spec = BASE.with_changes(
        conv=[{name: at[name] for name in ("filters", "kernel_size", "strides", "dropout")}],
        dense=[{"units": at["units"], "dropout": at["dropout"]}],
        head_dropout=at["dropout"],
        augmentation={name: at[name] for name in ("shift", "rotation", "zoom")},
        **{name: at[name] for name in training},
    )
    assert spec.validation_split == at["validation_split"] and spec.conv[0].filters == at["filters"]


def test_validate_on_a_hand_built_spec():
    assert BASE.validate() is BASE
    with pytest.raises(SpecError) as info:
        ModelSpec(dense=(DenseLayer(10),), optimizer="adamw").validate()
    assert info.value.field == "optimizer"


@pytest.mark.parametrize("data", [[1, 2], "adam", None])
def test_from_dict_refuses_non_objects(data):
    with pytest.raises(SpecError) as info:
        ModelSpec.from_dict(data)
    assert info.value.field == "spec"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"adam"'])
def test_from_json_refuses_non_objects(text):
    with pytest.raises(SpecError) as info:
        ModelSpec.from_json(text)
    assert info.value.field == "spec"
