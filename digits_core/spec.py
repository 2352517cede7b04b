"""ModelSpec: a network and how to train it, as plain data that round-trips through JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

ACTIVATIONS = ("relu", "elu", "gelu", "swish", "tanh", "sigmoid")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("constant", "one-cycle", "cosine", "exponential")
PADDINGS = ("valid", "same")
HEADS = ("flatten", "global-average")
IMAGE_SIZE = 28


@dataclass(frozen=True)
class Limit:
    """The values a numeric field accepts, both ends included; the Train page's widgets take the same bounds."""

    low: float
    high: float
    integer: bool = False

    def admits(self, value: Any) -> bool:
        kinds = (int,) if self.integer else (int, float)
        return not isinstance(value, bool) and isinstance(value, kinds) and self.low <= value <= self.high  # NaN fails


LIMITS: dict[str, Limit] = {
    "filters": Limit(1, 512, integer=True),
    "kernel_size": Limit(1, 9, integer=True),
    "strides": Limit(1, 4, integer=True),
    "units": Limit(1, 4096, integer=True),
    "dropout": Limit(0.0, 0.9),  # conv blocks, dense layers and the head
    "learning_rate": Limit(1e-5, 1.0),
    "beta_1": Limit(0.0, 0.999),
    "momentum": Limit(0.0, 0.999),
    "batch_size": Limit(1, 4096, integer=True),
    "epochs": Limit(1, 100, integer=True),
    "validation_split": Limit(0.0, 0.5),
    "label_smoothing": Limit(0.0, 0.5),
    "shift": Limit(0.0, 8.0),  # pixels
    "rotation": Limit(0.0, 45.0),  # degrees
    "zoom": Limit(0.0, 0.5),  # fraction
}


class SpecError(ValueError):
    """A spec field holds a value no network can be built or trained from."""

    def __init__(self, field_name: str, problem: str):
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name


@dataclass(frozen=True)
class ConvBlock:
    """Conv2D, then optional batch norm, the activation, 2x2 max pooling and dropout."""

    filters: int = 32
    kernel_size: int = 3
    strides: int = 1
    padding: str = "valid"
    batch_norm: bool = False
    pool: bool = False
    dropout: float = 0.0


@dataclass(frozen=True)
class DenseLayer:
    """A hidden Dense layer with the spec's activation, optional batch norm, then dropout."""

    units: int = 128
    batch_norm: bool = False
    dropout: float = 0.0


@dataclass(frozen=True)
class Augmentation:
    """Random shifts (pixels), rotations (degrees) and zoom (fraction), active only in training."""

    shift: float = 0.0
    rotation: float = 0.0
    zoom: float = 0.0

    @property
    def enabled(self) -> bool:
        return bool(self.shift or self.rotation or self.zoom)


