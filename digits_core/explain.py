"""Inside a model: each layer's output, which pixels decided, and where a digit sits among the others.

Works for any model build_model makes (dense or convolutional). Everything that needs a
model's graph is built once per model object and kept while the model lives, so a page or
the command line pays for it once per model version. What it answers, and the pictures made
from the answers, are in explained.py, free of TensorFlow.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import numpy as np
from sklearn.neighbors import NearestNeighbors

from .backend import keras, tf
from .data import MnistData, load_mnist
from .explained import (NEIGHBOURS, EmbeddingMap, ExplainError, LayerOutput, Neighbour, Saliency, blocks,
                        embedding_path, project)
from .store import ModelStore

# Identity at inference: rescaling is folded into the saliency input, augmentation and dropout do nothing.
PASS_THROUGH = (keras.layers.Rescaling, keras.layers.RandomTranslation, keras.layers.RandomRotation,
                keras.layers.RandomZoom, keras.layers.Dropout)
KINDS = {"Conv2D": "conv", "Dense": "dense", "BatchNormalization": "norm", "Activation": "activation",
         "MaxPooling2D": "pool", "AveragePooling2D": "pool", "GlobalAveragePooling2D": "pool", "Flatten": "flatten"}
IG_STEPS = 32  # integrated gradients: 33 points from black to the image, one batch
INDEX_IMAGES = 10_000  # the nearest-neighbour index holds the first 10,000 training images (all 60,000: ~6x longer)
BATCH = 500


class Explainer:
    """The sub-models of one model, its nearest-neighbour index and its embedding maps, built when first needed."""

    def __init__(self, model: keras.Model, data: MnistData | None = None):
        self.data = data or load_mnist()
        self.layers = _chain(model)
        self.rescale = next(layer for layer in self.layers if isinstance(layer, keras.layers.Rescaling))
        self.output_layer = self.layers[-1]
        self.shown = [layer for layer in self.layers[self.layers.index(self.rescale) + 1:]
                      if not isinstance(layer, PASS_THROUGH)]
        self.kinds = [_kind(layer, self.output_layer) for layer in self.shown]
        self.last_conv = next((end for start, end in reversed(blocks(self.kinds)) if self.kinds[start] == "conv"), None)
        # From the rescaled float pixels (0..1) to every shown layer and the output layer's input: gradients
        # need a float input, and the model's own uint8 input would cut them at the cast.
        outputs = [layer.output for layer in self.shown]
        same = [i for i, tensor in enumerate(outputs) if tensor is self.output_layer.input]  # (== builds an op)
        if not same:  # a dropout before the output layer: its input is a tensor of its own
            outputs.append(self.output_layer.input)
        self.penultimate = same[0] if same else len(outputs) - 1
        self.inside = keras.Model(self.rescale.output, outputs)
        self.features_model = keras.Model(model.inputs[0], self.output_layer.input)
        pixels = tf.TensorSpec((None, 28, 28, 1), tf.float32)
        self._forward = tf.function(lambda x: self.inside(x, training=False), input_signature=[pixels])
        self._features = tf.function(lambda x: self.features_model(x, training=False),
                                     input_signature=[tf.TensorSpec((None, 28, 28, 1), tf.uint8)])
        self._saliency = tf.function(self._saliency_graph, input_signature=[pixels, tf.TensorSpec((), tf.int32)])
        self._index: tuple[NearestNeighbors, np.ndarray] | None = None
        self._test_features = np.empty((0, 0), np.float32)
        self._maps: dict[tuple[int, bool], EmbeddingMap] = {}

    def layer_outputs(self, image: np.ndarray) -> list[LayerOutput]:
        """Every layer's output for one 28x28 uint8 image, from one call of the multi-output sub-model."""
        outputs = self._forward(self._scaled(image[None]))
        return [LayerOutput(layer.name, kind, values.numpy()[0])
                for layer, kind, values in zip(self.shown, self.kinds, outputs)]

    def saliency(self, image: np.ndarray, digit: int | None = None) -> Saliency:
        """Integrated gradients from a black image (all steps in one batch) and Grad-CAM on the last convolution."""
        found, integrated, cam = self._saliency(self._scaled(image[None]), tf.constant(-1 if digit is None else digit))
        return Saliency(int(found), integrated.numpy(), None if self.last_conv is None else cam.numpy())

    def features(self, images: np.ndarray) -> np.ndarray:
        """The last hidden layer's output (what the output layer reads) for uint8 images (N, 28, 28)."""
        return np.concatenate([self._features(tf.constant(images[start:start + BATCH, ..., None])).numpy()
                               for start in range(0, len(images), BATCH)])

    def nearest(self, image: np.ndarray, k: int = NEIGHBOURS) -> list[Neighbour]:
        """The k training images (of the first INDEX_IMAGES) closest to `image` in feature space."""
        if self._index is None:
            train = self.data.x_train[:INDEX_IMAGES]
            self._index = NearestNeighbors().fit(self.features(train)), self.data.y_train[:INDEX_IMAGES]
        finder, labels = self._index
        distances, indices = finder.kneighbors(self.features(image[None]), n_neighbors=k)
        return [Neighbour(int(i), int(labels[i]), float(d)) for i, d in zip(indices[0], distances[0])]

    def embedding(self, count: int, shipped: np.ndarray | None = None) -> EmbeddingMap:
        """The first `count` test images on a map: the shipped t-SNE positions if given, else PCA (kept per count)."""
        use_shipped = shipped is not None and len(shipped) >= count
        if (count, use_shipped) not in self._maps:
            if len(self._test_features) < count:
                self._test_features = self.features(self.data.x_test[:count])
            found = self._test_features[:count]
            positions, method = (shipped[:count], "t-SNE") if use_shipped else (project(found), "PCA")
            self._maps[count, use_shipped] = EmbeddingMap(positions, self.data.y_test[:count], found, method)
        return self._maps[count, use_shipped]

    def first_filters(self) -> np.ndarray | None:
        """The first convolution's kernels as (filters, height, width) images; None without convolutions."""
        conv = next((layer for layer in self.shown if isinstance(layer, keras.layers.Conv2D)), None)
        if conv is None:
            return None
        kernel = keras.ops.convert_to_numpy(conv.kernel)  # (h, w, 1, filters): one input channel, grey pixels
        return np.moveaxis(kernel[:, :, 0, :], -1, 0)

    def _scaled(self, images: np.ndarray) -> tf.Tensor:
        """uint8 images (N, 28, 28) rescaled by the model's own Rescaling layer, as a float tensor."""
        return self.rescale(tf.constant(images[..., None], tf.float32))

    def _saliency_graph(self, pixels: tf.Tensor, digit: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """(digit, integrated gradients, Grad-CAM or zeros); digit -1 stands for the digit the model reads."""
        alphas = tf.reshape(tf.linspace(0.0, 1.0, IG_STEPS + 1), (-1, 1, 1, 1))
        path = alphas * pixels  # black (alpha 0) to the image (alpha 1, the last row)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(path)
            outputs = self.inside(path, training=False)
            probabilities, penultimate = outputs[len(self.shown) - 1], outputs[self.penultimate]
            digit = tf.where(digit < 0, tf.argmax(probabilities[-1], output_type=tf.int32), digit)
            target = tf.reduce_sum(probabilities[:, digit])
            logit = self._logits(penultimate[-1:])[0, digit]  # from the weights: the model is never changed
        gradients = tape.gradient(target, path)
        averaged = (gradients[:-1] + gradients[1:]) / 2  # trapezoid rule along the path
        integrated = tf.nn.relu(pixels[0] * tf.reduce_mean(averaged, axis=0))[..., 0]
        cam = tf.zeros((28, 28))
        if self.last_conv is not None:
            maps = outputs[self.last_conv]
            cam = self._grad_cam(maps, tape.gradient(logit, maps))
        return digit, integrated, cam

    def _logits(self, penultimate: tf.Tensor) -> tf.Tensor:
        return tf.matmul(penultimate, self.output_layer.kernel) + self.output_layer.bias

    @staticmethod
    def _grad_cam(maps: tf.Tensor, gradients: tf.Tensor) -> np.ndarray:
        """Channels weighted by their mean gradient, rectified, upsampled to 28x28 (keras-io's Grad-CAM)."""
        weights = tf.reduce_mean(gradients[-1], axis=(0, 1))
        cam = tf.nn.relu(tf.reduce_sum(maps[-1] * weights, axis=-1))
        return tf.image.resize(cam[None, ..., None], (28, 28))[0, ..., 0]


_explainers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def explainer(model: keras.Model) -> Explainer:
    """The Explainer of `model`, built once and kept as long as the model is."""
    if model not in _explainers:
        _explainers[model] = Explainer(model)
    return _explainers[model]


def layer_outputs(model: keras.Model, image: np.ndarray) -> list[LayerOutput]:
    """Each layer's output for one image (rescaling, augmentation and dropout left out: they change nothing)."""
    return explainer(model).layer_outputs(image)


def saliency(model: keras.Model, image: np.ndarray, digit: int | None = None) -> Saliency:
    """How much each pixel pushed the model toward `digit` (default: the digit it reads)."""
    return explainer(model).saliency(image, digit)


def features(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """The last hidden layer's output for a batch of uint8 images."""
    return explainer(model).features(images)


def nearest(model: keras.Model, image: np.ndarray, k: int = NEIGHBOURS) -> list[Neighbour]:
    """The k training images nearest to `image` in the model's feature space, with labels and distances."""
    return explainer(model).nearest(image, k)


def ship_embedding(store: ModelStore, name: str) -> Path:
    """Compute and store the t-SNE map of all test images for a stored model (at ship time: about a minute)."""
    model = store.load(name)
    positions = project(features(model, load_mnist().x_test), method="tsne")
    path = embedding_path(store, name)
    np.savez(path, positions=positions, version=str(store.info(name).meta.get("created_at")))
    return path


def _chain(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's layers, checked to be a chain from a rescaled input to a Dense output layer."""
    layers = model.layers
    if not any(isinstance(layer, keras.layers.Rescaling) for layer in layers):
        raise ExplainError(f"model {model.name!r} does not rescale its own input (no Rescaling layer)")
    if not isinstance(layers[-1], keras.layers.Dense):
        raise ExplainError(f"model {model.name!r} does not end in a Dense layer")
    for before, after in zip(layers, layers[1:]):
        if after.input is not before.output:
            raise ExplainError(f"model {model.name!r} is not a chain of layers ({after.name} does not follow "
                               f"{before.name})")
    return layers


def _kind(layer: keras.layers.Layer, output_layer: keras.layers.Layer) -> str:
    return "output" if layer is output_layer else KINDS.get(type(layer).__name__, "other")

