"""digits_core: MNIST data, Keras models, training, evaluation and preprocessing, without any UI.

Importing the package is cheap: TensorFlow loads only with the modules that need it
(network, training, evaluation, crossval, predictor, store).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides real output
# TensorFlow turns its oneDNN kernels on by default only on some Intel CPUs; asked for, they make
# the small convolutions of cnn-fast 2-2.5x faster on this AMD machine (benchmarks/run.py).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

from .data import DataError, MnistData, load_mnist
from .presets import DEFAULT_PRESET, PRESETS, Preset, get_preset
from .spec import Augmentation, ConvBlock, DenseLayer, ModelSpec, SpecError

__all__ = [
    "Augmentation", "ConvBlock", "DEFAULT_PRESET", "DataError", "DenseLayer", "MnistData",
    "ModelSpec", "PRESETS", "Preset", "SpecError", "get_preset", "load_mnist",
]