@dataclass(frozen=True)
class ModelSpec:
    """Layers, optimizer and training settings of one network; validate() names the bad field."""

    conv: tuple[ConvBlock, ...] = ()
    dense: tuple[DenseLayer, ...] = ()
    head: str = "flatten"
    head_dropout: float = 0.0
    activation: str = "relu"
    optimizer: str = "adam"
    learning_rate: float = 0.001
    beta_1: float = 0.9
    momentum: float = 0.9
    schedule: str = "constant"
    batch_size: int = 128
    epochs: int = 5
    validation_split: float = 0.0
    label_smoothing: float = 0.0
    augmentation: Augmentation = field(default_factory=Augmentation)

    def with_changes(self, **changes: Any) -> ModelSpec:
        """A validated copy with some fields replaced (lists of dicts are accepted for layers)."""
        merged = {**self.to_dict(), **{k: _plain(v) for k, v in changes.items()}}
        return ModelSpec.from_dict(merged)

    def validate(self) -> ModelSpec:
        """Raise SpecError naming the first invalid field; return self when all is well."""
        _check_layers(self)
        _check_choice("head", self.head, HEADS)
        _check_limit("head_dropout", self.head_dropout, "dropout")
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("schedule", self.schedule, SCHEDULES)
        for name in ("learning_rate", "beta_1", "momentum", "batch_size", "epochs", "validation_split",
                     "label_smoothing"):
            _check_limit(name, getattr(self, name))
        for name in ("shift", "rotation", "zoom"):
            _check_limit(f"augmentation.{name}", getattr(self.augmentation, name), name)
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        """Build and validate a spec from plain data, refusing unknown keys."""
        if not isinstance(data, dict):
            raise SpecError("spec", f"must be an object, got {type(data).__name__}")
        _refuse_unknown("spec", data, cls)
        values = dict(data)
        values["conv"] = tuple(_sub(ConvBlock, f"conv[{i}]", b) for i, b in enumerate(_layers("conv", data)))
        values["dense"] = tuple(_sub(DenseLayer, f"dense[{i}]", d) for i, d in enumerate(_layers("dense", data)))
        values["augmentation"] = _sub(Augmentation, "augmentation", data.get("augmentation", {}))
        return cls(**values).validate()

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError("spec", f"not valid JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise SpecError("spec", "JSON must be an object")
        return cls.from_dict(data)


def feature_map_sizes(spec: ModelSpec) -> list[int]:
    """The side of the feature map after each conv block, starting from 28."""
    sizes, side = [], IMAGE_SIZE
    for block in spec.conv:
        if block.padding == "same":
            side = math.ceil(side / block.strides)
        else:
            side = (side - block.kernel_size) // block.strides + 1
        if block.pool:
            side //= 2
        sizes.append(side)
    return sizes


def _plain(value: Any) -> Any:
    """Dataclasses inside a tuple or list become dicts, so with_changes takes either."""
    if isinstance(value, (list, tuple)):
        return [asdict(v) if hasattr(v, "__dataclass_fields__") else v for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


def _layers(name: str, data: dict[str, Any]) -> list | tuple:
    """The conv or dense list of plain data (a missing one is empty); anything else is refused by name."""
    layers = data.get(name, ())
    if not isinstance(layers, (list, tuple)):
        raise SpecError(name, f"must be a list of layers, got {type(layers).__name__}")
    return layers


def _sub(kind: type, name: str, data: Any) -> Any:
    if isinstance(data, kind):
        return data
    if not isinstance(data, dict):
        raise SpecError(name, f"must be an object, got {type(data).__name__}")
    _refuse_unknown(name, data, kind)
    return kind(**data)


def _refuse_unknown(name: str, data: dict[str, Any], kind: type) -> None:
    unknown = set(data) - {f.name for f in fields(kind)}
    if unknown:
        raise SpecError(name, f"unknown field(s) {', '.join(sorted(unknown))}")


def _check_layers(spec: ModelSpec) -> None:
    if not spec.conv and not spec.dense:
        raise SpecError("conv/dense", "the network needs at least one conv block or dense layer")
    for i, block in enumerate(spec.conv):
        for name in ("filters", "kernel_size", "strides", "dropout"):
            _check_limit(f"conv[{i}].{name}", getattr(block, name), name)
        _check_choice(f"conv[{i}].padding", block.padding, PADDINGS)
        _check_flag(f"conv[{i}].batch_norm", block.batch_norm)
        _check_flag(f"conv[{i}].pool", block.pool)
    for i, side in enumerate(feature_map_sizes(spec)):
        if side < 1:
            raise SpecError(f"conv[{i}]", "too many poolings or strides: the 28x28 image shrinks to nothing here")
    for i, layer in enumerate(spec.dense):
        _check_limit(f"dense[{i}].units", layer.units, "units")
        _check_flag(f"dense[{i}].batch_norm", layer.batch_norm)
        _check_limit(f"dense[{i}].dropout", layer.dropout, "dropout")
    if spec.head == "global-average" and not spec.conv:
        raise SpecError("head", "global-average needs at least one conv block")


def _check_limit(name: str, value: Any, limit: str | None = None) -> None:
    """Refuse a value outside LIMITS[limit] (the field's own name by default), naming the field."""
    bounds = LIMITS[limit or name]
    if not bounds.admits(value):
        kind = "a whole number" if bounds.integer else "a number"
        raise SpecError(name, f"must be {kind} from {bounds.low:g} to {bounds.high:g}, got {value!r}")


def _check_flag(name: str, value: Any) -> None:
    """Only true or false: a JSON string such as "false" would otherwise switch the layer on."""
    if not isinstance(value, bool):
        raise SpecError(name, f"must be true or false, got {value!r}")


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SpecError(name, f"must be one of {', '.join(choices)}, got {value!r}")


__all__ = ["ModelSpec", "ConvBlock", "DenseLayer", "Augmentation", "SpecError", "Limit", "LIMITS", "feature_map_sizes"]
