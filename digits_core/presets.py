"""Named networks: the tutorials' classics, as they wrote them, and two of ours."""

from __future__ import annotations

from dataclasses import dataclass

from .spec import Augmentation, ConvBlock, DenseLayer, ModelSpec


@dataclass(frozen=True)
class Preset:
    """A spec with a name, a one-line description and the accuracy its source reports."""

    name: str
    description: str
    reported_accuracy: float | None
    spec: ModelSpec


def _conv(filters: int, **options) -> ConvBlock:
    return ConvBlock(filters=filters, **options)


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "dense-512",
            "784-512-10, the first example of Chollet's Deep Learning with Python (97.8% reported).",
            0.978,
            ModelSpec(dense=(DenseLayer(512),), optimizer="rmsprop", batch_size=128, epochs=5),
        ),
        Preset(
            "mlp-512x2",
            "Two Dense 512 layers with dropout 0.2, RMSprop: the Packt Keras excerpt (about 98% reported).",
            0.98,
            ModelSpec(dense=(DenseLayer(512, dropout=0.2), DenseLayer(512, dropout=0.2)),
                      optimizer="rmsprop", batch_size=128, epochs=10),
        ),
        Preset(
            "dense-128x2",
            "Two Dense 128 layers, Adam, batch 64: the blog with the canvas notebook (95.6% after one epoch).",
            0.956,
            ModelSpec(dense=(DenseLayer(128), DenseLayer(128)), optimizer="adam", batch_size=64, epochs=1),
        ),
        Preset(
            "cnn-small",
            "conv32-pool-conv64-pool, dropout 0.5, softmax: the same canvas blog's CNN (98.3% reported).",
            0.983,
            ModelSpec(conv=(_conv(32, pool=True), _conv(64, pool=True)), head_dropout=0.5,
                      optimizer="adam", batch_size=128, epochs=5),
        ),
        Preset(
            "cnn-keras-example",
            "conv32-conv64-pool-dropout-dense128-dropout, Adam: Beginner's Guide to Keras (99.19% reported).",
            0.9919,
            ModelSpec(conv=(_conv(32), _conv(64, pool=True, dropout=0.25)), dense=(DenseLayer(128, dropout=0.5),),
                      optimizer="adam", batch_size=128, epochs=10),
        ),
        Preset(
            "cnn-3conv",
            "conv32-pool-conv64-pool-conv64-dense64, RMSprop, batch 200: Up and Running with Keras (99.27% reported).",
            0.9927,
            ModelSpec(conv=(_conv(32, pool=True), _conv(64, pool=True), _conv(64, padding="same")),
                      dense=(DenseLayer(64),), optimizer="rmsprop", batch_size=200, epochs=10),
        ),
        Preset(
            "cnn-fast",
            "Ours: a small CNN (a strided 5x5 first layer), batch 256, one-cycle schedule: 99% in one short epoch.",
            None,
            ModelSpec(conv=(_conv(24, kernel_size=5, strides=2, batch_norm=True),  # 12x12 at once: no 24x24 maps
                            _conv(32, batch_norm=True, pool=True),
                            _conv(64, batch_norm=True)),
                      head="flatten", head_dropout=0.25, optimizer="adam", learning_rate=0.02, beta_1=0.7,
                      schedule="one-cycle", batch_size=256, epochs=1),  # half the steps of 128, same accuracy
        ),
        Preset(
            "cnn-best",
            "Ours: cnn-fast wider and pooled, trained 15 epochs on shifted and rotated digits; "
            "above 99.6% in under 10 minutes.",
            None,
            ModelSpec(conv=(_conv(32, kernel_size=5, batch_norm=True, pool=True),
                            _conv(64, batch_norm=True, pool=True),
                            _conv(128, batch_norm=True)),
                      head="flatten", head_dropout=0.3, optimizer="adam", learning_rate=0.005,
                      schedule="one-cycle", batch_size=128, epochs=15,
                      label_smoothing=0.05, augmentation=Augmentation(shift=2, rotation=10)),
        ),
    )
}

DEFAULT_PRESET = "cnn-fast"


def get_preset(name: str) -> Preset:
    """The preset called `name`; KeyError lists the known names."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
