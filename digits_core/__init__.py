"""digits_core: MNIST data, Keras models, training, evaluation and preprocessing, without any UI.

Importing the package is cheap: TensorFlow loads only with the modules that need it
(network, training, evaluation, crossval, predictor, store).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides real output

from .data import DataError, MnistData, load_mnist
from .presets import DEFAULT_PRESET, PRESETS, Preset, get_preset
from .spec import Augmentation, ConvBlock, DenseLayer, ModelSpec, SpecError

__all__ = [
    "Augmentation", "ConvBlock", "DEFAULT_PRESET", "DataError", "DenseLayer", "MnistData",
    "ModelSpec", "PRESETS", "Preset", "SpecError", "get_preset", "load_mnist",
]
