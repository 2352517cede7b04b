"""Keras models from a ModelSpec: raw uint8 pixels in, ten probabilities out."""

from __future__ import annotations

import itertools
from typing import Iterator

from .backend import keras
from .spec import Augmentation, ModelSpec

layers = keras.layers

INPUT_SHAPE = (28, 28, 1)
# Keras's 0.99 leaves the moving statistics near their initial values after a short classroom
# run (a few dozen batches), so its test accuracy is near chance; 0.9 settles within ~50 batches.
BN_MOMENTUM = 0.9


def build_model(spec: ModelSpec, seed: int | None = None) -> keras.Model:
    """A functional model that rescales its own 0..255 input, so every caller feeds raw pixels.

    With a `seed`, every random layer and initial weight has its own seed drawn from it: the
    same seed builds and trains the same network whatever other runs in the process do
    (keras.utils.set_random_seed would reset theirs too).
    """
    spec.validate()
    seeds = _seeds(seed)
    inputs = keras.Input(shape=INPUT_SHAPE, dtype="uint8", name="pixels")
    x = layers.Rescaling(1.0 / 255, name="rescale")(inputs)
    x = _augment(x, spec.augmentation, seeds)
    for i, block in enumerate(spec.conv, start=1):
        x = layers.Conv2D(block.filters, block.kernel_size, strides=block.strides, padding=block.padding,
                          use_bias=not block.batch_norm, kernel_initializer=_glorot(seeds), name=f"conv{i}")(x)
        if block.batch_norm:
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"conv{i}_bn")(x)
        x = layers.Activation(spec.activation, name=f"conv{i}_{spec.activation}")(x)
        if block.pool:
            x = layers.MaxPooling2D(name=f"pool{i}")(x)
        if block.dropout:
            x = layers.Dropout(block.dropout, seed=next(seeds), name=f"conv{i}_dropout")(x)
    if spec.head == "global-average":
        x = layers.GlobalAveragePooling2D(name="global_average")(x)
    else:
        x = layers.Flatten(name="flatten")(x)
    if spec.head_dropout:
        x = layers.Dropout(spec.head_dropout, seed=next(seeds), name="head_dropout")(x)
    for i, layer in enumerate(spec.dense, start=1):
        x = layers.Dense(layer.units, use_bias=not layer.batch_norm, kernel_initializer=_glorot(seeds),
                         name=f"dense{i}")(x)
        if layer.batch_norm:
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"dense{i}_bn")(x)
        x = layers.Activation(spec.activation, name=f"dense{i}_{spec.activation}")(x)
        if layer.dropout:
            x = layers.Dropout(layer.dropout, seed=next(seeds), name=f"dense{i}_dropout")(x)
    outputs = layers.Dense(10, activation="softmax", kernel_initializer=_glorot(seeds), name="probabilities")(x)
    return keras.Model(inputs, outputs, name="digits")


def _seeds(seed: int | None) -> Iterator[int | None]:
    """One seed per random layer or initializer, all from `seed`; None (Keras's global seeding) without one."""
    return itertools.count(seed * 1000) if seed is not None else itertools.repeat(None)


def _glorot(seeds: Iterator[int | None]) -> keras.initializers.Initializer:
    """Keras's default kernel initializer, with the next seed."""
    return keras.initializers.GlorotUniform(seed=next(seeds))


def _augment(x, aug: Augmentation, seeds: Iterator[int | None]):
    """Random shifts, rotations and zoom; Keras applies them only while training."""
    side = INPUT_SHAPE[0]
    if aug.shift:
        x = layers.RandomTranslation(aug.shift / side, aug.shift / side, fill_mode="constant", seed=next(seeds),
                                     name="shift")(x)
    if aug.rotation:
        x = layers.RandomRotation(aug.rotation / 360, fill_mode="constant", seed=next(seeds), name="rotate")(x)
    if aug.zoom:
        x = layers.RandomZoom(aug.zoom, fill_mode="constant", seed=next(seeds), name="zoom")(x)
    return x


def summarize(model: keras.Model) -> list[dict]:
    """One row a layer (name, type, output shape, parameters), as the Train page's table shows it."""
    return [
        {
            "layer": layer.name,
            "type": type(layer).__name__,
            "output shape": str(tuple(layer.output.shape)).replace("None", "batch"),
            "parameters": layer.count_params(),
        }
        for layer in model.layers
    ]
